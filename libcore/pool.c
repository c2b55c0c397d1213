#include "pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "err.h"

/* Spins of a waiting thread before it sleeps: about 20-50 us. */
#define POOL_SPINS 20000

struct worker {
	struct pool *p;
	int t;
	pthread_t th;
};

struct pool {
	int n;
	struct worker *w;
	/* the current job; gen counts the jobs handed out */
	void (*fn)(void *, int, int);
	void *arg;
	atomic_uint gen;
	atomic_int left;       /* helpers still running the current job */
	atomic_int quit;
	pthread_mutex_t mu;
	pthread_cond_t go, done;
};

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

static void *worker_main(void *vw)
{
	struct worker *w = vw;
	struct pool *p = w->p;
	unsigned seen = 0;

	for (;;) {
		unsigned g;
		int spins = 0;

		while ((g = atomic_load_explicit(&p->gen, memory_order_acquire)) == seen &&
		       spins < POOL_SPINS) {
			cpu_relax();
			spins++;
		}
		if (g == seen) {
			pthread_mutex_lock(&p->mu);
			while ((g = atomic_load_explicit(&p->gen, memory_order_acquire)) == seen &&
			       !atomic_load(&p->quit))
				pthread_cond_wait(&p->go, &p->mu);
			pthread_mutex_unlock(&p->mu);
		}
		if (g == seen)	/* woken to quit */
			return NULL;
		seen = g;
		p->fn(p->arg, w->t, p->n);
		if (atomic_fetch_sub_explicit(&p->left, 1, memory_order_acq_rel) == 1) {
			pthread_mutex_lock(&p->mu);
			pthread_cond_signal(&p->done);
			pthread_mutex_unlock(&p->mu);
		}
	}
}

struct pool *pool_new(int nthreads)
{
	struct pool *p = err_calloc(1, sizeof *p);

	p->n = nthreads < 1 ? 1 : nthreads;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->go, NULL);
	pthread_cond_init(&p->done, NULL);
	p->w = err_calloc((size_t)p->n, sizeof *p->w);
	for (int t = 1; t < p->n; t++) {
		p->w[t].p = p;
		p->w[t].t = t;
		if (pthread_create(&p->w[t].th, NULL, worker_main, &p->w[t]) != 0)
			err_die(EXIT_DATA, "cannot start %d threads", p->n);
	}
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
		pthread_join(p->w[t].th, NULL);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->go);
	pthread_cond_destroy(&p->done);
	free(p->w);
	free(p);
}

int pool_size(const struct pool *p)
{
	return p ? p->n : 1;
}

void pool_run(struct pool *p, void (*fn)(void *arg, int t, int T), void *arg)
{
	int spins = 0;

	if (!p || p->n == 1) {
		fn(arg, 0, 1);
		return;
	}
	p->fn = fn;
	p->arg = arg;
	atomic_store_explicit(&p->left, p->n - 1, memory_order_relaxed);
	pthread_mutex_lock(&p->mu);
	atomic_fetch_add_explicit(&p->gen, 1, memory_order_release);
	pthread_cond_broadcast(&p->go);
	pthread_mutex_unlock(&p->mu);
	fn(arg, 0, p->n);
	while (atomic_load_explicit(&p->left, memory_order_acquire) > 0 && spins < POOL_SPINS) {
		cpu_relax();
		spins++;
	}
	if (atomic_load_explicit(&p->left, memory_order_acquire) > 0) {
		pthread_mutex_lock(&p->mu);
		while (atomic_load_explicit(&p->left, memory_order_acquire) > 0)
			pthread_cond_wait(&p->done, &p->mu);
		pthread_mutex_unlock(&p->mu);
	}
}

void pool_range(size_t n, int t, int T, size_t *lo, size_t *hi)
{
	*lo = n * (size_t)t / (size_t)T;
	*hi = n * (size_t)(t + 1) / (size_t)T;
}
