# scaling.gp: the motifs and the participation ratios against the network
# size N, before training (loop 0) and after it, one line per pqif and
# phase.  Variables: motifs (group-stats blocks "pqif=P-phase": rows "N n"
# then mean,sd of sigma2 tau_rec tau_div tau_con tau_chn R), dpr (the same
# blocks, rows "N n" then mean,sd of PR and PR_bc), flags (dpr-flags.awk
# with x=neurons: the rows dpr flagged, with their counts), indegree, out.
# Flagged rows are drawn on their own, counted in the panel's title, and a
# PR_bc below 1 is said in words: never a negative dimensionality without
# saying so.
set terminal pngcairo size 1700,900 font 'sans,11'
set output out
set datafile missing 'nan'
set key at screen 0.5, screen 0.94 center top horizontal maxrows 1 box
set grid
set logscale x
set xlabel 'N (neurons)'
set autoscale xfix
set offsets graph 0.05, graph 0.05, 0, 0
nrows = 0; nflag = 0; nbelow = 0
nrows = int(system("sed -n 's/^# rows \\([0-9]*\\) .*/\\1/p' '".flags."'"))
nflag = int(system("sed -n 's/^# rows [0-9]* flagged \\([0-9]*\\) .*/\\1/p' '".flags."'"))
nbelow = int(system("sed -n 's/.* below1 \\([0-9]*\\)$/\\1/p' '".flags."'"))
# Eight panels placed by hand (panel k at column k % 4, row k / 4), then
# the legend over the whole width: in a panel it would have a panel's width.
set multiplot title sprintf("Against network size at in-degree %s: motifs and dimensionality before (dashed) and after training (mean ± s.d. over seeds and test loops)", indegree) font 'sans,14'
panel(k) = sprintf("set origin %g, %g; set size 0.25, 0.445", 0.25 * (k % 4), 0.445 - 0.445 * (k / 4))
array name[6] = ['σ² (weight variance)', 'τ_{rec} (reciprocal)', 'τ_{div} (divergent)', 'τ_{con} (convergent)', 'τ_{chn} (chain)', 'R (bulk semi-axis)']
array ylab[6] = ['σ²', 'τ_{rec}', 'τ_{div}', 'τ_{con}', 'τ_{chn}', 'R']
# block i: pqif number i/2 (colour), before (even i, dashed) or after (odd)
do for [i = 0:19] {
	if (i % 2 == 0) {
		set style line (i + 1) lc (i / 2 + 1) dt 2 lw 2 pt 6 ps 0.7
	} else {
		set style line (i + 1) lc (i / 2 + 1) dt 1 lw 2 pt 7 ps 0.7
	}
}
set key off
do for [m = 1:6] {
	eval panel(m - 1)
	set title name[m]
	set ylabel ylab[m]
	plot for [i = 0:*] motifs index i using 1:(column(2*m+1)):(column(2*m+2)) with yerrorlines \
	     ls (i + 1) title columnheader(1)
}
eval panel(6)
set title 'participation ratio PR (observed neurons)'
set ylabel 'PR'
plot for [i = 0:*] dpr index i using 1:3:4 with yerrorlines ls (i + 1)
eval panel(7)
set ylabel 'PR_{bc}'
if (nflag == 0) {
	set title 'bias-corrected PR_{bc}'
	plot for [i = 0:*] dpr index i using 1:5:6 with yerrorlines ls (i + 1)
} else {
	set title sprintf("PR_{bc}: %d of %d rows flagged by dpr (o)", nflag, nrows) tc rgb 'red'
	if (nbelow > 0) {
		set label 1 sprintf("%d row%s with PR_{bc} < 1: no dimensionality, see dpr(1)", \
		    nbelow, nbelow == 1 ? '' : 's') at graph 0.02, graph 0.95 left front tc rgb 'red'
		set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead dt 2 lc rgb 'red' front
	}
	plot for [i = 0:*] dpr index i using 1:5:6 with yerrorlines ls (i + 1), \
	     flags using 2:3 with points pt 6 ps 1.5 lc rgb 'red'
}
set origin 0, 0
set size 1, 1
unset border; unset tics; unset xlabel; unset ylabel; unset title; unset grid
unset logscale x; unset label; unset arrow
set xrange [0:1]
set yrange [0:1]
set key on
titles = system("sed -n 's/^pqif=//p' '".motifs."'")
plot NaN notitle, for [i = 1:words(titles)] keyentry with yerrorlines ls i title 'pqif '.word(titles, i)
unset multiplot
