# target-input.awk -F, -v neurons='I J ...' -v loops='A B C' -v stim=S \
#     TARGET KICK INPUTS
#
# Reads three CSV files, each with the chosen neurons' values in the order
# of 'neurons' (npy-cat --columns): TARGET the target (one row per step),
# KICK the kick amplitudes (one per line), INPUTS rows "loop,..." of the
# inputs Iext + W r of a run (one row per step; other loops than those named
# are skipped).  Prints, for
# each chosen neuron, a gnuplot data block opened by the title row
# "neuron=I" and closed by two blank lines, with rows
# "step target rec_A rec_B rec_C": rec is the recurrent input (W r)_i, that
# is the input minus the kick for the steps before S.
BEGIN {
	nn = split(neurons, nr, " "); nl = split(loops, lp, " ")
	for (k = 1; k <= nl; k++) want[lp[k]] = k
	nt = 0; nk = 0; last = -1; maxstep = -1
}
FNR == 1 { file++ }
file == 1 { for (k = 1; k <= nn; k++) tg[nt, k] = $k; nt++; next }
file == 2 { kick[++nk] = $1; next }
file == 3 {
	if ($1 != last) { last = $1; step = 0 }
	if ($1 in want) {
		l = want[$1]
		for (k = 1; k <= nn; k++) {
			v = $(k + 1)
			if (step < stim) v -= kick[k]
			rec[l, step, k] = v
		}
		if (step > maxstep) maxstep = step
	}
	step++
}
END {
	for (k = 1; k <= nn; k++) {
		printf "neuron=%s\n", nr[k]
		for (s = 0; s <= maxstep; s++) {
			printf "%d %.9g", s, tg[s, k]
			for (l = 1; l <= nl; l++) printf " %.9g", rec[l, s, k]
			printf "\n"
		}
		printf "\n\n"
	}
}
