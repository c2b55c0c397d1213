#include "rls.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define RLS_AVX2 1

/*
 * The 4 x 4 piece of a block at columns cc .. cc+3 (cc a multiple of 4):
 * its tiles cc/2 and cc/2 + 1, 16 doubles from B + 4 cc, as four vectors
 * t0 = rows 0-1 of columns cc, cc+1, t1 = rows 2-3 of them, t2 and t3 the
 * same for columns cc+2, cc+3; TILE_ROWS makes them the four rows.
 */
#define TILES_LOAD(B, cc, t0, t1, t2, t3) do { \
	const double *b_ = (B) + 4 * (cc); \
	t0 = _mm256_loadu_pd(b_); \
	t1 = _mm256_loadu_pd(b_ + 4); \
	t2 = _mm256_loadu_pd(b_ + 8); \
	t3 = _mm256_loadu_pd(b_ + 12); \
} while (0)
#define TILES_STORE(B, cc, t0, t1, t2, t3) do { \
	double *b_ = (B) + 4 * (cc); \
	_mm256_storeu_pd(b_, t0); \
	_mm256_storeu_pd(b_ + 4, t1); \
	_mm256_storeu_pd(b_ + 8, t2); \
	_mm256_storeu_pd(b_ + 12, t3); \
} while (0)
#define TILE_ROWS(t0, t1, t2, t3, r0, r1, r2, r3) do { \
	r0 = _mm256_permute2f128_pd(t0, t2, 0x20); \
	r1 = _mm256_permute2f128_pd(t0, t2, 0x31); \
	r2 = _mm256_permute2f128_pd(t1, t3, 0x20); \
	r3 = _mm256_permute2f128_pd(t1, t3, 0x31); \
} while (0)
/* The update P -= (a_r u_c) of those tiles, a01 = (a0 a0 a1 a1) and a23 =
 * (a2 a2 a3 a3) the factors of the rows, v the u of columns cc .. cc+3. */
#define TILES_UPDATE(t0, t1, t2, t3, a01, a23, v) do { \
	const __m256d v01_ = _mm256_broadcast_pd((const __m128d *)(v)); \
	const __m256d v23_ = _mm256_broadcast_pd((const __m128d *)((v) + 2)); \
	t0 = _mm256_fnmadd_pd(a01, v01_, t0); \
	t1 = _mm256_fnmadd_pd(a23, v01_, t1); \
	t2 = _mm256_fnmadd_pd(a01, v23_, t2); \
	t3 = _mm256_fnmadd_pd(a23, v23_, t3); \
} while (0)
#endif

#include "err.h"
#include "model.h"

/* Spiked inputs of a neuron beyond which rls_step() computes k directly. */
#define MAX_SPIKED 64

#ifdef RLS_AVX2
/* Whether folds use 512-bit vectors: set by rls_init() (the same results
 * either way; FORCENET_NO_AVX512 in the environment turns them off). */
static int s512;
#endif

static void choose_width(void)
{
#ifdef RLS_AVX2
	__builtin_cpu_init();
	s512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
	       !getenv("FORCENET_NO_AVX512");
#endif
}

static size_t msize(const size_t *rowptr, size_t i)
{
	return rowptr[i + 1] - rowptr[i];
}

static size_t pad4(size_t m)
{
	return (m + 3) & ~(size_t)3;
}

size_t rls_packed_size(size_t m)
{
	size_t mp = pad4(m), s = 0;

	for (size_t j = 0; j < mp; j += 4)
		s += 4 * (mp - j);
	return s;
}

/*
 * Offset of P[j + r, j + cc] in block j (see rls.h): tiles of 4 rows by 2
 * columns, the columns j + cc, j + cc + 1 (cc even) in tile cc/2, row by
 * row.
 */
static inline size_t tix(size_t r, size_t cc)
{
	return 4 * (cc & ~(size_t)1) + 2 * r + (cc & 1);
}

/* Address of P[row, col] (col >= the first column of row's block). */
static double *elem(double *P, size_t mp, size_t row, size_t col)
{
	size_t j = row & ~(size_t)3, base = 0;

	for (size_t b = 0; b < j; b += 4)
		base += 4 * (mp - b);
	return P + base + tix(row - j, col - j);
}

