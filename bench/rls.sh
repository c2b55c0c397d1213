#!/bin/sh
# bench/rls.sh: the RLS step alone, both kernels of libcore/rls (the unit
# microbenchmark build/unit/bench_rls; printed, nothing asserted).  The
# study's network size (N=200, 60 inputs per neuron) at several spike rates
# per neuron and step (0.022 is about the trained network's 22 Hz), and a
# large network (N=2000, p=0.3; BENCH_SCALE=0 skips it).  The kernels
# alternate within one run, best of 3: only their ratio means much on a
# shared machine.
set -u
ROOT=${FORCENET_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
UNIT=${FORCENET_UNIT:-$ROOT/build/unit}

for rate in 0 0.01 0.022 0.05; do
	"$UNIT/bench_rls" 200 0.3 2000 "$rate" 3
done
if [ "${BENCH_SCALE:-1}" != 0 ]; then
	"$UNIT/bench_rls" 2000 0.3 40 0.022 1
fi
