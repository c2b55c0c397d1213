#!/usr/bin/env bats
# libcore's readers and writers (.npy and CSV), checked with numpy as the
# independent client.  Driven through build/unit/test_io.

load helpers

io() { "$UNIT/test_io" "$@"; }

@test "npy: written arrays load in numpy with the right shape, dtype and values" {
	for dt in f8 f4; do
		for shape in "7" "3 5" "2 3 4" "1 1 1" "0 4"; do
			io write a.npy $dt $shape
			pyrun '
a = np.load(sys.argv[1])
shape = tuple(int(s) for s in sys.argv[3].split())
want_dt = np.float64 if sys.argv[2] == "f8" else np.float32
assert a.shape == shape, (a.shape, shape)
assert a.dtype == want_dt, a.dtype
ref = (np.arange(a.size) / 3.0 - 7.0).astype(want_dt).reshape(shape)
assert np.array_equal(a, ref)
assert a.flags.c_contiguous' a.npy $dt "$shape"
		done
	done
}

@test "npy: header is padded so the data start on a 64-byte boundary" {
	for shape in "7" "300 200" "16 1000 200"; do
		io write a.npy f8 $shape
		pyrun '
raw = open(sys.argv[1], "rb").read()
assert raw[:8] == b"\x93NUMPY\x01\x00"
hlen = int.from_bytes(raw[8:10], "little")
assert (10 + hlen) % 64 == 0, hlen
assert raw[10 + hlen - 1:10 + hlen] == b"\n"
h = eval(raw[10:10 + hlen].decode("latin1"))
assert sorted(h) == ["descr", "fortran_order", "shape"], h' a.npy
	done
}

@test "npy: streamed first dimension is rewritten at close" {
	io grow g.npy f8 5 3 4
	io grow h.npy f4 0 6
	pyrun '
g = np.load("g.npy"); h = np.load("h.npy")
assert g.shape == (5, 3, 4) and h.shape == (0, 6), (g.shape, h.shape)
assert np.array_equal(g.ravel(), np.arange(60) / 3.0 - 7.0)'
}

@test "npy: reads what numpy writes: v1, v2, v3, f8, f4, 1- to 3-D, 16-byte alignment" {
	pyrun '
import numpy.lib.format as fmt
rng = np.random.default_rng(3)
cases = {"v1_f8_1d": (rng.normal(size=5), (1, 0)),
         "v1_f4_2d": (rng.normal(size=(4, 3)).astype("<f4"), (1, 0)),
         "v2_f8_3d": (rng.normal(size=(2, 3, 4)), (2, 0)),
         "v3_f8_2d": (rng.normal(size=(3, 2)), (3, 0))}
for name, (a, ver) in cases.items():
    with open(name + ".npy", "wb") as f:
        fmt.write_array(f, a, version=ver)
    np.savetxt(name + ".ref", a.astype(np.float64).ravel(), fmt="%.17g")
# an old-style header padded to 16 bytes only
a = np.arange(6.0).reshape(2, 3)
d = b"{\x27descr\x27: \x27<f8\x27, \x27fortran_order\x27: False, \x27shape\x27: (2, 3), }"
pad = (16 - (10 + len(d) + 1) % 16) % 16
with open("old16.npy", "wb") as f:
    f.write(b"\x93NUMPY\x01\x00" + (len(d) + pad + 1).to_bytes(2, "little") + d + b" " * pad + b"\n" + a.tobytes())
np.savetxt("old16.ref", a.ravel(), fmt="%.17g")'
	for f in v1_f8_1d v1_f4_2d v2_f8_3d v3_f8_2d old16; do
		io read $f.npy > $f.out
		pyrun '
lines = open(sys.argv[1] + ".out").read().split("\n")
a = np.load(sys.argv[1] + ".npy")
assert lines[0] == "shape " + " ".join(map(str, a.shape)), lines[0]
got = np.array([float(x) for x in lines[1:] if x])
ref = np.loadtxt(sys.argv[1] + ".ref", ndmin=1)
assert np.array_equal(got, ref), (got, ref)' $f
	done
}

@test "npy: round trip through our writer and reader is exact (f8) and float32-exact (f4)" {
	io write a.npy f8 3 7
	io read a.npy > a.out
	io write b.npy f4 3 7
	io read b.npy > b.out
	pyrun '
a = [float(x) for x in open("a.out").read().split()[3:]]
b = [float(x) for x in open("b.out").read().split()[3:]]
ref = np.arange(21) / 3.0 - 7.0
assert np.array_equal(a, ref)
assert np.array_equal(np.float32(b), ref.astype(np.float32))'
}

