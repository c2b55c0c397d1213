/*
 * csvio: CSV tables in and out (reading through libcsv).
 *
 * Reading a numeric matrix: every record must have the same number of
 * fields (else "ragged"), every cell must parse completely as a finite
 * number (else "row R, column C: 'TEXT' is not a number" / "... is not
 * finite").  Rows and columns in messages count from 1, as a spreadsheet
 * does, and count the header row when there is one.  The header row is
 * either forced (CSVIO_HEADER_YES / _NO) or detected (CSVIO_HEADER_AUTO:
 * the first record is a header when none of its cells is a number, as the
 * column names pandas writes; a first record that mixes numbers and text
 * is data, and refused at its first cell that is not a number).
 * Quoted fields, CRLF line ends and a missing final newline are accepted;
 * blank lines are skipped.  A NUL byte in a field is refused ("row R,
 * column C: NUL byte in the field"), in tables too.  Fields of any length
 * are read with a few reallocations (the buffer grows geometrically).
 *
 * Writing: csvio_put_double() prints the shortest decimal of at most 17
 * significant digits that reads back to the same double (round trip), with
 * '.' as the decimal point whatever the locale; csvio_put_str() quotes a
 * field when it holds a comma, quote or line break.
 */
#ifndef FORCENET_CSVIO_H
#define FORCENET_CSVIO_H

#include <stddef.h>
#include <stdio.h>

enum { CSVIO_HEADER_AUTO = -1, CSVIO_HEADER_NO = 0, CSVIO_HEADER_YES = 1 };

struct csvio_matrix {
	double *data;      /* rows * cols, row-major (owned) */
	size_t rows, cols;
	char **names;      /* cols header names (owned), or NULL without header */
};

/*
 * Read a numeric matrix from fp.  Returns 0, or -1 with err filled (no file
 * name in it: callers print "tool: PATH: err").  An empty input (no data
 * row) is an error: "empty file" / "no data rows".
 */
int csvio_read_matrix(FILE *fp, int header, struct csvio_matrix *m,
		      char *err, size_t errlen);

void csvio_matrix_free(struct csvio_matrix *m);

struct csvio_table {
	size_t rows, cols;
	char **names;      /* cols header names (owned) */
	char **cells;      /* rows * cols strings (owned) */
};

/* Read a table whose first record is a header; same rules for raggedness. */
int csvio_read_table(FILE *fp, struct csvio_table *t, char *err, size_t errlen);

/* Index of the column called name, or -1. */
long csvio_table_col(const struct csvio_table *t, const char *name);

void csvio_table_free(struct csvio_table *t);

/* Parse a whole string as a finite double: 0 ok, -1 not a number, -2 not finite. */
int csvio_parse_double(const char *s, double *v);

/* Print v with round-trip precision (no separator). */
void csvio_put_double(FILE *fp, double v);

/* Print s as one CSV field (quoted when needed, no separator). */
void csvio_put_str(FILE *fp, const char *s);

#endif
