#!/usr/bin/env bats
# gen-target: every target kind, against its closed form (or, for the
# Ornstein-Uhlenbeck process, its statistics) in numpy.

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

@test "gen-target: --kind sequence is numpy's np.roll of the Gaussian bump by floor(omegagauss it), to 1e-12" {
	for args in "40 300 0.5 0.1 4" "37 200 0.2 0.15 2.5" "50 120 1 0.05 4" "23 90 0.37 0.3 1" "30 80 -0.3 0.1 4"; do
		set -- $args
		gen-target --kind sequence -N $1 --steps $2 --omegagauss $3 --sg-index $4 --amp0 $5 \
			-o t.npy --params p.csv
		pyrun '
n, steps = int(sys.argv[1]), int(sys.argv[2])
og, sg, amp0 = map(float, sys.argv[3:6])
t = np.load("t.npy")
assert t.shape == (steps, n) and t.dtype == np.float64
s = sg * n
g = amp0 * np.exp(-(np.arange(n) - n / 2) ** 2 / (2 * s ** 2))
want = np.stack([np.roll(g, int(np.floor(og * it))) for it in range(steps)])
assert np.max(np.abs(t - want)) <= 1e-12, np.max(np.abs(t - want))
p = np.genfromtxt("p.csv", delimiter=",", names=True)
assert list(p.dtype.names) == ["neuron", "offset", "bump", "sigma", "omegagauss"]
assert np.array_equal(p["neuron"], np.arange(n))
assert np.array_equal(p["offset"], np.arange(n) - n / 2)
assert np.max(np.abs(p["bump"] - g)) <= 1e-12
assert np.all(p["sigma"] == s) and np.all(p["omegagauss"] == og)' $args
	done
}

@test "gen-target: --kind sequence defaults are sg-index 0.1, omegagauss 0.2: one tour of N = 200 per loop" {
	gen-target --kind sequence -o t.npy
	pyrun '
t = np.load("t.npy")
assert t.shape == (1000, 200)
g = 4 * np.exp(-(np.arange(200) - 100) ** 2 / (2 * 20.0 ** 2))
want = np.stack([np.roll(g, int(np.floor(0.2 * it))) for it in range(1000)])
assert np.max(np.abs(t - want)) <= 1e-12
# the bump moves one neuron every 5 steps and is back at its start after the loop
assert np.array_equal(np.roll(t[999], 1), t[0])
assert np.argmax(t[0]) == 100 and np.argmax(t[5]) == 101'
}

@test "gen-target: --kind phase-sequence is amp0 cos(it 4pi/steps + 4pi i/N), to 1e-12" {
	for args in "40 500 4" "37 200 2.5" "1 10 1"; do
		set -- $args
		gen-target --kind phase-sequence -N $1 --steps $2 --amp0 $3 -o t.npy --params p.csv
		pyrun '
n, steps, amp0 = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
t = np.load("t.npy")
assert t.shape == (steps, n)
phase = 4 * np.pi * np.arange(n) / n
omega = 2 * 2 * np.pi / steps
want = amp0 * np.cos(np.arange(steps)[:, None] * omega + phase)
assert np.max(np.abs(t - want)) <= 1e-12, np.max(np.abs(t - want))
p = np.genfromtxt("p.csv", delimiter=",", names=True, ndmin=1)
assert list(p.dtype.names) == ["neuron", "phase", "omega", "romega", "amplitude"]
assert np.max(np.abs(p["phase"] - phase)) <= 1e-12
assert np.all(p["romega"] == 2) and np.all(p["amplitude"] == amp0)
assert np.max(np.abs(p["omega"] - omega)) <= 1e-15' $args
	done
	# the sign: neuron i leads neuron 0 by phase 4 pi i/N, i.e. by i steps/N
	# steps: with N = 40 and 400 steps, neuron 0 peaks at 0 and 200, neuron 1
	# at 190, neuron 3 at 170
	gen-target --kind phase-sequence -N 40 --steps 400 -o t.npy
	pyrun '
t = np.load("t.npy")
peaks = [np.argmax(t[1:201, i]) + 1 for i in (0, 1, 3)]
assert peaks == [200, 190, 170], peaks'
}

