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

/* k += b P[:, j] for the block-packed P (mp x mp): the blocks of rows
 * above j's hold P[t, j] in their stored upper part (the 4 rows of one
 * tile), row j of its block the rest (pairs of columns). */
static void SFX(add_column)(size_t mp, const PT *P, size_t j, double b, PT *k)
{
	const size_t jb = j & ~(size_t)3, r = j - jb;

	for (size_t t0 = 0; t0 < jb; t0 += 4) {
		const PT *e = P + tix(0, j - t0);

		k[t0] += b * e[0];
		k[t0 + 1] += b * e[2];
		k[t0 + 2] += b * e[4];
		k[t0 + 3] += b * e[6];
		P += 4 * (mp - t0);
	}
	for (size_t t = jb; t < mp; t += 2) {
		const PT *e = P + tix(r, t - jb);

		k[t] += b * e[0];
		k[t + 1] += b * e[1];
	}
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
	for (size_t j = 0; j < m; j++)
		w[j] += a * k[j];
	if (want_dw2) {
		double d[4] = { 0, 0, 0, 0 };

		/* k is zero past m: whole groups of 4 */
		for (size_t j = 0; j < mp; j += 4)
			for (int l = 0; l < 4; l++)
				d[l] += (double)k[j + (size_t)l] * k[j + (size_t)l];
		s->dw2[i] = a * a * ((d[0] + d[1]) + (d[2] + d[3]));
	}
	s->c[i] = ci;
	s->qk[i] = qk;
	*bad = !isfinite(den) || !isfinite(a);
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
