#!/usr/bin/python3
"""model_ref: a plain NumPy transcription of MODEL.md (simulate-train's model).

Dense and straightforward, written from MODEL.md alone, as the independent
computation the C tool is checked against.  No noise (sigma = 0): the run is
then deterministic given the weights, target, kick and initial state.

usage: model_ref.py WEIGHTS.npy TARGET.npy KICK.npy STATE0.npy OUTDIR
           [--pqif P] [--vt V] [--vrest V] [--dt DT] [--tau-s TS]
           [--alpha A] [--stim-steps K] [--loops L] [--train-loops T]
           [--spikes SPIKES.csv] [--learn-every K] [--plastic PLASTIC.npy]
           [--trained TRAINED.npy] [--forget LAMBDA]
writes OUTDIR/outputs.npy, inputs.npy (loops, steps, N), weights.npy
(loops, N, N), spikes.npy (loops, steps, N) of 0/1 and dw.csv (loop, step,
t, log_dw_norm: ln(||dW||_F / ||W0||_F) at the training steps with
step % 10 == 0, dW the step's change of the whole matrix, t = step -
stim-steps + (loop - 1) (steps - stim-steps), as forcenet-run(5) states).

--learn-every K trains at the steps it > stim-steps with
(it - stim-steps - 1) % K == 0 (MODEL.md's "learning every n steps").
--plastic takes the trained entries from a run's plastic.npy (positions
among W0's non-zero entries, row by row: the choice is the tool's random
draw, not something to transcribe); each neuron then trains those only, with
an L x L P_i (MODEL.md's "plastic inputs cap"), while the error still uses
all of W.

--forget LAMBDA: RLS with a forgetting factor (MODEL.md): den = lambda +
q'k, P <- (P - k k'/den)/lambda.

--trained takes the neurons that train from a run's trained.npy (the
tool's random draw); the others never change (MODEL.md's "fraction
trained").

--spikes takes the spikes from an events table (a run's spikes.csv: loop,
step, neuron): they, not the spike rule, then add b to r and reset LIF
neurons, while spikes.npy still holds what the rule says at every step.
Given the spikes, r, the inputs and the training do not depend on the
phases; the phases of QIF neurons are chaotic at dt = 0.1 (rounding
differences grow about 1.2x a step), so a run on other hardware keeps the
same spikes only for a few hundred steps.  Forcing the spikes of such a run
compares everything else over the whole run, and the rule's own spikes up
to the first that differs.
"""
import argparse
import os
import time

import numpy as np


