/*
 * pool: a fixed team of threads that share the simulation's per-step work.
 *
 * pool_for() runs fn on every chunk 0 .. nc-1 of a job; the caller's
 * thread takes chunks too, and the chunks go to whichever thread asks
 * first.  A result that fn computes per chunk (per neuron, say) therefore
 * does not depend on the number of threads, and a thread that the system
 * has descheduled (a busy machine) holds up only the chunk it is running:
 * the others take the rest.  Between two jobs the helper threads spin for
 * a short while (a step of a large network follows the previous one
 * within microseconds) and then sleep, so that a busy machine does not
 * lose a core to threads that wait.  (An OpenMP team with static shares
 * spin-waits by default, and two threads on a loaded 2-core machine then
 * run 40 to 70 times slower than one.)
 *
 * A pool of 1 thread starts no thread, and a NULL pool is one thread:
 * pool_for() then calls fn on each chunk in order.
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

/*
 * fn(arg, c, nc) for every chunk c of 0 .. nc-1 (nc < 2^32), shared by the
 * team; returns when all have run.  fn must not call pool_for().
 */
void pool_for(struct pool *p, size_t nc, void (*fn)(void *arg, size_t c, size_t nc), void *arg);

/*
 * How many chunks to cut n items into for the team: 1 for one thread,
 * else about 4 per thread and at least `grain` items each (at most
 * `most` chunks when most > 0).
 */
size_t pool_chunks(const struct pool *p, size_t n, size_t grain, size_t most);

/* Chunk c's block [*lo, *hi) of [0, n) cut into nc contiguous chunks. */
void pool_range(size_t n, size_t c, size_t nc, size_t *lo, size_t *hi);

#endif
