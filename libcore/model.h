/*
 * model: the mixed QIF/LIF spiking network of MODEL.md, one step at a time.
 *
 * Neurons 0 .. nqif-1 are QIF (theta) neurons, nqif .. n-1 are LIF.  The
 * state is x (LIF membrane potential or QIF phase) and the synaptic output
 * r.  One step, given the total input I = Iext + W r (held fixed for both
 * stages), is the midpoint RK2 of
 *     f_LIF(x, I) = -x + I + s xi,   f_QIF(x, I) = 1 - cos x + I (1 + cos x) + s xi,
 *     g(r) = -b r,
 *     x_half = x + dt/2 f(x, xi1),   r_half = r + dt/2 g(r),
 *     x'     = x + dt f(x_half, xi2), r'    = r + dt g(r_half),
 * where s = sigma (MODEL_NOISE_DT: the noise enters multiplied by dt, the
 * study's model) or sigma/sqrt(dt) (MODEL_NOISE_EM: Euler-Maruyama scaling,
 * an increment of variance sigma^2 dt per step), followed by the spike
 * rules judged on (x, x'):
 *     LIF: spike if x' > vt; then r' += b and x' = vrest;
 *     QIF: with d = mod(pi - mod(x, 2 pi), 2 pi), spike if x' - x > d; then
 *          r' += b (no reset: the phase runs on, it is not wrapped).
 * The weights are a sparse matrix in CSR form: row i (postsynaptic) holds
 * the presynaptic columns col[rowptr[i] .. rowptr[i+1]-1], in increasing
 * order, and only these entries are ever non-zero.
 *
 * Kernels take plain arrays, allocate nothing and never fail; a non-finite
 * state is for the caller to detect (model_finite()).
 */
#ifndef FORCENET_MODEL_H
#define FORCENET_MODEL_H

#include <stddef.h>
#include <stdint.h>

enum model_noise { MODEL_NOISE_DT = 0, MODEL_NOISE_EM = 1 };

struct model_params {
	size_t n;          /* neurons */
	size_t nqif;       /* QIF neurons: 0 .. nqif-1 */
	double vt, vrest;  /* LIF threshold and reset */
	double dt;         /* time step (units of 10 ms) */
	double b;          /* 1 / tau_s */
	double sigma;      /* noise standard deviation */
	enum model_noise noise;
};

/* The factor s of the noise term above. */
double model_noise_scale(const struct model_params *mp);

/* nqif = floor(n * pqif), as MODEL.md defines it. */
size_t model_nqif(size_t n, double pqif);

/* mod(a, m) with the sign of m (Python's and NumPy's), for m > 0. */
double model_mod(double a, double m);

/* The QIF spike rule: 1 if the phase going from x to xnew crossed pi. */
int model_qif_spike(double x, double xnew);

/* Row i of W r (CSR), in four sums by position modulo 4 (the adds do not
 * wait on each other), added last as (s0 + s1) + (s2 + s3). */
double model_row_dot(const size_t *rowptr, const int32_t *col, const double *val,
		     const double *r, size_t i);

/*
 * v = W r with W in CSR form (n rows); rows are independent, so the result
 * does not depend on how they are shared among threads.
 */
void model_recurrent(size_t n, const size_t *rowptr, const int32_t *col,
		     const double *val, const double *r, double *v);

/*
 * The columns of a CSR matrix: for presynaptic neuron j, the entries
 * x in cptr[j] .. cptr[j+1]-1 give the row crow[x] and the index cval[x]
 * of the value in the CSR val array (rows in increasing order).
 */
struct model_cols {
	size_t *cptr;
	uint32_t *cval;
	uint32_t *crow;
};

void model_cols_init(struct model_cols *c, size_t n, const size_t *rowptr, const int32_t *col);

/* The same for nrows rows whose columns are below ncols (cptr has ncols + 1
 * entries): the rows of a block of a network (a part of it, dist.h). */
void model_cols_init_rect(struct model_cols *c, size_t nrows, size_t ncols,
			  const size_t *rowptr, const int32_t *col);
void model_cols_free(struct model_cols *c);

/*
 * y = W r' from v = W r when r' = gamma r + b spiked (the synaptic decay of
 * model_step() and its spikes), without the product:
 * y_i = gamma v_i + b W_ij summed over the spiked j in increasing order.
 * Equal to model_recurrent() on r' up to rounding (r' is the RK2 of the
 * decay, gamma r only to rounding); the difference decays by gamma at
 * every step, so a full product now and then keeps it at rounding level.
 */
void model_recurrent_spikes(size_t n, const struct model_cols *c, const double *val,
			    double gamma, double b, const unsigned char *spiked,
			    const double *v, double *y);

/*
 * One step of every neuron: x and r are replaced by x' and r'.  in is the
 * total input I of each neuron; xi1 and xi2 the standard normal draws of the
 * two stages (NULL: no noise, as with sigma = 0).  spiked[i] is set to 1
 * for a neuron that spiked, 0 otherwise.  Returns the number of spikes.
 */
size_t model_step(const struct model_params *mp, double *x, double *r,
		  const double *in, const double *xi1, const double *xi2,
		  unsigned char *spiked);

/*
 * The synaptic outputs r of n neurons advanced by one step as model_step()
 * advances them, from their spikes alone (spiked[i]: 1 for a spike): the
 * same expressions, so the same bits.  For the neurons that another
 * process steps (a network split over processes, dist.h), whose spikes are
 * all that process sends.
 */
void model_synapses(const struct model_params *mp, double *r, const unsigned char *spiked,
		    size_t n);

/* 1 if every value of a[0..n-1] is finite. */
int model_finite(const double *a, size_t n);

#endif
