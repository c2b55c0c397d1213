#include "model.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__) && defined(__AVX2__)
#include <immintrin.h>
#endif

#include "err.h"

double model_noise_scale(const struct model_params *mp)
{
	return mp->noise == MODEL_NOISE_EM ? mp->sigma / sqrt(mp->dt) : mp->sigma;
}

size_t model_nqif(size_t n, double pqif)
{
	return (size_t)floor((double)n * pqif);
}

double model_mod(double a, double m)
{
	double r;

	if (a >= 0 && a < m)	/* what fmod() would return, without the call */
		return a;
	r = fmod(a, m);

	if (r != 0 && r < 0)
		r += m;
	return r;
}

int model_qif_spike(double x, double xnew)
{
	double d = model_mod(M_PI - model_mod(x, 2 * M_PI), 2 * M_PI);

	return xnew - x > d;
}

double model_row_dot(const size_t *rowptr, const int32_t *col, const double *val,
		     const double *r, size_t i)
{
	double s[4] = { 0, 0, 0, 0 };
	size_t j = rowptr[i], end = rowptr[i + 1];

	for (; j + 4 <= end; j += 4)
		for (int l = 0; l < 4; l++)
			s[l] += val[j + (size_t)l] * r[col[j + (size_t)l]];
	for (int l = 0; j < end; j++, l++)
		s[l] += val[j] * r[col[j]];
	return (s[0] + s[1]) + (s[2] + s[3]);
}

void model_recurrent(size_t n, const size_t *rowptr, const int32_t *col,
		     const double *val, const double *r, double *v)
{
	/* threads only for a large network: a parallel region costs libgomp
	 * a futex call even with one thread */
	if (n >= 512 && omp_get_max_threads() > 1) {
		#pragma omp parallel for schedule(static)
		for (size_t i = 0; i < n; i++)
			v[i] = model_row_dot(rowptr, col, val, r, i);
	} else {
		for (size_t i = 0; i < n; i++)
			v[i] = model_row_dot(rowptr, col, val, r, i);
	}
}

void model_cols_init(struct model_cols *c, size_t n, const size_t *rowptr, const int32_t *col)
{
	model_cols_init_rect(c, n, n, rowptr, col);
}

void model_cols_init_rect(struct model_cols *c, size_t nrows, size_t ncols,
			  const size_t *rowptr, const int32_t *col)
{
	size_t nnz = rowptr[nrows], *fill;

	c->cptr = err_calloc(ncols + 1, sizeof *c->cptr);
	if (nnz > UINT32_MAX)
		err_die(EXIT_DATA, "%zu trained synapses: at most %u", nnz, UINT32_MAX);
	c->cval = err_malloc_huge((nnz + 1) * sizeof *c->cval);
	c->crow = err_malloc_huge((nnz + 1) * sizeof *c->crow);
	for (size_t x = 0; x < nnz; x++)
		c->cptr[col[x] + 1]++;
	for (size_t j = 0; j < ncols; j++)
		c->cptr[j + 1] += c->cptr[j];
	fill = err_malloc((ncols + 1) * sizeof *fill);
	memcpy(fill, c->cptr, ncols * sizeof *fill);
	for (size_t i = 0; i < nrows; i++)
		for (size_t x = rowptr[i]; x < rowptr[i + 1]; x++) {
			size_t y = fill[col[x]]++;

			c->crow[y] = (uint32_t)i;
			c->cval[y] = (uint32_t)x;
		}
	free(fill);
}

void model_cols_free(struct model_cols *c)
{
	free(c->cptr);
	free(c->cval);
	free(c->crow);
	memset(c, 0, sizeof *c);
}

void model_recurrent_spikes(size_t n, const struct model_cols *c, const double *val,
			    double gamma, double b, const unsigned char *spiked,
			    const double *v, double *y)
{
	for (size_t i = 0; i < n; i++)
		y[i] = gamma * v[i];
	for (size_t j = 0; j < n; j++)
		if (spiked[j])
			for (size_t x = c->cptr[j]; x < c->cptr[j + 1]; x++)
				y[c->crow[x]] += b * val[c->cval[x]];
}

/* The synaptic output's RK2 stages, g(r) = -b r (model_step() and
 * model_synapses() share them, so that both give the same bits). */
