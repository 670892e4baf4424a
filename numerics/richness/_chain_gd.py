"""Gradient descent on the scalar chain, vectorised over a (gamma, eta) grid with NumPy: the measured
largest stable learning rate, the best learning rate per budget, slopes with intervals, plateau lengths
and the collapse of the large-gamma curves.

Everything here is *measured by simulation* of the model of :class:`theory.richness.Chain`; the
closed forms it is compared with are in :mod:`theory.richness`.

From the balanced start ``w_l = 1`` gradient descent keeps the weights equal (every coordinate gets
the same update), so the run is exactly the 1-d map ``w <- w - eta l'(f) w^(L-1) / gamma`` with
``f = (w^L - 1)/gamma``; :func:`chain_gd` runs it (and, given ``weights0``, the full ``L``-coordinate
GD, which the tests use to check the reduction).

References
----------
A. Atanasov, A. Meterez, J. B. Simon, C. Pehlevan, "The Optimization Landscape of SGD Across the
Feature Learning Strength", ICLR 2025 (arXiv:2410.04642), the simple model and Fig. 6 (phase
portraits); research note ``signsgd_gamma.md`` Sec. B.4 and Sec. 3 (convergence criteria).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy import stats

from theory.validate import check_choice, check_int, check_real
from theory import ParameterError
from theory.richness import LOSSES, escape_time, eta_edge

from .._slopes import parabola_min

__all__ = ["ChainRun", "chain_gd", "StabilityScan", "stability_scan", "BestEta", "best_eta", "SlopeFit",
           "fit_slope", "plateau_length", "Collapse", "collapse", "log_grid_per_decade", "GammaEtaPlane",
           "gamma_eta_plane"]

#: convergence and divergence criteria (research note Sec. 3): loss below ``TOL`` is converged,
#: a residual above ``BLOWUP`` or a non-finite one is diverged
TOL = 1e-20
BLOWUP = 1e6


def log_grid_per_decade(lo: float, hi: float, per_decade: int) -> np.ndarray:
    """``10^(k/per_decade)`` for every integer ``k`` with the value in ``[lo, hi]`` (exact grid points).

    >>> log_grid_per_decade(1, 100, 2)
    array([  1.        ,   3.16227766,  10.        ,  31.6227766 , 100.        ])
    """
    lo = check_real("lo", lo, gt=0)
    hi = check_real("hi", hi, gt=lo)
    n = check_int("per_decade", per_decade, ge=1)
    k = np.arange(math.ceil(math.log10(lo) * n - 1e-9), math.floor(math.log10(hi) * n + 1e-9) + 1)
    return 10.0 ** (k / n)


@dataclass
class ChainRun:
    """GD runs of the chain over a grid: shapes ``(n_gamma, n_eta)``.

    Attributes
    ----------
    gammas, etas : arrays
    status : int array
        ``1`` converged (loss < ``tol``), ``-1`` diverged, ``2`` still falling at the end (the loss
        at ``steps`` is below the loss at a step of the same parity near ``steps / 2``, by a relative
        1e-6: too slow for the budget, a long plateau included), ``0`` neither (not falling: a cycle or chaos
        above the edge, or a plateau frozen to float precision at tiny eta and large gamma).
    steps_taken : int array
        The step at which a run converged or diverged (``steps`` if neither).
    final_loss, mean_loss : arrays
        The loss after ``steps`` (0 once converged) and its mean over the budget.
    history : array or None
        Losses at ``record`` steps, shape ``(n_gamma, n_eta, len(record))`` (NaN after divergence).
    """

    depth: int
    loss: str
    gammas: np.ndarray
    etas: np.ndarray
    steps: int
    status: np.ndarray
    steps_taken: np.ndarray
    final_loss: np.ndarray
    mean_loss: np.ndarray
    record: np.ndarray | None = None
    history: np.ndarray | None = None
    diagnostics: dict = field(default_factory=dict)


def _loss_and_dl(f, loss):
    if loss == "mse":
        r = f - 1.0
        return 0.5 * r * r, r
    # logistic loss of the label +1, stable for both signs of f
    return np.logaddexp(0.0, -f), -0.5 * (1.0 - np.tanh(0.5 * f))


def chain_gd(depth: int, gammas, etas, steps: int, *, loss: str = "mse", weights0=None, tol: float = TOL,
             record=None, paired: bool = False) -> ChainRun:
    """Run GD on the chain for every ``(gamma, eta)`` pair of the grid (or of the pairs, ``paired=True``).

    Parameters
    ----------
    depth : int
        ``L >= 1``.
    gammas, etas : array_like
        Positive values; the grid is their outer product (``paired=False``) or their zip.
    steps : int
        Budget (number of GD steps).
    loss : {"mse", "xent"}
    weights0 : array of length ``depth``, optional
        Start; default balanced ``w = 1`` (then the exact 1-d reduction is used).
    tol : float
        Loss below which a run is converged (and stopped). A run diverges when ``f`` is not finite or
        (MSE) ``|f| > 1e6``; under cross-entropy a large ``f`` is a small loss, not a divergence.
    record : array of int, optional
        Steps at which the loss is stored in ``history``.

    >>> run = chain_gd(2, [1.0], [0.4, 0.6], 2000)
    >>> run.status.tolist()   # eta_edge(1, 2) = 0.5; above it this run settles on a 2-cycle
    [[1, 0]]
    """
    L = check_int("depth", depth, ge=1, le=64)
    check_choice("loss", loss, LOSSES)
    T = check_int("steps", steps, ge=1)
    tol = check_real("tol", tol, gt=0)
    g1 = np.atleast_1d(np.asarray(gammas, dtype=np.float64))
    e1 = np.atleast_1d(np.asarray(etas, dtype=np.float64))
    for name, v in (("gammas", g1), ("etas", e1)):
        if v.ndim != 1 or v.size == 0 or not np.all(np.isfinite(v)) or np.any(v <= 0):
            raise ParameterError(name, "a non-empty 1-d array of finite values > 0", v)
    if paired:
        if g1.shape != e1.shape:
            raise ParameterError("gammas/etas", "equal lengths with paired=True", (g1.size, e1.size))
        G, E = g1[:, None], e1[:, None]
    else:
        G, E = np.meshgrid(g1, e1, indexing="ij")
    shape = G.shape
    g, e = G.ravel().copy(), E.ravel().copy()
    n = g.size
    if weights0 is None:
        w = np.ones((1, n))
    else:
        w0 = np.asarray(weights0, dtype=np.float64)
        if w0.shape != (L,) or not np.all(np.isfinite(w0)):
            raise ParameterError("weights0", f"an array of {L} finite numbers", weights0)
        w = np.repeat(w0[:, None], n, axis=1)
    rec = None if record is None else np.unique(np.asarray(record, dtype=np.int64))
    if rec is not None and (rec.size == 0 or rec[0] < 0 or rec[-1] > T):
        raise ParameterError("record", f"steps in [0, {T}]", record)
    hist = None if rec is None else np.full((n, rec.size), np.nan)
    status = np.zeros(n, dtype=np.int64)
    taken = np.full(n, T, dtype=np.int64)
    final = np.zeros(n)
    mid = np.full(n, np.inf)
    area = np.zeros(n)
    idx = np.arange(n)
    is_mse = loss == "mse"
    ri = 0
    for t in range(T + 1):
        if w.shape[0] == 1:
            p = w[0] ** (L - 1)
            f = (w[0] * p - 1.0) / g
        else:
            prod = np.prod(w, axis=0)
            f = (prod - 1.0) / g
        ell, dl = _loss_and_dl(f, loss)
        if hist is not None and ri < rec.size and rec[ri] == t:
            hist[idx, ri] = ell
            ri += 1
        if t == T - 2 * (T // 4):  # same parity as T: a 2-cycle reads equal
            mid[idx] = ell
        if t == T:
            final[idx] = ell
            falling = ell < (1 - 1e-6) * mid[idx]
            status[idx[falling]] = 2
            break
        area[idx] += ell
        div = ~np.isfinite(f) | ((np.abs(f) > BLOWUP) if is_mse else False)
        conv = (ell < tol) & ~div
        done = div | conv
        if done.any():
            status[idx[conv]] = 1
            status[idx[div]] = -1
            taken[idx[done]] = t
            final[idx[conv]] = ell[conv]
            final[idx[div]] = np.inf
            area[idx[div]] = np.inf
            keep = ~done
            idx, g, e, w, dl = idx[keep], g[keep], e[keep], w[:, keep], dl[keep]
            if w.shape[0] == 1:
                p = p[keep]
            if idx.size == 0:
                break
        if w.shape[0] == 1:
            w = w - e * dl * p / g
        else:
            prod = np.prod(w, axis=0)
            with np.errstate(divide="ignore", invalid="ignore"):
                others = np.where(w != 0, prod / w, 0.0)
            w = w - e * dl * others / g
    if hist is not None:
        conv_all = status == 1
        # a converged run's loss after it stopped is below tol: store 0 there
        for j in np.flatnonzero(conv_all):
            after = rec > taken[j]
            hist[j, after] = 0.0
    mean = area / T
    return ChainRun(L, loss, g1, e1, T, status.reshape(shape), taken.reshape(shape), final.reshape(shape),
                    mean.reshape(shape), rec, None if hist is None else hist.reshape(shape + (rec.size,)),
                    {"tol": tol, "blowup": BLOWUP, "paired": paired})


@dataclass
class StabilityScan:
    """Largest convergent learning rate per gamma, measured on a grid.

    ``eta_max[i]`` is the largest grid ``eta`` whose run converged, ``eta_next[i]`` the grid point after
    it (``inf`` at the end of the grid), ``eta_edge[i]`` the theory; ``exact[i]`` says
    ``eta_max < eta_edge <= eta_next`` (the boundary exact to the grid resolution).
    """

    depth: int
    gammas: np.ndarray
    etas: np.ndarray
    eta_max: np.ndarray
    eta_next: np.ndarray
    eta_edge: np.ndarray
    exact: np.ndarray
    run: ChainRun
    status: str


def stability_scan(depth: int, gammas, etas, steps: int = 20000) -> StabilityScan:
    """Measure the largest stable learning rate of the MSE chain on an ``eta`` grid for each gamma.

    >>> s = stability_scan(3, [0.01, 100.0], log_grid_per_decade(1e-6, 1e2, 10), steps=4000)
    >>> s.exact.tolist()
    [True, True]
    """
    run = chain_gd(depth, gammas, etas, steps, loss="mse")
    etas = run.etas
    order = np.argsort(etas)
    st = run.status[:, order]
    es = etas[order]
    eta_max = np.full(run.gammas.size, np.nan)
    eta_next = np.full(run.gammas.size, np.nan)
    for i in range(run.gammas.size):
        ok = np.flatnonzero(st[i] == 1)
        if ok.size:
            k = ok.max()
            eta_max[i] = es[k]
            eta_next[i] = es[k + 1] if k + 1 < es.size else np.inf
    edge = eta_edge(run.gammas, depth)
    exact = (eta_max < edge) & (edge <= eta_next)
    status = "ok" if np.all(np.isfinite(eta_max)) and np.all(np.isfinite(eta_next)) else "grid too narrow"
    return StabilityScan(run.depth, run.gammas, es, eta_max, eta_next, edge, exact, run, status)


@dataclass
class BestEta:
    """The best learning rate per budget: ``eta_star[i]`` minimises ``measure`` at ``gammas[i]``.

    ``measure`` is ``"mean"`` (the loss averaged over the budget, what an online run accumulates) or
    ``"final"``; the grid minimum is refined by a parabola in ``log eta``. ``at_edge[i]`` flags a minimum
    at the last convergent grid point (then the refinement is one-sided and not applied).
    """

    depth: int
    loss: str
    budget: int
    measure: str
    gammas: np.ndarray
    etas: np.ndarray
    eta_star: np.ndarray
    eta_star_grid: np.ndarray
    best_value: np.ndarray
    at_edge: np.ndarray
    run: ChainRun


def best_eta(depth: int, gammas, etas, budget: int, *, measure: str = "mean", loss: str = "mse") -> BestEta:
    """The learning rate with the lowest mean (or final) loss after ``budget`` GD steps, per gamma.

    >>> b = best_eta(2, [0.01], log_grid_per_decade(1e-6, 1e-2, 20), 200)
    >>> 0.4 < float(b.eta_star[0] / eta_edge(0.01, 2)) < 0.6    # lazy: about 1/lambda* = eta_edge/2
    True
    """
    check_choice("measure", measure, ("mean", "final"))
    run = chain_gd(depth, gammas, etas, budget, loss=loss)
    order = np.argsort(run.etas)
    es = run.etas[order]
    vals = (run.mean_loss if measure == "mean" else run.final_loss)[:, order]
    le = np.log(es)
    star, star_grid, best, edge_flag = (np.full(run.gammas.size, np.nan) for _ in range(4))
    for i in range(run.gammas.size):
        v = np.where(np.isfinite(vals[i]), vals[i], np.inf)
        k = int(np.argmin(v))
        star_grid[i] = es[k]
        best[i] = v[k]
        edge_flag[i] = float(k + 1 >= es.size or not np.isfinite(v[k + 1]))
        if 0 < k < es.size - 1 and np.isfinite(v[k + 1]) and v[k] > 0:
            x, _ = parabola_min(le, np.log(v), k)
            star[i] = math.exp(x)
        else:
            star[i] = es[k]
    return BestEta(run.depth, loss, run.steps, measure, run.gammas, es, star, star_grid, best,
                   edge_flag.astype(bool), run)


@dataclass(frozen=True)
class SlopeFit:
    """A log-log slope with a 95 % interval.

    ``interval`` is the OLS t-interval widened by ``quantisation`` (the largest slope change that an
    error within one grid step, ``grid_step`` decades, on every point can make).
    """

    value: float
    interval: tuple
    stderr: float
    quantisation: float
    n: int
    x_range: tuple

    def to_dict(self) -> dict:
        return {"value": self.value, "interval": list(self.interval), "stderr": self.stderr,
                "quantisation": self.quantisation, "n": self.n, "gamma_range": list(self.x_range)}


def fit_slope(x, y, lo: float, hi: float, *, grid_step: float = 0.0, level: float = 0.95) -> SlopeFit:
    """Least-squares slope of ``log10 y`` on ``log10 x`` over ``lo <= x <= hi`` with a ``level`` interval.

    >>> s = fit_slope(np.logspace(-3, -1, 9), 3 * np.logspace(-3, -1, 9) ** 2, 1e-3, 1e-1)
    >>> round(s.value, 9), s.interval[1] - s.interval[0] < 1e-9
    (2.0, True)
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    sel = (x >= lo * (1 - 1e-12)) & (x <= hi * (1 + 1e-12)) & np.isfinite(y) & (y > 0)
    n = int(sel.sum())
    if n < 3:
        raise ParameterError("gamma range", f"at least 3 finite points in [{lo:g}, {hi:g}]", n)
    lx, ly = np.log10(x[sel]), np.log10(y[sel])
    dx = lx - lx.mean()
    sxx = float(dx @ dx)
    b = float(dx @ (ly - ly.mean()) / sxx)
    resid = ly - ly.mean() - b * dx
    se = math.sqrt(float(resid @ resid) / (n - 2) / sxx) if n > 2 else 0.0
    tq = float(stats.t.ppf(0.5 + level / 2, n - 2))
    q = float(grid_step) * float(np.sum(np.abs(dx))) / (2 * sxx)
    return SlopeFit(b, (b - tq * se - q, b + tq * se + q), se, q, n, (float(x[sel].min()), float(x[sel].max())))


