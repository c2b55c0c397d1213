/* spmotifs: see spmotifs.h. */
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "spmotifs.h"

/* Row chunk of the first pass (and of the counts). */
#define ROWS 4096
/* Entries of a sub-block: its counting sort stays in cache, and a block
 * has few of them (as many streams of writes when it is gathered). */
#define SUB ((size_t)1 << 16)
/* Rows ahead whose entries the gathering prefetches. */
#define PREFETCH 16

/* A lower entry as the rows' pass finds it. */
struct lentry {
	uint32_t col, row;
	double val;
};

/* A thread's work space for the sub-blocks it sorts. */
struct spmotifs_thread {
	size_t *fill;       /* per column of a sub-block: its next free slot */
	uint32_t *lrow;     /* a sub-block's lower entries by column, in row order: row j */
	double *lval;       /*                                                       W_ji */
};

/* The sums of one sub-block, over its rows i (their entries w = W - mu). */
struct spmotifs_sub {
	double s2;       /* sum w^2 */
	double diag;     /* sum w_ii^2 over the stored diagonal */
	double off;      /* sum w over the stored off-diagonal entries */
	double pp, ps;   /* sum a b and sum (a + b) over the pairs (a = w_ij,
			  * b = w_ji, j > i) with both stored */
	size_t ndiag, noff, nboth;
};

static inline size_t col_at(const unsigned char *ix, size_t k)
{
	int32_t c;

	memcpy(&c, ix + 4 * k, 4);
	return (size_t)c;
}

static inline double val_at(const unsigned char *d, size_t k)
{
	double v;

	memcpy(&v, d + 8 * k, 8);
	return v;
}

/* The first and one past the last row of chunk h. */
static size_t chunk_row(const struct spmotifs *p, size_t h)
{
	return p->n * h / SPMOTIFS_CHUNKS;
}

void spmotifs_free(struct spmotifs *p)
{
	if (p->th)
		for (int t = 0; t < p->nthreads; t++) {
			free(p->th[t].fill);
			free(p->th[t].lrow);
			free(p->th[t].lval);
		}
	free(p->th);
	free(p->ss);
	free(p->bound);
	free(p->bsub);
	free(p->sbound);
	free(p->sub);
	free(p->lstart);
	free(p->coff);
	free(p->cur);
	free(p->sfill);
	free(p->cpart);
	free(p->raw);
	free(p->rsum);
	free(p->csum);
	memset(p, 0, sizeof *p);
}

/*
 * Each row chunk's count of lower-triangle entries (W_ji, j > i) in each
 * column, into cnt (SPMOTIFS_CHUNKS x n), and their sums over the chunks
 * into lstart.
 */
static int lower_counts(struct spmotifs *p, uint32_t *cnt)
{
	size_t n = p->n, H = SPMOTIFS_CHUNKS;

	#pragma omp parallel for schedule(dynamic, 1) num_threads(p->nthreads)
	for (size_t h = 0; h < H; h++) {
		uint32_t *mine = cnt + h * n;

		for (size_t j = chunk_row(p, h); j < chunk_row(p, h + 1); j++)
			for (size_t k = (size_t)p->indptr[j]; k < (size_t)p->indptr[j + 1]; k++) {
				size_t c = col_at(p->indices, k);

				if (c >= j)
					break;
				mine[c]++;
			}
	}
	#pragma omp parallel for schedule(static) num_threads(p->nthreads)
	for (size_t c = 0; c < n; c++) {
		size_t s = 0;

		for (size_t h = 0; h < H; h++)
			s += cnt[h * n + c];
		p->lstart[c] = s;
	}
	return 0;
}

/* Append v to the growing array *a (length *len, capacity *cap). */
static int push(size_t **a, size_t *len, size_t *cap, size_t v)
{
	if (*len == *cap) {
		size_t *b = realloc(*a, 2 * *cap * sizeof *b);

		if (!b)
			return -1;
		*a = b;
		*cap *= 2;
	}
	(*a)[(*len)++] = v;
	return 0;
}