/* The batch that rls_init() chooses (see rls.h). */
static size_t batch_of(size_t n, const size_t *rowptr, enum rls_kernel_kind kind,
		       size_t batch)
{
	size_t p = 0;

	if (kind != RLS_SPIKE)
		return 1;
	if (batch)
		return batch;
	for (size_t i = 0; i < n; i++)
		p += rls_packed_size(msize(rowptr, i));
	return p * sizeof(double) > RLS_LARGE_BYTES ? RLS_BATCH_LARGE : RLS_BATCH;
}

/* Neuron i's vectors: q, then the batch+1 ring slots of k, mp doubles each. */
static double *slot(const struct rls *s, size_t i, size_t x)
{
	return s->vecs + s->voff[i] + (x + 1) * pad4(msize(s->rowptr, i));
}

size_t rls_bytes(size_t n, const size_t *rowptr, enum rls_kernel_kind kind, size_t batch)
{
	size_t p = 0, v = 0, nslot = batch_of(n, rowptr, kind, batch) + 1, nnz = rowptr[n];

	for (size_t i = 0; i < n; i++) {
		p += rls_packed_size(msize(rowptr, i));
		v += (nslot + 1) * pad4(msize(rowptr, i));
	}
	return sizeof(double) * (p + v + (nslot + 3) * n) +
	       sizeof(uint32_t) * (4 * n + MAX_SPIKED * n + nnz) +
	       sizeof(size_t) * (nnz + 3 * (n + 1));
}

