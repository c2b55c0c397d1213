#include "rls.h"

#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define RLS_AVX2 1

/*
 * The 4 x 4 piece of a block at columns cc .. cc+3 (cc a multiple of 4):
 * its tiles cc/2 and cc/2 + 1, 16 values from B + 4 cc, as four vectors
 * t0 = rows 0-1 of columns cc, cc+1, t1 = rows 2-3 of them, t2 and t3 the
 * same for columns cc+2, cc+3; TILE_ROWS makes them the four rows.  LD4,
 * ST4 and BC2 are those of the storage type (rls_kern.h).
 */
#define TILES_LOAD(B, cc, t0, t1, t2, t3) do { \
	const PT *b_ = (B) + 4 * (cc); \
	t0 = LD4(b_); \
	t1 = LD4(b_ + 4); \
	t2 = LD4(b_ + 8); \
	t3 = LD4(b_ + 12); \
} while (0)
#define TILES_STORE(B, cc, t0, t1, t2, t3) do { \
	PT *b_ = (B) + 4 * (cc); \
	ST4(b_, t0); \
	ST4(b_ + 4, t1); \
	ST4(b_ + 8, t2); \
	ST4(b_ + 12, t3); \
} while (0)
#define TILE_ROWS(t0, t1, t2, t3, r0, r1, r2, r3) do { \
	r0 = _mm256_permute2f128_pd(t0, t2, 0x20); \
	r1 = _mm256_permute2f128_pd(t0, t2, 0x31); \
	r2 = _mm256_permute2f128_pd(t1, t3, 0x20); \
	r3 = _mm256_permute2f128_pd(t1, t3, 0x31); \
} while (0)
/* The update P -= (a_r u_c) of those tiles, a01 = (a0 a0 a1 a1) and a23 =
 * (a2 a2 a3 a3) the factors of the rows, v the u of columns cc .. cc+3. */
#define TILES_UPDATE(t0, t1, t2, t3, a01, a23, v) do { \
	const __m256d v01_ = BC2(v); \
	const __m256d v23_ = BC2((v) + 2); \
	t0 = _mm256_fnmadd_pd(a01, v01_, t0); \
	t1 = _mm256_fnmadd_pd(a23, v01_, t1); \
	t2 = _mm256_fnmadd_pd(a01, v23_, t2); \
	t3 = _mm256_fnmadd_pd(a23, v23_, t3); \
} while (0)
/*
 * k from the tiles t0 .. t3 of a block (rows j .. j+3) at columns t .. t+3
 * of it: the rows' dot products with qt = q of those columns go into s0 ..
 * s3, and unless t is 0 (the 4 x 4 diagonal, which the rows cover) the
 * columns' k at kp += the tiles times q0 .. q3 (q of the block's rows,
 * broadcast), by symmetry.  TILES_K_END adds the four dot products to k of
 * the block's rows at kp.
 */
#define TILES_K(t0, t1, t2, t3, qt, q0, q1, q2, q3, s0, s1, s2, s3, t, kp) do { \
	__m256d p0_, p1_, p2_, p3_; \
	TILE_ROWS(t0, t1, t2, t3, p0_, p1_, p2_, p3_); \
	s0 = _mm256_fmadd_pd(p0_, qt, s0); \
	s1 = _mm256_fmadd_pd(p1_, qt, s1); \
	s2 = _mm256_fmadd_pd(p2_, qt, s2); \
	s3 = _mm256_fmadd_pd(p3_, qt, s3); \
	if (t) { \
		__m256d kv_ = LD4(kp); \
		kv_ = _mm256_fmadd_pd(p0_, q0, kv_); \
		kv_ = _mm256_fmadd_pd(p1_, q1, kv_); \
		kv_ = _mm256_fmadd_pd(p2_, q2, kv_); \
		kv_ = _mm256_fmadd_pd(p3_, q3, kv_); \
		ST4(kp, kv_); \
	} \
} while (0)
#define TILES_K_END(s0, s1, s2, s3, kp) do { \
	const __m256d h01_ = _mm256_hadd_pd(s0, s1), h23_ = _mm256_hadd_pd(s2, s3); \
	ST4(kp, _mm256_add_pd(LD4(kp), _mm256_add_pd(_mm256_permute2f128_pd(h01_, h23_, 0x20), \
						   _mm256_permute2f128_pd(h01_, h23_, 0x31)))); \
} while (0)
#define RLS_TARGET512 __attribute__((target("avx512f,avx512vl")))

/* Two floats widened, in both 128-bit halves (or all four lanes). */
static inline __m128d pair_f(const float *p)
{
	return _mm_cvtps_pd(_mm_castsi128_ps(_mm_loadl_epi64((const __m128i *)p)));
}

static inline __m256d bc2_f(const float *p)
{
	const __m128d t = pair_f(p);

	return _mm256_insertf128_pd(_mm256_castpd128_pd256(t), t, 1);
}

static inline RLS_TARGET512 __m512d bc2_512_d(const double *p)
{
	return _mm512_castps_pd(_mm512_broadcast_f32x4(_mm_castpd_ps(_mm_loadu_pd(p))));
}

