/* motifs: see motifs.h. */
#include <math.h>
#include <string.h>

#include "motifs.h"

/* Tile edge of the blocked pass over (i, j) and (j, i): two 64 x 64
 * tiles of doubles fit a 64 KiB L1/L2 working set. */
#define TILE 64

/*
 * Sum of a[0..n-1] with eight independent partial sums: short dependency
 * chains (fast) and an error growing with n/8 rather than n.
 */
static double sum8(const double *a, size_t n, double shift)
{
	double p[8] = { 0 };
	size_t j = 0;

	for (; j + 8 <= n; j += 8)
		for (int k = 0; k < 8; k++)
			p[k] += a[j + k] - shift;
	for (; j < n; j++)
		p[j & 7] += a[j] - shift;
	return ((p[0] + p[1]) + (p[2] + p[3])) + ((p[4] + p[5]) + (p[6] + p[7]));
}

void motifs_sums(const double *W, size_t n, double *work, struct motifs_sums *s)
{
	double *r = work, *c = work + n;
	double total = 0, mean, s2 = 0, x = 0, cc = 0, rr = 0, cr = 0;

	/* Pass 1: the mean, from per-row sums (a two-level summation). */
	for (size_t i = 0; i < n; i++)
		total += sum8(W + i * n, n, 0);
	mean = total / ((double)n * (double)n);

	/* Pass 2: row sums, column sums and sum of squares of w = W - mean. */
	memset(c, 0, n * sizeof *c);
	for (size_t i = 0; i < n; i++) {
		const double *row = W + i * n;
		double q[8] = { 0 }, p[8] = { 0 };
		size_t j = 0;

		for (; j + 8 <= n; j += 8)
			for (int k = 0; k < 8; k++) {
				double v = row[j + k] - mean;

				p[k] += v;
				q[k] += v * v;
				c[j + k] += v;
			}
		for (; j < n; j++) {
			double v = row[j] - mean;

			p[j & 7] += v;
			q[j & 7] += v * v;
			c[j] += v;
		}
		r[i] = ((p[0] + p[1]) + (p[2] + p[3])) + ((p[4] + p[5]) + (p[6] + p[7]));
		s2 += ((q[0] + q[1]) + (q[2] + q[3])) + ((q[4] + q[5]) + (q[6] + q[7]));
	}

	/* Pass 3: X = sum_ij w_ij w_ji = sum_i w_ii^2 + 2 sum_{i<j} w_ij w_ji,
	 * over pairs of tiles (I, J) with I <= J so that both stay in cache. */
	for (size_t bi = 0; bi < n; bi += TILE) {
		size_t ei = bi + TILE < n ? bi + TILE : n;
		double off = 0, diag = 0;

		for (size_t i = bi; i < ei; i++) {
			double v = W[i * n + i] - mean;

			diag += v * v;
		}
		for (size_t bj = bi; bj < n; bj += TILE) {
			size_t ej = bj + TILE < n ? bj + TILE : n;
			double t = 0;

			for (size_t i = bi; i < ei; i++) {
				const double *wi = W + i * n;
				size_t j0 = bj > i + 1 ? bj : i + 1;
				double p[4] = { 0 };
				size_t j = j0;

				for (; j + 4 <= ej; j += 4)
					for (int k = 0; k < 4; k++)
						p[k] += (wi[j + k] - mean) *
							(W[(j + k) * n + i] - mean);
				for (; j < ej; j++)
					p[0] += (wi[j] - mean) * (W[j * n + i] - mean);
				t += (p[0] + p[1]) + (p[2] + p[3]);
			}
			off += t;
		}
		x += diag + 2 * off;
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
