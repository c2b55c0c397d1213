/*
 * npy: NumPy .npy arrays, read and written in C.
 *
 * Read: format versions 1.0, 2.0 (and 3.0, identical but for a UTF-8
 * header), dtypes '<f8' and '<f4' (also '|f8'-style spelling is refused:
 * only little-endian float64/float32), C order, 1 to 3 dimensions, header
 * starting data at any offset (numpy pads to 64, old files to 16).  The data
 * are always delivered as double.  Readers refuse, with a message in
 * r->err: wrong magic, unsupported version, big-endian or other dtype,
 * Fortran order, 0-D or more than 3 dimensions, a header longer than numpy
 * allows (10,000 bytes for v1 reads, as numpy's default max_header_size), a
 * malformed dictionary, and a file shorter than its shape says (truncated).
 *
 * Write: version 1.0 (2.0 only if the header would not fit 65535 bytes),
 * '<f8' or '<f4', C order, header padded with spaces so the data start on a
 * 64-byte boundary, no keys beyond descr/fortran_order/shape.  Output goes
 * through the atomic module (temporary name, renamed at close).
 * Streaming: open with shape[0] = NPY_GROW when the first dimension is not
 * known; the header reserves room for any length and npy_writer_close()
 * rewrites it with the number of rows written (needs a seekable file, so
 * not "-").
 */
#ifndef FORCENET_NPY_H
#define FORCENET_NPY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "atomic.h"

#define NPY_MAXDIM 3
#define NPY_GROW ((size_t)-1)

/* The value of a float dtype is its size in bytes; NPY_I8 ('<i8') is
 * written only, through npy_write_i64(). */
enum npy_dtype { NPY_F8 = 8, NPY_F4 = 4, NPY_I8 = 0x108 };

struct npy_reader {
	FILE *fp;
	const char *name;          /* path as given, for messages */
	int ndim;
	size_t shape[NPY_MAXDIM];
	enum npy_dtype dtype;
	size_t count;              /* product of the shape */
	size_t done;               /* elements delivered so far */
	int version;               /* 1, 2 or 3 */
	size_t data_offset;        /* bytes before the data */
	char err[256];             /* what went wrong, when a call returns -1 */
};

/*
 * Open PATH ("-" = stdin) and parse the header.  Returns 0, or -1 with
 * r->err set ("cannot open: ...", "not a .npy file (bad magic)", ...); the
 * message names no file: callers print "tool: PATH: r->err".
 */
int npy_open(struct npy_reader *r, const char *path);

/*
 * Same, from an already open stream whose first bytes are the magic
 * (the caller keeps ownership of fp only if npy_open_stream fails).
 */
int npy_open_stream(struct npy_reader *r, FILE *fp, const char *name);

/*
 * Read the next n elements (C order) into dst as doubles.  Returns 0, or
 * -1 with r->err ("truncated: expected N values, file holds M") if the file
 * ends early or n exceeds what is left.
 */
int npy_read(struct npy_reader *r, double *dst, size_t n);

/* Close (stdin is left open).  Safe after a failed open. */
void npy_close(struct npy_reader *r);

/*
 * Read a whole file: returns a malloc'd array of doubles (caller frees) with
 * *ndim and shape filled, or NULL with err (size errlen) filled.
 */
double *npy_load(const char *path, int *ndim, size_t shape[NPY_MAXDIM],
		 char *err, size_t errlen);

struct npy_writer {
	struct atomic_file out;
	enum npy_dtype dtype;
	int ndim;
	size_t shape[NPY_MAXDIM];
	size_t row;                /* elements per first-dimension index */
	size_t written;            /* elements written so far */
	size_t header_len;         /* total header bytes, data offset */
	int grow;                  /* first dimension given as NPY_GROW */
	void *buf;                 /* conversion buffer for '<f4' */
	size_t bufcap;
};

/*
 * Open PATH ("-" = stdout) for an array of the given dtype and shape
 * (1 <= ndim <= 3; shape[0] may be NPY_GROW, not with "-").  Dies (exit 1)
 * if the file cannot be created.
 */
void npy_writer_open(struct npy_writer *w, const char *path, enum npy_dtype dtype,
		     int ndim, const size_t *shape);

/*
 * npy_writer_open() without the atomic module: PATH is created, or
 * truncated, and written in place (a file inside a directory that is
 * itself made atomically).  npy_writer_reopen() opens such a file again
 * to go on after its first `written` values, cutting off what follows (a
 * run resumed from a checkpoint), with its header rewritten for shape (a
 * run extended by more loops: refused if the header would grow).  Both die
 * (exit 1) on error.
 */
void npy_writer_open_plain(struct npy_writer *w, const char *path, enum npy_dtype dtype,
			   int ndim, const size_t *shape);
void npy_writer_reopen(struct npy_writer *w, const char *path, enum npy_dtype dtype,
		       int ndim, const size_t *shape, size_t written);

/* The byte offset just after the first `written` values of w's file. */
unsigned long long npy_writer_offset(const struct npy_writer *w, size_t written);

/* Append n doubles (converted to the file's dtype).  Dies on write error. */
void npy_write(struct npy_writer *w, const double *src, size_t n);

/* Append n integers to an NPY_I8 array.  Dies on write error. */
void npy_write_i64(struct npy_writer *w, const int64_t *src, size_t n);

/*
 * Finish: with NPY_GROW the element count must be a whole number of rows
 * and the header is rewritten with it; otherwise it must equal the shape's
 * product (a programming error otherwise: dies).  Then commits atomically.
 */
void npy_writer_close(struct npy_writer *w);

/* Drop a partly written array (removes the temporary). */
void npy_writer_abort(struct npy_writer *w);

/* Convenience: write a whole array of doubles in one call. */
void npy_save(const char *path, enum npy_dtype dtype, int ndim,
	      const size_t *shape, const double *data);

#endif
