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
 * Storage: P_i is symmetric and kept block-packed: with m rounded up to
 * mp, a multiple of 4 (the padding rows and columns hold zeros), block b
 * (rows 4b .. 4b+3) stores columns 4b .. mp-1, so the upper triangle plus
 * the full 4 x 4 diagonal blocks, about mp^2/2 doubles.  A block is a run
 * of tiles of 4 rows by 2 columns, 8 doubles (one cache line), row by row
 * within the tile:
 *     P[4b+r, 4b+c] at block + 4 (c & ~1) + 2 r + (c & 1)
 * so that a fold streams P_i as one sequence of whole tiles (one vector
 * each with 512-bit vectors), and the part of a column above its block
 * takes one cache line per block instead of four.  Every vector loop runs
 * on whole groups of 4 columns with no scalar tail.
 *
 * Pending updates: the rank-1 updates are not applied at once.  P_i is
 *     P_i = Pbase_i - sum_s c_s k_s k_s'   (s over up to `batch` pending steps)
 * and a pass over Pbase_i (rls_kernel) folds pending updates into it and
 * can compute k = P_i q in the same pass.
 *
 * Two ways to get k (enum rls_kernel_kind):
 *   RLS_DIRECT  every step is such a pass with k = P_i q (batch 1): one
 *               read and write of every P_i per step, about 1.5 m^2
 *               multiply-adds, bound by the memory traffic.
 *   RLS_SPIKE   between two consecutive steps of the network the synaptic
 *               outputs obey r_t = gamma r_{t-1} + b s_t exactly (s_t the
 *               spike indicators), so q_t = gamma q_{t-1} + b s_t[idx_i],
 *               and since P_t q_{t-1} = k_{t-1}/den_{t-1} (the identity
 *               above):
 *                   k_t = gamma k_{t-1}/den_{t-1} + b sum_{j spiked} P_t[:, j]
 *               with the columns P_t[:, j] taken from Pbase_i and the
 *               pending vectors: O(m (spikes + pending)) instead of O(m^2).
 *               Every `batch` steps one pass folds the pending updates
 *               (a rank-batch update, m^2/2 multiply-adds per step on
 *               average, one read and write of P_i per `batch` steps).
 *               k is computed directly instead (a pass with k = P_i q) at
 *               the first step after a gap (no valid previous k), when more
 *               than m/8 inputs spiked (then it is the cheaper way), and at
 *               least every RLS_REFRESH steps, so that the recursion's
 *               rounding errors (contracted by gamma < 1 at every step)
 *               never build up.  den follows in O(spikes) as well: with
 *               d = q'k = den - 1 and P_t q_{t-1} = k_{t-1}/den_{t-1},
 *                   d_t = gamma/den_{t-1} (gamma d_{t-1} + b k_{t-1}[J])
 *                         + b k_t[J]          (x[J]: x summed over spiked J)
 *               which contracts its errors by gamma^2/den like k's, and is
 *               reset with it by every direct product.
 * Both give the textbook result to rounding; they differ in the last bits.
 *
 * Forgetting (lambda < 1): den = lambda + q'k, P_i <- (P_i - k k'/den)/lambda,
 * W[i, idx_i] += e_i k/den (P_i q after the update is still k/den, and
 * q'k/den = 1 - lambda/den).  P_i is kept as scale_i times its matrix (the
 * division by lambda goes into scale_i, into the matrix only before the
 * scale passes 2^40), and k is computed directly at every step (RLS_DIRECT
 * whatever the kind asked for).
 *
 * P in float (struct rls_config's p_float32): every value of P_i and of its
 * vectors is rounded to float when stored.  The passes over P_i (where the
 * time goes at scale) update it in float arithmetic, twice the width of
 * double: the pending updates' sum is formed in float and subtracted from
 * P_i once, so that P_i takes one rounding a pass as in double; k = P_i q,
 * den and the rest stay in double.  Over 18 seeds on the study's network
 * the test-loop error was 0.091 +- 0.021 (0.102 +- 0.023 with all the
 * arithmetic in double, 0.099 +- 0.032 for double P; with the coefficient
 * form below, 0.097 +- 0.029).
 * The recursion of RLS_SPIKE rests on P_t q_{t-1} = k_{t-1}/den_{t-1},
 * which the rounding of P_t breaks by about 6e-8 ||P|| ||q||, and it carries
 * such an error over about 1/(1 - gamma) = 50 steps: enough, late in
 * training when P is small, to spoil k by a percent and the training with
 * it (test-loop error twice that of double P on the study's network).  So
 * in float, k is computed directly whenever a fold is due, in the same pass
 * over P_i (every `batch` steps): the error then stays at the rounding of P
 * itself, and the test-loop error within the spread between seeds of
 * double-P runs.
 *
 * The coefficient form of RLS_SPIKE (struct rls_config's coef; the choice
 * with P in float): between two passes over P_i, every k is a combination
 * of the same few vectors.  With P0 the matrix of the last pass, q0 the
 * inputs then and J the inputs spiked since (j_1, j_2, ...), the inputs are
 * q_t = E x_t with E = [q0, e_j1, e_j2, ...] (x_t follows q's recursion:
 * x <- gamma x + b at the spiked ones), and by induction k_t = P0 E z_t:
 *     z_t = x_t - sum_{s < t} c_s z_s (z_s' G x_t),   G = E' P0 E,
 *     den_t = 1 + (G x_t)' z_t
 * (k_s' q_t = z_s' G x_t), so a step works on M = 1 + |J| numbers instead
 * of m: G's new row when an input first spikes (k0[j] = P0[j, :] q0 and
 * the entries P0[j, j_l], a read of P each), then O(M^2 + batch M) in
 * cache.  The weight row is not touched either: its change since the last
 * pass is P0 E y, y the sum of e_t/den_t z_t, and lands in W at the next
 * pass or when the caller asks (rls_settle()).  While it is pending, the
 * caller's W r is short of it, and rls_step() adds what it misses (the
 * spike-carried terms' share, b (G y)_l at each spiked j = j_l).  The pass
 * every `batch` steps forms the pending updates sum_s c_s k_s k_s' =
 * C Z C' (C = P0 E: k0 and P0's columns at J; Z = sum_s c_s z_s z_s') as
 * at most M rank-1 terms (Z = L D L'), folds them and computes k = P q.
 * With P in float, G holds the values as stored, so these relations hold
 * exactly for the matrix as stored: no drift between passes.
 * When more than RLS_COEF_SPIKES inputs have spiked since the pass, the
 * pending k_s are formed and the neuron goes on in the vectors' form of
 * RLS_SPIKE above until the pass (which comes at the same step as it would
 * have: the neurons' passes stay together, one stream over P); the pass
 * then chooses the form of the next steps, the coefficients when at most
 * RLS_COEF_SPIKES/2 inputs spiked over the last ones.  The coefficient
 * form pays where the inputs spike rarely within a batch (a quarter of a
 * spike a step and a neuron, say, at steps of 0.1 ms); with several a step
 * every one of them costs a column of P_i in either form.  A neuron uses
 * one form at a time, so its coefficients (about 1 KB) live in its ring:
 * k0 in slot 0, the record in the slots after it, which the vectors' form
 * takes over when the basis fills (the record copied out first).  A ring
 * grows only where its slots hold less than slot 0 and the record (in
 * float: under 36 inputs with batches of 8, under 52 with 4).
 *
 * Neurons are independent: the step is shared among the threads of a pool
 * by blocks of neurons, and its results do not depend on their number.
 */
#ifndef FORCENET_RLS_H
#define FORCENET_RLS_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "pool.h"

enum rls_kernel_kind { RLS_DIRECT = 0, RLS_SPIKE = 1 };

/*
 * Pending updates per neuron for RLS_SPIKE (a fold every batch steps):
 * RLS_BATCH, or RLS_BATCH_LARGE when the matrices take more than
 * RLS_LARGE_BYTES (they then come from main memory at every fold, and
 * fewer folds matter more than fewer pending vectors).
 */
#define RLS_BATCH 4
#define RLS_BATCH_LARGE 8
#define RLS_LARGE_BYTES ((size_t)64 << 20)
/* Pending updates that rls_kernel() takes at most. */
#define RLS_MAX_PENDING 32
/*
 * RLS_SPIKE computes k directly at least every RLS_REFRESH steps.  The
 * recursion contracts an error of k by gamma/den <= gamma = 1 - b dt + ...
 * at every step, so its rounding stays near eps/(1 - gamma) whatever the
 * interval (about 5e-15 with the study's b dt = 0.02; with gamma near 1 an
 * interval of R steps bounds it by about R eps): a safety net, not a need.
 * Over 12 seeds at pqif 1 the test-loop MSE was 0.075 (64), 0.081 (256)
 * and 0.080 (direct kernel); 256 instead of 64 saves 2.5-3.5 us of a
 * 60 us training step (N = 200).
 */
#define RLS_REFRESH 256
/* The coefficient form: inputs spiked since the last pass at most (the
 * basis holds one more vector, q0). */
#define RLS_COEF_SPIKES 8

struct rls {
	size_t n;              /* neurons */
	size_t ncols;          /* presynaptic neurons (the CSR's columns) */
	const size_t *rowptr;  /* CSR row starts (n+1), not owned */
	const int32_t *col;    /* CSR columns (rowptr[n]), not owned */
	enum rls_kernel_kind kind;
	double alpha;          /* P_i started as I/alpha */
	size_t batch;          /* pending updates kept at most (1 for RLS_DIRECT) */
	size_t *poff;          /* offset of Pbase_i in P (n+1) */
	size_t *voff;          /* offset of neuron i's vectors in vecs (n+1) */
	int f32;               /* P and vecs hold float, else double */
	double forget;         /* lambda, the forgetting factor (1: none) */
	double *scale;         /* lambda < 1: P_i is scale[i] times its matrix */
	double scale_max;      /* ... into the matrix beyond this (RLS_SCALE_MAX;
				* a test may lower it) */
	void *P;               /* block-packed Pbase_i, poff[n] values (mapped) */
	size_t pbytes;         /* size of the mapping */
	void *vecs;            /* per neuron: batch+1 slots of k (a ring),
				* from voff[i] */
	double *cs;            /* per neuron: the batch+1 slots' 1/den */
	uint32_t *head;        /* per neuron: ring slot of the oldest pending k */
	uint32_t *npend;       /* per neuron: pending updates (the last is k_{t-1}) */
	double *c;             /* per neuron: 1/den of the last step */
	double *qk;            /* per neuron: q'k = den - 1 of the last step */
	double *dw2;           /* per neuron: squared norm of the last W row update */
	uint32_t *age;         /* per neuron: steps since k was computed directly */
	uint32_t refresh;      /* RLS_SPIKE: k directly after this many steps at
	                        * most; rls_init() sets RLS_REFRESH (only tests
	                        * change it, between rls_init() and rls_step()) */
	const struct model_cols *cols; /* the rows each presynaptic neuron feeds */
	struct model_cols own_cols;    /* cols when rls_init() built it */
	uint32_t *nspk, *spk;  /* per neuron: spiked inputs of the step, positions */
	size_t spk_cap;        /* positions kept per neuron in spk */
	size_t mmax;           /* the largest m_i */
	int coef;              /* the coefficient form (see above) */
	size_t mc;             /* coef: basis vectors at most, 1 + RLS_COEF_SPIKES */
	size_t cstride;        /* coef: doubles of a neuron's record: c_s
				* (batch), G (packed lower triangle, row l at
				* l(l+1)/2), then for each basis vector l: x_l,
				* y_l, z_s,l (batch); in its ring after slot 0,
				* which holds k0 (see above) */
	uint8_t *cm;           /* coef: per neuron the basis' size M (0: no
				* valid pass yet) */
	uint32_t *cj;          /* coef: per neuron the positions j_1 .. j_M-1 */
	uint8_t *cform;        /* coef: per neuron the form since its last pass:
				* 1 the coefficients, 0 the vectors (its
				* inputs spiked too often for the basis) */
	uint16_t *cspk;        /* coef: per neuron in the vectors' form, its
				* inputs' spikes since the last pass */
	int unsettled;         /* coef: a weight row change may be pending */
	size_t passes;         /* neuron-steps whose k was computed directly */
	size_t coef_steps;     /* neuron-steps in the coefficient form, not
				* passes */
	size_t steps;          /* neuron-steps in all */
	int blowup;            /* set when a den was not finite */
};

/*
 * The step's relation to the previous one, for RLS_SPIKE: the synaptic
 * outputs r given to this rls_step() are gamma times those of the previous
 * rls_step(), plus b where spiked[j] (one model step in between).
 */
struct rls_spikes {
	const unsigned char *spiked;  /* ncols flags */
	double gamma, b;
};

/* How rls_init() sets up the matrices. */
struct rls_config {
	double alpha;               /* P_i starts as I/alpha */
	enum rls_kernel_kind kind;  /* how k is computed */
	size_t batch;               /* pending updates of RLS_SPIKE, 1 ..
				     * RLS_MAX_PENDING, or 0 for the choice above
				     * (RLS_BATCH or RLS_BATCH_LARGE) */
	double forget;              /* the forgetting factor lambda in (0, 1];
				     * 0 stands for 1 (none) */
	int p_float32;              /* store P_i and its vectors as float (a
				     * value is rounded to float when stored;
				     * the passes over P_i update it in float,
				     * see above) */
	const struct model_cols *cols; /* the transposed structure of rowptr, col
				     * (model_cols_init()), kept by pointer; or
				     * NULL: rls_init() builds its own */
	struct pool *pool;          /* the threads that will run rls_step()
				     * (they touch their matrices first); may be
				     * NULL */
	int coef;                   /* 1: the coefficient form of RLS_SPIKE,
				     * -1: not, 0: with p_float32 (RLS_SPIKE
				     * without forgetting only) */
	size_t ncols;               /* the presynaptic neurons, columns of the
				     * CSR structure: the n neurons may be a
				     * block of a larger network (dist.h), whose
				     * r and spikes rls_step() takes; 0: n */
};

/*
 * Set up P_i = I/alpha for every neuron of the CSR structure rowptr, col
 * (columns in increasing order in each row, all below n; kept by pointer:
 * it must outlive s), as cf says.  Dies (exit 1, "out of memory") if the
 * matrices do not fit.
 */
void rls_init(struct rls *s, size_t n, const size_t *rowptr, const int32_t *col,
	      const struct rls_config *cf);
void rls_free(struct rls *s);

/*
 * The batch that rls_init() takes for RLS_SPIKE when struct rls_config's is
 * 0, for matrices of pbytes in all; and the bytes of the matrices of this
 * structure and configuration.  A network split into blocks of neurons
 * (dist.h) gives every block the whole network's batch, from the blocks'
 * bytes added up (it sets the results).
 */
size_t rls_auto_batch(size_t pbytes);
size_t rls_matrix_bytes(size_t n, const size_t *rowptr, const struct rls_config *cf);

/* The kernel that rls_init() takes for this configuration: "direct",
 * "spike" or "coefficient" (the spike kernel's coefficient form). */
const char *rls_kernel_name(const struct rls_config *cf);

/* Bytes that rls_init() allocates for this structure and configuration. */
size_t rls_bytes(size_t n, const size_t *rowptr, const struct rls_config *cf);

/*
 * One training step of every neuron, shared by the threads of pool (NULL:
 * the caller's alone): W's CSR values val are updated in
 * place from the synaptic outputs r (ncols) and the errors e (n), or, with
 * target not NULL, e_i = target_i - v_i computed here (into e), v = W r
 * the caller's (n values; with the coefficient form it may be short of the
 * pending change's share, which is first added to v).  sp: NULL, or how r
 * follows from the r of the previous call (see struct rls_spikes; ignored
 * by RLS_DIRECT); with the coefficient form, a call without sp must
 * follow rls_settle() when target is given.  If want_dw2, s->dw2[i] then
 * holds the squared norm of row i's change.  s->c[i] holds 1/den of neuron
 * i.  s->blowup is set if a denominator or a step size was not finite.
 * With the coefficient form, val holds W only after rls_settle().
 */
void rls_step(struct rls *s, struct pool *pool, double *val, const double *r, double *e,
	      const double *target, double *v, const struct rls_spikes *sp, int want_dw2);

/* The coefficient form: every weight row change still pending lands in
 * val (nothing to do otherwise). */
void rls_settle(struct rls *s, struct pool *pool, double *val);

/*
 * Save every matrix, vector and counter of s into a checkpoint section by
 * section (ckpt.h), and read them back into an s set up by rls_init() for
 * the same structure and configuration: its next rls_step() then does what
 * the saved one's would have.  rls_restore() returns 0, or -1 with c->err.
 */
struct ckpt;
void rls_save(const struct rls *s, struct ckpt *c);
int rls_restore(struct rls *s, struct ckpt *c);

/* Fold the pending updates into every Pbase_i, so that P holds P_i (the
 * next rls_step() then computes k directly), after rls_settle(s, NULL,
 * val). */
void rls_flush(struct rls *s, double *val);

/* Copy P_i (after rls_flush) into out as a full m x m row-major matrix. */
void rls_unpack(const struct rls *s, size_t i, double *out);

/*
 * Copy k of neuron i's last step into k (m_i entries): k times s->c[i] is
 * P_i q after the update.
 */
void rls_last_k(const struct rls *s, size_t i, double *k);

/* Doubles in the block-packed storage of an m x m matrix. */
size_t rls_packed_size(size_t m);

/*
 * The pass over one block-packed matrix P of doubles (m x m, padded to mp): applies
 * P -= sum_{s < np} c[s] u[s] u[s]' (the pending updates), then, if q is
 * not NULL, computes k = P q with the updated P and returns den = 1 + q'k
 * (else returns 1).  u[s], q and k have mp entries, those past m zero in
 * u[s] and q; k must not overlap any u[s].  np is at most RLS_MAX_PENDING.
 */
double rls_kernel(size_t m, double *P, const double *const *u, const double *c,
		  size_t np, const double *q, double *k);

#endif