def plateau_length(depth: int, gammas, c: float, *, level: float = 0.5, steps: int | None = None,
                   loss: str = "mse") -> np.ndarray:
    """Measured plateau length: the first GD step at which the loss is below ``level`` times its initial
    value, at ``eta = c gamma^(2/L)`` (``c`` the reduced learning rate of
    :func:`theory.richness.reduced_variables`). ``inf`` where the budget ran out.

    >>> t = plateau_length(3, [1e6], 0.3); bool(abs(t[0] / float(escape_time(1e6, 3, 0.3)) - 1) < 0.05)
    True
    """
    L = check_int("depth", depth, ge=2, le=64)
    cc = check_real("c", c, gt=0)
    g = np.atleast_1d(np.asarray(gammas, dtype=np.float64))
    if steps is None:
        steps = int(min(2e6, 4 * float(np.max(escape_time(g, L, cc))) + 50 / cc + 100))
    run = chain_gd(L, g, cc * g ** (2.0 / L), steps, loss=loss, paired=True, record=np.arange(steps + 1))
    h = run.history[:, 0, :]
    below = h <= level * h[:, :1]
    out = np.where(below.any(axis=1), np.argmax(below, axis=1).astype(np.float64), np.inf)
    return out


@dataclass
class Collapse:
    """Loss curves at ``eta = c gamma^(2/L)`` for several gammas against ``tau = t - t_escape(gamma)``.

    ``curves[i]`` is the loss of ``gammas[i]`` interpolated on ``tau``; ``spread`` is the largest
    difference between the curves over ``tau`` (where all are defined), ``spread_raw`` the same against
    the unshifted step ``t`` over the same window length.
    """

    depth: int
    c: float
    gammas: np.ndarray
    tau: np.ndarray
    curves: np.ndarray
    spread: float
    spread_raw: float
    shifts: np.ndarray


