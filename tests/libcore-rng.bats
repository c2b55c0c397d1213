#!/usr/bin/env bats
# libcore/rng: streams, distributions, sampling without replacement.

load helpers

@test "rng: streams are reproducible and independent; draws follow their laws" {
	run "$UNIT/test_rng"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"0 failed"* ]]
	! [[ "$output" == *FAIL* ]]
}

@test "rng: one seed gives the same weights and target whatever the other tool draws" {
	init-weights -N 30 --seed 5 -o w1.npy
	gen-target -N 30 --seed 5 -o t1.npy
	gen-target -N 30 --seed 5 --amp0 2 -o t2.npy
	init-weights -N 30 --seed 5 -o w2.npy
	cmp w1.npy w2.npy
	# amplitudes scale with amp0 but phases and groups are the same draws
	pyrun '
a = np.load("t1.npy"); b = np.load("t2.npy")
assert np.allclose(b, a / 2, rtol=0, atol=1e-12)'
}
