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
	# (-q: white noise read with the wrong M gets flagged, on stderr too)
	run dpr -q --skip 100 --loops 0,11-13 x.npy
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "path,loop,N,samples,M,PR,PR_bc,M_from,flag" ]
	[ "$(printf '%s\n' "${lines[@]}" | cut -d, -f2-5 | tr '\n' ' ')" = "loop,N,samples,M 0,20,200,4 11,20,200,4 12,20,200,4 13,20,200,4 " ]
	# the same loops through the reference, by hand
	"$PY" "$REF" act x.npy 100 4 | sed -n '1p;12,14p' | cut -d, -f2 > want
	printf '%s\n' "${lines[@]}" | tail -n +2 | cut -d, -f6 > got
	pyrun 'g, w = np.loadtxt("got"), np.loadtxt("want")
assert np.allclose(g, w, rtol=1e-12, atol=0), (g, w)'
	run dpr -q --skip 100 --corr-steps 25 --loops 2 x.npy
	[ "$(echo "${lines[1]}" | cut -d, -f2-5,8)" = "2,20,200,8,corr-steps" ]
	run dpr -q --skip 10 --samples 2.5 --loops 15 x.npy
	[ "$(echo "${lines[1]}" | cut -d, -f2-5,8)" = "15,20,290,2.5,given" ]
	# loops given out of order or twice come out once, in file order
	run dpr -q --loops 5,1-2,2 x.npy
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
	[ "$(head -1 a.csv)" = "pqif,seed,path,loop,N,samples,M,PR,PR_bc,M_from,flag" ]
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
	run dpr -q --covariance --samples 10 c.npy
	[ "$status" -eq 0 ]
	[[ "${lines[1]}" == "c.npy,0,2,nan,10,"*",nan,given,nan" ]]
	dpr --covariance --samples 10 c.npy 2>&1 >/dev/null | grep -q "^dpr: c.npy: loop 0: PR_bc is not a number (N = 2) (flag nan; see dpr(1))$"
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
# independent samples of a spread of variances: PR_bc well within [1, N]
np.save("x.npy", rng.standard_normal((3, 300, 20)) * np.arange(1, 21))
'
	dpr --samples 10 wide.npy > t.csv 2> err
	cat err
	[ "$(grep -c "^dpr: wide.npy: 2000 neurons but 50 samples: PR cannot exceed the samples" err)" -eq 1 ]
	[ "$(tail -1 t.csv | cut -d, -f3,4)" = "2000,50" ]
	dpr -q --samples 10 wide.npy 2> err
	[ ! -s err ]
	dpr --samples 300 x.npy > /dev/null 2> err
	[ ! -s err ]
	# npy-cat's print of one loop: its index column is taken as a neuron, and said so
	npy-cat --slices 1 x.npy | dpr --samples 300 - > t.csv 2> err
	cat err
	grep -q "^dpr: -: column 1 holds whole numbers in order, like the index npy-cat prints" err
	[ "$(tail -1 t.csv | cut -d, -f3)" = "21" ]
	# read back as a stack, it is loop 1 again
	npy-cat --slices 1 x.npy | npy-from-csv --stack | dpr --samples 300 - > t.csv 2> err
	[ ! -s err ]
	[ "$(tail -1 t.csv | cut -d, -f3-)" = "$(dpr --samples 300 --loops 1 x.npy | tail -1 | cut -d, -f3-)" ]
	# the same without the index column: no note
	npy-cat --slices 1 x.npy | cut -d, -f2- | dpr --samples 300 - > /dev/null 2> err
	[ ! -s err ]
}

@test "dpr: the Gram route (samples x samples) equals np.cov's PR and PR_bc to 1e-10, fewer or more samples than neurons; auto takes it when samples < N" {
	pyrun '
rng = np.random.default_rng(12)
a = rng.standard_normal((2, 300, 40)) @ rng.standard_normal((40, 40)) + 2.0
a[:, :, 5] = 1.5                           # a constant neuron
np.save("more.npy", a)                     # samples > N
b = rng.standard_normal((2, 30, 120)) @ rng.standard_normal((120, 120)) * 0.1 + 0.3
np.save("fewer.npy", b)                    # samples < N
'
	for f in more fewer; do
		for r in gram covariance auto; do
			dpr -q --route $r --samples 7.5 $f.npy | tail -n +2 | cut -d, -f2,6,7 > $f.$r
		done
		"$PY" "$REF" act $f.npy 0 7.5 > $f.want
		pyrun '
w = np.loadtxt(sys.argv[1] + ".want", delimiter=",")
for r in ("gram", "covariance"):
    g = np.loadtxt(sys.argv[1] + "." + r, delimiter=",")
    rel = np.abs(g[:, 1:] - w[:, 1:]) / np.abs(w[:, 1:])
    print(sys.argv[1], r, "worst relative difference", rel.max())
    assert (rel <= 1e-10).all(), (r, g, w)
' $f
	done
	cmp fewer.auto fewer.gram
	cmp more.auto more.covariance
}

