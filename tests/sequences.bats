#!/usr/bin/env bats
# The sequence study in the sweep pipeline (pipelines/params/sequences.mk),
# on its small grid (pipelines/params/sequences-quick.mk: omegagauss 0.5, 1
# x pqif 0.5, 1 x vrest -12.3 x seeds 0, 1, so 8 runs of 7 loops of 600
# steps, N = 100, 4 training loops, kick 100 steps): the target dimension
# omegagauss in run names, targets and tables, the figures once per value,
# and the image of target and recurrent input.
#
# One `make sweep PARAMS=sequences-quick` into $BATS_FILE_TMPDIR/ref is the
# reference; tests that change things work on copies.

load helpers
load sweep-helpers

RUNS="omegagauss0.5_pqif0.5_vrest-12.3_seed0 omegagauss0.5_pqif0.5_vrest-12.3_seed1
omegagauss0.5_pqif1_seed0 omegagauss0.5_pqif1_seed1
omegagauss1_pqif0.5_vrest-12.3_seed0 omegagauss1_pqif0.5_vrest-12.3_seed1
omegagauss1_pqif1_seed0 omegagauss1_pqif1_seed1"
FIG_RUN=omegagauss0.5_pqif0.5_vrest-12.3_seed0

setup_file() {
	ref_sweep sweep PARAMS=sequences-quick
}

@test "sequences: one target per omegagauss and seed, the travelling bump of gen-target --kind sequence" {
	[ "$(ls "$REF/inputs" | tr '\n' ' ')" = "target_omegagauss0.5_seed0.csv target_omegagauss0.5_seed0.npy \
target_omegagauss0.5_seed1.csv target_omegagauss0.5_seed1.npy target_omegagauss1_seed0.csv target_omegagauss1_seed0.npy \
target_omegagauss1_seed1.csv target_omegagauss1_seed1.npy weights_seed0.npy weights_seed1.npy " ]
	grep -q 'KIND=sequence AMP0=4 SG_INDEX=0.1 ' "$REF/sim-options.txt"
	! grep -q ROMEGA "$REF/sim-options.txt"
	# the closed form: g_i = 4 exp(-(i - N/2)^2 / (2 (0.1 N)^2)), rolled by
	# floor(omegagauss it) neurons at step it
	pyrun '
ref = sys.argv[1]
N, steps = 100, 600
i = np.arange(N)
g = 4 * np.exp(-(i - N / 2) ** 2 / (2 * (0.1 * N) ** 2))
for w in (0.5, 1):
    want = np.array([np.roll(g, int(np.floor(w * it))) for it in range(steps)])
    for s in (0, 1):
        t = np.load("%s/inputs/target_omegagauss%g_seed%d.npy" % (ref, w, s))
        assert t.shape == (steps, N), t.shape
        assert np.allclose(t, want, rtol=1e-12, atol=1e-12), (w, s, np.abs(t - want).max())
' "$REF"
}

@test "sequences: one run folder per grid point, named by its keys, trained on its own target" {
	[ "$(ls "$REF/runs" | sort)" = "$(printf '%s\n' $RUNS | sort)" ]
	for r in $RUNS; do
		for f in params.csv summary.csv weights.npy outputs.npy spikes.csv dw.csv; do
			[ -s "$REF/runs/$r/$f" ] || { echo "missing $r/$f" >&2; return 1; }
		done
	done
	[ -f "$REF/runs/$FIG_RUN/inputs.npy" ]
	[ "$(ls "$REF"/runs/*/inputs.npy | wc -l)" -eq 1 ]
	[ -z "$(find "$REF" -name '*.tmp' -o -name '.*.tmp.*')" ]
	# Runs that differ only in omegagauss are the same network until
	# training starts: loop 0 (no training) has the same bytes, loop 1 not.
	pyrun '
ref = sys.argv[1]
for rest in ("pqif0.5_vrest-12.3_seed0", "pqif1_seed1"):
    a = [np.load("%s/runs/omegagauss%s_%s/outputs.npy" % (ref, w, rest)) for w in ("0.5", "1")]
    b = [np.load("%s/runs/omegagauss%s_%s/weights.npy" % (ref, w, rest)) for w in ("0.5", "1")]
    assert np.array_equal(a[0][0], a[1][0]) and np.array_equal(b[0][0], b[1][0]), rest
    assert not np.array_equal(a[0][1], a[1][1]) and not np.array_equal(b[0][1], b[1][1]), rest
' "$REF"
}

