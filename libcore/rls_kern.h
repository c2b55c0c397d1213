/*
 * rls_kern.h: the kernels of rls.c for one storage type, included by rls.c
 * once per type with
 *     PT        the type of P_i and of the vectors q and k (double, float)
 *     SFX(f)    f's name for that type (f##_d, f##_f)
 *     LD4(p), ST4(p, v), BC2(p), LD8(p), ST8(p, v), BC2_512(p)
 *               (with RLS_AVX2) 4 PT to and from a vector of 4 doubles,
 *               the pair p[0], p[1] in both halves of one; the same with
 *               8 doubles and 512-bit vectors
 * Whatever the storage, the arithmetic here is in double: a value is
 * widened when loaded and rounded to PT when stored, so that with PT =
 * double every operation is what it would be without this file.  The
 * passes over P_i go through SFX(pkernel): kernel() for double, and for
 * float with AVX2 rls.c's kernel8_f(), which updates P_i in float.
 */

/* Address of P[row, col] (col >= the first column of row's block). */
static PT *SFX(elem)(PT *P, size_t mp, size_t row, size_t col)
{
	size_t j = row & ~(size_t)3, base = 0;

	for (size_t b = 0; b < j; b += 4)
		base += 4 * (mp - b);
	return P + base + tix(row - j, col - j);
}

/* q'k (mp entries) in four independent sums: a single chain of adds would
 * cost its latency at every term. */
static double SFX(qk)(size_t mp, const PT *q, const PT *k)
{
	double d[4] = { 0, 0, 0, 0 };

	for (size_t t = 0; t < mp; t += 4)
		for (int l = 0; l < 4; l++)
			d[l] += (double)q[t + (size_t)l] * k[t + (size_t)l];
	return (d[0] + d[1]) + (d[2] + d[3]);
}

/*
 * kernel() with at most one pending update (c u u', c = 0 for none)
 * and q: the step of RLS_DIRECT, with the factors in registers and the
 * diagonal block peeled off.  Same arithmetic as kernel() on every
 * element, so the same results to the bit.
 */
static double SFX(pass1)(size_t m, PT *P, const PT *u, double c, const PT *q, PT *k)
{
	const size_t mp = pad4(m);
	double den = 1;

	for (size_t t = 0; t < mp; t++)
		k[t] = 0;
	for (size_t j = 0; j < mp; j += 4) {
		const size_t L = mp - j;
#ifdef RLS_AVX2
		const __m256d a01 = _mm256_set_pd(c * u[j + 1], c * u[j + 1], c * u[j], c * u[j]);
		const __m256d a23 = _mm256_set_pd(c * u[j + 3], c * u[j + 3], c * u[j + 2], c * u[j + 2]);
		const __m256d q0 = _mm256_set1_pd(q[j]), q1 = _mm256_set1_pd(q[j + 1]);
		const __m256d q2 = _mm256_set1_pd(q[j + 2]), q3 = _mm256_set1_pd(q[j + 3]);
		__m256d s0, s1, s2, s3, p0, p1, p2, p3, t0, t1, t2, t3, h01, h23;
		__m256d qt = LD4(q + j);

		TILES_LOAD(P, 0, t0, t1, t2, t3);
		TILES_UPDATE(t0, t1, t2, t3, a01, a23, u + j);
		TILES_STORE(P, 0, t0, t1, t2, t3);
		TILE_ROWS(t0, t1, t2, t3, p0, p1, p2, p3);
		s0 = _mm256_mul_pd(p0, qt);
		s1 = _mm256_mul_pd(p1, qt);
		s2 = _mm256_mul_pd(p2, qt);
		s3 = _mm256_mul_pd(p3, qt);
		for (size_t t = 4; t < L; t += 4) {
			__m256d kv = LD4(k + j + t);

			qt = LD4(q + j + t);
			TILES_LOAD(P, t, t0, t1, t2, t3);
			TILES_UPDATE(t0, t1, t2, t3, a01, a23, u + j + t);
			TILES_STORE(P, t, t0, t1, t2, t3);
			TILE_ROWS(t0, t1, t2, t3, p0, p1, p2, p3);
			s0 = _mm256_fmadd_pd(p0, qt, s0);
			kv = _mm256_fmadd_pd(p0, q0, kv);
			s1 = _mm256_fmadd_pd(p1, qt, s1);
			kv = _mm256_fmadd_pd(p1, q1, kv);
			s2 = _mm256_fmadd_pd(p2, qt, s2);
			kv = _mm256_fmadd_pd(p2, q2, kv);
			s3 = _mm256_fmadd_pd(p3, qt, s3);
			kv = _mm256_fmadd_pd(p3, q3, kv);
			ST4(k + j + t, kv);
		}
		/* the four dot products, lane-summed into one vector */
		h01 = _mm256_hadd_pd(s0, s1);
		h23 = _mm256_hadd_pd(s2, s3);
		ST4(k + j, _mm256_add_pd(LD4(k + j),
			_mm256_add_pd(_mm256_permute2f128_pd(h01, h23, 0x20),
				      _mm256_permute2f128_pd(h01, h23, 0x31))));
#else
		for (size_t r = 0; r < 4; r++) {
			const double a = c * u[j + r], qr = q[j + r];
			double dot = 0;

			for (size_t t = 0; t < L; t++) {
				double p = P[tix(r, t)] - a * u[j + t];

				P[tix(r, t)] = (PT)p;
				p = P[tix(r, t)];
				dot += p * q[j + t];
				if (t >= 4)
					k[j + t] += p * qr;
			}
			k[j + r] += dot;
		}
#endif
		P += 4 * L;
	}
	return den + SFX(qk)(mp, q, k);
}

