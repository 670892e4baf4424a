"""One entry point for verification: :func:`verify` picks the model by the problem's type and the
checks by the optimizer's rules in that model's table.

Each model sub-package registers its table with :func:`register_model` (``verification.plrf``:
:class:`theory.plrf.PLRF`; ``verification.linreg``: :class:`theory.linreg.LinearRegressionProblem`),
so a new model plugs in without touching this module.
"""

from __future__ import annotations

from theory import Optimizer, ParameterError, RulesTable, as_schedule

__all__ = ["verify", "register_model", "MODELS", "default_lr"]

#: problem class -> the model's verification RulesTable
MODELS: dict = {}


def register_model(problem_cls: type, table: RulesTable) -> None:
    """Make :func:`verify` dispatch problems of ``problem_cls`` to ``table`` (keyed by optimizer class)."""
    if not isinstance(problem_cls, type):
        raise ParameterError("problem_cls", "a class", problem_cls)
    if not isinstance(table, RulesTable):
        raise ParameterError("table", "a theory.RulesTable", type(table).__name__)
    MODELS[problem_cls] = table


def _table(problem) -> RulesTable:
    for cls in type(problem).__mro__:
        if cls in MODELS:
            return MODELS[cls]
    raise ParameterError("problem", "a problem of a model with verification rules: "
                         + ", ".join(c.__name__ for c in MODELS), type(problem).__name__)


def verify(problem, optimizer, schedule=None, **options):
    """Run the checks that apply to ``optimizer`` on ``problem``.

    Parameters
    ----------
    problem : a model's problem object (e.g. ``theory.plrf.PLRF``)
    optimizer : theory.Optimizer
        An instance (it carries the learning rate); its rules in the model's table pick the checks.
    schedule : theory.Schedule, optional
        Constant when omitted.
    **options
        The model's options (PLRF: ``steps``, ``runs``, ``seed``, ``backend``, ``dtype``, ``n_points``,
        ``n_instances``, ``blas_threads``, ``progress``, ``check_stability``, ``sampler``).

    Returns
    -------
    VerificationResult
        ``passed`` is True iff at least one check applied and every applicable check passed.

    Examples
    --------
    >>> from theory import SignSGD
    >>> from theory.plrf import PLRF
    >>> r = verify(PLRF(1.0, 0.7, 64, 16), SignSGD(lr=0.01), steps=200, runs=4, n_points=8, backend="numpy")
    >>> [c.name for c in r.checks], r.risk_volterra.shape == r.steps.shape
    (['signsgd_equations_vs_simulation'], True)
    """
    if not isinstance(optimizer, Optimizer):
        raise ParameterError("optimizer", "an optimizer instance (it carries the learning rate)", optimizer)
    rules = _table(problem)[optimizer]
    return rules.verify(problem, optimizer, None if schedule is None else as_schedule(schedule), **options)


def default_lr(problem, optimizer, *, seed: int = 0) -> float:
    """The learning rate a check of ``optimizer`` on ``problem`` uses by default (the optimizer's rules)."""
    return _table(problem)[optimizer].default_lr(problem, optimizer, seed=seed)
