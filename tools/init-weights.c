/*
 * init-weights: the initial recurrent weights of the FORCE study.
 *
 * Exactly k = round(p N^2) distinct positions of the N x N matrix are drawn
 * uniformly without replacement (as scipy.sparse.random does, not a coin per
 * entry), each gets a standard normal value, the diagonal is zeroed (no
 * autapses), everything is scaled by gsyn / sqrt(p N), and the non-zero
 * entries of every row are centred on their mean, so that rows sum to 0.
 * Row i holds the weights onto neuron i (row = postsynaptic).  All draws come
 * from the seed's RNG_WEIGHTS stream: positions first, then values.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "atomic.h"
#include "err.h"
#include "npy.h"
#include "opts.h"
#include "rng.h"

/* 30000^2 doubles are 7.2 GB: beyond that a run could not train anyway. */
#define MAX_N 30000

enum { OPT_GSYN = OPT_TOOL, OPT_F32 };

struct options {
	struct opts_common c;
	long long n;
	double p, gsyn;
	int f32;
};

static void usage(FILE *fp)
{
	fprintf(fp,
"Usage: init-weights [OPTION]...\n"
"Write a random sparse N x N weight matrix as .npy (row i = weights onto neuron i):\n"
"round(p N^2) positions drawn without replacement, standard normal values, zero\n"
"diagonal, scaled by gsyn/sqrt(p N), non-zeros of each row centred (rows sum to 0).\n"
"\n"
"  -N N              neurons (default 200, at most %d)\n"
"  -p P              connection density, in (0, 1] (default 0.3)\n"
"      --gsyn G      coupling strength (default 0.5)\n"
"      --seed S      seed of every draw (default 0)\n"
"  -o, --output FILE the weight matrix (default '-', stdout)\n"
"      --float32     write '<f4' instead of '<f8'\n"
"  -q, --quiet       no notes on stderr\n"
"  -h, --help        this help\n"
"  -V, --version     version\n"
"\n"
"Example: init-weights -N 200 -p 0.3 --gsyn 0.5 --seed 1 -o weights.npy\n"
"See init-weights(1) and forcenet-npy(5).\n", MAX_N);
}

static void parse_command_line(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		OPTS_LONG_BASE,
		OPTS_LONG_SEED,
		{ "gsyn", required_argument, NULL, OPT_GSYN },
		{ "float32", no_argument, NULL, OPT_F32 },
		OPTS_LONG_END
	};
	int code;

	o->c.usage = usage;
	o->c.output = "-";
	o->n = 200;
	o->p = 0.3;
	o->gsyn = 0.5;
	while ((code = getopt_long(argc, argv, OPTS_SHORT "N:p:", longopts, NULL)) != -1) {
		switch (code) {
		case 'N': o->n = opts_int("-N", optarg, 1, MAX_N); break;
		case 'p': o->p = opts_double("-p", optarg, 0, 1); break;
		case OPT_GSYN: o->gsyn = opts_double("--gsyn", optarg, 0, 1e6); break;
		case OPT_F32: o->f32 = 1; break;
		default: opts_common(&o->c, code, optarg);
		}
	}
	if (optind < argc)
		err_usage("unexpected argument '%s'", argv[optind]);
	if (o->p <= 0)
		err_usage("-p: %g is out of range (0, 1]", o->p);
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
