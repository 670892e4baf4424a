"""Input validators shared by every layer of sltk (public: ``theory.validate``).

Each raises :class:`theory.ParameterError`, whose message names the parameter, the
constraint it violates and the value it received, e.g.::

    ParameterError: alpha must satisfy alpha > 0; got alpha=-1.0

Nothing in sltk returns NaN silently: invalid input is rejected by these, at construction or
at the entry of a public function. The ``name`` passed is what the user typed (a keyword, or a
``--flag`` when the CLI validates).
"""

from __future__ import annotations

import math
import numbers

from ._errors import ParameterError

__all__ = ["check_real", "check_int", "check_choice", "check_table"]


def check_real(
    name: str,
    value: object,
    *,
    gt: float | None = None,
    ge: float | None = None,
    lt: float | None = None,
    le: float | None = None,
    allow_inf: bool = False,
) -> float:
    """Validate a real scalar and return it as ``float``.

    >>> check_real("gamma", 0.5, gt=0)
    0.5
    >>> check_real("gamma", -1, gt=0)
    Traceback (most recent call last):
    ...
    theory.ParameterError: gamma must satisfy gamma > 0; got gamma=-1
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ParameterError(name, "a real number", value)
    x = float(value)
    if math.isnan(x):
        raise ParameterError(name, "a real number (not NaN)", value)
    if math.isinf(x) and not allow_inf:
        raise ParameterError(name, "a finite real number", value)
    if gt is not None and not x > gt:
        raise ParameterError(name, f"{name} > {gt:g}", value)
    if ge is not None and not x >= ge:
        raise ParameterError(name, f"{name} >= {ge:g}", value)
    if lt is not None and not x < lt:
        raise ParameterError(name, f"{name} < {lt:g}", value)
    if le is not None and not x <= le:
        raise ParameterError(name, f"{name} <= {le:g}", value)
    return x


def check_int(name: str, value: object, *, ge: int | None = None, le: int | None = None) -> int:
    """Validate an integer scalar (a float with integral value is accepted).

    >>> check_int("batch", 4, ge=1)
    4
    >>> check_int("batch", 0, ge=1)
    Traceback (most recent call last):
    ...
    theory.ParameterError: batch must satisfy batch >= 1; got batch=0
    """
    if isinstance(value, bool):
        raise ParameterError(name, "an integer", value)
    if isinstance(value, numbers.Integral):
        n = int(value)
    elif isinstance(value, numbers.Real) and math.isfinite(float(value)) and float(value).is_integer():
        n = int(value)
    else:
        raise ParameterError(name, "an integer", value)
    if ge is not None and n < ge:
        raise ParameterError(name, f"{name} >= {ge}", value)
    if le is not None and n > le:
        raise ParameterError(name, f"{name} <= {le}", value)
    return n


def check_choice(name: str, value: object, choices: tuple[str, ...]) -> str:
    """Validate that ``value`` is one of ``choices``.

    >>> check_choice("batch_reduction", "sum", ("sum", "mean"))
    'sum'
    """
    if value not in choices:
        raise ParameterError(name, "one of " + ", ".join(repr(c) for c in choices), value)
    return str(value)


def check_table(steps, values, *, values_name: str = "values"):
    """Validate a (step, value) table: 1-d, equal non-zero lengths, strictly increasing
    steps, finite non-negative values. Returns both as float64 arrays.

    >>> check_table([0, 10], [1.0, 0.5])[0]
    array([ 0., 10.])
    >>> check_table([0, 0], [1.0, 0.5])
    Traceback (most recent call last):
    ...
    theory.ParameterError: steps must satisfy strictly increasing; got steps='non-increasing steps'
    """
    import numpy as np

    st = np.asarray(steps, dtype=np.float64)
    v = np.asarray(values, dtype=np.float64)
    if st.ndim != 1 or st.size < 1 or st.shape != v.shape:
        raise ParameterError(f"steps/{values_name}", "1-d sequences of equal, non-zero length", (st.shape, v.shape))
    if np.any(np.diff(st) <= 0):
        raise ParameterError("steps", "strictly increasing", "non-increasing steps")
    if not np.all(np.isfinite(v)) or np.any(v < 0):
        raise ParameterError(values_name, "finite and >= 0", "a negative or non-finite value")
    return st, v
