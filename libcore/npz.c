/* npz: see npz.h.  The host is little-endian (x86-64, aarch64): the arrays'
 * bytes are the in-memory bytes. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include "atomic.h"
#include "err.h"
#include "npz.h"

#define NPY_MAGIC "\x93NUMPY"
/* numpy refuses longer .npy headers unless told otherwise. */
#define MAX_HEADER 10000
/* Entries converted and checked per pass. */
#define ENTRIES ((size_t)8192)
/* Deflate expands at most 1032 times (RFC 1951: 258 bytes from 2 bits). */
#define DEFLATE_MAX_RATIO 1032

int npz_index_bytes(size_t nrows, size_t ncols, size_t nnz)
{
	return nrows <= INT32_MAX && ncols <= INT32_MAX && nnz <= INT32_MAX ? 4 : 8;
}

/* --- writing --- */

/*
 * One member: a .npy header, then n elements of an array in memory, each
 * `in` bytes there and `out` bytes in the file (an index array widened
 * from int32 or narrowed from int64 as it is read: never copied whole).
 */
struct member_src {
	unsigned char hdr[128];
	size_t hlen;
	const unsigned char *arr;
	size_t n;
	int in, out;
	uint64_t size, pos;
	zip_error_t error;
};

static void member_init(struct member_src *s, const char *descr, int ndim,
			const void *arr, size_t n, int in, int out)
{
	char dict[112];
	int k;

	memset(s, 0, sizeof *s);
	if (ndim == 0)
		k = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, "
			     "'shape': (), }", descr);
	else
		k = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, "
			     "'shape': (%zu,), }", descr, n);
	/* magic, version 1.0, length; the dict padded with spaces and a
	 * newline so that the data start on a 64-byte boundary, as numpy does */
	s->hlen = (10 + (size_t)k + 1 + 63) / 64 * 64;
	memcpy(s->hdr, NPY_MAGIC "\x01\x00", 8);
	s->hdr[8] = (unsigned char)((s->hlen - 10) & 0xff);
	s->hdr[9] = (unsigned char)((s->hlen - 10) >> 8);
	memset(s->hdr + 10, ' ', s->hlen - 10);
	memcpy(s->hdr + 10, dict, (size_t)k);
	s->hdr[s->hlen - 1] = '\n';
	s->arr = arr;
	s->n = n;
	s->in = in;
	s->out = out;
	s->size = s->hlen + (uint64_t)n * (uint64_t)out;
	zip_error_init(&s->error);
}

/* Element e of the array, as `out` bytes. */
static void member_elem(const struct member_src *s, size_t e, unsigned char *dst)
{
	if (s->in == s->out) {
		memcpy(dst, s->arr + e * (size_t)s->in, (size_t)s->out);
	} else if (s->in == 4) {
		int32_t v;
		int64_t w;

		memcpy(&v, s->arr + e * 4, 4);
		w = v;
		memcpy(dst, &w, 8);
	} else {
		int64_t v;
		int32_t w;

		memcpy(&v, s->arr + e * 8, 8);
		w = (int32_t)v;
		memcpy(dst, &w, 4);
	}
}

/* Up to len bytes of the member from s->pos into buf. */
static size_t member_fill(struct member_src *s, unsigned char *buf, size_t len)
{
	size_t k = 0;

	while (k < len && s->pos < s->size) {
		size_t c;

		if (s->pos < s->hlen) {
			c = s->hlen - (size_t)s->pos;
			c = c < len - k ? c : len - k;
			memcpy(buf + k, s->hdr + s->pos, c);
		} else {
			uint64_t b = s->pos - s->hlen;
			size_t e = (size_t)(b / (uint64_t)s->out), off = (size_t)(b % (uint64_t)s->out);

			if (s->in == s->out) {
				c = (size_t)(s->size - s->pos);
				c = c < len - k ? c : len - k;
				memcpy(buf + k, s->arr + b, c);
			} else if (off == 0 && len - k >= (size_t)s->out) {
				size_t m = (len - k) / (size_t)s->out;

				m = m < s->n - e ? m : s->n - e;
				for (size_t x = 0; x < m; x++)
					member_elem(s, e + x, buf + k + x * (size_t)s->out);
				c = m * (size_t)s->out;
			} else {
				unsigned char t[8];

				member_elem(s, e, t);
				c = (size_t)s->out - off;
				c = c < len - k ? c : len - k;
				memcpy(buf + k, t + off, c);
			}
		}
		s->pos += c;
		k += c;
	}
	return k;
}

static zip_int64_t member_cb(void *ud, void *data, zip_uint64_t len, zip_source_cmd_t cmd)
{
	struct member_src *s = ud;

	switch (cmd) {
	case ZIP_SOURCE_OPEN:
		s->pos = 0;
		return 0;
	case ZIP_SOURCE_READ:
		return (zip_int64_t)member_fill(s, data, (size_t)len);
	case ZIP_SOURCE_CLOSE:
	case ZIP_SOURCE_FREE:
		return 0;
	case ZIP_SOURCE_STAT: {
		zip_stat_t *st = ZIP_SOURCE_GET_ARGS(zip_stat_t, data, len, &s->error);

		if (!st)
			return -1;
		zip_stat_init(st);
		st->size = s->size;
		st->valid |= ZIP_STAT_SIZE;
		return sizeof *st;
	}
	case ZIP_SOURCE_ERROR:
		return zip_error_to_data(&s->error, data, len);
	case ZIP_SOURCE_SUPPORTS:
		return zip_source_make_command_bitmap(ZIP_SOURCE_OPEN, ZIP_SOURCE_READ,
			ZIP_SOURCE_CLOSE, ZIP_SOURCE_STAT, ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE, -1);
	default:
		zip_error_set(&s->error, ZIP_ER_OPNOTSUPP, 0);
		return -1;
	}
}

/*
 * The archive itself is written into the atomic module's temporary file:
 * libzip sees a new, empty archive that it may write, seek and tell in.
 */
