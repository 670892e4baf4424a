"""Benchmark of the DMFT numerics: one loss curve (200 times over 6 decades, M = 10^4), the fast
transfer function against mpmath, one frontier (20 widths), and measured frontier slopes at several
(a, b) in both regimes beside the symbolic exponents. Prints tables (run by hand:
``PYTHONPATH=. python benchmarks/bench_dmft.py`` for the timings, ``--slopes`` for the slope table,
``--wide`` for the (4, 1.2) single-model frontier with widths up to 2^23)."""

from __future__ import annotations

import math
import sys
import time

import numpy as np

import numerics.dmft as nd
from sltk._output import format_table
from theory.dmft import DMFT


def timed(f, repeat=3):
    best = math.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = f()
        best = min(best, time.perf_counter() - t0)
    return best, out


def slope_table() -> None:
    """Measured frontier slopes at the largest interior budget beside the symbolic ones (one row per point)."""
    print("| (a, b) | loss | regime | status | L* exponent meas / sym | N* meas / sym | t* meas / sym |")
    print("|---|---|---|---|---|---|---|")
    for a, b, loss in [(2.0, 1.5, "test"), (1.5, 1.25, "test"), (3.0, 1.2, "test"), (4.0, 1.2, "test"),
                       (2.0, 1.5, "bias"), (4.0, 1.2, "bias")]:
        fr = nd.frontier(a, b, loss=loss)
        fs = fr.final_slopes()
        c = "b" if loss == "test" else "2b"
        regime = f"a-1 {'<' if a - 1 < (b if loss == 'test' else 2 * b) else '>'} {c}"
        print(f"| ({a:g}, {b:g}) | {loss} | {regime} | {fr.status} | "
              + " | ".join(f"{fs[k]:.4f} / {fr.theory[k][1]:.4f}" for k in ("loss", "width", "steps")) + " |",
              flush=True)


def wide_slopes(a: float = 4.0, b: float = 1.2) -> None:
    """The single-model frontier at (a, b) with the width grid extended past 2^17 (asymptotics check)."""
    rows = []
    for top in (17, 20, 23):
        c0 = time.process_time()
        Ns = np.logspace(4 * math.log10(2), top * math.log10(2), 20 + 3 * (top - 17))
        fr = nd.frontier(a, b, N_grid=Ns, loss="test")
        fs = fr.final_slopes()
        th = {k: fr.theory[k][1] for k in ("loss", "width", "steps")}
        rows.append([f"2^4..2^{top} ({Ns.size} widths)", fr.status] + [f"{fs[k]:.4f} / {th[k]:.4f}" for k in th]
                    + [f"{max(abs(fs[k] - th[k]) for k in th):.4f}", f"{time.process_time() - c0:.1f}"])
    print(format_table(["widths", "status", "L* meas / sym", "N* meas / sym", "t* meas / sym", "max diff", "CPU s"],
                       rows, "markdown"))


def main(slopes: bool) -> None:
    if slopes:
        slope_table()
        return
    if "--wide" in sys.argv:
        wide_slopes()
        return
    t = np.logspace(-1, 5, 200)
    p = DMFT(2.0, 1.5, N=256, P=1024, M=10**4)
    rows = []
    s, _ = timed(lambda: nd.loss_curve(p, t, check_nodes=None))
    rows.append(["loss curve, 200 t over 6 decades, M=1e4 (test+train+bias)", f"{s:.3f}"])
    s, c = timed(lambda: nd.loss_curve(p, t))
    rows.append(["same, with the coarser-rule error estimate", f"{s:.3f}  (talbot_error {c.diagnostics['talbot_error']:.1e})"])
    s, _ = timed(lambda: nd.loss_curve(p.replace(M=math.inf), t, check_nodes=None))
    rows.append(["same at M = inf (quadrature tail)", f"{s:.3f}"])
    q = DMFT(2.0, 1.5, N=50, P=100, M=150)
    s1, fast = timed(lambda: nd.transfer_function(q, [3.0, 30.0], [1, 10, 100]))
    s2, ref = timed(lambda: nd.transfer_function(q, [3.0, 30.0], [1, 10, 100], method="mpmath-talbot"), repeat=1)
    rows.append(["H_k(t), 3 modes x 2 times: fixed Talbot / mpmath talbot",
                 f"{s1:.4f} / {s2:.2f}  (max diff {np.max(np.abs(fast - ref)):.1e})"])
    from theory import GD, SGD
    from theory.dmft import HeavyBall

    s, _ = timed(lambda: nd.loss_curve(p, t[t >= 4.0], optimizer=GD(lr=0.2), check_nodes=None))
    rows.append(["discrete GD curve (z-transform route), same grid from 10 steps", f"{s:.3f}"])
    s, _ = timed(lambda: nd.loss_curve(p, t[t >= 1.0], optimizer=HeavyBall(lr=0.02, momentum=0.5), check_nodes=None))
    rows.append(["heavy ball (beta = 0.5) curve, same grid from t = 1", f"{s:.3f}"])
    po = p.replace(P=math.inf)
    s, _ = timed(lambda: nd.loss_curve(po, np.logspace(-1, 3, 100), optimizer=SGD(lr=0.1, batch=4,
                                                                                 batch_reduction="mean")), repeat=1)
    rows.append(["one-pass SGD B=4, 1e4 steps (Volterra), 100 times, M=1e4", f"{s:.2f}"])
    s, fr = timed(lambda: nd.frontier(2.0, 1.5), repeat=1)
    rows.append(["frontier, 20 widths 2^4..2^17, 160 times each, M = inf", f"{s:.1f}"])
    print(format_table(["task", "seconds"], rows, "markdown"))


if __name__ == "__main__":
    main("--slopes" in sys.argv)
