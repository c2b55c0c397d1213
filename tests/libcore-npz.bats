#!/usr/bin/env bats
# libcore/npz: SciPy's CSR .npz, checked with Debian's SciPy as the
# independent client both ways.  Driven through build/unit/test_npz.

load helpers

npz() { "$UNIT/test_npz" "$@"; }

# The pattern test_npz writes, built here from its definition.
PATTERN='
def pattern(r, c):
    d = np.zeros((r, c))
    for i in range(r):
        for j in range(c):
            if (7 * i + 3 * j) % 5 < 2 and i % 4 != 2:
                d[i, j] = (i - j) / 3 + 0.25
    return d
'

@test "npz: the library checks itself (round trips, chunks, dense, index widths)" {
	run npz self
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *" 0 failed"* ]]
}

@test "npz: what we write loads with scipy.sparse.load_npz, as SciPy writes it" {
	for shape in "5 5" "1 1" "0 0" "3 11" "40 17" "300 300"; do
		for ib in "" i8; do
			npz write w.npz $shape $ib
			pyrun "$PATTERN"'
import zipfile, scipy.sparse as sp
r, c = map(int, sys.argv[1].split())
m = sp.load_npz("w.npz")
assert m.format == "csr" and m.shape == (r, c), (m.format, m.shape)
assert m.has_sorted_indices
assert m.dtype == np.float64
d = pattern(r, c)
assert np.array_equal(m.toarray(), d)
assert m.nnz == np.count_nonzero(d)
z = zipfile.ZipFile("w.npz")
assert z.namelist() == ["indices.npy", "indptr.npy", "format.npy", "shape.npy", "data.npy"], z.namelist()
for i in z.infolist():
    assert i.compress_type == zipfile.ZIP_STORED and i.date_time == (1980, 1, 1, 0, 0, 0), i
assert z.testzip() is None
f = np.load("w.npz")
# (load_npz narrows int64 indices that fit; the file keeps what was written)
want = "<i8" if sys.argv[2] == "i8" else "<i4"
assert f["indices"].dtype == want and f["indptr"].dtype == want, (f["indices"].dtype, want)
assert f["data"].dtype == "<f8"
assert f["format"].dtype == "S3" and f["format"].item() == b"csr"
assert f["shape"].dtype == "<i8" and list(f["shape"]) == [r, c]' "$shape" "$ib"
		done
	done
}

@test "npz: the same matrix gives the same bytes" {
	npz write a.npz 40 17
	sleep 1
	npz write b.npz 40 17
	cmp a.npz b.npz
}

@test "npz: reads what save_npz writes: compressed or not, int32 or int64, f8 or f4, str format" {
	pyrun '
import scipy.sparse as sp
rng = np.random.default_rng(5)
m = sp.random(60, 45, density=0.2, format="csr", random_state=7)
m.data = rng.normal(size=m.nnz)
sp.save_npz("c32.npz", m)                        # deflated, int32
sp.save_npz("u32.npz", m, compressed=False)      # stored
m64 = m.copy()
m64.indices = m64.indices.astype(np.int64)       # the constructor would narrow them
m64.indptr = m64.indptr.astype(np.int64)
sp.save_npz("c64.npz", m64)
sp.save_npz("u64.npz", m64, compressed=False)
m4 = m.astype(np.float32)
sp.save_npz("f4.npz", m4)
# older SciPy wrote the format as str; newer adds an _is_array member
np.savez("ustr.npz", indices=m.indices, indptr=m.indptr, format=np.array("csr"),
         shape=np.array(m.shape), data=m.data, _is_array=np.array(True))
sp.save_npz("empty.npz", sp.csr_matrix((4, 6)))
np.save("ref.npy", m.toarray()); np.save("ref4.npy", m4.toarray().astype(np.float64))
assert m64.indices.dtype == np.int64'
	pyrun 'import zipfile; assert zipfile.ZipFile("c32.npz").infolist()[0].compress_type == zipfile.ZIP_DEFLATED'
	for f in c32 u32 c64 u64 f4 ustr empty; do
		npz read $f.npz > $f.out
		npz read $f.npz 7 > $f.chunks
		npz dense $f.npz > $f.dense
		pyrun '
import scipy.sparse as sp
f = sys.argv[1]
m = sp.load_npz(f + ".npz")
lines = open(f + ".out").read().split("\n")
r, c, nnz = int(lines[0].split()[1]), int(lines[0].split()[2]), int(lines[0].split()[4])
assert (r, c) == m.shape and nnz == m.nnz, (lines[0], m.shape, m.nnz)
got = np.zeros(m.shape)
for ln in lines[1:]:
    if ln:
        i, j, v = ln.split(); got[int(i), int(j)] = float(v)
assert np.array_equal(got, m.toarray().astype(np.float64))
ch = open(f + ".chunks").read().split("\n")
assert ch[1:] == lines[1:]
ib = 8 if "64" in f else 4
db = 4 if f == "f4" else 8
assert ch[0].split()[6] == str(ib) and ch[0].split()[8] == str(db), ch[0]
dn = np.loadtxt(f + ".dense", skiprows=1, ndmin=2).reshape(m.shape)
assert np.array_equal(dn, m.toarray().astype(np.float64))' $f
	done
}

