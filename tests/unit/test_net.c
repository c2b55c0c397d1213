/*
 * test_net: libcore/net against dense computations written here, on random
 * sparse matrices: rows of every length (empty ones, full ones), every
 * plastic cap, static values in double and float, 1 to 3 threads.
 *
 *   - the split is a partition: every entry is plastic or static, never
 *     both; row i has exactly min(m_i, L) plastic entries (none for a
 *     neuron that is not trained), at increasing positions; net_dense()
 *     gives back the input matrix (float-rounded static values with
 *     static_f32);
 *   - the plastic choice is uniform: over many rows, each position of a
 *     row of m entries is chosen with probability L/m (chi-square test at
 *     the 0.1 % level, so a fair generator fails it once in a thousand
 *     seeds; the seed is fixed);
 *   - net_full() is W r and net_spikes() is gamma v + b W[:, spiked], both
 *     against plain dense sums, to 1e-13 relative to the sum of |terms|;
 *     with every entry plastic, net_full() is model_recurrent() and
 *     net_spikes() model_recurrent_spikes() to the bit;
 *   - 1, 2 and 3 threads give the same bytes (N = 600 is cut into chunks);
 *   - a net of a block of rows (2 and 3 blocks, as dist.h splits a network
 *     over processes), built from the block's entries alone, is the whole
 *     net's rows: the same plastic choice and values, net_dense() rows,
 *     and net_full() and net_spikes() to the bit (also where the whole net
 *     takes its products by propagation blocking and the blocks do not).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"
#include "testrand.h"

static int failures;

#define CHECK(cond, ...) do { \
	if (!(cond) && ++failures <= 20) { \
		fprintf(stderr, "test_net: %s:%d: ", __FILE__, __LINE__); \
		fprintf(stderr, __VA_ARGS__); \
		fputc('\n', stderr); \
	} \
} while (0)

static unsigned long long rs = 0x9e3779b97f4a7c15ull;

struct csr {
	size_t n, *indptr;
	int32_t *col;
	double *val, *dense;
	size_t pos, start;     /* the next entry; the first one (rewind) */
};

/* n x n, row i with about density * n entries (row 1 empty, row 2 full). */
static void make(struct csr *a, size_t n, double density)
{
	a->n = n;
	a->indptr = malloc((n + 1) * sizeof *a->indptr);
	a->col = malloc((n * n + 1) * sizeof *a->col);
	a->val = malloc((n * n + 1) * sizeof *a->val);
	a->dense = calloc(n * n, sizeof *a->dense);
	a->indptr[0] = 0;
	for (size_t i = 0, k = 0; i < n; i++) {
		for (size_t j = 0; j < n; j++) {
			double p = i == 1 ? 0 : i == 2 ? 1 : density;

			if (test_unif(&rs) < p) {
				a->col[k] = (int32_t)j;
				a->val[k] = test_unif(&rs) - 0.5;
				a->dense[i * n + j] = a->val[k++];
			}
		}
		a->indptr[i + 1] = k;
	}
}

static int src_read(void *ctx, size_t count, int32_t *indices, double *values)
{
	struct csr *a = ctx;

	memcpy(indices, a->col + a->pos, count * sizeof *indices);
	memcpy(values, a->val + a->pos, count * sizeof *values);
	a->pos += count;
	return 0;
}

static int src_rewind(void *ctx)
{
	((struct csr *)ctx)->pos = ((struct csr *)ctx)->start;
	return 0;
}

/* buckets: as struct net_config's */
static void build_b(struct net *net, struct csr *a, size_t L, int f32,
		    const unsigned char *trained, int buckets)
{
	struct net_source src = { a->n, a->indptr, src_read, src_rewind, a };
	/* spike_serial 1: a team for every step, so that the thread counts
	 * below compare the products cut into chunks; prefetch_nnz 1 for an
	 * odd L: the spikes' terms asked for ahead however small the net */
	struct net_config cf = { .plastic = L, .seed = 7, .static_f32 = f32, .trained = trained,
				 .buckets = buckets,
				 .spike_serial = 1, .prefetch_nnz = L % 2 ? 1 : 0 };

	a->pos = a->start = 0;
	CHECK(net_init(net, &src, &cf) == 0, "net_init");
}

