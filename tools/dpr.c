/*
 * dpr: dimensionality of recorded activity, naive and bias-corrected.
 *
 * Reads activity (a .npy (samples, N) matrix, a (loops, steps, N) stack such
 * as a run's outputs.npy, or a headerless numeric CSV with rows = time steps
 * and columns = neurons, as the notebook's outputs files), or with
 * --covariance a covariance matrix (or a stack of them).  Per loop it drops
 * the first --skip steps, forms the covariance, or the Gram matrix of the
 * samples when there are fewer samples than neurons (centred data, one
 * cblas_dsyrk either way), and writes one CSV row:
 * <tag keys...>,path,loop,N,samples,M,PR,PR_bc,M_from,flag   (libcore/dpr.h).
 * M, the number of independent samples of the bias correction, is
 * --samples M, --samples auto (estimated from the activity's
 * autocorrelation, dpr_ess), or else samples / --corr-steps (default 50
 * steps, the correlation time of the notebook's activity); M_from says
 * which.  flag (and a line on stderr) says when PR_bc leaves [1, N] or M
 * is too small for the correction to mean anything.
 */
#define _GNU_SOURCE             /* open_memstream */
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arrayin.h"
#include "atomic.h"
#include "csvio.h"
#include "dpr.h"
#include "err.h"
#include "opts.h"

#define MAX_LOOP 100000000LL

/* The tables' own columns, after the tag keys. */
#define COLUMNS "path,loop,N,samples,M,PR,PR_bc,M_from,flag"
#define SPECTRUM_COLUMNS "path,loop,rank,eigenvalue"

enum { OPT_SKIP = OPT_TOOL, OPT_SAMPLES, OPT_CORR, OPT_LOOPS, OPT_COV, OPT_SPECTRUM,
       OPT_ROUTE };

/* How the sums of the covariance are formed (dpr.h). */
enum { ROUTE_AUTO, ROUTE_COVARIANCE, ROUTE_GRAM };

struct range {
	long long lo, hi;
};

struct options {
	struct opts_common c;
	long long skip;
	double samples;            /* M given by the user, or 0 */
	int samples_auto;          /* --samples auto */
	double corr_steps;
	int corr_given, skip_given;
	const char *loops_arg;
	struct range *loops;       /* NULL = every loop */
	size_t nloops;
	int covariance;
	int route;
	const char *spectrum;
};

static void usage(FILE *fp)
{
	fprintf(fp,
"Usage: dpr [OPTION]... [FILE]...\n"
"Participation ratio of activity, naive and bias-corrected, one CSV row per loop:\n"
"  <tag keys...>," COLUMNS "\n"
"FILE is a .npy (samples, N) matrix or (loops, steps, N) stack ('<f8' or '<f4'),\n"
"or a headerless numeric CSV (rows = time steps, columns = neurons);\n"
"'-' or no FILE reads stdin.\n"
"\n"
"      --skip K         drop the first K steps of every loop (default 0)\n"
"      --corr-steps T   correlation time in steps: M = samples / T (default 50)\n"
"      --samples M      the number of independent samples M of the bias\n"
"                       correction (M > 1; overrides --corr-steps), or auto:\n"
"                       M estimated from each loop's autocorrelation (dpr(1))\n"
"      --loops LIST     only these loops, e.g. 0,11-15 (default all)\n"
"      --route R        auto (default: the Gram matrix of the samples when they\n"
"                       are fewer than the neurons, else the covariance),\n"
"                       covariance or gram\n"
"      --covariance     FILE holds covariance matrices (N, N) or (loops, N, N),\n"
"                       not activity; needs --samples\n"
"      --spectrum FILE  write the covariance eigenvalues, in decreasing order,\n"
"                       as CSV <tag keys...>," SPECTRUM_COLUMNS "\n"
"      --tag KEY=VALUE  prepend a KEY column holding VALUE (repeatable)\n"
"      --no-header      omit the header rows\n"
"  -o, --output FILE    write the table to FILE (default '-', stdout)\n"
"  -q, --quiet          no notes on stderr\n"
"  -h, --help           this help\n"
"  -V, --version        version\n"
"\n"
"Example: dpr --skip 200 --loops 0,11-15 --tag seed=0 run/outputs.npy\n"
"See dpr(1).\n");
}

