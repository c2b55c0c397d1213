/*
 * atomic: outputs that appear only when complete.
 *
 * A file output is written to a hidden temporary sibling ".NAME.tmp.XXXXXX"
 * in the same folder and renamed over NAME by atomic_commit(); a run
 * directory likewise (".NAME.tmp.XXXXXX", renamed by atomic_dir_commit()).
 * Until then the temporary path is registered: err_die(), err_usage() and
 * the signal handlers installed by atomic_signals() remove every registered
 * path, so an interrupted or failing tool leaves nothing that looks finished
 * (after SIGKILL only the hidden temporary can remain, never NAME).
 *
 * The path "-" means stdout: nothing is renamed, and atomic_commit() checks
 * that every byte reached it (fflush + fclose), so a full disk is an error.
 *
 * Errors (cannot create, cannot write, cannot rename) are fatal: these
 * functions print "tool: PATH: problem" and exit 1 through err_die().
 */
#ifndef FORCENET_ATOMIC_H
#define FORCENET_ATOMIC_H

#include <stdio.h>

struct atomic_file {
	FILE *fp;       /* the stream to write to */
	char *path;     /* final name (owned), or NULL for stdout */
	char *tmp;      /* temporary name (owned), or NULL for stdout */
	char *buf;      /* the stream's buffer (owned), or NULL */
};

/* Open PATH ("-" = stdout) for binary writing; returns af->fp. */
FILE *atomic_open(struct atomic_file *af, const char *path);

/* Flush, close and rename into place; frees af's names. */
void atomic_commit(struct atomic_file *af);

/* Close and remove the temporary; frees af's names. Safe on stdout. */
void atomic_abort(struct atomic_file *af);

struct atomic_dir {
	char *path;     /* final name (owned) */
	char *tmp;      /* temporary directory being filled (owned) */
	int force;      /* replace an existing PATH at commit */
};

/*
 * Create the temporary directory for PATH and return its name (af->tmp):
 * the caller writes the run's files inside it.  Unless force is set an
 * existing PATH is an error ("PATH: exists (use --force to replace it)").
 */
const char *atomic_dir_open(struct atomic_dir *ad, const char *path, int force);

/*
 * atomic_dir_open() for a run that can be interrupted and resumed: the
 * directory is filled under the fixed name ".NAME.partial" beside PATH and
 * is NOT removed when the tool is interrupted or fails, so that a later
 * call with resume set takes it up again (it must then exist, else the
 * call dies with "PATH: no interrupted run to resume").  Without resume a
 * ".NAME.partial" already there is an error naming it.
 */
const char *atomic_dir_open_kept(struct atomic_dir *ad, const char *path, int force, int resume);

/* Rename the temporary directory to PATH (replacing it when forced). */
void atomic_dir_commit(struct atomic_dir *ad);

/* Remove the temporary directory and its files. */
void atomic_dir_abort(struct atomic_dir *ad);

/* Remove every registered temporary (called by err_die and on signals). */
void atomic_abort_all(void);

/*
 * Install handlers for SIGINT, SIGTERM, SIGHUP and SIGPIPE that remove the
 * registered temporaries, then die of the same signal.
 */
void atomic_signals(void);

#endif
