/*
 * arrayin: numeric input for the analysis tools, one matrix at a time.
 *
 * An input is a NumPy .npy array, 2-D (one matrix) or 3-D (a stack of
 * matrices, first index = matrix), '<f8' or '<f4', or a headerless numeric
 * CSV matrix (rows = records, as numpy.savetxt or the csv module write it).
 * The kind is detected from the first bytes (the .npy magic "\x93NUMPY"),
 * not from the file name, so both can come through stdin ("-").
 * A zip ("PK\3\4") is taken for SciPy's CSR .npz (npz.h): one matrix,
 * delivered dense, so at most ARRAYIN_NPZ_MAX rows and columns
 * ("N = X is too large to densify (at most 20000)" otherwise).
 *
 * A .npy stack is read matrix by matrix: only one matrix is ever held in
 * memory, whatever the number of matrices.  A regular '<f8' .npy file is
 * not copied at all: arrayin_view() maps each matrix of it into memory
 * (mmap), which for large matrices is several times faster than reading
 * into fresh memory.  A CSV input is read whole (it
 * is one matrix).  Every value delivered is finite: a NaN or an infinity is
 * an error naming the matrix, row and column.
 *
 * A struct arrayin must stay where arrayin_open() filled it until
 * arrayin_close() (a pipe's stream refers back to it): do not copy it.
 *
 * Errors fill a->err with a message that does not name the file: callers
 * print "tool: PATH: a->err".  All functions return 0 on success and -1 on
 * error, except arrayin_next() which returns 1 for a matrix, 0 at the end.
 */
#ifndef FORCENET_ARRAYIN_H
#define FORCENET_ARRAYIN_H

#include <stddef.h>
#include <stdio.h>

#include "npy.h"

enum arrayin_kind { ARRAYIN_NPY = 1, ARRAYIN_CSV = 2, ARRAYIN_NPZ = 3 };

#define ARRAYIN_NPZ_MAX 20000

struct npz_reader;

struct arrayin {
	const char *name;          /* path as given ("-" = stdin), not owned */
	enum arrayin_kind kind;
	const char *dtype;         /* "float64", "float32" or "csv" (a .npz: its data's) */
	int ndim;                  /* 2 or 3 (a CSV matrix is 2) */
	size_t count;              /* matrices: shape[0] of a stack, else 1 */
	size_t rows, cols;         /* shape of each matrix */
	size_t next;               /* index of the next matrix to deliver */
	char err[320];
	/* private */
	FILE *fp;                  /* the stream handed to the npy reader */
	int mappable;              /* regular '<f8' file: matrices are mapped */
	long long base;            /* file offset of the .npy magic */
	void *map;                 /* the current mapping, or NULL */
	size_t maplen;
	double *buf;               /* the matrix read by arrayin_view (owned) */
	FILE *raw;                 /* the underlying file (NULL for stdin) */
	char *iobuf;               /* fp's buffer when fp replays a pipe (owned) */
	int seekable;
	struct npy_reader npy;
	double *csv;               /* the CSV matrix, rows * cols (owned) */
	struct npz_reader *npz;    /* the .npz being read (owned) */
	unsigned char prefix[8];   /* bytes read to detect the kind */
	size_t nprefix, prefix_pos;
};

/*
 * Open PATH ("-" = stdin), detect its kind and read its shape.  Refuses: a
 * file that cannot be opened, an empty file, a .npy that npy.h refuses, a
 * .npy of 1 or more than 3 dimensions, a ragged or non-numeric CSV.
 * Matrices with a zero dimension are accepted here: the tools decide.
 */
int arrayin_open(struct arrayin *a, const char *path);

/*
 * Deliver the next matrix into dst (rows * cols doubles, row-major).
 * Returns 1, 0 when every matrix has been delivered, or -1 (truncated
 * file, read error, a value that is not finite: "matrix K, row R,
 * column C: value is not finite", counting from 0 as numpy does).
 */
int arrayin_next(struct arrayin *a, double *dst);

/*
 * Point *m at the next matrix (rows * cols doubles, row-major) without
 * copying when the input is a regular '<f8' .npy file (mapped), else read
 * into a buffer owned by a.  *m stays valid until the next call of any
 * arrayin function on a.  Returns 1, 0 at the end, or -1 (as arrayin_next).
 */
int arrayin_view(struct arrayin *a, const double **m);

/*
 * Skip the next matrix (seeks when the file allows it, else reads it into
 * scratch, rows * cols doubles).  Returns 1, 0 at the end, or -1.
 */
int arrayin_skip(struct arrayin *a, double *scratch);

/* Close (stdin stays open).  Safe after a failed open. */
void arrayin_close(struct arrayin *a);

/* "(16, 1000, 200)" for a stack, "(1000, 200)" otherwise, into buf. */
void arrayin_shape_str(const struct arrayin *a, char *buf, size_t n);

#endif
