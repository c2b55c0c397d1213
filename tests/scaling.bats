#!/usr/bin/env bats
# The study against network size in the sweep pipeline
# (pipelines/params/scaling.mk), on its small grid
# (pipelines/params/scaling-quick.mk: N = 60, 120 x pqif 0, 1 x seed 0, so
# 4 runs of 4 loops of 300 steps, in-degree 20, 40 neurons observed): a
# sparse network and a target per size and seed, the size as the first key
# of run names and tables, motifs from the runs' sparse weights records,
# dpr on the observed neurons, the figures once per size and the scaling
# figure.
#
# One `make sweep PARAMS=scaling-quick` into $BATS_FILE_TMPDIR/ref is the
# reference; tests that change things work on copies.

load helpers
load sweep-helpers

RUNS="neurons60_pqif0_vrest-12.3_seed0 neurons60_pqif1_seed0 neurons120_pqif0_vrest-12.3_seed0 neurons120_pqif1_seed0"

setup_file() {
	ref_sweep sweep PARAMS=scaling-quick
}

@test "scaling: a sparse network of in-degree 20 and a target per size and seed; the runs named by size, pqif, vrest and seed" {
	[ "$(ls "$REF/inputs" | tr '\n' ' ')" = "target_neurons120_seed0.csv target_neurons120_seed0.npy \
target_neurons60_seed0.csv target_neurons60_seed0.npy weights_neurons120_seed0.npz weights_neurons60_seed0.npz " ]
	[ "$(ls "$REF/runs" | sort | tr '\n' ' ')" = "$(printf '%s\n' $RUNS | sort | tr '\n' ' ')" ]
	grep -q 'SIZES=60 120 INDEGREE=20 SIM_OPTIONS=--observe 40 --record-loops 0,last' "$REF/sim-options.txt"
	pyrun '
import scipy.sparse as sp
ref = sys.argv[1]
for n in (60, 120):
    w = sp.load_npz(ref + "/inputs/weights_neurons%d_seed0.npz" % n)
    assert w.shape == (n, n)
    assert (np.diff(w.indptr) == 20).all()
    assert w.diagonal().max() == 0 and abs(w.sum(axis=1)).max() < 1e-12
    assert np.load(ref + "/inputs/target_neurons%d_seed0.npy" % n).shape == (300, n)
' "$REF"
}

@test "scaling: every run has a sparse weights record of loops 0 and 3 and the outputs of 40 neurons" {
	for r in $RUNS; do
		[ -f "$REF/runs/$r/weights.npz" ] && [ -f "$REF/runs/$r/weights-values.npy" ] &&
			[ -f "$REF/runs/$r/plastic.npy" ] && [ ! -e "$REF/runs/$r/weights.npy" ]
	done
	pyrun '
ref, runs = sys.argv[1], sys.argv[2].split()
for r in runs:
    assert np.load(ref + "/runs/" + r + "/outputs.npy").shape == (4, 300, 40), r
    assert np.load(ref + "/runs/" + r + "/weights-values.npy").shape[0] == 2, r
' "$REF" "$RUNS"
}

@test "scaling: motifs.csv agrees with the three-product definition on each run's weights, made dense from its record (tests/ref/motifs_ref.py, 1e-12)" {
	pyrun '
import csv
t = list(csv.DictReader(open(sys.argv[1] + "/motifs.csv")))
assert [(r["neurons"], r["pqif"], r["loop"], r["N"]) for r in t] == \
    [(n, p, l, n) for n in ("60", "120") for p in ("0", "1") for l in ("0", "3")], t
' "$REF"
	(cd "$REF" && "$PY" "$ROOT/tests/ref/motifs_ref.py" check motifs.csv)
	# the same rows as motifs run by hand on the run directories
	cd "$REF"
	for r in $RUNS; do motifs --no-header "runs/$r"; done > "$BATS_TEST_TMPDIR/by-hand"
	cut -d, -f5- motifs.csv | tail -n +2 | cmp - "$BATS_TEST_TMPDIR/by-hand"
}

@test "scaling: dpr.csv PR agrees with NumPy on the observed neurons after the kick; M estimated (auto)" {
	pyrun '
import csv
ref = sys.argv[1]
t = list(csv.DictReader(open(ref + "/dpr.csv")))
assert len(t) == 8
for row in t:
    x = np.load(ref + "/" + row["path"])[int(row["loop"])][50:].astype(np.float64)
    c = np.cov(x, rowvar=False)
    pr = np.trace(c) ** 2 / np.trace(c @ c)
    assert row["N"] == "40" and row["samples"] == "250" and row["M_from"] == "auto", row
    assert row["path"].startswith("runs/neurons" + row["neurons"] + "_"), row
    assert abs(float(row["PR"]) - pr) <= 1e-9 * pr, (row["path"], row["loop"], row["PR"], pr)
' "$REF"
}

