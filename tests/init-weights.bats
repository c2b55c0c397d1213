#!/usr/bin/env bats
# init-weights: the initial sparse weights, checked with numpy.

load helpers

@test "init-weights: zero diagonal, rows sum to 0, exact non-zero count" {
	for args in "-N 200 -p 0.3 --seed 0" "-N 57 -p 0.11 --seed 5" "-N 10 -p 1 --seed 2" "-N 3 -p 0.5 --seed 1"; do
		init-weights $args -o w.npy
		pyrun '
import re
args = sys.argv[1]
n = int(re.search(r"-N (\d+)", args).group(1)); p = float(re.search(r"-p ([\d.]+)", args).group(1))
w = np.load("w.npy")
assert w.shape == (n, n) and w.dtype == np.float64
assert np.all(np.diag(w) == 0)
assert np.max(np.abs(w.sum(axis=1))) <= 1e-12, np.max(np.abs(w.sum(axis=1)))
# The positions drawn: round(p N^2), of which the diagonal ones were zeroed.
# Rows left with one entry are centred to zero as well (mean of one value).
nz = np.count_nonzero(w)
k = round(p * n * n)
assert nz <= k
drawn_rows = (w != 0).sum(axis=1)
assert nz >= k - n - np.sum(drawn_rows == 0), (nz, k)' "$args"
	done
}

@test "init-weights: exactly round(p N^2) positions minus the diagonal hits" {
	# With the diagonal kept in the count, what is missing from round(p N^2)
	# is the diagonal positions hit, which are at most N and, at p=0.3, about 0.3 N.
	init-weights -N 400 -p 0.3 --seed 11 -o w.npy
	pyrun '
w = np.load("w.npy")
n = 400; k = round(0.3 * n * n)
nz = np.count_nonzero(w)
hits = k - nz
# binomial-like count of diagonal hits: mean p*N = 120, sd about 10; 6 sd
assert abs(hits - 0.3 * n) < 60, hits
# no row is left with a single entry at this density, so nothing else vanished
assert np.all((w != 0).sum(axis=1) > 1)'
}

@test "init-weights: non-zero entries have variance gsyn^2/(pN) (after centring)" {
	init-weights -N 400 -p 0.3 --gsyn 0.5 --seed 1 -o w.npy
	pyrun '
w = np.load("w.npy")
n, p, g = 400, 0.3, 0.5
m = (w != 0).sum(axis=1)
# Centring m normal values removes one degree of freedom: E var = (1-1/m) s^2.
want = g * g / (p * n) * np.mean(1 - 1 / m)
vals = w[w != 0]
got = np.mean(vals ** 2)
# relative standard error of a mean of squares of ~48000 normals is sqrt(2/48000)
# = 0.65%; allow 5 of them
assert abs(got / want - 1) < 5 * np.sqrt(2 / vals.size), (got, want)'
}

@test "init-weights: same seed gives identical bytes, another seed differs" {
	init-weights -N 80 --seed 3 -o a.npy
	init-weights -N 80 --seed 3 -o b.npy
	init-weights -N 80 --seed 4 -o c.npy
	cmp a.npy b.npy
	! cmp -s a.npy c.npy
	# the weights do not depend on the target's options or draws
	init-weights -N 80 --seed 3 > d.npy
	cmp a.npy d.npy
}

@test "init-weights: --float32 and --help" {
	init-weights -N 20 --float32 -o f.npy
	init-weights -N 20 -o d.npy
	pyrun '
f = np.load("f.npy"); d = np.load("d.npy")
assert f.dtype == np.float32 and np.array_equal(f, d.astype(np.float32))'
	run init-weights --help
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "Usage: init-weights"* ]]
}

@test "init-weights: bad options are usage errors (exit 2) and leave no file" {
	assert_fails 2 "init-weights: -p: 0 is out of range (0, 1]" init-weights -p 0 -o w.npy
	assert_fails 2 "init-weights: -p: 1.5 is out of range [0, 1]" init-weights -p 1.5 -o w.npy
	assert_fails 2 "init-weights: -p: -0.1 is out of range [0, 1]" init-weights -p -0.1 -o w.npy
	assert_fails 2 "init-weights: -p: 'x' is not a number" init-weights -p x -o w.npy
	assert_fails 2 "init-weights: -N: 0 is out of range [1, 2147483647]" init-weights -N 0 -o w.npy
	assert_fails 2 "init-weights: -p: N = 100000 is too large to draw round(p N^2) positions (at most 30000): use -K for large networks" init-weights -N 100000 -o w.npy
	assert_fails 2 "init-weights: -p: N = 100000 is too large to draw round(p N^2) positions" init-weights -N 100000 -p 0.001 -o w.npz
	assert_fails 2 "init-weights: -N: '1O' is not a whole number" init-weights -N 1O -o w.npy
	assert_fails 2 "init-weights: --gsyn: 'big' is not a number" init-weights --gsyn big -o w.npy
	assert_fails 2 "init-weights: unrecognized option '--sparsity'" init-weights --sparsity 3 -o w.npy
	assert_fails 2 "init-weights: option requires an argument -- 'o'" init-weights -o
	assert_only
}

