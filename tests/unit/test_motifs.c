/*
 * test_motifs: libcore's O(N^2) motifs against MODEL.md's definition with
 * three dense matrix products (cblas_dgemm), for N = 2 .. 500 (across the
 * tile edges 63/64/65, 127/128/129) and random, symmetric, antisymmetric,
 * rank-one, row-centred and sparse matrices; plus the error returns.
 * The same matrices in CSR (every entry stored for the dense kinds, the
 * non-zeros for the sparse ones) through the O(nnz) sparse motifs
 * (spmotifs.h) against the same reference, plus sparse kinds of their own:
 * many reciprocal pairs (a symmetric structure), exactly symmetric values
 * (tau_rec = 1), empty rows and columns with stored diagonal entries and
 * explicit zeros and a large mean, and networks of 1200 and 1500 neurons
 * whose lower triangles span several blocks.  The sparse sums must not
 * depend on the number of threads (1, 2 or 3: the same bits).
 *
 * Tolerance: 1e-12 relative, where a tau is relative to the larger of its
 * two normalised terms (a tau near 0 is their difference; see
 * tests/ref/motifs_ref.py), sigma2 to itself.  Prints the worst relative
 * difference; exit 0 when every check passes, 1 otherwise.
 */
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <omp.h>

#include "motifs.h"
#include "rng.h"
#include "spmotifs.h"

#define REL 1e-12

static int failures;
static double worst;

struct ref {
	double v[6];      /* sigma2, tau_rec, tau_div, tau_con, tau_chn, R */
	double scale[6];
};

/* The reference's own sums in long double, so that its rounding stays
 * far below the tolerance. */
static double sum_all(const double *a, size_t n)
{
	long double s = 0;

	for (size_t i = 0; i < n * n; i++)
		s += a[i];
	return (double)s;
}

static double trace(const double *a, size_t n)
{
	long double s = 0;

	for (size_t i = 0; i < n; i++)
		s += a[i * n + i];
	return (double)s;
}

/* MODEL.md with ww = w w, wtw = w^T w, wwt = w w^T by dgemm. */
static void reference(const double *W, size_t n, struct ref *r)
{
	size_t nn = n * n;
	double *w = malloc(nn * sizeof *w), *ww = malloc(nn * sizeof *ww);
	double *wtw = malloc(nn * sizeof *wtw), *wwt = malloc(nn * sizeof *wwt);
	long double lmean = 0;
	double mean, N = (double)n, sigma2, norm, a, cross = 0;
	int ni = (int)n;

	for (size_t i = 0; i < nn; i++)
		lmean += W[i];
	mean = (double)(lmean / (long double)nn);
	for (size_t i = 0; i < nn; i++)
		w[i] = W[i] - mean;
	cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, ni, ni, ni, 1, w, ni, w, ni, 0, ww, ni);
	cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, ni, ni, ni, 1, w, ni, w, ni, 0, wtw, ni);
	cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, ni, ni, ni, 1, w, ni, w, ni, 0, wwt, ni);
	sigma2 = trace(wwt, n) / N;
	norm = sigma2 * N * (N - 1);
	r->v[0] = sigma2;
	r->v[1] = trace(ww, n) / (sigma2 * N);
	r->v[2] = (sum_all(wwt, n) - trace(wwt, n)) / norm;
	r->v[3] = (sum_all(wtw, n) - trace(wtw, n)) / norm;
	r->v[4] = 2 * (sum_all(ww, n) - trace(ww, n)) / norm;
	a = 1 - r->v[2] - r->v[3];
	r->v[5] = sqrt(sigma2) * (a + r->v[1] - 2 * r->v[4]) / sqrt(a);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++)
			cross += fabs(w[i * n + j] * w[j * n + i]);
	r->scale[0] = sigma2;
	r->scale[1] = 1;
	r->scale[2] = fmax(fabs(sum_all(wwt, n)), trace(wwt, n)) / norm;
	r->scale[3] = fmax(fabs(sum_all(wtw, n)), trace(wtw, n)) / norm;
	r->scale[4] = 2 * fmax(fmax(fabs(sum_all(ww, n)), fabs(trace(ww, n))), cross) / norm;
	r->scale[5] = sqrt(sigma2) * (1 + fabs(r->v[1]) + fabs(r->v[2]) + fabs(r->v[3]) +
				      fabs(r->v[4]) + 2 * r->scale[4]) / sqrt(a);
	free(w);
	free(ww);
	free(wtw);
	free(wwt);
}

