#!/usr/bin/env bats
# simulate-train --rls: the spike kernel (k from the previous step and the
# spiked inputs) and the direct kernel (k = P q at every step) against the
# NumPy transcription of MODEL.md and against each other.

load helpers

REF="$ROOT/tests/ref/model_ref.py"

# net N: network and target with N neurons, 400 steps per loop
net() {
	init-weights -N "$1" -p 0.3 --seed 4 -o w.npy
	gen-target -N "$1" --steps 400 --seed 4 -o t.npy
}

# run_rls DIR [options]: 4 loops, 2 of them trained, no noise, all recorded
run_rls() {
	local dir=$1
	shift
	simulate-train -q -w w.npy -t t.npy -o "$dir" --loops 4 --train-loops 2 \
		--stim-steps 100 --sigma 0 --float64 --record +inputs "$@"
}

# Tolerance as in simulate-train.bats: the C run and NumPy differ in the
# order of floating-point operations only (the spike kernel also in how k
# is obtained: from the previous k, exact up to rounding), about 1e-16
# relative per operation; we allow 1e-9 * (1 + |ref|), while a modelling
# error (a wrong gamma, a missed spike) gives 1e-3 or more.  Spikes must
# agree exactly.
@test "--rls spike, coefficient and direct all match NumPy (tau-s 4, dt 0.05, pqif 0.5, two training loops)" {
	net 100
	for k in spike direct; do
		run_rls "$k" --rls "$k" --pqif 0.5 --tau-s 4 --dt 0.05 --seed 2
	done
	# the coefficient form (here in float64 P) defers each weight row's
	# change to its next pass: what the run reads of W in between (the
	# error, the recurrent input, the records) must not show it
	simulate-train -w w.npy -t t.npy -o coefficient --loops 4 --train-loops 2 \
		--stim-steps 100 --sigma 0 --float64 --record +inputs --rls coefficient \
		--pqif 0.5 --tau-s 4 --dt 0.05 --seed 2 2>err
	share=$(sed -n 's/.*coefficient kernel: \([0-9]*\)% of the neuron-steps in coefficients.*/\1/p' err)
	[ "$share" -ge 50 ]
	"$PY" "$REF" w.npy t.npy spike/kick.npy spike/state0.npy ref --pqif 0.5 --tau-s 4 \
		--dt 0.05 --loops 4 --train-loops 2 --stim-steps 100
	pyrun '
for c in ("spike", "direct", "coefficient"):
    for f in ("outputs", "inputs", "weights"):
        a = np.load(c + "/" + f + ".npy"); b = np.load("ref/" + f + ".npy")
        err = np.max(np.abs(a - b) / (1 + np.abs(b)))
        print(c, f, err)
        assert err < 1e-9, (c, f, err)
    sp = np.load("ref/spikes.npy")
    ev = np.loadtxt(c + "/spikes.csv", delimiter=",", skiprows=1, ndmin=2).astype(int)
    mine = np.zeros_like(sp)
    mine[ev[:, 0], ev[:, 1], ev[:, 2]] = 1
    assert (mine == sp).all(), c + ": spikes differ"
    assert sp[1:3, 101:].sum() > 300, "too few spikes in training to test the recursion"
w = np.load("ref/weights.npy")
assert np.abs(w[2] - w[0]).max() > 1e-3, "training changed nothing"'
}

