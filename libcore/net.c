#include "net.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "rng.h"

/* Entries read from the source at a time (beside one row). */
#define NET_CHUNK ((size_t)1 << 16)

/* Plastic inputs of row i (m inputs). */
static size_t plastic_count(const struct net_config *cf, size_t i, size_t m)
{
	if (cf->trained && !cf->trained[i])
		return 0;
	return cf->plastic && cf->plastic < m ? cf->plastic : m;
}

size_t net_bytes(size_t n, const size_t *indptr, const struct net_config *cf)
{
	size_t np = 0, nnz = indptr[n], ns;

	for (size_t i = 0; i < n; i++)
		np += plastic_count(cf, i, indptr[i + 1] - indptr[i]);
	ns = nnz - np;
	return sizeof(size_t) * 3 * (n + 1) +
	       np * (sizeof(int32_t) + sizeof(double) + (np < nnz ? sizeof(uint32_t) : 0) +
		     sizeof(size_t) + sizeof(uint32_t)) +
	       ns * (sizeof(uint32_t) + (cf->static_f32 ? sizeof(float) : sizeof(double)));
}

size_t net_nplastic(const struct net *net)
{
	return net->prow[net->n];
}

/* The source's entries in chunks: each row's entries, as fn sees them. */
struct walk {
	const struct net_source *src;
	int32_t *col;
	double *val;
	size_t have, used;
};

static int walk_row(struct walk *w, size_t i, const int32_t **col, const double **val,
		    size_t *m)
{
	const size_t *indptr = w->src->indptr, a = indptr[i], e = indptr[i + 1];

	*m = e - a;
	/* a row is handed out whole: the chunk holds it from its start */
	if (w->used + *m > w->have) {
		size_t nnz = indptr[w->src->n], count = 0;

		/* the rest of the chunk is this row's first part */
		memmove(w->col, w->col + w->used, (w->have - w->used) * sizeof *w->col);
		memmove(w->val, w->val + w->used, (w->have - w->used) * sizeof *w->val);
		w->have -= w->used;
		w->used = 0;
		count = (*m > NET_CHUNK ? *m : NET_CHUNK) - w->have;
		if (count > nnz - a - w->have)
			count = nnz - a - w->have;
		if (count && w->src->read(w->src->ctx, count, w->col + w->have, w->val + w->have))
			return -1;
		w->have += count;
	}
	*col = w->col + w->used;
	*val = w->val + w->used;
	w->used += *m;
	return 0;
}

