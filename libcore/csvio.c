/* csvio: see csvio.h. */
#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvio.h"
#include "err.h"

/* The smallest step by which libcsv grows a field's buffer. */
#define CSV_BLOCK ((size_t)4096)

int csvio_parse_double(const char *s, double *v)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s)
		return -1;
	errno = 0;
	*v = strtod(s, &end);
	while (*end == ' ' || *end == '\t')
		end++;
	if (*end || end == s)
		return -1;
	if (!isfinite(*v))
		return -2;
	/* ERANGE on underflow gives a usable tiny value; overflow is inf above. */
	return 0;
}

/*
 * Parser state shared by the two readers: the records are collected as
 * strings (a table) and, for a matrix, converted as they arrive.
 */
struct state {
	/* current record */
	char **fields;
	size_t nf, capf;
	/* results */
	size_t cols;          /* fields per record, fixed by the first one */
	size_t records;       /* records seen (blank lines excluded) */
	int header;           /* CSVIO_HEADER_* (resolved after record 1) */
	int numeric;          /* matrix mode */
	double *data;
	size_t ndata, capdata;
	char **names;
	char **cells;
	size_t ncells, capcells;
	/* error */
	int failed;
	char *err;
	size_t errlen;
};

static void field_cb(void *s, size_t len, void *data)
{
	struct state *st = data;
	char *f;

	if (st->failed)
		return;
	/* A NUL byte would end the field's C string early and hide the rest. */
	if (s && memchr(s, '\0', len)) {
		snprintf(st->err, st->errlen, "row %zu, column %zu: NUL byte in the field",
			 st->records + 1, st->nf + 1);
		st->failed = 1;
		return;
	}
	if (st->nf == st->capf) {
		st->capf = st->capf ? 2 * st->capf : 64;
		st->fields = realloc(st->fields, st->capf * sizeof *st->fields);
		if (!st->fields)
			err_die(EXIT_DATA, "out of memory reading CSV");
	}
	f = err_malloc(len + 1);
	memcpy(f, s ? s : "", len);
	f[len] = '\0';
	st->fields[st->nf++] = f;
}

static void free_fields(struct state *st)
{
	for (size_t i = 0; i < st->nf; i++)
		free(st->fields[i]);
	st->nf = 0;
}

/* Whether some field reads as a number (finite or not). */
static int any_numeric(struct state *st)
{
	double v;

	for (size_t i = 0; i < st->nf; i++)
		if (csvio_parse_double(st->fields[i], &v) != -1)
			return 1;
	return 0;
}

static void record_cb(int c, void *data)
{
	struct state *st = data;
	size_t row;

	(void)c;
	if (st->failed) {
		free_fields(st);
		return;
	}
	/* A blank line reaches us as one empty field (or none): skip it. */
	if (st->nf == 0 || (st->nf == 1 && st->fields[0][0] == '\0')) {
		free_fields(st);
		return;
	}
	row = ++st->records;
	if (row == 1) {
		st->cols = st->nf;
		if (st->header == CSVIO_HEADER_AUTO)
			st->header = st->numeric && any_numeric(st) ?
				CSVIO_HEADER_NO : CSVIO_HEADER_YES;
		if (st->header == CSVIO_HEADER_YES) {
			st->names = st->fields;
			st->fields = NULL;
			st->capf = st->nf = 0;
			return;
		}
	} else if (st->nf != st->cols) {
		snprintf(st->err, st->errlen, "ragged: row %zu has %zu fields, expected %zu",
			 row, st->nf, st->cols);
		st->failed = 1;
		free_fields(st);
		return;
	}
	if (st->numeric) {
		if (st->ndata + st->nf > st->capdata) {
			st->capdata = st->capdata ? 2 * st->capdata : 4096;
			while (st->capdata < st->ndata + st->nf)
				st->capdata *= 2;
			st->data = realloc(st->data, st->capdata * sizeof *st->data);
			if (!st->data)
				err_die(EXIT_DATA, "out of memory reading CSV");
		}
		for (size_t i = 0; i < st->nf; i++) {
			int rc = csvio_parse_double(st->fields[i], &st->data[st->ndata + i]);

			if (rc) {
				snprintf(st->err, st->errlen, "row %zu, column %zu: '%.40s' is %s",
					 row, i + 1, st->fields[i],
					 rc == -1 ? "not a number" : "not finite");
				st->failed = 1;
				break;
			}
		}
		st->ndata += st->nf;
		free_fields(st);
	} else {
		if (st->ncells + st->nf > st->capcells) {
			st->capcells = st->capcells ? 2 * st->capcells : 1024;
			while (st->capcells < st->ncells + st->nf)
				st->capcells *= 2;
			st->cells = realloc(st->cells, st->capcells * sizeof *st->cells);
			if (!st->cells)
				err_die(EXIT_DATA, "out of memory reading CSV");
		}
		memcpy(st->cells + st->ncells, st->fields, st->nf * sizeof *st->fields);
		st->ncells += st->nf;
		st->nf = 0;
	}
}