@test "--rls spike and direct agree to rounding but not bit for bit; the kernel is recorded" {
	net 200
	run_rls s --pqif 0.25 --seed 1 --rls spike
	run_rls d --pqif 0.25 --seed 1 --rls direct
	run_rls x --pqif 0.25 --seed 1
	# Loops 0-2 (untrained, then the two trained loops) must agree to
	# rounding.  Loop 3 runs free on weights that differ in the last bits:
	# the network is chaotic, and a spike that lands within rounding of its
	# threshold sends the two runs apart there, so it is not compared.
	pyrun '
import csv
for f in ("outputs", "weights"):
    a = np.load("s/" + f + ".npy")[:3]; b = np.load("d/" + f + ".npy")[:3]
    err = np.max(np.abs(a - b) / (1 + np.abs(b)))
    print(f, err)
    assert err < 1e-9, (f, err)
# the spike kernel really ran: rounding differences in the trained weights
assert not np.array_equal(np.load("s/weights.npy"), np.load("d/weights.npy"))
sp = [[l for l in open(d + "/spikes.csv") if not l.startswith("3,")] for d in ("s", "d")]
assert sp[0] == sp[1] and len(sp[0]) > 1000
for d, k in (("s", "spike"), ("d", "direct"), ("x", "spike")):
    p = next(csv.DictReader(open(d + "/params.csv")))
    assert p["rls"] == k, (d, p["rls"])
    assert list(p)[list(p).index("rls") + 1] == "float32"'
	# the default is the spike kernel: same bytes
	cmp s/weights.npy x/weights.npy
	simulate-train -w w.npy -t t.npy -o v --loops 2 --train-loops 1 --stim-steps 100 \
		--rls direct 2>err
	grep -q 'RLS update [0-9.]*, direct kernel)' err
}

@test "--rls spike and coefficient: the same bytes with 1 and 2 threads" {
	net 200
	for k in "spike" "coefficient --dt 0.01"; do
		simulate-train -q -w w.npy -t t.npy -o a --loops 3 --train-loops 2 --stim-steps 100 \
			--pqif 0.5 --seed 7 --rls $k --force
		simulate-train -q -w w.npy -t t.npy -o b --loops 3 --train-loops 2 --stim-steps 100 \
			--pqif 0.5 --seed 7 --rls $k --threads 2 --force
		for f in weights.npy outputs.npy spikes.csv dw.csv summary.csv; do
			cmp "a/$f" "b/$f"
		done
	done
}

@test "--p-float32 takes the coefficient kernel unless --rls says otherwise; params.csv records it" {
	net 60
	simulate-train -q -w w.npy -t t.npy -o a --loops 2 --train-loops 1 --stim-steps 100 --p-float32
	simulate-train -q -w w.npy -t t.npy -o b --loops 2 --train-loops 1 --stim-steps 100 --p-float32 \
		--rls spike
	simulate-train -q -w w.npy -t t.npy -o c --loops 2 --train-loops 1 --stim-steps 100 \
		--forget 0.99 --p-float32
	pyrun '
import csv
for d, k in (("a", "coefficient"), ("b", "spike"), ("c", "direct")):
    p = next(csv.DictReader(open(d + "/params.csv")))
    assert p["rls"] == k, (d, p["rls"])
# the two kernels agree to the rounding of float32 P, not bit for bit
a, b = np.load("a/weights.npy"), np.load("b/weights.npy")
assert not np.array_equal(a, b)
assert np.max(np.abs(a - b)) < 1e-3 * np.max(np.abs(b)), np.max(np.abs(a - b))'
}

# The folds of P use 512-bit vectors where the processor has them; every
# element gets the same fused multiply-adds in the same order, so the bytes
# must not change when FORCENET_NO_AVX512 keeps them to 256 bits.
@test "--rls spike: the same bytes with and without 512-bit folds" {
	grep -qw avx512f /proc/cpuinfo || skip "this processor has no AVX-512"
	net 200
	simulate-train -q -w w.npy -t t.npy -o a --loops 3 --train-loops 2 --stim-steps 100 \
		--pqif 0.5 --seed 7 --rls spike
	FORCENET_NO_AVX512=1 simulate-train -q -w w.npy -t t.npy -o b --loops 3 \
		--train-loops 2 --stim-steps 100 --pqif 0.5 --seed 7 --rls spike
	for f in weights.npy outputs.npy spikes.csv dw.csv summary.csv; do
		cmp "a/$f" "b/$f"
	done
}

@test "--rls: an unknown kernel is a usage error" {
	net 40
	assert_fails 2 "simulate-train: --rls: 'fast' is not spike, coefficient or direct" \
		simulate-train -w w.npy -t t.npy -o c --rls fast
	assert_fails 2 "simulate-train: --rls: '' is not spike, coefficient or direct" \
		simulate-train -w w.npy -t t.npy -o c --rls ''
	[ ! -e c ]
}
