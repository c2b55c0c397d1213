#!/usr/bin/env bats
# The sweep pipeline (pipelines/sweep.mk) on the quick grid
# (pipelines/params/quick.mk: pqif 0 0.5 1 x vrest -8.5 -17 x seeds 0 1, so
# 10 runs of 7 loops of 600 steps, N = 100, 4 training loops, kick 100 steps).
#
# One uninterrupted `make demo` into $BATS_FILE_TMPDIR/ref is the reference;
# tests that change things work on copies (cp -a keeps the times make uses).

load helpers
load sweep-helpers

RUNS="pqif0_vrest-8.5_seed0 pqif0_vrest-8.5_seed1 pqif0_vrest-17_seed0 pqif0_vrest-17_seed1
pqif0.5_vrest-8.5_seed0 pqif0.5_vrest-8.5_seed1 pqif0.5_vrest-17_seed0 pqif0.5_vrest-17_seed1
pqif1_seed0 pqif1_seed1"
FIGURES="motifs dpr training target-vs-input target-vs-input-image raster weights-hist dw-log"

setup_file() {
	ref_sweep demo
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
    got = [(repr(float(r[0])), repr(float(r[1])), repr(int(r[2])), int(r[header.index("loop")])) for r in t[1:]]
    want = set((repr(p), repr(v), repr(s), l) for (p, v, s) in keys for l in loops)
    assert len(got) == len(set(got)) == len(want), (name, len(got), len(want))
    assert set(got) == want, (name, set(got) ^ want)
    for r in t[1:]:
        assert len(r) == len(header), (name, r)
check("motifs.csv", "pqif,vrest,seed,path,loop,N,sigma2,tau_rec,tau_div,tau_con,tau_chn,R".split(","), range(7))
check("dpr.csv", "pqif,vrest,seed,path,loop,N,samples,M,PR,PR_bc,M_from,flag".split(","), [0, 5, 6])
# M estimated from each loop (DPR_SAMPLES = auto in the parameter file)
assert {r[10] for r in rows("dpr.csv")[1:]} == {"auto"}
check("summary.csv", "pqif,vrest,seed,loop,phase,rate_qif,rate_lif,rate_all,mse_qif,mse_lif,mse_all,corr_qif,corr_lif,corr_all".split(","), range(7))
# vrest does not apply at pqif = 1
for r in rows("motifs.csv")[1:]:
    assert (r[0] == "1") == (r[1] == "nan"), r
' "$REF" "$RUNS"
}