/*
 * Blocks of consecutive columns, cut greedily at the target size (or
 * block), and within them sub-blocks at SUB (or sub) entries; the counts
 * in lstart become offsets (column c's list is lstart[c] .. lstart[c+1]-1
 * of the whole lower triangle).
 */
static int cut(struct spmotifs *p, size_t block, size_t subsize)
{
	size_t n = p->n, total = 0, target = block ? block : SPMOTIFS_BLOCK, acc = 0, sacc = 0;
	size_t nb = 0, bcap = 16, ns = 0, scap = 16, nbs = 0, bscap = 16;

	p->bound = malloc(bcap * sizeof *p->bound);
	p->sbound = malloc(scap * sizeof *p->sbound);
	p->bsub = malloc(bscap * sizeof *p->bsub);
	if (!p->bound || !p->sbound || !p->bsub)
		return -1;
	if (!subsize)
		subsize = SUB;
	if (push(&p->bound, &nb, &bcap, 0) || push(&p->bsub, &nbs, &bscap, 0) ||
	    push(&p->sbound, &ns, &scap, 0))
		return -1;
	for (size_t c = 0; c < n; c++) {
		size_t k = p->lstart[c];

		if (acc > 0 && acc + k > target) {
			if (push(&p->bound, &nb, &bcap, c) || push(&p->sbound, &ns, &scap, c) ||
			    push(&p->bsub, &nbs, &bscap, ns - 1))
				return -1;
			acc = sacc = 0;
		} else if (sacc > 0 && sacc + k > subsize) {
			if (push(&p->sbound, &ns, &scap, c))
				return -1;
			sacc = 0;
		}
		p->sub[c] = (uint32_t)(ns - 1);
		p->lstart[c] = total;
		total += k;
		acc += k;
		sacc += k;
	}
	p->lstart[n] = total;
	if (push(&p->bound, &nb, &bcap, n) || push(&p->sbound, &ns, &scap, n) ||
	    push(&p->bsub, &nbs, &bscap, ns - 1))
		return -1;
	p->nblocks = nb - 1;
	p->nsubs = ns - 1;
	return 0;
}

/*
 * Where each row chunk writes each sub-block's entries in its block's
 * buffer: the sub-block's start, after the chunks before it.
 */
static int chunk_offsets(struct spmotifs *p, const uint32_t *cnt)
{
	size_t ns = p->nsubs, H = SPMOTIFS_CHUNKS, n = p->n;

	p->coff = calloc(ns * H, sizeof *p->coff);
	if (!p->coff)
		return -1;
	for (size_t b = 0; b < p->nblocks; b++)
		for (size_t x = p->bsub[b]; x < p->bsub[b + 1]; x++) {
			size_t at = p->lstart[p->sbound[x]] - p->lstart[p->bound[b]];

			for (size_t h = 0; h < H; h++) {
				size_t k = 0;

				for (size_t c = p->sbound[x]; c < p->sbound[x + 1]; c++)
					k += cnt[h * n + c];
				p->coff[x * H + h] = at;
				at += k;
			}
		}
	return 0;
}