def collapse(depth: int, gammas, c: float, *, window: float | None = None, n_tau: int = 400) -> Collapse:
    """Measure the collapse of the large-gamma loss curves under the time shift by the escape time.

    The shift is :func:`theory.richness.escape_time` with ``kind="discrete"``.

    >>> col = collapse(3, [1e4, 1e6], 0.3); col.spread < 0.1 < col.spread_raw
    True
    """
    L = check_int("depth", depth, ge=2, le=64)
    cc = check_real("c", c, gt=0)
    g = np.sort(np.atleast_1d(np.asarray(gammas, dtype=np.float64)))
    if g.size < 2:
        raise ParameterError("gammas", "at least two values", gammas)
    shifts = escape_time(g, L, cc, "discrete")
    win = float(window) if window is not None else 20.0 / cc + 20.0
    steps = int(math.ceil(float(shifts.max()) + win)) + 2
    run = chain_gd(L, g, cc * g ** (2.0 / L), steps, paired=True, record=np.arange(steps + 1))
    h = np.nan_to_num(run.history[:, 0, :], nan=np.inf)
    t = np.arange(steps + 1, dtype=np.float64)
    tau = np.linspace(-min(float(shifts.min()), 0.5 * win), win, n_tau)
    curves = np.array([np.interp(tau + s, t, h[i]) for i, s in enumerate(shifts)])
    raw = np.array([np.interp(tau + float(shifts.min()), t, h[i]) for i in range(g.size)])
    spread = float(np.max(np.ptp(curves, axis=0)))
    spread_raw = float(np.max(np.ptp(raw, axis=0)))
    return Collapse(L, cc, g, tau, curves, spread, spread_raw, shifts)


