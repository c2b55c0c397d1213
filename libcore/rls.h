/*
 * rls: per-neuron recursive least squares (the FORCE rule of MODEL.md).
 *
 * Neuron i learns the weights of its presynaptic set idx_i (the columns of
 * its CSR row, m_i of them) with its own inverse correlation matrix P_i,
 * which starts as I/alpha and lives across every training step of a run.
 * With q = r[idx_i] and e_i = target_i - (W r)_i (W before the update):
 *     k = P_i q,  den = 1 + q'k,  P_i <- P_i - k k'/den,  W[i, idx_i] += e_i k/den
 * (P_i q after the update equals k/den, so no second product is needed).
 *
 * Storage and speed: P_i is symmetric and kept as block-packed rows: with
 * m rounded up to mp, a multiple of 4 (the padding rows and columns hold
 * zeros), rows 4b .. 4b+3 store columns 4b .. mp-1, so the upper triangle
 * plus the full 4 x 4 diagonal blocks, about mp^2/2 doubles.  Every vector
 * loop then runs on whole groups of 4 with no scalar tail.  The rank-1
 * update of a step is not applied at once: it is kept pending (k and 1/den)
 * and applied during the next step's pass over P_i, which computes the new
 * k = P_i q in the same pass.  So one training step reads and writes every
 * P_i exactly once.  rls_flush() applies the pending updates (only needed to
 * look at P).
 *
 * Neurons are independent: the step is shared among OpenMP threads by
 * neuron and its results do not depend on the number of threads.
 */
#ifndef FORCENET_RLS_H
#define FORCENET_RLS_H

#include <stddef.h>
#include <stdint.h>

struct rls {
	size_t n;              /* neurons */
	const size_t *rowptr;  /* CSR row starts (n+1), not owned */
	size_t *poff;          /* offset of P_i in P (n+1) */
	size_t *voff;          /* offset of neuron i's padded vectors (n+1) */
	double *P;             /* block-packed matrices, poff[n] doubles (mapped) */
	size_t pbytes;         /* size of the mapping */
	double *u[2];          /* pending k of the last step / k being built */
	int cur;               /* u[cur] holds the pending k */
	double *c;             /* pending 1/den per neuron (0: nothing pending) */
	double *q;             /* gathered r[idx_i], zero-padded scratch */
	double *vecs;          /* the one allocation holding u[0], u[1] and q */
	double *dw2;           /* per neuron: squared norm of the last W row update */
	int blowup;            /* set when a den was not finite */
};

/*
 * Set up P_i = I/alpha for every neuron of the CSR structure rowptr (kept by
 * pointer: it must outlive s).  Dies (exit 1, "out of memory") if the
 * matrices do not fit.
 */
void rls_init(struct rls *s, size_t n, const size_t *rowptr, double alpha);
void rls_free(struct rls *s);

/* Bytes that rls_init() allocates for this structure. */
size_t rls_bytes(size_t n, const size_t *rowptr);

/*
 * One training step of every neuron: W's CSR values val are updated in
 * place from the synaptic outputs r and the errors e (n each).  If
 * want_dw2, s->dw2[i] then holds the squared norm of row i's change.
 * s->blowup is set if a denominator or a step size was not finite.
 */
void rls_step(struct rls *s, const int32_t *col, double *val,
	      const double *r, const double *e, int want_dw2);

/* Apply the pending rank-1 updates to every P_i. */
void rls_flush(struct rls *s);

/* Copy P_i (after rls_flush) into out as a full m x m row-major matrix. */
void rls_unpack(const struct rls *s, size_t i, double *out);

/* Doubles in the block-packed storage of an m x m matrix. */
size_t rls_packed_size(size_t m);

/*
 * The kernel on one block-packed matrix P (m x m, padded to mp): applies
 * P -= c u u' (the pending update; c = 0 for none), computes k = P q with
 * the updated P, and returns den = 1 + q'k.  u, q and k have mp entries,
 * those past m zero in u and q; u and k must not overlap.
 */
double rls_kernel(size_t m, double *P, const double *u, double c,
		  const double *q, double *k);

#endif
