#!/usr/bin/env bats
# motifs on bad input: every refusal is one line "motifs: FILE: problem",
# status 1 (2 for usage), and leaves the folder as it was (assert_bad).

load helpers
load bad-inputs

@test "motifs: bad files: shapes, values, formats, CSV faults" {
	pyrun '
np.save("rect.npy", np.zeros((3, 4)))
np.save("one.npy", np.ones((1, 1)))
np.save("vec.npy", np.zeros(4))
np.save("rect3.npy", np.zeros((2, 3, 4)))
np.save("empty3.npy", np.zeros((0, 3, 3)))
a = np.random.default_rng(0).standard_normal((2, 5, 5)); a[1, 2, 3] = np.nan
np.save("nan.npy", a)
b = np.random.default_rng(0).standard_normal((5, 5)); b[4, 0] = np.inf
np.save("inf.npy", b)
np.save("const.npy", np.full((2, 4, 4), 0.5))
np.save("i8.npy", np.zeros((3, 3), dtype=np.int64))
np.save("good.npy", np.eye(3))'
	printf '1,2\n3,4\n5,6\n' > rect.csv
	printf '1,2,3\n4,5\n6,7,8\n' > ragged.csv
	printf '1,2\n3,x\n' > text.csv
	printf '1,x\n3,4\n' > mixed.csv
	printf '1,2\n3,inf\n' > inf.csv
	printf '1,nan\n3,4\n' > nan.csv
	printf '1,2\n3,4\0junk\n' > nul.csv
	: > empty.csv
	printf '\n\n' > blank.csv
	mkdir adir
	other_formats
	assert_bad 1 "motifs: rect.npy: not a square matrix: shape (3, 4)" motifs rect.npy
	assert_bad 1 "motifs: rect.csv: not a square matrix: shape (3, 2)" motifs rect.csv
	assert_bad 1 "motifs: rect3.npy: not a square matrix: shape (2, 3, 4)" motifs rect3.npy
	assert_bad 1 "motifs: one.npy: N = 1: motifs need N >= 2" motifs one.npy
	assert_bad 1 "motifs: vec.npy: expected a 2-D or 3-D array, got shape (4,)" motifs vec.npy
	assert_bad 1 "motifs: empty3.npy: no matrix in the stack (shape (0, 3, 3))" motifs empty3.npy
	assert_bad 1 "motifs: nan.npy: value at [1, 2, 3] is not finite (nan)" motifs nan.npy
	assert_bad 1 "motifs: inf.npy: value at [4, 0] is not finite (inf)" motifs inf.npy
	assert_bad 1 "motifs: const.npy: matrix 0: every entry is equal (zero variance" motifs const.npy
	assert_bad 1 "motifs: i8.npy: unsupported dtype '<i8'" motifs i8.npy
	assert_bad 1 "motifs: inf.csv: row 2, column 2: 'inf' is not finite" motifs inf.csv
	assert_bad 1 "motifs: nan.csv: row 1, column 2: 'nan' is not finite" motifs nan.csv
	assert_bad 1 "motifs: ragged.csv: ragged: row 2 has 2 fields, expected 3" motifs ragged.csv
	assert_bad 1 "motifs: text.csv: row 2, column 2: 'x' is not a number" motifs text.csv
	assert_bad 1 "motifs: mixed.csv: row 1, column 2: 'x' is not a number" motifs mixed.csv
	assert_bad 1 "motifs: nul.csv: row 2, column 2: NUL byte in the field" motifs nul.csv
	assert_bad 1 "motifs: -: row 2, column 2: NUL byte in the field" motifs - < nul.csv
	assert_bad 1 "motifs: empty.csv: empty file" motifs empty.csv
	assert_bad 1 "motifs: blank.csv: no data rows" motifs blank.csv
	assert_bad 1 "motifs: missing.npy: cannot open: No such file or directory" motifs missing.npy
	assert_bad 1 "motifs: adir: a directory, but no weights record of a run in it" motifs adir
	check_other_formats motifs motifs
	# a bad file after a good one: no table, not even the header
	run sh -c 'motifs good.npy rect.npy 2>/dev/null'
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	assert_bad 1 "motifs: rect.npy: not a square matrix" motifs -o out.csv good.npy rect.npy
	assert_bad 2 "motifs: stdin ('-') can be read only once" motifs - -
	assert_bad 2 "motifs: unrecognized option '--bogus'" motifs --bogus
}

