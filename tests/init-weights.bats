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
	assert_fails 2 "init-weights: -N: 0 is out of range [1, 30000]" init-weights -N 0 -o w.npy
	assert_fails 2 "init-weights: -N: 100000 is out of range [1, 30000]" init-weights -N 100000 -o w.npy
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
