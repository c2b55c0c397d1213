/*
 * sim: the network of MODEL.md stepped and trained, one step at a time:
 * its state, the recurrent input carried by the spikes, and RLS.
 *
 * Each step it:
 *   - takes I = Iext(it) + v, v = W r (a full product at the first step of
 *     a loop and every `refresh` steps, else carried by the spikes);
 *   - draws the noise of both RK2 stages and steps every neuron
 *     (model_step()).  The noise comes in blocks of SIM_NOISE_BLOCK
 *     neurons, each from a stream of its own: block 0 from RNG_NOISE, block
 *     b > 0 from its sub-stream b (rng_new_sub()); at every step a block
 *     draws its neurons' first stage, then their second (none at all with
 *     sigma = 0).  A network of at most SIM_NOISE_BLOCK neurons is one
 *     block: n + n normals of RNG_NOISE in that order.  With a team of
 *     threads the draws of step it + 1 are made during step it
 *     (cf.loop_steps), a block a chunk of its own beside the neurons' step:
 *     the same numbers, used at the same step;
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
 *
 * A network split over processes (struct sim_split, dist.h): each process
 * steps a block of neurons lo .. lo+rows-1 with the net of those rows
 * (net.h), their state, RLS and errors, and every process does the same
 * calls at the same points of a step: after its neurons' model step, the
 * step's spikes of every block are exchanged (then the synaptic outputs r
 * of the others' neurons follow from their spikes, model_synapses(): r is
 * kept whole, nothing more crosses); after an RLS update, whether any
 * block blew up; for dw2, the sum over every neuron in increasing order.
 * A process draws the noise blocks that hold its neurons (all of a block's,
 * using its own), so that the bits do not depend on the split.
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

/* Neurons whose noise one stream draws (see above): at most this many, a
 * network's noise is RNG_NOISE's stream alone. */
#define SIM_NOISE_BLOCK 16384

/*
 * The block of this process and the calls that reach the others (each
 * made by every process in the same order; ctx is theirs).
 */
struct sim_split {
	size_t lo, rows;          /* the block: neurons lo .. lo+rows-1 */
	/* the step's spikes of every block (increasing) into all (*nall of
	 * them), from this block's mine (nmine, increasing), and the
	 * largest status of the blocks (status: this block's); all is not
	 * filled when that is not 0 */
	int (*spikes)(void *ctx, const uint32_t *mine, size_t nmine, int status,
		      uint32_t *all, size_t *nall);
	/* the largest status of the blocks */
	int (*status)(void *ctx, int status);
	/* a[0] + a[1] + ... over every neuron in increasing order, from this
	 * block's a (rows values); the whole sum in the first block */
	double (*sum)(void *ctx, const double *a, size_t rows);
	void *ctx;
};

struct sim_config {
	struct model_params mp;   /* the model (mp.n neurons) */
	size_t stim;              /* steps of the kick at the start of a loop */
	size_t learn_every;       /* RLS every n-th step after the kick (1) */
	size_t refresh;           /* a full product of W r every refresh steps */
	size_t loop_steps;        /* steps of a loop: with a team of threads,
				   * a step draws the next one's noise while
				   * it steps the neurons (not at a loop's last
				   * step: the generator's state between loops
				   * is as without a team); 0: not known, no
				   * draw ahead */
	uint64_t seed;            /* of the noise */
	int train;                /* some loop trains: set up RLS */
	struct rls_config rls;    /* P_0 and the kernel (its pool and cols are
				   * filled in by sim_init()) */
	const struct sim_split *split; /* NULL: the whole network here (kept by
				   * pointer) */
};

/*
 * Arrays of the n neurons stepped here (a split network's block: element i
 * is neuron lo + i) or of all N = cf.mp.n neurons, as marked.
 */
struct sim {
	struct sim_config cf;
	size_t n;                 /* neurons stepped here */
	size_t lo;                /* the first of them (0 unless split) */
	struct net *net;          /* the net of their rows; not owned */
	struct pool *pool;        /* not owned; may be NULL */
	struct rls rls;
	struct rls_spikes rsp;
	double *x;                /* state: x (n) and r (N) */
	double *r;
	const double *kick;       /* A_i (N), not owned */
	double *v;                /* W r for the next step (n) */
	double *vstep;            /* after sim_step(): the step's W r (n) */
	double *in;               /* after sim_step(): the step's input I (n) */
	double *e;                /* after a training step: the errors (n) */
	double *xi1, *xi2;        /* after sim_step(): the noise draws (N; NULL
				   * without noise; with a split, only the
				   * blocks of this process's neurons) */
	double *xi1n, *xi2n;      /* the next step's, when drawn ahead (N) */
	int ahead;                /* whether xi1n, xi2n hold them */
	void (*beside)(void *);   /* a task of the caller's that the next
				   * sim_step() runs beside its model step, by
				   * a thread of the team (then sets it to
				   * NULL); it must share nothing with the step */
	void *beside_arg;
	int split_draw;           /* this step draws xi1n beside the model
				   * step and xi2n beside the spikes' terms */
	int terms_serial;         /* the last step's spike terms took one
				   * thread (net_spikes_beside()) */
	unsigned char *spk;       /* after sim_step(): 1 for a neuron that
				   * spiked (N) */
	uint32_t *spikes;         /* after sim_step(): the nspikes that spiked
				   * (of all N, increasing) */
	size_t nspikes;
	int trained;              /* after sim_step(): whether it trained */
	double dw2;               /* after a training step with want_dw:
				   * squared norm of the change of W (split:
				   * in the first block) */
	rng_t **noise;            /* the streams of noise blocks nb0 .. nb1-1
				   * (NULL without noise) */
	size_t nb0, nb1;
	size_t last_train;        /* step + 1 of the last training step, 0 */
	double t_rls;             /* seconds spent in the RLS updates */
	double *vr;               /* scratch: W r' */
	uint32_t *mine;           /* split: this block's spikes */
	size_t it;                /* the step being taken */
	size_t nchunk;            /* the model step's chunks */
	uint32_t *cspk;           /* each chunk's spikes, from its first neuron's
				   * place (n) */
	size_t *ccount;           /* their number per chunk (nchunk) */
	unsigned char *cbad;      /* per chunk: a state or output not finite */
};

/* Bytes that sim_init() allocates beside the net and RLS (for the whole
 * network of n neurons; at most that for a block of it). */
size_t sim_bytes(size_t n);

/*
 * Set up a simulation of net (kept by pointer) from the initial state x0
 * (N, copied) and the kick amplitudes kick (N, kept by pointer); split
 * (cf->split): net holds the block's rows.
 */
void sim_init(struct sim *s, struct net *net, const double *x0, const double *kick,
	      const struct sim_config *cf, struct pool *pool);
void sim_free(struct sim *s);

/*
 * A fresh RLS with this batch of pending updates (struct rls_config's), if
 * it is not the one it has: a block of a network split over processes
 * takes the whole network's (rls_auto_batch()).  Before the first step.
 */
void sim_rls_batch(struct sim *s, size_t batch);

/* Start a loop: the next step is step 0 (a full product of W r). */
void sim_loop_start(struct sim *s);

enum { SIM_OK = 0, SIM_STATE_BLOWUP = 1, SIM_WEIGHTS_BLOWUP = 2 };

/*
 * Step it of the loop (0, 1, ... in order).  target: the row of the
 * target at this step (N values), or NULL in a loop that does not train.
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
