/*
 * npy-cat: print a .npy array as CSV, or describe it.
 *
 * A 1-D array prints one value per line, a 2-D array one row per line, a
 * 3-D array (k, i, j) one line per (k, i) with k as a leading column, so
 * that a run's (loops, steps, N) arrays become tables awk, gnuplot and
 * spreadsheets read.  Values are printed with the fewest digits that read
 * back to the same number ('<f4' values to the same float).  --info
 * prints the dtype and shape instead, as numpy writes them:
 * "float64 (16, 1000, 200)".  --columns keeps chosen columns of the last
 * dimension and --slices chosen entries of the first (the loops of a run),
 * so that a figure reads a few neurons of a few loops without printing the
 * rest.  The array is streamed row by row.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arrayin.h"
#include "atomic.h"
#include "csvio.h"
#include "err.h"
#include "npy.h"
#include "npz.h"
#include "opts.h"

enum { OPT_INFO = OPT_TOOL, OPT_COLUMNS, OPT_SLICES };

/* A list of indices from the command line, in the order given. */
struct index_list {
	size_t n, *v;
	const char *name;
};

struct options {
	struct opts_common c;
	int info;
	struct index_list cols, slices;
};

static void usage(FILE *fp)
{
	fprintf(fp,
"Usage: npy-cat [OPTION]... [FILE]...\n"
"Print .npy arrays ('<f8' or '<f4', 1 to 3 dimensions) as CSV without header:\n"
"a row per line; a 3-D array (K, I, J) prints K*I lines 'k,v0,...,vJ-1'.\n"
"'-' or no FILE reads stdin.\n"
"\n"
"      --columns LIST   only these columns (0-based indices of the last\n"
"                       dimension, comma-separated, in this order)\n"
"      --slices LIST    only these entries of the first dimension (the\n"
"                       loops of a run's (loops, steps, N) arrays; the rows\n"
"                       of a 2-D array), printed in the file's order\n"
"      --info           print the dtype and shape instead, e.g.\n"
"                       'float64 (16, 1000, 200)' (with 'FILE: ' before it\n"
"                       when several files are given); of a sparse .npz:\n"
"                       'csr float64 (200, 200), nnz 12000, int32 indices'\n"
"  -o, --output FILE    write to FILE (default '-', stdout)\n"
"  -q, --quiet          no notes on stderr\n"
"  -h, --help           this help\n"
"  -V, --version        version\n"
"\n"
"Examples: npy-cat run/weights.npy | awk -F, '$1 == 11' | cut -d, -f2-\n"
"          npy-cat --slices 0,15 --columns 0,100 run/outputs.npy\n"
"See npy-cat(1).\n");
}

/* "3,0,17": indices below 2^31. */
static void parse_list(struct index_list *l, const char *name, const char *arg)
{
	const char *p = arg;

	free(l->v);
	l->n = 0;
	l->v = err_malloc((strlen(arg) / 2 + 1) * sizeof *l->v);
	l->name = name;
	for (;;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		char buf[32];

		if (len == 0 || len >= sizeof buf)
			err_usage("%s: '%s' is not a comma-separated list of indices", name, arg);
		memcpy(buf, p, len);
		buf[len] = 0;
		l->v[l->n] = (size_t)opts_int(name, buf, 0, 2147483647);
		l->n++;
		if (!e)
			break;
		p = e + 1;
	}
}

static void parse_command_line(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		OPTS_LONG_BASE,
		{ "info", no_argument, NULL, OPT_INFO },
		{ "columns", required_argument, NULL, OPT_COLUMNS },
		{ "slices", required_argument, NULL, OPT_SLICES },
		OPTS_LONG_END
	};
	int code;

	o->c.usage = usage;
	o->c.output = "-";
	while ((code = getopt_long(argc, argv, OPTS_SHORT, longopts, NULL)) != -1) {
		switch (code) {
		case OPT_INFO: o->info = 1; break;
		case OPT_COLUMNS: parse_list(&o->cols, "--columns", optarg); break;
		case OPT_SLICES: parse_list(&o->slices, "--slices", optarg); break;
		default: opts_common(&o->c, code, optarg);
		}
	}
	opts_files(&o->c, argc, argv);
}

/* The shortest decimal that reads back to the same float. */
static void put_float(FILE *fp, double v)
{
	char buf[40];
	float f = (float)v;

	if (!isfinite(v)) {
		csvio_put_double(fp, v);
		return;
	}
	for (int prec = 6; prec <= 9; prec++) {
		snprintf(buf, sizeof buf, "%.*g", prec, (double)f);
		if (prec == 9 || strtof(buf, NULL) == f)
			break;
	}
	fputs(buf, fp);
}

static void describe(FILE *fp, const struct npy_reader *r)
{
	fputs(r->dtype == NPY_F8 ? "float64 (" : "float32 (", fp);
	for (int i = 0; i < r->ndim; i++)
		fprintf(fp, i ? ", %zu" : "%zu", r->shape[i]);
	fputs(r->ndim == 1 ? ",)\n" : ")\n", fp);
}

