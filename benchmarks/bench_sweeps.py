"""Sweep runner: the same sweep serially and on a LocalCluster of 2 workers, the overhead per point,
and the cost of a resume that finds everything stored.

    python benchmarks/bench_sweeps.py [--points 40] [--work 0.2]

Prints a table. The point function burns ``--work`` seconds of one core (a deterministic float loop),
so the ratio shows what the cluster adds beyond the work; a zero-work function measures the overhead.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np


def burn(point: dict) -> dict:
    """About ``point['work']`` s of float work on one core (fixed iteration count, calibrated)."""
    x = np.full(2000, point["i"] + 1.0)
    for _ in range(int(point["iters"])):
        x = np.sqrt(x * x + 1e-3)
    return {"y": float(x.sum())}


def main():
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import bench_sweeps as me  # by reference, so workers import this file

    from numerics.sweeps import Grid, run_sweep

    ap = argparse.ArgumentParser()
    ap.add_argument("--points", type=int, default=40)
    ap.add_argument("--work", type=float, default=0.2)
    a = ap.parse_args()
    t0 = time.perf_counter()
    me.burn({"i": 0, "iters": 2000})
    iters = int(2000 * a.work / (time.perf_counter() - t0))
    rows = []
    tmp = Path(tempfile.mkdtemp())
    for label, work_iters in (("work", iters), ("no work", 0)):
        g = Grid({"i": list(range(a.points))}, fixed={"iters": work_iters})
        ser = run_sweep(me.burn, g, store=tmp / f"s{work_iters}.zarr", scheduler="serial", progress=False)
        dist = run_sweep(me.burn, g, store=tmp / f"d{work_iters}.zarr", workers=2, progress=False)
        same = bool(np.array_equal(ser.dataset["y"].values, dist.dataset["y"].values))
        t = time.perf_counter()
        again = run_sweep(me.burn, g, store=tmp / f"d{work_iters}.zarr", workers=2, progress=False)
        resume = time.perf_counter() - t
        assert again.computed == 0
        rows.append((label, a.points, ser.seconds, dist.seconds, ser.seconds / dist.seconds,
                     (dist.seconds) / a.points, resume, same))
    print(f"{'sweep':8s} {'points':>6s} {'serial s':>9s} {'2 workers s':>12s} {'ratio':>6s} {'s/point (2w)':>13s} "
          f"{'resume s':>9s} {'identical':>9s}")
    for r in rows:
        print(f"{r[0]:8s} {r[1]:6d} {r[2]:9.2f} {r[3]:12.2f} {r[4]:6.2f} {r[5]:13.3f} {r[6]:9.2f} {str(r[7]):>9s}")


if __name__ == "__main__":
    main()
