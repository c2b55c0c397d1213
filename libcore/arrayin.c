/* arrayin: see arrayin.h. */
#define _GNU_SOURCE             /* fopencookie: replay the sniffed bytes of a pipe */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "arrayin.h"
#include "csvio.h"
#include "err.h"
#include "npz.h"

/* Buffer for reading a pipe. */
#define PIPE_BUFSIZE ((size_t)1 << 20)
#define MAGIC "\x93NUMPY"
#define MAGIC_LEN 6

static int fail(struct arrayin *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct arrayin *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->err, sizeof a->err, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * A pipe cannot be rewound after its first bytes were read to detect the
 * kind: this stream gives those bytes back, then the rest of the pipe.
 */
static ssize_t replay_read(void *cookie, char *buf, size_t size)
{
	struct arrayin *a = cookie;
	size_t n;

	if (a->prefix_pos < a->nprefix) {
		n = a->nprefix - a->prefix_pos;
		if (n > size)
			n = size;
		memcpy(buf, a->prefix + a->prefix_pos, n);
		a->prefix_pos += n;
		return (ssize_t)n;
	}
	n = fread(buf, 1, size, stdin);
	if (n == 0 && ferror(stdin))
		return -1;
	return (ssize_t)n;
}

static FILE *replay_open(struct arrayin *a)
{
	cookie_io_functions_t io = { .read = replay_read };
	FILE *fp;

	a->prefix_pos = 0;
	fp = fopencookie(a, "rb", io);
	if (fp) {
		/* glibc uses the size only with a buffer it is given */
		free(a->iobuf);
		a->iobuf = err_malloc(PIPE_BUFSIZE);
		setvbuf(fp, a->iobuf, _IOFBF, PIPE_BUFSIZE);
	}
	return fp;
}

void arrayin_shape_str(const struct arrayin *a, char *buf, size_t n)
{
	if (a->ndim == 3)
		snprintf(buf, n, "(%zu, %zu, %zu)", a->count, a->rows, a->cols);
	else
		snprintf(buf, n, "(%zu, %zu)", a->rows, a->cols);
}

static int open_npy(struct arrayin *a)
{
	struct npy_reader *r = &a->npy;

	if (npy_open_stream(r, a->fp, a->name) != 0)
		return fail(a, "%s", r->err);
	a->kind = ARRAYIN_NPY;
	a->dtype = r->dtype == NPY_F8 ? "float64" : "float32";
	a->ndim = r->ndim;
	if (r->ndim == 2) {
		a->count = 1;
		a->rows = r->shape[0];
		a->cols = r->shape[1];
	} else if (r->ndim == 3) {
		a->count = r->shape[0];
		a->rows = r->shape[1];
		a->cols = r->shape[2];
	} else {
		return fail(a, "expected a 2-D or 3-D array, got shape (%zu,)", r->shape[0]);
	}
	return 0;
}

static int open_csv(struct arrayin *a)
{
	struct csvio_matrix m;
	char err[256];

	if (csvio_read_matrix(a->fp, CSVIO_HEADER_NO, &m, err, sizeof err) != 0)
		return fail(a, "%s", err);
	a->kind = ARRAYIN_CSV;
	a->dtype = "csv";
	a->ndim = 2;
	a->count = 1;
	a->rows = m.rows;
	a->cols = m.cols;
	a->csv = m.data;
	m.data = NULL;
	csvio_matrix_free(&m);
	return 0;
}

/* SciPy's CSR .npz: one matrix, densified as it is delivered. */
static int open_npz(struct arrayin *a)
{
	a->npz = err_malloc(sizeof *a->npz);
	if (npz_open_stream(a->npz, a->fp, a->name) != 0)
		return fail(a, "%s", a->npz->err);
	a->kind = ARRAYIN_NPZ;
	a->dtype = a->npz->data_bytes == 8 ? "float64" : "float32";
	a->ndim = 2;
	a->count = 1;
	a->rows = a->npz->nrows;
	a->cols = a->npz->ncols;
	if (a->rows == a->cols && a->rows > ARRAYIN_NPZ_MAX)
		return fail(a, "N = %zu is too large to densify (at most %d)", a->rows,
			    ARRAYIN_NPZ_MAX);
	if (a->rows > ARRAYIN_NPZ_MAX || a->cols > ARRAYIN_NPZ_MAX)
		return fail(a, "shape (%zu, %zu) is too large to densify (at most %d)",
			    a->rows, a->cols, ARRAYIN_NPZ_MAX);
	return 0;
}

int arrayin_open(struct arrayin *a, const char *path)
{
	FILE *src;
	long start;
	struct stat st;

	memset(a, 0, sizeof *a);
	a->name = path;
	if (strcmp(path, "-") != 0) {
		src = fopen(path, "rb");
		if (!src)
			return fail(a, "cannot open: %s", strerror(errno));
		a->raw = src;
	} else {
		static char stdin_buf[PIPE_BUFSIZE];

		src = stdin;
		/* Large reads from a pipe: fewer system calls and wake-ups
		 * (glibc uses the size only with a buffer it is given). */
		setvbuf(stdin, stdin_buf, _IOFBF, sizeof stdin_buf);
	}
	if (fstat(fileno(src), &st) != 0)
		memset(&st, 0, sizeof st);
	if (S_ISDIR(st.st_mode))
		return fail(a, "is a directory");
#ifdef F_SETPIPE_SZ
	/* A larger pipe: the writer and this reader wake each other less
	 * often (best effort; the limit is /proc/sys/fs/pipe-max-size). */
	if (S_ISFIFO(st.st_mode))
		fcntl(fileno(src), F_SETPIPE_SZ, 1 << 20);
#endif
	start = ftell(src);
	a->nprefix = fread(a->prefix, 1, MAGIC_LEN, src);
	if (a->nprefix == 0) {
		if (ferror(src))
			return fail(a, "read error: %s", strerror(errno));
		return fail(a, "empty file");
	}
	if (start >= 0 && fseek(src, start, SEEK_SET) == 0) {
		a->fp = src;
		a->seekable = S_ISREG(st.st_mode);
	} else {
		a->fp = replay_open(a);
		if (!a->fp)
			return fail(a, "cannot read: %s", strerror(errno));
	}
	if (a->nprefix == MAGIC_LEN && memcmp(a->prefix, MAGIC, MAGIC_LEN) == 0) {
		if (open_npy(a) != 0)
			return -1;
		a->base = start;
		/* Mapped only when the whole shape is in the file (no SIGBUS)
		 * and the doubles are aligned. */
		a->mappable = a->seekable && a->npy.dtype == NPY_F8 && start >= 0 &&
			(start + (long long)a->npy.data_offset) % 8 == 0 &&
			(unsigned long long)(start + (long long)a->npy.data_offset) +
			a->npy.count * 8ULL <= (unsigned long long)st.st_size;
		return 0;
	}
	if (a->nprefix >= 4 && memcmp(a->prefix, "PK\x03\x04", 4) == 0)
		return open_npz(a);
	return open_csv(a);
}

/* The first non-finite value of a matrix, as a numpy index. */
static int check_finite(struct arrayin *a, const double *v)
{
	size_t n = a->rows * a->cols;
	size_t bad = n;

	/* A vectorisable pass first (exponent bits all set = inf or nan):
	 * the common case is all finite. */
	{
		const uint64_t exp = 0x7ff0000000000000u;
		uint64_t any = 0;

		for (size_t i = 0; i < n; i++) {
			uint64_t b;

			memcpy(&b, &v[i], sizeof b);
			any |= (b & exp) == exp;
		}
		if (!any)
			return 0;
	}
	for (size_t i = 0; i < n; i++)
		if (!isfinite(v[i])) {
			bad = i;
			break;
		}
	if (bad == n)
		return 0;
	if (a->ndim == 3)
		return fail(a, "value at [%zu, %zu, %zu] is not finite (%g)", a->next,
			    bad / a->cols, bad % a->cols, v[bad]);
	return fail(a, "value at [%zu, %zu] is not finite (%g)", bad / a->cols,
		    bad % a->cols, v[bad]);
}

int arrayin_next(struct arrayin *a, double *dst)
{
	size_t n = a->rows * a->cols;

	if (a->next >= a->count)
		return 0;
	if (a->kind == ARRAYIN_NPZ) {
		if (npz_read_dense(a->npz, dst) != 0)
			return fail(a, "%s", a->npz->err);
		a->next++;
		return 1;
	}
	if (a->mappable && n) {
		const double *m;
		int rc = arrayin_view(a, &m);

		if (rc == 1)
			memcpy(dst, m, n * sizeof *dst);
		return rc;
	}
	if (a->kind == ARRAYIN_CSV) {
		memcpy(dst, a->csv, n * sizeof *dst);
	} else {
		if (npy_read(&a->npy, dst, n) != 0)
			return fail(a, "%s", a->npy.err);
		if (check_finite(a, dst) != 0)
			return -1;
	}
	a->next++;
	return 1;
}

static void unmap(struct arrayin *a)
{
	if (a->map)
		munmap(a->map, a->maplen);
	a->map = NULL;
}

/* Fresh memory for a large matrix: huge pages where the kernel allows,
 * so that first touching it costs a fault per 2 MiB, not per 4 KiB. */
static double *alloc_matrix(size_t n)
{
	size_t bytes = (n ? n : 1) * sizeof(double);
	size_t huge = (size_t)2 << 20;
	double *p;

	if (bytes < 2 * huge)
		return malloc(bytes);
	bytes = (bytes + huge - 1) / huge * huge;
	p = aligned_alloc(huge, bytes);
#ifdef MADV_HUGEPAGE
	if (p)
		madvise(p, bytes, MADV_HUGEPAGE);
#endif
	return p;
}

int arrayin_view(struct arrayin *a, const double **m)
{
	size_t n = a->rows * a->cols;

	if (a->next >= a->count)
		return 0;
	unmap(a);
	if (a->mappable && n) {
		long long off = a->base + (long long)a->npy.data_offset +
			(long long)(a->next * n * 8);
		long long pg = sysconf(_SC_PAGESIZE);
		long long al = off - off % pg;
		size_t len = n * 8 + (size_t)(off - al);
		void *p = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE,
			       fileno(a->fp), (off_t)al);

		if (p != MAP_FAILED) {
			a->map = p;
			a->maplen = len;
			*m = (const double *)(const void *)((const char *)p + (off - al));
			if (check_finite(a, *m) != 0)
				return -1;
			a->next++;
			a->npy.done += n;
			return 1;
		}
		/* No mapping (e.g. a file system without mmap): read instead. */
		a->mappable = 0;
		if (fseeko(a->fp, (off_t)off, SEEK_SET) != 0)
			return fail(a, "cannot seek: %s", strerror(errno));
	}
	if (!a->buf) {
		a->buf = alloc_matrix(n);
		if (!a->buf)
			return fail(a, "out of memory (%zu x %zu matrix)", a->rows, a->cols);
	}
	*m = a->buf;
	return arrayin_next(a, a->buf);
}

