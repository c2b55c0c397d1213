#!/usr/bin/env bats
# The sweep pipeline (pipelines/sweep.mk) on the quick grid
# (pipelines/params/quick.mk: pqif 0 0.5 1 x vrest -8.5 -17 x seeds 0 1, so
# 10 runs of 7 loops of 600 steps, N = 100, 4 training loops, kick 100 steps).
#
# One uninterrupted `make demo` into $BATS_FILE_TMPDIR/ref is the reference;
# tests that change things work on copies (cp -a keeps the times make uses).

load helpers

RUNS="pqif0_vrest-8.5_seed0 pqif0_vrest-8.5_seed1 pqif0_vrest-17_seed0 pqif0_vrest-17_seed1
pqif0.5_vrest-8.5_seed0 pqif0.5_vrest-8.5_seed1 pqif0.5_vrest-17_seed0 pqif0.5_vrest-17_seed1
pqif1_seed0 pqif1_seed1"
FIGURES="motifs dpr training target-vs-input raster weights-hist dw-log"

# sweep ARGS...: the top-level make, free of any make that runs the tests.
sweep() {
	env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -C "$ROOT" --no-print-directory "$@"
}

setup_file() {
	REF=$BATS_FILE_TMPDIR/ref
	export REF
	sweep demo R="$REF" > "$BATS_FILE_TMPDIR/ref.log" 2>&1 || {
		cat "$BATS_FILE_TMPDIR/ref.log" >&2
		return 1
	}
}

# same_results A B: the tables, run folders and figures of two results
# folders are byte for byte the same (the option files too).
same_results() {
	local a=$1 b=$2 f
	for f in motifs.csv dpr.csv summary.csv sim-options.txt analysis-options.txt; do
		cmp "$a/$f" "$b/$f" || return 1
	done
	diff -r "$a/runs" "$b/runs" || return 1
	diff -r "$a/inputs" "$b/inputs" || return 1
	diff -r "$a/figures" "$b/figures" || return 1
}

# no_tool_ran LOG: the make output shows no tool or plot being run.
no_tool_ran() {
	if grep -E 'simulate-train|init-weights|gen-target|motifs|dpr|gnuplot|plot data|table' "$1"; then
		echo "something was run: see above" >&2
		return 1
	fi
}

@test "demo: one run folder per grid point, named by its keys, and nothing half-written" {
	[ "$(ls "$REF/runs" | sort)" = "$(printf '%s\n' $RUNS | sort)" ]
	for r in $RUNS; do
		for f in params.csv summary.csv weights.npy outputs.npy spikes.csv dw.csv kick.npy state0.npy; do
			[ -s "$REF/runs/$r/$f" ] || { echo "missing $r/$f" >&2; return 1; }
		done
	done
	# Inputs only where the figure needs them (the disk budget).
	[ -f "$REF/runs/pqif0.5_vrest-8.5_seed0/inputs.npy" ]
	[ ! -e "$REF/runs/pqif0_vrest-8.5_seed0/inputs.npy" ]
	[ -z "$(find "$REF" -name '*.tmp' -o -name '.*.tmp.*')" ]
}

@test "demo: every table has its columns and one row per run and loop" {
	pyrun '
import csv
ref = sys.argv[1]
runs = sys.argv[2].split()
keys = set()
for r in runs:
    kv = dict((t.rstrip("0123456789.-"), t[len(t.rstrip("0123456789.-")):]) for t in r.split("_"))
    keys.add((float(kv["pqif"]), float(kv.get("vrest", "nan")), int(kv["seed"])))
def rows(name):
    with open(ref + "/" + name) as f:
        return list(csv.reader(f))
def check(name, header, loops):
    t = rows(name)
    assert t[0] == header, (name, t[0])
    got = [(repr(float(r[0])), repr(float(r[1])), repr(int(r[2])), int(r[header.index(loopcol[name])])) for r in t[1:]]
    want = set((repr(p), repr(v), repr(s), l) for (p, v, s) in keys for l in loops)
    assert len(got) == len(set(got)) == len(want), (name, len(got), len(want))
    assert set(got) == want, (name, set(got) ^ want)
    for r in t[1:]:
        assert len(r) == len(header), (name, r)
loopcol = {"motifs.csv": "index", "dpr.csv": "loop", "summary.csv": "loop"}
check("motifs.csv", "pqif,vrest,seed,file,index,N,sigma2,tau_rec,tau_div,tau_con,tau_chn,R".split(","), range(7))
check("dpr.csv", "pqif,vrest,seed,file,loop,N,samples,M,PR,PR_bc".split(","), [0, 5, 6])
check("summary.csv", "pqif,vrest,seed,loop,phase,rate_qif,rate_lif,rate_all,mse_qif,mse_lif,mse_all,corr_qif,corr_lif,corr_all".split(","), range(7))
# vrest does not apply at pqif = 1
for r in rows("motifs.csv")[1:]:
    assert (r[0] == "1") == (r[1] == "nan"), r
' "$REF" "$RUNS"
}

