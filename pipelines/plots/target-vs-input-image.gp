# target-vs-input-image.gp: the target and the recurrent input (W r)_i of
# every neuron of one run as neuron x time images: the target, then the
# input before training, in the last training loop and after training.
# Variables: data (target-input-matrix.awk: four comma-separated matrices,
# steps rows by neurons columns: the target, then the recurrent input of
# loops A, B and C), out, run, n (neurons), nqif, loops ('A B C'), stim (the
# kick's steps).  Each panel reads its own matrix once (index K).
set terminal pngcairo size 1500,1000 font 'sans,11'
set output out
set datafile separator ','
# One colour scale for the four panels, symmetric about 0 (white) and a
# quarter wider than the target, so that an input that overshoots it shows.
stats data index 0 matrix using 3 nooutput
m = 1.25 * (abs(STATS_min) > abs(STATS_max) ? abs(STATS_min) : abs(STATS_max))
if (m == 0) { m = 1 }
steps = STATS_records / n
set cbrange [-m:m]
set palette defined (0 '#2166ac', 0.25 '#67a9cf', 0.5 '#f7f7f7', 0.75 '#ef8a62', 1 '#b2182b')
set xrange [-0.5:steps-0.5]
set yrange [-0.5:n-0.5]
set xlabel 'time step'
set ylabel 'neuron'
unset key
# Dashed: the end of the kick (steps 0..stim-1), and the border between the
# QIF neurons (0..nqif-1, below) and the LIF neurons.
set arrow 1 from stim-0.5, graph 0 to stim-0.5, graph 1 nohead dt 2 lw 1.5 lc rgb '#303030' front
if (nqif > 0 && nqif < n) {
	set arrow 2 from graph 0, first nqif-0.5 to graph 1, first nqif-0.5 nohead dt 2 lw 1.5 lc rgb '#303030' front
}
set multiplot layout 2,2 title sprintf("Target and recurrent input (W r)_i of every neuron, run %s\n(neurons 0..%d QIF, the rest LIF; dashed: end of the kick%s)", \
    run, nqif-1, nqif > 0 && nqif < n ? ', QIF/LIF border' : '') font 'sans,14'
set title 'target (the same in every loop)'
plot data index 0 matrix using 2:1:3 with image
array phase[3] = ['before training', 'last training loop', 'after training']
do for [c = 1:3] {
	set title sprintf('recurrent input, loop %s: %s', word(loops, c), phase[c])
	plot data index c matrix using 2:1:3 with image
}
unset multiplot
