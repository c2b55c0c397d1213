/* sha256: SHA-256 through OpenSSL's libcrypto (EVP), which uses the
 * processor's SHA extensions where it has them. */
#include "sha256.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>

void sha256_init(struct sha256 *s)
{
	s->ctx = EVP_MD_CTX_new();
	if (!s->ctx || EVP_DigestInit_ex(s->ctx, EVP_sha256(), NULL) != 1) {
		fputs("sha256: libcrypto cannot start a SHA-256 digest\n", stderr);
		abort();
	}
	s->len = 0;
}

void sha256_update(struct sha256 *s, const void *data, size_t n)
{
	if (n && EVP_DigestUpdate(s->ctx, data, n) != 1) {
		fputs("sha256: libcrypto failed to hash\n", stderr);
		abort();
	}
	s->len += n;
}

void sha256_final(struct sha256 *s, unsigned char out[32])
{
	unsigned int len = 0;

	if (EVP_DigestFinal_ex(s->ctx, out, &len) != 1 || len != 32) {
		fputs("sha256: libcrypto failed to finish a digest\n", stderr);
		abort();
	}
	sha256_free(s);
}

void sha256_free(struct sha256 *s)
{
	EVP_MD_CTX_free(s->ctx);
	s->ctx = NULL;
}

void sha256_final_hex(struct sha256 *s, char hex[65])
{
	unsigned char d[32];

	sha256_final(s, d);
	for (int i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", d[i]);
}

int sha256_file(const char *path, char hex[65])
{
	static unsigned char buf[1 << 20];
	struct sha256 s;
	size_t n;
	FILE *fp = fopen(path, "rb");

	if (!fp)
		return -1;
	sha256_init(&s);
	while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
		sha256_update(&s, buf, n);
	if (ferror(fp)) {
		fclose(fp);
		sha256_free(&s);
		return -1;
	}
	fclose(fp);
	sha256_final_hex(&s, hex);
	return 0;
}
