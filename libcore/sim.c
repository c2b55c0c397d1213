#include "sim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ckpt.h"
#include "err.h"
#include "progress.h"

/* Neurons per chunk of the model step at least. */
#define MODEL_GRAIN 16384

size_t sim_bytes(size_t n)
{
	return n * (11 * sizeof(double) + 1 + 2 * sizeof(uint32_t));
}

/* The RLS of s's net, as its configuration says but for the batch. */
static void rls_of(struct sim *s, size_t batch)
{
	struct rls_config rc = s->cf.rls;

	rc.cols = &s->net->pcols;
	rc.pool = s->pool;
	rc.ncols = s->cf.mp.n;
	rc.batch = batch;
	rls_init(&s->rls, s->n, s->net->prow, s->net->pcol, &rc);
}

void sim_init(struct sim *s, struct net *net, const double *x0, const double *kick,
	      const struct sim_config *cf, struct pool *pool)
{
	const size_t N = cf->mp.n, n = cf->split ? cf->split->rows : N;

	memset(s, 0, sizeof *s);
	s->cf = *cf;
	s->n = n;
	s->lo = cf->split ? cf->split->lo : 0;
	s->net = net;
	s->pool = pool;
	s->kick = kick;
	s->x = err_malloc((n + 1) * sizeof *s->x);
	memcpy(s->x, x0 + s->lo, n * sizeof *s->x);
	s->r = err_calloc(N + 1, sizeof *s->r);
	s->v = err_calloc(n + 1, sizeof *s->v);
	s->vr = err_calloc(n + 1, sizeof *s->vr);
	s->in = err_calloc(n + 1, sizeof *s->in);
	s->e = err_calloc(n + 1, sizeof *s->e);
	s->spk = err_calloc(N + 1, 1);
	s->spikes = err_calloc(N + 1, sizeof *s->spikes);
	if (cf->split)
		s->mine = err_calloc(n + 1, sizeof *s->mine);
	s->nchunk = pool_chunks(pool, n, MODEL_GRAIN, 0);
	s->cspk = err_calloc(n + 1, sizeof *s->cspk);
	s->ccount = err_calloc(s->nchunk, sizeof *s->ccount);
	s->cbad = err_calloc(s->nchunk, 1);
	if (cf->mp.sigma > 0) {
		/* the noise blocks that hold this process's neurons */
		s->nb0 = s->lo / SIM_NOISE_BLOCK;
		s->nb1 = n ? (s->lo + n - 1) / SIM_NOISE_BLOCK + 1 : s->nb0;
		s->noise = err_malloc((s->nb1 - s->nb0 + 1) * sizeof *s->noise);
		for (size_t b = s->nb0; b < s->nb1; b++)
			s->noise[b - s->nb0] = b ? rng_new_sub(cf->seed, RNG_NOISE, b) :
						   rng_new(cf->seed, RNG_NOISE);
		s->xi1 = err_malloc((N + 1) * sizeof *s->xi1);
		s->xi2 = err_malloc((N + 1) * sizeof *s->xi2);
		if (pool_size(pool) > 1 && cf->loop_steps > 1) {
			s->xi1n = err_malloc((N + 1) * sizeof *s->xi1n);
			s->xi2n = err_malloc((N + 1) * sizeof *s->xi2n);
		}
	}
	/* Between two steps r' = gamma r + b spk (model_step's RK2 of -b r). */
	s->rsp = (struct rls_spikes){ .spiked = s->spk, .b = cf->mp.b,
		.gamma = 1 - cf->mp.b * cf->mp.dt + (cf->mp.b * cf->mp.dt) * (cf->mp.b * cf->mp.dt) / 2 };
	if (cf->train)
		rls_of(s, cf->rls.batch);
	s->vstep = s->vr;
}

void sim_rls_batch(struct sim *s, size_t batch)
{
	if (!s->cf.train || batch == s->rls.batch)
		return;
	rls_free(&s->rls);
	rls_of(s, batch);
}