static void put_value(FILE *fp, const struct npy_reader *r, double v)
{
	if (r->dtype == NPY_F4)
		put_float(fp, v);
	else
		csvio_put_double(fp, v);
}

/* Whether entry k of the first dimension is printed. */
static int wanted(const struct index_list *sl, size_t k)
{
	if (!sl->n)
		return 1;
	for (size_t x = 0; x < sl->n; x++)
		if (sl->v[x] == k)
			return 1;
	return 0;
}

static void print_array(FILE *fp, struct npy_reader *r, double *row, const struct options *o)
{
	size_t cols = r->ndim == 1 ? r->shape[0] : r->shape[r->ndim - 1];
	size_t rows = r->ndim == 1 ? 1 : r->shape[r->ndim - 2];
	size_t mats = r->ndim == 3 ? r->shape[0] : 1, top = 0;
	const struct index_list *cl = &o->cols;
	/* a 2-D array's slices are its rows */
	const size_t first = r->ndim == 3 ? mats : rows;

	for (size_t x = 0; x < cl->n; x++)
		if (cl->v[x] >= cols)
			err_die(EXIT_DATA, "%s: --columns: index %zu is out of range (the last dimension is %zu)",
				r->name, cl->v[x], cols);
	if (o->slices.n && r->ndim == 1)
		err_die(EXIT_DATA, "%s: --slices: the array is 1-D", r->name);
	for (size_t x = 0; x < o->slices.n; x++)
		top = o->slices.v[x] > top ? o->slices.v[x] : top;
	if (o->slices.n && top >= first)
		err_die(EXIT_DATA, "%s: --slices: index %zu is out of range (the first dimension is %zu)",
			r->name, top, first);
	for (size_t k = 0; k < mats; k++) {
		int mat_on = r->ndim != 3 || wanted(&o->slices, k);

		for (size_t i = 0; i < rows; i++) {
			if (npy_read(r, row, cols) != 0)
				err_die(EXIT_DATA, "%s: %s", r->name, r->err);
			if (!mat_on || (r->ndim == 2 && !wanted(&o->slices, i)))
				continue;
			if (r->ndim == 1) {
				/* one value per line */
				for (size_t x = 0; x < (cl->n ? cl->n : cols); x++) {
					put_value(fp, r, row[cl->n ? cl->v[x] : x]);
					fputc('\n', fp);
				}
				continue;
			}
			if (r->ndim == 3)
				fprintf(fp, "%zu,", k);
			for (size_t x = 0; x < (cl->n ? cl->n : cols); x++) {
				if (x)
					fputc(',', fp);
				put_value(fp, r, row[cl->n ? cl->v[x] : x]);
			}
			fputc('\n', fp);
		}
	}
}

/* --info of SciPy's CSR .npz: "csr float64 (N, M), nnz Z, int32 indices". */
static void describe_npz(FILE *fp, const char *path, const struct options *o)
{
	struct npz_reader r;

	if (!o->info)
		err_die(EXIT_DATA, "%s: a sparse .npz: npy-cat describes it (--info) but "
			"prints only .npy", path);
	if (npz_open(&r, path) != 0)
		err_die(EXIT_DATA, "%s: %s", path, r.err);
	if (o->c.nfiles > 1)
		fprintf(fp, "%s: ", path);
	fprintf(fp, "csr %s (%zu, %zu), nnz %zu, int%d indices\n",
		r.data_bytes == 8 ? "float64" : "float32", r.nrows, r.ncols, r.nnz,
		8 * r.index_bytes);
	npz_close(&r);
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	struct atomic_file out;
	FILE *fp;

	err_init(argv);
	parse_command_line(argc, argv, &o);
	atomic_signals();
	fp = atomic_open(&out, o.c.output);
	for (size_t f = 0; f < o.c.nfiles; f++) {
		struct npy_reader r;
		double *row;

		/* a stored .npz (a pipe's is refused by the .npy reader) */
		if (arrayin_regular_starts(o.c.files[f], "PK\3\4", 4)) {
			describe_npz(fp, o.c.files[f], &o);
			continue;
		}
		if (npy_open(&r, o.c.files[f]) != 0)
			err_die(EXIT_DATA, "%s: %s", o.c.files[f], r.err);
		if (o.info) {
			if (o.c.nfiles > 1)
				fprintf(fp, "%s: ", o.c.files[f]);
			describe(fp, &r);
		} else {
			size_t cols = r.shape[r.ndim - 1];

			row = err_malloc_for(o.c.files[f], cols, sizeof *row);
			print_array(fp, &r, row, &o);
			free(row);
		}
		npy_close(&r);
	}
	atomic_commit(&out);
	free(o.cols.v);
	free(o.slices.v);
	opts_free(&o.c);
	return EXIT_OK;
}
