"""Secondary analysis of the JSON files of ``benchmarks/measure_richness_refined.py`` (no training).

Not pre-registered: written after the first seeds of the pre-registered run were seen (their fine-grid tail
losses are bumpy, non-monotone by 10-30 % from one 1/16-decade point to the next), to ask what limits the slope.
The pre-registered numbers are those the measurement script prints; this compares, on the same curves, the
estimators ``grid`` (lowest grid point of the merged grid), ``coarse`` (3-point parabola on the 4-a-decade grid,
the old estimator), ``refined`` (3-point parabola on the merged grid, the pre-registered one) and ``window``
(:func:`numerics.richness.window_quadratic_min`, least-squares parabola over +-0.25 decade of the merged grid),
and prints the per-gamma mean eta*/eta_edge over the seeds with its standard error, and the slope between
neighbouring gammas (finite-gamma drift). ``depth`` is the loss curve's depth around its minimum: the lowest tail loss
between 0.5 and 1 decade away from eta* (on either side; the smaller of the two sides) over the minimum, minus
one; a curve with ``depth`` below 5 % is "flat" (its eta* is whatever point the noise makes lowest), counted per
run, and the slope is recomputed without the flat points; ``eta_max`` is the largest eta whose run did not
diverge (on the merged grid: 4 a decade away from eta*), to compare with the stability edge's 2/L -- a diagnostic of what limits the slope, its 5 % threshold chosen after seeing the curves.

Run: ``python benchmarks/analyse_richness_refined.py out.json [more.json ...]``.
"""

from __future__ import annotations

import json
import math
import sys

import numpy as np


def main():
    from numerics.richness import grid_point_min, slope_over_seeds, sub_grid_min, window_quadratic_min
    from theory.richness import eta_edge

    for path in sys.argv[1:]:
        rec = json.load(open(path))
        L, g = rec["depth"], np.array(rec["gamma"])
        est = {"grid": [], "coarse": [], "refined": [], "window": [], "refined, flat left out": [],
               "eta_max (largest non-diverged eta)": []}
        n_flat = 0
        for s in rec["seeds"]:
            rows = {k: [] for k in est}
            for p in s["points"]:
                e, v = np.array(p["eta"]), np.array(p["tail_loss"])
                ok = p["located"]
                rows["grid"].append(grid_point_min(e, v) if ok else np.nan)
                rows["coarse"].append(p["eta_star_coarse"] if ok else np.nan)
                rows["refined"].append(sub_grid_min(e, v).x if ok else np.nan)
                rows["window"].append(window_quadratic_min(e, v, 0.25).x if ok else np.nan)
                x = sub_grid_min(e, v).x
                le = np.log10(e)
                lower = v[(le < math.log10(x) - 0.5 + 1e-9) & (le >= math.log10(x) - 1.0)]
                upper = v[(le > math.log10(x) + 0.5 - 1e-9) & (le <= math.log10(x) + 1.0)]
                sides = [np.min(np.where(np.isfinite(a), a, np.inf)) for a in (lower, upper) if a.size]
                depth = (min(sides) / np.min(v[np.isfinite(v)]) - 1) if sides else np.inf
                flat = ok and depth < 0.05
                n_flat += flat
                rows["refined, flat left out"].append(x if ok and not flat else np.nan)
                fin = np.isfinite(v)
                rows["eta_max (largest non-diverged eta)"].append(float(e[fin].max()) if fin.any() and not fin[-1]
                                                                  else np.nan)
            for k in est:
                est[k].append(rows[k])
        edge = eta_edge(g, L)
        print(f"{path}: L = {L}, {len(rec['seeds'])} seeds, gammas {g.min():g}..{g.max():g}, "
              f"CPU {rec.get('cpu_s', float('nan')):.0f} s; flat curves (depth < 5 %): {n_flat} of "
              f"{len(rec['seeds']) * g.size}")
        for k, Y in est.items():
            Y = np.array(Y)
            if Y.shape[0] < 2:
                continue
            ss = slope_over_seeds(g, Y, g.min(), g.max())
            r = np.log10(Y / edge)
            m = np.nanmean(r, axis=0)
            se = np.nanstd(r, axis=0, ddof=1) / np.sqrt(np.isfinite(r).sum(axis=0))
            # slope of log eta* between neighbouring gammas: that of eta*/eta_edge plus eta_edge's own
            local = np.diff(m) / np.diff(np.log10(g)) + np.diff(np.log10(edge)) / np.diff(np.log10(g))
            print(f"  {k:8s}: mean slope {ss.mean:.3f} t [{ss.t_interval[0]:.3f}, {ss.t_interval[1]:.3f}]  pooled "
                  f"{ss.pooled:.3f} [{ss.pooled_interval[0]:.3f}, {ss.pooled_interval[1]:.3f}]  bootstrap "
                  f"[{ss.bootstrap_interval[0]:.3f}, {ss.bootstrap_interval[1]:.3f}]  judged "
                  f"[{ss.interval[0]:.3f}, {ss.interval[1]:.3f}]")
            print("           eta*/edge (geo. mean over seeds, x/ 10^se): "
                  + "  ".join(f"{10**a:.3f} ({b:.3f})" for a, b in zip(m, se)))
            print("           local slope of eta* between neighbours: "
                  + "  ".join(f"{a:.3f}" for a in local))


if __name__ == "__main__":
    main()