struct out_src {
	FILE *fp;
	zip_error_t error;
};

static zip_int64_t out_cb(void *ud, void *data, zip_uint64_t len, zip_source_cmd_t cmd)
{
	struct out_src *o = ud;

	switch (cmd) {
	case ZIP_SOURCE_STAT:
		/* "does not exist yet": libzip starts a new archive */
		zip_error_set(&o->error, ZIP_ER_READ, ENOENT);
		return -1;
	case ZIP_SOURCE_BEGIN_WRITE:
	case ZIP_SOURCE_ROLLBACK_WRITE:
	case ZIP_SOURCE_REMOVE:
	case ZIP_SOURCE_FREE:
		return 0;
	case ZIP_SOURCE_COMMIT_WRITE:
		if (fflush(o->fp) == 0)
			return 0;
		zip_error_set(&o->error, ZIP_ER_WRITE, errno);
		return -1;
	case ZIP_SOURCE_WRITE:
		if (fwrite(data, 1, (size_t)len, o->fp) == (size_t)len)
			return (zip_int64_t)len;
		zip_error_set(&o->error, ZIP_ER_WRITE, errno);
		return -1;
	case ZIP_SOURCE_SEEK_WRITE: {
		zip_source_args_seek_t *a =
			ZIP_SOURCE_GET_ARGS(zip_source_args_seek_t, data, len, &o->error);

		if (!a)
			return -1;
		if (fseeko(o->fp, (off_t)a->offset, a->whence) == 0)
			return 0;
		zip_error_set(&o->error, ZIP_ER_SEEK, errno);
		return -1;
	}
	case ZIP_SOURCE_TELL_WRITE: {
		off_t at = ftello(o->fp);

		if (at >= 0)
			return (zip_int64_t)at;
		zip_error_set(&o->error, ZIP_ER_TELL, errno);
		return -1;
	}
	case ZIP_SOURCE_ERROR:
		return zip_error_to_data(&o->error, data, len);
	case ZIP_SOURCE_SUPPORTS:
		return zip_source_make_command_bitmap(ZIP_SOURCE_OPEN, ZIP_SOURCE_READ,
			ZIP_SOURCE_CLOSE, ZIP_SOURCE_STAT, ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE,
			ZIP_SOURCE_SEEK, ZIP_SOURCE_TELL, ZIP_SOURCE_SUPPORTS,
			ZIP_SOURCE_BEGIN_WRITE, ZIP_SOURCE_COMMIT_WRITE,
			ZIP_SOURCE_ROLLBACK_WRITE, ZIP_SOURCE_WRITE, ZIP_SOURCE_SEEK_WRITE,
			ZIP_SOURCE_TELL_WRITE, ZIP_SOURCE_REMOVE, -1);
	default:
		/* reading back: never needed for a new archive */
		zip_error_set(&o->error, ZIP_ER_OPNOTSUPP, 0);
		return -1;
	}
}

void npz_save(const char *path, const struct npz_csr *m, int index_bytes)
{
	static const char *names[5] = { "indices.npy", "indptr.npy", "format.npy",
					"shape.npy", "data.npy" };
	int ib = index_bytes == 8 ? 8 : npz_index_bytes(m->nrows, m->ncols, m->nnz);
	const char *idescr = ib == 4 ? "<i4" : "<i8";
	int64_t shape[2] = { (int64_t)m->nrows, (int64_t)m->ncols };
	struct member_src src[5];
	struct atomic_file af;
	struct out_src out;
	zip_source_t *zs;
	zip_error_t ze;
	zip_t *za;

	if (!strcmp(path, "-"))
		err_die(EXIT_USAGE, "cannot write a .npz to standard output "
			"(a zip is rewritten as it is made): give a file name");
	member_init(&src[0], idescr, 1, m->indices, m->nnz, 4, ib);
	member_init(&src[1], idescr, 1, m->indptr, m->nrows + 1, 8, ib);
	member_init(&src[2], "|S3", 0, "csr", 1, 3, 3);
	member_init(&src[3], "<i8", 1, shape, 2, 8, 8);
	member_init(&src[4], "<f8", 1, m->data, m->nnz, 8, 8);

	atomic_open(&af, path);
	out.fp = af.fp;
	zip_error_init(&out.error);
	zip_error_init(&ze);
	zs = zip_source_function_create(out_cb, &out, &ze);
	za = zs ? zip_open_from_source(zs, ZIP_CREATE, &ze) : NULL;
	if (!za)
		err_die(EXIT_DATA, "%s: cannot write: %s", path, zip_error_strerror(&ze));
	for (int i = 0; i < 5; i++) {
		zip_source_t *ms = zip_source_function(za, member_cb, &src[i]);
		zip_int64_t idx = ms ? zip_file_add(za, names[i], ms, 0) : -1;

		if (idx < 0 ||
		    zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_STORE, 0) != 0 ||
		    zip_file_set_dostime(za, (zip_uint64_t)idx, 0, (1 << 5) | 1, 0) != 0)
			err_die(EXIT_DATA, "%s: cannot write: %s", path,
				zip_error_strerror(zip_get_error(za)));
	}
	if (zip_close(za) != 0)
		err_die(EXIT_DATA, "%s: cannot write: %s", path,
			zip_error_strerror(zip_get_error(za)));
	atomic_commit(&af);
}

/* --- reading --- */

static int fail(struct npz_reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct npz_reader *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->err, sizeof r->err, fmt, ap);
	va_end(ap);
	return -1;
}

/* Exactly n bytes of member `name`, or -1 with the reason. */
static int read_exact(struct npz_reader *r, zip_file_t *zf, const char *name,
		      void *dst, size_t n)
{
	unsigned char *p = dst;

	while (n) {
		zip_int64_t got = zip_fread(zf, p, n);

		if (got < 0)
			return fail(r, "member '%s': %s", name, zip_file_strerror(zf));
		if (got == 0)
			return fail(r, "member '%s' is truncated", name);
		p += got;
		n -= (size_t)got;
	}
	return 0;
}

