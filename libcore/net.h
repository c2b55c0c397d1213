/*
 * net: the connectivity of a network being simulated and trained, in
 * memory that grows with its synapses, not with N^2.
 *
 * W (N x N, row i = the weights onto neuron i) comes in CSR form (each
 * row's columns strictly increasing) and is kept in two parts:
 *   plastic  the inputs that RLS trains, by postsynaptic row (CSR: prow,
 *            pcol, pval), each row's columns increasing, with their
 *            transposed index pcols (model.h) for the spikes;
 *   static   the others, by presynaptic column (CSC: sptr, srow, sval),
 *            each column's rows increasing, for the spikes and the full
 *            product; their values never change.  A row is kept in 16
 *            bits, the column's entries being cut into bands of 65,536
 *            rows (sband): 2 bytes a synapse fewer (at 10^9 synapses,
 *            1.9 GB), and the same sums in the same order.
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
 *
 * A block of rows: a net may hold the rows row0 .. row0+n-1 of W only (a
 * network split over processes, dist.h), built from those rows' entries
 * alone.  Its row-indexed arrays are then the block's (row i of the net is
 * row row0 + i of W: its plastic choice, trained flag and sums are those
 * of that row in the whole net, to the bit), and the column-indexed ones
 * span the N = ncols neurons: r and the spiked neurons are the whole
 * network's, v and y the block's.  With row0 = 0 and n = ncols it is the
 * whole network.
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
	const unsigned char *trained; /* N flags (by neuron of the network):
				      * neurons with plastic inputs; NULL = all */
	int buckets;                 /* the products' propagation blocking: 0
				      * where it pays (large networks), 1
				      * always, -1 never (the results are the
				      * same) */
	size_t ncols;                /* N, the neurons of the network (W's
				      * columns); 0: the source's n (all of W) */
	size_t row0;                 /* the source's first row is row row0 of
				      * W (a block of rows; 0 for all of W) */
	size_t spike_serial;         /* terms of a step's spikes below which
				      * net_spikes() runs in one thread: 0 the
				      * default, 32768 (the results are the
				      * same) */
	size_t prefetch_nnz;         /* synapses from which net_spikes() asks
				      * for the memory of the next spiked
				      * columns ahead: 0 the default, 2^22
				      * (the results are the same) */
};

/*
 * W in CSR form (or a block of its rows): its row starts, and its entries
 * delivered in order, piece by piece, twice (the first pass counts the
 * static entries of each column, the second puts every value in its
 * place).
 */
struct net_source {
	size_t n;                    /* rows */
	const size_t *indptr;        /* n + 1: row i holds the entries
				      * indptr[i] .. indptr[i+1]-1 (indptr[0]
				      * need not be 0: a block's first entry in
				      * the whole W, say) */
	/* the next count entries: their columns (strictly increasing in a
	 * row, below N) and values (finite); returns 0, or -1 on error (the
	 * source reports it) */
	int (*read)(void *ctx, size_t count, int32_t *indices, double *values);
	/* back to the first entry; returns 0 or -1 */
	int (*rewind)(void *ctx);
	void *ctx;
};

struct net {
	size_t n, nnz;               /* rows, their entries */
	size_t ncols, row0;          /* N; row i is row row0 + i of W */
	/* plastic part (CSR) */
	size_t *prow;                /* n + 1 */
	int32_t *pcol;
	double *pval;
	uint32_t *pidx;              /* each plastic entry's position in its
				      * input row; NULL when all are plastic */
	struct model_cols pcols;
	/* static part (CSC) */
	size_t *sptr;                /* ncols + 1 */
	uint16_t *srow;              /* rows of the net (0 .. n-1), their low
				      * 16 bits: the entries of a column are
				      * cut into bands of 65,536 rows */
	uint32_t *sband;             /* nbands > 1: band b >= 1 of column j
				      * starts at sptr[j] + sband[j (nbands - 1)
				      * + b - 1] */
	size_t nbands;               /* bands of rows: ceil(n / 65,536) */
	void *sval;                  /* float or double */
	int sval_f32;
	size_t spike_serial;         /* see struct net_config */
	int prefetch;                /* net_spikes() asks ahead (prefetch_nnz) */
	struct net_split *split;     /* the columns cut by row chunks */
	struct net_scratch *scratch; /* the products' working memory */
};

/* Chunks of the products' work at most (threads beyond are idle there). */
#define NET_MAX_CHUNKS 64

/* Bytes that net_init() allocates for n rows of this structure and this
 * configuration. */
size_t net_bytes(size_t n, const size_t *indptr, const struct net_config *cf);

/*
 * Build net from src as cf says.  Returns 0, or -1 when src fails (src
 * has reported it; net is then empty).  Dies (exit 1) on out of memory.
 */
int net_init(struct net *net, const struct net_source *src, const struct net_config *cf);
void net_free(struct net *net);

/* Plastic inputs in all. */
size_t net_nplastic(const struct net *net);

/* v = W r (r: ncols values, v: n), shared by the pool's threads. */
void net_full(const struct net *net, struct pool *pool, const double *r, double *v);

/*
 * y = gamma v + b W[:, spiked] (see above; v and y: n values), the nsp
 * spiked neurons (of all ncols) listed in increasing order in spk; v and y
 * must not overlap.
 */
void net_spikes(const struct net *net, struct pool *pool, double gamma, double b,
		const uint32_t *spk, size_t nsp, const double *v, double *y);

/*
 * net_spikes(), with task(targ) run beside it by a thread of the pool (a
 * piece of work that shares nothing with it; in the calling thread before
 * it when the terms go by buckets).  Returns the chunks of rows the terms
 * were cut into: 1 when they were too few to share (the task and the
 * terms then take a thread each).
 */
size_t net_spikes_beside(const struct net *net, struct pool *pool, double gamma, double b,
			 const uint32_t *spk, size_t nsp, const double *v, double *y,
			 void (*task)(void *), void *targ);

/* The net's rows of W as a dense row-major n x ncols matrix (for small
 * networks). */
void net_dense(const struct net *net, double *W);

/*
 * The position in the input CSR order (indptr[i] + place in row i) of
 * plastic entry x of row i (of the net).
 */
static inline size_t net_plastic_pos(const struct net *net, const size_t *indptr, size_t i,
				     size_t x)
{
	return indptr[i] + (net->pidx ? net->pidx[net->prow[i] + x] : x);
}

#endif
