# The notebook's study: 5 pqif x 4 vrest x 2 seeds (vrest does not apply at
# pqif = 1), so 34 runs of 16 loops of 1000 steps with N = 200.
# Any variable here can be overridden on the make command line,
# e.g. `make sweep SEEDS="0 1 2"`.

# The grid.
PQIF        := 0 0.25 0.5 0.75 1
VREST       := -8.5 -12.3 -17 -22
SEEDS       := 0 1

# Network and target (init-weights, gen-target), one pair per seed.
# TARGET_OPTIONS are gen-target's options beyond -N, --steps and --seed,
# each valued by the variable of its name in capitals (--amp0: AMP0);
# TARGET_SWEEP may name one more, swept as a dimension of the grid
# (sequences.mk sweeps omegagauss).
NEURONS     := 200
DENSITY     := 0.3
GSYN        := 0.5
STEPS       := 1000
TARGET_OPTIONS := amp0 romega1 romega2
AMP0        := 4
ROMEGA1     := 1
ROMEGA2     := 5

# Dynamics and training (simulate-train).
VT          := 0
DT          := 0.1
TAU_S       := 5
ALPHA       := 0.25
SIGMA       := 1
STIM_STEPS  := 200
STIM_AMP    := 20
LOOPS       := 16
TRAIN_LOOPS := 10
# What every run records; --float32 halves the activity arrays.  Inputs
# (Iext + W r) are recorded only for the runs named in INPUT_RUNS, which
# the target-against-input figure needs: all of them would exceed 1 GB.
RECORD      := weights,outputs,spikes,dw
FLOAT32     := --float32
INPUT_RUNS  := pqif0.5_vrest-12.3_seed0

# Analysis (changing these reruns only the analysis).
# dpr: skip the kick, use loop 0 (before) and the test loops (after);
# M of the bias correction = DPR_SAMPLES (auto: estimated from each loop's
# own autocorrelation, see dpr(1); or a number), or samples /
# DPR_CORR_STEPS when DPR_SAMPLES is empty.
DPR_SKIP    := 200
DPR_LOOPS   := 0,11-15
DPR_CORR_STEPS := 50
DPR_SAMPLES := auto
# The run shown in the single-run figures, and the neurons traced there.
FIG_RUN     := pqif0.5_vrest-12.3_seed0
FIG_NEURONS := 0 1 100 101
# The vrest and seed whose runs the dW-log figure compares across pqif.
FIG_VREST   := -12.3
FIG_SEED    := 0
