/*
 * test_rls: the RLS step of libcore/rls, both kernels, against the textbook
 * form on full matrices:
 *     k = P q, den = 1 + q'k, P <- P - k k'/den, w += e P q (P after update)
 * The synaptic outputs follow the model between steps, r <- gamma r + b s
 * (s: spikes), with a realistic spike pattern (about 1.3 of 60 inputs per
 * step), synchronous bursts (more than m/8 inputs at once: the spike kernel
 * computes k directly) and gaps without training (a new loop: no valid
 * previous k).  Sizes 600, 61, 37, 8, 5, 1 and 0 exercise every tail of the
 * vector loops and the limit on spiked inputs.
 *
 * Tolerance: the library and the textbook round differently (packed
 * symmetric storage, pending updates folded later, k from the recursion),
 * and the recursion's rounding errors are contracted by gamma < 1 and
 * reset by the direct product at least every RLS_REFRESH steps, so both stay
 * far below 1e-10 relative (observed: about 1e-14).  An error in the
 * recursion itself (a wrong gamma, a missed spike, a pending update left
 * out) is of the order of the step's change of k, 1e-3 or more relative;
 * the test shows that even a gamma off by only 1e-6 is caught.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rls.h"

static int failures;

#define CHECK(cond, ...) do { \
	if (!(cond) && ++failures <= 20) { \
		fprintf(stderr, "test_rls: %s:%d: ", __FILE__, __LINE__); \
		fprintf(stderr, __VA_ARGS__); \
		fputc('\n', stderr); \
	} \
} while (0)

/* NR neurons (W is NR x NR), of which the first N have inputs */
enum { N = 7, NR = 700, LOOPS = 4, STEPS = 150, STIM = 30, MMAX = 600 };
static const size_t msz[N] = { 61, 600, 37, 8, 5, 1, 0 };
static const double TOL = 1e-10;
/*
 * With P_i and its vectors stored as float (rounded at every store, the
 * arithmetic in double), every stored value carries a relative error of up
 * to 2^-24 = 6e-8, and P_i q sums m of them: the weights and k stay within
 * about 1e-5 of the textbook relative to their scale over these 600 steps
 * (observed: ...).  A wrong formula is off by 1e-3 or more.
 */
static const double TOL32 = 1e-4;

static double urand(unsigned *s)
{
	*s = *s * 1103515245u + 12345u;
	return ((*s >> 8) & 0xffffff) / (double)0x1000000;
}

/* The forgetting factor of the runs (1: none). */
static double lambda_ = 1;

/* The textbook step on the full m x m matrix P (row-major): k = P q,
 * den = lambda + q'k, P <- (P - k k'/den)/lambda, then pq = P q with the
 * updated P. */
static void textbook_step(size_t m, double *P, const double *q, double *k, double *pq)
{
	double den = lambda_;

	for (size_t a = 0; a < m; a++) {
		k[a] = 0;
		for (size_t c = 0; c < m; c++)
			k[a] += P[a * m + c] * q[c];
	}
	for (size_t a = 0; a < m; a++)
		den += q[a] * k[a];
	for (size_t a = 0; a < m; a++)
		for (size_t c = 0; c < m; c++)
			P[a * m + c] = (P[a * m + c] - k[a] * k[c] / den) / lambda_;
	for (size_t a = 0; a < m; a++) {
		pq[a] = 0;
		for (size_t c = 0; c < m; c++)
			pq[a] += P[a * m + c] * q[c];
	}
}

struct result {
	double *val;        /* final weights */
	double maxerr_w;    /* max |w - textbook| / (1 + |textbook|) */
	double maxerr_k;    /* max over steps of |k c - P q| / (1 + |P q|) */
	double maxerr_dw;   /* max relative error of dw2 */
	size_t passes, steps;
	int coef;           /* the run took the coefficient form */
	size_t coef_steps;  /* neuron-steps in the coefficient form */
};

/*
 * LOOPS loops of STEPS steps of synaptic outputs, training at it > STIM,
 * with `threads` threads, kernel kind and batch; gamma_err scales the
 * gamma told to the library (1: the true one); compare: also run the
 * textbook.
 */