void sim_free(struct sim *s)
{
	if (s->cf.train)
		rls_free(&s->rls);
	if (s->noise) {
		for (size_t b = s->nb0; b < s->nb1; b++)
			rng_free(s->noise[b - s->nb0]);
		free(s->noise);
	}
	free(s->x);
	free(s->r);
	free(s->v);
	free(s->vr);
	free(s->in);
	free(s->e);
	free(s->spk);
	free(s->spikes);
	free(s->cspk);
	free(s->ccount);
	free(s->cbad);
	free(s->xi1);
	free(s->xi2);
	free(s->xi1n);
	free(s->xi2n);
	free(s->mine);
	memset(s, 0, sizeof *s);
}

void sim_loop_start(struct sim *s)
{
	s->ahead = 0;
	net_full(s->net, s->pool, s->r, s->v);
	s->last_train = 0;
}

int sim_trains(const struct sim_config *cf, size_t it)
{
	return it > cf->stim && (it - cf->stim - 1) % cf->learn_every == 0;
}

/* model_step() on a chunk of neurons (a neuron's step does not depend on
 * its neighbours, nor on where its chunk starts).  Chunk neurons lo .. hi-1
 * are neurons s->lo + lo .. of the network (g: their global index).  The
 * chunk's inputs first, and after the step whether its state and outputs
 * are finite and which of its neurons spiked (global indices, increasing,
 * from s->cspk + lo): the serial passes of a step are the chunks' work. */
static void model_part(void *arg, size_t c, size_t nc)
{
	struct sim *s = arg;
	struct model_params mp = s->cf.mp;
	size_t lo, hi, g, gh, k = 0;

	pool_range(s->n, c, nc, &lo, &hi);
	g = s->lo + lo;
	gh = s->lo + hi;
	if (s->it < s->cf.stim)
		for (size_t i = lo; i < hi; i++)
			s->in[i] = s->kick[s->lo + i] + s->v[i];
	else
		for (size_t i = lo; i < hi; i++)
			s->in[i] = 0 + s->v[i];
	mp.n = hi - lo;
	mp.nqif = s->cf.mp.nqif > g ? (s->cf.mp.nqif < gh ? s->cf.mp.nqif : gh) - g : 0;
	model_step(&mp, s->x + lo, s->r + g, s->in + lo, s->xi1 ? s->xi1 + g : NULL,
		   s->xi2 ? s->xi2 + g : NULL, s->spk + g);
	s->cbad[c] = !model_finite(s->x + lo, hi - lo) || !model_finite(s->r + g, hi - lo);
	for (size_t i = g; i < gh; i++)
		if (s->spk[i])
			s->cspk[lo + k++] = (uint32_t)i;
	s->ccount[c] = k;
}

/* The chunks' spikes, in order, into out; returns their number. */
static size_t gather_spikes(const struct sim *s, uint32_t *out)
{
	size_t m = 0;

	for (size_t c = 0; c < s->nchunk; c++) {
		size_t lo, hi;

		pool_range(s->n, c, s->nchunk, &lo, &hi);
		memcpy(out + m, s->cspk + lo, s->ccount[c] * sizeof *out);
		m += s->ccount[c];
	}
	return m;
}

/* Whether every chunk's state and outputs are finite. */
static int chunks_finite(const struct sim *s)
{
	for (size_t c = 0; c < s->nchunk; c++)
		if (s->cbad[c])
			return 0;
	return 1;
}

/*
 * Split: this block's spikes to the others and theirs here (the whole
 * sorted list in s->spikes), then the others' r and spike flags from
 * them.  Returns the largest status of the blocks.
 */
static int exchange(struct sim *s, int status)
{
	const struct sim_split *sp = s->cf.split;
	const size_t N = s->cf.mp.n, lo = s->lo, hi = lo + s->n;
	size_t nmine = gather_spikes(s, s->mine);

	status = sp->spikes(sp->ctx, s->mine, nmine, status, s->spikes, &s->nspikes);
	if (status != SIM_OK)
		return status;
	memset(s->spk, 0, lo);
	memset(s->spk + hi, 0, N - hi);
	for (size_t k = 0; k < s->nspikes; k++)
		s->spk[s->spikes[k]] = 1;
	model_synapses(&s->cf.mp, s->r, s->spk, lo);
	model_synapses(&s->cf.mp, s->r + hi, s->spk + hi, N - hi);
	return SIM_OK;
}

static void swap(double **a, double **b)
{
	double *t = *a;

	*a = *b;
	*b = t;
}

