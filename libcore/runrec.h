/*
 * runrec: what a simulate-train run records in its run directory, step by
 * step and loop by loop (see forcenet-run(5)):
 *   weights.npy          (recorded loops, N, N) W after each recorded loop
 *                        (dense weights), or for sparse weights
 *   weights-values.npy   (recorded loops, P) the P plastic weights after
 *                        each recorded loop, in the input's CSR order, and
 *   plastic.npy          (P,) '<i8' their positions in the CSR data array
 *                        (also beside weights.npy when not every input is
 *                        trained: positions among W0's non-zero entries,
 *                        row by row);
 *   outputs.npy, inputs.npy  (loops, steps, observed neurons) r and I;
 *   spikes.csv           loop,step,neuron events of the observed neurons;
 *   dw.csv               loop,step,t,log_dw_norm every 10 training steps;
 *   currents.csv         the current components of the traced neurons;
 *   summary.csv          opened here, its rows written by summary.h.
 * Every file is written inside the (temporary) run directory dir and is
 * complete when runrec_close() returns.  Errors are fatal (err_die).
 *
 * A network split over processes (dist.h): one process writes the run
 * directory, with a sim whose arrays it has made whole for what is
 * recorded, and its own part of the net; struct runrec_whole gives the
 * plastic count of the whole network and writes what only the whole net
 * has (plastic.npy, the weights of a loop), with the other processes
 * taking part (runrec_writes_plastic() and runrec_writes_weights() tell
 * them when).
 */
#ifndef FORCENET_RUNREC_H
#define FORCENET_RUNREC_H

#include <stddef.h>
#include <stdio.h>

#include "net.h"
#include "npy.h"
#include "sim.h"
#include "summary.h"

enum {
	REC_WEIGHTS = 1, REC_OUTPUTS = 2, REC_INPUTS = 4, REC_SPIKES = 8,
	REC_DW = 16, REC_CURRENTS = 32
};

struct runrec_whole {
	size_t nplastic, nnz;       /* of the whole network */
	/* append every plastic weight's position (plastic.npy's values) */
	void (*positions)(void *ctx, struct npy_writer *w);
	/* append the weights after a loop: the plastic values (sparse), or
	 * the rows of the dense W */
	void (*weights)(void *ctx, struct npy_writer *w);
	void *ctx;
};

struct runrec_config {
	const char *dir;            /* the run directory being written */
	int record;                 /* REC_* flags */
	int f32;                    /* outputs and inputs as '<f4' */
	size_t n, steps, loops, stim;
	const size_t *observe;      /* observed neurons, increasing; NULL = all */
	size_t nobserve;
	const unsigned char *record_loop; /* loops whose weights are written;
					   * NULL = all */
	int sparse;                 /* weights-values.npy and plastic.npy */
	const size_t *indptr;       /* sparse: the input's CSR row starts */
	const size_t *trace;        /* neurons traced in currents.csv */
	size_t ntrace;
	double w0norm;              /* ||W0||_F, for dw.csv */
	int plain;                  /* files written in place (a run that can be
				     * resumed: the directory is the atomic one) */
	const struct runrec_whole *whole; /* NULL: the net is the whole
				     * network */
};

/* Where each file of the record stands, between two loops. */
struct runrec_pos {
	unsigned long long size[4];  /* summary, spikes, dw, currents: bytes */
	size_t written[3];           /* weights, outputs, inputs: values */
};

struct runrec {
	struct runrec_config cf;
	struct npy_writer ww, wo, wi;
	FILE *fsum, *fspk, *fdw, *fcur;
	double *buf;                /* dense W, or the observed values */
	char *line;                 /* a step's spike events */
	unsigned char *obs;         /* observed flags, NULL = all */
	size_t nrec_loops;
};

/* DIR/NAME (the caller frees). */
char *runrec_path(const char *dir, const char *name);

/* Create the file DIR/NAME, and finish it (flush and close, dying with
 * "DIR/NAME: write error" when a byte did not reach it). */
FILE *runrec_create(const char *dir, const char *name);
void runrec_finish(FILE *fp, const char *dir, const char *name);

/* Bytes runrec_open() allocates. */
size_t runrec_bytes(const struct runrec_config *cf, const struct net *net);

/* Open the run's files (summary.csv with sm's header). */
void runrec_open(struct runrec *rr, const struct runrec_config *cf, const struct net *net,
		 const struct summary *sm);

/* After sim_step() of step it of loop: outputs, inputs, spikes, currents,
 * and the dw.csv row of a training step. */
void runrec_step(struct runrec *rr, const struct sim *s, size_t loop, size_t it);

/* At the end of a loop: its weights, if recorded. */
void runrec_loop(struct runrec *rr, const struct sim *s, size_t loop);

/* Whether runrec_open() writes plastic.npy, and whether runrec_loop()
 * writes the weights of loop. */
int runrec_writes_plastic(const struct runrec_config *cf, const struct net *net);
int runrec_writes_weights(const struct runrec_config *cf, size_t loop);

/* Whether step it's dw.csv row is due (it trains and it % 10 == 0): the
 * step must compute dw2. */
int runrec_wants_dw(const struct runrec *rr, size_t it);
int runrec_dw_due(const struct runrec_config *cf, size_t it);

/* Flush every file and note where each stands (cf.plain). */
void runrec_mark(struct runrec *rr, struct runrec_pos *pos);

/*
 * runrec_open() for a run resumed from a checkpoint: the files of the
 * directory, written by a runrec_open() of the same configuration, are
 * cut back to pos and written on from there (summary.csv's header and
 * plastic.npy are already there).
 */
void runrec_resume(struct runrec *rr, const struct runrec_config *cf, const struct net *net,
		   const struct runrec_pos *pos);

/* Complete every file. */
void runrec_close(struct runrec *rr);

/*
 * Reading a run back: the loop of each of the count matrices of a weights
 * record in run directory dir, from its params.csv (loops and
 * record_loops, as --record-loops wrote them: "all", or loops and "last"
 * joined by '+'), into loops (count values, increasing).  Without
 * params.csv or its record_loops field (runs made elsewhere), loop k is
 * k.  Returns 0, or -1 with err (size errlen) set when params.csv cannot
 * be read or names another number of loops than count.
 */
int runrec_loop_numbers(const char *dir, size_t count, size_t *loops, char *err,
			size_t errlen);

#endif