static inline RLS_TARGET512 __m512d bc2_512_f(const float *p)
{
	return _mm512_castps_pd(_mm512_broadcast_f32x4(_mm_castpd_ps(pair_f(p))));
}
#endif

#include "ckpt.h"
#include "err.h"
#include "model.h"

/* The coefficient form's pass drops the part of the pending updates below
 * this share of their largest (coef_pending_k()). */
#define RLS_COEF_DROP 1e-15

/* Spiked inputs of a neuron beyond which rls_step() computes k directly. */
#define MAX_SPIKED 64
/* Matrices of more bytes than this are read ahead (software prefetch),
 * RLS_AHEAD neurons before their step. */
#define RLS_PREFETCH_BYTES ((size_t)32 << 20)
#define RLS_AHEAD 4
/* With forgetting, the scale of P_i goes into the stored matrix beyond
 * this (2^40: far from overflow, and rare: every 2000 steps at lambda 0.99). */
#define RLS_SCALE_MAX 1.099511627776e12
/* Bytes of P that kernel8_f() reads ahead of its pass. */
#define RLS_READ_AHEAD 4096
/* Neurons per chunk of rls_step() at least (pool_chunks()). */
#define RLS_GRAIN 32

#ifdef RLS_AVX2
/* Whether folds use 512-bit vectors: set by rls_init() (the same results
 * either way; FORCENET_NO_AVX512 in the environment turns them off). */
static int s512;
#endif

static void choose_width(void)
{
#ifdef RLS_AVX2
	__builtin_cpu_init();
	s512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
	       !getenv("FORCENET_NO_AVX512");
#endif
}

static size_t msize(const size_t *rowptr, size_t i)
{
	return rowptr[i + 1] - rowptr[i];
}

static size_t pad4(size_t m)
{
	return (m + 3) & ~(size_t)3;
}

size_t rls_packed_size(size_t m)
{
	size_t mp = pad4(m), s = 0;

	for (size_t j = 0; j < mp; j += 4)
		s += 4 * (mp - j);
	return s;
}

/*
 * Offset of P[j + r, j + cc] in block j (see rls.h): tiles of 4 rows by 2
 * columns, the columns j + cc, j + cc + 1 (cc even) in tile cc/2, row by
 * row.
 */
static inline size_t tix(size_t r, size_t cc)
{
	return 4 * (cc & ~(size_t)1) + 2 * r + (cc & 1);
}

/*
 * The coefficient form's record of a neuron (rls.h): the pending updates'
 * c_s, G packed by rows (G[l, t] for t <= l at l (l + 1)/2 + t), and for
 * each basis vector l, at rec + l R: x_l, y_l and z_s,l for s < batch.
 */
struct coef {
	double *cs, *G, *rec;
	size_t R;
};

static size_t coef_gsize(size_t mc)
{
	return mc * (mc + 1) / 2;
}

/* Neuron i's k0 in vecs: the ring's slot head[i] (the pass puts it there;
 * slot 0 in the coefficient form). */
static size_t coef_k0(const struct rls *s, size_t i)
{
	return s->voff[i] + s->head[i] * pad4(msize(s->rowptr, i));
}

/* The record at p (cstride doubles) as struct coef. */
static struct coef coef_at(const struct rls *s, double *p)
{
	return (struct coef){ p, p + s->batch, p + s->batch + coef_gsize(s->mc), s->batch + 2 };
}

/* Neuron i's record: in its ring, after slot 0 (rls.h). */
static struct coef coef_of(const struct rls *s, size_t i)
{
	const size_t es = s->f32 ? sizeof(float) : sizeof(double);

	return coef_at(s, (double *)((char *)s->vecs +
				     (s->voff[i] + pad4(msize(s->rowptr, i))) * es));
}

/* Whether a weight change is pending (some y_l not 0). */
static int coef_pending(const struct coef *co, size_t M)
{
	for (size_t l = 0; l < M; l++)
		if (co->rec[l * co->R + 1] != 0)
			return 1;
	return 0;
}

/* out = sum_{l < M} a[l stride] C_l (C: M vectors of mp doubles). */
static void coef_combine(size_t mp, size_t M, const double *C, const double *a, size_t stride,
			 double *out)
{
	for (size_t t = 0; t < mp; t++)
		out[t] = a[0] * C[t];
	for (size_t l = 1; l < M; l++) {
		const double f = a[l * stride];

		for (size_t t = 0; t < mp; t++)
			out[t] += f * C[l * mp + t];
	}
}

/* g = G x (which = 0) or G y (1), G symmetric, M x M. */
static void coef_gmul(const struct coef *co, size_t M, int which, double *g)
{
	for (size_t l = 0; l < M; l++)
		g[l] = 0;
	for (size_t l = 0; l < M; l++) {
		const double *Gl = co->G + l * (l + 1) / 2, xl = co->rec[l * co->R + (size_t)which];

		for (size_t t = 0; t < l; t++) {
			g[l] += Gl[t] * co->rec[t * co->R + (size_t)which];
			g[t] += Gl[t] * xl;
		}
		g[l] += Gl[l] * xl;
	}
}

