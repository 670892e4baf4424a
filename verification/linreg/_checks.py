"""Checks of the high-dimensional risk equations against simulation, with tolerances from the
sample size.

* :func:`check_highdim` -- the high-dimensional risk ODE of any optimizer with linear-regression
  rules (:func:`numerics.linreg.risk_curve`: signSGD's, SGD's) against
  :func:`verification.linreg.simulate` for a named covariance and noise law. Tolerance at each
  recorded time: ``z * stderr + 2 R / d`` -- ``z = 4`` standard errors of the mean of ``runs``
  independent runs (a family-wise bound over the recorded times), plus the ``O(1/d)`` bias of
  the ``d -> infinity`` ODE (fluctuations of ``R`` inside ``phi(R)``, the linearised arcsine).
* :func:`check_highdim_noises` -- the same check for several label-noise laws on one covariance,
  simulated on one shared feature stream (common random numbers; each law's tolerance from its own runs).
* :func:`error_bar_scaling` -- the run-to-run standard deviation of ``R(t)`` at several ``d``
  and its fitted log-log slope (the theory predicts ``d^(-1/2)``: ``R`` is a sum of ``d``
  weakly dependent mode risks).

References
----------
K. L. Xiao, N. Marshall, A. Agarwala, E. Paquette, arXiv:2411.12135 (2024), Fig. 1 (ODE vs
simulated signSGD at d = 500).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

import numerics.linreg
from theory import ParameterError, RulesTable, Schedule, StabilityError, resolve_optimizer
from theory.linreg import (GaussianNoise, LinearRegressionProblem, NoiseLaw, correlated_covariance,
                           isotropic_covariance, parse_noise, power_law_covariance)
from theory.validate import check_choice, check_int, check_real

from .._results import CheckResult, VerificationResult
from ._simulate import simulate_linreg

__all__ = ["HIGHDIM_COVARIANCES", "HighDimCheck", "check_highdim", "check_highdim_noises", "error_bar_scaling", "ErrorBarScaling",
           "RULES", "LinRegVerification", "LINREG_VERIFIER"]

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


def _law(noise):
    law = parse_noise(noise) if isinstance(noise, str) else noise
    if law is not None and not isinstance(law, NoiseLaw):
        raise ParameterError("noise", "a NoiseLaw or its spelling", noise)
    return law if law is not None else GaussianNoise(1.0)


def _problem(cov, noise, d, seed):
    d = check_int("d", d, ge=2)
    if isinstance(cov, str):
        check_choice("cov", cov, tuple(HIGHDIM_COVARIANCES))
        K = HIGHDIM_COVARIANCES[cov](d)
    else:
        K = cov
    return LinearRegressionProblem.with_random_target(K, _law(noise), seed=seed)


def check_highdim(cov="isotropic", noise="gaussian", *, d: int = 500, lr: float = 0.5, T: float = 6.0,
                  runs: int = 16, n_eval: int = 7, seed: int = 0, optimizer="signsgd",
                  schedule: Schedule | None = None, backend="auto") -> HighDimCheck:
    """Compare the limiting risk ODE with simulated one-pass training at dimension ``d``.

    Parameters
    ----------
    cov : {"isotropic", "power-law", "correlated"} or array
    noise : str or NoiseLaw
        E.g. ``"gaussian"``, ``"student-t:nu=2.5"``, ``"cauchy:scale=0.5"``.
    d, lr, T : dimension, ``eta`` (step ``eta/d``), final time ``k/d``.
    runs : independent simulated runs (>= 4 for a usable standard error).
    optimizer : str or class
        Any optimizer with linear-regression rules (``"signsgd"``, ``"sgd"``); run at step ``lr/d``.

    Returns
    -------
    HighDimCheck
    """
    return check_highdim_noises(cov, [noise], d=d, lr=lr, T=T, runs=runs, n_eval=n_eval, seed=seed,
                                optimizer=optimizer, schedule=schedule, backend=backend)[0]


def check_highdim_noises(cov="isotropic", noises=("gaussian",), *, d: int = 500, lr: float = 0.5, T: float = 6.0,
                         runs: int = 16, n_eval: int = 7, seed: int = 0, optimizer="signsgd",
                         schedule: Schedule | None = None, backend="auto") -> tuple:
    """:func:`check_highdim` for several label-noise laws on one covariance, simulated together.

    The laws share one problem (``K`` and ``theta*``) and one stream of features (common random
    numbers, :func:`verification.linreg.simulate` with ``noises=``): each law's ``runs`` runs are
    independent of each other, so each law's check -- tolerance ``4 se + 2 R / d`` from its own runs
    -- is the check :func:`check_highdim` makes; the checks of different laws are correlated (an
    unusual feature stream moves all of them), so they are not independent evidence. The Gaussian
    features, the simulation's cost, are drawn once instead of once per law.

    Parameters
    ----------
    noises : sequence of str or NoiseLaw
        The laws (see :func:`check_highdim`'s ``noise``).
    cov, d, lr, T, runs, n_eval, seed, optimizer, schedule, backend
        As in :func:`check_highdim`.

    Returns
    -------
    tuple of HighDimCheck, one per law in order

    References
    ----------
    K. L. Xiao, N. Marshall, A. Agarwala, E. Paquette, arXiv:2411.12135 (2024), Fig. 1; common random
    numbers: P. Glasserman, "Monte Carlo Methods in Financial Engineering", Springer (2003), Sec. 4.2.
    """
    runs = check_int("runs", runs, ge=4)
    lr = check_real("lr", lr, gt=0)
    if isinstance(noises, (str, NoiseLaw)) or len(noises) == 0:
        raise ParameterError("noises", "a non-empty sequence of noise laws", noises)
    p0 = _problem(cov, noises[0], d, seed)
    problems = [p0] + [LinearRegressionProblem(p0.cov, p0.theta_star, _law(nz)) for nz in noises[1:]]
    opt = resolve_optimizer(optimizer, lr=lr / p0.d)
    curves = []
    for p in problems:
        curve = numerics.linreg.risk_curve(p, opt, T, schedule=schedule, n_eval=n_eval)
        if curve.status == "diverged":  # no curve to check against: a check helper has no status to carry it
            raise StabilityError(curve.diagnostics["lr"], curve.diagnostics["lr_max"], "the risk ODE diverges")
        curves.append(curve)
    per_law = [np.unique(np.round(c.t * p0.d).astype(np.int64)) for c in curves]
    steps = np.unique(np.concatenate(per_law))
    sims = simulate_linreg(p0, opt, steps, runs=runs, schedule=schedule, horizon=int(math.ceil(T * p0.d)),
                           seed=seed + 1, backend=backend, noises=[p.noise for p in problems])
    out = []
    for p, curve, st, sim in zip(problems, curves, per_law, sims):
        at = np.searchsorted(steps, st)
        mean, se = sim.mean[at], sim.stderr[at]
        pred = curve.risk
        tol = Z_FAMILY * se + 2.0 * pred / p.d
        tol[0] = max(tol[0], 1e-12 * pred[0])
        err = np.abs(mean - pred)
        z = np.where(se > 0, err / np.where(se > 0, se, 1.0), 0.0)
        name = (f"{opt.name} high-dim ODE vs simulation: cov={cov if isinstance(cov, str) else 'custom'}, "
                f"noise={p.noise.spec()}, d={p.d}")
        out.append(HighDimCheck(name=name, t=curve.t, predicted=pred, simulated=mean, stderr=se, tolerance=tol,
                                passed=bool(np.all(err <= tol)) and not sim.diverged,
                                max_rel_error=float(np.max(err / pred)), max_z=float(np.max(z)),
                                info={"d": p.d, "runs": runs, "lr": lr, "T": T, "backend": sim.backend,
                                      "limit_risk": curve.limit_risk, "shared_features_with": len(problems) - 1}))
    return tuple(out)


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
                      T: float = 4.0, runs: int = 24, seed: int = 0, optimizer="signsgd",
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
        c = check_highdim(cov, noise, d=int(d), lr=lr, T=T, runs=runs, n_eval=2, seed=seed + 17 * i,
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


class LinRegVerification:
    """The ODE-vs-simulation check of any optimizer with linear-regression numerics rules."""

    def verify(self, problem, optimizer, schedule=None, *, T: float = 6.0, runs: int = 16, n_eval: int = 7,
               seed: int = 0, backend="auto", **_ignored) -> VerificationResult:
        if not isinstance(problem, LinearRegressionProblem):
            raise ParameterError("problem", "a theory.linreg.LinearRegressionProblem", type(problem).__name__)
        runs = check_int("runs", runs, ge=4)
        curve = numerics.linreg.risk_curve(problem, optimizer, T, schedule=schedule, n_eval=n_eval)
        if curve.status == "diverged":  # a status, as in every result of a run
            return VerificationResult(
                problem=problem, optimizer=optimizer, schedule=schedule, horizon=int(math.ceil(T * problem.d)),
                steps=np.zeros(0, np.int64), simulation=None, risk_exact=None, exact_spread=None, risk_volterra=None,
                risk_asymptotic=None, terms={}, phase=None, lr_max=curve.diagnostics["lr_max"], kernel_norm=None,
                window=None, checks=[], message=curve.diagnostics["message"])
        steps = np.unique(np.round(curve.t * problem.d).astype(np.int64))
        sim = simulate_linreg(problem, optimizer, steps, runs=runs, schedule=schedule,
                              horizon=int(math.ceil(T * problem.d)), seed=seed + 1, backend=backend)
        pred, se = curve.risk, sim.stderr
        tol = Z_FAMILY * se + 2.0 * pred / problem.d
        tol[0] = max(tol[0], 1e-12 * pred[0])
        err = np.abs(sim.mean - pred)
        band = np.maximum(tol, 1e-300)
        dev = float(np.max(err / band))
        ok = bool(np.all(err <= tol)) and not sim.diverged
        check = CheckResult("ode_vs_simulation", "mean excess risk, simulation vs the high-dimensional risk ODE",
                            None, float(pred[-1]), None, float(sim.mean[-1]), float(se[-1]), 1.0, dev, ok,
                            f"max_t |sim - ode| / ({Z_FAMILY:g} se + 2 R/d) <= 1 (R = {runs} runs, d = {problem.d})")
        return VerificationResult(problem=problem, optimizer=optimizer, schedule=schedule, horizon=int(steps[-1]),
                                  steps=steps, simulation=sim, risk_exact=None, exact_spread=None,
                                  risk_volterra=np.asarray(pred), risk_asymptotic=None, terms={}, phase=None,
                                  lr_max=None, kernel_norm=None, window=None, checks=[check],
                                  info={"reference": "numerics.linreg.risk_curve (ODE)", "T": T})

    def default_lr(self, problem, optimizer, *, seed: int = 0) -> float:
        """``eta = 0.5`` (step ``0.5/d``), the setting of Xiao et al.'s Fig. 1."""
        return 0.5 / problem.d


#: The linear-regression verification table (each optimizer file registers :data:`LINREG_VERIFIER`).
RULES = RulesTable("linear-regression verification")
LINREG_VERIFIER = LinRegVerification()
