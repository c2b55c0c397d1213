#include "progress.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "err.h"

double progress_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void progress_start(struct progress *p, size_t total, int quiet)
{
	p->quiet = quiet;
	p->tty = !quiet && isatty(STDERR_FILENO);
	p->bar_shown = 0;
	p->total = total;
	p->done = 0;
	p->t0 = p->last = progress_now();
}

static void erase(struct progress *p)
{
	if (p->bar_shown) {
		fputs("\r\033[K", stderr);
		p->bar_shown = 0;
	}
}

void progress_tick(struct progress *p, size_t n)
{
	double now, frac, eta;
	int width = 30, fill;

	p->done += n;
	if (!p->tty)
		return;
	now = progress_now();
	if (now - p->last < 0.1 && p->done < p->total)
		return;
	p->last = now;
	frac = p->total ? (double)p->done / (double)p->total : 1;
	eta = frac > 0 ? (now - p->t0) * (1 - frac) / frac : 0;
	fill = (int)(frac * width + 0.5);
	fprintf(stderr, "\r%s: [%.*s%*s] %3.0f%% ETA %.0fs\033[K", err_prog(),
		fill, "##############################", width - fill, "",
		100 * frac, eta);
	p->bar_shown = 1;
	fflush(stderr);
}

void progress_line(struct progress *p, const char *fmt, ...)
{
	va_list ap;

	if (p->quiet)
		return;
	erase(p);
	fprintf(stderr, "%s: ", err_prog());
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	p->last = 0;
}

void progress_end(struct progress *p)
{
	if (!p->quiet)
		erase(p);
	fflush(stderr);
}
