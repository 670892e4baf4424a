"""Benchmark and measurement: eta* over gamma on ReLU MLP sweeps (richness, issue 14), and the chain's
gamma-eta plane.

Run by hand: ``python benchmarks/bench_richness.py [--depths 2 3 4] [--loss mse] [--steps 1000] [--json OUT]``.
Prints a table (depth, loss, measured slopes with 95 % intervals, theory, configurations, seconds); the
numbers go to docs/benchmarks.md with the machine description. Needs the optional networks extra (PyTorch) for the
networks.

``--speed`` instead measures the network sweep's throughput: configuration-steps per second (wall and CPU) of
512 stable configurations trained at once, and the projected CPU time of the issue's full sweep (25 gammas in
[1e-3, 1e3] x 30 etas of ``eta_grid`` x ``--full-steps`` steps per depth), from a run of the full grid for
``--steps`` steps: its CPU time scaled by the configuration-steps still training over the full budget, those
alive at the last measured step assumed to stay alive (an upper bound: later divergences only shorten it).
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
    ap.add_argument("--speed", action="store_true", help="throughput and projected full-sweep time instead")
    ap.add_argument("--full-steps", type=int, default=2000, help="--speed: steps of the projected full sweep")
    a = ap.parse_args()
    import torch

    torch.set_num_threads(a.threads)
    if a.speed:
        return speed(a)
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


def speed(a):
    import os

    from sltk._output import format_table
    from verification.richness import MLPTask, eta_grid, mlp_sweep

    g = 10.0 ** np.linspace(-3, 3, 25)
    rows, total = [], 0.0
    for L in a.depths:
        task = MLPTask(depth=L, loss=a.loss, width=a.width)
        n_stable = 100
        c0 = time.process_time()
        s = mlp_sweep(task, np.ones(512), np.full((512, 1), 1e-3), n_stable, dtype=a.dtype, max_batch=512)
        cpu_stable = time.process_time() - c0
        grid = eta_grid(g, L, a.loss, per_decade=8, below=2.0, above=1.625)[:, :30]
        c0 = time.process_time()
        full = mlp_sweep(task, g, grid, a.steps, dtype=a.dtype, max_batch=512)
        cpu = time.process_time() - c0
        alive = np.isfinite(full.loss.reshape(-1, full.log_steps.size)).sum(axis=0).astype(float)  # per step
        done = alive.sum()
        proj = cpu * (done + alive[-1] * (a.full_steps - a.steps)) / done
        total += proj
        rows.append([L, full.final.size, f"{512 * n_stable / s.seconds:.0f}", f"{512 * n_stable / cpu_stable:.0f}",
                     a.steps, f"{full.seconds:.1f}", f"{cpu:.1f}", f"{alive[-1] / full.final.size:.2f}",
                     f"{proj:.0f}"])
        print(format_table(["L", "configs", "cfg-steps/s wall (512 stable)", "cfg-steps/s CPU", "steps run",
                            "wall s", "CPU s", "alive at end", f"projected CPU s, {a.full_steps} steps"], rows[-1:]),
              flush=True)
    print(format_table(["L", "configs", "cfg-steps/s wall (512 stable)", "cfg-steps/s CPU", "steps run", "wall s",
                        "CPU s", "alive at end", f"projected CPU s, {a.full_steps} steps"], rows))
    print(f"projected full sweep, all depths: {total:.0f} CPU s = {total / 60:.1f} min (one thread); "
          f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
