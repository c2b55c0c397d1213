/*
 * sha256: SHA-256 digests (FIPS 180-4) of files, for recording which
 * inputs a run was computed from (OpenSSL's libcrypto does the hashing).
 */
#ifndef FORCENET_SHA256_H
#define FORCENET_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256 {
	void *ctx;             /* libcrypto's digest (EVP_MD_CTX) */
	uint64_t len;          /* bytes hashed so far */
};

/* Start a digest (it holds memory until sha256_final() or sha256_free()). */
void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t n);
/* Write the 32-byte digest to out; the digest's memory is freed. */
void sha256_final(struct sha256 *s, unsigned char out[32]);

/* Drop an unfinished digest (safe after sha256_final() and twice). */
void sha256_free(struct sha256 *s);

/* Finish like sha256_final(), as 64 lowercase hex digits + NUL. */
void sha256_final_hex(struct sha256 *s, char hex[65]);

/*
 * Hash the file PATH into hex (64 lowercase digits + NUL).  Returns 0, or
 * -1 with errno set when the file cannot be opened or read.
 */
int sha256_file(const char *path, char hex[65]);

#endif
