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

/* Bytes taken from the input: hashed when asked. */
static size_t take(struct arrayin *a, void *buf, size_t n)
{
	size_t got = fread(buf, 1, n, a->src);

	if (a->flags & ARRAYIN_HASH)
		sha256_update(&a->hash, buf, got);
	return got;
}

/*
 * A pipe cannot be rewound after its first bytes were read to detect the
 * kind: this stream gives those bytes back, then the rest of what was
 * opened.  It also carries every byte past the hash.
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
	n = take(a, buf, size);
	if (n == 0 && ferror(a->src))
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
		/* A file needs no more than its size. */
		size_t n = a->regular && a->size >= 0 && (unsigned long long)a->size < PIPE_BUFSIZE ?
			(size_t)a->size + 1 : PIPE_BUFSIZE;

		/* glibc uses the size only with a buffer it is given */
		free(a->iobuf);
		a->iobuf = err_malloc(n);
		setvbuf(fp, a->iobuf, _IOFBF, n);
	}
	return fp;
}

int arrayin_regular_starts(const char *path, const void *magic, size_t len)
{
	unsigned char head[16];
	struct stat st;
	FILE *fp;
	int yes;

	if (len > sizeof head || !strcmp(path, "-") || stat(path, &st) != 0 ||
	    !S_ISREG(st.st_mode) || !(fp = fopen(path, "rb")))
		return 0;
	yes = fread(head, 1, len, fp) == len && !memcmp(head, magic, len);
	fclose(fp);
	return yes;
}

void arrayin_shape_str(const struct arrayin *a, char *buf, size_t n)
{
	if (a->ndim == 3)
		snprintf(buf, n, "(%zu, %zu, %zu)", a->count, a->rows, a->cols);
	else if (a->ndim == 1)
		snprintf(buf, n, "(%zu,)", a->cols);
	else
		snprintf(buf, n, "(%zu, %zu)", a->rows, a->cols);
}

