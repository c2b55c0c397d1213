#!/bin/sh
# dpr on a run-sized activity stack (16, 1000, 200) '<f8' (25.6 MB), reading
# included (target <= 0.2 s), with '<f4', with --spectrum, and NumPy's
# np.cov + MODEL.md's formulas timed in the same run; then 1000 samples of
# 10^5 neurons through the Gram route.  Prints figures only.
set -eu
PY=${PYTHON:-/usr/bin/python3}
T=${BENCH_TMP:-$(mktemp -d)}
REF="${FORCENET_ROOT:-.}/tests/ref/dpr_ref.py"

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

"$PY" -c "
import numpy as np
x = np.random.default_rng(0).standard_normal((16, 1000, 200)).cumsum(axis=1)
np.save('$T/out8.npy', x)
np.save('$T/out4.npy', x.astype(np.float32))
"
for run in 1 2 3; do
	t0=$(now); dpr --skip 200 "$T/out8.npy" > "$T/d.csv"; t1=$(now)
	echo "dpr (16, 1000, 200) '<f8', run $run: $(secs "$t0" "$t1") s (target <= 0.2 s)"
done
t0=$(now); dpr --skip 200 "$T/out4.npy" > /dev/null; t1=$(now)
echo "dpr (16, 1000, 200) '<f4': $(secs "$t0" "$t1") s"
t0=$(now); dpr --skip 200 --spectrum "$T/ev.csv" "$T/out8.npy" > /dev/null; t1=$(now)
echo "dpr (16, 1000, 200) with --spectrum: $(secs "$t0" "$t1") s"
t0=$(now); cat "$T/out8.npy" | dpr --skip 200 - > /dev/null; t1=$(now)
echo "dpr (16, 1000, 200) through a pipe: $(secs "$t0" "$t1") s"
"$PY" - "$T/out8.npy" "$REF" <<'PYEOF'
import importlib.util, sys, time
import numpy as np
spec = importlib.util.spec_from_file_location("dpr_ref", sys.argv[2])
ref = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ref)
t0 = time.perf_counter()
x = np.load(sys.argv[1])
for k in range(x.shape[0]):
    c = np.cov(x[k, 200:].T)
    ref.pr(c), ref.pr_bc(c, c.shape[0], 16.0)
print("NumPy np.cov + MODEL.md formulas, same data: %.3f s" % (time.perf_counter() - t0))
PYEOF
sed -n 2p "$T/d.csv"
rm -f "$T/out8.npy" "$T/out4.npy" "$T/d.csv" "$T/ev.csv"

# The observed neurons of a large run: 1000 samples x 10^5 neurons '<f8'
# (800 MB), activity of rank 50 plus noise, AR(1) in time (rho 0.9).  The
# Gram route (1000 x 1000) is taken: fewer samples than neurons.  With GNU
# time's peak RSS (the activity is centred in place: one copy in memory).
. "${FORCENET_ROOT:-.}/bench/lib/timed.sh"
"$PY" - "$T/wide.npy" <<'PYEOF'
import sys
import numpy as np
m, n, k = 1000, 100000, 50
rng = np.random.default_rng(0)
z = np.empty((m, k))
z[0] = rng.standard_normal(k)
for t in range(1, m):
    z[t] = 0.9 * z[t - 1] + np.sqrt(1 - 0.81) * rng.standard_normal(k)
x = np.lib.format.open_memmap(sys.argv[1], mode="w+", dtype=np.float64, shape=(m, n))
for j in range(0, n, 10000):
    x[:, j:j + 10000] = z @ rng.standard_normal((k, 10000)) + rng.standard_normal((m, 10000))
x.flush()
PYEOF
cat "$T/wide.npy" > /dev/null
for run in 1 2; do
	timed "dpr (1000, 10^5) '<f8' ($(mb "$T/wide.npy") MB), Gram route, run $run (goal <= 10 s)" dpr -q "$T/wide.npy"
done
timed "the same with --samples auto" dpr -q --samples auto "$T/wide.npy"
sed -n 2p "$T/out"
rm -f "$T/wide.npy" "$T/out" "$T/time.txt"
