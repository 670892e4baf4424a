"""Measurement (issue 14): the large-gamma eta* slope of ReLU MLPs (MSE) with eta* located between grid
points (a refined second pass) and the seed-to-seed scatter carried into the slope's interval.

Pre-registered (written and committed before the run; nothing below was chosen after seeing a slope):

* Task, grids and budget exactly as ``benchmarks/measure_richness_budget.py --rules escape-scaled``: width 64,
  input 16, batch 32, MSE, ``MLPTask(seed=s)``; gammas 10^k/2 in the window; the coarse eta grid of
  :func:`verification.richness.eta_grid` at 4 a decade (rows of the 1e-3 .. gamma_max grid); budget
  ``T(gamma) = 1000 t_esc(gamma) / t_esc(10)`` (the chain's flow escape time, normalised at gamma0 = 10);
  tail 10 %.
* eta* per gamma and seed: :func:`verification.richness.refine_eta_star` -- the coarse minimum's bracket
  (its two neighbours, 0.5 decade) retrained at 16 a decade (6 new points), merged with the coarse grid, and
  eta* the vertex of the parabola in log eta through the merged grid's minimum and its neighbours (or the
  largest stable point, to 1/16 decade, next to a divergence). A gamma whose coarse minimum is at a grid end
  is left out.
* Slope: :func:`numerics.richness.slope_over_seeds` on the window: mean of the per-seed OLS slopes with its
  95 % t-interval over the seeds, the slope of the per-gamma mean log eta* with its OLS interval (scatter about
  the line), and a bootstrap over the seeds; the interval judged is the union of the three.
* Runs, in this order, seeds 0..9 each, one process, one thread: (1) L = 4 on [10, 1e3]; (2) L = 4 on
  [10^1.5, 10^3.5]; (3) L = 3 on [10, 1e3]; (4) L = 2 on [10, 1e3]. Seeds run in order; a run cut short by the
  session's deadline reports the seeds it finished (the cut depends on the clock, not on the result).
  Added (committed after seeing 3 seeds of run 1, before any of runs 2-5): (5) L = 4 on [100, 1e4] (the window
  of the earlier 3-seed run, 10^2 .. 10^4, budget still normalised at gamma0 = 10: 31623 steps at 1e4), seeds
  0..9 in order, after run 4, cut by the deadline.
* Verdict: "met" if the mean slope is within 0.1 of 2/L and the judged interval lies inside
  [2/L - 0.1, 2/L + 0.1]; "point within 0.1, not established" if only the first holds; else "not met".

Run: ``python benchmarks/measure_richness_refined.py --depth 4 --gamma-min 10 --gamma-max 1e3 --seeds 0 1 2 3 4
5 6 7 8 9 --json out.json``; prints per seed and gamma the coarse and refined eta*/eta_edge and the method,
then the slopes.
"""

