#!/usr/bin/env bats
# npy-cat on bad input: one line "npy-cat: FILE: problem", status 1 (2 for
# usage), and with -o the folder as it was (assert_bad).

load helpers
load bad-inputs

@test "npy-cat: bad files: magic, dtype, truncation, ranges" {
	pyrun '
np.save("s.npy", np.zeros((2, 3, 4)))
np.save("v.npy", np.zeros(4))
np.save("i.npy", np.zeros(3, dtype="<i4"))
raw = open("s.npy", "rb").read()
open("trunc.npy", "wb").write(raw[:-9])
open("bad.npy", "wb").write(b"\x93NUMPX" + raw[6:])'
	assert_bad 1 "npy-cat: bad.npy: not a .npy file (bad magic)" npy-cat -o o.csv bad.npy
	assert_bad 1 "npy-cat: trunc.npy: truncated: shape needs 24 values, file holds 22" \
		npy-cat -o o.csv trunc.npy
	assert_bad 1 "npy-cat: i.npy: unsupported dtype '<i4'" npy-cat -o o.csv i.npy
	assert_bad 1 "npy-cat: nope.npy: cannot open" npy-cat -o o.csv nope.npy
	assert_bad 1 "npy-cat: s.npy: --columns: index 4 is out of range" npy-cat -o o.csv --columns 4 s.npy
	assert_bad 1 "npy-cat: v.npy: --slices: the array is 1-D" npy-cat -o o.csv --slices 0 v.npy
	assert_bad 1 "npy-cat: -: empty file" npy-cat -o o.csv - < /dev/null
	assert_bad 2 "npy-cat: unrecognized option '--bogus'" npy-cat --bogus
}

@test "npy-cat: a shape whose byte size reaches 2^63 is truncated, with --info too" {
	npy_claim big.npy "(1073741824, 1073741824)" 1
	assert_bad 1 "npy-cat: big.npy: truncated: shape needs 1152921504606846976 values, file holds 1" \
		npy-cat --info big.npy
	assert_bad 1 "npy-cat: big.npy: truncated: shape needs 1152921504606846976 values" \
		npy-cat -o o.csv big.npy
	# a stream: what is allocated for its claim is one row, named with the input
	npy_claim row.npy "(2, 288230376151711744)" 1
	assert_bad 1 "npy-cat: -: out of memory" npy-cat -o o.csv - < <(cat row.npy)
}

@test "npy-cat: a short stream is truncated, not empty" {
	pyrun 'np.save("s.npy", np.zeros((2, 3)))'
	assert_bad 1 "npy-cat: -: truncated header" npy-cat -o o.csv - < <(head -c 5 s.npy)
	assert_bad 1 "npy-cat: -: truncated header" npy-cat -o o.csv - < <(head -c 60 s.npy)
	assert_bad 1 "npy-cat: -: truncated: shape needs 6 values, file holds 2" \
		npy-cat -o o.csv - < <(head -c 150 s.npy)
}

@test "npy-cat: closed stdin is not its own output; Fortran order is read in C order" {
	assert_bad 1 "npy-cat: -: read error: Bad file descriptor" sh -c 'exec npy-cat -o out.csv <&-'
	pyrun '
a = np.arange(24.0).reshape(2, 3, 4)
np.save("c.npy", a)
np.save("f.npy", np.asfortranarray(a))
np.save("t.npy", np.arange(12, dtype="<f4").reshape(3, 4).T)
np.save("tc.npy", np.ascontiguousarray(np.arange(12, dtype="<f4").reshape(3, 4).T))'
	npy-cat c.npy > c.csv
	npy-cat f.npy | cmp - c.csv
	npy-cat - < f.npy | cmp - c.csv
	npy-cat --slices 1 --columns 3,0 f.npy | cmp - <(npy-cat --slices 1 --columns 3,0 c.npy)
	npy-cat t.npy | cmp - <(npy-cat tc.npy)
	[ "$(npy-cat --info f.npy)" = "float64 (2, 3, 4)" ]
}