static inline double r_half(double r, double dt, double b)
{
	return r + dt * (-b * r) / 2;
}

static inline double r_next(double r, double rh, double dt, double b)
{
	return r + dt * (-b * rh);
}

void model_synapses(const struct model_params *mp, double *r, const unsigned char *spiked,
		    size_t n)
{
	const double dt = mp->dt, b = mp->b;

	for (size_t i = 0; i < n; i++) {
		double r1 = r_next(r[i], r_half(r[i], dt, b), dt, b);

		if (spiked[i])
			r1 += b;
		r[i] = r1;
	}
}

/* The expressions follow MODEL.md term by term (same order of operations as
 * the reference transcription), so that both agree to rounding. */
static double f_lif(double x, double I)
{
	return -x + I;
}

static double f_qif_c(double c, double I)
{
	return 1 - c + I * (1 + c);
}

#if defined(__x86_64__) && defined(__AVX2__)
/* glibc's vector cosine (libmvec), four at a time: several times faster
 * than four calls of cos(), within a few ulp of it. */
typedef double v4d __attribute__((vector_size(32)));
v4d _ZGVdN4v_cos(v4d x);

static void cos_all(const double *x, double *c, size_t n)
{
	size_t i = 0;

	for (; i + 4 <= n; i += 4) {
		v4d v;

		memcpy(&v, x + i, sizeof v);
		v = _ZGVdN4v_cos(v);
		memcpy(c + i, &v, sizeof v);
	}
	if (i < n) {
		/* the last ones through the same function, so that a value's
		 * cosine does not depend on where it stands */
		v4d v = { 0, 0, 0, 0 };

		memcpy(&v, x + i, (n - i) * sizeof *x);
		v = _ZGVdN4v_cos(v);
		memcpy(c + i, &v, (n - i) * sizeof *c);
	}
}
#else
static void cos_all(const double *x, double *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		c[i] = cos(x[i]);
}
#endif

/* Neurons per block of model_step(): the cosines of a block's QIF neurons
 * are taken together, stage by stage. */
#define STEP_BLOCK 64

#if defined(__x86_64__) && defined(__AVX2__)
/*
 * model_step() on LIF neurons i0 .. i0 + 4k - 1, four at a time, both
 * stages at once (a LIF neuron's stages need nothing from its block):
 * every value is computed by the operations of the scalar loop, in its
 * order, each rounded (no fused multiply-add), so the same bits.  Returns
 * the number of spikes.
 */
static size_t lif4(const struct model_params *mp, double s, double *x, double *r,
		   const double *in, const double *xi1, const double *xi2,
		   unsigned char *spiked, size_t i0, size_t i1)
{
	const __m256d dt = _mm256_set1_pd(mp->dt), nb = _mm256_set1_pd(-mp->b);
	const __m256d b = _mm256_set1_pd(mp->b), half = _mm256_set1_pd(0.5);
	const __m256d sv = _mm256_set1_pd(s), vt = _mm256_set1_pd(mp->vt);
	const __m256d vrest = _mm256_set1_pd(mp->vrest);
	size_t count = 0;

	for (size_t i = i0; i + 4 <= i1; i += 4) {
		const __m256d x0 = _mm256_loadu_pd(x + i), r0 = _mm256_loadu_pd(r + i);
		const __m256d I = _mm256_loadu_pd(in + i);
		__m256d f, xh, rh, x1, r1, sp;
		int m;

		/* f = -x + I (+ s xi1), x½ = x + dt f / 2, r½ = r + dt (-b r) / 2 */
		f = _mm256_sub_pd(I, x0);
		if (xi1)
			f = _mm256_add_pd(f, _mm256_mul_pd(sv, _mm256_loadu_pd(xi1 + i)));
		xh = _mm256_add_pd(x0, _mm256_mul_pd(_mm256_mul_pd(dt, f), half));
		rh = _mm256_add_pd(r0, _mm256_mul_pd(_mm256_mul_pd(dt, _mm256_mul_pd(nb, r0)), half));
		/* f = -x½ + I (+ s xi2), x' = x + dt f, r' = r + dt (-b r½) */
		f = _mm256_sub_pd(I, xh);
		if (xi2)
			f = _mm256_add_pd(f, _mm256_mul_pd(sv, _mm256_loadu_pd(xi2 + i)));
		x1 = _mm256_add_pd(x0, _mm256_mul_pd(dt, f));
		r1 = _mm256_add_pd(r0, _mm256_mul_pd(dt, _mm256_mul_pd(nb, rh)));
		/* the spikes: x' > vt, reset to vrest, r' + b */
		sp = _mm256_cmp_pd(x1, vt, _CMP_GT_OQ);
		x1 = _mm256_blendv_pd(x1, vrest, sp);
		r1 = _mm256_blendv_pd(r1, _mm256_add_pd(r1, b), sp);
		_mm256_storeu_pd(x + i, x1);
		_mm256_storeu_pd(r + i, r1);
		m = _mm256_movemask_pd(sp);
		for (int l = 0; l < 4; l++)
			spiked[i + (size_t)l] = (unsigned char)(m >> l & 1);
		count += (size_t)__builtin_popcount((unsigned)m);
	}
	return count;
}
#endif

