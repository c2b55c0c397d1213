/*
 * ckpt: checkpoint files, the state of a run between two loops.
 *
 * A checkpoint is a sequence of named sections, each the raw bytes of an
 * array in this machine's representation (it is read back by the same
 * build on the same kind of machine: it is not an interchange format):
 *     "FORCENET-CKPT-1\n"                 16 bytes
 *     then per section: name (32 bytes, NUL-padded), size (8 bytes,
 *     little-endian), the bytes
 *     then the end: a section named "end" of size 0.
 * Reading checks every name and size against what the reader asks for, in
 * the order written, so that a checkpoint of another build or another run
 * is refused with the name of the first section that differs.
 *
 * Writing goes through the atomic module: the file appears complete or not
 * at all, and replaces the previous checkpoint in one rename.
 */
#ifndef FORCENET_CKPT_H
#define FORCENET_CKPT_H

#include <stddef.h>
#include <stdio.h>

#include "atomic.h"

struct ckpt {
	FILE *fp;
	struct atomic_file af;      /* writing */
	const char *path;
	char err[256];              /* reading: what went wrong */
};

/* Start writing PATH (dies on error). */
void ckpt_create(struct ckpt *c, const char *path);

/* Append section NAME of n bytes (dies on error). */
void ckpt_put(struct ckpt *c, const char *name, const void *data, size_t n);

/* Write the end and commit the file (dies on error). */
void ckpt_commit(struct ckpt *c);

/* Open PATH for reading: 0, or -1 with c->err set. */
int ckpt_open(struct ckpt *c, const char *path);

/* Read the next section, which must be NAME of n bytes, into data: 0, or
 * -1 with c->err set ("section NAME: ..."). */
int ckpt_get(struct ckpt *c, const char *name, void *data, size_t n);

/* Check the end and close: 0, or -1 with c->err set. */
int ckpt_close(struct ckpt *c);

#endif
