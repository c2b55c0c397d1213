/*
 * simulate-train: the mixed QIF/LIF network trained with per-neuron RLS.
 *
 * Reads the initial weights (N, N) and the target (steps, N), runs `loops`
 * loops of `steps` steps of the network of MODEL.md (loop 0 untrained,
 * loops 1..train_loops trained with RLS at every step after the kick, the
 * rest free), and writes a run directory: params.csv, summary.csv,
 * weights.npy, outputs.npy, inputs.npy, spikes.csv, kick.npy, state0.npy,
 * dw.csv and, for traced neurons, currents.csv (see forcenet-run(5)).
 * The directory is built under a hidden temporary name and renamed when
 * complete.  Random draws: the kick from the seed's RNG_KICK stream, the
 * initial phases from RNG_STATE, the noise from RNG_NOISE, a block of
 * SIM_NOISE_BLOCK neurons a stream (sim.h; none at all with --sigma 0).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arrayin.h"
#include "atomic.h"
#include "ckpt.h"
#include "csvio.h"
#include "dist.h"
#include "err.h"
#include "model.h"
#include "net.h"
#include "npy.h"
#include "npz.h"
#include "opts.h"
#include "pool.h"
#include "progress.h"
#include "rls.h"
#include "rng.h"
#include "runrec.h"
#include "sha256.h"
#include "sim.h"
#include "summary.h"

/* Neurons at most: the indices are 32-bit. */
#define MAX_N 2000000000LL
/* W r is carried from step to step by the spikes (net_spikes()) and
 * recomputed as a full product at the start of every loop and every
 * RECURRENT_REFRESH steps, which keeps it at rounding level. */
#define RECURRENT_REFRESH 50
/* ... times one more for every REFRESH_SYNAPSES synapses: a full product
 * costs as much as the spikes' updates of 1/(rate dt) steps (30 to 50),
 * so that every 50 steps it would double the cost of W r in a large
 * network, while the carried W r keeps its rounding contracted by gamma
 * at every step whatever the interval. */
#define REFRESH_SYNAPSES 10000000
/* ... in steps of REFRESH_DT (the default, 1 ms): with a shorter step a
 * step carries fewer spikes, and the interval is longer in proportion (the
 * same network time), or the full products would cost more than the spikes
 * (at 0.1 ms, N = 10^4, 10^7 synapses: 130 of a step's 330 us). */
#define REFRESH_DT 0.1

/* Steps between two full products of W r, for nnz synapses and a step dt. */
static size_t refresh_steps(size_t nnz, double dt)
{
	const double per = dt < REFRESH_DT ? floor(REFRESH_DT / dt + 0.5) : 1;

	return RECURRENT_REFRESH * (nnz / REFRESH_SYNAPSES + 1) * (per < 1e6 ? (size_t)per : 1000000);
}

enum {
	OPT_PQIF = OPT_TOOL, OPT_VT, OPT_VREST, OPT_LOOPS, OPT_TRAIN_LOOPS, OPT_DT,
	OPT_TAU_S, OPT_ALPHA, OPT_SIGMA, OPT_STIM_STEPS, OPT_STIM_AMP, OPT_NOISE,
	OPT_RECORD, OPT_F32, OPT_F64, OPT_KICK, OPT_STATE, OPT_TRACE, OPT_THREADS, OPT_FORCE,
	OPT_RLS, OPT_PLASTIC, OPT_P_F32, OPT_STATIC_F32, OPT_LEARN_EVERY, OPT_OBSERVE,
	OPT_RECORD_LOOPS, OPT_MAX_MEMORY, OPT_TRAIN_FRACTION, OPT_TRAIN_NEURONS, OPT_FORGET,
	OPT_CHECKPOINT, OPT_KEEP_CHECKPOINT, OPT_RESUME, OPT_CONTINUE
};

/* What the analysis needs (motifs: weights; dpr: outputs), in about 19 MB
 * for the study's run: inputs (another 13 MB) on request. */
#define REC_DEFAULT (REC_WEIGHTS | REC_OUTPUTS | REC_SPIKES | REC_DW)
#define REC_ALL (REC_DEFAULT | REC_INPUTS | REC_CURRENTS)

static const struct {
	const char *name;
	int bit;
} record_names[] = {
	{ "weights", REC_WEIGHTS }, { "outputs", REC_OUTPUTS }, { "inputs", REC_INPUTS },
	{ "spikes", REC_SPIKES }, { "dw", REC_DW }, { "currents", REC_CURRENTS },
};

struct options {
	struct opts_common c;
	const char *weights, *target, *kick, *state;
	double pqif, vt, vrest, dt, tau_s, alpha, sigma, stim_amp;
	long long loops, train_loops, stim_steps, threads;
	enum model_noise noise;
	enum rls_kernel_kind rls;
	int rls_coef;                /* --rls: 1 coefficient, -1 spike, 0 not given */
	int record, f32, force, p_f32, static_f32;
	const char *trace_arg, *observe_arg, *record_loops_arg;
	size_t *trace, ntrace;
	long long plastic, learn_every;
	double train_fraction, forget;
	int checkpoint, keep_checkpoint, resume;
	const char *cont;      /* --continue RUN */
	const char *train_neurons_arg;
	double max_memory;     /* bytes; 0: what the machine has available */
};

/* The RLS configuration of the options (rls.h; the structure, threads and
 * batch are the run's). */
static struct rls_config rls_of_options(const struct options *o)
{
	return (struct rls_config){ .alpha = o->alpha, .kind = o->rls, .p_float32 = o->p_f32,
				    .forget = o->forget, .coef = o->rls_coef };
}

/* The RLS kernel that the run takes (rls.h), as params.csv records it. */
static const char *kernel_name(const struct options *o)
{
	const struct rls_config rc = rls_of_options(o);

	return rls_kernel_name(&rc);
}

static void usage(FILE *fp)
{
	fprintf(fp, "Usage: %s -w WEIGHTS -t TARGET.npy -o RUNDIR [OPTION]...\n", err_prog());
	fprintf(fp,
"Simulate the mixed QIF/LIF spiking network, train every neuron's recurrent\n"
"input towards its target with per-neuron RLS (FORCE), and write a run directory.\n"
"N comes from the weights (N, N), the steps per loop from the target (steps, N).\n"
"\n"
"  -w, --weights FILE   initial weights (N, N), row i = weights onto neuron i:\n"
"                       a dense .npy or a sparse CSR .npz (scipy.sparse)\n"
"  -t, --target FILE    target of each neuron's recurrent input (steps, N)\n"
"  -o, --output DIR     the run directory to create\n"
"      --pqif P         fraction of QIF neurons, in [0, 1] (default 0)\n"
"      --vt V           LIF threshold (default 0)\n"
"      --vrest V        LIF reset, below --vt (default -8.5)\n"
"      --loops L        loops (default 16): 0 untrained, then training, then test\n"
"      --train-loops T  training loops 1..T (default 10; needs L >= T+1)\n"
"      --dt DT          time step in units of 10 ms (default 0.1)\n"
"      --tau-s TS       synaptic time constant (default 5)\n"
"      --alpha A        RLS regulariser, P starts as I/A (default 0.25)\n"
"      --forget L       RLS forgetting factor, in (0, 1] (default 1: none)\n"
"      --sigma S        noise standard deviation (default 1; 0 = no noise)\n"
"      --noise dt|em    noise scaling: dt (the study's, default) or em\n"
"                       (Euler-Maruyama, sqrt(dt))\n"
"      --stim-steps K   steps of external kick at the start of each loop (default 200)\n"
"      --stim-amp A     kick amplitudes A_i = A (2U-1) (default 20)\n"
"      --seed S         seed of the kick, initial state and noise (default 0)\n"
"      --kick FILE      read the kick amplitudes (N,) instead of drawing them\n"
"      --state FILE     read the initial x (N,) instead of drawing it\n"
"      --record LIST    what to write: weights,outputs,inputs,spikes,dw,currents,\n"
"                       all or none, read left to right, -ITEM removing\n"
"                       (default weights,outputs,spikes,dw); a LIST that\n"
"                       starts with +ITEM or -ITEM edits the default, e.g.\n"
"                       +inputs; all,-spikes is everything but the spikes\n"
"      --float32        outputs.npy and inputs.npy as '<f4' (the default)\n"
"      --float64        outputs.npy and inputs.npy as '<f8'\n"
"      --trace LIST     neurons (comma list) whose current components go to\n"
"                       currents.csv\n"
"      --plastic L      train L of each neuron's inputs, drawn at random (default:\n"
"                       all of them); the others keep their values\n"
"      --learn-every K  the RLS update every K-th step after the kick (default 1)\n"
"      --train-fraction F  train round(F N) neurons drawn at random (default 1)\n"
"      --train-neurons LIST  train these neurons (comma list) only\n"
"      --p-float32      keep RLS's matrices P in float32 (arithmetic in float64)\n"
"      --static-float32 keep the weights that are not trained in float32\n"
"      --observe SET    the neurons whose outputs, inputs and spikes are\n"
"                       recorded: all (default), a COUNT evenly spread, or a\n"
"                       comma LIST\n"
"      --record-loops SET  the loops whose weights are recorded: all (default),\n"
"                       or a comma LIST of loops ('last' for the last one)\n"
"      --max-memory SIZE  refuse a run that needs more memory (e.g. 16G;\n"
"                       default: the memory available)\n"
"      --threads N      threads (default 1); the results do not depend on it\n"
"      --rls KERNEL     how the RLS step gets P q: spike (from the previous step\n"
"                       and the spikes, the default), coefficient (the same in\n"
"                       a few dimensions, the default with --p-float32) or\n"
"                       direct (a full product)\n"
"      --force          replace an existing run directory\n"
"      --checkpoint     build the run in .RUNDIR.partial with a checkpoint after\n"
"                       each loop, so that --resume can finish it if interrupted\n"
"      --keep-checkpoint  --checkpoint, and keep the last one in the run\n"
"      --resume         finish the interrupted run in .RUNDIR.partial (the same\n"
"                       inputs and options); same bytes as an uninterrupted run\n"
"      --continue RUN   extend the finished run RUN (made with --keep-checkpoint)\n"
"                       to --loops L, with the same inputs and options otherwise\n"
"  -q, --quiet          no progress on stderr\n"
"  -h, --help           this help\n"
"  -V, --version        version\n"
"\n"
"Example: simulate-train -w w.npy -t target.npy --pqif 0.5 --seed 1 -o run\n"
"See simulate-train(1) and forcenet-run(5).\n");
}

static int currents_named;

/*
 * A --record LIST, read left to right: an item (or "all") adds to the set,
 * "none" empties it; "+item" adds and "-item" removes.  ',' separates the
 * entries, and '+' or '-' starts a new one, so "all-spikes" is "all,-spikes"
 * and params.csv's "weights+outputs" reads back.  A list that starts with
 * an edit edits the default (*edits set): "+inputs,-spikes".
 */
