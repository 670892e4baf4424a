"""Benchmark: the compiled signSGD solvers (numba, ``numerics._jit``) against the NumPy loops beside them
(``SLTK_NO_JIT=1``), one ``signsgd_plrf_risk`` call at d = 256. Prints a table (CPU ms per call, the mean over
repeats after one warm call, and the largest relative difference of the two curves); run by hand:

    .venv/bin/python benchmarks/bench_signsgd_jit.py [--quick]
    .venv/bin/python benchmarks/bench_signsgd_jit.py --atlas ci|coarse

``--atlas``: the signSGD points of the exponent atlas (``sltk sweep frontier``'s point function, alpha in
{0.5, 1.1}, beta in {0.4, 1.0}, constant and WSD) run with each path: CPU s per point and the largest
relative difference of the point's results (eta, xi, their intervals, risk, d_opt, lr_opt), after one warm
call of the point (so the columns hold the numerics and the cached theory, not the point's first SymPy);
run it twice, the first run fills the spectrum cache.

Needs numba (the ``fast`` extra) for the kernel rows.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):  # one core
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import importlib.util  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

import numerics  # noqa: E402
import theory  # noqa: E402
from sltk._output import format_table  # noqa: E402

ENV_DISABLE = "SLTK_NO_JIT"  # numerics._jit.ENV_DISABLE
HAVE_NUMBA = importlib.util.find_spec("numba") is not None


def _cpu_ms(fn, repeat):
    fn()  # warm: the kernel's compile or cache load, the schedule's first call
    t = time.process_time()
    for _ in range(repeat):
        out = fn()
    return 1e3 * (time.process_time() - t) / repeat, out


def _atlas(preset):
    from sltk._sweep_kinds import frontier

    spec = frontier.atlas_spec([0.5, 1.1], [0.4, 1.0], optimizers=["signsgd"], preset=preset)
    keys = ("eta", "eta_lo", "eta_hi", "xi", "xi_lo", "xi_hi", "risk", "d_opt", "lr_opt")
    rows, tot = [], {"1": 0.0, "0": 0.0}
    for i in range(spec.grid.size):
        point = spec.grid.point(np.unravel_index(i, spec.grid.shape))
        spec.fn(point)  # warm: the point's SymPy (cached per process) and the kernels' load, in neither column
        res, cpu = {}, {}
        for flag in ("1", "0"):
            os.environ[ENV_DISABLE] = flag
            t = time.process_time()
            res[flag] = spec.fn(point)
            cpu[flag] = time.process_time() - t
            tot[flag] += cpu[flag]
        os.environ.pop(ENV_DISABLE, None)
        a, b = res["0"], res["1"]
        diff = 0.0
        for key in keys:  # per-budget arrays come as (dimension, values)
            x, y = (np.asarray(v[1] if isinstance(v, tuple) else v, float) for v in (a[key], b[key]))
            if not np.array_equal(np.isnan(x), np.isnan(y)):
                diff = np.inf
                continue
            ok = np.isfinite(x) & (y != 0)
            diff = max(diff, float(np.max(np.abs(x[ok] / y[ok] - 1), initial=0.0)))
        same = all(repr(a[k]) == repr(b[k]) for k in ("frontier_status", "derived_status", "regime", "runs", "n_inner",
                                                      "n_fit", "inner"))
        rows.append([point["schedule"], point["alpha"], point["beta"], f"{cpu['1']:.2f}", f"{cpu['0']:.2f}",
                     f"{diff:.1e}", same])
    rows.append(["total", "", "", f"{tot['1']:.2f}", f"{tot['0']:.2f}", "", ""])
    print(format_table(["schedule", "alpha", "beta", "NumPy CPU s", "kernel CPU s", "max rel diff",
                        "same statuses and runs"], rows, "markdown"))


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer repeats, log grid to 1e6 steps")
    ap.add_argument("--atlas", choices=("ci", "coarse"), help="the atlas's signSGD points instead (see above)")
    args = ap.parse_args(argv)
    if args.atlas:
        if not HAVE_NUMBA:
            raise SystemExit("--atlas compares the two paths: it needs numba (the 'fast' extra)")
        return _atlas(args.atlas)
    p = theory.plrf.PLRF(1.0, 0.75, 1024, 256)
    md = numerics.plrf.sign_modes(p, "deterministic")
    rules = numerics.plrf.RULES[theory.SignSGD]  # its risk_curve takes components= (signsgd_plrf_risk)
    opt = theory.SignSGD(lr=0.02 / np.sqrt(p.d * p.trace_D()))
    cases = [("recursion", 6000), ("loggrid", 10**6 if args.quick else 10**8)]
    rows = []
    for method, steps in cases:
        for sched in (theory.Constant(), theory.WSD(warmup=0.0, decay=0.2)):
            for comp in (False, True):
                def run():
                    return rules.risk_curve(p, opt, sched, steps, modes=md, method=method, components=comp)
                res = {}
                for flag in ("1", "0"):
                    if flag == "0" and not HAVE_NUMBA:
                        continue
                    os.environ[ENV_DISABLE] = flag
                    repeat = (3 if flag == "1" else 20) if not args.quick else (2 if flag == "1" else 5)
                    res[flag] = _cpu_ms(run, repeat)
                os.environ.pop(ENV_DISABLE, None)
                t_np, c_np = res["1"]
                t_jit, c_jit = res.get("0", (np.nan, None))
                diff = float(np.max(np.abs(c_jit.risk / c_np.risk - 1))) if c_jit is not None else np.nan
                rows.append([method, f"{steps:.0e}", type(sched).__name__, comp, f"{t_np:.2f}", f"{t_jit:.2f}",
                             f"{t_np / t_jit:.1f}", f"{diff:.1e}", c_np.message.split("), ")[-1]])
    print(format_table(["method", "steps", "schedule", "components", "NumPy CPU ms", "kernel CPU ms", "ratio",
                        "max rel diff", "work"], rows, "markdown"))


if __name__ == "__main__":
    main()
