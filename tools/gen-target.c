/*
 * gen-target: the targets of the FORCE study and of its sibling scripts.
 *
 * Writes the target of every neuron at every step of a loop, a (steps, N)
 * array, as .npy, and optionally the per-neuron parameters as CSV.  Kinds:
 *   osc (the notebook's, the default): target_i(it) = amp_i cos(it omega_i
 *     + phase_i), amp_i = amp0 U(0,1), phase_i = 2 pi U(0,1), omega_i =
 *     romega_i 2 pi / steps, where a random permutation gives floor(N/2)
 *     neurons romega1 and the other ceil(N/2) romega2 (so an odd N leaves
 *     no neuron at frequency 0).  Draws: amplitudes, phases, permutation.
 *   sequence: a Gaussian bump over the neuron index, g_i = amp0 exp(-(i -
 *     N/2)^2 / (2 s^2)), s = sg_index N, rolled by floor(omegagauss it)
 *     neurons at step it: target_i(it) = g_((i - floor(omegagauss it)) mod N)
 *     (numpy's np.roll).  No draws.
 *   phase-sequence: target_i(it) = amp0 cos(it omega + phase_i), phase_i =
 *     4 pi i / N, omega = 2 (2 pi / steps): two cycles per loop.  No draws.
 *   ou: per neuron, the Euler-Maruyama recursion of dT = -T/tau dt + sigma
 *     dW, T(it+1) = (1 - dt/tau) T(it) + sigma sqrt(dt) xi, with T(0) drawn
 *     from the recursion's own stationary law N(0, sigma^2 dt / (1 - (1 -
 *     dt/tau)^2)), so that the whole array is stationary.  Draws: N initial
 *     normals, then N per step, in neuron order.
 * All draws come from the seed's RNG_TARGET stream.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic.h"
#include "csvio.h"
#include "err.h"
#include "npy.h"
#include "opts.h"
#include "rng.h"

#define MAX_N 2000000000LL
#define MAX_STEPS 10000000
#define PHASE_SEQ_CYCLES 2      /* cycles per loop of the phase sequence */
#define PHASE_SEQ_SPAN (4 * M_PI)  /* its phases cover [0, 4 pi) */
#define MAX_COLS 6              /* parameter columns after "neuron" */

enum kind { KIND_OSC, KIND_SEQUENCE, KIND_PHASE_SEQUENCE, KIND_OU, NKINDS };

static const char *const kind_names[NKINDS] = {
	"osc", "sequence", "phase-sequence", "ou"
};

enum {
	OPT_STEPS = OPT_TOOL, OPT_AMP0, OPT_ROMEGA1, OPT_ROMEGA2, OPT_PARAMS, OPT_F32,
	OPT_KIND, OPT_SG_INDEX, OPT_OMEGAGAUSS, OPT_OU_TAU, OPT_OU_SIGMA, OPT_DT
};

/* The options that belong to some kinds only, and which kinds. */
#define KINDS(k) (1u << (k))
static const struct kind_option {
	int code;
	const char *name;
	unsigned kinds;
} kind_options[] = {
	{ OPT_AMP0, "--amp0",
	  KINDS(KIND_OSC) | KINDS(KIND_SEQUENCE) | KINDS(KIND_PHASE_SEQUENCE) },
	{ OPT_ROMEGA1, "--romega1", KINDS(KIND_OSC) },
	{ OPT_ROMEGA2, "--romega2", KINDS(KIND_OSC) },
	{ OPT_SG_INDEX, "--sg-index", KINDS(KIND_SEQUENCE) },
	{ OPT_OMEGAGAUSS, "--omegagauss", KINDS(KIND_SEQUENCE) },
	{ OPT_OU_TAU, "--ou-tau", KINDS(KIND_OU) },
	{ OPT_OU_SIGMA, "--ou-sigma", KINDS(KIND_OU) },
	{ OPT_DT, "--dt", KINDS(KIND_OU) },
};
#define NKIND_OPTIONS (sizeof kind_options / sizeof kind_options[0])

struct options {
	struct opts_common c;
	enum kind kind;
	long long n, steps;
	double amp0, romega1, romega2;
	double sg_index, omegagauss;
	double ou_tau, ou_sigma, dt;
	const char *params;
	int f32;
	unsigned given;        /* bit j: kind_options[j] was given */
};