static int parse_record(const char *arg, int *edits)
{
	const char *p = arg;
	int mask;

	*edits = arg[0] == '+' || arg[0] == '-';
	mask = *edits ? REC_DEFAULT : 0;
	while (*p) {
		int sign = 0;
		size_t len, i;

		if (*p == ',') {
			p++;
			continue;
		}
		if (*p == '+' || *p == '-')
			sign = *p++ == '+' ? 1 : -1;
		len = strcspn(p, ",+-");
		if (len == 0)
			err_usage("--record: '+' or '-' without an item in '%s'", arg);
		if (len == 3 && !strncmp(p, "all", 3)) {
			mask = sign < 0 ? 0 : mask | REC_ALL;
		} else if (len == 4 && !strncmp(p, "none", 4)) {
			if (sign > 0)
				err_usage("--record: '+none' in '%s' adds nothing", arg);
			mask = sign < 0 ? mask : 0;
		} else {
			for (i = 0; i < sizeof record_names / sizeof record_names[0]; i++)
				if (strlen(record_names[i].name) == len &&
				    !strncmp(p, record_names[i].name, len))
					break;
			if (i == sizeof record_names / sizeof record_names[0])
				err_usage("--record: unknown item '%.*s' (weights, outputs, inputs, "
					  "spikes, dw, currents, all, none)", (int)len, p);
			if (sign < 0) {
				mask &= ~record_names[i].bit;
			} else {
				mask |= record_names[i].bit;
				currents_named |= record_names[i].bit == REC_CURRENTS;
			}
		}
		p += len;
	}
	return mask;
}

static void parse_trace(struct options *o)
{
	const char *s = o->trace_arg;
	size_t cap = 1;

	for (const char *p = s; *p; p++)
		cap += *p == ',';
	o->trace = err_malloc(cap * sizeof *o->trace);
	while (*s) {
		const char *end = strchr(s, ',');
		size_t len = end ? (size_t)(end - s) : strlen(s);
		char buf[32];

		if (len == 0 || len >= sizeof buf)
			err_usage("--trace: '%s' is not a list of neuron indices", o->trace_arg);
		memcpy(buf, s, len);
		buf[len] = 0;
		o->trace[o->ntrace++] = (size_t)opts_int("--trace", buf, 0, MAX_N - 1);
		s += len + (end != NULL);
		if (end && !*s)
			err_usage("--trace: '%s' is not a list of neuron indices", o->trace_arg);
	}
	if (o->ntrace == 0)
		err_usage("--trace: empty list");
}

/* SIZE: bytes, with an optional K, M, G or T (powers of 1024). */
static double parse_size(const char *name, const char *arg)
{
	char *end;
	double v = strtod(arg, &end);
	const char *units = "KMGT", *u;

	if (end == arg || !(v > 0))
		err_usage("%s: '%s' is not a size (bytes, or with K, M, G, T)", name, arg);
	if (*end) {
		u = strchr(units, toupper((unsigned char)*end));
		if (!u || end[1 + (end[1] == 'B' || end[1] == 'b')] != 0)
			err_usage("%s: '%s' is not a size (bytes, or with K, M, G, T)", name, arg);
		v *= pow(1024, (double)(u - units + 1));
	}
	return v;
}

/*
 * A comma list of non-negative integers below lim into a new array (the
 * count in *k); a value may also be the word `last` (lim - 1).
 */
static size_t *parse_list(const char *name, const char *arg, size_t lim, size_t *k)
{
	size_t cap = 1, *a;
	const char *p = arg;

	for (const char *q = arg; *q; q++)
		cap += *q == ',';
	a = err_malloc(cap * sizeof *a);
	*k = 0;
	while (*p) {
		size_t len = strcspn(p, ",");
		char buf[32];

		if (len == 0 || len >= sizeof buf)
			err_usage("%s: '%s' is not a list of indices", name, arg);
		memcpy(buf, p, len);
		buf[len] = 0;
		if (!strcmp(buf, "last"))
			a[(*k)++] = lim - 1;
		else
			a[(*k)++] = (size_t)opts_int(name, buf, 0, (long long)lim - 1);
		p += len;
		if (*p == ',' && !*++p)
			err_usage("%s: '%s' is not a list of indices", name, arg);
	}
	return a;
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/* --observe: NULL for all, else the neurons in increasing order. */
static size_t *parse_observe(const char *arg, size_t n, size_t *k)
{
	size_t *a;

	if (!arg || !strcmp(arg, "all"))
		return NULL;
	if (!strchr(arg, ',') && isdigit((unsigned char)arg[0]) &&
	    strspn(arg, "0123456789") == strlen(arg)) {
		size_t count = (size_t)opts_int("--observe", arg, 1, MAX_N);

		if (count >= n)
			return NULL;
		/* COUNT neurons evenly spread over 0 .. n-1 (QIF and LIF in
		 * proportion) */
		a = err_malloc(count * sizeof *a);
		for (size_t x = 0; x < count; x++)
			a[x] = (size_t)((unsigned __int128)x * n / count);
		*k = count;
		return a;
	}
	a = parse_list("--observe", arg, n, k);
	qsort(a, *k, sizeof *a, cmp_size);
	for (size_t x = 1; x < *k; x++)
		if (a[x] == a[x - 1])
			err_usage("--observe: neuron %zu listed twice", a[x]);
	return a;
}

static void parse_command_line(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		OPTS_LONG_BASE,
		OPTS_LONG_SEED,
		{ "weights", required_argument, NULL, 'w' },
		{ "target", required_argument, NULL, 't' },
		{ "pqif", required_argument, NULL, OPT_PQIF },
		{ "vt", required_argument, NULL, OPT_VT },
		{ "vrest", required_argument, NULL, OPT_VREST },
		{ "loops", required_argument, NULL, OPT_LOOPS },
		{ "train-loops", required_argument, NULL, OPT_TRAIN_LOOPS },
		{ "dt", required_argument, NULL, OPT_DT },
		{ "tau-s", required_argument, NULL, OPT_TAU_S },
		{ "alpha", required_argument, NULL, OPT_ALPHA },
		{ "sigma", required_argument, NULL, OPT_SIGMA },
		{ "stim-steps", required_argument, NULL, OPT_STIM_STEPS },
		{ "stim-amp", required_argument, NULL, OPT_STIM_AMP },
		{ "noise", required_argument, NULL, OPT_NOISE },
		{ "record", required_argument, NULL, OPT_RECORD },
		{ "float32", no_argument, NULL, OPT_F32 },
		{ "float64", no_argument, NULL, OPT_F64 },
		{ "kick", required_argument, NULL, OPT_KICK },
		{ "state", required_argument, NULL, OPT_STATE },
		{ "trace", required_argument, NULL, OPT_TRACE },
		{ "threads", required_argument, NULL, OPT_THREADS },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "rls", required_argument, NULL, OPT_RLS },
		{ "plastic", required_argument, NULL, OPT_PLASTIC },
		{ "p-float32", no_argument, NULL, OPT_P_F32 },
		{ "static-float32", no_argument, NULL, OPT_STATIC_F32 },
		{ "learn-every", required_argument, NULL, OPT_LEARN_EVERY },
		{ "observe", required_argument, NULL, OPT_OBSERVE },
		{ "record-loops", required_argument, NULL, OPT_RECORD_LOOPS },
		{ "max-memory", required_argument, NULL, OPT_MAX_MEMORY },
		{ "train-fraction", required_argument, NULL, OPT_TRAIN_FRACTION },
		{ "train-neurons", required_argument, NULL, OPT_TRAIN_NEURONS },
		{ "forget", required_argument, NULL, OPT_FORGET },
		{ "checkpoint", no_argument, NULL, OPT_CHECKPOINT },
		{ "keep-checkpoint", no_argument, NULL, OPT_KEEP_CHECKPOINT },
		{ "resume", no_argument, NULL, OPT_RESUME },
		{ "continue", required_argument, NULL, OPT_CONTINUE },
		OPTS_LONG_END
	};
	int code, record_given = 0;

	o->c.usage = usage;
	o->c.output = NULL;
	o->pqif = 0;
	o->vt = 0;
	o->vrest = -8.5;
	o->loops = 16;
	o->train_loops = 10;
	o->dt = 0.1;
	o->tau_s = 5;
	o->alpha = 0.25;
	o->sigma = 1;
	o->stim_steps = 200;
	o->stim_amp = 20;
	o->noise = MODEL_NOISE_DT;
	o->record = REC_DEFAULT;
	o->f32 = 1;
	o->threads = 1;
	o->rls = RLS_SPIKE;
	o->learn_every = 1;
	o->train_fraction = 1;
	o->forget = 1;
	while ((code = getopt_long(argc, argv, OPTS_SHORT "w:t:", longopts, NULL)) != -1) {
		switch (code) {
		case 'w': o->weights = optarg; break;
		case 't': o->target = optarg; break;
		case OPT_PQIF: o->pqif = opts_double("--pqif", optarg, 0, 1); break;
		case OPT_VT: o->vt = opts_double("--vt", optarg, -1e12, 1e12); break;
		case OPT_VREST: o->vrest = opts_double("--vrest", optarg, -1e12, 1e12); break;
		case OPT_LOOPS: o->loops = opts_int("--loops", optarg, 1, 1000000); break;
		case OPT_TRAIN_LOOPS:
			o->train_loops = opts_int("--train-loops", optarg, 0, 1000000);
			break;
		case OPT_DT: o->dt = opts_double("--dt", optarg, 0, 1e6); break;
		case OPT_TAU_S: o->tau_s = opts_double("--tau-s", optarg, 0, 1e12); break;
		case OPT_ALPHA: o->alpha = opts_double("--alpha", optarg, 0, 1e12); break;
		case OPT_SIGMA: o->sigma = opts_double("--sigma", optarg, 0, 1e12); break;
		case OPT_STIM_STEPS:
			o->stim_steps = opts_int("--stim-steps", optarg, 0, 1000000000);
			break;
		case OPT_STIM_AMP: o->stim_amp = opts_double("--stim-amp", optarg, -1e12, 1e12); break;
		case OPT_NOISE:
			if (!strcmp(optarg, "dt"))
				o->noise = MODEL_NOISE_DT;
			else if (!strcmp(optarg, "em"))
				o->noise = MODEL_NOISE_EM;
			else
				err_usage("--noise: '%s' is not dt or em", optarg);
			break;
		case OPT_RECORD: {
			int edits;

			o->record = parse_record(optarg, &edits);
			record_given = !edits;
			break;
		}
		case OPT_F32: o->f32 = 1; break;
		case OPT_F64: o->f32 = 0; break;
		case OPT_KICK: o->kick = optarg; break;
		case OPT_STATE: o->state = optarg; break;
		case OPT_TRACE: o->trace_arg = optarg; break;
		case OPT_THREADS: o->threads = opts_int("--threads", optarg, 1, 1024); break;
		case OPT_FORCE: o->force = 1; break;
		case OPT_RLS:
			o->rls = RLS_SPIKE;
			if (!strcmp(optarg, "spike"))
				o->rls_coef = -1;
			else if (!strcmp(optarg, "coefficient"))
				o->rls_coef = 1;
			else if (!strcmp(optarg, "direct"))
				o->rls = RLS_DIRECT;
			else
				err_usage("--rls: '%s' is not spike, coefficient or direct", optarg);
			break;
		case OPT_PLASTIC: o->plastic = opts_int("--plastic", optarg, 1, MAX_N); break;
		case OPT_P_F32: o->p_f32 = 1; break;
		case OPT_STATIC_F32: o->static_f32 = 1; break;
		case OPT_LEARN_EVERY:
			o->learn_every = opts_int("--learn-every", optarg, 1, 1000000000);
			break;
		case OPT_OBSERVE: o->observe_arg = optarg; break;
		case OPT_RECORD_LOOPS: o->record_loops_arg = optarg; break;
		case OPT_MAX_MEMORY: o->max_memory = parse_size("--max-memory", optarg); break;
		case OPT_TRAIN_FRACTION:
			o->train_fraction = opts_double("--train-fraction", optarg, 0, 1);
			if (!(o->train_fraction > 0))
				err_usage("--train-fraction: must be in (0, 1]");
			break;
		case OPT_TRAIN_NEURONS: o->train_neurons_arg = optarg; break;
		case OPT_CHECKPOINT: o->checkpoint = 1; break;
		case OPT_KEEP_CHECKPOINT: o->checkpoint = o->keep_checkpoint = 1; break;
		case OPT_RESUME: o->checkpoint = o->resume = 1; break;
		case OPT_CONTINUE: o->cont = optarg; o->checkpoint = o->keep_checkpoint = 1; break;
		case OPT_FORGET:
			o->forget = opts_double("--forget", optarg, 0, 1);
			if (!(o->forget > 0))
				err_usage("--forget: must be in (0, 1]");
			break;
		default: opts_common(&o->c, code, optarg);
		}
	}
	if (optind < argc)
		err_usage("unexpected argument '%s'", argv[optind]);
	if (o->train_neurons_arg && o->train_fraction < 1)
		err_usage("--train-fraction and --train-neurons: give one of them");
	if (!o->weights)
		err_usage("no weights given (-w FILE)");
	if (!o->target)
		err_usage("no target given (-t FILE)");
	if (o->cont) {
		if (o->c.output && strcmp(o->c.output, o->cont))
			err_usage("--continue extends RUN itself: no other -o");
		if (o->resume)
			err_usage("--continue and --resume: give one of them");
		o->c.output = o->cont;
	}
	if (!o->c.output)
		err_usage("no run directory given (-o DIR)");
	if (!strcmp(o->c.output, "-"))
		err_usage("-o: a run directory cannot be stdout");
	if ((!strcmp(o->weights, "-")) + (!strcmp(o->target, "-")) +
	    (o->kick && !strcmp(o->kick, "-")) + (o->state && !strcmp(o->state, "-")) > 1)
		err_usage("stdin ('-') can be read only once");
	if (o->dt <= 0)
		err_usage("--dt: must be positive");
	if (o->tau_s <= 0)
		err_usage("--tau-s: must be positive");
	if (o->alpha <= 0)
		err_usage("--alpha: must be positive");
	if (o->loops < o->train_loops + 1)
		err_usage("--loops %lld must be at least --train-loops + 1 = %lld",
			  o->loops, o->train_loops + 1);
	/* currents.csv exists only for traced neurons: --trace alone adds it to
	 * the default record, "all" includes it only when there is a trace. */
	if (o->trace_arg) {
		parse_trace(o);
		if (!record_given)
			o->record |= REC_CURRENTS;
	} else if (currents_named) {
		err_usage("--record currents needs --trace LIST");
	}
	if (!o->trace_arg)
		o->record &= ~REC_CURRENTS;
}