@test "dpr: --spectrum through the Gram route: the covariance's eigenvalues, then zeros" {
	pyrun 'np.save("x.npy", np.random.default_rng(13).standard_normal((1, 25, 60)) * np.linspace(1, 3, 60))'
	dpr -q --samples 5 --spectrum ev.csv x.npy > /dev/null
	[ "$(wc -l < ev.csv)" -eq 61 ]
	pyrun '
import csv
x = np.load("x.npy")[0]
want = np.sort(np.linalg.eigvalsh(np.cov(x.T)))[::-1]
got = np.array([float(r["eigenvalue"]) for r in csv.DictReader(open("ev.csv"))])
assert np.allclose(got, want, rtol=0, atol=1e-10 * want[0]), (got, want)
assert (got[25:] == 0).all() and (got[:24] > 0).all()
'
}

@test "dpr: --samples auto is Bartlett's M = samples / (1 + 2 sum rho^2) over Sokal's window, as NumPy computes it, on both routes" {
	pyrun '
rng = np.random.default_rng(14)
z = rng.standard_normal((2, 700, 30))
for t in range(1, 700):                    # AR(1), rho 0.8, through a mixing matrix
    z[:, t] = 0.8 * z[:, t - 1] + 0.6 * z[:, t]
np.save("x.npy", z @ rng.standard_normal((30, 30)) + 1.0)
def ess(x):
    x = x - x.mean(axis=0)
    m = x.shape[0]
    s = np.array([np.sum(x[: m - k] * x[k:]) for k in range(m)])
    tau2 = 1.0
    for w in range(1, m):
        rho = s[w] / s[0]
        tau2 += 2 * rho * rho
        if w >= 5 * tau2:
            break
    return m / tau2
x = np.load("x.npy")
with open("want", "w") as f:
    for k in range(2):
        f.write("%.17g\n%.17g\n" % (ess(x[k, 100:]), ess(x[k, 680:])))
'
	dpr -q --samples auto --skip 100 x.npy | tail -n +2 > cov.csv
	dpr -q --samples auto --skip 680 x.npy | tail -n +2 > gram.csv
	[ "$(cut -d, -f8 cov.csv gram.csv | sort -u)" = "auto" ]
	paste -d'\n' <(cut -d, -f5 cov.csv) <(cut -d, -f5 gram.csv) > got
	pyrun '
g, w = np.loadtxt("got"), np.loadtxt("want")
print("M", g, "want", w)
assert np.allclose(g, w, rtol=1e-9, atol=0), (g, w)
# AR(1) with rho = 0.8: M is about samples (1 - rho^2)/(1 + rho^2) = 0.22 samples
assert abs(g[0] / 600 - 0.36 / 1.64) < 0.05, g[0]
'
}