/*
 * One pass over P, block of rows by block of rows, 4 columns (two tiles) at
 * a time.  In the block of rows j .. j+3 (stored columns j .. mp-1, L =
 * mp - j of them):
 *   - every element gets the pending updates p = P - sum_s (c_s u_s,row) u_s,col
 *     (on the tiles as they are stored);
 *   - row r's dot product with q (the tiles made rows) gives k[j+r] its
 *     columns >= j: the 4 x 4 diagonal block is stored in full, so this
 *     covers the whole block;
 *   - by symmetry, the columns t >= j+4 also give k[t] += p q[j+r] (the
 *     lower triangle, which is not stored).
 */
static double SFX(kernel)(size_t m, PT *P, const PT *const *u, const double *c,
			  size_t np, const PT *q, PT *k)
{
	const size_t mp = pad4(m);
	double den = 1, a[RLS_MAX_PENDING][4];
#ifdef RLS_AVX2
	__m256d av[RLS_MAX_PENDING][2];
#endif

	/* q stands in for the missing vector: 0 q adds nothing */
	if (np <= 1 && q)
		return SFX(pass1)(m, P, np ? u[0] : q, np ? c[0] : 0, q, k);
	if (q)
		for (size_t t = 0; t < mp; t++)
			k[t] = 0;
	for (size_t j = 0; j < mp; j += 4) {
		const size_t L = mp - j;

		for (size_t s = 0; s < np; s++)
			for (size_t r = 0; r < 4; r++)
				a[s][r] = c[s] * u[s][j + r];
#ifdef RLS_AVX2
		__m256d q0 = _mm256_setzero_pd(), q1 = q0, q2 = q0, q3 = q0;
		__m256d s0 = q0, s1 = q0, s2 = q0, s3 = q0;

		for (size_t s = 0; s < np; s++) {
			av[s][0] = _mm256_set_pd(a[s][1], a[s][1], a[s][0], a[s][0]);
			av[s][1] = _mm256_set_pd(a[s][3], a[s][3], a[s][2], a[s][2]);
		}

		if (q) {
			q0 = _mm256_set1_pd(q[j]);
			q1 = _mm256_set1_pd(q[j + 1]);
			q2 = _mm256_set1_pd(q[j + 2]);
			q3 = _mm256_set1_pd(q[j + 3]);
		}
		for (size_t t = 0; t < L; t += 4) {
			__m256d t0, t1, t2, t3;

			TILES_LOAD(P, t, t0, t1, t2, t3);
			if (np) {
				for (size_t s = 0; s < np; s++)
					TILES_UPDATE(t0, t1, t2, t3, av[s][0], av[s][1], u[s] + j + t);
				TILES_STORE(P, t, t0, t1, t2, t3);
				/* the pass goes on with P as stored */
				TILES_ROUND(t0, t1, t2, t3);
			}
			if (q) {
				const __m256d qt = LD4(q + j + t);

				TILES_K(t0, t1, t2, t3, qt, q0, q1, q2, q3, s0, s1, s2, s3, t,
					k + j + t);
			}
		}
		/* the four dot products, lane-summed into one vector */
		if (q)
			TILES_K_END(s0, s1, s2, s3, k + j);
#else
		for (size_t r = 0; r < 4; r++) {
			double dot = 0;

			for (size_t t = 0; t < L; t++) {
				double p = P[tix(r, t)];

				for (size_t s = 0; s < np; s++)
					p -= a[s][r] * u[s][j + t];
				P[tix(r, t)] = (PT)p;
				p = P[tix(r, t)];
				if (q) {
					dot += p * q[j + t];
					if (t >= 4)
						k[j + t] += p * q[j + r];
				}
			}
			if (q)
				k[j + r] += dot;
		}
#endif
		P += 4 * L;
	}
	if (q)
		den += SFX(qk)(mp, q, k);
	return den;
}

/*
 * kernel(m, P, u, c, nb, NULL, NULL), the same arithmetic, for a full
 * pending list of nb updates, on the tiles themselves: a tile's rows
 * j .. j+3 by two columns take, for each update s, one multiply-add with
 * the factors (c_s u_s[row]) paired by rows and u_s of the two columns
 * paired by rows; nb is a constant at each call, so that the compiler can
 * unroll the updates.  Each element gets the same updates in the same
 * order as in kernel(), one fused multiply-add each.
 */
static inline __attribute__((always_inline))
void SFX(fold_tiles)(size_t m, PT *P, const PT *const *u, const double *c, size_t nb)
{
#ifdef RLS_AVX2
	const size_t mp = pad4(m);
	__m256d a[RLS_BATCH_LARGE][2];

	for (size_t j = 0; j < mp; j += 4) {
		const size_t L = mp - j;

		for (size_t s = 0; s < nb; s++) {
			const PT *x = u[s] + j;

			a[s][0] = _mm256_set_pd(c[s] * x[1], c[s] * x[1], c[s] * x[0], c[s] * x[0]);
			a[s][1] = _mm256_set_pd(c[s] * x[3], c[s] * x[3], c[s] * x[2], c[s] * x[2]);
		}
		/* two tiles (4 columns) at a time: L is a multiple of 4 */
		for (size_t t = 0; t < L; t += 4) {
			__m256d t0, t1, t2, t3;

			TILES_LOAD(P, t, t0, t1, t2, t3);
			for (size_t s = 0; s < nb; s++)
				TILES_UPDATE(t0, t1, t2, t3, a[s][0], a[s][1], u[s] + j + t);
			TILES_STORE(P, t, t0, t1, t2, t3);
		}
		P += 4 * L;
	}
#else
	SFX(kernel)(m, P, u, c, nb, NULL, NULL);
#endif
}

