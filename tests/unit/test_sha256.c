/* test_sha256: FIPS 180-4 test vectors, in one piece and byte by byte. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sha256.h"

static int failures;

static void hex(const unsigned char d[32], char out[65])
{
	for (int i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static void check(const char *msg, size_t reps, const char *want)
{
	struct sha256 s, t;
	unsigned char d[32];
	char got[65];
	size_t len = strlen(msg);

	sha256_init(&s);
	for (size_t i = 0; i < reps; i++)
		sha256_update(&s, msg, len);
	sha256_final(&s, d);
	hex(d, got);
	if (strcmp(got, want)) {
		fprintf(stderr, "test_sha256: '%.20s' x %zu: %s, want %s\n", msg, reps, got, want);
		failures++;
	}
	if (reps == 1) {
		sha256_init(&t);
		for (size_t i = 0; i < len; i++)
			sha256_update(&t, msg + i, 1);
		sha256_final(&t, d);
		hex(d, got);
		if (strcmp(got, want)) {
			fprintf(stderr, "test_sha256: byte-wise '%.20s': %s\n", msg, got);
			failures++;
		}
	}
}

int main(void)
{
	char path[] = "/tmp/test_sha256.XXXXXX", got[65];
	int fd;

	check("", 1, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	check("abc", 1, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	check("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
	      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	check("a", 1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	fd = mkstemp(path);
	if (fd < 0 || write(fd, "abc", 3) != 3 || close(fd) != 0 || sha256_file(path, got) != 0 ||
	    strcmp(got, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")) {
		fprintf(stderr, "test_sha256: sha256_file\n");
		failures++;
	}
	unlink(path);
	if (sha256_file("/nonexistent/x", got) == 0) {
		fprintf(stderr, "test_sha256: missing file hashed\n");
		failures++;
	}
	return failures ? 1 : 0;
}