/* "0,11-15" into ranges; a usage error if malformed. */
static void parse_loops(struct options *o, const char *arg)
{
	const char *p = arg;

	free(o->loops);
	o->loops = NULL;
	o->nloops = 0;
	for (;;) {
		char *end;
		long long lo, hi;

		if (*p < '0' || *p > '9')
			err_usage("--loops: '%s' is not a list like 0,11-15", arg);
		lo = hi = strtoll(p, &end, 10);
		p = end;
		if (*p == '-') {
			p++;
			if (*p < '0' || *p > '9')
				err_usage("--loops: '%s' is not a list like 0,11-15", arg);
			hi = strtoll(p, &end, 10);
			p = end;
		}
		if (lo > hi)
			err_usage("--loops: %lld-%lld is an empty range", lo, hi);
		if (hi > MAX_LOOP)
			err_usage("--loops: %lld is out of range [0, %lld]", hi, MAX_LOOP);
		o->loops = realloc(o->loops, (o->nloops + 1) * sizeof *o->loops);
		if (!o->loops)
			err_die(EXIT_DATA, "out of memory");
		o->loops[o->nloops++] = (struct range){ lo, hi };
		if (*p == '\0')
			break;
		if (*p != ',')
			err_usage("--loops: '%s' is not a list like 0,11-15", arg);
		p++;
	}
}

static void parse_command_line(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		OPTS_LONG_BASE,
		OPTS_LONG_TAG,
		{ "skip", required_argument, NULL, OPT_SKIP },
		{ "samples", required_argument, NULL, OPT_SAMPLES },
		{ "corr-steps", required_argument, NULL, OPT_CORR },
		{ "loops", required_argument, NULL, OPT_LOOPS },
		{ "covariance", no_argument, NULL, OPT_COV },
		{ "spectrum", required_argument, NULL, OPT_SPECTRUM },
		{ "route", required_argument, NULL, OPT_ROUTE },
		OPTS_LONG_END
	};
	int code;

	o->c.usage = usage;
	o->c.output = "-";
	o->corr_steps = 50;
	while ((code = getopt_long(argc, argv, OPTS_SHORT, longopts, NULL)) != -1) {
		switch (code) {
		case OPT_SKIP:
			o->skip = opts_int("--skip", optarg, 0, 1000000000000LL);
			o->skip_given = 1;
			break;
		case OPT_SAMPLES:
			o->samples_auto = !strcmp(optarg, "auto");
			if (o->samples_auto) {
				o->samples = 0;
				break;
			}
			o->samples = opts_double("--samples", optarg, -1e300, 1e300);
			if (!(o->samples > 1))
				err_usage("--samples: M = %s: the bias correction needs M > 1",
					  optarg);
			break;
		case OPT_CORR:
			o->corr_steps = opts_double("--corr-steps", optarg, -1e300, 1e300);
			if (!(o->corr_steps > 0))
				err_usage("--corr-steps: %s is not positive", optarg);
			o->corr_given = 1;
			break;
		case OPT_LOOPS: parse_loops(o, optarg); break;
		case OPT_COV: o->covariance = 1; break;
		case OPT_SPECTRUM: o->spectrum = optarg; break;
		case OPT_ROUTE:
			if (!strcmp(optarg, "auto"))
				o->route = ROUTE_AUTO;
			else if (!strcmp(optarg, "covariance"))
				o->route = ROUTE_COVARIANCE;
			else if (!strcmp(optarg, "gram"))
				o->route = ROUTE_GRAM;
			else
				err_usage("--route: '%s' is not auto, covariance or gram", optarg);
			break;
		default: opts_common(&o->c, code, optarg);
		}
	}
	opts_files(&o->c, argc, argv);
	opts_tags_check(&o->c, COLUMNS, "table");
	if (o->spectrum)
		opts_tags_check(&o->c, SPECTRUM_COLUMNS, "spectrum");
	if (o->covariance) {
		if (o->samples_auto)
			err_usage("--samples auto estimates M from activity, not from a "
				  "covariance: give --samples M");
		if (o->samples == 0)
			err_usage("--covariance needs --samples M (the samples behind it)");
		if (o->skip_given)
			err_usage("--skip does not apply to --covariance");
		if (o->corr_given)
			err_usage("--corr-steps does not apply to --covariance");
		if (o->route != ROUTE_AUTO)
			err_usage("--route does not apply to --covariance");
	}
	if (o->spectrum && (atomic_same_output(o->spectrum, o->c.output) ||
			    !strcmp(o->spectrum, "-")))
		err_usage("--spectrum: '%s' is also the table's output", o->spectrum);
}

