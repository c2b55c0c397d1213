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
 *
 * Two routes to the same numbers from m samples of n neurons (the m x n
 * X, centred per column into Xc): the covariance C = Xc^T Xc/(m-1), n x n
 * (dpr_covariance, dpr_compute), or, cheaper when n > m, the Gram matrix
 * G = Xc Xc^T/(m-1), m x m (dpr_gram, dpr_compute_gram): PR and PR_bc need
 * only tr C, tr C^2, the diagonal a of C, and 1^T C 1, and
 *   tr C = sum_i a_i = tr G,   tr C^2 = |C|_F^2 = |G|_F^2,
 *   1^T C 1 = |Xc 1|^2/(m-1),
 *   sum c = 1^T C 1 - tr C,    sum c^2 = tr C^2 - sum_i a_i^2,
 * and var(c) = sum c^2/(N(N-1)) - mean(c)^2 (one pass, where the
 * covariance route takes two: the same to about 1e-12 relative unless
 * mean(c)^2 is many orders above var(c)).
 *
 * The number M of independent samples, estimated from the activity itself
 * (dpr_ess): Bartlett's formula for the variance of sample covariances of
 * autocorrelated series, Var(C_ij) ~ (C_ii C_jj + C_ij^2) tau2 / m, with
 * tau2 = sum over all lags tau of rho(tau)^2 when every neuron has the
 * autocorrelation rho (Bartlett 1935; Bretherton et al. 1999, J. Climate
 * 12:1990, eq. 31), is that of M = m / tau2 independent samples (an AR(1)
 * process of coefficient r: tau2 = (1 + r^2)/(1 - r^2)).  rho is the
 * population's: rho(tau) = s(tau)/s(0) with s(tau) = sum_i sum_t
 * Xc[t][i] Xc[t+tau][i] (the sum of the neurons' autocovariances, each
 * weighted by its variance), and the sum over lags is cut at Sokal's
 * self-consistent window, the smallest W with W >= c tau2(W) (Sokal 1997,
 * "Monte Carlo methods in statistical mechanics", sec. 3; c = DPR_ESS_C).
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
 * work space, or X itself: centred in place) and C = xc^T xc / (m-1) by
 * one cblas_dsyrk.  A column whose values are all equal is centred to
 * exact zeros, so that its variance is exactly 0.  Needs m >= 2.  Returns
 * the number of constant columns.
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

/* PR_bc of the same covariance (s from dpr_compute or dpr_compute_gram)
 * had it come from M independent samples. */
double dpr_pr_bc_at(const struct dpr *s, size_t n, double M);

/* Sokal's window constant. */
#define DPR_ESS_C 5.0

/*
 * The Gram route: Xc (m x n, work space, or X itself) centred as
 * dpr_covariance centres it, G (m x m, both triangles) = Xc Xc^T/(m-1) by one
 * cblas_dsyrk, and a (2n doubles: work, then the n variances).  Needs
 * m >= 2.  Returns the number of constant columns.
 */
size_t dpr_gram(const double *X, size_t m, size_t n, double *xc, double *G, double *a);

/* PR and PR_bc from dpr_gram's xc, G and a (returns as dpr_compute). */
int dpr_compute_gram(const double *xc, const double *G, const double *a, size_t m,
		     size_t n, double M, struct dpr *s);

/*
 * s(tau) = sum_t sum_i Xc[t][i] Xc[t+tau][i] for tau = 0 .. m-1 into s:
 * from dpr_gram's G (the sums of its diagonals; s is then divided by
 * m - 1, which rho does not see), or from the centred columns themselves
 * by FFT (GSL's radix-2 real transform, each column zero-padded to
 * L = dpr_fft_len(m) >= 2m; work holds 2L doubles): O(n L log L).
 */
void dpr_lags_gram(const double *G, size_t m, double *s);
size_t dpr_fft_len(size_t m);
void dpr_lags_fft(const double *xc, size_t m, size_t n, double *s, double *work);

/*
 * The effective number of independent samples among m from the lag sums
 * s (m values): m / tau2 with tau2 = 1 + 2 sum_{tau=1}^{W} rho(tau)^2,
 * rho = s/s[0], W the smallest window with W >= c tau2(W) (or m - 1);
 * *window = W.  NaN when s[0] is not positive.
 */
double dpr_ess(const double *s, size_t m, double c, size_t *window);

#endif
