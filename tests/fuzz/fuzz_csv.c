/*
 * fuzz_csv: libFuzzer harness of the CSV reader (libcore/csvio.h): a
 * numeric matrix with the header forced, refused or detected, and a table.
 * Built and run by `make fuzz`.
 */
#define _GNU_SOURCE             /* fmemopen */
#include <stdint.h>
#include <stdio.h>

#include "fuzz.h"
#include "csvio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int header[] = { CSVIO_HEADER_AUTO, CSVIO_HEADER_NO, CSVIO_HEADER_YES };
	struct csvio_matrix m;
	struct csvio_table t;
	char err[256];
	FILE *fp;

	fp = fuzz_stream(data, size);
	if (!fp)
		return 0;
	if (csvio_read_matrix(fp, header[size % 3], &m, err, sizeof err) == 0)
		csvio_matrix_free(&m);
	rewind(fp);
	if (csvio_read_table(fp, &t, err, sizeof err) == 0) {
		if (t.cols)
			(void)csvio_table_col(&t, t.names[t.cols - 1]);
		csvio_table_free(&t);
	}
	fclose(fp);
	return 0;
}