/* An input array (.npy, CSV or a densified .npz; a file, a pipe or "-"). */
struct input {
	double *v;               /* rows * cols values, row-major (owned) */
	size_t rows, cols;
	int ndim;                /* 1 (a .npy vector), 2 or 3 */
	char shape[96];          /* for messages: "(40, 39)" */
	char sha[65];            /* SHA-256 of every byte read */
};

/*
 * Read one matrix (or, with vector set, a vector) from PATH with the
 * SHA-256 of the bytes read, or die with "tool: PATH: problem".  A stack
 * (ndim 3) is not read: the caller refuses it.
 */
static void load(const char *path, int vector, struct input *in)
{
	struct arrayin a;
	int rc;

	memset(in, 0, sizeof *in);
	if (arrayin_open_flags(&a, path, ARRAYIN_HASH | (vector ? ARRAYIN_VECTOR : 0)) != 0) {
		arrayin_close(&a);
		err_die(EXIT_DATA, "%s: %s", path, a.err);
	}
	arrayin_shape_str(&a, in->shape, sizeof in->shape);
	in->rows = a.rows;
	in->cols = a.cols;
	in->ndim = a.ndim;
	if (a.ndim == 3) {
		arrayin_close(&a);
		return;
	}
	in->v = err_malloc_for(path, a.rows * a.cols, sizeof *in->v);
	rc = arrayin_next(&a, in->v);
	if (rc == 1)
		rc = arrayin_sha256(&a, in->sha) == 0;
	if (rc != 1) {
		free(in->v);
		arrayin_close(&a);
		err_die(EXIT_DATA, "%s: %s", path, a.err);
	}
	arrayin_close(&a);
}

/* A vector (N,) (a .npy vector, or a CSV column or row); dies otherwise. */
static double *load_vector(const char *path, size_t n, char hex[65])
{
	struct input in;

	load(path, 1, &in);
	if (in.ndim == 3 || (in.ndim == 2 && in.rows != 1 && in.cols != 1) ||
	    in.rows * in.cols != n) {
		free(in.v);
		err_die(EXIT_DATA, "%s: shape %s, expected (%zu,) for N = %zu",
			path, in.shape, n, n);
	}
	memcpy(hex, in.sha, sizeof in.sha);
	return in.v;
}

/* A set option as given ("all" when not given), its commas as '+': a
 * field that every CSV reader takes as it is. */
static void put_set(FILE *fp, const char *arg)
{
	if (!arg)
		arg = "all";
	for (; *arg; arg++)
		fputc(*arg == ',' ? '+' : *arg, fp);
}

static void put_params(FILE *fp, const struct options *o, size_t n, size_t steps,
		       size_t nqif, const char *wsha, const char *tsha,
		       const char *ksha, const char *ssha, size_t ntrained)
{
	int lif = nqif < n;
	char rec[128] = "";

	for (size_t i = 0; i < sizeof record_names / sizeof record_names[0]; i++)
		if (o->record & record_names[i].bit) {
			if (rec[0])
				strcat(rec, "+");
			strcat(rec, record_names[i].name);
		}
	if (!rec[0])
		strcpy(rec, "none");
	fputs("tool,version,N,steps,nqif,pqif,vt,vrest,dt,tau_s,alpha,sigma,noise,"
	      "stim_steps,stim_amp,loops,train_loops,seed,record,"
	      "weights,weights_sha256,target,target_sha256", fp);
	if (o->kick)
		fputs(",kick,kick_sha256", fp);
	if (o->state)
		fputs(",state,state_sha256", fp);
	fputs(",rls,float32,plastic,learn_every,p_float32,static_float32,observe,record_loops,"
	      "trained,forget", fp);
	fprintf(fp, "\nsimulate-train,%s,%zu,%zu,%zu,", FORCENET_VERSION, n, steps, nqif);
	csvio_put_double(fp, o->pqif);
	fputc(',', fp);
	csvio_put_double(fp, lif ? o->vt : NAN);
	fputc(',', fp);
	csvio_put_double(fp, lif ? o->vrest : NAN);
	fputc(',', fp);
	csvio_put_double(fp, o->dt);
	fputc(',', fp);
	csvio_put_double(fp, o->tau_s);
	fputc(',', fp);
	csvio_put_double(fp, o->alpha);
	fputc(',', fp);
	csvio_put_double(fp, o->sigma);
	fprintf(fp, ",%s,%lld,", o->noise == MODEL_NOISE_EM ? "em" : "dt", o->stim_steps);
	csvio_put_double(fp, o->stim_amp);
	fprintf(fp, ",%lld,%lld,%llu,", o->loops, o->train_loops,
		(unsigned long long)o->c.seed);
	fputs(rec, fp);
	fputc(',', fp);
	csvio_put_str(fp, o->weights);
	fprintf(fp, ",%s,", wsha);
	csvio_put_str(fp, o->target);
	fprintf(fp, ",%s", tsha);
	if (o->kick) {
		fputc(',', fp);
		csvio_put_str(fp, o->kick);
		fprintf(fp, ",%s", ksha);
	}
	if (o->state) {
		fputc(',', fp);
		csvio_put_str(fp, o->state);
		fprintf(fp, ",%s", ssha);
	}
	fprintf(fp, ",%s,%d,", kernel_name(o), o->f32);
	if (o->plastic)
		fprintf(fp, "%lld", o->plastic);
	else
		fputs("all", fp);
	fprintf(fp, ",%lld,%d,%d,", o->learn_every, o->p_f32, o->static_f32);
	put_set(fp, o->observe_arg);
	fputc(',', fp);
	put_set(fp, o->record_loops_arg);
	fprintf(fp, ",%zu,", ntrained);
	csvio_put_double(fp, o->forget);
	fputc('\n', fp);
}

/*
 * The neurons that train: NULL for all of them, else n flags (*count set).
 * --train-fraction F: round(F n) neurons drawn without replacement from the
 * seed's RNG_TRAIN stream (Knuth's selection sampling: the same neurons for
 * every pqif and vrest of a seed); --train-neurons: the ones listed.
 */
static unsigned char *choose_trained(const struct options *o, size_t n, size_t *count)
{
	unsigned char *t;

	*count = n;
	if (!o->train_neurons_arg && o->train_fraction >= 1)
		return NULL;
	t = err_calloc(n + 1, 1);
	if (o->train_neurons_arg) {
		size_t k, *l = parse_list("--train-neurons", o->train_neurons_arg, n, &k);

		for (size_t x = 0; x < k; x++) {
			if (t[l[x]])
				err_usage("--train-neurons: neuron %zu listed twice", l[x]);
			t[l[x]] = 1;
		}
		free(l);
		*count = k;
	} else {
		size_t k = (size_t)llround(o->train_fraction * (double)n), *pick;
		rng_t *g = rng_new(o->c.seed, RNG_TRAIN);

		pick = err_malloc((k + 1) * sizeof *pick);
		rng_sample_sorted(g, n, k, pick);
		for (size_t x = 0; x < k; x++)
			t[pick[x]] = 1;
		rng_free(g);
		free(pick);
		*count = k;
	}
	return t;
}

