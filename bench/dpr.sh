#!/bin/sh
# dpr on a run-sized activity stack (16, 1000, 200) '<f8' (25.6 MB), reading
# included (target <= 0.2 s), with '<f4', with --spectrum, and NumPy's
# np.cov + MODEL.md's formulas timed in the same run.  Prints figures only.
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
