"""Checks of the signSGD equations against simulation, with tolerances from the sample size.

* :func:`check_signsgd_highdim` -- the high-dimensional risk ODE
  (:func:`numerics.signsgd_risk_ode`, or SGD's :func:`numerics.sgd_risk_ode`) against
  :func:`verification.simulate_linreg` for a named covariance and noise law. Tolerance at each
  recorded time: ``z * stderr + 2 R / d`` -- ``z = 4`` standard errors of the mean of ``runs``
  independent runs (a family-wise bound over the recorded times), plus the ``O(1/d)`` bias of
  the ``d -> infinity`` ODE (fluctuations of ``R`` inside ``phi(R)``, the linearised
  arcsine).
* :func:`error_bar_scaling` -- the run-to-run standard deviation of ``R(t)`` at several ``d``
  and its fitted log-log slope (the theory predicts ``d^(-1/2)``: ``R`` is a sum of ``d``
  weakly dependent mode risks).
* :func:`check_signsgd_plrf` -- the per-mode signSGD PLRF equations
  (:func:`numerics.signsgd_plrf_risk`) against :func:`verification.simulate_plrf` on the
  same sampled instance, with the tolerance of the same form (plus a stated allowance for the
  early transient where the linearised drift is known to overshoot; see
  ``docs/signsgd.md``).

References
----------
K. L. Xiao, N. Marshall, A. Agarwala, E. Paquette, arXiv:2411.12135 (2024), Fig. 1 (ODE vs
simulated signSGD at d = 500); J. Kim, D. Song, C. Yun, arXiv:2603.02069 (2026) (signSGD on
PLRF).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from numerics import (
    GaussianNoise,
    LinearRegressionProblem,
    NoiseLaw,
    correlated_covariance,
    isotropic_covariance,
    parse_noise,
    power_law_covariance,
    sgd_risk_ode,
    signsgd_risk_ode,
)
from theory import SGD, ParameterError, Schedule, SignSGD
from theory.validate import check_choice, check_int, check_real

from ._simulate_linreg import simulate_linreg

__all__ = [
    "HIGHDIM_COVARIANCES",
    "HighDimCheck",
    "check_signsgd_highdim",
    "error_bar_scaling",
    "ErrorBarScaling",
    "PLRFSignSGDCheck",
    "check_signsgd_plrf",
    "default_signsgd_lr",
]

#: Named covariances for the checks: ``name -> builder(d)``.
HIGHDIM_COVARIANCES = {
    "isotropic": lambda d: isotropic_covariance(d),
    "power-law": lambda d: power_law_covariance(d, 1.0),
    "correlated": lambda d: correlated_covariance(d, rho=0.6, exponent=0.5),
}

Z_FAMILY = 4.0


@dataclass(frozen=True)
class HighDimCheck:
    """Outcome of one ODE-vs-simulation comparison.

    ``passed`` iff ``|simulated - predicted| <= tolerance`` at every recorded time.
    """

    name: str
    t: np.ndarray
    predicted: np.ndarray
    simulated: np.ndarray
    stderr: np.ndarray
    tolerance: np.ndarray
    passed: bool
    max_rel_error: float
    max_z: float
    info: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"name": self.name, "passed": self.passed, "max_rel_error": self.max_rel_error,
                "max_z": self.max_z, "t": self.t, "predicted": self.predicted, "simulated": self.simulated,
                "stderr": self.stderr, "tolerance": self.tolerance, **self.info}


def _problem(cov, noise, d, seed):
    d = check_int("d", d, ge=2)
    if isinstance(cov, str):
        check_choice("cov", cov, tuple(HIGHDIM_COVARIANCES))
        K = HIGHDIM_COVARIANCES[cov](d)
    else:
        K = cov
    law = parse_noise(noise) if isinstance(noise, str) else noise
    if law is not None and not isinstance(law, NoiseLaw):
        raise ParameterError("noise", "a NoiseLaw or its spelling", noise)
    return LinearRegressionProblem.with_random_target(K, law if law is not None else GaussianNoise(1.0), seed=seed)


def check_signsgd_highdim(cov="isotropic", noise="gaussian", *, d: int = 500, lr: float = 0.5, T: float = 6.0,
                          runs: int = 16, n_eval: int = 7, seed: int = 0, optimizer: str = "signsgd",
                          schedule: Schedule | None = None, backend="auto") -> HighDimCheck:
    """Compare the limiting risk ODE with simulated one-pass training at dimension ``d``.

    Parameters
    ----------
    cov : {"isotropic", "power-law", "correlated"} or array
    noise : str or NoiseLaw
        E.g. ``"gaussian"``, ``"student-t:nu=2.5"``, ``"cauchy:scale=0.5"``.
    d, lr, T : dimension, ``eta`` (step ``eta/d``), final time ``k/d``.
    runs : independent simulated runs (>= 4 for a usable standard error).
    optimizer : {"signsgd", "sgd"}

    Returns
    -------
    HighDimCheck
    """
    check_choice("optimizer", optimizer, ("signsgd", "sgd"))
    runs = check_int("runs", runs, ge=4)
    lr = check_real("lr", lr, gt=0)
    p = _problem(cov, noise, d, seed)
    solve = signsgd_risk_ode if optimizer == "signsgd" else sgd_risk_ode
    curve = solve(p, lr, T, schedule=schedule, n_eval=n_eval)
    steps = np.unique(np.round(curve.t * p.d).astype(np.int64))
    opt = SignSGD(lr=lr / p.d) if optimizer == "signsgd" else SGD(lr=lr / p.d)
    sim = simulate_linreg(p, opt, steps, runs=runs, schedule=schedule, horizon=int(math.ceil(T * p.d)),
                          seed=seed + 1, backend=backend)
    pred = curve.risk
    se = sim.stderr
    tol = Z_FAMILY * se + 2.0 * pred / p.d
    tol[0] = max(tol[0], 1e-12 * pred[0])
    err = np.abs(sim.mean - pred)
    z = np.where(se > 0, err / np.where(se > 0, se, 1.0), 0.0)
    name = f"{optimizer} high-dim ODE vs simulation: cov={cov if isinstance(cov, str) else 'custom'}, noise={p.noise.spec()}, d={p.d}"
    return HighDimCheck(name=name, t=curve.t, predicted=pred, simulated=sim.mean, stderr=se, tolerance=tol,
                        passed=bool(np.all(err <= tol)) and not sim.diverged,
                        max_rel_error=float(np.max(err / pred)), max_z=float(np.max(z)),
                        info={"d": p.d, "runs": runs, "lr": lr, "T": T, "backend": sim.backend,
                              "limit_risk": curve.limit_risk})


@dataclass(frozen=True)
class ErrorBarScaling:
    """Run-to-run spread of ``R(T)`` against ``d``.

    ``std`` is the absolute spread and ``rel_std = std / mean`` the relative one. The
    relative spread of a sum over modes concentrates like ``r_eff^(-1/2)`` with the
    effective rank ``r_eff = (tr K)^2 / tr(K^2)`` (the number of modes that carry the risk),
    so the theory slope of ``log rel_std`` against ``log d`` is
    ``expected_slope = -1/2 * dlog r_eff / dlog d`` -- exactly ``-1/2`` for isotropic ``K``.
    The absolute spread also carries the d-dependence of the risk level itself (for
    anisotropic ``K`` the level shrinks with ``d``), so it is reported but not tested.
    ``slope`` and ``slope_stderr`` are the fitted slope of ``log rel_std``.
    """

    d: np.ndarray
    std: np.ndarray
    abs_error: np.ndarray
    slope: float
    slope_stderr: float
    rel_std: np.ndarray = None
    effective_rank: np.ndarray = None
    expected_slope: float = -0.5
    info: dict = field(default_factory=dict)


def error_bar_scaling(cov="isotropic", noise="gaussian", *, ds=(125, 250, 500, 1000), lr: float = 0.5,
                      T: float = 4.0, runs: int = 24, seed: int = 0, optimizer: str = "signsgd",
                      backend="auto") -> ErrorBarScaling:
    """Fit ``log std(R(T)) = a + slope log d`` over ``ds`` (``runs`` runs each).

    The standard error of each ``std`` estimate is ``std / sqrt(2 (runs - 1))``; the slope's
    standard error comes from the weighted least-squares fit.
    """
    ds = np.asarray([check_int("d", x, ge=8) for x in ds])
    if ds.size < 3:
        raise ParameterError("ds", "at least 3 dimensions", tuple(ds))
    stds, means, errs, reff = [], [], [], []
    for i, d in enumerate(ds):
        c = check_signsgd_highdim(cov, noise, d=int(d), lr=lr, T=T, runs=runs, n_eval=2, seed=seed + 17 * i,
                                  optimizer=optimizer, backend=backend)
        stds.append(c.stderr[-1] * math.sqrt(runs))
        means.append(c.simulated[-1])
        errs.append(abs(c.simulated[-1] - c.predicted[-1]))
        K = np.asarray(HIGHDIM_COVARIANCES[cov](int(d)) if isinstance(cov, str) else cov, dtype=np.float64)
        ev = K if K.ndim == 1 else np.linalg.eigvalsh(K)
        reff.append(float(np.sum(ev)) ** 2 / float(np.sum(ev * ev)))
    stds, means, reff = np.asarray(stds), np.asarray(means), np.asarray(reff)
    x = np.log(ds.astype(float))
    w = np.full_like(x, 2.0 * (runs - 1))  # var(log std) ~ 1 / (2 (runs - 1))
    A = np.vstack([np.ones_like(x), x]).T
    cov_beta = np.linalg.inv(A.T @ (A * w[:, None]))
    beta = cov_beta @ (A.T @ (w * np.log(stds / means)))
    expected = -0.5 * float(np.polyfit(x, np.log(reff), 1)[0])
    return ErrorBarScaling(d=ds, std=stds, abs_error=np.asarray(errs), slope=float(beta[1]),
                           slope_stderr=float(math.sqrt(cov_beta[1, 1])), rel_std=stds / means,
                           effective_rank=reff, expected_slope=expected,
                           info={"cov": cov if isinstance(cov, str) else "custom", "noise": str(noise), "runs": runs,
                                 "T": T, "lr": lr})


# ----------------------------------------------------------------------------- PLRF
@dataclass(frozen=True)
class PLRFSignSGDCheck:
    """Per-mode signSGD PLRF equations against simulated signSGD on the same instance.

    ``passed`` iff ``|simulated - predicted| <= z * stderr + model_rtol * predicted`` at every
    recorded step: ``z = 4`` standard errors of the run mean plus a stated relative model
    error of the equations, ``model_rtol = 5 %``: twice the largest deviation measured with
    512 runs (standard errors 0.3-1.7 %) on the instances of ``docs/signsgd.md`` Sec. 2
    (1.0, 0.7, d = 100: <= 2.5 %; 0.7, 1.2, d = 100: <= 1.4 %; d = 400 with 128 runs: within
    1.5 standard errors). The mean-field ``phi = (2/pi)/sqrt(E P)`` is not exact on PLRF --
    the sign noise puts a fixed share of the floor on the top modes, so ``P`` fluctuates by
    30-60 % between runs at any ``d`` -- but its error stays at this level.
    """

    name: str
    steps: np.ndarray
    predicted: np.ndarray
    predicted_linear: np.ndarray
    simulated: np.ndarray
    stderr: np.ndarray
    tolerance: np.ndarray
    passed: bool
    max_rel_error: float
    max_rel_error_linear: float
    info: dict = field(default_factory=dict)
    simulation: object = field(default=None, repr=False, compare=False)  # the SimulationResult behind ``simulated``

    def to_dict(self) -> dict:
        return {"name": self.name, "passed": self.passed, "max_rel_error": self.max_rel_error,
                "max_rel_error_linear": self.max_rel_error_linear, "steps": self.steps,
                "predicted": self.predicted, "predicted_linear": self.predicted_linear,
                "simulated": self.simulated, "stderr": self.stderr, "tolerance": self.tolerance, **self.info}


def default_signsgd_lr(problem, floor: float = 1e-3) -> float:
    """A step whose signSGD noise floor ``(pi^2/16) gamma^2 d tr D`` is about ``floor``.

    >>> from theory import PLRF
    >>> p = PLRF(1.0, 0.7, 800, 200); g = default_signsgd_lr(p)
    >>> round(math.pi**2 / 16 * g**2 * p.d * p.trace_D(), 12)
    0.001
    """
    from theory import PLRF

    if not isinstance(problem, PLRF):
        raise ParameterError("problem", "a theory.PLRF", type(problem).__name__)
    floor = check_real("floor", floor, gt=0)
    return 4.0 * math.sqrt(floor) / (math.pi * math.sqrt(problem.d * problem.trace_D()))


def check_signsgd_plrf(problem=None, lr: float | None = None, *, steps: int = 2000, runs: int = 8, seed: int = 0,
                       schedule: Schedule | None = None, n_points: int = 14, model_rtol: float = 0.05,
                       backend="auto", dtype: str = "float64", progress: bool = False) -> PLRFSignSGDCheck:
    """Simulate signSGD (batch 1) on one sampled PLRF instance and compare with the per-mode
    equations on the exact spectrum of the same ``W`` (``method="arcsine"``; the linearised
    ``loggrid`` curve is reported beside it)."""
    from numerics import signsgd_plrf_modes, signsgd_plrf_risk
    from theory import PLRF, Constant

    from ._simulate_plrf import sample_instance, simulate_plrf

    p = problem if problem is not None else PLRF(1.0, 0.7, 400, 100)
    if not isinstance(p, PLRF):
        raise ParameterError("problem", "a theory.PLRF", type(p).__name__)
    steps = check_int("steps", steps, ge=10)
    runs = check_int("runs", runs, ge=4)
    model_rtol = check_real("model_rtol", model_rtol, ge=0)
    gamma = default_signsgd_lr(p) if lr is None else check_real("lr", lr, gt=0)
    sched = schedule if schedule is not None else Constant()
    inst = sample_instance(p, seed=seed)
    opt = SignSGD(lr=gamma)
    md = signsgd_plrf_modes(p, "exact", W=inst.W)
    arc = signsgd_plrf_risk(p, opt, sched, steps, modes=md, n_points=n_points, method="arcsine")
    lin = signsgd_plrf_risk(p, opt, sched, steps, modes=md, record=arc.steps, method="loggrid")
    sim = simulate_plrf(p, opt, sched, steps=steps, runs=runs, seed=seed + 1, instance=inst,
                        eval_steps=arc.steps, backend=backend, dtype=dtype, progress=progress)
    mean = np.asarray(sim.mean() if callable(sim.mean) else sim.mean)
    se = np.asarray(sim.stderr() if callable(sim.stderr) else sim.stderr)
    m = mean.size  # a diverged simulation stops early
    se = se[:m]
    tol = Z_FAMILY * se + model_rtol * arc.risk[:m]
    err = np.abs(mean - arc.risk[:m])
    return PLRFSignSGDCheck(
        name=f"signsgd PLRF equations vs simulation: alpha={p.alpha:g}, beta={p.beta:g}, v={int(p.v)}, d={p.d}",
        steps=arc.steps[:m], predicted=arc.risk[:m], predicted_linear=lin.risk[:m], simulated=mean, stderr=se, tolerance=tol,
        passed=bool(np.all(err <= tol)) and sim.status == "ok", max_rel_error=float(np.max(err / arc.risk[:m])),
        max_rel_error_linear=float(np.max(np.abs(mean - lin.risk[:m]) / lin.risk[:m])),
        info={"lr": gamma, "runs": runs, "steps": steps, "model_rtol": model_rtol,
              "arcsine_steps": arc.extra.get("arcsine_steps"), "schedule": sched.spec(), "backend": sim.backend,
              "seed": seed, "simulation_status": sim.status},
        simulation=sim)