#ifdef RLS_AVX2
/*
 * fold_tiles() with 512-bit vectors, for the processors that have them:
 * a whole tile per vector.  Every element still gets the same updates in
 * the same order, one fused multiply-add each, so the results are those of
 * fold_tiles() to the bit; only the width of the step differs.
 */
static inline __attribute__((always_inline)) RLS_TARGET512
void SFX(fold_tiles512)(size_t m, PT *P, const PT *const *u, const double *c, size_t nb)
{
	const size_t mp = pad4(m);

	for (size_t j = 0; j < mp; j += 4) {
		const size_t L = mp - j;

		/* the updates four at a time, their factors in registers; the
		 * block stays in L1 between two groups */
		for (size_t g = 0; g < nb; g += 4) {
			__m512d a[4];
			const PT *v[4];

			for (size_t s = 0; s < 4; s++) {
				const PT *x = u[g + s] + j;
				const double f = c[g + s];

				v[s] = x;
				a[s] = _mm512_set_pd(f * x[3], f * x[3], f * x[2], f * x[2],
						     f * x[1], f * x[1], f * x[0], f * x[0]);
			}
			for (size_t t = 0; t < L; t += 4) {
				PT *T = P + 4 * t;
				__m512d p0 = LD8(T), p1 = LD8(T + 8);

				for (size_t s = 0; s < 4; s++) {
					/* u_s of the tile's two columns, in all four
					 * 128-bit lanes */
					const __m512d w0 = BC2_512(v[s] + t);
					const __m512d w1 = BC2_512(v[s] + t + 2);

					p0 = _mm512_fnmadd_pd(a[s], w0, p0);
					p1 = _mm512_fnmadd_pd(a[s], w1, p1);
				}
				ST8(T, p0);
				ST8(T + 8, p1);
			}
		}
		P += 4 * L;
	}
}

static RLS_TARGET512 void SFX(fold512_small)(size_t m, PT *P, const PT *const *u,
					      const double *c)
{
	SFX(fold_tiles512)(m, P, u, c, RLS_BATCH);
}

static RLS_TARGET512 void SFX(fold512_large)(size_t m, PT *P, const PT *const *u,
					      const double *c)
{
	SFX(fold_tiles512)(m, P, u, c, RLS_BATCH_LARGE);
}
#endif

/* fold_tiles() for the two batches that rls_init() chooses. */
static void SFX(fold_batch)(size_t m, PT *P, const PT *const *u, const double *c, size_t nb)
{
#ifdef RLS_AVX2
	if (s512 && nb == RLS_BATCH)
		SFX(fold512_small)(m, P, u, c);
	else if (s512 && nb == RLS_BATCH_LARGE)
		SFX(fold512_large)(m, P, u, c);
	else
#endif
	if (nb == RLS_BATCH)
		SFX(fold_tiles)(m, P, u, c, RLS_BATCH);
	else if (nb == RLS_BATCH_LARGE)
		SFX(fold_tiles)(m, P, u, c, RLS_BATCH_LARGE);
	else
		SFX(kernel)(m, P, u, c, nb, NULL, NULL);
}

/* k += b P[:, j] for the block-packed P (mp x mp), or with out not NULL
 * out = P[:, j] (in double): the blocks of rows above j's hold P[t, j] in
 * their stored upper part (the 4 rows of one tile), row j of its block the
 * rest (pairs of columns). */
static inline __attribute__((always_inline))
void SFX(column_op)(size_t mp, const PT *P, size_t j, double b, PT *k, double *out)
{
	const size_t jb = j & ~(size_t)3, r = j - jb;

#define COLUMN_PUT(t, x) do { \
	if (out) \
		out[t] = (x); \
	else \
		k[t] += b * (x); \
} while (0)
	for (size_t t0 = 0; t0 < jb; t0 += 4) {
		const PT *e = P + tix(0, j - t0);

		COLUMN_PUT(t0, e[0]);
		COLUMN_PUT(t0 + 1, e[2]);
		COLUMN_PUT(t0 + 2, e[4]);
		COLUMN_PUT(t0 + 3, e[6]);
		P += 4 * (mp - t0);
	}
	for (size_t t = jb; t < mp; t += 2) {
		const PT *e = P + tix(r, t - jb);

		COLUMN_PUT(t, e[0]);
		COLUMN_PUT(t + 1, e[1]);
	}
#undef COLUMN_PUT
}

static void SFX(add_column)(size_t mp, const PT *P, size_t j, double b, PT *k)
{
	SFX(column_op)(mp, P, j, b, k, NULL);
}

/*
 * Neuron i's k for RLS_SPIKE from the previous one (see rls.h): kp and cp
 * are k_{t-1} and its 1/den, the nsp inputs in J spiked, the pending
 * updates are u[0 .. np-1] with factors c (k_{t-1} among them unless it
 * was just folded into P).
 */
static void SFX(spike_k)(size_t mp, const PT *P, const PT *kp, double cp,
			 const PT *const *u, const double *c, size_t np,
			 const uint32_t *J, size_t nsp, const struct rls_spikes *sp, PT *k)
{
	const double b = sp->b;
	double g = sp->gamma * cp, beta[RLS_MAX_PENDING];

	/* The pending updates' share of the columns: -beta_s u_s, with
	 * beta_s = c_s b (u_s[J] summed); none without spikes. */
	if (!nsp)
		np = 0;
	for (size_t s = 0; s < np; s++) {
		double sum = 0;

		for (size_t x = 0; x < nsp; x++)
			sum += u[s][J[x]];
		beta[s] = c[s] * b * sum;
	}
	/* k_{t-1} itself, when still pending, is the last of them: its share
	 * joins gamma k_{t-1}/den_{t-1} (one pass over k fewer) */
	if (np && u[np - 1] == kp)
		g -= beta[--np];
	for (size_t t = 0; t < mp; t += 4) {
		double v[4];

		for (int l = 0; l < 4; l++)
			v[l] = g * kp[t + (size_t)l];
		for (size_t s = 0; s < np; s++)
			for (int l = 0; l < 4; l++)
				v[l] -= beta[s] * u[s][t + (size_t)l];
		for (int l = 0; l < 4; l++)
			k[t + (size_t)l] = (PT)v[l];
	}
	for (size_t x = 0; x < nsp; x++)
		SFX(add_column)(mp, P, J[x], b, k);
}

