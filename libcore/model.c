#include "model.h"

#include <math.h>

double model_noise_scale(const struct model_params *mp)
{
	return mp->noise == MODEL_NOISE_EM ? mp->sigma / sqrt(mp->dt) : mp->sigma;
}

size_t model_nqif(size_t n, double pqif)
{
	return (size_t)floor((double)n * pqif);
}

double model_mod(double a, double m)
{
	double r = fmod(a, m);

	if (r != 0 && r < 0)
		r += m;
	return r;
}

int model_qif_spike(double x, double xnew)
{
	double d = model_mod(M_PI - model_mod(x, 2 * M_PI), 2 * M_PI);

	return xnew - x > d;
}

void model_recurrent(size_t n, const size_t *rowptr, const int32_t *col,
		     const double *val, const double *r, double *v)
{
	#pragma omp parallel for schedule(static) if (n >= 512)
	for (size_t i = 0; i < n; i++) {
		/* four independent sums, so that the adds do not wait on each other */
		double s[4] = { 0, 0, 0, 0 };
		size_t j = rowptr[i], end = rowptr[i + 1];

		for (; j + 4 <= end; j += 4)
			for (int l = 0; l < 4; l++)
				s[l] += val[j + (size_t)l] * r[col[j + (size_t)l]];
		for (int l = 0; j < end; j++, l++)
			s[l] += val[j] * r[col[j]];
		v[i] = (s[0] + s[1]) + (s[2] + s[3]);
	}
}

/* The expressions follow MODEL.md term by term (same order of operations as
 * the reference transcription), so that both agree to rounding. */
static double f_lif(double x, double I)
{
	return -x + I;
}

static double f_qif(double x, double I)
{
	double c = cos(x);

	return 1 - c + I * (1 + c);
}

size_t model_step(const struct model_params *mp, double *x, double *r,
		  const double *in, const double *xi1, const double *xi2,
		  unsigned char *spiked)
{
	const double dt = mp->dt, b = mp->b;
	const double s = model_noise_scale(mp);
	size_t count = 0;

	for (size_t i = 0; i < mp->n; i++) {
		int qif = i < mp->nqif, spike;
		double x0 = x[i], r0 = r[i], xh, rh, x1, r1, f;

		f = qif ? f_qif(x0, in[i]) : f_lif(x0, in[i]);
		if (xi1)
			f += s * xi1[i];
		xh = x0 + dt * f / 2;
		rh = r0 + dt * (-b * r0) / 2;
		f = qif ? f_qif(xh, in[i]) : f_lif(xh, in[i]);
		if (xi2)
			f += s * xi2[i];
		x1 = x0 + dt * f;
		r1 = r0 + dt * (-b * rh);
		if (qif) {
			spike = model_qif_spike(x0, x1);
		} else {
			spike = x1 > mp->vt;
			if (spike)
				x1 = mp->vrest;
		}
		if (spike)
			r1 += b;
		x[i] = x1;
		r[i] = r1;
		spiked[i] = (unsigned char)spike;
		count += (size_t)spike;
	}
	return count;
}

int model_finite(const double *a, size_t n)
{
	double s = 0;

	/* 0 * a is 0 for finite a and NaN for Inf or NaN: one branch-free pass. */
	for (size_t i = 0; i < n; i++)
		s += 0 * a[i];
	return s == 0;
}
