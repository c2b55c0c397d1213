#!/bin/sh
# One run by hand, as a shell pipeline: initial weights and target for a
# seed, one trained network, then its motifs and dimensionality.
#
#   examples/one-run.sh [OUTDIR]        (default: ./one-run)
#
# The notebook's sizes; set N, STEPS, LOOPS, TRAIN, STIM in the environment
# for a smaller try, e.g. N=60 STEPS=400 LOOPS=6 TRAIN=3 STIM=50.
# Needs the tools on PATH: make install, or . build/env.sh in the source tree.
set -eu
out=${1:-one-run}
N=${N:-200} STEPS=${STEPS:-1000} LOOPS=${LOOPS:-16} TRAIN=${TRAIN:-10} STIM=${STIM:-200}
seed=1 pqif=0.5 vrest=-12.3
mkdir -p "$out"
cd "$out"

# The network and the targets of a seed (shared by every pqif and vrest).
init-weights -N "$N" -p 0.3 --gsyn 0.5 --seed $seed -o weights0.npy
gen-target -N "$N" --steps "$STEPS" --seed $seed -o target.npy --params target.csv

# Train: loop 0 untrained, loops 1..TRAIN trained, the rest tested.
simulate-train -w weights0.npy -t target.npy -o run --force -q \
  --pqif $pqif --vrest $vrest --seed $seed \
  --loops "$LOOPS" --train-loops "$TRAIN" --stim-steps "$STIM"

# Training quality per loop: loop, phase, mse_all, corr_all.
cut -d, -f1,2,8,11 run/summary.csv

# Motifs of W after every loop, tagged so that tables from many runs stack.
motifs --tag pqif=$pqif --tag vrest=$vrest --tag seed=$seed run/weights.npy > motifs.csv

# Dimensionality before training (loop 0) and in the test loops, without the kick.
dpr --tag pqif=$pqif --skip "$STIM" --loops "0,$((TRAIN + 1))-$((LOOPS - 1))" run/outputs.npy > dpr.csv
cat dpr.csv

# Arrays print as CSV: the synaptic output of neuron 0 in the last loop.
npy-cat --slices $((LOOPS - 1)) --columns 0 run/outputs.npy | cut -d, -f2 > r0-last-loop.txt
echo "one-run: results in $PWD" >&2
