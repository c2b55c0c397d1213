"""Reference for dpr: a direct NumPy transcription of MODEL.md.

Usage as a module (import dpr_ref) or from the shell:
  dpr_ref.py cov FILE.npy M        PR and PR_bc of a covariance matrix
  dpr_ref.py act FILE.npy SKIP M   per loop of activity (samples, N) or (loops, steps, N)
Prints CSV rows loop,PR,PR_bc with 17 significant digits.
"""
import sys

import numpy as np


def pr(c):
    return np.trace(c) ** 2 / np.trace(c @ c)


def pr_bc(ccorr, n, m):
    """MODEL.md's bias-corrected PR, transcribed line by line."""
    a = np.extract(np.identity(n), ccorr)
    c = np.extract(1 - np.identity(n), ccorr)
    am2 = np.mean(a) ** 2
    astd2 = np.var(a) * n / (n - 1)
    cm2 = np.mean(c) ** 2
    cstd2 = np.var(c) * n * (n - 1) / (n * (n - 1) - 2)
    astd_b = astd2 * (m - 1) / (m + 1) - 2 * (am2 - cm2) / (m - 1) + 2 * cstd2 / (m + 1)
    cstd_b = (m - 1) * cstd2 / m - (am2 - cm2) / m - 4 * (cm2 - np.sqrt(am2 * cm2)) / (m * (n + 1))
    return n / (1 + astd_b / am2 + (n - 1) * (cstd_b / am2 + cm2 / am2))


def main(argv):
    if argv[1] == "cov":
        c = np.load(argv[2]).astype(np.float64)
        m = float(argv[3])
        stack = c if c.ndim == 3 else c[None]
        for k, ck in enumerate(stack):
            print("%d,%.17g,%.17g" % (k, pr(ck), pr_bc(ck, ck.shape[0], m)))
    else:
        x = np.load(argv[2]).astype(np.float64)
        skip, m = int(argv[3]), float(argv[4])
        stack = x if x.ndim == 3 else x[None]
        for k, xk in enumerate(stack):
            c = np.cov(xk[skip:].T)
            print("%d,%.17g,%.17g" % (k, pr(c), pr_bc(c, c.shape[0], m)))


if __name__ == "__main__":
    main(sys.argv)
