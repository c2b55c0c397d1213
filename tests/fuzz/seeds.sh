#!/bin/sh
# seeds.sh BIN DIR: the seed corpus of the fuzzers (make fuzz), written by
# the tools in BIN into DIR: arrays of every shape and dtype they write, a
# run directory's files, the tables, CSV matrices with and without a
# header, and (when NumPy is there) a Fortran-order array.
set -eu
bin=$(cd "$1" && pwd) dir=$2
rm -rf "$dir"
mkdir -p "$dir"
cd "$dir"
"$bin/init-weights" -q -N 4 -p 0.5 --seed 1 -o w.npy
"$bin/init-weights" -q -N 3 --float32 -o w4.npy
"$bin/gen-target" -q -N 4 --steps 30 --seed 1 -o t.npy --params target.csv
"$bin/simulate-train" -q -w w.npy -t t.npy --loops 2 --train-loops 1 --stim-steps 5 \
	--record all,inputs -o run
for f in run/*; do mv "$f" "run-$(basename "$f")"; done
rmdir run
"$bin/npy-cat" w.npy > w.csv
"$bin/npy-cat" run-outputs.npy > outputs.csv
"$bin/motifs" w.npy > motifs.csv
"$bin/dpr" --samples 2 t.npy > dpr.csv
printf 'Neuron_0,Neuron_1\r\n1.5,-2e-3\r\n"3",4\r\n' > header.csv
if /usr/bin/python3 -c 'import numpy' 2>/dev/null; then
	/usr/bin/python3 -c 'import numpy as np
np.save("fortran.npy", np.arange(24.0).reshape(2, 3, 4).T)
np.save("fortran2.npy", np.arange(6, dtype="<f4").reshape(2, 3).T)'
fi
