# A small grid against network size for the test-suite: N = 60, 120 x
# pqif 0, 1 x seed 0, so 4 runs of 4 loops of 300 steps (2 training
# loops), in-degree 20, 40 neurons observed.

include pipelines/params/scaling.mk

SIZES       := 60 120
PQIF        := 0 1
SEEDS       := 0
INDEGREE    := 20
STEPS       := 300
STIM_STEPS  := 50
LOOPS       := 4
TRAIN_LOOPS := 2
SIM_OPTIONS := --observe 40 --record-loops 0,last

DPR_SKIP    := 50
DPR_LOOPS   := 0,3
