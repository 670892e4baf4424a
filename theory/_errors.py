"""The two exceptions of sltk, raised by every layer (validators: :mod:`theory.validate`).

Every check raises :class:`ParameterError`, whose message names the parameter, the
constraint it violates and the value it received, e.g.::

    ParameterError: alpha must satisfy alpha > 0; got alpha=-1.0

Nothing in sltk returns NaN silently: invalid input is rejected here, at construction.
"""

from __future__ import annotations

__all__ = ["ParameterError", "StabilityError"]


#: The ``value`` of a :class:`ParameterError` for a required parameter that was not given.
MISSING = type("Missing", (), {"__repr__": lambda self: "MISSING", "__slots__": ()})()


class ParameterError(ValueError):
    """An input parameter is outside its valid range.

    Attributes
    ----------
    parameter : str
        Name of the offending parameter (as the user spelled it).
    constraint : str
        The constraint, written as a readable inequality or set.
    value : object
        The value that was received.
    """

    def __init__(self, parameter: str, constraint: str, value: object, hint: str = ""):
        self.parameter = parameter
        self.constraint = constraint
        self.value = value
        self.hint = hint
        if value is MISSING:  # a required parameter that was not given
            msg = f"{parameter} is required {constraint}"
        else:
            msg = f"{parameter} must satisfy {constraint}; got {parameter}={value!r}"
        if hint:
            msg += f" ({hint})"
        super().__init__(msg)


class StabilityError(ValueError):
    """A learning rate is past the stability limit of the optimizer on the problem.

    Attributes
    ----------
    lr : float
        The learning rate that was asked for.
    lr_max : float
        The largest stable learning rate (same convention as ``lr``).
    """

    def __init__(self, lr: float, lr_max: float, detail: str = ""):
        self.lr = float(lr)
        self.lr_max = float(lr_max)
        msg = (
            f"learning rate gamma={self.lr:.6g} is past the stability limit: "
            f"the risk diverges; the largest stable gamma is {self.lr_max:.6g}"
        )
        if detail:
            msg += f" ({detail})"
        super().__init__(msg)


# Both are public as ``theory.ParameterError`` / ``theory.StabilityError``; tracebacks say so.
ParameterError.__module__ = "theory"
StabilityError.__module__ = "theory"
