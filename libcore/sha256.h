/*
 * sha256: SHA-256 digests (FIPS 180-4) of files, for recording which
 * inputs a run was computed from.
 */
#ifndef FORCENET_SHA256_H
#define FORCENET_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256 {
	uint32_t h[8];
	uint64_t len;          /* bytes hashed so far */
	unsigned char buf[64];
	size_t fill;
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t n);
/* Write the 32-byte digest to out. */
void sha256_final(struct sha256 *s, unsigned char out[32]);

/* Finish like sha256_final(), as 64 lowercase hex digits + NUL. */
void sha256_final_hex(struct sha256 *s, char hex[65]);

/*
 * Hash the file PATH into hex (64 lowercase digits + NUL).  Returns 0, or
 * -1 with errno set when the file cannot be opened or read.
 */
int sha256_file(const char *path, char hex[65]);

#endif
