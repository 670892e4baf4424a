"""Numerical compute-optimal frontier with the learning rate optimised per budget: signSGD
(per-mode equations of :mod:`numerics._signsgd_plrf`) and, for comparisons at equal compute
under a schedule, SGD (Volterra solver of :func:`numerics.risk_curve`).

At each budget ``f = d N`` the risk ``P(N = f/d; d, gamma)`` is minimised over a lattice of model
sizes ``d`` and learning-rate factors ``c`` (signSGD: ``gamma = c / sqrt(d tr D)``, the natural
scale of the noise floor ``(pi^2/16) gamma^2 d tr D``; SGD: ``gamma = c * lr_max(d)``). The
search is a pattern search on the integer lattice ``(j, k)`` (``d = ds[j]``, ``c = cs[k]``):
a 3 x 3 window around the previous budget's minimiser, grown in any direction in which the
minimum (of the best size and of its two neighbours) sits on the window's boundary, so the
search follows the optimum as it moves with ``f``; the risk is assumed unimodal on the lattice.
The minimum is then refined by parabolas, first in ``(log c, log P)`` for each size, then in
``(log d, log P)`` over the three sizes around the best one (IsoFLOP "approach 2"). A minimiser
on the lattice's end is flagged (``at_edge_d``, ``at_edge_lr``; then it is a bound) and those
budgets are left out of the slopes. Local exponents are least-squares slopes over sliding
windows of ``log f`` (:func:`numerics.local_slopes`); the optimal learning-rate exponent ``e``
of ``gamma* ~ d*^-e`` is fitted over the upper half of the budgets.

With a constant schedule one risk curve per ``(d, c)`` serves every budget (recorded at the
exact steps ``round(f/d)``); with any other schedule every budget gets its own run (the
schedule's horizon is ``f/d``), so schedules are compared at equal compute.

References
----------
J. Kim, D. Song, C. Yun, "Scaling Laws of SignSGD in Linear Regression: When Does It
Outperform SGD?", ICLR 2026 (arXiv:2603.02069) (``gamma_0 = M^-e`` optimised jointly with the
model size); Paquette, Paquette, Xiao & Pennington, NeurIPS 2024 (arXiv:2405.15074), Sec. 4
(compute-optimal curves); J. Hoffmann et al. (2022), approach 2 (IsoFLOP minimum).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from theory import PLRF, SGD, Constant, ParameterError, Schedule, SignSGD
from theory.validate import check_choice, check_int, check_real

from ._forcing_kernel import max_stable_lr
from ._frontier import _parabola_min, local_slopes
from ._risk_curve import get_spectrum, risk_curve
from ._signsgd_plrf import signsgd_plrf_modes, signsgd_plrf_risk

__all__ = ["SignSGDFrontier", "signsgd_frontier", "lr_optimised_frontier"]

_DEFAULT_CS = {"signsgd": 10.0 ** np.arange(-6.0, 0.51, 0.125),  # 8 per decade, 1e-6 .. 3
               "sgd": 0.98 * 2.0 ** -np.arange(8.0, -0.51, -0.25)}  # fractions of lr_max, 4 per octave, 0.004 .. 1.4


@dataclass(frozen=True)
class SignSGDFrontier:
    """Numerical compute-optimal frontier with the learning rate optimised per budget.

    Attributes
    ----------
    flops : ndarray
        Budgets ``f`` that some ``(d, c)`` of the lattice reaches (``f >= d``).
    risk : ndarray
        ``P*(f) = min_{d, gamma} P(f/d; d, gamma)`` (parabola-refined).
    d_opt, lr_opt : ndarray
        The minimisers ``d*`` and ``gamma*``.
    slope, xi : float
        Fits of ``-d log P*/d log f`` (``eta``) and ``d log d*/d log f`` (``xi``) over the upper half
        of the budgets whose minimiser is inside the lattice (NaN if fewer than 2).
    info : dict
        Setup (lattices, spectrum, schedule, optimizer, number of runs, seconds).
    c_opt : ndarray
        The optimal factor ``c*`` (signSGD: ``gamma* sqrt(d* tr D)``; SGD: ``gamma* / lr_max``).
    at_edge_d, at_edge_lr : ndarray of bool
        The minimiser sat at the first/last size or learning-rate factor of the lattice (a
        largest factor whose next one up diverged is the stability limit, not an edge).
    window_centers, eta_local, xi_local : ndarray
        Local slopes over sliding windows of ``window`` decades (inner budgets only).
    e_measured : float
        Fitted ``-d log gamma* / d log d*`` over the upper half of the inner budgets.
    d_grid, lr_factors : ndarray
        The lattice.
    """

    flops: np.ndarray
    risk: np.ndarray
    d_opt: np.ndarray
    lr_opt: np.ndarray
    slope: float
    xi: float
    info: dict
    c_opt: np.ndarray = field(default_factory=lambda: np.zeros(0))
    at_edge_d: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    at_edge_lr: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    window_centers: np.ndarray = field(default_factory=lambda: np.zeros(0))
    eta_local: np.ndarray = field(default_factory=lambda: np.zeros(0))
    xi_local: np.ndarray = field(default_factory=lambda: np.zeros(0))
    e_measured: float = float("nan")
    d_grid: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    lr_factors: np.ndarray = field(default_factory=lambda: np.zeros(0))
    window: float = 1.0

    @property
    def at_edge(self) -> np.ndarray:
        """``at_edge_d | at_edge_lr``."""
        return self.at_edge_d | self.at_edge_lr

    @property
    def inner(self) -> np.ndarray:
        return ~self.at_edge


class _Lattice:
    """Lazy table ``P[i, j, k]`` of risks at budget ``i``, size ``ds[j]``, factor ``cs[k]``."""

    def __init__(self, a, b, F, ds, cs, v_ratio, spectrum, schedule, optimizer, h):
        self.a, self.b, self.F, self.ds, self.cs = a, b, F, ds, cs
        self.v_ratio, self.spectrum, self.schedule, self.opt, self.h = v_ratio, spectrum, schedule, optimizer, h
        self.const = isinstance(schedule, Constant)
        self.P = np.full((F.size, ds.size, cs.size), np.nan)  # nan = not computed yet
        self.diverged = np.zeros((F.size, ds.size, cs.size), bool)
        self._models = {}
        self.runs = 0

    def model(self, j):
        if j not in self._models:
            d = int(self.ds[j])
            p = PLRF(self.a, self.b, int(round(self.v_ratio * d)), d)
            if self.opt == "signsgd":
                md = signsgd_plrf_modes(p, self.spectrum)
                scale = 1.0 / math.sqrt(d * p.trace_D())
                self._models[j] = (p, md, scale)
            else:
                spec = get_spectrum(p, self.spectrum)
                self._models[j] = (p, spec, max_stable_lr(spec, SGD(lr=1.0)))
        return self._models[j]

    def lr(self, j, k):
        return float(self.cs[k] * self.model(j)[2])

    def _run(self, j, k, steps, record):
        p, md, _ = self.model(j)
        g = self.lr(j, k)
        self.runs += 1
        if self.opt == "signsgd":
            method = "loggrid" if steps > 20_000 else "recursion"
            cur = signsgd_plrf_risk(p, SignSGD(lr=g), self.schedule, steps, modes=md, record=record, method=method,
                                    h=self.h)
        else:
            cur = risk_curve(p, SGD(lr=g), self.schedule, steps=steps, spectrum=md, record=record, method="loggrid",
                             h=2 * self.h)
        return cur

    def get(self, i, j, k):
        if np.isnan(self.P[i, j, k]):
            self._fill(i, j, k)
        return self.P[i, j, k]

    def _fill(self, i, j, k):
        d = int(self.ds[j])
        r = np.floor(self.F / d + 0.5).astype(np.int64)
        if self.const:
            ok = r >= 1
            self.P[~ok, j, k] = np.inf
            if ok.any():
                rec = np.unique(np.concatenate([[0], r[ok]]))
                cur = self._run(j, k, int(rec[-1]), rec)
                if cur.status == "ok":
                    self.P[ok, j, k] = cur.risk[np.searchsorted(cur.steps, r[ok])]
                else:
                    self.P[ok, j, k] = np.inf
                    self.diverged[ok, j, k] = True
            return
        if r[i] < 1:
            self.P[i, j, k] = np.inf
            return
        cur = self._run(j, k, int(r[i]), [0, int(r[i])])
        if cur.status == "ok":
            self.P[i, j, k] = cur.risk[-1]
        else:
            self.P[i, j, k] = np.inf
            self.diverged[i, j, k] = True


def _search(lat, i, j0, k0, max_iter):
    """Pattern search at budget ``i`` from ``(j0, k0)``; returns the evaluated index sets."""
    nd, nc = lat.ds.size, lat.cs.size
    J = {j for j in (j0 - 1, j0, j0 + 1) if 0 <= j < nd}
    K = {k for k in (k0 - 1, k0, k0 + 1) if 0 <= k < nc}
    for _ in range(max_iter):
        vals = {(j, k): lat.get(i, j, k) for j in J for k in K}
        fin = {key: v for key, v in vals.items() if np.isfinite(v)}
        grow = set(), set()
        if not fin:  # nothing reachable or everything diverged: smaller sizes and rates
            if min(J) > 0:
                grow[0].add(min(J) - 1)
            if min(K) > 0:
                grow[1].add(min(K) - 1)
            if not grow[0] and not grow[1]:
                break
        else:
            jb, _ = min(fin, key=fin.get)
            if jb == min(J) and jb > 0:
                grow[0].add(jb - 1)
            if jb == max(J) and jb < nd - 1:
                grow[0].add(jb + 1)
            for j in (jb - 1, jb, jb + 1):  # each size around the best needs its own interior c-minimum
                if j not in J:
                    continue
                row = {k: vals[(j, k)] for k in K if np.isfinite(vals[(j, k)])}
                if not row:
                    continue
                kb = min(row, key=row.get)
                if kb == min(K) and kb > 0:
                    grow[1].add(kb - 1)
                if kb == max(K) and kb < nc - 1 and not lat.diverged[i, j, kb]:
                    grow[1].add(kb + 1)
        if grow[0] <= J and grow[1] <= K:
            break
        J |= grow[0]
        K |= grow[1]
    return sorted(J), sorted(K)


def _refine(lat, i, J, K):
    """Parabola-refined minimum: per size over ``log c``, then over ``log d``."""
    lc = np.log(lat.cs)
    rows = {}
    for j in J:
        v = np.array([lat.P[i, j, k] for k in K])
        fin = np.isfinite(v)
        if not fin.any():
            continue
        m = int(np.argmin(np.where(fin, v, np.inf)))
        k = K[m]
        inner_c = 0 < m < len(K) - 1 and fin[m - 1] and fin[m + 1]
        if inner_c:
            x, y = _parabola_min(lc[K], np.log(np.where(fin, v, 1.0)), m)
            c_val = math.exp(x)
        else:
            x, y, c_val = lc[k], math.log(v[m]), float(lat.cs[k])  # the lattice value exactly
        edge_c = (k == 0) or (k == lat.cs.size - 1 and not lat.diverged[i, j, k])
        rows[j] = (y, x, edge_c, c_val)
    if not rows:
        return None
    js = sorted(rows)
    jb = min(js, key=lambda j: rows[j][0])
    ld = np.log(lat.ds.astype(float))
    pos = js.index(jb)
    if 0 < pos < len(js) - 1 and js[pos - 1] == jb - 1 and js[pos + 1] == jb + 1:
        trio = [jb - 1, jb, jb + 1]
        xd, yv = _parabola_min(ld[trio], np.array([rows[j][0] for j in trio]), 1)
        xc = float(np.interp(xd, ld[trio], [rows[j][1] for j in trio]))
        p_val, d_val, c_val = math.exp(yv), math.exp(xd), math.exp(xc)
    else:  # no bracket in d: the best size of the lattice, exactly
        p_val, d_val, c_val = math.exp(rows[jb][0]), float(lat.ds[jb]), rows[jb][3]
    edge_d = jb == 0 or jb == lat.ds.size - 1
    return p_val, d_val, c_val, edge_d, rows[jb][2], jb, int(np.argmin(np.abs(lc - rows[jb][1])))


def _upper_fit(x, y, sel):
    """Least-squares slope of ``log y`` on ``log x`` over the upper half (in ``log x``) of ``sel``."""
    idx = np.flatnonzero(sel)
    if idx.size < 2:
        return float("nan")
    lx = np.log(x[idx])
    up = idx[lx >= 0.5 * (lx[0] + lx[-1]) - 1e-12]
    if up.size < 2:
        up = idx
    return float(np.polyfit(np.log(x[up]), np.log(y[up]), 1)[0])


def lr_optimised_frontier(alpha: float, beta: float, flops, *, optimizer: str = "signsgd", ds=None,
                          lr_factors=None, v_ratio: float = 4, spectrum: str = "deterministic",
                          schedule: Schedule = Constant(), window: float = 1.0, h: float = 0.01,
                          max_iter: int = 40) -> SignSGDFrontier:
    """Compute-optimal frontier of signSGD or SGD with model size and learning rate optimised per budget.

    Parameters
    ----------
    alpha, beta : float
        PLRF exponents.
    flops : array
        Increasing budgets ``f = d N`` (at least 2).
    optimizer : {"signsgd", "sgd"}
        signSGD: ``gamma = c / sqrt(d tr D)``; SGD (batch 1): ``gamma = c * lr_max(d)`` with
        :func:`numerics.max_stable_lr`.
    ds : array of int, optional
        Model sizes (default 25 log-spaced sizes, 64 .. 4096, 4 per octave).
    lr_factors : array, optional
        The lattice of ``c`` (default: signSGD ``10^(-6 .. 0.5)``, 8 per decade; SGD
        ``0.98 * 2^(-8 .. 0.5)``, 4 per octave: the factors above 1 diverge, so that a minimiser
        pressed against the stability limit is found as such and not flagged as a lattice edge). The search visits only the part it needs. A
        coarser lattice (4 per decade) makes the parabola-refined minimum jitter by about 1 %
        as it moves along the lattice, i.e. +-0.02 in a local slope over one decade.
    v_ratio : float
        ``v = round(v_ratio d)``.
    spectrum : {"deterministic", "surrogate"}
        Deterministic equivalent (default) or the surrogate ``j^(-2 alpha)``, ``j^(-2 alpha - 2 beta)``
        (which has no absolutely-continuous part, hence no ``F_ac`` term).
    schedule : theory.Schedule
        Constant (one run per ``(d, c)``) or any other schedule (one run per budget).
    window : float
        Decades of ``f`` per local-slope window.
    h : float
        Relative chunk length of the log-grid solvers (SGD uses ``2 h``).
    max_iter : int
        Growth steps of the pattern search per budget.

    Returns
    -------
    SignSGDFrontier

    Examples
    --------
    A frontier falls with compute:

    >>> fr = lr_optimised_frontier(0.7, 1.2, [1e5, 1e6, 1e7], optimizer="sgd", ds=[32, 64, 128, 256])
    >>> bool(np.all(np.diff(fr.risk) < 0)), fr.info["optimizer"]
    (True, 'sgd')

    References
    ----------
    Kim, Song & Yun (2026), arXiv:2603.02069; Paquette et al. (2024), arXiv:2405.15074, Sec. 4.
    """
    t0 = time.perf_counter()
    a = check_real("alpha", alpha, gt=0)
    b = check_real("beta", beta)
    if not 2 * a + 2 * b > 1:
        raise ParameterError("2*alpha + 2*beta", "2*alpha + 2*beta > 1", 2 * a + 2 * b)
    check_choice("optimizer", optimizer, ("signsgd", "sgd"))
    check_choice("spectrum", spectrum, ("deterministic", "surrogate"))
    if not isinstance(schedule, Schedule):
        raise ParameterError("schedule", "a theory.Schedule instance", type(schedule).__name__)
    v_ratio = check_real("v_ratio", v_ratio, ge=1)
    window = check_real("window", window, gt=0)
    h = check_real("h", h, gt=0, le=0.25)
    max_iter = check_int("max_iter", max_iter, ge=1)
    try:
        F = np.asarray(flops, dtype=float)
    except (TypeError, ValueError):
        raise ParameterError("flops", "an increasing sequence of at least 2 positive budgets", flops) from None
    if F.ndim != 1 or F.size < 2 or not np.all(np.isfinite(F)) or np.any(F <= 0) or np.any(np.diff(F) <= 0):
        raise ParameterError("flops", "an increasing sequence of at least 2 positive budgets", flops)
    dg = np.asarray(np.geomspace(64, 4096, 25) if ds is None else ds, dtype=float)
    if dg.ndim != 1 or dg.size < 1 or not np.all(np.isfinite(dg)) or np.any(dg < 1):
        raise ParameterError("ds", "model sizes >= 1", ds)
    dg = np.unique(np.round(dg).astype(int))
    cs = np.asarray(_DEFAULT_CS[optimizer] if lr_factors is None else lr_factors, dtype=float)
    if cs.ndim != 1 or cs.size < 1 or not np.all(np.isfinite(cs)) or np.any(cs <= 0):
        raise ParameterError("lr_factors", "positive learning-rate factors", lr_factors)
    cs = np.unique(cs)
    lat = _Lattice(a, b, F, dg, cs, v_ratio, spectrum, schedule, optimizer, h)
    n = F.size
    risk, d_opt, c_opt, lr_opt = (np.full(n, np.nan) for _ in range(4))
    edge_d, edge_c = np.zeros(n, bool), np.zeros(n, bool)
    j0 = dg.size // 2
    k0 = int(np.argmin(np.abs(np.log(cs) - np.log(0.02 if optimizer == "signsgd" else 0.5))))
    for i in range(n):
        J, K = _search(lat, i, j0, k0, max_iter)
        res = _refine(lat, i, J, K)
        if res is None:
            continue
        risk[i], d_opt[i], c_opt[i], edge_d[i], edge_c[i], j0, k0 = res
        dd = d_opt[i]
        p = PLRF(a, b, max(int(round(v_ratio * dd)), int(round(dd))), int(round(dd)))
        if optimizer == "signsgd":
            lr_opt[i] = c_opt[i] / math.sqrt(dd * p.trace_D())
        else:  # interpolate lr_max in log d between the lattice sizes around d*
            js = [j for j in range(dg.size) if j in lat._models]
            lmax = np.exp(np.interp(math.log(dd), np.log(dg[js]), np.log([lat._models[j][2] for j in js])))
            lr_opt[i] = c_opt[i] * lmax
    keep = np.isfinite(risk)
    if not keep.any():
        raise ParameterError("flops", f"budgets f >= the smallest size {dg[0]} (at least one step)", flops)
    F, risk, d_opt, c_opt, lr_opt, edge_d, edge_c = (x[keep] for x in (F, risk, d_opt, c_opt, lr_opt, edge_d, edge_c))
    inner = ~(edge_d | edge_c)
    if inner.sum() >= 3:
        centers, s_eta = local_slopes(F[inner], risk[inner], window=window)
        _, s_xi = local_slopes(F[inner], d_opt[inner], window=window)
    else:
        centers = s_eta = s_xi = np.zeros(0)
    slope = -_upper_fit(F, risk, inner)
    xi = _upper_fit(F, d_opt, inner)
    e_meas = -_upper_fit(d_opt, lr_opt, inner) if inner.sum() >= 2 and np.ptp(np.log(d_opt[inner])) > 0.1 else float("nan")
    info = {"ds": dg.tolist(), "lr_factors": cs.tolist(), "spectrum": spectrum, "schedule": schedule.spec(),
            "optimizer": optimizer, "v_ratio": v_ratio, "runs": lat.runs, "seconds": time.perf_counter() - t0,
            "lr_rule": ("gamma = c / sqrt(d tr D)" if optimizer == "signsgd" else "gamma = c * lr_max(d)")
            + ", (d, c) minimised at each budget"}
    return SignSGDFrontier(F, risk, d_opt, lr_opt, slope, xi, info, c_opt, edge_d, edge_c, centers, -s_eta, s_xi,
                           e_meas, dg, cs, window)


def signsgd_frontier(alpha: float, beta: float, flops, *, ds=None, lr_factors=None, v_ratio: float = 4,
                     spectrum: str = "deterministic", schedule: Schedule = Constant(), window: float = 1.0,
                     h: float = 0.01) -> SignSGDFrontier:
    """Minimise the signSGD risk over model size ``d`` and learning rate at each budget ``f``.

    ``gamma = c / sqrt(d tr D)`` (``c`` on the lattice ``lr_factors``, the natural scale of the
    noise floor ``(pi^2/16) gamma^2 d tr D``); the risk at ``f`` is the value of the
    per-mode equations at step ``round(f/d)``. See :func:`lr_optimised_frontier` for the search,
    the refinement, the edge flags and the slopes; with a non-constant schedule every budget
    gets its own run (horizon ``f/d``), so schedules are compared at equal compute.

    Examples
    --------
    >>> fr = signsgd_frontier(0.7, 1.2, [1e5, 1e6], ds=[50, 100], lr_factors=[0.02, 0.05])
    >>> fr.risk.shape, bool(fr.risk[1] < fr.risk[0])
    ((2,), True)

    References
    ----------
    Kim, Song & Yun (2026), arXiv:2603.02069 (``gamma_0 = M^-e`` optimised with ``M``).
    """
    return lr_optimised_frontier(alpha, beta, flops, optimizer="signsgd", ds=ds, lr_factors=lr_factors,
                                 v_ratio=v_ratio, spectrum=spectrum, schedule=schedule, window=window, h=h)
