#!/usr/bin/env bats
# dpr on bad input: every refusal is one line "dpr: FILE: problem", status
# 1 (2 for usage), and leaves the folder as it was (assert_bad): neither
# the table nor the spectrum.

load helpers
load bad-inputs

@test "dpr: bad files: shapes, values, samples, formats, CSV faults" {
	pyrun '
rng = np.random.default_rng(8)
np.save("one.npy", rng.standard_normal((100, 1)))
a = rng.standard_normal((2, 100, 5)); a[1, 7, 3] = np.inf
np.save("inf.npy", a)
b = rng.standard_normal((100, 5)); b[0, 0] = np.nan
np.save("nan.npy", b)
c = rng.standard_normal((3, 100, 5)); c[2] = 1.25
np.save("flat.npy", c)
np.save("short.npy", rng.standard_normal((60, 5)))
np.save("rect.npy", np.ones((3, 4)))
np.save("asym.npy", np.array([[2.0, 1.0], [0.0, 2.0]]))
np.save("negvar.npy", np.array([[-1.0, 0.0], [0.0, 2.0]]))
np.save("zero.npy", np.zeros((3, 3)))
np.save("empty.npy", np.zeros((0, 100, 5)))
np.save("x.npy", rng.standard_normal((4, 200, 5)))'
	printf '1,2,3\n4,5\n' > ragged.csv
	printf '1,2\n3,abc\n' > text.csv
	printf '1,2\n3,4\0junk\n' > nul.csv
	printf 'a,b\n' > names.csv
	other_formats
	assert_bad 1 "dpr: one.npy: N = 1: the participation ratio needs N >= 2" dpr one.npy
	assert_bad 1 "dpr: inf.npy: value at [1, 7, 3] is not finite (inf)" dpr -q inf.npy
	assert_bad 1 "dpr: nan.npy: value at [0, 0] is not finite (nan)" dpr nan.npy
	assert_bad 1 "dpr: flat.npy: loop 2: zero variance: every neuron is constant" dpr -q flat.npy
	assert_bad 1 "dpr: short.npy: too few samples: M = 60 samples / --corr-steps 120 = 0.5, the bias correction needs M > 1" \
		dpr -q --corr-steps 120 short.npy
	assert_bad 1 "dpr: short.npy: too few samples: M = 50 samples / --corr-steps 50 = 1, the bias correction needs M > 1" \
		dpr -q --skip 10 short.npy
	assert_bad 1 "dpr: short.npy: too few samples: 60 steps per loop, 1 left after --skip 59 (need at least 2)" \
		dpr -q --skip 59 --samples 2 short.npy
	assert_bad 1 "dpr: short.npy: --samples 100 is more than the 60 samples used" dpr --samples 100 short.npy
	assert_bad 1 "dpr: x.npy: --loops: loop 4 is out of range (4 loops: 0-3)" dpr --loops 1,3-4 x.npy
	assert_bad 1 "dpr: rect.npy: a covariance must be square: shape (3, 4)" dpr --covariance --samples 10 rect.npy
	assert_bad 1 "dpr: asym.npy: not a covariance: not symmetric at [0, 1]" \
		dpr -q --covariance --samples 10 asym.npy
	assert_bad 1 "dpr: negvar.npy: not a covariance: negative variance at [0, 0]" \
		dpr -q --covariance --samples 10 negvar.npy
	assert_bad 1 "dpr: zero.npy: loop 0: every variance is zero" dpr --covariance --samples 10 zero.npy
	assert_bad 1 "dpr: empty.npy: no loop in the stack (shape (0, 100, 5))" dpr empty.npy
	assert_bad 1 "dpr: ragged.csv: ragged: row 2 has 2 fields, expected 3" dpr ragged.csv
	assert_bad 1 "dpr: text.csv: row 2, column 2: 'abc' is not a number" dpr text.csv
	assert_bad 1 "dpr: nul.csv: row 2, column 2: NUL byte in the field" dpr nul.csv
	assert_bad 1 "dpr: names.csv: no data rows" dpr names.csv
	assert_bad 1 "dpr: missing.npy: cannot open: No such file or directory" dpr missing.npy
	check_other_formats dpr dpr
	# a bad file after a good one: no table, no spectrum either
	run sh -c 'dpr -q --spectrum ev.csv x.npy flat.npy 2>/dev/null'
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	assert_bad 1 "dpr: one.npy: N = 1" dpr -q --spectrum s.csv -o t.csv x.npy one.npy
	assert_bad 2 "dpr: --spectrum: '-' is also the table's output" dpr --spectrum - x.npy
	assert_bad 2 "dpr: --samples: M = 1: the bias correction needs M > 1" dpr --samples 1 x.npy
}