@test "demo: every table and CSV file reads as it is with numpy.genfromtxt(names=True), pandas (if installed) and awk" {
	local files f
	files="$REF/motifs.csv $REF/dpr.csv $REF/summary.csv $REF/inputs/target_seed0.csv"
	for f in params.csv summary.csv spikes.csv dw.csv; do files="$files $REF/runs/pqif0.5_vrest-8.5_seed0/$f"; done
	for f in $files; do
		# as many fields in every row as in the header
		[ "$(awk -F, '{ print NF }' "$f" | sort -u)" = "$(head -1 "$f" | awk -F, '{ print NF }')" ] ||
			{ echo "$f: rows of another number of fields than the header" >&2; return 1; }
	done
	pyrun '
import csv
try:
    import pandas
except ImportError:
    pandas = None
    print("pandas is not installed: not checked", file=sys.stderr)
for f in sys.argv[1:]:
    with open(f) as fh:
        rows = list(csv.reader(fh))
    t = np.genfromtxt(f, delimiter=",", names=True, dtype=None, encoding="utf-8")
    assert list(t.dtype.names) == rows[0], (f, t.dtype.names, rows[0])
    assert t.size == len(rows) - 1, (f, t.size, len(rows))
    if pandas is not None:
        d = pandas.read_csv(f)
        assert list(d.columns) == rows[0] and len(d) == len(rows) - 1, f
' $files
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
    w = np.load(ref + "/" + row["path"])[int(row["loop"])]
    N = w.shape[0]
    w = w - w.mean()
    ww, wwt, wtw = w @ w, w @ w.T, w.T @ w
    s2 = np.trace(wwt) / N
    want = dict(sigma2=s2, tau_rec=np.trace(ww) / (s2 * N),
                tau_div=(wwt.sum() - np.trace(wwt)) / (s2 * N * (N - 1)),
                tau_con=(wtw.sum() - np.trace(wtw)) / (s2 * N * (N - 1)),
                tau_chn=2 * (ww.sum() - np.trace(ww)) / (s2 * N * (N - 1)))
    for k, v in want.items():
        assert abs(float(row[k]) - v) <= 1e-9 * abs(v) + 1e-12, (row["path"], k, row[k], v)
    assert row["path"].startswith("runs/pqif"), row["path"]
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
    x = np.load(ref + "/" + row["path"])[int(row["loop"])][100:].astype(np.float64)
    c = np.cov(x, rowvar=False)
    pr = np.trace(c) ** 2 / np.trace(c @ c)
    assert int(row["samples"]) == 500, row
    assert abs(float(row["PR"]) - pr) <= 1e-9 * pr, (row["path"], row["loop"], row["PR"], pr)
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
	[ "$(ls "$REF/figures" | wc -l)" -eq 8 ]
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

@test "an option file read back with a newline more is the same options: a second make still does nothing" {
	# What make's \$(file <) gives when it keeps a final newline (as make 4.3
	# may, depending on its buffers), or when an editor added a line; the
	# files keep their times.
	cp -a "$REF" c
	for f in options.mk sim-options.txt analysis-options.txt analysis/options/dpr.txt; do
		touch -r "c/$f" time
		printf '\n' >> "c/$f"
		touch -r time "c/$f"
	done
	touch marker
	sleep 0.01
	sweep demo R="$PWD/c" > log 2>&1
	cat log
	no_tool_ran log
	[ -z "$(find c -newer marker)" ]
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

@test "make analysis R=DIR uses the parameter set DIR was made with; with no runs where it looks, it says what to type" {
	cp -a "$REF" c
	sweep analysis R="$PWD/c" > log 2>&1 || { cat log; return 1; }
	no_tool_ran log
	cmp "$REF/analysis-options.txt" c/analysis-options.txt
	assert_fails 2 "sweep: $PWD/c holds the results of PARAMS=quick, not PARAMS=notebook" \
		sweep analysis R="$PWD/c" PARAMS=notebook
	cmp "$REF/analysis-options.txt" c/analysis-options.txt
	# The default folder has no runs: the message names the folders that have.
	mkdir res
	cp -a "$REF" res/quick
	assert_fails 2 "analysis: no run folders in $PWD/res/notebook/runs; results are in: make analysis R=$PWD/res/quick" \
		sweep analysis RESULTS="$PWD/res"
	sweep analysis R="$PWD/res/quick" > log 2>&1
	no_tool_ran log
}

@test "analysis options given on the command line stick to the results folder; make clean-analysis forgets them" {
	cp -a "$REF" c
	sweep demo R="$PWD/c" DPR_SAMPLES= DPR_CORR_STEPS=100 > log 2>&1
	[ "$(cut -d, -f8 c/dpr.csv | sort -u | tr '\n' ' ')" = "5 M " ]
	touch marker
	sleep 0.01
	sweep demo R="$PWD/c" > log 2>&1
	no_tool_ran log
	sweep analysis R="$PWD/c" > log 2>&1
	no_tool_ran log
	[ -z "$(find c -newer marker)" ]
	# another option joins it; a new value replaces it
	sweep analysis R="$PWD/c" DPR_SKIP=300 > log 2>&1
	[ "$(cut -d, -f7,8 c/dpr.csv | sort -u | tr '\n' ' ')" = "300,3 samples,M " ]
	sweep analysis R="$PWD/c" DPR_CORR_STEPS=60 > log 2>&1
	sweep demo R="$PWD/c" > log 2>&1
	[ "$(cut -d, -f7,8 c/dpr.csv | sort -u | tr '\n' ' ')" = "300,5 samples,M " ]
	# back to the parameter file's values
	sweep clean-analysis R="$PWD/c" > /dev/null
	sweep analysis R="$PWD/c" > log 2>&1
	for f in motifs.csv dpr.csv summary.csv analysis-options.txt; do cmp "$REF/$f" "c/$f"; done
	diff -r "$REF/figures" c/figures
}

@test "a change of one analysis option redoes only the figures that depend on it" {
	cp -a "$REF" c
	local opts="" figs=""
	for step in "FIG_NEURONS=0 2 50 51:target-vs-input" "DPR_SKIP=150:dpr" "FIG_SEED=1:dw-log" \
		"FIG_RUN=pqif0.5_vrest-8.5_seed1:raster weights-hist"; do
		touch marker
		sleep 0.01
		sweep analysis R="$PWD/c" "${step%%:*}" > log 2>&1 || { cat log; return 1; }
		figs=$(find c/figures -newer marker -name '*.png' | sed 's|.*/||; s|\.png$||' | sort | tr '\n' ' ')
		[ "$figs" = "$(printf '%s\n' ${step#*:} | sort | tr '\n' ' ')" ] || { echo "${step%%:*}: redid $figs" >&2; return 1; }
		[ "$(grep -c '^  gnuplot' log)" -eq "$(echo ${step#*:} | wc -w)" ]
	done
}

@test "the sweep prints an overall progress line when a run completes, on a terminal only" {
	cp -a "$REF" c
	rm -rf c/runs/pqif1_seed0 c/runs/pqif1_seed1
	# script(1) gives make a terminal
	script -qec "env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -C '$ROOT' --no-print-directory demo R='$PWD/c'" \
		/dev/null > log 2>&1 || { cat log; return 1; }
	cat log
	grep -Eq '^  progress +1/2 runs, [0-9]+ s elapsed, about [0-9]+ s left' log
	grep -Eq '^  progress +2/2 runs, [0-9]+ s' log
	[ "$(grep -c progress log)" -eq 2 ]
	[ -z "$(ls -A c | grep progress)" ]
	rm -rf c/runs/pqif1_seed0
	sweep demo R="$PWD/c" > log 2>&1
	grep -q 'simulate-train  runs/pqif1_seed0' log
	! grep progress log
	same_results "$REF" c
}

@test "the progress line counts the runs of a target that changed" {
	cp -a "$REF" c
	touch c/inputs/target_seed1.npy
	script -qec "env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -C '$ROOT' --no-print-directory demo R='$PWD/c'" \
		/dev/null > log 2>&1 || { cat log; return 1; }
	[ "$(grep -c 'simulate-train  runs/.*_seed1' log)" -eq 5 ]
	grep -Eq '^  progress +1/5 runs, [0-9]+ s elapsed' log
	grep -Eq '^  progress +5/5 runs, [0-9]+ s' log
	same_results "$REF" c
}

@test "TARGET_FILE: a target of one's own, written by NumPy or as the notebook's CSV, is every seed's" {
	pyrun '
t = 2 * np.cos(np.arange(600)[:, None] * 2 * np.pi * 3 / 600 + 0.1 * np.arange(100)[None, :])
np.save("t.npy", t)
with open("t.csv", "w") as f:
    f.write(",".join("Neuron_%d" % i for i in range(100)) + "\n")
    for row in t:
        f.write(",".join(repr(float(v)) for v in row) + "\n")
'
	local grid="PARAMS=quick PQIF=0.5 VREST=-8.5 FIG_RUN=pqif0.5_vrest-8.5_seed0"
	sweep sweep $grid TARGET_FILE="$PWD/t.npy" R="$PWD/a" > log 2>&1 || { cat log; return 1; }
	! grep -q gen-target log
	[ "$(grep -c '^  target  *inputs/target_seed[01].npy' log)" -eq 2 ]
	cmp t.npy a/inputs/target_seed0.npy && cmp t.npy a/inputs/target_seed1.npy
	[ "$(ls a/inputs | tr '\n' ' ')" = "target_seed0.npy target_seed1.npy weights_seed0.npy weights_seed1.npy " ]
	grep -q "STEPS=600 TARGET_FILE=$PWD/t.npy VT=0 " a/sim-options.txt
	! grep -q AMP0 a/sim-options.txt
	local sha
	sha=$(sha256sum t.npy | cut -d' ' -f1)
	for r in pqif0.5_vrest-8.5_seed0 pqif0.5_vrest-8.5_seed1; do
		[ "$(awk -F, -f "$ROOT/pipelines/csv-field.awk" -v field=target_sha256 a/runs/$r/params.csv)" = "$sha" ]
	done
	# the CSV (header row and all) gives the same runs, byte for byte
	sweep sweep $grid TARGET_FILE="$PWD/t.csv" R="$PWD/c" > log 2>&1 || { cat log; return 1; }
	diff -r a/runs c/runs && diff -r a/figures c/figures
	# again: nothing; a newer file: the runs again
	sweep sweep $grid TARGET_FILE="$PWD/t.npy" R="$PWD/a" > log 2>&1
	no_tool_ran log
	touch t.npy
	sweep sweep $grid TARGET_FILE="$PWD/t.npy" R="$PWD/a" > log 2>&1
	[ "$(grep -c 'simulate-train' log)" -eq 2 ]
	assert_fails 2 "sweep: TARGET_FILE=nope.npy: no such file" sweep sweep $grid TARGET_FILE=nope.npy R="$PWD/x"
	assert_fails 2 "sweep: TARGET_FILE=$PWD/t.npy with TARGET_SWEEP=omegagauss: a target file has no option to sweep" \
		sweep sweep PARAMS=sequences-quick TARGET_FILE="$PWD/t.npy" R="$PWD/x"
	[ ! -e x ]
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
	[ "$(ls a)" = "$(printf '%s\n' inputs options.mk runs)" ]
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
	[ -f k/runs/.pqif0_vrest-17_seed0.partial/checkpoint.bin ]
	[ -s k/runs/.pqif0_vrest-17_seed0.partial/summary.csv ]
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

# notebook_dir DIR: the quick runs of seed 1 laid out as the notebook
# writes its files: folder simulation_K per vrest (-8.5, -17), each with
# pqif 0, 0.5 and 1 (the notebook runs pqif = 1 in every folder), loops 0
# and 5; the parameter file as the notebook leaves it, with the pqif = 1
# values written last (vt and vrest empty).
notebook_dir() {
	local k v p l d run
	for k in 1 2; do
		if [ $k = 1 ]; then v=-8.5; else v=-17; fi
		d=$1/simulation_$k
		mkdir -p "$d/simulation_${k}_connectivity_matrix" "$d/simulation_${k}_outputs"
		printf 'N,p,gsyn,nloop,vt,b,vrest,results_file\n100,0.3,0.5,7,,0.2,,simulation_%s_results.csv\n' $k \
			> "$d/simulation_${k}_parametros.csv"
		for p in 0 0.5 1; do
			if [ $p = 1 ]; then run=pqif1_seed1; else run=pqif${p}_vrest${v}_seed1; fi
			for l in 0 5; do
				npy-cat --slices $l "$REF/runs/$run/weights.npy" | cut -d, -f2- \
					> "$d/simulation_${k}_connectivity_matrix/simulation_${k}_pesos_pqif_${p}_matriz_iloop_${l}_semilla_1"
				npy-cat --slices $l "$REF/runs/$run/outputs.npy" | cut -d, -f2- \
					> "$d/simulation_${k}_outputs/simulation_${k}_outputs_pqif_${p}_iloop_${l}_seed_1.csv"
			done
		done
	done
}

@test "examples/notebook-csv.sh: vrest of folder simulation_K is the K-th of the notebook's list; the values of the same matrices" {
	notebook_dir nb
	VREST="-8.5 -17" SKIP=100 sh "$ROOT/examples/notebook-csv.sh" nb out
	# one row per key: pqif, vrest, seed, loop
	[ "$(wc -l < out/notebook-motifs.csv)" -eq 13 ] && [ "$(wc -l < out/notebook-dpr.csv)" -eq 13 ]
	[ -z "$(cut -d, -f1-3,5 out/notebook-motifs.csv | sort | uniq -d)" ]
	[ -z "$(cut -d, -f1-3,5 out/notebook-dpr.csv | sort | uniq -d)" ]
	# the sweep's layout
	[ "$(head -1 out/notebook-motifs.csv)" = "$(head -1 "$REF/motifs.csv")" ]
	[ "$(head -1 out/notebook-dpr.csv)" = "$(head -1 "$REF/dpr.csv")" ]
	pyrun '
import csv
def rows(f):
    with open(f) as fh:
        return list(csv.DictReader(fh))
# the sweep writes vrest nan at pqif = 1; the notebook rows keep their folder'"'"'s
def key(r, vrest):
    return (r["pqif"], "nan" if r["pqif"] == "1" else vrest, r["loop"])
ref_m = {key(r, r["vrest"]): r for r in rows(sys.argv[1] + "/motifs.csv") if r["seed"] == "1"}
ref_d = {key(r, r["vrest"]): r for r in rows(sys.argv[1] + "/dpr.csv") if r["seed"] == "1"}
m, d = rows("out/notebook-motifs.csv"), rows("out/notebook-dpr.csv")
folder = {"-8.5": "simulation_1", "-17": "simulation_2"}
for r in m:
    assert r["path"].startswith(folder[r["vrest"]] + "/"), r
    ref = ref_m[key(r, r["vrest"])]
    for k in ("sigma2", "tau_rec", "tau_div", "tau_con", "tau_chn", "R"):
        assert abs(float(r[k]) - float(ref[k])) <= 1e-12 * abs(float(ref[k])) + 1e-15, (k, r[k], ref[k])
for r in d:
    assert r["path"].startswith(folder[r["vrest"]] + "/"), r
    ref = ref_d[key(r, r["vrest"])]
    assert r["samples"] == ref["samples"]
    assert abs(float(r["PR"]) - float(ref["PR"])) <= 1e-7 * float(ref["PR"]), (r["PR"], ref["PR"])
assert sorted(set(r["vrest"] for r in m)) == ["-17", "-8.5"]
' "$REF"
	# The notebook's own list by default: folder 2 is vrest -12.3.
	SKIP=100 sh "$ROOT/examples/notebook-csv.sh" nb out2 2> /dev/null
	[ "$(cut -d, -f2 out2/notebook-motifs.csv | sort -u | tr '\n' ' ')" = "-12.3 -8.5 vrest " ]
}

@test "examples/notebook-csv.sh: a folder one level too deep, a mistyped or empty one, a wrong VREST, no tools: one clear line, no output" {
	notebook_dir nb
	local sh="$ROOT/examples/notebook-csv.sh"
	assert_fails 1 "notebook-csv.sh: nb/simulation_1 is one of the notebook's simulation folders: give the folder that holds them (nb)" \
		sh "$sh" nb/simulation_1 out
	assert_fails 1 "notebook-csv.sh: nbb: no such folder" sh "$sh" nbb out
	mkdir other
	assert_fails 1 "notebook-csv.sh: other: no notebook simulation_K folders in it" sh "$sh" other out
	mkdir -p empty/simulation_1
	assert_fails 1 "notebook-csv.sh: empty: no weight matrices (simulation_K_connectivity_matrix/) or outputs files" \
		sh "$sh" empty out
	assert_fails 1 "notebook-csv.sh: simulation_2: VREST (-8.5) has no entry 2" env VREST=-8.5 sh "$sh" nb out
	sed -i 's/,,simulation_1_results/,-12.3,simulation_1_results/' nb/simulation_1/simulation_1_parametros.csv
	assert_fails 1 "notebook-csv.sh: simulation_1/simulation_1_parametros.csv: vrest -12.3, but entry 1 of VREST (-8.5 -17) is -8.5" \
		env VREST="-8.5 -17" sh "$sh" nb out
	assert_fails 1 "notebook-csv.sh: motifs is not on PATH" env PATH=/usr/bin:/bin sh "$sh" nb out
	# a bad file part-way: the tool's message, and no table
	echo "1,2,x" > nb/simulation_1/simulation_1_connectivity_matrix/simulation_1_pesos_pqif_0_matriz_iloop_9_semilla_1
	sed -i 's/,-12.3,simulation_1_results/,,simulation_1_results/' nb/simulation_1/simulation_1_parametros.csv
	assert_fails 1 "motifs: simulation_1/simulation_1_connectivity_matrix/simulation_1_pesos_pqif_0_matriz_iloop_9_semilla_1:" \
		sh "$sh" nb out
	[ -z "$(ls -A out 2>/dev/null)" ]
	run sh "$sh" --help
	[ "$status" -eq 0 ] && [[ "${lines[0]}" == "Motifs and dimensionality"* ]]
}

@test "examples/rerun-analysis.sh: the analysis again, then with other dpr options" {
	cp -a "$REF" c
	(cd "$ROOT" && env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS sh examples/rerun-analysis.sh "$OLDPWD/c") > log 2>&1 \
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

# render FIG DATA OUT [sed...]: FIG's gnuplot script on the plot data DATA,
# through gnuplot's pbm terminal (a raw PPM of the same size and layout,
# read with NumPy), after the sed expressions given; prints the x range of
# the last panel.
render() {
	local fig=$1 data=$2 out=$3
	shift 3
	sed -e "s/^set terminal pngcairo size \([0-9]*,[0-9]*\).*/set terminal pbm color small size \1/" "$@" \
		"$ROOT/pipelines/plots/$fig.gp" > "$fig.gp"
	gnuplot -e "out='$out'; data='$data'; train_loops=4" "$fig.gp" \
		-e 'set print "-"; print GPVAL_X_MIN, GPVAL_X_MAX'
}

@test "figures: a PR_bc that dpr flags is drawn on its own and counted, and one below 1 is said in words (the README's DPR_SKIP=300)" {
	cp -a "$REF" c
	sweep analysis R="$PWD/c" DPR_SKIP=300 DPR_SAMPLES= > log 2>&1 || { cat log; return 1; }
	# M = 300 / 50 = 6: PR_bc below 1 in some rows, every row flagged
	head -1 c/analysis/plot/dpr-flags.dat > counts
	pyrun '
import csv
rows = [r for r in csv.DictReader(open("c/dpr.csv"))]
below = sum(float(r["PR_bc"]) < 1 for r in rows)
flagged = sum(r["flag"] != "ok" for r in rows)
assert below > 0 and all("below-1" in r["flag"] for r in rows if float(r["PR_bc"]) < 1), rows
assert open("counts").read() == "# rows %d flagged %d below1 %d\n" % (len(rows), flagged, below), open("counts").read()
'
	sed -e "s/^set terminal pngcairo.*/set terminal dumb size 240,60/" "$ROOT/pipelines/plots/dpr.gp" > d.gp
	gnuplot -e "out='fig.txt'; data='c/analysis/plot/dpr.dat'; flags='c/analysis/plot/dpr-flags.dat'" d.gp
	grep -q "rows flagged by dpr" fig.txt
	grep -q "with PR_{bc} < 1: no dimensionality" fig.txt
	# the reference (M estimated) has no PR_bc below 1: nothing said about it
	gnuplot -e "out='ref.txt'; data='$REF/analysis/plot/dpr.dat'; flags='$REF/analysis/plot/dpr-flags.dat'" d.gp
	! grep -q "no dimensionality" ref.txt
	grep -q "below1 0$" "$REF/analysis/plot/dpr-flags.dat"
}

@test "figures: no legend covers a curve or an error bar (dpr, training, motifs)" {
	# dpr.dat of the study's sweep (make sweep), where the curves run high on the left
	cat > study-dpr.dat <<-EOF
	loop=0
	0 8 2.02830426 0.529542352 2.52171773 0.765286709
	0.25 8 1.84193303 0.297826448 2.23744515 0.41250953
	0.5 8 1.71073743 0.181155417 2.04767103 0.244346376
	0.75 8 1.60431713 0.0845744769 1.89484764 0.111178974
	1 2 1.5572358 0.00295780425 1.82101396 0.00329402886


	loop=1
	0 40 3.93240402 0.440655202 5.70826498 0.860610878
	0.25 40 4.00435994 0.330221833 5.83552997 0.651609877
	0.5 40 4.07138127 0.255119912 5.9605015 0.508925369
	0.75 40 4.18451567 0.126508189 6.17994567 0.258195902
	1 10 4.26766513 0.0427966701 6.34707269 0.0894033297
	EOF
	for fd in dpr:study-dpr.dat dpr:$REF/analysis/plot/dpr.dat training:$REF/analysis/plot/training.dat \
		motifs:$REF/analysis/plot/motifs.dat; do
		fig=${fd%%:*}
		render $fig "${fd#*:}" with.ppm > /dev/null
		render $fig "${fd#*:}" without.ppm -e 's/set key [^;}]*/unset key /g' > /dev/null
		pyrun '
def ppm(path):
    b = open(path, "rb").read()
    magic, w, h, top, rest = b.split(maxsplit=4)
    assert magic == b"P6" and top == b"255"
    return np.frombuffer(rest, dtype=np.uint8).reshape(int(h), int(w), 3).astype(int)
a, b = ppm("with.ppm"), ppm("without.ppm")
# the curves: every coloured pixel (not white, grey or black) without the legend
curve = (b.max(axis=2) - b.min(axis=2)) > 60
assert curve.sum() > 1000, curve.sum()
hidden = curve & (np.abs(a - b).sum(axis=2) > 0)
assert not hidden.any(), "%s: the legend hides %d pixels of the curves, e.g. at (x, y) %s" % (
    sys.argv[1], hidden.sum(), tuple(np.argwhere(hidden)[0][::-1]))
' "$fd"
	done
}

@test "figures: the loop axis leaves room for the error bars of the first and last loops (motifs, training)" {
	for fig in motifs training; do
		read -r lo hi < <(render $fig "$REF/analysis/plot/$fig.dat" fig.ppm)
		pyrun '
lo, hi = float(sys.argv[2]), float(sys.argv[3])
assert lo <= -0.5 and hi >= 6.5, "%s: loops 0-6 drawn on x in [%g, %g]" % (sys.argv[1], lo, hi)
' $fig "$lo" "$hi"
	done
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
