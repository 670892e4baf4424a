"""The result types of every check: one :class:`CheckResult` per comparison, and the
:class:`VerificationResult` of a three-way verification, with statistics shared by the checks.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np
from scipy import stats

__all__ = ["CheckResult", "VerificationResult", "FAMILY_ALPHA", "not_applicable", "robust_stderr", "crit_t"]

#: Family-wise false-alarm probability of each statistical check.
FAMILY_ALPHA = 1e-3


@dataclass
class CheckResult:
    """One check: what was compared, each route's value, the error bar and the verdict.

    Attributes
    ----------
    name : str
        Machine name (``"simulation_vs_exact"``, ...).
    quantity : str
        Human description of the compared quantity.
    theory, numerics, exact, simulation : float or None
        Representative values of each route (``None`` where a route does not enter).
    error_bar : float or None
        One-sigma error bar of the compared difference at the representative point.
    tolerance : float
        Allowed value of ``deviation`` (same units).
    deviation : float
        Observed deviation (for curve checks: ``max_r |difference| / band(r)``, tolerance 1).
    passed : bool
    rule : str
        How the tolerance was derived (written next to the check).
    applicable : bool
        False when the check could not be run (then ``passed`` is True and ``note`` says why).
    note : str
    informative : bool
        True for a comparison reported without a verdict (``passed`` is None): its allowance is not
        derived, so it neither passes nor fails a verification (e.g. the slope against the leading-order
        asymptotic theory, whose finite-size corrections are not known).
    """

    name: str
    quantity: str
    theory: float | None
    numerics: float | None
    exact: float | None
    simulation: float | None
    error_bar: float | None
    tolerance: float
    deviation: float
    passed: bool
    rule: str
    applicable: bool = True
    note: str = ""
    informative: bool = False

    @property
    def verdict(self) -> str:
        """``"pass"``, ``"FAIL"``, ``"n/a"`` (not applicable) or ``"info"`` (informative, no verdict)."""
        if not self.applicable:
            return "n/a"
        if self.informative:
            return "info"
        return "pass" if self.passed else "FAIL"

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def not_applicable(name: str, quantity: str, why: str) -> CheckResult:
    return CheckResult(name, quantity, None, None, None, None, None, math.nan, math.nan, True, "", False, why)


def robust_stderr(sim, half_width: int = 3) -> np.ndarray:
    """Standard error of the simulated mean with the coefficient of variation pooled over steps.

    The run-to-run coefficient of variation ``cv(r) = std/mean`` of the risk is a smooth function
    of ``r``, but with few runs and a right-skewed risk a single step's sample ``cv`` is often
    too small (no large excursion among the runs -- exactly when the mean is also low). The error
    bar therefore uses ``max(cv(r), median of cv over the +-half_width neighbouring logged steps)``.
    """
    se = sim.stderr
    mean = sim.mean
    with np.errstate(divide="ignore", invalid="ignore"):
        cv = np.where(mean > 0, se / mean, 0.0)
    pooled = np.array([np.median(cv[max(0, k - half_width): k + half_width + 1]) for k in range(cv.size)])
    return np.maximum(se, pooled * np.abs(mean))


def crit_t(dof: int, alpha: float) -> float:
    """Two-sided Student-t critical value (normal when ``dof`` is large)."""
    return float(stats.t.ppf(1.0 - alpha / 2.0, max(dof, 1)))




@dataclass
class VerificationResult:
    """Everything a three-way verification computed (simulation, exact, numerics, theory), plus the checks.

    ``steps`` is the common log-spaced grid; ``risk_simulated``/``risk_stderr`` the simulated
    mean and its standard error; ``risk_exact`` the exact-for-W curve; ``risk_volterra`` the
    deterministic-equivalent curve (``None`` if unavailable); ``risk_asymptotic`` the theory
    estimate; ``exact_spread`` the exact curves of the further instances.
    """

    problem: object
    optimizer: object
    schedule: object
    horizon: int
    steps: np.ndarray
    simulation: object
    risk_exact: np.ndarray | None
    exact_spread: np.ndarray | None
    risk_volterra: np.ndarray | None
    risk_asymptotic: np.ndarray | None
    terms: dict
    phase: str | None
    lr_max: float | None
    kernel_norm: float | None
    window: tuple | None
    checks: list
    seconds: dict = field(default_factory=dict)
    info: dict = field(default_factory=dict)
    #: Why the run diverged when it was refused before simulating (then ``simulation`` is None).
    message: str = ""

    @property
    def passed(self) -> bool:
        """All checks passed and at least one was applicable (nothing checked is not a pass)."""
        return (self.status == "ok")

    @property
    def status(self) -> str:
        """``"diverged"`` (the peak learning rate is past this instance's stability limit, or the
        simulation blew up: divergence is a status, as in :func:`numerics.plrf.risk_curve`),
        ``"unchecked"`` (no check could be applied), ``"failed"`` (an applicable check failed) or ``"ok"``."""
        if self.simulation is None or getattr(self.simulation, "status", "ok") == "diverged":
            return "diverged"
        judged = [c for c in self.checks if c.applicable and not c.informative]
        if not judged:
            return "unchecked"
        return "ok" if all(c.passed for c in judged) else "failed"

    @property
    def risk_simulated(self) -> np.ndarray | None:
        return None if self.simulation is None else self.simulation.mean

    @property
    def risk_stderr(self) -> np.ndarray | None:
        return None if self.simulation is None else self.simulation.stderr

    def to_dict(self) -> dict:
        """Plain-JSON view (the ``sltk verify --json`` object)."""
        return {
            "problem": self.problem.to_dict() if hasattr(self.problem, "to_dict") else repr(self.problem),
            "optimizer": self.optimizer.to_dict(),
            "schedule": self.schedule.spec() if self.schedule is not None else "constant",
            "phase": self.phase,
            "horizon": self.horizon,
            "runs": getattr(self.simulation, "runs", None),
            "seed": getattr(self.simulation, "seed", None),
            "backend": getattr(self.simulation, "backend", None),
            "dtype": getattr(self.simulation, "dtype", None),
            "lr_max": self.lr_max,
            "kernel_norm": self.kernel_norm,
            "passed": self.passed,
            "status": self.status,
            "message": self.message,
            "checks": [c.to_dict() for c in self.checks],
            "steps": self.steps,
            "risk_simulated": self.risk_simulated,
            "risk_stderr": self.risk_stderr,
            "risk_exact": self.risk_exact,
            "risk_volterra": self.risk_volterra,
            "risk_asymptotic": self.risk_asymptotic,
            "slope_window": None if self.window is None else list(self.window),
            "simulation_status": getattr(self.simulation, "status", None),
            "seconds": self.seconds,
            "info": self.info,
        }
