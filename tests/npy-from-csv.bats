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

@test "npy-from-csv: bad input, one line each, and no output left" {
	printf '0,1,2\n0,3,4\n1,5,6\n' > ragged.csv
	assert_fails 1 "npy-from-csv: ragged.csv: --stack: index 1 has 1 row, the first has 2" \
		npy-from-csv --stack -o out.npy ragged.csv
	printf '0.5,1\n0.5,2\n' > frac.csv
	assert_fails 1 "npy-from-csv: frac.csv: --stack: row 1: the index 0.5 is not a whole number >= 0" \
		npy-from-csv --stack -o out.npy frac.csv
	printf '1\n2\n' > one.csv
	assert_fails 1 "npy-from-csv: one.csv: --stack: one column only" npy-from-csv --stack -o out.npy one.csv
	assert_fails 1 "npy-from-csv: frac.csv: --vector: 2 columns, not one" npy-from-csv --vector -o out.npy frac.csv
	printf '1,2\n3\n' > bad.csv
	assert_fails 1 "npy-from-csv: bad.csv: " npy-from-csv -o out.npy bad.csv
	pyrun 'np.save("a.npy", np.zeros((2, 2)))'
	assert_fails 1 "npy-from-csv: a.npy: already a .npy file" npy-from-csv -o out.npy a.npy
	assert_fails 2 "npy-from-csv: --stack and --vector exclude each other" npy-from-csv --stack --vector frac.csv
	assert_fails 2 "npy-from-csv: one FILE at most" npy-from-csv one.csv frac.csv
	rm ragged.csv frac.csv one.csv bad.csv a.npy
	assert_only
}
