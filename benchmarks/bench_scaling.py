"""How the deterministic-equivalent spectrum and the risk-curve solve scale with d (issue 17); prints a table.

    /work/venv/bin/python benchmarks/bench_scaling.py [--quick] [--reference] [--cli]

For alpha = 0.4 (beta = 1.0, the authors' notebook setting) and alpha = 1.0 (beta = 0.8), v = 10 d,
gamma = 0.25 / tr D, B = 1, at d = 400, 1e3, 1e4, 1e5, 1e6: the spectrum (``deterministic_equivalent``),
then the SGD risk curve to 1e9 steps at 1000 log-spaced points (log-grid Volterra solver on that
spectrum), each timed in wall-clock and CPU seconds, with the peak traced memory (``tracemalloc``, in a
second run of both steps) and the cost ratio to d = 400; the curve's CPU time over the time of issue 17's flop
bound (d modes x 1000 output points x 10 flops, "about 10^8 flops" at d = 10^4; target: within 10x) at this core's
dense float64 rate (a 1-thread matrix product), over a stricter bound (modes after grouping x log-grid chunks x
10 flops), and over the work counted with each exp/expm1 at ~20 flops
and the error estimate's second grid (see ``_FLOPS_COUNTED``). ``--reference`` also times the earlier per-point solver
(``method="reference"``) up to d = 1e4; ``--cli`` times the README's ``sltk frontier`` example in a
fresh interpreter. One BLAS thread. The load average is printed: on a shared machine the wall-clock
column is inflated by the other jobs, the CPU column much less.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import platform  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402

import numpy as np  # noqa: E402

import numerics  # noqa: E402
import theory  # noqa: E402
from sltk._output import format_table  # noqa: E402


def _timed(fn, *a, **k):
    t, c = time.perf_counter(), time.process_time()
    out = fn(*a, **k)
    return out, time.perf_counter() - t, time.process_time() - c


def _load():
    try:
        return "/".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "?"


def _peak_gflops() -> float:
    """This core's dense floating-point rate: a 1-thread float64 matrix product (2 n^3 flops), best of 3."""
    a = np.random.default_rng(0).standard_normal((1000, 1000))
    best = min(_timed(np.dot, a, a)[2] or 1e-9 for _ in range(3))
    return 2e9 / best / 1e9


def _flop_bound(p, curve) -> tuple:
    """``(modes, chunks, flops)``: the log-grid solve's bound ``modes x chunks x 10`` (issue 17: each mode's
    exponential sum over each chunk of the grid costs about ten flops), modes after grouping."""
    import re

    m = re.search(r"(\d+) chunks", curve.message)
    g = re.search(r"grouped into (\d+)", curve.message)
    chunks = int(m.group(1)) if m else curve.steps.size
    modes = int(g.group(1)) if g else int(p.d)
    return modes, chunks, 10.0 * modes * chunks


