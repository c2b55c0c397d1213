/*
 * pool: a fixed team of threads that run one function together, step
 * after step, for the simulation's per-step work.
 *
 * pool_run() hands fn to every thread of the team (the caller is thread
 * 0) and returns when all have finished.  Between two runs the helper
 * threads spin for a short while (a step of a large network follows the
 * previous one within microseconds) and then sleep on a condition
 * variable, so that a busy machine does not lose a core to threads that
 * wait: an OpenMP team spin-waits by default, and two threads on a loaded
 * 2-core machine then run 40 to 70 times slower than one.
 *
 * Work is shared by index ranges (pool_range()): thread t of T takes a
 * contiguous block of [0, n), so that a result computed per index does not
 * depend on the number of threads.
 *
 * A pool of 1 thread starts no thread: pool_run() calls fn directly.
 */
#ifndef FORCENET_POOL_H
#define FORCENET_POOL_H

#include <stddef.h>

struct pool;

/* A team of nthreads >= 1 threads; dies (exit 1) if they cannot start. */
struct pool *pool_new(int nthreads);
void pool_free(struct pool *p);

/* The team's size (1 for a NULL pool). */
int pool_size(const struct pool *p);

/* Run fn(arg, t, T) on every thread t of the T of the team; returns when
 * all have returned.  p may be NULL: fn(arg, 0, 1). */
void pool_run(struct pool *p, void (*fn)(void *arg, int t, int T), void *arg);

/* Thread t's block [*lo, *hi) of [0, n) when T threads share it. */
void pool_range(size_t n, int t, int T, size_t *lo, size_t *hi);

#endif
