/*
 * fuzz.h: what the libFuzzer harnesses share (tests/fuzz/*.c, make fuzz).
 */
#ifndef FORCENET_FUZZ_H
#define FORCENET_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The entry point libFuzzer calls with each input. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a read-only stream of unknown size (fmemopen: no file
 * descriptor, so no size to check beforehand), or NULL when it is empty. */
static inline FILE *fuzz_stream(const uint8_t *data, size_t size)
{
	return size ? fmemopen((void *)data, size, "r") : NULL;
}

#endif