make_bad() {
	pyrun '
import numpy.lib.format as fmt
a = np.arange(12.0).reshape(3, 4)
np.save("good.npy", a)
raw = open("good.npy", "rb").read()
open("truncated.npy", "wb").write(raw[:-9])
open("magic.npy", "wb").write(b"\x93NUMPX" + raw[6:])
open("version.npy", "wb").write(raw[:6] + b"\x07\x00" + raw[8:])
np.save("bigendian.npy", a.astype(">f8"))
np.save("int.npy", np.arange(12, dtype="<i8").reshape(3, 4))
np.save("c16.npy", a.astype(np.complex128))
np.save("zerod.npy", np.float64(1.0))
np.save("fourd.npy", np.zeros((1, 2, 1, 2)))
open("empty.npy", "wb").close()
open("headeronly.npy", "wb").write(raw[:20])
d = b"{\x27descr\x27: \x27<f8\x27, \x27fortran_order\x27: False, \x27shape\x27: (2,), }"
d = d + b" " * (20000 - len(d) - 1) + b"\n"
open("longheader.npy", "wb").write(b"\x93NUMPY\x02\x00" + len(d).to_bytes(4, "little") + d + np.zeros(2).tobytes())
d = b"{\x27descr\x27: \x27<f8\x27, \x27fortran_order\x27: False, \x27shape\x27: (2,), \x27extra\x27: 1}"
d = d + b" " * (118 - len(d) - 1) + b"\n"
open("extrakey.npy", "wb").write(b"\x93NUMPY\x01\x00" + len(d).to_bytes(2, "little") + d + np.zeros(2).tobytes())'
}

@test "npy: bad files are refused with one clear line and exit 1" {
	make_bad
	assert_fails 1 "truncated.npy: truncated: shape needs 12 values, file holds 10" io read truncated.npy
	assert_fails 1 "magic.npy: not a .npy file (bad magic)" io read magic.npy
	assert_fails 1 "version.npy: unsupported .npy version 7.0" io read version.npy
	assert_fails 1 "bigendian.npy: unsupported dtype '>f8' (big-endian" io read bigendian.npy
	assert_fails 1 "int.npy: unsupported dtype '<i8'" io read int.npy
	assert_fails 1 "c16.npy: unsupported dtype '<c16'" io read c16.npy
	assert_fails 1 "zerod.npy: unsupported: 0-dimensional array" io read zerod.npy
	assert_fails 1 "fourd.npy: unsupported: more than 3 dimensions" io read fourd.npy
	assert_fails 1 "empty.npy: empty file" io read empty.npy
	assert_fails 1 "headeronly.npy: truncated header" io read headeronly.npy
	assert_fails 1 "longheader.npy: header of 20000 bytes is longer than numpy allows" io read longheader.npy
	assert_fails 1 "extrakey.npy: bad header: unknown key 'extra'" io read extrakey.npy
	assert_fails 1 "missing.npy: cannot open: No such file or directory" io read missing.npy
	# the good one still reads
	io read good.npy
}

@test "npy: a truncated stream on stdin is caught while reading" {
	make_bad
	run bash -c "cat truncated.npy | '$UNIT/test_io' read -"
	[ "$status" -eq 1 ]
	[[ "$output" == *"-: truncated: shape needs 12 values, file holds 10"* ]]
}

@test "npy: writing to an unwritable place fails cleanly and leaves nothing" {
	mkdir ro && chmod 555 ro
	if [ "$(id -u)" = 0 ]; then
		# root writes anywhere: use a path under a regular file instead
		touch plain
		assert_fails 1 "plain/a.npy: cannot create: Not a directory" io write plain/a.npy f8 3
	else
		assert_fails 1 "ro/a.npy: cannot create: Permission denied" io write ro/a.npy f8 3
	fi
	assert_fails 1 "nodir/a.npy: cannot create: No such file or directory" io write nodir/a.npy f8 3
	[ -z "$(ls -A ro)" ]
}

