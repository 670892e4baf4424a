"""signSGD's constant-rate compute-optimal slope in Phase III / S-VI at larger scale than
docs/signsgd_frontier.md (the question of issue 12: does the local slope reach 4a/(4a+1)?).

    OMP_NUM_THREADS=1 /work/venv/bin/python benchmarks/measure_phase3_constant.py [--alpha 0.7 --beta 1.2]
        [--fmin 1e6 --fmax 1e8 --dmin 1024 --dmax 65536] [--out FILE]

Deterministic-equivalent spectrum, v = 4 d, (d, lr) optimised per budget (numerics.plrf.frontier,
lr="optimise"), sizes 2^(1/2) apart, 4 budgets per decade; prints local slopes by window with the
window's regression standard error.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from numerics.plrf import frontier, paired_local_gain  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--alpha", type=float, default=0.7)
    ap.add_argument("--beta", type=float, default=1.2)
    ap.add_argument("--fmin", type=float, default=1e6)
    ap.add_argument("--fmax", type=float, default=1e8)
    ap.add_argument("--dmin", type=int, default=1024)
    ap.add_argument("--dmax", type=int, default=65536)
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    t0 = time.perf_counter()
    n = int(round(math.log2(a.dmax / a.dmin) * 2)) + 1
    dg = np.unique(np.round(np.geomspace(a.dmin, a.dmax, n)).astype(int))
    F = np.logspace(math.log10(a.fmin), math.log10(a.fmax), int(round(math.log10(a.fmax / a.fmin) * 4)) + 1)
    fr = frontier(a.alpha, a.beta, "signsgd", lr="optimise", flops=F, d_grid=dg)
    inner = fr.inner
    # local slopes of P* with standard errors (paired_local_gain against a flat reference = -slope)
    c, s, se = paired_local_gain(fr.flops[inner], fr.p_star[inner], np.ones(int(inner.sum())), window=1.0)
    print(f"signSGD ({a.alpha}, {a.beta}) constant rate, derived eta {fr.eta_theory:.4f}, "
          f"f {F[0]:.0e}..{F[-1]:.0e}, d {dg[0]}..{dg[-1]}, {time.perf_counter() - t0:.0f} s")
    print("| window centre f | local eta | se | d* at centre |")
    print("|---|---|---|---|")
    for ci, si, ei in zip(c, s, se):
        print(f"| {ci:.2g} | {-si:.4f} | {ei:.4f} | {np.exp(np.interp(np.log(ci), np.log(fr.flops), np.log(fr.d_star))):.0f} |")
    print("at edge:", fr.at_edge.tolist())
    if a.out:
        with open(a.out, "w") as fh:
            json.dump({"alpha": a.alpha, "beta": a.beta, "flops": fr.flops.tolist(), "p_star": fr.p_star.tolist(),
                       "d_star": fr.d_star.tolist(), "c_star": fr.c_star.tolist(), "at_edge": fr.at_edge.tolist(),
                       "window_centers": c.tolist(), "eta_local": (-s).tolist(), "se": se.tolist(),
                       "eta_theory": fr.eta_theory, "seconds": time.perf_counter() - t0}, fh, indent=1)


if __name__ == "__main__":
    main()
