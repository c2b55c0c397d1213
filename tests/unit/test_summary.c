/*
 * test_summary: the loop's per-neuron statistics of libcore/summary, both
 * ways (buffered and streaming, with 1 and 3 threads), against the
 * textbook two-pass computation written out here: mean squared error and
 * Pearson correlation between target t and recurrent input v over the
 * steps it > stim.  Tolerances: 1e-9 relative for the error, 1e-9 for
 * the correlation (in [-1, 1]; near 0 its cancellation leaves an absolute
 * error): the streaming way corrects one-pass sums for v's mean, which
 * costs some digits, not 6.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pool.h"
#include "summary.h"
#include "testrand.h"

static int failures;
static size_t N, STEPS, STIM;
static double *T, *V;           /* (STEPS, N) */

static const double *row(void *ctx, size_t it)
{
	(void)ctx;
	return T + it * N;
}

/* The textbook: means first, then the centred sums. */
static void reference(size_t i, double *mse, double *corr)
{
	const size_t cnt = STEPS - STIM - 1;
	double mt = 0, mv = 0, se = 0, stt = 0, svv = 0, stv = 0;

	for (size_t it = STIM + 1; it < STEPS; it++) {
		mt += T[it * N + i];
		mv += V[it * N + i];
	}
	mt /= (double)cnt;
	mv /= (double)cnt;
	for (size_t it = STIM + 1; it < STEPS; it++) {
		const double a = T[it * N + i] - mt, b = V[it * N + i] - mv;

		se += (T[it * N + i] - V[it * N + i]) * (T[it * N + i] - V[it * N + i]);
		stt += a * a;
		svv += b * b;
		stv += a * b;
	}
	*mse = se / (double)cnt;
	*corr = stt > 0 && svv > 0 ? stv / sqrt(stt * svv) : NAN;
}

/* The statistics of a run, kept for the next one to compare with. */
static double *last_mse, *last_corr;

/* same: whether the results must equal the last run's to the bit */
static void run(int streaming, int threads, int same)
{
	struct summary sm;
	struct pool *pool = threads > 1 ? pool_new(threads) : NULL;
	double *mse = malloc(N * sizeof *mse), *corr = malloc(N * sizeof *corr), worst = 0;

	summary_init(&sm, N, 5, STEPS, STIM, 0.1, row, NULL, streaming, NULL);
	if (sm.buffered == streaming) {
		failures++;
		fprintf(stderr, "test_summary: streaming %d: buffered is %d\n", streaming, sm.buffered);
	}
	sm.pool = pool;
	/* two loops: the second starts afresh */
	for (int loop = 0; loop < 2; loop++) {
		summary_start(&sm);
		for (size_t it = 0; it < STEPS; it++)
			summary_step(&sm, it, T + it * N, V + it * N, 1, 2);
	}
	summary_neurons(&sm, row, NULL, mse, corr);
	for (size_t i = 0; i < N; i++) {
		double rm, rc;

		reference(i, &rm, &rc);
		if (isnan(rc) != isnan(corr[i]) ||
		    (!isnan(rc) && fabs(corr[i] - rc) > 1e-9) ||
		    fabs(mse[i] - rm) > 1e-9 * rm) {
			failures++;
			fprintf(stderr, "test_summary: streaming %d, %d threads, neuron %zu: mse %.17g "
				"corr %.17g, expected %.17g %.17g\n", streaming, threads, i, mse[i],
				corr[i], rm, rc);
		}
		if (!isnan(rc) && fabs(corr[i] - rc) > worst)
			worst = fabs(corr[i] - rc);
	}
	printf("test_summary: %zu neurons, %s, %d thread(s): largest correlation error %.2g\n",
	       N, streaming ? "streaming" : "buffered", threads, worst);
	if (same && (memcmp(mse, last_mse, N * sizeof *mse) || memcmp(corr, last_corr, N * sizeof *corr))) {
		failures++;
		fprintf(stderr, "test_summary: %zu neurons, %d threads: not the bits of one thread\n",
			N, threads);
	}
	summary_free(&sm);
	pool_free(pool);
	free(last_mse);
	free(last_corr);
	last_mse = mse;
	last_corr = corr;
}

/* n neurons with offsets, scales and correlations of every kind; the last
 * one's v is constant (its correlation is nan) */
static void fill(size_t n, size_t steps, size_t stim)
{
	unsigned long long s = 42;

	N = n;
	STEPS = steps;
	STIM = stim;
	free(T);
	free(V);
	T = malloc(n * steps * sizeof *T);
	V = malloc(n * steps * sizeof *V);
	for (size_t it = 0; it < STEPS; it++)
		for (size_t i = 0; i < N; i++) {
			const double t = 3 * sin(0.05 * (double)(it * (i % 50 + 1))) + (double)(i % 50);

			T[it * N + i] = t;
			V[it * N + i] = i + 1 == N ? 2.5 :
				   (double)(i % 3) * t + 100 * (double)(i % 50) +
				   (test_unif(&s) - 0.5) * (double)(i % 50 + 1);
		}
}

int main(void)
{
	fill(37, 400, 50);
	run(0, 1, 0);
	run(1, 1, 0);
	run(1, 3, 1);
	/* enough neurons for summary_step() to share them among threads */
	fill(40000, 60, 10);
	run(1, 1, 0);
	run(1, 3, 1);
	free(T);
	free(V);
	free(last_mse);
	free(last_corr);
	if (failures) {
		fprintf(stderr, "test_summary: %d failures\n", failures);
		return 1;
	}
	return 0;
}
