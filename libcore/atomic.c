/* atomic: see atomic.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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

/* Remove a flat directory: run directories hold files only. */
static void remove_dir(const char *dir)
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
	rmdir(dir);
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

/* ".NAME.tmp.XXXXXX" beside PATH; the caller frees. */
static char *tmp_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
	const char *base = path + dirlen;
	size_t n = strlen(path) + 16;
	char *t = err_malloc(n);

	snprintf(t, n, "%.*s.%s.tmp.XXXXXX", (int)dirlen, path, base);
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

FILE *atomic_open(struct atomic_file *af, const char *path)
{
	int fd;

	memset(af, 0, sizeof *af);
	if (!strcmp(path, "-")) {
		af->fp = stdout;
		return af->fp;
	}
	if (!*path)
		err_die(EXIT_USAGE, "empty output file name");
	af->tmp = tmp_name(path);
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

void atomic_commit(struct atomic_file *af)
{
	const char *name = af->path ? af->path : "stdout";
	int bad = fflush(af->fp) != 0 || ferror(af->fp);
	int e = errno;

	if (fclose(af->fp) != 0 && !bad) {
		bad = 1;
		e = errno;
	}
	af->fp = NULL;
	free(af->buf);
	af->buf = NULL;
	if (bad)
		err_die(EXIT_DATA, "%s: write error: %s", name, strerror(e));
	if (af->tmp) {
		if (rename(af->tmp, af->path) != 0)
			err_die(EXIT_DATA, "%s: cannot rename into place: %s",
				af->path, strerror(errno));
		unreg(af->tmp);
		free(af->tmp);
		free(af->path);
	}
	af->tmp = af->path = NULL;
}

void atomic_abort(struct atomic_file *af)
{
	if (af->tmp) {
		if (af->fp)
			fclose(af->fp);
		unlink(af->tmp);
		unreg(af->tmp);
		free(af->tmp);
		free(af->path);
	}
	af->fp = NULL;
	free(af->buf);
	af->buf = NULL;
	af->tmp = af->path = NULL;
}

const char *atomic_dir_open(struct atomic_dir *ad, const char *path, int force)
{
	struct stat st;

	memset(ad, 0, sizeof *ad);
	if (!*path)
		err_die(EXIT_USAGE, "empty output directory name");
	if (!force && stat(path, &st) == 0)
		err_die(EXIT_DATA, "%s: exists (use --force to replace it)", path);
	ad->tmp = tmp_name(path);
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
	const char *slash = strrchr(path, '/');
	size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0, n = strlen(path) + 16;
	struct stat st;

	memset(ad, 0, sizeof *ad);
	if (!*path)
		err_die(EXIT_USAGE, "empty output directory name");
	ad->tmp = err_malloc(n);
	snprintf(ad->tmp, n, "%.*s.%s.partial", (int)dirlen, path, path + dirlen);
	if (resume) {
		if (stat(ad->tmp, &st) != 0 || !S_ISDIR(st.st_mode))
			err_die(EXIT_DATA, "%s: no interrupted run to resume (%s)", path, ad->tmp);
	} else {
		if (!force && stat(path, &st) == 0)
			err_die(EXIT_DATA, "%s: exists (use --force to replace it)", path);
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

	if (ad->force && stat(ad->path, &st) == 0) {
		/* Move the old run aside first: rename() cannot replace a
		 * non-empty directory. */
		old = tmp_name(ad->path);
		if (!mkdtemp(old) || rmdir(old) != 0 || rename(ad->path, old) != 0)
			err_die(EXIT_DATA, "%s: cannot replace: %s", ad->path, strerror(errno));
	}
	if (rename(ad->tmp, ad->path) != 0)
		err_die(EXIT_DATA, "%s: cannot rename into place: %s", ad->path,
			strerror(errno));
	unreg(ad->tmp);
	if (old) {
		remove_dir(old);
		free(old);
	}
	free(ad->tmp);
	free(ad->path);
	ad->tmp = ad->path = NULL;
}

void atomic_dir_abort(struct atomic_dir *ad)
{
	if (ad->tmp) {
		remove_dir(ad->tmp);
		unreg(ad->tmp);
	}
	free(ad->tmp);
	free(ad->path);
	ad->tmp = ad->path = NULL;
}
