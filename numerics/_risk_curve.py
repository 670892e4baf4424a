"""Risk curves: one call from (problem, optimizer, schedule, horizon) to a curve on log-spaced steps.

Dispatch is on the optimizer's class through :func:`register_risk_solver`, so an optimizer
defined elsewhere (e.g. signSGD) plugs in its own solver without touching this module. SGD is
registered here: spectrum (deterministic equivalent, exact for one sampled ``W``, or given) ->
stability check -> forcing/kernel as exponential sums -> Volterra solve (``series`` for short
constant-rate horizons, ``loggrid`` otherwise, or the exact per-step ``recursion``).

References
----------
Paquette, Paquette, Xiao & Pennington, "4+3 Phases of Compute-Optimal Neural Scaling Laws",
NeurIPS 2024 (arXiv:2405.15074), Sec. 2 (Volterra equation) and Sec. 3 (risk curves).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from theory import PLRF, SGD, Constant, ParameterError, Schedule
from theory.validate import check_choice, check_int, check_real

from ._forcing_kernel import forcing_kernel, kernel_norm, max_stable_lr, sgd_modes
from ._spectra import Spectrum, exact_spectrum, surrogate_spectrum
from ._volterra import log_grid, solve_volterra

__all__ = ["RiskCurve", "risk_curve", "register_risk_solver", "RISK_SOLVERS", "exact_recursion", "get_spectrum"]

#: optimizer class -> solver ``fn(problem, optimizer, schedule, steps, **options) -> RiskCurve``
RISK_SOLVERS: dict = {}


@dataclass(frozen=True)
class RiskCurve:
    """A risk curve on (log-spaced) steps, with its diagnostics.

    Attributes
    ----------
    steps : ndarray of int
        Steps ``r`` (0 included), increasing.
    risk : ndarray
        Expected risk ``P(r)`` (MSE without 1/2, ``theory.CONVENTIONS``); empty when diverged.
    status : {"ok", "diverged", "not_converged"}
    message : str
    method : str
    kernel_norm : float
        ``||K||`` at the peak learning rate.
    lr_max : float
        Largest stable learning rate (optimizer's convention).
    error_estimate : float
        Relative error estimate of the solver (0 for exact methods).
    spectrum_kind : str
    flops : ndarray
        ``f = d r B``.
    """

    steps: np.ndarray
    risk: np.ndarray
    status: str
    message: str
    method: str
    kernel_norm: float
    lr_max: float
    error_estimate: float = 0.0
    spectrum_kind: str = ""
    flops: np.ndarray | None = None
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "steps": self.steps, "risk": self.risk, "status": self.status, "message": self.message,
            "method": self.method, "kernel_norm": self.kernel_norm, "lr_max": self.lr_max,
            "error_estimate": self.error_estimate, "spectrum": self.spectrum_kind,
        }


def register_risk_solver(optimizer_cls, fn) -> None:
    """Register ``fn(problem, optimizer, schedule, steps, **options) -> RiskCurve`` for a class.

    Subclasses of ``optimizer_cls`` use it too unless they register their own.

    >>> sorted(c.__name__ for c in RISK_SOLVERS)[:1]
    ['SGD']
    """
    if not isinstance(optimizer_cls, type):
        raise ParameterError("optimizer_cls", "a class", optimizer_cls)
    if not callable(fn):
        raise ParameterError("fn", "a callable", fn)
    RISK_SOLVERS[optimizer_cls] = fn


def _solver_for(optimizer):
    for cls in type(optimizer).__mro__:
        if cls in RISK_SOLVERS:
            return RISK_SOLVERS[cls]
    raise ParameterError("optimizer", "an optimizer with a registered risk solver: "
                         + ", ".join(c.__name__ for c in RISK_SOLVERS), type(optimizer).__name__)


def risk_curve(problem: PLRF, optimizer, schedule: Schedule = Constant(), steps: int = 10_000, *,
               spectrum="deterministic", seed=None, n_points: int = 200, method: str = "auto",
               **options) -> RiskCurve:
    """Expected risk of ``optimizer`` on ``problem`` over ``steps`` steps, on log-spaced steps.

    Parameters
    ----------
    problem : theory.PLRF
    optimizer : theory.Optimizer
        Dispatched through :func:`register_risk_solver` (SGD is built in).
    schedule : theory.Schedule
        Learning-rate schedule (durations are fractions of ``steps``).
    steps : int
        Horizon ``N``; the curve covers ``r = 0..N``.
    spectrum : {"deterministic", "exact", "surrogate"} or Spectrum
        Deterministic equivalent (default), the exact spectrum of one ``W`` drawn from ``seed``,
        the authors' surrogate, or a given spectrum.
    n_points : int
        About this many log-spaced output steps (plus 0).
    method : {"auto", "series", "loggrid", "recursion"}
        ``auto``: ``series`` (exact) for constant schedules with ``N <= 16384`` and ``N d <= 2e7``
        (the cost of tabulating ``F`` and ``K``), else ``loggrid``.
    **options
        SGD solver options: ``h`` (log-grid ratio, default 0.04 at constant rate and 0.005 with a
        schedule), ``rtol`` (error-estimate threshold for ``not_converged``, 1e-3), ``record``
        (explicit output steps instead of ``n_points``), ``de_rtol``.

    Returns
    -------
    RiskCurve
        ``status="diverged"`` (empty risk, ``lr_max`` and message set) when the learning rate is
        past the stability limit -- never an overflowing or NaN curve.

    Examples
    --------
    >>> from theory import SGD
    >>> c = risk_curve(PLRF(1.0, 0.75, 200, 50), SGD(lr=0.4), steps=1000, spectrum="surrogate", n_points=4)
    >>> c.steps.tolist(), c.status, c.method
    ([0, 1, 10, 100, 1000], 'ok', 'series')
    >>> risk_curve(PLRF(1.0, 0.75, 200, 50), SGD(lr=5.0), steps=10, spectrum="surrogate").status
    'diverged'

    References
    ----------
    Paquette et al. 2024 (arXiv:2405.15074), Sec. 2-3.
    """
    if not isinstance(problem, PLRF):
        raise ParameterError("problem", "a theory.PLRF instance", type(problem).__name__)
    if not isinstance(schedule, Schedule):
        raise ParameterError("schedule", "a theory.Schedule instance", type(schedule).__name__)
    steps = check_int("steps", steps, ge=1)
    n_points = check_int("n_points", n_points, ge=2)
    fn = _solver_for(optimizer)
    return fn(problem, optimizer, schedule, steps, spectrum=spectrum, seed=seed, n_points=n_points,
              method=method, **options)


@lru_cache(maxsize=64)
def _de_spectrum_cached(problem: PLRF, rtol: float):
    from ._deterministic_equivalent import deterministic_equivalent

    return deterministic_equivalent(problem, rtol=rtol).spectrum


def get_spectrum(problem: PLRF, spectrum="deterministic", *, seed=None, rtol: float = 1e-10) -> Spectrum:
    """Resolve the ``spectrum=`` argument of :func:`risk_curve` to a :class:`Spectrum` (cached for DE)."""
    if isinstance(spectrum, Spectrum):
        return spectrum
    check_choice("spectrum", spectrum, ("deterministic", "exact", "surrogate"))
    if spectrum == "exact":
        return exact_spectrum(problem, seed=seed)
    if spectrum == "surrogate":
        return surrogate_spectrum(problem)
    return _de_spectrum_cached(problem, float(rtol))


def exact_recursion(spectrum: Spectrum, optimizer: SGD, schedule: Schedule = Constant(), steps: int = 100,
                    record=None) -> np.ndarray:
    """The exact per-step second-moment recursion ``c_i(r+1) = q_i c_i(r) + g_i P(r)``.

    ``O(steps x d)`` time, ``O(d)`` memory; the independent reference for every solver. Returns
    ``P`` at ``record`` (default: every step ``0..steps``).

    One mode (``q = 0.82``, ``K(r) = 0.01 q^r``): ``P(1) = 0.82 + 0.01``,
    ``P(2) = 0.6724 + 0.0082 + 0.01 * 0.83``:

    >>> s = Spectrum([1.0], [1.0], 0.0)
    >>> np.round(exact_recursion(s, SGD(lr=0.1), steps=2), 6)
    array([1.    , 0.83  , 0.6889])

    References
    ----------
    ``theory.SGD.mode_update``; research note ``plrf_signsgd.md`` Sec. 1.4(a).
    """
    steps = check_int("steps", steps, ge=0)
    rec = np.arange(steps + 1) if record is None else np.asarray(record, dtype=np.int64)
    lam = spectrum.eigenvalues
    y = spectrum.weights.copy()  # y_i = lambda_i c_i
    gamma, B = optimizer.lr_sum, optimizer.batch
    factors = schedule(np.arange(steps), steps) if steps else np.zeros(0)
    out = np.empty(rec.size)
    want = np.zeros(steps + 1, bool)
    want[rec] = True
    pos = {int(r): i for i, r in enumerate(rec)}
    for r in range(steps + 1):
        P = spectrum.p_inf + y.sum()
        if want[r]:
            out[pos[r]] = P
        if r == steps:
            break
        qm1, kw = sgd_modes(lam, gamma * factors[r], B)
        y = (1.0 + qm1) * y + kw * P
    return out


def _peak_factor(schedule: Schedule, steps: int) -> float:
    probe = np.unique(np.concatenate([log_grid(max(steps - 1, 1), 400),
                                      np.rint(np.linspace(0, steps - 1, 2001))]))
    probe = probe[probe <= steps - 1]
    return float(np.max(schedule(probe, steps)))


def _sgd_risk_solver(problem, optimizer, schedule, steps, *, spectrum="deterministic", seed=None, n_points=200,
                     method="auto", h: float | None = None, rtol: float = 1e-3, de_rtol: float = 1e-10,
                     record=None) -> RiskCurve:
    check_choice("method", method, ("auto", "series", "loggrid", "recursion", "direct"))
    if h is None:  # log-grid ratio: measured errors ~1e-5 (constant rate), ~1e-4 with a schedule
        h = 0.04 if isinstance(schedule, Constant) else 0.005
    h = check_real("h", h, gt=0, le=0.5)
    spec = get_spectrum(problem, spectrum, seed=seed, rtol=de_rtol)
    lr_max = max_stable_lr(spec, optimizer)
    constant = isinstance(schedule, Constant)
    peak = 1.0 if constant else _peak_factor(schedule, steps)
    peak_opt = optimizer if peak == 1.0 else dataclasses.replace(optimizer, lr=optimizer.lr * peak)
    knorm = kernel_norm(spec, peak_opt)
    rec = log_grid(steps, n_points) if record is None else np.unique(np.asarray(record, dtype=np.int64))
    flops = rec * problem.d * optimizer.batch
    if not (optimizer.lr * peak < lr_max and knorm < 1.0):
        msg = (f"learning rate gamma={optimizer.lr * peak:.6g} (peak) is past the stability limit: the risk "
               f"diverges (kernel norm {knorm:.4g}); the largest stable gamma is {lr_max:.6g}")
        return RiskCurve(rec[:0], np.zeros(0), "diverged", msg, method, knorm, lr_max, float("inf"), spec.kind, flops[:0])
    if method == "auto":
        method = "series" if constant and steps <= 16384 and steps * spec.d <= 2e7 else "loggrid"
    if method in ("series", "direct"):
        if not constant:
            raise ParameterError("method", "'loggrid' or 'recursion' with a non-constant schedule", method)
        fk = forcing_kernel(spec, optimizer, steps + 1)
        res = solve_volterra(fk.F, fk.K, method=method)
        risk, err, status, msg = res.risk[rec], 0.0, res.status, res.message
    elif method == "recursion":
        risk = exact_recursion(spec, optimizer, schedule, steps, rec)
        err, status, msg = 0.0, "ok", f"exact per-step recursion over {steps} steps x {spec.d} modes"
    else:
        fk = forcing_kernel(spec, optimizer)
        if constant:
            res = solve_volterra(fk.forcing, fk.kernel, method="loggrid", times=rec, h=h, rtol=rtol)
        else:
            gamma, B, lam = optimizer.lr_sum, optimizer.batch, spec.eigenvalues

            def rate_fn(phi):
                qm1, kw = sgd_modes(lam, gamma * phi, B)
                return np.log1p(qm1), kw

            res = solve_volterra(fk.forcing, fk.kernel, method="loggrid", times=rec, h=h, rtol=rtol,
                                 rate_fn=rate_fn, lr_factors=schedule, schedule_horizon=steps)
        risk, err, status, msg = res.risk, res.residual, res.status, res.message
    return RiskCurve(rec, np.asarray(risk), status, msg, method, knorm, lr_max, err, spec.kind, flops)


register_risk_solver(SGD, _sgd_risk_solver)
