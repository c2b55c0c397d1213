#!/usr/bin/env bats
# npy-from-csv: CSV to .npy, the other way from npy-cat: shapes and values
# against numpy.loadtxt, round trips through npy-cat, and every error path.

load helpers

@test "npy-from-csv: a numpy.savetxt matrix gives numpy.loadtxt's array, float64 or float32" {
	pyrun '
x = np.random.default_rng(1).standard_normal((7, 5)) * 10.0 ** np.arange(-3, 2)
np.savetxt("m.csv", x, delimiter=",", fmt="%.17g")
'
	npy-from-csv m.csv > m.npy
	npy-from-csv --float32 -o m4.npy < m.csv
	pyrun '
want = np.loadtxt("m.csv", delimiter=",")
a, b = np.load("m.npy"), np.load("m4.npy")
assert a.dtype == np.float64 and a.shape == (7, 5) and np.array_equal(a, want)
assert b.dtype == np.float32 and np.array_equal(b, want.astype(np.float32))
'
	# a header row is skipped
	{ echo "a,b,c,d,e"; cat m.csv; } | npy-from-csv > h.npy
	cmp m.npy h.npy
}

@test "npy-from-csv: --stack reads npy-cat's print of a 3-D array back to the same array; --vector a 1-D one" {
	pyrun '
rng = np.random.default_rng(2)
np.save("s8.npy", rng.standard_normal((4, 6, 3)))
np.save("s4.npy", rng.standard_normal((3, 5, 2)).astype(np.float32))
np.save("v.npy", rng.standard_normal(9))
'
	npy-cat s8.npy | npy-from-csv --stack -o s8b.npy
	npy-cat s4.npy | npy-from-csv --stack --float32 -o s4b.npy
	npy-cat v.npy | npy-from-csv --vector -o vb.npy
	# selected loops: a stack of those
	npy-cat --slices 1,3 s8.npy | npy-from-csv --stack -o two.npy
	pyrun '
for a, b in (("s8", "s8b"), ("s4", "s4b"), ("v", "vb")):
    x, y = np.load(a + ".npy"), np.load(b + ".npy")
    assert x.dtype == y.dtype and x.shape == y.shape and np.array_equal(x, y), a
t = np.load("two.npy")
assert t.shape == (2, 6, 3) and np.array_equal(t, np.load("s8.npy")[[1, 3]])
'
	# npy-cat's print of it is the same text
	[ "$(npy-cat s8b.npy)" = "$(npy-cat s8.npy)" ]
}

