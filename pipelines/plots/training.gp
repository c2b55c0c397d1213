# training.gp: training error and correlation across loops, per pqif.
# Variables: data (group-stats blocks per pqif: loop n then mean,sd of
# mse_all corr_all rate_all), out (PNG), train_loops.
set terminal pngcairo size 1500,520 font 'sans,11'
set output out
set datafile missing 'nan'
set key top right box opaque
set grid
set xlabel 'loop'
set object 1 rect from 0.5, graph 0 to train_loops + 0.5, graph 1 behind fc rgb '#e8e8e8' fs solid noborder
set multiplot layout 1,3 title "Training: target against recurrent input across loops, per pqif (mean ± s.d. over vrest and seeds; grey: training loops)" font 'sans,14'
set title 'mean squared error (target − recurrent input)'
set ylabel 'MSE'
set logscale y
plot for [i = 0:*] data index i using 1:3:4 with yerrorlines lw 2 pt 7 ps 0.6 title columnheader(1)
unset logscale y
set title 'Pearson correlation (target, recurrent input)'
set ylabel 'correlation'
set key bottom right
plot for [i = 0:*] data index i using 1:5:6 with yerrorlines lw 2 pt 7 ps 0.6 title columnheader(1)
set title 'firing rate (all neurons)'
set ylabel 'spikes per neuron per second'
set key top right
plot for [i = 0:*] data index i using 1:7:8 with yerrorlines lw 2 pt 7 ps 0.6 title columnheader(1)
unset multiplot
