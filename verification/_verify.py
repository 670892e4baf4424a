"""One entry point for ``sltk verify``: pick the check that applies to the optimizer.

The choice is a registry keyed by optimizer class (:func:`register_verifier`), like
``numerics.register_risk_solver``: a new optimizer registers its own check, nothing here
changes. Registered now:

* :class:`theory.SignSGD` -- :func:`verification.check_signsgd_plrf` (the per-mode signSGD
  PLRF equations on the exact spectrum of the sampled ``W`` against simulated signSGD; there is
  no exact recursion nor Volterra solver for signSGD), wrapped into a
  :class:`verification.VerificationResult` with one check ``signsgd_equations_vs_simulation``.
  ``risk_volterra`` then holds the signSGD equations' curve (``info["reference"]`` says so).
* anything else -- :func:`verification.run_verification` (SGD and any optimizer with an exact
  per-mode ``mode_update``).

Both return the same :class:`verification.VerificationResult`, so its ``to_dict`` (the
``sltk verify --json`` object) and the figure work unchanged.

References
----------
Paquette et al. (2024), arXiv:2405.15074, Sec. 2-3; J. Kim, D. Song, C. Yun, arXiv:2603.02069
(2026) (signSGD on PLRF).
"""

from __future__ import annotations

import time

import numpy as np

from theory import PLRF, Optimizer, ParameterError, Schedule, SignSGD, as_schedule, phase_of

from ._backend import limit_blas_threads
from ._checks import CheckResult, VerificationResult, run_verification
from ._signsgd_checks import check_signsgd_plrf

__all__ = ["verify", "register_verifier", "SIGNSGD_CHECK"]

#: Name of the one check run for signSGD.
SIGNSGD_CHECK = "signsgd_equations_vs_simulation"


def verify(problem: PLRF, optimizer: Optimizer, schedule: Schedule | None = None, *, steps: int, runs: int = 32,
           seed: int = 0, backend="auto", dtype: str = "float64", n_points: int = 40, n_instances: int = 16,
           blas_threads: int | None = 1, progress: bool = False, check_stability: bool = True) -> VerificationResult:
    """Run the checks that apply to ``optimizer`` at one PLRF point.

    Parameters are those of :func:`verification.run_verification`. For signSGD,
    ``n_instances`` and ``check_stability`` do not enter (its check has no exact recursion of
    further instances and no stability limit) and ``n_points`` is capped by the log grid of
    :func:`verification.check_signsgd_plrf`.

    Returns
    -------
    VerificationResult
        ``passed`` is True iff every applicable check passed and at least one applied.

    Examples
    --------
    >>> from theory import PLRF, SignSGD
    >>> r = verify(PLRF(1.0, 0.7, 64, 16), SignSGD(lr=0.01), steps=200, runs=4, n_points=8, backend="numpy")
    >>> [c.name for c in r.checks], r.risk_volterra.shape == r.steps.shape
    (['signsgd_equations_vs_simulation'], True)
    """
    fn = _VERIFIERS.get(type(optimizer), run_verification)
    return fn(problem, optimizer, schedule, steps=steps, runs=runs, seed=seed, backend=backend, dtype=dtype,
              n_points=n_points, n_instances=n_instances, blas_threads=blas_threads, progress=progress,
              check_stability=check_stability)


def register_verifier(optimizer_cls: type, fn) -> None:
    """Make :func:`verify` use ``fn`` for optimizers of class ``optimizer_cls``.

    ``fn`` takes the arguments of :func:`verify` and returns a :class:`VerificationResult`.
    """
    if not (isinstance(optimizer_cls, type) and issubclass(optimizer_cls, Optimizer)):
        raise ParameterError("optimizer_cls", "a subclass of theory.Optimizer", optimizer_cls)
    if not callable(fn):
        raise ParameterError("fn", "a callable returning a VerificationResult", fn)
    _VERIFIERS[optimizer_cls] = fn


def _verify_signsgd(problem, optimizer, schedule=None, *, steps, runs, seed, backend, dtype, n_points,
                    n_instances, blas_threads, progress, check_stability) -> VerificationResult:
    """signSGD: its per-mode PLRF equations on the sampled ``W`` vs simulated signSGD."""
    if not isinstance(problem, PLRF):
        raise ParameterError("problem", "a theory.PLRF", type(problem).__name__)
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
    loc = phase_of(problem.alpha, problem.beta)
    phase = loc.name or loc.boundary
    info = {"reference": "signSGD PLRF equations (numerics.signsgd_plrf_risk, method='arcsine', exact W)",
            "reference_label": "signSGD equations (exact W)", "max_rel_error": chk.max_rel_error,
            "max_rel_error_linear": chk.max_rel_error_linear, "model_rtol": chk.info["model_rtol"],
            "risk_linear": chk.predicted_linear, "arcsine_steps": chk.info.get("arcsine_steps")}
    return VerificationResult(
        problem=problem, optimizer=optimizer, schedule=schedule, horizon=int(steps), steps=sim.steps.copy(),
        simulation=sim, risk_exact=None, exact_spread=None, risk_volterra=np.asarray(chk.predicted),
        risk_asymptotic=None, terms={}, phase=phase, lr_max=None, kernel_norm=None, window=None, checks=[check],
        seconds=seconds, info=info)


_VERIFIERS: dict = {SignSGD: _verify_signsgd}
