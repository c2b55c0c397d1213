# dpr-flags.awk -v prepost=T [-v x=COL] [-v key=COL -v value=V] FILE.csv
#
# The rows of a dpr table (with a header) whose flag column is not "ok"
# (dpr(1): PR_bc outside [1, N], not a number, or M too small for the
# bias correction), in the loops the dpr figure shows: loop 0 -> phase 0
# (before training), loop > T -> phase 1 (after training).  Output for
# gnuplot: a comment line "# rows R flagged F below1 B" (R rows shown, F of
# them flagged, B with PR_bc < 1), then one row "phase X PR_bc flag" per
# flagged row (X the column x, default pqif; PR_bc nan when it is not a
# number).  A table without the flag column (an older dpr) has nothing
# flagged.  With key, only the rows whose column COL equals V (as numbers)
# are counted.
NR == 1 {
	if (x == "") x = "pqif"
	for (i = 1; i <= NF; i++) col[$i] = i
	for (k = split(x " loop PR_bc", need, " "); k > 0; k--)
		if (!(need[k] in col)) { print "dpr-flags: no column " need[k] > "/dev/stderr"; exit 1 }
	if (key != "" && !(key in col)) { print "dpr-flags: no column " key > "/dev/stderr"; exit 1 }
	next
}
key != "" && $(col[key]) + 0 != value + 0 { next }
{
	loop = $(col["loop"])
	if (loop == 0) phase = 0; else if (loop + 0 > prepost + 0) phase = 1; else next
	rows++
	flag = ("flag" in col) ? $(col["flag"]) : "ok"
	if (flag == "ok") next
	v = $(col["PR_bc"])
	if (v !~ /^[-+]?(nan|NaN|inf|Inf)/ && v + 0 < 1) below++
	out[++n] = phase " " $(col[x]) " " v " " flag
}
END {
	printf "# rows %d flagged %d below1 %d\n", rows, n, below
	for (i = 1; i <= n; i++) print out[i]
}