/* Neurons from which the second half of the next step's draws may go
 * beside the spikes' terms (split_draw): below, the team's waking costs
 * more than it saves (N = 200 with 2 threads: 5.2 -> 6.1 us a free step;
 * N = 10^4: 134 -> 113 us). */
#define SPLIT_DRAW_MIN 4096

/* Noise block b's draws of a step: its neurons' first stage into xi1, then
 * their second into xi2 (either NULL: not drawn here). */
static void draw_block(struct sim *s, size_t b, double *xi1, double *xi2)
{
	const size_t a = b * SIM_NOISE_BLOCK, N = s->cf.mp.n;
	const size_t e = N - a < SIM_NOISE_BLOCK ? N : a + SIM_NOISE_BLOCK;
	rng_t *r = s->noise[b - s->nb0];

	if (xi1)
		rng_normals(r, xi1 + a, e - a);
	if (xi2)
		rng_normals(r, xi2 + a, e - a);
}

/* Noise blocks drawn beside a model step: with s->ahead, each of this
 * process's. */
static size_t ahead_blocks(const struct sim *s)
{
	return s->ahead ? s->nb1 - s->nb0 : 0;
}

/*
 * The model step's job: the caller's task (s->beside) first when there is
 * one, then with s->ahead the next step's noise into xi1n, xi2n (xi1n only
 * when the spikes' terms take xi2n, split_draw), a noise block a chunk,
 * while the other chunks step the neurons (model_part()).
 */
static void model_job(void *arg, size_t c, size_t nc)
{
	struct sim *s = arg;
	const size_t first = s->beside != NULL, extra = first + ahead_blocks(s);

	if (s->beside && c == 0)
		s->beside(s->beside_arg);
	else if (c < extra)
		draw_block(s, s->nb0 + c - first, s->xi1n, s->split_draw ? NULL : s->xi2n);
	else
		model_part(s, c - extra, nc - extra);
}

/* The rest of the next step's noise (split_draw), beside the spikes'
 * terms: every block's second stage, in order. */
static void draw_xi2n(void *arg)
{
	struct sim *s = arg;

	for (size_t b = s->nb0; b < s->nb1; b++)
		draw_block(s, b, NULL, s->xi2n);
}

