/* dpr: see dpr.h. */
#include <cblas.h>
/* OpenBLAS's cblas.h declares what GSL's gsl_cblas.h would declare again
 * (pulled in by the eigen headers): keep OpenBLAS's. */
#define __GSL_CBLAS_H__
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_vector.h>
#include <math.h>
#include <string.h>

#include "dpr.h"

size_t dpr_covariance(const double *X, size_t m, size_t n, double *xc, double *C)
{
	/* C (n x n >= 2n doubles) holds the column means and the constant
	 * flags until dsyrk overwrites it. */
	double *mean = C, *constant = C + n;
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
	cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)n, (int)m,
		    1.0 / (double)(m - 1), xc, (int)n, 0.0, C, (int)n);
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			C[j * n + i] = C[i * n + j];
	return nconst;
}

int dpr_compute(const double *C, size_t n, double M, struct dpr *s)
{
	double N = (double)n, nc = N * (N - 1);
	double tr = 0, tr2 = 0, csum = 0, ma, mc, va = 0, vc = 0;
	double am2, astd2, cm2, cstd2, astd_b, cstd_b;

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

	/* MODEL.md, term by term. */
	am2 = ma * ma;
	astd2 = va * N / (N - 1);
	cm2 = mc * mc;
	/* N = 2: no spread of c can be measured (N(N-1)-2 = 0). */
	cstd2 = n > 2 ? vc * N * (N - 1) / (N * (N - 1) - 2) : NAN;
	astd_b = astd2 * (M - 1) / (M + 1) - 2 * (am2 - cm2) / (M - 1) + 2 * cstd2 / (M + 1);
	cstd_b = (M - 1) * cstd2 / M - (am2 - cm2) / M -
		4 * (cm2 - sqrt(am2 * cm2)) / (M * (N + 1));
	s->pr = tr * tr / tr2;
	s->pr_bc = N / (1 + astd_b / am2 + (N - 1) * (cstd_b / am2 + cm2 / am2));
	s->am2 = am2;
	s->astd2 = astd2;
	s->cm2 = cm2;
	s->cstd2 = cstd2;
	s->astd_b = astd_b;
	s->cstd_b = cstd_b;
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