static void fill(double *W, size_t n, const char *kind, rng_t *g)
{
	size_t nn = n * n;

	for (size_t i = 0; i < nn; i++)
		W[i] = rng_normal(g);
	if (!strcmp(kind, "random")) {
		for (size_t i = 0; i < nn; i++)
			W[i] += 0.3;
	} else if (!strcmp(kind, "symmetric") || !strcmp(kind, "antisymmetric")) {
		double s = kind[0] == 's' ? 1 : -1;

		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j <= i; j++) {
				double v = W[i * n + j] + s * W[j * n + i];

				W[i * n + j] = v;
				W[j * n + i] = s * v;
			}
	} else if (!strcmp(kind, "rankone")) {
		double *u = malloc(2 * n * sizeof *u);

		for (size_t i = 0; i < 2 * n; i++)
			u[i] = rng_normal(g) + (i < n ? 1 : 0);
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < n; j++)
				W[i * n + j] = u[i] * u[n + j];
		free(u);
	} else if (!strcmp(kind, "rowcentred")) {
		for (size_t i = 0; i < n; i++) {
			double m = 0;

			for (size_t j = 0; j < n; j++)
				m += W[i * n + j];
			m /= (double)n;
			for (size_t j = 0; j < n; j++)
				W[i * n + j] -= m;
		}
	} else if (!strcmp(kind, "sparse")) {
		for (size_t i = 0; i < nn; i++)
			if (rng_uniform(g) >= 0.3 || i / n == i % n)
				W[i] = 0;
	} else if (!strcmp(kind, "sparse_recip") || !strcmp(kind, "sparse_sym")) {
		/* both or neither of W_ij, W_ji stored; equal values for sym */
		for (size_t i = 0; i < n; i++) {
			W[i * n + i] = 0;
			for (size_t j = 0; j < i; j++)
				if (rng_uniform(g) >= 0.3 && !(i == n - 1 && j == 0))
					W[i * n + j] = W[j * n + i] = 0;
				else if (kind[7] == 's')
					W[j * n + i] = W[i * n + j];
		}
	} else if (!strcmp(kind, "sparse_empty")) {
		/* empty rows and columns, the diagonal stored, a large mean */
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < n; j++) {
				double *w = &W[i * n + j];

				if (i == j)
					*w += 2;
				else if (i % 7 == 3 || j % 5 == 4 || rng_uniform(g) >= 0.3)
					*w = 0;
				else
					*w += 2;
			}
	}
}

/* The exact values of the special matrices. */
static void special(const char *kind, const char *how, size_t n, const struct motifs *m)
{
	if (!strcmp(kind, "symmetric") || !strcmp(kind, "sparse_sym")) {
		if (fabs(m->tau_rec - 1) > REL) {
			printf("FAIL %s N=%zu %s: tau_rec %.17g\n", kind, n, how, m->tau_rec);
			failures++;
		}
	}
	if (!strcmp(kind, "antisymmetric") && fabs(m->tau_rec + 1) > REL) {
		printf("FAIL antisymmetric N=%zu %s: tau_rec %.17g\n", n, how, m->tau_rec);
		failures++;
	}
	if (!strcmp(kind, "rowcentred") &&
	    fabs(m->tau_con + 1.0 / (double)(n - 1)) > REL / (double)(n - 1)) {
		printf("FAIL rowcentred N=%zu %s: tau_con %.17g, want %.17g\n", n, how,
		       m->tau_con, -1.0 / (double)(n - 1));
		failures++;
	}
}

/* m against the reference r, within REL; how names the computation. */
static void compare(const char *kind, const char *how, size_t n, const struct motifs *m,
		    const struct ref *r)
{
	static const char *names[] = { "sigma2", "tau_rec", "tau_div", "tau_con",
				       "tau_chn", "R" };
	const double got[6] = { m->sigma2, m->tau_rec, m->tau_div, m->tau_con,
				m->tau_chn, m->R };

	for (int k = 0; k < 6; k++) {
		double err = fabs(got[k] - r->v[k]) / fmax(fabs(r->v[k]), r->scale[k]);

		if (err > worst)
			worst = err;
		if (!(err <= REL)) {
			printf("FAIL %s N=%zu %s %s: %.17g, three products %.17g (rel %.3g)\n",
			       kind, n, how, names[k], got[k], r->v[k], err);
			failures++;
		}
	}
}

/*
 * The sparse motifs of W: its entries W != 0 (all of them with all set)
 * in CSR, with 1, 2 and 3 threads (the same bits), into m; and with
 * blocks and sub-blocks cut small (2 and 3 threads: the same bits) into
 * small.
 */
static int sparse_motifs(const double *W, size_t n, int all, struct motifs *m,
			 struct motifs *small)
{
	int64_t *ptr = malloc((n + 1) * sizeof *ptr);
	int32_t *col = malloc(n * n * sizeof *col);
	double *val = malloc(n * n * sizeof *val);
	struct motifs_sums s[3];
	size_t nnz = 0;
	int rc = 0;

