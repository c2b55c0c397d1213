/*
 * fuzz_npy: libFuzzer harness of the .npy reader (libcore/npy.h): the
 * header parser, then the data reader on a stream whose size is not known
 * beforehand (fmemopen), reading and skipping in chunks, C and Fortran
 * order.  Built and run by `make fuzz`.
 */
#define _GNU_SOURCE             /* fmemopen */
#include <stdint.h>
#include <stdio.h>

#include "fuzz.h"
#include "npy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static double buf[4096];
	struct npy_reader r;
	FILE *fp;

	fp = fuzz_stream(data, size);
	if (!fp)
		return 0;
	if (npy_open_stream(&r, fp, "fuzz") == 0) {
		/* Chunks of sizes 1 to 4096 by turns; every third one skipped. */
		for (size_t k = 0; r.done < r.count; k++) {
			size_t n = r.count - r.done, chunk = (size_t)1 << (k % 13);
			int rc;

			if (n > chunk)
				n = chunk;
			rc = k % 3 == 2 ? npy_skip(&r, n) : npy_read(&r, buf, n);
			if (rc != 0)
				break;
		}
		npy_release(&r);
	}
	fclose(fp);
	return 0;
}
