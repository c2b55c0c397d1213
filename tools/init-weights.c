/*
 * init-weights: the initial recurrent weights of the FORCE study.
 *
 * Row i holds the weights onto neuron i (row = postsynaptic).  Two ways to
 * place the connections:
 *  -p P  the notebook's: exactly k = round(p N^2) distinct positions of the
 *        N x N matrix are drawn uniformly without replacement (as
 *        scipy.sparse.random does, not a coin per entry), each gets a
 *        standard normal value, the diagonal is zeroed (no autapses), and
 *        everything is scaled by gsyn / sqrt(p N).  All draws come from the
 *        seed's RNG_WEIGHTS stream: positions first, then values.  Drawing
 *        positions among N^2 takes O(N^2) time: N is at most MAX_N.
 *  -K K  a fixed in-degree, for large networks: row i gets exactly K
 *        entries, at columns drawn uniformly without replacement among the
 *        N - 1 other neurons (rng_sample_few), with standard normal values
 *        (in the order of the sorted columns) scaled by gsyn / sqrt(K).
 *        Row i draws from its own sub-stream (seed, RNG_WEIGHTS, i), columns
 *        then values, so that rows are drawn in parallel and give the same
 *        bytes for any number of threads.  O(N K) time and memory: nothing
 *        of size N^2.
 * Either way the entries of every row are then centred on their mean, so
 * that rows sum to 0.  The matrix is written as a dense .npy (N at most
 * MAX_N) or as SciPy's CSR .npz (npz.h), chosen by the output's name.
 */
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "atomic.h"
#include "err.h"
#include "npy.h"
#include "npz.h"
#include "opts.h"
#include "rng.h"

/* 30000^2 doubles are 7.2 GB: a dense matrix, or positions drawn among N^2,
 * beyond that is out of reach. */
#define MAX_N 30000

enum { OPT_GSYN = OPT_TOOL, OPT_F32, OPT_FORMAT, OPT_THREADS };
enum format { FMT_AUTO, FMT_NPY, FMT_NPZ };

struct options {
	struct opts_common c;
	long long n, k, threads;
	double p, gsyn;
	int f32, p_given;
	enum format format;
};

static void usage(FILE *fp)
{
	fprintf(fp,
"Usage: init-weights [OPTION]...\n"
"Write a random sparse N x N weight matrix (row i = weights onto neuron i):\n"
"round(p N^2) positions drawn without replacement (-p), or exactly K inputs per\n"
"neuron drawn among the N-1 others (-K); standard normal values, zero diagonal,\n"
"scaled by gsyn/sqrt(p N) (or gsyn/sqrt(K)), entries of each row centred (rows\n"
"sum to 0).  A dense .npy, or SciPy's CSR .npz when FILE ends in .npz.\n"
"\n"
"  -N N              neurons (default 200; at most %d with -p or a .npy)\n"
"  -p P              connection density, in (0, 1] (default 0.3)\n"
"  -K K              fixed in-degree instead: K inputs per neuron, 2 <= K < N\n"
"      --gsyn G      coupling strength (default 0.5)\n"
"      --seed S      seed of every draw (default 0)\n"
"  -o, --output FILE the weight matrix (default '-', stdout; a .npz needs a FILE)\n"
"      --format F    npy or npz (default: npz if FILE ends in .npz, else npy)\n"
"      --float32     write '<f4' instead of '<f8' (.npy only)\n"
"      --threads T   threads drawing the rows of -K (default 1); the bytes do\n"
"                    not depend on it\n"
"  -q, --quiet       no notes on stderr\n"
"  -h, --help        this help\n"
"  -V, --version     version\n"
"\n"
"Examples: init-weights -N 200 -p 0.3 --gsyn 0.5 --seed 1 -o weights.npy\n"
"          init-weights -N 1000000 -K 1000 --threads 2 -o weights.npz\n"
"See init-weights(1), forcenet-npy(5) and forcenet-npz(5).\n", MAX_N);
}

