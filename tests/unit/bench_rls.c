/*
 * bench_rls: time per RLS training step of both kernels of libcore/rls on
 * a random network (a microbenchmark: it prints figures, asserts nothing).
 *
 *     bench_rls [N [P [STEPS [RATE [REPS [KERNEL [float32 [THREADS]]]]]]]]
 *
 * N neurons with round(P N) random presynaptic inputs each, STEPS
 * consecutive training steps; the synaptic outputs follow the model,
 * r <- gamma r + b s, every neuron spiking with probability RATE per step.
 * Both kernels run on the same inputs, alternately, REPS times; the best
 * time of each is printed (one thread).  KERNEL direct or spike runs only
 * that one (for a profiler).
 */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rls.h"
#include "testrand.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static unsigned long long rs = 88172645463325252ull;

static double urand(void)
{
	return test_unif(&rs);
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? (size_t)atol(argv[1]) : 200;
	double p = argc > 2 ? atof(argv[2]) : 0.3;
	size_t steps = argc > 3 ? (size_t)atol(argv[3]) : 2000;
	double rate = argc > 4 ? atof(argv[4]) : 0.022;
	int reps = argc > 5 ? atoi(argv[5]) : 3;
	const char *only = argc > 6 ? argv[6] : NULL;
	int f32 = argc > 7 && !strcmp(argv[7], "float32");
	int threads = argc > 8 ? atoi(argv[8]) : 1;
	struct pool *pool = threads > 1 ? pool_new(threads) : NULL;
	const double dt = 0.1, b = 0.2, gamma = 1 - b * dt + (b * dt) * (b * dt) / 2;
	size_t m = (size_t)(p * (double)n + 0.5), *rowptr;
	int32_t *col;
	double *val, *r, *e, best[2] = { 1e300, 1e300 };
	unsigned char *spk, *pick;
	static const char *const name[2] = { "direct", "spike" };
	size_t passes = 0;

	if (m >= n)
		m = n - 1;
	omp_set_num_threads(1);
	rowptr = malloc((n + 1) * sizeof *rowptr);
	col = malloc((n * m + 1) * sizeof *col);
	val = malloc((n * m + 1) * sizeof *val);
	r = calloc(n, sizeof *r);
	e = malloc(n * sizeof *e);
	spk = malloc((steps + 1) * n);
	pick = malloc(n);
	rowptr[0] = 0;
	for (size_t i = 0; i < n; i++) {
		size_t k = 0;

		/* m distinct columns (not i), in increasing order */
		memset(pick, 0, n);
		while (k < m) {
			size_t j = (size_t)(urand() * (double)n);

			if (j < n && j != i && !pick[j]) {
				pick[j] = 1;
				k++;
			}
		}
		for (size_t j = 0, x = rowptr[i]; j < n; j++)
			if (pick[j])
				col[x++] = (int32_t)j;
		rowptr[i + 1] = rowptr[i] + m;
	}
	for (size_t x = 0; x < (steps + 1) * n; x++)
		spk[x] = urand() < rate;
	for (int rep = 0; rep < reps; rep++)
		for (int kind = RLS_DIRECT; kind <= RLS_SPIKE; kind++) {
			struct rls s;
			struct rls_spikes sp = { NULL, gamma, b };
			double t = 0;

			if (only && strcmp(only, name[kind]))
				continue;
			for (size_t x = 0; x < n * m; x++)
				val[x] = 0;
			for (size_t j = 0; j < n; j++)
				r[j] = b * (double)(j % 7) / 7;
			rls_init(&s, n, rowptr, col, &(struct rls_config){ .alpha = 0.25, .kind = (enum rls_kernel_kind)kind, .p_float32 = f32, .pool = pool });
			for (size_t it = 0; it <= steps; it++) {
				double t0;

				sp.spiked = spk + it * n;
				for (size_t j = 0; j < n; j++)
					r[j] = r[j] + dt * (-b * (r[j] + dt * (-b * r[j]) / 2)) +
					       (sp.spiked[j] ? b : 0);
				for (size_t i = 0; i < n; i++)
					e[i] = 0.01 * (double)((i + it) % 5);
				t0 = now();
				rls_step(&s, pool, val, r, e, NULL, NULL, it ? &sp : NULL, it % 10 == 0);
				/* the first step is all passes: not timed */
				if (it)
					t += now() - t0;
			}
			if (t < best[kind])
				best[kind] = t;
			passes = s.passes;
			rls_free(&s);
		}
	printf("N=%zu, %zu inputs per neuron, spike rate %.3g per step, %zu steps, best of %d:\n",
	       n, m, rate, steps, reps);
	for (int kind = 0; kind < 2; kind++)
		if (!only || !strcmp(only, name[kind]))
			printf("  %-6s %9.2f us per step\n", name[kind], 1e6 * best[kind] / (double)steps);
	if (!only)
		printf("  spike/direct %.2f; spike kernel: %.1f%% of the neuron-steps "
		       "were passes\n", best[1] / best[0],
		       100.0 * (double)passes / (double)(n * (steps + 1)));
	pool_free(pool);
	free(rowptr); free(col); free(val); free(r); free(e); free(spk); free(pick);
	return 0;
}
