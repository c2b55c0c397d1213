/* rng: see rng.h. */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "rng.h"

struct mt_state;

struct rng {
	gsl_rng *g;
	struct mt_state *st;   /* g's state, for rng_normal()'s fast path */
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

static uint32_t mt_temper(uint32_t y)
{
	y ^= y >> 11;
	y ^= (y << 7) & 0x9d2c5680U;
	y ^= (y << 15) & 0xefc60000U;
	return y ^ (y >> 18);
}

static unsigned long int mt_get(void *vs)
{
	struct mt_state *st = vs;

	if (st->mti >= MT_N)
		mt_refill(st);
	return mt_temper(st->mt[st->mti++]);
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

/*
 * rng_normal() takes GSL's ziggurat (gsl_ran_gaussian_ziggurat) without a
 * call for most draws.  With a generator of 32-bit words GSL draws one word
 * k, takes the level i = k & 0x7f, the sign from bit 7 and j = k >> 8 (24
 * bits), and returns sign * j * wtab[i] at once if j < ktab[i] (about 99 %
 * of the draws); only the other draws go on to more words.  Its tables are
 * not exported, so zig_init() reads them from GSL itself, with a generator
 * that plays a scripted word: ktab[i] is where the draw starts to take more
 * than one word (a binary search on j), wtab[i] the value drawn at j = 1.
 * rng_normals() does the one-word case itself and leaves every other draw,
 * with the state untouched, to GSL, so that every draw is GSL's to the bit.
 * zig_init() checks the tables against GSL's draws at 4 values of j on
 * every level, then 100000 draws against GSL's, and leaves every draw to
 * GSL if a check fails (a GSL with another algorithm).  A draw through
 * rng_normals() takes about 2.4 ns instead of GSL's 5.1 (3.0 when each word
 * was tempered as it was drawn).
 */
static uint32_t zig_k[128];
static double zig_w[128];
static int zig_ok;
static pthread_once_t zig_once = PTHREAD_ONCE_INIT;

struct probe_state {
	uint32_t word;   /* the word played first, then zeros */
	unsigned calls;
};

static void probe_set(void *vs, unsigned long int seed)
{
	(void)vs;
	(void)seed;
}

static unsigned long int probe_get(void *vs)
{
	struct probe_state *p = vs;

	return p->calls++ ? 0 : p->word;
}

static double probe_get_double(void *vs)
{
	return (double)probe_get(vs) / 4294967296.0;
}

static const gsl_rng_type probe_type = {
	"forcenet-ziggurat-probe", 0xffffffffUL, 0, sizeof(struct probe_state),
	&probe_set, &probe_get, &probe_get_double
};

/* GSL's draw from the word of level i (sign +) and j: its value, and
 * whether it took that word alone. */
static double probe(gsl_rng *g, uint32_t i, uint32_t j, int *alone)
{
	struct probe_state *p = g->state;
	double x;

	p->word = (j << 8) | 0x80 | i;
	p->calls = 0;
	x = gsl_ran_gaussian_ziggurat(g, 1.0);
	*alone = p->calls == 1;
	return x;
}

static void zig_init(void)
{
	gsl_rng *g = gsl_rng_alloc(&probe_type), *a, *b;
	int alone, same = 1;

	if (!g)
		return;
	for (uint32_t i = 0; i < 128; i++) {
		uint32_t lo = 0, hi = 1U << 24;

		/* the first j that takes more than one word, or 2^24 */
		while (lo < hi) {
			uint32_t mid = lo + (hi - lo) / 2;

			probe(g, i, mid, &alone);
			if (alone)
				lo = mid + 1;
			else
				hi = mid;
		}
		zig_k[i] = lo;
		zig_w[i] = lo > 1 ? probe(g, i, 1, &alone) : 0;
	}
	/* the check: at every level, GSL's draw at the last one-word j and
	 * in between is j wtab[i]... */
	for (uint32_t i = 0; i < 128; i++) {
		const uint32_t k = zig_k[i], js[4] = { 1, k / 3, k / 2, k - 1 };

		for (int x = 0; x < 4 && k > 1; x++)
			same &= probe(g, i, js[x], &alone) == (double)js[x] * zig_w[i] && alone;
	}
	gsl_rng_free(g);
	/* ... and GSL's draws are these, across refills */
	zig_ok = 1;
	a = gsl_rng_alloc(&mt_type);
	b = gsl_rng_alloc(&mt_type);
	if (!a || !b)
		same = 0;
	else if (same) {
		rng_t mine = { b, b->state };
		double x[1000];

		gsl_rng_set(a, 12345);
		gsl_rng_set(b, 12345);
		for (int n = 0; n < 100 && same; n++) {
			rng_normals(&mine, x, 1000);
			for (int i = 0; i < 1000; i++)
				same &= gsl_ran_gaussian_ziggurat(a, 1.0) == x[i];
		}
	}
	gsl_rng_free(a);
	gsl_rng_free(b);
	zig_ok = same;
}

/* Words tempered at a time by rng_normals() (a vector loop), ahead of the
 * draws that use them. */
#define ZIG_BLOCK 64

void rng_normals(rng_t *r, double *out, size_t n)
{
	struct mt_state *st = r->st;
	size_t i = 0;
	uint32_t tw[ZIG_BLOCK];

	while (i < n) {
		/* the one-word draws, from words tempered a block at a time
		 * (those past a draw that takes more are not used: GSL tempers
		 * its own); the state is written back before any other draw */
		if (zig_ok) {
			size_t mti = (size_t)st->mti;

			while (i < n && mti < MT_N) {
				size_t nb = MT_N - mti, b = 0;

				if (nb > ZIG_BLOCK)
					nb = ZIG_BLOCK;
				if (nb > n - i)
					nb = n - i;
				for (size_t x = 0; x < nb; x++)
					tw[x] = mt_temper(st->mt[mti + x]);
				for (; b < nb; b++, i++) {
					const uint32_t y = tw[b], l = y & 0x7f, j = y >> 8;
					union { double d; uint64_t u; } x = { (double)j * zig_w[l] };

					if (j >= zig_k[l])
						break;
					x.u ^= (uint64_t)(~y & 0x80) << 56;
					out[i] = x.d;
				}
				mti += b;
				if (b < nb)
					break;
			}
			st->mti = (int)mti;
		}
		if (i < n)
			out[i++] = gsl_ran_gaussian_ziggurat(r->g, 1.0);
	}
}

double rng_normal(rng_t *r)
{
	double x;

	rng_normals(r, &x, 1);
	return x;
}

int rng_normal_fast(void)
{
	pthread_once(&zig_once, zig_init);
	return zig_ok;
}

rng_t *rng_new(uint64_t seed, enum rng_stream stream)
{
	rng_t *r = err_malloc(sizeof *r);

	r->g = gsl_rng_alloc(&mt_type);
	if (!r->g)
		err_die(EXIT_DATA, "out of memory (random number generator)");
	gsl_rng_set(r->g, rng_derived_seed(seed, stream));
	r->st = r->g->state;
	pthread_once(&zig_once, zig_init);
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

void rng_shuffle(rng_t *r, size_t *a, size_t n)
{
	gsl_ran_shuffle(r->g, a, n, sizeof *a);
}

unsigned long rng_uniform_int(rng_t *r, unsigned long n)
{
	return gsl_rng_uniform_int(r->g, n);
}

void rng_reseed_sub(rng_t *r, uint64_t seed, enum rng_stream stream, uint64_t sub)
{
	struct mt_state *st = r->st;
	uint64_t key = splitmix64(splitmix64(splitmix64(seed) ^ (uint64_t)stream) ^ sub);

	/* The SplitMix64 sequence (Steele, Lea and Flood, 2014) of the part's
	 * 64-bit key, as the generator's authors advise for filling a large
	 * state from a small key (the state is never all zero in practice:
	 * that takes 312 zero words in a row). */
	for (int i = 0; i < MT_N; i += 2) {
		uint64_t w = splitmix64(key);

		key += 0x9e3779b97f4a7c15ULL;
		st->mt[i] = (uint32_t)w;
		st->mt[i + 1] = (uint32_t)(w >> 32);
	}
	st->mti = MT_N;
}

size_t rng_state_size(void)
{
	return sizeof(struct mt_state);
}

void rng_get_state(const rng_t *r, void *state)
{
	memcpy(state, r->st, sizeof(struct mt_state));
}

void rng_set_state(rng_t *r, const void *state)
{
	memcpy(r->st, state, sizeof(struct mt_state));
}

rng_t *rng_new_sub(uint64_t seed, enum rng_stream stream, uint64_t sub)
{
	rng_t *r = rng_new(seed, stream);

	rng_reseed_sub(r, seed, stream, sub);
	return r;
}

void rng_sample_sorted(rng_t *r, size_t n, size_t k, size_t *out)
{
	size_t chosen = 0;

	/* Algorithm S: take i with probability (still needed)/(still left). */
	for (size_t i = 0; i < n && chosen < k; i++)
		if ((double)(n - i) * gsl_rng_uniform(r->g) < (double)(k - chosen))
			out[chosen++] = i;
}

/*
 * The set of indices drawn so far: open addressing, and a stamp per slot
 * instead of clearing the table between samples.
 */
struct rng_sample_ws {
	uint32_t *key, *stamp, *tmp, mask, now;
	size_t kmax;
};

rng_sample_ws_t *rng_sample_ws_new(size_t kmax)
{
	rng_sample_ws_t *ws = err_malloc(sizeof *ws);
	size_t cap = 1;

	while (cap < 2 * kmax)
		cap <<= 1;
	ws->key = err_malloc(cap * sizeof *ws->key);
	ws->stamp = err_calloc(cap, sizeof *ws->stamp);
	ws->tmp = err_malloc((kmax ? kmax : 1) * sizeof *ws->tmp);
	ws->mask = (uint32_t)(cap - 1);
	ws->now = 0;
	ws->kmax = kmax;
	return ws;
}

void rng_sample_ws_free(rng_sample_ws_t *ws)
{
	if (!ws)
		return;
	free(ws->key);
	free(ws->stamp);
	free(ws->tmp);
	free(ws);
}

/* Add c unless present; returns whether it was added. */
static int set_add(rng_sample_ws_t *ws, uint32_t c)
{
	uint32_t h = (c * 0x9e3779b1u) & ws->mask;

	while (ws->stamp[h] == ws->now) {
		if (ws->key[h] == c)
			return 0;
		h = (h + 1) & ws->mask;
	}
	ws->stamp[h] = ws->now;
	ws->key[h] = c;
	return 1;
}

/* Sort v[0..n), values below 2^bits: insertion for a few, else LSD radix
 * passes of 8 bits through tmp. */
static void sort_indices(uint32_t *v, uint32_t *tmp, size_t n, int bits)
{
	uint32_t *src = v, *dst = tmp;

	if (n <= 32) {
		for (size_t i = 1; i < n; i++) {
			uint32_t x = v[i];
			size_t j = i;

			for (; j && v[j - 1] > x; j--)
				v[j] = v[j - 1];
			v[j] = x;
		}
		return;
	}
	for (int shift = 0; shift < bits; shift += 8) {
		size_t count[257] = { 0 };
		uint32_t *t;

		for (size_t i = 0; i < n; i++)
			count[((src[i] >> shift) & 0xff) + 1]++;
		for (int b = 0; b < 256; b++)
			count[b + 1] += count[b];
		for (size_t i = 0; i < n; i++)
			dst[count[(src[i] >> shift) & 0xff]++] = src[i];
		t = src;
		src = dst;
		dst = t;
	}
	if (src != v)
		memcpy(v, src, n * sizeof *v);
}

void rng_sample_few(rng_t *r, uint32_t n, uint32_t k, uint32_t *out, rng_sample_ws_t *ws)
{
	int bits = 0;

	if (k > ws->kmax || k > n)
		err_die(EXIT_DATA, "rng_sample_few: %u of %u with room for %zu", k, n, ws->kmax);
	/* a new stamp empties the set; on wrapping, clear it for real */
	if (++ws->now == 0) {
		memset(ws->stamp, 0, ((size_t)ws->mask + 1) * sizeof *ws->stamp);
		ws->now = 1;
	}
	for (uint32_t j = n - k, x = 0; j < n; j++, x++) {
		uint32_t t = (uint32_t)rng_uniform_int(r, (unsigned long)j + 1);

		if (set_add(ws, t)) {
			out[x] = t;
		} else {
			set_add(ws, j);
			out[x] = j;
		}
	}
	while (bits < 32 && n > 1 && (n - 1) >> bits)
		bits++;
	sort_indices(out, ws->tmp, k, bits);
}
