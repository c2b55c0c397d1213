#!/usr/bin/env bats
# dpr: PR against closed forms, PR_bc against a NumPy transcription of
# MODEL.md (tests/ref/dpr_ref.py), the bias correction on synthetic data,
# input formats, options and errors.

load helpers

REF="$ROOT/tests/ref/dpr_ref.py"

# close A B REL: |A - B| <= REL * |B|
close() {
	pyrun 'a, b, rel = map(float, sys.argv[1:4])
assert abs(a - b) <= rel * abs(b), "%r vs %r (rel %g)" % (a, b, abs(a - b) / abs(b))' "$@"
}

@test "dpr: --help and --version" {
	run dpr --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"Usage: dpr"* ]]
	run dpr --version
	[ "$status" -eq 0 ]
	[[ "$output" == "dpr (forcenet) "* ]]
}

@test "dpr: PR of known covariances: isotropic = N, k equal components = k, a spectrum = its closed form (1e-12)" {
	pyrun '
rng = np.random.default_rng(1)
n = 60
np.save("iso.npy", 2.5 * np.eye(n))
d = np.zeros(n); d[:7] = 3.0
q, _ = np.linalg.qr(rng.standard_normal((n, n)))
np.save("k7.npy", (q * d) @ q.T)
lam = np.exp(-np.arange(n) / 10.0)
c = (q * lam) @ q.T
np.save("spec.npy", (c + c.T) / 2)
print("%.17g" % (lam.sum() ** 2 / (lam ** 2).sum()))
' > want
	dpr --covariance --samples 1000 iso.npy k7.npy spec.npy > t.csv
	close "$(sed -n 2p t.csv | cut -d, -f6)" 60 1e-12
	close "$(sed -n 3p t.csv | cut -d, -f6)" 7 1e-12
	close "$(sed -n 4p t.csv | cut -d, -f6)" "$(cat want)" 1e-12
	[ "$(sed -n 2p t.csv | cut -d, -f1-5)" = "iso.npy,0,60,nan,1000" ]
}

@test "dpr: PR of activity with an exactly known sample covariance (1e-10)" {
	pyrun '
rng = np.random.default_rng(2)
m, n = 400, 40
# columns orthonormal and orthogonal to the constant vector: centred,
# uncorrelated, so the sample covariance is exactly V diag(lam) V^T
u, _ = np.linalg.qr(np.column_stack([np.ones(m), rng.standard_normal((m, n))]))
u = u[:, 1:]
v, _ = np.linalg.qr(rng.standard_normal((n, n)))
lam = 1.0 / (1 + np.arange(n))
x = np.sqrt(m - 1) * (u * np.sqrt(lam)) @ v.T + 5.0
np.save("x.npy", x)
# k = 5 equal components on neurons 0..4, the others constant
y = np.zeros((m, n)) + 1.5
y[:, :5] = np.sqrt(m - 1) * u[:, :5] * 2.0
np.save("y.npy", y)
print("%.17g" % (lam.sum() ** 2 / (lam ** 2).sum()))
' > want
	dpr x.npy y.npy > t.csv
	close "$(sed -n 2p t.csv | cut -d, -f6)" "$(cat want)" 1e-10
	close "$(sed -n 3p t.csv | cut -d, -f6)" 5 1e-10
	# default M = samples / 50
	[ "$(sed -n 2p t.csv | cut -d, -f1-5)" = "x.npy,0,40,400,8" ]
}

@test "dpr: PR and PR_bc equal the NumPy transcription of MODEL.md to 1e-12" {
	pyrun '
rng = np.random.default_rng(3)
a = rng.standard_normal((50, 50))
np.save("cov.npy", a @ a.T / 50 + 0.1 * np.ones((50, 50)))
np.save("act.npy", rng.standard_normal((3, 700, 30)) @ rng.standard_normal((30, 30)) + 1.0)
'
	dpr --covariance --samples 37.5 cov.npy | tail -n +2 | cut -d, -f2,6,7 > got
	"$PY" "$REF" cov cov.npy 37.5 > want
	dpr --skip 100 --samples 12 act.npy | tail -n +2 | cut -d, -f2,6,7 >> got
	"$PY" "$REF" act act.npy 100 12 >> want
	pyrun '
g = np.loadtxt("got", delimiter=","); w = np.loadtxt("want", delimiter=",")
assert g.shape == w.shape == (4, 3), (g.shape, w.shape)
assert (g[:, 0] == w[:, 0]).all()
rel = np.abs(g[:, 1:] - w[:, 1:]) / np.abs(w[:, 1:])
print("worst relative difference", rel.max())
assert (rel <= 1e-12).all(), rel
'
}

