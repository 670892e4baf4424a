"""The compute-optimal frontier of any optimizer on PLRF, numerically: ``P*(f) = min P(f / (d B); d, gamma)``,
``d*(f)``, ``gamma*(f)`` and local slopes, beside the symbolic exponents.

Learning rate (``lr=``), in units of the optimizer's natural scale ``u(d)`` (its rules'
``lr_scale``: SGD the largest stable rate ``lr_max(d)``, signSGD ``1 / sqrt(d tr D)``):

* a number ``c``: ``gamma(d) = c u(d)`` at every size (default 0.5). Every size of ``d_grid``
  is solved once at the steps the budgets ask for; the minimum over ``d`` is refined by a
  parabola through the three grid points around it in ``(log d, log P)`` (IsoFLOP "approach 2").
* ``"optimise"``: ``(d, c)`` minimised at each budget over the lattice ``d_grid x lr_factors``
  by a pattern search around the previous budget's optimum and a parabola refinement per size
  over ``log c`` then over ``log d`` (:mod:`numerics._frontier_search`). With a non-constant
  schedule every budget gets its own run (horizon ``f/d``), so schedules are compared at equal
  compute.

Local exponents are least-squares slopes over sliding windows of ``log f``
(``eta_local = -d log P*/d log f``, ``xi_local = d log d*/d log f``); ``eta_fit``, ``xi_fit``
and ``e_fit`` (``gamma* ~ d*^-e``) are fits over the upper half of the inner budgets. Finite-size
exponents converge slowly (research note ``plrf_signsgd.md`` Sec. 1.9, paper Fig. 5(c)): compare
the trend of the local slopes with the symbolic values.

References
----------
Paquette, Paquette, Xiao & Pennington, NeurIPS 2024 (arXiv:2405.15074), Sec. 4 (compute-optimal
curves, Table 2, Fig. 4-5); J. Hoffmann et al., "Training Compute-Optimal Large Language Models"
(2022), approach 2 (IsoFLOP minimum); Kim, Song & Yun (2026), arXiv:2603.02069 (learning rate
optimised with the model size).
"""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass, field

import numpy as np

import theory.plrf
from theory import Constant, Optimizer, ParameterError, Schedule, StabilityError, resolve_optimizer
from theory.plrf import PLRF
from theory.validate import check_choice, check_int, check_real

from .._frontier_search import lattice_refine, lattice_search
from .._slopes import local_slopes, parabola_min, upper_fit
from ._rules import RULES

__all__ = ["Frontier", "frontier"]


@dataclass(frozen=True)
class Frontier:
    """A numerical compute-optimal frontier of one optimizer.

    Attributes
    ----------
    alpha, beta : float
    optimizer : str
    schedule : str
        The schedule's spelling.
    method : {"fixed", "optimise"}
        A fixed learning-rate factor at every size, or ``(d, gamma)`` optimised per budget.
    flops : ndarray
        Budgets ``f = d r B`` that some size reaches (increasing).
    p_star, d_star, lr_star : ndarray
        ``min P``, the minimising size (parabola-refined) and learning rate.
    c_star : ndarray
        The learning rate in units of the optimizer's scale, ``gamma* / u(d*)``.
    at_edge_d, at_edge_lr : ndarray of bool
        The minimiser sat at the first/last size, or (``"optimise"``) at the first/last factor of
        the lattice (a largest factor whose next one up diverged is the stability limit, not an edge).
    d_grid, lr_factors : ndarray
        The sizes and the factors searched.
    window_centers, eta_local, xi_local : ndarray
        Local slopes over sliding windows of ``window`` decades (inner budgets only).
    eta_fit, xi_fit, e_fit : float
        Fits over the upper half of the inner budgets (NaN with fewer than 2; ``e_fit`` NaN when
        ``d*`` spans less than 0.1 in ``log d``).
    eta_theory, xi_theory, e_theory : float or None
        The symbolic exponents (``theory.plrf.compute_optimal_exponents``) at this point.
    phase : str or None
        The optimizer's phase there.
    status : {"ok", "edge", "diverged"}
        ``"edge"``: fewer than 3 budgets have their minimum inside the lattice, so no slope is measured.
        ``"diverged"``: a fixed ``lr`` factor diverges at some size (empty arrays; ``diagnostics``
        has ``message``, ``lr_max`` and ``lr``) -- divergence is a status, as in :func:`risk_curve`.
    diagnostics : dict
        Setup and cost (lr rule, spectrum, v ratio, batch, runs, seconds; ``"fixed"``: the risk table).
    """

    alpha: float
    beta: float
    optimizer: str
    schedule: str
    method: str
    flops: np.ndarray
    p_star: np.ndarray
    d_star: np.ndarray
    lr_star: np.ndarray
    c_star: np.ndarray
    at_edge_d: np.ndarray
    at_edge_lr: np.ndarray
    d_grid: np.ndarray
    lr_factors: np.ndarray
    window_centers: np.ndarray
    eta_local: np.ndarray
    xi_local: np.ndarray
    eta_fit: float
    xi_fit: float
    e_fit: float
    eta_theory: float | None
    xi_theory: float | None
    e_theory: float | None
    phase: str | None
    window: float
    status: str
    diagnostics: dict = field(default_factory=dict)

    @property
    def at_edge(self) -> np.ndarray:
        """``at_edge_d | at_edge_lr``."""
        return self.at_edge_d | self.at_edge_lr

    @property
    def inner(self) -> np.ndarray:
        return ~self.at_edge

    def to_dict(self) -> dict:
        keys = ("alpha", "beta", "optimizer", "schedule", "method", "flops", "p_star", "d_star", "lr_star", "c_star",
                "at_edge_d", "at_edge_lr", "d_grid", "lr_factors", "window_centers", "eta_local", "xi_local",
                "eta_fit", "xi_fit", "e_fit", "eta_theory", "xi_theory", "e_theory", "phase", "window", "status")
        out = {k: getattr(self, k) for k in keys}
        out["at_edge"] = self.at_edge
        out.update({k: v for k, v in self.diagnostics.items() if k != "risk_table"})
        return out


