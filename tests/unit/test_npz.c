/*
 * test_npz: drives libcore/npz from the BATS suite (tests/libcore-npz.bats),
 * which checks the results with SciPy, and checks itself what needs no
 * outside client.
 *
 *   test_npz write PATH R C [i8]   the pattern matrix below, R x C
 *   test_npz read PATH [K]         "shape R C nnz Z index I data D", then
 *                                  "row col value" a line; entries taken K
 *                                  at a time through npz_read (default: all
 *                                  at once through npz_load)
 *   test_npz dense PATH            "shape R C", then the dense rows
 *   test_npz self                  round trips and the reader's own checks
 * Pattern: entry (i, j) is stored when (7 i + 3 j) % 5 < 2 and i % 4 != 2
 * (every 4th row empty), value (i - j) / 3 + 0.25 (stored even when 0).
 * Errors: "test_npz: PATH: message" on stderr, exit 1.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "npz.h"

static int failures, checks;

static void check(int ok, const char *what)
{
	checks++;
	if (!ok) {
		failures++;
		printf("FAIL %s\n", what);
	}
}

/* The pattern matrix, in CSR built here without libcore. */
static void pattern(struct npz_csr *m, size_t rows, size_t cols)
{
	size_t k = 0;

	m->nrows = rows;
	m->ncols = cols;
	m->indptr = err_malloc((rows + 1) * sizeof *m->indptr);
	m->indices = err_malloc((rows * cols + 1) * sizeof *m->indices);
	m->data = err_malloc((rows * cols + 1) * sizeof *m->data);
	m->indptr[0] = 0;
	for (size_t i = 0; i < rows; i++) {
		for (size_t j = 0; j < cols && i % 4 != 2; j++)
			if ((7 * i + 3 * j) % 5 < 2) {
				m->indices[k] = (int32_t)j;
				m->data[k++] = ((double)i - (double)j) / 3.0 + 0.25;
			}
		m->indptr[i + 1] = (int64_t)k;
	}
	m->nnz = k;
}

static int do_read(const char *path, size_t chunk)
{
	struct npz_csr m;
	char err[256];

	if (chunk) {
		struct npz_reader r;

		if (npz_open(&r, path) != 0)
			err_die(EXIT_DATA, "%s: %s", path, r.err);
		m.nrows = r.nrows;
		m.ncols = r.ncols;
		m.nnz = r.nnz;
		m.indices = err_malloc((r.nnz + 1) * sizeof *m.indices);
		m.data = err_malloc((r.nnz + 1) * sizeof *m.data);
		for (size_t at = 0; at < r.nnz; at += chunk) {
			size_t c = r.nnz - at < chunk ? r.nnz - at : chunk;

			if (npz_read(&r, c, m.indices + at, m.data + at) != 0)
				err_die(EXIT_DATA, "%s: %s", path, r.err);
		}
		if (npz_read(&r, 0, NULL, NULL) != 0)
			err_die(EXIT_DATA, "%s: %s", path, r.err);
		printf("shape %zu %zu nnz %zu index %d data %d\n", r.nrows, r.ncols, r.nnz,
		       r.index_bytes, r.data_bytes);
		m.indptr = r.indptr;
		r.indptr = NULL;
		npz_close(&r);
	} else {
		if (npz_load(path, &m, err, sizeof err) != 0)
			err_die(EXIT_DATA, "%s: %s", path, err);
		printf("shape %zu %zu nnz %zu\n", m.nrows, m.ncols, m.nnz);
	}
	for (size_t i = 0; i < m.nrows; i++)
		for (int64_t e = m.indptr[i]; e < m.indptr[i + 1]; e++)
			printf("%zu %d %.17g\n", i, (int)m.indices[e], m.data[e]);
	npz_csr_free(&m);
	return 0;
}

static int do_dense(const char *path)
{
	struct npz_reader r;
	double *d;

	if (npz_open(&r, path) != 0)
		err_die(EXIT_DATA, "%s: %s", path, r.err);
	d = err_malloc((r.nrows * r.ncols + 1) * sizeof *d);
	if (npz_read_dense(&r, d) != 0)
		err_die(EXIT_DATA, "%s: %s", path, r.err);
	printf("shape %zu %zu\n", r.nrows, r.ncols);
	for (size_t i = 0; i < r.nrows; i++)
		for (size_t j = 0; j < r.ncols; j++)
			printf(j + 1 < r.ncols ? "%.17g " : "%.17g\n", d[i * r.ncols + j]);
	free(d);
	npz_close(&r);
	return 0;
}