/*
 * Neuron i's pending updates, oldest first: u[x] and their factors c[x]
 * for x < the count returned; *ns is the free slot that takes the new k.
 */
static size_t SFX(pending)(const struct rls *s, size_t i, const PT **u, double *c, size_t *ns)
{
	const size_t nslot = s->batch + 1, mp = pad4(msize(s->rowptr, i));
	const size_t np = s->npend[i];
	const PT *vec = (const PT *)s->vecs + s->voff[i];
	const double *cs = s->cs + nslot * i;
	size_t y = s->head[i];

	for (size_t x = 0; x < np; x++, y = y + 1 == nslot ? 0 : y + 1) {
		u[x] = vec + y * mp;
		c[x] = cs[y];
	}
	*ns = y;
	return np;
}

/*
 * The end of neuron i's step in the vectors' form: its row w += a k (and
 * dw2), 1/den = ci and q'k = qk kept; *bad set if a is not finite.
 */
static void SFX(row_step)(struct rls *s, size_t i, double *w, const PT *k, double a, double ci,
			  double qk, int want_dw2, int *bad)
{
	const size_t m = msize(s->rowptr, i), mp = pad4(m);

	for (size_t j = 0; j < m; j++)
		w[j] += a * k[j];
	/* k is zero past m: whole groups of 4 */
	if (want_dw2)
		s->dw2[i] = a * a * SFX(qk)(mp, k, k);
	s->c[i] = ci;
	s->qk[i] = qk;
	*bad = !isfinite(a);
}

/*
 * Neuron i's RLS step (see rls_step()); returns 1 if it computed k
 * directly, and sets *bad if den or the update is not finite.  qbuf is
 * room for the neuron's q (padded to a multiple of 4).
 */
static int SFX(step_neuron)(struct rls *s, size_t i, double *val, const double *r,
			    const double *e, const struct rls_spikes *sp, int want_dw2, int *bad,
			    void *qbuf)
{
	const size_t *rowptr = s->rowptr, nslot = s->batch + 1;
	const int32_t *col = s->col;
	const size_t off = rowptr[i], m = msize(rowptr, i), mp = pad4(m);
	size_t nsp = sp ? s->nspk[i] : 0, ns, np;
	int passes = 0;
	PT *vec = (PT *)s->vecs + s->voff[i], *q = (PT *)qbuf, *k;
	PT *P = (PT *)s->P + s->poff[i];
	double *w = val + off, *cs = s->cs + nslot * i;
	const PT *u[RLS_MAX_PENDING + 1];
	double cp[RLS_MAX_PENDING + 1], den = 1, qk, ci, a, sc = 1;

	np = SFX(pending)(s, i, u, cp, &ns);
	k = vec + ns * mp;
	/* With forgetting, P_i is kept as scale_i times the stored matrix;
	 * before the scale grows out of range it goes into the matrix. */
	if (s->scale && s->scale[i] > s->scale_max) {
		const size_t sz = rls_packed_size(m);

		SFX(pkernel)(m, P, u, cp, np, NULL, NULL);
		for (size_t x = 0; x < sz; x++)
			P[x] = (PT)(s->scale[i] * P[x]);
		s->scale[i] = 1;
		np = 0;
	}
	/* k directly: no valid previous k, more than m/8 spiked inputs
	 * (the direct product is then the cheaper one), s->refresh
	 * (RLS_REFRESH) steps since the last time, or, with P stored in
	 * float, a fold due (FOLD_DIRECT: the pass that folds computes k
	 * too; see rls.h) */
	if (!sp || np == 0 || 8 * nsp > m || nsp > s->spk_cap || (FOLD_DIRECT && np == s->batch) ||
	    s->age[i] >= s->refresh) {
		for (size_t j = 0; j < m; j++)
			q[j] = (PT)r[col[off + j]];
		for (size_t j = m; j < mp; j++)
			q[j] = 0;
		den = SFX(pkernel)(m, P, u, cp, np, q, k);
		qk = den - 1;
		if (s->scale) {
			/* P_i = scale (the stored matrix): k = scale (its product
			 * with q), den = lambda + q'k */
			sc = s->scale[i];
			for (size_t j = 0; j < mp; j++)
				k[j] = (PT)(sc * k[j]);
			qk *= sc;
			den = s->forget + qk;
		}
		np = 0;
		s->age[i] = 1;
		passes++;
	} else {
		const uint32_t *J = s->spk + i * s->spk_cap;
		const PT *kp = u[np - 1];
		double kc = cp[np - 1], s1 = 0, s2 = 0;

		/* a full pending list is folded into P first (k_{t-1}
		 * stays in its slot) */
		if (np == s->batch) {
			SFX(fold_batch)(m, P, u, cp, np);
			np = 0;
		}
		SFX(spike_k)(mp, P, kp, kc, u, cp, np, J, nsp, sp, k);
		/* q'k from the previous step's (see rls.h), O(spikes) */
		for (size_t x = 0; x < nsp; x++) {
			s1 += kp[J[x]];
			s2 += k[J[x]];
		}
		qk = sp->gamma * kc * (sp->gamma * s->qk[i] + sp->b * s1) + sp->b * s2;
		den = 1 + qk;
		s->age[i]++;
	}
	/* the new k joins the np updates still pending; with forgetting
	 * P_i <- (P_i - ci k k')/lambda, that is scale/lambda times (the
	 * stored matrix - (ci/scale) k k') */
	ci = 1 / den;
	cs[ns] = ci / sc;
	if (s->scale)
		s->scale[i] = sc / s->forget;
	s->head[i] = (uint32_t)((ns + nslot - np) % nslot);
	s->npend[i] = (uint32_t)(np + 1);
	a = e[i] * ci;
	SFX(row_step)(s, i, w, k, a, ci, qk, want_dw2, bad);
	*bad |= !isfinite(den);
	return passes;
}