/* Bytes of memory available to this process: the kernel's MemAvailable,
 * or less under a cgroup limit. */
static double memory_available(void)
{
	FILE *fp = fopen("/proc/meminfo", "r");
	char line[256];
	double avail = 0, max = 0, cur = 0;

	if (fp) {
		while (fgets(line, sizeof line, fp))
			if (sscanf(line, "MemAvailable: %lf kB", &avail) == 1) {
				avail *= 1024;
				break;
			}
		fclose(fp);
	}
	fp = fopen("/sys/fs/cgroup/memory.max", "r");
	if (fp) {
		if (fscanf(fp, "%lf", &max) == 1) {
			FILE *fc = fopen("/sys/fs/cgroup/memory.current", "r");

			if (fc) {
				if (fscanf(fc, "%lf", &cur) == 1 && max - cur < avail)
					avail = max - cur;
				fclose(fc);
			}
		}
		fclose(fp);
	}
	return avail;
}

/*
 * The initial weights, however they come, for the rows lo .. hi-1 of W that
 * this process steps (all of them with one process): their CSR structure
 * and a net_source of their entries.  Dense (.npy): the block's rows are
 * read one at a time and their non-zero entries kept.  Sparse (a SciPy CSR
 * .npz): the structure is the file's, and the block's entries are read
 * from the file twice (net_init()), those before them skipped.  No process
 * holds more of W than its block.
 */
struct weights {
	int sparse;
	const char *path;
	size_t n, nnz;          /* N; entries of W (dense: of the block until
				 * the processes have added them up) */
	size_t lo, hi;          /* the block */
	size_t *indptr;         /* hi - lo + 1: the block's row starts, from
				 * its first entry's position in W (base) */
	size_t base;
	double sumsq;           /* the block's entries squared, summed in
				 * order (on the first pass) */
	double w0sq;            /* all of W's (||W0||^2): sumsq with one
				 * process, else by a pass of process 0's */
	int rewound;
	char sha[65];
	/* dense: a regular .npy file read row by row, else (a pipe, CSV) the
	 * whole matrix read at once, full */
	struct npy_reader npy;
	double *full;
	int read_whole;         /* full was read (w0sq then summed) */
	int32_t *col;
	double *val;
	size_t pos;
	/* sparse */
	struct npz_reader r;
};

static int dense_read(void *ctx, size_t count, int32_t *indices, double *values)
{
	struct weights *w = ctx;

	memcpy(indices, w->col + w->pos, count * sizeof *indices);
	memcpy(values, w->val + w->pos, count * sizeof *values);
	w->pos += count;
	return 0;
}

static int dense_rewind(void *ctx)
{
	((struct weights *)ctx)->pos = 0;
	return 0;
}

static int sparse_read(void *ctx, size_t count, int32_t *indices, double *values)
{
	struct weights *w = ctx;

	if (npz_read(&w->r, count, indices, values) != 0)
		err_die(EXIT_DATA, "%s: %s", w->path, w->r.err);
	/* ||W0||: the entries in the order of the input, as dense weights */
	if (!w->rewound)
		for (size_t x = 0; x < count; x++)
			w->sumsq += values[x] * values[x];
	return 0;
}

/* Skip the entries of the rows before the block. */
static void sparse_skip(struct weights *w)
{
	int32_t *idx = err_malloc(65536 * sizeof *idx);
	double *val = err_malloc(65536 * sizeof *val);

	for (size_t done = 0; done < w->base;) {
		size_t k = w->base - done < 65536 ? w->base - done : 65536;

		if (npz_read(&w->r, k, idx, val) != 0)
			err_die(EXIT_DATA, "%s: %s", w->path, w->r.err);
		done += k;
	}
	free(idx);
	free(val);
}

static int sparse_rewind(void *ctx)
{
	struct weights *w = ctx;

	npz_close(&w->r);
	if (npz_open(&w->r, w->path) != 0)
		err_die(EXIT_DATA, "%s: %s", w->path, w->r.err);
	sparse_skip(w);
	w->rewound = 1;
	return 0;
}

/* A regular file that starts as a zip archive does is a sparse .npz,
 * read twice; a regular .npy is read row by row (a block skipped by
 * seeking).  Anything else, a pipe above all (its first bytes must not be
 * taken), goes through arrayin, which densifies a .npz. */
#define ZIP_MAGIC "PK\3\4", 4
#define NPY_MAGIC "\x93NUMPY", 6

/* Open the weights and read their shape (sparse: and structure). */
static void weights_open(struct weights *w, const char *path)
{
	memset(w, 0, sizeof *w);
	w->path = path;
	w->sparse = arrayin_regular_starts(path, ZIP_MAGIC);
	if (w->sparse) {
		if (npz_open(&w->r, path) != 0)
			err_die(EXIT_DATA, "%s: %s", path, w->r.err);
		if (w->r.nrows != w->r.ncols)
			err_die(EXIT_DATA, "%s: weights must be a square (N, N) matrix, not "
				"(%zu, %zu)", path, w->r.nrows, w->r.ncols);
		w->n = w->r.nrows;
		w->nnz = w->r.nnz;
	} else {
		if (arrayin_regular_starts(path, NPY_MAGIC)) {
			if (npy_open(&w->npy, path) != 0)
				err_die(EXIT_DATA, "%s: %s", path, w->npy.err);
			if (w->npy.ndim != 2 || w->npy.shape[0] != w->npy.shape[1]) {
				char shape[96];
				int k = snprintf(shape, sizeof shape, "(");

				for (int d = 0; d < w->npy.ndim && k < 80; d++)
					k += snprintf(shape + k, sizeof shape - (size_t)k, "%s%zu",
						      d ? ", " : "", w->npy.shape[d]);
				snprintf(shape + k, sizeof shape - (size_t)k, "%s)",
					 w->npy.ndim == 1 ? "," : "");
				err_die(EXIT_DATA, "%s: weights must be a square (N, N) matrix, "
					"not %s", path, shape);
			}
			w->n = w->npy.shape[0];
		} else {
			/* a pipe, or CSV: read whole, hashed as it is read */
			struct input in;

			load(path, 0, &in);
			if (in.ndim != 2 || in.rows != in.cols) {
				free(in.v);
				err_die(EXIT_DATA, "%s: weights must be a square (N, N) matrix, "
					"not %s", path, in.shape);
			}
			w->full = in.v;
			w->read_whole = 1;
			w->n = in.rows;
			memcpy(w->sha, in.sha, sizeof in.sha);
		}
	}
	if ((long long)w->n > MAX_N)
		err_die(EXIT_DATA, "%s: N = %zu is too large (at most %lld)", path, w->n, MAX_N);
	if (w->n == 0)
		err_die(EXIT_DATA, "%s: N = 0: the weights hold no neuron", path);
}

/*
 * Rows lo .. hi-1 of a dense W from r (positioned at row lo; NULL: from
 * w->full): with col and
 * val, their non-zero entries into w (the presynaptic sets), else only
 * their squares summed into w->sumsq; every value checked.
 */
static void dense_rows(struct weights *w, struct npy_reader *r, size_t lo, size_t hi, int keep)
{
	const size_t n = w->n;
	double *row = err_malloc((n + 1) * sizeof *row), s = 0;
	size_t k = 0, cap = 0;

	for (size_t i = lo; i < hi; i++) {
		if (!r)
			memcpy(row, w->full + i * n, n * sizeof *row);
		else if (npy_read(r, row, n) != 0)
			err_die(EXIT_DATA, "%s: %s", w->path, r->err);
		for (size_t j = 0; j < n; j++) {
			if (!isfinite(row[j]))
				err_die(EXIT_DATA, "%s: value at [%zu, %zu] is not finite (%g)",
					w->path, i, j, row[j]);
			if (row[j] == 0)
				continue;
			s += row[j] * row[j];
			if (!keep)
				continue;
			if (k == cap) {
				cap = 2 * cap + n;
				w->col = realloc(w->col, (cap + 1) * sizeof *w->col);
				w->val = realloc(w->val, (cap + 1) * sizeof *w->val);
				if (!w->col || !w->val)
					err_die(EXIT_DATA, "out of memory (%zu weights)", cap);
			}
			w->col[k] = (int32_t)j;
			w->val[k++] = row[j];
		}
		if (keep)
			w->indptr[i - lo + 1] = k;
	}
	w->sumsq = s;
	free(row);
}

/*
 * Read the block lo .. hi-1 (what net_init() takes, and the block's entries
 * squared); sha: the file's checksum too.
 */
static void weights_load(struct weights *w, size_t lo, size_t hi, int sha)
{
	w->lo = lo;
	w->hi = hi;
	w->indptr = err_malloc((hi - lo + 1) * sizeof *w->indptr);
	w->indptr[0] = 0;
	if (w->sparse) {
		w->base = (size_t)w->r.indptr[lo];
		for (size_t i = lo; i <= hi; i++)
			w->indptr[i - lo] = (size_t)w->r.indptr[i] - w->base;
		sparse_skip(w);
	} else if (w->full) {
		if (hi - lo < w->n) {           /* ||W0||^2 now: full is freed */
			dense_rows(w, NULL, 0, w->n, 0);
			w->w0sq = w->sumsq;
		}
		dense_rows(w, NULL, lo, hi, 1);
		free(w->full);
		w->full = NULL;
		w->nnz = w->indptr[hi - lo];
		return;         /* hashed as it was read */
	} else {
		if (npy_skip(&w->npy, lo * w->n) != 0)
			err_die(EXIT_DATA, "%s: %s", w->path, w->npy.err);
		dense_rows(w, &w->npy, lo, hi, 1);
		npy_close(&w->npy);
		w->nnz = w->indptr[hi - lo];
	}
	if (sha && sha256_file(w->path, w->sha) != 0)
		err_die(EXIT_DATA, "%s: cannot read", w->path);
}

/*
 * ||W0||^2 by a pass of its own over every entry of the file, in the
 * input's order (for a process that read only its block).
 */
