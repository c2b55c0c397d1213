# The sequence study: the network of the notebook trained on a Gaussian bump
# that travels over the neuron index (gen-target --kind sequence, as in the
# study's sequence scripts), at three speeds: omegagauss 0.2, 0.5 and 1
# neurons per step x pqif 0, 0.25, 0.5, 0.75, 1 x vrest -12.3, -17 x seeds
# 0, 1 (vrest does not apply at pqif = 1), so 54 runs of 16 loops of 1000
# steps with N = 200.  omegagauss is a dimension of the grid: one target
# per value (and seed), a first key in run names and tables, and the
# figures of the whole grid once per value (see pipelines/sweep.mk).
# Everything not set here is the notebook's.

include pipelines/params/notebook.mk

# The grid.
PQIF        := 0 0.25 0.5 0.75 1
VREST       := -12.3 -17
SEEDS       := 0 1

# The target: a bump of height AMP0 and width s = SG_INDEX N, rolled by
# floor(omegagauss it) neurons at step it.  The bump draws no random
# numbers: the targets of two seeds are the same.
TARGET_OPTIONS := kind amp0 sg-index
KIND        := sequence
SG_INDEX    := 0.1
TARGET_SWEEP := omegagauss
OMEGAGAUSS  := 0.2 0.5 1

INPUT_RUNS  := omegagauss0.2_pqif0.5_vrest-12.3_seed0

FIG_RUN     := omegagauss0.2_pqif0.5_vrest-12.3_seed0
FIG_NEURONS := 0 50 100 150