/* Write the pattern, read it back whole and in chunks and densely. */
static void round_trip(size_t rows, size_t cols, int ib)
{
	const char *path = "self.npz";
	struct npz_csr m, back;
	struct npz_reader r;
	char err[256], what[96];
	int same;

	pattern(&m, rows, cols);
	npz_save(path, &m, ib);
	snprintf(what, sizeof what, "round trip %zu x %zu (index %d)", rows, cols, ib);
	if (npz_load(path, &back, err, sizeof err) != 0) {
		check(0, err);
		npz_csr_free(&m);
		return;
	}
	same = back.nrows == rows && back.ncols == cols && back.nnz == m.nnz &&
		!memcmp(back.indptr, m.indptr, (rows + 1) * sizeof *m.indptr) &&
		!memcmp(back.indices, m.indices, m.nnz * sizeof *m.indices) &&
		!memcmp(back.data, m.data, m.nnz * sizeof *m.data);
	check(same, what);
	npz_csr_free(&back);
	/* chunks of 3 give the same entries; the dense form has them in place */
	if (npz_open(&r, path) == 0) {
		int32_t c[3];
		double v[3], *d;
		size_t k = 0;

		check(r.index_bytes == (ib ? ib : 4), "index dtype as asked");
		while (r.done < r.nnz) {
			size_t n = r.nnz - r.done < 3 ? r.nnz - r.done : 3;

			if (npz_read(&r, n, c, v) != 0)
				break;
			for (size_t x = 0; x < n; x++, k++)
				same &= c[x] == m.indices[k] && v[x] == m.data[k];
		}
		check(same && k == m.nnz, "chunks of 3");
		npz_close(&r);
		npz_open(&r, path);
		d = err_malloc((rows * cols + 1) * sizeof *d);
		same = npz_read_dense(&r, d) == 0;
		for (size_t i = 0; i < rows && same; i++)
			for (int64_t e = m.indptr[i]; e < m.indptr[i + 1]; e++)
				same &= d[i * cols + (size_t)m.indices[e]] == m.data[e];
		k = 0;
		for (size_t x = 0; x < rows * cols; x++)
			k += d[x] != 0;
		/* entry (i, j) with i - j = -0.75: none in these patterns is 0 */
		check(same && k == m.nnz, "dense");
		free(d);
		npz_close(&r);
	} else {
		check(0, r.err);
	}
	npz_csr_free(&m);
	remove(path);
}

static int do_self(void)
{
	struct npz_reader r;

	check(npz_index_bytes(10, 10, 100) == 4, "int32 when everything fits");
	check(npz_index_bytes(10, 10, (size_t)INT32_MAX + 1) == 8, "int64 for a large nnz");
	check(npz_index_bytes((size_t)INT32_MAX + 1, 1, 0) == 8, "int64 for many rows");
	round_trip(5, 5, 0);
	round_trip(5, 5, 8);
	round_trip(1, 1, 0);
	round_trip(0, 0, 0);
	round_trip(3, 11, 0);
	round_trip(40, 17, 8);
	/* more entries than a chunk of the reader */
	round_trip(300, 300, 0);
	check(npz_open(&r, "no-such-file.npz") == -1 &&
	      strstr(r.err, "cannot open: No such file") != NULL, "missing file");
	npz_close(&r);
	printf("%d checks, %d failed\n", checks, failures);
	return failures ? EXIT_DATA : EXIT_OK;
}

int main(int argc, char **argv)
{
	err_init(argv);
	if (argc >= 5 && !strcmp(argv[1], "write")) {
		struct npz_csr m;

		pattern(&m, strtoul(argv[3], NULL, 10), strtoul(argv[4], NULL, 10));
		npz_save(argv[2], &m, argc > 5 && !strcmp(argv[5], "i8") ? 8 : 0);
		npz_csr_free(&m);
		return 0;
	}
	if (argc >= 3 && !strcmp(argv[1], "read"))
		return do_read(argv[2], argc > 3 ? strtoul(argv[3], NULL, 10) : 0);
	if (argc == 3 && !strcmp(argv[1], "dense"))
		return do_dense(argv[2]);
	if (argc == 2 && !strcmp(argv[1], "self"))
		return do_self();
	err_usage("test_npz write PATH R C [i8] | read PATH [K] | dense PATH | self");
}
