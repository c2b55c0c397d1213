#include "net.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "rng.h"

#define NET_BUCKET_SHIFT 13          /* rows per bucket: 8192 (64 KB of y) */
_Static_assert(NET_BUCKET_SHIFT <= 16, "a row in its bucket takes 16 bits");
/* The last-level cache assumed when the system does not say (bytes). */
#define NET_L3_DEFAULT ((size_t)32 << 20)
/* Terms of a step's spikes below which net_spikes() runs in one thread
 * (about 50 us of work). */
#define NET_SPIKE_SERIAL 32768
/* Synapses from which the spikes' terms ask for their memory ahead: the
 * columns' entries are then out of the caches (TrainSpikingNet's N = 10^4
 * with 10^7 synapses: free step 118 -> 107 us; N = 10^5, 10^8: 6.4 -> 5.9
 * ms). */
#define NET_PREFETCH_NNZ ((size_t)1 << 22)
#define NET_BLOCK 256                /* terms per block of a bucket's list */
#define NET_TERMS ((size_t)1 << 22)  /* terms held at a time */
#define NET_NONE UINT32_MAX
#define NET_BAND_SHIFT 16            /* rows per band of the static part */
#define NET_BAND_MASK (((size_t)1 << NET_BAND_SHIFT) - 1)

/* Where each column's rows cross the boundaries of nc row chunks (the
 * direct products cut by rows): at[k * ncols + j] is the first entry of
 * column j at or past the row of boundary k + 1; computed once per nc. */
struct net_split {
	size_t nc;
	uint32_t *s, *p;             /* static columns; plastic columns */
};

struct net_scratch {
	size_t nbuckets, nlists, nblocks;
	uint16_t *row;               /* nblocks * NET_BLOCK terms: rows in the
				      * bucket ... */
	double *term;                /* ... and the values to add, or (a
				      * product by b of float static values,
				      * the spikes') the float values, that the
				      * second phase multiplies: the same
				      * product, from half the bytes */
	uint32_t *next;              /* per block: the next of its list */
	uint32_t *head, *tail, *fill; /* per list (chunk x bucket) */
	atomic_size_t used;          /* blocks handed out */
};

/* Entries read from the source at a time (beside one row). */
#define NET_CHUNK ((size_t)1 << 16)

/* Plastic inputs of row i (m inputs). */
static size_t plastic_count(const struct net_config *cf, size_t i, size_t m)
{
	if (cf->trained && !cf->trained[i])
		return 0;
	return cf->plastic && cf->plastic < m ? cf->plastic : m;
}

/* Bands of 65,536 rows of n rows (the static part's rows, struct net). */
static size_t nbands_of(size_t n)
{
	return n ? ((n - 1) >> NET_BAND_SHIFT) + 1 : 1;
}

/* Where band b (0 .. nbands) of static column j starts: the end of the
 * column for b = nbands. */
static inline size_t band_start(const struct net *net, size_t j, size_t b)
{
	if (b == 0)
		return net->sptr[j];
	if (b >= net->nbands)
		return net->sptr[j + 1];
	return net->sptr[j] + net->sband[j * (net->nbands - 1) + b - 1];
}

/*
 * The bytes of y from which the products use propagation blocking: half
 * the last-level cache.  Below, y stays in that cache and adding a
 * column's terms straight into it is the faster way: on this project's
 * 2-core EPYC machine (a 508 MB L3) the free step of N = 3 10^5 (y 2.4 MB)
 * took 24 ms directly against 58 ms through buckets, and of N = 10^6
 * (y 8 MB) 109 ms against 206 ms.  Either way gives the same sums.
 */
static size_t bucket_from(void)
{
	long l3 = sysconf(_SC_LEVEL3_CACHE_SIZE);

	return (l3 > 0 ? (size_t)l3 : NET_L3_DEFAULT) / 2;
}

static int use_buckets(const struct net_config *cf, size_t n)
{
	return cf->buckets > 0 || (cf->buckets == 0 && n * sizeof(double) > bucket_from());
}

/* Static entries placed at a time in a large network (see struct placer). */
#define PLACE_CHUNK ((size_t)1 << 22)

