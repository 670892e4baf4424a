"""The report's exponent atlas, point by point in one process: CPU seconds per optimizer x schedule (issue 11).

    PYTHONPATH=$PWD python benchmarks/bench_atlas.py [--grid report|small] [--fresh-spectra]

``report``: the full report's 10 x 10 (alpha, beta) grid (``sltk._report_sections`` 60_sweeps, preset ``ci``), 400
points; ``small``: alpha in {0.5, 1.1} x beta in {0.4, 1.0}, 16 points. The atlas's point function is called
directly (no Dask: the report runs the same points on its workers), each point timed with ``time.process_time``.
``--fresh-spectra`` points ``SLTK_CACHE_DIR`` at a new temporary folder, so the deterministic-equivalent spectra
are computed as on a fresh machine (else the per-machine disk cache may hold them). Points outside
``2 alpha + 2 beta > 1`` are refused by the point function (as in the report) and not counted.
``SLTK_NO_JIT=1`` times the NumPy paths. One BLAS thread.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import importlib  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--grid", choices=("report", "small"), default="report")
    ap.add_argument("--fresh-spectra", action="store_true", help="a new SLTK_CACHE_DIR (spectra computed afresh)")
    args = ap.parse_args(argv)
    if args.fresh_spectra:
        os.environ["SLTK_CACHE_DIR"] = tempfile.mkdtemp(prefix="sltk-atlas-bench-")
    from numerics import _jit
    from sltk._output import format_table
    from sltk._sweep_kinds import frontier
    from theory import ParameterError

    sec = importlib.import_module("sltk._report_sections.60_sweeps")
    alphas, betas = sec.GRIDS[False] if args.grid == "report" else ([0.5, 1.1], [0.4, 1.0])
    spec = frontier.atlas_spec(alphas, betas, preset="ci")
    print(f"grid {args.grid}: {spec.grid.size} points; compiled kernels: {_jit.enabled()}; "
          f"load average {'/'.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
    cpu, n, wall0, cpu0 = {}, {}, time.perf_counter(), time.process_time()
    for i in range(spec.grid.size):
        p = spec.grid.point(np.unravel_index(i, spec.grid.shape))
        t = time.process_time()
        try:
            spec.fn(p)
        except ParameterError:
            continue
        key = (p["optimizer"], p["schedule"])
        cpu[key] = cpu.get(key, 0.0) + time.process_time() - t
        n[key] = n.get(key, 0) + 1
    rows = [[o, s, n[(o, s)], f"{cpu[(o, s)]:.1f}", f"{cpu[(o, s)] / n[(o, s)]:.3f}"] for (o, s) in cpu]
    print(format_table(["optimizer", "schedule", "points", "CPU s", "CPU s a point"], rows, "markdown"))
    print(f"total: {time.process_time() - cpu0:.1f} s CPU, {time.perf_counter() - wall0:.1f} s wall; load average "
          f"{'/'.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