static void usage(FILE *fp)
{
	fprintf(fp,
"Usage: gen-target [OPTION]...\n"
"Write the target of every neuron at every step of a loop, a (steps, N) .npy array.\n"
"\n"
"  -N N              neurons (default 200)\n"
"      --steps N     steps per loop (default 1000)\n"
"      --kind K      osc (default), sequence, phase-sequence or ou:\n"
"        osc:            amp_i cos(it omega_i + phase_i), omega_i = romega_i 2 pi/steps\n"
"        sequence:       Gaussian bump over the neurons, rolled by floor(omegagauss it)\n"
"        phase-sequence: amp0 cos(it 4 pi/steps + 4 pi i/N), two cycles per loop\n"
"        ou:             an Ornstein-Uhlenbeck process per neuron, stationary\n"
"      --amp0 A      osc: amp_i = A U(0,1); sequence, phase-sequence: the\n"
"                    amplitude (default 4)\n"
"      --romega1 F   osc: cycles per loop of the first half of the neurons (default 1)\n"
"      --romega2 F   osc: cycles per loop of the other half (default 5)\n"
"      --sg-index X  sequence: bump width s = X N, X > 0 (default 0.1)\n"
"      --omegagauss V  sequence: neurons the bump moves per step (default 0.2)\n"
"      --ou-tau T    ou: relaxation time (default 200)\n"
"      --ou-sigma S  ou: noise amplitude (default 0.5)\n"
"      --dt D        ou: time step, below --ou-tau (default 0.1)\n"
"      --seed S      seed of every draw (osc, ou; default 0)\n"
"  -o, --output FILE the target array (default '-', stdout)\n"
"      --params FILE per-neuron parameters as CSV, columns by kind:\n"
"                    osc, phase-sequence: neuron,phase,omega,romega,amplitude\n"
"                    sequence: neuron,offset,bump,sigma,omegagauss\n"
"                    ou: neuron,initial,tau,sigma,dt,decay,stationary_sd\n"
"      --float32     write '<f4' instead of '<f8' (half the size, for large N)\n"
"  -q, --quiet       no notes on stderr\n"
"  -h, --help        this help\n"
"  -V, --version     version\n"
"\n"
"Example: gen-target -N 200 --seed 1 -o target.npy --params target.csv\n"
"See gen-target(1) and forcenet-npy(5).\n");
}

static enum kind parse_kind(const char *arg)
{
	for (int k = 0; k < NKINDS; k++)
		if (!strcmp(arg, kind_names[k]))
			return (enum kind)k;
	err_usage("--kind: '%s' is not osc, sequence, phase-sequence or ou", arg);
}

/* A number that must be above 0 (and at most hi). */
static double positive(const char *name, const char *arg, double hi)
{
	double v = opts_double(name, arg, -hi, hi);

	if (!(v > 0))
		err_usage("%s: %s is not positive", name, arg);
	return v;
}

