/* err: see err.h. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <string.h>
#include <unistd.h>

#include "atomic.h"
#include "err.h"

static const char *prog = "forcenet";
static void (*handler)(int status, const char *msg);

void err_set_handler(void (*fn)(int status, const char *msg))
{
	handler = fn;
}

/* Open a closed descriptor fd on /dev/null with the given flags. */
static void fill_fd(int fd, int flags)
{
	int got;

	if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
		return;
	/* The lowest free descriptor is fd itself: 0, 1, 2 are filled in order. */
	got = open("/dev/null", flags | O_NOCTTY);
	if (got != fd) {
		if (got >= 0)
			close(got);
		_exit(EXIT_DATA);
	}
}

void err_init(char **argv)
{
	char *slash;

	fill_fd(STDIN_FILENO, O_WRONLY);
	fill_fd(STDOUT_FILENO, O_RDONLY);
	fill_fd(STDERR_FILENO, O_RDONLY);
	if (!argv || !argv[0] || !*argv[0])
		return;
	slash = strrchr(argv[0], '/');
	if (slash)
		argv[0] = slash + 1;
	prog = argv[0];
}

const char *err_prog(void)
{
	return prog;
}

void err_vwarn(const char *fmt, va_list ap)
{
	/* The whole line in one write: stderr is unbuffered, and the lines of
	 * processes that share it (make -j, a sweep's log) must not mix. */
	char line[4096];
	int k = snprintf(line, sizeof line, "%s: ", prog);
	size_t len;

	if (k >= 0 && (size_t)k < sizeof line)
		k += vsnprintf(line + k, sizeof line - (size_t)k, fmt, ap);
	len = k < 0 ? 0 : (size_t)k < sizeof line - 1 ? (size_t)k : sizeof line - 2;
	line[len++] = '\n';
	fwrite(line, 1, len, stderr);
}

void err_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vwarn(fmt, ap);
	va_end(ap);
}

/* The end of err_die() and err_usage(): the message through the handler,
 * or printed; then the pending outputs removed and exit. */
static _Noreturn void fail(int status, int usage, const char *fmt, va_list ap)
{
	if (handler) {
		char msg[4096];
		size_t len = (size_t)snprintf(msg, sizeof msg, "%s: ", prog);

		if (len < sizeof msg)
			len += (size_t)vsnprintf(msg + len, sizeof msg - len, fmt, ap);
		if (len < sizeof msg)
			len += (size_t)snprintf(msg + len, sizeof msg - len, "\n");
		if (usage && len < sizeof msg)
			snprintf(msg + len, sizeof msg - len,
				 "Try '%s --help' for more information.\n", prog);
		handler(status, msg);
		fputs(msg, stderr);
	} else {
		err_vwarn(fmt, ap);
		if (usage)
			fprintf(stderr, "Try '%s --help' for more information.\n", prog);
	}
	atomic_abort_all();
	exit(status);
}

void err_die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fail(status, 0, fmt, ap);
}

void err_usage(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fail(EXIT_USAGE, 1, fmt, ap);
}

void *err_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		err_die(EXIT_DATA, "out of memory (%zu bytes)", n);
	return p;
}

void *err_calloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);

	if (!p)
		err_die(EXIT_DATA, "out of memory (%zu x %zu bytes)", count, size);
	return p;
}

void *err_try_malloc_huge(size_t n)
{
	const size_t huge = (size_t)2 << 20;
	void *p;

	if (n < 4 * huge)
		return malloc(n ? n : 1);
	if (n > SIZE_MAX - huge)
		return NULL;
	n = (n + huge - 1) / huge * huge;
	p = aligned_alloc(huge, n);
#ifdef MADV_HUGEPAGE
	if (p)
		madvise(p, n, MADV_HUGEPAGE);
#endif
	return p;
}

void *err_malloc_huge(size_t n)
{
	void *p = err_try_malloc_huge(n);

	if (!p)
		err_die(EXIT_DATA, "out of memory (%zu bytes)", n);
	return p;
}

void *err_malloc_for(const char *name, size_t count, size_t size)
{
	void *p = NULL;

	if (!size || count <= SIZE_MAX / size)
		p = malloc(count && size ? count * size : 1);
	if (!p)
		err_die(EXIT_DATA, "%s: out of memory (%zu x %zu bytes)", name, count, size);
	return p;
}
