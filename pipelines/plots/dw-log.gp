# dw-log.gp: log of the norm of each training update relative to ||W0||.
# Variables: data (blocks per pqif: t log_dw_norm), out, vrest, seed, sub
# (optional, added to the title: ', omegagauss W' for the runs of one
# target).
set terminal pngcairo size 1300,600 font 'sans,11'
set output out
if (!exists('sub')) { sub = '' }
set key top right box opaque
set grid
set xlabel 't (training step, counted over all training loops)'
set ylabel 'log(||ΔW|| / ||W_0||)'
set title sprintf("Size of the RLS weight updates during training, per pqif (vrest %s, seed %s%s)", vrest, seed, sub) font 'sans,14'
plot for [i = 0:*] data index i using 1:2 with lines lw 1.5 title columnheader(1)
