#!/bin/sh
# bench/simulate-train.sh: performance figures of simulate-train (printed,
# nothing asserted).  On the notebook's default network (N=200, p=0.3, about
# 60 inputs per neuron, 16 loops of 1000 steps, 10 of them trained): time
# per training step and per free step (as the tool reports them), whole-run
# time, disk use and peak memory, training quality for LIF, mixed and QIF
# networks, with both RLS kernels (--rls spike, the default, and direct);
# the NumPy transcription of MODEL.md timed in the same run; and a large
# network (N=2000, p=0.3; BENCH_SCALE=0 skips it).
# The machine is shared and noisy: each figure is the best of REPS runs, and
# only ratios within one run mean much.
set -u
ROOT=${FORCENET_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
PY=${PYTHON:-/usr/bin/python3}
REPS=${BENCH_REPS:-3}
W=$(mktemp -d "${BENCH_TMP:-/tmp}/simulate-train.XXXXXX") || exit 1
trap 'rm -rf "$W"' EXIT
cd "$W" || exit 1
export PATH="$ROOT/build/bin:$PATH"

now() { date +%s.%N; }

# run_once NAME ARGS...: one run of simulate-train into NAME; prints
# "wall train_us free_us rls_us peak_kb"
run_once() {
	name=$1
	shift
	rm -rf "$name"
	t0=$(now)
	/usr/bin/time -f "peak %M" simulate-train -w w.npy -t t.npy -o "$name" "$@" \
		2>"$name.err" || { cat "$name.err" >&2; return 1; }
	t1=$(now)
	line=$(echo "$t0 $t1" | awk '{ printf "%.3f", $2 - $1 }')
	tr=$(sed -n 's/.*s; \([0-9.]*\) us per training step (RLS update \([0-9.]*\), [a-z]* kernel[^)]*), \([0-9.]*\) us per free step.*/\1 \3 \2/p' "$name.err")
	pk=$(sed -n 's/^peak \([0-9]*\)/\1/p' "$name.err")
	echo "$line $tr $pk"
}

# faster A B: the one of two result lines with the smaller first field
faster() {
	printf '%s\n%s\n' "$1" "$2" | awk 'NF == 5' | sort -n | head -1
}

# run_best NAME ARGS...: REPS runs into NAME; the fastest run's line
run_best() {
	best=""
	i=0
	while [ "$i" -lt "$REPS" ]; do
		best=$(faster "$best" "$(run_once "$@")")
		i=$((i + 1))
	done
	echo "$best"
}

# run_kernels NAME ARGS...: REPS runs of each RLS kernel, alternating (so
# that both see the same machine), into NAME (spike) and NAME.direct;
# sets best_spike and best_direct
run_kernels() {
	name=$1
	shift
	best_spike=""
	best_direct=""
	i=0
	while [ "$i" -lt "$REPS" ]; do
		best_spike=$(faster "$best_spike" "$(run_once "$name" "$@" --rls spike)")
		best_direct=$(faster "$best_direct" "$(run_once "$name.direct" "$@" --rls direct)")
		i=$((i + 1))
	done
}

# quality SUMMARY: pre mse, mean test mse, ratio
quality() {
	"$PY" -c '
import sys, numpy as np
s = np.genfromtxt(sys.argv[1], delimiter=",", names=True, dtype=None, encoding=None)
pre = s["mse_all"][s["phase"] == "pre"][0]
test = s["mse_all"][s["phase"] == "test"]
print("pre %.3g  test mean %.3g (worst %.3g)  ratio %.0fx (worst %.0fx)"
      % (pre, test.mean(), test.max(), pre / test.mean(), pre / test.max()))
' "$1"
}

init-weights -N 200 -p 0.3 --seed 1 -o w.npy
gen-target -N 200 --seed 1 -o t.npy
"$PY" -c '
import numpy as np
w = np.load("w.npy"); m = (w != 0).sum(axis=1)
print("network: N=200 p=0.3, inputs per neuron %.1f (min %d, max %d); 16 loops x 1000 steps, 10 trained, 7990 training steps"
      % (m.mean(), m.min(), m.max()))'
echo "simulate-train, one thread, default recording (best of $REPS):"
printf '  %-28s %8s %10s %10s %10s %9s %8s\n' run "wall s" "us/train" "(in RLS)" "us/free" "peak MB" "disk MB"
for pq in 0 0.5 1; do
	run_kernels "run$pq" --pqif "$pq" --seed 1
	for k in spike direct; do
		name=run$pq
		[ "$k" = spike ] || name=run$pq.direct
		eval "set -- \$best_$k"
		eval "rls_$k=$4"
		disk=$(du -sk "$name" | awk '{ printf "%.1f", $1 * 1024 / 1e6 }')
		printf '  %-28s %8s %10s %10s %10s %9.1f %8s\n' "pqif=$pq --rls $k" "$1" "$2" "$4" "$3" "$(echo "$5" | awk '{ print $1 * 1024 / 1e6 }')" "$disk"
	done
	echo "$rls_spike $rls_direct" | awk '{ printf "  %-28s RLS update: spike/direct = %.2f\n", "", $1 / $2 }'
done
set -- $(run_best f32 --pqif 0.5 --seed 1 --float32)
printf '  %-28s %8s %10s %10s %10s %9.1f %8s\n' "pqif=0.5 --float32" "$1" "$2" "$4" "$3" "$(echo "$5" | awk '{ print $1 * 1024 / 1e6 }')" "$(du -sk f32 | awk '{ printf "%.1f", $1 * 1024 / 1e6 }')"
set -- $(run_best none --pqif 0.5 --seed 1 --record none)
printf '  %-28s %8s %10s %10s %10s %9.1f %8s\n' "pqif=0.5 --record none" "$1" "$2" "$4" "$3" "$(echo "$5" | awk '{ print $1 * 1024 / 1e6 }')" "$(du -sk none | awk '{ printf "%.1f", $1 * 1024 / 1e6 }')"
set -- $(run_best thr2 --pqif 0.5 --seed 1 --threads 2)
printf '  %-28s %8s %10s %10s %10s %9.1f %8s\n' "pqif=0.5 --threads 2" "$1" "$2" "$4" "$3" "$(echo "$5" | awk '{ print $1 * 1024 / 1e6 }')" "$(du -sk thr2 | awk '{ printf "%.1f", $1 * 1024 / 1e6 }')"
if cmp -s run0.5/outputs.npy thr2/outputs.npy && cmp -s run0.5/weights.npy thr2/weights.npy; then
	echo "  1 and 2 threads: identical bytes"
else
	echo "  1 and 2 threads: DIFFERENT bytes"
fi
echo "training quality on the full configuration (mse over it > stim, all neurons):"
for pq in 0 0.5 1; do
	printf '  pqif=%-4s %s\n' "$pq" "$(quality "run$pq/summary.csv")"
done

# The NumPy transcription, on the same network, kick and state, no noise:
# 2 loops (1000 free steps + 799 training steps); C on the same problem.
rm -rf c2
simulate-train -q -w w.npy -t t.npy -o c2 --pqif 0.5 --seed 1 --sigma 0 --loops 2 \
	--train-loops 1 --record none
t0=$(now)
"$PY" "$ROOT/tests/ref/model_ref.py" w.npy t.npy c2/kick.npy c2/state0.npy ref \
	--pqif 0.5 --loops 2 --train-loops 1
t1=$(now)
run_kernels c2b --pqif 0.5 --seed 1 --sigma 0 --loops 2 --train-loops 1 \
	--kick c2/kick.npy --state c2/state0.npy
set -- $best_direct
direct="$1 $2 $3"
set -- $best_spike
"$PY" -c '
import sys
d = dict(l.split() for l in open("ref/timing.txt"))
tr, n, tot = float(d["train_seconds"]), int(d["train_steps"]), float(d["seconds"])
free = (tot - tr) / (2000 - n)
print("NumPy transcription (2 loops, 799 training steps, same network; C alongside):")
print("  numpy:      %.2f s total, %.0f us per training step, %.0f us per free step"
      % (tot, 1e6 * tr / n, 1e6 * free))
for name, a in (("C spike", sys.argv[1:4]), ("C direct", sys.argv[4:7])):
    c_wall, c_tr, c_free = map(float, a)
    print("  %-10s  %.3f s total, %.1f us per training step, %.1f us per free step;"
          " %.0fx faster per training step, %.0fx per free step"
          % (name + ":", c_wall, c_tr, c_free, 1e6 * tr / n / c_tr, 1e6 * free / c_free))
' "$1" "$2" "$3" $direct

if [ "${BENCH_SCALE:-1}" != 0 ]; then
	# N = 2000, p = 0.3: about 600 inputs per neuron, P ~ 2.9 GB.
	init-weights -N 2000 -p 0.3 --seed 1 -o w.npy
	gen-target -N 2000 --steps 100 --seed 1 -o t.npy
	echo "scale: N=2000 p=0.3, 2 loops of 100 steps (kick 20), 79 training steps:"
	REPS=1
	for run in "1 spike" "1 direct" "2 spike"; do
		set -- $run
		th=$1 k=$2
		set -- $(run_best big --pqif 0.5 --seed 1 --loops 2 --train-loops 1 \
			--stim-steps 20 --threads "$th" --rls "$k")
		printf '  threads=%s --rls %-6s: %s s wall, %.1f ms per training step (RLS update %.1f), %.2f ms per free step, peak %.2f GB\n' \
			"$th" "$k" "$1" "$(echo "$2" | awk '{ print $1 / 1000 }')" "$(echo "$4" | awk '{ print $1 / 1000 }')" \
			"$(echo "$3" | awk '{ print $1 / 1000 }')" "$(echo "$5" | awk '{ print $1 * 1024 / 1e9 }')"
		rm -rf big
	done
	"$PY" -c '
import numpy as np
m = (np.load("w.npy") != 0).sum(axis=1); mp = (m + 3) // 4 * 4
p = sum(4 * (q - 4 * b) for q in mp for b in range(q // 4)) * 8
print("  RLS matrices (block-packed P): %.2f GB; weights %.2f GB" % (p / 1e9, 8 * 2000**2 / 1e9))'
fi
