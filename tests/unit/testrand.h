/*
 * testrand.h: the unit tests' own small generator (xorshift64), independent
 * of libcore's RNG so that a test never checks libcore against itself.
 */
#ifndef FORCENET_TESTRAND_H
#define FORCENET_TESTRAND_H

/* A uniform double in [0, 1) from the state *s (any non-zero start). */
static inline double test_unif(unsigned long long *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (double)(*s >> 11) / 9007199254740992.0;
}

#endif
