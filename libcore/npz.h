/*
 * npz: sparse matrices in SciPy's CSR .npz, read and written in C.
 *
 * The file is what scipy.sparse.save_npz writes for a CSR matrix and what
 * scipy.sparse.load_npz reads: a zip archive of five .npy arrays,
 *   indices.npy  (nnz,)     column of every stored entry, row by row
 *   indptr.npy   (nrows+1,) row i holds entries indptr[i] .. indptr[i+1]-1
 *   format.npy   ()         b'csr'
 *   shape.npy    (2,)       '<i8' (nrows, ncols)
 *   data.npy     (nnz,)     the values
 * The zip container is Debian's libzip.
 *
 * Write (npz_save): the members in SciPy's order, stored (not compressed:
 * a 10^9-entry matrix is written at disk speed), ZIP64 where a member or an
 * offset passes 4 GiB, a fixed date (1980-01-01, as numpy writes) so that
 * the same matrix gives the same bytes.  indices and indptr are '<i4' when
 * nrows, ncols and nnz all fit in int32 (SciPy's own rule), '<i8'
 * otherwise; data is '<f8'.  The arrays are streamed into the archive from
 * the caller's memory (no copy): memory stays O(nnz) for any size.  Output
 * goes through the atomic module (temporary name, renamed when complete).
 *
 * Read (npz_open, npz_read): what SciPy writes, compressed (deflate,
 * save_npz's default) or stored; indices and indptr '<i4' or '<i8'; data
 * '<f8' or '<f4'; format '|S3' (bytes) or '<U3' (str).  Other members
 * (SciPy's '_is_array' flag, say) are ignored.  npz_open reads the shape
 * and the whole indptr; the caller then takes the entries in chunks of any
 * size with npz_read, so that it can build its own structures from them
 * without ever holding two copies.  Every entry is checked as it is read.
 * Refused, with a message in r->err that names no file (callers print
 * "tool: PATH: r->err"): not a zip archive or truncated; a missing member;
 * format other than csr; a member that is not a .npy of the expected
 * dtype and rank; sizes that disagree (indptr of nrows+1 values ending at
 * nnz, indices and data of nnz); indptr not starting at 0 or decreasing;
 * a column index out of range; column indices not strictly increasing
 * within a row (unsorted or duplicate entries: SciPy's has_sorted_indices
 * and no duplicates; the message says to call sort_indices and
 * sum_duplicates); a value that is not finite; a CRC error.
 * A zip bomb cannot make it allocate or read beyond what the shape needs:
 * each member's declared size must match its header and shape exactly, no
 * allocation is sized by a declared zip size, and reading stops at the
 * shape's size (a member holding more than its shape says is an error).
 * The shape need not be square: callers check what they need.
 */
#ifndef FORCENET_NPZ_H
#define FORCENET_NPZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* A CSR matrix in memory.  Column indices fit int32 (ncols <= INT32_MAX). */
struct npz_csr {
	size_t nrows, ncols, nnz;
	int64_t *indptr;           /* nrows + 1 */
	int32_t *indices;          /* nnz, strictly increasing within a row */
	double *data;              /* nnz */
};

/* Bytes of SciPy's index dtype for such a matrix: 4 or 8. */
int npz_index_bytes(size_t nrows, size_t ncols, size_t nnz);

/*
 * Write m to PATH (not "-": a zip is rewritten in place as it is made, so
 * it needs a file).  m must be well formed (indptr from 0 to nnz, columns
 * below ncols).  index_bytes 0 follows SciPy's rule (npz_index_bytes), 8
 * writes '<i8' indices and indptr whatever the size.  Dies (exit 1) if the
 * file cannot be written, and with a usage error (exit 2) for "-".
 */
void npz_save(const char *path, const struct npz_csr *m, int index_bytes);

struct zip;
struct zip_file;

struct npz_reader {
	const char *name;          /* path as given, not owned */
	size_t nrows, ncols, nnz;
	int64_t *indptr;           /* nrows + 1 values (owned) */
	int index_bytes;           /* 4 or 8: indices' dtype in the file */
	int data_bytes;            /* 8 or 4: data's dtype in the file */
	int compressed;            /* indices or data are deflated */
	size_t done;               /* entries delivered so far */
	char err[256];
	/* private */
	struct zip *za;
	struct zip_file *fi, *fd;  /* the indices and data members, open */
	size_t row;                /* row of the next entry */
	int64_t last;              /* column of the entry before, in this row */
	int ended;                 /* the members' ends were checked */
	void *tmp;                 /* conversion buffer */
};