@test "gen-target: --kind ou with the defaults: stationary from step 0, mean 0, variance, lag-1 and lag-100 autocorrelation" {
	# tau 200, sigma 0.5, dt 0.1: decay a = 1 - dt/tau, stationary variance
	# v = sigma^2 dt / (1 - a^2) (25.006); N = 10000 independent neurons
	gen-target --kind ou -N 10000 --steps 200 --seed 3 -o t.npy --params p.csv
	pyrun '
t = np.load("t.npy"); n = t.shape[1]
a = 1 - 0.1 / 200
b = 0.5 * np.sqrt(0.1)
v = b ** 2 / (1 - a ** 2)
p = np.genfromtxt("p.csv", delimiter=",", names=True)
assert list(p.dtype.names) == ["neuron", "initial", "tau", "sigma", "dt", "decay", "stationary_sd"]
assert np.array_equal(p["initial"], t[0])
assert np.all(p["decay"] == a) and np.all(p["tau"] == 200) and np.all(p["sigma"] == 0.5)
assert np.all(np.abs(p["stationary_sd"] - np.sqrt(v)) <= 1e-12) and np.all(p["dt"] == 0.1)
# across neurons at the first and the last step: mean within 5 standard
# errors sqrt(v/n), variance within 5 standard errors v sqrt(2/(n-1))
for row in (t[0], t[-1]):
    assert abs(row.mean()) < 5 * np.sqrt(v / n), row.mean()
    assert abs(row.var() - v) < 5 * v * np.sqrt(2 / (n - 1)), row.var()
# lag 1: the regression slope of T(it+1) on T(it) has standard error
# b / sqrt(sum T^2); 5 of them are 1.1e-4, well under 1 - a = 5e-4
x, y = t[:-1].ravel(), t[1:].ravel()
a1 = np.dot(x, y) / np.dot(x, x)
assert abs(a1 - a) < 5 * b / np.sqrt(np.dot(x, x)), (a1, a)
# lag 100: a^100 = 0.951; counting one sample per neuron (the steps of a
# neuron overlap), the standard error is at most sqrt((1 - a^200) / n)
k = 100
x, y = t[:-k].ravel(), t[k:].ravel()
ak = np.dot(x, y) / np.dot(x, x)
assert abs(ak - a ** k) < 5 * np.sqrt((1 - a ** (2 * k)) / n), (ak, a ** k)
# the innovations are independent standard normals
xi = (t[1:] - a * t[:-1]).ravel() / b
m = xi.size
assert abs(xi.mean()) < 5 / np.sqrt(m) and abs(xi.var() - 1) < 5 * np.sqrt(2 / m)
assert abs(np.dot(xi[:-1], xi[1:]) / m) < 5 / np.sqrt(m)'
}

@test "gen-target: --kind ou with a short tau: variance sigma^2 dt/(1-a^2) and autocorrelation a^k at lags 1 to 40" {
	# tau 1, dt 0.1: a = 0.9; the Euler-Maruyama variance 2.105 is 5% above
	# the continuous process's sigma^2 tau/2 = 2, which the test tells apart
	gen-target --kind ou --ou-tau 1 --ou-sigma 2 --dt 0.1 -N 500 --steps 4000 --seed 8 -o t.npy
	pyrun '
t = np.load("t.npy")
a, v = 0.9, 4 * 0.1 / (1 - 0.81)
m = t.size
# standard errors of an AR(1) series: mean sqrt(v (1+a)/(1-a) / m), sample
# variance v sqrt(2 (1+a^2)/(1-a^2) / m), autocorrelation at lag k by
# Bartlett: sqrt(((1+a^2)(1-a^(2k))/(1-a^2) - 2k a^(2k)) / m); 5 of each
assert abs(t.mean()) < 5 * np.sqrt(v * (1 + a) / (1 - a) / m), t.mean()
var = np.mean(t ** 2)
assert abs(var - v) < 5 * v * np.sqrt(2 * (1 + a * a) / (1 - a * a) / m), var
assert abs(var - 2.0) > 0.05
for k in (1, 2, 5, 10, 20, 40):
    rk = np.sum(t[:-k] * t[k:]) / np.sum(t[:-k] ** 2)
    se = np.sqrt(((1 + a * a) * (1 - a ** (2 * k)) / (1 - a * a) - 2 * k * a ** (2 * k)) / m)
    assert abs(rk - a ** k) < 5 * se, (k, rk, a ** k, se)'
}

@test "gen-target: --kind ou is reproducible per seed, differs across seeds, and a longer loop extends the same path" {
	gen-target --kind ou -N 30 --steps 100 --seed 3 -o a.npy --params a.csv
	gen-target --kind ou -N 30 --steps 100 --seed 3 -o b.npy --params b.csv
	gen-target --kind ou -N 30 --steps 100 --seed 4 -o c.npy --params c.csv
	gen-target --kind ou -N 30 --steps 250 --seed 3 -o d.npy
	cmp a.npy b.npy
	cmp a.csv b.csv
	! cmp -s a.npy c.npy
	! cmp -s a.csv c.csv
	pyrun '
a, c, d = np.load("a.npy"), np.load("c.npy"), np.load("d.npy")
assert np.array_equal(a, d[:100])
assert not np.any(a == c)'
}