from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--depth", type=int, default=4)
    ap.add_argument("--t0", type=int, default=1000)
    ap.add_argument("--gamma0", type=float, default=10.0)
    ap.add_argument("--gamma-min", type=float, default=10.0)
    ap.add_argument("--gamma-max", type=float, default=1e3)
    ap.add_argument("--fine-per-decade", type=int, default=16)
    ap.add_argument("--seeds", type=int, nargs="+", default=list(range(10)))
    ap.add_argument("--json", default=None)
    a = ap.parse_args()
    import torch

    torch.set_num_threads(1)
    from numerics.richness import fit_slope, log_grid_per_decade, slope_over_seeds
    from theory.richness import escape_time, eta_edge
    from verification.richness import MLPTask, eta_grid, mlp_sweep, refine_eta_star

    L = a.depth
    g_all = log_grid_per_decade(1e-3, a.gamma_max, 2)
    grid_all = eta_grid(g_all, L, "mse", 4)
    sel = g_all >= a.gamma_min * (1 - 1e-12)
    g, grid = g_all[sel], grid_all[sel]
    t_esc = lambda x: float(escape_time(x, L, 0.5, "flow"))
    budgets = [int(round(a.t0 * t_esc(gi) / t_esc(a.gamma0))) for gi in g]
    edge = eta_edge(g, L)
    fine_rows, coarse_rows, record = [], [], {"depth": L, "gamma": g.tolist(), "steps": budgets, "seeds": []}
    c_all, w_all = time.process_time(), time.perf_counter()
    for seed in a.seeds:
        task = MLPTask(depth=L, seed=seed)
        c0, w0 = time.process_time(), time.perf_counter()
        fine, coarse, rows = [], [], []
        for gi, row, T in zip(g, grid, budgets):
            s = mlp_sweep(task, [gi], row[None, :], T)
            r = refine_eta_star(s, per_decade=a.fine_per_decade)
            fine.append(r.eta_star[0] if r.located[0] else np.nan)
            coarse.append(r.eta_star_coarse[0] if r.located[0] else np.nan)
            rows.append({"gamma": float(gi), "steps": T, "method": r.method[0], "eta_star": float(r.eta_star[0]),
                         "eta_star_coarse": float(r.eta_star_coarse[0]), "located": bool(r.located[0]),
                         "eta": r.etas[0].tolist(), "tail_loss": [float(v) for v in r.final[0]]})
        fine_rows.append(fine), coarse_rows.append(coarse)
        cpu, wall = time.process_time() - c0, time.perf_counter() - w0
        print(f"L {L}, seed {seed}  (CPU {cpu:.0f} s, wall {wall:.0f} s, load {os.getloadavg()[0]:.2f})")
        for rr, e in zip(rows, edge):
            print(f"  gamma {rr['gamma']:8.4g}  steps {rr['steps']:6d}  coarse eta*/edge {rr['eta_star_coarse'] / e:.3f}"
                  f"  refined {rr['eta_star'] / e:.3f}  ({rr['method']})")
        f = np.array(fine)
        ok = np.isfinite(f)
        if ok.sum() >= 3:
            fs = fit_slope(g[ok], f[ok], g.min(), g.max(), grid_step=1.0 / a.fine_per_decade)
            print(f"  seed slope {fs.value:.3f} [{fs.interval[0]:.3f}, {fs.interval[1]:.3f}] (theory {2 / L:.3f})",
                  flush=True)
        record["seeds"].append({"seed": seed, "cpu_s": cpu, "wall_s": wall, "points": rows})
        if len(fine_rows) >= 2:
            summary = {}
            for name, Y in (("refined", np.array(fine_rows)), ("coarse", np.array(coarse_rows))):
                try:
                    ss = slope_over_seeds(g, Y, g.min(), g.max())
                except Exception as exc:  # too few located points: say so
                    print(f"  {name}: {exc}")
                    continue
                summary[name] = ss.to_dict()
                th = 2 / L
                point = abs(ss.mean - th) <= 0.1
                inside = th - 0.1 <= ss.interval[0] and ss.interval[1] <= th + 0.1
                verdict = "met" if point and inside else ("point within 0.1, not established" if point else "not met")
                print(f"  {name} eta*, {ss.n_seeds} seeds on [{g.min():g}, {g.max():g}]: mean slope {ss.mean:.3f} "
                      f"t [{ss.t_interval[0]:.3f}, {ss.t_interval[1]:.3f}]; pooled {ss.pooled:.3f} "
                      f"[{ss.pooled_interval[0]:.3f}, {ss.pooled_interval[1]:.3f}]; bootstrap "
                      f"[{ss.bootstrap_interval[0]:.3f}, {ss.bootstrap_interval[1]:.3f}]; judged "
                      f"[{ss.interval[0]:.3f}, {ss.interval[1]:.3f}]; scatter (dec) "
                      + " ".join(f"{v:.3f}" for v in ss.scatter) + f"  -> {verdict} (theory {th:.3f})", flush=True)
            record["summary"] = summary
        record["cpu_s"], record["wall_s"] = time.process_time() - c_all, time.perf_counter() - w_all
        if a.json:
            with open(a.json, "w") as fh:
                json.dump(record, fh)


if __name__ == "__main__":
    main()
