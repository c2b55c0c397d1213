"""Reference for motifs: MODEL.md's definitions with three dense matrix
products (numpy.matmul, i.e. BLAS dgemm), independent of the O(N^2) sums
the tool uses.

  motifs_ref.py gen DIR KIND N [SEED]   write DIR/KIND_N.npy (KIND below)
  motifs_ref.py check TABLE.csv         compare every row of a motifs table
                                        with the reference for its path/loop
                                        (a .npy, CSV or .npz file, or a run
                                        directory's weights record, made
                                        dense here)
Kinds: random, symmetric (tau_rec = 1), antisymmetric (tau_rec = -1),
rankone (u v^T), rowcentred (rows sum to 0: tau_con = -1/(N-1)), sparse
(init-weights-like: density 0.3, zero diagonal, rows centred).

check: each value must agree to REL = 1e-12 relative, i.e.
|tool - ref| <= REL * max(|ref|, scale), where scale is the size of the
terms whose difference the value is: 1 for sigma2 (relative to itself, so
scale = |ref|), and for a tau the largest of its two normalised terms
(e.g. sum(wwT)/(sigma2 N (N-1)) and tr(wwT)/(sigma2 N (N-1)) for tau_div),
because a tau near 0 is a difference of two such terms and no computation
in double precision, the reference included, knows it better than that.
R is compared relative to sqrt(sigma2) * (1 + |taus|) for the same reason.
"""
import csv
import os
import sys

import numpy as np

REL = 1e-12
COLS = ["sigma2", "tau_rec", "tau_div", "tau_con", "tau_chn", "R"]


def motifs(w):
    """Values and scales, by three matrix products (MODEL.md verbatim)."""
    n = w.shape[0]
    w = w - np.mean(w)
    ww = np.matmul(w, w)
    wtw = np.matmul(w.T, w)
    wwt = np.matmul(w, w.T)
    sigma2 = np.trace(wwt) / n
    norm = sigma2 * n * (n - 1)
    tau_rec = np.trace(ww) / (sigma2 * n)
    tau_div = (np.sum(wwt) - np.trace(wwt)) / norm
    tau_con = (np.sum(wtw) - np.trace(wtw)) / norm
    tau_chn = 2 * (np.sum(ww) - np.trace(ww)) / norm
    a = 1 - tau_div - tau_con
    r = np.sqrt(sigma2) * (a + tau_rec - 2 * tau_chn) / np.sqrt(a) if a > 0 else np.nan
    vals = [sigma2, tau_rec, tau_div, tau_con, tau_chn, r]
    # tau_rec's terms: tr(ww) = sum_i w_ii^2 + sum_{i!=j} w_ij w_ji, each
    # bounded by sigma2 N in size.
    scales = [abs(sigma2), 1.0,
              max(abs(np.sum(wwt)), np.trace(wwt)) / norm,
              max(abs(np.sum(wtw)), np.trace(wtw)) / norm,
              2 * max(abs(np.sum(ww)), abs(np.trace(ww)), np.sum(np.abs(w) * np.abs(w.T))) / norm,
              0.0]
    if a > 0:
        scales[5] = np.sqrt(sigma2) * (1 + sum(abs(v) for v in vals[1:5]) + 2 * scales[4]) / np.sqrt(a)
    return vals, scales


def gen(kind, n, seed):
    rng = np.random.default_rng(seed)
    g = rng.standard_normal((n, n))
    if kind == "random":
        return g + 0.3
    if kind == "symmetric":
        return g + g.T
    if kind == "antisymmetric":
        return g - g.T
    if kind == "rankone":
        return np.outer(rng.standard_normal(n) + 1, rng.standard_normal(n))
    if kind == "rowcentred":
        return g - g.mean(axis=1, keepdims=True)
    if kind == "sparse":
        w = np.where(rng.random((n, n)) < 0.3, g, 0.0)
        np.fill_diagonal(w, 0)
        w *= 0.5 / np.sqrt(0.3 * n)
        for i in range(n):
            nz = w[i] != 0
            if nz.any():
                w[i, nz] -= w[i, nz].mean()
        return w
    raise SystemExit("unknown kind " + kind)


def run_loops(path, count):
    """The loops of a run directory's weights record (params.csv)."""
    try:
        with open(os.path.join(path, "params.csv")) as f:
            p = next(csv.DictReader(f))
    except FileNotFoundError:
        return list(range(count))
    if "record_loops" not in p or p["record_loops"] in ("", "all"):
        return list(range(count))
    last = int(p["loops"]) - 1
    return sorted({last if x == "last" else int(x) for x in p["record_loops"].split("+")})


def load(path):
    """{loop: dense matrix} of a .npy, a CSV, a .npz or a run directory."""
    if os.path.isdir(path):
        if os.path.exists(os.path.join(path, "weights.npy")):
            a = np.load(os.path.join(path, "weights.npy"))
        else:
            import scipy.sparse as sp
            w = sp.load_npz(os.path.join(path, "weights.npz")).tocsr()
            pos = np.load(os.path.join(path, "plastic.npy"))
            vals = np.load(os.path.join(path, "weights-values.npy"))
            a = []
            for v in vals:
                w.data[pos] = v
                a.append(w.toarray())
            a = np.array(a)
        return dict(zip(run_loops(path, a.shape[0]), a.astype(np.float64)))
    if path.endswith(".npz"):
        import scipy.sparse as sp
        a = sp.load_npz(path).toarray().astype(np.float64)
    elif path.endswith(".npy"):
        a = np.load(path).astype(np.float64)
    else:
        a = np.loadtxt(path, delimiter=",", ndmin=2)
    a = a if a.ndim == 3 else a[None]
    return dict(enumerate(a))


def check(table):
    worst = 0.0
    bad = 0
    cache = {}
    with open(table) as f:
        rows = list(csv.DictReader(f))
    if not rows:
        raise SystemExit("no rows in " + table)
    for row in rows:
        path = row["path"]
        if path not in cache:
            cache[path] = load(path)
        w = cache[path][int(row["loop"])]
        if int(row["N"]) != w.shape[0]:
            print("%s[%s]: N %s != %d" % (path, row["loop"], row["N"], w.shape[0]))
            bad += 1
        vals, scales = motifs(w)
        for col, ref, scale in zip(COLS, vals, scales):
            got = float(row[col])
            if np.isnan(ref) and np.isnan(got):
                continue
            err = abs(got - ref) / max(abs(ref), scale, 1e-300)
            worst = max(worst, err)
            if not err <= REL:
                print("%s[%s] %s: tool %.17g ref %.17g (rel %.3g)"
                      % (path, row["loop"], col, got, ref, err))
                bad += 1
    print("rows %d, worst relative difference %.3g (tolerance %g)" % (len(rows), worst, REL))
    return 1 if bad else 0


def main(argv):
    if argv[1] == "gen":
        d, kind, n = argv[2], argv[3], int(argv[4])
        seed = int(argv[5]) if len(argv) > 5 else n
        np.save(os.path.join(d, "%s_%d.npy" % (kind, n)), gen(kind, n, seed))
        return 0
    if argv[1] == "check":
        return check(argv[2])
    raise SystemExit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