@test "sequences: every table has the key column omegagauss first, one row per run and loop, in the order of the keys" {
	pyrun '
import csv
ref = sys.argv[1]
runs = sys.argv[2].split()
def keys(r):
    kv = dict((t.rstrip("0123456789.-"), t[len(t.rstrip("0123456789.-")):]) for t in r.split("_"))
    return (kv["omegagauss"], kv["pqif"], kv.get("vrest", "nan"), kv["seed"])
# omegagauss up, pqif up, vrest down, seed up
order = sorted(runs, key=lambda r: (float(keys(r)[0]), float(keys(r)[1]), -float(keys(r)[2]) if keys(r)[2] != "nan" else 0, int(keys(r)[3])))
def check(name, header, loops, path):
    with open(ref + "/" + name) as f:
        t = list(csv.reader(f))
    assert t[0] == "omegagauss,pqif,vrest,seed".split(",") + header, (name, t[0])
    want = [keys(r) + (str(l),) for r in order for l in loops]
    got = [tuple(row[:4]) + (row[t[0].index("loop")],) for row in t[1:]]
    assert got == want, (name, got[:3], want[:3])
    if path:
        for row, (r, l) in zip(t[1:], [(r, l) for r in order for l in loops]):
            assert row[4] == "runs/%s/%s" % (r, path), (name, row[4], r)
check("motifs.csv", "path,loop,N,sigma2,tau_rec,tau_div,tau_con,tau_chn,R".split(","), range(7), "weights.npy")
check("dpr.csv", "path,loop,N,samples,M,PR,PR_bc,M_from,flag".split(","), [0, 5, 6], "outputs.npy")
check("summary.csv", "loop,phase,rate_qif,rate_lif,rate_all,mse_qif,mse_lif,mse_all,corr_qif,corr_lif,corr_all".split(","), range(7), None)
' "$REF" "$RUNS"
	# the summary rows are the run folders own, behind their keys
	diff <(tail -n +2 "$REF/runs/omegagauss1_pqif1_seed0/summary.csv" | sed 's/^/1,1,nan,0,/') \
		<(grep '^1,1,nan,0,' "$REF/summary.csv")
}