/*
 * Whether neuron i's next step with the coefficient form is a pass, in
 * either of its forms: no state yet or no previous step (cm, npend 0), a
 * full pending list (the pass then chooses the form of the next steps), or
 * step_neuron()'s other conditions for a direct k (8 nsp > m covers nsp >
 * spk_cap, whose value depends on a block's rows: the path must not).
 */
static int coef_pass_due(const struct rls *s, size_t i, const struct rls_spikes *sp)
{
	const size_t nsp = sp ? s->nspk[i] : 0, np = s->npend[i];

	return !sp || !s->cm[i] || np == 0 || np == s->batch || 8 * nsp > msize(s->rowptr, i) ||
	       nsp > s->spk_cap || s->age[i] >= s->refresh;
}

/*
 * With the target (not NULL): the caller's W r of neuron i short by add
 * (the pending change's share), and the error from it.
 */
static void coef_error(const double *target, double *v, double *e, size_t i, double add)
{
	if (target) {
		v[i] += add;
		e[i] = target[i] - v[i];
	}
}

/* Pending vectors that a pass takes at most: the vectors' form's batch,
 * the coefficient form's M. */
static size_t coef_nu(const struct rls *s)
{
	return s->batch > s->mc ? s->batch : s->mc;
}

/*
 * A chunk's working memory for the coefficient form, in its scratch of
 * coef_room_bytes(): q (mp PT values), the basis C (mc vectors of mp
 * doubles), d (mp doubles), a copy of a record (cstride doubles) and the
 * pending vectors (coef_nu() of mp PT).
 */
struct coef_room {
	void *q;
	double *C, *d, *rec;
	void *U[RLS_MAX_PENDING];
};

static size_t coef_room_bytes(const struct rls *s)
{
	const size_t mp = pad4(s->mmax), es = s->f32 ? sizeof(float) : sizeof(double);

	return (mp + 8) * es * (coef_nu(s) + 1) + (mp + 8) * sizeof(double) * (s->mc + 1) +
	       s->cstride * sizeof(double);
}

static struct coef_room coef_room(const struct rls *s, void *scratch)
{
	const size_t mp = pad4(s->mmax), es = s->f32 ? sizeof(float) : sizeof(double);
	const size_t vb = (mp + 8) * es;
	char *p = scratch;
	struct coef_room room;

	room.C = (double *)p;
	room.d = room.C + s->mc * (mp + 8);
	room.rec = room.d + mp + 8;
	p = (char *)(room.rec + s->cstride);
	room.q = p;
	for (size_t x = 0; x < coef_nu(s); x++)
		room.U[x] = p + (x + 1) * vb;
	return room;
}

/* The kernels, once for P stored in double and once in float. */
#define PT double
#define SFX(f) f##_d
#define FOLD_DIRECT 0
#ifdef RLS_AVX2
#define LD4(p) _mm256_loadu_pd(p)
#define ST4(p, v) _mm256_storeu_pd(p, v)
#define BC2(p) _mm256_broadcast_pd((const __m128d *)(p))
#define TILES_ROUND(t0, t1, t2, t3) do { } while (0)
#define LD8(p) _mm512_loadu_pd(p)
#define ST8(p, v) _mm512_storeu_pd(p, v)
#define BC2_512(p) bc2_512_d(p)
#endif
#define pkernel_d kernel_d
#include "rls_kern.h"
#undef PT
#undef SFX
#undef LD4
#undef ST4
#undef BC2
#undef TILES_ROUND
#undef LD8
#undef ST8
#undef BC2_512

#ifdef RLS_AVX2
static double kernel8_f(size_t m, float *P, const float *const *u, const double *c,
			size_t np, const float *q, float *k);
#define pkernel_f kernel8_f
#else
#define pkernel_f kernel_f
#endif

#undef FOLD_DIRECT
#define PT float
#define SFX(f) f##_f
#define FOLD_DIRECT 1
#ifdef RLS_AVX2
#define LD4(p) _mm256_cvtps_pd(_mm_loadu_ps(p))
#define ST4(p, v) _mm_storeu_ps(p, _mm256_cvtpd_ps(v))
#define BC2(p) bc2_f(p)
/* the values as stored: rounded to float */
#define TILES_ROUND(t0, t1, t2, t3) do { \
	t0 = _mm256_cvtps_pd(_mm256_cvtpd_ps(t0)); \
	t1 = _mm256_cvtps_pd(_mm256_cvtpd_ps(t1)); \
	t2 = _mm256_cvtps_pd(_mm256_cvtpd_ps(t2)); \
	t3 = _mm256_cvtps_pd(_mm256_cvtpd_ps(t3)); \
} while (0)
#define LD8(p) _mm512_cvtps_pd(_mm256_loadu_ps(p))
#define ST8(p, v) _mm256_storeu_ps(p, _mm512_cvtpd_ps(v))
#define BC2_512(p) bc2_512_f(p)
#endif
#include "rls_kern.h"
#undef PT
#undef SFX

#ifdef RLS_AVX2
/* The float pair x[0], x[1] in all four 64-bit lanes. */
static inline __m256 pair8(const float *x)
{
	double d;

	memcpy(&d, x, sizeof d);
	return _mm256_castpd_ps(_mm256_set1_pd(d));
}

