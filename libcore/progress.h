/*
 * progress: what a long-running tool is doing, on stderr.
 *
 * One line per completed unit of work ("loop 3/16 train: ..."), written by
 * progress_line().  When stderr is a terminal, progress_tick() also keeps a
 * bar with the fraction done and an estimate of the time left on the
 * current line (redrawn at most ten times a second, erased before each
 * progress_line()).  Quiet mode prints nothing at all.
 */
#ifndef FORCENET_PROGRESS_H
#define FORCENET_PROGRESS_H

#include <stddef.h>

struct progress {
	int quiet;
	int tty;             /* stderr is a terminal: draw the bar */
	int bar_shown;
	size_t total, done;  /* units of work (e.g. steps over the whole run) */
	double t0, last;     /* start and last redraw, seconds */
};

/* Start counting total units; quiet silences everything. */
void progress_start(struct progress *p, size_t total, int quiet);

/* Count n more units done; redraw the bar if stderr is a tty. */
void progress_tick(struct progress *p, size_t n);

/* Print one line "tool: TEXT" (printf format) above the bar. */
void progress_line(struct progress *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Erase the bar (call once at the end). */
void progress_end(struct progress *p);

/* Seconds on a monotonic clock. */
double progress_now(void);

#endif
