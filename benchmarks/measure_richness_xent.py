"""Measurement (issue 14): which small-gamma branch does cross-entropy eta* follow in the model as defined here
(the ReLU MLP of :mod:`verification.richness`, online SGD, learning rate N eta, output (g - g_0)/gamma)?

What is derived (before running; docs/richness.md, "Cross-entropy at small gamma"):

1. Lazy limit. One SGD step moves the parameters by ``N eta l'(f) grad g / gamma`` and the output by
   ``(eta / gamma^2) K_g l'(f)`` (``K_g`` the muP tangent kernel of ``g``, O(1)). At fixed ``r = eta / gamma^2``
   the parameter change per step is ``r gamma -> 0``: as gamma -> 0 the network is its linearisation and the
   whole loss curve depends on ``r`` alone, for *any* loss. So at a fixed budget, batch and data the asymptotic
   small-gamma branch is ``eta* = r*(T, B) gamma^2``, cross-entropy included. Check 1: loss curves at the same
   ``r`` and gamma = 1e-3, 1e-4, 1e-5 coincide, the gap shrinking like gamma.
2. The gamma branch. The linearised model's best ``r*`` is finite (above some ``r`` its online loss stops
   improving), but under cross-entropy it can be far above the MSE edge, because the logistic curvature
   ``l''(f)`` falls as the margins grow (the model tolerates steps above the edge at init). The linearisation
   holds while the relative weight change per step ``~ eta / gamma`` (the chain's ``eta / (2 gamma)``,
   :func:`theory.richness.xent_first_step_change`) is small. So ``eta* = min(r* gamma^2, kappa gamma)``
   roughly: slope 2 below ``gamma_c ~ kappa / r*``, slope 1 between ``gamma_c`` and 1. Less SGD noise (a larger
   batch) raises ``r*`` and moves ``gamma_c`` down, widening the slope-1 window. Check 2: eta* over gamma in
   [1e-3, 1] at batch 32, 128, 512 (1000 steps, width 64, L = 2), slopes fitted on [1e-3, 1e-2] and on
   [10^-2.5, 10^-0.5] (two decades), both windows fixed here before the run.

Run: ``python benchmarks/measure_richness_xent.py [--steps 1000] [--batches 32 128 512]``; prints two tables.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--depth", type=int, default=2)
    ap.add_argument("--width", type=int, default=64)
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--batches", type=int, nargs="+", default=[32, 128, 512])
    ap.add_argument("--skip-lazy", action="store_true")
    a = ap.parse_args()
    import torch

    torch.set_num_threads(1)
    from numerics.richness import fit_slope, log_grid_per_decade
    from verification.richness import MLPTask, measure_eta_star, mlp_sweep

    L = a.depth
    if not a.skip_lazy:
        t0, c0 = time.perf_counter(), time.process_time()
        task = MLPTask(depth=L, loss="xent", width=a.width, batch=32)
        print(f"check 1: lazy limit, L = {L}, xent, width {a.width}, batch 32, {a.steps} steps; "
              "max |loss(gamma) - loss(gamma/10)| over the curve, at eta = r gamma^2")
        for r in (1.0, 30.0, 1000.0):
            gs = np.array([1e-2, 1e-3, 1e-4, 1e-5])
            sw = mlp_sweep(task, gs, (r * gs**2)[:, None], a.steps)
            h = sw.loss[:, 0, :]
            gaps = [float(np.nanmax(np.abs(h[i] - h[i + 1]))) for i in range(gs.size - 1)]
            print(f"  r = {r:7g}: final loss {', '.join(f'{v:.4f}' for v in sw.final[:, 0])}; gaps "
                  + ", ".join(f"{g0:.0e}->{g1:.0e}: {d:.2e}" for g0, g1, d in zip(gs[:-1], gs[1:], gaps)), flush=True)
        print(f"  (wall {time.perf_counter() - t0:.0f} s, CPU {time.process_time() - c0:.0f} s, "
              f"load {os.getloadavg()[0]:.2f})")
    g = log_grid_per_decade(1e-3, 1.0, 2)
    print(f"check 2: eta* over gamma, L = {L}, xent, width {a.width}, {a.steps} steps")
    for B in a.batches:
        t0, c0 = time.perf_counter(), time.process_time()
        res = measure_eta_star(MLPTask(depth=L, loss="xent", width=a.width, batch=B), g, a.steps, per_decade=4)
        star, inter = res.eta_star, res.interior
        fits = []
        for lo, hi in ((1e-3, 1e-2), (10**-2.5, 10**-0.5)):
            sel = inter & (g >= lo * (1 - 1e-9)) & (g <= hi * (1 + 1e-9))
            f = fit_slope(g[sel], star[sel], lo, hi, grid_step=0.25) if sel.sum() >= 3 else None
            fits.append("n/a" if f is None else f"{f.value:.3f} [{f.interval[0]:.3f}, {f.interval[1]:.3f}]")
        print(f"  batch {B:4d}: eta*/gamma " + ", ".join(f"{s / gi:.3g}{'' if it else '(end)'}" for s, gi, it in
                                                      zip(star, g, inter))
              + f"\n      slope [1e-3, 1e-2] {fits[0]}; slope [10^-2.5, 10^-0.5] {fits[1]}  "
              f"(wall {time.perf_counter() - t0:.0f} s, CPU {time.process_time() - c0:.0f} s, "
              f"load {os.getloadavg()[0]:.2f})", flush=True)


if __name__ == "__main__":
    main()
