"""Benchmark and measurement: eta* over gamma on ReLU MLP sweeps (richness, issue 14), and the chain's
gamma-eta plane.

Run by hand: ``python benchmarks/bench_richness.py [--depths 2 3 4] [--loss mse] [--steps 1000] [--json OUT]``.
Prints a table (depth, loss, measured slopes with 95 % intervals, theory, configurations, seconds); the
numbers go to docs/benchmarks.md with the machine description. Needs the optional networks extra (PyTorch) for the
networks.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--depths", type=int, nargs="+", default=[2, 3, 4])
    ap.add_argument("--loss", default="mse")
    ap.add_argument("--gamma-min", type=float, default=1e-3)
    ap.add_argument("--gamma-max", type=float, default=1e3)
    ap.add_argument("--gamma-per-decade", type=int, default=2)
    ap.add_argument("--eta-per-decade", type=int, default=4)
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--width", type=int, default=64)
    ap.add_argument("--dtype", default="float64")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--tail", type=float, default=0.1, help="fraction of the last steps averaged into the loss")
    ap.add_argument("--json", default=None)
    a = ap.parse_args()
    import torch

    torch.set_num_threads(a.threads)
    from numerics.richness import gamma_eta_plane, log_grid_per_decade
    from sltk._output import format_table, to_jsonable
    from verification.richness import MLPTask, measure_eta_star

    rows, results = [], []
    for L in a.depths:
        t0 = time.perf_counter()
        p = gamma_eta_plane(L)
        s = p.slopes["eta_star"]
        rows.append([L, "chain mse", f"{s['small_gamma'].value:.3f} [{s['small_gamma'].interval[0]:.3f}, {s['small_gamma'].interval[1]:.3f}]",
                     f"{s['large_gamma'].value:.3f} [{s['large_gamma'].interval[0]:.3f}, {s['large_gamma'].interval[1]:.3f}]",
                     f"2, {2 / L:.3f}", p.scan.run.status.size, f"{time.perf_counter() - t0:.1f}"])
        g = log_grid_per_decade(a.gamma_min, a.gamma_max, a.gamma_per_decade)
        res = measure_eta_star(MLPTask(depth=L, loss=a.loss, width=a.width), g, a.steps, per_decade=a.eta_per_decade,
                               dtype=a.dtype, tail=a.tail)
        results.append(res.to_dict())
        fmt = lambda f: "n/a" if f is None else f"{f.value:.3f} [{f.interval[0]:.3f}, {f.interval[1]:.3f}]"
        rows.append([L, f"MLP {a.loss} N={a.width}", fmt(res.slopes["small_gamma"]), fmt(res.slopes["large_gamma"]),
                     f"{'1' if a.loss == 'xent' else '2'}, {2 / L:.3f}", res.sweep.final.size, f"{res.sweep.seconds:.1f}"])
        print(format_table(["L", "model", "slope small gamma", "slope large gamma", "theory", "configs", "seconds"], rows[-2:]),
              flush=True)
        if a.json:
            with open(a.json, "w") as fh:
                json.dump(to_jsonable(results), fh)
    print(format_table(["L", "model", "slope small gamma", "slope large gamma", "theory", "configs", "seconds"], rows))


if __name__ == "__main__":
    main()