@test "sequences: the figures of the whole grid once per omegagauss, the others once" {
	[ "$(ls "$REF/figures" | tr '\n' ' ')" = "by-omegagauss.png dpr_omegagauss0.5.png dpr_omegagauss1.png \
dw-log_omegagauss0.5.png dw-log_omegagauss1.png motifs_omegagauss0.5.png motifs_omegagauss1.png raster.png \
target-vs-input-image.png target-vs-input.png training_omegagauss0.5.png training_omegagauss1.png weights-hist.png " ]
	for f in "$REF"/figures/*.png; do
		pyrun '
import struct
b = open(sys.argv[1], "rb").read()
assert b[:8] == b"\x89PNG\r\n\x1a\n" and b[12:16] == b"IHDR", sys.argv[1]
w, h = struct.unpack(">II", b[16:24])
assert w >= 800 and h >= 400 and len(b) > 5000, (sys.argv[1], w, h, len(b))
' "$f"
	done
}

@test "sequences: the image data (every neuron of FIG_RUN: target, recurrent input in loops 0, 4 and 6) agree with NumPy" {
	pyrun "$BLOCKS"'
ref, run = sys.argv[1], sys.argv[2]
d = ref + "/runs/" + run + "/"
inp = np.load(d + "inputs.npy").astype(np.float64)
kick = np.load(d + "kick.npy")
target = np.load(ref + "/inputs/target_omegagauss0.5_seed0.npy")
# four matrices (steps x neurons), each after its comment row, closed by
# two blank lines
text = open(ref + "/analysis/plot/target-vs-input-image.dat").read()
assert text.endswith("\n\n\n"), repr(text[-10:])
parts = text[:-3].split("\n\n\n")
heads = [p.split("\n", 1)[0] for p in parts]
assert heads == ["# target", "# loop=0", "# loop=4", "# loop=6"], heads
mats = [np.loadtxt(p.split("\n", 1)[1].splitlines(), delimiter=",") for p in parts]
rec = inp - np.where(np.arange(600) < 100, 1, 0)[None, :, None] * kick[None, None, :]
for a in mats:
    assert a.shape == (600, 100), a.shape
assert np.allclose(mats[0], target, rtol=1e-8, atol=1e-8)
for a, loop in zip(mats[1:], (0, 4, 6)):
    assert np.allclose(a, rec[loop], rtol=1e-6, atol=1e-5), loop
# training did something: the input follows the target after training, not before
corr = lambda x, y: np.corrcoef(x.ravel(), y.ravel())[0, 1]
assert corr(rec[0, 100:], target[100:]) < 0.3 < 0.6 < corr(rec[6, 100:], target[100:])
' "$REF" "$FIG_RUN"
}

@test "sequences: the plot data of one omegagauss and the comparison of all agree with NumPy on the tables (rtol 1e-8)" {
	pyrun "$BLOCKS"'
ref = sys.argv[1]
load = lambda n: np.genfromtxt(ref + "/" + n, delimiter=",", names=True, dtype=None, encoding="utf-8")
s, d = load("summary.csv"), load("dpr.csv")
# got: n, mean, sd of the values x
def close(got, x):
    m, sd = x.mean(), x.std(ddof=1)
    assert got[0] == len(x), (got[0], len(x))
    assert abs(got[1] - m) <= 1e-8 * abs(m) + 1e-12 and abs(got[2] - sd) <= 1e-8 * abs(sd) + 1e-12, (got, m, sd)
for w in (0.5, 1):
    tr = blocks(ref + "/analysis/plot/training_omegagauss%g.dat" % w)
    assert sorted(tr) == ["pqif=0.5", "pqif=1"], sorted(tr)
    for p in (0.5, 1):
        for row in tr["pqif=%g" % p]:
            sel = (s["omegagauss"] == w) & (s["pqif"] == p) & (s["loop"] == row[0])
            close(row[[1, 4, 5]], s["corr_all"][sel])
    dp = blocks(ref + "/analysis/plot/dpr_omegagauss%g.dat" % w)
    for phase, rows in (("loop=0", dp["loop=0"]), ("loop=1", dp["loop=1"])):
        for row in rows:
            sel = (d["omegagauss"] == w) & (d["pqif"] == row[0]) & ((d["loop"] == 0) if phase == "loop=0" else (d["loop"] > 4))
            close(row[[1, 4, 5]], d["PR_bc"][sel])
by = open(ref + "/analysis/plot/by-omegagauss.dat").read().split("\n\n\n")
by = [b for b in by if b.strip()]
assert [b.split("\n")[0] for b in by] == ["omegagauss=0.5", "omegagauss=1"] * 2 + ["loop=0"], by
rows = lambda b: np.array([[float(v) for v in l.split()] for l in b.strip().split("\n")[1:]])
for k, w in enumerate((0.5, 1)):
    for row in rows(by[k]):
        sel = (s["omegagauss"] == w) & (s["pqif"] == row[0]) & (s["loop"] > 4)
        close(row[[1, 2, 3]], s["mse_all"][sel])
        close(row[[1, 4, 5]], s["corr_all"][sel])
    for row in rows(by[2 + k]):
        sel = (d["omegagauss"] == w) & (d["pqif"] == row[0]) & (d["loop"] > 4)
        close(row[[1, 4, 5]], d["PR_bc"][sel])
for row in rows(by[4]):
    sel = (d["pqif"] == row[0]) & (d["loop"] == 0)
    close(row[[1, 2, 3]], d["PR"][sel])
' "$REF"
}

@test "sequences: a second make does nothing, sweep or analysis" {
	touch marker
	sleep 0.01
	sweep sweep PARAMS=sequences-quick R="$REF" > log 2>&1
	sweep sweep R="$REF" >> log 2>&1
	sweep analysis R="$REF" >> log 2>&1
	cat log
	if grep -E 'simulate-train|init-weights|gen-target|motifs|dpr|gnuplot|plot data|table' log; then
		return 1
	fi
	[ "$(grep -c "Nothing to be done for 'sweep-results'" log)" -eq 3 ]
	[ -z "$(find "$REF" -newer marker)" ]
}

@test "sequences: make analysis rebuilds tables and figures from the run folders and targets alone" {
	mkdir a
	cp -a "$REF/runs" "$REF/inputs" a/
	sweep analysis PARAMS=sequences-quick R="$PWD/a" > log 2>&1 || { cat log; return 1; }
	! grep -E 'simulate-train|init-weights|gen-target' log
	for f in motifs.csv dpr.csv summary.csv analysis-options.txt; do cmp "$REF/$f" "a/$f"; done
	diff -r "$REF/figures" a/figures
	diff -r "$REF/analysis/plot" a/analysis/plot
}

@test "sequences: a run of one omegagauss taken away is made again, with the same bytes" {
	cp -a "$REF" c
	rm -rf c/runs/omegagauss1_pqif0.5_vrest-12.3_seed1 c/inputs/target_omegagauss1_seed1.*
	sweep sweep R="$PWD/c" > log 2>&1 || { cat log; return 1; }
	[ "$(grep -c 'simulate-train' log)" -eq 2 ]
	grep -q 'gen-target      inputs/target_omegagauss1_seed1.npy' log
	for d in runs inputs figures analysis/plot; do diff -r "$REF/$d" "c/$d"; done
	for f in motifs.csv dpr.csv summary.csv; do cmp "$REF/$f" "c/$f"; done
}

@test "sequences: a target dimension without values, or of two options, is refused" {
	assert_fails 2 "sweep: TARGET_SWEEP=omegagauss but OMEGAGAUSS gives no values" \
		sweep sweep PARAMS=sequences-quick OMEGAGAUSS= R="$PWD/x"
	assert_fails 2 "sweep: TARGET_SWEEP=omegagauss sg-index: one option at most" \
		sweep sweep PARAMS=sequences-quick TARGET_SWEEP="omegagauss sg-index" R="$PWD/x"
	[ ! -e x ]
}