static void run(int threads, enum rls_kernel_kind kind, size_t batch, int f32, int coef,
		double gamma_err, int compare, struct result *res)
{
	const double dt = 0.1, b = 0.2, alpha = 0.25;
	const double gamma = 1 - b * dt + (b * dt) * (b * dt) / 2;
	size_t rowptr[NR + 1];
	int32_t *col;
	double *val, *Pt[N], *wt, r[NR], e[NR];
	unsigned char spk[NR];
	struct rls s;
	struct rls_spikes sp = { spk, gamma * gamma_err, b };
	unsigned seed = 12345;
	static double q[MMAX], k[MMAX], pq[MMAX];

	const double tol = f32 ? TOL32 : TOL;

	struct pool *pool = pool_new(threads);

	memset(res, 0, sizeof *res);
	rowptr[0] = 0;
	for (size_t i = 0; i < NR; i++)
		rowptr[i + 1] = rowptr[i] + (i < N ? msz[i] : 0);
	col = malloc((rowptr[N] + 1) * sizeof *col);
	val = malloc((rowptr[N] + 1) * sizeof *val);
	wt = malloc((rowptr[N] + 1) * sizeof *wt);
	for (size_t i = 0; i < N; i++) {
		/* distinct increasing columns */
		for (size_t j = 0; j < msz[i]; j++) {
			col[rowptr[i] + j] = (int32_t)(j + (i * 13) % (NR - msz[i] + 1));
			val[rowptr[i] + j] = wt[rowptr[i] + j] = urand(&seed) - 0.5;
		}
		Pt[i] = calloc(msz[i] * msz[i] + 1, sizeof(double));
		for (size_t j = 0; j < msz[i]; j++)
			Pt[i][j * msz[i] + j] = 1 / alpha;
	}
	for (size_t j = 0; j < NR; j++)
		r[j] = b * urand(&seed);
	rls_init(&s, NR, rowptr, col, &(struct rls_config){ .alpha = alpha, .kind = kind, .batch = batch,
					.p_float32 = f32, .forget = lambda_, .pool = pool,
					.coef = coef });
	if (lambda_ < 1)
		s.scale_max = 2;
	/* the matrices are small: RLS_BATCH unless told otherwise; forgetting
	 * takes the direct kernel */
	CHECK(s.batch == (kind == RLS_DIRECT || lambda_ < 1 ? 1 : batch ? batch : RLS_BATCH),
	      "batch %zu", s.batch);
	CHECK(rls_bytes(NR, rowptr, &(struct rls_config){ .alpha = alpha, .kind = kind, .batch = batch }) > 8 * rls_packed_size(MMAX), "rls_bytes");
	for (int loop = 0; loop < LOOPS; loop++)
		for (int it = 0; it < STEPS; it++) {
			/* a burst of 20% at the first step after the kick and
			 * at two other steps, else 2% per step (a rate of 20 Hz) */
			double pr = it == STIM + 1 || it == 77 || it == 120 ? 0.2 :
				    it == 100 ? 0.11 : 0.022;

			for (size_t j = 0; j < NR; j++) {
				/* model_step's RK2 of g(r) = -b r, then the spike */
				r[j] = r[j] + dt * (-b * (r[j] + dt * (-b * r[j]) / 2));
				spk[j] = urand(&seed) < pr;
				if (spk[j])
					r[j] += b;
			}
			if (it <= STIM)
				continue;
			for (size_t i = 0; i < NR; i++)
				e[i] = urand(&seed) - 0.5;
			rls_step(&s, pool, val, r, e, NULL, NULL, it > STIM + 1 ? &sp : NULL, 1);
			if (!compare)
				continue;
			for (size_t i = 0; i < N; i++) {
				size_t m = msz[i];
				double dw2 = 0;
				static double kl[MMAX];

				rls_last_k(&s, i, kl);
				for (size_t j = 0; j < m; j++)
					q[j] = r[col[rowptr[i] + j]];
				textbook_step(m, Pt[i], q, k, pq);
				for (size_t a = 0; a < m; a++) {
					wt[rowptr[i] + a] += e[i] * pq[a];
					dw2 += e[i] * pq[a] * e[i] * pq[a];
				}
				/* P q after the update equals k/den */
				for (size_t a = 0; a < m; a++)
					res->maxerr_k = fmax(res->maxerr_k, fabs(kl[a] * s.c[i] - pq[a]) /
							     (1 + fabs(pq[a])));
				if (m)
					res->maxerr_dw = fmax(res->maxerr_dw,
							      fabs(s.dw2[i] - dw2) / dw2);
			}
		}
	res->passes = s.passes;
	res->steps = s.steps;
	res->coef = s.coef;
	res->coef_steps = s.coef_steps;
	/* the coefficient form's pending weight change lands in val */
	rls_settle(&s, pool, val);
	if (compare) {
		static double full[MMAX * MMAX];

		for (size_t j = 0; j < rowptr[N]; j++)
			res->maxerr_w = fmax(res->maxerr_w,
					     fabs(val[j] - wt[j]) / (1 + fabs(wt[j])));
		rls_flush(&s, val);
		for (size_t i = 0; i < N; i++) {
			size_t m = msz[i];
			double maxp = 0, maxd = 0;

			if (!m)
				continue;
			rls_unpack(&s, i, full);
			for (size_t a = 0; a < m * m; a++) {
				maxp = fmax(maxp, fabs(Pt[i][a]));
				maxd = fmax(maxd, fabs(full[a] - Pt[i][a]));
			}
			if (gamma_err == 1)
				CHECK(maxd <= tol * maxp, "kernel %d: P_%zu differs by %g (max %g)",
				      kind, i, maxd, maxp);
			/* the textbook P stays symmetric (so packed storage loses nothing) */
			for (size_t a = 0; a < m; a++)
				for (size_t c = 0; c < a; c++)
					CHECK(fabs(Pt[i][a * m + c] - Pt[i][c * m + a]) <= 1e-12 * maxp,
					      "textbook P_%zu not symmetric", i);
			/* and positive: the quadratic form of a probe vector */
			{
				double qf = 0;

				for (size_t a = 0; a < m * m; a++)
					qf += full[a];
				CHECK(qf > 0, "P_%zu not positive: 1'P1 = %g", i, qf);
			}
		}
		CHECK(!s.blowup, "blowup flag");
	}
	res->val = malloc((rowptr[N] + 1) * sizeof *val);
	memcpy(res->val, val, rowptr[N] * sizeof *val);
	for (size_t i = 0; i < N; i++)
		free(Pt[i]);
	rls_free(&s);
	pool_free(pool);
	free(col);
	free(val);
	free(wt);
}

