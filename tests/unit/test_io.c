/*
 * test_io: drives libcore's readers and writers from the BATS suite
 * (tests/libcore-io.bats), which checks the results with numpy.
 *
 *   test_io write PATH f8|f4 D0 [D1 [D2]]   value[i] = i / 3 - 7
 *   test_io grow PATH f8|f4 ROWS D1 [D2]    same, first dimension streamed
 *   test_io read PATH                       "shape D0 D1..." then one value a line
 *   test_io csv PATH auto|yes|no            "rows R cols C", names, values
 *   test_io table PATH                      "rows R cols C", then cells
 *   test_io fmt VALUE...                    csvio_put_double of each value
 * Errors: "test_io: PATH: message" on stderr, exit 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvio.h"
#include "err.h"
#include "npy.h"

static enum npy_dtype dtype_of(const char *s)
{
	if (!strcmp(s, "f8"))
		return NPY_F8;
	if (!strcmp(s, "f4"))
		return NPY_F4;
	err_usage("dtype must be f8 or f4, not '%s'", s);
}

static int do_write(int argc, char **argv, int grow)
{
	size_t shape[NPY_MAXDIM], n = 1;
	int ndim = argc - 4;
	struct npy_writer w;

	if (ndim < 1 || ndim > NPY_MAXDIM)
		err_usage("need 1 to 3 dimensions");
	for (int i = 0; i < ndim; i++) {
		shape[i] = strtoul(argv[4 + i], NULL, 10);
		n *= shape[i];
	}
	if (grow) {
		size_t rows = shape[0];

		shape[0] = NPY_GROW;
		npy_writer_open(&w, argv[2], dtype_of(argv[3]), ndim, shape);
		for (size_t r = 0; r < rows; r++) {
			size_t per = n / rows;

			for (size_t i = 0; i < per; i++) {
				double v = (double)(r * per + i) / 3.0 - 7.0;

				npy_write(&w, &v, 1);
			}
		}
		npy_writer_close(&w);
	} else {
		double *a = err_malloc(n * sizeof *a);

		for (size_t i = 0; i < n; i++)
			a[i] = (double)i / 3.0 - 7.0;
		npy_save(argv[2], dtype_of(argv[3]), ndim, shape, a);
		free(a);
	}
	return 0;
}

static int do_read(const char *path)
{
	char err[256];
	int ndim;
	size_t shape[NPY_MAXDIM], n = 1;
	double *a = npy_load(path, &ndim, shape, err, sizeof err);

	if (!a)
		err_die(EXIT_DATA, "%s: %s", path, err);
	printf("shape");
	for (int i = 0; i < ndim; i++) {
		printf(" %zu", shape[i]);
		n *= shape[i];
	}
	putchar('\n');
	for (size_t i = 0; i < n; i++) {
		csvio_put_double(stdout, a[i]);
		putchar('\n');
	}
	free(a);
	return 0;
}

static FILE *open_in(const char *path)
{
	FILE *fp = strcmp(path, "-") ? fopen(path, "rb") : stdin;

	if (!fp)
		err_die(EXIT_DATA, "%s: cannot open", path);
	return fp;
}

static int do_csv(const char *path, const char *mode)
{
	struct csvio_matrix m;
	char err[256];
	int header = !strcmp(mode, "yes") ? CSVIO_HEADER_YES :
		!strcmp(mode, "no") ? CSVIO_HEADER_NO : CSVIO_HEADER_AUTO;
	FILE *fp = open_in(path);

	if (csvio_read_matrix(fp, header, &m, err, sizeof err) != 0)
		err_die(EXIT_DATA, "%s: %s", path, err);
	printf("rows %zu cols %zu\n", m.rows, m.cols);
	if (m.names)
		for (size_t j = 0; j < m.cols; j++)
			printf("name %s\n", m.names[j]);
	for (size_t i = 0; i < m.rows * m.cols; i++) {
		csvio_put_double(stdout, m.data[i]);
		putchar('\n');
	}
	csvio_matrix_free(&m);
	return 0;
}

static int do_table(const char *path)
{
	struct csvio_table t;
	char err[256];
	FILE *fp = open_in(path);

	if (csvio_read_table(fp, &t, err, sizeof err) != 0)
		err_die(EXIT_DATA, "%s: %s", path, err);
	printf("rows %zu cols %zu\n", t.rows, t.cols);
	for (size_t j = 0; j < t.cols; j++)
		printf("name %s\n", t.names[j]);
	for (size_t i = 0; i < t.rows * t.cols; i++)
		printf("cell %s\n", t.cells[i]);
	printf("col_of_last %ld\n", csvio_table_col(&t, t.names[t.cols - 1]));
	csvio_table_free(&t);
	return 0;
}

int main(int argc, char **argv)
{
	err_init(argv);
	if (argc >= 5 && !strcmp(argv[1], "write"))
		return do_write(argc, argv, 0);
	if (argc >= 5 && !strcmp(argv[1], "grow"))
		return do_write(argc, argv, 1);
	if (argc == 3 && !strcmp(argv[1], "read"))
		return do_read(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "csv"))
		return do_csv(argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "table"))
		return do_table(argv[2]);
	if (argc >= 2 && !strcmp(argv[1], "fmt")) {
		for (int i = 2; i < argc; i++) {
			csvio_put_double(stdout, strtod(argv[i], NULL));
			putchar('\n');
		}
		return 0;
	}
	err_usage("usage: test_io write|grow|read|csv|table|fmt ...");
}
