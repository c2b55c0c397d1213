/*
 * dpr: dimensionality of activity, as the participation ratio of its
 * covariance, naive and bias-corrected (Dahmen et al. 2022).
 *
 * From a covariance C (N x N) with diagonal a and off-diagonal entries c
 * (N(N-1) values), estimated from M independent samples (MODEL.md):
 *   PR     = (tr C)^2 / tr(C^2)
 *   am2    = mean(a)^2          astd2 = var(a) N/(N-1)
 *   cm2    = mean(c)^2          cstd2 = var(c) N(N-1)/(N(N-1)-2)
 *   astd_b = astd2 (M-1)/(M+1) - 2 (am2-cm2)/(M-1) + 2 cstd2/(M+1)
 *   cstd_b = (M-1) cstd2/M - (am2-cm2)/M - 4 (cm2 - sqrt(am2 cm2))/(M (N+1))
 *   PR_bc  = N / (1 + astd_b/am2 + (N-1) (cstd_b/am2 + cm2/am2))
 * with var the population variance.  Both ratios are invariant under a
 * scaling of C, so the covariance's normalisation (1/(samples-1) here)
 * does not matter.  With N = 2 the denominator N(N-1)-2 of cstd2 is zero
 * and PR_bc is NaN (PR is defined).
 */
#ifndef FORCENET_DPR_H
#define FORCENET_DPR_H

#include <stddef.h>

struct dpr {
	double pr, pr_bc;
	/* the intermediate terms of MODEL.md, for tests and curious users */
	double am2, astd2, cm2, cstd2, astd_b, cstd_b;
};

enum { DPR_OK = 0, DPR_SMALL = -1, DPR_NOVAR = -2 };

/*
 * Covariance of the m x n row-major samples X (rows = samples, columns =
 * neurons) into C (n x n, both triangles filled), normalised by m - 1 as
 * numpy.cov: each column is centred on its mean into xc (m x n doubles,
 * work space) and C = xc^T xc / (m-1) by one cblas_dsyrk.  A column whose
 * values are all equal is centred to exact zeros, so that its variance is
 * exactly 0.  Needs m >= 2.  Returns the number of constant columns.
 * The BLAS threads are the caller's business (one thread gives the same
 * bytes on every machine).
 */
size_t dpr_covariance(const double *X, size_t m, size_t n, double *xc, double *C);

/*
 * PR and PR_bc of the n x n covariance C (read only; the full matrix is
 * used, so C need not be exactly symmetric), with M the number of
 * independent samples.  Returns DPR_OK, DPR_SMALL when n < 2, or DPR_NOVAR
 * when tr C = 0 (every variance zero: both ratios divide by it); s is
 * filled only on DPR_OK.  M <= 1 gives non-finite PR_bc: callers refuse it.
 */
int dpr_compute(const double *C, size_t n, double M, struct dpr *s);

/*
 * Eigenvalues of the symmetric n x n C in decreasing order into ev (n),
 * using a copy in work (n x n doubles) and GSL's gsl_eigen_symm.
 * Returns 0, or -1 when out of memory.
 */
int dpr_spectrum(const double *C, size_t n, double *work, double *ev);

#endif