/*
 * kernel() for P stored in float, its updates in float arithmetic (see
 * rls.h): a tile of 4 rows by 2 columns is one vector of 8 floats; the
 * pending updates' sum d = sum_s (c_s u_s[row]) u_s[col] is formed in float
 * (the factors rounded to float, one fused multiply-add a term) and then
 * subtracted, so that P takes one rounding a pass as with double
 * arithmetic (subtracting the updates one by one rounds P at each, and
 * spoils training: a test-loop error of 0.22 against 0.06-0.13 for double
 * P on the study's network, over 6 seeds).  k = P q and den are summed in
 * double, as kernel() does (summed in float, the same spoiling).  The pass
 * reads P RLS_READ_AHEAD bytes ahead (into the next neuron's matrix: the
 * processor's own prefetcher starts late on streams this short).
 */
#define PT float
static double kernel8_f(size_t m, float *P, const float *const *u, const double *c,
			size_t np, const float *q, float *k)
{
	const size_t mp = pad4(m);
	__m256 A[RLS_MAX_PENDING];

	if (q)
		memset(k, 0, mp * sizeof *k);
	for (size_t j = 0; j < mp; j += 4) {
		const size_t L = mp - j;

		for (size_t s = 0; s < np; s++) {
			const float a0 = (float)(c[s] * u[s][j]), a1 = (float)(c[s] * u[s][j + 1]);
			const float a2 = (float)(c[s] * u[s][j + 2]), a3 = (float)(c[s] * u[s][j + 3]);

			A[s] = _mm256_set_ps(a3, a3, a2, a2, a1, a1, a0, a0);
		}
		/* the updates' sums, 8 tiles (16 columns) at a time while there
		 * are as many: 8 independent chains of multiply-adds */
		if (np) {
			size_t t = 0;

			for (; t + 16 <= L; t += 16) {
				float *T = P + 4 * t;
				__m256 x[8];

				for (int y = 0; y < 8; y++)
					x[y] = _mm256_mul_ps(A[0], pair8(u[0] + j + t + 2 * y));
				for (size_t s = 1; s < np; s++) {
					const float *v = u[s] + j + t;

					for (int y = 0; y < 8; y++)
						x[y] = _mm256_fmadd_ps(A[s], pair8(v + 2 * y), x[y]);
				}
				for (int y = 0; y < 8; y++)
					_mm256_storeu_ps(T + 8 * y,
							 _mm256_sub_ps(_mm256_loadu_ps(T + 8 * y), x[y]));
			}
			for (; t < L; t += 4) {
				float *T = P + 4 * t;
				__m256 x0 = _mm256_mul_ps(A[0], pair8(u[0] + j + t));
				__m256 x1 = _mm256_mul_ps(A[0], pair8(u[0] + j + t + 2));

				for (size_t s = 1; s < np; s++) {
					x0 = _mm256_fmadd_ps(A[s], pair8(u[s] + j + t), x0);
					x1 = _mm256_fmadd_ps(A[s], pair8(u[s] + j + t + 2), x1);
				}
				_mm256_storeu_ps(T, _mm256_sub_ps(_mm256_loadu_ps(T), x0));
				_mm256_storeu_ps(T + 8, _mm256_sub_ps(_mm256_loadu_ps(T + 8), x1));
			}
		}
		/* then k from the updated block while it is in L1, two tiles
		 * at a time, as kernel() computes it (the tiles widened) */
		if (q) {
			const __m256d q0 = _mm256_set1_pd(q[j]), q1 = _mm256_set1_pd(q[j + 1]);
			const __m256d q2 = _mm256_set1_pd(q[j + 2]), q3 = _mm256_set1_pd(q[j + 3]);
			__m256d s0 = _mm256_setzero_pd(), s1 = s0, s2 = s0, s3 = s0;

			for (size_t t = 0; t < L; t += 4) {
				const __m256d qt = LD4(q + j + t);
				__m256d t0, t1, t2, t3;

				__builtin_prefetch((const char *)(P + 4 * t) + RLS_READ_AHEAD, 0, 3);
				TILES_LOAD(P, t, t0, t1, t2, t3);
				TILES_K(t0, t1, t2, t3, qt, q0, q1, q2, q3, s0, s1, s2, s3, t, k + j + t);
			}
			TILES_K_END(s0, s1, s2, s3, k + j);
		}
		P += 4 * L;
	}
	return q ? 1 + qk_f(mp, q, k) : 1;
}
#undef PT
#endif

/*
 * Spiked inputs kept per neuron: beyond m/8 of them a neuron's k is
 * computed directly (the cheaper way), so the largest m/8 + 1 are enough,
 * MAX_SPIKED at most.
 */
static size_t spk_cap(size_t n, const size_t *rowptr)
{
	size_t mmax = 0;

	for (size_t i = 0; i < n; i++)
		if (msize(rowptr, i) > mmax)
			mmax = msize(rowptr, i);
	return mmax / 8 + 1 < MAX_SPIKED ? mmax / 8 + 1 : MAX_SPIKED;
}

/* Bytes of one stored value of P_i and of its vectors. */
static size_t elsize(const struct rls_config *cf)
{
	return cf->p_float32 ? sizeof(float) : sizeof(double);
}

size_t rls_auto_batch(size_t pbytes)
{
	return pbytes > RLS_LARGE_BYTES ? RLS_BATCH_LARGE : RLS_BATCH;
}