@test "csv: numeric matrix with and without a header row" {
	printf '1,2.5,-3e-2\n4,5,6\n' > noheader.csv
	printf 'a,b,c\r\n1,2,3\r\n4,5,6' > header.csv
	printf '"x","y"\n"1.5",2\n\n3,4\n' > quoted.csv
	run io csv noheader.csv auto
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "rows 2 cols 3" ]
	[ "${lines[1]}" = "1" ] && [ "${lines[3]}" = "-0.03" ] && [ "${lines[6]}" = "6" ]
	run io csv header.csv auto
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "rows 2 cols 3" ]
	[ "${lines[1]}" = "name a" ] && [ "${lines[3]}" = "name c" ]
	[ "${lines[9]}" = "6" ]
	run io csv quoted.csv auto
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "rows 2 cols 2" ]
	[ "${lines[3]}" = "1.5" ]
	# header forced on a numeric first row: that row becomes names
	run io csv noheader.csv yes
	[ "${lines[0]}" = "rows 1 cols 3" ]
	[ "${lines[1]}" = "name 1" ]
}

@test "csv: reads numpy's savetxt matrices exactly (the notebook's format)" {
	pyrun '
rng = np.random.default_rng(7)
a = rng.normal(size=(30, 20)) * 10.0 ** rng.integers(-8, 8, size=(30, 20))
np.savetxt("m.csv", a, delimiter=",")
np.save("m.npy", a)'
	io csv m.csv auto > m.out
	pyrun '
lines = open("m.out").read().split("\n")
assert lines[0] == "rows 30 cols 20"
got = np.array([float(x) for x in lines[1:] if x]).reshape(30, 20)
ref = np.loadtxt("m.csv", delimiter=",")
assert np.array_equal(got, ref)'
}

@test "csv: tables with a header, quoted fields and column lookup" {
	printf 'name,value,"note, quoted"\nalpha,1,"a ""b"""\nbeta,2,c\n' > t.csv
	run io table t.csv
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "rows 2 cols 3" ]
	[ "${lines[3]}" = "name note, quoted" ]
	[ "${lines[6]}" = 'cell a "b"' ]
	[ "${lines[10]}" = "col_of_last 2" ]
}

@test "csv: bad input is refused with row and column" {
	printf '1,2,3\n4,5\n' > ragged.csv
	printf '1,2\n3,abc\n' > text.csv
	printf '1,2\n3,nan\n' > nan.csv
	printf '1,2\n3,inf\n' > inf.csv
	printf '1,2\n3,\n' > emptycell.csv
	: > empty.csv
	printf 'a,b\n' > headeronly.csv
	assert_fails 1 "ragged.csv: ragged: row 2 has 2 fields, expected 3" io csv ragged.csv auto
	assert_fails 1 "text.csv: row 2, column 2: 'abc' is not a number" io csv text.csv auto
	assert_fails 1 "nan.csv: row 2, column 2: 'nan' is not finite" io csv nan.csv auto
	assert_fails 1 "inf.csv: row 2, column 2: 'inf' is not finite" io csv inf.csv auto
	assert_fails 1 "emptycell.csv: row 2, column 2: '' is not a number" io csv emptycell.csv auto
	assert_fails 1 "empty.csv: empty file" io csv empty.csv auto
	assert_fails 1 "headeronly.csv: no data rows" io csv headeronly.csv auto
	assert_fails 1 "ragged.csv: ragged: row 2 has 2 fields, expected 3" io table ragged.csv
}

@test "csv: doubles are written with round-trip precision" {
	run io fmt 0.1 1e-300 -2.5 3.141592653589793 123456789012345678 5e-324
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "0.1" ]
	[ "${lines[2]}" = "-2.5" ]
	pyrun '
vals = [0.1, 1e-300, -2.5, 3.141592653589793, 123456789012345678.0, 5e-324]
out = sys.argv[1].split()
assert [float(x) for x in out] == vals, out' "$output"
	# random doubles round-trip through the text
	vals=$(pyrun 'print(" ".join(repr(x) for x in np.random.default_rng(1).normal(size=200) * 1e5))')
	out=$(io fmt $vals)
	pyrun '
a = [float(x) for x in sys.argv[1].split()]
b = [float(x) for x in sys.argv[2].split()]
assert a == b' "$vals" "$out"
}

@test "atomic: outputs get the user's umask, not the temporary's private mode" {
	(umask 022; io write a.npy f8 3)
	(umask 027; io write b.npy f8 3)
	[ "$(stat -c %a a.npy)" = 644 ]
	[ "$(stat -c %a b.npy)" = 640 ]
	init-weights -N 10 -o w.npy
	gen-target -N 10 --steps 20 -o t.npy
	(umask 022; simulate-train -q -w w.npy -t t.npy --loops 2 --train-loops 1 --stim-steps 5 -o run)
	[ "$(stat -c %a run)" = 755 ]
}

