#!/usr/bin/python3
"""Read the sweep's tables and a run folder with NumPy alone.

    python3 examples/read-results.py [RESULTS]   (default results/notebook)

The tables are CSV with one header row (np.genfromtxt(names=True)); the
arrays are .npy (np.load); vrest is nan where it does not apply (pqif = 1).
"""
import os
import sys

import numpy as np

res = sys.argv[1] if len(sys.argv) > 1 else "results/notebook"


def table(name):
    return np.genfromtxt(os.path.join(res, name), delimiter=",", names=True,
                         dtype=None, encoding="utf-8")


motifs = table("motifs.csv")  # pqif,vrest,seed,path,loop,N,sigma2,tau_*,R
dpr = table("dpr.csv")        # pqif,vrest,seed,path,loop,N,samples,M,PR,PR_bc
summary = table("summary.csv")  # pqif,vrest,seed,loop,phase,rate_*,mse_*,corr_*

last = motifs["loop"].max()
print("reciprocal motif tau_rec after the last loop, mean over vrest and seeds:")
for p in np.unique(motifs["pqif"]):
    sel = (motifs["pqif"] == p) & (motifs["loop"] == last)
    print(f"  pqif {p:4}: {motifs['tau_rec'][sel].mean():+.4f}  ({sel.sum()} runs)")

print("bias-corrected PR, loop 0 -> test loops:")
for p in np.unique(dpr["pqif"]):
    s = dpr["pqif"] == p
    pre = dpr["PR_bc"][s & (dpr["loop"] == 0)].mean()
    post = dpr["PR_bc"][s & (dpr["loop"] > 0)].mean()
    print(f"  pqif {p:4}: {pre:6.2f} -> {post:6.2f}")

test = summary["phase"] == "test"
print(f"correlation target/recurrent input in the test loops: "
      f"{summary['corr_all'][test].mean():.3f} (mean of {test.sum()} loops)")

# One run folder: the arrays as they are.
run = os.path.join(res, "runs", sorted(os.listdir(os.path.join(res, "runs")))[0])
w = np.load(os.path.join(run, "weights.npy"))   # (loops, N, N), W after each loop
r = np.load(os.path.join(run, "outputs.npy"))   # (loops, steps, N), synaptic outputs
spikes = np.genfromtxt(os.path.join(run, "spikes.csv"), delimiter=",",
                       names=True, dtype=int)   # loop,step,neuron
print(f"{os.path.basename(run)}: weights {w.shape}, outputs {r.shape} {r.dtype}, "
      f"{len(spikes)} spikes, {np.count_nonzero(w[0])} connections")