static void parse_command_line(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		OPTS_LONG_BASE,
		OPTS_LONG_SEED,
		{ "gsyn", required_argument, NULL, OPT_GSYN },
		{ "float32", no_argument, NULL, OPT_F32 },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "threads", required_argument, NULL, OPT_THREADS },
		OPTS_LONG_END
	};
	int code;
	size_t len;

	o->c.usage = usage;
	o->c.output = "-";
	o->n = 200;
	o->p = 0.3;
	o->gsyn = 0.5;
	o->threads = 1;
	while ((code = getopt_long(argc, argv, OPTS_SHORT "N:p:K:", longopts, NULL)) != -1) {
		switch (code) {
		case 'N': o->n = opts_int("-N", optarg, 1, INT32_MAX); break;
		case 'p': o->p = opts_double("-p", optarg, 0, 1); o->p_given = 1; break;
		case 'K': o->k = opts_int("-K", optarg, 1, INT32_MAX); break;
		case OPT_GSYN: o->gsyn = opts_double("--gsyn", optarg, 0, 1e6); break;
		case OPT_F32: o->f32 = 1; break;
		case OPT_FORMAT:
			if (!strcmp(optarg, "npy"))
				o->format = FMT_NPY;
			else if (!strcmp(optarg, "npz"))
				o->format = FMT_NPZ;
			else
				err_usage("--format: '%s' is neither npy nor npz", optarg);
			break;
		case OPT_THREADS: o->threads = opts_int("--threads", optarg, 1, 1024); break;
		default: opts_common(&o->c, code, optarg);
		}
	}
	if (optind < argc)
		err_usage("unexpected argument '%s'", argv[optind]);
	if (o->p <= 0)
		err_usage("-p: %g is out of range (0, 1]", o->p);
	if (o->p_given && o->k)
		err_usage("-p and -K exclude each other: give one");
	len = strlen(o->c.output);
	if (o->format == FMT_AUTO)
		o->format = len > 4 && !strcmp(o->c.output + len - 4, ".npz") ? FMT_NPZ : FMT_NPY;
	if (o->format == FMT_NPZ && !strcmp(o->c.output, "-"))
		err_usage("a .npz cannot go to standard output: give -o FILE.npz");
	if (o->format == FMT_NPZ && o->f32)
		err_usage("--float32: for .npy only (a .npz holds float64)");
	if (o->k == 1)
		err_usage("-K: 1 input per neuron is centred to 0: K must be at least 2");
	if (o->k && o->k >= o->n)
		err_usage("-K: %lld must be less than N = %lld (the inputs are drawn among "
			  "the N - 1 other neurons)", o->k, o->n);
	if (!o->k && o->n > MAX_N)
		err_usage("-p: N = %lld is too large to draw round(p N^2) positions "
			  "(at most %d): use -K for large networks", o->n, MAX_N);
	if (o->format == FMT_NPY && o->n > MAX_N)
		err_usage("-N: %lld is too large for a dense .npy (at most %d): write a .npz",
			  o->n, MAX_N);
}

/* Subtract from each of the cnt values their mean (the mean of a row's
 * non-zero entries, summed in column order). */
static void centre(double *v, size_t cnt)
{
	double sum = 0, mean;

	if (!cnt)
		return;
	for (size_t j = 0; j < cnt; j++)
		sum += v[j];
	mean = sum / (double)cnt;
	for (size_t j = 0; j < cnt; j++)
		v[j] -= mean;
}

/*
 * -p as CSR: the dense path's draws and arithmetic entry for entry (drawn
 * positions, row-major; values in the same order; diagonal and zero values
 * dropped), so that the two give the same matrix.
 */
static void csr_density(const struct options *o, struct npz_csr *m)
{
	size_t n = (size_t)o->n, k = (size_t)llround(o->p * (double)n * (double)n), nnz = 0;
	size_t *pos = err_malloc((k ? k : 1) * sizeof *pos);
	double scale = o->gsyn / sqrt(o->p * (double)n);
	rng_t *rng = rng_new(o->c.seed, RNG_WEIGHTS);

	m->nrows = m->ncols = n;
	m->indptr = err_calloc(n + 1, sizeof *m->indptr);
	m->indices = err_malloc((k ? k : 1) * sizeof *m->indices);
	m->data = err_malloc((k ? k : 1) * sizeof *m->data);
	rng_sample_sorted(rng, n * n, k, pos);
	for (size_t j = 0; j < k; j++) {
		size_t row = pos[j] / n, col = pos[j] % n;
		double v = rng_normal(rng) * scale;

		if (row == col || v == 0)
			continue;
		m->indices[nnz] = (int32_t)col;
		m->data[nnz++] = v;
		m->indptr[row + 1]++;
	}
	rng_free(rng);
	free(pos);
	for (size_t i = 0; i < n; i++)
		m->indptr[i + 1] += m->indptr[i];
	/* centre each row; an entry centred to 0 (the only one of its row) is
	 * no connection, as in the dense matrix: drop it */
	nnz = 0;
	for (size_t i = 0; i < n; i++) {
		int64_t from = m->indptr[i], to = m->indptr[i + 1];

		centre(m->data + from, (size_t)(to - from));
		m->indptr[i] = (int64_t)nnz;
		for (int64_t e = from; e < to; e++)
			if (m->data[e] != 0) {
				m->indices[nnz] = m->indices[e];
				m->data[nnz++] = m->data[e];
			}
	}
	m->indptr[n] = (int64_t)nnz;
	m->nnz = nnz;
}


