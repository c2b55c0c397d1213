# weight-hist.awk -F, -v nqif=Q -v before=A -v after=B [-v bins=80]
#
# Reads CSV rows "loop,w_i0,...,w_iN-1" of a (loops, N, N) weight stack
# (npy-cat; other loops than A and B are skipped), loop by
# loop (row i = postsynaptic neuron), and histograms the non-zero weights of
# the four blocks QIF->QIF, QIF->LIF, LIF->QIF, LIF->LIF (presynaptic ->
# postsynaptic; neurons 0..Q-1 are QIF) in loops A and B.
# Output: four gnuplot data blocks in that order, each opened by its title
# row and closed by two blank lines, rows "centre count_A count_B" over one
# range per block: the mean of both loops' weights +- 4 standard deviations,
# values beyond it counted in the end bins (a few trained weights grow far
# larger than the rest).
BEGIN { if (bins == "") bins = 80; last = -1 }
{
	if ($1 != last) { last = $1; row = 0 }
	if ($1 == before) ph = 1; else if ($1 == after) ph = 2; else { row++; next }
	for (f = 2; f <= NF; f++) {
		if ($f == 0) continue
		col = f - 2
		b = (col < nqif ? 0 : 2) + (row < nqif ? 0 : 1)
		k = ++n[b, ph]; val[b, ph, k] = $f + 0
		cnt[b]++; sum[b] += $f; ssq[b] += $f * $f
	}
	row++
}
END {
	name[0] = "QIF->QIF"; name[1] = "QIF->LIF"; name[2] = "LIF->QIF"; name[3] = "LIF->LIF"
	for (b = 0; b < 4; b++) {
		print name[b]
		if (!cnt[b]) { print "0 0 0"; printf "\n\n"; continue }
		m = sum[b] / cnt[b]; v = ssq[b] / cnt[b] - m * m; sd = v > 0 ? sqrt(v) : 1
		lo = m - 4 * sd; w = 8 * sd / bins
		for (j = 0; j < bins; j++) c[1, j] = c[2, j] = 0
		for (ph = 1; ph <= 2; ph++)
			for (k = 1; k <= n[b, ph]; k++) {
				j = int((val[b, ph, k] - lo) / w)
				if (j < 0) j = 0; else if (j >= bins) j = bins - 1
				c[ph, j]++
			}
		for (j = 0; j < bins; j++) printf "%.9g %d %d\n", lo + (j + 0.5) * w, c[1, j], c[2, j]
		printf "\n\n"
	}
}
