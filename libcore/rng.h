/*
 * rng: random numbers for forcenet, on MT19937: the words of GSL's
 * gsl_rng_mt19937, from a faster implementation of the same generator
 * (rng.c), under GSL's distributions.
 *
 * One seed, many independent streams: every random quantity of the model
 * has its own stream, seeded from (seed, stream id) through the SplitMix64
 * mixer, so that one seed gives the same initial weights, the same target,
 * the same kick and the same initial state whatever the other options
 * (pqif, vrest, ...) and whichever of these tools runs first.  Changing the
 * seed changes all of them.  The stream ids are fixed here, forever:
 * changing one changes every published result.
 *
 * Draws: rng_uniform in [0,1) (gsl_rng_uniform), rng_normal (standard
 * normal, GSL's ziggurat; rng_normals for n at once), rng_shuffle
 * (gsl_ran_shuffle), and rng_sample_sorted (k distinct indices of 0..n-1,
 * in increasing order, by Knuth's selection sampling: O(n) time, no O(n)
 * memory).
 */
#ifndef FORCENET_RNG_H
#define FORCENET_RNG_H

#include <stddef.h>
#include <stdint.h>

enum rng_stream {
	RNG_WEIGHTS = 1,   /* init-weights: positions and values */
	RNG_TARGET = 2,    /* gen-target: amplitudes, phases, frequency groups; OU paths */
	RNG_KICK = 3,      /* simulate-train: external kick amplitudes A_i */
	RNG_STATE = 4,     /* simulate-train: initial state x_i */
	RNG_NOISE = 5,     /* simulate-train: the dynamics' noise */
	RNG_PLASTIC = 6,   /* simulate-train: each neuron's plastic inputs */
};

typedef struct rng rng_t;

/* A new generator for (seed, stream); dies on out of memory. */
rng_t *rng_new(uint64_t seed, enum rng_stream stream);
void rng_free(rng_t *r);

double rng_uniform(rng_t *r);              /* [0, 1) */
double rng_normal(rng_t *r);               /* N(0, 1) */
void rng_normals(rng_t *r, double *out, size_t n);  /* n of them, in order */
void rng_shuffle(rng_t *r, size_t *a, size_t n);

/* Fill out[0..k-1] with k distinct sorted indices in [0, n); needs k <= n. */
void rng_sample_sorted(rng_t *r, size_t n, size_t k, size_t *out);

/*
 * Per-item draws (one small generator per neuron, say) for choices that
 * must not depend on how the items are shared among threads or processes:
 * item `index` of (seed, stream) gets its own SplitMix64 sequence (Steele,
 * Lea and Flood, 2014), seeded through the same mixer as the streams.
 */
struct rng_item {
	uint64_t s;
};

void rng_item_init(struct rng_item *g, uint64_t seed, enum rng_stream stream, uint64_t index);
uint64_t rng_item_next(struct rng_item *g);

/* Uniform in [0, n), n >= 1, without bias (Lemire's method). */
uint64_t rng_item_below(struct rng_item *g, uint64_t n);

/*
 * k distinct indices of 0..n-1 (k <= n), uniformly, in increasing order,
 * into out, by Floyd's algorithm: k draws; mark is scratch of
 * (n + 63) / 64 words.
 */
void rng_item_sample(struct rng_item *g, size_t n, size_t k, size_t *out, uint64_t *mark);

/* The 32-bit MT19937 seed derived from (seed, stream), for the record. */
unsigned long rng_derived_seed(uint64_t seed, enum rng_stream stream);

/* Whether rng_normal() draws GSL's ziggurat numbers itself (its fast path,
 * checked against GSL when the first generator is made) or calls GSL for
 * every draw; the numbers are GSL's either way. */
int rng_normal_fast(void);

/* The generator type behind every stream, a const gsl_rng_type * (for the
 * tests, which check it against GSL's own gsl_rng_mt19937). */
const void *rng_gsl_type(void);

#endif
