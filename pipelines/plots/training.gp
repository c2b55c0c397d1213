# training.gp: training error and correlation across loops, per pqif.
# Variables: data (group-stats blocks per pqif: loop n then mean,sd of
# mse_all corr_all rate_all), out (PNG), train_loops, sub (optional, added
# to the title: ', omegagauss W' for the runs of one target).
set terminal pngcairo size 1500,560 font 'sans,11'
set output out
if (!exists('sub')) { sub = '' }
set datafile missing 'nan'
# One legend for the three panels, above them: inside a panel it would
# cover curves.
set key at screen 0.5, screen 0.91 center top horizontal box
set grid
set xlabel 'loop'
# Half a loop of room on both sides, for the error bars of the first and last.
set autoscale xfix
set offsets 0.5, 0.5, 0, 0
set object 1 rect from 0.5, graph 0 to train_loops + 0.5, graph 1 behind fc rgb '#e8e8e8' fs solid noborder
set multiplot layout 1,3 title "Training: target against recurrent input across loops, per pqif (mean ± s.d. over vrest and seeds; grey: training loops)".sub font 'sans,14' \
    margins 0.05, 0.98, 0.11, 0.72 spacing 0.07, 0.1
set title 'mean squared error (target − recurrent input)'
set ylabel 'MSE'
set logscale y
plot for [i = 0:*] data index i using 1:3:4 with yerrorlines lw 2 pt 7 ps 0.6 title columnheader(1)
unset logscale y
set key off
set title 'Pearson correlation (target, recurrent input)'
set ylabel 'correlation'
plot for [i = 0:*] data index i using 1:5:6 with yerrorlines lw 2 pt 7 ps 0.6 title columnheader(1)
set title 'firing rate (all neurons)'
set ylabel 'spikes per neuron per second'
plot for [i = 0:*] data index i using 1:7:8 with yerrorlines lw 2 pt 7 ps 0.6 title columnheader(1)
unset multiplot
