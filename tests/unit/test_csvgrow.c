/*
 * test_csvgrow: how many reallocations reading one long CSV field costs.
 * libcsv grows a field's buffer through realloc(), which this program
 * interposes to count the calls (tests/libcore-io.bats).
 *
 *   test_csvgrow BYTES      a table "a\n" + a field of BYTES letters;
 *                           prints "reallocs K length L"
 */
#define _GNU_SOURCE             /* RTLD_NEXT, fmemopen */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvio.h"
#include "err.h"

static size_t reallocs;

void *realloc(void *p, size_t n)
{
	static void *(*next)(void *, size_t);

	if (!next)
		*(void **)&next = dlsym(RTLD_NEXT, "realloc");
	reallocs++;
	return next(p, n);
}

int main(int argc, char **argv)
{
	size_t n, before;
	char *text, err[256];
	struct csvio_table t;
	FILE *fp;

	err_init(argv);
	if (argc != 2)
		err_usage("usage: test_csvgrow BYTES");
	n = strtoul(argv[1], NULL, 10);
	text = err_malloc(n + 3);
	memcpy(text, "a\n", 2);
	memset(text + 2, 'x', n);
	text[n + 2] = '\n';
	fp = fmemopen(text, n + 3, "r");
	if (!fp)
		err_die(EXIT_DATA, "fmemopen failed");
	before = reallocs;
	if (csvio_read_table(fp, &t, err, sizeof err) != 0)
		err_die(EXIT_DATA, "%s", err);
	printf("reallocs %zu length %zu\n", reallocs - before, strlen(t.cells[0]));
	csvio_table_free(&t);
	fclose(fp);
	free(text);
	return 0;
}