static void parse_command_line(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		OPTS_LONG_BASE,
		OPTS_LONG_SEED,
		{ "steps", required_argument, NULL, OPT_STEPS },
		{ "kind", required_argument, NULL, OPT_KIND },
		{ "amp0", required_argument, NULL, OPT_AMP0 },
		{ "romega1", required_argument, NULL, OPT_ROMEGA1 },
		{ "romega2", required_argument, NULL, OPT_ROMEGA2 },
		{ "sg-index", required_argument, NULL, OPT_SG_INDEX },
		{ "omegagauss", required_argument, NULL, OPT_OMEGAGAUSS },
		{ "ou-tau", required_argument, NULL, OPT_OU_TAU },
		{ "ou-sigma", required_argument, NULL, OPT_OU_SIGMA },
		{ "dt", required_argument, NULL, OPT_DT },
		{ "params", required_argument, NULL, OPT_PARAMS },
		{ "float32", no_argument, NULL, OPT_F32 },
		OPTS_LONG_END
	};
	int code;

	o->c.usage = usage;
	o->c.output = "-";
	o->kind = KIND_OSC;
	o->n = 200;
	o->steps = 1000;
	o->amp0 = 4;
	o->romega1 = 1;
	o->romega2 = 5;
	o->sg_index = 0.1;
	o->omegagauss = 0.2;
	o->ou_tau = 200;
	o->ou_sigma = 0.5;
	o->dt = 0.1;
	while ((code = getopt_long(argc, argv, OPTS_SHORT "N:", longopts, NULL)) != -1) {
		for (size_t j = 0; j < NKIND_OPTIONS; j++)
			if (kind_options[j].code == code)
				o->given |= 1u << j;
		switch (code) {
		case 'N': o->n = opts_int("-N", optarg, 1, MAX_N); break;
		case OPT_STEPS: o->steps = opts_int("--steps", optarg, 1, MAX_STEPS); break;
		case OPT_KIND: o->kind = parse_kind(optarg); break;
		case OPT_AMP0: o->amp0 = opts_double("--amp0", optarg, 0, 1e12); break;
		case OPT_ROMEGA1: o->romega1 = opts_double("--romega1", optarg, -1e12, 1e12); break;
		case OPT_ROMEGA2: o->romega2 = opts_double("--romega2", optarg, -1e12, 1e12); break;
		case OPT_SG_INDEX: o->sg_index = positive("--sg-index", optarg, 1e6); break;
		case OPT_OMEGAGAUSS:
			/* |omegagauss it| < 1e13 < 2^53: the shift is exact */
			o->omegagauss = opts_double("--omegagauss", optarg, -1e6, 1e6);
			break;
		case OPT_OU_TAU: o->ou_tau = positive("--ou-tau", optarg, 1e12); break;
		case OPT_OU_SIGMA: o->ou_sigma = opts_double("--ou-sigma", optarg, 0, 1e12); break;
		case OPT_DT: o->dt = positive("--dt", optarg, 1e12); break;
		case OPT_PARAMS: o->params = optarg; break;
		case OPT_F32: o->f32 = 1; break;
		default: opts_common(&o->c, code, optarg);
		}
	}
	if (optind < argc)
		err_usage("unexpected argument '%s'", argv[optind]);
	for (size_t j = 0; j < NKIND_OPTIONS; j++)
		if ((o->given >> j & 1) && !(kind_options[j].kinds & KINDS(o->kind)))
			err_usage("%s does not apply to --kind %s", kind_options[j].name,
				  kind_names[o->kind]);
	if (o->kind == KIND_OU && !(o->dt < o->ou_tau))
		err_usage("--dt %g is not below --ou-tau %g (the step's decay 1 - dt/tau "
			  "must be positive)", o->dt, o->ou_tau);
	if ((double)o->n * (double)o->steps > 2e9)
		err_usage("-N %lld x --steps %lld is too large (over 2e9 values)", o->n, o->steps);
}

/*
 * The parameter columns of the oscillatory kinds: phase, omega, romega,
 * amplitude.  osc draws them (the draw order is part of the contract:
 * amplitudes, phases, permutation); phase-sequence sets them.
 */
static void make_cos(const struct options *o, size_t n, size_t steps, rng_t *rng,
		     double *phase, double *omega, double *romega, double *amp)
{
	if (o->kind == KIND_OSC) {
		size_t *perm = err_malloc(n * sizeof *perm);

		for (size_t i = 0; i < n; i++)
			amp[i] = o->amp0 * rng_uniform(rng);
		for (size_t i = 0; i < n; i++)
			phase[i] = 2 * M_PI * rng_uniform(rng);
		for (size_t i = 0; i < n; i++)
			perm[i] = i;
		rng_shuffle(rng, perm, n);
		for (size_t j = 0; j < n; j++)
			romega[perm[j]] = j < n / 2 ? o->romega1 : o->romega2;
		free(perm);
	} else {
		for (size_t i = 0; i < n; i++) {
			amp[i] = o->amp0;
			phase[i] = PHASE_SEQ_SPAN * (double)i / (double)n;
			romega[i] = PHASE_SEQ_CYCLES;
		}
	}
	for (size_t i = 0; i < n; i++)
		omega[i] = romega[i] * 2 * M_PI / (double)steps;
}

/* The sequence's columns: offset i - N/2, the bump g_i (the target at
 * it = 0), its width s and its speed. */
static void make_sequence(const struct options *o, size_t n, double *offset,
			  double *bump, double *sigma, double *speed)
{
	double s = o->sg_index * (double)n;

	for (size_t i = 0; i < n; i++) {
		offset[i] = (double)i - (double)n / 2;
		bump[i] = o->amp0 * exp(-offset[i] * offset[i] / (2 * s * s));
		sigma[i] = s;
		speed[i] = o->omegagauss;
	}
}

