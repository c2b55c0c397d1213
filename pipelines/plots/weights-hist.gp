# weights-hist.gp: histograms of the non-zero weights of the four blocks
# (presynaptic -> postsynaptic) before and after training.
# Variables: data (four blocks: centre count_before count_after), out, run,
# after (the loop shown as after training).
set terminal pngcairo size 1300,950 font 'sans,11'
set output out
set key top right box opaque
set grid
set style fill transparent solid 0.45 noborder
set xlabel 'weight'
set ylabel 'number of connections'
set multiplot layout 2,2 title sprintf("Weight histograms by block (presynaptic → postsynaptic), run %s\n(non-zero weights; log scale; range mean ± 4 s.d., outliers counted in the end bins)", run) font 'sans,14'
array block[4] = ['QIF → QIF', 'QIF → LIF', 'LIF → QIF', 'LIF → LIF']
do for [b = 0:3] {
	set title block[b+1]
	unset logscale y
	set autoscale
	stats data index b every ::1 using ($2 + $3) nooutput
	set logscale y
	set yrange [0.8:*]
	if (STATS_max == 0) {
		set key off
		# No neuron of one of the two populations (pqif 0 or 1).
		set xrange [-1:1]
		set yrange [1:10]
		set label 1 'no connections in this block' at graph 0.5, graph 0.5 center
		plot NaN notitle
		unset label 1
	} else {
		set key on
		plot data index b using 1:2 every ::1 with boxes lc rgb '#1f77b4' title 'before training (loop 0)', \
		     data index b using 1:3 every ::1 with boxes lc rgb '#d62728' title sprintf('after training (loop %d)', after)
	}
}
unset multiplot