/*
 * Ask for the memory that neuron i's next step reads, ahead of it (for
 * matrices that do not fit the caches), and nothing more: the memory
 * system takes only so many requests at a time.  A spike step reads its
 * pending vectors and writes the next slot, its W row, and either the
 * lines of P_i that hold the columns of its spiked inputs or, when a fold
 * is due, the whole of P_i in order (the first lines are asked for, the
 * processor's own prefetcher follows); a direct step streams P_i.
 */
static void SFX(prefetch_neuron)(const struct rls *s, size_t i, const double *val,
				 const struct rls_spikes *sp)
{
	const size_t m = msize(s->rowptr, i), mp = pad4(m);
	const size_t nslot = s->batch + 1, nsp = sp ? s->nspk[i] : 0, np = s->npend[i];
	const char *vec = (const char *)((const PT *)s->vecs + s->voff[i]);
	const char *P = (const char *)((const PT *)s->P + s->poff[i]);
	const size_t vbytes = mp * sizeof(PT);

	for (size_t x = 0; x < m * sizeof(double); x += 64)
		__builtin_prefetch((const char *)(val + s->rowptr[i]) + x, 1);
	if (!sp || np == 0 || 8 * nsp > m || nsp > s->spk_cap || s->age[i] >= s->refresh ||
	    np == s->batch) {
		for (size_t x = 0; x < 1024 && x < rls_packed_size(m) * sizeof(PT); x += 64)
			__builtin_prefetch(P + x, 1);
		return;
	}
	/* the pending vectors and the slot that takes the new k */
	for (size_t y = 0, slot = s->head[i]; y <= np; y++, slot = slot + 1 == nslot ? 0 : slot + 1)
		for (size_t x = 0; x < vbytes; x += 64)
			__builtin_prefetch(vec + slot * vbytes + x, 1);
	for (size_t x = 0; x < nsp; x++) {
		const size_t j = s->spk[i * s->spk_cap + x], jb = j & ~(size_t)3;
		size_t base = 0;

		for (size_t t0 = 0; t0 < jb; t0 += 4) {
			__builtin_prefetch(P + sizeof(PT) * (base + tix(0, j - t0)), 0);
			base += 4 * (mp - t0);
		}
		/* row j of its block: a pair in every tile, tiles of 8 values */
		for (size_t t = jb; t < mp; t += 2 * 64 / (8 * sizeof(PT)))
			__builtin_prefetch(P + sizeof(PT) * (base + tix(j - jb, t - jb)), 0);
	}
}

/* Fold neuron i's pending updates into P_i: its next step computes k
 * directly. */
static void SFX(flush_neuron)(struct rls *s, size_t i)
{
	const size_t nslot = s->batch + 1;
	size_t ns, np;
	const PT *u[RLS_MAX_PENDING + 1];
	double cp[RLS_MAX_PENDING + 1];

	np = SFX(pending)(s, i, u, cp, &ns);
	SFX(pkernel)(msize(s->rowptr, i), (PT *)s->P + s->poff[i], u, cp, np, NULL, NULL);
	s->head[i] = (uint32_t)(ns % nslot);
	s->npend[i] = 0;
}

/*
 * The coefficient form (see rls.h).  Neuron i's basis P0 E into C (M
 * vectors of mp doubles): k0, then P0's columns at j_1 .. j_M-1 (P holds
 * P0 between two passes).
 */
static void SFX(coef_basis)(const struct rls *s, size_t i, double *C)
{
	const size_t mp = pad4(msize(s->rowptr, i)), M = s->cm[i];
	const PT *P = (const PT *)s->P + s->poff[i], *k0 = (const PT *)s->vecs + coef_k0(s, i);
	const uint32_t *cj = s->cj + i * (s->mc - 1);

	for (size_t t = 0; t < mp; t++)
		C[t] = k0[t];
	for (size_t l = 1; l < M; l++)
		SFX(column_op)(mp, P, cj[l - 1], 0, NULL, C + l * mp);
}

/*
 * Neuron i's pending weight change P0 E y into its row of val, with its
 * record (or a copy) in co, the basis in C (coef_basis()) and room for the
 * change in d (mp doubles); y is then 0.  Returns 0 when nothing was
 * pending (d untouched).
 */
static int SFX(coef_land)(const struct rls *s, size_t i, const struct coef *co, double *val,
			  const double *C, double *d)
{
	const size_t m = msize(s->rowptr, i), mp = pad4(m), M = s->cm[i];
	double *w = val + s->rowptr[i];

	if (!coef_pending(co, M))
		return 0;
	coef_combine(mp, M, C, co->rec + 1, co->R, d);
	for (size_t j = 0; j < m; j++)
		w[j] += d[j];
	for (size_t l = 0; l < M; l++)
		co->rec[l * co->R + 1] = 0;
	return 1;
}

/*
 * The sum of a landed change d (coef_land()) over neuron i's inputs that
 * spiked (the sp->nspk[i] positions in s->spk when they are all there,
 * else from sp->spiked: the same terms in the same order).
 */
