# A small sequence study for the test-suite: omegagauss 0.5, 1 x pqif 0.5, 1
# x vrest -12.3 x seeds 0, 1, so 8 runs of 7 loops of 600 steps with
# N = 100 (4 training loops), as the quick grid.

include pipelines/params/sequences.mk

PQIF        := 0.5 1
VREST       := -12.3
OMEGAGAUSS  := 0.5 1

NEURONS     := 100
STEPS       := 600
STIM_STEPS  := 100
LOOPS       := 7
TRAIN_LOOPS := 4
INPUT_RUNS  := omegagauss0.5_pqif0.5_vrest-12.3_seed0

DPR_SKIP    := 100
DPR_LOOPS   := 0,5-6
FIG_RUN     := omegagauss0.5_pqif0.5_vrest-12.3_seed0
FIG_NEURONS := 0 25 50 75