@test "demo: runs of one seed share initial weights, target, kick and initial state" {
	for s in 0 1; do
		local first=""
		for r in $RUNS; do
			case $r in *_seed$s) ;; *) continue ;; esac
			if [ -z "$first" ]; then first=$r; continue; fi
			cmp "$REF/runs/$first/kick.npy" "$REF/runs/$r/kick.npy"
			cmp "$REF/runs/$first/state0.npy" "$REF/runs/$r/state0.npy"
		done
	done
	# W after loop 0 (no training yet) is the seed's initial matrix in every
	# run; the two seeds differ.
	pyrun '
ref = sys.argv[1]
for r in sys.argv[2].split():
    s = r.rsplit("seed", 1)[1]
    w0 = np.load(ref + "/inputs/weights_seed" + s + ".npy")
    w = np.load(ref + "/runs/" + r + "/weights.npy")
    assert w.shape == (7, 100, 100), w.shape
    assert np.array_equal(w[0], w0), r
assert not np.array_equal(np.load(ref + "/inputs/weights_seed0.npy"), np.load(ref + "/inputs/weights_seed1.npy"))
' "$REF" "$RUNS"
}

@test "demo: motifs.csv agrees with the motifs computed by NumPy from each run's weights (rtol 1e-9)" {
	pyrun '
import csv
ref = sys.argv[1]
with open(ref + "/motifs.csv") as f:
    t = list(csv.DictReader(f))
for row in t:
    w = np.load(ref + "/" + row["file"])[int(row["index"])]
    N = w.shape[0]
    w = w - w.mean()
    ww, wwt, wtw = w @ w, w @ w.T, w.T @ w
    s2 = np.trace(wwt) / N
    want = dict(sigma2=s2, tau_rec=np.trace(ww) / (s2 * N),
                tau_div=(wwt.sum() - np.trace(wwt)) / (s2 * N * (N - 1)),
                tau_con=(wtw.sum() - np.trace(wtw)) / (s2 * N * (N - 1)),
                tau_chn=2 * (ww.sum() - np.trace(ww)) / (s2 * N * (N - 1)))
    for k, v in want.items():
        assert abs(float(row[k]) - v) <= 1e-9 * abs(v) + 1e-12, (row["file"], k, row[k], v)
    assert row["file"].startswith("runs/pqif"), row["file"]
' "$REF"
}

@test "demo: dpr.csv PR agrees with NumPy on each run's outputs after the kick (rtol 1e-9)" {
	pyrun '
import csv
ref = sys.argv[1]
with open(ref + "/dpr.csv") as f:
    t = list(csv.DictReader(f))
assert len(t) == 30
for row in t:
    x = np.load(ref + "/" + row["file"])[int(row["loop"])][100:].astype(np.float64)
    c = np.cov(x, rowvar=False)
    pr = np.trace(c) ** 2 / np.trace(c @ c)
    assert int(row["samples"]) == 500, row
    assert abs(float(row["PR"]) - pr) <= 1e-9 * pr, (row["file"], row["loop"], row["PR"], pr)
' "$REF"
}