/* buckets from 10,000 neurons here */
static void build(struct net *net, struct csr *a, size_t L, int f32, const unsigned char *trained)
{
	build_b(net, a, L, f32, trained, a->n > 10000 ? 1 : 0);
}

/*
 * The nets of the blocks of `parts` (dist.h's split) against the whole
 * net: equal rows, and products equal to the bit for r and spikes of the
 * whole network.
 */
static void check_parts(const struct net *whole, struct csr *a, size_t L, int f32,
			const unsigned char *trained, int parts, int buckets)
{
	const size_t n = a->n;
	double *r = malloc(n * sizeof *r), *v = malloc(n * sizeof *v), *y = malloc(n * sizeof *y);
	const size_t nd = n <= 600 ? n * n : 1;
	double *W = malloc(nd * sizeof *W), *Wp = malloc(nd * sizeof *Wp);
	double *vp = malloc(n * sizeof *vp), *yp = malloc(n * sizeof *yp);
	uint32_t *spk = malloc(n * sizeof *spk);
	size_t nsp = 0, nstatic = 0, bad = 0;

	if (n < (size_t)parts)
		goto out;
	for (size_t j = 0; j < n; j++)
		r[j] = test_unif(&rs) < 0.2 ? 0 : test_unif(&rs);
	for (size_t j = 0; j < n; j++)
		if (test_unif(&rs) < 0.1)
			spk[nsp++] = (uint32_t)j;
	net_full(whole, NULL, r, v);
	net_spikes(whole, NULL, 0.98, 0.2, spk, nsp, v, y);
	if (n <= 600)
		net_dense(whole, W);
	for (int k = 0; k < parts; k++) {
		size_t lo = n * (size_t)k / (size_t)parts, hi = n * (size_t)(k + 1) / (size_t)parts;
		struct net_source src = { hi - lo, a->indptr + lo, src_read, src_rewind, a };
		struct net_config cf = { .plastic = L, .seed = 7, .static_f32 = f32,
					 .trained = trained, .buckets = buckets, .ncols = n,
					 .row0 = lo };
		struct net part;

		a->pos = a->start = a->indptr[lo];
		CHECK(net_init(&part, &src, &cf) == 0, "net_init of rows %zu .. %zu", lo, hi);
		CHECK(part.n == hi - lo && part.ncols == n, "block %d: shape", k);
		for (size_t i = 0; i < hi - lo; i++) {
			size_t m = part.prow[i + 1] - part.prow[i], x0 = whole->prow[lo + i];

			CHECK(m == whole->prow[lo + i + 1] - x0, "row %zu: plastic count", lo + i);
			for (size_t x = 0; x < m && x < whole->prow[lo + i + 1] - x0; x++)
				bad += part.pcol[part.prow[i] + x] != whole->pcol[x0 + x] ||
				       part.pval[part.prow[i] + x] != whole->pval[x0 + x] ||
				       net_plastic_pos(&part, a->indptr + lo, i, x) !=
				       net_plastic_pos(whole, a->indptr, lo + i, x);
		}
		nstatic += part.sptr[n];
		net_full(&part, NULL, r, vp);
		net_spikes(&part, NULL, 0.98, 0.2, spk, nsp, vp, yp);
		bad += memcmp(vp, v + lo, (hi - lo) * sizeof *v) != 0;
		bad += memcmp(yp, y + lo, (hi - lo) * sizeof *y) != 0;
		if (n <= 600) {
			net_dense(&part, Wp);
			bad += memcmp(Wp, W + lo * n, (hi - lo) * n * sizeof *W) != 0;
		}
		net_free(&part);
	}
	CHECK(nstatic == whole->sptr[n], "%zu static entries in the blocks, %zu in all",
	      nstatic, whole->sptr[n]);
	CHECK(bad == 0, "N = %zu, %d blocks: %zu differences from the whole net", n, parts, bad);
out:
	free(r);
	free(v);
	free(y);
	free(W);
	free(Wp);
	free(vp);
	free(yp);
	free(spk);
}

