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
 * memory; rng_sample_few for k of n in O(k)), rng_uniform_int
 * (gsl_rng_uniform_int).
 *
 * Sub-streams: a quantity drawn in many independent parts with GSL's
 * distributions (the rows of a large matrix, normal values and all) takes
 * part `sub` from rng_new_sub(seed, stream, sub), so that a part's draws do
 * not depend on the order the parts are drawn in nor on the number of
 * threads drawing them.  A sub-stream's MT19937 state is filled with the
 * words of the item generator (seed, stream, sub) below, a 64-bit key, not
 * from a 32-bit seed: among 10^6 parts, 32-bit seeds would give some parts
 * the very same numbers.
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
	RNG_TRAIN = 7,     /* simulate-train: the neurons that train */
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
 * k distinct indices of [0, n) in increasing order, uniformly among the
 * C(n, k) subsets, for k much smaller than n (the in-degree of a neuron
 * among 10^6), from an MT19937 stream: Floyd's algorithm,
 * exactly k draws of rng_uniform_int, but a hash set of
 * the k indices drawn instead of an n-bit mask, then a sort: O(k) time and
 * memory, n plays no part (a mask of 10^6 bits cleared for each of 10^6
 * rows would take longer than the draws); needs k <= n < 2^32.  ws is
 * scratch for at most kmax indices, from rng_sample_ws_new (one per thread).
 */
typedef struct rng_sample_ws rng_sample_ws_t;
rng_sample_ws_t *rng_sample_ws_new(size_t kmax);
void rng_sample_ws_free(rng_sample_ws_t *ws);
void rng_sample_few(rng_t *r, uint32_t n, uint32_t k, uint32_t *out, rng_sample_ws_t *ws);

/* A uniform integer in [0, n), 1 <= n < 2^32 (gsl_rng_uniform_int). */
unsigned long rng_uniform_int(rng_t *r, unsigned long n);

/* A generator for part `sub` of (seed, stream); dies on out of memory. */
rng_t *rng_new_sub(uint64_t seed, enum rng_stream stream, uint64_t sub);

/* Restart r as part `sub` of (seed, stream): the same draws as a fresh
 * rng_new_sub(seed, stream, sub), without an allocation. */
void rng_reseed_sub(rng_t *r, uint64_t seed, enum rng_stream stream, uint64_t sub);

/* A generator's state, to save and restore it (a checkpoint): its size in
 * bytes, a copy of it into state, and the generator set from one. */
size_t rng_state_size(void);
void rng_get_state(const rng_t *r, void *state);
void rng_set_state(rng_t *r, const void *state);

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