size_t rls_matrix_bytes(size_t n, const size_t *rowptr, const struct rls_config *cf)
{
	size_t p = 0;

	for (size_t i = 0; i < n; i++)
		p += rls_packed_size(msize(rowptr, i));
	return p * elsize(cf);
}

/* The batch that rls_init() chooses (see rls.h). */
static size_t batch_of(size_t n, const size_t *rowptr, const struct rls_config *cf)
{
	if (cf->kind != RLS_SPIKE)
		return 1;
	if (cf->batch)
		return cf->batch;
	return rls_auto_batch(rls_matrix_bytes(n, rowptr, cf));
}

/* Whether rls_init() takes the coefficient form (rls.h). */
static int coef_of_config(const struct rls_config *cf)
{
	const int forget = cf->forget > 0 && cf->forget < 1;

	return cf->kind == RLS_SPIKE && !forget && (cf->coef > 0 || (cf->coef == 0 && cf->p_float32));
}

const char *rls_kernel_name(const struct rls_config *cf)
{
	if (cf->kind == RLS_DIRECT || (cf->forget > 0 && cf->forget < 1))
		return "direct";
	return coef_of_config(cf) ? "coefficient" : "spike";
}

/* Doubles of a neuron's coefficient record, whole cache lines. */
static size_t coef_stride(size_t batch, size_t mc)
{
	return (batch + coef_gsize(mc) + mc * (batch + 2) + 7) & ~(size_t)7;
}

/*
 * Values (of es bytes) of a neuron's ring with m inputs: batch + 1 slots,
 * and with the coefficient form (cstride > 0) at least slot 0 and the
 * record of cstride doubles, which lives in the slots after it (a neuron
 * uses one form at a time; rls.h).
 */
static size_t ring_size(size_t m, size_t batch, size_t cstride, size_t es)
{
	const size_t mp = pad4(m), v = (batch + 1) * mp;
	const size_t c = mp + (cstride * sizeof(double) + es - 1) / es;

	return c > v ? c : v;
}

size_t rls_bytes(size_t n, const size_t *rowptr, const struct rls_config *cf)
{
	const int coef = coef_of_config(cf);
	const size_t batch = batch_of(n, rowptr, cf), mc = 1 + RLS_COEF_SPIKES;
	const size_t cstride = coef ? coef_stride(batch, mc) : 0;
	size_t p = 0, v = 0, nslot = batch + 1, nnz = rowptr[n];

	for (size_t i = 0; i < n; i++) {
		p += rls_packed_size(msize(rowptr, i));
		v += ring_size(msize(rowptr, i), batch, cstride, elsize(cf));
	}
	return elsize(cf) * (p + v) + sizeof(double) * (nslot + 3) * n +
	       (coef ? n * (2 * sizeof(uint8_t) + sizeof(uint16_t) +
			    sizeof(uint32_t) * (mc - 1)) : 0) +
	       sizeof(uint32_t) * (4 * n + spk_cap(n, rowptr) * n) +
	       (cf->cols ? 0 : 2 * sizeof(uint32_t) * nnz +
			       sizeof(size_t) * ((cf->ncols ? cf->ncols : n) + 1)) +
	       sizeof(size_t) * 2 * (n + 1);
}

/* P_i = I/alpha for a chunk of neurons. */
static void init_part(void *arg, size_t c, size_t nc)
{
	struct rls *s = arg;
	size_t lo, hi;

	pool_range(s->n, c, nc, &lo, &hi);
	for (size_t i = lo; i < hi; i++) {
		size_t m = msize(s->rowptr, i), mp = pad4(m);

		for (size_t j = 0; j < m; j++) {
			if (s->f32)
				*elem_f((float *)s->P + s->poff[i], mp, j, j) = (float)(1 / s->alpha);
			else
				*elem_d((double *)s->P + s->poff[i], mp, j, j) = 1 / s->alpha;
		}
	}
}