/* The partition, the counts, and W back. */
static void check_split(const struct net *net, const struct csr *a, size_t L, int f32,
			const unsigned char *trained)
{
	const size_t n = a->n;
	double *W = malloc(n * n * sizeof *W);
	size_t nplastic = 0;

	for (size_t i = 0; i < n; i++) {
		size_t m = a->indptr[i + 1] - a->indptr[i];
		size_t want = trained && !trained[i] ? 0 : L && L < m ? L : m;
		size_t k = net->prow[i + 1] - net->prow[i];

		CHECK(k == want, "row %zu: %zu plastic of %zu, want %zu", i, k, m, want);
		nplastic += k;
		for (size_t x = 0; x < k; x++) {
			size_t pos = net_plastic_pos(net, a->indptr, i, x);

			CHECK(pos >= a->indptr[i] && pos < a->indptr[i + 1], "row %zu: position", i);
			CHECK(a->col[pos] == net->pcol[net->prow[i] + x] &&
			      a->val[pos] == net->pval[net->prow[i] + x], "row %zu: entry %zu", i, x);
			if (x)
				CHECK(net->pcol[net->prow[i] + x] > net->pcol[net->prow[i] + x - 1],
				      "row %zu: plastic columns not increasing", i);
		}
	}
	CHECK(nplastic + net->sptr[n] == a->indptr[n], "%zu plastic + %zu static != %zu",
	      nplastic, net->sptr[n], a->indptr[n]);
	net_dense(net, W);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++) {
			double want = a->dense[i * n + j];
			int plastic = 0;

			for (size_t x = net->prow[i]; x < net->prow[i + 1]; x++)
				plastic |= net->pcol[x] == (int32_t)j;
			if (f32 && !plastic)
				want = (float)want;
			CHECK(W[i * n + j] == want, "W[%zu, %zu] = %g, want %g", i, j,
			      W[i * n + j], want);
		}
	free(W);
}

/* net_full and net_spikes against dense sums; returns the results of a
 * fixed sequence of both for the thread comparison. */
/* A task for net_spikes_beside(): counts its runs. */
static void count_run(void *arg)
{
	(*(int *)arg)++;
}

static void check_products(const struct net *net, const struct csr *a, int threads, double *out)
{
	const size_t n = a->n;
	struct pool *pool = pool_new(threads);
	double *r = malloc(n * sizeof *r), *v = malloc(n * sizeof *v), *y = malloc(n * sizeof *y);
	double *W = malloc(n * n * sizeof *W);
	uint32_t *spk = malloc(n * sizeof *spk);
	const double gamma = 0.98, b = 0.2;
	size_t nsp = 0;

	net_dense(net, W);
	for (size_t j = 0; j < n; j++)
		r[j] = test_unif(&rs) < 0.2 ? 0 : test_unif(&rs);
	net_full(net, pool, r, v);
	for (size_t i = 0; i < n; i++) {
		double s = 0, sa = 0;

		for (size_t j = 0; j < n; j++) {
			s += W[i * n + j] * r[j];
			sa += fabs(W[i * n + j] * r[j]);
		}
		CHECK(fabs(v[i] - s) <= 1e-13 * (sa + 1e-300), "full: row %zu: %g, want %g", i,
		      v[i], s);
	}
	for (size_t j = 0; j < n; j++)
		if (test_unif(&rs) < 0.1)
			spk[nsp++] = (uint32_t)j;
	net_spikes(net, pool, gamma, b, spk, nsp, v, y);
	for (size_t i = 0; i < n; i++) {
		double s = gamma * v[i], sa = fabs(s);

		for (size_t x = 0; x < nsp; x++) {
			s += b * W[i * n + spk[x]];
			sa += fabs(b * W[i * n + spk[x]]);
		}
		CHECK(fabs(y[i] - s) <= 1e-13 * (sa + 1e-300), "spikes: row %zu: %g, want %g", i,
		      y[i], s);
	}
	/* with a task beside: the same terms to the bit, the task run once */
	{
		double *y2 = malloc((n + 1) * sizeof *y2);
		int runs = 0;

		net_spikes_beside(net, pool, gamma, b, spk, nsp, v, y2, count_run, &runs);
		CHECK(runs == 1, "beside: the task ran %d times", runs);
		CHECK(!memcmp(y, y2, n * sizeof *y), "beside: not the terms of net_spikes()");
		free(y2);
	}
	memcpy(out, v, n * sizeof *v);
	memcpy(out + n, y, n * sizeof *y);
	free(r);
	free(v);
	free(y);
	free(W);
	free(spk);
	pool_free(pool);
}

