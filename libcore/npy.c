/* npy: see npy.h.  The host is little-endian (x86-64, aarch64): the data
 * bytes are the in-memory bytes. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "npy.h"

#define MAGIC "\x93NUMPY"
#define MAGIC_LEN 6
/* numpy refuses longer headers unless told otherwise (max_header_size). */
#define MAX_HEADER 10000
#define ALIGN 64

static int fail(struct npy_reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct npy_reader *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->err, sizeof r->err, fmt, ap);
	va_end(ap);
	return -1;
}

/* --- a small parser for the header's Python dict literal --- */

struct cursor {
	const char *p, *end;
};

static void skip_ws(struct cursor *c)
{
	while (c->p < c->end && isspace((unsigned char)*c->p))
		c->p++;
}

static int accept(struct cursor *c, char ch)
{
	skip_ws(c);
	if (c->p < c->end && *c->p == ch) {
		c->p++;
		return 1;
	}
	return 0;
}

/* A quoted string into buf; returns 0 or -1. */
static int parse_str(struct cursor *c, char *buf, size_t n)
{
	char q;
	size_t i = 0;

	skip_ws(c);
	if (c->p >= c->end || (*c->p != '\'' && *c->p != '"'))
		return -1;
	q = *c->p++;
	while (c->p < c->end && *c->p != q) {
		if (i + 1 >= n)
			return -1;
		buf[i++] = *c->p++;
	}
	if (c->p >= c->end)
		return -1;
	c->p++;
	buf[i] = '\0';
	return 0;
}

static int parse_shape(struct cursor *c, struct npy_reader *r)
{
	r->ndim = 0;
	if (!accept(c, '('))
		return fail(r, "bad header: shape is not a tuple");
	for (;;) {
		char *endp;
		unsigned long long v;

		if (accept(c, ')'))
			break;
		skip_ws(c);
		if (c->p >= c->end || !isdigit((unsigned char)*c->p))
			return fail(r, "bad header: shape is not a tuple of integers");
		errno = 0;
		v = strtoull(c->p, &endp, 10);
		if (errno || endp > c->end || v > (SIZE_MAX >> 4))
			return fail(r, "bad header: dimension too large");
		c->p = endp;
		if (r->ndim >= NPY_MAXDIM)
			return fail(r, "unsupported: more than %d dimensions", NPY_MAXDIM);
		r->shape[r->ndim++] = (size_t)v;
		skip_ws(c);
		if (accept(c, ','))
			continue;
		if (accept(c, ')'))
			break;
		return fail(r, "bad header: malformed shape");
	}
	if (r->ndim == 0)
		return fail(r, "unsupported: 0-dimensional array");
	return 0;
}

static int parse_header(struct npy_reader *r, const char *h, size_t len)
{
	struct cursor c = { h, h + len };
	int have_descr = 0, have_order = 0, have_shape = 0;
	char key[32], val[32];

	if (!accept(&c, '{'))
		return fail(r, "bad header: not a dictionary");
	while (!accept(&c, '}')) {
		if (parse_str(&c, key, sizeof key) != 0 || !accept(&c, ':'))
			return fail(r, "bad header: malformed dictionary");
		if (!strcmp(key, "descr")) {
			if (parse_str(&c, val, sizeof val) != 0)
				return fail(r, "bad header: descr is not a string");
			if (!strcmp(val, "<f8"))
				r->dtype = NPY_F8;
			else if (!strcmp(val, "<f4"))
				r->dtype = NPY_F4;
			else if (val[0] == '>')
				return fail(r, "unsupported dtype '%s' (big-endian; use '<f8' or '<f4')", val);
			else
				return fail(r, "unsupported dtype '%s' (use '<f8' or '<f4')", val);
			have_descr = 1;
		} else if (!strcmp(key, "fortran_order")) {
			skip_ws(&c);
			if ((size_t)(c.end - c.p) >= 5 && !strncmp(c.p, "False", 5)) {
				c.p += 5;
			} else if ((size_t)(c.end - c.p) >= 4 && !strncmp(c.p, "True", 4)) {
				return fail(r, "unsupported: Fortran order (save with C order)");
			} else {
				return fail(r, "bad header: fortran_order is not a boolean");
			}
			have_order = 1;
		} else if (!strcmp(key, "shape")) {
			if (parse_shape(&c, r) != 0)
				return -1;
			have_shape = 1;
		} else {
			return fail(r, "bad header: unknown key '%s'", key);
		}
		if (!accept(&c, ',')) {
			if (!accept(&c, '}'))
				return fail(r, "bad header: malformed dictionary");
			break;
		}
	}
	if (!have_descr || !have_order || !have_shape)
		return fail(r, "bad header: missing %s", !have_descr ? "descr" :
			    !have_order ? "fortran_order" : "shape");
	return 0;
}