static int run_parser(FILE *fp, struct state *st)
{
	struct csv_parser p;
	char buf[65536];
	size_t n, total = 0;

	if (csv_init(&p, CSV_APPEND_NULL) != 0) {
		snprintf(st->err, st->errlen, "cannot start the CSV parser");
		return -1;
	}
	while ((n = fread(buf, 1, sizeof buf, fp)) > 0 && !st->failed) {
		/* libcsv grows a field's buffer by a fixed block: as large as
		 * the buffer already is, so that a long field costs a few
		 * reallocations, not one per 128 bytes. */
		size_t have = csv_get_buffer_size(&p);

		csv_set_blk_size(&p, have > CSV_BLOCK ? have : CSV_BLOCK);
		total += n;
		if (csv_parse(&p, buf, n, field_cb, record_cb, st) != n) {
			snprintf(st->err, st->errlen, "malformed CSV: %s",
				 csv_strerror(csv_error(&p)));
			st->failed = 1;
		}
	}
	if (ferror(fp) && !st->failed) {
		snprintf(st->err, st->errlen, "read error: %s", strerror(errno));
		st->failed = 1;
	}
	if (!st->failed)
		csv_fini(&p, field_cb, record_cb, st);
	csv_free(&p);
	free_fields(st);
	free(st->fields);
	if (st->failed)
		return -1;
	if (st->records == 0) {
		snprintf(st->err, st->errlen, total ? "no data rows" : "empty file");
		return -1;
	}
	if (st->records == 1 && st->header == CSVIO_HEADER_YES) {
		snprintf(st->err, st->errlen, "no data rows");
		return -1;
	}
	return 0;
}

static void free_strv(char **v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

int csvio_read_matrix(FILE *fp, int header, struct csvio_matrix *m,
		      char *err, size_t errlen)
{
	struct state st;

	memset(&st, 0, sizeof st);
	memset(m, 0, sizeof *m);
	st.header = header;
	st.numeric = 1;
	st.err = err;
	st.errlen = errlen;
	if (run_parser(fp, &st) != 0) {
		free(st.data);
		free_strv(st.names, st.cols);
		return -1;
	}
	m->data = st.data;
	m->cols = st.cols;
	m->rows = st.ndata / st.cols;
	m->names = st.names;
	return 0;
}

void csvio_matrix_free(struct csvio_matrix *m)
{
	free(m->data);
	free_strv(m->names, m->cols);
	memset(m, 0, sizeof *m);
}

int csvio_read_table(FILE *fp, struct csvio_table *t, char *err, size_t errlen)
{
	struct state st;

	memset(&st, 0, sizeof st);
	memset(t, 0, sizeof *t);
	st.header = CSVIO_HEADER_YES;
	st.err = err;
	st.errlen = errlen;
	if (run_parser(fp, &st) != 0) {
		free_strv(st.cells, st.ncells);
		free_strv(st.names, st.cols);
		return -1;
	}
	t->cols = st.cols;
	t->rows = st.ncells / st.cols;
	t->names = st.names;
	t->cells = st.cells;
	return 0;
}

long csvio_table_col(const struct csvio_table *t, const char *name)
{
	for (size_t i = 0; i < t->cols; i++)
		if (!strcmp(t->names[i], name))
			return (long)i;
	return -1;
}

void csvio_table_free(struct csvio_table *t)
{
	free_strv(t->cells, t->rows * t->cols);
	free_strv(t->names, t->cols);
	memset(t, 0, sizeof *t);
}

void csvio_put_double(FILE *fp, double v)
{
	char buf[40];

	if (isnan(v)) {
		fputs("nan", fp);
		return;
	}
	if (isinf(v)) {
		fputs(v > 0 ? "inf" : "-inf", fp);
		return;
	}
	/* Shortest of 15, 16, 17 digits that reads back exactly. */
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, sizeof buf, "%.*g", prec, v);
		if (prec == 17 || strtod(buf, NULL) == v)
			break;
	}
	fputs(buf, fp);
}

void csvio_put_str(FILE *fp, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, fp);
		return;
	}
	fputc('"', fp);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', fp);
		fputc(*s, fp);
	}
	fputc('"', fp);
}