/* First step from P = I/alpha: k = q/alpha, den = 1 + |q|^2/alpha; then
 * the pending update P -= k k'/den is applied by the next pass.  m = 2 is
 * padded to 4: the block-packed matrix is one block of 4 rows by 4, two
 * tiles of 4 rows by 2 columns, so that P[0], P[1], P[2], P[3] are
 * P_00, P_01, P_10, P_11 (see rls.h). */
static void test_first_step(void)
{
	double P[16] = { 4, 0, 0, 4 }, u[4] = { 0 }, q[4] = { 1, 2 }, k[4], c;
	const double *up[1] = { u };
	double den;

	CHECK(rls_packed_size(2) == 16 && rls_packed_size(5) == 8 * 4 + 4 * 4 &&
	      rls_packed_size(0) == 0, "packed sizes");
	den = rls_kernel(2, P, up, NULL, 0, q, k);
	CHECK(k[0] == 4 && k[1] == 8 && k[2] == 0 && k[3] == 0 && den == 21,
	      "first step: k %g %g den %g", k[0], k[1], den);
	u[0] = k[0];
	u[1] = k[1];
	c = 1 / den;
	q[0] = 1;
	q[1] = 0;
	den = rls_kernel(2, P, up, &c, 1, q, k);
	CHECK(fabs(P[0] - (4 - 16.0 / 21)) < 1e-15 && fabs(P[1] + 32.0 / 21) < 1e-15 &&
	      fabs(P[2] + 32.0 / 21) < 1e-15 && fabs(P[3] - (4 - 64.0 / 21)) < 1e-15,
	      "pending update: %g %g %g %g", P[0], P[1], P[2], P[3]);
	CHECK(fabs(k[0] - P[0]) < 1e-15 && fabs(k[1] - P[1]) < 1e-15, "k after update");
	CHECK(fabs(den - (1 + P[0])) < 1e-15, "den after update");
	for (int i = 4; i < 16; i++)
		CHECK(P[i] == 0, "padding P[%d] = %g", i, P[i]);
	/* a pass without q only folds; without pending updates it changes nothing */
	{
		double Q[16];

		memcpy(Q, P, sizeof P);
		CHECK(rls_kernel(2, P, up, &c, 0, NULL, NULL) == 1 && !memcmp(P, Q, sizeof P),
		      "pass without updates or q");
		rls_kernel(2, P, up, &c, 1, NULL, NULL);
		CHECK(fabs(P[0] - (Q[0] - 16.0 / 21)) < 1e-15, "fold without q");
	}
}