/* Is loop k selected by --loops? */
static int selected(const struct options *o, size_t k)
{
	if (!o->loops)
		return 1;
	for (size_t i = 0; i < o->nloops; i++)
		if ((long long)k >= o->loops[i].lo && (long long)k <= o->loops[i].hi)
			return 1;
	return 0;
}

/* Check the shape against the options before any work; returns N. */
static size_t check_input(const struct options *o, const struct arrayin *in)
{
	const char *name = in->name;
	char shape[96];

	arrayin_shape_str(in, shape, sizeof shape);
	if (in->count == 0)
		err_die(EXIT_DATA, "%s: no loop in the stack (shape %s)", name, shape);
	if (o->covariance && in->rows != in->cols)
		err_die(EXIT_DATA, "%s: a covariance must be square: shape %s", name, shape);
	if (in->cols < 2)
		err_die(EXIT_DATA, "%s: N = %zu: the participation ratio needs N >= 2 "
			"(shape %s)", name, in->cols, shape);
	if (!o->covariance) {
		size_t left = in->rows > (size_t)o->skip ? in->rows - (size_t)o->skip : 0;

		if (left < 2)
			err_die(EXIT_DATA, "%s: too few samples: %zu step%s per loop, "
				"%zu left after --skip %lld (need at least 2)", name,
				in->rows, in->rows == 1 ? "" : "s", left, o->skip);
		if (o->samples > (double)left)
			err_die(EXIT_DATA, "%s: --samples %g is more than the %zu samples "
				"used", name, o->samples, left);
		if (o->samples == 0 && !o->samples_auto && !((double)left / o->corr_steps > 1))
			err_die(EXIT_DATA, "%s: too few samples: M = %zu samples / "
				"--corr-steps %g = %g, the bias correction needs M > 1 "
				"(use a longer recording, or --corr-steps or --samples)",
				name, left, o->corr_steps, (double)left / o->corr_steps);
	}
	if (o->loops)
		for (size_t i = 0; i < o->nloops; i++)
			if (o->loops[i].hi >= (long long)in->count)
				err_die(EXIT_DATA, "%s: --loops: loop %lld is out of range "
					"(%zu loop%s: 0-%zu)", name, o->loops[i].hi,
					in->count, in->count == 1 ? "" : "s", in->count - 1);
	return in->cols;
}

/*
 * Inputs that are likely not what the user meant, said on stderr (not with
 * -q): fewer samples than neurons, where PR is bounded by the samples (the
 * rows of a transposed array are neurons); and a CSV whose first column is
 * whole numbers in order, not all zero, as the index column npy-cat prints
 * before the rows of a 3-D array (a silent neuron's column is all zero).
 */
static void warn_samples(const struct options *o, const char *name, size_t used, size_t n)
{
	if (!o->c.quiet && !o->covariance && used < n)
		err_warn("%s: %zu neurons but %zu samples: PR cannot exceed the samples "
			 "(rows must be samples and columns neurons: is the array transposed?)",
			 name, n, used);
}

static void warn_index_column(const struct options *o, const struct arrayin *in,
			      const double *x)
{
	size_t n = in->cols;

	if (o->c.quiet || in->kind != ARRAYIN_CSV || x[(in->rows - 1) * n] <= 0)
		return;
	for (size_t i = 0; i < in->rows; i++)
		if (x[i * n] != floor(x[i * n]) || (i > 0 && x[i * n] < x[(i - 1) * n]))
			return;
	err_warn("%s: column 1 holds whole numbers in order, like the index npy-cat prints "
		 "before each row of a 3-D array: it is taken as a neuron (cut -d, -f2- drops "
		 "it; npy-from-csv --stack reads the stack back)", in->name);
}