class _Lattice:
    """Lazy table ``P[i, j, k]`` of risks at budget ``i``, size ``ds[j]``, factor ``cs[k]`` (the
    lattice protocol of :mod:`numerics._frontier_search`)."""

    def __init__(self, a, b, F, ds, cs, v_ratio, spectrum, schedule, template, rules, h):
        self.a, self.b, self.F, self.ds, self.cs = a, b, F, ds, cs
        self.v_ratio, self.spectrum, self.schedule, self.h = v_ratio, spectrum, schedule, h
        self.template, self.rules = template, rules
        self.P = np.full((F.size, ds.size, cs.size), np.nan)  # nan = not computed yet
        self.diverged = np.zeros((F.size, ds.size, cs.size), bool)
        self._models = {}
        self.runs = 0

    def model(self, j):
        if j not in self._models:
            d = int(self.ds[j])
            p = PLRF(self.a, self.b, int(round(self.v_ratio * d)), d)
            md = self.rules.model(p, self.spectrum)
            self._models[j] = (p, md, self.rules.lr_scale(p, md, self.template))
        return self._models[j]

    def lr(self, j, k):
        return float(self.cs[k] * self.model(j)[2])

    def _run(self, j, k, steps, record):
        p, md, _ = self.model(j)
        self.runs += 1
        opt = dataclasses.replace(self.template, lr=self.lr(j, k))
        return self.rules.frontier_curve(p, md, opt, self.schedule, steps, record, self.h)

    def get(self, i, j, k):
        if np.isnan(self.P[i, j, k]):
            self._fill(i, j, k)
        return self.P[i, j, k]

    def _fill(self, i, j, k):
        d = int(self.ds[j])
        r = np.floor(self.F / (d * self.template.batch) + 0.5).astype(np.int64)
        if self.schedule.is_constant:
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


def _check_flops(flops, default):
    F = default if flops is None else flops
    try:
        F = np.asarray(F, dtype=float)
    except (TypeError, ValueError):
        raise ParameterError("flops", "an increasing sequence of at least 2 positive budgets", flops) from None
    if F.ndim != 1 or F.size < 2 or not np.all(np.isfinite(F)) or np.any(F <= 0):
        raise ParameterError("flops", "an increasing sequence of at least 2 positive budgets", flops)
    return F