@test "npz: a .npz on stdin (a pipe) reads as from a file" {
	npz write w.npz 30 20
	npz read w.npz > file.out
	cat w.npz | npz read - > pipe.out
	cmp file.out pipe.out
	npz read - < w.npz > redirect.out
	cmp file.out redirect.out
}

# Bad files, made with numpy and zipfile: every one a single line, exit 1.
make_bad() {
	pyrun '
import io, struct, zipfile, scipy.sparse as sp
m = sp.csr_matrix(np.array([[0, 1.5, 0, 2], [3, 0, 0, 0], [0, 0, 0, 0], [0, 4, 5, 0]]))
def npy(a):
    b = io.BytesIO(); np.save(b, a); return b.getvalue()
def save(name, members, method=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(name, "w", method) as z:
        for k, v in members.items():
            z.writestr(k + ".npy", v if isinstance(v, bytes) else npy(v))
good = dict(indices=m.indices, indptr=m.indptr, format=np.array(b"csr"),
            shape=np.array(m.shape), data=m.data)
def variant(name, **kw):
    d = dict(good); d.update(kw)
    save(name, {k: v for k, v in d.items() if v is not None})
variant("good.npz")
sp.save_npz("csc.npz", m.tocsc())
sp.save_npz("coo.npz", m.tocoo())
variant("nonsquare.npz", shape=np.array([4, 5]))
variant("unsorted.npz", indices=np.array([3, 1, 0, 2, 1], dtype=np.int32))
variant("duplicate.npz", indices=np.array([1, 1, 0, 1, 2], dtype=np.int32))
variant("range.npz", indices=np.array([1, 3, 0, 1, 4], dtype=np.int32))
variant("negative.npz", indices=np.array([1, 3, -1, 1, 2], dtype=np.int32))
variant("decreasing.npz", indptr=np.array([0, 2, 1, 3, 5], dtype=np.int32))
variant("start.npz", indptr=np.array([1, 2, 3, 3, 5], dtype=np.int32))
variant("shortptr.npz", indptr=np.array([0, 2, 3, 5], dtype=np.int32))
variant("nnz.npz", indptr=np.array([0, 2, 3, 3, 4], dtype=np.int32))
variant("nan.npz", data=np.array([1.5, 2, 3, np.nan, 5]))
variant("intdata.npz", data=np.array([1, 2, 3, 4, 5]))
variant("twod.npz", data=np.ones((5, 1)))
variant("noindices.npz", indices=None)
variant("nodata.npz", data=None)
save("arrays.npz", {"a": np.zeros(3)})
raw = open("good.npz", "rb").read()
open("truncated.npz", "wb").write(raw[:len(raw) // 2])
open("cut.npz", "wb").write(raw[:-10])
open("notzip.npz", "wb").write(b"PK\x03\x04" + b"\0" * 100)
# stored data with a byte flipped: the CRC catches it
save("stored.npz", good, zipfile.ZIP_STORED)
s = bytearray(open("stored.npz", "rb").read())
at = s.rfind(npy(m.data)) + len(npy(m.data)) - 3
s[at] ^= 0x40
open("crc.npz", "wb").write(bytes(s))
# Patch the uncompressed size of data.npy, in its local header and in the
# central directory.
def declare(src, dst, size):
    b = bytearray(open(src, "rb").read())
    info = zipfile.ZipFile(src).getinfo("data.npy")
    assert b[info.header_offset:info.header_offset + 4] == b"PK\x03\x04"
    struct.pack_into("<I", b, info.header_offset + 22, size)
    cd = b.find(b"PK\x01\x02")
    while bytes(b[cd + 46:cd + 46 + struct.unpack_from("<H", b, cd + 28)[0]]) != b"data.npy":
        cd = b.find(b"PK\x01\x02", cd + 4)
    struct.pack_into("<I", b, cd + 24, size)
    open(dst, "wb").write(bytes(b))
# zip bombs: a data member of 20 MB of zeros behind a header of 5 values...
save("bomb.npz", dict(good, data=npy(m.data) + bytes(20 << 20)))
# ... the same with its declared size patched to what the shape needs, so
# that only reading finds the rest...
declare("bomb.npz", "bomb2.npz", len(npy(m.data)))
# ... and a declared size far beyond what deflate can expand the data to
declare("good.npz", "bomb3.npz", 4000000000)'
}

@test "npz: bad files are refused with one clear line and exit 1" {
	make_bad
	npz read good.npz > /dev/null
	npz read nonsquare.npz > /dev/null   # the shape is the caller's to judge
	assert_fails 1 "csc.npz: not a CSR matrix (format 'csc')" npz read csc.npz
	assert_fails 1 "coo.npz: not a CSR matrix (format 'coo')" npz read coo.npz
	assert_fails 1 "unsorted.npz: row 0: column indices are not strictly increasing (1 after 3): unsorted or duplicate entries" npz read unsorted.npz
	assert_fails 1 "duplicate.npz: row 0: column indices are not strictly increasing (1 after 1)" npz read duplicate.npz
	assert_fails 1 "range.npz: row 3: column index 4 is out of range (4 columns)" npz read range.npz
	assert_fails 1 "negative.npz: row 1: column index -1 is out of range (4 columns)" npz read negative.npz
	assert_fails 1 "decreasing.npz: indptr decreases at row 1 (2, then 1)" npz read decreasing.npz
	assert_fails 1 "start.npz: indptr starts at 1, not 0" npz read start.npz
	assert_fails 1 "shortptr.npz: indptr has 4 values, shape (4, 4) needs 5" npz read shortptr.npz
	assert_fails 1 "nnz.npz: indices has 5 values, indptr ends at 4" npz read nnz.npz
	assert_fails 1 "nan.npz: value at [3, 1] is not finite (nan)" npz read nan.npz
	assert_fails 1 "intdata.npz: member 'data.npy': unsupported dtype '<i8'" npz read intdata.npz
	assert_fails 1 "twod.npz: member 'data.npy': expected a 1-D array, got 2-D" npz read twod.npz
	assert_fails 1 "noindices.npz: missing member 'indices.npy'" npz read noindices.npz
	assert_fails 1 "nodata.npz: missing member 'data.npy'" npz read nodata.npz
	assert_fails 1 "arrays.npz: not a sparse matrix .npz: no member 'format.npy'" npz read arrays.npz
	assert_fails 1 "truncated.npz: not a .npz (zip) file, or truncated" npz read truncated.npz
	assert_fails 1 "cut.npz: not a .npz (zip) file, or truncated" npz read cut.npz
	assert_fails 1 "notzip.npz: not a .npz (zip) file, or truncated" npz read notzip.npz
	assert_fails 1 "crc.npz: member 'data.npy': CRC error" npz read crc.npz
	assert_fails 1 "bomb.npz: member 'data.npy' declares 20971688 bytes, its .npy header and shape make 168 (damaged, or a zip bomb)" npz read bomb.npz
	assert_fails 1 "bomb2.npz: member 'data.npy' holds more data than its shape says" npz read bomb2.npz
	assert_fails 1 "bomb3.npz: member 'data.npy' declares 4000000000 bytes from" npz read bomb3.npz
	assert_fails 1 "missing.npz: cannot open: No such file or directory" npz read missing.npz
	# the dense reader stops at the same errors
	assert_fails 1 "unsorted.npz: row 0: column indices are not strictly increasing" npz dense unsorted.npz
	assert_fails 1 "bomb2.npz: member 'data.npy' holds more data than its shape says" npz dense bomb2.npz
	# one line each
	run npz read bomb2.npz
	[ "${#lines[@]}" -eq 1 ]
}

@test "npz: a .npz cannot be written to stdout; an unwritable place leaves nothing" {
	assert_fails 2 "cannot write a .npz to standard output" npz write - 3 3
	touch plain
	assert_fails 1 "plain/w.npz: cannot create: Not a directory" npz write plain/w.npz 3 3
	assert_only plain
}