@test "init-weights: an unwritable output is an error and leaves nothing behind" {
	touch plain
	assert_fails 1 "init-weights: plain/w.npy: cannot create: Not a directory" init-weights -o plain/w.npy
	assert_only plain
}

@test "init-weights: refuses to write binary to a terminal" {
	command -v script >/dev/null || skip "no script(1) to make a terminal"
	script -qec true /dev/null >/dev/null 2>&1 || skip "script(1) cannot open a pseudo-terminal here"
	run script -qec "init-weights -N 4" /dev/null
	[ "$status" -ne 0 ]
	[[ "$output" == *"init-weights: refusing to write a binary array to a terminal"* ]]
}

# The matrix of a .npz as SciPy loads it, checked for what -K promises.
KCHECK='
import scipy.sparse as sp
def kcheck(path, n, k):
    m = sp.load_npz(path)
    assert m.format == "csr" and m.shape == (n, n) and m.dtype == np.float64
    assert m.has_sorted_indices and m.nnz == n * k, m.nnz
    w = m.toarray()
    assert np.all((w != 0).sum(axis=1) == k), "a row without exactly K non-zeros"
    assert np.all(np.diag(w) == 0)
    assert np.max(np.abs(w.sum(axis=1))) <= 1e-12, np.max(np.abs(w.sum(axis=1)))
    return m
'

@test "init-weights -K: every row exactly K non-zeros, none on the diagonal, rows sum to 0" {
	for args in "-N 200 -K 60 --seed 0" "-N 57 -K 2 --seed 5" "-N 10 -K 9 --seed 2" "-N 3 -K 2 --seed 1" "-N 1000 -K 999 --seed 3" "-N 5000 -K 7 --seed 9"; do
		init-weights $args -o w.npz
		pyrun "$KCHECK"'
import re
a = sys.argv[1]
n = int(re.search(r"-N (\d+)", a).group(1)); k = int(re.search(r"-K (\d+)", a).group(1))
kcheck("w.npz", n, k)' "$args"
	done
}

@test "init-weights -K: values have variance gsyn^2/K (after centring)" {
	init-weights -N 2000 -K 50 --gsyn 0.7 --seed 4 -o w.npz
	pyrun '
import scipy.sparse as sp
m = sp.load_npz("w.npz")
n, k, g = 2000, 50, 0.7
# centring K normal values removes one degree of freedom: E v^2 = (1 - 1/K) g^2/K
want = g * g / k * (1 - 1 / k)
got = np.mean(m.data ** 2)
# relative s.e. of a mean of squares of n K normals is sqrt(2/(n K)) = 0.45%; 5 of them
assert abs(got / want - 1) < 5 * np.sqrt(2 / (n * k)), (got, want)
# and the values are normal: kurtosis 3 (s.e. sqrt(24/(n K)) = 2.2%; 5 of them)
kurt = np.mean(m.data ** 4) / np.mean(m.data ** 2) ** 2
assert abs(kurt - 3) < 5 * 3 * np.sqrt(24 / (n * k)), kurt'
}