static double SFX(coef_spiked_sum)(const struct rls *s, size_t i, const struct rls_spikes *sp,
				   const double *d)
{
	const size_t nsp = s->nspk[i], m = msize(s->rowptr, i);
	const int32_t *col = s->col + s->rowptr[i];
	double sum = 0;

	if (nsp <= s->spk_cap)
		for (size_t x = 0; x < nsp; x++)
			sum += d[s->spk[i * s->spk_cap + x]];
	else
		for (size_t j = 0; j < m; j++)
			if (sp->spiked[col[j]])
				sum += d[j];
	return sum;
}

/* rls_settle() for neuron i (C, d: room as coef_land() needs); in the
 * vectors' form its row is up to date (and its ring holds no record). */
static void SFX(coef_settle)(struct rls *s, size_t i, double *val, double *C, double *d)
{
	const struct coef co = coef_of(s, i);

	if (!s->cform[i] || !coef_pending(&co, s->cm[i]))
		return;
	SFX(coef_basis)(s, i, C);
	SFX(coef_land)(s, i, &co, val, C, d);
}

/*
 * The pending updates sum_s c_s k_s k_s' = C Z C' (k_s = C z_s, Z = sum_s
 * c_s z_s z_s', M x M) as at most M terms cu_l v_l v_l' for the pass:
 * Z = L D L' with diagonal pivoting (Z is positive semidefinite: the
 * largest remaining diagonal entry each time, so that |L| <= 1 and the
 * vectors v_l = C L[:, l], rounded to PT, carry no more than their own
 * rounding), stopping when what remains is below RLS_COEF_DROP of the first
 * pivot.  The basis is in C, d room for mp doubles; returns the terms.
 */
static size_t SFX(coef_pending_k)(const struct rls *s, size_t i, const double *C, double *d,
				  PT *const *U, double *cu)
{
	enum { MC = RLS_COEF_SPIKES + 1 };
	const size_t mp = pad4(msize(s->rowptr, i)), M = s->cm[i], np = s->npend[i];
	const struct coef co = coef_of(s, i);
	double Z[MC][MC], L[MC][MC], first = 0;
	size_t perm[MC], nu = 0;

	for (size_t a = 0; a < M; a++) {
		perm[a] = a;
		for (size_t b = 0; b <= a; b++) {
			double z = 0;

			for (size_t x = 0; x < np; x++)
				z += co.cs[x] * co.rec[a * co.R + 2 + x] * co.rec[b * co.R + 2 + x];
			Z[a][b] = Z[b][a] = z;
		}
	}
	/* Z is reduced in place (its trailing Schur complement); L[a][j]
	 * for the basis vector a and the term j */
	for (size_t j = 0; j < M; j++) {
		size_t p = j;

		for (size_t a = j + 1; a < M; a++)
			if (Z[perm[a]][perm[a]] > Z[perm[p]][perm[p]])
				p = a;
		{
			const size_t t = perm[j];

			perm[j] = perm[p];
			perm[p] = t;
		}
		{
			const size_t pj = perm[j];
			const double dj = Z[pj][pj];

			if (j == 0)
				first = dj;
			if (!(dj > RLS_COEF_DROP * first))
				break;
			for (size_t a = 0; a < M; a++)
				L[a][j] = 0;
			L[pj][j] = 1;
			for (size_t a = j + 1; a < M; a++)
				L[perm[a]][j] = Z[perm[a]][pj] / dj;
			for (size_t a = j + 1; a < M; a++)
				for (size_t b = j + 1; b < M; b++)
					Z[perm[a]][perm[b]] -= L[perm[a]][j] * dj * L[perm[b]][j];
			/* v_j = C L[:, j] */
			for (size_t t = 0; t < mp; t++)
				d[t] = C[pj * mp + t];
			for (size_t a = j + 1; a < M; a++) {
				const double l = L[perm[a]][j];

				for (size_t t = 0; t < mp; t++)
					d[t] += l * C[perm[a] * mp + t];
			}
			for (size_t t = 0; t < mp; t++)
				U[nu][t] = (PT)d[t];
			cu[nu++] = dj;
		}
	}
	return nu;
}

/* Fold neuron i's pending updates into P_i (after its weight change has
 * landed); its next step is a pass. */
static void SFX(coef_flush)(struct rls *s, size_t i, void *scratch)
{
	const size_t m = msize(s->rowptr, i);
	struct coef_room room = coef_room(s, scratch);

	if (!s->cform[i]) {
		SFX(flush_neuron)(s, i);
		s->cm[i] = 0;
		return;
	}
	if (s->cm[i] && s->npend[i]) {
		double cu[RLS_COEF_SPIKES + 1];
		size_t nu;

		SFX(coef_basis)(s, i, room.C);
		nu = SFX(coef_pending_k)(s, i, room.C, room.d, (PT *const *)room.U, cu);
		SFX(pkernel)(m, (PT *)s->P + s->poff[i], (const PT *const *)room.U, cu, nu, NULL,
			     NULL);
	}
	s->cm[i] = 0;
	s->npend[i] = 0;
	s->head[i] = 0;
}

/*
 * Neuron i's step when its basis is full: its pending k_s = P0 E z_s go
 * into the ring of the vectors' form (k_0 = k0 is in it already), its
 * weight change lands, and the step and the next ones to the pass are
 * step_neuron()'s (the pass then comes at the same step as it would have).
 */
