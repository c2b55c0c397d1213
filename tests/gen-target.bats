#!/usr/bin/env bats
# gen-target: the oscillatory targets, against the closed form in numpy.

load helpers

@test "gen-target: values equal amp*cos(it*omega+phase) from the params file, to 1e-12" {
	gen-target -N 37 --steps 500 --amp0 3 --romega1 2 --romega2 7 --seed 4 -o t.npy --params p.csv
	pyrun '
t = np.load("t.npy")
assert t.shape == (500, 37) and t.dtype == np.float64
p = np.genfromtxt("p.csv", delimiter=",", names=True)
assert list(p.dtype.names) == ["neuron", "phase", "omega", "romega", "amplitude"]
assert np.array_equal(p["neuron"], np.arange(37))
# omega from romega, as documented
assert np.allclose(p["omega"], p["romega"] * 2 * np.pi / 500, rtol=0, atol=1e-15)
for it, i in [(0, 0), (1, 5), (123, 36), (499, 17), (250, 20)]:
    want = p["amplitude"][i] * np.cos(it * p["omega"][i] + p["phase"][i])
    assert abs(t[it, i] - want) <= 1e-12, (it, i, t[it, i], want)
full = p["amplitude"] * np.cos(np.arange(500)[:, None] * p["omega"] + p["phase"])
assert np.max(np.abs(full - t)) <= 1e-12
assert np.all((p["amplitude"] >= 0) & (p["amplitude"] < 3))
assert np.all((p["phase"] >= 0) & (p["phase"] < 2 * np.pi))'
}

@test "gen-target: floor(N/2) neurons at romega1, the rest at romega2; odd N leaves none at 0" {
	for n in 1 2 7 200 201; do
		gen-target -N $n --seed 9 -o t.npy --params p.csv
		pyrun '
n = int(sys.argv[1])
p = np.genfromtxt("p.csv", delimiter=",", names=True, ndmin=1)
r = p["romega"]
assert np.sum(r == 1) == n // 2 and np.sum(r == 5) == n - n // 2, r
assert np.all(p["omega"] != 0)' $n
	done
}

@test "gen-target: amplitudes and phases are spread as U(0,amp0) and U(0,2pi)" {
	gen-target -N 4000 --steps 2 --amp0 4 --seed 1 -o t.npy --params p.csv
	pyrun '
p = np.genfromtxt("p.csv", delimiter=",", names=True)
# means of uniforms: standard error sqrt(1/12)/sqrt(4000) of the range; 5 sigma
se = np.sqrt(1 / 12 / 4000) * 5
assert abs(p["amplitude"].mean() / 4 - 0.5) < se
assert abs(p["phase"].mean() / (2 * np.pi) - 0.5) < se'
}

@test "gen-target: same seed gives identical bytes, another seed differs" {
	gen-target -N 50 --seed 3 -o a.npy --params a.csv
	gen-target -N 50 --seed 3 -o b.npy --params b.csv
	gen-target -N 50 --seed 4 -o c.npy --params c.csv
	cmp a.npy b.npy
	cmp a.csv b.csv
	! cmp -s a.npy c.npy
	! cmp -s a.csv c.csv
}

@test "gen-target: writes to stdout by default, and --float32 halves the array" {
	gen-target -N 10 --steps 20 > s.npy
	gen-target -N 10 --steps 20 --float32 -o f.npy
	pyrun '
s = np.load("s.npy"); f = np.load("f.npy")
assert s.dtype == np.float64 and f.dtype == np.float32
assert np.array_equal(s.astype(np.float32), f)'
}

@test "gen-target: --help on stdout exits 0; --version" {
	run gen-target --help
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "Usage: gen-target"* ]]
	[[ "$output" == *"--romega2"* ]]
	run gen-target -h
	[ "$status" -eq 0 ]
	run gen-target -V
	[ "$status" -eq 0 ]
	[[ "$output" == "gen-target (forcenet) "* ]]
}

@test "gen-target: bad options are usage errors (exit 2) and leave no file" {
	assert_fails 2 "gen-target: unrecognized option '--bogus'" gen-target --bogus -o t.npy
	assert_fails 2 "gen-target: option requires an argument -- 'N'" gen-target -o t.npy -N
	assert_fails 2 "gen-target: option '--steps' requires an argument" gen-target -o t.npy --steps
	assert_fails 2 "gen-target: -N: 0 is out of range [1, 100000]" gen-target -N 0 -o t.npy
	assert_fails 2 "gen-target: -N: -5 is out of range [1, 100000]" gen-target -N -5 -o t.npy
	assert_fails 2 "gen-target: -N: 1000000000 is out of range [1, 100000]" gen-target -N 1000000000 -o t.npy
	assert_fails 2 "gen-target: -N: 'abc' is not a whole number" gen-target -N abc -o t.npy
	assert_fails 2 "gen-target: -N: '2.5' is not a whole number" gen-target -N 2.5 -o t.npy
	assert_fails 2 "gen-target: --amp0: 'x1' is not a number" gen-target --amp0 x1 -o t.npy
	assert_fails 2 "gen-target: --amp0: -1 is out of range" gen-target --amp0 -1 -o t.npy
	assert_fails 2 "gen-target: --romega1: 'nan' is not a finite number" gen-target --romega1 nan -o t.npy
	assert_fails 2 "gen-target: --seed: '-1' is not a non-negative whole number" gen-target --seed -1 -o t.npy
	assert_fails 2 "gen-target: --seed: 99999999999999999999 is out of range" gen-target --seed 99999999999999999999 -o t.npy
	assert_fails 2 "gen-target: -N 100000 x --steps 100000 is too large" gen-target -N 100000 --steps 100000 -o t.npy
	assert_fails 2 "gen-target: unexpected argument 'extra'" gen-target -o t.npy extra
	assert_only
}

@test "gen-target: an unwritable output is an error and leaves nothing behind" {
	touch plain
	assert_fails 1 "gen-target: plain/t.npy: cannot create: Not a directory" gen-target -o plain/t.npy
	assert_fails 1 "gen-target: nodir/t.npy: cannot create: No such file or directory" gen-target -o nodir/t.npy
	# the params file fails: the array must not be left either
	assert_fails 1 "gen-target: nodir/p.csv: cannot create" gen-target -o t.npy --params nodir/p.csv
	assert_only plain
}

@test "gen-target: a full device is a write error, not silence" {
	[ -w /dev/full ] || skip "no /dev/full"
	assert_fails 1 "gen-target: stdout: write error" sh -c 'gen-target -N 100 > /dev/full'
}