/* A user's covariance must be one: symmetric, with variances >= 0. */
static void check_covariance(const char *name, size_t loop, int stack,
			     const double *C, size_t n)
{
	double big = 0;
	char where[64] = "";

	if (stack)
		snprintf(where, sizeof where, "loop %zu: ", loop);
	for (size_t i = 0; i < n * n; i++)
		if (fabs(C[i]) > big)
			big = fabs(C[i]);
	for (size_t i = 0; i < n; i++) {
		if (C[i * n + i] < 0)
			err_die(EXIT_DATA, "%s: %snot a covariance: negative variance "
				"at [%zu, %zu]", name, where, i, i);
		for (size_t j = i + 1; j < n; j++)
			if (fabs(C[i * n + j] - C[j * n + i]) > 1e-12 * big)
				err_die(EXIT_DATA, "%s: %snot a covariance: not symmetric "
					"at [%zu, %zu]", name, where, i, j);
	}
}

/* Whether finite input gave a covariance, or terms, that overflowed: a
 * nan or inf result would look like a measurement.  (At N = 2 cstd2 is
 * nan by its formula, and so are the terms and PR_bc that use it; with
 * M <= 1 so are the corrected terms.)  C is of the given order: the
 * covariance (n), or the Gram matrix (samples). */
static int overflows(const double *C, size_t order, size_t n, double M, const struct dpr *d)
{
	double sum = 0;

	/* x * 0 is nan exactly when x is not finite */
	for (size_t i = 0; i < order * order; i++)
		sum += C[i] * 0;
	return !isfinite(sum) || !isfinite(d->pr) || !isfinite(d->am2) ||
		!isfinite(d->astd2) || !isfinite(d->cm2) ||
		(n > 2 && !isfinite(d->cstd2)) ||
		(n > 2 && M > 1 && (!isfinite(d->astd_b) || !isfinite(d->cstd_b)));
}

/* A covariance (or Gram matrix, of the given order) that overflowed is an
 * error (see overflows()). */
static void check_overflow(const char *name, size_t loop, const double *C, size_t order,
			   size_t n, double M, const struct dpr *d)
{
	if (overflows(C, order, n, M, d))
		err_die(EXIT_DATA, "%s: loop %zu: the covariance overflows: the "
			"values are too large (see dpr(1))", name, loop);
}

static void put_row(FILE *fp, const struct options *o, const char *file, size_t loop,
		    size_t n, size_t samples, double M, const struct dpr *d,
		    const char *from, const char *flag)
{
	opts_tags_values(&o->c, fp);
	csvio_put_str(fp, file);
	fprintf(fp, ",%zu,%zu,", loop, n);
	if (o->covariance)
		fputs("nan", fp);
	else
		fprintf(fp, "%zu", samples);
	fputc(',', fp);
	csvio_put_double(fp, M);
	fputc(',', fp);
	csvio_put_double(fp, d->pr);
	fputc(',', fp);
	csvio_put_double(fp, d->pr_bc);
	fprintf(fp, ",%s,%s\n", from, flag);
}

/* How M was chosen, as the M_from column says it. */
static const char *m_from(const struct options *o)
{
	return o->samples_auto ? "auto" : o->samples > 0 ? "given" : "corr-steps";
}

/*
 * The row's flag: "ok", or what is wrong joined by '+': PR_bc below 1,
 * above N, not a number, and M too small (M <= 1, or PR_bc moving by more
 * than SENSITIVITY when M moves by as much: the correction outweighs what
 * the data say).  Unless -q, the same in words on stderr.
 */
#define SENSITIVITY 0.1

static const char *check_row(const struct options *o, const char *name, size_t loop,
			     size_t n, double M, const struct dpr *d, char *flag, size_t len)
{
	double bc = d->pr_bc, up = dpr_pr_bc_at(d, n, M * (1 + SENSITIVITY));
	double down = dpr_pr_bc_at(d, n, M / (1 + SENSITIVITY));
	int small = !(M > 1) || !(M / (1 + SENSITIVITY) > 1) ||
		!(fabs(up / bc - 1) <= SENSITIVITY) || !(fabs(down / bc - 1) <= SENSITIVITY);
	char words[320] = "";
	size_t w = 0;

	flag[0] = '\0';
	if (!isfinite(bc)) {
		snprintf(flag, len, "nan");
		w += (size_t)snprintf(words + w, sizeof words - w, "PR_bc is not a number%s",
				      n == 2 ? " (N = 2)" : "");
	} else if (bc < 1) {
		snprintf(flag, len, "below-1");
		w += (size_t)snprintf(words + w, sizeof words - w, "PR_bc = %.4g is below 1", bc);
	} else if (bc > (double)n) {
		snprintf(flag, len, "above-N");
		w += (size_t)snprintf(words + w, sizeof words - w, "PR_bc = %.4g is above N = %zu",
				      bc, n);
	}
	if (small && !(n == 2 && M > 1)) {
		size_t f = strlen(flag);

		snprintf(flag + f, len - f, "%ssmall-M", f ? "+" : "");
		snprintf(words + w, sizeof words - w, "%sM = %.4g (%s) is too small for the bias "
			 "correction: PR_bc moves by more than %g%% when M does", w ? "; " : "",
			 M, m_from(o), 100 * SENSITIVITY);
	}
	if (!flag[0])
		return "ok";
	if (!o->c.quiet)
		err_warn("%s: loop %zu: %s (flag %s; see dpr(1))", name, loop, words, flag);
	return flag;
}

