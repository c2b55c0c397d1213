/*
 * killrename: an LD_PRELOAD shim that interrupts a sweep at a chosen output,
 * for tests/sweep.bats.
 *
 * Every output of the pipeline is written under a temporary name and
 * renamed into place when complete (atomic.h, sweep.mk's `mv $@.tmp $@`).
 * When the new name given to rename(), renameat() or renameat2() matches the
 * fnmatch(3) pattern $KILL_AT_RENAME, the process prints one line on stderr
 * and sends SIGKILL to its process group instead of renaming: the whole
 * make dies with that output fully written under its temporary name, the
 * latest and worst point of an interrupt.  The kill is sent only when the
 * process group is $KILL_PGID (the test starts make as the leader of its
 * own session and group), never to the group of whatever started it.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fnmatch.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void kill_at(const char *to)
{
	const char *pat = getenv("KILL_AT_RENAME"), *pg = getenv("KILL_PGID");

	if (!pat || !*pat || !pg || fnmatch(pat, to, 0) != 0)
		return;
	if (atol(pg) != (long)getpgrp()) {
		dprintf(2, "killrename: process group %ld is not KILL_PGID=%s: no kill\n",
			(long)getpgrp(), pg);
		return;
	}
	dprintf(2, "killrename: SIGKILL before renaming to %s\n", to);
	kill(0, SIGKILL);
	for (;;)
		pause();
}

int rename(const char *from, const char *to)
{
	int (*real)(const char *, const char *) =
		(int (*)(const char *, const char *))dlsym(RTLD_NEXT, "rename");

	kill_at(to);
	return real(from, to);
}

int renameat(int fromfd, const char *from, int tofd, const char *to)
{
	int (*real)(int, const char *, int, const char *) =
		(int (*)(int, const char *, int, const char *))dlsym(RTLD_NEXT, "renameat");

	kill_at(to);
	return real(fromfd, from, tofd, to);
}

int renameat2(int fromfd, const char *from, int tofd, const char *to, unsigned int flags)
{
	int (*real)(int, const char *, int, const char *, unsigned int) =
		(int (*)(int, const char *, int, const char *, unsigned int))
		dlsym(RTLD_NEXT, "renameat2");

	kill_at(to);
	return real(fromfd, from, tofd, to, flags);
}