/*
 * The refresh of RLS_SPIKE: k directly at least every s->refresh steps
 * (RLS_REFRESH unless a test changes it).  Three neurons (m = 61, 37, 8 of
 * RN inputs) train at `steps` consecutive steps, their inputs spiking in a
 * fixed pattern that never reaches m/8 at once (input j at the steps t with
 * 7t + 3j = 0 mod 23: at most ceil(m/23) of a neuron's inputs), so that the
 * first step (no previous k) and the refreshes are the only direct passes:
 * ceil(steps/R) per neuron with interval R.  The other RN - RM neurons have
 * no inputs.  Returns the passes and the largest distance of k/den from the
 * textbook P q over every step.
 */
enum { RN = 70, RM = 3 };

static size_t refresh_run(uint32_t refresh, int steps, double *maxerr_k)
{
	static const size_t m[RM] = { 61, 37, 8 };
	const double dt = 0.1, b = 0.2, alpha = 0.25;
	const double gamma = 1 - b * dt + (b * dt) * (b * dt) / 2;
	size_t rowptr[RN + 1] = { 0 }, passes;
	int32_t col[61 + 37 + 8];
	double val[61 + 37 + 8], r[RN], e[RN] = { 0 }, *Pt[RM];
	double q[64], k[64], pq[64], kl[64];
	unsigned char spk[RN];
	struct rls s;
	struct rls_spikes sp = { spk, gamma, b };
	unsigned seed = 777;

	for (size_t i = 0; i < RN; i++)
		rowptr[i + 1] = rowptr[i] + (i < RM ? m[i] : 0);
	for (size_t i = 0; i < RM; i++) {
		for (size_t j = 0; j < m[i]; j++) {
			col[rowptr[i] + j] = (int32_t)(3 * i + j);
			val[rowptr[i] + j] = urand(&seed) - 0.5;
		}
		Pt[i] = calloc(m[i] * m[i], sizeof(double));
		for (size_t j = 0; j < m[i]; j++)
			Pt[i][j * m[i] + j] = 1 / alpha;
	}
	for (size_t j = 0; j < RN; j++)
		r[j] = b * urand(&seed);
	rls_init(&s, RN, rowptr, col, &(struct rls_config){ .alpha = alpha, .kind = RLS_SPIKE });
	CHECK(s.refresh == RLS_REFRESH, "rls_init: refresh %u, not RLS_REFRESH", s.refresh);
	s.refresh = refresh;
	*maxerr_k = 0;
	for (int t = 0; t < steps; t++) {
		for (size_t j = 0; j < RN; j++) {
			r[j] = r[j] + dt * (-b * (r[j] + dt * (-b * r[j]) / 2));
			spk[j] = (7 * t + 3 * (int)j) % 23 == 0;
			if (spk[j])
				r[j] += b;
		}
		for (size_t i = 0; i < RM; i++)
			e[i] = urand(&seed) - 0.5;
		rls_step(&s, NULL, val, r, e, NULL, NULL, t > 0 ? &sp : NULL, 0);
		for (size_t i = 0; i < RM; i++) {
			rls_last_k(&s, i, kl);
			for (size_t j = 0; j < m[i]; j++)
				q[j] = r[col[rowptr[i] + j]];
			textbook_step(m[i], Pt[i], q, k, pq);
			for (size_t a = 0; a < m[i]; a++)
				*maxerr_k = fmax(*maxerr_k, fabs(kl[a] * s.c[i] - pq[a]) /
						 (1 + fabs(pq[a])));
		}
	}
	CHECK(s.steps == (size_t)steps * RN && !s.blowup, "refresh run: %zu steps", s.steps);
	passes = s.passes;
	for (size_t i = 0; i < RM; i++)
		free(Pt[i]);
	rls_free(&s);
	return passes;
}

/*
 * Over 4R + 1 steps the default interval gives 5 passes per neuron, those
 * without inputs too (steps 0, R, 2R, 3R, 4R; an interval of R + 1 would
 * give 4), and one without refreshes (the first step).  Without refreshes k
 * comes from the recursion alone after the first step, over 16 R steps: its
 * error must stay at rounding level, since the recursion contracts it by
 * gamma at every step (rls.h), the refresh being only a safety net.
 */
