"""Check the measured compute-optimal frontier of an optimizer on PLRF against its symbolic exponents.

The measured frontier (:func:`numerics.plrf.frontier` with ``lr="optimise"``: ``d`` and ``gamma``
optimised per budget) gives local slopes of ``P*(f)``; finite-size slopes converge slowly, so the check does
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
window moved toward the symbolic value. A reference optimizer's frontier (same sizes and budgets,
its learning rate optimised the same way; SGD by default) is measured beside it.

References
----------
Kim, Song & Yun (2026), arXiv:2603.02069 (signSGD compute-optimal exponents); Paquette et al.
(2024), arXiv:2405.15074, Sec. 4 and Fig. 5(c) (slow convergence of finite-size exponents).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

import numerics.plrf
import theory.plrf
from theory import Constant, ParameterError, Schedule, optimizer_class
from theory.validate import check_real

__all__ = ["FrontierCheck", "check_frontier"]


@dataclass(frozen=True)
class FrontierCheck:
    """Outcome of :func:`check_frontier`.

    Attributes
    ----------
    status : "ok" | "failed" | "insufficient"
        ``insufficient`` when fewer than two disjoint windows of inner budgets exist.
    passed : bool
    eta_last, eta_prev, se_last, se_prev : float
        Local slopes (and standard errors) of the optimizer's ``P*`` over the last two disjoint windows.
    eta_symbolic, xi_symbolic, e_symbolic : float
        ``theory.plrf.compute_optimal_exponents`` of the optimizer.
    eta_ref_last, eta_ref_symbolic : float
        The reference optimizer's local slope over the same window and its symbolic value (NaN if
        not measured).
    tolerance, drift : float
    trend : "toward" | "away"
    xi_last, e_measured : float
        Local ``d*`` slope over the last window; fitted optimal-rate exponent.
    optimizer, reference : str
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
    eta_ref_last: float
    eta_ref_symbolic: float
    tolerance: float
    drift: float
    trend: str
    xi_last: float
    e_measured: float
    window: tuple
    optimizer: str = ""
    reference: str | None = None
    frontier: object = field(repr=False, default=None)
    reference_frontier: object = field(repr=False, default=None)

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in ("status", "passed", "eta_last", "eta_prev", "se_last", "se_prev",
                                               "eta_symbolic", "xi_symbolic", "e_symbolic", "eta_ref_last",
                                               "eta_ref_symbolic", "tolerance", "drift", "trend", "xi_last",
                                               "e_measured", "window", "optimizer", "reference")}


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
    lf, lp, ld = np.log10(fr.flops[inner]), np.log10(fr.p_star[inner]), np.log10(fr.d_star[inner])
    if lf.size < 6:
        return None
    hi = lf[-1]
    s1, e1 = _window_slope(lf, lp, hi - window, hi)
    s0, e0 = _window_slope(lf, lp, hi - 2 * window, hi - window)
    x1, _ = _window_slope(lf, ld, hi - window, hi)
    if not (np.isfinite(s1) and np.isfinite(s0)):
        return None
    return -s1, e1, -s0, e0, x1, (10 ** (hi - window), 10 ** hi)


def check_frontier(alpha: float, beta: float, optimizer="signsgd", *, reference="sgd", flops=None, ds=None,
                   spectrum: str = "deterministic", schedule: Schedule = Constant(), window: float = 1.0
                   ) -> FrontierCheck:
    """Do the measured local slopes of an optimizer's compute-optimal frontier approach its symbolic ``eta``?

    Parameters
    ----------
    alpha, beta : float
        PLRF exponents (``2 alpha + 2 beta > 1``).
    optimizer : str, class or instance
        Any optimizer with PLRF numerics and theory rules.
    reference : str, class, instance or None
        A second optimizer measured over the same window for reference (None: none).
    flops : array, optional
        Budgets (default ``10^4 .. 10^8``, 4 per decade).
    ds : array of int, optional
        Model sizes (default 64 .. 8192, ratio ``sqrt 2``).
    spectrum : {"deterministic", "surrogate"}
    schedule : theory.Schedule
        Passed to the frontiers and to the symbolic exponents.
    window : float
        Decades of ``f`` per window (two disjoint windows at the top of the inner budgets).

    Returns
    -------
    FrontierCheck
        Tolerance and pass rule in the module docstring.

    Examples
    --------
    >>> c = check_frontier(0.7, 1.2, "signsgd", flops=np.logspace(4, 5.5, 7), ds=[64, 128, 256, 512, 1024, 2048],
    ...                    window=0.5, reference=None)
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
    fr = numerics.plrf.frontier(a, b, optimizer, lr="optimise", flops=F, d_grid=dg, spectrum=spectrum,
                                schedule=schedule, window=window)
    sym = theory.plrf.compute_optimal_exponents(a, b, optimizer, schedule)
    name = optimizer_class(optimizer).name
    ref_name = None if reference is None else optimizer_class(reference).name
    ref_sym = math.nan if reference is None else float(
        theory.plrf.compute_optimal_exponents(a, b, reference, schedule).eta)
    sg = None if reference is None else numerics.plrf.frontier(a, b, reference, lr="optimise", flops=F, d_grid=dg,
                                                               spectrum=spectrum, schedule=schedule, window=window)
    nan = math.nan
    sxi = nan if sym.xi is None else float(sym.xi)
    se_ = nan if sym.e is None else float(sym.e)
    got = _last_two(fr, window)
    if got is None:
        return FrontierCheck("insufficient", False, nan, nan, nan, nan, float(sym.eta), sxi, se_, nan, ref_sym, nan,
                             nan, "away", nan, fr.e_fit, (nan, nan), name, ref_name, fr, sg)
    e1, s1, e0, s0, x1, win = got
    eta_ref = nan
    if sg is not None:
        inner = sg.inner
        lf = np.log10(sg.flops[inner])
        s, _ = _window_slope(lf, np.log10(sg.p_star[inner]), math.log10(win[0]), math.log10(win[1]))
        eta_ref = -s
    drift = e1 - e0
    tol = 2 * abs(drift) + 2 * math.hypot(s1, s0) + 0.01
    ok = abs(e1 - float(sym.eta)) <= tol
    trend = "toward" if abs(e1 - float(sym.eta)) <= abs(e0 - float(sym.eta)) else "away"
    return FrontierCheck("ok" if ok else "failed", bool(ok), e1, e0, s1, s0, float(sym.eta), sxi, se_, eta_ref,
                         ref_sym, tol, drift, trend, x1, fr.e_fit, win, name, ref_name, fr, sg)
