/*
 * opts: the command-line options every forcenet tool shares, and checked
 * parsing of numbers.
 *
 * A tool builds its getopt_long table from the OPTS_* macros below plus its
 * own entries (whose codes must be >= OPT_TOOL), its short string from
 * OPTS_SHORT plus its own letters, and passes every code it does not handle
 * itself to opts_common().  Shared options:
 *   -h, --help         usage on stdout, exit 0
 *   -V, --version      "tool (forcenet) VERSION" on stdout, exit 0
 *   -o, --output FILE  where the tool writes its one stream ("-" = stdout)
 *   -q, --quiet        no progress or notes on stderr
 *   --seed N           the seed (0 .. 2^64-1) of every random draw
 *   --tag KEY=VALUE    (analysis tools) a key column prepended to each row;
 *                      repeatable, kept in order; a key given twice is a
 *                      usage error
 *   --no-header        (analysis tools) omit the CSV header row
 * Usage errors (unknown option, missing value, bad number) print one line,
 * "Try 'tool --help'", and exit 2.
 */
#ifndef FORCENET_OPTS_H
#define FORCENET_OPTS_H

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>

enum {
	OPT_SEED = 0x1000,
	OPT_TAG,
	OPT_NO_HEADER,
	OPT_TOOL = 0x1100      /* first code free for a tool's own options */
};

#define OPTS_SHORT "+hVo:q"
#define OPTS_LONG_BASE \
	{ "help", no_argument, NULL, 'h' }, \
	{ "version", no_argument, NULL, 'V' }, \
	{ "output", required_argument, NULL, 'o' }, \
	{ "quiet", no_argument, NULL, 'q' }
#define OPTS_LONG_SEED { "seed", required_argument, NULL, OPT_SEED }
#define OPTS_LONG_TAG \
	{ "tag", required_argument, NULL, OPT_TAG }, \
	{ "no-header", no_argument, NULL, OPT_NO_HEADER }
#define OPTS_LONG_END { NULL, 0, NULL, 0 }

struct opts_tag {
	char *key, *value;
};

struct opts_common {
	const char *output;    /* default set by the tool before parsing */
	int quiet;
	uint64_t seed;         /* default 0 */
	int seed_given;
	struct opts_tag *tags; /* owned */
	size_t ntags;
	int no_header;
	char **files;          /* input operands (set by opts_files) */
	size_t nfiles;
	void (*usage)(FILE *); /* prints the tool's help */
};

/*
 * Handle a shared option code returned by getopt_long ('h', 'V', 'o', 'q',
 * OPT_SEED, OPT_TAG, OPT_NO_HEADER, '?' and ':').  Exits for help, version
 * and usage errors; dies with a usage error for any other code.
 */
void opts_common(struct opts_common *c, int code, const char *arg);

/*
 * Checked numbers for option NAME (as the user wrote it, e.g. "-N" or
 * "--pqif").  Not a number, trailing junk, or outside [lo, hi]: usage error
 * "NAME: 'ARG' is not a number" / "NAME: ARG is out of range [lo, hi]".
 */
double opts_double(const char *name, const char *arg, double lo, double hi);
long long opts_int(const char *name, const char *arg, long long lo, long long hi);
uint64_t opts_u64(const char *name, const char *arg);

/*
 * Take the operands argv[optind..argc-1] as input files; none means stdin
 * ("-").  Naming stdin twice is a usage error.
 */
void opts_files(struct opts_common *c, int argc, char **argv);

/*
 * Refuse (usage error "--tag: key 'K' is already a column of the WHAT") a
 * tag key that is one of the comma-separated COLUMNS of the tool's table,
 * so that a table never holds two columns of one name.  WHAT names the
 * table in the message ("table", "spectrum").  Call after parsing.
 */
void opts_tags_check(const struct opts_common *c, const char *columns, const char *what);

/* Print the tag keys as CSV header fields, each followed by a comma. */
void opts_tags_header(const struct opts_common *c, FILE *fp);

/* Print the tag values, each followed by a comma. */
void opts_tags_values(const struct opts_common *c, FILE *fp);

void opts_free(struct opts_common *c);

#endif
