/* opts: see opts.h. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "csvio.h"
#include "err.h"
#include "opts.h"

static void add_tag(struct opts_common *c, const char *arg)
{
	const char *eq = strchr(arg, '=');
	struct opts_tag *t;
	size_t klen;

	if (!eq || eq == arg)
		err_usage("--tag: '%s' is not KEY=VALUE", arg);
	klen = (size_t)(eq - arg);
	if (strcspn(arg, ",\"\r\n") < klen)
		err_usage("--tag: key '%.*s' holds a comma, quote or newline", (int)klen, arg);
	for (size_t i = 0; i < c->ntags; i++)
		if (strlen(c->tags[i].key) == klen && !strncmp(c->tags[i].key, arg, klen))
			err_usage("--tag: key '%.*s' is given twice", (int)klen, arg);
	c->tags = realloc(c->tags, (c->ntags + 1) * sizeof *c->tags);
	if (!c->tags)
		err_die(EXIT_DATA, "out of memory");
	t = &c->tags[c->ntags++];
	t->key = err_malloc(klen + 1);
	memcpy(t->key, arg, klen);
	t->key[klen] = '\0';
	t->value = err_malloc(strlen(eq + 1) + 1);
	strcpy(t->value, eq + 1);
}

void opts_common(struct opts_common *c, int code, const char *arg)
{
	switch (code) {
	case 'h':
		c->usage(stdout);
		if (fclose(stdout) != 0)
			err_die(EXIT_DATA, "stdout: write error");
		exit(EXIT_OK);
	case 'V':
		printf("%s (forcenet) %s\n", err_prog(), FORCENET_VERSION);
		if (fclose(stdout) != 0)
			err_die(EXIT_DATA, "stdout: write error");
		exit(EXIT_OK);
	case 'o':
		c->output = arg;
		break;
	case 'q':
		c->quiet = 1;
		break;
	case OPT_SEED:
		c->seed = opts_u64("--seed", arg);
		c->seed_given = 1;
		break;
	case OPT_TAG:
		add_tag(c, arg);
		break;
	case OPT_NO_HEADER:
		c->no_header = 1;
		break;
	default:
		/* getopt has printed "tool: unrecognized option ..." already. */
		fprintf(stderr, "Try '%s --help' for more information.\n", err_prog());
		exit(EXIT_USAGE);
	}
}

double opts_double(const char *name, const char *arg, double lo, double hi)
{
	double v;
	int rc = csvio_parse_double(arg, &v);

	if (rc == -1)
		err_usage("%s: '%s' is not a number", name, arg);
	if (rc == -2)
		err_usage("%s: '%s' is not a finite number", name, arg);
	if (v < lo || v > hi)
		err_usage("%s: %s is out of range [%g, %g]", name, arg, lo, hi);
	return v;
}

long long opts_int(const char *name, const char *arg, long long lo, long long hi)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(arg, &end, 10);
	if (end == arg || *end) {
		double d;

		/* "1e3" is a whole number too; "2.5" is not. */
		if (csvio_parse_double(arg, &d) == 0 && d == floor(d) && fabs(d) < 9e18) {
			v = (long long)d;
		} else {
			err_usage("%s: '%s' is not a whole number", name, arg);
		}
	} else if (errno == ERANGE) {
		err_usage("%s: %s is out of range [%lld, %lld]", name, arg, lo, hi);
	}
	if (v < lo || v > hi)
		err_usage("%s: %s is out of range [%lld, %lld]", name, arg, lo, hi);
	return v;
}

uint64_t opts_u64(const char *name, const char *arg)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (*arg == '-' || *arg == '\0')
		err_usage("%s: '%s' is not a non-negative whole number", name, arg);
	v = strtoull(arg, &end, 10);
	if (*end)
		err_usage("%s: '%s' is not a non-negative whole number", name, arg);
	if (errno == ERANGE)
		err_usage("%s: %s is out of range [0, %" PRIu64 "]", name, arg, UINT64_MAX);
	return (uint64_t)v;
}

void opts_files(struct opts_common *c, int argc, char **argv)
{
	static char *stdin_only[] = { "-" };
	size_t nstdin = 0;

	if (optind < argc) {
		c->files = argv + optind;
		c->nfiles = (size_t)(argc - optind);
	} else {
		c->files = stdin_only;
		c->nfiles = 1;
	}
	for (size_t i = 0; i < c->nfiles; i++)
		if (!strcmp(c->files[i], "-") && ++nstdin > 1)
			err_usage("stdin ('-') can be read only once");
}

void opts_tags_check(const struct opts_common *c, const char *columns, const char *what)
{
	for (size_t i = 0; i < c->ntags; i++) {
		const char *k = c->tags[i].key, *p = columns;
		size_t klen = strlen(k);

		while (*p) {
			size_t len = strcspn(p, ",");

			if (len == klen && !strncmp(p, k, len))
				err_usage("--tag: key '%s' is already a column of the %s", k, what);
			p += len + (p[len] == ',');
		}
	}
}

void opts_tags_header(const struct opts_common *c, FILE *fp)
{
	for (size_t i = 0; i < c->ntags; i++) {
		csvio_put_str(fp, c->tags[i].key);
		fputc(',', fp);
	}
}

void opts_tags_values(const struct opts_common *c, FILE *fp)
{
	for (size_t i = 0; i < c->ntags; i++) {
		csvio_put_str(fp, c->tags[i].value);
		fputc(',', fp);
	}
}

void opts_free(struct opts_common *c)
{
	for (size_t i = 0; i < c->ntags; i++) {
		free(c->tags[i].key);
		free(c->tags[i].value);
	}
	free(c->tags);
	c->tags = NULL;
	c->ntags = 0;
}
