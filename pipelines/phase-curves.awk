# phase-curves.awk -v train=T TABLE.csv
#
# The rows of a table (with a header, and columns pqif and loop) of loop 0
# (before training) and of the loops after T (after training), with pqif
# holding "P-before" or "P-after": one curve per pqif and phase for
# group-stats.awk (keys=pqif,...).  Other loops are left out.
BEGIN { OFS = "," }
NR == 1 {
	for (i = 1; i <= NF; i++) col[$i] = i
	if (!("pqif" in col) || !("loop" in col)) { print "phase-curves: no pqif or loop column" > "/dev/stderr"; exit 1 }
	print
	next
}
{
	l = $(col["loop"])
	if (l == 0) ph = "before"; else if (l + 0 > train + 0) ph = "after"; else next
	$(col["pqif"]) = $(col["pqif"]) "-" ph
	print
}