@test "dpr: on Gaussian data of known covariance, PR_bc is closer to the truth than PR (fixed seed)" {
	# N = 100 neurons, 200 independent samples (M = 200), eigenvalues
	# exp(-k/20) in a random basis: true PR 39.47.  Margin: the error of
	# PR_bc must be under half the error of PR, in each of 5 draws.
	pyrun '
rng = np.random.default_rng(20261125)
n, m = 100, 200
q, _ = np.linalg.qr(rng.standard_normal((n, n)))
lam = np.exp(-np.arange(n) / 20.0)
l = np.linalg.cholesky((q * lam) @ q.T)
np.save("x.npy", np.stack([rng.standard_normal((m, n)) @ l.T for _ in range(5)]))
print("%.17g" % (lam.sum() ** 2 / (lam ** 2).sum()))
' > truth
	dpr --samples 200 x.npy > t.csv
	pyrun '
import csv
truth = float(open("truth").read())
for r in csv.DictReader(open("t.csv")):
    pr, bc = float(r["PR"]), float(r["PR_bc"])
    print("loop %s: truth %.3f PR %.3f PR_bc %.3f" % (r["loop"], truth, pr, bc))
    assert abs(bc - truth) < 0.5 * abs(pr - truth), r
'
}

@test "dpr: --skip, --loops, --samples, --corr-steps" {
	pyrun '
rng = np.random.default_rng(4)
np.save("x.npy", rng.standard_normal((16, 300, 20)))
'
	run dpr --skip 100 --loops 0,11-13 x.npy
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "path,loop,N,samples,M,PR,PR_bc" ]
	[ "$(printf '%s\n' "${lines[@]}" | cut -d, -f2-5 | tr '\n' ' ')" = "loop,N,samples,M 0,20,200,4 11,20,200,4 12,20,200,4 13,20,200,4 " ]
	# the same loops through the reference, by hand
	"$PY" "$REF" act x.npy 100 4 | sed -n '1p;12,14p' | cut -d, -f2 > want
	printf '%s\n' "${lines[@]}" | tail -n +2 | cut -d, -f6 > got
	pyrun 'g, w = np.loadtxt("got"), np.loadtxt("want")
assert np.allclose(g, w, rtol=1e-12, atol=0), (g, w)'
	run dpr --skip 100 --corr-steps 25 --loops 2 x.npy
	[ "$(echo "${lines[1]}" | cut -d, -f2-5)" = "2,20,200,8" ]
	run dpr --skip 10 --samples 2.5 --loops 15 x.npy
	[ "$(echo "${lines[1]}" | cut -d, -f2-5)" = "15,20,290,2.5" ]
	# loops given out of order or twice come out once, in file order
	run dpr --loops 5,1-2,2 x.npy
	[ "$(printf '%s\n' "${lines[@]}" | tail -n +2 | cut -d, -f2 | tr '\n' ' ')" = "1 2 5 " ]
}

@test "dpr: the notebook's outputs CSV (np.savetxt) and '<f4' stacks" {
	pyrun '
rng = np.random.default_rng(5)
x = rng.standard_normal((600, 25)).cumsum(axis=0)
np.save("x.npy", x)
with open("outputs.csv", "w") as f:
    for row in x:
        np.savetxt(f, row.reshape(1, -1), delimiter=",")
s = rng.standard_normal((3, 400, 10))
np.save("s4.npy", s.astype(np.float32))
np.save("s8.npy", s.astype(np.float32).astype(np.float64))
'
	[ "$(dpr --skip 100 outputs.csv | cut -d, -f2-)" = "$(dpr --skip 100 x.npy | cut -d, -f2-)" ]
	[ "$(dpr s4.npy | cut -d, -f2-)" = "$(dpr s8.npy | cut -d, -f2-)" ]
}