@dataclass
class GammaEtaPlane:
    """The measured gamma-eta plane of the MSE chain at one depth: the stability scan, the best
    learning rate per budget, and the slopes of both on each side of ``gamma = 1``.

    ``slopes[name]`` has ``small_gamma`` / ``large_gamma`` :class:`SlopeFit` for ``name`` in
    ``("eta_star", "eta_max")``; ``status`` is ``"ok"`` or says what went wrong.
    """

    depth: int
    scan: StabilityScan
    best: BestEta
    slopes: dict
    small_range: tuple
    large_range: tuple
    grid_step: float
    status: str

    def to_dict(self) -> dict:
        """Plain JSON types: ``eta_edge`` (the table over gamma), ``eta_max`` and ``eta_star`` (measured),
        ``slopes`` (of eta*, ``small_gamma`` / ``large_gamma`` with ``value`` and ``interval``),
        ``slopes_eta_max`` and the targets of the theory."""
        return {
            "model": "chain", "depth": self.depth, "loss": "mse", "status": self.status,
            "gamma": self.scan.gammas.tolist(),
            "eta_edge": [{"gamma": float(g), "eta_edge": float(e)} for g, e in zip(self.scan.gammas, self.scan.eta_edge)],
            "eta_max": self.scan.eta_max.tolist(), "eta_max_next": self.scan.eta_next.tolist(),
            "boundary_exact_to_grid": bool(self.scan.exact.all()),
            "eta_star": self.best.eta_star.tolist(), "budget": self.best.budget, "measure": self.best.measure,
            "slopes": {k: v.to_dict() for k, v in self.slopes["eta_star"].items()},
            "slopes_eta_max": {k: v.to_dict() for k, v in self.slopes["eta_max"].items()},
            "theory_slopes": {"small_gamma": 2.0, "large_gamma": 2.0 / self.depth},
            "eta_grid_per_decade": round(1 / self.grid_step),
        }


