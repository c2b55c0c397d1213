/*
 * test_model: the spike rules and the RK2 step of libcore/model against
 * hand-worked cases and closed forms.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "model.h"
#include "testrand.h"

static int failures;

#define CHECK(cond, ...) do { \
	if (!(cond)) { \
		failures++; \
		fprintf(stderr, "test_model: %s:%d: ", __FILE__, __LINE__); \
		fprintf(stderr, __VA_ARGS__); \
		fputc('\n', stderr); \
	} \
} while (0)

static void test_mod(void)
{
	CHECK(model_mod(7, 2 * M_PI) == 7 - 2 * M_PI, "mod 7");
	CHECK(fabs(model_mod(-1, 2 * M_PI) - (2 * M_PI - 1)) < 1e-15, "mod -1");
	CHECK(model_mod(0, 2 * M_PI) == 0, "mod 0");
	CHECK(model_mod(-4 * M_PI, 2 * M_PI) == 0, "mod -4pi");
}

static void test_qif_rule(void)
{
	const double tp = 2 * M_PI;

	CHECK(model_qif_spike(3.0, 3.2), "crossing pi from below");
	CHECK(!model_qif_spike(3.0, 3.1), "short of pi");
	CHECK(!model_qif_spike(3.2, 3.3), "already past pi");
	CHECK(!model_qif_spike(3.2, 3.2 + tp - 0.06), "short of the next pi");
	CHECK(model_qif_spike(3.2, 3.2 + tp - 0.05), "reaching the next pi");
	/* phases past 2 pi: the rule only looks at the phase modulo 2 pi */
	CHECK(model_qif_spike(3 * tp + 3.0, 3 * tp + 3.2), "crossing pi, third turn");
	CHECK(!model_qif_spike(3 * tp + 3.0, 3 * tp + 3.1), "short of pi, third turn");
	CHECK(model_qif_spike(5 * tp + 0.1, 5 * tp + 3.2), "from 10 pi + 0.1 over 11 pi");
	CHECK(!model_qif_spike(5 * tp + 0.1, 5 * tp + 3.1), "from 10 pi + 0.1 short of 11 pi");
	/* negative phases: -pi is pi modulo 2 pi */
	CHECK(model_qif_spike(-3.3, -3.1), "crossing -pi");
	CHECK(!model_qif_spike(-3.1, -3.0), "past -pi");
	/* going backwards never spikes */
	CHECK(!model_qif_spike(3.2, 3.0), "backwards over pi");
}

static void test_lif_rule(void)
{
	struct model_params mp = { .n = 3, .nqif = 0, .vt = 0, .vrest = -8.5, .dt = 0.1,
				   .b = 0.2, .sigma = 0 };
	double x[3] = { -1, 0.5, -5 }, r[3] = { 0.3, 0.3, 0.3 }, in[3] = { 100, 0, 0 };
	unsigned char spk[3];
	size_t n = model_step(&mp, x, r, in, NULL, NULL, spk);
	double rnospike = 0.3 + 0.1 * (-0.2 * (0.3 + 0.1 * (-0.2 * 0.3) / 2));

	CHECK(n == 2 && spk[0] && spk[1] && !spk[2], "LIF spikes: %zu %d %d %d", n,
	      spk[0], spk[1], spk[2]);
	/* x' > vt resets to vrest, even for a neuron that started above vt */
	CHECK(x[0] == -8.5 && x[1] == -8.5, "LIF reset %g %g", x[0], x[1]);
	CHECK(r[0] == rnospike + 0.2 && r[1] == rnospike + 0.2, "r += b: %.17g", r[0]);
	CHECK(r[2] == rnospike && x[2] < 0 && x[2] > -5, "no spike: x %g r %g", x[2], r[2]);
	/* x' == vt exactly is not a spike (strict >) */
	mp.n = 1;
	x[0] = 0;
	in[0] = 0;
	r[0] = 0;
	n = model_step(&mp, x, r, in, NULL, NULL, spk);
	CHECK(n == 0 && x[0] == 0, "x' = vt is no spike");
}

/* QIF neurons are not reset: the phase runs on past 2 pi. */
static void test_qif_step(void)
{
	struct model_params mp = { .n = 1, .nqif = 1, .vt = 0, .vrest = -8.5, .dt = 0.1,
				   .b = 0.2, .sigma = 0 };
	double x = 0, r = 0, in = 4;
	unsigned char spk;
	size_t spikes = 0;

	for (int i = 0; i < 100; i++)
		spikes += model_step(&mp, &x, &r, &in, NULL, NULL, &spk);
	/* theta with I = 4 has period pi/2: t = 10 covers 6.37 periods; the
	 * phase is kept modulo 2 pi */
	CHECK(spikes == 6 && x >= 0 && x < 2 * M_PI, "QIF: %zu spikes, x %g", spikes, x);
}

