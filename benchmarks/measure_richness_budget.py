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

Seeds (added after the one-seed run gave 0.441 [-0.031, 0.913]): ``--seeds 0 1 2 3 4`` repeats the sweep with
``MLPTask(seed=s)`` (teacher, init and data all change) and reports each seed's slope, their mean with a 95 %
t-interval over the seeds (``n - 1`` degrees of freedom: the seed-to-seed spread, which is what the one-seed
interval could not show), and the slope of the per-gamma median eta* over the seeds. Rule and gammas unchanged.

Beyond 1e3 (added after the 5-seed run gave 0.404 [0.359, 0.449] on [10, 1e3] with eta*/eta_edge still falling):
``--gamma-min 100 --gamma-max 1e4`` runs the gammas 10^2, 10^2.5, ..., 10^4 under the same rule (budget still
normalised at gamma0 = 10: 31623 steps at 1e4) and fits on [100, 1e4], the two decades at the top; fixed before
the run, seeds 0 1 2.

Run: ``python benchmarks/measure_richness_budget.py [--depth 4] [--rules escape-scaled] [--seeds 0 1 2 3 4]``;
prints a table per budget rule and seed.
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
    ap.add_argument("--rules", nargs="+", default=["fixed", "escape-scaled"], choices=["fixed", "escape-scaled"])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0])
    ap.add_argument("--gamma-min", type=float, default=None, help="lower end of the gammas and the fit (default gamma0)")
    ap.add_argument("--gamma-max", type=float, default=1e3)
    a = ap.parse_args()
    import torch

    torch.set_num_threads(1)
    from numerics.richness import fit_slope, log_grid_per_decade
    from theory.richness import escape_time, eta_edge
    from verification.richness import MLPTask, eta_grid, eta_star_from_sweep, mlp_sweep

    L = a.depth
    g_all = log_grid_per_decade(1e-3, a.gamma_max, 2)
    grid_all = eta_grid(g_all, L, "mse", 4)
    lo = a.gamma0 if a.gamma_min is None else a.gamma_min
    sel = g_all >= lo * (1 - 1e-12)
    g, grid = g_all[sel], grid_all[sel]
    t_esc = lambda x: float(escape_time(x, L, 0.5, "flow"))
    from scipy import stats

    for rule in a.rules:
        slopes, all_stars = [], []
        for seed in a.seeds:
            task = MLPTask(depth=L, seed=seed)
            stars, inters, budgets, t_wall, t_cpu = [], [], [], time.perf_counter(), time.process_time()
            for gi, row in zip(g, grid):
                T = a.t0 if rule == "fixed" else int(round(a.t0 * t_esc(gi) / t_esc(a.gamma0)))
                s = mlp_sweep(task, [gi], row[None, :], T)
                star, inter = eta_star_from_sweep(s)
                stars.append(star[0]), inters.append(inter[0]), budgets.append(T)
            stars, inters = np.array(stars), np.array(inters)
            all_stars.append(np.where(inters, stars, np.nan))
            fit = fit_slope(g[inters], stars[inters], g.min(), g.max(), grid_step=0.25) if inters.sum() >= 3 else None
            if fit is not None:
                slopes.append(fit.value)
            print(f"rule: {rule}, seed {seed}  (wall {time.perf_counter() - t_wall:.0f} s, CPU "
                  f"{time.process_time() - t_cpu:.0f} s, load {os.getloadavg()[0]:.2f})")
            for gi, T, st, it in zip(g, budgets, stars, inters):
                print(f"  gamma {gi:9.3g}  steps {T:6d}  eta* {st:.4g}  eta*/eta_edge {st / float(eta_edge(gi, L)):.3f}"
                      f"  interior {bool(it)}")
            print(f"  slope on [{g.min():g}, {g.max():g}]:", "n/a" if fit is None else
                  f"{fit.value:.3f} [{fit.interval[0]:.3f}, {fit.interval[1]:.3f}]  (theory {2 / L:.3f})", flush=True)
        if len(slopes) >= 2:
            m, sd = float(np.mean(slopes)), float(np.std(slopes, ddof=1))
            h = float(stats.t.ppf(0.975, len(slopes) - 1)) * sd / np.sqrt(len(slopes))
            med = np.nanmedian(np.array(all_stars), axis=0)
            ok = np.isfinite(med)
            mf = fit_slope(g[ok], med[ok], g.min(), g.max(), grid_step=0.25) if ok.sum() >= 3 else None
            print(f"rule {rule}: {len(slopes)} seeds, slopes {', '.join(f'{v:.3f}' for v in slopes)}; mean {m:.3f} "
                  f"[{m - h:.3f}, {m + h:.3f}] (95 % t over seeds, sd {sd:.3f}); slope of the median eta*: "
                  + ("n/a" if mf is None else f"{mf.value:.3f} [{mf.interval[0]:.3f}, {mf.interval[1]:.3f}]")
                  + f"  (theory {2 / L:.3f})", flush=True)

if __name__ == "__main__":
    main()
