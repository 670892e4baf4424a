"""Throughput of the PLRF simulator against a plain matrix-matrix product of the same shapes.

One simulator step draws ``(R B) x v`` standard normals and multiplies them by the
``v x (d + 1)`` matrix ``[D^(1/2) W | D^(1/2) b]``; the rest is O(R B d). The baseline is the
bare product ``Z @ A`` of the same shapes, timed in the same run with the same BLAS thread
setting, so the ratio ``simulator steps/s / product steps/s`` is the fraction of the hardware
limit the simulator reaches (target: >= 0.5 at d = 1024, v = 4096, R = 32, B = 1).

Also timed: the exact expected-risk recursion (``verification.plrf.exact_expected_risk``), in
mode-steps per second.

Usage::

    .venv/bin/python benchmarks/bench_simulator.py                 # CPU, NumPy
    .venv/bin/python benchmarks/bench_simulator.py --backend cupy  # on a GPU machine (CuPy)
    .venv/bin/python benchmarks/bench_simulator.py --backend cupy --dtype float32

Prints a table; the numbers go to docs/benchmarks.md with the machine description.
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np

import theory
import verification
from verification._backend import backend_name, default_rng, get_namespace, limit_blas_threads, resolve_dtype


def _sync(xp):
    if backend_name(xp) == "cupy":
        import cupy

        cupy.cuda.Device().synchronize()


def bench_product(xp, rows, v, cols, dtype, steps, repeat):
    rng = default_rng(xp, 0)
    Z = rng.standard_normal((rows, v), dtype=dtype)
    A = rng.standard_normal((v, cols), dtype=dtype)
    best = np.inf
    for _ in range(repeat):
        _sync(xp)
        t0 = time.perf_counter()
        for _ in range(steps):
            Y = xp.matmul(Z, A)
        _sync(xp)
        best = min(best, time.perf_counter() - t0)
    del Y
    return steps / best


def bench_simulator(problem, opt, runs, steps, backend, dtype, repeat):
    inst = verification.plrf.sample_instance(problem, seed=0)
    best = np.inf
    for _ in range(repeat):
        res = verification.plrf.simulate(problem, opt, steps=steps, runs=runs, seed=0, instance=inst,
                                         backend=backend, dtype=dtype, eval_steps=[0, steps])
        best = min(best, res.seconds)
    return steps / best, res


def bench_exact(problem, opt, steps, repeat):
    sp = verification.plrf.instance_spectrum(verification.plrf.sample_instance(problem, seed=0))
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        verification.plrf.exact_expected_risk(sp, opt, steps=steps, n_points=40)
        best = min(best, time.perf_counter() - t0)
    return steps * problem.d / best


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1024x4096,256x1024", help="comma-separated d x v pairs")
    ap.add_argument("--runs", type=int, default=32)
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--steps", type=int, default=300, help="timed steps per repeat")
    ap.add_argument("--repeat", type=int, default=3, help="best of this many repeats")
    ap.add_argument("--backend", default="numpy", choices=("auto", "numpy", "cupy"))
    ap.add_argument("--dtype", default="float64", choices=("float64", "float32"))
    ap.add_argument("--threads", default="1,default", help="BLAS thread settings to time (comma list; 'default')")
    args = ap.parse_args(argv)
    xp = get_namespace(args.backend)
    print(f"# simulator benchmark: backend {backend_name(xp)}, dtype {args.dtype}, R = {args.runs}, "
          f"B = {args.batch}, {args.steps} steps, best of {args.repeat}; {platform.processor() or platform.machine()}")
    head = ["d", "v", "BLAS threads", "product steps/s", "simulator steps/s", "ratio", "sim GFLOP/s",
            "exact recursion mode-steps/s"]
    rows = []
    for size in args.sizes.split(","):
        d, v = (int(x) for x in size.lower().split("x"))
        problem = theory.plrf.PLRF(alpha=1.0, beta=0.7, v=v, d=d)
        opt = theory.SGD(lr=0.1, batch=args.batch)
        for th in args.threads.split(","):
            n_threads = None if th == "default" else int(th)
            with limit_blas_threads(n_threads):
                prod = bench_product(xp, args.runs * args.batch, v, d + 1, args.dtype, args.steps, args.repeat)
                sim, _ = bench_simulator(problem, opt, args.runs, args.steps, args.backend, args.dtype, args.repeat)
                ex = bench_exact(problem, opt, 20_000, 1) if backend_name(xp) != "cupy" or th == "1" else float("nan")
            flops = 2.0 * args.runs * args.batch * v * (d + 1) * sim / 1e9
            rows.append([d, v, th, f"{prod:.1f}", f"{sim:.1f}", f"{sim / prod:.2f}", f"{flops:.1f}", f"{ex:.3g}"])
    from sltk._output import format_table

    print(format_table(head, rows, "markdown"))


if __name__ == "__main__":
    main()