/* -K: row i from its own sub-stream (see the top of the file). */
static void csr_indegree(const struct options *o, struct npz_csr *m)
{
	size_t n = (size_t)o->n, k = (size_t)o->k;
	double scale = o->gsyn / sqrt((double)k);

	m->nrows = m->ncols = n;
	m->nnz = n * k;
	m->indptr = err_malloc((n + 1) * sizeof *m->indptr);
	m->indices = err_malloc_huge(m->nnz * sizeof *m->indices);
	m->data = err_malloc_huge(m->nnz * sizeof *m->data);
	for (size_t i = 0; i <= n; i++)
		m->indptr[i] = (int64_t)(i * k);
	omp_set_num_threads((int)o->threads);
#pragma omp parallel
	{
		rng_sample_ws_t *ws = rng_sample_ws_new(k);
		rng_t *rng = rng_new(o->c.seed, RNG_WEIGHTS);

#pragma omp for schedule(dynamic, 64)
		for (size_t i = 0; i < n; i++) {
			/* (int32_t and uint32_t may alias each other) */
			uint32_t *col = (uint32_t *)(m->indices + i * k);
			double *val = m->data + i * k;

			rng_reseed_sub(rng, o->c.seed, RNG_WEIGHTS, i);
			rng_sample_few(rng, (uint32_t)(n - 1), (uint32_t)k, col, ws);
			/* the others of i are 0 .. i-1, i+1 .. N-1 */
			for (size_t x = 0; x < k; x++)
				col[x] += col[x] >= i;
			rng_normals(rng, val, k);
			for (size_t x = 0; x < k; x++)
				val[x] *= scale;
			centre(val, k);
		}
		rng_free(rng);
		rng_sample_ws_free(ws);
	}
}

/* The dense form of a CSR matrix, for a .npy. */
static double *densify(const struct npz_csr *m)
{
	double *w = err_calloc(m->nrows * m->ncols, sizeof *w);

	for (size_t i = 0; i < m->nrows; i++)
		for (int64_t e = m->indptr[i]; e < m->indptr[i + 1]; e++)
			w[i * m->ncols + (size_t)m->indices[e]] = m->data[e];
	return w;
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	size_t n, nn, k, *pos;
	double *w, scale;
	rng_t *rng;

	err_init(argv);
	parse_command_line(argc, argv, &o);
	atomic_signals();
	if (o.k || o.format == FMT_NPZ) {
		struct npz_csr m;

		if (o.k)
			csr_indegree(&o, &m);
		else
			csr_density(&o, &m);
		if (o.format == FMT_NPZ) {
			npz_save(o.c.output, &m, 0);
		} else {
			w = densify(&m);
			npy_save(o.c.output, o.f32 ? NPY_F4 : NPY_F8, 2,
				 (size_t[]){ m.nrows, m.ncols }, w);
			free(w);
		}
		npz_csr_free(&m);
		opts_free(&o.c);
		return EXIT_OK;
	}
	/* The notebook's -p as a dense .npy: kept as it was written, byte for
	 * byte (csr_density draws the same matrix). */
	n = (size_t)o.n;
	nn = n * n;
	k = (size_t)llround(o.p * (double)nn);

	w = err_calloc(nn, sizeof *w);
	pos = err_malloc(k * sizeof *pos);
	rng = rng_new(o.c.seed, RNG_WEIGHTS);
	rng_sample_sorted(rng, nn, k, pos);
	for (size_t j = 0; j < k; j++)
		w[pos[j]] = rng_normal(rng);
	rng_free(rng);
	free(pos);

	scale = o.gsyn / sqrt(o.p * (double)n);
	for (size_t i = 0; i < n; i++) {
		double *row = w + i * n, sum = 0;
		size_t cnt = 0;

		row[i] = 0;
		for (size_t j = 0; j < n; j++) {
			row[j] *= scale;
			if (row[j] != 0) {
				sum += row[j];
				cnt++;
			}
		}
		if (cnt) {
			double mean = sum / (double)cnt;

			for (size_t j = 0; j < n; j++)
				if (row[j] != 0)
					row[j] -= mean;
		}
	}
	npy_save(o.c.output, o.f32 ? NPY_F4 : NPY_F8, 2, (size_t[]){ n, n }, w);
	free(w);
	opts_free(&o.c);
	return EXIT_OK;
}
