#!/bin/sh
# The sweep on a Slurm cluster, unchanged: make runs on one node of the
# allocation and puts every simulation on the cluster with srun (LAUNCH);
# the analysis runs where make runs.  Run from the source tree, on a node
# that sees the same file system as the compute nodes.
#
#   examples/slurm-sweep.sh [TASKS]     (default 8)
set -eu
tasks=${1:-8}

# Build first (on the login node), so that no job compiles.
make

# Interactive: an allocation of TASKS CPUs, make -j keeps them busy, and
# each simulation is one exclusive job step of one task.
salloc -n "$tasks" make -j "$tasks" sweep LAUNCH='srun -N1 -n1 --exclusive'

# Or as a batch job (the same command in a script):
#   sbatch -n 8 --wrap "make -j 8 sweep LAUNCH='srun -N1 -n1 --exclusive'"
#
# No cluster at hand?  As root, scripts/slurm-local start sets up one on
# localhost (and scripts/slurm-local stop ends it).