static FILE *memout(char **text, size_t *len)
{
	FILE *fp = open_memstream(text, len);

	if (!fp)
		err_die(EXIT_DATA, "out of memory");
	return fp;
}

/*
 * Write a table held in memory (text, len as open_memstream sets them) to
 * path, closed but not yet renamed: see atomic_close().
 */
static void write_text(struct atomic_file *out, const char *path, FILE *mem, char **text,
		       size_t *len)
{
	FILE *fp;

	if (fclose(mem) != 0)
		err_die(EXIT_DATA, "out of memory");
	fp = atomic_open(out, path);
	if (fwrite(*text, 1, *len, fp) != *len)
		err_die(EXIT_DATA, "%s: write error", path);
	atomic_close(out);
	free(*text);
	*text = NULL;
}

/* Work space, grown as the inputs need it. */
struct work {
	double *xc, *C, *a, *spec, *ev, *lags, *fft;
	size_t nxc, nC, na, nspec, nev, nlags, nfft;
};

static double *grow(double **p, size_t *cap, size_t need, const char *name)
{
	if (need > *cap) {
		free(*p);
		*p = NULL;
		*p = err_malloc_for(name, need, sizeof **p);
		*cap = need;
	}
	return *p;
}

static void work_free(struct work *w)
{
	free(w->xc);
	free(w->C);
	free(w->a);
	free(w->spec);
	free(w->ev);
	free(w->lags);
	free(w->fft);
}

/*
 * One loop of activity x (used samples of n neurons): its covariance, or
 * with fewer samples than neurons its Gram matrix (dpr.h: the cheaper
 * route), M (given, samples / --corr-steps, or estimated), and PR and
 * PR_bc into d.  Returns the matrix whose nonzero eigenvalues are the
 * covariance's, its order in *order.
 */
static const double *activity(const struct options *o, const char *name, size_t loop,
			      double *x, size_t used, size_t n, struct work *w,
			      double *M, struct dpr *d, size_t *order)
{
	int gram = o->route == ROUTE_GRAM || (o->route == ROUTE_AUTO && used < n), rc;

	/* x is centred in place: one copy of the activity in memory */
	*order = gram ? used : n;
	grow(&w->C, &w->nC, *order * *order, name);
	if (gram) {
		grow(&w->a, &w->na, 2 * n, name);
		dpr_gram(x, used, n, x, w->C, w->a);
	} else {
		dpr_covariance(x, used, n, x, w->C);
	}
	if (o->samples_auto) {
		size_t window;

		grow(&w->lags, &w->nlags, used, name);
		if (gram) {
			dpr_lags_gram(w->C, used, w->lags);
		} else {
			grow(&w->fft, &w->nfft, 2 * dpr_fft_len(used), name);
			dpr_lags_fft(x, used, n, w->lags, w->fft);
		}
		*M = dpr_ess(w->lags, used, DPR_ESS_C, &window);
	}
	rc = gram ? dpr_compute_gram(x, w->C, w->a, used, n, *M, d) :
		dpr_compute(w->C, n, *M, d);
	if (rc == DPR_NOVAR)
		err_die(EXIT_DATA, "%s: loop %zu: zero variance: every neuron "
			"is constant over the %zu samples used (PR divides by "
			"the total variance)", name, loop, used);
	check_overflow(name, loop, w->C, *order, n, *M, d);
	/* the correction needs M > 1 (an estimate can be less) */
	if (!(*M > 1))
		d->pr_bc = NAN;
	return w->C;
}