/* Exact solutions: LIF x(t) = I + (x0 - I) e^-t; theta neuron with I = 4 from
 * 0: x(t) = 2 atan(2 tan(2t)) for t < pi/4; r(t) = r0 e^-bt.  The midpoint
 * rule must converge with order 2: halving dt divides the error by ~4. */
static void rk2_errors(double dt, double *elif, double *eqif, double *er)
{
	struct model_params mp = { .n = 2, .nqif = 1, .vt = 1e9, .vrest = -1e9, .dt = dt,
				   .b = 0.2, .sigma = 0 };
	double x[2] = { 0, 0.5 }, r[2] = { 1, 1 }, in[2] = { 4, 2 }, T = 0.6;
	unsigned char spk[2];
	long steps = lround(T / dt);

	for (long i = 0; i < steps; i++)
		model_step(&mp, x, r, in, NULL, NULL, spk);
	*eqif = fabs(x[0] - 2 * atan(2 * tan(2 * T)));
	*elif = fabs(x[1] - (2 + (0.5 - 2) * exp(-T)));
	*er = fabs(r[0] - exp(-0.2 * T));
}

static void test_rk2(void)
{
	double l1, q1, r1, l2, q2, r2;

	rk2_errors(0.01, &l1, &q1, &r1);
	rk2_errors(0.005, &l2, &q2, &r2);
	CHECK(l1 < 1e-5 && q1 < 1e-3 && r1 < 1e-7, "RK2 errors %g %g %g", l1, q1, r1);
	CHECK(l1 / l2 > 3.8 && l1 / l2 < 4.2, "LIF order: ratio %g", l1 / l2);
	CHECK(q1 / q2 > 3.8 && q1 / q2 < 4.2, "QIF order: ratio %g", q1 / q2);
	CHECK(r1 / r2 > 3.8 && r1 / r2 < 4.2, "r order: ratio %g", r1 / r2);
}

/* Linear RK2 identity: n LIF steps from x0 with constant I give
 * I + (x0 - I) (1 - dt + dt^2/2)^n. */
static void test_rk2_linear(void)
{
	struct model_params mp = { .n = 1, .nqif = 0, .vt = 1e9, .vrest = -1e9, .dt = 0.1,
				   .b = 0.2, .sigma = 0 };
	double x = 3, r = 0, in = -1.5, g = 1 - 0.1 + 0.005;
	unsigned char spk;

	for (int i = 0; i < 50; i++)
		model_step(&mp, &x, &r, &in, NULL, NULL, &spk);
	CHECK(fabs(x - (in + (3 - in) * pow(g, 50))) < 1e-13, "linear RK2: %.17g", x);
}

/* Noise enters each stage as s * xi: constant draws equal a shifted input
 * for LIF; with --noise em, s = sigma / sqrt(dt). */
static void test_noise(void)
{
	struct model_params mp = { .n = 1, .nqif = 0, .vt = 1e9, .vrest = -1e9, .dt = 0.1,
				   .b = 0.2, .sigma = 0.7 };
	double x1 = 1, r1 = 0, in = 2, xi = 1.3, x2 = 1, r2 = 0, in2 = 2 + 0.7 * 1.3;
	unsigned char spk;

	model_step(&mp, &x1, &r1, &in, &xi, &xi, &spk);
	mp.sigma = 0;
	model_step(&mp, &x2, &r2, &in2, NULL, NULL, &spk);
	CHECK(fabs(x1 - x2) < 1e-15, "noise as input: %.17g %.17g", x1, x2);
	mp.sigma = 0.7;
	mp.noise = MODEL_NOISE_EM;
	CHECK(fabs(model_noise_scale(&mp) - 0.7 / sqrt(0.1)) < 1e-15, "EM scale");
}