static void test_refresh(void)
{
	const int R = RLS_REFRESH;
	double err, err_none;
	size_t p = refresh_run(RLS_REFRESH, 4 * R + 1, &err);
	size_t p_none = refresh_run(UINT32_MAX, 16 * R, &err_none);

	printf("test_rls: refresh every %d steps: %zu passes in %d steps, max rel. error "
	       "k/den %.1e; none: %zu passes in %d steps, %.1e\n", R, p, 4 * R + 1, err,
	       p_none, 16 * R, err_none);
	CHECK(p == 5 * RN, "refresh: %zu passes, want %d", p, 5 * RN);
	CHECK(p_none == RN, "no refresh: %zu passes, want %d", p_none, RN);
	CHECK(err <= TOL && err_none <= TOL, "refresh: k/den off P q by %g (none: %g)", err,
	      err_none);
}

/*
 * The coefficient form's memory: a neuron's record lives in its ring (rls.h),
 * so that with 64 inputs in float (slots of 256 bytes, records of about
 * 1.1 KB) the form adds only its per-neuron indices (cm, cj, cform, cspk:
 * 36 bytes) to the vectors' form, both in rls_bytes() and in what rls_init()
 * allocates for the rings (voff[n]).  With 8 inputs the ring must grow to
 * hold slot 0 and the record.
 */
static void test_coef_memory(void)
{
	enum { CN = 5 };
	static const size_t deg[2] = { 64, 8 };

	for (size_t x = 0; x < 2; x++) {
		size_t rowptr[CN + 1];
		int32_t *col = malloc(CN * deg[x] * sizeof *col);
		struct rls_config cv = { .alpha = 1, .kind = RLS_SPIKE, .p_float32 = 1,
					 .batch = RLS_BATCH_LARGE, .coef = -1 };
		struct rls_config cc = cv;
		struct rls sv, sc;
		size_t bv, bc;

		cc.coef = 1;
		rowptr[0] = 0;
		for (size_t i = 0; i < CN; i++) {
			rowptr[i + 1] = rowptr[i] + deg[x];
			for (size_t j = 0; j < deg[x]; j++)
				col[rowptr[i] + j] = (int32_t)((i + 1 + j) % 100);
		}
		cv.ncols = cc.ncols = 100;
		bv = rls_bytes(CN, rowptr, &cv);
		bc = rls_bytes(CN, rowptr, &cc);
		rls_init(&sv, CN, rowptr, col, &cv);
		rls_init(&sc, CN, rowptr, col, &cc);
		CHECK(sc.coef && !sv.coef, "coef memory: the forms");
		if (deg[x] == 64) {
			CHECK(bc - bv == CN * (2 + 2 + 4 * RLS_COEF_SPIKES),
			      "coef memory: rls_bytes %zu against %zu for the vectors' form", bc, bv);
			CHECK(sc.voff[CN] == sv.voff[CN], "coef memory: rings of %zu values, not %zu",
			      sc.voff[CN], sv.voff[CN]);
		} else {
			CHECK(sc.voff[CN] * sizeof(float) >=
			      CN * (8 * sizeof(float) + sc.cstride * sizeof(double)) &&
			      sc.voff[CN] > sv.voff[CN], "coef memory: rings of %zu values for m = 8",
			      sc.voff[CN]);
			CHECK(bc - bv == CN * (2 + 2 + 4 * RLS_COEF_SPIKES) +
			      (sc.voff[CN] - sv.voff[CN]) * sizeof(float),
			      "coef memory: rls_bytes %zu against %zu (m = 8)", bc, bv);
		}
		rls_free(&sv);
		rls_free(&sc);
		free(col);
	}
}