static double weights_sumsq(const struct weights *w)
{
	struct weights all = { .path = w->path, .n = w->n };

	if (w->read_whole)
		return w->w0sq;         /* read whole: summed then */
	if (w->sparse) {
		struct npz_reader r;
		int32_t *idx = err_malloc(65536 * sizeof *idx);
		double *val = err_malloc(65536 * sizeof *val), s = 0;

		if (npz_open(&r, w->path) != 0)
			err_die(EXIT_DATA, "%s: %s", w->path, r.err);
		for (size_t done = 0; done < r.nnz;) {
			size_t k = r.nnz - done < 65536 ? r.nnz - done : 65536;

			if (npz_read(&r, k, idx, val) != 0)
				err_die(EXIT_DATA, "%s: %s", w->path, r.err);
			for (size_t x = 0; x < k; x++)
				s += val[x] * val[x];
			done += k;
		}
		npz_close(&r);
		free(idx);
		free(val);
		return s;
	}
	if (npy_open(&all.npy, w->path) != 0)
		err_die(EXIT_DATA, "%s: %s", w->path, all.npy.err);
	dense_rows(&all, &all.npy, 0, w->n, 0);
	npy_close(&all.npy);
	return all.sumsq;
}

/* The net of the block's rows (of the whole network of N neurons). */
static void build_net(struct weights *w, struct net *net, const struct net_config *cf)
{
	struct net_source src = { w->hi - w->lo, w->indptr, w->sparse ? sparse_read : dense_read,
				  w->sparse ? sparse_rewind : dense_rewind, w };

	if (net_init(net, &src, cf) != 0)
		err_die(EXIT_DATA, "%s: cannot read the weights", w->path);
	if (w->sparse)
		npz_close(&w->r);
	free(w->col);
	free(w->val);
	w->col = NULL;
	w->val = NULL;
}

/* Copy the file src to dst (a new file). */
static void copy_file(const char *src, const char *dst)
{
	int in = open(src, O_RDONLY), out;
	char *buf;
	ssize_t k;

	if (in < 0)
		err_die(EXIT_DATA, "%s: cannot read: %s", src, strerror(errno));
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL, 0666);
	if (out < 0)
		err_die(EXIT_DATA, "%s: cannot create: %s", dst, strerror(errno));
	buf = err_malloc(1 << 20);
	while ((k = read(in, buf, 1 << 20)) > 0)
		if (write(out, buf, (size_t)k) != k)
			err_die(EXIT_DATA, "%s: write error: %s", dst, strerror(errno));
	if (k < 0)
		err_die(EXIT_DATA, "%s: read error: %s", src, strerror(errno));
	if (close(out) != 0)
		err_die(EXIT_DATA, "%s: write error: %s", dst, strerror(errno));
	close(in);
	free(buf);
}

static void place_weights(const struct weights *w, const char *dir)
{
	char *p = runrec_path(dir, "weights.npz");

	if (link(w->path, p) != 0)
		copy_file(w->path, p);
	free(p);
}

/*
 * The target, (steps, n): a regular '<f8' or '<f4' .npy file is read a
 * chunk of rows at a time as the steps need them (nothing of its size in
 * memory), any other input is read whole.  Rows are delivered as doubles,
 * valid in the columns lo .. hi-1 of a block (the neurons of one process)
 * when read by chunks: a process reads no more of the file than its
 * neurons' columns.  (It was mapped, and the rows already stepped through
 * let go for the resident memory's sake: at 10^4 neurons a row's pages
 * then cost 18-22 us of faults at every pass over the file, a read of them
 * 5 us.)
 */
struct target {
	size_t steps, n;
	size_t lo, hi;          /* the columns in use */
	const double *a;        /* the doubles, when read whole */
	int fd;                 /* the file, when read by chunks (else -1) */
	const char *path;
	size_t off, es;         /* its data's offset, bytes a value (8, 4) */
	size_t rows;            /* rows a chunk */
	size_t c0, cn;          /* the chunk in cbuf: rows c0 .. c0+cn-1 */
	unsigned char *cbuf;    /* rows x n values (columns lo .. hi-1 read) */
	double *row;            /* a '<f4' row as doubles */
	double *owned;
};

/* Bytes of the file read at a time (a chunk of rows; one row at least). */
#define TARGET_CHUNK_BYTES ((size_t)1 << 20)

/* Bytes load_target() allocated for reading by chunks: the chunk and a
 * '<f4' row as doubles (0 for a target read whole: it is the input's). */
static size_t target_bytes(const struct target *t)
{
	if (t->fd < 0)
		return 0;
	return t->rows * t->n * t->es + (t->row ? (t->n + 1) * sizeof *t->row : 0);
}

/* Read len bytes at off: 0, or -1 with errno (EIO at the end of the file:
 * it was cut after it was checked). */
static int pread_all(int fd, void *buf, size_t len, size_t off)
{
	unsigned char *p = buf;

	while (len) {
		ssize_t got = pread(fd, p, len, (off_t)off);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			if (got == 0)
				errno = EIO;
			return -1;
		}
		p += got;
		off += (size_t)got;
		len -= (size_t)got;
	}
	return 0;
}

/* Read rows it .. into the chunk. */
static void target_fill(struct target *t, size_t it)
{
	const size_t rowb = t->n * t->es, w = (t->hi - t->lo) * t->es;

	t->c0 = it;
	t->cn = t->steps - it < t->rows ? t->steps - it : t->rows;
	if (w == rowb) {
		/* whole rows: one read */
		if (pread_all(t->fd, t->cbuf, t->cn * rowb, t->off + it * rowb) != 0)
			err_die(EXIT_DATA, "%s: cannot read: %s", t->path, strerror(errno));
		return;
	}
	for (size_t k = 0; k < t->cn; k++)
		if (pread_all(t->fd, t->cbuf + k * rowb + t->lo * t->es, w,
			      t->off + (it + k) * rowb + t->lo * t->es) != 0)
			err_die(EXIT_DATA, "%s: cannot read: %s", t->path, strerror(errno));
}

static const double *target_row(void *ctx, size_t it)
{
	struct target *t = ctx;
	const unsigned char *x;

	if (t->fd < 0)
		return t->a + it * t->n;
	if (it < t->c0 || it >= t->c0 + t->cn)
		target_fill(t, it);
	x = t->cbuf + (it - t->c0) * t->n * t->es;
	if (t->es == 8)
		return (const double *)(const void *)x;
	for (size_t i = t->lo; i < t->hi; i++)
		t->row[i] = ((const float *)(const void *)x)[i];
	return t->row;
}

/* target_row() as a task beside a step (struct sim's beside). */
struct row_job {
	struct target *t;
	size_t it;
	const double *row;
};

static void row_task(void *arg)
{
	struct row_job *j = arg;

	j->row = target_row(j->t, j->it);
}

/* sha: the file's checksum too; lo, hi: the columns of the block (the
 * columns checked, and N = hi when they are all). */
