/* dist: see dist.h.  One file, two builds: with FORCENET_MPI (mpicc, for
 * simulate-train-mpi) and without (one process; in libcore). */
#include "dist.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic.h"
#include "err.h"

/* Neuron k N / R: the start of block k. */
static size_t block_start(size_t n, int k, int size)
{
	return (size_t)((unsigned __int128)n * (unsigned)k / (unsigned)size);
}

void dist_split(struct dist *d, size_t n)
{
	if ((size_t)d->size > n)
		err_die(EXIT_USAGE, "N = %zu neurons cannot be split over %d processes "
			"(one neuron per process at least)", n, d->size);
	d->n = n;
	free(d->start);
	d->start = err_malloc(((size_t)d->size + 1) * sizeof *d->start);
	for (int k = 0; k <= d->size; k++)
		d->start[k] = block_start(n, k, d->size);
	d->lo = d->start[d->rank];
	d->hi = d->start[d->rank + 1];
}

void dist_fail(struct dist *d, int status, const char *fmt, ...)
{
	va_list ap;

	err_set_handler(NULL);
	if (d->rank == 0) {
		va_start(ap, fmt);
		err_vwarn(fmt, ap);
		va_end(ap);
	}
	atomic_abort_all();
	exit(status);
}

struct dist_pick {
	const size_t *idx;     /* NULL: every neuron */
	size_t k, x0, x1;      /* idx[x0 .. x1-1] are this block's */
	int *counts, *displs;  /* per process */
	double *send, *recv;
};

#ifdef FORCENET_MPI
#include <fcntl.h>
#include <mpi.h>
#include <unistd.h>

enum { TAG_CHAIN = 1, TAG_STREAM = 2 };
/* Values per message of a stream. */
#define DIST_CHUNK ((size_t)1 << 20)

/* The dist of the failure handlers (one per process). */
static struct dist *cur;

static void finalize(void)
{
	int init = 0, done = 0;

	MPI_Initialized(&init);
	if (init)
		MPI_Finalized(&done);
	if (init && !done)
		MPI_Finalize();
}

void dist_init(struct dist *d, int *argc, char ***argv)
{
	int provided;
	MPI_Comm node;

	memset(d, 0, sizeof *d);
	MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
	atexit(finalize);
	MPI_Comm_rank(MPI_COMM_WORLD, &d->rank);
	MPI_Comm_size(MPI_COMM_WORLD, &d->size);
	MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node);
	MPI_Comm_size(node, &d->node_size);
	MPI_Comm_free(&node);
	if (d->rank != 0 && !freopen("/dev/null", "w", stdout))
		fclose(stdout);
	d->counts = err_malloc((size_t)d->size * sizeof *d->counts);
	d->displs = err_malloc((size_t)d->size * sizeof *d->displs);
	d->both = err_malloc(2 * (size_t)d->size * sizeof *d->both);
	d->quiet_fd = -1;
	cur = d;
}

void dist_quiet(struct dist *d, int on)
{
	if (d->rank == 0)
		return;
	fflush(stderr);
	if (on && d->quiet_fd < 0) {
		int null = open("/dev/null", O_WRONLY);

		d->quiet_fd = dup(2);
		if (null >= 0) {
			dup2(null, 2);
			close(null);
		}
	} else if (!on && d->quiet_fd >= 0) {
		dup2(d->quiet_fd, 2);
		close(d->quiet_fd);
		d->quiet_fd = -1;
	}
}

/* In a DIST_TRY() phase: keep the message for dist_settle(). */
static void guard_handler(int status, const char *msg)
{
	cur->failed = 1;
	cur->status = status;
	snprintf(cur->msg, sizeof cur->msg, "%s", msg);
	longjmp(cur->jb, 1);
}

jmp_buf *dist_guard(struct dist *d)
{
	cur = d;
	if (d->size > 1)
		err_set_handler(guard_handler);
	return &d->jb;
}

static void abort_handler(int status, const char *msg);