/* Every entry plastic: model_recurrent() and model_recurrent_spikes(). */
static void check_model_equal(const struct net *net, const struct csr *a)
{
	const size_t n = a->n;
	double *r = malloc(n * sizeof *r), *v1 = malloc(n * sizeof *v1), *v2 = malloc(n * sizeof *v2);
	double *y1 = malloc(n * sizeof *y1), *y2 = malloc(n * sizeof *y2);
	unsigned char *flag = calloc(n, 1);
	uint32_t *spk = malloc(n * sizeof *spk);
	size_t nsp = 0;

	for (size_t j = 0; j < n; j++)
		r[j] = test_unif(&rs);
	for (size_t j = 0; j < n; j++)
		if (test_unif(&rs) < 0.1) {
			flag[j] = 1;
			spk[nsp++] = (uint32_t)j;
		}
	net_full(net, NULL, r, v1);
	model_recurrent(n, net->prow, net->pcol, net->pval, r, v2);
	CHECK(!memcmp(v1, v2, n * sizeof *v1), "net_full is not model_recurrent");
	net_spikes(net, NULL, 0.98, 0.2, spk, nsp, v1, y1);
	model_recurrent_spikes(n, &net->pcols, net->pval, 0.98, 0.2, flag, v1, y2);
	CHECK(!memcmp(y1, y2, n * sizeof *y1), "net_spikes is not model_recurrent_spikes");
	free(r);
	free(v1);
	free(v2);
	free(y1);
	free(y2);
	free(flag);
	free(spk);
}

/* Uniform choice: position counts over rows of m entries, L chosen. */
static void check_uniform(void)
{
	enum { M = 40, L = 7, ROWS = 4000 };
	struct csr a;
	struct net net;
	double count[M] = { 0 }, chi2 = 0, e = (double)ROWS * L / M;
	size_t n = ROWS;

	/* n rows of exactly M entries each (columns 0 .. M-1) */
	a.n = n;
	a.indptr = malloc((n + 1) * sizeof *a.indptr);
	a.col = malloc(n * M * sizeof *a.col);
	a.val = malloc(n * M * sizeof *a.val);
	a.dense = NULL;
	for (size_t i = 0; i <= n; i++)
		a.indptr[i] = i * M;
	for (size_t x = 0; x < n * M; x++) {
		a.col[x] = (int32_t)(x % M);
		a.val[x] = 1;
	}
	build(&net, &a, L, 0, NULL);
	for (size_t i = 0; i < n; i++)
		for (size_t x = 0; x < L; x++)
			count[net.pcol[net.prow[i] + x]]++;
	for (int j = 0; j < M; j++)
		chi2 += (count[j] - e) * (count[j] - e) / e;
	/* 39 degrees of freedom: P(chi2 > 72.05) = 0.001 */
	printf("test_net: plastic choice: chi2 %.1f over %d positions (0.1%% level 72.05)\n",
	       chi2, M);
	CHECK(chi2 < 72.05, "plastic choice not uniform: chi2 = %g", chi2);
	net_free(&net);
	free(a.indptr);
	free(a.col);
	free(a.val);
}

