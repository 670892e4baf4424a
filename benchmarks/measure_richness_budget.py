"""Measurement (issue 14): is the L = 4 large-gamma eta* slope (0.610 at a fixed 1000-step budget, target
0.5 +- 0.1) off because the budget is too short for the ultra-rich plateau?

The rule, fixed before the slope was looked at: the step budget of gamma is scaled by the chain's predicted
escape (plateau) time, ``T(gamma) = T0 * t_esc(gamma) / t_esc(gamma0)`` with ``t_esc`` =
:func:`theory.richness.escape_time` (``kind="flow"``: ``gamma^(1-2/L) / ((L-2) c)``, so the ratio is
``(gamma / gamma0)^(1-2/L)`` whatever ``c``), ``T0 = 1000`` steps (the benchmark's budget), ``gamma0 = 10``
(the lower end of the large-gamma fit). Everything else is the benchmark's row: width 64, input 16, batch 32,
seed 0, MSE, gammas 10^1, 10^1.5, ..., 10^3, eta grids of :func:`verification.richness.eta_grid` at 4 a decade
(the rows of the benchmark's 13-gamma grid), tail 10 %, eta* = lowest tail loss parabola-refined, slope by
:func:`numerics.richness.fit_slope` on [10, 1e3] with the grid quantisation. A control reruns the same gammas at
the fixed budget ``T0``.

Run: ``python benchmarks/measure_richness_budget.py [--depth 4]``; prints a table per budget rule.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--depth", type=int, default=4)
    ap.add_argument("--t0", type=int, default=1000)
    ap.add_argument("--gamma0", type=float, default=10.0)
    a = ap.parse_args()
    import torch

    torch.set_num_threads(1)
    from numerics.richness import fit_slope, log_grid_per_decade
    from theory.richness import escape_time, eta_edge
    from verification.richness import MLPTask, eta_grid, eta_star_from_sweep, mlp_sweep

    L = a.depth
    g_all = log_grid_per_decade(1e-3, 1e3, 2)
    grid_all = eta_grid(g_all, L, "mse", 4)
    sel = g_all >= a.gamma0 * (1 - 1e-12)
    g, grid = g_all[sel], grid_all[sel]
    task = MLPTask(depth=L)
    t_esc = lambda x: float(escape_time(x, L, 0.5, "flow"))
    for rule in ("fixed", "escape-scaled"):
        stars, inters, budgets, t_wall, t_cpu = [], [], [], time.perf_counter(), time.process_time()
        for gi, row in zip(g, grid):
            T = a.t0 if rule == "fixed" else int(round(a.t0 * t_esc(gi) / t_esc(a.gamma0)))
            s = mlp_sweep(task, [gi], row[None, :], T)
            star, inter = eta_star_from_sweep(s)
            stars.append(star[0]), inters.append(inter[0]), budgets.append(T)
        stars, inters = np.array(stars), np.array(inters)
        fit = fit_slope(g[inters], stars[inters], g.min(), g.max(), grid_step=0.25) if inters.sum() >= 3 else None
        print(f"rule: {rule}  (wall {time.perf_counter() - t_wall:.0f} s, CPU {time.process_time() - t_cpu:.0f} s, "
              f"load {os.getloadavg()[0]:.2f})")
        for gi, T, st, it in zip(g, budgets, stars, inters):
            print(f"  gamma {gi:9.3g}  steps {T:6d}  eta* {st:.4g}  eta*/eta_edge {st / float(eta_edge(gi, L)):.3f}"
                  f"  interior {bool(it)}")
        print("  slope on [10, 1e3]:", "n/a" if fit is None else
              f"{fit.value:.3f} [{fit.interval[0]:.3f}, {fit.interval[1]:.3f}]  (theory {2 / L:.3f})", flush=True)


if __name__ == "__main__":
    main()
