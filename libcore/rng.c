/* rng: see rng.h. */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <stdlib.h>

#include "err.h"
#include "rng.h"

struct rng {
	gsl_rng *g;
};

static uint64_t splitmix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

unsigned long rng_derived_seed(uint64_t seed, enum rng_stream stream)
{
	uint64_t h = splitmix64(splitmix64(seed) ^ (uint64_t)stream);

	/* MT19937 keeps 32 bits of its seed; 0 would mean GSL's default. */
	h = (h ^ (h >> 32)) & 0xffffffffULL;
	return h ? (unsigned long)h : 1UL;
}

rng_t *rng_new(uint64_t seed, enum rng_stream stream)
{
	rng_t *r = err_malloc(sizeof *r);

	r->g = gsl_rng_alloc(gsl_rng_mt19937);
	if (!r->g)
		err_die(EXIT_DATA, "out of memory (random number generator)");
	gsl_rng_set(r->g, rng_derived_seed(seed, stream));
	return r;
}

void rng_free(rng_t *r)
{
	if (!r)
		return;
	gsl_rng_free(r->g);
	free(r);
}

double rng_uniform(rng_t *r)
{
	return gsl_rng_uniform(r->g);
}

double rng_normal(rng_t *r)
{
	return gsl_ran_gaussian_ziggurat(r->g, 1.0);
}

void rng_shuffle(rng_t *r, size_t *a, size_t n)
{
	gsl_ran_shuffle(r->g, a, n, sizeof *a);
}

void rng_sample_sorted(rng_t *r, size_t n, size_t k, size_t *out)
{
	size_t chosen = 0;

	/* Algorithm S: take i with probability (still needed)/(still left). */
	for (size_t i = 0; i < n && chosen < k; i++)
		if ((double)(n - i) * gsl_rng_uniform(r->g) < (double)(k - chosen))
			out[chosen++] = i;
}