/* After the last byte the shape needs: nothing more, and a good CRC
 * (libzip checks the CRC and size when a member is read to its end). */
static int check_end(struct npz_reader *r, zip_file_t *zf, const char *name)
{
	unsigned char b;
	zip_int64_t got = zip_fread(zf, &b, 1);

	if (got < 0)
		return fail(r, "member '%s': %s", name, zip_file_strerror(zf));
	if (got > 0)
		return fail(r, "member '%s' holds more data than its shape says", name);
	return 0;
}

/* fail() for a .npy header: "member 'NAME': ..." inside an archive, or the
 * bare message for a file of its own (name NULL). */
static int hfail(struct npz_reader *r, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int hfail(struct npz_reader *r, const char *name, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (name)
		return fail(r, "member '%s': %s", name, msg);
	return fail(r, "%s", msg);
}

/* What a member's .npy header says. */
struct npy_head {
	char descr[16];
	int ndim;
	uint64_t shape[2];
	uint64_t count;
	int itemsize;
};

/* The text of a quoted string at *p (no escapes: numpy writes none here). */
static int take_quoted(const char **p, const char *end, char *buf, size_t n)
{
	const char *s = *p;
	char q;
	size_t len = 0;

	if (s >= end || (*s != '\'' && *s != '"'))
		return -1;
	q = *s++;
	while (s < end && *s != q) {
		if (len + 1 >= n)
			return -1;
		buf[len++] = *s++;
	}
	if (s >= end)
		return -1;
	buf[len] = '\0';
	*p = s + 1;
	return 0;
}

/*
 * numpy's header: a dict with 'descr', 'fortran_order' and 'shape', in any
 * order, as Python literals.  Ranks 0 to 2 are all a member may have.
 */
static int parse_head(struct npz_reader *r, const char *name, const char *h,
		      const char *end, struct npy_head *d)
{
	unsigned seen = 0;

	memset(d, 0, sizeof *d);
#define SKIP() while (h < end && (*h == ' ' || *h == '\t' || *h == '\n')) h++
	SKIP();
	if (h >= end || *h++ != '{')
		return hfail(r, name, "not a .npy header");
	for (;;) {
		char key[16];

		SKIP();
		if (h < end && *h == '}')
			break;
		if (take_quoted(&h, end, key, sizeof key) != 0)
			return hfail(r, name, "malformed .npy header");
		SKIP();
		if (h >= end || *h++ != ':')
			return hfail(r, name, "malformed .npy header");
		SKIP();
		if (!strcmp(key, "descr")) {
			if (take_quoted(&h, end, d->descr, sizeof d->descr) != 0)
				return hfail(r, name, "malformed .npy header");
			seen |= 1;
		} else if (!strcmp(key, "fortran_order")) {
			/* either is the same layout at rank 0 or 1 */
			int t = end - h >= 4 && !strncmp(h, "True", 4);

			if (!t && !(end - h >= 5 && !strncmp(h, "False", 5)))
				return hfail(r, name, "malformed .npy header");
			h += t ? 4 : 5;
			seen |= 2;
		} else if (!strcmp(key, "shape")) {
			if (h >= end || *h++ != '(')
				return hfail(r, name, "malformed .npy header");
			for (;;) {
				char *e;
				unsigned long long v;

				SKIP();
				if (h < end && *h == ')')
					break;
				if (h >= end || *h < '0' || *h > '9' || d->ndim == 2)
					return hfail(r, name, "unexpected shape");
				errno = 0;
				v = strtoull(h, &e, 10);
				if (errno || e > end || v > (UINT64_MAX >> 8))
					return hfail(r, name, "unexpected shape");
				d->shape[d->ndim++] = v;
				h = e;
				SKIP();
				if (h < end && *h == ',')
					h++;
			}
			h++;
			seen |= 4;
		} else {
			return hfail(r, name, "unknown key '%s' in its .npy header", key);
		}
		SKIP();
		if (h < end && *h == ',')
			h++;
	}
#undef SKIP
	if (seen != 7)
		return hfail(r, name, "incomplete .npy header");
	d->count = 1;
	for (int i = 0; i < d->ndim; i++) {
		if (d->shape[i] && d->count > (UINT64_MAX >> 8) / d->shape[i])
			return hfail(r, name, "shape too large");
		d->count *= d->shape[i];
	}
	return 0;
}

/* Bytes per item of descr if it is among ok (a space-separated list of
 * 3-character dtypes, or "S": bytes '|Sn' or str '<Un'), else 0. */
static int item_size(const char *descr, const char *ok)
{
	if (!strcmp(ok, "S")) {
		char *e;
		long n = strtol(descr + 2, &e, 10);

		if ((strncmp(descr, "|S", 2) && strncmp(descr, "<U", 2)) || *e || n < 1 || n > 64)
			return 0;
		return (int)(descr[1] == 'U' ? 4 * n : n);
	}
	for (const char *p = ok; *p; p += p[3] ? 4 : 3)
		if (!strncmp(p, descr, 3) && descr[3] == '\0')
			return descr[2] - '0';
	return 0;
}

/*
 * Open member `name`, read and check its .npy header: dtype among `ok`
 * (a space-separated list; "S" stands for any '|Sn' or '<Un'), rank ndim,
 * and a declared zip size equal to what header and shape make.
 */
static zip_file_t *member_open(struct npz_reader *r, const char *name, const char *ok,
			       int ndim, struct npy_head *d)
{
	unsigned char pre[12];
	char h[MAX_HEADER];
	size_t plen, hlen;
	zip_stat_t st;
	zip_file_t *zf;
	uint64_t want;

	zip_stat_init(&st);
	if (zip_stat(r->za, name, 0, &st) != 0) {
		if (!strcmp(name, "format.npy"))
			fail(r, "not a sparse matrix .npz: no member 'format.npy'");
		else
			fail(r, "missing member '%s'", name);
		return NULL;
	}
	if ((st.valid & (ZIP_STAT_SIZE | ZIP_STAT_COMP_SIZE)) ==
	    (ZIP_STAT_SIZE | ZIP_STAT_COMP_SIZE) &&
	    st.size / DEFLATE_MAX_RATIO > st.comp_size + 64) {
		fail(r, "member '%s' declares %llu bytes from %llu compressed, "
		     "more than deflate can give (a zip bomb?)", name,
		     (unsigned long long)st.size, (unsigned long long)st.comp_size);
		return NULL;
	}
	zf = zip_fopen(r->za, name, 0);
	if (!zf) {
		fail(r, "member '%s': %s", name, zip_error_strerror(zip_get_error(r->za)));
		return NULL;
	}
	if (read_exact(r, zf, name, pre, 10) != 0)
		goto bad;
	if (memcmp(pre, NPY_MAGIC, 6) != 0 || pre[6] < 1 || pre[6] > 3 || pre[7] != 0) {
		fail(r, "member '%s' is not a .npy array", name);
		goto bad;
	}
	plen = pre[6] == 1 ? 10 : 12;
	if (plen == 12 && read_exact(r, zf, name, pre + 10, 2) != 0)
		goto bad;
	hlen = (size_t)pre[8] | (size_t)pre[9] << 8;
	if (plen == 12)
		hlen |= (size_t)pre[10] << 16 | (size_t)pre[11] << 24;
	if (hlen > MAX_HEADER) {
		fail(r, "member '%s': .npy header of %zu bytes is longer than numpy allows",
		     name, hlen);
		goto bad;
	}
	if (read_exact(r, zf, name, h, hlen) != 0 || parse_head(r, name, h, h + hlen, d) != 0)
		goto bad;
	d->itemsize = item_size(d->descr, ok);
	if (!d->itemsize) {
		fail(r, "member '%s': unsupported dtype '%s'", name, d->descr);
		goto bad;
	}
	if (d->ndim != ndim) {
		fail(r, "member '%s': expected a %d-D array, got %d-D", name, ndim, d->ndim);
		goto bad;
	}
	want = plen + hlen + d->count * (uint64_t)d->itemsize;
	if ((st.valid & ZIP_STAT_SIZE) && st.size != want) {
		fail(r, "member '%s' declares %llu bytes, its .npy header and shape make "
		     "%llu (damaged, or a zip bomb)", name, (unsigned long long)st.size,
		     (unsigned long long)want);
		goto bad;
	}
	if (st.valid & ZIP_STAT_COMP_METHOD && st.comp_method != ZIP_CM_STORE)
		r->compressed = 1;
	return zf;
bad:
	zip_fclose(zf);
	return NULL;
}

/* n integers of `size` bytes from a member into int64 dst. */
static int read_ints(struct npz_reader *r, zip_file_t *zf, const char *name,
		     int size, int64_t *dst, size_t n)
{
	int32_t t[ENTRIES];

	if (size == 8)
		return read_exact(r, zf, name, dst, n * 8);
	for (size_t at = 0; at < n; at += ENTRIES) {
		size_t c = n - at < ENTRIES ? n - at : ENTRIES;

		if (read_exact(r, zf, name, t, c * 4) != 0)
			return -1;
		for (size_t i = 0; i < c; i++)
			dst[at + i] = t[i];
	}
	return 0;
}

static int read_format(struct npz_reader *r)
{
	struct npy_head d;
	zip_file_t *zf = member_open(r, "format.npy", "S", 0, &d);
	char text[8] = "";
	unsigned char raw[256];
	size_t n = 0;

	if (!zf)
		return -1;
	if (read_exact(r, zf, "format.npy", raw, (size_t)d.itemsize) != 0 ||
	    check_end(r, zf, "format.npy") != 0) {
		zip_fclose(zf);
		return -1;
	}
	zip_fclose(zf);
	/* bytes, or UTF-32: ASCII letters either way; numpy drops trailing NULs */
	for (int i = 0; i < d.itemsize; i += d.descr[1] == 'U' ? 4 : 1)
		if (raw[i] && n + 1 < sizeof text)
			text[n++] = raw[i] >= ' ' && raw[i] < 127 ? (char)raw[i] : '?';
	text[n] = '\0';
	if (strcmp(text, "csr") != 0)
		return fail(r, "not a CSR matrix (format '%s'): save m.tocsr()", text);
	return 0;
}

static int read_shape(struct npz_reader *r)
{
	struct npy_head d;
	zip_file_t *zf = member_open(r, "shape.npy", "<i8 <i4", 1, &d);
	int64_t s[2];

	if (!zf)
		return -1;
	if (d.count != 2) {
		zip_fclose(zf);
		return fail(r, "member 'shape.npy': %llu values, a matrix has 2",
			    (unsigned long long)d.count);
	}
	if (read_ints(r, zf, "shape.npy", d.itemsize, s, 2) != 0 ||
	    check_end(r, zf, "shape.npy") != 0) {
		zip_fclose(zf);
		return -1;
	}
	zip_fclose(zf);
	if (s[0] < 0 || s[1] < 0)
		return fail(r, "negative shape (%lld, %lld)", (long long)s[0], (long long)s[1]);
	if (s[1] > INT32_MAX || s[0] > (int64_t)(SIZE_MAX / 16))
		return fail(r, "shape (%lld, %lld) is too large", (long long)s[0],
			    (long long)s[1]);
	r->nrows = (size_t)s[0];
	r->ncols = (size_t)s[1];
	return 0;
}

static int read_indptr(struct npz_reader *r)
{
	struct npy_head d;
	zip_file_t *zf = member_open(r, "indptr.npy", "<i4 <i8", 1, &d);
	const int64_t *p;

	if (!zf)
		return -1;
	if (d.count != (uint64_t)r->nrows + 1) {
		zip_fclose(zf);
		return fail(r, "indptr has %llu values, shape (%zu, %zu) needs %zu",
			    (unsigned long long)d.count, r->nrows, r->ncols, r->nrows + 1);
	}
	r->indptr = malloc((r->nrows + 1) * sizeof *r->indptr);
	if (!r->indptr) {
		zip_fclose(zf);
		return fail(r, "out of memory (indptr of %zu rows)", r->nrows);
	}
	if (read_ints(r, zf, "indptr.npy", d.itemsize, r->indptr, r->nrows + 1) != 0 ||
	    check_end(r, zf, "indptr.npy") != 0) {
		zip_fclose(zf);
		return -1;
	}
	zip_fclose(zf);
	p = r->indptr;
	if (p[0] != 0)
		return fail(r, "indptr starts at %lld, not 0", (long long)p[0]);
	for (size_t i = 0; i < r->nrows; i++) {
		if (p[i + 1] < p[i])
			return fail(r, "indptr decreases at row %zu (%lld, then %lld)", i,
				    (long long)p[i], (long long)p[i + 1]);
		if ((uint64_t)(p[i + 1] - p[i]) > r->ncols)
			return fail(r, "row %zu has %lld entries, more than its %zu columns",
				    i, (long long)(p[i + 1] - p[i]), r->ncols);
	}
	r->nnz = (size_t)p[r->nrows];
	return 0;
}

/* indices and data: 1-D, nnz each; left open for npz_read. */
static int open_entries(struct npz_reader *r)
{
	struct npy_head d;

	r->fi = member_open(r, "indices.npy", "<i4 <i8", 1, &d);
	if (!r->fi)
		return -1;
	if (d.count != r->nnz)
		return fail(r, "indices has %llu values, indptr ends at %zu",
			    (unsigned long long)d.count, r->nnz);
	r->index_bytes = d.itemsize;
	r->fd = member_open(r, "data.npy", "<f8 <f4", 1, &d);
	if (!r->fd)
		return -1;
	if (d.count != r->nnz)
		return fail(r, "data has %llu values, indptr ends at %zu",
			    (unsigned long long)d.count, r->nnz);
	r->data_bytes = d.itemsize;
	return 0;
}

/* A pipe's bytes, whole (a zip is read from its end). */
static zip_source_t *slurp(struct npz_reader *r, FILE *fp)
{
	size_t len = 0, cap = (size_t)1 << 20;
	unsigned char *buf = malloc(cap);
	zip_error_t ze;
	zip_source_t *src;

	for (;;) {
		size_t got;

		if (!buf) {
			fail(r, "out of memory");
			return NULL;
		}
		got = fread(buf + len, 1, cap - len, fp);
		len += got;
		if (len < cap) {
			if (ferror(fp)) {
				free(buf);
				fail(r, "read error: %s", strerror(errno));
				return NULL;
			}
			break;
		}
		cap *= 2;
		{
			unsigned char *nb = realloc(buf, cap);

			if (!nb)
				free(buf);
			buf = nb;
		}
	}
	zip_error_init(&ze);
	src = zip_source_buffer_create(buf, len, 1, &ze);
	if (!src) {
		free(buf);
		fail(r, "%s", zip_error_strerror(&ze));
	}
	zip_error_fini(&ze);
	return src;
}

int npz_open_stream(struct npz_reader *r, FILE *fp, const char *name)
{
	zip_source_t *src = NULL;
	zip_error_t ze;
	struct stat st;
	int fd = fileno(fp);

	memset(r, 0, sizeof *r);
	r->name = name;
	zip_error_init(&ze);
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		off_t start = ftello(fp);
		int nfd = dup(fd);
		FILE *own = nfd >= 0 ? fdopen(nfd, "rb") : NULL;

		if (!own) {
			if (nfd >= 0)
				close(nfd);
			return fail(r, "cannot open: %s", strerror(errno));
		}
		src = zip_source_filep_create(own, (zip_uint64_t)(start > 0 ? start : 0), -1, &ze);
		if (!src) {
			fclose(own);
			fail(r, "cannot open: %s", zip_error_strerror(&ze));
		}
	} else {
		src = slurp(r, fp);
	}
	if (!src) {
		zip_error_fini(&ze);
		return -1;
	}
	r->za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
	if (!r->za) {
		int code = zip_error_code_zip(&ze);

		if (code == ZIP_ER_NOZIP)
			fail(r, "not a .npz (zip) file, or truncated");
		else if (code == ZIP_ER_INCONS)
			fail(r, "damaged or truncated .npz (zip archive inconsistent)");
		else
			fail(r, "cannot read the zip archive: %s", zip_error_strerror(&ze));
		zip_source_free(src);
		zip_error_fini(&ze);
		return -1;
	}
	zip_error_fini(&ze);
	r->last = -1;
	r->tmp = malloc(ENTRIES * sizeof(int64_t));
	if (!r->tmp)
		return fail(r, "out of memory");
	if (read_format(r) != 0 || read_shape(r) != 0 || read_indptr(r) != 0 ||
	    open_entries(r) != 0)
		return -1;
	return 0;
}

