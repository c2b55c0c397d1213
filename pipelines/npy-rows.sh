#!/bin/sh
# npy-rows.sh FILE FIRST COUNT: print COUNT rows of a .npy array ('<f4' or
# '<f8', C order) from row FIRST, where a row is the last dimension (so in
# a (loops, steps, N) stack, loop L step S is row L*steps+S); values
# separated by spaces, one row per line.  Reads only those bytes, which is
# much faster than printing the whole array when a figure needs a slice.
set -eu
file=$1 first=$2 count=$3
me=npy-rows
magic=$(od -A n -c -N 6 "$file" | tr -d ' ')
[ "$magic" = '223NUMPY' ] || { echo "$me: $file: not a .npy file" >&2; exit 1; }
major=$(od -A n -t u1 -j 6 -N 1 "$file" | tr -d ' ')
if [ "$major" = 1 ]; then
	hlen=$(od -A n -t u2 -j 8 -N 2 "$file" | tr -d ' '); off=$((10 + hlen))
else
	hlen=$(od -A n -t u4 -j 8 -N 4 "$file" | tr -d ' '); off=$((12 + hlen))
fi
header=$(head -c "$off" "$file" | tail -c "+$((off - hlen + 1))")
case $header in
*"'<f4'"*) size=4 ;;
*"'<f8'"*) size=8 ;;
*) echo "$me: $file: dtype is not '<f4' or '<f8'" >&2; exit 1 ;;
esac
case $header in
*"'fortran_order': True"*) echo "$me: $file: Fortran order is not supported" >&2; exit 1 ;;
esac
# The last number of the shape tuple is the row length.
n=$(printf '%s\n' "$header" | sed -n "s/.*'shape': *(\([^)]*\)).*/\1/p" | tr -d ' ' | sed 's/,$//' | awk -F, '{ print $NF }')
[ -n "$n" ] && [ "$n" -gt 0 ] || { echo "$me: $file: cannot read the shape" >&2; exit 1; }
od -A n -v -t "f$size" -w"$((n * size))" -j "$((off + first * n * size))" \
  -N "$((count * n * size))" "$file"