/* The work space: the largest block's and sub-block's. */
static int work_space(struct spmotifs *p)
{
	size_t list = 0, width = 0, subs = 0, swidth = 0, sublist = 0, n = p->n;

	for (size_t b = 0; b < p->nblocks; b++) {
		size_t l = p->lstart[p->bound[b + 1]] - p->lstart[p->bound[b]];

		list = l > list ? l : list;
		width = p->bound[b + 1] - p->bound[b] > width ? p->bound[b + 1] - p->bound[b] : width;
		subs = p->bsub[b + 1] - p->bsub[b] > subs ? p->bsub[b + 1] - p->bsub[b] : subs;
	}
	for (size_t x = 0; x < p->nsubs; x++) {
		size_t c0 = p->sbound[x], c1 = p->sbound[x + 1];

		swidth = c1 - c0 > swidth ? c1 - c0 : swidth;
		sublist = p->lstart[c1] - p->lstart[c0] > sublist ? p->lstart[c1] - p->lstart[c0] : sublist;
	}
	p->maxlist = list;
	p->cur = err_try_malloc_huge((n ? n : 1) * sizeof *p->cur);
	p->sfill = malloc(SPMOTIFS_CHUNKS * (subs ? subs : 1) * sizeof *p->sfill);
	p->cpart = err_try_malloc_huge(SPMOTIFS_CHUNKS * (width ? width : 1) * sizeof *p->cpart);
	p->raw = err_try_malloc_huge((list ? list : 1) * sizeof *p->raw);
	p->ss = calloc(p->nsubs ? p->nsubs : 1, sizeof *p->ss);
	p->th = calloc((size_t)p->nthreads, sizeof *p->th);
	if (!p->cur || !p->sfill || !p->cpart || !p->raw || !p->ss || !p->th)
		return -1;
	for (int t = 0; t < p->nthreads; t++) {
		struct spmotifs_thread *w = &p->th[t];

		w->fill = malloc((swidth ? swidth : 1) * sizeof *w->fill);
		w->lrow = malloc((sublist ? sublist : 1) * sizeof *w->lrow);
		w->lval = malloc((sublist ? sublist : 1) * sizeof *w->lval);
		if (!w->fill || !w->lrow || !w->lval)
			return -1;
	}
	return 0;
}

int spmotifs_plan(struct spmotifs *p, size_t n, const int64_t *indptr,
		  const void *indices, size_t nnz)
{
	return spmotifs_plan_cut(p, n, indptr, indices, nnz, 0, 0);
}

int spmotifs_plan_cut(struct spmotifs *p, size_t n, const int64_t *indptr,
		      const void *indices, size_t nnz, size_t block, size_t sub)
{
	uint32_t *cnt;

	memset(p, 0, sizeof *p);
	p->n = n;
	p->nnz = nnz;
	p->indptr = indptr;
	p->indices = indices;
	p->nthreads = omp_get_max_threads();
	/* the arrays of N values and more on huge pages where the kernel
	 * gives them (err.h): a first touch faults once per 2 MiB */
	p->lstart = err_try_malloc_huge((n + 1) * sizeof *p->lstart);
	p->sub = err_try_malloc_huge((n ? n : 1) * sizeof *p->sub);
	p->rsum = err_try_malloc_huge((n ? n : 1) * sizeof *p->rsum);
	p->csum = err_try_malloc_huge((n ? n : 1) * sizeof *p->csum);
	cnt = err_try_malloc_huge(SPMOTIFS_CHUNKS * (n ? n : 1) * sizeof *cnt);
	if (cnt)
		memset(cnt, 0, SPMOTIFS_CHUNKS * (n ? n : 1) * sizeof *cnt);
	if (!p->lstart || !p->sub || !p->rsum || !p->csum || !cnt || lower_counts(p, cnt) != 0 ||
	    cut(p, block, sub) != 0 || chunk_offsets(p, cnt) != 0 || work_space(p) != 0) {
		free(cnt);
		spmotifs_free(p);
		return -1;
	}
	free(cnt);
	return 0;
}

/* Sum of the values of entries [k, e). */
static double row_sum(const unsigned char *d, size_t k, size_t e)
{
	double s[4] = { 0 };

	for (; k + 4 <= e; k += 4)
		for (int u = 0; u < 4; u++)
			s[u] += val_at(d, k + u);
	for (; k < e; k++)
		s[0] += val_at(d, k);
	return (s[0] + s[1]) + (s[2] + s[3]);
}