static int SFX(coef_to_vectors)(struct rls *s, size_t i, double *val, const double *r,
				double *e, const double *target, double *v,
				const struct rls_spikes *sp, int want_dw2, int *bad, void *scratch)
{
	const size_t mp = pad4(msize(s->rowptr, i)), M = s->cm[i], np = s->npend[i];
	const size_t nslot = s->batch + 1, nsp = s->nspk[i];
	struct coef_room room = coef_room(s, scratch);
	/* the record lies in the slots the k_s go to: a copy */
	const struct coef co = coef_at(s, memcpy(room.rec, coef_of(s, i).cs,
						 s->cstride * sizeof(double)));
	PT *vec = (PT *)s->vecs + s->voff[i];
	double corr = 0;

	SFX(coef_basis)(s, i, room.C);
	s->cs[nslot * i + s->head[i]] = co.cs[0];
	for (size_t x = 1; x < np; x++) {
		const size_t slot = (s->head[i] + x) % nslot;

		coef_combine(mp, M, room.C, co.rec + 2 + x, co.R, room.d);
		for (size_t t = 0; t < mp; t++)
			vec[slot * mp + t] = (PT)room.d[t];
		s->cs[nslot * i + slot] = co.cs[x];
	}
	if (SFX(coef_land)(s, i, &co, val, room.C, room.d))
		corr = SFX(coef_spiked_sum)(s, i, sp, room.d);
	coef_error(target, v, e, i, sp->b * corr);
	s->cform[i] = 0;
	s->cspk[i] = (uint16_t)(M - 1 + nsp);
	return SFX(step_neuron)(s, i, val, r, e, sp, want_dw2, bad, room.q);
}

/*
 * Neuron i's step in the coefficient form (see rls_step() and rls.h);
 * returns 1 if it was a pass over P_i, and sets *bad if den or the update
 * is not finite.  scratch: room as coef_room() lays out.
 */
static int SFX(coef_step)(struct rls *s, size_t i, double *val, const double *r, double *e,
			  const double *target, double *v, const struct rls_spikes *sp,
			  int want_dw2, int *bad, void *scratch)
{
	const size_t off = s->rowptr[i], m = msize(s->rowptr, i), mp = pad4(m);
	const int32_t *col = s->col + off;
	const struct coef co = coef_of(s, i);
	const size_t R = co.R, nsp = sp ? s->nspk[i] : 0;
	uint32_t *cj = s->cj + i * (s->mc - 1);
	const uint32_t *J = sp ? s->spk + i * s->spk_cap : NULL;
	PT *P = (PT *)s->P + s->poff[i], *k0 = (PT *)s->vecs + coef_k0(s, i);
	size_t M = s->cm[i], np = s->npend[i], Mn = M, idx[MAX_SPIKED];
	double z[RLS_COEF_SPIKES + 1], den, qk, ci, a, ei;
	int pass = !s->cform[i] || coef_pass_due(s, i, sp);

	/* the spiked inputs' places in the basis; new ones join it (the
	 * vectors' form from here to the pass when it is full) */
	for (size_t x = 0; x < nsp && !pass; x++) {
		size_t l = 1;

		while (l < Mn && cj[l - 1] != J[x])
			l++;
		if (l == Mn) {
			if (Mn == s->mc)
				return SFX(coef_to_vectors)(s, i, val, r, e, target, v, sp,
							    want_dw2, bad, scratch);
			cj[Mn++ - 1] = J[x];
		}
		idx[x] = l;
	}
	if (!pass) {
		double g[RLS_COEF_SPIKES + 1];

		/* G's rows of the new vectors: k0[j] = P0[j, :] q0, P0[j, j_t] */
		for (size_t l = M; l < Mn; l++) {
			double *Gl = co.G + l * (l + 1) / 2, *rl = co.rec + l * R;
			const size_t j = cj[l - 1];

			Gl[0] = k0[j];
			for (size_t t = 1; t <= l; t++) {
				const size_t jt = cj[t - 1];

				Gl[t] = *SFX(elem)(P, mp, j < jt ? j : jt, j < jt ? jt : j);
			}
			rl[0] = rl[1] = 0;
			for (size_t x = 0; x < np; x++)
				rl[2 + x] = 0;
		}
		M = Mn;
		s->cm[i] = (uint8_t)M;
		/* q's coefficients follow q: x <- gamma x + b at the spiked */
		for (size_t l = 0; l < M; l++)
			co.rec[l * R] *= sp->gamma;
		for (size_t x = 0; x < nsp; x++)
			co.rec[idx[x] * R] += sp->b;
		if (target) {
			/* the pending change's share of the spike-carried terms:
			 * b (P0 E y)[j] = b (G y)_l at each spiked j = j_l */
			double corr = 0;

			if (nsp) {
				coef_gmul(&co, M, 1, g);
				for (size_t x = 0; x < nsp; x++)
					corr += g[idx[x]];
			}
			coef_error(target, v, e, i, sp->b * corr);
		}
		/* z = x - sum_s c_s (z_s' G x) z_s, den = 1 + (G x)' z */
		coef_gmul(&co, M, 0, g);
		for (size_t l = 0; l < M; l++)
			z[l] = co.rec[l * R];
		for (size_t x = 0; x < np; x++) {
			double f = 0;

			for (size_t l = 0; l < M; l++)
				f += co.rec[l * R + 2 + x] * g[l];
			f *= co.cs[x];
			for (size_t l = 0; l < M; l++)
				z[l] -= f * co.rec[l * R + 2 + x];
		}
		qk = 0;
		for (size_t l = 0; l < M; l++)
			qk += g[l] * z[l];
		den = 1 + qk;
		s->age[i]++;
	} else {
		/* the pass: the pending updates folded (with the coefficient
		 * form, the pending k_s formed first, and the weight change
		 * landed, its share of the terms found on the way), then k =
		 * P q into a free slot, the new k0 */
		struct coef_room room = coef_room(s, scratch);
		PT *q = (PT *)room.q, *knew;
		const PT *u[RLS_MAX_PENDING + 1];
		double corr = 0, cu[RLS_MAX_PENDING + 1];
		size_t nu = 0, ns = 0;
		unsigned spikes;

		if (M && s->cform[i]) {
			SFX(coef_basis)(s, i, room.C);
			nu = SFX(coef_pending_k)(s, i, room.C, room.d, (PT *const *)room.U, cu);
			for (size_t x = 0; x < nu; x++)
				u[x] = room.U[x];
			if (SFX(coef_land)(s, i, &co, val, room.C, room.d) && sp)
				corr = SFX(coef_spiked_sum)(s, i, sp, room.d);
			/* the new k0 over the old one (in C now): the
			 * record follows slot 0 */
			ns = s->head[i];
			/* the inputs spiked since the last pass */
			spikes = (unsigned)(M - 1);
		} else {
			if (M)
				nu = SFX(pending)(s, i, u, cu, &ns);
			spikes = s->cspk[i];
		}
		coef_error(target, v, e, i, sp ? sp->b * corr : 0);
		for (size_t j = 0; j < m; j++)
			q[j] = (PT)r[col[j]];
		for (size_t j = m; j < mp; j++)
			q[j] = 0;
		knew = (PT *)s->vecs + s->voff[i] + ns * mp;
		den = SFX(pkernel)(m, P, u, cu, nu, q, knew);
		qk = den - 1;
		/* the form of the next steps: the coefficients unless the
		 * inputs spiked too often for the basis over the last ones
		 * (k0 in slot 0 then, the record after it) */
		s->cform[i] = spikes <= RLS_COEF_SPIKES / 2;
		if (s->cform[i] && ns) {
			memcpy((PT *)s->vecs + s->voff[i], knew, mp * sizeof(PT));
			ns = 0;
		}
		s->head[i] = (uint32_t)ns;
		s->cspk[i] = 0;
		M = 1;
		s->cm[i] = 1;
		np = 0;
		if (s->cform[i]) {
			co.G[0] = qk;
			co.rec[0] = 1;
			co.rec[1] = 0;
		}
		z[0] = 1;
		s->age[i] = 1;
	}
	/* the step's k = P0 E z joins the pending updates, its share of the
	 * weight change joins y */
	ei = e[i];
	ci = 1 / den;
	a = ei * ci;
	s->npend[i] = (uint32_t)(np + 1);
	if (!s->cform[i]) {
		/* the vectors' form (step_neuron() from here on): the new k
		 * is its first pending update, and the row changes now */
		s->cs[(s->batch + 1) * i + s->head[i]] = ci;
		SFX(row_step)(s, i, val + off, (const PT *)s->vecs + coef_k0(s, i), a, ci, qk,
			      want_dw2, bad);
		*bad |= !isfinite(den);
		return pass;
	}
	for (size_t l = 0; l < M; l++) {
		co.rec[l * R + 1] += a * z[l];
		co.rec[l * R + 2 + np] = z[l];
	}
	co.cs[np] = ci;
	if (want_dw2) {
		struct coef_room room = coef_room(s, scratch);

		SFX(coef_basis)(s, i, room.C);
		coef_combine(mp, M, room.C, z, 1, room.d);
		s->dw2[i] = a * a * qk_d(mp, room.d, room.d);
	}
	s->c[i] = ci;
	s->qk[i] = qk;
	*bad = !isfinite(den) || !isfinite(a);
	return pass;
}