int npz_open(struct npz_reader *r, const char *path)
{
	FILE *fp;
	int rc;

	if (!strcmp(path, "-"))
		return npz_open_stream(r, stdin, path);
	fp = fopen(path, "rb");
	if (!fp) {
		memset(r, 0, sizeof *r);
		r->name = path;
		return fail(r, "cannot open: %s", strerror(errno));
	}
	rc = npz_open_stream(r, fp, path);
	fclose(fp);
	return rc;
}

/*
 * The entry (row, c) with value v after column last of the same row (-1
 * for a row's first): 0, or -1 with the message in err (size len).
 */
static int entry_error(char *err, size_t len, size_t ncols, size_t row, int64_t c,
		       int64_t last, double v)
{
	if (c < 0 || (uint64_t)c >= ncols) {
		snprintf(err, len, "row %zu: column index %lld is out of range (%zu columns)",
			 row, (long long)c, ncols);
		return -1;
	}
	if (c <= last) {
		snprintf(err, len, "row %zu: column indices are not strictly increasing "
			 "(%lld after %lld): unsorted or duplicate entries "
			 "(call sort_indices() and sum_duplicates() before saving)",
			 row, (long long)c, (long long)last);
		return -1;
	}
	if (!isfinite(v)) {
		snprintf(err, len, "value at [%zu, %lld] is not finite (%g)", row,
			 (long long)c, v);
		return -1;
	}
	return 0;
}

