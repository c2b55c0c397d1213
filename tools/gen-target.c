/*
 * gen-target: the oscillatory targets of the FORCE study.
 *
 * Neuron i follows target_i(it) = amp_i cos(it omega_i + phase_i) with
 * amp_i = amp0 U(0,1), phase_i = 2 pi U(0,1), and omega_i = romega_i 2 pi /
 * steps, where a random permutation gives floor(N/2) neurons romega1 and the
 * other ceil(N/2) romega2 (so an odd N leaves no neuron at frequency 0).
 * Writes the (steps, N) array as .npy and optionally the per-neuron
 * parameters as CSV.  All draws come from the seed's RNG_TARGET stream.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "atomic.h"
#include "csvio.h"
#include "err.h"
#include "npy.h"
#include "opts.h"
#include "rng.h"

#define MAX_N 100000
#define MAX_STEPS 10000000

enum { OPT_STEPS = OPT_TOOL, OPT_AMP0, OPT_ROMEGA1, OPT_ROMEGA2, OPT_PARAMS, OPT_F32 };

struct options {
	struct opts_common c;
	long long n, steps;
	double amp0, romega1, romega2;
	const char *params;
	int f32;
};

static void usage(FILE *fp)
{
	fprintf(fp,
"Usage: gen-target [OPTION]...\n"
"Write the oscillatory target of every neuron, a (steps, N) .npy array:\n"
"target[it, i] = amp_i * cos(it * omega_i + phase_i), omega_i = romega_i * 2 pi / steps.\n"
"\n"
"  -N N              neurons (default 200)\n"
"      --steps N     steps per loop (default 1000)\n"
"      --amp0 A      maximum amplitude: amp_i = A * U(0,1) (default 4)\n"
"      --romega1 F   cycles per loop of the first half of the neurons (default 1)\n"
"      --romega2 F   cycles per loop of the other half (default 5)\n"
"      --seed S      seed of every draw (default 0)\n"
"  -o, --output FILE the target array (default '-', stdout)\n"
"      --params FILE per-neuron parameters as CSV:\n"
"                    neuron,phase,omega,romega,amplitude\n"
"      --float32     write '<f4' instead of '<f8'\n"
"  -q, --quiet       no notes on stderr\n"
"  -h, --help        this help\n"
"  -V, --version     version\n"
"\n"
"Example: gen-target -N 200 --seed 1 -o target.npy --params target.csv\n"
"See gen-target(1) and forcenet-npy(5).\n");
}

static void parse_command_line(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		OPTS_LONG_BASE,
		OPTS_LONG_SEED,
		{ "steps", required_argument, NULL, OPT_STEPS },
		{ "amp0", required_argument, NULL, OPT_AMP0 },
		{ "romega1", required_argument, NULL, OPT_ROMEGA1 },
		{ "romega2", required_argument, NULL, OPT_ROMEGA2 },
		{ "params", required_argument, NULL, OPT_PARAMS },
		{ "float32", no_argument, NULL, OPT_F32 },
		OPTS_LONG_END
	};
	int code;

	o->c.usage = usage;
	o->c.output = "-";
	o->n = 200;
	o->steps = 1000;
	o->amp0 = 4;
	o->romega1 = 1;
	o->romega2 = 5;
	while ((code = getopt_long(argc, argv, OPTS_SHORT "N:", longopts, NULL)) != -1) {
		switch (code) {
		case 'N': o->n = opts_int("-N", optarg, 1, MAX_N); break;
		case OPT_STEPS: o->steps = opts_int("--steps", optarg, 1, MAX_STEPS); break;
		case OPT_AMP0: o->amp0 = opts_double("--amp0", optarg, 0, 1e12); break;
		case OPT_ROMEGA1: o->romega1 = opts_double("--romega1", optarg, -1e12, 1e12); break;
		case OPT_ROMEGA2: o->romega2 = opts_double("--romega2", optarg, -1e12, 1e12); break;
		case OPT_PARAMS: o->params = optarg; break;
		case OPT_F32: o->f32 = 1; break;
		default: opts_common(&o->c, code, optarg);
		}
	}
	if (optind < argc)
		err_usage("unexpected argument '%s'", argv[optind]);
	if ((double)o->n * (double)o->steps > 2e9)
		err_usage("-N %lld x --steps %lld is too large (over 2e9 values)", o->n, o->steps);
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	size_t n, steps, *perm;
	double *amp, *phase, *romega, *omega, *row;
	rng_t *rng;
	struct npy_writer w;
	struct atomic_file params;

	err_init(argv);
	parse_command_line(argc, argv, &o);
	atomic_signals();
	n = (size_t)o.n;
	steps = (size_t)o.steps;

	amp = err_malloc(n * sizeof *amp);
	phase = err_malloc(n * sizeof *phase);
	romega = err_malloc(n * sizeof *romega);
	omega = err_malloc(n * sizeof *omega);
	perm = err_malloc(n * sizeof *perm);
	row = err_malloc(n * sizeof *row);

	/* Draw order is part of the contract: amplitudes, phases, permutation. */
	rng = rng_new(o.c.seed, RNG_TARGET);
	for (size_t i = 0; i < n; i++)
		amp[i] = o.amp0 * rng_uniform(rng);
	for (size_t i = 0; i < n; i++)
		phase[i] = 2 * M_PI * rng_uniform(rng);
	for (size_t i = 0; i < n; i++)
		perm[i] = i;
	rng_shuffle(rng, perm, n);
	for (size_t j = 0; j < n; j++)
		romega[perm[j]] = j < n / 2 ? o.romega1 : o.romega2;
	for (size_t i = 0; i < n; i++)
		omega[i] = romega[i] * 2 * M_PI / (double)steps;
	rng_free(rng);

	/* The parameters are committed after the array, so that a failure
	 * in either leaves neither behind. */
	if (o.params) {
		FILE *fp = atomic_open(&params, o.params);

		fputs("neuron,phase,omega,romega,amplitude\n", fp);
		for (size_t i = 0; i < n; i++) {
			fprintf(fp, "%zu,", i);
			csvio_put_double(fp, phase[i]);
			fputc(',', fp);
			csvio_put_double(fp, omega[i]);
			fputc(',', fp);
			csvio_put_double(fp, romega[i]);
			fputc(',', fp);
			csvio_put_double(fp, amp[i]);
			fputc('\n', fp);
		}
	}
	npy_writer_open(&w, o.c.output, o.f32 ? NPY_F4 : NPY_F8, 2,
			(size_t[]){ steps, n });
	for (size_t it = 0; it < steps; it++) {
		for (size_t i = 0; i < n; i++)
			row[i] = amp[i] * cos((double)it * omega[i] + phase[i]);
		npy_write(&w, row, n);
	}
	npy_writer_close(&w);
	if (o.params)
		atomic_commit(&params);
	free(amp);
	free(phase);
	free(romega);
	free(omega);
	free(perm);
	free(row);
	opts_free(&o.c);
	return EXIT_OK;
}