/*
 * Each RK2 stage has its own draw: xi1 enters the first stage, xi2 the
 * second.  One step of a QIF and a LIF neuron worked by hand (dt = 0.1,
 * s = sigma = 0.7, digits from the formulas of MODEL.md):
 *   LIF, x = 1, I = 2, xi1 = 1.3, xi2 = -0.4:
 *     f1 = -1 + 2 + 0.7 * 1.3 = 1.91,           x_half = 1 + 0.05 * 1.91 = 1.0955,
 *     f2 = -1.0955 + 2 + 0.7 * (-0.4) = 0.6245, x' = 1 + 0.1 * 0.6245 = 1.06245
 *   QIF, x = 0.5, I = 0.3, xi1 = -0.9, xi2 = 0.6:
 *     cos 0.5 = 0.87758256189037276,
 *     f1 = 1 - cos 0.5 + 0.3 (1 + cos 0.5) - 0.63 = 0.055692206676739,
 *     x_half = 0.5 + 0.05 f1 = 0.50278461033383685, cos x_half = 0.87624414789716313,
 *     f2 = 1 - cos x_half + 0.3 (1 + cos x_half) + 0.42 = 1.1066290964719858,
 *     x' = 0.5 + 0.1 f2 = 0.61066290964719858
 *   and with --noise em, s = 0.7 / sqrt(0.1) = 2.2135943621178655, the LIF
 *     neuron: f1 = 3.8776726707532254, x_half = 1.1938836335376612,
 *     f2 = -0.079321378384807, x' = 0.99206786216151921.
 * Taking xi1 for both stages gives x' = 1.18145 (LIF) and 0.50566 (QIF);
 * xi2 for both, 1.0684 and 0.61252; swapping the neurons' draws, 1.14015
 * and 0.54344: all far outside the tolerance, 1e-14 (the vector cosine is a few
 * ulp off libm's).  r does not see the noise.
 */
static void test_noise_stages(void)
{
	struct model_params mp = { .n = 2, .nqif = 1, .vt = 1e9, .vrest = -1e9, .dt = 0.1,
				   .b = 0.2, .sigma = 0.7 };
	double x[2] = { 0.5, 1 }, r[2] = { 0.3, 0.3 }, in[2] = { 0.3, 2 };
	const double xi1[2] = { -0.9, 1.3 }, xi2[2] = { 0.6, -0.4 };
	const double rnext = 0.3 + 0.1 * (-0.2 * (0.3 + 0.1 * (-0.2 * 0.3) / 2));
	unsigned char spk[2];

	model_step(&mp, x, r, in, xi1, xi2, spk);
	CHECK(fabs(x[0] - 0.61066290964719858) < 1e-14, "QIF stages' noise: x' %.17g", x[0]);
	CHECK(fabs(x[1] - 1.06245) < 1e-14, "LIF stages' noise: x' %.17g", x[1]);
	CHECK(r[0] == rnext && r[1] == rnext && !spk[0] && !spk[1], "r %.17g %.17g", r[0], r[1]);
	x[1] = 1;
	mp.noise = MODEL_NOISE_EM;
	model_step(&mp, x, r, in, xi1, xi2, spk);
	CHECK(fabs(x[1] - 0.99206786216151921) < 1e-14, "EM stages' noise: x' %.17g", x[1]);
}

/*
 * A network of LIF neurons, 1001 of them (blocks of four and a tail), with
 * noise and some spikes, against MODEL.md's RK2 written out here one
 * neuron at a time: the same operations in the same order, so equal to the
 * bit (a fused multiply-add or another order would differ in the last
 * bits of many neurons).
 */