size_t model_step(const struct model_params *mp, double *x, double *r,
		  const double *in, const double *xi1, const double *xi2,
		  unsigned char *spiked)
{
	const double dt = mp->dt, b = mp->b;
	const double s = model_noise_scale(mp);
	size_t count = 0;

	for (size_t i0 = 0; i0 < mp->n; i0 += STEP_BLOCK) {
		const size_t i1 = i0 + STEP_BLOCK < mp->n ? i0 + STEP_BLOCK : mp->n;
		const size_t nq = mp->nqif > i0 ? (mp->nqif < i1 ? mp->nqif : i1) - i0 : 0;
		double c[STEP_BLOCK], xh[STEP_BLOCK], rh[STEP_BLOCK];
		size_t is = i0;  /* the first neuron of the loops below */

#if defined(__x86_64__) && defined(__AVX2__)
		/* a block of LIF neurons: four at a time, the rest below */
		if (nq == 0) {
			is = i0 + ((i1 - i0) & ~(size_t)3);
			count += lif4(mp, s, x, r, in, xi1, xi2, spiked, i0, is);
		}
#endif
		/* first stage: x½ and r½ */
		cos_all(x + i0, c, nq);
		for (size_t i = is; i < i1; i++) {
			double f = i - i0 < nq ? f_qif_c(c[i - i0], in[i]) : f_lif(x[i], in[i]);

			if (xi1)
				f += s * xi1[i];
			xh[i - i0] = x[i] + dt * f / 2;
			rh[i - i0] = r_half(r[i], dt, b);
		}
		/* second stage, then the spikes */
		cos_all(xh, c, nq);
		for (size_t i = is; i < i1; i++) {
			int qif = i - i0 < nq, spike;
			double x0 = x[i], f, x1, r1;

			f = qif ? f_qif_c(c[i - i0], in[i]) : f_lif(xh[i - i0], in[i]);
			if (xi2)
				f += s * xi2[i];
			x1 = x0 + dt * f;
			r1 = r_next(r[i], rh[i - i0], dt, b);
			if (qif) {
				spike = model_qif_spike(x0, x1);
				/* The phase modulo 2 pi, as MODEL.md allows: exact
				 * (fmod), and the phase keeps its precision instead of
				 * growing by 2 pi a spike. */
				if (x1 < 0 || x1 >= 2 * M_PI)
					x1 = model_mod(x1, 2 * M_PI);
			} else {
				spike = x1 > mp->vt;
				if (spike)
					x1 = mp->vrest;
			}
			if (spike)
				r1 += b;
			x[i] = x1;
			r[i] = r1;
			spiked[i] = (unsigned char)spike;
			count += (size_t)spike;
		}
	}
	return count;
}

int model_finite(const double *a, size_t n)
{
	double s[4] = { 0, 0, 0, 0 };
	size_t i = 0;

	/* 0 * a is 0 for finite a and NaN for Inf or NaN: a branch-free pass,
	 * in four sums so that the adds do not wait on each other. */
	for (; i + 4 <= n; i += 4)
		for (int l = 0; l < 4; l++)
			s[l] += 0 * a[i + (size_t)l];
	for (; i < n; i++)
		s[0] += 0 * a[i];
	return (s[0] + s[1]) + (s[2] + s[3]) == 0;
}