size_t net_bytes(size_t n, const size_t *indptr, const struct net_config *cf)
{
	size_t np = 0, nnz = indptr[n] - indptr[0], ns, ncols = cf->ncols ? cf->ncols : n;

	for (size_t i = 0; i < n; i++)
		np += plastic_count(cf, cf->row0 + i, indptr[i + 1] - indptr[i]);
	ns = nnz - np;
	return sizeof(size_t) * (n + 1 + 2 * (ncols + 1)) +
	       (ns >= PLACE_CHUNK ? PLACE_CHUNK * 2 * 16 : 0) +
	       (ns && use_buckets(cf, n) ? NET_TERMS * (sizeof(uint16_t) + sizeof(double)) : 0) +
	       np * (sizeof(int32_t) + sizeof(double) + (np < nnz ? sizeof(uint32_t) : 0) +
		     sizeof(size_t) + sizeof(uint32_t)) +
	       ns * (sizeof(uint16_t) + (cf->static_f32 ? sizeof(float) : sizeof(double))) +
	       (ns ? sizeof(uint32_t) * ncols * (nbands_of(n) - 1) : 0);
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

/*
 * Putting the static entries, met row by row, into their places column by
 * column (srow, sval at sfill[col]++).  Straight away each entry is a
 * write at random into gigabytes: a miss of the caches and of the TLB.  In
 * a large network the entries are first gathered, PLACE_CHUNK at a time,
 * into buckets of NET_BUCKET columns (propagation blocking once more), and
 * then placed bucket by bucket: the places a bucket writes to advance
 * together and stay in the cache.  Each column still gets its rows in
 * increasing order.
 */

struct placer {
	struct net *net;
	size_t *sfill;
	int f32;
	uint32_t *row, *col, *brow, *bcol;  /* the chunk, and it by buckets */
	double *val, *bval;
	size_t have, nb;
};

static void placer_init(struct placer *pl)
{
	pl->nb = ((pl->net->ncols - 1) >> NET_BUCKET_SHIFT) + 1;
	pl->row = err_malloc(PLACE_CHUNK * sizeof *pl->row);
	pl->col = err_malloc(PLACE_CHUNK * sizeof *pl->col);
	pl->val = err_malloc(PLACE_CHUNK * sizeof *pl->val);
	pl->brow = err_malloc(PLACE_CHUNK * sizeof *pl->brow);
	pl->bcol = err_malloc(PLACE_CHUNK * sizeof *pl->bcol);
	pl->bval = err_malloc(PLACE_CHUNK * sizeof *pl->bval);
}

static void put_at(struct placer *pl, uint32_t i, uint32_t j, double v)
{
	size_t z = pl->sfill[j]++;

	pl->net->srow[z] = (uint16_t)(i & NET_BAND_MASK);
	if (pl->f32)
		((float *)pl->net->sval)[z] = (float)v;
	else
		((double *)pl->net->sval)[z] = v;
}

static void placer_flush(struct placer *pl)
{
	size_t *start;

	if (!pl->row || !pl->have)
		return;
	start = err_calloc(pl->nb + 1, sizeof *start);
	for (size_t x = 0; x < pl->have; x++)
		start[(pl->col[x] >> NET_BUCKET_SHIFT) + 1]++;
	for (size_t b = 0; b < pl->nb; b++)
		start[b + 1] += start[b];
	for (size_t x = 0; x < pl->have; x++) {
		size_t y = start[pl->col[x] >> NET_BUCKET_SHIFT]++;

		pl->brow[y] = pl->row[x];
		pl->bcol[y] = pl->col[x];
		pl->bval[y] = pl->val[x];
	}
	for (size_t y = 0; y < pl->have; y++)
		put_at(pl, pl->brow[y], pl->bcol[y], pl->bval[y]);
	pl->have = 0;
	free(start);
}

static void place(struct placer *pl, uint32_t i, uint32_t j, double v)
{
	if (!pl->row) {
		put_at(pl, i, j, v);
		return;
	}
	pl->row[pl->have] = i;
	pl->col[pl->have] = j;
	pl->val[pl->have++] = v;
	if (pl->have == PLACE_CHUNK)
		placer_flush(pl);
}

static void placer_free(struct placer *pl)
{
	free(pl->row);
	free(pl->col);
	free(pl->val);
	free(pl->brow);
	free(pl->bcol);
	free(pl->bval);
}

int net_init(struct net *net, const struct net_source *src, const struct net_config *cf)
{
	const size_t n = src->n, *indptr = src->indptr, nnz = indptr[n] - indptr[0];
	const size_t ncols = cf->ncols ? cf->ncols : n, row0 = cf->row0;
	size_t np = 0, mmax = 0, kmax = 0, *sfill = NULL, ns;
	uint32_t *pick;
	rng_t *g = NULL;
	rng_sample_ws_t *ws = NULL;
	struct walk w = { src, NULL, NULL, 0, 0 };
	int status = -1;

	memset(net, 0, sizeof *net);
	net->n = n;
	net->nnz = nnz;
	net->ncols = ncols;
	net->row0 = row0;
	net->sval_f32 = cf->static_f32;
	net->spike_serial = cf->spike_serial ? cf->spike_serial : NET_SPIKE_SERIAL;
	net->prefetch = nnz >= (cf->prefetch_nnz ? cf->prefetch_nnz : NET_PREFETCH_NNZ);
	net->split = err_calloc(1, sizeof *net->split);
	net->prow = err_malloc((n + 1) * sizeof *net->prow);
	net->prow[0] = 0;
	for (size_t i = 0; i < n; i++) {
		size_t m = indptr[i + 1] - indptr[i];

		size_t k = plastic_count(cf, row0 + i, m);

		np += k;
		net->prow[i + 1] = np;
		if (m > mmax)
			mmax = m;
		if (k < m && k > kmax)
			kmax = k;
	}
	ns = nnz - np;
	net->pcol = err_malloc_huge((np + 1) * sizeof *net->pcol);
	net->pval = err_malloc_huge((np + 1) * sizeof *net->pval);
	if (np < nnz)
		net->pidx = err_malloc_huge((np + 1) * sizeof *net->pidx);
	net->sptr = err_calloc(ncols + 1, sizeof *net->sptr);
	net->srow = err_malloc_huge((ns + 1) * sizeof *net->srow);
	net->nbands = nbands_of(n);
	if (net->nbands > 1)
		net->sband = err_malloc_huge(ncols * (net->nbands - 1) * sizeof *net->sband);
	net->sval = err_malloc_huge((ns + 1) * (cf->static_f32 ? sizeof(float) : sizeof(double)));
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

		/* a band starts: where it starts in every column (the static
		 * entries counted so far, in sptr[j + 1]) */
		if (i && !(i & NET_BAND_MASK))
			for (size_t j = 0; j < ncols; j++)
				net->sband[j * (net->nbands - 1) + (i >> NET_BAND_SHIFT) - 1] =
					(uint32_t)net->sptr[j + 1];
		if (walk_row(&w, i, &col, &val, &m))
			goto out;
		if (k && k < m) {
			rng_reseed_sub(g, cf->seed, RNG_PLASTIC, row0 + i);
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
	for (size_t j = 0; j < ncols; j++)
		net->sptr[j + 1] += net->sptr[j];

	/* Second pass, when there are static entries: their values to their
	 * places, column by column in increasing rows. */
	if (ns) {
		sfill = err_malloc((ncols + 1) * sizeof *sfill);
		memcpy(sfill, net->sptr, ncols * sizeof *sfill);
		w.have = w.used = 0;
		if (src->rewind(src->ctx))
			goto out;
		struct placer pl = { .net = net, .sfill = sfill, .f32 = cf->static_f32 };

		if (use_buckets(cf, n) || (cf->buckets == 0 && ns >= PLACE_CHUNK))
			placer_init(&pl);
		for (size_t i = 0; i < n; i++) {
			size_t m, y = net->prow[i], yend = net->prow[i + 1];
			const int32_t *col;
			const double *val;

			if (walk_row(&w, i, &col, &val, &m))
				goto out;
			for (size_t x = 0; x < m; x++) {
				if (y < yend && net->pidx[y] == x) {
					y++;
					continue;
				}
				place(&pl, (uint32_t)i, (uint32_t)col[x], val[x]);
			}
		}
		placer_flush(&pl);
		placer_free(&pl);
	}
	model_cols_init_rect(&net->pcols, n, ncols, net->prow, net->pcol);
	if (ns && use_buckets(cf, n)) {
		struct net_scratch *sc = err_calloc(1, sizeof *sc);

		sc->nbuckets = ((n - 1) >> NET_BUCKET_SHIFT) + 1;
		sc->nlists = NET_MAX_CHUNKS * sc->nbuckets;
		sc->nblocks = NET_TERMS / NET_BLOCK + sc->nlists;
		sc->row = err_malloc(sc->nblocks * NET_BLOCK * sizeof *sc->row);
		sc->term = err_malloc(sc->nblocks * NET_BLOCK * sizeof *sc->term);
		sc->next = err_malloc(sc->nblocks * sizeof *sc->next);
		sc->head = err_malloc(sc->nlists * sizeof *sc->head);
		sc->tail = err_malloc(sc->nlists * sizeof *sc->tail);
		sc->fill = err_malloc(sc->nlists * sizeof *sc->fill);
		net->scratch = sc;
	}
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
	free(net->sband);
	free(net->sval);
	if (net->split) {
		free(net->split->s);
		free(net->split->p);
		free(net->split);
	}
	if (net->pcols.cptr)
		model_cols_free(&net->pcols);
	if (net->scratch) {
		free(net->scratch->row);
		free(net->scratch->term);
		free(net->scratch->next);
		free(net->scratch->head);
		free(net->scratch->tail);
		free(net->scratch->fill);
		free(net->scratch);
	}
	memset(net, 0, sizeof *net);
}

/* The first entry of static column j whose row is >= row. */
static size_t static_first_at(const struct net *net, size_t j, size_t row)
{
	const size_t b = row >> NET_BAND_SHIFT, low = row & NET_BAND_MASK;
	size_t lo, hi;

	if (b >= net->nbands)
		return net->sptr[j + 1];
	lo = band_start(net, j, b);
	hi = band_start(net, j, b + 1);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (net->srow[mid] < low)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
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


/*
 * The static part's share of a product, y += sum over the listed columns j
 * of mult_j W_static[:, j] (mult_j = mult[x] for column cols[x], or b for
 * every column when mult is NULL), the columns in the listed order (they
 * are increasing): each y_i takes its terms in increasing j, whatever the
 * number of threads and however the work is cut.
 *
 * A column's rows are spread over the whole network, so adding its terms
 * one by one reads and writes y at random: beyond the last-level cache
 * (bucket_from()) each term costs a trip to memory.  Propagation blocking
 * (Beamer, Asanovic and Patterson, IPDPS 2017) turns that into streams:
 * the terms are first appended to one bucket per block of NET_BUCKET rows
 * (a few hundred sequential write streams), then each bucket is added to
 * its block of y, which stays in the cache.  A bucket receives its terms in
 * column order, so that the sums are those of the direct way to the bit.
 */
static double sval_at(const struct net *net, size_t a)
{
	return net->sval_f32 ? (double)((const float *)net->sval)[a] :
			       ((const double *)net->sval)[a];
}

/* The columns' entries at the boundaries of nc row chunks (see struct
 * net_split), for the static (s) and plastic (p) columns. */
static const struct net_split *row_split(const struct net *net, size_t nc)
{
	struct net_split *sp = net->split;
	const struct model_cols *c = &net->pcols;
	const size_t nb = nc - 1, m = net->ncols;

	if (sp->nc == nc)
		return sp;
	free(sp->s);
	free(sp->p);
	sp->s = err_malloc((nb * m + 1) * sizeof *sp->s);
	sp->p = err_malloc((nb * m + 1) * sizeof *sp->p);
	for (size_t k = 0; k < nb; k++) {
		size_t lo, hi;

		pool_range(net->n, k, nc, &lo, &hi);
		for (size_t j = 0; j < m; j++) {
			sp->s[k * m + j] = (uint32_t)(static_first_at(net, j, hi) - net->sptr[j]);
			sp->p[k * m + j] = (uint32_t)(first_at(c->crow, c->cptr[j], c->cptr[j + 1], hi) -
						      c->cptr[j]);
		}
	}
	sp->nc = nc;
	return sp;
}

/* The entries [*a, *e) of column j (ptr: the columns' starts) in row chunk
 * c of nc, cut at the chunks' boundaries (struct net_split: cut is its s
 * or p; not read when nc is 1). */
static inline void chunk_range(const size_t *ptr, const uint32_t *cut, size_t m, size_t j,
			       size_t c, size_t nc, size_t *a, size_t *e)
{
	*a = ptr[j];
	*e = ptr[j + 1];
	if (nc > 1) {
		if (c + 1 < nc)
			*e = *a + cut[c * m + j];
		if (c > 0)
			*a += cut[(c - 1) * m + j];
	}
}

/* Direct: y += the terms of the columns, one by one, in rows chunk c of
 * nc (sp: the columns' entries at the chunks' boundaries, for nc > 1). */
static void static_direct(const struct net *net, const uint32_t *cols, size_t ncols,
			  const double *mult, double b, double *y, size_t c, size_t nc,
			  const struct net_split *sp)
{
	const size_t m = net->ncols, es = net->sval_f32 ? sizeof(float) : sizeof(double);
	const int ahead = net->prefetch;

	const uint32_t *cut = sp ? sp->s : NULL;

	for (size_t x = 0; x < ncols; x++) {
		const size_t j = cols[x];
		const double mu = mult ? mult[x] : b;
		size_t a, e;

		/* a column's entries lie anywhere: the first lines of the
		 * chunk's part of the column two ahead are asked for (the
		 * processor's prefetcher follows a stream once it has begun) */
		if (ahead && x + 2 < ncols) {
			chunk_range(net->sptr, cut, m, cols[x + 2], c, nc, &a, &e);
			__builtin_prefetch(net->srow + a);
			__builtin_prefetch(net->srow + a + 32);
			for (size_t o = 0; o < 4; o++)
				__builtin_prefetch((const char *)net->sval + (a * es + 64 * o));
		}
		chunk_range(net->sptr, cut, m, j, c, nc, &a, &e);
		/* band by band (rows increasing): the rows of band bd are
		 * (bd << 16) + srow */
		for (size_t bd = 0; a < e; bd++) {
			const size_t be = band_start(net, j, bd + 1), stop = be < e ? be : e;
			const uint16_t *sr = net->srow;
			double *yb = y + (bd << NET_BAND_SHIFT);

			if (net->sval_f32) {
				const float *sv = net->sval;

				for (; a < stop; a++)
					yb[sr[a]] += mu * (double)sv[a];
			} else {
				const double *sv = net->sval;

				for (; a < stop; a++)
					yb[sr[a]] += mu * sv[a];
			}
		}
	}
}

struct static_job {
	const struct net *net;
	const uint32_t *cols;
	const double *mult;
	double b, *y;
	size_t ncols, nc;            /* columns of the batch; chunks of phase 1 */
	size_t *cut;                 /* chunk c: columns cut[c] .. cut[c+1]-1 */
	const struct net_split *sp;  /* the direct way's row chunks */
};

/* Whether the buckets hold float values, multiplied by b in phase 2 (see
 * struct net_scratch). */
static int terms_f32(const struct static_job *job)
{
	return !job->mult && job->net->sval_f32;
}

/*
 * A bucket's next place in chunk c's lists (a new block when its block is
 * full): its index in row[] and term[].
 */
static inline size_t bucket_place(struct net_scratch *sc, uint32_t *restrict head,
				  uint32_t *restrict tail, uint32_t *restrict fill, uint32_t k)
{
	if (fill[k] == NET_BLOCK) {
		uint32_t blk = (uint32_t)atomic_fetch_add(&sc->used, 1);

		sc->next[blk] = NET_NONE;
		if (tail[k] == NET_NONE)
			head[k] = blk;
		else
			sc->next[tail[k]] = blk;
		tail[k] = blk;
		fill[k] = 0;
	}
	return (size_t)tail[k] * NET_BLOCK + fill[k]++;
}

/* Phase 1, chunk c: its columns' terms to the buckets of its lists. */
static void bucket_part(void *arg, size_t c, size_t nc)
{
	struct static_job *job = arg;
	const struct net *net = job->net;
	struct net_scratch *sc = net->scratch;
	uint32_t *restrict head = sc->head + c * sc->nbuckets;
	uint32_t *restrict tail = sc->tail + c * sc->nbuckets;
	uint32_t *restrict fill = sc->fill + c * sc->nbuckets;
	uint16_t *restrict row = sc->row;
	const uint16_t *restrict srow = net->srow;
	const float *restrict sv = net->sval;
	float *restrict fterm = (float *)(void *)sc->term;
	const int raw = terms_f32(job);

	(void)nc;
	for (size_t k = 0; k < sc->nbuckets; k++) {
		head[k] = tail[k] = NET_NONE;
		fill[k] = NET_BLOCK;
	}
	for (size_t x = job->cut[c]; x < job->cut[c + 1]; x++) {
		const size_t j = job->cols[x], end = net->sptr[j + 1];
		const double m = job->mult ? job->mult[x] : job->b;

		for (size_t a = net->sptr[j], bd = 0; a < end; bd++) {
			/* band bd of the column: rows (bd << 16) + srow */
			const size_t be = band_start(net, j, bd + 1);
			const uint32_t base = (uint32_t)(bd << NET_BAND_SHIFT);

			for (; a < be; a++) {
				const uint32_t i = base | srow[a];
				const size_t at = bucket_place(sc, head, tail, fill,
							       i >> NET_BUCKET_SHIFT);

				row[at] = (uint16_t)(i & ((1u << NET_BUCKET_SHIFT) - 1));
				if (raw)
					fterm[at] = sv[a];
				else
					sc->term[at] = m * sval_at(net, a);
			}
		}
	}
}

/* Phase 2, bucket k: the lists of every chunk, in chunk order. */
static void apply_part(void *arg, size_t k, size_t nk)
{
	struct static_job *job = arg;
	struct net_scratch *sc = job->net->scratch;
	double *restrict y = job->y + (k << NET_BUCKET_SHIFT);
	const uint16_t *restrict row = sc->row;
	const int raw = terms_f32(job);
	const double b = job->b;

	(void)nk;
	for (size_t c = 0; c < job->nc; c++) {
		size_t l = c * sc->nbuckets + k;

		for (uint32_t blk = sc->head[l]; blk != NET_NONE; blk = sc->next[blk]) {
			size_t at = (size_t)blk * NET_BLOCK;
			size_t cnt = blk == sc->tail[l] ? sc->fill[l] : NET_BLOCK;

			if (raw) {
				const float *restrict term = (const float *)(const void *)sc->term;

				for (size_t t = 0; t < cnt; t++)
					y[row[at + t]] += b * (double)term[at + t];
			} else {
				const double *restrict term = sc->term;

				for (size_t t = 0; t < cnt; t++)
					y[row[at + t]] += term[at + t];
			}
		}
	}
}

/* The direct way shared by row blocks (small networks). */
static void direct_part(void *arg, size_t c, size_t nc)
{
	struct static_job *job = arg;

	static_direct(job->net, job->cols, job->ncols, job->mult, job->b, job->y, c, nc, job->sp);
}

static void static_add(const struct net *net, struct pool *pool, const uint32_t *cols,
		       size_t ncols, const double *mult, double b, double *y, int serial)
{
	struct net_scratch *sc = net->scratch;
	struct static_job job = { net, cols, mult, b, y, ncols, 1, NULL, NULL };
	size_t cut[NET_MAX_CHUNKS + 1];

	if (!sc) {
		/* one chunk of rows per thread, where each column's part
		 * starts known in advance */
		size_t nc = serial || net->nnz < 65536 ? 1 : (size_t)pool_size(pool);

		if (nc > 1)
			job.sp = row_split(net, nc);
		pool_for(pool, nc, direct_part, &job);
		return;
	}
	job.cut = cut;
	/* batches of columns whose terms fit the lists, each in chunks */
	for (size_t x0 = 0; x0 < ncols;) {
		size_t room = sc->nblocks * NET_BLOCK - sc->nlists * NET_BLOCK, terms = 0, x1 = x0;
		size_t nc, per;

		while (x1 < ncols && (x1 == x0 || terms + (net->sptr[cols[x1] + 1] -
							 net->sptr[cols[x1]]) <= room)) {
			terms += net->sptr[cols[x1] + 1] - net->sptr[cols[x1]];
			x1++;
		}
		nc = pool_chunks(pool, terms, 65536, NET_MAX_CHUNKS);
		/* chunks of about equal terms */
		per = terms / nc + 1;
		cut[0] = x0;
		for (size_t c = 1, t = 0, x = x0; c <= nc; c++) {
			while (x < x1 && (c == nc || t < per * c)) {
				t += net->sptr[cols[x] + 1] - net->sptr[cols[x]];
				x++;
			}
			cut[c] = x;
		}
		job.nc = nc;
		atomic_store(&sc->used, 0);
		job.cols = cols;
		pool_for(pool, nc, bucket_part, &job);
		pool_for(pool, sc->nbuckets, apply_part, &job);
		x0 = x1;
	}
}

struct full_job {
	const struct net *net;
	const double *r;
	double *v;
};

static void plastic_full_part(void *arg, size_t c, size_t nc)
{
	const struct full_job *job = arg;
	size_t lo, hi;

	pool_range(job->net->n, c, nc, &lo, &hi);
	for (size_t i = lo; i < hi; i++)
		job->v[i] += model_row_dot(job->net->prow, job->net->pcol, job->net->pval, job->r, i);
}

void net_full(const struct net *net, struct pool *pool, const double *r, double *v)
{
	struct full_job job = { net, r, v };
	/* a team for a large network only: waking it costs microseconds */
	size_t nc = net->nnz < 65536 ? 1 : pool_chunks(pool, net->n, 256, 0);

	memset(v, 0, net->n * sizeof *v);
	if (net->sptr[net->ncols]) {
		uint32_t *cols = err_malloc((net->ncols + 1) * sizeof *cols);
		double *mult = err_malloc((net->ncols + 1) * sizeof *mult);
		size_t k = 0;

		for (size_t j = 0; j < net->ncols; j++)
			if (r[j] != 0 && net->sptr[j + 1] > net->sptr[j]) {
				cols[k] = (uint32_t)j;
				mult[k++] = r[j];
			}
		static_add(net, pool, cols, k, mult, 0, v, 0);
		free(cols);
		free(mult);
	}
	pool_for(pool, nc, plastic_full_part, &job);
}

struct spike_job {
	const struct net *net;
	double gamma, b;
	const uint32_t *spk;
	size_t nsp;
	const double *v;
	double *y;
	const struct net_split *sp;  /* the row chunks (nc > 1) */
	void (*task)(void *);        /* net_spikes_beside()'s task, or NULL */
	void *targ;
};

static void decay_part(void *arg, size_t ch, size_t nch)
{
	const struct spike_job *job = arg;
	size_t lo, hi;

	pool_range(job->net->n, ch, nch, &lo, &hi);
	for (size_t i = lo; i < hi; i++)
		job->y[i] = job->gamma * job->v[i];
}

/*
 * The plastic terms of chunk ch.  A column's few entries lie anywhere and
 * their values (pval, by row) are one trip to memory each in a large
 * network, so the work is a pipeline over the spiked columns: the entries
 * of the column two ahead are asked for, and the values of the next one.
 */
static void plastic_spike_part(void *arg, size_t ch, size_t nch)
{
	const struct spike_job *job = arg;
	const struct net *net = job->net;
	const struct model_cols *c = &net->pcols;
	const double b = job->b;
	const int ahead = net->prefetch;
	const uint32_t *cut = job->sp ? job->sp->p : NULL;
	double *y = job->y;

	for (size_t s = 0; s < job->nsp; s++) {
		size_t a, e;

		if (ahead && s + 2 < job->nsp) {
			chunk_range(c->cptr, cut, net->ncols, job->spk[s + 2], ch, nch, &a, &e);
			for (size_t x = a; x < e; x += 16) {
				__builtin_prefetch(c->cval + x);
				__builtin_prefetch(c->crow + x);
			}
		}
		if (ahead && s + 1 < job->nsp) {
			chunk_range(c->cptr, cut, net->ncols, job->spk[s + 1], ch, nch, &a, &e);
			for (size_t x = a; x < e; x++)
				__builtin_prefetch(net->pval + c->cval[x]);
		}
		chunk_range(c->cptr, cut, net->ncols, job->spk[s], ch, nch, &a, &e);
		for (; a < e; a++)
			y[c->crow[a]] += b * net->pval[c->cval[a]];
	}
}

/*
 * Chunk ch of rows, without the bucket lists: its decay, static terms and
 * plastic terms in turn, as the three passes would (they split the rows
 * alike, row_split()), one waking of the team instead of three.
 */
static void spike_part(void *arg, size_t ch, size_t nch)
{
	const struct spike_job *job = arg;
	const struct net *net = job->net;

	decay_part(arg, ch, nch);
	if (net->sptr[net->ncols])
		static_direct(net, job->spk, job->nsp, NULL, job->b, job->y, ch, nch, job->sp);
	plastic_spike_part(arg, ch, nch);
}

/* Chunk 0 the task, the others spike_part()'s chunks. */
static void task_or_spike_part(void *arg, size_t ch, size_t nch)
{
	const struct spike_job *job = arg;

	if (ch == 0)
		job->task(job->targ);
	else
		spike_part(arg, ch - 1, nch - 1);
}

size_t net_spikes_beside(const struct net *net, struct pool *pool, double gamma, double b,
			 const uint32_t *spk, size_t nsp, const double *v, double *y,
			 void (*task)(void *), void *targ)
{
	struct spike_job job = { net, gamma, b, spk, nsp, v, y, NULL, task, targ };
	const struct model_cols *c = &net->pcols;
	size_t terms = 0, nc;

	/* A step of few terms is not worth waking the team: its cost would
	 * be the team's (and a thread of it that another process delays
	 * would delay every step). */
	for (size_t s = 0; s < nsp && terms < net->spike_serial; s++)
		terms += net->sptr[spk[s] + 1] - net->sptr[spk[s]] + c->cptr[spk[s] + 1] -
			 c->cptr[spk[s]];
	nc = net->nnz < 65536 || terms < net->spike_serial ? 1 : (size_t)pool_size(pool);
	if (nc > 1)
		job.sp = row_split(net, nc);
	if (!net->scratch) {
		/* the three phases by the same chunks of rows: at once, and
		 * the task as one more chunk */
		if (task)
			pool_for(pool, nc + 1, task_or_spike_part, &job);
		else
			pool_for(pool, nc, spike_part, &job);
		return nc;
	}
	if (task)
		task(targ);
	pool_for(pool, nc, decay_part, &job);
	if (net->sptr[net->ncols])
		static_add(net, pool, spk, nsp, NULL, b, y, nc == 1);
	pool_for(pool, nc, plastic_spike_part, &job);
	return nc;
}

void net_spikes(const struct net *net, struct pool *pool, double gamma, double b,
		const uint32_t *spk, size_t nsp, const double *v, double *y)
{
	net_spikes_beside(net, pool, gamma, b, spk, nsp, v, y, NULL, NULL);
}

void net_dense(const struct net *net, double *W)
{
	const size_t n = net->n, nc = net->ncols;

	memset(W, 0, n * nc * sizeof *W);
	for (size_t j = 0; j < nc; j++)
		for (size_t bd = 0; bd < net->nbands; bd++)
			for (size_t a = band_start(net, j, bd); a < band_start(net, j, bd + 1); a++)
				W[((bd << NET_BAND_SHIFT) + net->srow[a]) * nc + j] = sval_at(net, a);
	for (size_t i = 0; i < n; i++)
		for (size_t x = net->prow[i]; x < net->prow[i + 1]; x++)
			W[i * nc + (size_t)net->pcol[x]] = net->pval[x];
}