int arrayin_skip(struct arrayin *a, double *scratch)
{
	size_t n = a->rows * a->cols;

	if (a->next >= a->count)
		return 0;
	if (a->kind == ARRAYIN_NPY && a->mappable) {
		/* Mapped matrices are found by index, not by the stream. */
		a->npy.done += n;
	} else if (a->kind == ARRAYIN_NPY && a->seekable) {
		/* open_npy checked that a regular file holds the whole shape. */
		if (fseeko(a->fp, (off_t)(n * a->npy.dtype), SEEK_CUR) != 0)
			return fail(a, "cannot seek: %s", strerror(errno));
		a->npy.done += n;
	} else if (a->kind == ARRAYIN_NPY) {
		if (npy_read(&a->npy, scratch, n) != 0)
			return fail(a, "%s", a->npy.err);
	}
	a->next++;
	return 1;
}

void arrayin_close(struct arrayin *a)
{
	unmap(a);
	free(a->buf);
	a->buf = NULL;
	if (a->fp && a->fp != a->raw && a->fp != stdin)
		fclose(a->fp);
	free(a->iobuf);
	a->iobuf = NULL;
	if (a->raw)
		fclose(a->raw);
	a->fp = a->raw = NULL;
	free(a->csv);
	a->csv = NULL;
	if (a->npz)
		npz_close(a->npz);
	free(a->npz);
	a->npz = NULL;
}