@test "dpr: --spectrum writes the covariance eigenvalues in decreasing order" {
	pyrun 'np.save("x.npy", np.random.default_rng(6).standard_normal((2, 500, 12)) * np.arange(1, 13))'
	dpr --tag seed=3 --skip 50 --spectrum ev.csv x.npy > t.csv
	[ "$(head -1 ev.csv)" = "seed,path,loop,rank,eigenvalue" ]
	[ "$(wc -l < ev.csv)" -eq 25 ]
	pyrun '
import csv
x = np.load("x.npy")
rows = list(csv.DictReader(open("ev.csv")))
for k in range(2):
    want = np.sort(np.linalg.eigvalsh(np.cov(x[k, 50:].T)))[::-1]
    got = np.array([float(r["eigenvalue"]) for r in rows if r["loop"] == str(k)])
    assert [r["rank"] for r in rows if r["loop"] == str(k)] == [str(i) for i in range(1, 13)]
    assert np.allclose(got, want, rtol=0, atol=1e-12 * want[0]), (got, want)
    assert all(r["seed"] == "3" and r["path"] == "x.npy" for r in rows)
'
}

@test "dpr: stdin, --tag, --no-header; tables concatenate; same bytes with more BLAS threads" {
	pyrun 'np.save("x.npy", np.random.default_rng(7).standard_normal((4, 300, 50)))'
	cat x.npy | dpr --tag pqif=0.5 --tag seed=0 - > a.csv
	dpr --tag pqif=0.5 --tag seed=1 --no-header < x.npy >> a.csv
	[ "$(head -1 a.csv)" = "pqif,seed,path,loop,N,samples,M,PR,PR_bc" ]
	[ "$(wc -l < a.csv)" -eq 9 ]
	[ "$(cut -d, -f2 a.csv | sort | uniq -c | awk '{print $1}' | tr '\n' ' ')" = "4 4 1 " ]
	dpr x.npy > one.csv
	OPENBLAS_NUM_THREADS=2 OMP_NUM_THREADS=2 dpr x.npy > two.csv
	cmp one.csv two.csv
	dpr -o out.csv x.npy
	cmp one.csv out.csv
}

@test "dpr: usage errors exit 2" {
	assert_fails 2 "dpr: --samples: M = 1: the bias correction needs M > 1" dpr --samples 1 x.npy
	assert_fails 2 "dpr: --samples: M = 0.5: the bias correction needs M > 1" dpr --samples 0.5 x.npy
	assert_fails 2 "dpr: --samples: 'many' is not a number" dpr --samples many x.npy
	assert_fails 2 "dpr: --corr-steps: 0 is not positive" dpr --corr-steps 0 x.npy
	assert_fails 2 "dpr: --skip: -1 is out of range" dpr --skip -1 x.npy
	assert_fails 2 "dpr: --loops: '1,,2' is not a list like 0,11-15" dpr --loops 1,,2 x.npy
	assert_fails 2 "dpr: --loops: 5-2 is an empty range" dpr --loops 5-2 x.npy
	assert_fails 2 "dpr: --covariance needs --samples M" dpr --covariance c.npy
	assert_fails 2 "dpr: --skip does not apply to --covariance" dpr --covariance --samples 5 --skip 3 c.npy
	assert_fails 2 "dpr: --spectrum: '-' is also the table's output" dpr --spectrum - x.npy
	assert_fails 2 "dpr: unrecognized option '--bogus'" dpr --bogus
}

