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
 * initial phases from RNG_STATE, the noise from RNG_NOISE (none at all with
 * --sigma 0).
 */
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic.h"
#include "csvio.h"
#include "err.h"
#include "model.h"
#include "npy.h"
#include "opts.h"
#include "progress.h"
#include "rls.h"
#include "rng.h"
#include "sha256.h"

#define MAX_N 100000
/* W r is carried from step to step by the spikes (model_recurrent_spikes)
 * and recomputed as a full product at the start of every loop and every
 * RECURRENT_REFRESH steps, which keeps it at rounding level. */
#define RECURRENT_REFRESH 50

enum {
	OPT_PQIF = OPT_TOOL, OPT_VT, OPT_VREST, OPT_LOOPS, OPT_TRAIN_LOOPS, OPT_DT,
	OPT_TAU_S, OPT_ALPHA, OPT_SIGMA, OPT_STIM_STEPS, OPT_STIM_AMP, OPT_NOISE,
	OPT_RECORD, OPT_F32, OPT_F64, OPT_KICK, OPT_STATE, OPT_TRACE, OPT_THREADS, OPT_FORCE,
	OPT_RLS
};

enum {
	REC_WEIGHTS = 1, REC_OUTPUTS = 2, REC_INPUTS = 4, REC_SPIKES = 8,
	REC_DW = 16, REC_CURRENTS = 32,
	/* What the analysis needs (motifs: weights; dpr: outputs), in about
	 * 19 MB for the study's run: inputs (another 13 MB) on request. */
	REC_DEFAULT = REC_WEIGHTS | REC_OUTPUTS | REC_SPIKES | REC_DW,
	REC_ALL = REC_DEFAULT | REC_CURRENTS
};

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
	int record, f32, force;
	const char *trace_arg;
	size_t *trace, ntrace;
};

static void usage(FILE *fp)
{
	fprintf(fp,
"Usage: simulate-train -w WEIGHTS.npy -t TARGET.npy -o RUNDIR [OPTION]...\n"
"Simulate the mixed QIF/LIF spiking network, train every neuron's recurrent\n"
"input towards its target with per-neuron RLS (FORCE), and write a run directory.\n"
"N comes from the weights (N, N), the steps per loop from the target (steps, N).\n"
"\n"
"  -w, --weights FILE   initial weights (N, N), row i = weights onto neuron i\n"
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
"      --sigma S        noise standard deviation (default 1; 0 = no noise)\n"
"      --noise dt|em    noise scaling: dt (the study's, default) or em\n"
"                       (Euler-Maruyama, sqrt(dt))\n"
"      --stim-steps K   steps of external kick at the start of each loop (default 200)\n"
"      --stim-amp A     kick amplitudes A_i = A (2U-1) (default 20)\n"
"      --seed S         seed of the kick, initial state and noise (default 0)\n"
"      --kick FILE      read the kick amplitudes (N,) instead of drawing them\n"
"      --state FILE     read the initial x (N,) instead of drawing it\n"
"      --record LIST    comma list of weights,outputs,inputs,spikes,dw,currents,\n"
"                       or all, or none (default weights,outputs,spikes,dw);\n"
"                       +ITEM,-ITEM edit the default, e.g. +inputs\n"
"      --float32        outputs.npy and inputs.npy as '<f4' (the default)\n"
"      --float64        outputs.npy and inputs.npy as '<f8'\n"
"      --trace LIST     neurons (comma list) whose current components go to\n"
"                       currents.csv\n"
"      --threads N      OpenMP threads (default 1); the results do not depend on it\n"
"      --rls KERNEL     how the RLS step gets P q: spike (from the previous step\n"
"                       and the spikes, the default) or direct (a full product)\n"
"      --force          replace an existing run directory\n"
"  -q, --quiet          no progress on stderr\n"
"  -h, --help           this help\n"
"  -V, --version        version\n"
"\n"
"Example: simulate-train -w w.npy -t target.npy --pqif 0.5 --seed 1 -o run\n"
"See simulate-train(1) and forcenet-run(5).\n");
}

static int currents_named;