@test "npy: Fortran order (np.save of a transpose) is read in C order, f8 and f4, 2-D and 3-D" {
	pyrun '
rng = np.random.default_rng(5)
cases = {"f2": rng.normal(size=(4, 3)).T, "f3": rng.normal(size=(2, 3, 4)).T,
         "f4": rng.normal(size=(5, 2)).astype("<f4").T,
         "f1": np.asfortranarray(rng.normal(size=(1, 6)))}
for name, a in cases.items():
    np.save(name + ".npy", a)
    assert np.load(name + ".npy").flags.f_contiguous
    np.savetxt(name + ".ref", np.ascontiguousarray(a).astype(np.float64).ravel(), fmt="%.17g")'
	for f in f2 f3 f4 f1; do
		io read $f.npy > $f.out
		io read - < $f.npy > $f.pipe
		cmp $f.out $f.pipe
		pyrun '
lines = open(sys.argv[1] + ".out").read().split("\n")
a = np.load(sys.argv[1] + ".npy")
assert lines[0] == "shape " + " ".join(map(str, a.shape)), lines[0]
got = np.array([float(x) for x in lines[1:] if x])
assert np.array_equal(got, np.loadtxt(sys.argv[1] + ".ref")), sys.argv[1]' $f
	done
}

@test "npy: an empty stream is empty, a short one truncated; a 2^63-byte shape is truncated" {
	io write a.npy f8 3 4
	assert_fails 1 "-: empty file" io read - < /dev/null
	assert_fails 1 "-: truncated header" io read - < <(head -c 3 a.npy)
	assert_fails 1 "-: truncated header" io read - < <(head -c 9 a.npy)
	assert_fails 1 "-: truncated header" io read - < <(head -c 100 a.npy)
	assert_fails 1 "-: not a .npy file (bad magic)" io read - < <(printf 'ab')
	pyrun '
d = "{\x27descr\x27: \x27<f8\x27, \x27fortran_order\x27: False, \x27shape\x27: (1073741824, 1073741824), }"
d = d + " " * (118 - len(d) - 1) + "\n"
open("big.npy", "wb").write(b"\x93NUMPY\x01\x00" + len(d).to_bytes(2, "little") + d.encode() + bytes(8))'
	assert_fails 1 "big.npy: truncated: shape needs 1152921504606846976 values, file holds 1" io read big.npy
}

@test "csv: a NUL byte in a field is refused with its row and column, in tables too" {
	printf '1,2\n3,4\0junk\n' > nul.csv
	printf 'a,b\nx,y\0z\n' > nul-table.csv
	assert_fails 1 "nul.csv: row 2, column 2: NUL byte in the field" io csv nul.csv auto
	assert_fails 1 "nul-table.csv: row 2, column 2: NUL byte in the field" io table nul-table.csv
}

@test "csv: a first record without any number is a header; one that mixes numbers and text is data" {
	printf 'Neuron_0,Neuron_1\n1,2\n' > names.csv
	printf '# a,b\n1,2\n' > hash.csv
	printf ',x\n1,2\n' > blankname.csv
	printf '1,x\n1,2\n' > mixed.csv
	printf 'nan,x\n1,2\n' > nanfirst.csv
	for f in names hash blankname; do
		run io csv $f.csv auto
		[ "$status" -eq 0 ]
		[ "${lines[0]}" = "rows 1 cols 2" ]
	done
	assert_fails 1 "mixed.csv: row 1, column 2: 'x' is not a number" io csv mixed.csv auto
	assert_fails 1 "nanfirst.csv: row 1, column 1: 'nan' is not finite" io csv nanfirst.csv auto
	printf '\n\n' > blank.csv
	assert_fails 1 "blank.csv: no data rows" io csv blank.csv auto
}

@test "csv: a 10 MB field costs a few reallocations, not one per 128 bytes" {
	run "$UNIT/test_csvgrow" 10000000
	[ "$status" -eq 0 ]
	# libcsv's default step of 128 bytes made it 78,129
	[[ "$output" =~ ^reallocs\ ([0-9]+)\ length\ 10000000$ ]]
	[ "${BASH_REMATCH[1]}" -lt 100 ]
}
