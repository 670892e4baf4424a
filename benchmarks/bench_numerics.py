"""Benchmarks of the PLRF numerics (accuracy and speed); prints a table. Run by hand:

    .venv/bin/python benchmarks/bench_numerics.py [--quick]

Targets (issue 3): fast solvers agree with the direct one to 1e-10 relative (n = 1e4); the
log-grid solver is within 1e-3 of the exact recursion over r <= 1e6; the deterministic-equivalent
curve is within a stated tolerance of the sampled-W average (d >= 1000); deterministic equivalent at
d = 1e4 in < 2 s; a curve to 1e8 steps (1000 points) in < 1 s after that; a frontier over 20 sizes in
< 1 min; the log-grid path holds O(output points + modes) memory.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):  # targets are for one core
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402

import numpy as np  # noqa: E402

import numerics  # noqa: E402
import theory  # noqa: E402
from sltk._output import format_table  # noqa: E402


def _t(fn, *a, **k):
    t = time.perf_counter()
    out = fn(*a, **k)
    return out, time.perf_counter() - t


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="smaller sizes")
    args = ap.parse_args(argv)
    rows = []

    # 1. fast uniform solvers vs direct, n = 1e4
    p = theory.plrf.PLRF(0.7, 0.7, 2000, 500)
    spec = numerics.plrf.exact_spectrum(p, seed=0)
    opt = theory.SGD(lr=0.5 * numerics.plrf.max_stable_lr(spec, theory.SGD(lr=1.0)))
    fk = numerics.plrf.forcing_kernel(spec, opt, 10_000)
    ref, t_dir = _t(numerics.solve_volterra, fk.F, fk.K, method="direct")
    rows.append(["direct O(n^2), n=1e4", f"{t_dir:.3f}", "reference", "-"])
    for m in ("series", "picard"):
        res, tm = _t(numerics.solve_volterra, fk.F, fk.K, method=m)
        rows.append([f"{m}, n=1e4", f"{tm:.3f}", f"{np.max(np.abs(res.risk - ref.risk) / ref.risk):.1e}", "1e-10"])

    # 2. log-grid vs exact recursion to 1e6 steps
    n6 = 10**5 if args.quick else 10**6
    p2 = theory.plrf.PLRF(0.7, 1.2, 800, 200)
    s2 = numerics.plrf.exact_spectrum(p2, seed=0)
    o2 = theory.SGD(lr=0.5 * numerics.plrf.max_stable_lr(s2, theory.SGD(lr=1.0)))
    rec = numerics.log_grid(n6, 200)
    exact, t_rec = _t(numerics.plrf.exact_recursion, s2, o2, theory.Constant(), n6, rec)
    c2, t_lg = _t(numerics.plrf.risk_curve, p2, o2, steps=n6, spectrum=s2, method="loggrid", record=rec)
    rows.append([f"exact recursion r<={n6:.0e}, d=200", f"{t_rec:.2f}", "reference", "-"])
    rows.append([f"loggrid r<={n6:.0e}, d=200", f"{t_lg:.3f}", f"{np.max(np.abs(c2.risk - exact) / exact):.1e}", "1e-3"])
    wsd = theory.parse_schedule("wsd:warmup=0.01,decay=0.2,shape=cosine")
    exw = numerics.plrf.exact_recursion(s2, o2, wsd, n6, rec)
    cw, t_w = _t(numerics.plrf.risk_curve, p2, o2, wsd, n6, spectrum=s2, method="loggrid", record=rec)
    rows.append([f"loggrid + WSD schedule r<={n6:.0e}", f"{t_w:.3f}", f"{np.max(np.abs(cw.risk - exw) / exw):.1e}", "1e-3"])

    # 3. deterministic equivalent vs sampled W (d = 1000, v = 4000)
    d3 = 300 if args.quick else 1000
    for a, b in [(1.0, 0.8), (0.4, 0.7)]:
        p3 = theory.plrf.PLRF(a, b, 4 * d3, d3)
        de3 = numerics.plrf.deterministic_equivalent(p3).spectrum
        o3 = theory.SGD(lr=0.5 * numerics.plrf.max_stable_lr(de3, theory.SGD(lr=1.0)))
        c3 = numerics.plrf.risk_curve(p3, o3, steps=10**6, spectrum=de3, n_points=60)
        draws = np.array([numerics.plrf.risk_curve(p3, o3, steps=10**6, spectrum=numerics.plrf.exact_spectrum(p3, seed=s),
                                              n_points=60).risk for s in range(6)])
        mean, se = draws.mean(0), draws.std(0, ddof=1) / np.sqrt(6)
        rows.append([f"DE vs 6 sampled W, d={d3}, (a,b)=({a:g},{b:g})", "-",
                     f"{np.max(np.abs(c3.risk - mean) / mean):.3f} (3SE/mean {np.max(3 * se / mean):.3f})",
                     "3 SE + 3 %"])

    # 4. speed at d = 1e4
    d4 = 2000 if args.quick else 10_000
    for vr in (4, 10):
        p4 = theory.plrf.PLRF(1.0, 0.8, vr * d4, d4)
        de4, t_de = _t(numerics.plrf.deterministic_equivalent, p4)
        rows.append([f"deterministic equivalent d={d4}, v={vr}d", f"{t_de:.2f}", de4.status, "< 2 s"])
    o4 = theory.SGD(lr=0.5 * numerics.plrf.max_stable_lr(de4.spectrum, theory.SGD(lr=1.0)))
    tracemalloc.start()
    c4, t_c = _t(numerics.plrf.risk_curve, p4, o4, steps=10**8, spectrum=de4.spectrum, n_points=1000)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    rows.append([f"risk curve to 1e8 steps, 1000 points, d={d4} (first call)", f"{t_c:.2f}",
                 f"err. est. {c4.error_estimate:.1e}, peak {peak / 2**20:.1f} MiB", "< 1 s"])
    c4b, t_cb = _t(numerics.plrf.risk_curve, p4, o4, steps=10**8, spectrum=de4.spectrum, n_points=1000)
    rows.append(["  same call again", f"{t_cb:.2f}", f"err. est. {c4b.error_estimate:.1e}", "< 1 s"])
    c4c, t_cc = _t(numerics.plrf.risk_curve, p4, o4, steps=10**8, spectrum=de4.spectrum, n_points=1000, h=0.02)
    rows.append(["  same with h=0.02", f"{t_cc:.2f}", f"err. est. {c4c.error_estimate:.1e}", "-"])

    # 5. frontier over 20 sizes
    grid = np.geomspace(100, 1600 if args.quick else 6400, 20)
    fr, t_fr = _t(numerics.plrf.frontier, 1.0, 0.7, d_grid=grid)
    rows.append([f"frontier, 20 sizes d in [100, {grid[-1]:.0f}], 40 budgets", f"{t_fr:.1f}",
                 f"eta {fr.eta_local[-1]:.3f} vs {fr.eta_theory:.3f}", "< 60 s"])

    # 6. the authors' notebook setting: (alpha, beta) = (0.4, 1.0), V = 10 D, gamma = 0.25/tr D
    for D in (400, 800, 1600):
        p6 = theory.plrf.PLRF(0.4, 1.0, 10 * D, D)
        t0 = time.perf_counter()
        de6 = numerics.plrf.deterministic_equivalent(p6).spectrum
        o6 = theory.SGD(lr=0.25 / p6.trace_D())
        iters = int(200 * D ** 0.8 / 0.25)
        numerics.plrf.risk_curve(p6, o6, steps=iters, spectrum=de6, n_points=500)
        rows.append([f"authors' setting D={D} (DE + curve to {iters:.1e} steps)", f"{time.perf_counter() - t0:.2f}",
                     "-", {400: "10.2 s", 800: "28.9 s", 1600: "94.3 s"}[D] + " (authors, JAX)"])

    print(f"machine: {platform.machine()}, python {platform.python_version()}, numpy {np.__version__}")
    print(format_table(["benchmark", "seconds", "accuracy / result", "target"], rows, "markdown"))


if __name__ == "__main__":
    main()
