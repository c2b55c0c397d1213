#!/bin/sh
# Motifs and dimensionality of the original notebook's CSV files, with the
# same tools and the same table layout as the sweep.
#
#   examples/notebook-csv.sh NOTEBOOK_DIR [OUTDIR]   (default OUTDIR: .)
#
# NOTEBOOK_DIR is the folder the notebook ran in: it holds the notebook's
# simulation_K folders, one per vrest:
#   simulation_K/simulation_K_connectivity_matrix/
#       simulation_K_pesos_pqif_P_matriz_iloop_L_semilla_S   (headerless N x N)
#   simulation_K/simulation_K_outputs/
#       simulation_K_outputs_pqif_P_iloop_L_seed_S.csv       (steps x N)
# Writes OUTDIR/notebook-motifs.csv (pqif,vrest,seed,path,loop,N,sigma2,...)
# and OUTDIR/notebook-dpr.csv (pqif,vrest,seed,path,loop,N,samples,M,PR,
# PR_bc,M_from,flag), the layout of the sweep's motifs.csv and dpr.csv, with path
# relative to NOTEBOOK_DIR and loop the notebook's iloop.
#
# vrest: folder simulation_K holds the runs of the K-th entry (from 1) of
# the notebook's vrest list, VREST in the environment (default
# "-8.5 -12.3 -17 -22", the notebook's).  It is not read from
# simulation_K_parametros.csv: the notebook rewrites that file for every
# pqif, pqif = 1 last, so it ends with an empty vrest.  (When it does hold
# a vrest, it must agree with VREST.)  At pqif = 1 vrest does not apply,
# but the notebook runs pqif = 1 once in every folder (its targets are not
# seeded, so the runs differ): those rows keep their folder's vrest, so
# that they stay apart; the sweep writes nan there.
#
# SKIP (default 200) steps of every outputs file are left out of dpr (the
# kick); M of the bias correction is SAMPLES (default auto: estimated from
# each file's autocorrelation, as the sweep does; or a number), see dpr(1).
# Needs motifs and dpr on PATH (make install, or . build/env.sh).
set -eu
me=notebook-csv.sh
usage() {
	sed -n '2,/^set -eu/{/^set -eu/d;s/^# \{0,1\}//;p}' "$0"
}
case ${1-} in
-h|--help) usage; exit 0 ;;
esac
[ $# -ge 1 ] && [ $# -le 2 ] || { echo "usage: $me NOTEBOOK_DIR [OUTDIR] (--help for more)" >&2; exit 2; }
die() { echo "$me: $*" >&2; exit 1; }

nb=$1 out=${2:-.}
skip=${SKIP:-200}
samples=${SAMPLES:-auto}
vrests=${VREST:--8.5 -12.3 -17 -22}
for t in motifs dpr; do
	command -v $t >/dev/null 2>&1 ||
	  die "$t is not on PATH: run 'make install', or '. build/env.sh' in the source tree"
done
[ -d "$nb" ] || die "$nb: no such folder"
case $(basename "$nb") in
simulation_[0-9]*)
	die "$nb is one of the notebook's simulation folders: give the folder that holds them ($(dirname "$nb"))" ;;
esac
ls -d "$nb"/simulation_[0-9]* >/dev/null 2>&1 ||
  die "$nb: no notebook simulation_K folders in it"

mkdir -p "$out"
out=$(cd "$out" && pwd)
m=$out/notebook-motifs.csv d=$out/notebook-dpr.csv
part=$out/.notebook-part.tmp
trap 'rm -f "$m.tmp" "$d.tmp" "$part"' EXIT
trap 'exit 1' HUP INT TERM
echo "pqif,vrest,seed,path,loop,N,sigma2,tau_rec,tau_div,tau_con,tau_chn,R" > "$m.tmp"
echo "pqif,vrest,seed,path,loop,N,samples,M,PR,PR_bc,M_from,flag" > "$d.tmp"

# field NAME KEY: the value after _KEY_ in a notebook file name.
field() { printf '%s\n' "$1" | sed -n "s/.*_$2_\([^_]*\).*/\1/p" | sed 's/\.csv$//'; }
# add_rows TABLE ILOOP: the tool's rows in $part, after the keys path,loop:
# loop becomes the notebook's iloop.
add_rows() { awk -F, -v OFS=, -v l="$2" '{ $5 = l; print }' "$part" >> "$1"; }

cd "$nb"
for sim in simulation_[0-9]*; do
	[ -d "$sim" ] || continue
	k=${sim#simulation_}
	case $k in *[!0-9]*) continue ;; esac
	# shellcheck disable=SC2086
	vrest=$(printf '%s\n' $vrests | sed -n "${k}p")
	[ -n "$vrest" ] || die "$sim: VREST ($vrests) has no entry $k; set VREST to the notebook's vrest list"
	par=$sim/${sim}_parametros.csv
	if [ -f "$par" ]; then
		said=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "vrest") c = i; next }
		                NR == 2 { if (c) print $c; exit }' "$par")
		[ -z "$said" ] || awk -v a="$said" -v b="$vrest" 'BEGIN { exit !(a + 0 == b + 0) }' ||
		  die "$par: vrest $said, but entry $k of VREST ($vrests) is $vrest; set VREST to the notebook's vrest list"
	fi
	for f in "$sim/${sim}_connectivity_matrix/${sim}_pesos_pqif_"*; do
		[ -e "$f" ] || continue
		p=$(field "$f" pqif) l=$(field "$f" iloop) s=$(field "$f" semilla)
		motifs --no-header --tag pqif="$p" --tag vrest="$vrest" --tag seed="$s" -o "$part" "$f"
		add_rows "$m.tmp" "$l"
	done
	for f in "$sim/${sim}_outputs/${sim}_outputs_pqif_"*.csv; do
		[ -e "$f" ] || continue
		p=$(field "$f" pqif) l=$(field "$f" iloop) s=$(field "$f" seed)
		dpr --no-header --skip "$skip" --samples "$samples" --tag pqif="$p" \
		  --tag vrest="$vrest" --tag seed="$s" -o "$part" "$f"
		add_rows "$d.tmp" "$l"
	done
done
nm=$(($(wc -l < "$m.tmp") - 1)) nd=$(($(wc -l < "$d.tmp") - 1))
[ $((nm + nd)) -gt 0 ] ||
  die "$nb: no weight matrices (simulation_K_connectivity_matrix/) or outputs files (simulation_K_outputs/) in its simulation folders"
mv "$m.tmp" "$m"
mv "$d.tmp" "$d"
echo "$me: $nm matrices in $m, $nd activity files in $d" >&2
