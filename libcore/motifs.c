/* motifs: see motifs.h. */
#include <math.h>
#include <string.h>

#include "motifs.h"

/* Tile edge of the blocked pass over (i, j) and (j, i): the transposed
 * copy of a 64 x 64 tile (32 KiB) stays in L1/L2. */
#define TILE 64

/*
 * Sum of a[0..n-1] with eight independent partial sums: short dependency
 * chains (fast) and an error growing with n/8 rather than n.
 */
static double sum8(const double *a, size_t n)
{
	double p[8] = { 0 };
	size_t j = 0;

	for (; j + 8 <= n; j += 8)
		for (int k = 0; k < 8; k++)
			p[k] += a[j + k];
	for (; j < n; j++)
		p[j & 7] += a[j];
	return ((p[0] + p[1]) + (p[2] + p[3])) + ((p[4] + p[5]) + (p[6] + p[7]));
}

/* Four doubles at a time (GCC vector extension; unaligned through memcpy). */
typedef double v4d __attribute__((vector_size(32)));

static inline v4d ld4(const double *p)
{
	v4d v;

	memcpy(&v, p, sizeof v);
	return v;
}

static inline void st4(double *p, v4d v)
{
	memcpy(p, &v, sizeof v);
}

static inline double hsum4(v4d v)
{
	return (v[0] + v[1]) + (v[2] + v[3]);
}

/*
 * One pair of tiles: rows [bi, ei) x columns [bj, ej) of W, and its mirror
 * [bj, ej) x [bi, ei) copied transposed into t (so that t[ii][jj] =
 * W[bj+jj][bi+ii]).  On the diagonal (bi == bj) the tile is its own mirror
 * and each entry counts once.  Adds to r, c and returns through s2, x.
 */
static void tile_pair(const double *W, size_t n, double mean, size_t bi, size_t ei,
		      size_t bj, size_t ej, double *t, double *r, double *c,
		      double *s2, double *x)
{
	size_t wi = ei - bi, wj = ej - bj, w4 = wj & ~(size_t)3;
	int diag = bi == bj;
	const v4d mv = { mean, mean, mean, mean };
	v4d q = { 0 }, p = { 0 };
	double qs = 0, ps = 0;

	for (size_t jj = 0; jj < wj; jj++) {
		const double *src = W + (bj + jj) * n + bi;

		for (size_t ii = 0; ii < wi; ii++)
			t[ii * TILE + jj] = src[ii];
	}
	for (size_t ii = 0; ii < wi; ii++) {
		const double *row = W + (bi + ii) * n + bj;
		const double *tr = t + ii * TILE;
		v4d ar = { 0 }, ac = { 0 };
		double sr = 0, sc = 0;
		size_t jj = 0;

		for (; jj < w4; jj += 4) {
			v4d v = ld4(row + jj) - mv;
			v4d u = ld4(tr + jj) - mv;

			ar += v;
			st4(c + bj + jj, ld4(c + bj + jj) + v);
			q += v * v;
			p += v * u;
			if (!diag) {
				ac += u;
				st4(r + bj + jj, ld4(r + bj + jj) + u);
				q += u * u;
			}
		}
		for (; jj < wj; jj++) {
			double v = row[jj] - mean, u = tr[jj] - mean;

			sr += v;
			c[bj + jj] += v;
			qs += v * v;
			ps += v * u;
			if (!diag) {
				sc += u;
				r[bj + jj] += u;
				qs += u * u;
			}
		}
		r[bi + ii] += hsum4(ar) + sr;
		if (!diag)
			c[bi + ii] += hsum4(ac) + sc;
	}
	*s2 += hsum4(q) + qs;
	/* Off the diagonal every product w_ij w_ji stands for two. */
	*x += (diag ? 1 : 2) * (hsum4(p) + ps);
}

void motifs_sums(const double *W, size_t n, double *work, struct motifs_sums *s)
{
	double *r = work, *c = work + n;
	double total = 0, mean, s2 = 0, x = 0, cc = 0, rr = 0, cr = 0;
	double t[TILE * TILE];

	/* Pass 1: the mean, from per-row sums (a two-level summation). */
	for (size_t i = 0; i < n; i++)
		total += sum8(W + i * n, n);
	mean = total / ((double)n * (double)n);

	/* Pass 2: row sums, column sums, sum w^2 and sum w_ij w_ji of
	 * w = W - mean, over pairs of tiles (I, J), I <= J, so that each entry
	 * is read once and its mirror is in cache. */
	memset(work, 0, 2 * n * sizeof *work);
	for (size_t bi = 0; bi < n; bi += TILE) {
		size_t ei = bi + TILE < n ? bi + TILE : n;

		for (size_t bj = bi; bj < n; bj += TILE) {
			size_t ej = bj + TILE < n ? bj + TILE : n;

			tile_pair(W, n, mean, bi, ei, bj, ej, t, r, c, &s2, &x);
		}
	}

	for (size_t i = 0; i < n; i++) {
		cc += c[i] * c[i];
		rr += r[i] * r[i];
		cr += c[i] * r[i];
	}
	s->mean = mean;
	s->s2 = s2;
	s->x = x;
	s->cc = cc;
	s->rr = rr;
	s->cr = cr;
}

int motifs_from_sums(const struct motifs_sums *s, size_t n, struct motifs *m)
{
	double N = (double)n, sigma2, norm, a;

	if (n < 2)
		return MOTIFS_SMALL;
	if (!(s->s2 > 0))
		return MOTIFS_NOVAR;
	/* The definitions of MODEL.md, term by term (see motifs.h). */
	sigma2 = s->s2 / N;
	norm = sigma2 * N * (N - 1);
	m->sigma2 = sigma2;
	m->tau_rec = s->x / (sigma2 * N);
	m->tau_div = (s->cc - s->s2) / norm;
	m->tau_con = (s->rr - s->s2) / norm;
	m->tau_chn = 2 * (s->cr - s->x) / norm;
	a = 1 - m->tau_div - m->tau_con;
	m->R = a > 0 ? sqrt(sigma2) * (a + m->tau_rec - 2 * m->tau_chn) / sqrt(a) : NAN;
	return MOTIFS_OK;
}

int motifs_compute(const double *W, size_t n, double *work, struct motifs *m)
{
	struct motifs_sums s;

	if (n < 2)
		return MOTIFS_SMALL;
	motifs_sums(W, n, work, &s);
	return motifs_from_sums(&s, n, m);
}