void dist_settle(struct dist *d)
{
	int mine = d->failed ? d->rank : d->size, first, status = d->status;

	err_set_handler(d->running && d->size > 1 ? abort_handler : NULL);
	if (d->size == 1)
		return;
	MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
	if (first == d->size)
		return;
	MPI_Bcast(&status, 1, MPI_INT, first, MPI_COMM_WORLD);
	if (d->rank == first)
		fputs(d->msg, stderr);
	atomic_abort_all();
	exit(status);
}

static void abort_handler(int status, const char *msg)
{
	fputs(msg, stderr);
	atomic_abort_all();
	MPI_Abort(MPI_COMM_WORLD, status);
}

void dist_run(struct dist *d)
{
	d->running = 1;
	if (d->size > 1)
		err_set_handler(abort_handler);
}

size_t dist_total(struct dist *d, size_t v)
{
	uint64_t in = v, out = 0;

	MPI_Allreduce(&in, &out, 1, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
	(void)d;
	return (size_t)out;
}

size_t dist_before(struct dist *d, size_t v)
{
	uint64_t in = v, out = 0;

	MPI_Exscan(&in, &out, 1, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
	/* MPI leaves process 0's result undefined */
	return d->rank ? (size_t)out : 0;
}

/* counts and displs of the blocks (neurons, each process's share). */
static void block_counts(struct dist *d)
{
	for (int k = 0; k < d->size; k++) {
		d->counts[k] = (int)(d->start[k + 1] - d->start[k]);
		d->displs[k] = (int)d->start[k];
	}
}

const double *dist_gather(struct dist *d, const double *mine, double *all)
{
	double t0 = MPI_Wtime();

	if (d->size == 1)
		return mine;
	block_counts(d);
	MPI_Gatherv(mine, (int)(d->hi - d->lo), MPI_DOUBLE, all, d->counts, d->displs, MPI_DOUBLE,
		    0, MPI_COMM_WORLD);
	d->t_comm += MPI_Wtime() - t0;
	if (d->rank == 0)
		d->bytes_comm += (d->n - (d->hi - d->lo)) * sizeof(double);
	return d->rank == 0 ? all : NULL;
}

struct dist_pick *dist_pick_new(struct dist *d, const size_t *idx, size_t k)
{
	struct dist_pick *p = err_calloc(1, sizeof *p);

	p->idx = idx;
	p->k = idx ? k : d->n;
	if (!idx || d->size == 1)
		return p;
	p->counts = err_malloc((size_t)d->size * sizeof *p->counts);
	p->displs = err_malloc((size_t)d->size * sizeof *p->displs);
	/* idx increasing: block r's are those below its end, after block r-1's */
	for (int r = 0, x = 0; r < d->size; r++) {
		size_t e = (size_t)x;

		while (e < k && idx[e] < d->start[r + 1])
			e++;
		p->displs[r] = x;
		p->counts[r] = (int)(e - (size_t)x);
		if (r == d->rank) {
			p->x0 = (size_t)x;
			p->x1 = e;
		}
		x = (int)e;
	}
	p->send = err_malloc((p->x1 - p->x0 + 1) * sizeof *p->send);
	if (d->rank == 0)
		p->recv = err_malloc((k + 1) * sizeof *p->recv);
	return p;
}

const double *dist_pick_gather(struct dist *d, struct dist_pick *p, const double *mine,
			       double *all)
{
	double t0;

	if (d->size == 1)
		return mine;
	if (!p->idx)
		return dist_gather(d, mine, all);
	t0 = MPI_Wtime();
	for (size_t x = p->x0; x < p->x1; x++)
		p->send[x - p->x0] = mine[p->idx[x] - d->lo];
	MPI_Gatherv(p->send, (int)(p->x1 - p->x0), MPI_DOUBLE, p->recv, p->counts, p->displs,
		    MPI_DOUBLE, 0, MPI_COMM_WORLD);
	d->t_comm += MPI_Wtime() - t0;
	if (d->rank != 0)
		return NULL;
	d->bytes_comm += (p->k - (p->x1 - p->x0)) * sizeof(double);
	for (size_t x = 0; x < p->k; x++)
		all[p->idx[x]] = p->recv[x];
	return all;
}

static void put_f64(struct npy_writer *w, const void *a, size_t n)
{
	npy_write(w, a, n);
}

static void put_i64(struct npy_writer *w, const void *a, size_t n)
{
	npy_write_i64(w, a, n);
}

/*
 * Process 0 writes its own values, then asks each other process in turn
 * for theirs (one at a time: nothing waits in its memory unasked), in
 * messages of DIST_CHUNK values.
 */
static void stream(struct dist *d, const void *a, size_t count, size_t esize, MPI_Datatype type,
		   void (*put)(struct npy_writer *, const void *, size_t), struct npy_writer *w)
{
	double t0 = MPI_Wtime();

	if (d->rank == 0) {
		char *buf = err_malloc(DIST_CHUNK * esize);

		put(w, a, count);
		for (int k = 1; k < d->size; k++) {
			uint64_t cnt;
			int go = 1;

			MPI_Send(&go, 1, MPI_INT, k, TAG_STREAM, MPI_COMM_WORLD);
			MPI_Recv(&cnt, 1, MPI_UINT64_T, k, TAG_STREAM, MPI_COMM_WORLD,
				 MPI_STATUS_IGNORE);
			for (uint64_t done = 0; done < cnt;) {
				size_t m = cnt - done < DIST_CHUNK ? (size_t)(cnt - done) : DIST_CHUNK;

				MPI_Recv(buf, (int)m, type, k, TAG_STREAM, MPI_COMM_WORLD,
					 MPI_STATUS_IGNORE);
				put(w, buf, m);
				done += m;
				d->bytes_comm += m * esize;
			}
		}
		free(buf);
	} else {
		uint64_t cnt = count;
		int go;

		MPI_Recv(&go, 1, MPI_INT, 0, TAG_STREAM, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
		MPI_Send(&cnt, 1, MPI_UINT64_T, 0, TAG_STREAM, MPI_COMM_WORLD);
		for (size_t done = 0; done < count;) {
			size_t m = count - done < DIST_CHUNK ? count - done : DIST_CHUNK;

			MPI_Send((const char *)a + done * esize, (int)m, type, 0, TAG_STREAM,
				 MPI_COMM_WORLD);
			done += m;
		}
	}
	d->t_comm += MPI_Wtime() - t0;
}

void dist_stream_f64(struct dist *d, const double *a, size_t count, struct npy_writer *w)
{
	stream(d, a, count, sizeof *a, MPI_DOUBLE, put_f64, w);
}

void dist_stream_i64(struct dist *d, const int64_t *a, size_t count, struct npy_writer *w)
{
	stream(d, a, count, sizeof *a, MPI_INT64_T, put_i64, w);
}

/* The step's spikes (sim_split's spikes): the counts and statuses of
 * every block, then, when all are well, the indices. */
static int split_spikes(void *ctx, const uint32_t *mine, size_t nmine, int status,
			uint32_t *all, size_t *nall)
{
	struct dist *d = ctx;
	int my[2] = { (int)nmine, status }, *both = d->both, worst = 0, total = 0;
	double t0 = MPI_Wtime(), t1;

	/* the first exchange of a step waits for the slowest block */
	MPI_Allgather(my, 2, MPI_INT, both, 2, MPI_INT, MPI_COMM_WORLD);
	t1 = MPI_Wtime();
	d->t_wait += t1 - t0;
	for (int k = 0; k < d->size; k++) {
		d->counts[k] = both[2 * k];
		d->displs[k] = total;
		total += both[2 * k];
		if (both[2 * k + 1] > worst)
			worst = both[2 * k + 1];
	}
	if (worst == 0) {
		MPI_Allgatherv(mine, (int)nmine, MPI_UINT32_T, all, d->counts, d->displs,
			       MPI_UINT32_T, MPI_COMM_WORLD);
		*nall = (size_t)total;
		d->bytes_comm += ((size_t)total - nmine) * sizeof *all +
				 2 * (size_t)(d->size - 1) * sizeof(int);
	}
	d->t_comm += MPI_Wtime() - t1;
	return worst;
}

static int split_status(void *ctx, int status)
{
	struct dist *d = ctx;
	int worst;
	double t0 = MPI_Wtime();

	MPI_Allreduce(&status, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
	d->t_comm += MPI_Wtime() - t0;
	return worst;
}

/* The running sum from the block before, on through this one, to the next;
 * the last hands the whole sum to process 0. */
static double split_sum(void *ctx, const double *a, size_t rows)
{
	struct dist *d = ctx;
	double s = 0, t0 = MPI_Wtime();

	if (d->rank > 0)
		MPI_Recv(&s, 1, MPI_DOUBLE, d->rank - 1, TAG_CHAIN, MPI_COMM_WORLD,
			 MPI_STATUS_IGNORE);
	for (size_t i = 0; i < rows; i++)
		s += a[i];
	if (d->rank + 1 < d->size)
		MPI_Send(&s, 1, MPI_DOUBLE, d->rank + 1, TAG_CHAIN, MPI_COMM_WORLD);
	else if (d->rank > 0)
		MPI_Send(&s, 1, MPI_DOUBLE, 0, TAG_CHAIN, MPI_COMM_WORLD);
	if (d->rank == 0 && d->size > 1)
		MPI_Recv(&s, 1, MPI_DOUBLE, d->size - 1, TAG_CHAIN, MPI_COMM_WORLD,
			 MPI_STATUS_IGNORE);
	d->t_comm += MPI_Wtime() - t0;
	return s;
}

#else /* one process */

void dist_init(struct dist *d, int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	memset(d, 0, sizeof *d);
	d->size = d->node_size = 1;
}

jmp_buf *dist_guard(struct dist *d)
{
	return &d->jb;
}

void dist_settle(struct dist *d)
{
	(void)d;
}

void dist_run(struct dist *d)
{
	d->running = 1;
}

size_t dist_total(struct dist *d, size_t v)
{
	(void)d;
	return v;
}

size_t dist_before(struct dist *d, size_t v)
{
	(void)d;
	(void)v;
	return 0;
}

const double *dist_gather(struct dist *d, const double *mine, double *all)
{
	(void)d;
	(void)all;
	return mine;
}

struct dist_pick *dist_pick_new(struct dist *d, const size_t *idx, size_t k)
{
	struct dist_pick *p = err_calloc(1, sizeof *p);

	(void)d;
	p->idx = idx;
	p->k = k;
	return p;
}

const double *dist_pick_gather(struct dist *d, struct dist_pick *p, const double *mine,
			       double *all)
{
	(void)d;
	(void)p;
	(void)all;
	return mine;
}

void dist_stream_f64(struct dist *d, const double *a, size_t count, struct npy_writer *w)
{
	(void)d;
	npy_write(w, a, count);
}

void dist_stream_i64(struct dist *d, const int64_t *a, size_t count, struct npy_writer *w)
{
	(void)d;
	npy_write_i64(w, a, count);
}

void dist_quiet(struct dist *d, int on)
{
	(void)d;
	(void)on;
}

static int split_spikes(void *ctx, const uint32_t *mine, size_t nmine, int status,
			uint32_t *all, size_t *nall)
{
	(void)ctx;
	if (status == 0) {
		memmove(all, mine, nmine * sizeof *all);
		*nall = nmine;
	}
	return status;
}

static int split_status(void *ctx, int status)
{
	(void)ctx;
	return status;
}

static double split_sum(void *ctx, const double *a, size_t rows)
{
	double s = 0;

	(void)ctx;
	for (size_t i = 0; i < rows; i++)
		s += a[i];
	return s;
}

#endif

void dist_pick_free(struct dist_pick *p)
{
	if (!p)
		return;
	free(p->counts);
	free(p->displs);
	free(p->send);
	free(p->recv);
	free(p);
}

void dist_sim_split(struct dist *d, struct sim_split *sp)
{
	*sp = (struct sim_split){ .lo = d->lo, .rows = d->hi - d->lo, .spikes = split_spikes,
				  .status = split_status, .sum = split_sum, .ctx = d };
}

void dist_free(struct dist *d)
{
	free(d->start);
	free(d->counts);
	free(d->displs);
	free(d->both);
	d->start = NULL;
	d->counts = d->displs = d->both = NULL;
}