int main(void)
{
	static const char *const name[2] = { "direct", "spike" };
	/* kernels and batches: the automatic one, the large one, one that
	 * folds with the generic pass, and a fold at every step */
	static const struct {
		enum rls_kernel_kind kind;
		size_t batch;
		int f32;
		double lambda;
		int coef;
	} conf[] = { { RLS_DIRECT, 0, 0, 1, 0 }, { RLS_SPIKE, 0, 0, 1, 0 },
		     { RLS_SPIKE, RLS_BATCH_LARGE, 0, 1, 0 }, { RLS_SPIKE, 3, 0, 1, 0 },
		     { RLS_SPIKE, 1, 0, 1, 0 }, { RLS_DIRECT, 0, 1, 1, 0 },
		     /* P in float: the coefficient form unless told not */
		     { RLS_SPIKE, 0, 1, 1, 0 }, { RLS_SPIKE, RLS_BATCH_LARGE, 1, 1, 0 },
		     { RLS_SPIKE, 3, 1, 1, 0 }, { RLS_SPIKE, 0, 1, 1, -1 },
		     { RLS_SPIKE, RLS_BATCH_LARGE, 1, 1, -1 },
		     /* the coefficient form in double (the tight tolerance) */
		     { RLS_SPIKE, 0, 0, 1, 1 }, { RLS_SPIKE, RLS_BATCH_LARGE, 0, 1, 1 },
		     { RLS_SPIKE, 3, 0, 1, 1 }, { RLS_SPIKE, RLS_MAX_PENDING, 0, 1, 1 },
		     /* forgetting (always k directly; the scale of P goes into
		      * the matrix every 140 steps: scale_max is lowered to 2) */
		     { RLS_SPIKE, 0, 0, 0.995, 0 }, { RLS_DIRECT, 0, 1, 0.995, 0 } };
	struct result a, b;
	size_t nw = 0;

	for (size_t i = 0; i < N; i++)
		nw += msz[i];
	test_first_step();
	test_refresh();
	test_coef_memory();
	for (size_t x = 0; x < sizeof conf / sizeof conf[0]; x++) {
		int kind = conf[x].kind;

		const double tol = conf[x].f32 ? TOL32 : TOL;

		lambda_ = conf[x].lambda;
		if (lambda_ < 1)
			kind = RLS_DIRECT;
		run(1, conf[x].kind, conf[x].batch, conf[x].f32, conf[x].coef, 1, 1, &a);
		printf("test_rls: %-6s kernel%s, batch %zu, P in %s, lambda %g: max rel. error w %.1e, k/den %.1e, "
		       "dw2 %.1e; k directly in %zu of %zu neuron-steps (%zu in the coefficient form)\n", name[kind],
		       a.coef ? " (coefficients)" : "", conf[x].batch, conf[x].f32 ? "float" : "double",
		       lambda_, a.maxerr_w, a.maxerr_k, a.maxerr_dw, a.passes, a.steps, a.coef_steps);
		/* the coefficient form takes both of its forms here (the
		 * neuron of 600 inputs sees a dozen spikes a step) */
		if (a.coef)
			CHECK(a.coef_steps > a.steps / 4 && a.coef_steps + a.passes < a.steps,
			      "coefficient form: %zu of %zu steps (%zu passes)", a.coef_steps,
			      a.steps, a.passes);
		CHECK(a.coef == (kind == RLS_SPIKE && (conf[x].coef > 0 ||
						      (conf[x].coef == 0 && conf[x].f32))),
		      "coefficient form %d", a.coef);
		CHECK(a.maxerr_w <= tol, "%s: weights off the textbook by %g", name[kind],
		      a.maxerr_w);
		CHECK(a.maxerr_k <= tol, "%s: k/den off P q by %g", name[kind], a.maxerr_k);
		CHECK(a.maxerr_dw <= tol, "%s: dw2 off by %g", name[kind], a.maxerr_dw);
		if (kind == RLS_DIRECT)
			CHECK(a.passes == a.steps, "direct: %zu passes for %zu steps",
			      a.passes, a.steps);
		else
			/* most of the neuron-steps used the recursion, yet some
			 * were passes: the first step of each loop, the bursts */
			CHECK(a.passes > (size_t)(NR * LOOPS) && a.passes < a.steps / 2,
			      "spike: %zu passes for %zu steps", a.passes, a.steps);
		run(2, conf[x].kind, conf[x].batch, conf[x].f32, conf[x].coef, 1, 0, &b);
		CHECK(!memcmp(a.val, b.val, nw * sizeof *a.val), "%s: 1 and 2 threads differ",
		      name[kind]);
		free(a.val);
		free(b.val);
	}
	/* the comparison catches a recursion that is slightly wrong */
	lambda_ = 1;
	for (int coef = -1; coef <= 1; coef += 2) {
		run(1, RLS_SPIKE, 0, 0, coef, 1 + 1e-6, 1, &a);
		printf("test_rls: spike kernel%s told a gamma off by 1e-6: max rel. error k/den %.1e\n",
		       coef > 0 ? " (coefficients)" : "", a.maxerr_k);
		CHECK(a.maxerr_k > 100 * TOL, "a wrong gamma went unnoticed (%g)", a.maxerr_k);
		free(a.val);
	}
	if (failures)
		fprintf(stderr, "test_rls: %d failure(s)\n", failures);
	return failures ? 1 : 0;
}
