"""Local slopes of log-log curves, parabola-refined minima and upper-half fits: the shared
measuring tools of numerical frontiers.
"""

from __future__ import annotations

import numpy as np

from theory.validate import check_real

__all__ = ["local_slopes", "parabola_min", "upper_fit"]


def local_slopes(x, y, *, window: float = 1.0, step: float | None = None):
    """Least-squares slopes of ``log10 y`` against ``log10 x`` over sliding windows.

    Returns ``(centers, slopes)``; windows of width ``window`` decades moved by ``step``
    (default ``window / 4``), each needing at least 3 points.

    >>> x = np.logspace(0, 4, 41); c, s = local_slopes(x, 3 * x**-0.5, window=1.0)
    >>> bool(np.allclose(s, -0.5))
    True
    """
    window = check_real("window", window, gt=0)
    lx, ly = np.log10(np.asarray(x, float)), np.log10(np.asarray(y, float))
    step = window / 4 if step is None else check_real("step", step, gt=0)
    centers, slopes = [], []
    c = lx[0] + window / 2
    while c <= lx[-1] - window / 2 + 1e-12:
        sel = (lx >= c - window / 2 - 1e-12) & (lx <= c + window / 2 + 1e-12)
        if sel.sum() >= 3:
            slopes.append(np.polyfit(lx[sel], ly[sel], 1)[0])
            centers.append(10**c)
        c += step
    return np.array(centers), np.array(slopes)


def parabola_min(ld, lp, i):
    """Vertex of the parabola through (ld, lp) at i-1, i, i+1 (clamped to the bracket)."""
    x, y = ld[i - 1 : i + 2], lp[i - 1 : i + 2]
    c2, c1, c0 = np.polyfit(x, y, 2)
    if c2 <= 0:
        return ld[i], lp[i]
    xv = float(np.clip(-c1 / (2 * c2), x[0], x[2]))
    return xv, float(np.polyval([c2, c1, c0], xv))


def upper_fit(x, y, sel):
    """Least-squares slope of ``log y`` on ``log x`` over the upper half (in ``log x``) of ``sel``."""
    idx = np.flatnonzero(sel)
    if idx.size < 2:
        return float("nan")
    lx = np.log(x[idx])
    up = idx[lx >= 0.5 * (lx[0] + lx[-1]) - 1e-12]
    if up.size < 2:
        up = idx
    return float(np.polyfit(np.log(x[up]), np.log(y[up]), 1)[0])
