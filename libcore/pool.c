#include "pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#include "err.h"

/* Spins of a waiting thread before it sleeps: some tens of microseconds. */
#define POOL_SPINS 20000

/*
 * The job in hand is numbered: `claim` holds its number (bits 40-63), its
 * count of chunks (bits 20-39) and its next chunk (bits 0-19), so that a
 * thread takes a chunk of the job it has read (compare-and-swap) and never
 * one of the next; it reads the job's function only once it holds a chunk,
 * when the caller cannot have moved on.  The caller waits only for the
 * chunks taken, counted in `done`.
 */
#define JOB(c) ((c) >> 40)
#define NCHUNKS(c) ((size_t)((c) >> 20) & 0xfffff)
#define NEXT(c) ((size_t)(c) & 0xfffff)
struct pool {
	int n;
	pthread_t *th;
	void (*fn)(void *, size_t, size_t);
	void *arg;
	_Atomic uint64_t claim;
	atomic_size_t done;
	atomic_int sleepers, waiting, quit;
	pthread_mutex_t mu;
	pthread_cond_t go, fin;
};

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

/* Take and run chunks of job `job` until none is left. */
static void take_chunks(struct pool *p, uint64_t job)
{
	uint64_t c = atomic_load_explicit(&p->claim, memory_order_acquire);

	for (;;) {
		const size_t nc = NCHUNKS(c);

		if (JOB(c) != job || NEXT(c) >= nc)
			return;
		if (!atomic_compare_exchange_weak(&p->claim, &c, c + 1))
			continue;
		p->fn(p->arg, NEXT(c), nc);
		c = atomic_load_explicit(&p->claim, memory_order_acquire);
		if (atomic_fetch_add(&p->done, 1) + 1 == nc && atomic_load(&p->waiting)) {
			pthread_mutex_lock(&p->mu);
			pthread_cond_signal(&p->fin);
			pthread_mutex_unlock(&p->mu);
		}
	}
}

static void *worker_main(void *vp)
{
	struct pool *p = vp;
	uint64_t seen = 0;

	for (;;) {
		uint64_t job;
		int spins = 0;

		while ((job = JOB(atomic_load_explicit(&p->claim, memory_order_acquire))) == seen &&
		       spins < POOL_SPINS && !atomic_load(&p->quit)) {
			cpu_relax();
			spins++;
		}
		if (job == seen) {
			pthread_mutex_lock(&p->mu);
			atomic_fetch_add(&p->sleepers, 1);
			while ((job = JOB(atomic_load(&p->claim))) == seen && !atomic_load(&p->quit))
				pthread_cond_wait(&p->go, &p->mu);
			atomic_fetch_sub(&p->sleepers, 1);
			pthread_mutex_unlock(&p->mu);
		}
		if (job == seen)	/* woken to quit */
			return NULL;
		seen = job;
		take_chunks(p, job);
	}
}

struct pool *pool_new(int nthreads)
{
	struct pool *p = err_calloc(1, sizeof *p);

	p->n = nthreads < 1 ? 1 : nthreads;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->go, NULL);
	pthread_cond_init(&p->fin, NULL);
	p->th = err_calloc((size_t)p->n, sizeof *p->th);
	for (int t = 1; t < p->n; t++)
		if (pthread_create(&p->th[t], NULL, worker_main, p) != 0)
			err_die(EXIT_DATA, "cannot start %d threads", p->n);
	return p;
}

void pool_free(struct pool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	atomic_store(&p->quit, 1);
	pthread_cond_broadcast(&p->go);
	pthread_mutex_unlock(&p->mu);
	for (int t = 1; t < p->n; t++)
		pthread_join(p->th[t], NULL);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->go);
	pthread_cond_destroy(&p->fin);
	free(p->th);
	free(p);
}

int pool_size(const struct pool *p)
{
	return p ? p->n : 1;
}

void pool_for(struct pool *p, size_t nc, void (*fn)(void *arg, size_t c, size_t nc), void *arg)
{
	uint64_t job;
	int spins = 0;

	if (!p || p->n == 1 || nc <= 1) {
		for (size_t c = 0; c < nc; c++)
			fn(arg, c, nc);
		return;
	}
	if (nc > 0xfffff)
		err_die(EXIT_DATA, "pool: %zu chunks (at most %d)", nc, 0xfffff);
	/* every chunk of the previous job is done: nobody reads these now */
	p->fn = fn;
	p->arg = arg;
	atomic_store_explicit(&p->done, 0, memory_order_relaxed);
	job = (JOB(atomic_load_explicit(&p->claim, memory_order_relaxed)) + 1) & 0xffffff;
	atomic_store(&p->claim, job << 40 | (uint64_t)nc << 20);
	if (atomic_load(&p->sleepers)) {
		pthread_mutex_lock(&p->mu);
		pthread_cond_broadcast(&p->go);
		pthread_mutex_unlock(&p->mu);
	}
	take_chunks(p, job);
	while (atomic_load_explicit(&p->done, memory_order_acquire) < nc && spins < POOL_SPINS) {
		cpu_relax();
		spins++;
	}
	if (atomic_load(&p->done) < nc) {
		pthread_mutex_lock(&p->mu);
		atomic_store(&p->waiting, 1);
		while (atomic_load(&p->done) < nc)
			pthread_cond_wait(&p->fin, &p->mu);
		atomic_store(&p->waiting, 0);
		pthread_mutex_unlock(&p->mu);
	}
}

void pool_range(size_t n, size_t c, size_t nc, size_t *lo, size_t *hi)
{
	*lo = (size_t)((unsigned __int128)n * c / nc);
	*hi = (size_t)((unsigned __int128)n * (c + 1) / nc);
}

size_t pool_chunks(const struct pool *p, size_t n, size_t grain, size_t most)
{
	size_t nc = 4 * (size_t)pool_size(p);

	if (pool_size(p) == 1)
		return 1;
	if (nc > n / (grain ? grain : 1))
		nc = n / (grain ? grain : 1);
	if (most && nc > most)
		nc = most;
	return nc ? nc : 1;
}
