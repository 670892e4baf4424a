"""Numerical compute-optimal frontier of signSGD on PLRF, with the learning rate optimised per
budget, from the per-mode risk equations of :mod:`numerics._signsgd_plrf`.

References
----------
J. Kim, D. Song, C. Yun, "Scaling Laws of SignSGD in Linear Regression: When Does It
Outperform SGD?", ICLR 2026 (arXiv:2603.02069) (``gamma_0 = M^-e`` optimised jointly with the
model size).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from theory import PLRF, Constant, ParameterError, Schedule, SignSGD
from theory._errors import check_real

from ._signsgd_plrf import signsgd_plrf_modes, signsgd_plrf_risk

__all__ = ["SignSGDFrontier", "signsgd_frontier"]


@dataclass(frozen=True)
class SignSGDFrontier:
    """Numerical compute-optimal frontier of signSGD with the learning rate optimised per budget.

    Attributes
    ----------
    flops : budgets ``f``; risk : ``P*(f) = min_{d, gamma} P(f/d; d, gamma)``; d_opt, lr_opt :
    the minimisers; slope : fitted ``-d log P* / d log f`` over the upper half of the budgets
    (``eta``); xi : fitted ``d log d* / d log f``.
    """

    flops: np.ndarray
    risk: np.ndarray
    d_opt: np.ndarray
    lr_opt: np.ndarray
    slope: float
    xi: float
    info: dict


def signsgd_frontier(alpha: float, beta: float, flops, *, ds=None, lr_factors=None, v_ratio: int = 4,
                     spectrum: str = "surrogate", schedule: Schedule = Constant()) -> SignSGDFrontier:
    """Minimise the signSGD risk over model size ``d`` and learning rate at each budget ``f``.

    For each ``d`` in ``ds`` and each ``gamma = c / sqrt(d tr D)`` (``c`` in ``lr_factors``,
    the natural scale of the noise floor ``(pi^2/16) gamma^2 d tr D``) one risk curve is
    computed to ``max(flops)/d`` steps; ``P*(f)`` is the minimum over the grid of the curve
    values at ``f/d`` (log-linear interpolation between recorded steps). With a non-constant
    schedule every budget gets its own run (the schedule's horizon is ``f/d``), so schedules
    are compared at equal compute.

    Examples
    --------
    >>> fr = signsgd_frontier(0.7, 1.2, [1e5, 1e6], ds=[50, 100], lr_factors=[0.02, 0.05])
    >>> fr.risk.shape, bool(fr.risk[1] < fr.risk[0])
    ((2,), True)
    """
    a = check_real("alpha", alpha, gt=0)
    b = check_real("beta", beta)
    F = np.asarray(flops, dtype=float)
    if F.ndim != 1 or F.size < 2 or np.any(F <= 0) or np.any(np.diff(F) <= 0):
        raise ParameterError("flops", "an increasing sequence of at least 2 positive budgets", flops)
    ds = np.asarray(ds if ds is not None else np.unique(np.round(np.geomspace(32, 1024, 9))).astype(int))
    cs = np.asarray(lr_factors if lr_factors is not None else np.geomspace(0.005, 0.2, 7), dtype=float)
    best = np.full(F.size, np.inf)
    d_opt = np.zeros(F.size)
    lr_opt = np.zeros(F.size)
    for d in ds:
        p = PLRF(a, b, int(v_ratio * d), int(d))
        steps = int(math.ceil(F[-1] / d))
        md = signsgd_plrf_modes(p, spectrum)
        for c in cs:
            gam = c / math.sqrt(d * p.trace_D())
            k = F / d
            ok = k >= 1
            vals = np.full(F.size, np.inf)
            if isinstance(schedule, Constant):  # one curve serves every budget
                curve = signsgd_plrf_risk(p, SignSGD(lr=gam), schedule, steps, modes=md, n_points=120,
                                          method="loggrid" if steps > 20_000 else "recursion")
                if curve.status != "ok":
                    continue
                vals[ok] = np.exp(np.interp(np.log(k[ok]), np.log(np.maximum(curve.steps, 1)), np.log(curve.risk)))
            else:  # a schedule's horizon is the budget: one run per budget
                for i in np.flatnonzero(ok):
                    n_i = int(round(k[i]))
                    curve = signsgd_plrf_risk(p, SignSGD(lr=gam), schedule, n_i, modes=md, record=[0, n_i],
                                              method="loggrid" if n_i > 20_000 else "recursion")
                    if curve.status == "ok":
                        vals[i] = curve.risk[-1]
            better = vals < best
            best[better], d_opt[better], lr_opt[better] = vals[better], d, gam
    half = F >= np.sqrt(F[0] * F[-1])
    if np.sum(half) < 2:
        half = np.ones_like(half)
    A = np.vstack([np.log(F[half]), np.ones(int(np.sum(half)))]).T
    slope = -np.linalg.lstsq(A, np.log(best[half]), rcond=None)[0][0]
    xi = np.linalg.lstsq(A, np.log(d_opt[half]), rcond=None)[0][0]
    return SignSGDFrontier(F, best, d_opt, lr_opt, float(slope), float(xi),
                           {"ds": ds.tolist(), "lr_factors": cs.tolist(), "spectrum": spectrum, "schedule": schedule.spec()})