int npy_open_stream(struct npy_reader *r, FILE *fp, const char *name)
{
	unsigned char pre[MAGIC_LEN + 2 + 4];
	size_t hlen, lenbytes;
	char *h;
	int rc;
	struct stat st;

	memset(r, 0, sizeof *r);
	r->fp = fp;
	r->name = name;
	if (fread(pre, 1, MAGIC_LEN + 2, fp) != MAGIC_LEN + 2) {
		if (ferror(fp))
			return fail(r, "read error: %s", strerror(errno));
		return fail(r, feof(fp) && ftell(fp) <= 0 ? "empty file" :
			    "not a .npy file (too short)");
	}
	if (memcmp(pre, MAGIC, MAGIC_LEN) != 0)
		return fail(r, "not a .npy file (bad magic)");
	r->version = pre[MAGIC_LEN];
	if (r->version < 1 || r->version > 3 || pre[MAGIC_LEN + 1] != 0)
		return fail(r, "unsupported .npy version %d.%d", pre[MAGIC_LEN],
			    pre[MAGIC_LEN + 1]);
	lenbytes = r->version == 1 ? 2 : 4;
	if (fread(pre + MAGIC_LEN + 2, 1, lenbytes, fp) != lenbytes)
		return fail(r, "truncated header");
	hlen = (size_t)pre[8] | (size_t)pre[9] << 8;
	if (lenbytes == 4)
		hlen |= (size_t)pre[10] << 16 | (size_t)pre[11] << 24;
	if (hlen > MAX_HEADER)
		return fail(r, "header of %zu bytes is longer than numpy allows (%d)",
			    hlen, MAX_HEADER);
	h = malloc(hlen + 1);
	if (!h)
		return fail(r, "out of memory");
	if (fread(h, 1, hlen, fp) != hlen) {
		free(h);
		return fail(r, "truncated header");
	}
	h[hlen] = '\0';
	rc = parse_header(r, h, hlen);
	free(h);
	if (rc)
		return rc;
	r->data_offset = MAGIC_LEN + 2 + lenbytes + hlen;
	r->count = 1;
	for (int i = 0; i < r->ndim; i++) {
		if (r->shape[i] && r->count > SIZE_MAX / 8 / r->shape[i])
			return fail(r, "array too large");
		r->count *= r->shape[i];
	}
	/* A regular file can be checked for truncation before any work. */
	if (fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode)) {
		off_t want = (off_t)(r->data_offset + r->count * r->dtype);

		if (st.st_size < want)
			return fail(r, "truncated: shape needs %zu values, file holds %zu",
				    r->count,
				    (size_t)(st.st_size > (off_t)r->data_offset ?
					     (st.st_size - (off_t)r->data_offset) / r->dtype : 0));
	}
	return 0;
}

int npy_open(struct npy_reader *r, const char *path)
{
	FILE *fp;
	int rc;

	memset(r, 0, sizeof *r);
	r->name = path;
	fp = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	if (!fp)
		return fail(r, "cannot open: %s", strerror(errno));
	rc = npy_open_stream(r, fp, path);
	if (rc && fp != stdin) {
		fclose(fp);
		r->fp = NULL;
	}
	return rc;
}

int npy_read(struct npy_reader *r, double *dst, size_t n)
{
	size_t got;

	if (n > r->count - r->done)
		return fail(r, "read past the end of the array");
	if (r->dtype == NPY_F8) {
		got = fread(dst, 8, n, r->fp);
	} else {
		float tmp[1024];

		got = 0;
		while (got < n) {
			size_t want = n - got < 1024 ? n - got : 1024;
			size_t k = fread(tmp, 4, want, r->fp);

			for (size_t i = 0; i < k; i++)
				dst[got + i] = tmp[i];
			got += k;
			if (k < want)
				break;
		}
	}
	r->done += got;
	if (got < n) {
		if (ferror(r->fp))
			return fail(r, "read error: %s", strerror(errno));
		return fail(r, "truncated: shape needs %zu values, file holds %zu",
			    r->count, r->done);
	}
	return 0;
}

void npy_close(struct npy_reader *r)
{
	if (r->fp && r->fp != stdin)
		fclose(r->fp);
	r->fp = NULL;
}

double *npy_load(const char *path, int *ndim, size_t shape[NPY_MAXDIM],
		 char *err, size_t errlen)
{
	struct npy_reader r;
	double *a;

	if (npy_open(&r, path) != 0) {
		snprintf(err, errlen, "%s", r.err);
		return NULL;
	}
	a = malloc((r.count ? r.count : 1) * sizeof *a);
	if (!a) {
		snprintf(err, errlen, "out of memory");
		npy_close(&r);
		return NULL;
	}
	if (npy_read(&r, a, r.count) != 0) {
		snprintf(err, errlen, "%s", r.err);
		free(a);
		npy_close(&r);
		return NULL;
	}
	npy_close(&r);
	*ndim = r.ndim;
	memcpy(shape, r.shape, sizeof r.shape);
	return a;
}

