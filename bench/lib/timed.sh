# timed.sh: sourced by the bench scripts (. bench/lib/timed.sh, with T set).
#
# timed LABEL CMD...: run CMD under GNU time (/usr/bin/time -v), its standard
# output to $T/out, and print "LABEL: S s, peak RSS M MB" (wall clock time,
# maximum resident set size, which counts the pages of a mapped file that
# were touched).  MB and GB in the benches are 10^6 and 10^9 bytes, as in
# simulate-train's memory budget.  Sets TIMED_S and TIMED_MB.  A failing CMD
# fails the script.
timed() {
	timed_label=$1
	shift
	if ! /usr/bin/time -v "$@" > "$T/out" 2> "$T/time.txt"; then
		cat "$T/time.txt" >&2
		return 1
	fi
	TIMED_S=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0
		for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.2f", s }' "$T/time.txt")
	TIMED_MB=$(awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 * 1024 / 1e6 }' "$T/time.txt")
	echo "$timed_label: $TIMED_S s, peak RSS $TIMED_MB MB"
}

# mb FILE: its size in MB.
mb() {
	awk -v b="$(stat -c %s "$1")" 'BEGIN { printf "%.0f", b / 1e6 }'
}
