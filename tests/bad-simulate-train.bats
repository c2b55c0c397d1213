#!/usr/bin/env bats
# simulate-train on bad input: one line "simulate-train: FILE: problem",
# status 1 (2 for usage), and the folder as it was (assert_bad): no run
# directory, no hidden temporary, nothing replaced.  And its inputs from
# wherever they come (stdin, pipes, the notebook's CSV), hashed as read.

load helpers
load bad-inputs

# a small network and target: N = 20, 200 steps
small() {
	init-weights -N 20 -p 0.3 --seed 3 -o w.npy
	gen-target -N 20 --steps 200 --seed 3 -o t.npy
}

# st ARGS...: a short run of the small network
st() {
	simulate-train -q --loops 3 --train-loops 1 --stim-steps 50 "$@"
}

# the run folders A and B hold the same files, byte for byte, but params.csv
same_run() {
	local f
	for f in "$1"/*; do
		[ "$(basename "$f")" = params.csv ] || cmp "$f" "$2/$(basename "$f")" || return 1
	done
}

@test "simulate-train: bad inputs: shapes, N = 0, no steps, zero weights, values, formats" {
	small
	pyrun '
np.save("n0.npy", np.zeros((0, 0)))
np.save("s0.npy", np.zeros((0, 20)))
np.save("zero.npy", np.zeros((20, 20)))
np.save("rect.npy", np.zeros((20, 19)))
np.save("w3.npy", np.zeros((2, 20, 20)))
np.save("k19.npy", np.zeros(19))
np.save("k2.npy", np.zeros((2, 20)))
w = np.load("w.npy"); w[3, 5] = np.nan; np.save("wnan.npy", w)'
	printf '1,2\n3,4\0junk\n' > nul.csv
	other_formats
	assert_bad 1 "simulate-train: n0.npy: N = 0: the weights hold no neuron" st -w n0.npy -t t.npy -o run
	assert_bad 1 "simulate-train: s0.npy: the target has no step (shape (0, 20))" \
		st -w w.npy -t s0.npy -o run
	assert_bad 1 "simulate-train: zero.npy: every weight is zero: RLS trains the non-zero entries only" \
		st -w zero.npy -t t.npy -o run
	assert_bad 1 "simulate-train: rect.npy: weights must be a square (N, N) matrix, not (20, 19)" \
		st -w rect.npy -t t.npy -o run
	assert_bad 1 "simulate-train: w3.npy: weights must be a square (N, N) matrix, not (2, 20, 20)" \
		st -w w3.npy -t t.npy -o run
	assert_bad 1 "simulate-train: wnan.npy: value at [3, 5] is not finite (nan)" \
		st -w wnan.npy -t t.npy -o run
	assert_bad 1 "simulate-train: k19.npy: shape (19,), expected (20,) for N = 20" \
		st -w w.npy -t t.npy -o run --kick k19.npy
	assert_bad 1 "simulate-train: k2.npy: shape (2, 20), expected (20,) for N = 20" \
		st -w w.npy -t t.npy -o run --state k2.npy
	assert_bad 1 "simulate-train: nul.csv: row 2, column 2: NUL byte in the field" \
		st -w nul.csv -t t.npy -o run
	assert_bad 1 "simulate-train: nope.npy: cannot open: No such file or directory" \
		st -w nope.npy -t t.npy -o run
	check_other_formats simulate-train st -t t.npy -o run -w
	assert_bad 2 "simulate-train: stdin ('-') can be read only once" st -w - -t - -o run
	assert_bad 2 "simulate-train: --stim-steps 199 leaves no step after the kick" \
		st -w w.npy -t t.npy -o run --stim-steps 199
	# with no training, zero weights are a network of uncoupled neurons
	st -w zero.npy -t t.npy -o run --train-loops 0
	[ -s run/summary.csv ]
}

@test "simulate-train: a shape whose byte size reaches 2^63, and short streams" {
	small
	npy_claim big.npy "(1073741824, 1073741824)" 1
	assert_bad 1 "simulate-train: big.npy: truncated: shape needs 1152921504606846976 values, file holds 1" \
		st -w big.npy -t t.npy -o run
	assert_bad 1 "simulate-train: -: out of memory" st -w - -t t.npy -o run < <(cat big.npy)
	assert_bad 1 "simulate-train: -: truncated header" st -w - -t t.npy -o run < <(head -c 5 w.npy)
	assert_bad 1 "simulate-train: -: truncated: shape needs 400 values, file holds 4" \
		st -w - -t t.npy -o run < <(head -c 160 w.npy)
	assert_bad 1 "simulate-train: -: empty file" st -w - -t t.npy -o run < /dev/null
}

@test "simulate-train: weights and target from stdin, pipes and /dev/stdin, hashed as read" {
	small
	st -w w.npy -t t.npy -o ref
	st -w - -t t.npy -o a < w.npy
	cat t.npy | st -w w.npy -t - -o b
	st -w <(cat w.npy) -t /dev/stdin -o c < <(cat t.npy)
	pyrun 'np.save("k.npy", np.linspace(-3, 3, 20))'
	st -w w.npy -t t.npy -o k --kick - < k.npy
	for r in a b c; do same_run ref $r; done
	pyrun '
import csv, hashlib
sha = {f: hashlib.sha256(open(f, "rb").read()).hexdigest() for f in ("w.npy", "t.npy", "k.npy")}
def params(d):
    with open(d + "/params.csv") as f:
        return next(csv.DictReader(f))
want = {"ref": ("w.npy", "t.npy"), "a": ("-", "t.npy"), "b": ("w.npy", "-")}
for d, (w, t) in want.items():
    p = params(d)
    assert (p["weights"], p["target"]) == (w, t), (d, p["weights"], p["target"])
    assert p["weights_sha256"] == sha["w.npy"] and p["target_sha256"] == sha["t.npy"], (d, p)
p = params("c")
assert p["weights"].startswith("/dev/fd/") and p["target"] == "/dev/stdin", p
assert p["weights_sha256"] == sha["w.npy"] and p["target_sha256"] == sha["t.npy"], p
p = params("k")
assert p["kick"] == "-" and p["kick_sha256"] == sha["k.npy"], p
empty = hashlib.sha256(b"").hexdigest()
assert all(params(d)[k] != empty for d in "abc" for k in ("weights_sha256", "target_sha256"))'
}

@test "simulate-train: a sparse .npz through a pipe is read once, dense: the same run, the same hash" {
	init-weights -N 20 -p 0.3 --seed 3 -o w.npz
	gen-target -N 20 --steps 200 --seed 3 -o t.npy
	st -w w.npz -t t.npy -o file
	st -w <(cat w.npz) -t t.npy -o pipe
	st -w - -t t.npy -o stdin < w.npz
	for r in pipe stdin; do
		cmp file/summary.csv $r/summary.csv
		cmp file/outputs.npy $r/outputs.npy
	done
	pyrun '
import csv, hashlib
sha = hashlib.sha256(open("w.npz", "rb").read()).hexdigest()
for d in ("file", "pipe", "stdin"):
    p = next(csv.DictReader(open(d + "/params.csv")))
    assert p["weights_sha256"] == sha, (d, p["weights_sha256"])'
}

@test "simulate-train: the notebook's CSV weights and target, Fortran order: the same run" {
	small
	st -w w.npy -t t.npy -o ref
	pyrun '
import csv
w = np.load("w.npy"); t = np.load("t.npy")
with open("w.csv", "w", newline="") as f:      # save_matrix_csv
    csv.writer(f).writerows(w.tolist())
with open("t.csv", "w", newline="") as f:      # pandas to_csv(index=False) of target.T
    f.write(",".join("Neuron_%d" % i for i in range(w.shape[0])) + "\n")
    for row in t:
        f.write(",".join(repr(float(v)) for v in row) + "\n")
np.save("wf.npy", np.asfortranarray(w))
np.save("tf.npy", np.asfortranarray(t))
k = np.load("ref/kick.npy"); x = np.load("ref/state0.npy")
np.savetxt("k.csv", k[:, None], delimiter=",")
np.savetxt("x.csv", x[None, :], delimiter=",")'
	st -w w.csv -t t.csv -o csv
	st -w wf.npy -t tf.npy -o fortran
	st -w w.npy -t t.npy -o kx --kick k.csv --state x.csv
	same_run ref csv
	same_run ref fortran
	same_run ref kx
}

@test "simulate-train: closed stderr does not become an output; closed stdin is not read" {
	small
	st -w w.npy -t t.npy -o ref
	sh -c 'exec simulate-train --loops 3 --train-loops 1 --stim-steps 50 -w w.npy -t t.npy -o run 2>&-'
	same_run ref run
	pyrun 'assert np.load("run/weights.npy").shape == (3, 20, 20)'
	assert_bad 1 "simulate-train: -: read error: Bad file descriptor" \
		sh -c 'exec simulate-train -q -w - -t t.npy -o run2 <&-'
}

@test "simulate-train: --force replaces a run directory only, and leaves nothing hidden" {
	small
	st -w w.npy -t t.npy -o run
	st -w w.npy -t t.npy -o run --force --seed 1
	[ -z "$(ls -A | grep tmp || true)" ]
	echo data > file
	mkdir -p nested/sub
	assert_bad 1 "simulate-train: file: exists (use --force to replace it)" st -w w.npy -t t.npy -o file
	assert_bad 1 "simulate-train: file: exists and is not a directory (--force replaces only a run directory)" \
		st -w w.npy -t t.npy -o file --force
	assert_bad 1 "simulate-train: nested: holds 'sub', which is not a file of a run" \
		st -w w.npy -t t.npy -o nested --force
	mkfifo fifo
	assert_bad 1 "simulate-train: fifo: exists and is not a directory" st -w w.npy -t t.npy -o fifo --force
	if mknod null c 1 3 2>/dev/null; then
		assert_bad 1 "simulate-train: null: exists and is not a directory" \
			st -w w.npy -t t.npy -o null --force
	fi
	# a link to a run directory: the directory is replaced, the link stays
	ln -s run link
	st -w w.npy -t t.npy -o link --force --seed 2
	still_a link l
	[ -s run/summary.csv ]
	pyrun '
import csv
assert next(csv.DictReader(open("run/params.csv")))["seed"] == "2"'
	[ -z "$(ls -A | grep tmp || true)" ]
	long=$(printf 'r%.0s' $(seq 1 250))
	st -w w.npy -t t.npy -o "$long"
	st -w w.npy -t t.npy -o "$long" --force
	[ -s "$long/summary.csv" ]
	[ -z "$(ls -A | grep tmp || true)" ]
}

@test "simulate-train: a target too large for the error: an error, not inf" {
	small
	pyrun 'np.save("huge.npy", np.load("t.npy") * 1e160)'
	assert_bad 1 "simulate-train: loop 0: the error against the target overflows (target or recurrent input too large)" \
		st -w w.npy -t huge.npy -o run
}