def main():
    ap = argparse.ArgumentParser()
    for name in ("weights", "target", "kick", "state", "outdir"):
        ap.add_argument(name)
    ap.add_argument("--pqif", type=float, default=0.0)
    ap.add_argument("--vt", type=float, default=0.0)
    ap.add_argument("--vrest", type=float, default=-8.5)
    ap.add_argument("--dt", type=float, default=0.1)
    ap.add_argument("--tau-s", type=float, default=5.0)
    ap.add_argument("--alpha", type=float, default=0.25)
    ap.add_argument("--stim-steps", type=int, default=200)
    ap.add_argument("--loops", type=int, default=16)
    ap.add_argument("--train-loops", type=int, default=10)
    ap.add_argument("--spikes")
    ap.add_argument("--learn-every", type=int, default=1)
    ap.add_argument("--plastic")
    ap.add_argument("--trained")
    ap.add_argument("--forget", type=float, default=1.0)
    a = ap.parse_args()

    w = np.load(a.weights).astype(float)
    target = np.load(a.target).astype(float)      # (steps, N)
    amp = np.load(a.kick).astype(float)           # A_i
    x = np.load(a.state).astype(float)            # initial x
    N = w.shape[0]
    itmax = target.shape[0]
    nqif = int(np.floor(N * a.pqif))
    b = 1.0 / a.tau_s
    dt = a.dt
    stim = a.stim_steps

    forced = None
    if a.spikes:
        ev = np.loadtxt(a.spikes, delimiter=",", skiprows=1, ndmin=2).astype(int)
        forced = np.zeros((a.loops, itmax, N), dtype=bool)
        forced[ev[:, 0], ev[:, 1], ev[:, 2]] = True
    w0norm = np.sqrt((w ** 2).sum())
    dw = []
    r = np.zeros(N)
    idx = [np.nonzero(w[i, :])[0] for i in range(N)]
    learners = range(N) if a.trained is None else np.load(a.trained)
    if a.plastic:
        rows, cols = np.nonzero(w)          # W0's non-zeros, row by row
        pos = np.load(a.plastic)
        idx = [cols[pos[rows[pos] == i]] for i in range(N)]
    P = [np.identity(len(idx[i])) / a.alpha for i in range(N)]

    def f(xv, Iv):
        dx = np.empty(N)
        dx[nqif:] = -xv[nqif:] + Iv[nqif:]
        c = np.cos(xv[:nqif])
        dx[:nqif] = 1 - c + Iv[:nqif] * (1 + c)
        return dx

    outputs = np.zeros((a.loops, itmax, N))
    inputs = np.zeros((a.loops, itmax, N))
    weights = np.zeros((a.loops, N, N))
    spikes = np.zeros((a.loops, itmax, N))
    t0 = time.perf_counter()
    train_steps = 0
    t_train = 0.0
    for loop in range(a.loops):
        for it in range(itmax):
            Iext = amp if it < stim else np.zeros(N)
            v = w @ r
            I = Iext + v
            xh = x + dt * f(x, I) / 2
            rh = r + dt * (-b * r) / 2
            xn = x + dt * f(xh, I)
            rn = r + dt * (-b * rh)
            # LIF: x' > vt, reset to vrest
            lif = np.zeros(N, dtype=bool)
            lif[nqif:] = xn[nqif:] > a.vt
            # QIF: crossing of pi, d = mod(pi - mod(x, 2pi), 2pi)
            d = np.mod(np.pi - np.mod(x, 2 * np.pi), 2 * np.pi)
            qif = np.zeros(N, dtype=bool)
            qif[:nqif] = (xn[:nqif] - x[:nqif]) > d[:nqif]
            sp = lif | qif
            if forced is not None:
                lif = forced[loop, it] & (np.arange(N) >= nqif)
                rn[forced[loop, it]] += b
            else:
                rn[sp] += b
            xn[lif] = a.vrest
            x, r = xn, rn
            outputs[loop, it] = r
            inputs[loop, it] = I
            spikes[loop, it] = sp
            if 1 <= loop <= a.train_loops and it > stim and \
                    (it - stim - 1) % a.learn_every == 0:
                ts = time.perf_counter()
                e = target[it] - w @ r
                dw2 = 0.0
                for i in learners:
                    q = r[idx[i]]
                    k = P[i] @ q
                    den = a.forget + q @ k
                    P[i] = (P[i] - np.outer(k, k) / den) / a.forget
                    d = e[i] * (P[i] @ q)
                    w[i, idx[i]] += d
                    dw2 += d @ d
                if it % 10 == 0:
                    t = it - stim + (loop - 1) * (itmax - stim)
                    dw.append((loop, it, t, np.log(np.sqrt(dw2) / w0norm)))
                t_train += time.perf_counter() - ts
                train_steps += 1
        weights[loop] = w
    elapsed = time.perf_counter() - t0
    os.makedirs(a.outdir, exist_ok=True)
    np.save(os.path.join(a.outdir, "outputs.npy"), outputs)
    np.save(os.path.join(a.outdir, "inputs.npy"), inputs)
    np.save(os.path.join(a.outdir, "weights.npy"), weights)
    np.save(os.path.join(a.outdir, "spikes.npy"), spikes)
    with open(os.path.join(a.outdir, "dw.csv"), "w") as fp:
        fp.write("loop,step,t,log_dw_norm\n")
        for loop, it, t, v in dw:
            fp.write("%d,%d,%d,%r\n" % (loop, it, t, float(v)))
    with open(os.path.join(a.outdir, "timing.txt"), "w") as fp:
        fp.write("seconds %.6f\ntrain_steps %d\ntrain_seconds %.6f\n"
                 % (elapsed, train_steps, t_train))


if __name__ == "__main__":
    main()