@test "dpr: --samples auto recovers the true PR of AR(1) activity (rho 0, 0.5, 0.9) within 3% over 20 draws; M = samples does not (rho 0.5, 0.9)" {
	# 100 neurons, covariance of eigenvalues exp(-k/25) in a random basis
	# (true PR 48.2), every neuron the AR(1) process of coefficient rho, so
	# M_eff = samples (1 - rho^2)/(1 + rho^2): 600 samples per draw at
	# rho 0 (M_eff 600), 400 at 0.5 (240), 1500 at 0.9 (157), where the
	# correction with M = samples is off by 8% and 22% and stays
	# meaningful with M_eff (PR_bc moves by less than M).  Tolerance: 3% of
	# the truth on the mean of 20 draws (standard error 0.2-0.6%; the
	# estimate of M runs 1-4% high at rho 0.9), and M within 10% of M_eff.
	# Fixed seed.
	pyrun '
rng = np.random.default_rng(20261204)
n, R = 100, 20
q, _ = np.linalg.qr(rng.standard_normal((n, n)))
lam = np.exp(-np.arange(n) / 25.0)
l = q * np.sqrt(lam)
print("%.17g" % (lam.sum() ** 2 / (lam ** 2).sum()))
for rho, S in ((0.0, 600), (0.5, 400), (0.9, 1500)):
    xi = rng.standard_normal((R, S + 100, n))
    z = np.empty_like(xi)
    z[:, 0] = xi[:, 0]
    for t in range(1, S + 100):
        z[:, t] = rho * z[:, t - 1] + np.sqrt(1 - rho * rho) * xi[:, t]
    np.save("ar%g.npy" % rho, z[:, 100:] @ l.T)
' > truth
	for rs in 0:600 0.5:400 0.9:1500; do
		dpr -q --samples auto ar${rs%:*}.npy > auto${rs%:*}.csv
		dpr -q --samples ${rs#*:} ar${rs%:*}.npy > fixed${rs%:*}.csv
	done
	pyrun '
import csv
truth = float(open("truth").read())
def mean(f, col):
    return np.mean([float(r[col]) for r in csv.DictReader(open(f))])
for rho, S in (("0", 600), ("0.5", 400), ("0.9", 1500)):
    r = float(rho)
    a, fx, M = mean("auto%s.csv" % rho, "PR_bc"), mean("fixed%s.csv" % rho, "PR_bc"), mean("auto%s.csv" % rho, "M")
    meff = S * (1 - r * r) / (1 + r * r)
    print("rho %s: truth %.3f, PR_bc auto %.3f (M %.1f, M_eff %.1f), M = samples %.3f" % (rho, truth, a, M, meff, fx))
    assert abs(a - truth) < 0.03 * truth, ("auto", rho, a)
    assert abs(M - meff) < 0.1 * meff, ("M", rho, M)
    if r > 0:
        assert abs(fx - truth) > 0.03 * truth, ("fixed", rho, fx)
    assert {x["flag"] for x in csv.DictReader(open("auto%s.csv" % rho))} == {"ok"}
'
}

@test "dpr: the flag column and the warnings: PR_bc below 1, above N, not a number, M too small" {
	pyrun '
rng = np.random.default_rng(15)
np.save("white.npy", rng.standard_normal((1, 400, 30)))
# a sample covariance exactly c I (columns orthonormal and centred): PR = N
u, _ = np.linalg.qr(np.column_stack([np.ones(400), rng.standard_normal((400, 30))]))
np.save("iso.npy", 3.0 * u[None, :, 1:] + 1.0)
np.save("c2.npy", np.array([[2.0, 0.5], [0.5, 1.0]]))
np.save("spread.npy", rng.standard_normal((1, 400, 30)) * np.arange(1, 31))
'
	# white noise read as if it held 4 independent samples: PR_bc < 0
	dpr --corr-steps 100 white.npy > t.csv 2> err
	[ "$(tail -1 t.csv | cut -d, -f8,9)" = "corr-steps,below-1+small-M" ]
	grep -q "^dpr: white.npy: loop 0: PR_bc = -[0-9.]* is below 1; M = 4 (corr-steps) is too small for the bias correction: PR_bc moves by more than 10% when M does (flag below-1+small-M; see dpr(1))$" err
	# a sample covariance with PR = N exactly: the correction takes PR_bc above N
	dpr --samples 400 iso.npy > t.csv 2> err
	[ "$(tail -1 t.csv | cut -d, -f9)" = "above-N" ]
	grep -q "^dpr: iso.npy: loop 0: PR_bc = 3[0-9.]* is above N = 30 (flag above-N; see dpr(1))$" err
	dpr --covariance --samples 10 c2.npy > t.csv 2> err
	[ "$(tail -1 t.csv | cut -d, -f9)" = "nan" ]
	# a spread of variances, independent samples: ok, and nothing said
	dpr --samples 400 spread.npy > t.csv 2> err
	[ "$(tail -1 t.csv | cut -d, -f9)" = "ok" ]
	[ ! -s err ]
	# -q: the flags stay, the words go
	dpr -q --corr-steps 100 white.npy > t.csv 2> err
	[ "$(tail -1 t.csv | cut -d, -f9)" = "below-1+small-M" ]
	[ ! -s err ]
}

@test "dpr: --samples auto and --route usage errors" {
	assert_fails 2 "dpr: --samples auto estimates M from activity, not from a covariance: give --samples M" \
		dpr --covariance --samples auto c.npy
	assert_fails 2 "dpr: --route: 'fast' is not auto, covariance or gram" dpr --route fast x.npy
	assert_fails 2 "dpr: --route does not apply to --covariance" dpr --covariance --samples 4 --route gram c.npy
}

@test "dpr: the warnings of processes that share stderr (make -j, a sweep's log) come out as whole lines" {
	pyrun 'np.save("b.npy", np.random.default_rng(1).standard_normal((100, 200)))'
	# each run warns twice (fewer samples than neurons; M too small);
	# a warning written in pieces mixes with the others' (4 to 6 lines of
	# 600 were mixed here before each warning became one write)
	for i in $(seq 300); do dpr --samples 100 b.npy > /dev/null 2>> log & done
	wait
	[ "$(wc -l < log)" -eq 600 ]
	[ "$(grep -c '^dpr: b\.npy: 200 neurons but 100 samples: ' log)" -eq 300 ]
	[ "$(grep -c '^dpr: b\.npy: loop 0: .* (flag [a-zA-Z1+-]*; see dpr(1))$' log)" -eq 300 ]
}