static void test_lif_many(void)
{
	enum { NL = 1001 };
	struct model_params mp = { .n = NL, .nqif = 0, .vt = 1, .vrest = -0.5, .dt = 0.1,
				   .b = 0.2, .sigma = 0.7 };
	static double x[NL], r[NL], in[NL], xi1[NL], xi2[NL], xr[NL], rr[NL];
	static unsigned char spk[NL], sr[NL];
	unsigned seed = 7;
	size_t n, nr = 0, same = 0;

	for (size_t i = 0; i < NL; i++) {
		seed = seed * 1103515245u + 12345u;
		x[i] = xr[i] = (double)(seed >> 8) / (1 << 24) * 1.2 - 0.2;
		seed = seed * 1103515245u + 12345u;
		r[i] = rr[i] = (double)(seed >> 8) / (1 << 24);
		seed = seed * 1103515245u + 12345u;
		in[i] = (double)(seed >> 8) / (1 << 24) * 2 - 0.5;
		seed = seed * 1103515245u + 12345u;
		xi1[i] = (double)(seed >> 8) / (1 << 24) * 4 - 2;
		seed = seed * 1103515245u + 12345u;
		xi2[i] = (double)(seed >> 8) / (1 << 24) * 4 - 2;
	}
	for (size_t i = 0; i < NL; i++) {
		const double dt = mp.dt, b = mp.b, s = mp.sigma;
		double f = -xr[i] + in[i], xh, rh, x1, r1;

		f += s * xi1[i];
		xh = xr[i] + dt * f / 2;
		rh = rr[i] + dt * (-b * rr[i]) / 2;
		f = -xh + in[i];
		f += s * xi2[i];
		x1 = xr[i] + dt * f;
		r1 = rr[i] + dt * (-b * rh);
		sr[i] = x1 > mp.vt;
		if (sr[i]) {
			x1 = mp.vrest;
			r1 += b;
			nr++;
		}
		xr[i] = x1;
		rr[i] = r1;
	}
	n = model_step(&mp, x, r, in, xi1, xi2, spk);
	for (size_t i = 0; i < NL; i++) {
		same += x[i] == xr[i] && r[i] == rr[i] && spk[i] == sr[i];
	}
	CHECK(same == NL && n == nr, "LIF network: %zu of %d neurons as written out, "
	      "%zu spikes against %zu", same, NL, n, nr);
	CHECK(nr > 20 && nr < NL - 20, "LIF network: %zu spikes (some, not all)", nr);
}

static void test_recurrent_and_finite(void)
{
	size_t rowptr[3] = { 0, 2, 3 };
	int32_t col[3] = { 0, 1, 0 };
	double val[3] = { 2, -1, 0.5 }, r[2] = { 3, 4 }, v[2];
	double bad[3] = { 1, INFINITY, 2 };

	model_recurrent(2, rowptr, col, val, r, v);
	CHECK(v[0] == 2 && v[1] == 1.5, "W r: %g %g", v[0], v[1]);
	CHECK(model_finite(r, 2) && !model_finite(bad, 3), "finite");
	bad[1] = NAN;
	CHECK(!model_finite(bad, 3), "nan");
	CHECK(model_nqif(200, 0.25) == 50 && model_nqif(7, 0.5) == 3 && model_nqif(5, 1) == 5,
	      "nqif");
}

static unsigned long long seed = 0x9e3779b97f4a7c15ull;

static double unif(void)
{
	return test_unif(&seed);
}

/* model_step() takes the cosines of a block of QIF neurons at once (glibc's
 * vector cosine): against the scalar formulas of MODEL.md with libm's cos,
 * the same phases to a few ulp, the same spikes, and a neuron's result
 * must not depend on the size of the network around it. */
static void test_qif_block(void)
{
	enum { N = 203 };
	struct model_params mp = { .n = N, .nqif = 150, .vt = 0, .vrest = -8.5, .dt = 0.1,
				   .b = 0.2, .sigma = 0 };
	double x[N], r[N], in[N], xr[N], x5[5], r5[5], err = 0;
	unsigned char spk[N], s5[5];
	int same_spikes = 1;

	for (int i = 0; i < N; i++) {
		x[i] = xr[i] = 1000 * unif() - 100;	/* phases far past 2 pi too */
		r[i] = unif();
		in[i] = 4 * unif() - 1;
	}
	for (int i = 0; i < 5; i++) {
		x5[i] = x[i];
		r5[i] = r[i];
	}
	model_step(&mp, x, r, in, NULL, NULL, spk);
	for (int i = 0; i < 150; i++) {
		double x0 = xr[i], c = cos(x0), f = 1 - c + in[i] * (1 + c), xh = x0 + mp.dt * f / 2;
		double x1;

		c = cos(xh);
		f = 1 - c + in[i] * (1 + c);
		x1 = x0 + mp.dt * f;
		/* model_step() keeps the phase modulo 2 pi: compare there,
		 * relative to the step's increment (the phases reach 1000) */
		err = fmax(err, fabs(model_mod(x1, 2 * M_PI) - x[i]) / (fabs(x1 - x0) + 1e-3));
		same_spikes &= x[i] >= 0 && x[i] < 2 * M_PI;
		same_spikes &= model_qif_spike(x0, x1) == spk[i];
	}
	CHECK(err < 1e-13 && same_spikes, "QIF block: rel. error %g, spikes agree %d",
	      err, same_spikes);
	mp.n = 5;
	mp.nqif = 5;
	model_step(&mp, x5, r5, in, NULL, NULL, s5);
	for (int i = 0; i < 5; i++)
		CHECK(x5[i] == x[i] && r5[i] == r[i] && s5[i] == spk[i],
		      "QIF neuron %d: %.17g in a network of 5, %.17g in one of %d", i, x5[i], x[i], N);
}

