#!/bin/sh
# motifs on a 10,000 x 10,000 '<f8' matrix (800 MB, reading included),
# next to MODEL.md's three-product definition (NumPy matmul = OpenBLAS dgemm)
# timed in the same run.  The three products of a 10,000 matrix cost about
# 6e12 flops (a minute or more on 2 cores): by default they are timed at
# N = 2500 and scaled by (10000/2500)^3 = 64; BENCH_FULL=1 times them at
# N = 10,000.  Then sparse weights in O(nnz): a (16, nnz) run record at
# N = 10^5, and a 10^6-neuron, 10^9-synapse .npz of 12 GB (BENCH_SCALE=0
# leaves the largest out; it needs about 13 GB of memory and 12 GB of disk
# in BENCH_TMP).  Prints figures and peak RSS; asserts nothing.
set -eu
PY=${PYTHON:-/usr/bin/python3}
T=${BENCH_TMP:-$(mktemp -d)}
N=10000
NS=2500

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

"$PY" - "$T/w.npy" "$N" <<'PYEOF'
import sys
import numpy as np
path, n = sys.argv[1], int(sys.argv[2])
w = np.lib.format.open_memmap(path, mode="w+", dtype=np.float64, shape=(n, n))
rng = np.random.default_rng(0)
for i in range(0, n, 1000):
    w[i:i + 1000] = rng.standard_normal((1000, n)) * (rng.random((1000, n)) < 0.3)
w.flush()
PYEOF
"$PY" -c "import numpy as np; np.save('$T/ws.npy', np.load('$T/w.npy', mmap_mode='r')[:$NS, :$NS])"

cat "$T/w.npy" > /dev/null     # page cache warm, as for the first run of a tool
best=
for run in 1 2 3; do
	t0=$(now)
	motifs "$T/w.npy" > "$T/m.csv"
	t1=$(now)
	s=$(secs "$t0" "$t1")
	echo "motifs N=$N, 800 MB .npy, run $run: $s s (reading included)"
	best=$(awk -v a="${best:-1e9}" -v b="$s" 'BEGIN { print (b < a) ? b : a }')
done
t0=$(now); motifs "$T/ws.npy" > /dev/null; t1=$(now)
small=$(secs "$t0" "$t1")
echo "motifs N=$NS: $small s"

three() {
	"$PY" - "$1" <<'PYEOF'
import sys, time
import numpy as np
t0 = time.perf_counter()
w = np.load(sys.argv[1])
w = w - w.mean()
ww, wtw, wwt = w @ w, w.T @ w, w @ w.T
n = w.shape[0]
s = np.trace(wwt) / n
taus = (np.trace(ww) / (s * n), (wwt.sum() - np.trace(wwt)) / (s * n * (n - 1)))
print("%.3f" % (time.perf_counter() - t0))
PYEOF
}
if [ "${BENCH_FULL:-0}" = 1 ]; then
	full=$(three "$T/w.npy")
	echo "three products (NumPy/OpenBLAS) N=$N: $full s (reading included)"
else
	ts=$(three "$T/ws.npy")
	full=$(awk -v t="$ts" 'BEGIN { printf "%.1f", t * 64 }')
	echo "three products (NumPy/OpenBLAS) N=$NS: $ts s, ratio to motifs $(awk -v a="$ts" -v b="$small" 'BEGIN { printf "%.0f", a / b }')x"
	echo "three products N=$N, scaled from N=$NS by 64: ~$full s (BENCH_FULL=1 to time it)"
fi
echo "motifs N=$N best: $best s (target <= 1 s); three products / motifs: $(awk -v a="$full" -v b="$best" 'BEGIN { printf "%.0f", a / b }')x"
head -2 "$T/m.csv" | tail -1 | cut -d, -f3-
rm -f "$T/w.npy" "$T/ws.npy" "$T/m.csv"

# Sparse weights, in O(nnz) (spmotifs.h), with GNU time's peak RSS.
. "${FORCENET_ROOT:-.}/bench/lib/timed.sh"

# A run's sparse weights record of 16 loops at N = 10^5, 100 inputs per
# neuron (nnz = 10^7, every entry plastic): weights.npz, plastic.npy and a
# (16, nnz) weights-values.npy of 1.3 GB, read one loop at a time.
mkdir -p "$T/rec"
init-weights -q -N 100000 -K 100 --threads 2 -o "$T/rec/weights.npz"
"$PY" - "$T/rec" <<'PYEOF'
import sys
import numpy as np
import scipy.sparse as sp
d = sys.argv[1]
w = sp.load_npz(d + "/weights.npz")
np.save(d + "/plastic.npy", np.arange(w.nnz, dtype=np.int64))
v = np.lib.format.open_memmap(d + "/weights-values.npy", mode="w+", dtype=np.float64, shape=(16, w.nnz))
rng = np.random.default_rng(0)
for k in range(16):
    v[k] = w.data * (1 + 0.1 * k) + 0.01 * rng.standard_normal(w.nnz)
v.flush()
PYEOF
cat "$T/rec/weights-values.npy" > /dev/null
timed "motifs on a (16, 10^7) sparse record at N = 10^5 ($(mb "$T/rec/weights-values.npy") MB of values), 1 thread" motifs "$T/rec"
timed "the same, 2 threads" motifs --threads 2 "$T/rec"
echo "$(sed -n 2p "$T/out" | cut -d, -f2-)"
rm -rf "$T/rec"

# 10^6 neurons, 1000 inputs each: 10^9 synapses, a 12 GB .npz (init-weights
# takes about 3 minutes on 2 cores).  BENCH_SCALE=0 leaves it out.
if [ "${BENCH_SCALE:-1}" != 0 ]; then
	timed "init-weights -N 1000000 -K 1000 --threads 2" \
		init-weights -q -N 1000000 -K 1000 --threads 2 -o "$T/big.npz"
	size=$(mb "$T/big.npz")
	cat "$T/big.npz" > /dev/null     # in the page cache
	for th in 1 2; do
		timed "motifs on N = 10^6, nnz = 10^9 ($size MB .npz, in the page cache), $th thread(s)" \
			motifs --threads $th "$T/big.npz"
		echo "  (goal: <= 30 s, peak RSS <= the file's $size MB plus a small factor)"
	done
	echo "$(sed -n 2p "$T/out" | cut -d, -f2-)"
	rm -f "$T/big.npz"
else
	echo "motifs on N = 10^6, nnz = 10^9: left out (BENCH_SCALE=0)"
fi
rm -f "$T/out" "$T/time.txt"
