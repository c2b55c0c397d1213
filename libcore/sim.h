/*
 * sim: the network of MODEL.md stepped and trained, one step at a time:
 * its state, the recurrent input carried by the spikes, and RLS.
 *
 * Each step it:
 *   - takes I = Iext(it) + v, v = W r (a full product at the first step of
 *     a loop and every `refresh` steps, else carried by the spikes);
 *   - draws the noise of both RK2 stages (n + n normals of RNG_NOISE, in
 *     that order, none at all with sigma = 0) and steps every neuron
 *     (model_step());
 *   - computes W r' for the next step, and when it trains at this step,
 *     e = target(it) - W r' and the RLS update of the plastic weights
 *     (rls.h), after which W r' follows without a product (row i changed
 *     by e_i k/den, and k'q/den = 1 - 1/den).
 * Training steps: it > stim with (it - stim - 1) % learn_every == 0; the
 * spike recursion of RLS (struct rls_spikes) is used from one training
 * step to the next when they are consecutive.
 *
 * The work of a step is shared by the threads of a pool by blocks of
 * neurons; the results do not depend on their number.
 */
#ifndef FORCENET_SIM_H
#define FORCENET_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "net.h"
#include "pool.h"
#include "rls.h"
#include "rng.h"

struct sim_config {
	struct model_params mp;   /* the model (mp.n neurons) */
	size_t stim;              /* steps of the kick at the start of a loop */
	size_t learn_every;       /* RLS every n-th step after the kick (1) */
	size_t refresh;           /* a full product of W r every refresh steps */
	uint64_t seed;            /* of the noise */
	int train;                /* some loop trains: set up RLS */
	struct rls_config rls;    /* P_0 and the kernel (its pool and cols are
				   * filled in by sim_init()) */
};

struct sim {
	struct sim_config cf;
	size_t n;
	struct net *net;          /* not owned */
	struct pool *pool;        /* not owned; may be NULL */
	struct rls rls;
	struct rls_spikes rsp;
	double *x, *r;            /* state */
	const double *kick;       /* A_i (n), not owned */
	double *v;                /* W r for the next step */
	double *vstep;            /* after sim_step(): the step's W r */
	double *in;               /* after sim_step(): the step's input I */
	double *e;                /* after a training step: the errors */
	double *xi1, *xi2;        /* after sim_step(): the noise draws (NULL
				   * without noise) */
	unsigned char *spk;       /* after sim_step(): 1 for a neuron that spiked */
	uint32_t *spikes;         /* after sim_step(): the nspikes that spiked */
	size_t nspikes;
	int trained;              /* after sim_step(): whether it trained */
	double dw2;               /* after a training step with want_dw:
				   * squared norm of the change of W */
	rng_t *noise;
	size_t last_train;        /* step + 1 of the last training step, 0 */
	double t_rls;             /* seconds spent in the RLS updates */
	double *vr;               /* scratch: W r' */
};

/* Bytes that sim_init() allocates beside the net and RLS. */
size_t sim_bytes(size_t n);

/*
 * Set up a simulation of net (kept by pointer) from the initial state x0
 * (n, copied) and the kick amplitudes kick (n, kept by pointer).
 */
void sim_init(struct sim *s, struct net *net, const double *x0, const double *kick,
	      const struct sim_config *cf, struct pool *pool);
void sim_free(struct sim *s);

/* Start a loop: the next step is step 0 (a full product of W r). */
void sim_loop_start(struct sim *s);

enum { SIM_OK = 0, SIM_STATE_BLOWUP = 1, SIM_WEIGHTS_BLOWUP = 2 };

/*
 * Step it of the loop (0, 1, ... in order).  target: the row of the
 * target at this step (n values), or NULL in a loop that does not train.
 * want_dw: compute s->dw2 if it trains.  Returns SIM_OK, or a blow-up (a
 * state or weight that is not finite).
 */
int sim_step(struct sim *s, size_t it, const double *target, int want_dw);

/*
 * Save the state between two loops (x, r, the noise generator, the
 * plastic weights, RLS) into a checkpoint, and restore it into a sim set
 * up by sim_init() for the same run: the next loop then runs as it would
 * have.  sim_restore() returns 0, or -1 with c->err set.
 */
struct ckpt;
void sim_save(const struct sim *s, struct ckpt *c);
int sim_restore(struct sim *s, struct ckpt *c);

/* Whether step it of a training loop trains. */
int sim_trains(const struct sim_config *cf, size_t it);

#endif
