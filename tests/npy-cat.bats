#!/usr/bin/env bats
# npy-cat: .npy as CSV (exact round trip), --info, errors.

load helpers

@test "npy-cat: --help and --version" {
	run npy-cat --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"Usage: npy-cat"* ]]
	run npy-cat --version
	[ "$status" -eq 0 ]
	[[ "$output" == "npy-cat (forcenet) "* ]]
}

@test "npy-cat: --info prints dtype and shape as numpy does" {
	pyrun '
np.save("a.npy", np.zeros((16, 1000, 200)))
np.save("b.npy", np.zeros((3, 4), dtype=np.float32))
np.save("c.npy", np.zeros(5))
'
	[ "$(npy-cat --info a.npy)" = "float64 (16, 1000, 200)" ]
	[ "$(npy-cat --info < b.npy)" = "float32 (3, 4)" ]
	[ "$(npy-cat --info c.npy)" = "float64 (5,)" ]
	run npy-cat --info a.npy b.npy
	[ "${lines[0]}" = "a.npy: float64 (16, 1000, 200)" ]
	[ "${lines[1]}" = "b.npy: float32 (3, 4)" ]
}

@test "npy-cat: --info describes a sparse .npz; printing one is an error" {
	init-weights -N 50 -K 4 -o k.npz
	pyrun '
import scipy.sparse as sp
m = sp.load_npz("k.npz").astype(np.float32)
m.indices = m.indices.astype(np.int64); m.indptr = m.indptr.astype(np.int64)
sp.save_npz("s.npz", m)'
	[ "$(npy-cat --info k.npz)" = "csr float64 (50, 50), nnz 200, int32 indices" ]
	run npy-cat --info k.npz s.npz
	[ "${lines[1]}" = "s.npz: csr float32 (50, 50), nnz 200, int64 indices" ]
	assert_fails 1 "npy-cat: k.npz: a sparse .npz: npy-cat describes it (--info) but prints only .npy" npy-cat -o out.csv k.npz
	[ ! -e out.csv ]
}

@test "npy-cat: 2-D and 1-D arrays read back exactly" {
	pyrun '
rng = np.random.default_rng(1)
np.save("m.npy", np.concatenate([rng.standard_normal((7, 5)) * 10.0 ** rng.integers(-300, 300, (7, 5)), [[0.1, -0.0, 1e-320, 2.0, 1.0 / 3]]]))
np.save("v.npy", np.array([0.1, 2.0, -3.5]))
'
	npy-cat m.npy > m.csv
	[ "$(npy-cat v.npy | tr '\n' ' ')" = "0.1 2 -3.5 " ]
	pyrun '
a = np.load("m.npy"); b = np.loadtxt("m.csv", delimiter=",")
assert a.shape == b.shape and (a == b).all(), (a, b)
'
}

@test "npy-cat: a 3-D array prints its first index as a leading column; '<f4' shortest digits" {
	pyrun '
rng = np.random.default_rng(2)
np.save("s.npy", rng.standard_normal((3, 4, 2)).astype(np.float32))
np.save("t.npy", np.array([[[0.1, 0.25]]], dtype=np.float32))
'
	npy-cat s.npy > s.csv
	[ "$(wc -l < s.csv)" -eq 12 ]
	[ "$(cut -d, -f1 s.csv | tr '\n' ' ')" = "0 0 0 0 1 1 1 1 2 2 2 2 " ]
	[ "$(npy-cat t.npy)" = "0,0.1,0.25" ]
	pyrun '
s = np.load("s.npy"); t = np.loadtxt("s.csv", delimiter=",", dtype=np.float64)
assert (t[:, 1:].astype(np.float32).reshape(s.shape) == s).all()
'
	cat s.npy | npy-cat - > pipe.csv
	cmp s.csv pipe.csv
	npy-cat -o out.csv s.npy
	cmp s.csv out.csv
}

@test "npy-cat: --columns and --slices select what NumPy's indexing selects" {
	pyrun '
rng = np.random.default_rng(5)
np.save("s.npy", rng.standard_normal((6, 5, 7)))
np.save("m.npy", rng.standard_normal((9, 4)).astype(np.float32))
np.save("v.npy", rng.standard_normal(8))
'
	npy-cat --slices 4,1,4 --columns 6,0,3 s.npy > s.csv
	npy-cat --slices 2,7 --columns 3,3 m.npy > m.csv
	npy-cat --columns 5,2 v.npy > v.csv
	npy-cat --slices 3 s.npy > all.csv
	pyrun '
s = np.load("s.npy"); t = np.loadtxt("s.csv", delimiter=",")
# the file order of the slices, each once; the columns in the order given
want = np.concatenate([s[k][:, [6, 0, 3]] for k in (1, 4)])
assert (t[:, 0] == [1] * 5 + [4] * 5).all(), t[:, 0]
assert (t[:, 1:] == want).all()
m = np.load("m.npy"); t = np.loadtxt("m.csv", delimiter=",").astype(np.float32)
assert (t == m[[2, 7]][:, [3, 3]]).all()
v = np.load("v.npy"); assert (np.loadtxt("v.csv") == v[[5, 2]]).all()
t = np.loadtxt("all.csv", delimiter=","); assert (t[:, 1:] == s[3]).all() and (t[:, 0] == 3).all()
'
}

@test "npy-cat: --columns and --slices out of range or malformed" {
	pyrun '
np.save("s.npy", np.zeros((2, 3, 4)))
np.save("v.npy", np.zeros(3))
'
	assert_fails 1 "npy-cat: s.npy: --columns: index 4 is out of range (the last dimension is 4)" \
		npy-cat --columns 0,4 s.npy
	assert_fails 1 "npy-cat: s.npy: --slices: index 2 is out of range (the first dimension is 2)" \
		npy-cat --slices 2 s.npy
	assert_fails 1 "npy-cat: v.npy: --slices: the array is 1-D" npy-cat --slices 0 v.npy
	assert_fails 2 "npy-cat: --columns: '1,,2' is not a comma-separated list of indices" \
		npy-cat --columns 1,,2 s.npy
	assert_fails 2 "npy-cat: --slices: -1 is out of range [0, 2147483647]" npy-cat --slices -1 s.npy
	npy-cat -o out.csv --columns 9 s.npy || true
	[ ! -e out.csv ]
}

@test "npy-cat: errors" {
	printf 'not an array\n' > bad.npy
	pyrun '
np.save("full.npy", np.zeros((10, 10)))
np.save("i.npy", np.zeros(3, dtype=np.int32))
'
	head -c 200 full.npy > trunc.npy
	assert_fails 1 "npy-cat: bad.npy: not a .npy file (bad magic)" npy-cat bad.npy
	assert_fails 1 "npy-cat: trunc.npy: truncated" npy-cat trunc.npy
	assert_fails 1 "npy-cat: i.npy: unsupported dtype '<i4'" npy-cat i.npy
	assert_fails 1 "npy-cat: nope.npy: cannot open" npy-cat nope.npy
	assert_fails 1 "npy-cat: trunc.npy: truncated" npy-cat -o out.csv trunc.npy
	[ ! -e out.csv ]
	assert_fails 2 "npy-cat: unrecognized option '--bogus'" npy-cat --bogus
}

@test "npy-cat: man page passes mandoc -Tlint and groff -ww" {
	run mandoc -Tlint -W warning "$ROOT/man/man1/npy-cat.1"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run groff -ww -z -man "$ROOT/man/man1/npy-cat.1"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}
