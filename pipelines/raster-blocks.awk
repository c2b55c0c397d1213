# raster-blocks.awk -v loops='A B C' -v nqif=Q spikes.csv
#
# The spikes (loop,step,neuron) of loops A, B, C as gnuplot data blocks
# "step neuron": block 2k is loop k's QIF neurons (0..Q-1), block 2k+1 its
# LIF neurons.  Every block has at least one row (NaN when empty).
BEGIN { nl = split(loops, lp, " "); for (k = 1; k <= nl; k++) want[lp[k]] = k }
NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
{
	l = $(col["loop"])
	if (!(l in want)) next
	b = 2 * (want[l] - 1) + ($(col["neuron"]) < nqif ? 0 : 1)
	row[b, ++n[b]] = $(col["step"]) " " $(col["neuron"])
}
END {
	for (b = 0; b < 2 * nl; b++) {
		if (!n[b]) print "NaN NaN"
		for (i = 1; i <= n[b]; i++) print row[b, i]
		printf "\n\n"
	}
}
