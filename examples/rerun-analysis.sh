#!/bin/sh
# Rerun only the analysis on run folders that exist: motifs, dimensionality,
# the three tables and the figures, with no simulation.
#
#   examples/rerun-analysis.sh [RESULTS] [PARAMS]
#       (default: results/notebook; run from the source tree)
#
# A results folder made by make remembers its parameter set (PARAMS, e.g.
# quick for make demo's); name it for run folders from elsewhere.  Any
# analysis option of pipelines/params/PARAMS.mk can be changed on the make
# command line; only what depends on it is redone, and the folder keeps it
# for the next make (make clean-analysis forgets it).
set -eu
results=${1:-results/notebook}
params=${2:+PARAMS=$2}

# Everything, from whatever run folders are in $results/runs.
make analysis R="$results" $params

# Dimensionality from step 300 on, with M = samples / 100 (DPR_SAMPLES
# empty: M from DPR_CORR_STEPS, not estimated): only dpr.csv and the
# figures that use it change.
make analysis R="$results" DPR_SKIP=300 DPR_SAMPLES= DPR_CORR_STEPS=100

# The single-run figures for another run (it must have inputs.npy: see
# INPUT_RUNS in the parameter file).
# make analysis R="$results" FIG_RUN=pqif0.5_vrest-12.3_seed0 FIG_NEURONS="0 5 150"

# Start the analysis from scratch, with the parameter file's options (the
# runs are kept).
# make clean-analysis R="$results"
