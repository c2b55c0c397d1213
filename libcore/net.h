/*
 * net: the connectivity of a network being simulated and trained, in
 * memory that grows with its synapses, not with N^2.
 *
 * W (n x n, row i = the weights onto neuron i) comes in CSR form (each
 * row's columns strictly increasing) and is kept in two parts:
 *   plastic  the inputs that RLS trains, by postsynaptic row (CSR: prow,
 *            pcol, pval), each row's columns increasing, with their
 *            transposed index pcols (model.h) for the spikes;
 *   static   the others, by presynaptic column (CSC: sptr, srow, sval),
 *            each column's rows increasing, for the spikes and the full
 *            product; their values never change.
 * Neuron i trains min(m_i, L) of its m_i inputs (all of them when L is 0),
 * chosen uniformly without replacement from its own generator of the
 * RNG_PLASTIC stream (sub-stream i: rng_new_sub(), rng_sample_few()), so
 * that the choice depends on the seed and i alone; a neuron that is not
 * trained has no plastic input.
 *
 * The recurrent input v = W r is computed in a fixed order, whatever the
 * number of threads (each thread owns a block of rows):
 *     v_i = (static terms, j increasing) + (plastic terms: four sums by
 *           position modulo 4, as model_recurrent())
 * and carried from step to step by the spikes (net_spikes()):
 *     y_i = gamma v_i + b (static W_ij over spiked j, increasing)
 *                     + b (plastic W_ij over spiked j, increasing).
 * With every input plastic both are model_recurrent() and
 * model_recurrent_spikes() to the bit.
 */
#ifndef FORCENET_NET_H
#define FORCENET_NET_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "pool.h"

struct net_config {
	size_t plastic;              /* L, inputs trained per neuron; 0 = all */
	uint64_t seed;               /* the seed of the plastic choice */
	int static_f32;              /* keep static values as float */
	const unsigned char *trained; /* n flags: neurons with plastic inputs;
				      * NULL = all */
	int buckets;                 /* the products' propagation blocking: 0
				      * where it pays (large networks), 1
				      * always, -1 never (the results are the
				      * same) */
};

/*
 * W in CSR form: its row starts, and its entries delivered in order, piece
 * by piece, twice (the first pass counts the static entries of each
 * column, the second puts every value in its place).
 */
struct net_source {
	size_t n;
	const size_t *indptr;        /* n + 1, indptr[n] = nnz */
	/* the next count entries: their columns (strictly increasing in a
	 * row, below n) and values (finite); returns 0, or -1 on error (the
	 * source reports it) */
	int (*read)(void *ctx, size_t count, int32_t *indices, double *values);
	/* back to the first entry; returns 0 or -1 */
	int (*rewind)(void *ctx);
	void *ctx;
};

struct net {
	size_t n, nnz;
	/* plastic part (CSR) */
	size_t *prow;                /* n + 1 */
	int32_t *pcol;
	double *pval;
	uint32_t *pidx;              /* each plastic entry's position in its
				      * input row; NULL when all are plastic */
	struct model_cols pcols;
	/* static part (CSC) */
	size_t *sptr;                /* n + 1 */
	uint32_t *srow;
	void *sval;                  /* float or double */
	int sval_f32;
	struct net_scratch *scratch; /* the products' working memory */
};

/* Chunks of the products' work at most (threads beyond are idle there). */
#define NET_MAX_CHUNKS 64

/* Bytes that net_init() allocates for this structure and configuration. */
size_t net_bytes(size_t n, const size_t *indptr, const struct net_config *cf);

/*
 * Build net from src as cf says.  Returns 0, or -1 when src fails (src
 * has reported it; net is then empty).  Dies (exit 1) on out of memory.
 */
int net_init(struct net *net, const struct net_source *src, const struct net_config *cf);
void net_free(struct net *net);

/* Plastic inputs in all. */
size_t net_nplastic(const struct net *net);

/* v = W r (n each), shared by the pool's threads. */
void net_full(const struct net *net, struct pool *pool, const double *r, double *v);

/*
 * y = gamma v + b W[:, spiked] (see above), the nsp spiked neurons listed
 * in increasing order in spk; v and y must not overlap.
 */
void net_spikes(const struct net *net, struct pool *pool, double gamma, double b,
		const uint32_t *spk, size_t nsp, const double *v, double *y);

/* W as a dense row-major n x n matrix (for small networks). */
void net_dense(const struct net *net, double *W);

/*
 * The position in the input CSR order (indptr[i] + place in row i) of
 * plastic entry x of row i.
 */
static inline size_t net_plastic_pos(const struct net *net, const size_t *indptr, size_t i,
				     size_t x)
{
	return indptr[i] + (net->pidx ? net->pidx[net->prow[i] + x] : x);
}

#endif
