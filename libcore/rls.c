#include "rls.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define RLS_AVX2 1
#endif

#include "err.h"

static size_t msize(const size_t *rowptr, size_t i)
{
	return rowptr[i + 1] - rowptr[i];
}

size_t rls_bytes(size_t n, const size_t *rowptr)
{
	size_t p = 0;

	for (size_t i = 0; i < n; i++)
		p += msize(rowptr, i) * (msize(rowptr, i) + 1) / 2;
	return sizeof(double) * (p + 4 * rowptr[n] + 2 * n) + sizeof(size_t) * (n + 1);
}

void rls_init(struct rls *s, size_t n, const size_t *rowptr, double alpha)
{
	size_t nnz = rowptr[n];

	memset(s, 0, sizeof *s);
	s->n = n;
	s->rowptr = rowptr;
	s->poff = err_malloc((n + 1) * sizeof *s->poff);
	s->poff[0] = 0;
	for (size_t i = 0; i < n; i++)
		s->poff[i + 1] = s->poff[i] + msize(rowptr, i) * (msize(rowptr, i) + 1) / 2;
	s->P = err_malloc((s->poff[n] ? s->poff[n] : 1) * sizeof *s->P);
	s->u[0] = err_calloc(nnz + 1, sizeof(double));
	s->u[1] = err_calloc(nnz + 1, sizeof(double));
	s->q = err_calloc(nnz + 1, sizeof(double));
	s->c = err_calloc(n, sizeof(double));
	s->dw2 = err_calloc(n, sizeof(double));
	/* First touch by the threads that will use the pages. */
	#pragma omp parallel for schedule(static)
	for (size_t i = 0; i < n; i++) {
		size_t m = msize(rowptr, i);
		double *P = s->P + s->poff[i];

		for (size_t j = 0; j < m; j++) {
			P[0] = 1 / alpha;
			for (size_t t = 1; t < m - j; t++)
				P[t] = 0;
			P += m - j;
		}
	}
}

void rls_free(struct rls *s)
{
	free(s->poff);
	free(s->P);
	free(s->u[0]);
	free(s->u[1]);
	free(s->q);
	free(s->c);
	free(s->dw2);
	memset(s, 0, sizeof *s);
}

double rls_kernel(size_t m, double *P, const double *u, double c,
		  const double *q, double *k)
{
	double den = 1;

	for (size_t j = 0; j < m; j++)
		k[j] = 0;
	for (size_t j = 0; j < m; j++) {
		const double a = c * u[j], qj = q[j];
		const size_t len = m - j;
		const double *uj = u + j, *qr = q + j;
		double *kr = k + j;
		double p, dot;
		size_t t = 1;

		p = P[0] - a * uj[0];
		P[0] = p;
		dot = p * qj;
#ifdef RLS_AVX2
		{
			const __m256d va = _mm256_set1_pd(a), vqj = _mm256_set1_pd(qj);
			__m256d acc0 = _mm256_setzero_pd(), acc1 = _mm256_setzero_pd();
			double lanes[4];

			for (; t + 8 <= len; t += 8) {
				__m256d p0 = _mm256_fnmadd_pd(va, _mm256_loadu_pd(uj + t), _mm256_loadu_pd(P + t));
				__m256d p1 = _mm256_fnmadd_pd(va, _mm256_loadu_pd(uj + t + 4), _mm256_loadu_pd(P + t + 4));

				_mm256_storeu_pd(P + t, p0);
				_mm256_storeu_pd(P + t + 4, p1);
				acc0 = _mm256_fmadd_pd(p0, _mm256_loadu_pd(qr + t), acc0);
				acc1 = _mm256_fmadd_pd(p1, _mm256_loadu_pd(qr + t + 4), acc1);
				_mm256_storeu_pd(kr + t, _mm256_fmadd_pd(p0, vqj, _mm256_loadu_pd(kr + t)));
				_mm256_storeu_pd(kr + t + 4, _mm256_fmadd_pd(p1, vqj, _mm256_loadu_pd(kr + t + 4)));
			}
			for (; t + 4 <= len; t += 4) {
				__m256d p0 = _mm256_fnmadd_pd(va, _mm256_loadu_pd(uj + t), _mm256_loadu_pd(P + t));

				_mm256_storeu_pd(P + t, p0);
				acc0 = _mm256_fmadd_pd(p0, _mm256_loadu_pd(qr + t), acc0);
				_mm256_storeu_pd(kr + t, _mm256_fmadd_pd(p0, vqj, _mm256_loadu_pd(kr + t)));
			}
			_mm256_storeu_pd(lanes, _mm256_add_pd(acc0, acc1));
			dot += (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
		}
#endif
		for (; t < len; t++) {
			p = P[t] - a * uj[t];
			P[t] = p;
			dot += p * qr[t];
			kr[t] += p * qj;
		}
		kr[0] += dot;
		P += len;
	}
	for (size_t j = 0; j < m; j++)
		den += q[j] * k[j];
	return den;
}

void rls_step(struct rls *s, const int32_t *col, double *val,
	      const double *r, const double *e)
{
	const size_t *rowptr = s->rowptr;
	double *uold = s->u[s->cur], *knew = s->u[!s->cur];
	int blowup = 0;

	#pragma omp parallel for schedule(static) reduction(|:blowup)
	for (size_t i = 0; i < s->n; i++) {
		size_t off = rowptr[i], m = msize(rowptr, i);
		double *q = s->q + off, *k = knew + off, *w = val + off;
		double den, ci, a, dw2 = 0;

		for (size_t j = 0; j < m; j++)
			q[j] = r[col[off + j]];
		den = rls_kernel(m, s->P + s->poff[i], uold + off, s->c[i], q, k);
		ci = 1 / den;
		a = e[i] * ci;
		for (size_t j = 0; j < m; j++) {
			double d = a * k[j];

			w[j] += d;
			dw2 += d * d;
		}
		s->c[i] = ci;
		s->dw2[i] = dw2;
		blowup |= !isfinite(den);
	}
	s->cur = !s->cur;
	if (blowup)
		s->blowup = 1;
}

void rls_flush(struct rls *s)
{
	const double *u = s->u[s->cur];

	for (size_t i = 0; i < s->n; i++) {
		size_t off = s->rowptr[i], m = msize(s->rowptr, i);
		double *P = s->P + s->poff[i];
		double c = s->c[i];

		for (size_t j = 0; j < m; j++) {
			for (size_t t = j; t < m; t++)
				P[t - j] -= c * u[off + j] * u[off + t];
			P += m - j;
		}
		s->c[i] = 0;
	}
}

void rls_unpack(const struct rls *s, size_t i, double *out)
{
	size_t m = msize(s->rowptr, i);
	const double *P = s->P + s->poff[i];

	for (size_t j = 0; j < m; j++) {
		for (size_t t = j; t < m; t++)
			out[j * m + t] = out[t * m + j] = P[t - j];
		P += m - j;
	}
}
