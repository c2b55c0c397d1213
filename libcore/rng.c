/* rng: see rng.h. */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <stdint.h>
#include <stdlib.h>

#include "err.h"
#include "rng.h"

struct rng {
	gsl_rng *g;
};

/*
 * MT19937 (Matsumoto and Nishimura, 1998) as a GSL generator type, written
 * for speed: the state is refilled 624 words at a time and each draw is a
 * load and the tempering, where GSL's own gsl_rng_mt19937 spends about
 * 7 ns a word.  Same seeding (Knuth's multiplier, 0 meaning 4357) and same
 * words as gsl_rng_mt19937, so GSL's distributions built on it draw the
 * same numbers; test_rng checks this word for word against GSL.
 */
enum { MT_N = 624, MT_M = 397 };

struct mt_state {
	uint32_t mt[MT_N];
	int mti;
};

static void mt_set(void *vs, unsigned long int seed)
{
	struct mt_state *st = vs;
	uint32_t s = (uint32_t)(seed & 0xffffffffUL);

	if (s == 0)
		s = 4357;
	st->mt[0] = s;
	for (int i = 1; i < MT_N; i++)
		st->mt[i] = 1812433253U * (st->mt[i - 1] ^ (st->mt[i - 1] >> 30)) + (uint32_t)i;
	st->mti = MT_N;
}

static void mt_refill(struct mt_state *st)
{
	uint32_t *mt = st->mt;
	int k;

#define MT_MIX(a, b) (((a) & 0x80000000U) | ((b) & 0x7fffffffU))
#define MT_TWIST(y) (((y) >> 1) ^ (((y) & 1U) ? 0x9908b0dfU : 0U))
	for (k = 0; k < MT_N - MT_M; k++)
		mt[k] = mt[k + MT_M] ^ MT_TWIST(MT_MIX(mt[k], mt[k + 1]));
	for (; k < MT_N - 1; k++)
		mt[k] = mt[k + (MT_M - MT_N)] ^ MT_TWIST(MT_MIX(mt[k], mt[k + 1]));
	mt[MT_N - 1] = mt[MT_M - 1] ^ MT_TWIST(MT_MIX(mt[MT_N - 1], mt[0]));
#undef MT_MIX
#undef MT_TWIST
	st->mti = 0;
}

static unsigned long int mt_get(void *vs)
{
	struct mt_state *st = vs;
	uint32_t y;

	if (st->mti >= MT_N)
		mt_refill(st);
	y = st->mt[st->mti++];
	y ^= y >> 11;
	y ^= (y << 7) & 0x9d2c5680U;
	y ^= (y << 15) & 0xefc60000U;
	y ^= y >> 18;
	return y;
}

static double mt_get_double(void *vs)
{
	return (double)mt_get(vs) / 4294967296.0;
}

static const gsl_rng_type mt_type = {
	"forcenet-mt19937", 0xffffffffUL, 0, sizeof(struct mt_state),
	&mt_set, &mt_get, &mt_get_double
};

const void *rng_gsl_type(void)
{
	return &mt_type;
}

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

	r->g = gsl_rng_alloc(&mt_type);
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
