/*
 * arrayin: numeric input for the tools, one matrix at a time.
 *
 * An input is a NumPy .npy array, 2-D (one matrix) or 3-D (a stack of
 * matrices, first index = matrix), '<f8' or '<f4', C or Fortran order, or
 * a numeric CSV matrix (rows = records, as numpy.savetxt, the csv module or
 * pandas write it; a first record without any number is a header and is
 * skipped, see csvio.h).  The kind is detected from the first bytes (the
 * .npy magic "\x93NUMPY"), not from the file name, so both can come through
 * stdin ("-") or a pipe (a FIFO, "<(...)", /dev/stdin).  A zip ("PK\3\4")
 * is taken for SciPy's CSR .npz (npz.h): one matrix, delivered dense, so at
 * most ARRAYIN_NPZ_MAX rows and columns ("N = X is too large to densify (at
 * most 20000)" otherwise); npz.h says what it refuses.  Inputs that are
 * recognisably something else are refused as such: "not a .npy/.npz/CSV
 * file (HDF5)", likewise gzip, bzip2, xz, zstd, PNG, MATLAB, or binary
 * data (a control byte in the first field).
 *
 * A .npy stack is read matrix by matrix: only one matrix is ever held in
 * memory, whatever the number of matrices (a Fortran-order array, whose
 * matrices are not contiguous, is read whole).  A regular '<f8' .npy file
 * is not copied at all: arrayin_view() maps each matrix of it into memory
 * (mmap), which for large matrices is several times faster than reading
 * into fresh memory.  A CSV input is read whole (it is one matrix).  Every
 * value delivered is finite: a NaN or an infinity is an error naming the
 * matrix, row and column.
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
#include "sha256.h"

enum arrayin_kind { ARRAYIN_NPY = 1, ARRAYIN_CSV = 2, ARRAYIN_NPZ = 3 };

#define ARRAYIN_NPZ_MAX 20000

struct npz_reader;

/* Flags of arrayin_open_flags(). */
enum {
	/* Accept a 1-D .npy (N,) too: ndim 1, one matrix of 1 row, N columns. */
	ARRAYIN_VECTOR = 1,
	/* Hash every byte read, for arrayin_sha256() (no mapping then). */
	ARRAYIN_HASH = 2
};

/* How many bytes are read to detect the kind. */
#define ARRAYIN_SNIFF 8

struct arrayin {
	const char *name;          /* path as given ("-" = stdin), not owned */
	enum arrayin_kind kind;
	const char *dtype;         /* "float64", "float32" or "csv" (a .npz: its data's) */
	int ndim;                  /* 1 (with ARRAYIN_VECTOR), 2 or 3; CSV: 2 */
	size_t count;              /* matrices: shape[0] of a stack, else 1 */
	size_t rows, cols;         /* shape of each matrix */
	size_t next;               /* index of the next matrix to deliver */
	char err[320];
	/* private */
	int flags;
	FILE *src;                 /* what was opened: the file, or stdin */
	FILE *raw;                 /* the file opened here (NULL for stdin) */
	FILE *fp;                  /* the stream the readers read: src, or a
				    * replay of src (pipes, hashing) */
	int regular;               /* src is a regular file */
	long long base;            /* file offset of the first byte, or -1 */
	long long size;            /* src's size when regular */
	int mappable;              /* regular '<f8' file: matrices are mapped */
	void *map;                 /* the current mapping, or NULL */
	size_t maplen;
	double *buf;               /* the matrix read by arrayin_view (owned) */
	size_t bufcap;             /* doubles buf holds */
	char *iobuf;               /* fp's buffer when fp replays src (owned) */
	struct sha256 hash;        /* of every byte taken from src */
	struct npy_reader npy;
	double *csv;               /* the CSV matrix, rows * cols (owned) */
	struct npz_reader *npz;    /* the .npz being read (owned) */
	unsigned char prefix[ARRAYIN_SNIFF]; /* bytes read to detect the kind */
	size_t nprefix, prefix_pos;
};

/*
 * Open PATH ("-" = stdin), detect its kind and read its shape.  Refuses: a
 * file that cannot be opened, a directory, an empty input ("empty file"),
 * one that ends inside a .npy header ("truncated header"), a file of
 * another format (above), a .npy that npy.h refuses, a .npy of 1 (unless
 * flags has ARRAYIN_VECTOR) or more than 3 dimensions, a ragged or
 * non-numeric CSV.  Matrices with a zero dimension are accepted here: the
 * tools decide.  arrayin_open() is arrayin_open_flags() with flags 0.
 */
int arrayin_open(struct arrayin *a, const char *path);
int arrayin_open_flags(struct arrayin *a, const char *path, int flags);

/*
 * Deliver the next matrix into dst (rows * cols doubles, row-major).
 * Returns 1, 0 when every matrix has been delivered, or -1 (truncated
 * file, read error, a value that is not finite: "value at [K, R, C] is
 * not finite (V)", or [R, C] for one matrix, counting from 0 as numpy
 * does).
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
 * Skip the next matrix (seeks when the file allows it, else reads through
 * it; scratch is not used and may be NULL).  Returns 1, 0 at the end, or -1.
 */
int arrayin_skip(struct arrayin *a, double *scratch);

/*
 * With ARRAYIN_HASH: read whatever is left of the input (bytes after the
 * array's data) and write the SHA-256 of every byte of it, as 64 hex
 * digits, into hex: the digest of the file, or of what came through a
 * pipe.  Returns 0, or -1 on a read error.
 */
int arrayin_sha256(struct arrayin *a, char hex[65]);

/*
 * Whether PATH is a regular file (not "-", a pipe or a device, whose first
 * bytes reading would take) that starts with the len bytes of magic: a
 * file that a tool may open twice, seek in or map.
 */
int arrayin_regular_starts(const char *path, const void *magic, size_t len);

/* Close (stdin stays open).  Safe after a failed open. */
void arrayin_close(struct arrayin *a);

/* "(16, 1000, 200)" for a stack, "(1000, 200)" otherwise, into buf. */
void arrayin_shape_str(const struct arrayin *a, char *buf, size_t n);

#endif
