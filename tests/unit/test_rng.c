/*
 * test_rng: statistical and contract checks of libcore/rng, run by
 * tests/libcore-rng.bats.  Prints one line per check ("ok"/"FAIL") and exits
 * 1 if any failed.  Tolerances are stated next to each check; all draws use
 * fixed seeds, so a pass is reproducible.
 */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "rng.h"

static int failures;

static void check(int ok, const char *what)
{
	printf("%s %s\n", ok ? "ok" : "FAIL", what);
	if (!ok)
		failures++;
}

static int cmp_u64(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a, y = *(const unsigned long long *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	(void)argc;
	err_init(argv);

	/* Same (seed, stream): same sequence; other seed or stream: different. */
	{
		rng_t *a = rng_new(42, RNG_NOISE), *b = rng_new(42, RNG_NOISE);
		rng_t *c = rng_new(43, RNG_NOISE), *d = rng_new(42, RNG_KICK);
		int same = 1, diff_seed = 0, diff_stream = 0;

		for (int i = 0; i < 1000; i++) {
			double x = rng_uniform(a), y = rng_uniform(b);
			double z = rng_uniform(c), t = rng_uniform(d);

			same &= x == y;
			diff_seed += x != z;
			diff_stream += x != t;
		}
		check(same, "same seed and stream give the same sequence");
		check(diff_seed > 990, "another seed gives another sequence");
		check(diff_stream > 990, "another stream gives another sequence");
		rng_free(a);
		rng_free(b);
		rng_free(c);
		rng_free(d);
	}

	/* The fast MT19937 behind the streams draws GSL's own gsl_rng_mt19937
	 * words, uniforms and ziggurat normals, bit for bit, from the same seeds
	 * (0 included, which both take as 4357), across several refills. */
	{
		const unsigned long seeds[] = { 0, 1, 4357, 42, 0xffffffffUL,
						rng_derived_seed(3, RNG_NOISE) };
		int words = 1, unif = 1, normal = 1;

		for (size_t k = 0; k < sizeof seeds / sizeof *seeds; k++) {
			gsl_rng *ref = gsl_rng_alloc(gsl_rng_mt19937);
			gsl_rng *mine = gsl_rng_alloc((const gsl_rng_type *)rng_gsl_type());

			gsl_rng_set(ref, seeds[k]);
			gsl_rng_set(mine, seeds[k]);
			for (int i = 0; i < 5000; i++)
				words &= gsl_rng_get(ref) == gsl_rng_get(mine);
			for (int i = 0; i < 5000; i++)
				unif &= gsl_rng_uniform(ref) == gsl_rng_uniform(mine);
			for (int i = 0; i < 20000; i++)
				normal &= gsl_ran_gaussian_ziggurat(ref, 1.0) ==
					  gsl_ran_gaussian_ziggurat(mine, 1.0);
			gsl_rng_free(ref);
			gsl_rng_free(mine);
		}
		check(words, "MT19937 words equal GSL's gsl_rng_mt19937 (6 seeds, 5000 each)");
		check(unif, "uniforms equal GSL's (6 seeds, 5000 each)");
		check(normal, "ziggurat normals equal GSL's (6 seeds, 20000 each)");
	}

	/* rng_normal() draws GSL's ziggurat numbers itself (its fast path is
	 * on with this GSL), and they are those of gsl_ran_gaussian_ziggurat on
	 * GSL's own gsl_rng_mt19937, bit for bit, from the derived seeds of
	 * several streams, across refills and through uniforms in between. */
	{
		int same = 1, fast = 0;
		size_t tails = 0;

		for (uint64_t seed = 0; seed < 4; seed++)
			for (int k = RNG_WEIGHTS; k <= RNG_NOISE; k++) {
				gsl_rng *ref = gsl_rng_alloc(gsl_rng_mt19937);
				rng_t *mine = rng_new(seed, (enum rng_stream)k);

				gsl_rng_set(ref, rng_derived_seed(seed, (enum rng_stream)k));
				double xs[7];

				for (int i = 0; i < 30000; i++) {
					double x;

					/* one, then 7 by rng_normals() (999 = 7 mod 8:
					 * the uniforms come between two groups) */
					if (i % 8 == 0) {
						x = rng_normal(mine);
						rng_normals(mine, xs, 7);
					} else
						x = xs[i % 8 - 1];

					same &= x == gsl_ran_gaussian_ziggurat(ref, 1.0);
					tails += fabs(x) > 3.442;
					if (i % 1000 == 999)
						same &= rng_uniform(mine) == gsl_rng_uniform(ref);
				}
				gsl_rng_free(ref);
				rng_free(mine);
			}
		fast = rng_normal_fast();
		check(fast, "rng_normal() takes its fast path with this GSL");
		check(same, "rng_normal() equals GSL's ziggurat on gsl_rng_mt19937 "
		      "(20 streams, 30000 draws each)");
		check(tails > 10, "the draws include the ziggurat's tail beyond R = 3.44");
	}

	/* rng_normals() in batches of every kind of length (eight at a time
	 * with AVX2, one by one around a draw that takes more than a word, to
	 * the end of the state and across its refills) draws GSL's numbers
	 * in GSL's order. */
	{
		static const size_t len[] = { 1, 8, 9, 16, 13, 100, 1000, 3, 624, 7, 5000 };
		int same = 1;

		for (uint64_t seed = 0; seed < 3; seed++) {
			gsl_rng *ref = gsl_rng_alloc(gsl_rng_mt19937);
			rng_t *mine = rng_new(seed, RNG_NOISE);
			double xs[5000];

			gsl_rng_set(ref, rng_derived_seed(seed, RNG_NOISE));
			for (int rep = 0; rep < 20; rep++)
				for (size_t x = 0; x < sizeof len / sizeof len[0]; x++) {
					rng_normals(mine, xs, len[x]);
					for (size_t i = 0; i < len[x]; i++)
						same &= xs[i] == gsl_ran_gaussian_ziggurat(ref, 1.0);
				}
			gsl_rng_free(ref);
			rng_free(mine);
		}
		check(same, "rng_normals() in batches of 1 to 5000 equals GSL's ziggurat "
		      "(3 streams, 406,860 draws)");
	}

	/* Derived seeds of the five streams of one seed are distinct. */
	{
		unsigned long s[6];
		int distinct = 1;

		for (int k = 1; k <= 5; k++)
			s[k] = rng_derived_seed(7, (enum rng_stream)k);
		for (int i = 1; i <= 5; i++)
			for (int j = i + 1; j <= 5; j++)
				distinct &= s[i] != s[j];
		check(distinct, "the five streams of a seed have distinct MT19937 seeds");
	}

	/* Uniform in [0,1): mean 1/2, variance 1/12; n = 1e6, 6 standard errors. */
	{
		rng_t *r = rng_new(1, RNG_STATE);
		double sum = 0, sum2 = 0, lo = 1, hi = 0;
		const int n = 1000000;

		for (int i = 0; i < n; i++) {
			double u = rng_uniform(r);

			sum += u;
			sum2 += u * u;
			lo = u < lo ? u : lo;
			hi = u > hi ? u : hi;
		}
		double mean = sum / n, var = sum2 / n - mean * mean;

		check(lo >= 0 && hi < 1, "uniform draws lie in [0, 1)");
		check(fabs(mean - 0.5) < 6 * sqrt(1.0 / 12 / n), "uniform mean is 1/2 (6 s.e.)");
		check(fabs(var - 1.0 / 12) < 6 * sqrt(1.0 / 180 / n), "uniform variance is 1/12 (6 s.e.)");
		rng_free(r);
	}

	/* Normal: mean 0, variance 1, fourth moment 3; n = 1e6, 6 s.e. */
	{
		rng_t *r = rng_new(2, RNG_NOISE);
		double s1 = 0, s2 = 0, s4 = 0;
		const int n = 1000000;

		for (int i = 0; i < n; i++) {
			double z = rng_normal(r);

			s1 += z;
			s2 += z * z;
			s4 += z * z * z * z;
		}
		check(fabs(s1 / n) < 6 / sqrt(n), "normal mean is 0 (6 s.e.)");
		check(fabs(s2 / n - 1) < 6 * sqrt(2.0 / n), "normal variance is 1 (6 s.e.)");
		check(fabs(s4 / n - 3) < 6 * sqrt(96.0 / n), "normal fourth moment is 3 (6 s.e.)");
		rng_free(r);
	}

	/* Sampling without replacement: k distinct sorted indices, each index
	 * chosen with probability k/n (chi-square over 20000 repetitions). */
	{
		enum { N = 50, K = 17, REPS = 20000 };
		rng_t *r = rng_new(3, RNG_WEIGHTS);
		size_t out[K];
		long count[N] = { 0 };
		int sorted_distinct = 1, in_range = 1;
		double chi2 = 0, expect = (double)REPS * K / N;

		for (int rep = 0; rep < REPS; rep++) {
			rng_sample_sorted(r, N, K, out);
			for (int j = 0; j < K; j++) {
				in_range &= out[j] < N;
				if (j)
					sorted_distinct &= out[j] > out[j - 1];
				count[out[j]]++;
			}
		}
		for (int i = 0; i < N; i++)
			chi2 += (count[i] - expect) * (count[i] - expect) / expect;
		check(sorted_distinct && in_range, "samples are distinct, sorted and in range");
		/* chi-square with 49 degrees of freedom (less, for sampling without
		 * replacement): 99.99th percentile is about 95. */
		check(chi2 < 95, "every index is equally likely (chi-square < 95, 49 d.o.f.)");
		rng_sample_sorted(r, 10, 10, out);
		int all = 1;

		for (int j = 0; j < 10; j++)
			all &= out[j] == (size_t)j;
		check(all, "k = n takes every index");
		rng_free(r);
	}

	/* Shuffle: a permutation, and position 0 is uniform over the values. */
	{
		enum { N = 10, REPS = 50000 };
		rng_t *r = rng_new(4, RNG_TARGET);
		size_t a[N];
		long first[N] = { 0 };
		int perm = 1;
		double chi2 = 0, expect = (double)REPS / N;

		for (int rep = 0; rep < REPS; rep++) {
			int seen[N] = { 0 };

			for (int i = 0; i < N; i++)
				a[i] = (size_t)i;
			rng_shuffle(r, a, N);
			for (int i = 0; i < N; i++)
				seen[a[i]]++;
			for (int i = 0; i < N; i++)
				perm &= seen[i] == 1;
			first[a[0]]++;
		}
		for (int i = 0; i < N; i++)
			chi2 += (first[i] - expect) * (first[i] - expect) / expect;
		check(perm, "shuffle gives a permutation");
		/* 9 degrees of freedom: the 99.99th percentile is 33.7. */
		check(chi2 < 33.7, "shuffle's first element is uniform (chi-square < 33.7, 9 d.o.f.)");
		rng_free(r);
	}

	/* Sub-streams: reproducible, reseeding equals a fresh one, parts differ
	 * from each other and from the plain stream, and 10^6 parts have
	 * distinct states (32-bit seeds would repeat about 116 times). */
	{
		enum { PARTS = 100000, MANY = 1000000 };
		rng_t *a = rng_new_sub(7, RNG_WEIGHTS, 12), *b = rng_new(99, RNG_NOISE);
		rng_t *c = rng_new_sub(7, RNG_WEIGHTS, 13), *d = rng_new(7, RNG_WEIGHTS);
		unsigned long long *first = err_malloc(MANY * sizeof *first);
		int same = 1, diff_sub = 0, diff_plain = 0, repeats = 0;
		double s1 = 0, s2 = 0;
		long cnt[10] = { 0 };
		double chi2 = 0;

		rng_reseed_sub(b, 7, RNG_WEIGHTS, 12);
		for (int i = 0; i < 1000; i++) {
			double x = rng_uniform(a), y = rng_uniform(b);

			same &= x == y;
			diff_sub += x != rng_uniform(c);
			diff_plain += x != rng_uniform(d);
		}
		check(same, "rng_reseed_sub gives the draws of rng_new_sub");
		check(diff_sub > 990, "another part gives another sequence");
		check(diff_plain > 990, "a part differs from the plain stream");
		/* the first 64 bits of 10^6 parts: all distinct */
		for (unsigned long long k = 0; k < MANY; k++) {
			rng_reseed_sub(a, 3, RNG_WEIGHTS, k);
			/* (a uniform is a 32-bit word over 2^32) */
			first[k] = (unsigned long long)(rng_uniform(a) * 4294967296.0) << 32 |
				(unsigned long long)(rng_uniform(a) * 4294967296.0);
		}
		qsort(first, MANY, sizeof *first, cmp_u64);
		for (size_t i = 1; i < MANY; i++)
			repeats += first[i] == first[i - 1];
		check(repeats == 0, "10^6 parts start with distinct 64-bit words");
		/* the parts' first draws together are uniform: mean, variance,
		 * and rng_uniform_int's ten values equally likely */
		for (unsigned long long k = 0; k < PARTS; k++) {
			double u;

			rng_reseed_sub(a, 5, RNG_WEIGHTS, k);
			u = rng_uniform(a);
			s1 += u;
			s2 += u * u;
			cnt[rng_uniform_int(a, 10)]++;
		}
		s1 /= PARTS;
		check(fabs(s1 - 0.5) < 6 * sqrt(1.0 / 12 / PARTS),
		      "first draws of the parts: mean 1/2 (6 s.e.)");
		check(fabs(s2 / PARTS - s1 * s1 - 1.0 / 12) < 6 * sqrt(1.0 / 180 / PARTS),
		      "first draws of the parts: variance 1/12 (6 s.e.)");
		for (int i = 0; i < 10; i++)
			chi2 += (cnt[i] - PARTS / 10.0) * (cnt[i] - PARTS / 10.0) / (PARTS / 10.0);
		check(chi2 < 33.7, "rng_uniform_int(10) is uniform (chi-square < 33.7, 9 d.o.f.)");
		free(first);
		rng_free(a);
		rng_free(b);
		rng_free(c);
		rng_free(d);
	}

	/* rng_sample_few: every one of the C(9, 4) = 126 subsets equally likely
	 * (Floyd's draw is exact: a biased variant, t in [0, j) say, favours
	 * some subsets by a few per cent); output sorted and distinct; the
	 * edge cases k = 0, k = n, and a k near n. */
	{
		enum { REPS = 252000 };
		rng_t *r = rng_new_sub(2, RNG_WEIGHTS, 77);
		rng_sample_ws_t *ws = rng_sample_ws_new(1000);
		long *hits = calloc(512, sizeof *hits);
		uint32_t out[1000];
		int sorted = 1, subsets = 0, all = 1;
		double chi2 = 0, expect = REPS / 126.0;

		for (int rep = 0; rep < REPS; rep++) {
			unsigned mask = 0;

			rng_sample_few(r, 9, 4, out, ws);
			for (int i = 0; i < 4; i++) {
				sorted &= out[i] < 9 && (i == 0 || out[i - 1] < out[i]);
				mask |= 1u << out[i];
			}
			hits[mask]++;
		}
		for (int m = 0; m < 512; m++)
			if (hits[m]) {
				subsets++;
				chi2 += (hits[m] - expect) * (hits[m] - expect) / expect;
			}
		check(sorted, "rng_sample_few: sorted and distinct");
		check(subsets == 126, "rng_sample_few: all 126 subsets of 4 of 9 occur");
		/* 125 degrees of freedom: the 99.99th percentile is 194.4 */
		check(chi2 < 194.4, "rng_sample_few: subsets equally likely (chi-square < 194.4, 125 d.o.f.)");
		rng_sample_few(r, 1000, 1000, out, ws);
		for (uint32_t i = 0; i < 1000; i++)
			all &= out[i] == i;
		rng_sample_few(r, 5, 0, out, ws);
		/* sorts of 1, 2 and 3 radix passes */
		for (int c = 0; c < 3; c++) {
			static const uint32_t ns[3] = { 200, 1001, 100000 }, ks[3] = { 100, 1000, 500 };

			rng_sample_few(r, ns[c], ks[c], out, ws);
			for (uint32_t i = 1; i < ks[c]; i++)
				sorted &= out[i - 1] < out[i] && out[i] < ns[c];
		}
		check(all && sorted, "rng_sample_few: k = n takes every index; large samples sorted");
		free(hits);
		rng_sample_ws_free(ws);
		rng_free(r);
	}

	printf("%d failed\n", failures);
	return failures ? 1 : 0;
}