def gamma_eta_plane(depth: int, *, gamma_range=(1e-3, 1e3), gamma_per_decade: int = 4, eta_per_decade: int = 20,
                    steps: int = 20000, budget: int = 2000, fit_decades: float = 2.0) -> GammaEtaPlane:
    """Measure the gamma-eta plane of the MSE chain: largest stable and best learning rates and their slopes.

    The ``eta`` grid spans ``[1e-3 eta_edge(gamma_min), 1e2 eta_edge(gamma_max)]`` at ``eta_per_decade``
    points; slopes are fitted over ``fit_decades`` decades at each end of the gamma range
    (``[gamma_min, gamma_min 10^fit_decades]`` and ``[gamma_max 10^-fit_decades, gamma_max]``), which must
    lie on either side of ``gamma = 1``.

    >>> p = gamma_eta_plane(2, gamma_range=(1e-2, 1e2), gamma_per_decade=2, eta_per_decade=10, fit_decades=1)
    >>> p.status, round(p.slopes["eta_max"]["small_gamma"].value, 2)
    ('ok', 2.0)
    """
    L = check_int("depth", depth, ge=1, le=64)
    lo, hi = (check_real("gamma_min", gamma_range[0], gt=0), check_real("gamma_max", gamma_range[1], gt=0))
    fd = check_real("fit_decades", fit_decades, gt=0)
    if not (lo * 10**fd <= 1.0 + 1e-12 and hi / 10**fd >= 1.0 - 1e-12):
        raise ParameterError("gamma range", f"gamma_min <= 10^-{fd:g} and gamma_max >= 10^{fd:g} (fits on both sides of 1)",
                             (lo, hi))
    gp = check_int("gamma_per_decade", gamma_per_decade, ge=1)
    ep = check_int("eta_per_decade", eta_per_decade, ge=1)
    gammas = log_grid_per_decade(lo, hi, gp)
    edge = eta_edge(gammas, L)
    etas = log_grid_per_decade(1e-3 * float(edge.min()), 1e2 * float(edge.max()), ep)
    scan = stability_scan(L, gammas, etas, steps=steps)
    best = best_eta(L, gammas, etas, budget)
    step = 1.0 / ep
    small = (lo, lo * 10**fd)
    large = (hi / 10**fd, hi)
    slopes = {name: {"small_gamma": fit_slope(gammas, vals, *small, grid_step=step),
                     "large_gamma": fit_slope(gammas, vals, *large, grid_step=step)}
              for name, vals in (("eta_star", best.eta_star), ("eta_max", scan.eta_max))}
    status = scan.status if scan.status != "ok" else ("ok" if scan.exact.all() else "boundary off the grid point")
    return GammaEtaPlane(L, scan, best, slopes, small, large, step, status)