/*
 * For 1, 2 and 3 threads, W r (into v) and its spike update (into y, from
 * ref) of net: the sums that differ from ref and refy, in all.
 */
static size_t sums_differ(const struct net *net, const double *r, const uint32_t *spk,
			  size_t nsp, double gamma, double b, const double *ref,
			  const double *refy, double *v, double *y)
{
	size_t bad = 0;

	for (int t = 1; t <= 3; t++) {
		struct pool *pool = pool_new(t);

		net_full(net, pool, r, v);
		net_spikes(net, pool, gamma, b, spk, nsp, ref, y);
		for (size_t i = 0; i < net->n; i++)
			bad += v[i] != ref[i] || y[i] != refy[i];
		pool_free(pool);
	}
	return bad;
}

/*
 * A network too large for the direct way (the propagation blocking of
 * net.c): the terms of each row must come in increasing column, static
 * ones first, so the results equal, to the bit, sums taken here row by row
 * over the input CSR in that order, for 1, 2 and 3 threads.
 */
static void check_large(void)
{
	const size_t n = 70000, per = 24, L = 6;
	struct csr a;
	struct net net;
	double *r = malloc(n * sizeof *r), *v = malloc(n * sizeof *v), *y = malloc(n * sizeof *y);
	double *ref = malloc(n * sizeof *ref), *refy = malloc(n * sizeof *refy);
	unsigned char *isp = calloc(n, 1);
	uint32_t *spk = malloc(n * sizeof *spk);
	size_t nsp = 0, bad = 0;
	const double gamma = 0.98, b = 0.2;

	a.n = n;
	a.indptr = malloc((n + 1) * sizeof *a.indptr);
	a.col = malloc(n * per * sizeof *a.col);
	a.val = malloc(n * per * sizeof *a.val);
	a.dense = NULL;
	a.indptr[0] = 0;
	for (size_t i = 0; i < n; i++) {
		/* per columns spread over the whole range, increasing */
		size_t c = (size_t)(test_unif(&rs) * (double)(n / per));

		for (size_t k = 0; k < per; k++) {
			a.col[i * per + k] = (int32_t)(c + k * (n / per));
			a.val[i * per + k] = test_unif(&rs) - 0.5;
		}
		a.indptr[i + 1] = (i + 1) * per;
	}
	build(&net, &a, L, 1, NULL);
	CHECK(net.scratch != NULL, "N = %zu: no propagation blocking", n);
	for (size_t j = 0; j < n; j++)
		r[j] = test_unif(&rs) < 0.3 ? 0 : test_unif(&rs);
	for (size_t j = 0; j < n; j++)
		if (test_unif(&rs) < 0.05) {
			spk[nsp++] = (uint32_t)j;
			isp[j] = 1;
		}
	/* the references, row by row in increasing column */
	for (size_t i = 0; i < n; i++) {
		double s = 0, sy;
		size_t y0 = net.prow[i], y1 = net.prow[i + 1], yy = y0;

		for (size_t x = a.indptr[i]; x < a.indptr[i + 1]; x++) {
			int plastic = yy < y1 && net.pcol[yy] == a.col[x];

			yy += (size_t)plastic;
			if (!plastic)
				s += (double)(float)a.val[x] * r[a.col[x]];
		}
		ref[i] = s;
		{
			double q[4] = { 0, 0, 0, 0 };
			size_t x = y0;

			for (; x + 4 <= y1; x += 4)
				for (int l = 0; l < 4; l++)
					q[l] += net.pval[x + (size_t)l] * r[net.pcol[x + (size_t)l]];
			for (int l = 0; x < y1; x++, l++)
				q[l] += net.pval[x] * r[net.pcol[x]];
			ref[i] += (q[0] + q[1]) + (q[2] + q[3]);
		}
		sy = gamma * ref[i];
		yy = y0;
		for (size_t x = a.indptr[i]; x < a.indptr[i + 1]; x++) {
			int plastic = yy < y1 && net.pcol[yy] == a.col[x];

			yy += (size_t)plastic;
			if (!plastic && isp[a.col[x]])
				sy += b * (double)(float)a.val[x];
		}
		for (size_t x = y0; x < y1; x++)
			if (isp[net.pcol[x]])
				sy += b * net.pval[x];
		refy[i] = sy;
	}
	bad = sums_differ(&net, r, spk, nsp, gamma, b, ref, refy, v, y);
	CHECK(bad == 0, "large network: %zu sums differ from the row by row ones", bad);
	printf("test_net: N = %zu, %zu synapses in buckets: W r and its spike update "
	       "equal row-by-row sums for 1-3 threads\n", n, n * per);
	/* the direct way over two bands of rows (the static rows' 16 bits),
	 * the columns cut by row chunks across the band boundary */
	{
		struct net d;

		build_b(&d, &a, L, 1, NULL, -1);
		CHECK(d.scratch == NULL && d.nbands == 2, "N = %zu direct: %zu bands", n, d.nbands);
		bad = sums_differ(&d, r, spk, nsp, gamma, b, ref, refy, v, y);
		CHECK(bad == 0, "large network, direct: %zu sums differ from the row by row ones",
		      bad);
		printf("test_net: N = %zu, direct way over %zu bands of rows: the same sums, 1-3 "
		       "threads\n", n, d.nbands);
		net_free(&d);
	}
	/* blocks without buckets, against the whole net's buckets */
	check_parts(&net, &a, L, 1, NULL, 3, -1);
	printf("test_net: 3 blocks of N = %zu without buckets: the whole net's sums to the bit\n",
	       n);
	net_free(&net);
	free(a.indptr);
	free(a.col);
	free(a.val);
	free(r);
	free(v);
	free(y);
	free(ref);
	free(refy);
	free(isp);
	free(spk);
}

