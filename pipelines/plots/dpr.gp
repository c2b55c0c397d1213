# dpr.gp: participation ratio before and after training against pqif.
# Variables: data (group-stats blocks: index 0 = loop 0, index 1 = loops after
# training; rows pqif n then mean,sd of PR and PR_bc), out (PNG), sub
# (optional, added to the title: ', omegagauss W' for the runs of one
# target), and optionally flags (dpr-flags.awk: the rows dpr flagged, with
# their counts).  A flagged row is drawn on its own, its count is in the
# panel's title, and PR_bc below 1 (no dimensionality at all) is said in
# words on the figure: a negative PR_bc is never shown without saying so.
set terminal pngcairo size 1300,560 font 'sans,11'
set output out
if (!exists('sub')) { sub = '' }
set datafile missing 'nan'
# One legend for both panels, above them: inside a panel it would cover the
# curves where they run high.
set key at screen 0.5, screen 0.9 center top horizontal box
set grid
set xlabel 'pqif (fraction of QIF neurons)'
set xrange [-0.05:1.05]
if (!exists("flags")) flags = ''
nrows = 0; nflag = 0; nbelow = 0
if (flags ne '') {
	nrows = int(system("sed -n 's/^# rows \\([0-9]*\\) .*/\\1/p' '".flags."'"))
	nflag = int(system("sed -n 's/^# rows [0-9]* flagged \\([0-9]*\\) .*/\\1/p' '".flags."'"))
	nbelow = int(system("sed -n 's/.* below1 \\([0-9]*\\)$/\\1/p' '".flags."'"))
}
set multiplot layout 1,2 title "Dimensionality of the activity before and after training (mean ± s.d. over vrest, seeds and test loops)".sub font 'sans,14' \
    margins 0.06, 0.98, 0.11, 0.76 spacing 0.08, 0.1
set title 'participation ratio PR'
set ylabel 'PR'
plot data index 0 using 1:3:4 with yerrorlines lw 2 pt 7 title 'before training (loop 0)', \
     data index 1 using 1:3:4 with yerrorlines lw 2 pt 5 title 'after training (test loops)'
set key off
set ylabel 'PR_{bc}'
if (nflag == 0) {
	set title 'bias-corrected participation ratio PR_{bc}'
	plot data index 0 using 1:5:6 with yerrorlines lw 2 pt 7 title 'before training (loop 0)', \
	     data index 1 using 1:5:6 with yerrorlines lw 2 pt 5 title 'after training (test loops)'
} else {
	set title sprintf("bias-corrected participation ratio PR_{bc}: %d of %d rows flagged by dpr (o)", nflag, nrows) tc rgb 'red'
	if (nbelow > 0) {
		set label 1 sprintf("%d row%s with PR_{bc} < 1: no dimensionality (too few independent samples M?), see dpr(1)", \
		    nbelow, nbelow == 1 ? '' : 's') at graph 0.02, graph 0.95 left front tc rgb 'red'
		set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead dt 2 lc rgb 'red' front
	}
	plot data index 0 using 1:5:6 with yerrorlines lw 2 pt 7 title 'before training (loop 0)', \
	     data index 1 using 1:5:6 with yerrorlines lw 2 pt 5 title 'after training (test loops)', \
	     flags using 2:3 with points pt 6 ps 1.5 lc rgb 'red' title 'flagged rows'
}
unset multiplot
