#include "summary.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "csvio.h"
#include "err.h"

void summary_header(const struct summary *sm, FILE *fp)
{
	fputs("loop,phase,rate_qif,rate_lif,rate_all,mse_qif,mse_lif,mse_all,"
	      "corr_qif,corr_lif,corr_all", fp);
	if (sm->trained)
		fputs(",mse_trained,mse_untrained,corr_trained,corr_untrained", fp);
	fputc('\n', fp);
}

/* Per-population averages of per-neuron statistics; nan where nothing counts. */
struct popstat {
	double sum[3];
	size_t cnt[3];
};

static void pop_add(struct popstat *ps, int qif, double v)
{
	if (isnan(v))
		return;
	ps->sum[qif ? 0 : 1] += v;
	ps->cnt[qif ? 0 : 1]++;
	ps->sum[2] += v;
	ps->cnt[2]++;
}

static double pop_mean(const struct popstat *ps, int k)
{
	return ps->cnt[k] ? ps->sum[k] / (double)ps->cnt[k] : NAN;
}

static int use_buffer(size_t n, size_t steps, int force_streaming)
{
	return !force_streaming && steps <= SUMMARY_BUFFER_BYTES / sizeof(double) / (n ? n : 1);
}

int summary_buffered(size_t n, size_t steps)
{
	return use_buffer(n, steps, 0);
}

size_t summary_bytes(size_t n, size_t steps, int force_streaming)
{
	return sizeof(double) * (7 * n + (use_buffer(n, steps, force_streaming) ? steps * n : 0));
}

void summary_init(struct summary *sm, size_t n, size_t nqif, size_t steps, size_t stim,
		  double dt, summary_row_fn row, void *ctx, int force_streaming,
		  const unsigned char *trained)
{
	const size_t cnt = steps - stim - 1;

	memset(sm, 0, sizeof *sm);
	sm->n = n;
	sm->nqif = nqif;
	sm->steps = steps;
	sm->stim = stim;
	sm->dt = dt;
	sm->trained = trained;
	sm->buffered = use_buffer(n, steps, force_streaming);
	if (sm->buffered)
		sm->vbuf = err_malloc_huge(steps * n * sizeof *sm->vbuf);
	sm->mt = err_calloc(n + 1, sizeof *sm->mt);
	sm->acc = err_calloc(6 * n + 1, sizeof *sm->acc);
	/* the target's means, step by step over all neurons */
	for (size_t it = stim + 1; it < steps; it++) {
		const double *t = row(ctx, it);

		for (size_t i = 0; i < n; i++)
			sm->mt[i] += t[i];
	}
	for (size_t i = 0; i < n; i++)
		sm->mt[i] /= (double)cnt;
}

void summary_free(struct summary *sm)
{
	free(sm->vbuf);
	free(sm->mt);
	free(sm->acc);
	memset(sm, 0, sizeof *sm);
}

void summary_start(struct summary *sm)
{
	memset(sm->acc, 0, 6 * sm->n * sizeof *sm->acc);
	sm->nspk[0] = sm->nspk[1] = 0;
}

/* Neurons per chunk of summary_step() at least: fewer are not worth
 * waking the team for (the step's sums cost about 1 ns a neuron; the team
 * is awake in a step of a few thousand neurons or more: N = 10^4 with 2
 * threads, free step 134 -> 125 us with 4096 instead of 16384). */
#define SUMMARY_GRAIN 4096

struct step_job {
	struct summary *sm;
	const double *t, *v;
};

/* The streaming sums of a chunk of neurons. */
static void step_part(void *arg, size_t c, size_t nc)
{
	const struct step_job *job = arg;
	const struct summary *sm = job->sm;
	const size_t n = sm->n;
	const double *t = job->t, *v = job->v, *mt = sm->mt;
	size_t lo, hi;

	pool_range(n, c, nc, &lo, &hi);
	for (size_t i = lo; i < hi; i++) {
		const double a = t[i] - mt[i], d = v[i] - mt[i];
		double *s = sm->acc + 6 * i;

		s[0] += (t[i] - v[i]) * (t[i] - v[i]);
		s[1] += a * a;
		s[2] += d;
		s[3] += d * d;
		s[4] += a * d;
		s[5] += a;
	}
}

void summary_step(struct summary *sm, size_t it, const double *t, const double *v,
		  size_t nqif_spk, size_t nlif_spk)
{
	const size_t n = sm->n;

	sm->nspk[0] += nqif_spk;
	sm->nspk[1] += nlif_spk;
	if (sm->buffered) {
		memcpy(sm->vbuf + it * n, v, n * sizeof *v);
		return;
	}
	if (it <= sm->stim)
		return;
	{
		struct step_job job = { sm, t, v };

		pool_for(sm->pool, pool_chunks(sm->pool, n, SUMMARY_GRAIN, 0), step_part, &job);
	}
}

