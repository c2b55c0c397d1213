#!/usr/bin/env bats
# motifs: the O(N^2) motifs against MODEL.md's three-product definition
# (NumPy, tests/ref/motifs_ref.py), the input formats, Unix use, errors.

load helpers

REF="$ROOT/tests/ref/motifs_ref.py"

@test "motifs: --help and --version" {
	run motifs --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"Usage: motifs"* ]]
	run motifs --version
	[ "$status" -eq 0 ]
	[[ "$output" == "motifs (forcenet) "* ]]
}

@test "motifs: equals the three-product definition to 1e-12, N = 2..500, special matrices" {
	mkdir g
	for kind in random symmetric antisymmetric rankone rowcentred; do
		for n in 2 3 4 7 16 33 100 257 500; do
			"$PY" "$REF" gen g "$kind" "$n"
		done
	done
	for n in 5 50 200; do "$PY" "$REF" gen g sparse "$n"; done
	motifs g/*.npy > t.csv
	[ "$(wc -l < t.csv)" -eq 49 ]
	run "$PY" "$REF" check t.csv
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "motifs: the libcore kernels, dense and sparse, equal three cblas_dgemm products to 1e-12 (unit test)" {
	# (passive: the sparse sums run with up to 3 threads on any machine)
	OMP_WAIT_POLICY=passive run "$UNIT/test_motifs"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == "151 matrices, worst relative difference "*": ok" ]]
}

@test "motifs: a mapped file, a pipe and a '<f4' copy read the same matrices" {
	pyrun '
rng = np.random.default_rng(9)
s = rng.standard_normal((3, 150, 150)).astype(np.float32).astype(np.float64)
np.save("s8.npy", s)
np.save("s4.npy", s.astype(np.float32))
'
	motifs --no-header s8.npy | cut -d, -f2- > mapped
	cat s8.npy | motifs --no-header | cut -d, -f2- > piped
	motifs --no-header s4.npy | cut -d, -f2- > f4
	cmp mapped piped
	cmp mapped f4
}

@test "motifs: symmetric gives tau_rec = 1, antisymmetric -1, row-centred tau_con = -1/(N-1)" {
	mkdir g
	for n in 2 9 120; do
		for kind in symmetric antisymmetric rowcentred; do
			"$PY" "$REF" gen g "$kind" "$n"
		done
	done
	motifs g/*.npy > t.csv
	pyrun '
import csv
rows = list(csv.DictReader(open("t.csv")))
assert len(rows) == 9
for r in rows:
    n = int(r["N"])
    if "antisymmetric" in r["path"]:
        assert abs(float(r["tau_rec"]) + 1) < 1e-12, r
    elif "symmetric" in r["path"]:
        assert abs(float(r["tau_rec"]) - 1) < 1e-12, r
    else:
        assert abs(float(r["tau_con"]) + 1 / (n - 1)) < 1e-12 / (n - 1), r
'
}

@test "motifs: the notebook's CSV matrix (save_matrix_csv) gives the .npy's values" {
	pyrun '
import csv
rng = np.random.default_rng(4)
w = rng.standard_normal((40, 40)) * (rng.random((40, 40)) < 0.3)
np.save("w.npy", w)
# the notebook writes str() of every element with the csv module
with open("w_matrix", "w", newline="") as f:
    wr = csv.writer(f)
    for row in w:
        wr.writerow([str(e) for e in row.flat])
'
	motifs w_matrix > csv.csv
	motifs w.npy > npy.csv
	run "$PY" "$REF" check csv.csv
	echo "$output"
	[ "$status" -eq 0 ]
	# same numbers from both formats: str() round-trips a double
	[ "$(cut -d, -f2- csv.csv)" = "$(cut -d, -f2- npy.csv)" ]
}

@test "motifs: a (L, N, N) stack gives one row per matrix, '<f4' too" {
	pyrun '
rng = np.random.default_rng(5)
s = rng.standard_normal((4, 30, 30))
np.save("s8.npy", s)
np.save("s4.npy", s.astype(np.float32))
for k in range(4):
    np.save("m%d.npy" % k, s[k])
'
	motifs s8.npy s4.npy > t.csv
	run "$PY" "$REF" check t.csv
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(cut -d, -f1-3 t.csv | tr '\n' ' ')" = "path,loop,N s8.npy,0,30 s8.npy,1,30 s8.npy,2,30 s8.npy,3,30 s4.npy,0,30 s4.npy,1,30 s4.npy,2,30 s4.npy,3,30 " ]
	# each matrix of the stack alone gives the same values
	motifs --no-header m0.npy m1.npy m2.npy m3.npy | cut -d, -f4- > alone
	sed -n '2,5p' t.csv | cut -d, -f4- > stacked
	cmp alone stacked
}

@test "motifs: stdin, --tag, column -t, and tables that concatenate" {
	pyrun 'np.savetxt("a.csv", np.random.default_rng(1).standard_normal((6, 6)), delimiter=",")'
	run sh -c 'cat a.csv | motifs --tag seed=0 -'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "seed,path,loop,N,sigma2,tau_rec,tau_div,tau_con,tau_chn,R" ]
	[[ "${lines[1]}" == "0,-,0,6,"* ]]
	[ "${#lines[@]}" -eq 2 ]
	# no file at all reads stdin too
	[ "$(motifs < a.csv | tail -1 | cut -d, -f2-)" = "$(motifs a.csv | tail -1 | cut -d, -f2-)" ]
	pyrun 'np.save("w.npy", np.random.default_rng(2).standard_normal((3, 8, 8)))'
	run sh -c 'motifs w.npy | column -t -s,'
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 4 ]
	[[ "${lines[0]}" == "path "*" R" ]]
	{
		motifs --tag seed=0 --tag pqif=0.5 w.npy
		motifs --tag seed=1 --tag pqif=0.5 --no-header w.npy
		motifs --tag seed=2 --tag pqif=0.5 --no-header a.csv
	} > all.csv
	pyrun '
import csv
rows = list(csv.reader(open("all.csv")))
assert rows[0] == ["seed", "pqif", "path", "loop", "N", "sigma2", "tau_rec",
                   "tau_div", "tau_con", "tau_chn", "R"], rows[0]
assert all(len(r) == 11 for r in rows)
assert [r[0] for r in rows[1:]] == list("0001112"), rows
assert np.isfinite(np.array([r[5:] for r in rows[1:]], dtype=float)).all()
'
}

@test "motifs: -o writes the table atomically; same input, same bytes" {
	pyrun 'np.save("w.npy", np.random.default_rng(3).standard_normal((2, 50, 50)))'
	motifs -o out.csv w.npy
	motifs w.npy > again.csv
	cmp out.csv again.csv
	assert_only w.npy out.csv again.csv
}

@test "motifs: R is the formula of MODEL.md on the row's own taus" {
	pyrun '
rng = np.random.default_rng(8)
np.save("g.npy", rng.standard_normal((50, 50)))
u = np.ones(20); u[0] = 5
np.save("r1.npy", np.outer(u, u))
a, b = rng.standard_normal(30), rng.standard_normal(30)
np.save("add.npy", a[:, None] + b[None, :] + 1e-3 * rng.standard_normal((30, 30)))
'
	motifs g.npy r1.npy add.npy > t.csv
	pyrun '
import csv
for r in csv.DictReader(open("t.csv")):
    g = {k: float(v) for k, v in r.items() if k != "path"}
    a = 1 - g["tau_div"] - g["tau_con"]
    assert a > 0, g
    want = np.sqrt(g["sigma2"]) * (a + g["tau_rec"] - 2 * g["tau_chn"]) / np.sqrt(a)
    assert abs(g["R"] - want) <= 1e-13 * abs(want), (g["R"], want)
'
}

@test "motifs: a sparse .npz (ours or save_npz's, from a file or a pipe) gives the dense matrix's values" {
	init-weights -N 300 -K 30 --seed 3 -o k.npz
	init-weights -N 300 -K 30 --seed 3 -o k.npy
	init-weights -N 150 -p 0.2 --seed 4 -o p.npz
	init-weights -N 150 -p 0.2 --seed 4 -o p.npy
	pyrun '
import scipy.sparse as sp
m = sp.load_npz("k.npz")
m64 = m.astype(np.float32)
m64.indices = m64.indices.astype(np.int64); m64.indptr = m64.indptr.astype(np.int64)
sp.save_npz("s.npz", m64)                        # deflated, int64, float32
np.save("s.npy", m64.toarray().astype(np.float64))'
	for f in k p s; do
		motifs --no-header $f.npz | cut -d, -f2- > sparse
		cat $f.npz | motifs --no-header | cut -d, -f2- > piped
		motifs --no-header - < $f.npz | cut -d, -f2- > redirected
		cmp sparse piped
		cmp sparse redirected
	done
	# the sparse sums (O(nnz)) and the dense ones (O(N^2)) agree to 1e-12,
	# and with the three-product definition
	motifs k.npz p.npz s.npz k.npy p.npy s.npy > t.csv
	run "$PY" "$REF" check t.csv
	echo "$output"
	[ "$status" -eq 0 ]
	# sparse against dense directly, with the reference'"'"'s scales (motifs_ref.py)
	pyrun '
import csv, importlib.util
spec = importlib.util.spec_from_file_location("ref", sys.argv[1])
ref = importlib.util.module_from_spec(spec); spec.loader.exec_module(ref)
rows = list(csv.DictReader(open("t.csv")))
for a, b in zip(rows[:3], rows[3:]):
    _, scales = ref.motifs(np.load(b["path"]))
    for c, sc in zip(ref.COLS, scales):
        x, y = float(a[c]), float(b[c])
        assert abs(x - y) <= 1e-12 * max(abs(y), sc), (a["path"], c, x, y)
' "$REF"
}

@test "motifs: a bad .npz is one line, status 1, no table" {
	pyrun '
import io, zipfile, scipy.sparse as sp
m = sp.random(6, 6, density=0.5, format="csr", random_state=1)
def npy(a):
    b = io.BytesIO(); np.save(b, a); return b.getvalue()
def save(name, **kw):
    d = dict(indices=m.indices, indptr=m.indptr, format=np.array(b"csr"),
             shape=np.array(m.shape), data=m.data)
    d.update(kw)
    with zipfile.ZipFile(name, "w", zipfile.ZIP_DEFLATED) as z:
        for k, v in d.items():
            if v is not None:
                z.writestr(k + ".npy", v if isinstance(v, bytes) else npy(v))
save("good.npz")
sp.save_npz("csc.npz", m.tocsc())
sp.save_npz("rect.npz", sp.random(4, 5, density=0.5, format="csr", random_state=1))
ind = m.indices.copy(); ind[[0, 1]] = ind[[1, 0]]
save("unsorted.npz", indices=ind)
ind = m.indices.copy(); ind[-1] = 6
save("range.npz", indices=ind)
save("noptr.npz", indptr=None)
save("bomb.npz", data=npy(m.data) + bytes(8 << 20))
raw = open("good.npz", "rb").read()
open("truncated.npz", "wb").write(raw[:-30])
big = sp.csr_matrix(([1.0], ([0], [1])), shape=(20001, 20001))
sp.save_npz("big.npz", big)'
	motifs good.npz > /dev/null
	assert_fails 1 "motifs: csc.npz: not a CSR matrix (format 'csc')" motifs -o out.csv csc.npz
	assert_fails 1 "motifs: rect.npz: not a square matrix: shape (4, 5)" motifs -o out.csv rect.npz
	assert_fails 1 "motifs: unsorted.npz: row 0: column indices are not strictly increasing" motifs -o out.csv unsorted.npz
	assert_fails 1 "motifs: range.npz: row 5: column index 6 is out of range (6 columns)" motifs -o out.csv range.npz
	assert_fails 1 "motifs: noptr.npz: missing member 'indptr.npy'" motifs -o out.csv noptr.npz
	assert_fails 1 "motifs: bomb.npz: member 'data.npy' declares" motifs -o out.csv bomb.npz
	assert_fails 1 "motifs: truncated.npz: not a .npz (zip) file, or truncated" motifs -o out.csv truncated.npz
	assert_fails 1 "motifs: -: not a .npz (zip) file, or truncated" motifs -o out.csv - < truncated.npz
	# a file of any size is read sparse; a pipe goes through the dense reader
	motifs big.npz > /dev/null
	assert_fails 1 "motifs: -: N = 20001 is too large to densify (at most 20000)" sh -c 'cat big.npz | motifs -o out.csv -'
	run motifs unsorted.npz
	[ "${#lines[@]}" -eq 1 ]
	# nothing but the inputs: no table, no temporary
	[ -z "$(ls -A | grep -v '\.npz$' || true)" ]
}

@test "motifs: usage errors exit 2" {
	assert_fails 2 "motifs: unrecognized option '--bogus'" motifs --bogus
	assert_fails 2 "motifs: --tag: 'x' is not KEY=VALUE" motifs --tag x
	assert_fails 2 "motifs: stdin ('-') can be read only once" motifs - -
}

@test "motifs: man page passes mandoc -Tlint and groff -ww" {
	run mandoc -Tlint -W warning "$ROOT/man/man1/motifs.1"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run groff -ww -z -man "$ROOT/man/man1/motifs.1"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "motifs: reads a run directory's weights.npy (row-centred start: tau_con = -1/(N-1))" {
	command -v simulate-train > /dev/null || skip "simulate-train is not built"
	init-weights -N 40 --seed 2 -o w.npy
	gen-target -N 40 --steps 300 --seed 2 -o t.npy
	simulate-train -w w.npy -t t.npy -o run --loops 3 --train-loops 1 --stim-steps 50 -q
	motifs --tag seed=2 run/weights.npy w.npy > t.csv
	[ "$(cut -d, -f1-4 t.csv | tr '\n' ' ')" = "seed,path,loop,N 2,run/weights.npy,0,40 2,run/weights.npy,1,40 2,run/weights.npy,2,40 2,w.npy,0,40 " ]
	run "$PY" "$REF" check t.csv
	echo "$output"
	[ "$status" -eq 0 ]
	close_con=$(tail -1 t.csv | cut -d, -f8)
	pyrun 'assert abs(float(sys.argv[1]) + 1 / 39) < 1e-14, sys.argv[1]' "$close_con"
}

@test "motifs: the table's names survive numpy.genfromtxt(names=True); --tag refuses a key that is a column or given twice" {
	pyrun 'np.save("w.npy", np.random.default_rng(8).standard_normal((3, 9, 9)))'
	motifs --tag pqif=0.5 --tag seed=1 w.npy > t.csv
	pyrun '
import csv
head = next(csv.reader(open("t.csv")))
t = np.genfromtxt("t.csv", delimiter=",", names=True, dtype=None, encoding="utf-8")
assert list(t.dtype.names) == head, (t.dtype.names, head)
assert list(t["loop"]) == [0, 1, 2] and list(t["path"]) == ["w.npy"] * 3
'
	for key in loop path N tau_rec; do
		assert_fails 2 "motifs: --tag: key '$key' is already a column of the table" \
			motifs -o out.csv --tag "$key=1" w.npy
	done
	assert_fails 2 "motifs: --tag: key 'seed' is given twice" \
		motifs -o out.csv --tag seed=1 --tag seed=2 w.npy
	[ ! -e out.csv ]
}

@test "motifs: npy-cat's print of a stack: its index column named in the error; back through npy-from-csv --stack" {
	pyrun 'np.save("w.npy", np.random.default_rng(9).standard_normal((3, 8, 8)))'
	npy-cat --slices 2 w.npy > w2.csv
	assert_fails 1 "motifs: w2.csv: not a square matrix: shape (8, 9) (npy-cat's index column first? cut -d, -f2- drops it" \
		motifs w2.csv
	[ "$(npy-from-csv --stack < w2.csv | motifs | tail -1 | cut -d, -f3-)" = "$(motifs w.npy | tail -1 | cut -d, -f3-)" ]
}

@test "motifs: sparse .npz in O(nnz) equals the three-product definition to 1e-12: reciprocal pairs, empty rows, stored zeros, a large mean, N = 2" {
	pyrun '
import scipy.sparse as sp
rng = np.random.default_rng(11)
def save(name, w, stored_zeros=0, **kw):
    m = sp.csr_matrix(w)
    if stored_zeros:
        # explicit zeros: entries of the structure whose value is 0
        z = sp.random(*w.shape, density=stored_zeros, format="csr", random_state=3)
        m = (m + z).tocsr(); m.data[np.isin(np.arange(m.nnz), rng.choice(m.nnz, m.nnz // 5))] = 0
        m.sort_indices()
    sp.save_npz(name, m, **kw)
def sparse(n, d, sym=False, recip=False):
    a = rng.standard_normal((n, n)) * (rng.random((n, n)) < d)
    if recip or sym:
        mask = np.triu(rng.random((n, n)) < d, 1); mask = mask | mask.T
        a = rng.standard_normal((n, n)) * mask
        if sym: a = np.triu(a, 1); a = a + a.T
    return a
save("random.npz", sparse(300, 0.05))
save("recip.npz", sparse(200, 0.1, recip=True))
save("sym.npz", sparse(150, 0.2, sym=True), compressed=False)
e = sparse(250, 0.08) + 3 * (rng.random((250, 250)) < 0.08)
e[::7] = 0; e[:, ::5] = 0; np.fill_diagonal(e, 2 + rng.random(250))
save("empty.npz", e)                              # empty rows and columns, a diagonal, mean >> 0
save("zeros.npz", sparse(120, 0.1), stored_zeros=0.05)
save("two.npz", np.array([[0.5, -1.0], [2.0, 0.0]]))
save("tworecip.npz", np.array([[0.0, 1.5], [-0.25, 0.0]]))
save("dense.npz", rng.standard_normal((60, 60)) + 0.7)   # every entry stored
'
	motifs random.npz recip.npz sym.npz empty.npz zeros.npz two.npz tworecip.npz dense.npz > t.csv
	[ "$(wc -l < t.csv)" -eq 9 ]
	run "$PY" "$REF" check t.csv
	echo "$output"
	[ "$status" -eq 0 ]
	# an exactly symmetric matrix: tau_rec = 1
	pyrun '
import csv
r = {x["path"]: x for x in csv.DictReader(open("t.csv"))}
assert abs(float(r["sym.npz"]["tau_rec"]) - 1) < 1e-12, r["sym.npz"]
'
}

@test "motifs: --threads gives the same bytes; a stored .npz (mapped) and its compressed copy (read) too" {
	init-weights -N 3000 -K 40 --seed 5 -o w.npz
	pyrun 'import scipy.sparse as sp; sp.save_npz("wc.npz", sp.load_npz("w.npz"))'
	motifs --no-header w.npz | cut -d, -f2- > one
	motifs --no-header --threads 2 w.npz | cut -d, -f2- > two
	motifs --no-header --threads 3 w.npz | cut -d, -f2- > three
	motifs --no-header --threads 2 wc.npz | cut -d, -f2- > comp
	cmp one two
	cmp one three
	cmp one comp
	assert_fails 2 "motifs: --threads: 0 is out of range" motifs --threads 0 w.npz
}

@test "motifs: a run directory, dense or sparse weights record, loops from --record-loops" {
	command -v simulate-train > /dev/null || skip "simulate-train is not built"
	init-weights -N 60 -K 8 --seed 4 -o ws.npz
	init-weights -N 60 -p 0.2 --seed 4 -o wd.npy
	gen-target -N 60 --steps 200 --seed 4 -o t.npy
	simulate-train -q -w ws.npz -t t.npy -o sparse --loops 4 --train-loops 2 --stim-steps 40 \
		--plastic 3 --record-loops 0,2,last
	simulate-train -q -w ws.npz -t t.npy -o sparseall --loops 3 --train-loops 1 --stim-steps 40
	simulate-train -q -w wd.npy -t t.npy -o dense --loops 4 --train-loops 2 --stim-steps 40 \
		--record-loops 1,last
	motifs --tag seed=4 sparse sparseall dense > t.csv
	[ "$(cut -d, -f1-4 t.csv | tr '\n' ' ')" = "seed,path,loop,N 4,sparse,0,60 4,sparse,2,60 4,sparse,3,60 4,sparseall,0,60 4,sparseall,1,60 4,sparseall,2,60 4,dense,1,60 4,dense,3,60 " ]
	run "$PY" "$REF" check t.csv
	echo "$output"
	[ "$status" -eq 0 ]
	# the record's loop 0 is W0 trained for no loop: the input's motifs
	[ "$(sed -n 2p t.csv | cut -d, -f5-)" != "$(sed -n 3p t.csv | cut -d, -f5-)" ]
	# the dense record read as a file: the same values, loops as indices
	[ "$(motifs --no-header dense/weights.npy | cut -d, -f4- | tr '\n' ' ')" = "$(tail -2 t.csv | cut -d, -f5- | tr '\n' ' ')" ]
}