/* Check entries [at, at+n) of the chunk: columns of each row in range and
 * strictly increasing, values finite. */
static int check_entries(struct npz_reader *r, const int64_t *col, const double *val,
			 size_t n)
{
	for (size_t j = 0; j < n; j++) {
		size_t e = r->done + j;

		while (e >= (size_t)r->indptr[r->row + 1]) {
			r->row++;
			r->last = -1;
		}
		if (entry_error(r->err, sizeof r->err, r->ncols, r->row, col[j], r->last,
				val[j]) != 0)
			return -1;
		r->last = col[j];
	}
	return 0;
}

int npz_read(struct npz_reader *r, size_t n, int32_t *indices, double *data)
{
	int64_t *col = r->tmp;
	double dv[ENTRIES];
	float f[ENTRIES];

	if (n > r->nnz - r->done)
		return fail(r, "read past the last entry");
	for (size_t at = 0; at < n;) {
		size_t c = n - at < ENTRIES ? n - at : ENTRIES;
		double *val = data ? data + at : dv;

		if (read_ints(r, r->fi, "indices.npy", r->index_bytes, col, c) != 0)
			return -1;
		if (r->data_bytes == 8) {
			if (read_exact(r, r->fd, "data.npy", val, c * 8) != 0)
				return -1;
		} else {
			if (read_exact(r, r->fd, "data.npy", f, c * 4) != 0)
				return -1;
			for (size_t i = 0; i < c; i++)
				val[i] = f[i];
		}
		if (check_entries(r, col, val, c) != 0)
			return -1;
		if (indices)
			for (size_t i = 0; i < c; i++)
				indices[at + i] = (int32_t)col[i];
		r->done += c;
		at += c;
	}
	if (r->done == r->nnz && !r->ended) {
		if (check_end(r, r->fi, "indices.npy") != 0 ||
		    check_end(r, r->fd, "data.npy") != 0)
			return -1;
		r->ended = 1;
	}
	return 0;
}