@test "scaling: summary.csv holds every run's summary with neurons, pqif, vrest, seed first" {
	head -1 "$REF/summary.csv" | grep -q '^neurons,pqif,vrest,seed,loop,'
	[ "$(tail -n +2 "$REF/summary.csv" | wc -l)" -eq 16 ]
	[ "$(grep -c '^120,1,nan,0,' "$REF/summary.csv")" -eq 4 ]
	[ "$(grep -c '^60,0,-12.3,0,' "$REF/summary.csv")" -eq 4 ]
}

@test "scaling: the figure's data are the means of motifs.csv and dpr.csv per pqif, phase and N (rtol 1e-8); every figure is a PNG" {
	pyrun "$BLOCKS"'
import csv
ref = sys.argv[1]
for table, cols, dat in (("motifs", ["sigma2", "tau_rec", "tau_div", "tau_con", "tau_chn", "R"], "scaling-motifs"),
                         ("dpr", ["PR", "PR_bc"], "scaling-dpr")):
    t = list(csv.DictReader(open(ref + "/" + table + ".csv")))
    b = blocks(ref + "/analysis/plot/" + dat + ".dat")
    assert sorted(b) == ["pqif=0-after", "pqif=0-before", "pqif=1-after", "pqif=1-before"], sorted(b)
    for title, rows in b.items():
        p, phase = title[5:].split("-")
        assert list(rows[:, 0]) == [60, 120], rows
        for r in rows:
            sel = [x for x in t if x["pqif"] == p and int(x["neurons"]) == r[0] and
                   (x["loop"] == "0" if phase == "before" else int(x["loop"]) > 2)]
            assert r[1] == len(sel) == 1, (title, r)
            for k, c in enumerate(cols):
                v = float(sel[0][c])
                assert abs(r[2 + 2 * k] - v) <= 1e-8 * abs(v), (title, c, r, v)
' "$REF"
	for f in scaling motifs_neurons60 motifs_neurons120 dpr_neurons60 dpr_neurons120 \
		training_neurons60 training_neurons120 dw-log_neurons60 dw-log_neurons120; do
		[ "$(head -c 4 "$REF/figures/$f.png" | od -An -c | tr -d ' ')" = '211PNG' ]
	done
	[ "$(ls "$REF/figures" | wc -l)" -eq 9 ]
}

@test "scaling: a second make does nothing; make analysis remakes the same tables and figures" {
	sweep sweep PARAMS=scaling-quick R="$REF" > log 2>&1
	! grep -E 'simulate-train|init-weights|gen-target|motifs|dpr|gnuplot|plot data|table' log
	cp -r "$REF" a
	sweep clean-analysis R="$PWD/a" > /dev/null
	sweep analysis R="$PWD/a" > log 2>&1
	! grep -E 'simulate-train|init-weights|gen-target' log
	for f in motifs.csv dpr.csv summary.csv; do cmp "$REF/$f" "a/$f"; done
	diff -r "$REF/figures" a/figures
}

@test "scaling: LAUNCH prefixes every simulation, with the same results" {
	cat > launch <<-EOF
	#!/bin/sh
	echo "\$*" >> "$PWD/launched"
	exec "\$@"
	EOF
	chmod +x launch
	sweep sweep PARAMS=scaling-quick R="$PWD/l" LAUNCH="$PWD/launch" > log 2>&1
	[ "$(wc -l < launched)" -eq 4 ]
	[ "$(grep -c '/simulate-train .* -w inputs/weights_neurons[0-9]*_seed0.npz .*--observe 40 --record-loops 0,last' launched)" -eq 4 ]
	for f in motifs.csv dpr.csv summary.csv sim-options.txt; do cmp "$REF/$f" "l/$f"; done
	diff -r "$REF/runs" l/runs
	diff -r "$REF/figures" l/figures
}

@test "scaling: a size dimension with a target dimension, or with a target file, is refused" {
	run sweep sweep PARAMS=scaling-quick R="$PWD/x" TARGET_SWEEP=amp0 AMP0=4
	[ "$status" -ne 0 ]
	[[ $output == *"sweep: SIZES with TARGET_SWEEP=amp0: one dimension beyond pqif, vrest and seed at most"* ]]
	pyrun 'np.save("t.npy", np.zeros((300, 60)))'
	run sweep sweep PARAMS=scaling-quick R="$PWD/x" TARGET_FILE="$PWD/t.npy"
	[ "$status" -ne 0 ]
	[[ $output == *"with SIZES: a target file has one size"* ]]
	[ ! -e x ]
}
