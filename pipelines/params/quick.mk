# A small grid for demos and the test-suite: 3 pqif x 2 vrest x 2 seeds
# (vrest does not apply at pqif = 1), so 10 runs of 7 loops of 600 steps
# with N = 100 (4 training loops): the whole pipeline in a few seconds, and
# training still visibly works.

PQIF        := 0 0.5 1
VREST       := -8.5 -17
SEEDS       := 0 1

NEURONS     := 100
DENSITY     := 0.3
GSYN        := 0.5
STEPS       := 600
AMP0        := 4
ROMEGA1     := 1
ROMEGA2     := 5

VT          := 0
DT          := 0.1
TAU_S       := 5
ALPHA       := 0.25
SIGMA       := 1
STIM_STEPS  := 100
STIM_AMP    := 20
LOOPS       := 7
TRAIN_LOOPS := 4
RECORD      := weights,outputs,spikes,dw
FLOAT32     := --float32
INPUT_RUNS  := pqif0.5_vrest-8.5_seed0

DPR_SKIP    := 100
DPR_LOOPS   := 0,5-6
DPR_CORR_STEPS := 50
DPR_SAMPLES :=
FIG_RUN     := pqif0.5_vrest-8.5_seed0
FIG_NEURONS := 0 1 50 51
FIG_VREST   := -8.5
FIG_SEED    := 0