int npz_read_dense(struct npz_reader *r, double *dst)
{
	int32_t col[ENTRIES];
	double val[ENTRIES];
	size_t row = r->row;

	memset(dst, 0, r->nrows * r->ncols * sizeof *dst);
	do {
		size_t c = r->nnz - r->done < ENTRIES ? r->nnz - r->done : ENTRIES;
		size_t first = r->done;

		if (npz_read(r, c, col, val) != 0)
			return -1;
		for (size_t j = 0; j < c; j++) {
			while (first + j >= (size_t)r->indptr[row + 1])
				row++;
			dst[row * r->ncols + (size_t)col[j]] = val[j];
		}
	} while (r->done < r->nnz);
	return 0;
}

void npz_close(struct npz_reader *r)
{
	if (r->fi)
		zip_fclose(r->fi);
	if (r->fd)
		zip_fclose(r->fd);
	if (r->za)
		zip_discard(r->za);
	free(r->indptr);
	free(r->tmp);
	r->fi = r->fd = NULL;
	r->za = NULL;
	r->indptr = NULL;
	r->tmp = NULL;
}

int npz_load(const char *path, struct npz_csr *m, char *err, size_t errlen)
{
	struct npz_reader r;

	memset(m, 0, sizeof *m);
	if (npz_open(&r, path) != 0)
		goto bad;
	m->nrows = r.nrows;
	m->ncols = r.ncols;
	m->nnz = r.nnz;
	m->indices = malloc((r.nnz ? r.nnz : 1) * sizeof *m->indices);
	m->data = malloc((r.nnz ? r.nnz : 1) * sizeof *m->data);
	if (!m->indices || !m->data) {
		fail(&r, "out of memory (%zu entries)", r.nnz);
		goto bad;
	}
	if (npz_read(&r, r.nnz, m->indices, m->data) != 0)
		goto bad;
	m->indptr = r.indptr;
	r.indptr = NULL;
	npz_close(&r);
	return 0;
bad:
	snprintf(err, errlen, "%s", r.err);
	npz_close(&r);
	npz_csr_free(m);
	return -1;
}

void npz_csr_free(struct npz_csr *m)
{
	free(m->indptr);
	free(m->indices);
	free(m->data);
	m->indptr = NULL;
	m->indices = NULL;
	m->data = NULL;
}

/* --- reading in place --- */