	ptr[0] = 0;
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < n; j++)
			if (all || W[i * n + j] != 0) {
				col[nnz] = (int32_t)j;
				val[nnz++] = W[i * n + j];
			}
		ptr[i + 1] = (int64_t)nnz;
	}
	for (int t = 0; t < 3; t++) {
		struct spmotifs p;

		omp_set_num_threads(t + 1);
		if (spmotifs_plan(&p, n, ptr, col, nnz) != 0) {
			printf("FAIL N=%zu: spmotifs_plan out of memory\n", n);
			exit(1);
		}
		spmotifs_sums(&p, val, &s[t]);
		spmotifs_free(&p);
		if (t > 0 && memcmp(&s[t], &s[0], sizeof s[0]) != 0) {
			printf("FAIL N=%zu nnz=%zu: sparse sums with %d threads differ from 1\n",
			       n, nnz, t + 1);
			failures++;
		}
	}
	/* tiny blocks and sub-blocks: many of them, across the threads */
	for (int t = 0; t < 2; t++) {
		struct spmotifs p;
		struct motifs_sums q;

		omp_set_num_threads(t + 2);
		if (spmotifs_plan_cut(&p, n, ptr, col, nnz, nnz / 16 + 1, nnz / 80 + 1) != 0) {
			printf("FAIL N=%zu: spmotifs_plan_cut out of memory\n", n);
			exit(1);
		}
		spmotifs_sums(&p, val, t ? &q : &s[1]);
		spmotifs_free(&p);
		if (t && memcmp(&q, &s[1], sizeof q) != 0) {
			printf("FAIL N=%zu nnz=%zu: small blocks: 3 threads differ from 2\n", n, nnz);
			failures++;
		}
	}
	omp_set_num_threads(1);
	if (motifs_from_sums(&s[1], n, small) != MOTIFS_OK) {
		printf("FAIL N=%zu: small blocks: motifs refused\n", n);
		failures++;
	}
	rc = motifs_from_sums(&s[0], n, m);
	free(ptr);
	free(col);
	free(val);
	return rc;
}

static void check(const char *kind, size_t n, const double *W)
{
	double *work = malloc(2 * n * sizeof *work);
	struct motifs m, small;
	struct ref r;

	reference(W, n, &r);
	if (motifs_compute(W, n, work, &m) != MOTIFS_OK) {
		printf("FAIL %s N=%zu: motifs_compute refused\n", kind, n);
		failures++;
	} else {
		compare(kind, "dense", n, &m, &r);
		special(kind, "dense", n, &m);
	}
	free(work);
	if (sparse_motifs(W, n, !!strncmp(kind, "sparse", 6), &m, &small) != MOTIFS_OK) {
		printf("FAIL %s N=%zu: sparse motifs refused\n", kind, n);
		failures++;
		return;
	}
	compare(kind, "sparse", n, &m, &r);
	special(kind, "sparse", n, &m);
	compare(kind, "sparse, small blocks", n, &small, &r);
	special(kind, "sparse, small blocks", n, &small);
}

int main(void)
{
	static const size_t sizes[] = { 2, 3, 4, 5, 7, 8, 9, 31, 63, 64, 65, 100,
					127, 128, 129, 257, 500 };
	static const char *kinds[] = { "random", "symmetric", "antisymmetric",
				       "rankone", "rowcentred", "sparse", "sparse_recip",
				       "sparse_sym", "sparse_empty" };
	/* several blocks of lower-triangle entries (spmotifs.c) */
	static const struct { const char *kind; size_t n; } big[] = {
		{ "sparse_recip", 1000 }
	};
	double *W = malloc(1000 * 1000 * sizeof *W), work[4];
	struct motifs m;
	size_t checked = 0;

	openblas_set_num_threads(1);
	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
		for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
			size_t n = sizes[s];
			rng_t *g = rng_new(1000 * k + n, RNG_WEIGHTS);

			if (!strcmp(kinds[k], "sparse") && n < 5) {
				rng_free(g);
				continue;
			}
			fill(W, n, kinds[k], g);
			rng_free(g);
			check(kinds[k], n, W);
			checked++;
		}
	for (size_t k = 0; k < sizeof big / sizeof big[0]; k++) {
		rng_t *g = rng_new(big[k].n, RNG_WEIGHTS);

		fill(W, big[k].n, big[k].kind, g);
		rng_free(g);
		check(big[k].kind, big[k].n, W);
		checked++;
	}
	/* Errors: N < 2, every entry equal. */
	W[0] = 1;
	if (motifs_compute(W, 1, work, &m) != MOTIFS_SMALL) {
		printf("FAIL N=1 not refused\n");
		failures++;
	}
	for (int i = 0; i < 4; i++)
		W[i] = 0.25;
	if (motifs_compute(W, 2, work, &m) != MOTIFS_NOVAR) {
		printf("FAIL constant matrix not refused\n");
		failures++;
	}
	printf("%zu matrices, worst relative difference %.3g (tolerance %g): %s\n",
	       checked, worst, REL, failures ? "FAIL" : "ok");
	free(W);
	return failures ? 1 : 0;
}
