# by-target.gp: the targets of a swept gen-target option compared (one
# line per value): training error and correlation in the test loops, and
# the bias-corrected participation ratio after training, against pqif.
# Variables: data (group-stats blocks "KEY=value": one block per value of
# the test loops of summary.csv, rows "pqif n mse sd corr sd"; one block
# per value of dpr.csv after training, rows "pqif n PR sd PR_bc sd"; one
# block of dpr.csv at loop 0, the same rows), out, key (the option), values
# (its values, in the blocks' order).
set terminal pngcairo size 1500,560 font 'sans,11'
set output out
set datafile missing 'nan'
set key at screen 0.5, screen 0.91 center top horizontal box
nv = words(values)
set grid
set xlabel 'pqif (fraction of QIF neurons)'
set xrange [-0.06:1.06]
# The values side by side at each pqif, so that their error bars do not hide
# one another.
dx(i) = (i - (nv - 1) / 2.0) * 0.012
set multiplot layout 1,3 title sprintf("The targets compared, per %s: training and dimensionality after training (mean ± s.d. over vrest, seeds and test loops)", key) font 'sans,14' \
    margins 0.05, 0.98, 0.11, 0.66 spacing 0.07, 0.1
set title 'Pearson correlation (target, recurrent input)'
set ylabel 'correlation'
# (the legend of the three panels, with the reference line of the third)
plot for [i = 0:nv-1] data index i using ($1 + dx(i)):5:6 with yerrorlines lw 2 pt 7 ps 0.6 title sprintf('%s %s', key, word(values, i + 1)), \
     NaN with linespoints lw 2 dt 2 pt 4 ps 0.6 lc rgb '#404040' title 'PR_{bc} before training (loop 0)'
set key off
set title 'mean squared error (target − recurrent input)'
set ylabel 'MSE'
set logscale y
plot for [i = 0:nv-1] data index i using ($1 + dx(i)):3:4 with yerrorlines lw 2 pt 7 ps 0.6 notitle
unset logscale y
set title 'bias-corrected participation ratio PR_{bc}'
set ylabel 'PR_{bc}'
plot for [i = 0:nv-1] data index (nv + i) using ($1 + dx(i)):5:6 with yerrorlines lw 2 pt 7 ps 0.6 notitle, \
     data index (2 * nv) using 1:5:6 with yerrorlines lw 2 dt 2 pt 4 ps 0.6 lc rgb '#404040' notitle
unset multiplot