@test "dpr: two outputs are committed together: a failure of one leaves neither" {
	pyrun 'np.save("x.npy", np.random.default_rng(1).standard_normal((200, 5)))'
	mkdir adir
	assert_bad 1 "dpr: adir: is a directory" dpr -q --spectrum s.csv -o adir x.npy
	assert_bad 1 "dpr: adir: is a directory" dpr -q --spectrum adir -o t.csv x.npy
	assert_bad 1 "dpr: nodir/t.csv: cannot create: No such file or directory" \
		dpr -q --spectrum s.csv -o nodir/t.csv x.npy
	# the same file under two names
	assert_bad 2 "dpr: --spectrum: './t.csv' is also the table's output" \
		dpr -q --spectrum ./t.csv -o t.csv x.npy
	assert_bad 2 "dpr: --spectrum: 'adir/../t.csv' is also the table's output" \
		dpr -q --spectrum adir/../t.csv -o t.csv x.npy
	ln -s t.csv link.csv
	assert_bad 2 "dpr: --spectrum: 'link.csv' is also the table's output" \
		dpr -q --spectrum link.csv -o t.csv x.npy
	dpr --spectrum s.csv -o t.csv x.npy
	[ -s s.csv ] && [ -s t.csv ]
}

@test "dpr: a shape whose byte size reaches 2^63: truncated, or out of memory naming the input" {
	npy_claim big.npy "(1073741824, 1073741824)" 1
	assert_bad 1 "dpr: big.npy: truncated: shape needs 1152921504606846976 values, file holds 1" \
		dpr big.npy
	# a stream's size is unknown: the allocation for its claim fails first
	assert_bad 1 "dpr: -: out of memory" dpr - < <(cat big.npy)
}

@test "dpr: a named pipe as FILE is read from its own stream; a short stream is truncated" {
	pyrun '
rng = np.random.default_rng(3)
np.savetxt("a.csv", rng.standard_normal((300, 4)), delimiter=",")
np.savetxt("b.csv", rng.standard_normal((300, 4)), delimiter=",")
np.save("x.npy", rng.standard_normal((300, 4)))'
	dpr --no-header a.csv | cut -d, -f2- > want
	dpr --no-header <(cat a.csv) < b.csv | cut -d, -f2- > got
	cmp want got
	head -c 5 x.npy > short.npy
	assert_bad 1 "dpr: -: truncated header" dpr - < <(cat short.npy)
	head -c 1000 x.npy > cut.npy
	assert_bad 1 "dpr: -: truncated: shape needs 1200 values, file holds 109" dpr - < <(cat cut.npy)
}

@test "dpr: finite activity too large for the covariance: an error, not nan" {
	pyrun '
rng = np.random.default_rng(4)
np.save("huge.npy", rng.standard_normal((2, 300, 5)) * 1e160)
np.save("large.npy", rng.standard_normal((300, 5)) * 1e50)
np.save("fine.npy", rng.standard_normal((300, 5)) * 1e30)'
	assert_bad 1 "dpr: huge.npy: loop 0: the covariance overflows: the values are too large" dpr -q huge.npy
	assert_bad 1 "dpr: large.npy: loop 0: the covariance overflows" dpr -q large.npy
	pyrun 'np.save("scaled.npy", np.load("fine.npy") * 1e-30)'
	dpr --no-header fine.npy scaled.npy | cut -d, -f6-7 > pr
	pyrun '
a, b = np.loadtxt("pr", delimiter=",")
assert np.allclose(a, b, rtol=1e-12), (a, b)'
}

@test "dpr: closed descriptors; what numpy writes: Fortran order, a header row" {
	pyrun '
x = np.random.default_rng(5).standard_normal((300, 6))
np.save("c.npy", x)
np.save("f.npy", np.asfortranarray(x))
np.save("sf.npy", np.asfortranarray(np.stack([x, x[::-1]])))
np.save("s.npy", np.stack([x, x[::-1]]))
np.savetxt("h.csv", x, delimiter=",", header=",".join("Neuron_%d" % i for i in range(6)), comments="")'
	dpr -q --no-header c.npy | cut -d, -f2- > c
	dpr -q --no-header f.npy | cut -d, -f2- | cmp - c
	dpr -q --no-header h.csv | cut -d, -f2- | cmp - c
	dpr -q --no-header --loops 1 s.npy | cut -d, -f2- > s
	dpr -q --no-header --loops 1 sf.npy | cut -d, -f2- | cmp - s
	assert_bad 1 "dpr: -: read error: Bad file descriptor" sh -c 'exec dpr -o t.csv <&-'
	assert_bad 1 "dpr: stdout: write error: Bad file descriptor" sh -c 'exec dpr -q c.npy >&-'
}
