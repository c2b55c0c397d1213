# raster.gp: spike raster of one run before training, in the last training
# loop and after training.
# Variables: data (the run's spikes.csv: loop,step,neuron), out, run, nqif,
# n (neurons), loops ('A B C').
set terminal pngcairo size 1500,600 font 'sans,11'
set output out
set datafile separator ','
set key outside top center horizontal
set xlabel 'time step'
set yrange [-0.5:n-0.5]
array phase[3] = ['before training', 'last training loop', 'after training']
set multiplot layout 1,3 title sprintf("Spike raster, run %s (neurons 0..%d QIF, the rest LIF)", run, nqif-1) font 'sans,14'
do for [c = 1:3] {
	l = int(word(loops, c))
	set title sprintf('loop %d: %s', l, phase[c])
	set ylabel (c == 1 ? 'neuron' : '')
	plot data using 2:(($1 == l && $3 < nqif) ? $3 : NaN) every ::1 with points pt 7 ps 0.25 lc rgb '#1f77b4' title 'QIF', \
	     data using 2:(($1 == l && $3 >= nqif) ? $3 : NaN) every ::1 with points pt 7 ps 0.25 lc rgb '#d62728' title 'LIF'
}
unset multiplot
