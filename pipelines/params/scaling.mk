# The study against network size: N = 200, 1000, 5000, 20000 x pqif 0,
# 0.5, 1 x vrest -12.3 x seeds 0, 1 (vrest does not apply at pqif = 1), so
# 24 runs of 16 loops of 1000 steps.  Every size and seed has its own
# sparse network at the notebook's in-degree (p N = 0.3 x 200 = 60 inputs
# per neuron: init-weights -K 60) and its own target; the runs record
# their weights sparse (at loop 0 and the last loop) and the activity of
# 200 neurons evenly spread, which dpr reads (its N column: 200, the
# neurons column: the network's).  The figures of the whole grid are drawn
# once per size, and figures/scaling.png shows the motifs and PR, PR_bc
# against N (see pipelines/sweep.mk).  Everything not set here is the
# notebook's.

include pipelines/params/notebook.mk

# The grid.
SIZES       := 200 1000 5000 20000
PQIF        := 0 0.5 1
VREST       := -12.3
SEEDS       := 0 1

# The networks: INDEGREE inputs per neuron at every size.
INDEGREE    := 60

# More options of every simulate-train: the neurons observed, the loops
# whose weights are recorded (before and after training).
SIM_OPTIONS := --observe 200 --record-loops 0,last
# No single-run figures: those read a run's dense weights.
INPUT_RUNS  :=
FIG_RUN     :=
