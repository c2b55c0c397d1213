/* dpr: see dpr.h. */
#include <cblas.h>
/* OpenBLAS's cblas.h declares what GSL's gsl_cblas.h would declare again
 * (pulled in by the eigen headers): keep OpenBLAS's. */
#define __GSL_CBLAS_H__
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_fft_halfcomplex.h>
#include <gsl/gsl_fft_real.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_vector.h>
#include <math.h>
#include <string.h>

#include "dpr.h"

/*
 * Each column of the m x n X centred on its mean into xc; a column whose
 * values are all equal is centred to exact zeros, so that its variance is
 * exactly 0.  mean and constant are work space of n doubles each.
 * Returns the number of constant columns.
 */
static size_t centre(const double *X, size_t m, size_t n, double *xc, double *mean,
		     double *constant)
{
	size_t nconst = 0;

	for (size_t j = 0; j < n; j++) {
		mean[j] = 0;
		constant[j] = 1;
	}
	for (size_t i = 0; i < m; i++) {
		const double *x = X + i * n;

		for (size_t j = 0; j < n; j++) {
			mean[j] += x[j];
			if (x[j] != X[j])
				constant[j] = 0;
		}
	}
	for (size_t j = 0; j < n; j++) {
		mean[j] /= (double)m;
		nconst += constant[j] != 0;
	}
	for (size_t i = 0; i < m; i++) {
		const double *x = X + i * n;
		double *y = xc + i * n;

		for (size_t j = 0; j < n; j++)
			y[j] = constant[j] != 0 ? 0 : x[j] - mean[j];
	}
	return nconst;
}

size_t dpr_covariance(const double *X, size_t m, size_t n, double *xc, double *C)
{
	/* C (n x n >= 2n doubles) holds the column means and the constant
	 * flags until dsyrk overwrites it. */
	size_t nconst = centre(X, m, n, xc, C, C + n);

	cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)n, (int)m,
		    1.0 / (double)(m - 1), xc, (int)n, 0.0, C, (int)n);
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			C[j * n + i] = C[i * n + j];
	return nconst;
}

/* PR_bc from the uncorrected terms, with the corrected ones. */
static double corrected(double N, double M, double am2, double astd2, double cm2,
			double cstd2, double *astd_b, double *cstd_b)
{
	*astd_b = astd2 * (M - 1) / (M + 1) - 2 * (am2 - cm2) / (M - 1) + 2 * cstd2 / (M + 1);
	*cstd_b = (M - 1) * cstd2 / M - (am2 - cm2) / M -
		4 * (cm2 - sqrt(am2 * cm2)) / (M * (N + 1));
	return N / (1 + *astd_b / am2 + (N - 1) * (*cstd_b / am2 + cm2 / am2));
}

double dpr_pr_bc_at(const struct dpr *s, size_t n, double M)
{
	double a, c;

	return corrected((double)n, M, s->am2, s->astd2, s->cm2, s->cstd2, &a, &c);
}

/* PR and PR_bc from the trace, tr C^2, the means and population variances
 * of the diagonal and the off-diagonal entries: MODEL.md, term by term. */
static void terms(double N, double M, double tr, double tr2, double ma, double mc,
		  double va, double vc, struct dpr *s)
{
	double am2, astd2, cm2, cstd2, astd_b, cstd_b;

	am2 = ma * ma;
	astd2 = va * N / (N - 1);
	cm2 = mc * mc;
	/* N = 2: no spread of c can be measured (N(N-1)-2 = 0). */
	cstd2 = N > 2 ? vc * N * (N - 1) / (N * (N - 1) - 2) : NAN;
	s->pr = tr * tr / tr2;
	s->pr_bc = corrected(N, M, am2, astd2, cm2, cstd2, &astd_b, &cstd_b);
	s->am2 = am2;
	s->astd2 = astd2;
	s->cm2 = cm2;
	s->cstd2 = cstd2;
	s->astd_b = astd_b;
	s->cstd_b = cstd_b;
}

int dpr_compute(const double *C, size_t n, double M, struct dpr *s)
{
	double N = (double)n, nc = N * (N - 1);
	double tr = 0, tr2 = 0, csum = 0, ma, mc, va = 0, vc = 0;

	if (n < 2)
		return DPR_SMALL;
	for (size_t i = 0; i < n; i++) {
		double row = 0, rowsq = 0;

		for (size_t j = 0; j < n; j++) {
			rowsq += C[i * n + j] * C[j * n + i];
			if (j != i)
				row += C[i * n + j];
		}
		tr += C[i * n + i];
		tr2 += rowsq;
		csum += row;
	}
	if (!(tr != 0))
		return DPR_NOVAR;
	/* Population variances in two passes, as numpy.var. */
	ma = tr / N;
	mc = csum / nc;
	for (size_t i = 0; i < n; i++) {
		double row = 0;

		for (size_t j = 0; j < n; j++) {
			double d = C[i * n + j] - mc;

			if (j != i)
				row += d * d;
		}
		vc += row;
		va += (C[i * n + i] - ma) * (C[i * n + i] - ma);
	}
	va /= N;
	vc /= nc;
	terms(N, M, tr, tr2, ma, mc, va, vc, s);
	return DPR_OK;
}

