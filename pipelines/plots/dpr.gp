# dpr.gp: participation ratio before and after training against pqif.
# Variables: data (group-stats blocks: index 0 = loop 0, index 1 = loops after
# training; rows pqif n then mean,sd of PR and PR_bc), out (PNG), sub
# (optional, added to the title: ', omegagauss W' for the runs of one
# target).
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
set multiplot layout 1,2 title "Dimensionality of the activity before and after training (mean ± s.d. over vrest, seeds and test loops)".sub font 'sans,14' \
    margins 0.06, 0.98, 0.11, 0.76 spacing 0.08, 0.1
set title 'participation ratio PR'
set ylabel 'PR'
plot data index 0 using 1:3:4 with yerrorlines lw 2 pt 7 title 'before training (loop 0)', \
     data index 1 using 1:3:4 with yerrorlines lw 2 pt 5 title 'after training (test loops)'
set key off
set title 'bias-corrected participation ratio PR_{bc}'
set ylabel 'PR_{bc}'
plot data index 0 using 1:5:6 with yerrorlines lw 2 pt 7 title 'before training (loop 0)', \
     data index 1 using 1:5:6 with yerrorlines lw 2 pt 5 title 'after training (test loops)'
unset multiplot
