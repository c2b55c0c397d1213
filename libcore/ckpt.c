#include "ckpt.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "err.h"

static const char MAGIC[16] = "FORCENET-CKPT-1\n";

enum { NAME_LEN = 32 };

void ckpt_create(struct ckpt *c, const char *path)
{
	memset(c, 0, sizeof *c);
	c->path = path;
	c->fp = atomic_open(&c->af, path);
	if (fwrite(MAGIC, 1, sizeof MAGIC, c->fp) != sizeof MAGIC)
		err_die(EXIT_DATA, "%s: write error: %s", path, strerror(errno));
}

void ckpt_put(struct ckpt *c, const char *name, const void *data, size_t n)
{
	char head[NAME_LEN] = { 0 };
	unsigned char size[8];
	uint64_t v = n;

	strncpy(head, name, NAME_LEN - 1);
	for (int k = 0; k < 8; k++)
		size[k] = (unsigned char)(v >> (8 * k));
	if (fwrite(head, 1, NAME_LEN, c->fp) != NAME_LEN || fwrite(size, 1, 8, c->fp) != 8 ||
	    (n && fwrite(data, 1, n, c->fp) != n))
		err_die(EXIT_DATA, "%s: write error: %s", c->path, strerror(errno));
}

void ckpt_commit(struct ckpt *c)
{
	ckpt_put(c, "end", NULL, 0);
	atomic_commit(&c->af);
	c->fp = NULL;
}

static int fail(struct ckpt *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof c->err, fmt, ap);
	va_end(ap);
	return -1;
}

int ckpt_open(struct ckpt *c, const char *path)
{
	char magic[sizeof MAGIC];

	memset(c, 0, sizeof *c);
	c->path = path;
	c->fp = fopen(path, "rb");
	if (!c->fp)
		return fail(c, "cannot open: %s", strerror(errno));
	if (fread(magic, 1, sizeof magic, c->fp) != sizeof magic ||
	    memcmp(magic, MAGIC, sizeof magic))
		return fail(c, "not a checkpoint of this version");
	return 0;
}

int ckpt_get(struct ckpt *c, const char *name, void *data, size_t n)
{
	char head[NAME_LEN + 1] = { 0 };
	unsigned char size[8];
	uint64_t v = 0;

	if (fread(head, 1, NAME_LEN, c->fp) != NAME_LEN || fread(size, 1, 8, c->fp) != 8)
		return fail(c, "section %s: truncated", name);
	for (int k = 0; k < 8; k++)
		v |= (uint64_t)size[k] << (8 * k);
	if (strcmp(head, name))
		return fail(c, "section %s expected, %s found", name, head);
	if (v != n)
		return fail(c, "section %s: %llu bytes, expected %zu", name,
			    (unsigned long long)v, n);
	if (n && fread(data, 1, n, c->fp) != n)
		return fail(c, "section %s: truncated", name);
	return 0;
}

int ckpt_close(struct ckpt *c)
{
	int rc = ckpt_get(c, "end", NULL, 0);

	if (rc == 0 && fgetc(c->fp) != EOF)
		rc = fail(c, "bytes after the end");
	fclose(c->fp);
	c->fp = NULL;
	return rc;
}
