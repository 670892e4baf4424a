"""Check the measured compute-optimal frontier of signSGD on PLRF against its symbolic exponents.

The measured frontier (:func:`numerics.signsgd_frontier`, ``d`` and ``gamma`` optimised per
budget) gives local slopes of ``P*(f)``; finite-size slopes converge slowly, so the check does
not compare one global fit with the asymptote but asks whether the **last** local slope is
within a tolerance that the data themselves set:

* ``eta_last``, ``eta_prev``: least-squares slopes of ``-log P*`` on ``log f`` over the last
  ``window`` decades of the budgets whose minimiser is inside the lattice, and over the
  ``window`` decades before them (disjoint windows), each with its standard error ``se``;
* ``drift = eta_last - eta_prev``. If the finite-size correction to the local slope decays at
  least geometrically by a factor ``q <= 1/2`` per window (a power-law correction
  ``f^-delta`` with ``delta >= log10(2) / window``), the distance still to go is at most
  ``|drift| q / (1 - q) <= |drift|``;
* ``tolerance = 2 |drift| + 2 sqrt(se_last^2 + se_prev^2) + 0.01``: twice that bound, two
  standard errors of the difference (the jitter of the refined minimum, which also enters the
  drift), and 0.01 for the discretisation of the equations (log-grid chunks, ``h = 0.01``).

``passed`` iff ``|eta_last - eta_symbolic| <= tolerance``; ``trend`` says whether the last
window moved toward the symbolic value. SGD's frontier (same sizes and budgets, its learning
rate optimised the same way) is measured beside it for reference.

References
----------
Kim, Song & Yun (2026), arXiv:2603.02069 (signSGD compute-optimal exponents); Paquette et al.
(2024), arXiv:2405.15074, Sec. 4 and Fig. 5(c) (slow convergence of finite-size exponents).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

import numerics
import theory
from theory import Constant, ParameterError, Schedule
from theory.validate import check_real

from numerics._signsgd_frontier import lr_optimised_frontier  # numerics.lr_optimised_frontier once exported

__all__ = ["FrontierCheck", "check_signsgd_frontier"]


@dataclass(frozen=True)
class FrontierCheck:
    """Outcome of :func:`check_signsgd_frontier`.

    Attributes
    ----------
    status : "ok" | "failed" | "insufficient"
        ``insufficient`` when fewer than two disjoint windows of inner budgets exist.
    passed : bool
    eta_last, eta_prev, se_last, se_prev : float
        Local slopes (and standard errors) of signSGD's ``P*`` over the last two disjoint windows.
    eta_symbolic, xi_symbolic, e_symbolic : float
        ``theory.signsgd_exponents_at``.
    eta_sgd_last, eta_sgd_symbolic : float
        SGD's local slope over the same window and its symbolic value (NaN if not measured).
    tolerance, drift : float
    trend : "toward" | "away"
    xi_last, e_measured : float
        Local ``d*`` slope over the last window; fitted optimal-rate exponent of signSGD.
    """

    status: str
    passed: bool
    eta_last: float
    eta_prev: float
    se_last: float
    se_prev: float
    eta_symbolic: float
    xi_symbolic: float
    e_symbolic: float
    eta_sgd_last: float
    eta_sgd_symbolic: float
    tolerance: float
    drift: float
    trend: str
    xi_last: float
    e_measured: float
    window: tuple
    frontier: object = field(repr=False, default=None)
    sgd_frontier: object = field(repr=False, default=None)

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in ("status", "passed", "eta_last", "eta_prev", "se_last", "se_prev",
                                               "eta_symbolic", "xi_symbolic", "e_symbolic", "eta_sgd_last",
                                               "eta_sgd_symbolic", "tolerance", "drift", "trend", "xi_last",
                                               "e_measured", "window")}


def _window_slope(lf, ly, lo, hi):
    sel = (lf >= lo - 1e-12) & (lf <= hi + 1e-12)
    if sel.sum() < 3:
        return math.nan, math.nan
    x, y = lf[sel], ly[sel]
    A = np.vstack([x, np.ones_like(x)]).T
    coef, *_ = np.linalg.lstsq(A, y, rcond=None)
    res = y - A @ coef
    dof = max(x.size - 2, 1)
    se = math.sqrt(float(res @ res) / dof / float(np.sum((x - x.mean()) ** 2)))
    return float(coef[0]), se


def _last_two(fr, window):
    inner = fr.inner
    lf, lp, ld = np.log10(fr.flops[inner]), np.log10(fr.risk[inner]), np.log10(fr.d_opt[inner])
    if lf.size < 6:
        return None
    hi = lf[-1]
    s1, e1 = _window_slope(lf, lp, hi - window, hi)
    s0, e0 = _window_slope(lf, lp, hi - 2 * window, hi - window)
    x1, _ = _window_slope(lf, ld, hi - window, hi)
    if not (np.isfinite(s1) and np.isfinite(s0)):
        return None
    return -s1, e1, -s0, e0, x1, (10 ** (hi - window), 10 ** hi)


def check_signsgd_frontier(alpha: float, beta: float, *, flops=None, ds=None, spectrum: str = "deterministic",
                           schedule: Schedule = Constant(), window: float = 1.0, with_sgd: bool = True
                           ) -> FrontierCheck:
    """Do the measured local slopes of signSGD's compute-optimal frontier approach the symbolic ``eta``?

    Parameters
    ----------
    alpha, beta : float
        PLRF exponents (``2 alpha + 2 beta > 1``).
    flops : array, optional
        Budgets (default ``10^4 .. 10^8``, 4 per decade).
    ds : array of int, optional
        Model sizes (default 64 .. 8192, ratio ``sqrt 2``).
    spectrum : {"deterministic", "surrogate"}
    schedule : theory.Schedule
        Passed to the frontiers (the symbolic value is the constant-rate one).
    window : float
        Decades of ``f`` per window (two disjoint windows at the top of the inner budgets).
    with_sgd : bool
        Also measure SGD's frontier for reference.

    Returns
    -------
    FrontierCheck
        Tolerance and pass rule in the module docstring.

    Examples
    --------
    >>> c = check_signsgd_frontier(0.7, 1.2, flops=np.logspace(4, 5.5, 7), ds=[64, 128, 256, 512, 1024, 2048],
    ...                            window=0.5, with_sgd=False)
    >>> c.status in ("ok", "failed"), round(c.eta_symbolic, 4)
    (True, 0.7368)

    References
    ----------
    Kim, Song & Yun (2026), arXiv:2603.02069; Paquette et al. (2024), arXiv:2405.15074, Fig. 5(c).
    """
    a = check_real("alpha", alpha, gt=0)
    b = check_real("beta", beta)
    if not 2 * a + 2 * b > 1:
        raise ParameterError("2*alpha + 2*beta", "2*alpha + 2*beta > 1", 2 * a + 2 * b)
    window = check_real("window", window, gt=0)
    F = np.logspace(4, 8, 17) if flops is None else flops
    dg = np.unique(np.round(np.geomspace(64, 8192, 15)).astype(int)) if ds is None else ds
    fr = numerics.signsgd_frontier(a, b, F, ds=dg, spectrum=spectrum, schedule=schedule, window=window)
    sym = theory.signsgd_exponents_at(a, b)
    sgd_sym = float(theory.compute_optimal_exponents(a, b, "sgd").eta)
    sg = lr_optimised_frontier(a, b, F, optimizer="sgd", ds=dg, spectrum=spectrum, schedule=schedule,
                               window=window) if with_sgd else None
    nan = math.nan
    got = _last_two(fr, window)
    if got is None:
        return FrontierCheck("insufficient", False, nan, nan, nan, nan, float(sym.eta), float(sym.xi), float(sym.e),
                             nan, sgd_sym, nan, nan, "away", nan, fr.e_measured, (nan, nan), fr, sg)
    e1, s1, e0, s0, x1, win = got
    eta_sgd = nan
    if sg is not None:
        inner = sg.inner
        lf = np.log10(sg.flops[inner])
        s, _ = _window_slope(lf, np.log10(sg.risk[inner]), math.log10(win[0]), math.log10(win[1]))
        eta_sgd = -s
    drift = e1 - e0
    tol = 2 * abs(drift) + 2 * math.hypot(s1, s0) + 0.01
    ok = abs(e1 - float(sym.eta)) <= tol
    trend = "toward" if abs(e1 - float(sym.eta)) <= abs(e0 - float(sym.eta)) else "away"
    return FrontierCheck("ok" if ok else "failed", bool(ok), e1, e0, s1, s0, float(sym.eta), float(sym.xi),
                         float(sym.e), eta_sgd, sgd_sym, tol, drift, trend, x1, fr.e_measured, win, fr, sg)
