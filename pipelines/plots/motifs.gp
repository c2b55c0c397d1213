# motifs.gp: connectivity motifs across loops, one line per pqif.
# Variables: data (group-stats blocks per pqif: loop n then mean,sd of
# sigma2 tau_rec tau_div tau_con tau_chn R), out (PNG), train_loops, sub
# (optional, added to the title: ', omegagauss W' for the runs of one
# target).
set terminal pngcairo size 1500,900 font 'sans,11'
set output out
if (!exists('sub')) { sub = '' }
set datafile missing 'nan'
set key at screen 0.5, screen 0.955 center top horizontal maxrows 1 box
set grid
set xlabel 'loop'
# Half a loop of room on both sides, for the error bars of the first and last.
set autoscale xfix
set offsets 0.5, 0.5, 0, 0
set object 1 rect from 0.5, graph 0 to train_loops + 0.5, graph 1 behind fc rgb '#e8e8e8' fs solid noborder
set multiplot layout 2,3 title "Connectivity motifs across loops, per pqif (mean ± s.d. over vrest and seeds; grey: training loops)".sub font 'sans,14' \
    margins 0.06, 0.98, 0.07, 0.84 spacing 0.07, 0.12
array name[6] = ['σ² (weight variance)', 'τ_{rec} (reciprocal)', 'τ_{div} (divergent)', 'τ_{con} (convergent)', 'τ_{chn} (chain)', 'R (bulk semi-axis)']
array ylab[6] = ['σ²', 'τ_{rec}', 'τ_{div}', 'τ_{con}', 'τ_{chn}', 'R']
do for [m = 1:6] {
	set title name[m]
	set ylabel ylab[m]
	if (m == 1) { set key on } else { set key off }
	plot for [i = 0:*] data index i using 1:(column(2*m+1)):(column(2*m+2)) with yerrorlines lw 2 pt 7 ps 0.6 title columnheader(1)
}
unset multiplot
