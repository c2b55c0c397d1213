/*
 * npy-cat: print a .npy array as CSV, or describe it.
 *
 * A 1-D array prints one value per line, a 2-D array one row per line, a
 * 3-D array (k, i, j) one line per (k, i) with k as a leading column, so
 * that a run's (loops, steps, N) arrays become tables awk, gnuplot and
 * spreadsheets read.  Values are printed with the fewest digits that read
 * back to the same number ('<f4' values to the same float).  --info
 * prints the dtype and shape instead, as numpy writes them:
 * "float64 (16, 1000, 200)".  The array is streamed row by row.
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

enum { OPT_INFO = OPT_TOOL };

struct options {
	struct opts_common c;
	int info;
};

static void usage(FILE *fp)
{
	fprintf(fp,
"Usage: npy-cat [OPTION]... [FILE]...\n"
"Print .npy arrays ('<f8' or '<f4', 1 to 3 dimensions) as CSV without header:\n"
"a row per line; a 3-D array (K, I, J) prints K*I lines 'k,v0,...,vJ-1'.\n"
"'-' or no FILE reads stdin.\n"
"\n"
"      --info           print the dtype and shape instead, e.g.\n"
"                       'float64 (16, 1000, 200)' (with 'FILE: ' before it\n"
"                       when several files are given)\n"
"  -o, --output FILE    write to FILE (default '-', stdout)\n"
"  -q, --quiet          no notes on stderr\n"
"  -h, --help           this help\n"
"  -V, --version        version\n"
"\n"
"Example: npy-cat run/weights.npy | awk -F, '$1 == 11' | cut -d, -f2-\n"
"See npy-cat(1).\n");
}

static void parse_command_line(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		OPTS_LONG_BASE,
		{ "info", no_argument, NULL, OPT_INFO },
		OPTS_LONG_END
	};
	int code;

	o->c.usage = usage;
	o->c.output = "-";
	while ((code = getopt_long(argc, argv, OPTS_SHORT, longopts, NULL)) != -1) {
		switch (code) {
		case OPT_INFO: o->info = 1; break;
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

static void print_array(FILE *fp, struct npy_reader *r, double *row)
{
	size_t cols = r->ndim == 1 ? 1 : r->shape[r->ndim - 1];
	size_t rows = r->ndim == 1 ? r->shape[0] : r->shape[r->ndim - 2];
	size_t mats = r->ndim == 3 ? r->shape[0] : 1;

	for (size_t k = 0; k < mats; k++)
		for (size_t i = 0; i < rows; i++) {
			if (npy_read(r, row, cols) != 0)
				err_die(EXIT_DATA, "%s: %s", r->name, r->err);
			if (r->ndim == 3)
				fprintf(fp, "%zu,", k);
			for (size_t j = 0; j < cols; j++) {
				if (j)
					fputc(',', fp);
				if (r->dtype == NPY_F4)
					put_float(fp, row[j]);
				else
					csvio_put_double(fp, row[j]);
			}
			fputc('\n', fp);
		}
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

		if (npy_open(&r, o.c.files[f]) != 0)
			err_die(EXIT_DATA, "%s: %s", o.c.files[f], r.err);
		if (o.info) {
			if (o.c.nfiles > 1)
				fprintf(fp, "%s: ", o.c.files[f]);
			describe(fp, &r);
		} else {
			size_t cols = r.ndim == 1 ? 1 : r.shape[r.ndim - 1];

			row = err_malloc((cols ? cols : 1) * sizeof *row);
			print_array(fp, &r, row);
			free(row);
		}
		npy_close(&r);
	}
	atomic_commit(&out);
	opts_free(&o.c);
	return EXIT_OK;
}