/* The first entry of row j whose column is at least c. */
static size_t row_seek(const struct spmotifs *p, size_t j, size_t c)
{
	size_t lo = (size_t)p->indptr[j], hi = (size_t)p->indptr[j + 1];

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (col_at(p->indices, mid) < c)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Block k's columns [b0, b1) from the rows of chunk h: their sums (the
 * chunk's own), and the lower entries (row j > column c) written to
 * their sub-blocks at the chunk's places, in row order.  The cursors step
 * over the block; the start of a row's segment is prefetched some rows
 * ahead (the segments are far apart).
 */
static void gather(struct spmotifs *p, size_t k, size_t h, const unsigned char *d)
{
	size_t b0 = p->bound[k], b1 = p->bound[k + 1], s0 = p->bsub[k], ns = p->bsub[k + 1] - s0;
	size_t r0 = chunk_row(p, h), r1 = chunk_row(p, h + 1);
	const unsigned char *ix = p->indices;
	const int64_t *ptr = p->indptr;
	const uint32_t *restrict sub = p->sub;
	size_t *restrict cur = p->cur, *restrict sfill = p->sfill + h * ns - s0;
	struct lentry *restrict raw = p->raw;
	double *restrict C = p->cpart + h * (b1 - b0) - b0;

	for (size_t c = b0; c < b1; c++)
		C[c] = 0;
	for (size_t x = s0; x < s0 + ns; x++)
		sfill[x] = p->coff[x * SPMOTIFS_CHUNKS + h];
	for (size_t j = r0; j < r1; j++) {
		size_t q = cur[j], e = (size_t)ptr[j + 1];

		if (j + PREFETCH < r1) {
			size_t r = cur[j + PREFETCH];

			__builtin_prefetch(ix + 4 * r);
			__builtin_prefetch(d + 8 * r);
			__builtin_prefetch(d + 8 * r + 64);
		}
		for (; q < e; q++) {
			size_t c = col_at(ix, q);
			double v;

			if (c >= b1)
				break;
			v = val_at(d, q);
			C[c] += v;
			if (c < j)
				raw[sfill[sub[c]]++] = (struct lentry){ (uint32_t)c, (uint32_t)j, v };
		}
		cur[j] = q;
	}
}

/*
 * Sub-block x of block k: its lower entries sorted by column (stably: in
 * increasing row), then the sums of its rows i: over every entry, the
 * diagonal's share taken out, and the upper entries (j > i, increasing j)
 * merged with column i's lower entries for the pairs.
 */
static void sub_rows(struct spmotifs *p, struct spmotifs_thread *w, size_t k, size_t x,
		     const unsigned char *d, double mu)
{
	size_t c0 = p->sbound[x], c1 = p->sbound[x + 1], base = p->lstart[c0];
	const unsigned char *ix = p->indices;
	const int64_t *ptr = p->indptr;
	const struct lentry *restrict raw = p->raw + (base - p->lstart[p->bound[k]]);
	size_t *restrict fill = w->fill;
	uint32_t *restrict lrow = w->lrow;
	double *restrict lval = w->lval;
	struct spmotifs_sub *s = &p->ss[x];

	memset(s, 0, sizeof *s);
	for (size_t c = c0; c < c1; c++)
		fill[c - c0] = p->lstart[c] - base;
	for (size_t f = 0; f < p->lstart[c1] - base; f++) {
		size_t g = fill[raw[f].col - c0]++;

		lrow[g] = raw[f].row;
		lval[g] = raw[f].val;
	}
	for (size_t i = c0; i < c1; i++) {
		size_t q0 = (size_t)ptr[i], q1 = (size_t)ptr[i + 1], q = q0, u;
		size_t f = p->lstart[i] - base, fe = p->lstart[i + 1] - base;
		double s2[4] = { 0 }, sum[4] = { 0 }, pp = 0, ps = 0, t2, t;

		for (; q + 4 <= q1; q += 4)
			for (int y = 0; y < 4; y++) {
				double a = val_at(d, q + (size_t)y) - mu;

				s2[y] += a * a;
				sum[y] += a;
			}
		for (; q < q1; q++) {
			double a = val_at(d, q) - mu;

			s2[0] += a * a;
			sum[0] += a;
		}
		t2 = (s2[0] + s2[1]) + (s2[2] + s2[3]);
		t = (sum[0] + sum[1]) + (sum[2] + sum[3]);
		u = row_seek(p, i, i);
		s->noff += q1 - q0;
		if (u < q1 && col_at(ix, u) == i) {
			double a = val_at(d, u++) - mu;

			s->diag += a * a;
			s->ndiag++;
			s->noff--;
			t -= a;
		}
		s->s2 += t2;
		s->off += t;
		while (u < q1 && f < fe) {
			size_t ca = col_at(ix, u), cf = lrow[f];

			if (ca == cf) {
				double a = val_at(d, u) - mu, b = lval[f] - mu;

				pp += a * b;
				ps += a + b;
				s->nboth++;
			}
			u += ca <= cf;
			f += cf <= ca;
		}
		s->pp += pp;
		s->ps += ps;
	}
}

void spmotifs_sums(struct spmotifs *p, const void *data, struct motifs_sums *s)
{
	const unsigned char *d = data;
	size_t n = p->n, ndiag = 0, noff = 0, nboth = 0, H = SPMOTIFS_CHUNKS;
	double N = (double)n, total = 0, mu, s2 = 0, diag = 0, off = 0, pp = 0, ps = 0;
	double none, cc = 0, rr = 0, cr = 0;

	/* Pass 1: row sums, and mu from them in row order. */
	#pragma omp parallel for schedule(static, ROWS) num_threads(p->nthreads)
	for (size_t i = 0; i < n; i++)
		p->rsum[i] = row_sum(d, (size_t)p->indptr[i], (size_t)p->indptr[i + 1]);
	for (size_t i = 0; i < n; i++)
		total += p->rsum[i];
	mu = total / (N * N);

	/* Pass 2, block by block: the row chunks gather it, the column sums
	 * add the chunks' in order, the sub-blocks are sorted and summed. */
	for (size_t j = 0; j < n; j++)
		p->cur[j] = (size_t)p->indptr[j];
	#pragma omp parallel num_threads(p->nthreads)
	{
		struct spmotifs_thread *w = &p->th[omp_get_thread_num()];

		for (size_t k = 0; k < p->nblocks; k++) {
			size_t b0 = p->bound[k], b1 = p->bound[k + 1];

			#pragma omp for schedule(static, 1)
			for (size_t h = 0; h < H; h++)
				gather(p, k, h, d);
			#pragma omp for schedule(static)
			for (size_t c = b0; c < b1; c++) {
				double x = 0;

				for (size_t h = 0; h < H; h++)
					x += p->cpart[h * (b1 - b0) + (c - b0)];
				p->csum[c] = x;
			}
			#pragma omp for schedule(dynamic, 1)
			for (size_t x = p->bsub[k]; x < p->bsub[k + 1]; x++)
				sub_rows(p, w, k, x, d, mu);
		}
	}
	for (size_t x = 0; x < p->nsubs; x++) {
		const struct spmotifs_sub *b = &p->ss[x];

		s2 += b->s2;
		diag += b->diag;
		off += b->off;
		pp += b->pp;
		ps += b->ps;
		ndiag += b->ndiag;
		noff += b->noff;
		nboth += b->nboth;
	}

	/* The entries not stored, analytically (see spmotifs.h). */
	none = N * (N - 1) / 2 - (double)nboth - (double)(noff - 2 * nboth);
	s->mean = mu;
	s->s2 = s2 + (N * N - (double)p->nnz) * mu * mu;
	s->x = diag + (N - (double)ndiag) * mu * mu +
		2 * (pp - mu * (off - ps) + mu * mu * none);
	for (size_t i = 0; i < n; i++) {
		double r = p->rsum[i] - N * mu, c = p->csum[i] - N * mu;

		rr += r * r;
		cc += c * c;
		cr += c * r;
	}
	s->cc = cc;
	s->rr = rr;
	s->cr = cr;
}
