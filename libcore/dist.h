/*
 * dist: one network across the processes of an MPI job, by blocks of
 * neurons (simulate-train-mpi, started by mpirun or by Slurm's srun).
 *
 * Process k of R owns the neurons lo .. hi-1, lo = floor(k N / R) and
 * hi = floor((k+1) N / R) (blocks of equal size to within one neuron): their
 * incoming weights (a net of those rows, net.h), their RLS matrices, state
 * and errors (sim.h); process 0 writes the run directory.  This module is
 * all that the tool does with MPI:
 *   - the exchanges of a step (dist_sim_split() fills a struct sim_split):
 *     the spikes as neuron indices (MPI_Allgather of the counts and a
 *     status, then MPI_Allgatherv), whether any block's RLS blew up
 *     (MPI_Allreduce), and a sum over every neuron in the single process's
 *     order (each process goes on with the running sum of the one before
 *     and hands it to the next: 8 bytes per process, no reduction whose
 *     order could change the bits);
 *   - what process 0 records: values of every neuron (MPI_Gatherv), values
 *     of chosen neurons (observed, traced), and each block's weights or
 *     positions streamed in block order into a writer (process 0 holds at
 *     most a chunk of another block's share at a time);
 *   - failures: a phase that every process runs on its own (parsing,
 *     reading its inputs, creating the run directory) is run under
 *     DIST_TRY() and closed by dist_settle(): if any process failed there,
 *     the first of them prints its message, every process removes its
 *     pending outputs (atomic.h) and all exit with that status.  A failure
 *     that every process sees at once (a blow-up) ends them all through
 *     dist_fail(), with one message.  After dist_run(), any other failure
 *     prints its message, removes that process's outputs and ends the job
 *     (MPI_Abort; the others' outputs go with the signal that ends them).
 *
 * Built without FORCENET_MPI (the plain tools, no MPI at all) it is one
 * process of one: every call is local, and the tool's code is the same.
 * Errors of MPI itself end the job (MPI's default handler).
 */
#ifndef FORCENET_DIST_H
#define FORCENET_DIST_H

#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>

#include "npy.h"
#include "sim.h"

struct dist {
	int rank, size;       /* this process, of size */
	int node_size;        /* processes on this machine (they share its
			       * memory) */
	size_t n, lo, hi;     /* neurons (dist_split()); this block */
	double t_wait;        /* seconds waiting for the others at a step's
			       * first exchange (their work took longer) */
	double t_comm;        /* seconds in the exchanges otherwise */
	size_t bytes_comm;    /* bytes this process received in them */
	/* private */
	size_t *start;        /* size + 1 block starts */
	int *counts, *displs; /* size each: scratch of the gathers */
	int *both;            /* 2 size: the step's spike counts, statuses */
	int quiet_fd;         /* stderr while quiet */
	jmp_buf jb;
	int failed, status, running;
	char msg[4096];
};

/* Start (MPI_Init_thread, funnelled: only the caller's thread talks) and
 * make sure that MPI is finalised at exit.  Processes other than 0 write
 * nothing on stdout (--help and --version come once). */
void dist_init(struct dist *d, int *argc, char ***argv);

/*
 * A phase run by every process on its own (no exchange inside):
 *     if (DIST_TRY(d)) { ... }
 *     dist_settle(d);
 * A failure (err_die(), err_usage()) in the braces jumps to their end and
 * dist_settle() ends every process as above; nothing changes with one
 * process (the failure prints and exits as usual).
 */
jmp_buf *dist_guard(struct dist *d);
#define DIST_TRY(d) (setjmp(*dist_guard(d)) == 0)
void dist_settle(struct dist *d);

/*
 * Quiet (on) or not: while quiet, processes other than 0 write nothing on
 * stderr (for what every process does alike, such as parsing the options:
 * their messages come once, from process 0).
 */
void dist_quiet(struct dist *d, int on);

/*
 * The blocks of n neurons: lo and hi of this process.  More processes than
 * neurons is a usage error (exit 2).
 */
void dist_split(struct dist *d, size_t n);

/* From here on, a failure of one process ends the job (see above). */
void dist_run(struct dist *d);

/* A failure that every process has seen: process 0 prints the message
 * ("tool: ..."), all remove their pending outputs and exit with status. */
_Noreturn void dist_fail(struct dist *d, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The sum of every process's v, and the sum of those of the processes
 * before this one. */
size_t dist_total(struct dist *d, size_t v);
size_t dist_before(struct dist *d, size_t v);

/*
 * The values of every neuron in process 0 (all: n values; elsewhere
 * unused), from each block's mine (hi - lo values); returns all in process
 * 0 (mine with one process), NULL elsewhere.
 */
const double *dist_gather(struct dist *d, const double *mine, double *all);

/*
 * Values at chosen neurons, idx[0 .. k-1] increasing (NULL: every neuron):
 * dist_pick_gather() puts all[idx[x]] in process 0 from each block's mine
 * (hi - lo values, by neuron of the block), and returns all (mine with one
 * process), NULL elsewhere.  idx is kept by pointer.
 */
struct dist_pick;
struct dist_pick *dist_pick_new(struct dist *d, const size_t *idx, size_t k);
const double *dist_pick_gather(struct dist *d, struct dist_pick *p, const double *mine,
			       double *all);
void dist_pick_free(struct dist_pick *p);

/*
 * Append every block's count values a, in block order, to w, which
 * process 0 holds (NULL elsewhere).
 */
void dist_stream_f64(struct dist *d, const double *a, size_t count, struct npy_writer *w);
void dist_stream_i64(struct dist *d, const int64_t *a, size_t count, struct npy_writer *w);

/* The exchanges of a step of sim.h for this block (d kept by pointer). */
void dist_sim_split(struct dist *d, struct sim_split *sp);

void dist_free(struct dist *d);

#endif
