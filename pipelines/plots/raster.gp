# raster.gp: spike raster of one run before training, in the last training
# loop and after training.
# Variables: data (raster-blocks: index 2k = QIF spikes of the k-th loop,
# 2k+1 = LIF spikes; rows "step neuron"), out, run, nqif, n (neurons),
# loops ('A B C').
set terminal pngcairo size 1500,600 font 'sans,11'
set output out
set key at screen 0.5, screen 0.925 center top horizontal box
set xlabel 'time step'
set yrange [-0.5:n-0.5]
array phase[3] = ['before training', 'last training loop', 'after training']
set multiplot layout 1,3 title sprintf("Spike raster, run %s (neurons 0..%d QIF, the rest LIF)", run, nqif-1) font 'sans,14' \
    margins 0.05, 0.98, 0.1, 0.82 spacing 0.05, 0.1
do for [c = 1:3] {
	set title sprintf('loop %s: %s', word(loops, c), phase[c])
	set ylabel (c == 1 ? 'neuron' : '')
	if (c == 1) { set key on } else { set key off }
	plot data index (2*c-2) using 1:2 with points pt 7 ps 0.25 lc rgb '#1f77b4' title 'QIF spikes', \
	     data index (2*c-1) using 1:2 with points pt 7 ps 0.25 lc rgb '#d62728' title 'LIF spikes'
}
unset multiplot