/* A little-endian integer of n bytes. */
static uint64_t le(const unsigned char *p, int n)
{
	uint64_t v = 0;

	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static int pread_all(int fd, void *buf, size_t n, uint64_t at)
{
	unsigned char *p = buf;

	while (n) {
		ssize_t got = pread(fd, p, n, (off_t)at);

		if (got <= 0)
			return -1;
		p += got;
		n -= (size_t)got;
		at += (uint64_t)got;
	}
	return 0;
}

/* The central directory's offset, size and entry count (ZIP64 too). */
static int central_directory(int fd, uint64_t size, uint64_t *cd, uint64_t *cdlen,
			     uint64_t *count)
{
	enum { EOCD = 22, LOCATOR = 20, MAXTAIL = EOCD + 65535 + LOCATOR };
	unsigned char tail[MAXTAIL];
	size_t len = size < MAXTAIL ? (size_t)size : MAXTAIL;
	unsigned char z[56];
	size_t at;

	if (len < EOCD || pread_all(fd, tail, len, size - len) != 0)
		return -1;
	/* the last record whose comment reaches the end of the file exactly */
	for (at = len - EOCD + 1; at-- > 0;)
		if (!memcmp(tail + at, "PK\5\6", 4) && at + EOCD + le(tail + at + 20, 2) == len)
			break;
	if (at == (size_t)-1)
		return -1;
	*count = le(tail + at + 10, 2);
	*cdlen = le(tail + at + 12, 4);
	*cd = le(tail + at + 16, 4);
	if (*count != 0xffff && *cdlen != 0xffffffff && *cd != 0xffffffff)
		return 0;
	if (at < LOCATOR || memcmp(tail + at - LOCATOR, "PK\6\7", 4) != 0 ||
	    pread_all(fd, z, sizeof z, le(tail + at - LOCATOR + 8, 8)) != 0 ||
	    memcmp(z, "PK\6\6", 4) != 0)
		return -1;
	*count = le(z + 32, 8);
	*cdlen = le(z + 40, 8);
	*cd = le(z + 48, 8);
	return 0;
}

/*
 * Where the bytes of member `name` start in the file, if it is stored
 * (not compressed): from its central directory entry and its local header.
 * Returns 0, or -1 when the layout is not one followed here (the caller
 * then reads through libzip, which has checked the archive already).
 */
static int stored_member(int fd, uint64_t size, const char *name, uint64_t *start)
{
	uint64_t cd, cdlen, count, at = 0;
	size_t nlen = strlen(name);
	unsigned char *dir, loc[30];
	int rc = -1;

	if (central_directory(fd, size, &cd, &cdlen, &count) != 0 || cdlen > ((uint64_t)1 << 24) ||
	    cd > size || cdlen > size - cd)
		return -1;
	dir = malloc(cdlen ? (size_t)cdlen : 1);
	if (!dir || pread_all(fd, dir, (size_t)cdlen, cd) != 0) {
		free(dir);
		return -1;
	}
	for (uint64_t e = 0; e < count && at + 46 <= cdlen; e++) {
		const unsigned char *h = dir + at;
		size_t n = (size_t)le(h + 28, 2), x = (size_t)le(h + 30, 2), c = (size_t)le(h + 32, 2);
		uint64_t usize = le(h + 24, 4), csize = le(h + 20, 4), lho = le(h + 42, 4);

		if (memcmp(h, "PK\1\2", 4) != 0 || at + 46 + n + x + c > cdlen)
			break;
		if (n == nlen && !memcmp(h + 46, name, n)) {
			/* ZIP64: the fields set to all ones follow in the extra field 1 */
			for (size_t p = 0; p + 4 <= x;) {
				const unsigned char *f = h + 46 + n + p;
				size_t flen = (size_t)le(f + 2, 2), q = 4;

				if (le(f, 2) == 1) {
					if (usize == 0xffffffff && q + 8 <= 4 + flen)
						usize = le(f + q, 8), q += 8;
					if (csize == 0xffffffff && q + 8 <= 4 + flen)
						csize = le(f + q, 8), q += 8;
					if (lho == 0xffffffff && q + 8 <= 4 + flen)
						lho = le(f + q, 8);
				}
				p += 4 + flen;
			}
			if (le(h + 10, 2) == 0 && usize == csize && lho <= size - 30 &&
			    pread_all(fd, loc, sizeof loc, lho) == 0 && !memcmp(loc, "PK\3\4", 4) &&
			    le(loc + 26, 2) == nlen) {
				*start = lho + 30 + nlen + le(loc + 28, 2);
				rc = *start <= size && usize <= size - *start ? 0 : -1;
			}
			break;
		}
		at += 46 + n + x + c;
	}
	free(dir);
	return rc;
}

/* Map the indices and data of r's file (a regular file, members stored,
 * '<i4' and '<f8'); 0, or -1 to read them instead. */
static int view_map(struct npz_view *v, struct npz_reader *r, const char *path)
{
	static const char *names[2] = { "indices.npy", "data.npy" };
	const int item[2] = { 4, 8 };
	uint64_t where[2];
	struct stat st;
	int fd = open(path, O_RDONLY);
	void *map;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -1;
	}
	for (int k = 0; k < 2; k++) {
		zip_stat_t zs;
		uint64_t bytes = (uint64_t)r->nnz * (uint64_t)item[k];

		zip_stat_init(&zs);
		if (zip_stat(r->za, names[k], 0, &zs) != 0 || !(zs.valid & ZIP_STAT_SIZE) ||
		    zs.size < bytes || stored_member(fd, (uint64_t)st.st_size, names[k], &where[k]) != 0 ||
		    where[k] + zs.size > (uint64_t)st.st_size) {
			close(fd);
			return -1;
		}
		/* the array is the member's last bytes, after its .npy header */
		where[k] += zs.size - bytes;
	}
	map = st.st_size ? mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0) : MAP_FAILED;
	close(fd);
	if (map == MAP_FAILED)
		return -1;
	madvise(map, (size_t)st.st_size, MADV_WILLNEED);
	v->map = map;
	v->maplen = (size_t)st.st_size;
	v->indices = (const unsigned char *)map + where[0];
	v->data = (const unsigned char *)map + where[1];
	v->mapped = 1;
	return 0;
}

/* Every mapped entry checked as npz_read checks them, rows in parallel;
 * the message is that of the first bad entry. */
static int view_check(const struct npz_view *v, char *err, size_t errlen)
{
	size_t chunk = 4096, nchunks = (v->nrows + chunk - 1) / chunk;
	size_t bad = (size_t)-1;

	#pragma omp parallel for schedule(dynamic, 1)
	for (size_t b = 0; b < nchunks; b++) {
		size_t end = (b + 1) * chunk < v->nrows ? (b + 1) * chunk : v->nrows;
		char msg[256];

		for (size_t i = b * chunk; i < end; i++) {
			int64_t last = -1;

			for (int64_t k = v->indptr[i]; k < v->indptr[i + 1]; k++) {
				int64_t c = npz_view_col(v, (size_t)k);
				double x = npz_view_val(v, (size_t)k);

				/* the test inline, the message only for a bad entry */
				if (((uint64_t)c >= v->ncols || c <= last || !isfinite(x)) &&
				    entry_error(msg, sizeof msg, v->ncols, i, c, last, x) != 0) {
					#pragma omp critical(npz_view_check)
					if (i < bad) {
						bad = i;
						snprintf(err, errlen, "%s", msg);
					}
					i = end;
					break;
				}
				last = c;
			}
		}
	}
	return bad == (size_t)-1 ? 0 : -1;
}