def frontier(alpha: float, beta: float, optimizer="sgd", *, lr=None, schedule: Schedule = Constant(),
             flops=None, d_grid=None, lr_factors=None, v_ratio: float = 4.0, spectrum: str = "deterministic",
             window: float = 1.0, h: float = 0.01, max_iter: int = 40, progress=None) -> Frontier:
    """The numerical compute-optimal frontier of ``optimizer`` on PLRF, with local and symbolic exponents.

    Parameters
    ----------
    alpha, beta : float
        PLRF exponents.
    optimizer : str, class or instance
        Any optimizer with PLRF numerics rules; an instance is a template (its batch and other
        hyper-parameters are kept, its ``lr`` is replaced).
    lr : None, "optimise" or float
        ``"optimise"``: the learning rate is optimised with the size at each budget; a number ``c``:
        ``gamma(d) = c u(d)`` at every size (SGD: ``c`` times the largest stable rate); ``None``: the
        rate the optimizer's theory assumes (its rules' ``frontier_lr``: SGD 0.5, signSGD optimised).
    schedule : theory.Schedule
        Learning-rate schedule (durations are fractions of each run's horizon).
    flops : array, optional
        Increasing budgets ``f = d r B``. Default: 40 log-spaced values spanning what the grid
        reaches (fixed ``lr``), 25 over ``10 d_max B .. 1e6 d_min B`` (``"optimise"``).
    d_grid : array of int, optional
        Model sizes. Default: 20 log-spaced sizes from 100 to 6400 (fixed ``lr``); 25 sizes from
        64 to 4096, 4 per octave (``"optimise"``).
    lr_factors : array, optional
        ``"optimise"`` only: the lattice of ``c`` (default: the optimizer's own, e.g. SGD
        ``0.98 * 2^(-8 .. 0.5)`` 4 per octave, signSGD ``10^(-6 .. 0.5)`` 8 per decade). A coarser
        lattice (4 per decade) makes the parabola-refined minimum jitter by about 1 % as it moves
        along the lattice, i.e. +-0.02 in a local slope over one decade.
    v_ratio : float
        ``v = round(v_ratio d)`` (the authors use 4-10).
    spectrum : {"deterministic", "surrogate"}
        Deterministic equivalent (default) or the surrogate ``j^(-2 alpha)``, ``j^(-2 alpha - 2 beta)``
        (which has no absolutely-continuous part, hence no ``F_ac`` term).
    window : float
        Decades of ``f`` per local-slope window.
    h : float
        Relative chunk length of the log-grid solvers (SGD uses ``2 h``).
    max_iter : int
        Growth steps of the pattern search per budget (``"optimise"``).
    progress : callable, optional
        ``progress(done, total)``, called after each model size (fixed ``lr``) or budget
        (``"optimise"``) is done; the CLI draws a progress bar with it.

    Returns
    -------
    Frontier

    Examples
    --------
    >>> fr = frontier(1.0, 0.75, lr=0.5, spectrum="surrogate", d_grid=[50, 100, 200, 400],
    ...               flops=np.logspace(4, 6, 9))
    >>> bool(np.all(np.diff(fr.p_star) < 0)), fr.phase
    (True, 'II')
    >>> fr = frontier(0.7, 1.2, "sgd", lr="optimise", flops=[1e5, 1e6, 1e7], d_grid=[32, 64, 128, 256])
    >>> bool(np.all(np.diff(fr.p_star) < 0)), fr.method
    (True, 'optimise')

    References
    ----------
    Paquette et al. 2024 (arXiv:2405.15074), Sec. 4 and Table 2; Kim, Song & Yun (2026),
    arXiv:2603.02069; research note ``plrf_signsgd.md`` Sec. 1.6, 1.9.
    """
    t0 = time.perf_counter()
    a = check_real("alpha", alpha, gt=0)
    b = check_real("beta", beta)
    if not 2 * a + 2 * b > 1:
        raise ParameterError("2*alpha + 2*beta", "2*alpha + 2*beta > 1", 2 * a + 2 * b)
    rules = RULES[optimizer]
    template = optimizer if isinstance(optimizer, Optimizer) else resolve_optimizer(optimizer, lr=1.0)
    lr = rules.frontier_lr if lr is None else lr
    if not isinstance(schedule, Schedule):
        raise ParameterError("schedule", "a theory.Schedule instance", type(schedule).__name__)
    check_choice("spectrum", spectrum, ("deterministic", "surrogate"))
    v_ratio = check_real("v_ratio", v_ratio, ge=1)
    window = check_real("window", window, gt=0)
    if progress is not None and not callable(progress):
        raise ParameterError("progress", "a callable progress(done, total) or None", progress)
    h = check_real("h", h, gt=0, le=0.25)
    optimise = isinstance(lr, str)
    if optimise:
        check_choice("lr", lr, ("optimise",))
        max_iter = check_int("max_iter", max_iter, ge=1)
    else:
        lr = check_real("lr", lr, gt=0)
        if lr_factors is not None:
            raise ParameterError("lr_factors", "only with lr='optimise'", lr_factors)
    default_d = np.geomspace(64, 4096, 25) if optimise else np.geomspace(100, 6400, 20)
    dg = np.asarray(default_d if d_grid is None else d_grid, dtype=float)
    if dg.ndim != 1 or dg.size < 1 or not np.all(np.isfinite(dg)) or np.any(dg < 1):
        raise ParameterError("d_grid", "model sizes >= 1", d_grid)
    dg = np.unique(np.round(dg).astype(int))
    if not optimise and dg.size < 3:
        raise ParameterError("d_grid", "at least 3 distinct sizes >= 1", d_grid)
    B = template.batch
    if optimise:
        F = _check_flops(flops, np.logspace(np.log10(dg[-1] * B * 10), np.log10(dg[0] * B * 1e6), 25))
        if np.any(np.diff(F) <= 0):
            raise ParameterError("flops", "an increasing sequence of at least 2 positive budgets", flops)
        cs = np.asarray(rules.lr_factors if lr_factors is None else lr_factors, dtype=float)
        if cs.ndim != 1 or cs.size < 1 or not np.all(np.isfinite(cs)) or np.any(cs <= 0):
            raise ParameterError("lr_factors", "positive learning-rate factors", lr_factors)
        cs = np.unique(cs)
        res = _optimised(a, b, F, dg, cs, v_ratio, spectrum, schedule, template, rules, h, max_iter, progress)
    else:
        F = np.unique(_check_flops(flops, np.logspace(np.log10(dg[-1] * B * 10), np.log10(dg[0] * B * 1e6), 40)))
        if F.size < 3:
            raise ParameterError("flops", "at least 3 distinct finite budgets > 0", flops)
        cs = np.array([lr])
        try:
            res = _fixed(a, b, F, dg, float(lr), v_ratio, spectrum, schedule, template, rules, h, progress)
        except StabilityError as exc:  # a status, not an exception (the library's rule for runs)
            e0, i0 = np.zeros(0), np.zeros(0, bool)
            diag = {"message": str(exc), "lr_max": exc.lr_max, "lr": exc.lr, "lr_rule": rules.lr_rule + f", c = {lr:g}",
                    "spectrum": spectrum, "v_ratio": v_ratio, "batch": B, "runs": 0,
                    "seconds": time.perf_counter() - t0}
            nan = float("nan")
            return Frontier(a, b, rules.optimizer_name, schedule.spec(), "fixed", e0, e0, e0, e0, e0, i0, i0, dg, cs,
                            e0, e0, e0, nan, nan, nan, None, None, None, None, window, "diverged", diag)
    F, risk, d_opt, c_opt, lr_opt, edge_d, edge_c, diag = res
    inner = ~(edge_d | edge_c)
    if inner.sum() >= 3:
        centers, s_eta = local_slopes(F[inner], risk[inner], window=window)
        _, s_xi = local_slopes(F[inner], d_opt[inner], window=window)
    else:
        centers = s_eta = s_xi = np.zeros(0)
    eta_fit = -upper_fit(F, risk, inner)
    xi_fit = upper_fit(F, d_opt, inner)
    e_fit = (-upper_fit(d_opt, lr_opt, inner) if inner.sum() >= 2 and np.ptp(np.log(d_opt[inner])) > 0.1
             else float("nan"))
    ex = theory.plrf.compute_optimal_exponents(a, b, template, schedule)
    diag.update({"lr_rule": rules.lr_rule + (", (d, c) minimised at each budget" if optimise else f", c = {lr:g}"),
                 "spectrum": spectrum, "v_ratio": v_ratio, "batch": B, "seconds": time.perf_counter() - t0})
    return Frontier(a, b, rules.optimizer_name, schedule.spec(), "optimise" if optimise else "fixed", F, risk, d_opt,
                    lr_opt, c_opt, edge_d, edge_c, dg, cs, centers, -s_eta, s_xi, eta_fit, xi_fit, e_fit, ex.eta,
                    ex.xi, ex.e, ex.phase, window, "ok" if inner.sum() >= 3 else "edge", diag)