static void load_target(struct target *t, const char *path, char hex[65], size_t lo,
			size_t hi, int sha)
{
	struct npy_reader r;
	struct stat st;

	memset(t, 0, sizeof *t);
	t->fd = -1;
	/* Only a regular file is opened twice (a pipe's bytes would be lost);
	 * a Fortran-order array is read whole (and transposed). */
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && npy_open(&r, path) == 0) {
		int direct = r.ndim == 2 && !r.fortran;

		if (direct) {
			t->steps = r.shape[0];
			t->n = r.shape[1];
			t->off = r.data_offset;
			t->es = r.dtype == NPY_F8 ? 8 : 4;
		}
		npy_close(&r);
		if (direct && (t->fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
			const size_t rowb = t->n * t->es;

			posix_fadvise(t->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
			t->path = path;
			t->rows = rowb && TARGET_CHUNK_BYTES / rowb > 1 ? TARGET_CHUNK_BYTES / rowb : 1;
			if (t->rows > t->steps)
				t->rows = t->steps;
			t->cbuf = err_malloc(t->rows * rowb + 1);
			if (t->es == 4)
				t->row = err_malloc((t->n + 1) * sizeof *t->row);
			/* the whole row when the block's columns are not
			 * those of the file (then it is refused below) */
			t->lo = t->n == hi ? lo : 0;
			t->hi = t->n == hi ? hi : t->n;
			for (size_t it = 0; it < t->steps; it++) {
				const double *x = target_row(t, it);

				for (size_t i = t->lo; i < t->hi; i++)
					if (!isfinite(x[i]))
						err_die(EXIT_DATA, "%s: value at [%zu, %zu] is not "
							"finite (%g)", path, it, i, x[i]);
			}
			if (sha && sha256_file(path, hex) != 0)
				err_die(EXIT_DATA, "%s: cannot read", path);
			return;
		}
		t->fd = -1;
	}
	{
		struct input in;

		load(path, 0, &in);
		if (in.ndim != 2)
			err_die(EXIT_DATA, "%s: target must be a (steps, N) matrix, not %s", path,
				in.shape);
		t->owned = in.v;
		t->a = t->owned;
		t->steps = in.rows;
		t->n = in.cols;
		t->hi = t->n;
		memcpy(hex, in.sha, sizeof in.sha);
	}
}

static void target_free(struct target *t)
{
	if (t->fd >= 0)
		close(t->fd);
	free(t->cbuf);
	free(t->owned);
	free(t->row);
}

/* The run's start: the neurons that train (some of them only), the kick
 * and the initial state. */
static void write_start(const char *dir, const unsigned char *trained, size_t n,
			const double *kick, const double *x)
{
	char *p;

	if (trained) {
		struct npy_writer w;
		size_t k = 0;

		for (size_t i = 0; i < n; i++)
			k += trained[i];
		p = runrec_path(dir, "trained.npy");
		npy_writer_open(&w, p, NPY_I8, 1, (size_t[]){ k });
		for (size_t i = 0; i < n; i++)
			if (trained[i])
				npy_write_i64(&w, (int64_t[]){ (int64_t)i }, 1);
		npy_writer_close(&w);
		free(p);
	}
	p = runrec_path(dir, "kick.npy");
	npy_save(p, NPY_F8, 1, (size_t[]){ n }, kick);
	free(p);
	p = runrec_path(dir, "state0.npy");
	npy_save(p, NPY_F8, 1, (size_t[]){ n }, x);
	free(p);
}

/* The run's parameters, and a check that a run to resume had the same. */
struct params {
	const struct options *o;
	size_t n, steps, nqif, ntrained;
	const char *wsha, *tsha, *ksha, *ssha;
};

static void write_params(const char *dir, const struct params *p)
{
	FILE *fp = runrec_create(dir, "params.csv");

	put_params(fp, p->o, p->n, p->steps, p->nqif, p->wsha, p->tsha, p->ksha, p->ssha,
		   p->ntrained);
	runrec_finish(fp, dir, "params.csv");
}

/* Field k (from 0) of a CSV line without quotes, into buf ("" past its
 * end). */
static const char *field(const char *line, size_t k, char *buf, size_t len)
{
	size_t w;

	for (; k; k--) {
		line += strcspn(line, ",\n");
		if (*line != ',')
			return "";
		line++;
	}
	w = strcspn(line, ",\n");
	snprintf(buf, len, "%.*s", (int)(w < len ? w : len - 1), line);
	return buf;
}

/* --resume: the interrupted run in dir was made with these parameters,
 * else die naming the first that differs.  --continue (old set): the run
 * in dir may have had other loops and train_loops, returned in old[2]. */
static void check_params(const char *dir, const struct params *p, long long *old)
{
	char *mine = NULL, *path = runrec_path(dir, "params.csv"), theirs[2][8192];
	size_t len = 0;
	FILE *fp = open_memstream(&mine, &len), *in = fopen(path, "r");

	if (!fp)
		err_die(EXIT_DATA, "out of memory");
	put_params(fp, p->o, p->n, p->steps, p->nqif, p->wsha, p->tsha, p->ksha, p->ssha,
		   p->ntrained);
	fclose(fp);
	if (!in || !fgets(theirs[0], sizeof theirs[0], in) || !fgets(theirs[1], sizeof theirs[1], in))
		err_die(EXIT_DATA, "%s: not an interrupted run (no params.csv)", dir);
	fclose(in);
	{
		const char *nl = strchr(mine, '\n');
		char a[512], b[512], name[128];

		for (size_t k = 0;; k++) {
			const char *h = field(mine, k, name, sizeof name);

			if (!*h && !*field(theirs[0], k, a, sizeof a))
				break;
			if (strcmp(h, field(theirs[0], k, a, sizeof a)))
				err_die(EXIT_USAGE, "--resume: %s was run by another version "
					"(params.csv field %zu: %s, not %s)", dir, k + 1, a, h);
			field(nl + 1, k, a, sizeof a);
			field(theirs[1], k, b, sizeof b);
			/* nqif follows from N and pqif: pqif names what was asked */
			if (!strcmp(h, "nqif"))
				continue;
			if (old && (!strcmp(h, "loops") || !strcmp(h, "train_loops"))) {
				old[!strcmp(h, "train_loops")] = atoll(b);
				continue;
			}
			if (strcmp(a, b))
				err_die(EXIT_USAGE, "--%s: %s was run with %s = %s, not %s",
					old ? "continue" : "resume", dir, h, b, a);
		}
	}
	free(mine);
	free(path);
}

/*
 * --continue RUN: the finished run RUN (with its checkpoint) copied to
 * .RUN.partial, to be resumed there at its next loop and put back in
 * RUN's place when complete.  Its parameters must be this invocation's but
 * for loops (more) and train_loops (the loops it ran must train as they
 * did), and its weights recorded after every loop.
 */
static const char *continue_run(struct atomic_dir *ad, struct options *o, const struct params *p)
{
	long long old[2] = { -1, -1 };
	const char *dir;
	char *src, *dst;
	DIR *d;
	struct dirent *e;

	src = runrec_path(o->cont, "checkpoint.bin");
	if (access(src, F_OK) != 0)
		err_die(EXIT_DATA, "%s: no checkpoint to continue from (make the run with "
			"--keep-checkpoint)", o->cont);
	free(src);
	check_params(o->cont, p, old);
	if (o->loops <= old[0])
		err_die(EXIT_USAGE, "--continue: %s has %lld loops already: --loops must be more",
			o->cont, old[0]);
	if ((old[1] < old[0] - 1 ? old[1] : old[0] - 1) !=
	    (o->train_loops < old[0] - 1 ? o->train_loops : old[0] - 1))
		err_die(EXIT_USAGE, "--continue: %s trained loops 1-%lld of its %lld: "
			"--train-loops %lld would have trained them otherwise", o->cont, old[1],
			old[0], o->train_loops);
	if (o->record_loops_arg && strcmp(o->record_loops_arg, "all"))
		err_die(EXIT_USAGE, "--continue: the weights must be recorded after every loop "
			"(no --record-loops)");
	o->force = 1;
	dir = atomic_dir_open_kept(ad, o->cont, 1, 0);
	d = opendir(o->cont);
	if (!d)
		err_die(EXIT_DATA, "%s: cannot read: %s", o->cont, strerror(errno));
	/* what is written again is copied, what stays is linked */
	while ((e = readdir(d)))
		if (e->d_name[0] != '.') {
			static const char *const kept[] = { "weights.npz", "plastic.npy", "kick.npy",
							    "state0.npy", "trained.npy" };
			int link_it = 0;

			for (size_t k = 0; k < sizeof kept / sizeof kept[0]; k++)
				link_it |= !strcmp(e->d_name, kept[k]);
			src = runrec_path(o->cont, e->d_name);
			dst = runrec_path(dir, e->d_name);
			if (!link_it || link(src, dst) != 0)
				copy_file(src, dst);
			free(src);
			free(dst);
		}
	closedir(d);
	return dir;
}

static void fmt_bytes(char *buf, size_t len, double b)
{
	if (b >= 1e9)
		snprintf(buf, len, "%.1f GB", b / 1e9);
	else
		snprintf(buf, len, "%.0f MB", b / 1e6 < 1 ? 1 : b / 1e6);
}

/* A block's view of the target: the columns of its neurons. */
struct block_target {
	struct target *tg;
	size_t lo;
};

static const double *block_row(void *ctx, size_t it)
{
	const struct block_target *b = ctx;

	return target_row(b->tg, it) + b->lo;
}

/*
 * A run, on one process or on each of several (dist.h): what main() sets
 * up, held in one place so that its phases are functions of it.  Arrays of
 * the block are marked so; those of process 0 alone come whole from the
 * others.
 */
struct run {
	int argc;
	char **argv;
	struct options o;
	struct dist d;
	char tsha[65], ksha[65], ssha[65];
	size_t n, rows, steps, stim, nqif;
	size_t *observe, nobserve;
	unsigned char *record_loop, *trained;
	size_t ntrained;
	double need, avail;          /* bytes of memory */
	double *kick, *x;
	struct weights wt;
	struct target tg;
	struct block_target bt;
	struct net net;
	struct net_config ncf;
	struct sim sim;
	struct sim_config scf;
	struct sim_split split;
	struct summary sm;
	int streaming;           /* the summary's streaming way */
	struct runrec rr;
	struct runrec_config rcf;
	struct runrec_whole whole;
	struct runrec_pos pos;
	struct params prm;
	size_t loop0;                /* the first loop to run (resumed) */
	int resuming;
	size_t kill_loop, kill_step;
	char *ckpath;
	struct atomic_dir ad;
	struct pool *pool;
	const char *dir;
	/* the observed inputs and traced recurrent inputs of every neuron
	 * (process 0), from the processes that step them */
	struct dist_pick *pick_in, *pick_trace;
	size_t *trace_set, ntrace_set;
	double *in_all, *v_all, *xi_all;
	double *mse, *corr;          /* the block's, at the end of a loop */
	double *mse_all, *corr_all;  /* every neuron's (process 0) */
};

/* All-zero weights, with training asked for. */
#define NO_SYNAPSE "%s: every weight is zero: RLS trains the non-zero entries only, so " \
	"there is nothing to train (--train-loops 0 runs it untrained)"

/* The inputs that every process reads must be files. */
static void refuse_stdin(const struct options *o, int size)
{
	const char *in[] = { o->weights, o->target, o->kick, o->state };

	for (size_t k = 0; k < sizeof in / sizeof in[0]; k++)
		if (in[k] && !strcmp(in[k], "-"))
			err_die(EXIT_USAGE, "-: standard input cannot be read by %d processes "
				"(give a file)", size);
}

/* Bytes that the RLS of the block takes. */
static size_t block_rls_bytes(const struct run *R)
{
	const size_t *ip = R->wt.indptr, L = (size_t)R->o.plastic;
	size_t *prow = err_malloc((R->rows + 1) * sizeof *prow), b;

	prow[0] = 0;
	for (size_t i = 0; i < R->rows; i++) {
		size_t m = ip[i + 1] - ip[i];

		prow[i + 1] = prow[i] + (R->trained && !R->trained[R->wt.lo + i] ? 0 :
					 L && L < m ? L : m);
	}
	b = rls_bytes(R->rows, prow, &R->scf.rls);
	free(prow);
	return b;
}

/* The size of the run and the memory it takes (of process 0). */
static void say_memory(const struct run *R)
{
	char a[32], b[32];

	if (R->o.c.quiet || R->d.rank != 0)
		return;
	fmt_bytes(a, sizeof a, R->need);
	fmt_bytes(b, sizeof b, R->avail);
	if (R->d.size == 1)
		err_warn("%s: N = %zu, %zu synapses; memory: %s of %s", R->o.c.output, R->n,
			 R->wt.nnz, a, b);
	else
		err_warn("%s: N = %zu over %d processes (%zu neurons, %zu synapses in process 0); "
			 "memory: %s of %s", R->o.c.output, R->n, R->d.size, R->rows, R->net.nnz,
			 a, b);
}

/*
 * Everything a process does on its own before the run: the options, its
 * inputs, the memory it needs, its block's net, state and summary.
 */
static void setup(struct run *R)
{
	struct options *o = &R->o;
	struct dist *d = &R->d;
	size_t n, steps, stim, nqif, nnz_all;
	double need, avail;

	dist_quiet(d, 1);
	parse_command_line(R->argc, R->argv, o);
	dist_quiet(d, 0);
	if (d->size > 1)
		refuse_stdin(o, d->size);
	if (d->size > 1 && o->checkpoint)
		err_die(EXIT_USAGE, "%s: a run on %d processes cannot be checkpointed (one process "
			"only)", o->cont ? "--continue" : o->resume ? "--resume" : o->keep_checkpoint ?
			"--keep-checkpoint" : "--checkpoint", d->size);
	/* Fault injection for the tests of --resume: SIGKILL at a given step. */
	R->kill_loop = R->kill_step = SIZE_MAX;
	if (getenv("FORCENET_KILL_AT") &&
	    sscanf(getenv("FORCENET_KILL_AT"), "%zu:%zu", &R->kill_loop, &R->kill_step) != 2)
		err_usage("FORCENET_KILL_AT: '%s' is not LOOP:STEP", getenv("FORCENET_KILL_AT"));

	/* Inputs, all checked before anything is written. */
	weights_open(&R->wt, o->weights);
	n = R->n = R->wt.n;
	dist_split(d, n);
	R->rows = d->hi - d->lo;
	weights_load(&R->wt, d->lo, d->hi, d->rank == 0);
	/* the synapses of the whole network (the blocks of dense weights on
	 * several processes: added up by join(), no exchange here) */
	nnz_all = R->wt.sparse || d->size == 1 ? R->wt.nnz : 0;
	if ((R->wt.sparse || d->size == 1) && nnz_all == 0 && o->train_loops > 0)
		err_die(EXIT_DATA, NO_SYNAPSE, o->weights);
	load_target(&R->tg, o->target, R->tsha, d->lo, d->hi, d->rank == 0);
	if (R->tg.n != n)
		err_die(EXIT_DATA, "%s: target has %zu neurons (columns), the weights have %zu",
			o->target, R->tg.n, n);
	steps = R->steps = R->tg.steps;
	if (steps == 0)
		err_die(EXIT_DATA, "%s: the target has no step (shape (0, %zu))", o->target, n);
	stim = R->stim = (size_t)o->stim_steps;
	if (stim + 1 >= steps)
		err_die(EXIT_USAGE, "--stim-steps %zu leaves no step after the kick "
			"(the target has %zu steps per loop)", stim, steps);
	nqif = R->nqif = model_nqif(n, o->pqif);
	if (nqif < n && !(o->vrest < o->vt))
		err_die(EXIT_USAGE, "--vrest %g must be below --vt %g", o->vrest, o->vt);
	for (size_t i = 0; i < o->ntrace; i++)
		if (o->trace[i] >= n)
			err_die(EXIT_USAGE, "--trace: neuron %zu does not exist (N = %zu)",
				o->trace[i], n);
	R->x = o->state ? load_vector(o->state, n, R->ssha) : NULL;
	R->kick = o->kick ? load_vector(o->kick, n, R->ksha) : NULL;
	R->observe = parse_observe(o->observe_arg, n, &R->nobserve);
	R->trained = choose_trained(o, n, &R->ntrained);
	if (o->record_loops_arg && strcmp(o->record_loops_arg, "all")) {
		size_t k, *l = parse_list("--record-loops", o->record_loops_arg, (size_t)o->loops, &k);

		R->record_loop = err_calloc((size_t)o->loops, 1);
		for (size_t x1 = 0; x1 < k; x1++)
			R->record_loop[l[x1]] = 1;
		free(l);
	}
	/* What the run needs, before it takes it. */
	R->ncf = (struct net_config){ .plastic = (size_t)o->plastic, .seed = o->c.seed,
				      .static_f32 = o->static_f32, .trained = R->trained,
				      .ncols = n, .row0 = d->lo };
	if (d->size > 1)
		dist_sim_split(d, &R->split);
	R->scf = (struct sim_config){
		.mp = { .n = n, .nqif = nqif, .vt = o->vt, .vrest = o->vrest, .dt = o->dt,
			.b = 1 / o->tau_s, .sigma = o->sigma, .noise = o->noise },
		.stim = stim, .learn_every = (size_t)o->learn_every, .loop_steps = steps,
		.refresh = refresh_steps(nnz_all, o->dt),
		.seed = o->c.seed, .train = o->train_loops > 0,
		.rls = rls_of_options(o),
		.split = d->size > 1 ? &R->split : NULL };
	if (o->train_loops == 0)
		o->record &= ~REC_DW;
	/* ||W0|| for dw.csv: process 0 reads the whole of W (a block only
	 * with several processes) */
	if (d->size > 1 && d->rank == 0 && (o->record & REC_DW))
		R->wt.w0sq = weights_sumsq(&R->wt);
	R->rcf = (struct runrec_config){ .record = o->record, .f32 = o->f32, .n = n, .steps = steps,
		.loops = (size_t)o->loops, .stim = stim, .observe = R->observe,
		.nobserve = R->nobserve, .record_loop = R->record_loop, .sparse = R->wt.sparse,
		.indptr = R->wt.indptr, .trace = o->trace, .ntrace = o->ntrace,
		.plain = o->checkpoint, .whole = d->size > 1 ? &R->whole : NULL };
	/* the summary's streaming way (summary.h) for a large run, or when
	 * FORCENET_SUMMARY_STREAMING asks for it (the same figures) */
	R->streaming = !summary_buffered(n, steps) || getenv("FORCENET_SUMMARY_STREAMING");
	need = (double)net_bytes(R->rows, R->wt.indptr, &R->ncf) + (double)sim_bytes(n) +
	       (double)summary_bytes(R->rows, steps, R->streaming) +
	       (d->rank == 0 ? (double)runrec_bytes(&R->rcf, NULL) : 0);
	if (R->scf.train)
		need += (double)block_rls_bytes(R);
	need += (double)target_bytes(&R->tg);
	/* several processes: each sends its rows of a dense record */
	if (d->size > 1 && !R->wt.sparse && (o->record & REC_WEIGHTS))
		need += (double)(R->rows * n) * sizeof(double);
	/* the processes on this machine share its memory */
	avail = o->max_memory > 0 ? o->max_memory : memory_available() / d->node_size;
	if (avail > 0 && need > avail) {
		char a[32], b[32];

		fmt_bytes(a, sizeof a, need);
		fmt_bytes(b, sizeof b, avail);
		err_die(EXIT_DATA, "the run needs %s of memory, %s %s", a, b,
			o->max_memory > 0 ? "allowed by --max-memory" : "available");
	}
	R->need = need;
	R->avail = avail;
	/* one process: at once; several: once all have read their inputs */
	if (d->size == 1)
		say_memory(R);

	/* The network, its state and the kick. */
	R->pool = pool_new((int)o->threads);
	build_net(&R->wt, &R->net, &R->ncf);
	/* Kick and initial state: one stream each, so that they are paired
	 * across every pqif and vrest of a seed (drawn whole by every process). */
	if (!R->kick) {
		rng_t *g = rng_new(o->c.seed, RNG_KICK);

		R->kick = err_malloc(n * sizeof *R->kick);
		for (size_t i = 0; i < n; i++)
			R->kick[i] = o->stim_amp * (2 * rng_uniform(g) - 1);
		rng_free(g);
	}
	if (!R->x) {
		rng_t *g = rng_new(o->c.seed, RNG_STATE);

		R->x = err_malloc(n * sizeof *R->x);
		for (size_t i = 0; i < n; i++)
			R->x[i] = rng_uniform(g) * 2 * M_PI;
		rng_free(g);
	}
	sim_init(&R->sim, &R->net, R->x, R->kick, &R->scf, R->pool);
	R->bt = (struct block_target){ &R->tg, d->lo };
	summary_init(&R->sm, R->rows, nqif, steps, stim, o->dt, block_row, &R->bt,
		     R->streaming, R->trained);
	R->sm.pool = R->pool;
	R->mse = err_malloc((2 * R->rows + 1) * sizeof *R->mse);
	R->corr = R->mse + R->rows;
}

/* Every plastic weight's position in W's CSR order, block by block. */
static void whole_positions(void *ctx, struct npy_writer *w)
{
	struct run *R = ctx;
	const struct net *net = &R->net;
	int64_t *pos = err_malloc((net_nplastic(net) + 1) * sizeof *pos);
	size_t k = 0;

	for (size_t i = 0; i < net->n; i++)
		for (size_t x = 0; x < net->prow[i + 1] - net->prow[i]; x++)
			pos[k++] = (int64_t)net_plastic_pos(net, R->wt.indptr, i, x);
	dist_stream_i64(&R->d, pos, k, w);
	free(pos);
}

/* The weights after a loop, block by block: the plastic values (sparse),
 * or the rows of the dense W. */
static void whole_weights(void *ctx, struct npy_writer *w)
{
	struct run *R = ctx;
	double *W;

	if (R->wt.sparse) {
		dist_stream_f64(&R->d, R->net.pval, net_nplastic(&R->net), w);
		return;
	}
	W = err_malloc((R->rows * R->n + 1) * sizeof *W);
	net_dense(&R->net, W);
	dist_stream_f64(&R->d, W, R->rows * R->n, w);
	free(W);
}

/*
 * What needs every process, once all have read their inputs: the entries
 * before each block (the positions of its weights in W) and the counts of
 * the whole network; what process 0 gathers to record.
 */
static void join(struct run *R)
{
	struct dist *d = &R->d;
	size_t base = R->wt.sparse ? R->wt.base : dist_before(d, R->wt.nnz);

	R->wt.base = base;
	for (size_t i = 0; i <= R->rows; i++)
		R->wt.indptr[i] += base;
	R->rcf.w0norm = sqrt(d->size == 1 ? R->wt.sumsq : R->wt.w0sq);
	if (d->size == 1)
		return;
	/* the RLS batch that the whole network's matrices set, not the
	 * block's (it sets the results) */
	if (R->scf.train && R->sim.rls.kind == RLS_SPIKE && !R->scf.rls.batch)
		sim_rls_batch(&R->sim, rls_auto_batch(dist_total(d, rls_matrix_bytes(R->rows,
						R->net.prow, &R->scf.rls))));
	say_memory(R);
	R->whole = (struct runrec_whole){ .nplastic = dist_total(d, net_nplastic(&R->net)),
		.nnz = R->wt.sparse ? R->wt.nnz : dist_total(d, R->wt.nnz),
		.positions = whole_positions, .weights = whole_weights, .ctx = R };
	/* dense blocks: now that their synapses are added up (every process
	 * sees it: one message) */
	if (!R->wt.sparse) {
		if (R->whole.nnz == 0 && R->o.train_loops > 0)
			dist_fail(d, EXIT_DATA, NO_SYNAPSE, R->o.weights);
		R->sim.cf.refresh = refresh_steps(R->whole.nnz, R->o.dt);
	}
	if (R->rcf.record & REC_INPUTS) {
		R->pick_in = dist_pick_new(d, R->observe, R->nobserve);
		if (d->rank == 0)
			R->in_all = err_malloc((R->n + 1) * sizeof *R->in_all);
	}
	if (R->rcf.record & REC_CURRENTS) {
		size_t k = 0;

		R->trace_set = err_malloc((R->o.ntrace + 1) * sizeof *R->trace_set);
		memcpy(R->trace_set, R->o.trace, R->o.ntrace * sizeof *R->trace_set);
		qsort(R->trace_set, R->o.ntrace, sizeof *R->trace_set, cmp_size);
		for (size_t x = 0; x < R->o.ntrace; x++)
			if (!k || R->trace_set[x] != R->trace_set[k - 1])
				R->trace_set[k++] = R->trace_set[x];
		R->ntrace_set = k;
		R->pick_trace = dist_pick_new(d, R->trace_set, k);
		if (d->rank == 0) {
			R->v_all = err_malloc((R->n + 1) * sizeof *R->v_all);
			if (R->o.sigma > 0)
				R->xi_all = err_malloc((R->n + 1) * sizeof *R->xi_all);
		}
	}
	if (d->rank == 0) {
		R->mse_all = err_malloc((2 * R->n + 1) * sizeof *R->mse_all);
		R->corr_all = R->mse_all + R->n;
	}
}

/*
 * The run directory, under a temporary name until complete (a kept one,
 * .NAME.partial, with checkpoints), and a checkpoint's state when resumed
 * (process 0).
 */
static void open_dir(struct run *R)
{
	struct options *o = &R->o;
	const char *dir;

	R->prm = (struct params){ o, R->n, R->steps, R->nqif, R->ntrained, R->wt.sha, R->tsha,
				  R->ksha, R->ssha };
	if (o->cont) {
		dir = continue_run(&R->ad, o, &R->prm);
		R->ckpath = runrec_path(dir, "checkpoint.bin");
		o->resume = 1;
	} else if (o->checkpoint) {
		dir = atomic_dir_open_kept(&R->ad, o->c.output, o->force, o->resume);
		R->ckpath = runrec_path(dir, "checkpoint.bin");
	} else {
		dir = atomic_dir_open(&R->ad, o->c.output, o->force);
	}
	R->dir = R->rcf.dir = dir;
	if (o->resume && !o->cont)
		check_params(dir, &R->prm, NULL);
	R->resuming = o->resume && access(R->ckpath, F_OK) == 0;
	if (R->resuming) {
		struct ckpt c;

		if (ckpt_open(&c, R->ckpath) ||
		    ckpt_get(&c, "run.loop", &R->loop0, sizeof R->loop0) ||
		    ckpt_get(&c, "run.pos", &R->pos, sizeof R->pos) || sim_restore(&R->sim, &c) ||
		    ckpt_close(&c))
			err_die(EXIT_DATA, "%s: %s", R->ckpath, c.err);
		/* --continue: the run's parameters now (its arrays take the new
		 * length in runrec_resume()) */
		if (o->cont)
			write_params(dir, &R->prm);
	} else {
		write_params(dir, &R->prm);
		write_start(dir, R->trained, R->n, R->kick, R->x);
		if (R->wt.sparse && (o->record & REC_WEIGHTS))
			place_weights(&R->wt, dir);
	}
}

/* The state after a loop, for --resume (one process). */
static void save_checkpoint(struct run *R, size_t loop)
{
	struct ckpt c;
	size_t next = loop + 1;

	runrec_mark(&R->rr, &R->pos);
	ckpt_create(&c, R->ckpath);
	ckpt_put(&c, "run.loop", &next, sizeof next);
	ckpt_put(&c, "run.pos", &R->pos, sizeof R->pos);
	sim_save(&R->sim, &c);
	ckpt_commit(&c);
}

/* The record of step it: process 0 writes it, from the others' values of
 * what it records and does not have (every process has r and the spikes). */
static void record_step(struct run *R, size_t loop, size_t it)
{
	struct dist *d = &R->d;
	struct sim view;

	if (d->size == 1) {
		runrec_step(&R->rr, &R->sim, loop, it);
		return;
	}
	view = R->sim;
	if (R->rcf.record & REC_INPUTS) {
		dist_pick_gather(d, R->pick_in, R->sim.in, R->in_all);
		view.in = R->in_all;
	}
	if (R->rcf.record & REC_CURRENTS) {
		dist_pick_gather(d, R->pick_trace, R->sim.vstep, R->v_all);
		view.vstep = R->v_all;
		/* a process draws only the noise of its neurons' blocks */
		if (R->sim.xi2) {
			dist_pick_gather(d, R->pick_trace, R->sim.xi2 + R->sim.lo, R->xi_all);
			view.xi2 = R->xi_all;
		}
	}
	if (d->rank == 0)
		runrec_step(&R->rr, &view, loop, it);
}

/* The end of a loop: its summary row and weights. */
static void end_loop(struct run *R, size_t loop, const char *phase, double stats[3])
{
	struct dist *d = &R->d;
	const double *mse, *corr;

	summary_neurons(&R->sm, block_row, &R->bt, R->mse, R->corr);
	mse = dist_gather(d, R->mse, R->mse_all);
	corr = dist_gather(d, R->corr, R->corr_all);
	if (d->rank == 0) {
		struct summary whole = R->sm;

		whole.n = R->n;
		summary_put(&whole, R->rr.fsum, loop, phase, mse, corr, stats);
		/* Finite inputs can still overflow a square (|values| of 1e154
		 * and more): an inf or nan error would look like a measurement. */
		if (!isfinite(stats[1]))
			err_die(EXIT_DATA, "loop %zu: the error against the target overflows "
				"(target or recurrent input too large)", loop);
		runrec_loop(&R->rr, &R->sim, loop);
	} else if (runrec_writes_weights(&R->rcf, loop)) {
		whole_weights(R, NULL);
	}
}

static void run_loops(struct run *R)
{
	const struct options *o = &R->o;
	struct dist *d = &R->d;
	struct sim *sim = &R->sim;
	const size_t steps = R->steps, nqif = R->nqif;
	struct progress pg;
	double t0, t_train = 0, t_free = 0;
	size_t n_train = 0, n_free = 0;

	if (d->rank == 0 && R->resuming) {
		runrec_resume(&R->rr, &R->rcf, &R->net, &R->pos);
		if (!o->c.quiet)
			err_warn("%s: resuming at loop %zu", o->c.output, R->loop0);
	} else if (d->rank == 0) {
		runrec_open(&R->rr, &R->rcf, &R->net, &R->sm);
	} else if (runrec_writes_plastic(&R->rcf, &R->net)) {
		whole_positions(R, NULL);
	}

	progress_start(&pg, ((size_t)o->loops - R->loop0) * steps, o->c.quiet || d->rank != 0);
	t0 = progress_now();
	for (size_t loop = R->loop0; loop < (size_t)o->loops; loop++) {
		int train = loop >= 1 && loop <= (size_t)o->train_loops;
		const char *phase = loop == 0 ? "pre" : train ? "train" : "test";
		double stats[3], tl = progress_now();

		sim_loop_start(sim);
		summary_start(&R->sm);
		for (size_t it = 0; it < steps; it++) {
			double ts = progress_now();
			struct row_job rj = { &R->tg, it, NULL };
			const double *trow = NULL;
			size_t nq = 0;
			int status;

			/* the target's row: read beside the model step unless
			 * the step trains (its errors need it first) */
			if (train && sim_trains(&sim->cf, it)) {
				trow = target_row(&R->tg, it);
			} else {
				sim->beside = row_task;
				sim->beside_arg = &rj;
			}
			status = sim_step(sim, it, trow, runrec_dw_due(&R->rcf, it));
			if (!trow)
				trow = rj.row;

			if (status == SIM_STATE_BLOWUP)
				dist_fail(d, EXIT_DATA, "loop %zu, step %zu: numerical blow-up "
					  "(the state is not finite)", loop, it);
			if (status == SIM_WEIGHTS_BLOWUP)
				dist_fail(d, EXIT_DATA, "loop %zu, step %zu: numerical blow-up "
					  "(the weights are not finite)", loop, it);
			for (size_t k = 0; k < sim->nspikes && sim->spikes[k] < nqif; k++)
				nq++;
			summary_step(&R->sm, it, trow + d->lo, sim->vstep, nq, sim->nspikes - nq);
			record_step(R, loop, it);
			if (loop == R->kill_loop && it == R->kill_step)
				raise(SIGKILL);
			if (sim->trained) {
				t_train += progress_now() - ts;
				n_train++;
			} else {
				t_free += progress_now() - ts;
				n_free++;
			}
			progress_tick(&pg, 1);
		}
		end_loop(R, loop, phase, stats);
		if (o->checkpoint)
			save_checkpoint(R, loop);
		progress_line(&pg, "loop %zu/%lld %s: rate %.3g Hz, mse %.4g, corr %.3f, %.2f s",
			      loop, o->loops - 1, phase, stats[0], stats[1], stats[2],
			      progress_now() - tl);
	}
	progress_end(&pg);
	if (d->rank != 0)
		return;
	runrec_close(&R->rr);
	/* the checkpoint goes after the rename: a run killed before it is
	 * finished by --resume from its last loop, not done again */
	atomic_dir_commit(&R->ad);
	if (o->checkpoint && !o->keep_checkpoint) {
		char *p = runrec_path(o->c.output, "checkpoint.bin");

		if (unlink(p) != 0)
			err_die(EXIT_DATA, "%s: cannot remove: %s", p, strerror(errno));
		free(p);
	}
	if (!o->c.quiet) {
		char comm[160] = "", cshare[64] = "";

		if (sim->rls.coef && sim->rls.steps)
			snprintf(cshare, sizeof cshare, ": %.0f%% of the neuron-steps in coefficients",
				 100.0 * (double)sim->rls.coef_steps / (double)sim->rls.steps);
		if (d->size > 1)
			snprintf(comm, sizeof comm, "; %d processes, %.1f us per step in "
				 "communication (%.0f bytes received), %.1f waiting for the others",
				 d->size, 1e6 * d->t_comm / (double)(n_train + n_free),
				 (double)d->bytes_comm / (double)(n_train + n_free),
				 1e6 * d->t_wait / (double)(n_train + n_free));
		err_warn("%s: %lld loops of %zu steps, N = %zu (%zu QIF), %.2f s; "
			 "%.1f us per training step (RLS update %.1f, %s kernel%s), "
			 "%.1f us per free step%s",
			 o->c.output, o->loops, steps, R->n, nqif, progress_now() - t0,
			 n_train ? 1e6 * t_train / (double)n_train : 0,
			 n_train ? 1e6 * sim->t_rls / (double)n_train : 0,
			 kernel_name(o), cshare,
			 n_free ? 1e6 * t_free / (double)n_free : 0, comm);
	}
}

static void run_free(struct run *R)
{
	summary_free(&R->sm);
	sim_free(&R->sim);
	net_free(&R->net);
	pool_free(R->pool);
	target_free(&R->tg);
	dist_pick_free(R->pick_in);
	dist_pick_free(R->pick_trace);
	free(R->kick);
	free(R->x);
	free(R->wt.indptr);
	free(R->observe);
	free(R->record_loop);
	free(R->trained);
	free(R->o.trace);
	free(R->trace_set);
	free(R->in_all);
	free(R->v_all);
	free(R->xi_all);
	free(R->mse);
	free(R->mse_all);
	free(R->ckpath);
	opts_free(&R->o.c);
	dist_free(&R->d);
}

/*
 * One process (simulate-train), or each process of an MPI job
 * (simulate-train-mpi, dist.h): every one reads and sets up its block on
 * its own, then process 0 creates the run directory, then all run.
 */
int main(int argc, char **argv)
{
	static struct run R;

	dist_init(&R.d, &argc, &argv);
	err_init(argv);
	R.argc = argc;
	R.argv = argv;
	atomic_signals();
	if (DIST_TRY(&R.d))
		setup(&R);
	dist_settle(&R.d);
	dist_run(&R.d);
	join(&R);
	if (DIST_TRY(&R.d)) {
		if (R.d.rank == 0)
			open_dir(&R);
	}
	dist_settle(&R.d);
	run_loops(&R);
	run_free(&R);
	return EXIT_OK;
}