static int open_npy(struct arrayin *a)
{
	struct npy_reader *r = &a->npy;

	if (npy_open_stream(r, a->fp, a->name) != 0)
		return fail(a, "%s", r->err);
	/* A replayed regular file: the reader could not check its size. */
	if (a->regular && a->fp != a->src && a->base >= 0 &&
	    npy_check_size(r, (uint64_t)(a->size - a->base)) != 0)
		return fail(a, "%s", r->err);
	a->kind = ARRAYIN_NPY;
	a->dtype = r->dtype == NPY_F8 ? "float64" : "float32";
	a->ndim = r->ndim;
	if (r->ndim == 1 && (a->flags & ARRAYIN_VECTOR)) {
		a->count = a->rows = 1;
		a->cols = r->shape[0];
	} else if (r->ndim == 2) {
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

	if (csvio_read_matrix(a->fp, CSVIO_HEADER_AUTO, &m, err, sizeof err) != 0)
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

/* SciPy's CSR .npz (a zip, npz.h): one matrix, densified as it is
 * delivered. */
static int open_zip(struct arrayin *a)
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

/* Formats recognised by their first bytes, to refuse them by name. */
static const struct {
	const char *magic;
	size_t len;
	const char *what;
} other_formats[] = {
	{ "\x89HDF\r\n\x1a\n", 8, "HDF5" },
	{ "\x1f\x8b", 2, "gzip" },
	{ "BZh", 3, "bzip2" },
	{ "\xfd" "7zXZ", 5, "xz" },
	{ "\x28\xb5\x2f\xfd", 4, "zstd" },
	{ "\x89PNG", 4, "PNG" },
	{ "MATLAB", 6, "MATLAB" },
};

/* Refuse what is recognisably not CSV by the first bytes.  Control bytes
 * in the first field mean binary data; further on they are left to the
 * CSV reader, which names their row and column. */
static int sniff_other(struct arrayin *a)
{
	const unsigned char *p = a->prefix;

	for (size_t i = 0; i < sizeof other_formats / sizeof *other_formats; i++)
		if (a->nprefix >= other_formats[i].len &&
		    !memcmp(p, other_formats[i].magic, other_formats[i].len))
			return fail(a, "not a .npy/.npz/CSV file (%s)", other_formats[i].what);
	/* A .npy header cut short: not CSV either. */
	if (a->nprefix < MAGIC_LEN && !memcmp(p, MAGIC, a->nprefix))
		return fail(a, "truncated header");
	for (size_t i = 0; i < a->nprefix && !memchr(",\n\r", p[i], 3); i++)
		if ((p[i] < 0x20 && p[i] != '\t') || p[i] == 0x7f)
			return fail(a, "not a .npy/.npz/CSV file (binary data)");
	return 0;
}

static int is_zip(const struct arrayin *a)
{
	return a->nprefix >= 4 && (!memcmp(a->prefix, "PK\x03\x04", 4) ||
				   !memcmp(a->prefix, "PK\x05\x06", 4));
}

/* Whether a regular '<f8' .npy lies whole in the file with aligned
 * doubles: its matrices can then be mapped (no SIGBUS, no copy). */
static int can_map(const struct arrayin *a)
{
	const struct npy_reader *r = &a->npy;
	uint64_t off = (uint64_t)a->base + r->data_offset;

	return a->regular && a->fp == a->src && a->base >= 0 && r->dtype == NPY_F8 &&
		!r->fortran && off % 8 == 0 && (uint64_t)a->size >= off &&
		((uint64_t)a->size - off) / 8 >= r->count;
}

int arrayin_open(struct arrayin *a, const char *path)
{
	return arrayin_open_flags(a, path, 0);
}

int arrayin_open_flags(struct arrayin *a, const char *path, int flags)
{
	struct stat st;

	memset(a, 0, sizeof *a);
	a->name = path;
	a->flags = flags;
	a->base = -1;
	if (flags & ARRAYIN_HASH)
		sha256_init(&a->hash);
	if (strcmp(path, "-") != 0) {
		a->raw = fopen(path, "rb");
		if (!a->raw)
			return fail(a, "cannot open: %s", strerror(errno));
		a->src = a->raw;
	} else {
		static char stdin_buf[PIPE_BUFSIZE];

		a->src = stdin;
		/* Large reads from a pipe: fewer system calls and wake-ups
		 * (glibc uses the size only with a buffer it is given). */
		setvbuf(stdin, stdin_buf, _IOFBF, sizeof stdin_buf);
	}
	if (fstat(fileno(a->src), &st) != 0)
		memset(&st, 0, sizeof st);
	if (S_ISDIR(st.st_mode))
		return fail(a, "is a directory");
	a->regular = S_ISREG(st.st_mode);
	a->size = (long long)st.st_size;
#ifdef F_SETPIPE_SZ
	/* A larger pipe: the writer and this reader wake each other less
	 * often (best effort; the limit is /proc/sys/fs/pipe-max-size). */
	if (S_ISFIFO(st.st_mode))
		fcntl(fileno(a->src), F_SETPIPE_SZ, 1 << 20);
#endif
	a->base = ftello(a->src);
	a->nprefix = take(a, a->prefix, sizeof a->prefix);
	if (a->nprefix == 0) {
		if (ferror(a->src))
			return fail(a, "read error: %s", strerror(errno));
		return fail(a, "empty file");
	}
	/* Rewind a regular file; replay the bytes of anything else, and of
	 * everything that is hashed (the hash sees each byte once). */
	if (!(flags & ARRAYIN_HASH) && a->regular && a->base >= 0 &&
	    fseeko(a->src, a->base, SEEK_SET) == 0) {
		a->fp = a->src;
	} else {
		a->fp = replay_open(a);
		if (!a->fp)
			return fail(a, "cannot read: %s", strerror(errno));
	}
	if (a->nprefix >= MAGIC_LEN && memcmp(a->prefix, MAGIC, MAGIC_LEN) == 0) {
		if (open_npy(a) != 0)
			return -1;
		a->mappable = can_map(a);
		return 0;
	}
	if (is_zip(a))
		return open_zip(a);
	if (sniff_other(a) != 0)
		return -1;
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
	if (a->ndim == 1)
		return fail(a, "value at [%zu] is not finite (%g)", bad, v[bad]);
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
	return err_try_malloc_huge((n ? n : 1) * sizeof(double));
}

/*
 * Read the next matrix of a .npy stream into a->buf, grown as the data
 * come: the size of a stream is not known, its header can claim any shape,
 * and a short stream must be "truncated", not an allocation of its claim.
 */
static int read_grow(struct arrayin *a, size_t n)
{
	size_t got = 0;

	while (got < n) {
		size_t want;

		if (got == a->bufcap) {
			size_t cap = a->bufcap ? 2 * a->bufcap : (size_t)1 << 16;
			double *p;

			if (cap > n)
				cap = n;
			p = realloc(a->buf, cap * sizeof *p);
			if (!p)
				return fail(a, "out of memory (%zu x %zu matrix)", a->rows, a->cols);
			a->buf = p;
			a->bufcap = cap;
		}
		want = (a->bufcap < n ? a->bufcap : n) - got;
		if (npy_read(&a->npy, a->buf + got, want) != 0)
			return fail(a, "%s", a->npy.err);
		got += want;
	}
	return 0;
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
	if (a->kind == ARRAYIN_NPY && !a->regular) {
		if (read_grow(a, n) != 0 || check_finite(a, a->buf) != 0)
			return -1;
		a->next++;
		*m = a->buf;
		return 1;
	}
	if (!a->buf) {
		a->buf = alloc_matrix(n);
		if (!a->buf)
			return fail(a, "out of memory (%zu x %zu matrix)", a->rows, a->cols);
		a->bufcap = n;
	}
	*m = a->buf;
	return arrayin_next(a, a->buf);
}

int arrayin_skip(struct arrayin *a, double *scratch)
{
	size_t n = a->rows * a->cols;

	(void)scratch;
	if (a->next >= a->count)
		return 0;
	if (a->kind == ARRAYIN_NPY && a->mappable) {
		/* Mapped matrices are found by index, not by the stream. */
		a->npy.done += n;
	} else if (a->kind == ARRAYIN_NPY) {
		if (npy_skip(&a->npy, n) != 0)
			return fail(a, "%s", a->npy.err);
	}
	a->next++;
	return 1;
}

int arrayin_sha256(struct arrayin *a, char hex[65])
{
	char buf[65536];

	/* Through fp: the bytes fp holds were hashed when it took them. */
	while (fread(buf, 1, sizeof buf, a->fp) > 0)
		;
	if (ferror(a->fp) || ferror(a->src))
		return fail(a, "read error: %s", strerror(errno));
	sha256_final_hex(&a->hash, hex);
	return 0;
}

void arrayin_close(struct arrayin *a)
{
	sha256_free(&a->hash);
	unmap(a);
	free(a->buf);
	a->buf = NULL;
	npy_release(&a->npy);
	if (a->fp && a->fp != a->src)
		fclose(a->fp);
	free(a->iobuf);
	a->iobuf = NULL;
	if (a->raw)
		fclose(a->raw);
	a->fp = a->raw = a->src = NULL;
	free(a->csv);
	a->csv = NULL;
	if (a->npz)
		npz_close(a->npz);
	free(a->npz);
	a->npz = NULL;
}
