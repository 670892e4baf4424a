"""Local slopes of log-log curves, parabola-refined minima and upper-half fits: the shared
measuring tools of numerical frontiers.
"""

from __future__ import annotations

import numpy as np

from theory.validate import check_real

__all__ = ["local_slopes", "parabola_min", "upper_fit", "half_fits"]


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


def _upper_half(x, idx):
    """The indices of ``idx`` in the upper half of their range in ``log x`` (all of them under 2)."""
    lx = np.log(x[idx])
    up = idx[lx >= 0.5 * (lx[0] + lx[-1]) - 1e-12]
    return up if up.size >= 2 else idx


def upper_fit(x, y, sel):
    """Least-squares slope of ``log y`` on ``log x`` over the upper half (in ``log x``) of ``sel``."""
    idx = np.flatnonzero(sel)
    if idx.size < 2:
        return float("nan")
    up = _upper_half(x, idx)
    return float(np.polyfit(np.log(x[up]), np.log(y[up]), 1)[0])


def half_fits(x, y):
    """Slopes of ``log y`` on ``log x`` over the upper half (as :func:`upper_fit`), with the fit's
    standard error (NaN under 4 points), and over the rest, the lower half: ``(upper, se, lower)``.
    The difference of the two halves says how far a slope is from converged.

    >>> x = np.logspace(0, 4, 9)
    >>> [round(v, 12) for v in half_fits(x, 2 * x**-0.5)]
    [-0.5, 0.0, -0.5]
    """
    x, y = np.asarray(x, float), np.asarray(y, float)
    idx = np.arange(x.size)
    up = _upper_half(x, idx)
    lo = np.setdiff1d(idx, up)
    lo = lo if lo.size >= 2 else idx
    lx, ly = np.log(x), np.log(y)
    if up.size >= 4:
        p, cov = np.polyfit(lx[up], ly[up], 1, cov=True)
        upper, se = float(p[0]), float(np.sqrt(max(cov[0, 0], 0.0)))
    else:
        upper, se = float(np.polyfit(lx[up], ly[up], 1)[0]), float("nan")
    return upper, se, float(np.polyfit(lx[lo], ly[lo], 1)[0])
