"""The compute-optimal frontier, numerically: ``P*(f) = min_d P(f / (d B), d)``, ``d*(f)`` and local slopes.

For each model size ``d`` of a grid the risk curve of ``PLRF(alpha, beta, v_ratio d, d)`` is
solved once (log-grid Volterra solver, deterministic-equivalent spectrum by default) at the steps
``r = f / (d B)`` that the flop budgets ``f`` ask for (compute ``f = d r B``,
``theory.CONVENTIONS["compute"]``). The minimum over ``d`` is refined by a parabola through the
three grid points around it in ``(log d, log P)`` (IsoFLOP "approach 2"). Local exponents are
least-squares slopes over sliding windows of ``log f``: ``eta_local = -d log P* / d log f`` and
``xi_local = d log d* / d log f``. Finite-size exponents converge slowly (research note Sec. 1.9,
paper Fig. 5(c)); compare the trend of the local slopes with the symbolic values.

Learning rate: unless ``lr`` is given, each size uses ``gamma = lr_fraction * lr_max(d)``
(default ``lr_fraction = 0.5``), the largest stable rate of :func:`numerics.max_stable_lr`
scaled down -- this tracks the theory's ``gamma ~ 1 / tr D`` at the stable maximum.

References
----------
Paquette, Paquette, Xiao & Pennington, NeurIPS 2024 (arXiv:2405.15074), Sec. 4 (compute-optimal
curves, Table 2, Fig. 4-5); J. Hoffmann et al., "Training Compute-Optimal Large Language
Models" (2022), approach 2 (IsoFLOP minimum).
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field

import numpy as np

import theory
from theory import PLRF, SGD, ParameterError
from theory.validate import check_int, check_real

from ._forcing_kernel import max_stable_lr
from ._risk_curve import get_spectrum, risk_curve

__all__ = ["Frontier", "compute_optimal_frontier", "local_slopes"]


@dataclass(frozen=True)
class Frontier:
    """A numerical compute-optimal frontier.

    Attributes
    ----------
    flops : ndarray
        Budgets ``f`` (increasing).
    p_star, d_star : ndarray
        ``min_d P`` and the minimiser (parabola-refined); ``NaN``-free: budgets where no
        size fits are dropped.
    at_edge : ndarray of bool
        The minimum sat at the smallest or largest ``d`` of the grid (then ``d*`` is a bound).
    d_grid : ndarray
        Model sizes; ``risk``: ``P(f / (d B), d)`` table, shape ``(len(flops), len(d_grid))``
        (``inf`` where ``r < 1``).
    window_centers, eta_local, xi_local : ndarray
        Local slopes over sliding windows of ``log10 f`` (width ``window`` decades).
    eta_theory, xi_theory : float or None
        Symbolic exponents from ``theory.compute_optimal_exponents`` (None if unavailable).
    phase : str or None
    lrs : ndarray
        Learning rate used for each size.
    """

    alpha: float
    beta: float
    flops: np.ndarray
    p_star: np.ndarray
    d_star: np.ndarray
    at_edge: np.ndarray
    d_grid: np.ndarray
    risk: np.ndarray
    window_centers: np.ndarray
    eta_local: np.ndarray
    xi_local: np.ndarray
    eta_theory: float | None
    xi_theory: float | None
    phase: str | None
    lrs: np.ndarray
    window: float
    diagnostics: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in ("alpha", "beta", "flops", "p_star", "d_star", "at_edge", "d_grid",
                                               "window_centers", "eta_local", "xi_local", "eta_theory",
                                               "xi_theory", "phase", "lrs", "window")}


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


def _parabola_min(ld, lp, i):
    """Vertex of the parabola through (ld, lp) at i-1, i, i+1 (clamped to the bracket)."""
    x, y = ld[i - 1 : i + 2], lp[i - 1 : i + 2]
    c2, c1, c0 = np.polyfit(x, y, 2)
    if c2 <= 0:
        return ld[i], lp[i]
    xv = float(np.clip(-c1 / (2 * c2), x[0], x[2]))
    return xv, float(np.polyval([c2, c1, c0], xv))


def compute_optimal_frontier(alpha: float, beta: float, optimizer="sgd", *, flops=None, d_grid=None,
                             v_ratio: float = 4.0, batch: int | None = None, lr: float | None = None,
                             lr_fraction: float = 0.5, spectrum: str = "deterministic", window: float = 1.0,
                             h: float = 0.02) -> Frontier:
    """Numerical compute-optimal frontier of SGD on PLRF, with local and symbolic exponents.

    Parameters
    ----------
    alpha, beta : float
        PLRF exponents.
    optimizer : "sgd" or theory.SGD
        A template: its ``batch`` and ``batch_reduction`` are used; its ``lr`` only when
        ``lr_fraction`` is None.
    flops : array, optional
        Budgets ``f`` (default: 40 log-spaced values spanning what the grid can reach).
    d_grid : array of int, optional
        Model sizes (default: 20 log-spaced sizes from 100 to 6400).
    v_ratio : float
        ``v = round(v_ratio * d)`` (the authors use 4-10).
    batch : int, optional
        Overrides the template's batch.
    lr : float, optional
        A fixed learning rate for every size (must be stable for all).
    lr_fraction : float
        Otherwise ``gamma(d) = lr_fraction * max_stable_lr(d)`` (default 0.5).
    spectrum : {"deterministic", "surrogate"}
    window : float
        Width (decades of ``f``) of the sliding windows of the local slopes.

    Returns
    -------
    Frontier

    Examples
    --------
    >>> fr = compute_optimal_frontier(1.0, 0.75, spectrum="surrogate", d_grid=[50, 100, 200, 400],
    ...                               flops=np.logspace(4, 6, 9))
    >>> bool(np.all(np.diff(fr.p_star) < 0)), fr.phase
    (True, 'II')

    References
    ----------
    Paquette et al. 2024 (arXiv:2405.15074), Sec. 4 and Table 2; research note Sec. 1.6, 1.9.
    """
    t0 = time.perf_counter()
    a = check_real("alpha", alpha, gt=0)
    b = check_real("beta", beta)
    if isinstance(optimizer, str):
        if optimizer != "sgd":
            raise ParameterError("optimizer", "'sgd' or a theory.SGD instance (the frontier is built for SGD)", optimizer)
        template = SGD(lr=1.0)
    elif isinstance(optimizer, SGD):
        template = optimizer
    else:
        raise ParameterError("optimizer", "'sgd' or a theory.SGD instance", type(optimizer).__name__)
    if batch is not None:
        template = dataclasses.replace(template, batch=check_int("batch", batch, ge=1))
    v_ratio = check_real("v_ratio", v_ratio, ge=1)
    if spectrum not in ("deterministic", "surrogate"):
        raise ParameterError("spectrum", "'deterministic' or 'surrogate'", spectrum)
    dg = np.unique(np.asarray(np.geomspace(100, 6400, 20) if d_grid is None else d_grid, dtype=float).round().astype(int))
    if dg.size < 3 or dg[0] < 1:
        raise ParameterError("d_grid", "at least 3 distinct sizes >= 1", d_grid)
    B = template.batch
    if flops is None:
        flops = np.logspace(np.log10(dg[-1] * B * 10), np.log10(dg[0] * B * 1e6), 40)
    fl = np.unique(np.asarray(flops, dtype=float))
    if fl.size < 3 or np.any(fl <= 0) or not np.all(np.isfinite(fl)):
        raise ParameterError("flops", "at least 3 distinct finite budgets > 0", flops)
    if lr is not None:
        lr = check_real("lr", lr, gt=0)
    else:
        lr_fraction = check_real("lr_fraction", lr_fraction, gt=0, lt=1)
    P = np.full((fl.size, dg.size), np.inf)
    lrs = np.empty(dg.size)
    for k, dd in enumerate(dg):
        prob = PLRF(a, b, int(round(v_ratio * dd)), int(dd))
        spec = get_spectrum(prob, spectrum)
        g = lr if lr is not None else lr_fraction * max_stable_lr(spec, template)
        opt = dataclasses.replace(template, lr=g)
        lrs[k] = g
        r = np.floor(fl / (dd * B)).astype(np.int64)
        ok = r >= 1
        if not ok.any():
            continue
        rec = np.unique(np.concatenate([[0], r[ok]]))
        curve = risk_curve(prob, opt, steps=int(rec[-1]), spectrum=spec, record=rec, method="loggrid", h=h)
        if curve.status == "diverged":
            raise theory.StabilityError(g, curve.lr_max, f"d={dd}")
        P[ok, k] = curve.risk[np.searchsorted(curve.steps, r[ok])]
    ld = np.log(dg.astype(float))
    ps, ds, edge, keep = [], [], [], []
    for i in range(fl.size):
        row = P[i]
        fin = np.isfinite(row)
        if fin.sum() < 1:
            continue
        j = int(np.argmin(np.where(fin, row, np.inf)))
        if 0 < j < dg.size - 1 and fin[j - 1] and fin[j + 1]:
            xv, yv = _parabola_min(ld, np.log(row), j)
            ps.append(np.exp(yv))
            ds.append(np.exp(xv))
            edge.append(False)
        else:
            ps.append(row[j])
            ds.append(float(dg[j]))
            edge.append(True)
        keep.append(i)
    fl_k = fl[keep]
    ps, ds, edge = np.array(ps), np.array(ds), np.array(edge, bool)
    inner = ~edge
    if inner.sum() >= 3:
        c_eta, s_eta = local_slopes(fl_k[inner], ps[inner], window=window)
        _, s_xi = local_slopes(fl_k[inner], ds[inner], window=window)
    else:
        c_eta = s_eta = s_xi = np.zeros(0)
    ex = theory.compute_optimal_exponents(a, b, optimizer="sgd")  # the frontier is SGD's (validated above)
    eta_t, xi_t, phase = ex.eta, ex.xi, ex.phase
    return Frontier(a, b, fl_k, ps, ds, edge, dg, P[keep], c_eta, -s_eta, s_xi, eta_t, xi_t, phase, lrs, window,
                    {"seconds": time.perf_counter() - t0, "v_ratio": v_ratio, "batch": B, "spectrum": spectrum,
                     "lr_rule": "fixed" if lr is not None else f"{lr_fraction:g} * lr_max(d)"})
