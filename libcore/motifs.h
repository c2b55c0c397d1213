/*
 * motifs: second-order connectivity motifs of a weight matrix, in O(N^2).
 *
 * With w = W - mean(W) (mean over all N^2 entries) the definitions of
 * MODEL.md are
 *   sigma2  = tr(w w^T) / N
 *   tau_rec = tr(w w) / (sigma2 N)
 *   tau_div = (sum(w w^T) - tr(w w^T)) / (sigma2 N (N-1))
 *   tau_con = (sum(w^T w) - tr(w^T w)) / (sigma2 N (N-1))
 *   tau_chn = 2 (sum(w w) - tr(w w)) / (sigma2 N (N-1))
 *   R       = sqrt(sigma2) (1 - tau_div - tau_con + tau_rec - 2 tau_chn)
 *             / sqrt(1 - tau_div - tau_con)
 * No matrix product is needed.  With the row sums r_i = sum_j w_ij, the
 * column sums c_j = sum_i w_ij, S2 = sum_ij w_ij^2 and X = sum_ij w_ij w_ji:
 *   tr(w w^T) = tr(w^T w) = S2        tr(w w) = X
 *   sum(w w^T) = sum_j c_j^2          (sum_ik sum_j w_ij w_kj)
 *   sum(w^T w) = sum_i r_i^2          (sum_jk sum_i w_ij w_ik)
 *   sum(w w)   = sum_j c_j r_j        (sum_ik sum_j w_ij w_jk)
 * 1 - tau_div - tau_con > 0 whenever sigma2 > 0: split w into row
 * effects (A = mean square of r_i/N), column effects (B, of c_j/N) and the
 * rest (I); then S2 = N(A+B) + I, sum r^2 = N^2 A, sum c^2 = N^2 B and
 * 1 - tau_div - tau_con = (N(A+B) + (N+1) I) / (S2 (N-1)).  R is finite.
 */
#ifndef FORCENET_MOTIFS_H
#define FORCENET_MOTIFS_H

#include <stddef.h>

struct motifs {
	double sigma2, tau_rec, tau_div, tau_con, tau_chn, R;
};

/* The sums above, exposed for tests: computed on w = W - mean(W). */
struct motifs_sums {
	double mean;     /* mean(W) */
	double s2;       /* sum w_ij^2 */
	double x;        /* sum w_ij w_ji */
	double cc;       /* sum_j c_j^2 */
	double rr;       /* sum_i r_i^2 */
	double cr;       /* sum_j c_j r_j */
};

enum { MOTIFS_OK = 0, MOTIFS_SMALL = -1, MOTIFS_NOVAR = -2 };

/*
 * Sums of the N x N row-major matrix W (not modified) with work space of 2N
 * doubles (the row and column sums; nothing is allocated).  Two passes over
 * W plus one blocked pass for the transposed products; single-threaded,
 * so the result does not depend on the number of threads.
 */
void motifs_sums(const double *W, size_t n, double *work, struct motifs_sums *s);

/*
 * The motifs of W.  Returns MOTIFS_OK, MOTIFS_SMALL when n < 2 or
 * MOTIFS_NOVAR when every entry of W is equal (sigma2 = 0: the taus would
 * divide by zero); m is filled only on MOTIFS_OK.
 */
int motifs_compute(const double *W, size_t n, double *work, struct motifs *m);

/* The motifs from sums already computed (same return values). */
int motifs_from_sums(const struct motifs_sums *s, size_t n, struct motifs *m);

#endif