int net_init(struct net *net, const struct net_source *src, const struct net_config *cf)
{
	const size_t n = src->n, *indptr = src->indptr, nnz = indptr[n];
	size_t np = 0, mmax = 0, kmax = 0, *sfill = NULL, ns;
	uint32_t *pick;
	rng_t *g = NULL;
	rng_sample_ws_t *ws = NULL;
	struct walk w = { src, NULL, NULL, 0, 0 };
	int status = -1;

	memset(net, 0, sizeof *net);
	net->n = n;
	net->nnz = nnz;
	net->sval_f32 = cf->static_f32;
	net->prow = err_malloc((n + 1) * sizeof *net->prow);
	net->prow[0] = 0;
	for (size_t i = 0; i < n; i++) {
		size_t m = indptr[i + 1] - indptr[i];

		size_t k = plastic_count(cf, i, m);

		np += k;
		net->prow[i + 1] = np;
		if (m > mmax)
			mmax = m;
		if (k < m && k > kmax)
			kmax = k;
	}
	ns = nnz - np;
	net->pcol = err_malloc((np + 1) * sizeof *net->pcol);
	net->pval = err_malloc((np + 1) * sizeof *net->pval);
	if (np < nnz)
		net->pidx = err_malloc((np + 1) * sizeof *net->pidx);
	net->sptr = err_calloc(n + 1, sizeof *net->sptr);
	net->srow = err_malloc((ns + 1) * sizeof *net->srow);
	net->sval = err_malloc((ns + 1) * (cf->static_f32 ? sizeof(float) : sizeof(double)));
	pick = err_malloc((kmax + 1) * sizeof *pick);
	if (kmax) {
		g = rng_new_sub(cf->seed, RNG_PLASTIC, 0);
		ws = rng_sample_ws_new(kmax);
	}
	/* a chunk holds at least one whole row */
	w.col = err_malloc((NET_CHUNK + mmax) * sizeof *w.col);
	w.val = err_malloc((NET_CHUNK + mmax) * sizeof *w.val);

	/* First pass: each row's plastic positions (their values too), and
	 * the static entries of every column counted. */
	for (size_t i = 0; i < n; i++) {
		size_t m, k = net->prow[i + 1] - net->prow[i], y = 0;
		const int32_t *col;
		const double *val;
		double *pv = net->pval + net->prow[i];

		if (walk_row(&w, i, &col, &val, &m))
			goto out;
		if (k && k < m) {
			rng_reseed_sub(g, cf->seed, RNG_PLASTIC, i);
			rng_sample_few(g, (uint32_t)m, (uint32_t)k, pick, ws);
		}
		for (size_t x = 0; x < m; x++) {
			if (y < k && (k == m || pick[y] == x)) {
				net->pcol[net->prow[i] + y] = col[x];
				if (net->pidx)
					net->pidx[net->prow[i] + y] = (uint32_t)x;
				pv[y++] = val[x];
			} else {
				net->sptr[col[x] + 1]++;
			}
		}
	}
	for (size_t j = 0; j < n; j++)
		net->sptr[j + 1] += net->sptr[j];

	/* Second pass, when there are static entries: their values to their
	 * places, column by column in increasing rows. */
	if (ns) {
		sfill = err_malloc((n + 1) * sizeof *sfill);
		memcpy(sfill, net->sptr, n * sizeof *sfill);
		w.have = w.used = 0;
		if (src->rewind(src->ctx))
			goto out;
		for (size_t i = 0; i < n; i++) {
			size_t m, y = net->prow[i], yend = net->prow[i + 1];
			const int32_t *col;
			const double *val;

			if (walk_row(&w, i, &col, &val, &m))
				goto out;
			for (size_t x = 0; x < m; x++) {
				size_t z;

				if (y < yend && net->pidx[y] == x) {
					y++;
					continue;
				}
				z = sfill[col[x]]++;
				net->srow[z] = (uint32_t)i;
				if (cf->static_f32)
					((float *)net->sval)[z] = (float)val[x];
				else
					((double *)net->sval)[z] = val[x];
			}
		}
	}
	model_cols_init(&net->pcols, n, net->prow, net->pcol);
	status = 0;
out:
	free(w.col);
	free(w.val);
	free(sfill);
	free(pick);
	rng_free(g);
	if (ws)
		rng_sample_ws_free(ws);
	if (status)
		net_free(net);
	return status;
}

void net_free(struct net *net)
{
	free(net->prow);
	free(net->pcol);
	free(net->pval);
	free(net->pidx);
	free(net->sptr);
	free(net->srow);
	free(net->sval);
	if (net->pcols.cptr)
		model_cols_free(&net->pcols);
	memset(net, 0, sizeof *net);
}

