/* atomic: see atomic.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"
#include "err.h"

/* Buffer of each file written through atomic_open(). */
#define ATOMIC_BUFSIZE ((size_t)1 << 18)
/* What a temporary adds to a name: ".", ".tmp.XXXXXX". */
#define TMP_EXTRA 12

/*
 * The registry is a fixed table so that the signal handler touches no
 * allocator: it only reads strings that stay valid until unregistered.
 */
#define MAX_PENDING 64
static struct {
	const char *path;
	int is_dir;
} pending[MAX_PENDING];

static void reg(const char *path, int is_dir)
{
	for (int i = 0; i < MAX_PENDING; i++)
		if (!pending[i].path) {
			pending[i].is_dir = is_dir;
			pending[i].path = path;
			return;
		}
	err_die(EXIT_DATA, "too many outputs open at once (max %d)", MAX_PENDING);
}

static void unreg(const char *path)
{
	for (int i = 0; i < MAX_PENDING; i++)
		if (pending[i].path == path)
			pending[i].path = NULL;
}

/* Remove a flat directory: run directories hold files only.  Returns the
 * status of the final rmdir (errno set). */
static int remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char buf[4096];

	if (d) {
		while ((e = readdir(d))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			if ((size_t)snprintf(buf, sizeof buf, "%s/%s", dir, e->d_name) < sizeof buf)
				unlink(buf);
		}
		closedir(d);
	}
	return rmdir(dir);
}

void atomic_abort_all(void)
{
	for (int i = 0; i < MAX_PENDING; i++) {
		const char *p = pending[i].path;

		if (!p)
			continue;
		pending[i].path = NULL;
		if (pending[i].is_dir)
			remove_dir(p);
		else
			unlink(p);
	}
}

static void on_signal(int sig)
{
	atomic_abort_all();
	signal(sig, SIG_DFL);
	raise(sig);
}

void atomic_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
		sigaddset(&sa.sa_mask, sigs[i]);
	for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
		sigaction(sigs[i], &sa, NULL);
}

/* ".NAME.tmp.XXXXXX" beside PATH, NAME cut so that it fits NAME_MAX;
 * the caller frees. */
static char *tmp_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
	const char *base = path + dirlen;
	size_t keep = strlen(base), n = strlen(path) + 16;
	char *t = err_malloc(n);

	if (keep > NAME_MAX - TMP_EXTRA)
		keep = NAME_MAX - TMP_EXTRA;
	snprintf(t, n, "%.*s.%.*s.tmp.XXXXXX", (int)dirlen, path, (int)keep, base);
	return t;
}

/* umask(2) can only be read by setting it: set it back at once. */
static mode_t current_umask(void)
{
	mode_t um = umask(0);

	umask(um);
	return um;
}

static char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(err_malloc(n), s, n);
}

/*
 * PATH with the symbolic links of its last component followed, so that a
 * rename replaces the file a link points to and not the link.  The links of
 * the folders above need no following: a rename works through them.  A
 * dangling link gives the path it points to (the file to create).
 * *via_proc is set when a link leads into /proc (/dev/stdout, /dev/fd/N):
 * those name an open descriptor, not a place for a temporary.
 */
static char *resolve(const char *path, int *via_proc)
{
	char *cur = xstrdup(path);

	*via_proc = 0;
	for (int hop = 0; hop < 40; hop++) {
		struct stat st;
		char target[PATH_MAX];
		ssize_t n;
		char *next;

		if (!strncmp(cur, "/proc/", 6))
			*via_proc = 1;
		if (lstat(cur, &st) != 0 || !S_ISLNK(st.st_mode))
			return cur;
		n = readlink(cur, target, sizeof target - 1);
		if (n < 0)
			return cur;
		target[n] = '\0';
		if (target[0] == '/') {
			next = xstrdup(target);
		} else {
			const char *slash = strrchr(cur, '/');
			size_t dirlen = slash ? (size_t)(slash - cur) + 1 : 0;

			next = err_malloc(dirlen + (size_t)n + 1);
			memcpy(next, cur, dirlen);
			memcpy(next + dirlen, target, (size_t)n + 1);
		}
		free(cur);
		cur = next;
	}
	err_die(EXIT_DATA, "%s: too many levels of symbolic links", path);
}

/* The stream of af on the open descriptor fd, for the output PATH. */
static FILE *attach(struct atomic_file *af, const char *path, int fd)
{
	af->path = xstrdup(path);
	af->fp = fdopen(fd, "wb");
	if (!af->fp)
		err_die(EXIT_DATA, "%s: cannot open: %s", path, strerror(errno));
	/* Arrays of megabytes: a few large writes rather than thousands of
	 * 4 KiB ones.  (glibc ignores the size unless it is given the buffer.) */
	af->buf = err_malloc(ATOMIC_BUFSIZE);
	setvbuf(af->fp, af->buf, _IOFBF, ATOMIC_BUFSIZE);
	return af->fp;
}

