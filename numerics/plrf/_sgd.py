"""SGD on PLRF: its numerics rules -- the Volterra risk solver, the exact per-step recursion,
the stability limit, and what the frontier and the loss-law bridge need.

Spectrum (deterministic equivalent, exact for one sampled ``W``, or given) -> stability check ->
forcing/kernel as exponential sums -> Volterra solve (``series`` for short constant-rate
horizons, ``loggrid`` otherwise, or the exact per-step ``recursion``).

References
----------
Paquette, Paquette, Xiao & Pennington, "4+3 Phases of Compute-Optimal Neural Scaling Laws",
NeurIPS 2024 (arXiv:2405.15074), Sec. 2 (Volterra equation) and Sec. 3 (risk curves).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from theory import SGD, Constant, ParameterError, Schedule
from theory.validate import check_choice, check_int, check_real

from .._volterra import log_grid, solve_volterra
from ._rules import RULES, PLRFNumericsRules, RiskCurve, spectrum_of
from ._sgd_kernel import forcing_kernel, kernel_norm, max_stable_lr, sgd_modes
from ._spectra import Spectrum

__all__ = ["SGDNumerics", "SGD_NUMERICS", "exact_recursion"]


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
    last = None     # the modes of the previous step's rate: reused while the schedule is flat
    for r in range(steps + 1):
        P = spectrum.p_inf + y.sum()
        if want[r]:
            out[pos[r]] = P
        if r == steps:
            break
        g = gamma * factors[r]
        if g != last:
            qm1, kw = sgd_modes(lam, g, B)
            q, last = 1.0 + qm1, g
        y = q * y + kw * P
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
        h = 0.04 if schedule.is_constant else 0.005
    h = check_real("h", h, gt=0, le=0.5)
    spec = spectrum_of(problem, spectrum, seed=seed, rtol=de_rtol)
    lr_max = max_stable_lr(spec, optimizer)
    constant = schedule.is_constant
    peak = 1.0 if constant else _peak_factor(schedule, steps)
    peak_opt = optimizer if peak == 1.0 else dataclasses.replace(optimizer, lr=optimizer.lr * peak)
    knorm = kernel_norm(spec, peak_opt)
    rec = log_grid(steps, n_points) if record is None else np.unique(np.asarray(record, dtype=np.int64))
    flops = rec * problem.d * optimizer.batch
    if not (optimizer.lr * peak < lr_max and knorm < 1.0):
        what = (f"gamma={optimizer.lr:.6g}" if peak == 1.0 else f"peak gamma={optimizer.lr * peak:.6g} "
                f"(gamma={optimizer.lr:.6g} times the schedule's peak factor {peak:g})")
        msg = (f"learning rate {what} is past the stability limit: the risk diverges (kernel norm at the peak "
               f"{knorm:.4g}); the largest stable gamma is {lr_max:.6g}")
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



class SGDNumerics(PLRFNumericsRules):
    """SGD's numerics on PLRF (one instance, :data:`SGD_NUMERICS`)."""

    optimizer_name = SGD.name
    # fractions of lr_max, 4 per octave, 0.004 .. 1.4: the factors above 1 diverge, so that a minimiser
    # pressed against the stability limit is found as such and not flagged as a lattice edge
    lr_factors = 0.98 * 2.0 ** -np.arange(8.0, -0.51, -0.25)
    coarse_lr_factors = 0.98 * 2.0 ** np.arange(-4.0, 0.51, 0.5)  # 2 per octave in [0.06, 1.4]
    lr_factor_start = 0.5
    frontier_lr = 0.5  # the theory's rate gamma ~ 1/tr D, at half the stability limit
    lr_rule = "gamma = c * lr_max(d)"
    exact_method = "recursion"
    risk_options = ("h", "rtol", "de_rtol", "record")

    def risk_curve(self, problem, optimizer, schedule, steps, **kw) -> RiskCurve:
        return _sgd_risk_solver(problem, optimizer, schedule, steps, **kw)

    def model(self, problem, spectrum="deterministic", *, seed=None) -> Spectrum:
        return spectrum_of(problem, spectrum, seed=seed)

    def lr_scale(self, problem, model, template) -> float:
        return max_stable_lr(model, template)

    def frontier_curve(self, problem, model, optimizer, schedule, steps, record, h) -> RiskCurve:
        return _sgd_risk_solver(problem, optimizer, schedule, steps, spectrum=model, record=record,
                                method="loggrid", h=2 * h)

    def risk_components(self, problem, model, optimizer, schedule, steps, h) -> dict | None:
        """The frontier run's final risk split into drift and noise: the Volterra equation's forcing
        alone (its kernel term switched off: ``P_drift = F``, evolved under the schedule on the same
        log grid) is the drift part, the rest ``P - F`` is what the noise injected. The noise is not
        split by mode (``noise_relaxed`` is ``None``)."""
        curve = self.frontier_curve(problem, model, optimizer, schedule, steps, np.array([steps]), h)
        if curve.status != "ok":
            return None
        fk = forcing_kernel(model, optimizer)
        if schedule.is_constant:
            drift = float(np.asarray(fk.forcing(np.array([steps])))[-1])
        else:
            gamma, B, lam = optimizer.lr_sum, optimizer.batch, model.eigenvalues

            def no_kernel(phi):
                qm1, kw = sgd_modes(lam, gamma * phi, B)
                return np.log1p(qm1), np.zeros_like(kw)

            res = solve_volterra(fk.forcing, fk.kernel, method="loggrid", times=np.array([steps]), h=2 * h, rtol=1e-3,
                                 rate_fn=no_kernel, lr_factors=schedule, schedule_horizon=steps)
            drift = float(np.asarray(res.risk)[-1])
        risk = float(curve.risk[-1])
        return {"risk": risk, "drift": drift - model.p_inf, "noise": risk - drift, "noise_relaxed": None,
                "p_inf": float(model.p_inf)}

    def max_stable_lr(self, problem, optimizer, *, spectrum="deterministic") -> float:
        spec = spectrum if isinstance(spectrum, Spectrum) else spectrum_of(problem, spectrum)
        return max_stable_lr(spec, optimizer)

    def law_rate(self, optimizer) -> float:
        """``gamma B`` (batch-sum rate times batch): ``S1`` is then the theory's time ``T = gamma B r``."""
        return optimizer.lr_sum * optimizer.batch


#: SGD's numerics rules (registered for :class:`theory.SGD` and its subclasses).
SGD_NUMERICS = SGDNumerics()
RULES.register(SGD, SGD_NUMERICS)