/* The first of the sorted rows[lo .. hi) that is >= row. */
static size_t first_at(const uint32_t *rows, size_t lo, size_t hi, size_t row)
{
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (rows[mid] < row)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Row i of the plastic part times r, in four sums (model_recurrent()'s). */
static double plastic_dot(const struct net *net, const double *r, size_t i)
{
	double s[4] = { 0, 0, 0, 0 };
	size_t j = net->prow[i], end = net->prow[i + 1];
	const int32_t *col = net->pcol;
	const double *val = net->pval;

	for (; j + 4 <= end; j += 4)
		for (int l = 0; l < 4; l++)
			s[l] += val[j + (size_t)l] * r[col[j + (size_t)l]];
	for (int l = 0; j < end; j++, l++)
		s[l] += val[j] * r[col[j]];
	return (s[0] + s[1]) + (s[2] + s[3]);
}

/* v[lo..hi) += the static terms of W r, column by column. */
static void static_full(const struct net *net, const double *r, double *v, size_t lo, size_t hi)
{
	for (size_t j = 0; j < net->n; j++) {
		size_t a = net->sptr[j], b = net->sptr[j + 1];
		const double rj = r[j];

		if (a == b || rj == 0)
			continue;
		a = first_at(net->srow, a, b, lo);
		if (net->sval_f32) {
			const float *sv = net->sval;

			for (; a < b && net->srow[a] < hi; a++)
				v[net->srow[a]] += (double)sv[a] * rj;
		} else {
			const double *sv = net->sval;

			for (; a < b && net->srow[a] < hi; a++)
				v[net->srow[a]] += sv[a] * rj;
		}
	}
}

struct full_job {
	const struct net *net;
	const double *r;
	double *v;
};

static void full_part(void *arg, size_t c, size_t nc)
{
	const struct full_job *job = arg;
	size_t lo, hi;

	pool_range(job->net->n, c, nc, &lo, &hi);
	for (size_t i = lo; i < hi; i++)
		job->v[i] = 0;
	if (job->net->sptr[job->net->n])
		static_full(job->net, job->r, job->v, lo, hi);
	for (size_t i = lo; i < hi; i++)
		job->v[i] += plastic_dot(job->net, job->r, i);
}

void net_full(const struct net *net, struct pool *pool, const double *r, double *v)
{
	struct full_job job = { net, r, v };

	/* a team for a large network only (waking it costs microseconds);
	 * few chunks: each scans every column */
	pool_for(pool, net->nnz < 65536 ? 1 : pool_chunks(pool, net->n, 256, 2 * (size_t)pool_size(pool)),
		 full_part, &job);
}

struct spike_job {
	const struct net *net;
	double gamma, b;
	const uint32_t *spk;
	size_t nsp;
	const double *v;
	double *y;
};

static void spike_part(void *arg, size_t ch, size_t nch)
{
	const struct spike_job *job = arg;
	const struct net *net = job->net;
	const struct model_cols *c = &net->pcols;
	const double b = job->b;
	double *y = job->y;
	size_t lo, hi;

	pool_range(net->n, ch, nch, &lo, &hi);
	for (size_t i = lo; i < hi; i++)
		y[i] = job->gamma * job->v[i];
	if (net->sptr[net->n])
		for (size_t s = 0; s < job->nsp; s++) {
			size_t j = job->spk[s], a = net->sptr[j], e = net->sptr[j + 1];

			if (nch > 1)
				a = first_at(net->srow, a, e, lo);
			if (net->sval_f32) {
				const float *sv = net->sval;

				for (; a < e && net->srow[a] < hi; a++)
					y[net->srow[a]] += b * (double)sv[a];
			} else {
				const double *sv = net->sval;

				for (; a < e && net->srow[a] < hi; a++)
					y[net->srow[a]] += b * sv[a];
			}
		}
	for (size_t s = 0; s < job->nsp; s++) {
		size_t j = job->spk[s], a = c->cptr[j], e = c->cptr[j + 1];

		if (nch > 1)
			a = first_at(c->crow, a, e, lo);
		for (; a < e && c->crow[a] < hi; a++)
			y[c->crow[a]] += b * net->pval[c->cval[a]];
	}
}

void net_spikes(const struct net *net, struct pool *pool, double gamma, double b,
		const uint32_t *spk, size_t nsp, const double *v, double *y)
{
	struct spike_job job = { net, gamma, b, spk, nsp, v, y };

	pool_for(pool, net->nnz < 65536 ? 1 : pool_chunks(pool, net->n, 256, 0), spike_part, &job);
}

void net_dense(const struct net *net, double *W)
{
	const size_t n = net->n;

	memset(W, 0, n * n * sizeof *W);
	for (size_t j = 0; j < n; j++)
		for (size_t a = net->sptr[j]; a < net->sptr[j + 1]; a++)
			W[net->srow[a] * n + j] = net->sval_f32 ? (double)((const float *)net->sval)[a] :
								 ((const double *)net->sval)[a];
	for (size_t i = 0; i < n; i++)
		for (size_t x = net->prow[i]; x < net->prow[i + 1]; x++)
			W[i * n + (size_t)net->pcol[x]] = net->pval[x];
}
