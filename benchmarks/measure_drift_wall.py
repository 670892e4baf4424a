"""signSGD's drift-time wall on the per-mode equations: how ``c* = gamma* s N`` (the LP's
"drift time" threshold ``gamma s N ~ 1``) and ``P* N^2`` behave with the rate optimised at a
fixed large ``d`` (issue 12, the Phase III / S-VI constant-rate slope).

    OMP_NUM_THREADS=1 /work/venv/bin/python benchmarks/measure_drift_wall.py [--alpha 0.7 --beta 1.2]
        [--d 65536] [--nmax 1e6] [--points 9] [--spectrum surrogate|deterministic]

``surrogate`` (pure-point spectrum, no ``F_ac``) isolates the wall for every ``N`` with
``N^(1/(2 alpha)) < d``; ``deterministic`` has ``F_ac`` too (the wall holds only while
``d >> N^(12/7)`` at alpha = 0.7). For each ``N`` the constant rate is optimised (14-point log
lattice of ``c = gamma s N`` in [0.1, 3000], then Brent). Columns: ``c*``, ``P* N^2``, the local
growth ``g = 2 dln c*/dln N`` between neighbouring rows and the local compute-optimal slope it
implies at the S-VI vertex (:func:`theory.plrf.drift_wall_local_eta`; LP value at g = 0).
"""

from __future__ import annotations

import argparse
import math
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from scipy.optimize import minimize_scalar  # noqa: E402

from numerics.plrf import risk_curve, sign_modes  # noqa: E402
from theory import Constant, SignSGD  # noqa: E402
from theory.plrf import PLRF, drift_wall_local_eta  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--alpha", type=float, default=0.7)
    ap.add_argument("--beta", type=float, default=1.2)
    ap.add_argument("--d", type=int, default=65536)
    ap.add_argument("--nmin", type=float, default=100)
    ap.add_argument("--nmax", type=float, default=1e6)
    ap.add_argument("--points", type=int, default=9)
    ap.add_argument("--spectrum", default="surrogate", choices=("surrogate", "deterministic"))
    a = ap.parse_args()
    t0 = time.perf_counter()
    pr = PLRF(a.alpha, a.beta, 4 * a.d, a.d)
    md = sign_modes(pr, a.spectrum)
    s = 1.0 / md.sqrt_diag_mean  # sqrt(d / tr D)

    def logp(lg, n):
        c = risk_curve(pr, SignSGD(lr=math.exp(lg)), Constant(), n, modes=md, record=[n], method="loggrid")
        return math.log(c.risk[-1]) if c.status == "ok" else 50.0

    rows = []
    for n in np.unique(np.geomspace(a.nmin, a.nmax, a.points).astype(int)):
        n = int(n)
        grid = np.linspace(math.log(0.1 / (s * n)), math.log(3e3 / (s * n)), 14)
        vals = [logp(x, n) for x in grid]
        i = int(np.argmin(vals))
        if i in (0, len(grid) - 1):
            rows.append((n, math.nan, math.nan))
            continue
        r = minimize_scalar(lambda x: logp(x, n), bracket=(grid[i - 1], grid[i], grid[i + 1]), tol=1e-5)
        rows.append((n, math.exp(r.x) * s * n, math.exp(r.fun) * n * n))
    print(f"signSGD ({a.alpha}, {a.beta}), {a.spectrum} spectrum, d = {a.d}, "
          f"x_pp = {(2 * a.alpha + 2 * a.beta - 1) / (2 * a.alpha):.3f}, {time.perf_counter() - t0:.0f} s")
    print("| N | c* = gamma* s N | P* N^2 | local g | local eta at the S-VI vertex |")
    print("|---|---|---|---|---|")
    for k, (n, c, p) in enumerate(rows):
        if k == 0 or not np.isfinite(c) or not np.isfinite(rows[k - 1][1]):
            print(f"| {n} | {c:.3f} | {p:.2f} | | |")
            continue
        g = 2 * math.log(c / rows[k - 1][1]) / math.log(n / rows[k - 1][0])
        eta = drift_wall_local_eta(a.alpha, max(g, 0.0))[0] if a.alpha > 0.5 and 0 <= g < 1 else math.nan
        print(f"| {n} | {c:.3f} | {p:.2f} | {g:.3f} | {eta:.4f} |")


if __name__ == "__main__":
    main()
