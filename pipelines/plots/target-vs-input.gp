# target-vs-input.gp: target and recurrent input (W r)_i of a few neurons of
# one run, before training, in the last training loop and after training.
# Variables: data (blocks per neuron: step target rec_A rec_B rec_C), out,
# run, neurons (list), nqif, loops ('A B C').
set terminal pngcairo size 1500,1000 font 'sans,10'
set output out
unset key
set grid
nn = words(neurons)
set multiplot layout nn,3 title sprintf("Target (black, dashed) and recurrent input (W r)_i (red), run %s: before training, last training loop, after training", run) font 'sans,14'
array phase[3] = ['before training', 'last training loop', 'after training']
do for [k = 1:nn] {
	nid = int(word(neurons, k))
	do for [c = 1:3] {
		set title sprintf('neuron %d (%s), loop %s: %s', nid, nid < nqif ? 'QIF' : 'LIF', word(loops, c), phase[c])
		set xlabel (k == nn ? 'time step' : '')
		set ylabel (c == 1 ? 'input' : '')
		plot data index (k-1) using 1:2 every ::1 with lines lw 2 lc rgb '#202020' dt 2 title 'target', \
		     data index (k-1) using 1:(column(c+2)) every ::1 with lines lw 1.5 lc rgb '#d62728' title 'recurrent input (W r)_i'
	}
}
unset multiplot