@test "dpr: man page passes mandoc -Tlint and groff -ww" {
	run mandoc -Tlint -W warning "$ROOT/man/man1/dpr.1"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run groff -ww -z -man "$ROOT/man/man1/dpr.1"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "dpr: reads a run directory's '<f4' outputs.npy" {
	command -v simulate-train > /dev/null || skip "simulate-train is not built"
	init-weights -N 40 --seed 2 -o w.npy
	gen-target -N 40 --steps 300 --seed 2 -o t.npy
	simulate-train -w w.npy -t t.npy -o run --loops 3 --train-loops 1 --stim-steps 50 --float32 -q
	dpr --skip 50 --corr-steps 25 run/outputs.npy > t.csv
	[ "$(cut -d, -f2-5 t.csv | tr '\n' ' ')" = "loop,N,samples,M 0,40,250,10 1,40,250,10 2,40,250,10 " ]
	tail -n +2 t.csv | cut -d, -f2,6,7 > got
	"$PY" "$REF" act run/outputs.npy 50 10 > want
	pyrun 'g, w = np.loadtxt("got", delimiter=","), np.loadtxt("want", delimiter=",")
assert np.allclose(g, w, rtol=1e-12, atol=0), (g, w)'
}

@test "dpr: N = 2 gives PR, and PR_bc as nan (documented: N(N-1)-2 = 0)" {
	pyrun 'np.save("c.npy", np.array([[2.0, 0.5], [0.5, 1.0]]))'
	run dpr --covariance --samples 10 c.npy
	[ "$status" -eq 0 ]
	[[ "${lines[1]}" == "c.npy,0,2,nan,10,"*",nan" ]]
	close "$(echo "${lines[1]}" | cut -d, -f6)" "$(pyrun 'print(9 / 5.5)')" 1e-15
}

@test "dpr: the tables' names survive numpy.genfromtxt(names=True); --tag refuses a key that is a column or given twice" {
	pyrun 'np.save("x.npy", np.random.default_rng(9).standard_normal((2, 300, 12)))'
	dpr --tag pqif=0.5 --spectrum ev.csv x.npy > t.csv
	pyrun '
import csv
for f in ("t.csv", "ev.csv"):
    head = next(csv.reader(open(f)))
    t = np.genfromtxt(f, delimiter=",", names=True, dtype=None, encoding="utf-8")
    assert list(t.dtype.names) == head, (t.dtype.names, head)
    assert set(t["loop"]) == {0, 1} and set(t["path"]) == {"x.npy"}
'
	for key in path loop PR_bc; do
		assert_fails 2 "dpr: --tag: key '$key' is already a column of the table" \
			dpr -o out.csv --tag "$key=1" x.npy
	done
	# the spectrum's columns too, when it is asked for
	assert_fails 2 "dpr: --tag: key 'rank' is already a column of the spectrum" \
		dpr -o out.csv --spectrum s.csv --tag rank=1 x.npy
	dpr -o out.csv --tag rank=1 x.npy
	assert_fails 2 "dpr: --tag: key 'a' is given twice" \
		dpr -o out2.csv --tag a=1 --tag a=1 x.npy
	[ ! -e out2.csv ] && [ ! -e s.csv ]
}

@test "dpr: warns when a loop has fewer samples than neurons (a transposed array?), or a CSV's column 1 looks like npy-cat's index" {
	pyrun '
rng = np.random.default_rng(10)
np.save("wide.npy", rng.standard_normal((50, 2000)))
np.save("x.npy", rng.standard_normal((3, 300, 20)))
'
	dpr --samples 10 wide.npy > t.csv 2> err
	cat err
	[ "$(wc -l < err)" -eq 1 ]
	grep -q "^dpr: wide.npy: 2000 neurons but 50 samples: PR cannot exceed the samples" err
	[ "$(tail -1 t.csv | cut -d, -f3,4)" = "2000,50" ]
	dpr -q --samples 10 wide.npy 2> err
	[ ! -s err ]
	dpr x.npy > /dev/null 2> err
	[ ! -s err ]
	# npy-cat's print of one loop: its index column is taken as a neuron, and said so
	npy-cat --slices 1 x.npy | dpr - > t.csv 2> err
	cat err
	grep -q "^dpr: -: column 1 holds whole numbers in order, like the index npy-cat prints" err
	[ "$(tail -1 t.csv | cut -d, -f3)" = "21" ]
	# read back as a stack, it is loop 1 again
	npy-cat --slices 1 x.npy | npy-from-csv --stack | dpr - > t.csv 2> err
	[ ! -s err ]
	[ "$(tail -1 t.csv | cut -d, -f3-)" = "$(dpr --loops 1 x.npy | tail -1 | cut -d, -f3-)" ]
	# the same without the index column: no note
	npy-cat --slices 1 x.npy | cut -d, -f2- | dpr - > /dev/null 2> err
	[ ! -s err ]
}
