"""signSGD on PLRF: its check (the per-mode signSGD PLRF equations on the exact spectrum of the
sampled ``W`` against simulated signSGD; there is no exact recursion nor Volterra solver for
signSGD), its default learning rate, and its rules in :data:`verification.plrf.RULES`.

The check is wrapped into a :class:`verification.VerificationResult` with one check
``signsgd_equations_vs_simulation``; ``risk_volterra`` then holds the signSGD equations' curve
(``info["reference"]`` says so). Tolerance at each recorded step: ``z * stderr + model_rtol * P`` --
``z = 4`` standard errors of the mean of ``runs`` runs (family-wise over the steps) plus the stated
model error of the equations (``docs/signsgd.md`` Sec. 2).

References
----------
J. Kim, D. Song, C. Yun, arXiv:2603.02069 (2026) (signSGD on PLRF); K. L. Xiao, N. Marshall,
A. Agarwala, E. Paquette, arXiv:2411.12135 (2024) (the Gaussian sign identities).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

import numerics.plrf
from theory import Constant, ParameterError, Schedule, SignSGD, as_schedule
from theory.plrf import PLRF, phase_of
from theory.validate import check_int, check_real

from .._backend import limit_blas_threads
from .._results import CheckResult, VerificationResult
from ._rules import RULES, PLRFVerificationRules
from ._simulate import sample_instance, simulate_plrf

__all__ = ["PLRFSignSGDCheck", "check_signsgd_plrf", "SignSGDVerification", "SIGNSGD_VERIFIER", "SIGNSGD_CHECK"]

Z_FAMILY = 4.0
#: Name of the one check run for signSGD.
SIGNSGD_CHECK = "signsgd_equations_vs_simulation"


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


def _floor_lr(problem, floor: float = 1e-3) -> float:
    """A step whose signSGD noise floor ``(pi^2/16) gamma^2 d tr D`` is about ``floor``.

    >>> from theory.plrf import PLRF
    >>> p = PLRF(1.0, 0.7, 800, 200); g = _floor_lr(p)
    >>> round(math.pi**2 / 16 * g**2 * p.d * p.trace_D(), 12)
    0.001
    """
    from theory.plrf import PLRF

    if not isinstance(problem, PLRF):
        raise ParameterError("problem", "a theory.plrf.PLRF", type(problem).__name__)
    floor = check_real("floor", floor, gt=0)
    return 4.0 * math.sqrt(floor) / (math.pi * math.sqrt(problem.d * problem.trace_D()))


def check_signsgd_plrf(problem=None, lr: float | None = None, *, steps: int = 2000, runs: int = 8, seed: int = 0,
                       schedule: Schedule | None = None, n_points: int = 14, model_rtol: float = 0.05,
                       backend="auto", dtype: str = "float64", progress: bool = False,
                       sampler: str = "features") -> PLRFSignSGDCheck:
    """Simulate signSGD (batch 1) on one sampled PLRF instance and compare with the per-mode
    equations on the exact spectrum of the same ``W`` (``method="arcsine"``; the linearised
    ``loggrid`` curve is reported beside it).

    ``sampler`` is passed to :func:`verification.plrf.simulate_plrf`. The default ``"features"``
    draws each sample's ``(W^T x, b^T x)`` from its exact Gaussian law ``N(0, A^T A)`` (``d + 1``
    normals a sample instead of ``v``: a quarter of the draws and of the product at ``v = 4 d``);
    signSGD sees only the features and targets, so the simulated runs have the law of the
    ``"inputs"`` runs and the check's tolerance (standard errors of ``runs`` runs) is unchanged.
    """
    from theory.plrf import PLRF

    p = problem if problem is not None else PLRF(1.0, 0.7, 400, 100)
    if not isinstance(p, PLRF):
        raise ParameterError("problem", "a theory.plrf.PLRF", type(p).__name__)
    steps = check_int("steps", steps, ge=10)
    runs = check_int("runs", runs, ge=4)
    model_rtol = check_real("model_rtol", model_rtol, ge=0)
    gamma = _floor_lr(p) if lr is None else check_real("lr", lr, gt=0)
    sched = schedule if schedule is not None else Constant()
    inst = sample_instance(p, seed=seed)
    opt = SignSGD(lr=gamma)
    md = numerics.plrf.sign_modes(p, "exact", W=inst.W)
    arc = numerics.plrf.risk_curve(p, opt, sched, steps, modes=md, n_points=n_points, method="arcsine")
    lin = numerics.plrf.risk_curve(p, opt, sched, steps, modes=md, record=arc.steps, method="loggrid")
    sim = simulate_plrf(p, opt, sched, steps=steps, runs=runs, seed=seed + 1, instance=inst,
                        eval_steps=arc.steps, backend=backend, dtype=dtype, progress=progress, sampler=sampler)
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
              "seed": seed, "simulation_status": sim.status, "sampler": sampler},
        simulation=sim)


def _verify_signsgd(problem, optimizer, schedule=None, *, steps, runs=32, seed=0, backend="auto", dtype="float64",
                    n_points=40, n_instances=16, blas_threads=1, progress=False,
                    check_stability=True) -> VerificationResult:
    """signSGD: its per-mode PLRF equations on the sampled ``W`` vs simulated signSGD."""
    if not isinstance(problem, PLRF):
        raise ParameterError("problem", "a theory.plrf.PLRF", type(problem).__name__)
    if optimizer.batch != 1:
        raise ParameterError("batch", "batch = 1 for the signSGD check (its risk equations are single-sample)",
                             optimizer.batch)
    schedule = as_schedule(schedule)
    t0 = time.perf_counter()
    with limit_blas_threads(blas_threads):
        chk = check_signsgd_plrf(problem, optimizer.lr, steps=steps, runs=runs, seed=seed, schedule=schedule,
                                 n_points=n_points, backend=backend, dtype=dtype, progress=progress)
    seconds = {"check": time.perf_counter() - t0}
    sim = chk.simulation
    m = sim.steps.size
    band = np.maximum(chk.tolerance, 1e-300)
    dev = float(np.max(np.abs(chk.simulated - chk.predicted) / band))
    k = m - 1
    check = CheckResult(
        SIGNSGD_CHECK, "mean simulated risk vs the per-mode signSGD PLRF equations (arcsine drift, exact W)",
        None, float(chk.predicted[k]), None, float(chk.simulated[k]), float(chk.stderr[k]), 1.0, dev, chk.passed,
        f"max_r |sim - eq| / (4 se + {chk.info['model_rtol']:g} eq) <= 1 (stated model error of the equations, "
        "docs/signsgd.md Sec. 2)",
        note=f"max relative error {chk.max_rel_error:.3g} (linearised drift: {chk.max_rel_error_linear:.3g})")
    loc = phase_of(problem.alpha, problem.beta, "signsgd")
    phase = loc.name or loc.boundary
    info = {"reference": "signSGD PLRF equations (numerics.plrf.risk_curve, method='arcsine', exact W)",
            "reference_label": "signSGD equations (exact W)", "max_rel_error": chk.max_rel_error,
            "max_rel_error_linear": chk.max_rel_error_linear, "model_rtol": chk.info["model_rtol"],
            "risk_linear": chk.predicted_linear, "arcsine_steps": chk.info.get("arcsine_steps")}
    return VerificationResult(
        problem=problem, optimizer=optimizer, schedule=schedule, horizon=int(steps), steps=sim.steps.copy(),
        simulation=sim, risk_exact=None, exact_spread=None, risk_volterra=np.asarray(chk.predicted),
        risk_asymptotic=None, terms={}, phase=phase, lr_max=None, kernel_norm=None, window=None, checks=[check],
        seconds=seconds, info=info)


class SignSGDVerification(PLRFVerificationRules):
    """signSGD's verification on PLRF: its per-mode equations against simulation."""

    def verify(self, problem, optimizer, schedule=None, **options) -> VerificationResult:
        return _verify_signsgd(problem, optimizer, schedule, **options)

    def default_lr(self, problem, optimizer, *, seed: int = 0, floor: float = 1e-3) -> float:
        """A step whose signSGD noise floor ``(pi^2/16) gamma^2 d tr D`` is about ``floor``."""
        return _floor_lr(problem, floor)


#: signSGD's verification rules (registered for :class:`theory.SignSGD` and its subclasses).
SIGNSGD_VERIFIER = SignSGDVerification()
RULES.register(SignSGD, SIGNSGD_VERIFIER)