/* --- writing --- */

/* The dictionary text for a shape (first dimension possibly overridden). */
static int dict_text(char *buf, size_t n, enum npy_dtype dt, int ndim,
		     const size_t *shape, size_t first)
{
	int k = snprintf(buf, n, "{'descr': '%s', 'fortran_order': False, 'shape': (",
			 dt == NPY_F8 ? "<f8" : dt == NPY_F4 ? "<f4" : "<i8");

	for (int i = 0; i < ndim; i++)
		k += snprintf(buf + k, n - k, i ? ", %zu" : "%zu", i ? shape[i] : first);
	k += snprintf(buf + k, n - k, ndim == 1 ? ",), }" : "), }");
	return k;
}

/* Write magic + header padded to total bytes (a multiple of ALIGN). */
static void put_header(struct npy_writer *w, size_t first)
{
	char dict[256];
	unsigned char pre[12];
	int k = dict_text(dict, sizeof dict, w->dtype, w->ndim, w->shape, first);
	int v2 = w->header_len - 10 > 65535;
	size_t pre_len = v2 ? 12 : 10;
	size_t hlen = w->header_len - pre_len;
	FILE *fp = w->out.fp;

	memcpy(pre, MAGIC, MAGIC_LEN);
	pre[6] = v2 ? 2 : 1;
	pre[7] = 0;
	pre[8] = hlen & 0xff;
	pre[9] = (hlen >> 8) & 0xff;
	if (v2) {
		pre[10] = (hlen >> 16) & 0xff;
		pre[11] = (hlen >> 24) & 0xff;
	}
	fwrite(pre, 1, pre_len, fp);
	fwrite(dict, 1, (size_t)k, fp);
	for (size_t i = (size_t)k; i + 1 < hlen; i++)
		fputc(' ', fp);
	fputc('\n', fp);
}

void npy_writer_open(struct npy_writer *w, const char *path, enum npy_dtype dtype,
		     int ndim, const size_t *shape)
{
	char dict[256];
	int k;

	memset(w, 0, sizeof *w);
	if (ndim < 1 || ndim > NPY_MAXDIM)
		err_die(EXIT_DATA, "%s: cannot write a %d-D array", path, ndim);
	w->dtype = dtype;
	w->ndim = ndim;
	memcpy(w->shape, shape, (size_t)ndim * sizeof *shape);
	w->grow = shape[0] == NPY_GROW;
	if (w->grow && !strcmp(path, "-"))
		err_die(EXIT_DATA, "cannot stream an array of unknown length to stdout");
	if (!strcmp(path, "-") && isatty(STDOUT_FILENO))
		err_die(EXIT_USAGE, "refusing to write a binary array to a terminal "
			"(use -o FILE or a pipe)");
	w->row = 1;
	for (int i = 1; i < ndim; i++)
		w->row *= shape[i];
	/* Reserve room for the widest first dimension when it will grow. */
	k = dict_text(dict, sizeof dict, dtype, ndim, shape,
		      w->grow ? SIZE_MAX : shape[0]);
	w->header_len = (10 + (size_t)k + 1 + ALIGN - 1) / ALIGN * ALIGN;
	atomic_open(&w->out, path);
	put_header(w, w->grow ? 0 : shape[0]);
}

/* The writer's fields for dtype and shape (not NPY_GROW), its header
 * length among them. */
static void writer_setup(struct npy_writer *w, const char *path, enum npy_dtype dtype, int ndim,
			 const size_t *shape)
{
	char dict[256];

	memset(w, 0, sizeof *w);
	if (ndim < 1 || ndim > NPY_MAXDIM || shape[0] == NPY_GROW)
		err_die(EXIT_DATA, "%s: cannot write a %d-D array in place", path, ndim);
	w->dtype = dtype;
	w->ndim = ndim;
	memcpy(w->shape, shape, (size_t)ndim * sizeof *shape);
	w->row = 1;
	for (int i = 1; i < ndim; i++)
		w->row *= shape[i];
	w->header_len = (10 + (size_t)dict_text(dict, sizeof dict, dtype, ndim, shape, shape[0]) +
			 1 + ALIGN - 1) / ALIGN * ALIGN;
}

static size_t elem_bytes(enum npy_dtype dt)
{
	return dt == NPY_F4 ? 4 : 8;
}

unsigned long long npy_writer_offset(const struct npy_writer *w, size_t written)
{
	return (unsigned long long)w->header_len + (unsigned long long)written * elem_bytes(w->dtype);
}

