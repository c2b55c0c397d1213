# target-input.awk -v neurons='I J ...' -v loops='A B C' -v stim=S
#
# Reads tagged rows of space-separated values on stdin: "T ..." the target
# (one row per step), "K ..." the kick amplitudes (in order, any layout),
# "I loop ..." the inputs Iext + W r of a run (one row per step).  Prints, for
# each chosen neuron, a gnuplot data block opened by the title row
# "neuron=I" and closed by two blank lines, with rows
# "step target rec_A rec_B rec_C": rec is the recurrent input (W r)_i, that
# is the input minus the kick for the steps before S.
BEGIN {
	nn = split(neurons, nr, " "); nl = split(loops, lp, " ")
	for (k = 1; k <= nl; k++) want[lp[k]] = k
	nt = 0; nk = 0; last = -1; maxstep = -1
}
$1 == "T" { for (k = 1; k <= nn; k++) tg[nt, k] = $(nr[k] + 2); nt++; next }
$1 == "K" { for (f = 2; f <= NF; f++) kick[nk++] = $f; next }
$1 == "I" {
	if ($2 != last) { last = $2; step = 0 }
	if ($2 in want) {
		l = want[$2]
		for (k = 1; k <= nn; k++) {
			v = $(nr[k] + 3)
			if (step < stim) v -= kick[nr[k]]
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
