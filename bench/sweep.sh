#!/bin/sh
# bench/sweep.sh: figures of the whole pipeline (printed, nothing asserted).
# The notebook's sweep (34 runs of N=200, 16 loops of 1000 steps, tables and
# figures) from nothing with the tools built, its disk use, a second make,
# an analysis-only rerun, the quick demo; and, in the same run, one run of
# the NumPy transcription of MODEL.md (tests/ref/model_ref.py; BENCH_NUMPY=0
# skips it), the reference the sweep's speed is measured against.  The
# machine is shared and noisy: only ratios within one run mean much.
set -u
ROOT=${FORCENET_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
PY=${PYTHON:-/usr/bin/python3}
W=$(mktemp -d "${BENCH_TMP:-/tmp}/sweep.XXXXXX") || exit 1
trap 'rm -rf "$W"' EXIT
R=$W/notebook

mk() { env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -C "$ROOT" --no-print-directory "$@"; }
now() { date +%s.%N; }
since() { echo "$1 $(now)" | awk '{ printf "%.2f", $2 - $1 }'; }

mk all > /dev/null || exit 1
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

t0=$(now)
mk sweep R="$R" > "$W/sweep.log" 2>&1 || { tail "$W/sweep.log"; exit 1; }
sweep_s=$(since "$t0")
runs=$(ls "$R/runs" | wc -l)
mb=$(du -sm "$R" | cut -f1)
echo "make sweep, no results yet:        $sweep_s s wall ($runs runs, 3 tables, $(ls "$R/figures" | wc -l) figures)"
echo "disk use of results/notebook:       $mb MB ($(du -sm "$R/runs" | cut -f1) MB of run folders)"

t0=$(now)
mk sweep R="$R" > "$W/again.log" 2>&1
echo "second make sweep (nothing to do):  $(since "$t0") s"

t0=$(now)
mk sweep R="$R" DPR_SKIP=300 > "$W/opt.log" 2>&1
echo "analysis option changed (DPR_SKIP): $(since "$t0") s, $(grep -c 'simulate-train' "$W/opt.log") simulations rerun"

mk clean-analysis R="$R" > /dev/null 2>&1
t0=$(now)
mk analysis R="$R" > "$W/ana.log" 2>&1
echo "make analysis after clean-analysis: $(since "$t0") s"

t0=$(now)
mk demo R="$W/quick" > "$W/demo.log" 2>&1
echo "make demo (quick grid, 10 runs):    $(since "$t0") s"

# One run alone, the sweep's unit of work.
run=pqif0.5_vrest-12.3_seed0
t0=$(now)
(cd "$R" && "$ROOT/build/bin/simulate-train" -q -o "$W/one" -w inputs/weights_seed0.npy \
  -t inputs/target_seed0.npy --pqif 0.5 --vrest -12.3 --seed 0 \
  --record weights,outputs,spikes,dw --float32)
one_s=$(since "$t0")
echo "one simulate-train run ($run):  $one_s s"

if [ "${BENCH_NUMPY:-1}" != 0 ]; then
	t0=$(now)
	"$PY" "$ROOT/tests/ref/model_ref.py" "$R/inputs/weights_seed0.npy" \
	  "$R/inputs/target_seed0.npy" "$R/runs/$run/kick.npy" "$R/runs/$run/state0.npy" \
	  "$W/numpy" --pqif 0.5 --vrest -12.3 > /dev/null 2>&1 || echo "(the NumPy run failed)"
	np_s=$(since "$t0")
	echo "one run of the NumPy transcription: $np_s s"
	echo "$np_s $sweep_s $one_s $runs" | awk '{
	  printf "ratio whole sweep / one NumPy run: %.2f\n", $2 / $1
	  printf "ratio %d NumPy runs (about %.0f s) / whole sweep: %.0f; one NumPy run / one C run: %.0f\n", $4, $4 * $1, $4 * $1 / $2, $1 / $3 }'
fi
