/*
 * fuzz_arrayin: libFuzzer harness of the input sniffing (libcore/arrayin.h):
 * the input as a regular file (memfd: the size checks and the mapping) and,
 * when it fits a pipe's buffer, through a pipe (the replay of the sniffed
 * bytes and the reading of a stream of unknown size), with the flags
 * ARRAYIN_VECTOR and ARRAYIN_HASH chosen by the input's size; every matrix
 * is viewed, or skipped, by turns.  Built and run by `make fuzz`.
 */
#define _GNU_SOURCE             /* memfd_create */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "arrayin.h"
#include "fuzz.h"

/* Open PATH and deliver its matrices (a thousand at most). */
static void read_all(const char *path, int flags)
{
	struct arrayin a;
	char hex[65];

	if (arrayin_open_flags(&a, path, flags) == 0) {
		for (size_t k = 0; k < 1000; k++) {
			const double *m;
			int rc = k % 4 == 3 ? arrayin_skip(&a, NULL) : arrayin_view(&a, &m);

			if (rc != 1)
				break;
		}
		if (flags & ARRAYIN_HASH)
			(void)arrayin_sha256(&a, hex);
	}
	arrayin_close(&a);
}

static int write_all(int fd, const uint8_t *data, size_t size)
{
	while (size) {
		ssize_t k = write(fd, data, size);

		if (k <= 0)
			return -1;
		data += k;
		size -= (size_t)k;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int flags = (int)(size % 4), fd, p[2];
	char path[64];

	fd = memfd_create("fuzz", MFD_CLOEXEC);
	if (fd >= 0) {
		if (write_all(fd, data, size) == 0) {
			snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
			read_all(path, flags);
		}
		close(fd);
	}
	if (size <= 60000 && size % 8 < 2 && pipe2(p, O_CLOEXEC) == 0) {
		int ok = write_all(p[1], data, size) == 0;

		close(p[1]);
		if (ok) {
			snprintf(path, sizeof path, "/proc/self/fd/%d", p[0]);
			read_all(path, flags);
		}
		close(p[0]);
	}
	return 0;
}
