"""What an optimizer contributes to the numerics of PLRF: the rules interface, its table, the
risk-curve result, and the one entry point :func:`risk_curve`.

One rules object per optimizer (``numerics/plrf/_<optimizer>.py``) solves that optimizer's risk
equations, knows its stability limit and the natural unit of its learning rate (which the
frontier's learning-rate lattice is measured in), and how its rate maps to the time variable of
the empirical loss laws. It is registered in :data:`RULES` (keyed by optimizer class, MRO
lookup), so a new optimizer plugs in without touching generic code.

References
----------
Paquette, Paquette, Xiao & Pennington, "4+3 Phases of Compute-Optimal Neural Scaling Laws",
NeurIPS 2024 (arXiv:2405.15074), Sec. 2-3; Kim, Song & Yun, ICLR 2026 (arXiv:2603.02069).
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from theory import Constant, Optimizer, ParameterError, RulesTable, Schedule, resolve_optimizer
from theory.plrf import PLRF
from theory.validate import check_choice, check_int

from ._spectra import Spectrum, exact_spectrum, surrogate_spectrum

__all__ = ["RULES", "PLRFNumericsRules", "RiskCurve", "risk_curve", "spectrum_of", "max_stable_lr"]

#: The PLRF numerics rules of every optimizer, keyed by optimizer class.
RULES = RulesTable("PLRF numerics")


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
        ``||K||`` at the peak learning rate (NaN where the optimizer has no Volterra kernel).
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


class PLRFNumericsRules(abc.ABC):
    """The numerics of one optimizer on PLRF (subclass per optimizer, register in :data:`RULES`)."""

    #: The optimizer's name (for messages).
    optimizer_name: str = ""
    #: Default learning-rate lattice of the frontier, in units of :meth:`lr_scale`.
    lr_factors: np.ndarray = np.zeros(0)
    #: A coarse lattice for grids of many frontiers (sweeps): fewer factors over the same range.
    coarse_lr_factors: np.ndarray = np.zeros(0)
    #: Where the frontier's learning-rate search starts (a factor of :meth:`lr_scale`).
    lr_factor_start: float = 0.5
    #: The frontier's learning rate when none is asked for: a fixed factor of :meth:`lr_scale` (the
    #: rate the optimizer's theory assumes, e.g. SGD at half its stability limit) or ``"optimise"``.
    frontier_lr: float | str = "optimise"
    #: Words for the frontier's learning-rate rule, e.g. ``"gamma = c * lr_max(d)"``.
    lr_rule: str = ""
    #: Method of :meth:`risk_curve` that is exact (for the loss-law bridge).
    exact_method: str = "recursion"
    #: Keyword options the risk solver takes besides the common ones.
    risk_options: tuple = ()

    @abc.abstractmethod
    def risk_curve(self, problem, optimizer, schedule, steps, *, spectrum="deterministic", seed=None,
                   n_points=200, method="auto", **options) -> RiskCurve:
        """The expected risk curve (validated ``problem``, ``schedule``, ``steps``, ``n_points``)."""

    @abc.abstractmethod
    def model(self, problem, spectrum="deterministic", *, seed=None):
        """The coefficients of the risk equations of ``problem`` (reused across learning rates)."""

    @abc.abstractmethod
    def lr_scale(self, problem, model, template) -> float:
        """The natural unit of the learning rate at this size for the optimizer ``template`` (the
        frontier's learning rates are ``c * unit``)."""

    def lr_scale_cheap(self, problem, d: float) -> float | None:
        """:meth:`lr_scale` at a (refined, non-integer) size ``d`` of ``problem`` when it needs no
        :meth:`model` (else ``None``: the frontier interpolates between the sizes it solved)."""
        return None

    @abc.abstractmethod
    def frontier_curve(self, problem, model, optimizer, schedule, steps, record, h) -> RiskCurve:
        """One run of the frontier (the solver settings the frontier uses), ``model`` from :meth:`model`."""

    @abc.abstractmethod
    def max_stable_lr(self, problem, optimizer, *, spectrum="deterministic") -> float:
        """The largest stable learning rate of ``optimizer`` (optimizer's convention); ``problem`` may be
        None when ``spectrum`` is a :class:`Spectrum` (raise :class:`theory.ParameterError` if it is needed)."""

    def risk_components(self, problem, model, optimizer, schedule, steps, h) -> dict | None:
        """The risk after ``steps`` split into its drift part (the initial error carried by the
        equations) and its noise part (what the optimizer's noise injected), as
        ``{"risk", "drift", "noise", "noise_relaxed", "p_inf"}`` (``noise_relaxed``: the noise held by
        the modes that have relaxed); ``None`` (the default) where this optimizer's
        equations have no such split here."""
        return None

    @abc.abstractmethod
    def law_rate(self, optimizer) -> float:
        """The per-step rate that the loss laws' time ``S1 = sum_k rate_k`` is measured in."""


def spectrum_of(problem: PLRF, spectrum="deterministic", *, seed=None, rtol: float = 1e-10) -> Spectrum:
    """Resolve a ``spectrum=`` argument to a :class:`Spectrum` (the deterministic equivalent is cached).

    ``"deterministic"`` (default), ``"exact"`` (one ``W`` drawn from ``seed``), ``"surrogate"``, or a
    given :class:`Spectrum`.
    """
    if isinstance(spectrum, Spectrum):
        return spectrum
    check_choice("spectrum", spectrum, ("deterministic", "exact", "surrogate"))
    if spectrum == "exact":
        return exact_spectrum(problem, seed=seed)
    if spectrum == "surrogate":
        return surrogate_spectrum(problem)
    return _de_spectrum_cached(problem, float(rtol))


@lru_cache(maxsize=1024)  # an atlas worker meets each (alpha, beta, d) once per optimizer and schedule
def _de_spectrum_cached(problem: PLRF, rtol: float):
    """The deterministic-equivalent spectrum, cached in the process and on disk (one computation per
    machine: :mod:`numerics.plrf._spectrum_cache`)."""
    from ._deterministic_equivalent import deterministic_equivalent
    from ._spectrum_cache import cached_de_spectrum

    return cached_de_spectrum(problem, rtol, lambda: deterministic_equivalent(problem, rtol=rtol).spectrum)


def _check_problem(problem):
    if not isinstance(problem, PLRF):
        raise ParameterError("problem", "a theory.plrf.PLRF instance", type(problem).__name__)
    return problem


def risk_curve(problem: PLRF, optimizer, schedule: Schedule = Constant(), steps: int = 10_000, *,
               spectrum="deterministic", seed=None, n_points: int = 200, method: str = "auto",
               **options) -> RiskCurve:
    """Expected risk of ``optimizer`` on ``problem`` over ``steps`` steps, on log-spaced steps.

    Parameters
    ----------
    problem : theory.plrf.PLRF
    optimizer : theory.Optimizer
        An instance (it carries the learning rate); its rules in :data:`RULES` solve the risk
        equations (SGD: the Volterra equation; signSGD: its per-mode equations).
    schedule : theory.Schedule
        Learning-rate schedule (durations are fractions of ``steps``).
    steps : int
        Horizon ``N``; the curve covers ``r = 0..N``.
    spectrum : {"deterministic", "exact", "surrogate"} or Spectrum
        Deterministic equivalent (default), the exact spectrum of one ``W`` drawn from ``seed``,
        the authors' surrogate, or a given spectrum.
    n_points : int
        About this many log-spaced output steps (plus 0).
    method : str
        The optimizer's solver (``"auto"`` picks): SGD ``series``/``loggrid``/``recursion``;
        signSGD ``recursion``/``loggrid``/``arcsine``.
    **options
        Solver options of the optimizer's rules (e.g. ``h``, ``rtol``, ``record``); an unknown
        one raises :class:`theory.ParameterError`.

    Returns
    -------
    RiskCurve
        ``status="diverged"`` (empty risk, ``lr_max`` and message set) when the learning rate is
        past the stability limit -- never an overflowing or NaN curve.

    Examples
    --------
    >>> from theory import SGD, SignSGD
    >>> c = risk_curve(PLRF(1.0, 0.75, 200, 50), SGD(lr=0.4), steps=1000, spectrum="surrogate", n_points=4)
    >>> c.steps.tolist(), c.status, c.method
    ([0, 1, 10, 100, 1000], 'ok', 'series')
    >>> risk_curve(PLRF(1.0, 0.75, 200, 50), SGD(lr=5.0), steps=10, spectrum="surrogate").status
    'diverged'
    >>> risk_curve(PLRF(1.0, 0.75, 200, 50), SignSGD(lr=1e-3), steps=1000, spectrum="surrogate", n_points=4).status
    'ok'

    References
    ----------
    Paquette et al. 2024 (arXiv:2405.15074), Sec. 2-3; Kim, Song & Yun (2026), arXiv:2603.02069.
    """
    _check_problem(problem)
    if not isinstance(schedule, Schedule):
        raise ParameterError("schedule", "a theory.Schedule instance", type(schedule).__name__)
    steps = check_int("steps", steps, ge=1)
    n_points = check_int("n_points", n_points, ge=2)
    if not isinstance(optimizer, Optimizer):
        raise ParameterError("optimizer", "an optimizer instance (it carries the learning rate), e.g. SGD(lr=0.1)",
                             optimizer)
    rules = RULES[optimizer]
    unknown = sorted(set(options) - set(rules.risk_options))
    if unknown:
        raise ParameterError(unknown[0], f"an option of the {rules.optimizer_name} risk solver: "
                             + ", ".join(rules.risk_options), options[unknown[0]])
    return rules.risk_curve(problem, optimizer, schedule, steps, spectrum=spectrum, seed=seed,
                            n_points=n_points, method=method, **options)


def max_stable_lr(problem, optimizer="sgd", *, spectrum="deterministic") -> float:
    """The largest stable learning rate of ``optimizer`` (in its own ``lr`` convention).

    Parameters
    ----------
    problem : theory.plrf.PLRF or Spectrum
        The problem (its spectrum chosen by ``spectrum=``), or a :class:`Spectrum` directly (enough
        for optimizers whose limit depends on the spectrum alone, e.g. SGD).
    optimizer : str, class or instance
        An instance's batch and convention are used (a name or class means ``lr=1``, batch 1).

    Examples
    --------
    >>> from theory import SGD
    >>> round(max_stable_lr(Spectrum([0.5], [1.0], 0.0), "sgd"), 12)  # one mode: 2 / (3 lambda)
    1.333333333333
    """
    rules = RULES[optimizer]
    opt = resolve_optimizer(optimizer, lr=1.0)
    if isinstance(problem, Spectrum):
        return rules.max_stable_lr(None, opt, spectrum=problem)
    _check_problem(problem)
    return rules.max_stable_lr(problem, opt, spectrum=spectrum)
