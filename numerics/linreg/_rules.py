"""What an optimizer contributes to high-dimensional linear regression: the rules table, the
risk-curve result and the entry points :func:`risk_curve` and :func:`limit_risk`.

Normalisation (Xiao, Marshall, Agarwala & Paquette 2024): step ``gamma = eta / d`` per sample,
time ``t = k / d``. The optimizer object carries the per-step rate ``gamma`` (``SignSGD(lr=eta/d)``),
so ``eta = optimizer.lr * d``.

References
----------
K. L. Xiao, N. Marshall, A. Agarwala, E. Paquette, "Exact risk curves of signSGD in
High-Dimensions", arXiv:2411.12135 (2024), Sec. 2 and eqs. (10)-(13).
"""

from __future__ import annotations

import abc
import math
from dataclasses import dataclass, field

import numpy as np

from theory import Constant, Optimizer, ParameterError, RulesTable, Schedule, StabilityError
from theory.linreg import LinearRegressionProblem
from theory.validate import check_choice, check_int, check_real

__all__ = ["RULES", "LinRegNumericsRules", "HighDimRiskCurve", "risk_curve", "limit_risk", "eta_fn", "check_common"]

#: The linear-regression numerics rules of every optimizer, keyed by optimizer class.
RULES = RulesTable("linear-regression numerics")


@dataclass(frozen=True)
class HighDimRiskCurve:
    """Result of a high-dimensional risk computation.

    Attributes
    ----------
    t : times ``k/d``; risk : excess risk ``R(t)`` (no 1/2); population_risk : ``R + E eps^2``
    (``inf`` for infinite-variance noise); optimizer : "signsgd" or "sgd"; method : "ode" or
    "recursion"; status : "ok", "diverged" or a message; limit_risk : stationary ``R`` at constant
    ``eta`` (``inf`` when none exists).
    """

    t: np.ndarray
    risk: np.ndarray
    population_risk: np.ndarray
    optimizer: str
    method: str
    status: str
    limit_risk: float
    diagnostics: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"t": self.t, "risk": self.risk, "population_risk": self.population_risk,
                "optimizer": self.optimizer, "method": self.method, "status": self.status,
                "limit_risk": self.limit_risk, "diagnostics": self.diagnostics}


class LinRegNumericsRules(abc.ABC):
    """The high-dimensional risk equations of one optimizer (subclass per optimizer)."""

    optimizer_name: str = ""

    @abc.abstractmethod
    def risk_curve(self, problem, eta: float, T: float, *, schedule=None, n_eval: int = 200, method: str = "ode",
                   rtol: float = 1e-8) -> HighDimRiskCurve:
        """The excess-risk curve at ODE rate ``eta`` (step ``eta/d``) up to time ``T``."""

    @abc.abstractmethod
    def law_rate(self, optimizer) -> float:
        """The per-step rate that the loss laws' time ``S1 = sum_k rate_k`` is measured in."""

    @abc.abstractmethod
    def limit_risk(self, cov, noise, eta: float) -> float:
        """The stationary excess risk at constant ``eta``."""


def _eta_of(problem, optimizer) -> float:
    if not isinstance(problem, LinearRegressionProblem):
        raise ParameterError("problem", "a theory.linreg.LinearRegressionProblem", type(problem).__name__)
    if not isinstance(optimizer, Optimizer):
        raise ParameterError("optimizer", "an optimizer instance, e.g. SignSGD(lr=eta/d)", optimizer)
    return optimizer.lr * problem.d


def risk_curve(problem: LinearRegressionProblem, optimizer, T: float, *, schedule: Schedule | None = None,
               n_eval: int = 200, method: str = "ode", rtol: float = 1e-8) -> HighDimRiskCurve:
    """Excess-risk curve of one-pass ``optimizer`` up to time ``T = k/d``.

    Parameters
    ----------
    problem : theory.linreg.LinearRegressionProblem
    optimizer : theory.Optimizer
        An instance whose ``lr`` is the per-step rate ``eta/d``; its rules in :data:`RULES` give
        the equations (signSGD: the risk ODE of Xiao et al.; SGD: its homogenised ODE).
    T : float
        Final time ``k/d``.
    schedule : theory.Schedule, optional
        Multiplier of the rate; its horizon is ``ceil(T d)`` steps.
    n_eval : int
        Number of equally spaced output times in ``[0, T]``.
    method : {"ode", "recursion"}
        The ``d -> infinity`` ODE, or its exact discrete-step counterpart.

    Returns
    -------
    HighDimRiskCurve
        ``status="diverged"`` (empty arrays, ``diagnostics["message"]`` and ``["lr_max"]``) when the
        rate is past the stability limit: divergence is a status of a run, never an exception.

    Examples
    --------
    >>> from theory import SignSGD
    >>> p = LinearRegressionProblem(np.ones(200), np.full(200, 200 ** -0.5))  # R0 = 1
    >>> c = risk_curve(p, SignSGD(lr=0.5 / 200), T=60.0, n_eval=5)
    >>> float(round(c.risk[0], 12)), bool(abs(c.risk[-1] / c.limit_risk - 1) < 1e-4)  # limit (pi eta / 4)^2
    (1.0, True)

    References
    ----------
    Xiao et al. (2024), arXiv:2411.12135, eqs. (10)-(13) (re-derived here).
    """
    eta = _eta_of(problem, optimizer)
    rules = RULES[optimizer]
    try:
        return rules.risk_curve(problem, eta, T, schedule=schedule, n_eval=n_eval, method=method, rtol=rtol)
    except StabilityError as exc:  # divergence is a status of a run, as in numerics.plrf.risk_curve
        e0 = np.zeros(0)
        return HighDimRiskCurve(t=e0, risk=e0, population_risk=e0, optimizer=rules.optimizer_name, method=method,
                                status="diverged", limit_risk=math.inf,
                                diagnostics={"message": str(exc), "lr_max": exc.lr_max, "lr": exc.lr})


def limit_risk(problem: LinearRegressionProblem, optimizer) -> float:
    """The stationary excess risk of ``optimizer`` at its constant rate (``inf`` where none exists).

    >>> from theory import SGD, SignSGD
    >>> from theory.linreg import GaussianNoise
    >>> p = LinearRegressionProblem(np.ones(5), np.zeros(5), GaussianNoise(1.0))
    >>> limit_risk(p, SGD(lr=1.0 / 5))
    1.0
    """
    eta = _eta_of(problem, optimizer)
    return RULES[optimizer].limit_risk(problem.cov, problem.noise, eta)


def eta_fn(lr: float, schedule: Schedule | None, d: int, T: float):
    sched = schedule if schedule is not None else Constant()
    if not isinstance(sched, Schedule):
        raise ParameterError("schedule", "a theory.Schedule (see theory.parse_schedule)", sched)
    n = max(int(math.ceil(T * d)), 1)

    def eta(t):  # continuous in t (steps k = t d as a real number) so the ODE solver sees no jumps
        k = np.clip(np.asarray(t, dtype=float) * d, 0, n - 1)
        return lr * sched(k, n)

    return eta, n


def check_common(problem, lr, T, n_eval, method):
    """Validate the common arguments of the risk solvers (``lr`` is the ODE rate ``eta``)."""
    if not isinstance(problem, LinearRegressionProblem):
        raise ParameterError("problem", "a theory.linreg.LinearRegressionProblem", type(problem).__name__)
    lr = check_real("lr", lr, gt=0)
    T = check_real("T", T, gt=0)
    n_eval = check_int("n_eval", n_eval, ge=2)
    check_choice("method", method, ("ode", "recursion"))
    return lr, T, n_eval