/*
 * A LIST of items replaces the default; "+item" and "-item" entries add to
 * and remove from it instead (*edits set), e.g. "+inputs,-spikes".
 */
static int parse_record(const char *arg, int *edits)
{
	char *copy = strdup(arg), *tok, *save = NULL;
	int mask = 0, add = 0, del = 0;

	if (!copy)
		err_die(EXIT_DATA, "out of memory");
	*edits = arg[0] == '+' || arg[0] == '-';
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t i;
		int sign = 0;

		if (*tok == '+' || *tok == '-')
			sign = *tok++ == '+' ? 1 : -1;
		if (*edits != (sign != 0))
			err_usage("--record: mix of items and +/- edits in '%s'", arg);

		if (!strcmp(tok, "all")) {
			mask |= REC_ALL;
			continue;
		}
		if (!strcmp(tok, "none"))
			continue;
		for (i = 0; i < sizeof record_names / sizeof record_names[0]; i++)
			if (!strcmp(tok, record_names[i].name))
				break;
		if (i == sizeof record_names / sizeof record_names[0])
			err_usage("--record: unknown item '%s' (weights, outputs, inputs, "
				  "spikes, dw, currents, all, none)", tok);
		if (sign < 0) {
			del |= record_names[i].bit;
		} else {
			add |= record_names[i].bit;
			currents_named |= record_names[i].bit == REC_CURRENTS;
		}
	}
	free(copy);
	return *edits ? (REC_DEFAULT | add) & ~del : mask | add;
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
			if (!strcmp(optarg, "spike"))
				o->rls = RLS_SPIKE;
			else if (!strcmp(optarg, "direct"))
				o->rls = RLS_DIRECT;
			else
				err_usage("--rls: '%s' is not spike or direct", optarg);
			break;
		default: opts_common(&o->c, code, optarg);
		}
	}
	if (optind < argc)
		err_usage("unexpected argument '%s'", argv[optind]);
	if (!o->weights)
		err_usage("no weights given (-w FILE)");
	if (!o->target)
		err_usage("no target given (-t FILE)");
	if (!o->c.output)
		err_usage("no run directory given (-o DIR)");
	if (!strcmp(o->c.output, "-"))
		err_usage("-o: a run directory cannot be stdout");
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

/* "(a, b, c)" for messages; a static buffer. */
static const char *shape_str(int ndim, const size_t *shape)
{
	static char buf[96];
	size_t len = 0;

	buf[len++] = '(';
	for (int d = 0; d < ndim; d++)
		len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%zu",
					d ? ", " : "", shape[d]);
	snprintf(buf + len, sizeof buf - len, "%s)", ndim == 1 ? "," : "");
	return buf;
}

/* Load an .npy input, with its checksum, or die with "tool: PATH: problem". */
static double *load(const char *path, int *ndim, size_t shape[NPY_MAXDIM], char hex[65])
{
	char err[256];
	double *a = npy_load(path, ndim, shape, err, sizeof err);
	size_t count = 1;

	if (!a)
		err_die(EXIT_DATA, "%s: %s", path, err);
	for (int d = 0; d < *ndim; d++)
		count *= shape[d];
	for (size_t i = 0; i < count; i++)
		if (!isfinite(a[i]))
			err_die(EXIT_DATA, "%s: value %zu is not finite (%g)", path, i, a[i]);
	if (sha256_file(path, hex) != 0)
		err_die(EXIT_DATA, "%s: cannot read", path);
	return a;
}

static double *load_vector(const char *path, size_t n, char hex[65])
{
	int ndim;
	size_t shape[NPY_MAXDIM];
	double *a = load(path, &ndim, shape, hex);

	if (ndim != 1 || shape[0] != n)
		err_die(EXIT_DATA, "%s: shape %s, expected (%zu,) for N = %zu",
			path, shape_str(ndim, shape), n, n);
	return a;
}

static char *path_in(const char *dir, const char *name)
{
	size_t len = strlen(dir) + strlen(name) + 2;
	char *path = err_malloc(len);

	snprintf(path, len, "%s/%s", dir, name);
	return path;
}

