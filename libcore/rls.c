#include "rls.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define RLS_AVX2 1
#endif

#include "err.h"

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

/* Address of P[row, col] (col >= the first column of row's block). */
static double *elem(double *P, size_t mp, size_t row, size_t col)
{
	size_t j = row & ~(size_t)3, base = 0;

	for (size_t b = 0; b < j; b += 4)
		base += 4 * (mp - b);
	return P + base + (row - j) * (mp - j) + (col - j);
}

size_t rls_bytes(size_t n, const size_t *rowptr)
{
	size_t p = 0, v = 0;

	for (size_t i = 0; i < n; i++) {
		p += rls_packed_size(msize(rowptr, i));
		v += pad4(msize(rowptr, i));
	}
	return sizeof(double) * (p + 3 * v + 2 * n) + 2 * sizeof(size_t) * (n + 1);
}

void rls_init(struct rls *s, size_t n, const size_t *rowptr, double alpha)
{
	memset(s, 0, sizeof *s);
	s->n = n;
	s->rowptr = rowptr;
	s->poff = err_malloc((n + 1) * sizeof *s->poff);
	s->voff = err_malloc((n + 1) * sizeof *s->voff);
	s->poff[0] = s->voff[0] = 0;
	for (size_t i = 0; i < n; i++) {
		s->poff[i + 1] = s->poff[i] + rls_packed_size(msize(rowptr, i));
		s->voff[i + 1] = s->voff[i] + pad4(msize(rowptr, i));
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
	/* u[0], u[1] and q in one block, 512 bytes apart modulo 4 KiB: at equal
	 * offsets modulo 4 KiB the stores to k would falsely alias the loads of
	 * u and q (the same index of each is touched together). */
	{
		size_t stride = (s->voff[n] + 1 + 511) & ~(size_t)511;

		s->vecs = err_calloc(3 * stride + 128, sizeof(double));
		s->u[0] = s->vecs;
		s->u[1] = s->vecs + stride + 64;
		s->q = s->vecs + 2 * stride + 128;
	}
	s->c = err_calloc(n, sizeof(double));
	s->dw2 = err_calloc(n, sizeof(double));
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
	free(s->c);
	free(s->dw2);
	memset(s, 0, sizeof *s);
}

/*
 * One pass over P, block of rows by block of rows.  In the block of rows
 * j .. j+3 (stored columns j .. mp-1, each row L = mp - j long):
 *   - every element gets the pending update p = P - (c u_row) u_col;
 *   - row r's dot product with q gives k[j+r] its columns >= j: the 4 x 4
 *     diagonal block is stored in full, so this covers the whole block;
 *   - by symmetry, the columns t >= j+4 also give k[t] += p q[j+r] (the
 *     lower triangle, which is not stored).
 */
double rls_kernel(size_t m, double *P, const double *u, double c,
		  const double *q, double *k)
{
	const size_t mp = pad4(m);
	double den = 1;

	for (size_t t = 0; t < mp; t++)
		k[t] = 0;
	for (size_t j = 0; j < mp; j += 4) {
		const size_t L = mp - j;
		double *R0 = P, *R1 = P + L, *R2 = P + 2 * L, *R3 = P + 3 * L;
#ifdef RLS_AVX2
		const __m256d a0 = _mm256_set1_pd(c * u[j]), a1 = _mm256_set1_pd(c * u[j + 1]);
		const __m256d a2 = _mm256_set1_pd(c * u[j + 2]), a3 = _mm256_set1_pd(c * u[j + 3]);
		const __m256d q0 = _mm256_set1_pd(q[j]), q1 = _mm256_set1_pd(q[j + 1]);
		const __m256d q2 = _mm256_set1_pd(q[j + 2]), q3 = _mm256_set1_pd(q[j + 3]);
		__m256d s0, s1, s2, s3, p, h01, h23;
		__m256d ut = _mm256_loadu_pd(u + j), qt = _mm256_loadu_pd(q + j);

		p = _mm256_fnmadd_pd(a0, ut, _mm256_loadu_pd(R0));
		_mm256_storeu_pd(R0, p);
		s0 = _mm256_mul_pd(p, qt);
		p = _mm256_fnmadd_pd(a1, ut, _mm256_loadu_pd(R1));
		_mm256_storeu_pd(R1, p);
		s1 = _mm256_mul_pd(p, qt);
		p = _mm256_fnmadd_pd(a2, ut, _mm256_loadu_pd(R2));
		_mm256_storeu_pd(R2, p);
		s2 = _mm256_mul_pd(p, qt);
		p = _mm256_fnmadd_pd(a3, ut, _mm256_loadu_pd(R3));
		_mm256_storeu_pd(R3, p);
		s3 = _mm256_mul_pd(p, qt);
		for (size_t t = 4; t < L; t += 4) {
			__m256d kv = _mm256_loadu_pd(k + j + t);

			ut = _mm256_loadu_pd(u + j + t);
			qt = _mm256_loadu_pd(q + j + t);
			p = _mm256_fnmadd_pd(a0, ut, _mm256_loadu_pd(R0 + t));
			_mm256_storeu_pd(R0 + t, p);
			s0 = _mm256_fmadd_pd(p, qt, s0);
			kv = _mm256_fmadd_pd(p, q0, kv);
			p = _mm256_fnmadd_pd(a1, ut, _mm256_loadu_pd(R1 + t));
			_mm256_storeu_pd(R1 + t, p);
			s1 = _mm256_fmadd_pd(p, qt, s1);
			kv = _mm256_fmadd_pd(p, q1, kv);
			p = _mm256_fnmadd_pd(a2, ut, _mm256_loadu_pd(R2 + t));
			_mm256_storeu_pd(R2 + t, p);
			s2 = _mm256_fmadd_pd(p, qt, s2);
			kv = _mm256_fmadd_pd(p, q2, kv);
			p = _mm256_fnmadd_pd(a3, ut, _mm256_loadu_pd(R3 + t));
			_mm256_storeu_pd(R3 + t, p);
			s3 = _mm256_fmadd_pd(p, qt, s3);
			kv = _mm256_fmadd_pd(p, q3, kv);
			_mm256_storeu_pd(k + j + t, kv);
		}
		/* the four dot products, lane-summed into one vector */
		h01 = _mm256_hadd_pd(s0, s1);
		h23 = _mm256_hadd_pd(s2, s3);
		_mm256_storeu_pd(k + j, _mm256_add_pd(_mm256_loadu_pd(k + j),
			_mm256_add_pd(_mm256_permute2f128_pd(h01, h23, 0x20),
				      _mm256_permute2f128_pd(h01, h23, 0x31))));
#else
		double *R[4] = { R0, R1, R2, R3 };

		for (size_t r = 0; r < 4; r++) {
			const double a = c * u[j + r], qr = q[j + r];
			double dot = 0;

			for (size_t t = 0; t < L; t++) {
				double p = R[r][t] - a * u[j + t];

				R[r][t] = p;
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

void rls_step(struct rls *s, const int32_t *col, double *val,
	      const double *r, const double *e, int want_dw2)
{
	const size_t *rowptr = s->rowptr;
	double *uold = s->u[s->cur], *knew = s->u[!s->cur];
	int blowup = 0;

	#pragma omp parallel for schedule(static) reduction(|:blowup)
	for (size_t i = 0; i < s->n; i++) {
		size_t off = rowptr[i], m = msize(rowptr, i), vo = s->voff[i];
		double *q = s->q + vo, *k = knew + vo, *w = val + off;
		double den, ci, a;

		for (size_t j = 0; j < m; j++)
			q[j] = r[col[off + j]];
		den = rls_kernel(m, s->P + s->poff[i], uold + vo, s->c[i], q, k);
		ci = 1 / den;
		a = e[i] * ci;
		for (size_t j = 0; j < m; j++)
			w[j] += a * k[j];
		if (want_dw2) {
			double d[4] = { 0, 0, 0, 0 };

			/* k is zero past m: whole groups of 4 */
			for (size_t j = 0; j < pad4(m); j += 4)
				for (int l = 0; l < 4; l++)
					d[l] += k[j + (size_t)l] * k[j + (size_t)l];
			s->dw2[i] = a * a * ((d[0] + d[1]) + (d[2] + d[3]));
		}
		s->c[i] = ci;
		blowup |= !isfinite(den) || !isfinite(a);
	}
	s->cur = !s->cur;
	if (blowup)
		s->blowup = 1;
}

void rls_flush(struct rls *s)
{
	const double *u = s->u[s->cur];

	for (size_t i = 0; i < s->n; i++) {
		size_t m = msize(s->rowptr, i), mp = pad4(m), vo = s->voff[i];
		double *P = s->P + s->poff[i];

		for (size_t j = 0; j < mp; j++)
			for (size_t t = j & ~(size_t)3; t < mp; t++)
				*elem(P, mp, j, t) -= s->c[i] * u[vo + j] * u[vo + t];
		s->c[i] = 0;
	}
}

void rls_unpack(const struct rls *s, size_t i, double *out)
{
	size_t m = msize(s->rowptr, i), mp = pad4(m);
	double *P = s->P + s->poff[i];

	for (size_t j = 0; j < m; j++)
		for (size_t t = j; t < m; t++)
			out[j * m + t] = out[t * m + j] = *elem(P, mp, j, t);
}