#: flops per mode and chunk when each transcendental is counted at ~20 flops (a float64 exp/expm1 is a
#: range reduction plus a degree ~11 polynomial): the chunk sums' exp + expm1 (40), their ~20 arithmetic
#: operations (E, A, S1 with the phi polynomial, k S1, k (A - S1)) and the march's dot and update (~6)
_FLOPS_COUNTED = 66.0
#: the error estimate solves once more on the grid built with 2h (half the chunks)
_GRIDS = 1.5


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="d up to 1e4 only")
    ap.add_argument("--reference", action="store_true", help="also time method='reference' (d <= 1e4)")
    ap.add_argument("--cli", action="store_true", help="also time `sltk frontier --alpha 0.7 --beta 1.2`")
    ap.add_argument("--steps", type=float, default=1e9)
    args = ap.parse_args(argv)
    sizes = [400, 1000, 10_000] if args.quick else [400, 1000, 10_000, 100_000, 1_000_000]
    steps = int(args.steps)
    print(f"machine: {platform.machine()} {platform.processor() or ''}, {os.cpu_count()} CPUs, python "
          f"{platform.python_version()}, numpy {np.__version__}; load average at start {_load()}")
    peak = _peak_gflops()
    print(f"dense float64 rate of one core (1000x1000 matrix product): {peak:.1f} GFLOP/s")
    jit = numerics._jit.enabled()
    # the compiled kernels (numba, the `fast` extra) are compiled once per machine and loaded once per
    # process: that one-time cost is timed here, not in the rows (SLTK_NO_JIT=1 times the NumPy path)
    p0 = theory.plrf.PLRF(1.0, 0.8, 400, 100)
    _, t_w, c_w = _timed(numerics.plrf.risk_curve, p0, theory.SGD(lr=0.25 / p0.trace_D()), steps=10**6, n_points=50)
    print(f"march: {'compiled (numba ' + __import__('numba').__version__ + ')' if jit else 'NumPy (SLTK_NO_JIT or no numba)'}; "
          f"first curve in this process (kernel compile or cache load, spectrum) {t_w:.2f} s wall / {c_w:.2f} s cpu")
    rows = []
    for alpha, beta in ((0.4, 1.0), (1.0, 0.8)):
        base = None
        for d in sizes:
            p = theory.plrf.PLRF(alpha, beta, 10 * d, d)
            opt = theory.SGD(lr=0.25 / p.trace_D())
            de, t_de, c_de = _timed(numerics.plrf.deterministic_equivalent, p)
            cur, t_c, c_c = _timed(numerics.plrf.risk_curve, p, opt, steps=steps, spectrum=de.spectrum, n_points=1000)
            # peak memory in a second, traced run (tracemalloc slows the many small allocations down)
            tracemalloc.start()
            de2 = numerics.plrf.deterministic_equivalent(p)
            numerics.plrf.risk_curve(p, opt, steps=steps, spectrum=de2.spectrum, n_points=1000)
            mem = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            modes, chunks, fl = _flop_bound(p, cur)
            tot, ctot = t_de + t_c, c_de + c_c
            if base is None:
                base = (tot, ctot)
            ref = "-"
            if args.reference and d <= 10_000:
                r, t_r, c_r = _timed(numerics.plrf.deterministic_equivalent, p, method="reference")
                ref = f"{t_r:.2f} / {c_r:.2f}"
            rows.append([f"{alpha:g}", f"{beta:g}", f"{d:.0e}", f"{t_de:.2f} / {c_de:.2f}", f"{t_c:.3f} / {c_c:.3f}",
                         f"{mem / 2**20:.0f}", f"{tot / base[0]:.2f} / {ctot / base[1]:.2f}", ref,
                         f"{de.status}, {cur.status}", f"{cur.error_estimate:.1e}", f"{de.diagnostics['grid_points']}",
                         f"{c_c / (10.0 * d * 1000 / (peak * 1e9)):.1f}",
                         f"{modes} x {chunks}: {fl:.1e}", f"{c_c / (fl / (peak * 1e9)):.0f}",
                         f"{c_c / (fl * _FLOPS_COUNTED / 10 * _GRIDS / (peak * 1e9)):.0f}"])
            print(" | ".join(rows[-1]), flush=True)
    print(f"load average at end {_load()}")
    print(format_table(["alpha", "beta", "d (v = 10 d)", "spectrum s (wall / cpu)", f"curve to {steps:.0e} s (wall / cpu)",
                        "peak MiB", "ratio to d=400 (wall / cpu)", "reference spectrum s (wall / cpu)", "status",
                        "curve err. est.", "contour points",
                        "curve cpu / issue's bound (d x 1000 output points x 10 flops) at the dense rate",
                        "stricter bound: modes after grouping x chunks x 10",
                        "curve cpu / bound at the dense rate",
                        f"curve cpu / counted work ({_FLOPS_COUNTED:g} flops a mode-chunk, x{_GRIDS:g} grids)"],
                       rows, "markdown"))
    if args.cli:
        cmd = [sys.executable, "-m", "sltk", "frontier", "--alpha", "0.7", "--beta", "1.2"]
        t = time.perf_counter()
        ru0 = os.times()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        ru1 = os.times()
        cpu = (ru1.children_user - ru0.children_user) + (ru1.children_system - ru0.children_system)
        print(f"`sltk frontier --alpha 0.7 --beta 1.2`: wall {time.perf_counter() - t:.1f} s, cpu {cpu:.1f} s "
              f"(load average {_load()})")


if __name__ == "__main__":
    main()
