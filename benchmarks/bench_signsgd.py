"""Benchmark: signSGD risk curves (PLRF, to 1e8 steps) beside SGD's, the high-dimensional ODE,
and the linear-regression simulator. Prints a table; run by hand:

    .venv/bin/python benchmarks/bench_signsgd.py
"""

from __future__ import annotations

import time

import numpy as np

import numerics
import theory
import verification
from sltk._output import format_table


def _time(fn, repeat=3):
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main():
    rows = []
    for d in (1000, 2000):
        p = theory.plrf.PLRF(1.0, 0.7, 4 * d, d)
        numerics.plrf.spectrum_of(p, "deterministic")  # warm the deterministic-equivalent cache (shared by both)
        gam = 4.0 * np.sqrt(1e-5) / (np.pi * np.sqrt(p.d * p.trace_D()))  # noise floor (pi^2/16) g^2 d tr D = 1e-5
        for steps in (10**6, 10**8):
            t, c = _time(lambda: numerics.plrf.risk_curve(p, theory.SignSGD(lr=gam), steps=steps, n_points=200))
            rows.append([f"signSGD PLRF risk curve (loggrid)", d, f"{steps:.0e}", f"{t:.3f}", c.status])
            t, c = _time(lambda: numerics.plrf.risk_curve(p, theory.SGD(lr=0.5 / p.trace_D()), steps=steps, n_points=200))
            rows.append([f"SGD PLRF risk curve ({c.method})", d, f"{steps:.0e}", f"{t:.3f}", c.status])
        t, c = _time(lambda: numerics.plrf.risk_curve(p, theory.SignSGD(lr=gam), theory.WSD(decay=0.2), steps=10**8,
                                                n_points=200))
        rows.append(["signSGD PLRF, WSD schedule", d, "1e+08", f"{t:.3f}", c.status])
    for d in (500, 1000):
        prob = theory.linreg.LinearRegressionProblem.with_random_target(theory.linreg.correlated_covariance(d, 0.6, 0.5),
                                                                   theory.linreg.StudentTNoise(2.5))
        t, _ = _time(lambda: numerics.linreg.risk_curve(prob, theory.SignSGD(lr=0.5 / d), 20.0, n_eval=200), repeat=1)
        rows.append(["high-dim ODE, correlated K, Student-t (T=20)", d, f"{20 * d:.0e}", f"{t:.3f}", "ok"])
        t, _ = _time(lambda: verification.linreg.simulate(prob, theory.SignSGD(lr=0.5 / d), [0, 2 * d], runs=16,
                                                         backend="numpy"), repeat=1)
        rows.append(["simulate_linreg, 16 runs, correlated K (t=2)", d, f"{2 * d:.0e}", f"{t:.3f}", "ok"])
    print(format_table(["task", "d", "steps", "seconds (best of 3 / 1)", "status"], rows, "markdown"))


if __name__ == "__main__":
    main()
