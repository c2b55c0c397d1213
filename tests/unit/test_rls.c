/*
 * test_rls: the packed, fused RLS step of libcore/rls against the textbook
 * form on full matrices:
 *     k = P q, den = 1 + q'k, P <- P - k k'/den, w += e P q (P after update)
 * Sizes 37, 8, 5, 1 and 0 exercise every tail of the vector loops.
 */
#include <math.h>
#include <omp.h>
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

enum { N = 5, STEPS = 60, NR = 40 };
static const size_t msz[N] = { 37, 8, 5, 1, 0 };

static double urand(unsigned *s)
{
	*s = *s * 1103515245u + 12345u;
	return ((*s >> 8) & 0xffffff) / (double)0x1000000;
}

/* Run STEPS steps with the library using `threads` threads; optionally
 * also with the textbook and compare. */
static void run(int threads, double *val_out, int compare)
{
	size_t rowptr[N + 1];
	int32_t *col;
	double *val, *Pt[N], *wt, r[NR], e[N], alpha = 0.25;
	struct rls s;
	unsigned seed = 12345;

	omp_set_num_threads(threads);
	rowptr[0] = 0;
	for (size_t i = 0; i < N; i++)
		rowptr[i + 1] = rowptr[i] + msz[i];
	col = malloc((rowptr[N] + 1) * sizeof *col);
	val = malloc((rowptr[N] + 1) * sizeof *val);
	wt = malloc((rowptr[N] + 1) * sizeof *wt);
	for (size_t i = 0; i < N; i++) {
		for (size_t j = 0; j < msz[i]; j++) {
			col[rowptr[i] + j] = (int32_t)((j * 7 + i) % NR);
			val[rowptr[i] + j] = wt[rowptr[i] + j] = urand(&seed) - 0.5;
		}
		Pt[i] = calloc(msz[i] * msz[i] + 1, sizeof(double));
		for (size_t j = 0; j < msz[i]; j++)
			Pt[i][j * msz[i] + j] = 1 / alpha;
	}
	rls_init(&s, N, rowptr, alpha);
	for (int step = 0; step < STEPS; step++) {
		for (size_t j = 0; j < NR; j++)
			r[j] = 2 * urand(&seed);
		for (size_t i = 0; i < N; i++)
			e[i] = urand(&seed) - 0.5;
		rls_step(&s, col, val, r, e, 1);
		if (!compare)
			continue;
		for (size_t i = 0; i < N; i++) {
			size_t m = msz[i];
			double q[64], k[64], pq[64], den = 1, *P = Pt[i];

			for (size_t j = 0; j < m; j++)
				q[j] = r[col[rowptr[i] + j]];
			for (size_t a = 0; a < m; a++) {
				k[a] = 0;
				for (size_t b = 0; b < m; b++)
					k[a] += P[a * m + b] * q[b];
			}
			for (size_t a = 0; a < m; a++)
				den += q[a] * k[a];
			for (size_t a = 0; a < m; a++)
				for (size_t b = 0; b < m; b++)
					P[a * m + b] -= k[a] * k[b] / den;
			for (size_t a = 0; a < m; a++) {
				pq[a] = 0;
				for (size_t b = 0; b < m; b++)
					pq[a] += P[a * m + b] * q[b];
				wt[rowptr[i] + a] += e[i] * pq[a];
			}
			/* P q after the update equals k/den: the pending k times 1/den */
			for (size_t a = 0; a < m; a++) {
				double lib = s.u[s.cur][s.voff[i] + a] * s.c[i];

				CHECK(fabs(lib - pq[a]) <= 1e-10 * (1 + fabs(pq[a])),
				      "step %d neuron %zu: k/den %g vs P q %g", step, i, lib, pq[a]);
			}
		}
	}
	if (compare) {
		double full[64 * 64];

		for (size_t j = 0; j < rowptr[N]; j++)
			CHECK(fabs(val[j] - wt[j]) <= 1e-10 * (1 + fabs(wt[j])),
			      "w[%zu]: %.17g vs textbook %.17g", j, val[j], wt[j]);
		rls_flush(&s);
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
			CHECK(maxd <= 1e-10 * maxp, "P_%zu differs by %g (max %g)", i, maxd, maxp);
			/* the textbook P stays symmetric (so packed storage loses nothing) */
			for (size_t a = 0; a < m; a++)
				for (size_t b = 0; b < a; b++)
					CHECK(fabs(Pt[i][a * m + b] - Pt[i][b * m + a]) <= 1e-12 * maxp,
					      "textbook P_%zu not symmetric", i);
			/* and positive: the quadratic form of a probe vector */
			{
				double qf = 0;

				for (size_t a = 0; a < m; a++)
					for (size_t b = 0; b < m; b++)
						qf += full[a * m + b];
				CHECK(qf > 0, "P_%zu not positive: 1'P1 = %g", i, qf);
			}
		}
		CHECK(!s.blowup, "blowup flag");
	}
	memcpy(val_out, val, rowptr[N] * sizeof *val);
	for (size_t i = 0; i < N; i++)
		free(Pt[i]);
	rls_free(&s);
	free(col);
	free(val);
	free(wt);
}

/* First step from P = I/alpha: k = q/alpha, den = 1 + |q|^2/alpha; then
 * the pending update P -= k k'/den is applied by the next call.  m = 2 is
 * padded to 4: the block-packed matrix is 4 rows of 4. */
static void test_first_step(void)
{
	double P[16] = { 4, 0, 0, 0, 0, 4 }, u[4] = { 0 }, q[4] = { 1, 2 }, k[4];
	double den;

	CHECK(rls_packed_size(2) == 16 && rls_packed_size(5) == 8 * 4 + 4 * 4 &&
	      rls_packed_size(0) == 0, "packed sizes");
	den = rls_kernel(2, P, u, 0, q, k);
	CHECK(k[0] == 4 && k[1] == 8 && k[2] == 0 && k[3] == 0 && den == 21,
	      "first step: k %g %g den %g", k[0], k[1], den);
	u[0] = k[0];
	u[1] = k[1];
	q[0] = 1;
	q[1] = 0;
	den = rls_kernel(2, P, u, 1 / den, q, k);
	CHECK(fabs(P[0] - (4 - 16.0 / 21)) < 1e-15 && fabs(P[1] + 32.0 / 21) < 1e-15 &&
	      fabs(P[4] + 32.0 / 21) < 1e-15 && fabs(P[5] - (4 - 64.0 / 21)) < 1e-15,
	      "pending update: %g %g %g %g", P[0], P[1], P[4], P[5]);
	CHECK(fabs(k[0] - P[0]) < 1e-15 && fabs(k[1] - P[1]) < 1e-15, "k after update");
	for (int i = 2; i < 16; i++)
		if (i != 4 && i != 5)
			CHECK(P[i] == 0, "padding P[%d] = %g", i, P[i]);
}

int main(void)
{
	double a[64 * 4], b[64 * 4];

	test_first_step();
	run(1, a, 1);
	run(2, b, 0);
	CHECK(!memcmp(a, b, 51 * sizeof *a), "1 and 2 threads differ");
	if (failures)
		fprintf(stderr, "test_rls: %d failure(s)\n", failures);
	return failures ? 1 : 0;
}