int dpr_spectrum(const double *C, size_t n, double *work, double *ev)
{
	gsl_eigen_symm_workspace *ws = gsl_eigen_symm_alloc(n);
	gsl_matrix_view a;
	gsl_vector_view v;

	if (!ws)
		return -1;
	memcpy(work, C, n * n * sizeof *work);
	a = gsl_matrix_view_array(work, n, n);
	v = gsl_vector_view_array(ev, n);
	gsl_eigen_symm(&a.matrix, &v.vector, ws);
	gsl_eigen_symm_free(ws);
	gsl_sort(ev, 1, n);
	for (size_t i = 0, j = n - 1; i < j; i++, j--) {
		double t = ev[i];

		ev[i] = ev[j];
		ev[j] = t;
	}
	return 0;
}

size_t dpr_gram(const double *X, size_t m, size_t n, double *xc, double *G, double *a)
{
	size_t nconst = centre(X, m, n, xc, a, a + n);

	cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, (int)m, (int)n,
		    1.0 / (double)(m - 1), xc, (int)n, 0.0, G, (int)m);
	for (size_t i = 0; i < m; i++)
		for (size_t j = i + 1; j < m; j++)
			G[j * m + i] = G[i * m + j];
	/* the variances, one row of samples at a time */
	for (size_t j = 0; j < n; j++)
		a[j] = 0;
	for (size_t t = 0; t < m; t++) {
		const double *x = xc + t * n;

		for (size_t j = 0; j < n; j++)
			a[j] += x[j] * x[j];
	}
	for (size_t j = 0; j < n; j++)
		a[j] /= (double)(m - 1);
	return nconst;
}

int dpr_compute_gram(const double *xc, const double *G, const double *a, size_t m,
		     size_t n, double M, struct dpr *s)
{
	double N = (double)n, nc = N * (N - 1);
	double tr = 0, tr2 = 0, a2 = 0, all = 0, ma, mc, va = 0, vc;

	if (n < 2)
		return DPR_SMALL;
	for (size_t i = 0; i < n; i++) {
		tr += a[i];
		a2 += a[i] * a[i];
	}
	if (!(tr != 0))
		return DPR_NOVAR;
	for (size_t i = 0; i < m * m; i++)
		tr2 += G[i] * G[i];
	/* 1^T C 1 = |xc 1|^2 / (m-1) */
	for (size_t t = 0; t < m; t++) {
		const double *x = xc + t * n;
		double r = 0;

		for (size_t j = 0; j < n; j++)
			r += x[j];
		all += r * r;
	}
	all /= (double)(m - 1);
	ma = tr / N;
	for (size_t i = 0; i < n; i++)
		va += (a[i] - ma) * (a[i] - ma);
	va /= N;
	mc = (all - tr) / nc;
	/* sum of the c^2, less nc mc^2: one pass over G's sums (see dpr.h) */
	vc = (tr2 - a2) / nc - mc * mc;
	if (vc < 0)
		vc = 0;
	terms(N, M, tr, tr2, ma, mc, va, vc, s);
	return DPR_OK;
}

void dpr_lags_gram(const double *G, size_t m, double *s)
{
	for (size_t tau = 0; tau < m; tau++) {
		double x = 0;

		for (size_t t = 0; t + tau < m; t++)
			x += G[t * m + t + tau];
		s[tau] = x;
	}
}

size_t dpr_fft_len(size_t m)
{
	size_t L = 2;

	while (L < 2 * m)
		L *= 2;
	return L;
}

void dpr_lags_fft(const double *xc, size_t m, size_t n, double *s, double *work)
{
	size_t L = dpr_fft_len(m);
	double *col = work, *pow = work + L;

	for (size_t k = 0; k < L; k++)
		pow[k] = 0;
	for (size_t j = 0; j < n; j++) {
		for (size_t t = 0; t < m; t++)
			col[t] = xc[t * n + j];
		for (size_t t = m; t < L; t++)
			col[t] = 0;
		gsl_fft_real_radix2_transform(col, 1, L);
		/* half-complex: re of k at k, im of k at L - k */
		pow[0] += col[0] * col[0];
		pow[L / 2] += col[L / 2] * col[L / 2];
		for (size_t k = 1; k < L / 2; k++)
			pow[k] += col[k] * col[k] + col[L - k] * col[L - k];
	}
	/* the power spectrum is real: its inverse transform is the sum of the
	 * columns' autocovariances (circular over L >= 2m: linear for tau < m) */
	gsl_fft_halfcomplex_radix2_inverse(pow, 1, L);
	for (size_t tau = 0; tau < m; tau++)
		s[tau] = pow[tau];
}

double dpr_ess(const double *s, size_t m, double c, size_t *window)
{
	double tau2 = 1;
	size_t w;

	*window = 0;
	if (m < 2 || !(s[0] > 0))
		return NAN;
	for (w = 1; w < m; w++) {
		double rho = s[w] / s[0];

		tau2 += 2 * rho * rho;
		if ((double)w >= c * tau2)
			break;
	}
	*window = w < m ? w : m - 1;
	return (double)m / tau2;
}