@test "demo: summary.csv holds every run's summary.csv with its keys" {
	for r in $RUNS; do
		local p v s
		p=${r#pqif}; p=${p%%_*}
		s=${r##*seed}
		case $r in *vrest*) v=${r#*vrest}; v=${v%%_*} ;; *) v=nan ;; esac
		diff <(tail -n +2 "$REF/runs/$r/summary.csv" | sed "s/^/$p,$v,$s,/") \
		     <(grep "^$p,$v,$s," "$REF/summary.csv")
	done
	[ "$(wc -l < "$REF/summary.csv")" -eq 71 ]
}

@test "demo: every figure is a PNG with a size" {
	for f in $FIGURES; do
		pyrun '
import struct
b = open(sys.argv[1], "rb").read()
assert b[:8] == b"\x89PNG\r\n\x1a\n", sys.argv[1]
assert b[12:16] == b"IHDR"
w, h = struct.unpack(">II", b[16:24])
assert w >= 800 and h >= 400, (w, h)
assert len(b) > 5000
' "$REF/figures/$f.png"
	done
	[ "$(ls "$REF/figures" | wc -l)" -eq 7 ]
}

@test "a second make does nothing" {
	touch marker
	sleep 0.01
	sweep demo R="$REF" > log 2>&1
	cat log
	no_tool_ran log
	[ -z "$(find "$REF" -newer marker)" ]
	grep -q "Nothing to be done for 'sweep-results'" log
}

@test "changing an analysis option reruns only the analysis" {
	cp -a "$REF" c
	touch marker
	sleep 0.01
	sweep demo R="$PWD/c" DPR_SKIP=150 > log 2>&1
	! grep -E 'simulate-train|init-weights|gen-target' log
	[ "$(grep -c '^  dpr  ' log)" -eq 10 ]
	[ -z "$(find c/runs c/inputs c/sim-options.txt -newer marker)" ]
	[ "$(cut -d, -f7 c/dpr.csv | sort -u)" = "$(printf '%s\n' 450 samples)" ]
	# The figures are redone; what does not depend on the option is not.
	[ -n "$(find c/figures/dpr.png -newer marker)" ]
	[ -z "$(find c/motifs.csv c/summary.csv c/analysis/motifs -newer marker)" ]
	# And with that option, a second make does nothing.
	sweep demo R="$PWD/c" DPR_SKIP=150 > log2 2>&1
	no_tool_ran log2
}

@test "changing a model parameter reruns the simulations" {
	cp -a "$REF" c
	sweep demo R="$PWD/c" ALPHA=0.5 > log 2>&1
	[ "$(grep -c 'simulate-train' log)" -eq 10 ]
	! cmp -s "$REF/runs/pqif0_vrest-8.5_seed0/weights.npy" c/runs/pqif0_vrest-8.5_seed0/weights.npy
	grep -q 'ALPHA=0.5' c/sim-options.txt
}

@test "make analysis rebuilds tables and figures from run folders alone, without simulating" {
	mkdir a
	cp -a "$REF/runs" "$REF/inputs" a/
	sweep analysis PARAMS=quick R="$PWD/a" > log 2>&1
	! grep -E 'simulate-train|init-weights|gen-target' log
	for f in motifs.csv dpr.csv summary.csv analysis-options.txt; do cmp "$REF/$f" "a/$f"; done
	diff -r "$REF/figures" a/figures
	sweep clean-analysis PARAMS=quick R="$PWD/a" > log 2>&1
	[ "$(ls a)" = "$(printf '%s\n' inputs runs)" ]
	diff -r "$REF/runs" a/runs
}

@test "make analysis on other run folders leaves out the figures of runs it does not have" {
	mkdir -p a/runs
	cp -a "$REF/runs/pqif0_vrest-17_seed1" "$REF/runs/pqif1_seed1" a/runs/
	sweep analysis PARAMS=quick R="$PWD/a" > log 2>&1
	grep -q "no run pqif0.5_vrest-8.5_seed0 (FIG_RUN) in $PWD/a/runs: no single-run figures" log
	[ "$(ls a/figures)" = "$(printf '%s\n' dpr.png motifs.png training.png)" ]
	[ "$(wc -l < a/motifs.csv)" -eq 15 ]
	[ "$(cut -d, -f1-3 a/summary.csv | sort -u | tr '\n' ' ')" = "0,-17,1 1,nan,1 pqif,vrest,seed " ]
	[ -z "$(find a -name '*.tmp')" ]
}

@test "make analysis with no run folders says so" {
	mkdir empty
	assert_fails 2 "analysis: no run folders in $PWD/empty/runs" sweep analysis PARAMS=quick R="$PWD/empty"
	[ ! -e empty/runs ]
}

@test "an unknown parameter set is refused" {
	assert_fails 2 "sweep: PARAMS=nope: no file pipelines/params/nope.mk" sweep sweep PARAMS=nope R="$PWD/x"
	[ ! -e x ]
}

@test "a figure run without recorded inputs: the sweep says how to fix it, the analysis leaves the figure out" {
	cp -a "$REF" c
	rm c/figures/target-vs-input.png
	assert_fails 2 "runs/pqif0_vrest-8.5_seed0: no inputs.npy; name FIG_RUN in INPUT_RUNS" \
		sweep demo R="$PWD/c" FIG_RUN=pqif0_vrest-8.5_seed0
	[ ! -e c/figures/target-vs-input.png ]
	sweep analysis PARAMS=quick R="$PWD/c" FIG_RUN=pqif0_vrest-8.5_seed0 > log 2>&1
	grep -q "no runs/pqif0_vrest-8.5_seed0/inputs.npy or inputs/target_seed0.npy in $PWD/c: no target figure" log
	[ ! -e c/figures/target-vs-input.png ]
	[ -s c/figures/raster.png ]
}

@test "LAUNCH prefixes every simulation, with the same results" {
	cat > launch <<-EOF
	#!/bin/sh
	echo "\$*" >> "$PWD/launched"
	exec "\$@"
	EOF
	chmod +x launch
	sweep demo R="$PWD/l" LAUNCH="$PWD/launch" > log 2>&1
	[ "$(wc -l < launched)" -eq 10 ]
	[ "$(grep -c '/simulate-train ' launched)" -eq 10 ]
	same_results "$REF" l
}

# killed_at NAME: the demo sweep into k/, one job at a time (so in a fixed
# order), as the leader of its own process group, with tests/shim/killrename.c
# preloaded: the tool (or mv) about to rename an output to NAME (the name as
# the recipe gives it) SIGKILLs the whole make instead.  That is the worst
# moment of an interrupt: every byte written, nothing renamed yet.  Checks
# that the kill happened there.
killed_at() {
	local name=$1
	run setsid -w sh -c 'export KILL_PGID=$$; exec "$@"' sh \
		env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS LD_PRELOAD="$PWD/killrename.so" \
		KILL_AT_RENAME="$name" make -C "$ROOT" --no-print-directory demo R="$PWD/k" SWEEP_JOBS=1
	echo "$output" > "killed-at-${name##*/}.log"
	[ "$status" -ne 0 ]
	[[ $output == *"killrename: SIGKILL before renaming to $name"* ]] || {
		echo "not killed at $name: $output" >&2
		return 1
	}
}

# only_complete: every file of k/ under its final name (outside hidden
# temporaries, other than make's NAME.tmp) is byte for byte the one of the
# uninterrupted sweep.
only_complete() {
	local f
	find k -type f ! -path '*/.*' ! -name '*.tmp' > final.txt
	while read -r f; do
		cmp "$f" "$REF/${f#k/}" || return 1
	done < final.txt
}

# hidden_tmp DIR NAME: DIR holds exactly one temporary of NAME.
hidden_tmp() {
	[ "$(ls -A "$1" | grep -c "^\.$2\.tmp\.")" -eq 1 ]
}

@test "SIGKILL part-way, then make again: the same results as an uninterrupted sweep" {
	cc -shared -fPIC -o killrename.so "$ROOT/tests/shim/killrename.c" -ldl
	# gen-target between its array and its parameter table (committed last)
	killed_at "$PWD/k/inputs/target_seed1.csv"
	[ -s k/inputs/target_seed1.npy ] && [ ! -e k/inputs/target_seed1.csv ]
	hidden_tmp k/inputs target_seed1.csv
	[ "$(ls k/runs)" = pqif0_vrest-8.5_seed0 ]
	only_complete
	# simulate-train with its run folder complete but not yet renamed; the
	# missing table made gen-target run again
	killed_at runs/pqif0_vrest-17_seed0
	[[ $output == *"gen-target      inputs/target_seed1.npy"* ]]
	[ -s k/inputs/target_seed1.csv ] && [ -z "$(ls -A k/inputs | grep tmp)" ]
	[ "$(ls k/runs | tr '\n' ' ')" = "pqif0_vrest-8.5_seed0 pqif0_vrest-8.5_seed1 " ]
	hidden_tmp k/runs pqif0_vrest-17_seed0
	[ -s k/runs/.pqif0_vrest-17_seed0.tmp.*/summary.csv ]
	only_complete
	# a per-run table of the analysis (a tool's temporary, as atomic.h)
	killed_at "$PWD/k/analysis/motifs/pqif0_vrest-17_seed0.csv"
	[ "$(ls k/runs | wc -l)" -eq 3 ] && [ -z "$(ls -A k/runs | grep tmp)" ]
	hidden_tmp k/analysis/motifs pqif0_vrest-17_seed0.csv
	[ ! -e k/analysis/motifs/pqif0_vrest-17_seed0.csv ]
	only_complete
	# a table made by the pipeline itself (mv of make's NAME.tmp)
	killed_at "$PWD/k/dpr.csv"
	[ -s k/dpr.csv.tmp ] && [ ! -e k/dpr.csv ] && [ ! -e k/figures/motifs.png ]
	[ "$(ls -A k/runs | wc -l)" -eq 10 ] && [ -z "$(ls -A k/analysis/motifs | grep tmp)" ]
	only_complete
	# make again, as many jobs as it likes: the same results, nothing left
	sweep demo R="$PWD/k" > log 2>&1
	same_results "$REF" k
	[ -z "$(find k -name '*.tmp' -o -name '.*.tmp.*')" ]
}

@test "examples/one-run.sh: one small run by hand as a pipeline" {
	N=40 STEPS=300 LOOPS=5 TRAIN=2 STIM=50 sh "$ROOT/examples/one-run.sh" o > log 2>&1 || { cat log; return 1; }
	[ "$(wc -l < o/motifs.csv)" -eq 6 ]
	[ "$(wc -l < o/dpr.csv)" -eq 4 ]
	[ "$(wc -l < o/r0-last-loop.txt)" -eq 300 ]
	pyrun '
o = np.load(sys.argv[1]); assert o.shape == (5, 300, 40)
assert (np.loadtxt(sys.argv[2]).astype(np.float32) == o[-1, :, 0]).all()
' o/run/outputs.npy o/r0-last-loop.txt
}

@test "examples/read-results.py reads the tables and a run folder with NumPy" {
	run "$PY" "$ROOT/examples/read-results.py" "$REF"
	[ "$status" -eq 0 ]
	[[ $output == *"pqif  0.5"* ]]
	[[ $output == *"weights (7, 100, 100), outputs (7, 600, 100) float32"* ]]
}

@test "examples/notebook-csv.sh: the notebook's CSV files give the motifs and PR of the same matrices" {
	# Two notebook folders (vrest -8.5 and -17) made from the quick runs.
	local k v l d
	for k in 1 2; do
		if [ $k = 1 ]; then v=-8.5; else v=-17; fi
		d=nb/simulation_$k
		mkdir -p "$d/simulation_${k}_connectivity_matrix" "$d/simulation_${k}_outputs"
		printf 'N,p,gsyn,vt,b,vrest\n100,0.3,0.5,0,0.2,%s\n' $v > "$d/simulation_${k}_parametros.csv"
		for l in 0 5; do
			npy-cat "$REF/runs/pqif0_vrest${v}_seed1/weights.npy" | awk -F, -v l=$l '$1 == l' | cut -d, -f2- \
				> "$d/simulation_${k}_connectivity_matrix/simulation_${k}_pesos_pqif_0_matriz_iloop_${l}_semilla_1"
			npy-cat "$REF/runs/pqif0_vrest${v}_seed1/outputs.npy" | awk -F, -v l=$l '$1 == l' | cut -d, -f2- \
				> "$d/simulation_${k}_outputs/simulation_${k}_outputs_pqif_0_iloop_${l}_seed_1.csv"
		done
	done
	SKIP=100 sh "$ROOT/examples/notebook-csv.sh" nb out
	pyrun '
import csv
def rows(f):
    with open(f) as fh:
        return list(csv.DictReader(fh))
ref_m = {(r["vrest"], r["index"]): r for r in rows(sys.argv[1] + "/motifs.csv") if r["pqif"] == "0" and r["seed"] == "1"}
ref_d = {(r["vrest"], r["loop"]): r for r in rows(sys.argv[1] + "/dpr.csv") if r["pqif"] == "0" and r["seed"] == "1"}
m, d = rows("out/notebook-motifs.csv"), rows("out/notebook-dpr.csv")
assert len(m) == 4 and len(d) == 4, (len(m), len(d))
for r in m:
    ref = ref_m[(r["vrest"], r["loop"])]
    for k in ("sigma2", "tau_rec", "tau_div", "tau_con", "tau_chn", "R"):
        assert abs(float(r[k]) - float(ref[k])) <= 1e-12 * abs(float(ref[k])) + 1e-15, (k, r[k], ref[k])
for r in d:
    ref = ref_d[(r["vrest"], r["loop"])]
    assert r["samples"] == ref["samples"]
    assert abs(float(r["PR"]) - float(ref["PR"])) <= 1e-7 * float(ref["PR"]), (r["PR"], ref["PR"])
' "$REF"
}

@test "examples/rerun-analysis.sh: the analysis again, then with other dpr options" {
	cp -a "$REF" c
	(cd "$ROOT" && env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS sh examples/rerun-analysis.sh "$OLDPWD/c" quick) > log 2>&1 \
		|| { cat log; return 1; }
	! grep -E 'simulate-train|init-weights|gen-target' log
	# samples = 600 - 300 steps, M = samples / 100
	[ "$(cut -d, -f7,8 c/dpr.csv | sort -u | tr '\n' ' ')" = "300,3 samples,M " ]
	cmp "$REF/motifs.csv" c/motifs.csv
}

@test "pipelines/group-stats.awk: the means and standard deviations NumPy gives (rtol 1e-8)" {
	awk -F, -f "$ROOT/pipelines/group-stats.awk" -v keys=pqif,loop -v cols=mse_all,corr_all \
		"$REF/summary.csv" > training.dat
	awk -F, -f "$ROOT/pipelines/group-stats.awk" -v keys=loop,pqif -v cols=PR,PR_bc -v prepost=4 \
		"$REF/dpr.csv" > dpr.dat
	pyrun '
t = np.genfromtxt(sys.argv[1] + "/summary.csv", delimiter=",", names=True, dtype=None, encoding="utf-8")
d = np.genfromtxt(sys.argv[1] + "/dpr.csv", delimiter=",", names=True, dtype=None, encoding="utf-8")
def blocks(path):
    out, cur = {}, None
    for line in open(path):
        f = line.split()
        if not f:
            continue
        if "=" in f[0]:
            cur = float(f[0].split("=")[1]); out[cur] = {}
        else:
            out[cur][float(f[0])] = [float(v) for v in f[1:]]
    return out
def close(a, b):
    assert abs(a - b) <= 1e-8 * abs(b) + 1e-12, (a, b)
tr = blocks("training.dat")
assert sorted(tr) == [0.0, 0.5, 1.0]
for p, rows in tr.items():
    for loop, v in rows.items():
        sel = (t["pqif"] == p) & (t["loop"] == loop)
        assert v[0] == sel.sum()
        for k, c in enumerate(("mse_all", "corr_all")):
            close(v[1 + 2 * k], t[c][sel].mean())
            close(v[2 + 2 * k], t[c][sel].std(ddof=1))
dp = blocks("dpr.dat")
assert sorted(dp) == [0.0, 1.0]
for phase, rows in dp.items():
    for p, v in rows.items():
        sel = (d["pqif"] == p) & ((d["loop"] == 0) if phase == 0 else (d["loop"] > 4))
        close(v[1], d["PR"][sel].mean())
        close(v[4], d["PR_bc"][sel].std(ddof=1))
' "$REF"
}

@test "figure data: target and recurrent input, and weight histograms, agree with NumPy" {
	pyrun '
ref = sys.argv[1]
run = ref + "/runs/pqif0.5_vrest-8.5_seed0/"
inp = np.load(run + "inputs.npy").astype(np.float64)
kick = np.load(run + "kick.npy")
target = np.load(ref + "/inputs/target_seed0.npy")
blocks = open(ref + "/analysis/plot/target-vs-input.dat").read().split("\n\n\n")
blocks = [b for b in blocks if b.strip()]
assert len(blocks) == 4
for b, i in zip(blocks, (0, 1, 50, 51)):
    lines = b.strip().split("\n")
    assert lines[0] == "neuron=%d" % i
    a = np.array([[float(v) for v in l.split()] for l in lines[1:]])
    assert a.shape == (600, 5)
    assert np.allclose(a[:, 1], target[:, i], rtol=1e-7, atol=1e-7)
    for c, loop in zip((2, 3, 4), (0, 4, 6)):
        rec = inp[loop, :, i] - np.where(np.arange(600) < 100, kick[i], 0)
        assert np.allclose(a[:, c], rec, rtol=1e-6, atol=1e-5), (i, loop)
w = np.load(run + "weights.npy")
blocks = [b for b in open(ref + "/analysis/plot/weights-hist.dat").read().split("\n\n\n") if b.strip()]
assert len(blocks) == 4
q = 50
masks = [(slice(0, q), slice(0, q)), (slice(q, 100), slice(0, q)), (slice(0, q), slice(q, 100)), (slice(q, 100), slice(q, 100))]
names = ["QIF->QIF", "QIF->LIF", "LIF->QIF", "LIF->LIF"]
for b, (rows, cols), name in zip(blocks, masks, names):
    lines = b.strip().split("\n")
    assert lines[0] == name, lines[0]
    a = np.array([[float(v) for v in l.split()] for l in lines[1:]])
    assert a.shape == (80, 3)
    for c, loop in ((1, 0), (2, 6)):
        assert a[:, c].sum() == np.count_nonzero(w[loop][rows, cols]), (name, loop)
' "$REF"
}

@test "pipelines/group-stats.awk: a small spread beside a large mean keeps its digits (rtol 1e-8)" {
	# Groups of 2-40 values with a standard deviation 1e-2 .. 1e-12 of
	# their mean (1e3 .. 1e9): a variance taken as (sum of squares - n mean^2)
	# loses (mean/sd)^2 eps of it, 1e-6 relative at the mildest group here,
	# everything at the others; two passes keep it to about n eps.  The
	# reference is Python's statistics.stdev, exact in rational arithmetic
	# (NumPy's own two passes lose (eps mean/sd)^2, 1e-8 at 1e-12).  The
	# table prints 9 significant digits (5e-9 relative at most): rtol 1e-8.
	# A constant group has a standard deviation of exactly 0.
	pyrun '
rng = np.random.default_rng(16)
with open("spread.csv", "w") as f:
    f.write("block,x,a,b\n")
    for blk, mean in ((1, 1e3), (2, 1e6), (3, 1e9)):
        for x, (n, rel) in enumerate(((2, 1e-5), (7, 1e-2), (40, 1e-8), (13, 1e-12))):
            a = mean * (1 + rel * rng.standard_normal(n))
            b = -mean * (1 + rel * rng.uniform(-1, 1, n))
            if n > 2:
                b[1] = np.nan
            for u, v in zip(a, b):
                f.write("%d,%d,%r,%r\n" % (blk, x, float(u), float(v)))
    for k in range(5):
        f.write("4,0,12345678.5,-0.125\n")
'
	awk -F, -f "$ROOT/pipelines/group-stats.awk" -v keys=block,x -v cols=a,b spread.csv > spread.dat
	pyrun '
import statistics
t = np.genfromtxt("spread.csv", delimiter=",", names=True)
got = {}
for line in open("spread.dat"):
    f = line.split()
    if not f:
        continue
    if f[0].startswith("block="):
        blk = float(f[0][6:])
    else:
        got[(blk, float(f[0]))] = [float(v) for v in f[1:]]
assert len(got) == 13, sorted(got)
worst = 0
for (blk, x), v in got.items():
    sel = (t["block"] == blk) & (t["x"] == x)
    assert v[0] == sel.sum()
    for k, c in enumerate(("a", "b")):
        d = t[c][sel]
        d = [float(u) for u in d[~np.isnan(d)]]
        m, sd = statistics.fmean(d), statistics.stdev(d)
        assert abs(v[1 + 2 * k] - m) <= 1e-8 * abs(m), (blk, x, c, v[1 + 2 * k], m)
        err = abs(v[2 + 2 * k] - sd) / sd if sd else v[2 + 2 * k]
        worst = max(worst, err)
        assert err <= 1e-8, (blk, x, c, v[2 + 2 * k], sd)
print("worst relative error of a standard deviation:", worst)
assert got[(4.0, 0.0)] == [5, 12345678.5, 0, -0.125, 0]
'
}