int sim_step(struct sim *s, size_t it, const double *target, int want_dw)
{
	const size_t n = s->n, lo = s->lo;
	const struct sim_split *sp = s->cf.split;
	/* the model step's chunks: a few thousand neurons are not worth
	 * waking the team for */
	const size_t nc = s->nchunk;

	s->it = it;
	if (s->noise && s->ahead) {
		/* drawn during the previous step */
		swap(&s->xi1, &s->xi1n);
		swap(&s->xi2, &s->xi2n);
		s->ahead = 0;
	} else if (s->noise) {
		for (size_t b = s->nb0; b < s->nb1; b++)
			draw_block(s, b, s->xi1, s->xi2);
	}
	/* A block's draws are a serial stream, as long as the block's model
	 * step: with a team, the next step's are drawn beside it (the same
	 * numbers in the same order, used one step later), but not past the
	 * loop's end.  When the spikes' terms are few enough for one thread
	 * (the last step's were), the blocks' second stages are drawn beside
	 * them instead (each block's after its first): the model step and the
	 * terms then each run beside half the draws. */
	s->ahead = s->noise && s->xi1n && it + 1 < s->cf.loop_steps;
	s->split_draw = s->ahead && !sp && s->terms_serial && (it + 1) % s->cf.refresh != 0 &&
			s->cf.mp.n >= SPLIT_DRAW_MIN;
	pool_for(s->pool, nc + (s->beside != NULL) + ahead_blocks(s), model_job, s);
	s->beside = NULL;
	if (sp) {
		if (exchange(s, chunks_finite(s) ? SIM_OK : SIM_STATE_BLOWUP) != SIM_OK)
			return SIM_STATE_BLOWUP;
	} else {
		if (!chunks_finite(s))
			return SIM_STATE_BLOWUP;
		s->nspikes = gather_spikes(s, s->spikes);
	}

	/* vr = W r' with W before this step's update: from v and the spikes,
	 * a full product every refresh steps */
	if ((it + 1) % s->cf.refresh == 0) {
		/* the product reads W: a weight change pending in the RLS
		 * (its coefficient form) lands first */
		if (s->cf.train)
			rls_settle(&s->rls, s->pool, s->net->pval);
		net_full(s->net, s->pool, s->r, s->vr);
	} else
		s->terms_serial = net_spikes_beside(s->net, s->pool, s->rsp.gamma, s->cf.mp.b,
						    s->spikes, s->nspikes, s->v, s->vr,
						    s->split_draw ? draw_xi2n : NULL, s) == 1;
	s->trained = target && sim_trains(&s->cf, it);
	if (s->trained) {
		/* e with W before this step's update, r the new output;
		 * consecutive training steps: k follows from the spikes */
		const int chain = s->last_train == it && it > 0;
		double t0;

		t0 = progress_now();
		rls_step(&s->rls, s->pool, s->net->pval, s->r, s->e, target + lo, s->vr,
			 chain ? &s->rsp : NULL, want_dw);
		/* W is read by every step that does not train right after
		 * this one (and at the loop's end) */
		if (!(it + 1 < s->cf.loop_steps && sim_trains(&s->cf, it + 1)))
			rls_settle(&s->rls, s->pool, s->net->pval);
		s->t_rls += progress_now() - t0;
		s->last_train = it + 1;
		if (sp ? sp->status(sp->ctx, s->rls.blowup ? SIM_WEIGHTS_BLOWUP : SIM_OK) != SIM_OK :
			 s->rls.blowup)
			return SIM_WEIGHTS_BLOWUP;
		/* The next step's W r needs no product: row i changed by
		 * e_i k/den, and k'q/den = 1 - lambda/den. */
		for (size_t i = 0; i < n; i++)
			s->vr[i] = s->vr[i] + s->e[i] * (1 - s->rls.forget * s->rls.c[i]);
		if (want_dw && sp) {
			s->dw2 = sp->sum(sp->ctx, s->rls.dw2, n);
		} else if (want_dw) {
			double d2 = 0;

			for (size_t i = 0; i < n; i++)
				d2 += s->rls.dw2[i];
			s->dw2 = d2;
		}
	}
	/* the step's W r stays readable in vstep until the next step */
	swap(&s->vr, &s->v);
	s->vstep = s->vr;
	return SIM_OK;
}

/* The checkpoint section of the noise streams' states: block 0's alone
 * keeps the name it had before the blocks. */
static const char *noise_section(const struct sim *s)
{
	return s->nb1 - s->nb0 == 1 ? "sim.noise" : "sim.noise.blocks";
}

void sim_save(const struct sim *s, struct ckpt *c)
{
	ckpt_put(c, "sim.x", s->x, s->n * sizeof *s->x);
	ckpt_put(c, "sim.r", s->r, s->cf.mp.n * sizeof *s->r);
	if (s->noise) {
		const size_t nb = s->nb1 - s->nb0, sz = rng_state_size();
		unsigned char *st = err_malloc(nb * sz);

		for (size_t b = 0; b < nb; b++)
			rng_get_state(s->noise[b], st + b * sz);
		ckpt_put(c, noise_section(s), st, nb * sz);
		free(st);
	}
	ckpt_put(c, "net.pval", s->net->pval, net_nplastic(s->net) * sizeof *s->net->pval);
	if (s->cf.train)
		rls_save(&s->rls, c);
}

int sim_restore(struct sim *s, struct ckpt *c)
{
	if (ckpt_get(c, "sim.x", s->x, s->n * sizeof *s->x) ||
	    ckpt_get(c, "sim.r", s->r, s->cf.mp.n * sizeof *s->r))
		return -1;
	if (s->noise) {
		const size_t nb = s->nb1 - s->nb0, sz = rng_state_size();
		unsigned char *st = err_malloc(nb * sz);
		int rc = ckpt_get(c, noise_section(s), st, nb * sz);

		for (size_t b = 0; b < nb && rc == 0; b++)
			rng_set_state(s->noise[b], st + b * sz);
		free(st);
		if (rc)
			return -1;
	}
	if (ckpt_get(c, "net.pval", s->net->pval, net_nplastic(s->net) * sizeof *s->net->pval))
		return -1;
	return s->cf.train ? rls_restore(&s->rls, c) : 0;
}