static FILE *open_in(const char *dir, const char *name)
{
	char *path = path_in(dir, name);
	FILE *fp = fopen(path, "w");

	if (!fp)
		err_die(EXIT_DATA, "%s: cannot create", path);
	free(path);
	return fp;
}

static void close_in(FILE *fp, const char *dir, const char *name)
{
	if (fflush(fp) != 0 || ferror(fp) || fclose(fp) != 0)
		err_die(EXIT_DATA, "%s/%s: write error", dir, name);
}

static void write_params(const char *dir, const struct options *o, size_t n, size_t steps,
			 size_t nqif, const char *wsha, const char *tsha,
			 const char *ksha, const char *ssha)
{
	FILE *fp = open_in(dir, "params.csv");
	int lif = nqif < n;
	char rec[128] = "";

	for (size_t i = 0; i < sizeof record_names / sizeof record_names[0]; i++)
		if (o->record & record_names[i].bit) {
			if (rec[0])
				strcat(rec, ",");
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
	fputs(",rls,float32", fp);
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
	csvio_put_str(fp, rec);
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
	fprintf(fp, ",%s,%d\n", o->rls == RLS_SPIKE ? "spike" : "direct", o->f32);
	close_in(fp, dir, "params.csv");
}

/* Per-population averages of per-neuron statistics; nan where nothing counts. */
struct popstat {
	double sum[3];
	size_t cnt[3];
};

static void pop_add(struct popstat *ps, int qif, double v)
{
	if (isnan(v))
		return;
	ps->sum[qif ? 0 : 1] += v;
	ps->cnt[qif ? 0 : 1]++;
	ps->sum[2] += v;
	ps->cnt[2]++;
}

static double pop_mean(const struct popstat *ps, int k)
{
	return ps->cnt[k] ? ps->sum[k] / (double)ps->cnt[k] : NAN;
}

/*
 * One summary row: spike rates, and the mean squared error and Pearson
 * correlation between target and recurrent input over it > stim, computed
 * in two passes per neuron from the loop's recorded v; acc is room for 6 n
 * sums.
 */
static void summary_row(FILE *fp, size_t loop, const char *phase, size_t n, size_t nqif,
			size_t steps, size_t stim, double dt, const size_t *nspk,
			const double *target, const double *vbuf, double *acc, double out[3])
{
	struct popstat mse = { { 0 }, { 0 } }, corr = { { 0 }, { 0 } };
	double rate[3], secs = (double)steps * dt * 0.01;
	double *mt = acc, *mv = acc + n, *se = acc + 2 * n, *stt = acc + 3 * n;
	double *svv = acc + 4 * n, *stv = acc + 5 * n;
	size_t cnt = steps - stim - 1;

	rate[0] = nqif ? (double)nspk[0] / ((double)nqif * secs) : NAN;
	rate[1] = n - nqif ? (double)nspk[1] / ((double)(n - nqif) * secs) : NAN;
	rate[2] = (double)(nspk[0] + nspk[1]) / ((double)n * secs);
	/* Step by step over all neurons (the arrays are (steps, n)), each
	 * neuron's sums in the same order as one neuron at a time. */
	for (size_t i = 0; i < 6 * n; i++)
		acc[i] = 0;
	for (size_t it = stim + 1; it < steps; it++)
		for (size_t i = 0; i < n; i++) {
			mt[i] += target[it * n + i];
			mv[i] += vbuf[it * n + i];
		}
	for (size_t i = 0; i < n; i++) {
		mt[i] /= (double)cnt;
		mv[i] /= (double)cnt;
	}
	for (size_t it = stim + 1; it < steps; it++)
		for (size_t i = 0; i < n; i++) {
			double t = target[it * n + i], v = vbuf[it * n + i];

			se[i] += (t - v) * (t - v);
			stt[i] += (t - mt[i]) * (t - mt[i]);
			svv[i] += (v - mv[i]) * (v - mv[i]);
			stv[i] += (t - mt[i]) * (v - mv[i]);
		}
	for (size_t i = 0; i < n; i++) {
		pop_add(&mse, i < nqif, se[i] / (double)cnt);
		pop_add(&corr, i < nqif,
			stt[i] > 0 && svv[i] > 0 ? stv[i] / sqrt(stt[i] * svv[i]) : NAN);
	}
	/* A population without neurons prints nan for its error too. */
	if (!nqif)
		mse.cnt[0] = 0;
	fprintf(fp, "%zu,%s", loop, phase);
	for (int k = 0; k < 3; k++) {
		fputc(',', fp);
		csvio_put_double(fp, rate[k]);
	}
	for (int k = 0; k < 3; k++) {
		fputc(',', fp);
		csvio_put_double(fp, pop_mean(&mse, k));
	}
	for (int k = 0; k < 3; k++) {
		fputc(',', fp);
		csvio_put_double(fp, pop_mean(&corr, k));
	}
	fputc('\n', fp);
	out[0] = rate[2];
	out[1] = pop_mean(&mse, 2);
	out[2] = pop_mean(&corr, 2);
}

/* v in decimal at p; returns the end (fast: the spike events can be
 * millions). */
static char *put_uint(char *p, size_t v)
{
	char buf[24];
	int k = sizeof buf;

	do {
		buf[--k] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	memcpy(p, buf + k, sizeof buf - (size_t)k);
	return p + (sizeof buf - (size_t)k);
}

/* The spike events of one step, "loop,step,neuron" lines, in one write. */
static void put_spikes(FILE *fp, size_t loop, size_t it, const unsigned char *spk, size_t n,
		       char *line)
{
	char head[48], *h = head, *p = line;
	size_t hl;

	h = put_uint(h, loop);
	*h++ = ',';
	h = put_uint(h, it);
	*h++ = ',';
	hl = (size_t)(h - head);
	for (size_t i = 0; i < n; i++)
		if (spk[i]) {
			memcpy(p, head, hl);
			p = put_uint(p + hl, i);
			*p++ = '\n';
		}
	fwrite(line, 1, (size_t)(p - line), fp);
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	char wsha[65], tsha[65], ksha[65] = "", ssha[65] = "";
	int ndim;
	size_t wshape[NPY_MAXDIM], tshape[NPY_MAXDIM], n, steps, stim, nqif, nnz;
	double *W, *target, *kick, *x, *r, *v, *in, *xi1 = NULL, *xi2 = NULL, *vbuf, *e;
	double *val, *vr, w0norm = 0;
	struct model_cols cols;
	size_t *rowptr;
	int32_t *col;
	unsigned char *spk;
	char *spkline;	/* a step's spike events, 64 bytes a neuron at most */
	double *sums;	/* summary_row()'s per-neuron sums */
	struct model_params mp;
	struct rls rls;
	struct rls_spikes rsp;
	struct atomic_dir ad;
	const char *dir;
	struct npy_writer ww, wo, wi;
	FILE *fsum, *fspk = NULL, *fdw = NULL, *fcur = NULL;
	rng_t *noise_rng = NULL;
	struct progress pg;
	double t0, t_train = 0, t_free = 0, t_rls = 0;
	size_t n_train = 0, n_free = 0;

	err_init(argv);
	parse_command_line(argc, argv, &o);
	atomic_signals();
	omp_set_num_threads((int)o.threads);

	/* Inputs, all checked before anything is written. */
	W = load(o.weights, &ndim, wshape, wsha);
	if (ndim != 2 || wshape[0] != wshape[1])
		err_die(EXIT_DATA, "%s: weights must be a square (N, N) matrix, not %s",
			o.weights, shape_str(ndim, wshape));
	n = wshape[0];
	if (n > MAX_N)
		err_die(EXIT_DATA, "%s: N = %zu is too large (at most %d)", o.weights, n, MAX_N);
	target = load(o.target, &ndim, tshape, tsha);
	if (ndim != 2)
		err_die(EXIT_DATA, "%s: target must be a (steps, N) matrix, not %s",
			o.target, shape_str(ndim, tshape));
	if (tshape[1] != n)
		err_die(EXIT_DATA, "%s: target has %zu neurons (columns), the weights have %zu",
			o.target, tshape[1], n);
	steps = tshape[0];
	stim = (size_t)o.stim_steps;
	if (stim + 1 >= steps)
		err_die(EXIT_USAGE, "--stim-steps %zu leaves no step after the kick "
			"(the target has %zu steps per loop)", stim, steps);
	nqif = model_nqif(n, o.pqif);
	if (nqif < n && !(o.vrest < o.vt))
		err_die(EXIT_USAGE, "--vrest %g must be below --vt %g", o.vrest, o.vt);
	for (size_t i = 0; i < o.ntrace; i++)
		if (o.trace[i] >= n)
			err_die(EXIT_USAGE, "--trace: neuron %zu does not exist (N = %zu)",
				o.trace[i], n);
	x = o.state ? load_vector(o.state, n, ssha) : NULL;
	kick = o.kick ? load_vector(o.kick, n, ksha) : NULL;

	/* The presynaptic sets: the non-zero entries of each row. */
	rowptr = err_malloc((n + 1) * sizeof *rowptr);
	nnz = 0;
	for (size_t i = 0; i < n * n; i++)
		nnz += W[i] != 0;
	col = err_malloc((nnz + 1) * sizeof *col);
	val = err_malloc((nnz + 1) * sizeof *val);
	rowptr[0] = 0;
	for (size_t i = 0, k = 0; i < n; i++) {
		for (size_t j = 0; j < n; j++)
			if (W[i * n + j] != 0) {
				col[k] = (int32_t)j;
				val[k++] = W[i * n + j];
				w0norm += W[i * n + j] * W[i * n + j];
			}
		rowptr[i + 1] = k;
	}
	w0norm = sqrt(w0norm);

	/* Kick and initial state: one stream each, so that they are paired
	 * across every pqif and vrest of a seed. */
	if (!kick) {
		rng_t *g = rng_new(o.c.seed, RNG_KICK);

		kick = err_malloc(n * sizeof *kick);
		for (size_t i = 0; i < n; i++)
			kick[i] = o.stim_amp * (2 * rng_uniform(g) - 1);
		rng_free(g);
	}
	if (!x) {
		rng_t *g = rng_new(o.c.seed, RNG_STATE);

		x = err_malloc(n * sizeof *x);
		for (size_t i = 0; i < n; i++)
			x[i] = rng_uniform(g) * 2 * M_PI;
		rng_free(g);
	}
	if (o.sigma > 0) {
		noise_rng = rng_new(o.c.seed, RNG_NOISE);
		xi1 = err_malloc(n * sizeof *xi1);
		xi2 = err_malloc(n * sizeof *xi2);
	}
	r = err_calloc(n, sizeof *r);
	v = err_malloc(n * sizeof *v);
	in = err_malloc(n * sizeof *in);
	e = err_malloc(n * sizeof *e);
	vr = err_malloc(n * sizeof *vr);
	spk = err_malloc(n);
	spkline = err_malloc(64 * n);
	sums = err_malloc(6 * n * sizeof *sums);
	vbuf = err_malloc(steps * n * sizeof *vbuf);
	mp = (struct model_params){ .n = n, .nqif = nqif, .vt = o.vt, .vrest = o.vrest,
		.dt = o.dt, .b = 1 / o.tau_s, .sigma = o.sigma, .noise = o.noise };
	model_cols_init(&cols, n, rowptr, col);
	/* Between two steps r' = gamma r + b spk (model_step's RK2 of -b r). */
	rsp = (struct rls_spikes){ .spiked = spk, .b = mp.b,
		.gamma = 1 - mp.b * mp.dt + (mp.b * mp.dt) * (mp.b * mp.dt) / 2 };
	if (o.train_loops > 0)
		rls_init(&rls, n, rowptr, col, o.alpha, o.rls, 0);

	/* The run directory, under a temporary name until complete. */
	dir = atomic_dir_open(&ad, o.c.output, o.force);
	write_params(dir, &o, n, steps, nqif, wsha, tsha, ksha, ssha);
	{
		char *p = path_in(dir, "kick.npy");

		npy_save(p, NPY_F8, 1, (size_t[]){ n }, kick);
		free(p);
		p = path_in(dir, "state0.npy");
		npy_save(p, NPY_F8, 1, (size_t[]){ n }, x);
		free(p);
	}
	if (o.record & REC_WEIGHTS) {
		char *p = path_in(dir, "weights.npy");

		npy_writer_open(&ww, p, NPY_F8, 3, (size_t[]){ (size_t)o.loops, n, n });
		free(p);
	}
	if (o.record & REC_OUTPUTS) {
		char *p = path_in(dir, "outputs.npy");

		npy_writer_open(&wo, p, o.f32 ? NPY_F4 : NPY_F8, 3,
				(size_t[]){ (size_t)o.loops, steps, n });
		free(p);
	}
	if (o.record & REC_INPUTS) {
		char *p = path_in(dir, "inputs.npy");

		npy_writer_open(&wi, p, o.f32 ? NPY_F4 : NPY_F8, 3,
				(size_t[]){ (size_t)o.loops, steps, n });
		free(p);
	}
	fsum = open_in(dir, "summary.csv");
	fputs("loop,phase,rate_qif,rate_lif,rate_all,mse_qif,mse_lif,mse_all,"
	      "corr_qif,corr_lif,corr_all\n", fsum);
	if (o.record & REC_SPIKES) {
		fspk = open_in(dir, "spikes.csv");
		fputs("loop,step,neuron\n", fspk);
	}
	if ((o.record & REC_DW) && o.train_loops > 0) {
		fdw = open_in(dir, "dw.csv");
		fputs("loop,step,t,log_dw_norm\n", fdw);
	}
	if (o.record & REC_CURRENTS) {
		fcur = open_in(dir, "currents.csv");
		fputs("loop,step,neuron,kick,recurrent,noise\n", fcur);
	}

	progress_start(&pg, (size_t)o.loops * steps, o.c.quiet);
	t0 = progress_now();
	for (size_t loop = 0; loop < (size_t)o.loops; loop++) {
		int train = loop >= 1 && loop <= (size_t)o.train_loops;
		const char *phase = loop == 0 ? "pre" : train ? "train" : "test";
		size_t nspk[2] = { 0, 0 };
		double stats[3], tl = progress_now();

		for (size_t it = 0; it < steps; it++) {
			double ts = progress_now(), tr;

			if (it == 0)
				model_recurrent(n, rowptr, col, val, r, v);
			for (size_t i = 0; i < n; i++)
				in[i] = (it < stim ? kick[i] : 0) + v[i];
			if (noise_rng) {
				rng_normals(noise_rng, xi1, n);
				rng_normals(noise_rng, xi2, n);
			}
			model_step(&mp, x, r, in, xi1, xi2, spk);
			if (!model_finite(x, n) || !model_finite(r, n))
				err_die(EXIT_DATA, "loop %zu, step %zu: numerical blow-up "
					"(the state is not finite)", loop, it);
			memcpy(vbuf + it * n, v, n * sizeof *v);
			for (size_t i = 0; i < n; i++)
				if (spk[i])
					nspk[i >= nqif]++;
			if (fspk)
				put_spikes(fspk, loop, it, spk, n, spkline);
			if (o.record & REC_OUTPUTS)
				npy_write(&wo, r, n);
			if (o.record & REC_INPUTS)
				npy_write(&wi, in, n);
			if (fcur) {
				double s = model_noise_scale(&mp);

				for (size_t k = 0; k < o.ntrace; k++) {
					size_t i = o.trace[k];

					fprintf(fcur, "%zu,%zu,%zu,", loop, it, i);
					csvio_put_double(fcur, it < stim ? kick[i] : 0);
					fputc(',', fcur);
					csvio_put_double(fcur, v[i]);
					fputc(',', fcur);
					csvio_put_double(fcur, xi2 ? s * xi2[i] : 0);
					fputc('\n', fcur);
				}
			}
			/* vr = W r' with W before this step's update: from v and
			 * the spikes, a full product every RECURRENT_REFRESH steps */
			if ((it + 1) % RECURRENT_REFRESH == 0)
				model_recurrent(n, rowptr, col, val, r, vr);
			else
				model_recurrent_spikes(n, &cols, val, rsp.gamma, mp.b, spk, v, vr);
			if (train && it > stim) {
				/* e with W before this step's update, r the new output. */
				for (size_t i = 0; i < n; i++)
					e[i] = target[it * n + i] - vr[i];
				tr = progress_now();
				/* consecutive training steps: k follows from the spikes */
				rls_step(&rls, val, r, e, it > stim + 1 ? &rsp : NULL,
					 fdw && it % 10 == 0);
				t_rls += progress_now() - tr;
				/* The next step's W r needs no product: row i changed by
				 * e_i k/den, and k'q/den = 1 - 1/den. */
				for (size_t i = 0; i < n; i++)
					v[i] = vr[i] + e[i] * (1 - rls.c[i]);
				if (rls.blowup)
					err_die(EXIT_DATA, "loop %zu, step %zu: numerical blow-up "
						"(the weights are not finite)", loop, it);
				if (fdw && it % 10 == 0) {
					double d2 = 0;

					for (size_t i = 0; i < n; i++)
						d2 += rls.dw2[i];
					fprintf(fdw, "%zu,%zu,%zu,", loop, it,
						(it - stim) + (loop - 1) * (steps - stim));
					csvio_put_double(fdw, log(sqrt(d2) / w0norm));
					fputc('\n', fdw);
				}
			} else {
				double *y = vr;

				vr = v;
				v = y;
			}
			if (train && it > stim) {
				t_train += progress_now() - ts;
				n_train++;
			} else {
				t_free += progress_now() - ts;
				n_free++;
			}
			progress_tick(&pg, 1);
		}
		summary_row(fsum, loop, phase, n, nqif, steps, stim, o.dt, nspk, target, vbuf,
			    sums, stats);
		if (o.record & REC_WEIGHTS) {
			memset(W, 0, n * n * sizeof *W);
			for (size_t i = 0; i < n; i++)
				for (size_t k = rowptr[i]; k < rowptr[i + 1]; k++)
					W[i * n + (size_t)col[k]] = val[k];
			npy_write(&ww, W, n * n);
		}
		progress_line(&pg, "loop %zu/%lld %s: rate %.3g Hz, mse %.4g, corr %.3f, %.2f s",
			      loop, o.loops - 1, phase, stats[0], stats[1], stats[2],
			      progress_now() - tl);
	}
	progress_end(&pg);

	close_in(fsum, dir, "summary.csv");
	if (fspk)
		close_in(fspk, dir, "spikes.csv");
	if (fdw)
		close_in(fdw, dir, "dw.csv");
	if (fcur)
		close_in(fcur, dir, "currents.csv");
	if (o.record & REC_WEIGHTS)
		npy_writer_close(&ww);
	if (o.record & REC_OUTPUTS)
		npy_writer_close(&wo);
	if (o.record & REC_INPUTS)
		npy_writer_close(&wi);
	atomic_dir_commit(&ad);
	if (!o.c.quiet)
		err_warn("%s: %lld loops of %zu steps, N = %zu (%zu QIF), %.2f s; "
			 "%.1f us per training step (RLS update %.1f, %s kernel), "
			 "%.1f us per free step",
			 o.c.output, o.loops, steps, n, nqif, progress_now() - t0,
			 n_train ? 1e6 * t_train / (double)n_train : 0,
			 n_train ? 1e6 * t_rls / (double)n_train : 0,
			 o.rls == RLS_SPIKE ? "spike" : "direct",
			 n_free ? 1e6 * t_free / (double)n_free : 0);

	if (o.train_loops > 0)
		rls_free(&rls);
	if (noise_rng)
		rng_free(noise_rng);
	free(W); free(target); free(kick); free(x); free(r); free(v); free(in); free(e); free(vr);
	model_cols_free(&cols);
	free(spk); free(spkline); free(sums); free(vbuf); free(xi1); free(xi2); free(rowptr); free(col); free(val);
	free(o.trace);
	opts_free(&o.c);
	return EXIT_OK;
}