@test "init-weights -K: inputs are drawn uniformly among the other neurons" {
	# 40 seeds of N = 100, K = 10: each of the N - 1 other neurons is an input
	# with probability K/(N-1), whatever its distance to the row (an error in
	# skipping the diagonal or a bias of the draw shows up in the offsets):
	# chi-square tests, p > 1e-4; pairs within 5 standard deviations.
	for s in $(seq 1 40); do init-weights -N 100 -K 10 --seed $s -o w$s.npz; done
	pyrun '
import scipy.sparse as sp, scipy.stats as st
n, k = 100, 10
off = np.zeros(n, dtype=np.int64); col = np.zeros(n, dtype=np.int64)
near = far = 0
for s in range(1, 41):
    m = sp.load_npz("w%d.npz" % s)
    c = m.tocoo()
    off += np.bincount((c.col - c.row) % n, minlength=n)
    col += np.bincount(c.col, minlength=n)
    # the joint law: two given others of a row are both inputs with
    # probability K(K-1)/((N-1)(N-2)), neighbours or not
    for i in range(n):
        o = set((m[i].indices - i) % n)
        near += 1 in o and 2 in o
        far += 1 in o and 50 in o
assert off[0] == 0
p_off = st.chisquare(off[1:]).pvalue
p_col = st.chisquare(col).pvalue
assert p_off > 1e-4 and p_col > 1e-4, (p_off, p_col)
rows = 40 * n; q = k * (k - 1) / ((n - 1) * (n - 2))
sd = np.sqrt(rows * q * (1 - q))
assert abs(near - rows * q) < 5 * sd and abs(far - rows * q) < 5 * sd, (near, far, rows * q)'
}

@test "init-weights -K: the same bytes for any thread count; .npy and .npz hold the same matrix" {
	init-weights -N 3000 -K 40 --seed 8 -o a.npz
	init-weights -N 3000 -K 40 --seed 8 --threads 2 -o b.npz
	OMP_NUM_THREADS=3 init-weights -N 3000 -K 40 --seed 8 --threads 3 -o c.npz
	cmp a.npz b.npz
	cmp a.npz c.npz
	init-weights -N 3000 -K 40 --seed 9 -o d.npz
	! cmp -s a.npz d.npz
	init-weights -N 300 -K 40 --seed 8 -o e.npz
	init-weights -N 300 -K 40 --seed 8 -o e.npy
	init-weights -N 300 -K 40 --seed 8 --format npy -o e.bin
	init-weights -N 300 -K 40 --seed 8 --format npz -o f.bin
	cmp e.npy e.bin
	cmp e.npz f.bin
	pyrun '
import scipy.sparse as sp
assert np.array_equal(sp.load_npz("e.npz").toarray(), np.load("e.npy"))'
}

@test "init-weights -p: the .npz holds the dense .npy matrix, structure and values" {
	for args in "-N 200 -p 0.3 --seed 0" "-N 57 -p 0.11 --seed 5" "-N 10 -p 1 --seed 2" "-N 3 -p 0.5 --seed 1" "-N 1 --seed 4" "-N 700 -p 0.02 --seed 6"; do
		init-weights $args -o w.npy
		init-weights $args -o w.npz
		pyrun '
import scipy.sparse as sp
m = sp.load_npz("w.npz"); d = np.load("w.npy")
assert m.has_sorted_indices
assert np.array_equal(m.toarray(), d)
# no stored zeros: the same connections as the dense matrix
assert m.nnz == np.count_nonzero(d), (m.nnz, np.count_nonzero(d))'
	done
}

@test "init-weights: -K and .npz usage errors (exit 2) leave no file" {
	assert_fails 2 "init-weights: -K: 0 is out of range [1, 2147483647]" init-weights -N 10 -K 0 -o w.npz
	assert_fails 2 "init-weights: -K: 1 input per neuron is centred to 0: K must be at least 2" init-weights -N 10 -K 1 -o w.npz
	assert_fails 2 "init-weights: -K: 10 must be less than N = 10" init-weights -N 10 -K 10 -o w.npz
	assert_fails 2 "init-weights: -K: 11 must be less than N = 10" init-weights -N 10 -K 11 -o w.npy
	assert_fails 2 "init-weights: -p and -K exclude each other: give one" init-weights -N 10 -K 3 -p 0.3 -o w.npz
	assert_fails 2 "init-weights: -N: 40000 is too large for a dense .npy (at most 30000): write a .npz" init-weights -N 40000 -K 3 -o w.npy
	assert_fails 2 "init-weights: --format: 'csr' is neither npy nor npz" init-weights --format csr -o w.npz
	assert_fails 2 "init-weights: a .npz cannot go to standard output: give -o FILE.npz" init-weights -N 10 -K 3 --format npz
	assert_fails 2 "init-weights: --float32: for .npy only (a .npz holds float64)" init-weights -N 10 -K 3 --float32 -o w.npz
	assert_fails 2 "init-weights: --threads: 0 is out of range [1, 1024]" init-weights -N 10 -K 3 --threads 0 -o w.npz
	assert_only
}

@test "init-weights: an unwritable .npz is an error and leaves nothing behind" {
	touch plain
	assert_fails 1 "init-weights: plain/w.npz: cannot create: Not a directory" init-weights -N 20 -K 3 -o plain/w.npz
	assert_only plain
}