/* Write through to what cannot be replaced (a device, a FIFO, an open
 * descriptor): opened as it is, never renamed over nor removed. */
static FILE *open_through(struct atomic_file *af, const char *path, int append)
{
	int fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC | (append ? O_APPEND : 0));

	if (fd < 0)
		err_die(EXIT_DATA, "%s: cannot open: %s", path, strerror(errno));
	return attach(af, path, fd);
}

FILE *atomic_open(struct atomic_file *af, const char *path)
{
	struct stat st;
	int fd, via_proc;

	memset(af, 0, sizeof *af);
	if (!strcmp(path, "-")) {
		af->fp = stdout;
		return af->fp;
	}
	if (!*path)
		err_die(EXIT_USAGE, "empty output file name");
	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			err_die(EXIT_DATA, "%s: is a directory", path);
		if (!S_ISREG(st.st_mode))
			return open_through(af, path, 0);
	}
	af->dest = resolve(path, &via_proc);
	if (via_proc) {
		free(af->dest);
		af->dest = NULL;
		return open_through(af, path, 1);
	}
	af->tmp = tmp_name(af->dest);
	fd = mkstemp(af->tmp);
	if (fd < 0) {
		int e = errno;

		free(af->tmp);
		af->tmp = NULL;
		err_die(EXIT_DATA, "%s: cannot create: %s", path, strerror(e));
	}
	/* mkstemp makes 0600; outputs are ordinary files for the user's umask. */
	fchmod(fd, 0666 & ~current_umask());
	reg(af->tmp, 0);
	return attach(af, path, fd);
}

void atomic_close(struct atomic_file *af)
{
	const char *name = af->path ? af->path : "stdout";
	int bad, e;

	if (!af->fp)
		return;
	bad = fflush(af->fp) != 0 || ferror(af->fp);
	e = errno;
	if (fclose(af->fp) != 0 && !bad) {
		bad = 1;
		e = errno;
	}
	af->fp = NULL;
	free(af->buf);
	af->buf = NULL;
	if (bad)
		err_die(EXIT_DATA, "%s: write error: %s", name, strerror(e));
}

static void free_names(struct atomic_file *af)
{
	free(af->tmp);
	free(af->path);
	free(af->dest);
	af->tmp = af->path = af->dest = NULL;
}

void atomic_commit(struct atomic_file *af)
{
	atomic_close(af);
	if (af->tmp) {
		if (rename(af->tmp, af->dest) != 0)
			err_die(EXIT_DATA, "%s: cannot rename into place: %s",
				af->path, strerror(errno));
		unreg(af->tmp);
	}
	free_names(af);
}

void atomic_abort(struct atomic_file *af)
{
	if (af->fp && af->fp != stdout)
		fclose(af->fp);
	if (af->tmp) {
		unlink(af->tmp);
		unreg(af->tmp);
	}
	af->fp = NULL;
	free(af->buf);
	af->buf = NULL;
	free_names(af);
}

/* The folder of PATH resolved (realpath) followed by its last component;
 * NULL when the folder does not exist.  The caller frees. */
static char *canonical(const char *path)
{
	int via_proc;
	char *r = resolve(path, &via_proc), *slash = strrchr(r, '/'), *dir, *out;
	const char *base = slash ? slash + 1 : r;
	size_t n;

	if (slash == r)
		dir = realpath("/", NULL);
	else if (slash) {
		*slash = '\0';
		dir = realpath(r, NULL);
	} else
		dir = realpath(".", NULL);
	if (!dir) {
		free(r);
		return NULL;
	}
	n = strlen(dir) + strlen(base) + 2;
	out = err_malloc(n);
	snprintf(out, n, "%s/%s", dir, base);
	free(dir);
	free(r);
	return out;
}

int atomic_same_output(const char *a, const char *b)
{
	struct stat sa, sb;
	char *ca, *cb;
	int same;

	if (!strcmp(a, b))
		return 1;
	if (!strcmp(a, "-") || !strcmp(b, "-"))
		return 0;
	if (stat(a, &sa) == 0 && stat(b, &sb) == 0)
		return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
	ca = canonical(a);
	cb = canonical(b);
	same = ca && cb && !strcmp(ca, cb);
	free(ca);
	free(cb);
	return same;
}

