# A small grid for demos and the test-suite: 3 pqif x 2 vrest x 2 seeds
# (vrest does not apply at pqif = 1), so 10 runs of 7 loops of 600 steps
# with N = 100 (4 training loops): the whole pipeline in a few seconds, and
# training still visibly works.  Everything not set here is the notebook's.

include pipelines/params/notebook.mk

PQIF        := 0 0.5 1
VREST       := -8.5 -17

NEURONS     := 100
STEPS       := 600
STIM_STEPS  := 100
LOOPS       := 7
TRAIN_LOOPS := 4
INPUT_RUNS  := pqif0.5_vrest-8.5_seed0

DPR_SKIP    := 100
DPR_LOOPS   := 0,5-6
FIG_RUN     := pqif0.5_vrest-8.5_seed0
FIG_NEURONS := 0 1 50 51
FIG_VREST   := -8.5