@test "gen-target: --float32 rounds every kind's float64 array" {
	for kind in osc sequence phase-sequence ou; do
		gen-target --kind $kind -N 20 --steps 30 --seed 2 -o s.npy
		gen-target --kind $kind -N 20 --steps 30 --seed 2 --float32 -o f.npy
		pyrun '
s = np.load("s.npy"); f = np.load("f.npy")
assert s.dtype == np.float64 and f.dtype == np.float32
assert np.array_equal(s.astype(np.float32), f)'
	done
}

@test "gen-target: --help on stdout exits 0; --version" {
	run gen-target --help
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "Usage: gen-target"* ]]
	[[ "$output" == *"--romega2"* ]]
	[[ "$output" == *"--kind"* ]]
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
	assert_fails 2 "gen-target: -N: 0 is out of range [1, 2000000000]" gen-target -N 0 -o t.npy
	assert_fails 2 "gen-target: -N: -5 is out of range [1, 2000000000]" gen-target -N -5 -o t.npy
	assert_fails 2 "gen-target: -N: 3000000000 is out of range [1, 2000000000]" gen-target -N 3000000000 -o t.npy
	assert_fails 2 "gen-target: -N: 'abc' is not a whole number" gen-target -N abc -o t.npy
	assert_fails 2 "gen-target: -N: '2.5' is not a whole number" gen-target -N 2.5 -o t.npy
	assert_fails 2 "gen-target: --amp0: 'x1' is not a number" gen-target --amp0 x1 -o t.npy
	assert_fails 2 "gen-target: --amp0: -1 is out of range" gen-target --amp0 -1 -o t.npy
	assert_fails 2 "gen-target: --romega1: 'nan' is not a finite number" gen-target --romega1 nan -o t.npy
	assert_fails 2 "gen-target: --seed: '-1' is not a non-negative whole number" gen-target --seed -1 -o t.npy
	assert_fails 2 "gen-target: --seed: 99999999999999999999 is out of range" gen-target --seed 99999999999999999999 -o t.npy
	assert_fails 2 "gen-target: -N 100000 x --steps 100000 is too large" gen-target -N 100000 --steps 100000 -o t.npy
	assert_fails 2 "gen-target: unexpected argument 'extra'" gen-target -o t.npy extra
	assert_fails 2 "gen-target: --kind: 'wave' is not osc, sequence, phase-sequence or ou" gen-target --kind wave -o t.npy
	assert_fails 2 "gen-target: option '--kind' requires an argument" gen-target -o t.npy --kind
	assert_fails 2 "gen-target: --romega1 does not apply to --kind sequence" gen-target --romega1 2 --kind sequence -o t.npy
	assert_fails 2 "gen-target: --sg-index does not apply to --kind osc" gen-target --sg-index 0.2 -o t.npy
	assert_fails 2 "gen-target: --omegagauss does not apply to --kind phase-sequence" gen-target --kind phase-sequence --omegagauss 1 -o t.npy
	assert_fails 2 "gen-target: --amp0 does not apply to --kind ou" gen-target --kind ou --amp0 3 -o t.npy
	assert_fails 2 "gen-target: --dt does not apply to --kind osc" gen-target --dt 0.1 -o t.npy
	assert_fails 2 "gen-target: --ou-tau does not apply to --kind sequence" gen-target --kind sequence --ou-tau 5 -o t.npy
	assert_fails 2 "gen-target: --sg-index: 0 is not positive" gen-target --kind sequence --sg-index 0 -o t.npy
	assert_fails 2 "gen-target: --sg-index: -0.1 is not positive" gen-target --kind sequence --sg-index -0.1 -o t.npy
	assert_fails 2 "gen-target: --sg-index: 'inf' is not a finite number" gen-target --kind sequence --sg-index inf -o t.npy
	assert_fails 2 "gen-target: --omegagauss: 1e7 is out of range" gen-target --kind sequence --omegagauss 1e7 -o t.npy
	assert_fails 2 "gen-target: --ou-tau: 0 is not positive" gen-target --kind ou --ou-tau 0 -o t.npy
	assert_fails 2 "gen-target: --ou-sigma: -1 is out of range" gen-target --kind ou --ou-sigma -1 -o t.npy
	assert_fails 2 "gen-target: --dt: 0 is not positive" gen-target --kind ou --dt 0 -o t.npy
	assert_fails 2 "gen-target: --dt 300 is not below --ou-tau 200" gen-target --kind ou --dt 300 -o t.npy
	assert_fails 2 "gen-target: --dt 2 is not below --ou-tau 2" gen-target --kind ou --ou-tau 2 --dt 2 -o t.npy --params p.csv
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