/* A plain stream for w, with the atomic module's large buffer. */
static void plain_stream(struct npy_writer *w, const char *path, const char *mode)
{
	w->out.fp = fopen(path, mode);
	if (!w->out.fp)
		err_die(EXIT_DATA, "%s: cannot open: %s", path, strerror(errno));
	w->out.path = NULL;
	w->out.tmp = NULL;
	w->out.buf = err_malloc((size_t)1 << 18);
	setvbuf(w->out.fp, w->out.buf, _IOFBF, (size_t)1 << 18);
}

void npy_writer_open_plain(struct npy_writer *w, const char *path, enum npy_dtype dtype,
			   int ndim, const size_t *shape)
{
	writer_setup(w, path, dtype, ndim, shape);
	plain_stream(w, path, "wb");
	put_header(w, shape[0]);
}

void npy_writer_reopen(struct npy_writer *w, const char *path, enum npy_dtype dtype,
		       int ndim, const size_t *shape, size_t written)
{
	unsigned char pre[10];
	size_t had;

	writer_setup(w, path, dtype, ndim, shape);
	plain_stream(w, path, "r+b");
	/* the header again, for the shape given (an array that grows): it
	 * must keep its length, the data stay where they are */
	if (fread(pre, 1, sizeof pre, w->out.fp) != sizeof pre || memcmp(pre, MAGIC, MAGIC_LEN) ||
	    pre[6] != 1)
		err_die(EXIT_DATA, "%s: not an array this tool wrote", path);
	had = 10 + (size_t)pre[8] + ((size_t)pre[9] << 8);
	if (had != w->header_len)
		err_die(EXIT_DATA, "%s: cannot take %zu in its first dimension in place (the "
			"header would grow)", path, shape[0]);
	rewind(w->out.fp);
	put_header(w, shape[0]);
	if (fflush(w->out.fp) != 0 || ftruncate(fileno(w->out.fp),
						(off_t)npy_writer_offset(w, written)) != 0 ||
	    fseeko(w->out.fp, 0, SEEK_END) != 0)
		err_die(EXIT_DATA, "%s: cannot cut back: %s", path, strerror(errno));
	w->written = written;
}

void npy_write(struct npy_writer *w, const double *src, size_t n)
{
	size_t put;

	if (w->dtype == NPY_F8) {
		put = fwrite(src, 8, n, w->out.fp);
	} else {
		if (w->bufcap < n) {
			free(w->buf);
			w->bufcap = n;
			w->buf = err_malloc(n * 4);
		}
		for (size_t i = 0; i < n; i++)
			((float *)w->buf)[i] = (float)src[i];
		put = fwrite(w->buf, 4, n, w->out.fp);
	}
	if (put != n)
		err_die(EXIT_DATA, "%s: write error: %s",
			w->out.path ? w->out.path : "stdout", strerror(errno));
	w->written += n;
}

void npy_write_i64(struct npy_writer *w, const int64_t *src, size_t n)
{
	if (w->dtype != NPY_I8)
		err_die(EXIT_DATA, "%s: not an integer array", w->out.path ? w->out.path : "stdout");
	if (fwrite(src, 8, n, w->out.fp) != n)
		err_die(EXIT_DATA, "%s: write error: %s",
			w->out.path ? w->out.path : "stdout", strerror(errno));
	w->written += n;
}

void npy_writer_close(struct npy_writer *w)
{
	const char *name = w->out.path ? w->out.path : "stdout";

	if (w->grow) {
		if (w->row && w->written % w->row)
			err_die(EXIT_DATA, "%s: %zu values is not a whole number of rows",
				name, w->written);
		if (fflush(w->out.fp) != 0 || fseek(w->out.fp, 0, SEEK_SET) != 0)
			err_die(EXIT_DATA, "%s: cannot rewrite header: %s", name,
				strerror(errno));
		put_header(w, w->row ? w->written / w->row : 0);
	} else {
		size_t want = w->row * w->shape[0];

		if (w->written != want)
			err_die(EXIT_DATA, "%s: wrote %zu values, shape needs %zu", name,
				w->written, want);
	}
	free(w->buf);
	w->buf = NULL;
	atomic_commit(&w->out);
}

void npy_writer_abort(struct npy_writer *w)
{
	free(w->buf);
	w->buf = NULL;
	atomic_abort(&w->out);
}

void npy_save(const char *path, enum npy_dtype dtype, int ndim,
	      const size_t *shape, const double *data)
{
	struct npy_writer w;
	size_t n = 1;

	for (int i = 0; i < ndim; i++)
		n *= shape[i];
	npy_writer_open(&w, path, dtype, ndim, shape);
	npy_write(&w, data, n);
	npy_writer_close(&w);
}