def _lr_at(d, lat):
    """The learning-rate unit at a refined size ``d``: exact where cheap, else interpolated in
    ``log d`` between the lattice sizes that were solved."""
    p = PLRF(lat.a, lat.b, max(int(round(lat.v_ratio * d)), int(round(d))), int(round(d)))
    u = lat.rules.lr_scale_cheap(p, d)
    if u is not None:
        return u
    js = sorted(lat._models)
    return float(np.exp(np.interp(math.log(d), np.log(lat.ds[js]), np.log([lat._models[j][2] for j in js]))))


def _optimised(a, b, F, dg, cs, v_ratio, spectrum, schedule, template, rules, h, max_iter, progress=None):
    lat = _Lattice(a, b, F, dg, cs, v_ratio, spectrum, schedule, template, rules, h)
    n = F.size
    risk, d_opt, c_opt, lr_opt = (np.full(n, np.nan) for _ in range(4))
    edge_d, edge_c = np.zeros(n, bool), np.zeros(n, bool)
    j0 = dg.size // 2
    k0 = int(np.argmin(np.abs(np.log(cs) - np.log(rules.lr_factor_start))))
    for i in range(n):
        J, K = lattice_search(lat, i, j0, k0, max_iter)
        res = lattice_refine(lat, i, J, K)
        if res is None:
            if progress is not None:
                progress(i + 1, n)
            continue
        risk[i], d_opt[i], c_opt[i], edge_d[i], edge_c[i], j0, k0 = res
        lr_opt[i] = c_opt[i] * _lr_at(d_opt[i], lat)
        if progress is not None:
            progress(i + 1, n)
    keep = np.isfinite(risk)
    if not keep.any():
        raise ParameterError("flops", f"budgets f >= the smallest size {dg[0]} (at least one step)", F.tolist())
    out = tuple(x[keep] for x in (F, risk, d_opt, c_opt, lr_opt, edge_d, edge_c))
    return out + ({"runs": lat.runs},)