@test "motifs: a shape whose byte size reaches 2^63 is truncated, found before any allocation" {
	npy_claim big.npy "(1073741824, 1073741824)" 1
	assert_bad 1 "motifs: big.npy: truncated: shape needs 1152921504606846976 values, file holds 1" \
		motifs big.npy
	# through a pipe its size is not known: the data run out first
	assert_bad 1 "motifs: -: truncated: shape needs 1152921504606846976 values, file holds 1" \
		motifs - < <(cat big.npy)
}

@test "motifs: a short stream is truncated, an empty one empty" {
	pyrun 'np.save("w.npy", np.eye(3))'
	head -c 4 w.npy > short.npy
	head -c 140 w.npy > cut.npy
	assert_bad 1 "motifs: -: truncated header" motifs - < <(cat short.npy)
	assert_bad 1 "motifs: short.npy: truncated header" motifs short.npy
	assert_bad 1 "motifs: -: truncated: shape needs 9 values, file holds 1" motifs - < <(cat cut.npy)
	assert_bad 1 "motifs: cut.npy: truncated: shape needs 9 values, file holds 1" motifs cut.npy
	assert_bad 1 "motifs: -: empty file" motifs - < /dev/null
}

@test "motifs: a named pipe as FILE is read from its own stream, not from stdin" {
	printf '1,2\n3,5\n' > a.csv
	printf '7,1\n2,9\n' > b.csv
	motifs --no-header a.csv | cut -d, -f2- > want
	motifs --no-header <(cat a.csv) < b.csv | cut -d, -f2- > got
	cmp want got
	motifs --no-header <(cat a.csv) < /dev/null | cut -d, -f2- > got
	cmp want got
	mkfifo fifo
	timeout 20 sh -c "cat a.csv > fifo" &
	motifs --no-header fifo < b.csv | cut -d, -f2- > got
	wait
	cmp want got
}

@test "motifs: -o writes through a FIFO, a device and a link, and replaces none of them" {
	printf '1,2\n3,5\n' > a.csv
	motifs a.csv > want.csv
	mkfifo fifo
	timeout 20 cat fifo > got.csv &
	motifs -o fifo a.csv
	wait
	cmp want.csv got.csv
	still_a fifo p
	if mknod null c 1 3 2>/dev/null; then
		motifs -o null a.csv
		still_a null c
	fi
	# a link: the file it points to is replaced, the link stays
	echo old > target.csv
	ln -s target.csv link.csv
	motifs -o link.csv a.csv
	still_a link.csv l
	cmp want.csv target.csv
	# a dangling link: the file is made where it points
	ln -s made.csv dangling.csv
	motifs -o dangling.csv a.csv
	still_a dangling.csv l
	cmp want.csv made.csv
	# a link to an open descriptor (as /dev/stdout): written as the shell opened it
	ln -s /proc/self/fd/1 out
	motifs -o out a.csv > o.csv
	motifs --no-header -o out a.csv >> o.csv
	still_a out l
	[ "$(wc -l < o.csv)" -eq 3 ]
	mkdir adir
	assert_bad 1 "motifs: adir: is a directory" motifs -o adir a.csv
	[ -z "$(ls -A | grep tmp || true)" ]
}

@test "motifs: closed stdin, stdout or stderr: no file takes their place" {
	printf '1,2\n3,5\n' > a.csv
	assert_bad 1 "motifs: -: read error: Bad file descriptor" sh -c 'exec motifs <&-'
	assert_bad 1 "motifs: -: read error: Bad file descriptor" sh -c 'exec motifs -o out.csv <&-'
	assert_bad 1 "motifs: stdout: write error: Bad file descriptor" sh -c 'exec motifs a.csv >&-'
	sh -c 'exec motifs -o out.csv a.csv 2>&-'
	motifs a.csv | cmp - out.csv
	cmp a.csv <(printf '1,2\n3,5\n')
}