int main(void)
{
	static const size_t sizes[] = { 2, 3, 37, 150, 600 };
	static const size_t caps[] = { 0, 1, 5, 1000 };

	for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
		for (size_t c = 0; c < sizeof caps / sizeof caps[0]; c++)
			for (int f32 = 0; f32 < 2; f32++) {
				size_t n = sizes[s];
				struct csr a;
				struct net net;
				unsigned char *trained = malloc(n);
				double *out[3];

				make(&a, n, 0.3);
				for (size_t i = 0; i < n; i++)
					trained[i] = (i % 3) != 1;
				build(&net, &a, caps[c], f32, c == 2 ? trained : NULL);
				check_split(&net, &a, caps[c], f32, c == 2 ? trained : NULL);
				for (int t = 0; t < 3; t++) {
					/* the same inputs for every thread count */
					rs = 0x1234567ull + s;
					out[t] = malloc(2 * n * sizeof *out[t]);
					check_products(&net, &a, t + 1, out[t]);
				}
				CHECK(!memcmp(out[0], out[1], 2 * n * sizeof *out[0]) &&
				      !memcmp(out[0], out[2], 2 * n * sizeof *out[0]),
				      "N = %zu, L = %zu: threads change the results", n, caps[c]);
				if (caps[c] == 0 || caps[c] == 1000)
					check_model_equal(&net, &a);
				check_parts(&net, &a, caps[c], f32, c == 2 ? trained : NULL, 2, 0);
				check_parts(&net, &a, caps[c], f32, c == 2 ? trained : NULL, 3, 0);
				for (int t = 0; t < 3; t++)
					free(out[t]);
				net_free(&net);
				free(trained);
				free(a.indptr);
				free(a.col);
				free(a.val);
				free(a.dense);
			}
	check_uniform();
	check_large();
	if (failures)
		fprintf(stderr, "test_net: %d failure(s)\n", failures);
	else
		printf("test_net: all checks passed\n");
	return failures ? 1 : 0;
}
