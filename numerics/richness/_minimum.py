"""Locating the best learning rate between grid points, and slopes of it over repeated runs (seeds).

A best learning rate read off a grid is quantised to the grid: on a grid of ``n`` points a decade every
estimate is off by up to half a step, ``1/(2n)`` decades, and a slope fitted over two decades to such
estimates moves by up to ``~1/(2n)`` too (:func:`fit_slope`'s ``quantisation``). :func:`sub_grid_min`
places the minimum between grid points by the vertex of the parabola (in ``log x``) through the grid
minimum and its two neighbours, and says how it was located; :func:`refine_grid` gives the points of a
finer second pass inside the bracket of a coarse minimum; :func:`slope_over_seeds` fits the log-log slope of
the minimiser over gamma for several independent runs and carries their scatter into the interval (a
t-interval over the per-run slopes and a bootstrap over the runs).

The parabola is exact for a loss that is quadratic in ``log x`` near its minimum (the log of a log-normal
bump); for a smooth curve its error is third order in the grid step. It does not remove noise: two runs of
SGD with different seeds give different curves, which is what the seeds measure.

References
----------
A. Atanasov, A. Meterez, J. B. Simon, C. Pehlevan, "The Optimization Landscape of SGD Across the Feature
Learning Strength", ICLR 2025 (arXiv:2410.04642), Fig. 1-2 (eta* against gamma, read off learning-rate
grids); B. Efron, R. J. Tibshirani, "An Introduction to the Bootstrap", Chapman & Hall (1993), Ch. 13
(percentile intervals).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from theory import ParameterError
from theory.validate import check_int, check_real

__all__ = ["SubGridMin", "sub_grid_min", "grid_point_min", "window_quadratic_min", "refine_grid", "SeedSlope",
           "slope_over_seeds"]


@dataclass(frozen=True)
class SubGridMin:
    """A minimum located on a grid: ``x`` the estimate, ``x_grid`` the grid point of the lowest value.

    ``method`` is ``"parabola"`` (vertex of the parabola in ``log x`` through the grid minimum and its
    neighbours, clamped to them), ``"edge"`` (the next point up is not finite, e.g. diverged: the minimum is
    at the largest finite point, located to one step), ``"grid"`` (no upward curvature: the grid point),
    ``"end"`` (the minimum is at an end of the grid: not located) or ``"none"`` (no finite value).
    ``located`` is False for ``"end"`` and ``"none"``. ``bracket`` is ``(lo, hi)``, the neighbouring grid
    points between which the minimum lies at grid resolution; ``index`` the grid minimum's position in the
    sorted grid.
    """

    x: float
    x_grid: float
    value: float
    method: str
    located: bool
    bracket: tuple
    index: int


def _prepare(x, values):
    x = np.asarray(x, dtype=np.float64).ravel()
    v = np.asarray(values, dtype=np.float64).ravel()
    if x.shape != v.shape or x.size == 0 or not np.all(np.isfinite(x)) or np.any(x <= 0):
        raise ParameterError("x/values", "equal-length 1-d arrays, x finite and > 0", (x.shape, v.shape))
    order = np.argsort(x)
    x, v = x[order], v[order]
    return x, np.where(np.isfinite(v), v, np.inf)


def grid_point_min(x, values) -> float:
    """The grid point of the lowest finite value (the estimator without refinement; ``nan`` if none).

    >>> grid_point_min([1.0, 10.0, 100.0], [3.0, 1.0, np.inf])
    10.0
    """
    x, v = _prepare(x, values)
    return float(x[int(np.argmin(v))]) if np.isfinite(v).any() else float("nan")


def sub_grid_min(x, values, *, log_values: bool = True) -> SubGridMin:
    """Locate the minimum of ``values`` over positive ``x`` between grid points.

    Parameters
    ----------
    x : array_like
        Grid (any order, positive; need not be uniform: a coarse grid merged with a finer pass works).
    values : array_like
        Values at ``x``; non-finite ones (diverged runs) count as missing, never as a minimum.
    log_values : bool
        Fit the parabola to ``log values`` (for losses, positive; default) or to ``values``.

    Returns
    -------
    SubGridMin

    Notes
    -----
    The parabola through the grid minimum ``k`` and its neighbours ``k - 1``, ``k + 1`` in ``log x`` has its
    vertex inside ``[x_(k-1), x_(k+1)]`` (clamped, in case of round-off). A minimum at an end of the grid is
    not located (the true minimum may lie outside); one next to a non-finite value is at the largest finite
    point, to one grid step (``method="edge"``).

    >>> lx = np.arange(-8, 9) / 4.0                       # 4 points a decade, true minimum at 10^0.1
    >>> r = sub_grid_min(10**lx, np.exp((lx - 0.1) ** 2))
    >>> r.method, round(math.log10(r.x), 12), r.x_grid
    ('parabola', 0.1, 1.0)
    """
    x, v = _prepare(x, values)
    if not np.isfinite(v).any():
        return SubGridMin(float("nan"), float("nan"), float("nan"), "none", False, (float("nan"),) * 2, -1)
    k = int(np.argmin(v))
    n = x.size
    lo, hi = float(x[max(k - 1, 0)]), float(x[min(k + 1, n - 1)])
    base = dict(x_grid=float(x[k]), value=float(v[k]), bracket=(lo, hi), index=k)
    if k == 0 or k == n - 1:
        return SubGridMin(float(x[k]), method="end", located=False, **base)
    if not np.isfinite(v[k + 1]) or not np.isfinite(v[k - 1]):
        return SubGridMin(float(x[k]), method="edge", located=True, **base)
    trio = v[k - 1:k + 2]
    if log_values:
        if np.any(trio <= 0):
            return SubGridMin(float(x[k]), method="grid", located=True, **base)
        trio = np.log(trio)
    lx = np.log(x[k - 1:k + 2])
    # vertex of the parabola through three points (divided differences; exact for a quadratic)
    d1 = (trio[1] - trio[0]) / (lx[1] - lx[0])
    d2 = (trio[2] - trio[1]) / (lx[2] - lx[1])
    c2 = (d2 - d1) / (lx[2] - lx[0])
    if not c2 > 0:
        return SubGridMin(float(x[k]), method="grid", located=True, **base)
    xv = 0.5 * (lx[0] + lx[1]) - d1 / (2 * c2)
    xv = float(np.clip(xv, lx[0], lx[2]))
    return SubGridMin(math.exp(xv), method="parabola", located=True, **base)


def window_quadratic_min(x, values, window: float) -> SubGridMin:
    """Like :func:`sub_grid_min`, but the vertex of the least-squares parabola (``log values`` on ``log10 x``)
    through every finite point within ``window`` decades of the grid minimum: on a fine grid this averages
    the point-to-point noise of the values that a three-point parabola follows. Needs at least three finite
    points in the window and upward curvature, else falls back to :func:`sub_grid_min`; the vertex is clamped
    to the window's finite points. End-of-grid and edge (next to a non-finite value) minima are as in
    :func:`sub_grid_min`.

    >>> lx = np.arange(-40, 41) / 16.0; rng = np.random.default_rng(0)
    >>> v = np.exp((lx / 0.3) ** 2 + 0.3 * rng.standard_normal(lx.size)) / 100
    >>> abs(math.log10(window_quadratic_min(10**lx, v, 0.25).x)) < 0.05
    True
    """
    w = check_real("window", window, gt=0)
    base = sub_grid_min(x, values)
    if base.method not in ("parabola", "grid"):
        return base
    x, v = _prepare(x, values)
    lx = np.log10(x)
    sel = (np.abs(lx - lx[base.index]) <= w + 1e-9) & np.isfinite(v) & (v > 0)
    if sel.sum() < 3:
        return base
    c2, c1, _ = np.polyfit(lx[sel], np.log(v[sel]), 2)
    if not c2 > 0:
        return base
    xv = float(np.clip(-c1 / (2 * c2), lx[sel].min(), lx[sel].max()))
    return SubGridMin(10.0**xv, base.x_grid, base.value, "window", True, base.bracket, base.index)


def refine_grid(x, values, per_decade: int) -> np.ndarray:
    """Points of a finer second pass: ``per_decade`` a decade (log-uniform) strictly inside the bracket of
    the coarse minimum (:attr:`SubGridMin.bracket`), leaving out the coarse points already there. Empty when
    the coarse minimum is not located (at a grid end or no finite value).

    >>> refine_grid([0.1, 1.0, 10.0, 100.0], [2.0, 1.0, 3.0, 4.0], 4).round(4).tolist()
    [0.1778, 0.3162, 0.5623, 1.7783, 3.1623, 5.6234]
    """
    n = check_int("per_decade", per_decade, ge=1)
    r = sub_grid_min(x, values)
    if not r.located:
        return np.empty(0)
    a, b = math.log10(r.bracket[0]), math.log10(r.bracket[1])
    m = max(2, int(round((b - a) * n)))
    pts = 10.0 ** np.linspace(a, b, m + 1)[1:-1]
    xs = np.asarray(x, dtype=np.float64)
    keep = np.all(np.abs(np.log10(pts)[:, None] - np.log10(xs)[None, :]) > 1e-9, axis=1)
    return pts[keep]


@dataclass(frozen=True)
class SeedSlope:
    """Log-log slope of a minimiser over gamma from several independent runs (seeds).

    ``per_seed`` are the slopes of each run (OLS on its located points in the window); ``mean`` their mean
    and ``t_interval`` its ``level`` t-interval over the seeds (``n_seeds - 1`` degrees of freedom);
    ``pooled`` is the slope of the per-gamma mean of ``log10 y`` over the seeds, ``pooled_interval`` its OLS
    t-interval from the scatter about the line (lack of fit, curvature included), and ``bootstrap_interval``
    the percentile interval of the pooled slope when the seeds are resampled with replacement.
    ``interval`` is the widest of the three, the one to judge a target by. ``scatter`` is the per-gamma
    standard deviation of ``log10 y`` over the seeds (decades).
    """

    mean: float
    t_interval: tuple
    pooled: float
    pooled_interval: tuple
    bootstrap_interval: tuple
    interval: tuple
    per_seed: tuple
    scatter: np.ndarray
    gammas: np.ndarray
    n_seeds: int

    def to_dict(self) -> dict:
        return {"mean": self.mean, "t_interval": list(self.t_interval), "pooled": self.pooled,
                "pooled_interval": list(self.pooled_interval), "bootstrap_interval": list(self.bootstrap_interval),
                "interval": list(self.interval), "per_seed": list(self.per_seed), "n_seeds": self.n_seeds,
                "gamma": self.gammas.tolist(), "scatter_decades": self.scatter.tolist()}


def _ols(lx, ly):
    dx = lx - lx.mean()
    sxx = float(dx @ dx)
    b = float(dx @ (ly - ly.mean()) / sxx)
    r = ly - ly.mean() - b * dx
    se = math.sqrt(float(r @ r) / (lx.size - 2) / sxx) if lx.size > 2 else float("nan")
    return b, se


def slope_over_seeds(gammas, y, lo: float, hi: float, *, level: float = 0.95, n_boot: int = 4000,
                     rng_seed: int = 0) -> SeedSlope:
    """Slope of ``log10 y`` on ``log10 gamma`` over ``lo <= gamma <= hi`` from several runs.

    Parameters
    ----------
    gammas : array, shape (G,)
    y : array, shape (S, G)
        One row per run (seed); NaN (or non-positive) where the run's minimiser was not located.
    lo, hi : float
        The fit window (fixed before looking at the result).
    level : float
    n_boot : int
        Bootstrap resamples of the seeds.
    rng_seed : int
        Seed of the bootstrap's generator (reproducible intervals).

    >>> g = np.logspace(1, 3, 5); rng = np.random.default_rng(1)
    >>> y = 0.3 * g**0.5 * 10 ** (0.05 * rng.standard_normal((8, 5)))
    >>> s = slope_over_seeds(g, y, 10, 1e3); s.interval[0] < 0.5 < s.interval[1], s.n_seeds
    (True, 8)
    """
    g = np.asarray(gammas, dtype=np.float64).ravel()
    Y = np.atleast_2d(np.asarray(y, dtype=np.float64))
    if Y.shape[1] != g.size or Y.shape[0] < 2:
        raise ParameterError("y", f"shape (n_seeds >= 2, {g.size})", Y.shape)
    lo = check_real("lo", lo, gt=0)
    hi = check_real("hi", hi, gt=lo)
    level = check_real("level", level, gt=0, lt=1)
    n_boot = check_int("n_boot", n_boot, ge=100)
    win = (g >= lo * (1 - 1e-12)) & (g <= hi * (1 + 1e-12))
    g = g[win]
    LY = np.where(np.isfinite(Y[:, win]) & (Y[:, win] > 0), np.log10(np.where(Y[:, win] > 0, Y[:, win], 1.0)), np.nan)
    lx = np.log10(g)
    per = []
    for row in LY:
        ok = np.isfinite(row)
        if ok.sum() >= 3:
            per.append(_ols(lx[ok], row[ok])[0])
    if len(per) < 2:
        raise ParameterError("y", "at least two runs with 3 located points in the window", len(per))
    per = np.array(per)
    tq = lambda dof: float(stats.t.ppf(0.5 + level / 2, dof))
    m, sd = float(per.mean()), float(per.std(ddof=1))
    h = tq(per.size - 1) * sd / math.sqrt(per.size)
    with np.errstate(all="ignore"):
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            mean_ly = np.nanmean(LY, axis=0)
            scatter = np.nanstd(LY, axis=0, ddof=1)
    ok = np.isfinite(mean_ly)
    if ok.sum() < 3:
        raise ParameterError("y", "3 gammas located by some run", int(ok.sum()))
    b, se = _ols(lx[ok], mean_ly[ok])
    hp = tq(int(ok.sum()) - 2) * se
    rng = np.random.default_rng(rng_seed)
    boots = []
    S = LY.shape[0]
    for _ in range(n_boot):
        pick = LY[rng.integers(0, S, S)]
        cnt = np.isfinite(pick).sum(axis=0)
        okb = cnt > 0
        if okb.sum() < 3:
            continue
        mb = np.nansum(pick[:, okb], axis=0) / cnt[okb]
        boots.append(_ols(lx[okb], mb)[0])
    qa = (1 - level) / 2
    bi = (float(np.quantile(boots, qa)), float(np.quantile(boots, 1 - qa)))
    ti, pi = (m - h, m + h), (b - hp, b + hp)
    wide = (min(ti[0], pi[0], bi[0]), max(ti[1], pi[1], bi[1]))
    return SeedSlope(m, ti, b, pi, bi, wide, tuple(float(p) for p in per), scatter, g, int(S))