void rls_init(struct rls *s, size_t n, const size_t *rowptr, const int32_t *col,
	      const struct rls_config *cf)
{
	size_t nslot, es = elsize(cf);

	memset(s, 0, sizeof *s);
	s->n = n;
	s->ncols = cf->ncols ? cf->ncols : n;
	s->rowptr = rowptr;
	s->col = col;
	s->kind = cf->kind;
	s->forget = cf->forget > 0 && cf->forget < 1 ? cf->forget : 1;
	/* forgetting: k directly at every step (see rls.h) */
	if (s->forget < 1)
		s->kind = RLS_DIRECT;
	s->f32 = cf->p_float32;
	{
		struct rls_config c2 = *cf;

		c2.kind = s->kind;
		s->batch = batch_of(n, rowptr, &c2);
		s->coef = coef_of_config(&c2);
	}
	if (s->coef) {
		s->mc = 1 + RLS_COEF_SPIKES;
		s->cstride = coef_stride(s->batch, s->mc);
	}
	s->refresh = RLS_REFRESH;
	nslot = s->batch + 1;
	s->poff = err_malloc((n + 1) * sizeof *s->poff);
	s->voff = err_malloc((n + 1) * sizeof *s->voff);
	s->poff[0] = s->voff[0] = 0;
	for (size_t i = 0; i < n; i++) {
		s->poff[i + 1] = s->poff[i] + rls_packed_size(msize(rowptr, i));
		s->voff[i + 1] = s->voff[i] + ring_size(msize(rowptr, i), s->batch, s->cstride, es);
	}
	/* P is most of a run's memory: map it zeroed, in huge pages where the
	 * kernel allows (fewer page faults at start, fewer TLB misses in the
	 * pass over P). */
	s->pbytes = (s->poff[n] ? s->poff[n] : 1) * es;
	s->P = mmap(NULL, s->pbytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (s->P == MAP_FAILED)
		err_die(EXIT_DATA, "out of memory (%zu bytes for the RLS matrices)", s->pbytes);
#ifdef MADV_HUGEPAGE
	madvise(s->P, s->pbytes, MADV_HUGEPAGE);
#endif
	s->vecs = err_malloc_huge((s->voff[n] + 1) * es);
	memset(s->vecs, 0, (s->voff[n] + 1) * es);
	s->cs = err_calloc(nslot * n + 1, sizeof(double));
	s->head = err_calloc(n + 1, sizeof(uint32_t));
	s->npend = err_calloc(n + 1, sizeof(uint32_t));
	s->c = err_calloc(n + 1, sizeof(double));
	s->qk = err_calloc(n + 1, sizeof(double));
	s->dw2 = err_calloc(n + 1, sizeof(double));
	s->age = err_calloc(n + 1, sizeof(uint32_t));
	s->nspk = err_calloc(n + 1, sizeof(uint32_t));
	s->spk_cap = spk_cap(n, rowptr);
	for (size_t i = 0; i < n; i++)
		if (msize(rowptr, i) > s->mmax)
			s->mmax = msize(rowptr, i);
	s->spk = err_calloc(s->spk_cap * n + 1, sizeof(uint32_t));
	if (s->coef) {
		s->cm = err_calloc(n + 1, 1);
		s->cj = err_calloc((s->mc - 1) * n + 1, sizeof(uint32_t));
		s->cform = err_calloc(n + 1, 1);
		s->cspk = err_calloc(n + 1, sizeof(uint16_t));
	}
	s->scale_max = RLS_SCALE_MAX;
	if (s->forget < 1) {
		s->scale = err_malloc((n + 1) * sizeof *s->scale);
		for (size_t i = 0; i <= n; i++)
			s->scale[i] = 1;
	}
	/* the rows each presynaptic neuron feeds (model.h's column index):
	 * the caller's, or one of our own */
	if (cf->cols) {
		s->cols = cf->cols;
	} else {
		model_cols_init_rect(&s->own_cols, n, s->ncols, rowptr, col);
		s->cols = &s->own_cols;
	}
	choose_width();
	/* First touch by the threads that will use the pages. */
	s->alpha = cf->alpha;
	pool_for(cf->pool, pool_chunks(cf->pool, n, RLS_GRAIN, 0), init_part, s);
}

void rls_free(struct rls *s)
{
	free(s->poff);
	free(s->voff);
	if (s->P)
		munmap(s->P, s->pbytes);
	free(s->vecs);
	free(s->cs);
	free(s->head);
	free(s->npend);
	free(s->c);
	free(s->qk);
	free(s->dw2);
	free(s->age);
	free(s->nspk);
	free(s->spk);
	free(s->scale);
	free(s->cm);
	free(s->cj);
	free(s->cform);
	free(s->cspk);
	if (s->cols == &s->own_cols)
		model_cols_free(&s->own_cols);
	memset(s, 0, sizeof *s);
}

double rls_kernel(size_t m, double *P, const double *const *u, const double *c,
		  size_t np, const double *q, double *k)
{
	return kernel_d(m, P, u, c, np, q, k);
}

/*
 * The spiked inputs of every neuron, from the spiked presynaptic neurons
 * and the transposed structure: s->nspk[i] of them (counted on beyond
 * s->spk_cap), their positions in row i in s->spk[i * s->spk_cap ..], in
 * increasing order.  Serial, so the order does not depend on threads.
 */
static void spiked_inputs(struct rls *s, const unsigned char *spiked)
{
	const size_t *cptr = s->cols->cptr;
	size_t ahead = 0;

	memset(s->nspk, 0, s->n * sizeof *s->nspk);
	for (size_t j = 0; j < s->ncols; j++)
		if (spiked[j]) {
			/* the next spiked neuron's column is asked for while
			 * this one's is gone through (they lie anywhere) */
			if (ahead <= j)
				ahead = j + 1;
			while (ahead < s->ncols && !spiked[ahead])
				ahead++;
			if (ahead < s->ncols)
				for (size_t x = cptr[ahead]; x < cptr[ahead + 1]; x += 16) {
					__builtin_prefetch(s->cols->crow + x);
					__builtin_prefetch(s->cols->cval + x);
				}
			for (size_t x = cptr[j]; x < cptr[j + 1]; x++) {
				size_t i = s->cols->crow[x];

				if (s->nspk[i] < s->spk_cap)
					s->spk[i * s->spk_cap + s->nspk[i]] =
						(uint32_t)(s->cols->cval[x] - s->rowptr[i]);
				s->nspk[i]++;
			}
		}
}

struct step_job {
	struct rls *s;
	double *val;
	const double *r, *target;
	double *e, *v;
	const struct rls_spikes *sp;
	int want_dw2;
	void *qbuf;            /* per chunk: room for q (qbytes) */
	size_t qbytes;
	atomic_size_t passes;
	atomic_size_t csteps;
	atomic_int blowup;
};

/* A chunk of neurons. */
static void step_part(void *arg, size_t c, size_t nc)
{
	struct step_job *job = arg;
	struct rls *s = job->s;
	int (*step)(struct rls *, size_t, double *, const double *, const double *,
		    const struct rls_spikes *, int, int *, void *) =
		s->f32 ? step_neuron_f : step_neuron_d;
	void *q = (char *)job->qbuf + c * job->qbytes;
	void (*ahead)(const struct rls *, size_t, const double *, const struct rls_spikes *) =
		s->pbytes < RLS_PREFETCH_BYTES ? NULL :
		s->coef ? (s->f32 ? coef_prefetch_f : coef_prefetch_d) :
		s->f32 ? prefetch_neuron_f : prefetch_neuron_d;
	size_t lo, hi, passes = 0, csteps = 0;
	int blowup = 0;

	pool_range(s->n, c, nc, &lo, &hi);
	for (size_t i = lo; i < hi; i++) {
		int bad;

		if (ahead && i + RLS_AHEAD < hi)
			ahead(s, i + RLS_AHEAD, job->val, job->sp);
		if (s->coef && (s->cform[i] || coef_pass_due(s, i, job->sp))) {
			const int was = s->cform[i] && s->cm[i];
			const int pass = (s->f32 ? coef_step_f : coef_step_d)(
				s, i, job->val, job->r, job->e, job->target, job->v, job->sp,
				job->want_dw2, &bad, q);

			passes += (size_t)pass;
			csteps += (size_t)(was && !pass);
		} else {
			/* the vectors' form: k from the previous one and the
			 * spiked inputs' columns */
			if (s->coef)
				s->cspk[i] = (uint16_t)(s->cspk[i] + s->nspk[i] > UINT16_MAX ?
							UINT16_MAX : s->cspk[i] + s->nspk[i]);
			if (job->target)
				job->e[i] = job->target[i] - job->v[i];
			passes += (size_t)step(s, i, job->val, job->r, job->e, job->sp,
					       job->want_dw2, &bad, q);
		}
		blowup |= bad;
	}
	if (nc == 1) {
		job->passes = passes;
		job->csteps = csteps;
		job->blowup = blowup;
	} else {
		atomic_fetch_add(&job->passes, passes);
		atomic_fetch_add(&job->csteps, csteps);
		if (blowup)
			atomic_store(&job->blowup, 1);
	}
}

void rls_step(struct rls *s, struct pool *pool, double *val, const double *r, double *e,
	      const double *target, double *v, const struct rls_spikes *sp, int want_dw2)
{
	struct step_job job = { s, val, r, target, e, v, s->kind == RLS_SPIKE ? sp : NULL,
				want_dw2, NULL, 0, 0, 0, 0 };
	size_t nc = pool_chunks(pool, s->n, RLS_GRAIN, 0);

	if (job.sp)
		spiked_inputs(s, job.sp->spiked);
	/* each chunk's q (a neuron's inputs, gathered for a direct pass), and
	 * with the coefficient form the room of coef_room() */
	job.qbytes = s->coef ? (coef_room_bytes(s) + 63) & ~(size_t)63 :
			       (pad4(s->mmax) + 8) * (s->f32 ? sizeof(float) : sizeof(double));
	job.qbuf = err_malloc(nc * job.qbytes);
	pool_for(pool, nc, step_part, &job);
	free(job.qbuf);
	if (s->coef)
		s->unsettled = 1;
	s->passes += job.passes;
	s->coef_steps += job.csteps;
	if (job.blowup)
		s->blowup = 1;
	s->steps += s->n;
}

struct settle_job {
	struct rls *s;
	double *val;
	char *room;
	size_t bytes;
};

static void settle_part(void *arg, size_t c, size_t nc)
{
	struct settle_job *job = arg;
	struct rls *s = job->s;
	struct coef_room room = coef_room(s, job->room + c * job->bytes);
	size_t lo, hi;

	pool_range(s->n, c, nc, &lo, &hi);
	for (size_t i = lo; i < hi; i++) {
		if (s->f32)
			coef_settle_f(s, i, job->val, room.C, room.d);
		else
			coef_settle_d(s, i, job->val, room.C, room.d);
	}
}

void rls_settle(struct rls *s, struct pool *pool, double *val)
{
	struct settle_job job = { s, val, NULL, (coef_room_bytes(s) + 63) & ~(size_t)63 };
	size_t nc = pool_chunks(pool, s->n, RLS_GRAIN, 0);

	if (!s->coef || !s->unsettled)
		return;
	job.room = err_malloc(nc * job.bytes);
	pool_for(pool, nc, settle_part, &job);
	free(job.room);
	s->unsettled = 0;
}

void rls_flush(struct rls *s, double *val)
{
	void *room = s->coef ? err_malloc(coef_room_bytes(s)) : NULL;

	rls_settle(s, NULL, val);
	for (size_t i = 0; i < s->n; i++) {
		if (s->coef && s->f32)
			coef_flush_f(s, i, room);
		else if (s->coef)
			coef_flush_d(s, i, room);
		else if (s->f32)
			flush_neuron_f(s, i);
		else
			flush_neuron_d(s, i);
	}
	free(room);
}

/* rls_last_k() in the coefficient form: P0 E z of the last step. */
static void coef_last_k(const struct rls *s, size_t i, double *k)
{
	const size_t mp = pad4(msize(s->rowptr, i)), M = s->cm[i];
	const struct coef co = coef_of(s, i);
	double *C = err_malloc((M ? M : 1) * mp * sizeof *C + 1);
	double *d = err_malloc(mp * sizeof *d + 1);

	if (s->f32)
		coef_basis_f(s, i, C);
	else
		coef_basis_d(s, i, C);
	coef_combine(mp, M, C, co.rec + 2 + (s->npend[i] - 1), co.R, d);
	memcpy(k, d, msize(s->rowptr, i) * sizeof *k);
	free(C);
	free(d);
}

void rls_last_k(const struct rls *s, size_t i, double *k)
{
	const size_t nslot = s->batch + 1, m = msize(s->rowptr, i), mp = pad4(m);
	const size_t x = s->voff[i] + ((s->head[i] + s->npend[i] + nslot - 1) % nslot) * mp;

	if (s->coef && s->cform[i]) {
		coef_last_k(s, i, k);
		return;
	}
	for (size_t j = 0; j < m; j++)
		k[j] = s->f32 ? ((const float *)s->vecs)[x + j] : ((const double *)s->vecs)[x + j];
}

void rls_unpack(const struct rls *s, size_t i, double *out)
{
	size_t m = msize(s->rowptr, i), mp = pad4(m);

	for (size_t j = 0; j < m; j++)
		for (size_t t = j; t < m; t++)
			out[j * m + t] = out[t * m + j] = (s->scale ? s->scale[i] : 1) * (s->f32 ?
				*elem_f((float *)s->P + s->poff[i], mp, j, t) :
				*elem_d((double *)s->P + s->poff[i], mp, j, t));
}

/* The arrays of a checkpoint, in order (the rings hold the coefficient
 * records too with the coefficient form: another name, so that a checkpoint
 * of a build that kept them apart is refused). */
#define RLS_ARRAYS(X) \
	X("rls.P", s->P, s->poff[s->n] * es) \
	X(s->coef ? "rls.vecs+coef" : "rls.vecs", s->vecs, (s->voff[s->n] + 1) * es) \
	X("rls.cs", s->cs, ((s->batch + 1) * s->n + 1) * sizeof(double)) \
	X("rls.head", s->head, (s->n + 1) * sizeof(uint32_t)) \
	X("rls.npend", s->npend, (s->n + 1) * sizeof(uint32_t)) \
	X("rls.c", s->c, (s->n + 1) * sizeof(double)) \
	X("rls.qk", s->qk, (s->n + 1) * sizeof(double)) \
	X("rls.age", s->age, (s->n + 1) * sizeof(uint32_t))

void rls_save(const struct rls *s, struct ckpt *c)
{
	const size_t es = s->f32 ? sizeof(float) : sizeof(double);
	const size_t counts[2] = { s->passes, s->steps };

#define PUT(name, a, n) ckpt_put(c, name, a, n);
	RLS_ARRAYS(PUT)
#undef PUT
	if (s->scale)
		ckpt_put(c, "rls.scale", s->scale, (s->n + 1) * sizeof(double));
	if (s->coef) {
		ckpt_put(c, "rls.cm", s->cm, s->n + 1);
		ckpt_put(c, "rls.cj", s->cj, ((s->mc - 1) * s->n + 1) * sizeof(uint32_t));
		ckpt_put(c, "rls.cform", s->cform, s->n + 1);
		ckpt_put(c, "rls.cspk", s->cspk, (s->n + 1) * sizeof(uint16_t));
	}
	ckpt_put(c, "rls.counts", counts, sizeof counts);
}

int rls_restore(struct rls *s, struct ckpt *c)
{
	const size_t es = s->f32 ? sizeof(float) : sizeof(double);
	size_t counts[2];

#define GET(name, a, n) if (ckpt_get(c, name, a, n)) return -1;
	RLS_ARRAYS(GET)
#undef GET
	if (s->scale && ckpt_get(c, "rls.scale", s->scale, (s->n + 1) * sizeof(double)))
		return -1;
	if (s->coef && (ckpt_get(c, "rls.cm", s->cm, s->n + 1) ||
			ckpt_get(c, "rls.cj", s->cj, ((s->mc - 1) * s->n + 1) * sizeof(uint32_t)) ||
			ckpt_get(c, "rls.cform", s->cform, s->n + 1) ||
			ckpt_get(c, "rls.cspk", s->cspk, (s->n + 1) * sizeof(uint16_t))))
		return -1;
	if (ckpt_get(c, "rls.counts", counts, sizeof counts))
		return -1;
	s->passes = counts[0];
	s->steps = counts[1];
	return 0;
}