/* The per-neuron sums se, stt, svv, stv of the loop, in two passes over
 * the buffer (means first), into acc. */
static void buffered_sums(struct summary *sm, summary_row_fn row, void *ctx)
{
	const size_t n = sm->n, cnt = sm->steps - sm->stim - 1;
	double *mv = sm->acc, *se = mv + n, *stt = se + n, *svv = stt + n, *stv = svv + n;
	const double *mt = sm->mt;

	for (size_t it = sm->stim + 1; it < sm->steps; it++)
		for (size_t i = 0; i < n; i++)
			mv[i] += sm->vbuf[it * n + i];
	for (size_t i = 0; i < n; i++)
		mv[i] /= (double)cnt;
	for (size_t it = sm->stim + 1; it < sm->steps; it++) {
		const double *tr = row(ctx, it), *vr = sm->vbuf + it * n;

		for (size_t i = 0; i < n; i++) {
			double t = tr[i], v = vr[i];

			se[i] += (t - v) * (t - v);
			stt[i] += (t - mt[i]) * (t - mt[i]);
			svv[i] += (v - mv[i]) * (v - mv[i]);
			stv[i] += (t - mt[i]) * (v - mv[i]);
		}
	}
}

void summary_neurons(struct summary *sm, summary_row_fn row, void *ctx, double *mse,
		     double *corr)
{
	const size_t n = sm->n, cnt = sm->steps - sm->stim - 1;

	if (sm->buffered)
		buffered_sums(sm, row, ctx);
	for (size_t i = 0; i < n; i++) {
		double se, stt, svv, stv;

		if (sm->buffered) {
			se = sm->acc[n + i];
			stt = sm->acc[2 * n + i];
			svv = sm->acc[3 * n + i];
			stv = sm->acc[4 * n + i];
		} else {
			const double *a = sm->acc + 6 * i, sd = a[2];

			se = a[0];
			stt = a[1];
			svv = a[3] - sd * sd / (double)cnt;
			/* a constant v leaves only rounding of sum d^2 */
			if (!(svv > 1e-10 * a[3]))
				svv = 0;
			stv = a[4] - a[5] * sd / (double)cnt;
		}
		mse[i] = se / (double)cnt;
		corr[i] = stt > 0 && svv > 0 ? stv / sqrt(stt * svv) : NAN;
	}
}

void summary_put(const struct summary *sm, FILE *fp, size_t loop, const char *phase,
		 const double *mse, const double *corr, double out[3])
{
	const size_t n = sm->n, nqif = sm->nqif;
	struct popstat pm = { { 0 }, { 0 } }, pc = { { 0 }, { 0 } };
	struct popstat tmse = { { 0 }, { 0 } }, tcorr = { { 0 }, { 0 } };
	double rate[3], secs = (double)sm->steps * sm->dt * 0.01;

	rate[0] = nqif ? (double)sm->nspk[0] / ((double)nqif * secs) : NAN;
	rate[1] = n - nqif ? (double)sm->nspk[1] / ((double)(n - nqif) * secs) : NAN;
	rate[2] = (double)(sm->nspk[0] + sm->nspk[1]) / ((double)n * secs);
	for (size_t i = 0; i < n; i++) {
		pop_add(&pm, i < nqif, mse[i]);
		pop_add(&pc, i < nqif, corr[i]);
		if (sm->trained) {
			pop_add(&tmse, sm->trained[i], mse[i]);
			pop_add(&tcorr, sm->trained[i], corr[i]);
		}
	}
	/* A population without neurons prints nan for its error too. */
	if (!nqif)
		pm.cnt[0] = 0;
	fprintf(fp, "%zu,%s", loop, phase);
	for (int k = 0; k < 3; k++) {
		fputc(',', fp);
		csvio_put_double(fp, rate[k]);
	}
	for (int k = 0; k < 3; k++) {
		fputc(',', fp);
		csvio_put_double(fp, pop_mean(&pm, k));
	}
	for (int k = 0; k < 3; k++) {
		fputc(',', fp);
		csvio_put_double(fp, pop_mean(&pc, k));
	}
	/* trained (the first group of pop_add) and untrained */
	for (int k = 0; sm->trained && k < 4; k++) {
		fputc(',', fp);
		csvio_put_double(fp, pop_mean(k < 2 ? &tmse : &tcorr, k % 2));
	}
	fputc('\n', fp);
	out[0] = rate[2];
	out[1] = pop_mean(&pm, 2);
	out[2] = pop_mean(&pc, 2);
}

void summary_end(struct summary *sm, FILE *fp, size_t loop, const char *phase,
		 summary_row_fn row, void *ctx, double out[3])
{
	double *mse = err_malloc((2 * sm->n + 1) * sizeof *mse), *corr = mse + sm->n;

	summary_neurons(sm, row, ctx, mse, corr);
	summary_put(sm, fp, loop, phase, mse, corr, out);
	free(mse);
}