/* The OU process's columns: T(0), tau, sigma, dt, the step's decay
 * 1 - dt/tau (also the lag-1 autocorrelation) and the stationary standard
 * deviation; T(0) is the first draw. */
static void make_ou(const struct options *o, size_t n, rng_t *rng, double *initial,
		    double *tau, double *sigma, double *dt, double *decay, double *sd)
{
	double a = 1 - o->dt / o->ou_tau;
	double s = o->ou_sigma * sqrt(o->dt / (1 - a * a));

	rng_normals(rng, initial, n);
	for (size_t i = 0; i < n; i++) {
		initial[i] *= s;
		tau[i] = o->ou_tau;
		sigma[i] = o->ou_sigma;
		dt[i] = o->dt;
		decay[i] = a;
		sd[i] = s;
	}
}

static void write_params(FILE *fp, const char *header, size_t n, double *const *col,
			 size_t ncols)
{
	fprintf(fp, "neuron,%s\n", header);
	for (size_t i = 0; i < n; i++) {
		fprintf(fp, "%zu", i);
		for (size_t j = 0; j < ncols; j++) {
			fputc(',', fp);
			csvio_put_double(fp, col[j][i]);
		}
		fputc('\n', fp);
	}
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	size_t n, steps, ncols = 0;
	double *par, *col[MAX_COLS], *row, *xi = NULL, shift, step_noise = 0;
	const char *header = NULL;
	rng_t *rng;
	struct npy_writer w;
	struct atomic_file params;

	err_init(argv);
	parse_command_line(argc, argv, &o);
	atomic_signals();
	n = (size_t)o.n;
	steps = (size_t)o.steps;

	par = err_malloc(MAX_COLS * n * sizeof *par);
	for (size_t j = 0; j < MAX_COLS; j++)
		col[j] = par + j * n;
	row = err_malloc(n * sizeof *row);
	rng = rng_new(o.c.seed, RNG_TARGET);
	switch (o.kind) {
	case KIND_OSC:
	case KIND_PHASE_SEQUENCE:
		header = "phase,omega,romega,amplitude";
		ncols = 4;
		make_cos(&o, n, steps, rng, col[0], col[1], col[2], col[3]);
		break;
	case KIND_SEQUENCE:
		header = "offset,bump,sigma,omegagauss";
		ncols = 4;
		make_sequence(&o, n, col[0], col[1], col[2], col[3]);
		break;
	case KIND_OU:
		header = "initial,tau,sigma,dt,decay,stationary_sd";
		ncols = 6;
		make_ou(&o, n, rng, col[0], col[1], col[2], col[3], col[4], col[5]);
		memcpy(row, col[0], n * sizeof *row);
		xi = err_malloc(n * sizeof *xi);
		step_noise = o.ou_sigma * sqrt(o.dt);
		break;
	case NKINDS:
		break;
	}

	/* The parameters are committed after the array, so that a failure
	 * in either leaves neither behind. */
	if (o.params)
		write_params(atomic_open(&params, o.params), header, n, col, ncols);
	npy_writer_open(&w, o.c.output, o.f32 ? NPY_F4 : NPY_F8, 2,
			(size_t[]){ steps, n });
	for (size_t it = 0; it < steps; it++) {
		switch (o.kind) {
		case KIND_OSC:
		case KIND_PHASE_SEQUENCE:
			for (size_t i = 0; i < n; i++)
				row[i] = col[3][i] * cos((double)it * col[1][i] + col[0][i]);
			break;
		case KIND_SEQUENCE: {
			long long m;

			shift = floor(o.omegagauss * (double)it);
			m = (long long)fmod(shift, (double)n);
			if (m < 0)
				m += (long long)n;
			for (size_t i = 0; i < n; i++)
				row[i] = col[1][(i + n - (size_t)m) % n];
			break;
		}
		case KIND_OU:
			if (it > 0) {
				rng_normals(rng, xi, n);
				for (size_t i = 0; i < n; i++)
					row[i] = col[4][i] * row[i] + step_noise * xi[i];
			}
			break;
		case NKINDS:
			break;
		}
		npy_write(&w, row, n);
	}
	npy_writer_close(&w);
	if (o.params)
		atomic_commit(&params);
	rng_free(rng);
	free(par);
	free(row);
	free(xi);
	opts_free(&o.c);
	return EXIT_OK;
}
