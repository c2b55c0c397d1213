/*
 * err: diagnostics and exit statuses shared by every forcenet tool.
 *
 * Every message goes to stderr as one line "tool: context: problem", where
 * "tool" is the name given to err_init() (the basename of argv[0]).
 * Exit statuses: 0 success, 1 runtime or data error, 2 usage error.
 *
 * err_die() and err_usage() remove every output still pending in the atomic
 * module (temporary files and directories) before exiting, so that a tool
 * that fails never leaves a file that looks finished.
 */
#ifndef FORCENET_ERR_H
#define FORCENET_ERR_H

#include <stdarg.h>
#include <stddef.h>

enum { EXIT_OK = 0, EXIT_DATA = 1, EXIT_USAGE = 2 };

/*
 * Set the program name from argv[0], and point argv[0] at its basename so
 * that getopt's own messages also read "tool: ...".  Call it first: it also
 * makes sure that descriptors 0, 1 and 2 are open, so that no file the tool
 * opens later can take their place (an output given fd 2 would receive the
 * diagnostics; an input given fd 0 would be read as stdin).  A closed one is
 * opened on /dev/null in the direction it is not used in, as glibc does for
 * set-user-ID programs: reading a closed stdin or writing a closed stdout
 * then fails with "Bad file descriptor" instead of finding other data.
 * When even that fails the tool exits with status 1 (and no message: stderr
 * may be the closed one).
 */
void err_init(char **argv);

/* The program name set by err_init(), or "forcenet" before it. */
const char *err_prog(void);

/* Print "tool: <message>\n" on stderr. */
void err_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void err_vwarn(const char *fmt, va_list ap);

/* Print like err_warn(), remove pending outputs, exit with status. */
_Noreturn void err_die(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Print "tool: <message>" and "Try 'tool --help'." then exit 2. */
_Noreturn void err_usage(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/*
 * A handler for the failures of err_die() and err_usage(), for a tool whose
 * processes must agree on how a run ends (dist.h): fn gets the exit status
 * and the whole message as it would be printed (its lines ending in '\n'),
 * instead of the default (print it, remove the pending outputs, exit).  If
 * fn returns, the default follows.  NULL restores the default.
 */
void err_set_handler(void (*fn)(int status, const char *msg));

/* malloc/calloc that die with "tool: out of memory (N bytes)" on failure. */
void *err_malloc(size_t n);
void *err_calloc(size_t count, size_t size);

/*
 * err_malloc() for large arrays (8 MiB and more): aligned to 2 MiB and
 * marked for huge pages where the kernel gives them on request, so that
 * first touching them costs a page fault per 2 MiB instead of per 4 KiB
 * and a random access misses the TLB far less often.  free() releases it.
 */
void *err_malloc_huge(size_t n);
/* The same, returning NULL when out of memory (for modules that report it). */
void *err_try_malloc_huge(size_t n);

/*
 * malloc of count * size bytes for the input or output NAME: dies with
 * "tool: NAME: out of memory (COUNT x SIZE bytes)", also when the product
 * overflows.
 */
void *err_malloc_for(const char *name, size_t count, size_t size);

#endif