/*
 * Open PATH ("-" = stdin) or an open stream (whose bytes from its current
 * position are the archive; fp stays the caller's; a pipe is read whole
 * into memory), read format, shape and indptr and position at entry 0.
 * Returns 0, or -1 with r->err set.
 */
int npz_open(struct npz_reader *r, const char *path);
int npz_open_stream(struct npz_reader *r, FILE *fp, const char *name);

/*
 * The next n entries (n <= nnz - done): their columns into indices and
 * their values into data (as doubles).  After the last entry the members'
 * ends and CRCs are checked.  Returns 0, or -1 with r->err set.
 */
int npz_read(struct npz_reader *r, size_t n, int32_t *indices, double *data);

/*
 * Every remaining entry into dst, a dense nrows x ncols row-major matrix
 * that it first sets to zero.  Returns 0, or -1 with r->err set.
 */
int npz_read_dense(struct npz_reader *r, double *dst);

/* Close and free (safe after a failed open). */
void npz_close(struct npz_reader *r);

/*
 * Read a whole file into m (arrays malloc'd, free with npz_csr_free).
 * Returns 0, or -1 with err (size errlen) filled.
 */
int npz_load(const char *path, struct npz_csr *m, char *err, size_t errlen);

void npz_csr_free(struct npz_csr *m);

/*
 * A CSR matrix for reading in place (the analysis of large networks).  A
 * .npz file whose indices ('<i4') and data ('<f8') are stored, not
 * compressed (as npz_save and init-weights write them), is mapped from
 * its file (mmap): the arrays are not copied, so a 10^9-entry matrix costs
 * no memory beyond the page cache and its indptr.  Anything else (a
 * compressed file, '<i8' indices, '<f4' data, standard input) is read
 * into memory (nnz 4-byte columns and 8-byte values).  Either way every
 * entry is checked as npz_read checks it (columns in range and strictly
 * increasing within a row, values finite); a mapped member's CRC is not
 * computed (its every value is checked instead).
 * indices and data point at little-endian int32 and float64 values of any
 * alignment (a zip member starts anywhere): read them with memcpy, as
 * npz_view_col() and npz_view_val() do.
 */
struct npz_view {
	size_t nrows, ncols, nnz;
	const int64_t *indptr;        /* nrows + 1 */
	const unsigned char *indices; /* nnz int32 */
	const unsigned char *data;    /* nnz float64 */
	int mapped;                   /* 1: mapped from the file */
	/* private */
	int64_t *own_indptr;
	void *map;
	size_t maplen;
	int32_t *own_indices;
	double *own_data;
};

/* Column and value of entry k. */
static inline int32_t npz_view_col(const struct npz_view *v, size_t k)
{
	int32_t c;

	memcpy(&c, v->indices + 4 * k, 4);
	return c;
}

static inline double npz_view_val(const struct npz_view *v, size_t k)
{
	double x;

	memcpy(&x, v->data + 8 * k, 8);
	return x;
}

/*
 * Open PATH ("-" = stdin) as above.  Returns 0, or -1 with err (size
 * errlen) set to a message that names no file (as npz_open's).
 */
int npz_view_open(struct npz_view *v, const char *path, char *err, size_t errlen);

/*
 * The same from a reader just opened (npz_open_stream: a pipe, say), its
 * entries read into memory; the reader gives up its indptr and is left to
 * the caller to close.  On error, r is closed and err set.
 */
int npz_view_read(struct npz_view *v, struct npz_reader *r, char *err, size_t errlen);

/* Unmap or free (safe after a failed open). */
void npz_view_close(struct npz_view *v);

/*
 * A 1-D integer .npy ('<i8' or '<i4') read whole into *out (malloc'd,
 * caller frees), its length in *n: the plastic.npy of a sparse run record
 * (forcenet-run(5)).  Returns 0, or -1 with err set (no file named).
 */
int npz_load_index(const char *path, int64_t **out, size_t *n, char *err, size_t errlen);

#endif