def _fixed(a, b, F, dg, c, v_ratio, spectrum, schedule, template, rules, h, progress=None):
    B = template.batch
    P = np.full((F.size, dg.size), np.inf)
    lrs = np.empty(dg.size)
    runs = 0
    for k, dd in enumerate(dg):
        prob = PLRF(a, b, int(round(v_ratio * dd)), int(dd))
        md = rules.model(prob, spectrum)
        g = c * rules.lr_scale(prob, md, template)
        lrs[k] = g
        r = np.floor(F / (dd * B)).astype(np.int64)
        ok = r >= 1
        if progress is not None and k:
            progress(k, dg.size)
        if not ok.any():
            continue
        if schedule.is_constant:
            rec = np.unique(np.concatenate([[0], r[ok]]))
            curve = rules.frontier_curve(prob, md, dataclasses.replace(template, lr=g), schedule, int(rec[-1]), rec, h)
            runs += 1
            if curve.status == "diverged":
                raise StabilityError(g, curve.lr_max, f"d={dd}")
            P[ok, k] = curve.risk[np.searchsorted(curve.steps, r[ok])]
        else:
            for i in np.flatnonzero(ok):
                curve = rules.frontier_curve(prob, md, dataclasses.replace(template, lr=g), schedule, int(r[i]),
                                             [0, int(r[i])], h)
                runs += 1
                if curve.status == "diverged":
                    raise StabilityError(g, curve.lr_max, f"d={dd}")
                P[i, k] = curve.risk[-1]
    if progress is not None:
        progress(dg.size, dg.size)
    ld = np.log(dg.astype(float))
    ps, ds, edge, keep = [], [], [], []
    for i in range(F.size):
        row = P[i]
        fin = np.isfinite(row)
        if fin.sum() < 1:
            continue
        j = int(np.argmin(np.where(fin, row, np.inf)))
        if 0 < j < dg.size - 1 and fin[j - 1] and fin[j + 1]:
            xv, yv = parabola_min(ld, np.log(row), j)
            ps.append(np.exp(yv))
            ds.append(np.exp(xv))
            edge.append(False)
        else:
            ps.append(row[j])
            ds.append(float(dg[j]))
            edge.append(True)
        keep.append(i)
    if not keep:
        raise ParameterError("flops", f"budgets f >= the smallest size {dg[0]} times the batch (one step)", F.tolist())
    ds = np.array(ds)
    lr_opt = np.exp(np.interp(np.log(ds), ld, np.log(lrs)))
    return (F[keep], np.array(ps), ds, np.full(ds.size, c), lr_opt, np.array(edge, bool), np.zeros(ds.size, bool),
            {"runs": runs, "lr_by_size": lrs, "risk_table": P[keep]})