/* The view takes r's shape and indptr. */
static void view_take(struct npz_view *v, struct npz_reader *r)
{
	v->nrows = r->nrows;
	v->ncols = r->ncols;
	v->nnz = r->nnz;
	v->indptr = v->own_indptr = r->indptr;
	r->indptr = NULL;
}

int npz_view_open(struct npz_view *v, const char *path, char *err, size_t errlen)
{
	struct npz_reader r;

	memset(v, 0, sizeof *v);
	if (npz_open(&r, path) != 0) {
		snprintf(err, errlen, "%s", r.err);
		npz_close(&r);
		return -1;
	}
	if (strcmp(path, "-") != 0 && !r.compressed && r.index_bytes == 4 && r.data_bytes == 8 &&
	    view_map(v, &r, path) == 0) {
		view_take(v, &r);
		npz_close(&r);
		if (view_check(v, err, errlen) != 0) {
			npz_view_close(v);
			return -1;
		}
		return 0;
	}
	if (npz_view_read(v, &r, err, errlen) != 0)
		return -1;
	npz_close(&r);
	return 0;
}

int npz_view_read(struct npz_view *v, struct npz_reader *r, char *err, size_t errlen)
{
	memset(v, 0, sizeof *v);
	if (r->done != 0) {
		fail(r, "entries already read");
		goto bad;
	}
	v->own_indices = malloc((r->nnz ? r->nnz : 1) * sizeof *v->own_indices);
	v->own_data = malloc((r->nnz ? r->nnz : 1) * sizeof *v->own_data);
	if (!v->own_indices || !v->own_data) {
		fail(r, "out of memory (%zu entries)", r->nnz);
		goto bad;
	}
	if (npz_read(r, r->nnz, v->own_indices, v->own_data) != 0)
		goto bad;
	view_take(v, r);
	v->indices = (const unsigned char *)v->own_indices;
	v->data = (const unsigned char *)v->own_data;
	return 0;
bad:
	snprintf(err, errlen, "%s", r->err);
	npz_close(r);
	npz_view_close(v);
	return -1;
}

void npz_view_close(struct npz_view *v)
{
	if (v->map)
		munmap(v->map, v->maplen);
	free(v->own_indptr);
	free(v->own_indices);
	free(v->own_data);
	memset(v, 0, sizeof *v);
}

int npz_load_index(const char *path, int64_t **out, size_t *n, char *err, size_t errlen)
{
	struct npz_reader r;
	struct npy_head d;
	unsigned char pre[12];
	char h[MAX_HEADER];
	size_t plen, hlen;
	int64_t *a = NULL;
	FILE *fp = strcmp(path, "-") ? fopen(path, "rb") : stdin;

	memset(&r, 0, sizeof r);
	*out = NULL;
	*n = 0;
	if (!fp) {
		snprintf(err, errlen, "cannot open: %s", strerror(errno));
		return -1;
	}
	if (fread(pre, 1, 10, fp) != 10 || memcmp(pre, NPY_MAGIC, 6) != 0 ||
	    pre[6] < 1 || pre[6] > 3 || pre[7] != 0) {
		fail(&r, "not a .npy file");
		goto bad;
	}
	plen = pre[6] == 1 ? 10 : 12;
	if (plen == 12 && fread(pre + 10, 1, 2, fp) != 2) {
		fail(&r, "truncated header");
		goto bad;
	}
	hlen = (size_t)pre[8] | (size_t)pre[9] << 8;
	if (plen == 12)
		hlen |= (size_t)pre[10] << 16 | (size_t)pre[11] << 24;
	if (hlen > MAX_HEADER) {
		fail(&r, ".npy header of %zu bytes is longer than numpy allows", hlen);
		goto bad;
	}
	if (fread(h, 1, hlen, fp) != hlen) {
		fail(&r, "truncated header");
		goto bad;
	}
	if (parse_head(&r, NULL, h, h + hlen, &d) != 0)
		goto bad;
	d.itemsize = item_size(d.descr, "<i8 <i4");
	if (!d.itemsize || d.ndim != 1) {
		fail(&r, "expected a 1-D '<i8' or '<i4' array, got dtype '%s' and %d-D",
		     d.descr, d.ndim);
		goto bad;
	}
	a = malloc((d.count ? (size_t)d.count : 1) * sizeof *a);
	if (!a) {
		fail(&r, "out of memory (%llu values)", (unsigned long long)d.count);
		goto bad;
	}
	if (d.itemsize == 8) {
		if (fread(a, 8, (size_t)d.count, fp) != (size_t)d.count)
			goto short_read;
	} else {
		int32_t t[ENTRIES];

		for (size_t at = 0; at < d.count; at += ENTRIES) {
			size_t c = d.count - at < ENTRIES ? (size_t)d.count - at : ENTRIES;

			if (fread(t, 4, c, fp) != c)
				goto short_read;
			for (size_t i = 0; i < c; i++)
				a[at + i] = t[i];
		}
	}
	if (fp != stdin)
		fclose(fp);
	*out = a;
	*n = (size_t)d.count;
	return 0;
short_read:
	fail(&r, "truncated: shape needs %llu values", (unsigned long long)d.count);
bad:
	snprintf(err, errlen, "%s", r.err);
	free(a);
	if (fp != stdin)
		fclose(fp);
	return -1;
}