/* W r' carried by the spikes: y = gamma W r + b W[:, spiked] equals the full
 * product on r' = gamma r + b s, exactly on dyadic numbers, to rounding on
 * others. */
static void test_recurrent_spikes(void)
{
	enum { N = 60 };
	size_t rowptr[N + 1], nnz = 0;
	int32_t col[N * N];
	double val[N * N], r[N], rn[N], v[N], y[N], yref[N], err = 0, scale = 0;
	unsigned char spk[N];
	struct model_cols c;

	for (int i = 0; i < N; i++) {
		rowptr[i] = nnz;
		for (int j = 0; j < N; j++)
			if (unif() < 0.3) {
				col[nnz] = j;
				val[nnz++] = floor(64 * unif() - 32) / 8;	/* dyadic */
			}
	}
	rowptr[N] = nnz;
	model_cols_init(&c, N, rowptr, col);
	for (int j = 0; j < N; j++) {
		r[j] = floor(256 * unif()) / 64;
		spk[j] = unif() < 0.2;
		rn[j] = 0.5 * r[j] + (spk[j] ? 0.25 : 0);
	}
	model_recurrent(N, rowptr, col, val, r, v);
	model_recurrent_spikes(N, &c, val, 0.5, 0.25, spk, v, y);
	model_recurrent(N, rowptr, col, val, rn, yref);
	for (int i = 0; i < N; i++)
		CHECK(y[i] == yref[i], "dyadic: row %d: %.17g, full product %.17g", i, y[i], yref[i]);
	/* general numbers: gamma and b of the model */
	for (size_t x = 0; x < nnz; x++)
		val[x] = 2 * unif() - 1;
	for (int j = 0; j < N; j++) {
		r[j] = unif();
		rn[j] = 0.975 * r[j] + (spk[j] ? 0.2 : 0);
		scale = fmax(scale, fabs(rn[j]));
	}
	model_recurrent(N, rowptr, col, val, r, v);
	model_recurrent_spikes(N, &c, val, 0.975, 0.2, spk, v, y);
	model_recurrent(N, rowptr, col, val, rn, yref);
	for (int i = 0; i < N; i++)
		err = fmax(err, fabs(y[i] - yref[i]) / (scale * (double)(rowptr[i + 1] - rowptr[i])));
	CHECK(err < 1e-14, "general: error %g of the row's scale", err);
	model_cols_free(&c);
}

/*
 * model_synapses() advances r from the spikes alone to model_step()'s bits
 * (a process advances the r of another's neurons so), for mixed QIF and
 * LIF neurons with noise, over many steps.
 */
static void test_synapses(void)
{
	enum { N = 300 };
	struct model_params mp = { .n = N, .nqif = 120, .vt = 0, .vrest = -8.5, .dt = 0.1,
				   .b = 0.2, .sigma = 1 };
	double x[N], r[N], r2[N], in[N], xi1[N], xi2[N];
	unsigned char spk[N];
	size_t differ = 0, spikes = 0;

	for (int i = 0; i < N; i++) {
		x[i] = 2 * M_PI * unif();
		r[i] = r2[i] = unif();
		in[i] = 20 * unif() - 5;
	}
	for (int t = 0; t < 200; t++) {
		for (int i = 0; i < N; i++) {
			xi1[i] = 4 * unif() - 2;
			xi2[i] = 4 * unif() - 2;
		}
		spikes += model_step(&mp, x, r, in, xi1, xi2, spk);
		model_synapses(&mp, r2, spk, N);
		for (int i = 0; i < N; i++)
			differ += r[i] != r2[i];
	}
	CHECK(spikes > 1000, "only %zu spikes: the test needs spikes", spikes);
	CHECK(differ == 0, "model_synapses differs from model_step in %zu values", differ);
}

int main(void)
{
	test_mod();
	test_qif_rule();
	test_lif_rule();
	test_qif_step();
	test_rk2();
	test_rk2_linear();
	test_noise();
	test_noise_stages();
	test_lif_many();
	test_recurrent_and_finite();
	test_qif_block();
	test_recurrent_spikes();
	test_synapses();
	if (failures)
		fprintf(stderr, "test_model: %d failure(s)\n", failures);
	return failures ? 1 : 0;
}