/*
 * prefetch_neuron() for the coefficient form: a step that will be a pass
 * streams P_i and reads k0 and its weight row; the others read the record's
 * first lines (c_s, G's first rows, the first basis vectors') and k0 at the
 * spiked inputs.
 */
static void SFX(coef_prefetch)(const struct rls *s, size_t i, const double *val,
			       const struct rls_spikes *sp)
{
	const size_t m = msize(s->rowptr, i), mp = pad4(m), nsp = sp ? s->nspk[i] : 0;
	const char *k0 = (const char *)((const PT *)s->vecs + coef_k0(s, i));
	const char *P = (const char *)((const PT *)s->P + s->poff[i]);
	const struct coef co = coef_of(s, i);

	if (!s->cform[i] && s->cm[i]) {
		SFX(prefetch_neuron)(s, i, val, sp);
		return;
	}
	if (coef_pass_due(s, i, sp)) {
		for (size_t x = 0; x < m * sizeof(double); x += 64)
			__builtin_prefetch((const char *)(val + s->rowptr[i]) + x, 1);
		for (size_t x = 0; x < mp * sizeof(PT); x += 64)
			__builtin_prefetch(k0 + x, 1);
		for (size_t x = 0, e = rls_packed_size(m) * sizeof(PT); x < 1024 && x < e; x += 64)
			__builtin_prefetch(P + x, 1);
		return;
	}
	__builtin_prefetch(co.cs, 1);
	__builtin_prefetch(co.G, 1);
	for (size_t x = 0; x < s->cm[i] * co.R * sizeof(double); x += 64)
		__builtin_prefetch((const char *)co.rec + x, 1);
	/* an input's first spike reads k0 there and P0 at it and the basis */
	for (size_t x = 0; x < nsp; x++) {
		const size_t j = s->spk[i * s->spk_cap + x];
		const uint32_t *cj = s->cj + i * (s->mc - 1);

		__builtin_prefetch(k0 + sizeof(PT) * j, 0);
		__builtin_prefetch(SFX(elem)((PT *)s->P + s->poff[i], mp, j, j), 0);
		for (size_t l = 1; l < s->cm[i]; l++)
			__builtin_prefetch(SFX(elem)((PT *)s->P + s->poff[i], mp, j < cj[l - 1] ? j : cj[l - 1],
						     j < cj[l - 1] ? cj[l - 1] : j), 0);
	}
}
