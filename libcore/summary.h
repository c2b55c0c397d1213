/*
 * summary: a loop's training summary, one row of summary.csv: spike rates
 * per population, and the mean squared error and the Pearson correlation
 * between each neuron's target t and recurrent input v over the steps
 * it > stim, averaged per population (QIF, LIF, all; a population without
 * neurons, or a neuron whose t or v is constant, counts as nan); when only
 * some neurons are trained, the error and correlation of the trained and
 * of the untrained neurons as well (four more columns).
 *
 * Two ways to the same statistics:
 *   buffered   v of every step is kept ((steps, n) doubles) and the loop's
 *              sums are taken at its end in two passes (means first), as
 *              the study's runs were summarised;
 *   streaming  nothing of size steps x n: the sums are taken step by step,
 *              the squares about the target's mean (known beforehand) and
 *              corrected for v's own mean at the end,
 *                  sum (v - mv)^2 = sum d^2 - (sum d)^2/c,
 *                  sum (t - mt)(v - mv) = sum (t - mt) d - (sum (t - mt)) (sum d)/c,
 *              with d = v - mt; the two differ in the last bits only (a v
 *              whose variance is below 1e-10 of its mean square about mt
 *              counts as constant).
 * summary_init() takes the buffered way when the buffer is at most
 * SUMMARY_BUFFER_BYTES.
 *
 * A network split over processes (dist.h): each process keeps the sums of
 * its block of neurons (a summary of those n neurons, whose target rows
 * start at the block's first neuron, buffered or not as the whole network
 * would be), takes their per-neuron statistics (summary_neurons()), and
 * the row is written from those of every neuron (summary_put() with the
 * whole network's n, nqif and trained flags).
 */
#ifndef FORCENET_SUMMARY_H
#define FORCENET_SUMMARY_H

#include <stddef.h>
#include <stdio.h>

#include "pool.h"

#define SUMMARY_BUFFER_BYTES ((size_t)256 << 20)

/* The target's row at a step (n values), valid until the next call. */
typedef const double *(*summary_row_fn)(void *ctx, size_t it);

struct summary {
	size_t n, nqif, steps, stim;
	double dt;
	int buffered;
	double *vbuf;          /* buffered: v of every step */
	double *mt;            /* the target's mean per neuron over it > stim */
	double *acc;           /* per-neuron sums (streaming: 6 a neuron, side
				* by side) */
	size_t nspk[2];        /* spikes of the loop: QIF, LIF */
	const unsigned char *trained; /* n flags, or NULL: every neuron trains */
	struct pool *pool;     /* the threads that summary_step() may share its
				* neurons among (NULL after summary_init(): the
				* caller's alone; the sums are the same) */
};

/* Write the header of summary.csv (with its newline). */
void summary_header(const struct summary *sm, FILE *fp);

/* Bytes summary_init() allocates. */
size_t summary_bytes(size_t n, size_t steps, int force_streaming);

/* Whether summary_init() takes the buffered way for n neurons. */
int summary_buffered(size_t n, size_t steps);

/*
 * Set up for n neurons (nqif QIF first), loops of steps steps with the
 * kick over the first stim (stim + 1 < steps), time step dt; row gives
 * the target (read here for its means).  force_streaming: the streaming
 * way whatever the size.  trained: NULL, or n flags of the neurons that
 * train (kept by pointer), for the trained/untrained columns.
 */
void summary_init(struct summary *sm, size_t n, size_t nqif, size_t steps, size_t stim,
		  double dt, summary_row_fn row, void *ctx, int force_streaming,
		  const unsigned char *trained);
void summary_free(struct summary *sm);

/* Start a loop. */
void summary_start(struct summary *sm);

/* Step it of the loop: t the target's row, v the recurrent input, nqif_spk
 * and nlif_spk the step's spikes per population. */
void summary_step(struct summary *sm, size_t it, const double *t, const double *v,
		  size_t nqif_spk, size_t nlif_spk);

/*
 * Write the loop's row "loop,phase,rates,mses,corrs" to fp; row gives the
 * target again (buffered way).  out: rate, mse and correlation of all
 * neurons.
 */
void summary_end(struct summary *sm, FILE *fp, size_t loop, const char *phase,
		 summary_row_fn row, void *ctx, double out[3]);

/*
 * The two halves of summary_end(): the loop's mean squared error and
 * correlation of each neuron (n each; nan where undefined), then the row
 * from those (of sm's n neurons) and the loop's spikes.
 */
void summary_neurons(struct summary *sm, summary_row_fn row, void *ctx, double *mse,
		     double *corr);
void summary_put(const struct summary *sm, FILE *fp, size_t loop, const char *phase,
		 const double *mse, const double *corr, double out[3]);

#endif
