/*
 * npy-from-csv: a numeric CSV matrix written as a .npy array, the other
 * way from npy-cat.
 *
 * The input is a numeric CSV (numpy.savetxt, the notebook's files,
 * npy-cat's print; a first record without any number is a header, and
 * skipped: libcore/csvio.h), read through arrayin (a file, "-" or a pipe;
 * other formats are refused by name, a .npy or .npz as being one already).
 * It is written as a (rows, cols) array, or with --vector a single column as
 * (rows,), or with --stack rows "k,v0,...,vJ-1" as npy-cat prints a 3-D
 * array: consecutive rows of one k form one matrix, so that
 * npy-cat A.npy | npy-from-csv --stack gives A back, and
 * npy-cat --slices 11 run/outputs.npy | npy-from-csv --stack a (1, steps, N)
 * stack of loop 11 that the analysis tools read.  Values are written as
 * '<f8' (or '<f4' with --float32), through a temporary renamed when
 * complete.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arrayin.h"
#include "err.h"
#include "npy.h"
#include "opts.h"

enum { OPT_STACK = OPT_TOOL, OPT_VECTOR, OPT_F32 };

struct options {
	struct opts_common c;
	int stack, vector, f32;
};

static void usage(FILE *fp)
{
	fprintf(fp,
"Usage: npy-from-csv [OPTION]... [FILE]\n"
"Write a numeric CSV matrix (numpy.savetxt, npy-cat's print; a header row is\n"
"skipped) as a .npy array, (rows, columns) as '<f8'.  '-' or no FILE reads stdin.\n"
"\n"
"      --stack          rows 'k,v0,...,vJ-1' as npy-cat prints a 3-D array:\n"
"                       the rows of each k (consecutive, as many for every k)\n"
"                       form one matrix of a (K, I, J) stack\n"
"      --vector         one value per row, written as a 1-D array (rows,)\n"
"      --float32        write '<f4' instead of '<f8'\n"
"  -o, --output FILE    the array (default '-', stdout)\n"
"  -q, --quiet          no notes on stderr\n"
"  -h, --help           this help\n"
"  -V, --version        version\n"
"\n"
"Examples: npy-cat run/outputs.npy | awk -F, '$1 < 2' | npy-from-csv --stack -o two.npy\n"
"          npy-from-csv -o w.npy simulation_1_pesos_pqif_0_matriz_iloop_0_semilla_0\n"
"See npy-from-csv(1) and npy-cat(1).\n");
}

static void parse_command_line(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		OPTS_LONG_BASE,
		{ "stack", no_argument, NULL, OPT_STACK },
		{ "vector", no_argument, NULL, OPT_VECTOR },
		{ "float32", no_argument, NULL, OPT_F32 },
		OPTS_LONG_END
	};
	int code;

	o->c.usage = usage;
	o->c.output = "-";
	while ((code = getopt_long(argc, argv, OPTS_SHORT, longopts, NULL)) != -1) {
		switch (code) {
		case OPT_STACK: o->stack = 1; break;
		case OPT_VECTOR: o->vector = 1; break;
		case OPT_F32: o->f32 = 1; break;
		default: opts_common(&o->c, code, optarg);
		}
	}
	opts_files(&o->c, argc, argv);
	if (o->c.nfiles > 1)
		err_usage("one FILE at most: it makes one array");
	if (o->stack && o->vector)
		err_usage("--stack and --vector exclude each other");
}

static void ragged(const char *name, double k, size_t run, size_t block)
{
	err_die(EXIT_DATA, "%s: --stack: index %g has %zu row%s, the first has %zu",
		name, k, run, run == 1 ? "" : "s", block);
}

/*
 * The shape of a stack printed by npy-cat: column 0 holds k, whole and the
 * same over each block of consecutive rows, every block as long as the
 * first.  Dies naming the first row (from 1, as the CSV's rows) that breaks
 * it.
 */
static void stack_shape(const char *name, const double *m, size_t rows, size_t cols,
			size_t shape[3])
{
	size_t block = 0, count = 0, run = 0;

	if (cols < 2)
		err_die(EXIT_DATA, "%s: --stack: one column only, no values after the index", name);
	for (size_t i = 0; i < rows; i++) {
		double k = m[i * cols];

		if (k != floor(k) || k < 0)
			err_die(EXIT_DATA, "%s: --stack: row %zu: the index %g is not a whole "
				"number >= 0", name, i + 1, k);
		if (i > 0 && k != m[(i - 1) * cols]) {
			if (block && run != block)
				ragged(name, m[(i - 1) * cols], run, block);
			block = run;
			run = 0;
			count++;
		}
		run++;
	}
	if (block && run != block)
		ragged(name, m[(rows - 1) * cols], run, block);
	shape[0] = count + 1;
	shape[1] = run;
	shape[2] = cols - 1;
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	struct arrayin a;
	struct npy_writer w;
	const char *name;
	double *data;
	size_t shape[3], rows, cols;
	int ndim;

	err_init(argv);
	parse_command_line(argc, argv, &o);
	atomic_signals();
	name = o.c.files[0];
	if (arrayin_open(&a, name) != 0)
		err_die(EXIT_DATA, "%s: %s", name, a.err);
	if (a.kind != ARRAYIN_CSV)
		err_die(EXIT_DATA, "%s: already a %s file (npy-cat prints it as CSV)", name,
			a.kind == ARRAYIN_NPY ? ".npy" : ".npz");
	rows = a.rows;
	cols = a.cols;
	data = err_malloc_for(name, rows * cols, sizeof *data);
	if (arrayin_next(&a, data) != 1)
		err_die(EXIT_DATA, "%s: %s", name, a.err);
	arrayin_close(&a);

	if (o.stack) {
		stack_shape(name, data, rows, cols, shape);
		ndim = 3;
	} else if (o.vector) {
		if (cols != 1)
			err_die(EXIT_DATA, "%s: --vector: %zu columns, not one", name, cols);
		shape[0] = rows;
		ndim = 1;
	} else {
		shape[0] = rows;
		shape[1] = cols;
		ndim = 2;
	}

	npy_writer_open(&w, o.c.output, o.f32 ? NPY_F4 : NPY_F8, ndim, shape);
	if (o.stack)
		for (size_t i = 0; i < rows; i++)
			npy_write(&w, data + i * cols + 1, cols - 1);
	else
		npy_write(&w, data, rows * cols);
	npy_writer_close(&w);
	free(data);
	opts_free(&o.c);
	return EXIT_OK;
}
