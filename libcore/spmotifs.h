/*
 * spmotifs: the motifs of a sparse weight matrix (CSR) in O(nnz) time,
 * never dense: no N x N matrix and no loop over the N^2 entries.
 *
 * motifs.h needs, for w = W - mu with mu = sum(W)/N^2 over all N^2
 * entries (the stored ones and the zeros), the sums s2 = sum w_ij^2,
 * x = sum w_ij w_ji and the row sums r_i and column sums c_j of w.  With
 * R_i, C_j the row and column sums of the stored entries:
 *   r_i = R_i - N mu,   c_j = C_j - N mu
 *   s2  = sum_stored (W_ij - mu)^2 + (N^2 - nnz) mu^2
 * and x over the unordered pairs {i, j}, i < j, by what is stored of
 * W_ij and W_ji: both (a and b), one (a) or none, plus the diagonal:
 *   x = sum_i (W_ii - mu)^2
 *     + 2 [ sum_both (a - mu)(b - mu) - mu sum_one (a - mu) + mu^2 #none ]
 * where sum_one (a - mu) = sum over the stored off-diagonal entries of
 * (W_ij - mu) minus those of the pairs with both, and #none = N(N-1)/2 -
 * #both - #one (#one = off-diagonal entries - 2 #both).
 *
 * The reciprocal pairs are found without a transposed copy: the columns
 * are cut into blocks of at most about SPMOTIFS_BLOCK lower-triangle
 * entries (W_ji, j > i, column i in the block), and the blocks into
 * sub-blocks of about 65536.  For a block, one pass over every row with
 * a cursor per row (a row's entries in the block's columns are
 * contiguous, and the cursors only move forward) gathers those entries,
 * each to its sub-block in increasing j (a counting sort whose counts the
 * plan holds), and the block's column sums; then each sub-block is sorted
 * by column in cache and each of its rows i merges its upper entries
 * (j > i, increasing j) with column i's list.  Every entry is read three
 * times per matrix (for the row sums and mu, in its block, in its row),
 * plus one cursor step per row and block: few blocks, because a step that
 * lands on a page not touched lately is what costs (a TLB miss).
 *
 * Threads (OpenMP, the caller's omp_set_num_threads): rows in the first
 * pass, SPMOTIFS_CHUNKS fixed row chunks to gather a block (each chunk
 * its own column sums, added in chunk order, and its own places in the
 * sub-blocks), sub-blocks to sort and sum.  Every sum is made in a fixed
 * order (per row, per chunk, per sub-block, then in order), so the result
 * does not depend on the number of threads.
 *
 * Memory: the plan holds about 6 N values (counts, offsets, cursors, row
 * and column sums), SPMOTIFS_CHUNKS column sums per column of a block, and
 * the largest block's gathered entries, 16 bytes each (at most about
 * 16 SPMOTIFS_BLOCK bytes = 1 GiB, and 8 nnz bytes at the most); per
 * thread, a sub-block's sorted entries: the matrix itself is the caller's
 * (npz.h maps a stored .npz file: no copy at all).
 */
#ifndef FORCENET_SPMOTIFS_H
#define FORCENET_SPMOTIFS_H

#include <stddef.h>
#include <stdint.h>

#include "motifs.h"

/* Lower-triangle entries gathered per block (16 bytes each: 1 GiB). */
#define SPMOTIFS_BLOCK ((size_t)1 << 26)
/* Row chunks that gather a block: a fixed number, so that the sums do
 * not depend on the threads. */
#define SPMOTIFS_CHUNKS 16

struct spmotifs_thread;
struct spmotifs_sub;
struct lentry;

struct spmotifs {
	size_t n, nnz;
	const int64_t *indptr;          /* n + 1, the caller's */
	const unsigned char *indices;   /* nnz int32 (little-endian, any
					 * alignment), the caller's */
	size_t nblocks, nsubs;
	size_t *bound;                  /* block k: columns bound[k] .. bound[k+1]-1 */
	size_t *bsub;                   /* block k: sub-blocks bsub[k] .. bsub[k+1]-1 */
	size_t *sbound;                 /* sub-block x: columns sbound[x] .. sbound[x+1]-1 */
	uint32_t *sub;                  /* each column's sub-block */
	size_t *lstart;                 /* n + 1: column i's lower entries are
					 * lstart[i] .. lstart[i+1]-1 of all of them */
	size_t *coff;                   /* per sub-block and row chunk: where the
					 * chunk's entries go in the block's buffer */
	size_t maxlist;                 /* the largest block's entries */
	int nthreads;
	double *rsum, *csum;            /* R_i and C_j of the last sums */
	/* work space */
	size_t *cur;                    /* per row: its first entry in the block */
	size_t *sfill;                  /* per chunk and sub-block: next free slot */
	double *cpart;                  /* per chunk: its column sums of the block */
	struct lentry *raw;             /* a block's lower entries */
	struct spmotifs_thread *th;
	struct spmotifs_sub *ss;        /* per sub-block: its rows' sums */
};

/*
 * The plan for the structure (indptr, indices) of an n x n CSR matrix with
 * nnz entries, columns strictly increasing within a row and below n (as
 * npz.h delivers them): the lower-triangle counts, the blocks and the
 * work space of omp_get_max_threads() threads.  The arrays stay the
 * caller's and must outlive the plan.  Returns 0, or -1 when out of memory
 * (nothing to free then).
 */
int spmotifs_plan(struct spmotifs *p, size_t n, const int64_t *indptr,
		  const void *indices, size_t nnz);

/* The same with blocks of about block and sub-blocks of about sub lower
 * entries (0: the defaults), for tests. */
int spmotifs_plan_cut(struct spmotifs *p, size_t n, const int64_t *indptr,
		      const void *indices, size_t nnz, size_t block, size_t sub);

/*
 * The sums of motifs.h for the values data (nnz float64, little-endian,
 * any alignment) on the plan's structure.  Any number of value arrays may
 * follow one plan (the loops of a run record).  n >= 1.
 */
void spmotifs_sums(struct spmotifs *p, const void *data, struct motifs_sums *s);

void spmotifs_free(struct spmotifs *p);

#endif