void rls_init(struct rls *s, size_t n, const size_t *rowptr, const int32_t *col,
	      double alpha, enum rls_kernel_kind kind, size_t batch)
{
	size_t nslot;

	memset(s, 0, sizeof *s);
	s->n = n;
	s->rowptr = rowptr;
	s->col = col;
	s->kind = kind;
	s->batch = batch_of(n, rowptr, kind, batch);
	nslot = s->batch + 1;
	s->poff = err_malloc((n + 1) * sizeof *s->poff);
	s->voff = err_malloc((n + 1) * sizeof *s->voff);
	s->poff[0] = s->voff[0] = 0;
	for (size_t i = 0; i < n; i++) {
		s->poff[i + 1] = s->poff[i] + rls_packed_size(msize(rowptr, i));
		s->voff[i + 1] = s->voff[i] + (nslot + 1) * pad4(msize(rowptr, i));
	}
	/* P is most of a run's memory: map it zeroed, in huge pages where the
	 * kernel allows (fewer page faults at start, fewer TLB misses in the
	 * pass over P). */
	s->pbytes = (s->poff[n] ? s->poff[n] : 1) * sizeof *s->P;
	s->P = mmap(NULL, s->pbytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (s->P == MAP_FAILED)
		err_die(EXIT_DATA, "out of memory (%zu bytes for the RLS matrices)", s->pbytes);
#ifdef MADV_HUGEPAGE
	madvise(s->P, s->pbytes, MADV_HUGEPAGE);
#endif
	s->vecs = err_calloc(s->voff[n] + 1, sizeof(double));
	s->cs = err_calloc(nslot * n + 1, sizeof(double));
	s->head = err_calloc(n + 1, sizeof(uint32_t));
	s->npend = err_calloc(n + 1, sizeof(uint32_t));
	s->c = err_calloc(n + 1, sizeof(double));
	s->qk = err_calloc(n + 1, sizeof(double));
	s->dw2 = err_calloc(n + 1, sizeof(double));
	s->age = err_calloc(n + 1, sizeof(uint32_t));
	s->nspk = err_calloc(n + 1, sizeof(uint32_t));
	s->spk = err_calloc(MAX_SPIKED * n + 1, sizeof(uint32_t));
	/* the rows each presynaptic neuron feeds (model.h's column index) */
	model_cols_init(&s->cols, n, rowptr, col);
	choose_width();
	/* First touch by the threads that will use the pages. */
	#pragma omp parallel for schedule(static)
	for (size_t i = 0; i < n; i++) {
		size_t m = msize(rowptr, i), mp = pad4(m);
		double *P = s->P + s->poff[i];

		for (size_t j = 0; j < m; j++)
			*elem(P, mp, j, j) = 1 / alpha;
	}
}

void rls_free(struct rls *s)
{
	free(s->poff);
	free(s->voff);
	if (s->P)
		munmap(s->P, s->pbytes);
	free(s->vecs);
	free(s->cs);
	free(s->head);
	free(s->npend);
	free(s->c);
	free(s->qk);
	free(s->dw2);
	free(s->age);
	free(s->nspk);
	free(s->spk);
	model_cols_free(&s->cols);
	memset(s, 0, sizeof *s);
}

/*
 * rls_kernel() with at most one pending update (c u u', c = 0 for none)
 * and q: the step of RLS_DIRECT, with the factors in registers and the
 * diagonal block peeled off.  Same arithmetic as rls_kernel() on every
 * element, so the same results to the bit.
 */
static double pass1(size_t m, double *P, const double *u, double c,
		    const double *q, double *k)
{
	const size_t mp = pad4(m);
	double den = 1;

	for (size_t t = 0; t < mp; t++)
		k[t] = 0;
	for (size_t j = 0; j < mp; j += 4) {
		const size_t L = mp - j;
#ifdef RLS_AVX2
		const __m256d a01 = _mm256_set_pd(c * u[j + 1], c * u[j + 1], c * u[j], c * u[j]);
		const __m256d a23 = _mm256_set_pd(c * u[j + 3], c * u[j + 3], c * u[j + 2], c * u[j + 2]);
		const __m256d q0 = _mm256_set1_pd(q[j]), q1 = _mm256_set1_pd(q[j + 1]);
		const __m256d q2 = _mm256_set1_pd(q[j + 2]), q3 = _mm256_set1_pd(q[j + 3]);
		__m256d s0, s1, s2, s3, p0, p1, p2, p3, t0, t1, t2, t3, h01, h23;
		__m256d qt = _mm256_loadu_pd(q + j);

		TILES_LOAD(P, 0, t0, t1, t2, t3);
		TILES_UPDATE(t0, t1, t2, t3, a01, a23, u + j);
		TILES_STORE(P, 0, t0, t1, t2, t3);
		TILE_ROWS(t0, t1, t2, t3, p0, p1, p2, p3);
		s0 = _mm256_mul_pd(p0, qt);
		s1 = _mm256_mul_pd(p1, qt);
		s2 = _mm256_mul_pd(p2, qt);
		s3 = _mm256_mul_pd(p3, qt);
		for (size_t t = 4; t < L; t += 4) {
			__m256d kv = _mm256_loadu_pd(k + j + t);

			qt = _mm256_loadu_pd(q + j + t);
			TILES_LOAD(P, t, t0, t1, t2, t3);
			TILES_UPDATE(t0, t1, t2, t3, a01, a23, u + j + t);
			TILES_STORE(P, t, t0, t1, t2, t3);
			TILE_ROWS(t0, t1, t2, t3, p0, p1, p2, p3);
			s0 = _mm256_fmadd_pd(p0, qt, s0);
			kv = _mm256_fmadd_pd(p0, q0, kv);
			s1 = _mm256_fmadd_pd(p1, qt, s1);
			kv = _mm256_fmadd_pd(p1, q1, kv);
			s2 = _mm256_fmadd_pd(p2, qt, s2);
			kv = _mm256_fmadd_pd(p2, q2, kv);
			s3 = _mm256_fmadd_pd(p3, qt, s3);
			kv = _mm256_fmadd_pd(p3, q3, kv);
			_mm256_storeu_pd(k + j + t, kv);
		}
		/* the four dot products, lane-summed into one vector */
		h01 = _mm256_hadd_pd(s0, s1);
		h23 = _mm256_hadd_pd(s2, s3);
		_mm256_storeu_pd(k + j, _mm256_add_pd(_mm256_loadu_pd(k + j),
			_mm256_add_pd(_mm256_permute2f128_pd(h01, h23, 0x20),
				      _mm256_permute2f128_pd(h01, h23, 0x31))));
#else
		for (size_t r = 0; r < 4; r++) {
			const double a = c * u[j + r], qr = q[j + r];
			double dot = 0;

			for (size_t t = 0; t < L; t++) {
				double p = P[tix(r, t)] - a * u[j + t];

				P[tix(r, t)] = p;
				dot += p * q[j + t];
				if (t >= 4)
					k[j + t] += p * qr;
			}
			k[j + r] += dot;
		}
#endif
		P += 4 * L;
	}
	/* q'k in four independent sums: a single chain of adds would cost
	 * its latency at every term. */
	{
		double d[4] = { 0, 0, 0, 0 };

		for (size_t t = 0; t < mp; t += 4)
			for (int l = 0; l < 4; l++)
				d[l] += q[t + (size_t)l] * k[t + (size_t)l];
		den += (d[0] + d[1]) + (d[2] + d[3]);
	}
	return den;
}

/*
 * One pass over P, block of rows by block of rows, 4 columns (two tiles) at
 * a time.  In the block of rows j .. j+3 (stored columns j .. mp-1, L =
 * mp - j of them):
 *   - every element gets the pending updates p = P - sum_s (c_s u_s,row) u_s,col
 *     (on the tiles as they are stored);
 *   - row r's dot product with q (the tiles made rows) gives k[j+r] its
 *     columns >= j: the 4 x 4 diagonal block is stored in full, so this
 *     covers the whole block;
 *   - by symmetry, the columns t >= j+4 also give k[t] += p q[j+r] (the
 *     lower triangle, which is not stored).
 */
double rls_kernel(size_t m, double *P, const double *const *u, const double *c,
		  size_t np, const double *q, double *k)
{
	const size_t mp = pad4(m);
	double den = 1, a[RLS_MAX_PENDING][4];
#ifdef RLS_AVX2
	__m256d av[RLS_MAX_PENDING][2];
#endif

	/* q stands in for the missing vector: 0 q adds nothing */
	if (np <= 1 && q)
		return pass1(m, P, np ? u[0] : q, np ? c[0] : 0, q, k);
	if (q)
		for (size_t t = 0; t < mp; t++)
			k[t] = 0;
	for (size_t j = 0; j < mp; j += 4) {
		const size_t L = mp - j;

		for (size_t s = 0; s < np; s++)
			for (size_t r = 0; r < 4; r++)
				a[s][r] = c[s] * u[s][j + r];
#ifdef RLS_AVX2
		__m256d q0 = _mm256_setzero_pd(), q1 = q0, q2 = q0, q3 = q0;
		__m256d s0 = q0, s1 = q0, s2 = q0, s3 = q0;

		for (size_t s = 0; s < np; s++) {
			av[s][0] = _mm256_set_pd(a[s][1], a[s][1], a[s][0], a[s][0]);
			av[s][1] = _mm256_set_pd(a[s][3], a[s][3], a[s][2], a[s][2]);
		}

		if (q) {
			q0 = _mm256_set1_pd(q[j]);
			q1 = _mm256_set1_pd(q[j + 1]);
			q2 = _mm256_set1_pd(q[j + 2]);
			q3 = _mm256_set1_pd(q[j + 3]);
		}
		for (size_t t = 0; t < L; t += 4) {
			__m256d t0, t1, t2, t3;

			TILES_LOAD(P, t, t0, t1, t2, t3);
			if (np) {
				for (size_t s = 0; s < np; s++)
					TILES_UPDATE(t0, t1, t2, t3, av[s][0], av[s][1], u[s] + j + t);
				TILES_STORE(P, t, t0, t1, t2, t3);
			}
			if (q) {
				__m256d qt = _mm256_loadu_pd(q + j + t), p0, p1, p2, p3;

				TILE_ROWS(t0, t1, t2, t3, p0, p1, p2, p3);

				s0 = _mm256_fmadd_pd(p0, qt, s0);
				s1 = _mm256_fmadd_pd(p1, qt, s1);
				s2 = _mm256_fmadd_pd(p2, qt, s2);
				s3 = _mm256_fmadd_pd(p3, qt, s3);
				if (t) {
					__m256d kv = _mm256_loadu_pd(k + j + t);

					kv = _mm256_fmadd_pd(p0, q0, kv);
					kv = _mm256_fmadd_pd(p1, q1, kv);
					kv = _mm256_fmadd_pd(p2, q2, kv);
					kv = _mm256_fmadd_pd(p3, q3, kv);
					_mm256_storeu_pd(k + j + t, kv);
				}
			}
		}
		if (q) {
			/* the four dot products, lane-summed into one vector */
			__m256d h01 = _mm256_hadd_pd(s0, s1), h23 = _mm256_hadd_pd(s2, s3);

			_mm256_storeu_pd(k + j, _mm256_add_pd(_mm256_loadu_pd(k + j),
				_mm256_add_pd(_mm256_permute2f128_pd(h01, h23, 0x20),
					      _mm256_permute2f128_pd(h01, h23, 0x31))));
		}
#else
		for (size_t r = 0; r < 4; r++) {
			double dot = 0;

			for (size_t t = 0; t < L; t++) {
				double p = P[tix(r, t)];

				for (size_t s = 0; s < np; s++)
					p -= a[s][r] * u[s][j + t];
				P[tix(r, t)] = p;
				if (q) {
					dot += p * q[j + t];
					if (t >= 4)
						k[j + t] += p * q[j + r];
				}
			}
			if (q)
				k[j + r] += dot;
		}
#endif
		P += 4 * L;
	}
	if (q) {
		/* q'k in four independent sums: a single chain of adds would
		 * cost its latency at every term. */
		double d[4] = { 0, 0, 0, 0 };

		for (size_t t = 0; t < mp; t += 4)
			for (int l = 0; l < 4; l++)
				d[l] += q[t + (size_t)l] * k[t + (size_t)l];
		den += (d[0] + d[1]) + (d[2] + d[3]);
	}
	return den;
}

/*
 * rls_kernel(m, P, u, c, nb, NULL, NULL), the same arithmetic, for a full
 * pending list of nb updates, on the tiles themselves: a tile's rows
 * j .. j+3 by two columns take, for each update s, one multiply-add with
 * the factors (c_s u_s[row]) paired by rows and u_s of the two columns
 * paired by rows; nb is a constant at each call, so that the compiler can
 * unroll the updates.  Each element gets the same updates in the same
 * order as in rls_kernel(), one fused multiply-add each.
 */
static inline __attribute__((always_inline))
void fold_tiles(size_t m, double *P, const double *const *u, const double *c, size_t nb)
{
#ifdef RLS_AVX2
	const size_t mp = pad4(m);
	__m256d a[RLS_BATCH_LARGE][2];

	for (size_t j = 0; j < mp; j += 4) {
		const size_t L = mp - j;

		for (size_t s = 0; s < nb; s++) {
			const double *x = u[s] + j;

			a[s][0] = _mm256_set_pd(c[s] * x[1], c[s] * x[1], c[s] * x[0], c[s] * x[0]);
			a[s][1] = _mm256_set_pd(c[s] * x[3], c[s] * x[3], c[s] * x[2], c[s] * x[2]);
		}
		/* two tiles (4 columns) at a time: L is a multiple of 4 */
		for (size_t t = 0; t < L; t += 4) {
			__m256d t0, t1, t2, t3;

			TILES_LOAD(P, t, t0, t1, t2, t3);
			for (size_t s = 0; s < nb; s++)
				TILES_UPDATE(t0, t1, t2, t3, a[s][0], a[s][1], u[s] + j + t);
			TILES_STORE(P, t, t0, t1, t2, t3);
		}
		P += 4 * L;
	}
#else
	rls_kernel(m, P, u, c, nb, NULL, NULL);
#endif
}

#ifdef RLS_AVX2
/*
 * fold_tiles() with 512-bit vectors, for the processors that have them:
 * a whole tile per vector.  Every element still gets the same updates in
 * the same order, one fused multiply-add each, so the results are those of
 * fold_tiles() to the bit; only the width of the step differs.
 */
#define RLS_TARGET512 __attribute__((target("avx512f,avx512vl")))
static inline __attribute__((always_inline)) RLS_TARGET512
void fold_tiles512(size_t m, double *P, const double *const *u, const double *c, size_t nb)
{
	const size_t mp = pad4(m);

	for (size_t j = 0; j < mp; j += 4) {
		const size_t L = mp - j;

		/* the updates four at a time, their factors in registers; the
		 * block stays in L1 between two groups */
		for (size_t g = 0; g < nb; g += 4) {
			__m512d a[4];
			const double *v[4];

			for (size_t s = 0; s < 4; s++) {
				const double *x = u[g + s] + j, f = c[g + s];

				v[s] = x;
				a[s] = _mm512_set_pd(f * x[3], f * x[3], f * x[2], f * x[2],
						     f * x[1], f * x[1], f * x[0], f * x[0]);
			}
			for (size_t t = 0; t < L; t += 4) {
				double *T = P + 4 * t;
				__m512d p0 = _mm512_loadu_pd(T), p1 = _mm512_loadu_pd(T + 8);

				for (size_t s = 0; s < 4; s++) {
					/* u_s of the tile's two columns, in all four
					 * 128-bit lanes */
					const __m512d w0 = _mm512_castps_pd(_mm512_broadcast_f32x4(
						_mm_castpd_ps(_mm_loadu_pd(v[s] + t))));
					const __m512d w1 = _mm512_castps_pd(_mm512_broadcast_f32x4(
						_mm_castpd_ps(_mm_loadu_pd(v[s] + t + 2))));

					p0 = _mm512_fnmadd_pd(a[s], w0, p0);
					p1 = _mm512_fnmadd_pd(a[s], w1, p1);
				}
				_mm512_storeu_pd(T, p0);
				_mm512_storeu_pd(T + 8, p1);
			}
		}
		P += 4 * L;
	}
}

static RLS_TARGET512 void fold512_small(size_t m, double *P, const double *const *u,
					const double *c)
{
	fold_tiles512(m, P, u, c, RLS_BATCH);
}

static RLS_TARGET512 void fold512_large(size_t m, double *P, const double *const *u,
					const double *c)
{
	fold_tiles512(m, P, u, c, RLS_BATCH_LARGE);
}

#endif

/* fold_tiles() for the two batches that rls_init() chooses. */
static void fold_batch(size_t m, double *P, const double *const *u, const double *c,
		       size_t nb)
{
#ifdef RLS_AVX2
	if (s512 && nb == RLS_BATCH)
		fold512_small(m, P, u, c);
	else if (s512 && nb == RLS_BATCH_LARGE)
		fold512_large(m, P, u, c);
	else
#endif
	if (nb == RLS_BATCH)
		fold_tiles(m, P, u, c, RLS_BATCH);
	else if (nb == RLS_BATCH_LARGE)
		fold_tiles(m, P, u, c, RLS_BATCH_LARGE);
	else
		rls_kernel(m, P, u, c, nb, NULL, NULL);
}

/* k += b P[:, j] for the block-packed P (mp x mp): the blocks of rows
 * above j's hold P[t, j] in their stored upper part (the 4 rows of one
 * tile, one cache line), row j of its block the rest (pairs of columns). */
static void add_column(size_t mp, const double *P, size_t j, double b, double *k)
{
	const size_t jb = j & ~(size_t)3, r = j - jb;

	for (size_t t0 = 0; t0 < jb; t0 += 4) {
		const double *e = P + tix(0, j - t0);

		k[t0] += b * e[0];
		k[t0 + 1] += b * e[2];
		k[t0 + 2] += b * e[4];
		k[t0 + 3] += b * e[6];
		P += 4 * (mp - t0);
	}
	for (size_t t = jb; t < mp; t += 2) {
		const double *e = P + tix(r, t - jb);

		k[t] += b * e[0];
		k[t + 1] += b * e[1];
	}
}

/*
 * Neuron i's k for RLS_SPIKE from the previous one (see rls.h): kp and cp
 * are k_{t-1} and its 1/den, the nsp inputs in J spiked, the pending
 * updates are u[0 .. np-1] with factors c (k_{t-1} among them unless it
 * was just folded into P).
 */
static void spike_k(size_t mp, const double *P, const double *kp, double cp,
		    const double *const *u, const double *c, size_t np,
		    const uint32_t *J, size_t nsp, const struct rls_spikes *sp, double *k)
{
	const double b = sp->b;
	double g = sp->gamma * cp, beta[RLS_MAX_PENDING];

	/* The pending updates' share of the columns: -beta_s u_s, with
	 * beta_s = c_s b (u_s[J] summed); none without spikes. */
	if (!nsp)
		np = 0;
	for (size_t s = 0; s < np; s++) {
		double sum = 0;

		for (size_t x = 0; x < nsp; x++)
			sum += u[s][J[x]];
		beta[s] = c[s] * b * sum;
	}
	/* k_{t-1} itself, when still pending, is the last of them: its share
	 * joins gamma k_{t-1}/den_{t-1} (one pass over k fewer) */
	if (np && u[np - 1] == kp)
		g -= beta[--np];
	for (size_t t = 0; t < mp; t += 4) {
		double v[4];

		for (int l = 0; l < 4; l++)
			v[l] = g * kp[t + (size_t)l];
		for (size_t s = 0; s < np; s++)
			for (int l = 0; l < 4; l++)
				v[l] -= beta[s] * u[s][t + (size_t)l];
		for (int l = 0; l < 4; l++)
			k[t + (size_t)l] = v[l];
	}
	for (size_t x = 0; x < nsp; x++)
		add_column(mp, P, J[x], b, k);
}

/*
 * Neuron i's pending updates, oldest first: u[x] and their factors c[x]
 * for x < the count returned; *ns is the free slot that takes the new k.
 */
static size_t pending(const struct rls *s, size_t i, const double **u, double *c, size_t *ns)
{
	const size_t nslot = s->batch + 1, mp = pad4(msize(s->rowptr, i));
	const size_t np = s->npend[i];
	const double *vec = s->vecs + s->voff[i], *cs = s->cs + nslot * i;
	size_t y = s->head[i];

	for (size_t x = 0; x < np; x++, y = y + 1 == nslot ? 0 : y + 1) {
		u[x] = vec + (1 + y) * mp;
		c[x] = cs[y];
	}
	*ns = y;
	return np;
}

/*
 * The spiked inputs of every neuron, from the spiked presynaptic neurons
 * and the transposed structure: s->nspk[i] of them (counted on beyond
 * MAX_SPIKED), their positions in row i in s->spk[i * MAX_SPIKED ..], in
 * increasing order.  Serial, so the order does not depend on threads.
 */
static void spiked_inputs(struct rls *s, const unsigned char *spiked)
{
	memset(s->nspk, 0, s->n * sizeof *s->nspk);
	for (size_t j = 0; j < s->n; j++)
		if (spiked[j])
			for (size_t x = s->cols.cptr[j]; x < s->cols.cptr[j + 1]; x++) {
				size_t i = s->cols.crow[x];

				if (s->nspk[i] < MAX_SPIKED)
					s->spk[i * MAX_SPIKED + s->nspk[i]] =
						(uint32_t)(s->cols.cval[x] - s->rowptr[i]);
				s->nspk[i]++;
			}
}

/*
 * Neuron i's RLS step (see rls_step()); returns 1 if it computed k
 * directly, and sets *bad if den or the update is not finite.
 */
static int step_neuron(struct rls *s, size_t i, double *val, const double *r, const double *e,
		       const struct rls_spikes *sp, int want_dw2, int *bad)
{
	const size_t *rowptr = s->rowptr, nslot = s->batch + 1;
	const int32_t *col = s->col;
	const size_t off = rowptr[i], m = msize(rowptr, i), mp = pad4(m);
	size_t nsp = sp ? s->nspk[i] : 0, ns, np;
	int passes = 0;
	double *vec = s->vecs + s->voff[i], *q = vec, *w = val + off;
	double *cs = s->cs + nslot * i, *P = s->P + s->poff[i], *k;
	const double *u[RLS_MAX_PENDING + 1];
	double cp[RLS_MAX_PENDING + 1], den = 1, qk, ci, a;

	np = pending(s, i, u, cp, &ns);
	k = vec + (1 + ns) * mp;
	/* k directly: no valid previous k, more than m/8 spiked
	 * inputs (the direct product is then the cheaper one), or
	 * RLS_REFRESH steps since the last time. */
	if (!sp || np == 0 || 8 * nsp > m || nsp > MAX_SPIKED ||
	    s->age[i] >= RLS_REFRESH) {
		for (size_t j = 0; j < m; j++)
			q[j] = r[col[off + j]];
		den = rls_kernel(m, P, u, cp, np, q, k);
		qk = den - 1;
		np = 0;
		s->age[i] = 1;
		passes++;
	} else {
		const uint32_t *J = s->spk + i * MAX_SPIKED;
		const double *kp = u[np - 1];
		double kc = cp[np - 1], s1 = 0, s2 = 0;

		/* a full pending list is folded into P first (k_{t-1}
		 * stays in its slot) */
		if (np == s->batch) {
			fold_batch(m, P, u, cp, np);
			np = 0;
		}
		spike_k(mp, P, kp, kc, u, cp, np, J, nsp, sp, k);
		/* q'k from the previous step's (see rls.h), O(spikes) */
		for (size_t x = 0; x < nsp; x++) {
			s1 += kp[J[x]];
			s2 += k[J[x]];
		}
		qk = sp->gamma * kc * (sp->gamma * s->qk[i] + sp->b * s1) + sp->b * s2;
		den = 1 + qk;
		s->age[i]++;
	}
	/* the new k joins the np updates still pending */
	ci = 1 / den;
	cs[ns] = ci;
	s->head[i] = (uint32_t)((ns + nslot - np) % nslot);
	s->npend[i] = (uint32_t)(np + 1);
	a = e[i] * ci;
	for (size_t j = 0; j < m; j++)
		w[j] += a * k[j];
	if (want_dw2) {
		double d[4] = { 0, 0, 0, 0 };

		/* k is zero past m: whole groups of 4 */
		for (size_t j = 0; j < mp; j += 4)
			for (int l = 0; l < 4; l++)
				d[l] += k[j + (size_t)l] * k[j + (size_t)l];
		s->dw2[i] = a * a * ((d[0] + d[1]) + (d[2] + d[3]));
	}
	s->c[i] = ci;
	s->qk[i] = qk;
	*bad = !isfinite(den) || !isfinite(a);
	return passes;
}

void rls_step(struct rls *s, double *val, const double *r, const double *e,
	      const struct rls_spikes *sp, int want_dw2)
{
	size_t passes = 0;
	int blowup = 0;

	if (s->kind != RLS_SPIKE)
		sp = NULL;
	if (sp)
		spiked_inputs(s, sp->spiked);
	if (omp_get_max_threads() > 1) {
		#pragma omp parallel for schedule(static) reduction(|:blowup) reduction(+:passes)
		for (size_t i = 0; i < s->n; i++) {
			int bad;

			passes += (size_t)step_neuron(s, i, val, r, e, sp, want_dw2, &bad);
			blowup |= bad;
		}
	} else {
		/* no parallel region: libgomp would make a futex call at
		 * every step even for one thread */
		for (size_t i = 0; i < s->n; i++) {
			int bad;

			passes += (size_t)step_neuron(s, i, val, r, e, sp, want_dw2, &bad);
			blowup |= bad;
		}
	}
	s->passes += passes;
	s->steps += s->n;
	if (blowup)
		s->blowup = 1;
}

void rls_flush(struct rls *s)
{
	const size_t nslot = s->batch + 1;

	for (size_t i = 0; i < s->n; i++) {
		size_t h = s->head[i], np = s->npend[i];
		const double *u[RLS_MAX_PENDING + 1];
		double cp[RLS_MAX_PENDING + 1];

		for (size_t x = 0; x < np; x++) {
			u[x] = slot(s, i, (h + x) % nslot);
			cp[x] = s->cs[nslot * i + (h + x) % nslot];
		}
		rls_kernel(msize(s->rowptr, i), s->P + s->poff[i], u, cp, np, NULL, NULL);
		/* the next step computes k directly */
		s->head[i] = (uint32_t)((h + np) % nslot);
		s->npend[i] = 0;
	}
}

const double *rls_last_k(const struct rls *s, size_t i)
{
	size_t nslot = s->batch + 1;

	return slot(s, i, (s->head[i] + s->npend[i] + nslot - 1) % nslot);
}

void rls_unpack(const struct rls *s, size_t i, double *out)
{
	size_t m = msize(s->rowptr, i), mp = pad4(m);
	double *P = s->P + s->poff[i];

	for (size_t j = 0; j < m; j++)
		for (size_t t = j; t < m; t++)
			out[j * m + t] = out[t * m + j] = *elem(P, mp, j, t);
}
