"""SGD's decay gain at a *fixed* learning-rate factor c (gamma = c lr_max(d) for both schedules, d optimised
per budget): tests whether SGD's measured gain with the rate optimised comes from the WSD optimum's peak rate
creeping toward the stability limit (docs/signsgd.md, decay section).

    OMP_NUM_THREADS=1 /work/venv/bin/python benchmarks/measure_sgd_fixed_c_gain.py [--alpha 1.0 --beta 0.1]
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

import theory  # noqa: E402
from numerics.plrf import frontier, paired_local_gain  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--alpha", type=float, default=1.0)
    ap.add_argument("--beta", type=float, default=0.1)
    ap.add_argument("--c", default="0.4,0.9")
    ap.add_argument("--fmin", type=float, default=1e5)
    ap.add_argument("--fmax", type=float, default=1e9)
    ap.add_argument("--dmax", type=int, default=4096)
    a = ap.parse_args()
    F = np.logspace(np.log10(a.fmin), np.log10(a.fmax), int(round(np.log10(a.fmax / a.fmin) * 3)) + 1)
    dg = np.unique(np.round(np.geomspace(16, a.dmax, int(round(np.log2(a.dmax / 16) * 2)) + 1)).astype(int))
    print("| c | local gains by window (centres) | eta const / WSD (fits) |")
    print("|---|---|---|")
    for c in (float(x) for x in a.c.split(",")):
        fc = frontier(a.alpha, a.beta, "sgd", lr=c, flops=F, d_grid=dg)
        fs = frontier(a.alpha, a.beta, "sgd", lr=c, flops=F, d_grid=dg, schedule=theory.WSD(warmup=0.0, decay=0.2))
        common = np.intersect1d(fc.flops[fc.inner], fs.flops[fs.inner])
        pc = fc.p_star[np.searchsorted(fc.flops, common)]
        ps = fs.p_star[np.searchsorted(fs.flops, common)]
        cen, g, se = paired_local_gain(common, pc, ps)
        loc = " ".join(f"{x:+.3f}+-{e:.3f}" for x, e in zip(g, se))
        print(f"| {c} | {loc} ({cen[0]:.0e}..{cen[-1]:.0e}) | {fc.eta_fit:.3f} / {fs.eta_fit:.3f} |", flush=True)


if __name__ == "__main__":
    main()
