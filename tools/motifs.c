/*
 * motifs: second-order connectivity motifs of weight matrices.
 *
 * Reads weight matrices (a 2-D .npy, a 3-D .npy stack such as a run's
 * weights.npy, or a headerless numeric CSV matrix as the notebook writes
 * it; "-" or no file = stdin) and writes one CSV row per matrix:
 * <tag keys...>,path,loop,N,sigma2,tau_rec,tau_div,tau_con,tau_chn,R
 * (loop: the matrix's index in a stack, the loop of a run's weights.npy)
 * computed in O(N^2) from row sums, column sums, sum w^2 and sum w_ij w_ji
 * (libcore/motifs.h).  Rows are held until every input has been read, so
 * a bad input leaves no partial table behind.
 */
#define _GNU_SOURCE             /* open_memstream */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arrayin.h"
#include "atomic.h"
#include "csvio.h"
#include "err.h"
#include "motifs.h"
#include "opts.h"

/* The table's own columns, after the tag keys. */
#define COLUMNS "path,loop,N,sigma2,tau_rec,tau_div,tau_con,tau_chn,R"

struct options {
	struct opts_common c;
};

static void usage(FILE *fp)
{
	fprintf(fp,
"Usage: motifs [OPTION]... [FILE]...\n"
"Connectivity motifs of weight matrices, one CSV row per matrix:\n"
"  <tag keys...>," COLUMNS "\n"
"FILE is a .npy (N, N) matrix or (L, N, N) stack ('<f8' or '<f4'), or a\n"
"headerless numeric CSV matrix; '-' or no FILE reads stdin.  loop is the\n"
"matrix's index in a stack (the loop of a run's weights.npy), else 0.\n"
"\n"
"      --tag KEY=VALUE  prepend a KEY column holding VALUE (repeatable)\n"
"      --no-header      omit the header row (to append to a table)\n"
"  -o, --output FILE    write the table to FILE (default '-', stdout)\n"
"  -q, --quiet          no notes on stderr\n"
"  -h, --help           this help\n"
"  -V, --version        version\n"
"\n"
"Example: motifs --tag seed=0 run/weights.npy | column -t -s,\n"
"See motifs(1).\n");
}

static void parse_command_line(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		OPTS_LONG_BASE,
		OPTS_LONG_TAG,
		OPTS_LONG_END
	};
	int code;

	o->c.usage = usage;
	o->c.output = "-";
	while ((code = getopt_long(argc, argv, OPTS_SHORT, longopts, NULL)) != -1)
		opts_common(&o->c, code, optarg);
	opts_files(&o->c, argc, argv);
	opts_tags_check(&o->c, COLUMNS, "table");
}

static void put_row(FILE *fp, const struct options *o, const char *file,
		    size_t index, size_t n, const struct motifs *m)
{
	const double v[] = { m->sigma2, m->tau_rec, m->tau_div, m->tau_con,
			     m->tau_chn, m->R };

	opts_tags_values(&o->c, fp);
	csvio_put_str(fp, file);
	fprintf(fp, ",%zu,%zu", index, n);
	for (size_t k = 0; k < sizeof v / sizeof v[0]; k++) {
		fputc(',', fp);
		csvio_put_double(fp, v[k]);
	}
	fputc('\n', fp);
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	struct atomic_file out;
	FILE *tab, *fp;
	char *text = NULL;
	size_t textlen = 0, cap = 0, n;
	double *work = NULL;

	err_init(argv);
	parse_command_line(argc, argv, &o);
	atomic_signals();

	tab = open_memstream(&text, &textlen);
	if (!tab)
		err_die(EXIT_DATA, "out of memory");
	if (!o.c.no_header) {
		opts_tags_header(&o.c, tab);
		fputs(COLUMNS "\n", tab);
	}
	for (size_t f = 0; f < o.c.nfiles; f++) {
		const char *name = o.c.files[f];
		struct arrayin in;
		char shape[96];
		const double *w;
		int rc;

		if (arrayin_open(&in, name) != 0)
			err_die(EXIT_DATA, "%s: %s", name, in.err);
		arrayin_shape_str(&in, shape, sizeof shape);
		if (in.rows != in.cols)
			err_die(EXIT_DATA, "%s: not a square matrix: shape %s%s", name, shape,
				in.kind == ARRAYIN_CSV && in.cols == in.rows + 1 ?
				" (npy-cat's index column first? cut -d, -f2- drops it, "
				"npy-from-csv --stack reads the stack back)" : "");
		n = in.rows;
		if (n < 2)
			err_die(EXIT_DATA, "%s: N = %zu: motifs need N >= 2 (shape %s)",
				name, n, shape);
		if (in.count == 0)
			err_die(EXIT_DATA, "%s: no matrix in the stack (shape %s)", name, shape);
		if (n > cap) {
			free(work);
			cap = n;
			work = err_malloc_for(name, n, 2 * sizeof *work);
		}
		while ((rc = arrayin_view(&in, &w)) == 1) {
			struct motifs m;
			size_t index = in.next - 1;

			if (motifs_compute(w, n, work, &m) == MOTIFS_NOVAR) {
				if (in.ndim == 3)
					err_die(EXIT_DATA, "%s: matrix %zu: every entry is equal "
						"(zero variance: the motifs divide by it)", name, index);
				err_die(EXIT_DATA, "%s: every entry is equal "
					"(zero variance: the motifs divide by it)", name);
			}
			if (!(isfinite(m.sigma2) && isfinite(m.tau_rec) && isfinite(m.tau_div) &&
			      isfinite(m.tau_con) && isfinite(m.tau_chn) && isfinite(m.R))) {
				char where[48] = "";

				if (in.ndim == 3)
					snprintf(where, sizeof where, "matrix %zu: ", index);
				err_die(EXIT_DATA, "%s: %sthe motifs overflow: the entries are "
					"too large (see motifs(1))", name, where);
			}
			put_row(tab, &o, name, index, n, &m);
		}
		if (rc < 0)
			err_die(EXIT_DATA, "%s: %s", name, in.err);
		arrayin_close(&in);
	}
	if (fclose(tab) != 0)
		err_die(EXIT_DATA, "out of memory");

	fp = atomic_open(&out, o.c.output);
	if (fwrite(text, 1, textlen, fp) != textlen)
		err_die(EXIT_DATA, "%s: write error", o.c.output);
	atomic_commit(&out);
	free(text);
	free(work);
	opts_free(&o.c);
	return EXIT_OK;
}