/* The covariance's eigenvalues, in decreasing order: those of the matrix
 * of the given order, then zeros up to n (the Gram route's rank). */
static void put_spectrum(FILE *spec, const struct options *o, const char *name,
			 size_t loop, const double *mat, size_t order, size_t n,
			 struct work *w)
{
	grow(&w->spec, &w->nspec, order * order, name);
	grow(&w->ev, &w->nev, order, name);
	if (dpr_spectrum(mat, order, w->spec, w->ev) != 0)
		err_die(EXIT_DATA, "out of memory");
	for (size_t k = 0; k < n; k++) {
		opts_tags_values(&o->c, spec);
		csvio_put_str(spec, name);
		fprintf(spec, ",%zu,%zu,", loop, k + 1);
		csvio_put_double(spec, k < order ? w->ev[k] : 0.0);
		fputc('\n', spec);
	}
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	FILE *tab, *spec = NULL;
	struct atomic_file tabout, specout;
	char *text = NULL, *spectext = NULL;
	size_t textlen = 0, speclen = 0;
	struct work w = { 0 };

	err_init(argv);
	parse_command_line(argc, argv, &o);
	atomic_signals();
	/* One BLAS thread: the same bytes whatever the machine. */
	openblas_set_num_threads(1);

	tab = memout(&text, &textlen);
	if (!o.c.no_header) {
		opts_tags_header(&o.c, tab);
		fputs(COLUMNS "\n", tab);
	}
	if (o.spectrum) {
		spec = memout(&spectext, &speclen);
		if (!o.c.no_header) {
			opts_tags_header(&o.c, spec);
			fputs(SPECTRUM_COLUMNS "\n", spec);
		}
	}
	for (size_t f = 0; f < o.c.nfiles; f++) {
		const char *name = o.c.files[f];
		struct arrayin in;
		size_t n, steps, used;
		int rc;

		if (arrayin_open(&in, name) != 0)
			err_die(EXIT_DATA, "%s: %s", name, in.err);
		n = check_input(&o, &in);
		steps = in.rows;
		used = o.covariance ? 0 : steps - (size_t)o.skip;
		warn_samples(&o, name, used, n);
		if (!o.covariance)
			grow(&w.xc, &w.nxc, steps * n, name);
		for (;;) {
			size_t loop = in.next, order = n;
			double M = o.samples > 0 ? o.samples : (double)used / o.corr_steps;
			char flag[64];
			const char *fl;
			struct dpr d;
			const double *mat, *x;

			if (!selected(&o, loop)) {
				if ((rc = arrayin_skip(&in, NULL)) != 1)
					break;
				continue;
			}
			if (o.covariance)
				rc = arrayin_view(&in, &x);
			else
				x = w.xc, rc = arrayin_next(&in, w.xc);
			if (rc != 1)
				break;
			warn_index_column(&o, &in, x);
			if (o.covariance) {
				check_covariance(name, loop, in.ndim == 3, x, n);
				if (dpr_compute(x, n, M, &d) == DPR_NOVAR)
					err_die(EXIT_DATA, "%s: loop %zu: every variance is zero "
						"(PR divides by the total variance)", name, loop);
				check_overflow(name, loop, x, n, n, M, &d);
				mat = x;
			} else {
				mat = activity(&o, name, loop, w.xc + (size_t)o.skip * n, used, n,
					       &w, &M, &d, &order);
			}
			fl = check_row(&o, name, loop, n, M, &d, flag, sizeof flag);
			put_row(tab, &o, name, loop, n, used, M, &d, o.covariance ? "given" :
				m_from(&o), fl);
			if (spec)
				put_spectrum(spec, &o, name, loop, mat, order, n, &w);
		}
		if (rc < 0)
			err_die(EXIT_DATA, "%s: %s", name, in.err);
		arrayin_close(&in);
	}
	/* Both outputs complete before either is put in place: a failure
	 * leaves neither. */
	if (spec)
		write_text(&specout, o.spectrum, spec, &spectext, &speclen);
	write_text(&tabout, o.c.output, tab, &text, &textlen);
	if (spec)
		atomic_commit(&specout);
	atomic_commit(&tabout);
	work_free(&w);
	free(o.loops);
	opts_free(&o.c);
	return EXIT_OK;
}