@test "motifs: finite values too large for the sums: an error, not inf or nan" {
	pyrun '
rng = np.random.default_rng(1)
np.save("huge.npy", rng.standard_normal((2, 6, 6)) * 1e160)
np.save("fine.npy", rng.standard_normal((6, 6)) * 1e140)'
	assert_bad 1 "motifs: huge.npy: matrix 0: the motifs overflow: the entries are too large" \
		motifs huge.npy
	# within the documented range the motifs are those of the matrix scaled down
	pyrun 'np.save("scaled.npy", np.load("fine.npy") * 1e-140)'
	motifs --no-header fine.npy scaled.npy | cut -d, -f5-8 > taus
	pyrun '
a, b = np.loadtxt("taus", delimiter=",")
assert np.allclose(a, b, rtol=1e-12, atol=1e-15), (a, b)'
}

@test "motifs: file names within 12 bytes of NAME_MAX are written" {
	printf '1,2\n3,5\n' > a.csv
	long=$(printf 'm%.0s' $(seq 1 251)).csv
	motifs -o "$long" a.csv
	[ -s "$long" ]
	[ -z "$(ls -A | grep tmp || true)" ]
}

@test "motifs: what numpy writes: Fortran order; a header row of names is skipped" {
	pyrun '
w = np.random.default_rng(2).standard_normal((5, 5))
np.save("c.npy", w)
np.save("f.npy", np.asfortranarray(w))
np.save("ft.npy", w.T.copy().T)
np.save("s.npy", np.stack([w, w.T]))
np.save("sf.npy", np.asfortranarray(np.stack([w, w.T])))
np.savetxt("h.csv", w, delimiter=",", header=",".join("Neuron_%d" % i for i in range(5)), comments="")'
	[ "$(pyrun 'print(np.load("f.npy").flags.f_contiguous and not np.load("f.npy").flags.c_contiguous)')" = True ]
	motifs --no-header c.npy | cut -d, -f3- > c
	motifs --no-header f.npy | cut -d, -f3- > f
	motifs --no-header h.csv | cut -d, -f3- > h
	cmp c f
	cmp c h
	motifs --no-header s.npy | cut -d, -f2- > s
	motifs --no-header sf.npy | cut -d, -f2- > sf
	cmp s sf
	cat sf.npy | motifs --no-header | cut -d, -f2- | cmp - s
}

@test "motifs: a run directory's bad weights record: plastic positions, values' shape, not finite, loops of params.csv" {
	command -v simulate-train > /dev/null || skip "simulate-train is not built"
	init-weights -N 30 -K 5 --seed 1 -o w.npz
	gen-target -N 30 --steps 100 --seed 1 -o t.npy
	simulate-train -q -w w.npz -t t.npy -o run --loops 2 --train-loops 1 --stim-steps 20
	cp -r run r1 && cp -r run r2 && cp -r run r3 && cp -r run r4
	pyrun '
p = np.load("run/plastic.npy"); v = np.load("run/weights-values.npy")
np.save("r1/plastic.npy", p[::-1].copy())
np.save("r2/weights-values.npy", v[:, :-1])
v[1, 3] = np.nan; np.save("r3/weights-values.npy", v)
'
	pyrun '
import csv
rows = list(csv.reader(open("r4/params.csv")))
rows[1][rows[0].index("record_loops")] = "last"
csv.writer(open("r4/params.csv", "w"), lineterminator="\n").writerows(rows)'
	mkdir empty
	assert_bad 1 "motifs: r1/plastic.npy: position 1: " motifs -o out.csv r1
	assert_bad 1 "motifs: r2/weights-values.npy: expected shape (loops, " motifs -o out.csv r2
	assert_bad 1 "motifs: r3/weights-values.npy: value at [1, 3] is not finite (nan)" motifs -o out.csv r3
	assert_bad 1 "motifs: r4: params.csv: record_loops 'last' names 1 loop, the weights record holds 2" motifs -o out.csv r4
	assert_bad 1 "motifs: empty: a directory, but no weights record of a run in it" motifs -o out.csv empty
	# a good run before a bad one: no table
	assert_bad 1 "motifs: r3/weights-values.npy: value at [1, 3]" motifs -o out.csv run r3
}