/* Refuse to replace what is not a run directory: only regular files in it. */
static void check_replaceable(const char *path, const char *dest)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	char buf[PATH_MAX];

	if (lstat(dest, &st) != 0)
		return;
	if (!S_ISDIR(st.st_mode))
		err_die(EXIT_DATA, "%s: exists and is not a directory (--force replaces "
			"only a run directory)", path);
	d = opendir(dest);
	if (!d)
		err_die(EXIT_DATA, "%s: cannot read: %s", path, strerror(errno));
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if ((size_t)snprintf(buf, sizeof buf, "%s/%s", dest, e->d_name) >= sizeof buf ||
		    lstat(buf, &st) != 0 || !S_ISREG(st.st_mode)) {
			char name[NAME_MAX + 1];

			snprintf(name, sizeof name, "%s", e->d_name);
			closedir(d);
			err_die(EXIT_DATA, "%s: holds '%s', which is not a file of a run "
				"(--force replaces only a run directory)", path, name);
		}
	}
	closedir(d);
}

/* A run directory's destination: refused when it exists, unless --force
 * and it is a directory that may be replaced. */
static void check_dest(const char *path, const char *dest, int force)
{
	struct stat st;

	if (lstat(dest, &st) == 0) {
		if (!force)
			err_die(EXIT_DATA, "%s: exists (use --force to replace it)", path);
		check_replaceable(path, dest);
	}
}

const char *atomic_dir_open(struct atomic_dir *ad, const char *path, int force)
{
	int via_proc;

	memset(ad, 0, sizeof *ad);
	if (!*path)
		err_die(EXIT_USAGE, "empty output directory name");
	ad->dest = resolve(path, &via_proc);
	check_dest(path, ad->dest, force);
	ad->tmp = tmp_name(ad->dest);
	if (!mkdtemp(ad->tmp)) {
		int e = errno;

		err_die(EXIT_DATA, "%s: cannot create: %s", path, strerror(e));
	}
	/* mkdtemp makes 0700; a run directory is an ordinary one. */
	chmod(ad->tmp, 0777 & ~current_umask());
	reg(ad->tmp, 1);
	ad->path = xstrdup(path);
	ad->force = force;
	return ad->tmp;
}

const char *atomic_dir_open_kept(struct atomic_dir *ad, const char *path, int force, int resume)
{
	const char *slash, *dest;
	size_t dirlen, n;
	struct stat st;
	int via_proc;

	memset(ad, 0, sizeof *ad);
	if (!*path)
		err_die(EXIT_USAGE, "empty output directory name");
	/* beside what the rename will replace: a link's directory */
	ad->dest = resolve(path, &via_proc);
	dest = ad->dest;
	slash = strrchr(dest, '/');
	dirlen = slash ? (size_t)(slash - dest) + 1 : 0;
	n = strlen(dest) + 16;
	ad->tmp = err_malloc(n);
	snprintf(ad->tmp, n, "%.*s.%s.partial", (int)dirlen, dest, dest + dirlen);
	if (resume) {
		if (stat(ad->tmp, &st) != 0 || !S_ISDIR(st.st_mode))
			err_die(EXIT_DATA, "%s: no interrupted run to resume (%s)", path, ad->tmp);
	} else {
		check_dest(path, dest, force);
		if (stat(ad->tmp, &st) == 0)
			err_die(EXIT_DATA, "%s: an interrupted run is in %s (--resume finishes "
				"it; or remove it)", path, ad->tmp);
		if (mkdir(ad->tmp, 0777) != 0)
			err_die(EXIT_DATA, "%s: cannot create: %s", path, strerror(errno));
	}
	ad->path = xstrdup(path);
	ad->force = force;
	return ad->tmp;
}

void atomic_dir_commit(struct atomic_dir *ad)
{
	struct stat st;
	char *old = NULL;

	if (ad->force && lstat(ad->dest, &st) == 0) {
		/* Move the old run aside first: rename() cannot replace a
		 * non-empty directory.  Checked again: it may have changed
		 * since atomic_dir_open(). */
		check_replaceable(ad->path, ad->dest);
		old = tmp_name(ad->dest);
		if (!mkdtemp(old) || rmdir(old) != 0 || rename(ad->dest, old) != 0)
			err_die(EXIT_DATA, "%s: cannot replace: %s", ad->path, strerror(errno));
	}
	if (rename(ad->tmp, ad->dest) != 0) {
		int e = errno;

		if (old)
			rename(old, ad->dest);
		err_die(EXIT_DATA, "%s: cannot rename into place: %s", ad->path, strerror(e));
	}
	unreg(ad->tmp);
	if (old) {
		if (remove_dir(old) != 0)
			err_warn("%s: the replaced run is left in %s: %s", ad->path, old,
				 strerror(errno));
		free(old);
	}
	free(ad->tmp);
	free(ad->path);
	free(ad->dest);
	ad->tmp = ad->path = ad->dest = NULL;
}

void atomic_dir_abort(struct atomic_dir *ad)
{
	if (ad->tmp) {
		remove_dir(ad->tmp);
		unreg(ad->tmp);
	}
	free(ad->tmp);
	free(ad->path);
	free(ad->dest);
	ad->tmp = ad->path = ad->dest = NULL;
}
