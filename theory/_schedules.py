"""Learning-rate schedules: step -> multiplier of the optimizer's base learning rate.

Every schedule is a frozen dataclass, validated at construction, whose durations are
**fractions of the horizon** (the total number of steps ``n``), so the same object serves
every budget of a compute-optimal sweep. Evaluate with ``schedule(steps, horizon)``: it
returns float64 factors ``eta_k / eta_peak`` for integer steps ``k = 0..horizon-1`` (the
rate used by update ``k``), vectorised over ``steps``. The learning rate is then
``optimizer.lr * factor``.

Conventions (stated once): a linear warmup over ``w = round(warmup * horizon)`` steps uses
``(k + 1) / w`` for ``k < w`` (never a zero rate); a decay phase of ``m`` steps starting at
step ``s`` uses the progress ``u = (k - s + 1) / m``, so the last step ends at ``floor``.

The CLI spelling is ``name:key=value,...``, e.g. ``wsd:warmup=0.01,decay=0.2,shape=cosine``;
see :func:`parse_schedule`.

References
----------
K. Wen et al., "Understanding Warmup-Stable-Decay Learning Rates: A River Valley Loss
Landscape Perspective", 2024 (WSD); I. Loshchilov & F. Hutter, "SGDR", ICLR 2017 (cosine);
H. Tissue, V. Wang, L. Wang, "Scaling Law with Learning Rate Annealing", arXiv:2408.11029
(two-stage and WSD schedules of its experiments); J. Kim, D. Song, C. Yun, "Scaling Laws of
SignSGD in Linear Regression", ICLR 2026 (arXiv:2603.02069) (stable-decay).
"""

from __future__ import annotations

import abc
import dataclasses
import math
from dataclasses import dataclass, field
from typing import Callable, ClassVar

import numpy as np

from ._errors import ParameterError
from .validate import check_choice, check_int, check_real, check_table

__all__ = [
    "Schedule",
    "Constant",
    "LinearWarmup",
    "Cosine",
    "WSD",
    "StableDecay",
    "StepDecay",
    "TwoStage",
    "FromCallable",
    "Tabulated",
    "DECAY_SHAPES",
    "SCHEDULES",
    "parse_schedule",
    "as_schedule",
]

DECAY_SHAPES = ("linear", "cosine", "1-sqrt", "polynomial")


def _frac(name: str, x) -> float:
    return check_real(name, x, ge=0.0, le=1.0)


def _steps(steps, horizon) -> tuple[np.ndarray, int]:
    n = check_int("horizon", horizon, ge=1)
    k = np.asarray(steps, dtype=np.float64)
    if k.size and (np.min(k) < 0 or np.max(k) > n):
        raise ParameterError("steps", f"0 <= step <= horizon = {n}", float(np.min(k)) if np.min(k) < 0 else float(np.max(k)))
    return k, n


def _warmup_factor(k: np.ndarray, w: int) -> np.ndarray:
    return np.where(k < w, (k + 1.0) / max(w, 1), 1.0)


def _decay_shape(u: np.ndarray, shape: str, power: float) -> np.ndarray:
    """Decay profile from 1 (u=0) to 0 (u=1)."""
    u = np.clip(u, 0.0, 1.0)
    if shape == "linear":
        return 1.0 - u
    if shape == "cosine":
        return 0.5 * (1.0 + np.cos(np.pi * u))
    if shape == "1-sqrt":
        return 1.0 - np.sqrt(u)
    return (1.0 - u) ** power  # polynomial


@dataclass(frozen=True)
class Schedule(abc.ABC):
    """A learning-rate schedule: ``schedule(steps, horizon) -> factors``."""

    name: ClassVar[str] = "schedule"

    @abc.abstractmethod
    def _factors(self, k: np.ndarray, n: int) -> np.ndarray: ...

    def __call__(self, steps, horizon: int) -> np.ndarray:
        """Multipliers of the base learning rate at integer ``steps`` (0-based)."""
        k, n = _steps(steps, horizon)
        out = np.asarray(self._factors(k, n), dtype=np.float64)
        if out.size and (not np.all(np.isfinite(out)) or np.min(out) < 0):
            raise ParameterError(self.name, "finite, non-negative learning-rate factors", "a negative or non-finite value")
        return np.broadcast_to(out, k.shape).copy() if out.shape != k.shape else out

    #: True for a schedule whose factor is 1 at every step (solvers take their constant-rate path).
    is_constant: ClassVar[bool] = False

    def end_decay_power(self) -> float | None:
        """The power ``p`` of a rate that ends like ``(1 - k/N)^p`` at the horizon, or ``None``
        when the rate does not decay to zero at the end (constant up to a factor there).

        This is what a schedule contributes to the compute-optimal theory (e.g. signSGD's noise
        suppression ``q = p/(p+1)``, ``theory.plrf``); a schedule whose end is not of this form
        raises :class:`theory.ParameterError`.
        """
        raise ParameterError("schedule", "a schedule whose rate ends like (1 - k/N)^p (Constant, LinearWarmup, "
                             "WSD/StableDecay, Cosine)", self.name)

    def lr(self, steps, horizon: int, peak: float) -> np.ndarray:
        """Absolute learning rates ``peak * factor``."""
        return check_real("peak", peak, gt=0) * self(steps, horizon)

    def spec(self) -> str:
        """The CLI spelling that :func:`parse_schedule` maps back to this object."""
        parts = []
        for f in dataclasses.fields(self):
            val = getattr(self, f.name)
            if callable(val) or isinstance(val, (tuple, list, np.ndarray)) and f.name in ("steps", "values"):
                return self.name
            if isinstance(val, tuple):
                val = ";".join(repr(float(x)) for x in val)  # repr: exact float round trip
            elif isinstance(val, float):
                val = repr(val)
            parts.append(f"{f.name}={val}")
        return self.name + (":" + ",".join(parts) if parts else "")


@dataclass(frozen=True)
class Constant(Schedule):
    """Constant rate: factor 1 at every step.

    >>> Constant()([0, 5, 9], 10)
    array([1., 1., 1.])
    """

    name: ClassVar[str] = "constant"
    is_constant: ClassVar[bool] = True

    def _factors(self, k, n):
        return np.ones_like(k)

    def end_decay_power(self) -> None:
        """``None``: a constant rate does not decay.

        >>> Constant().end_decay_power() is None
        True
        """
        return None


@dataclass(frozen=True)
class LinearWarmup(Schedule):
    """Linear warmup over a fraction ``warmup`` of the horizon, then constant.

    >>> LinearWarmup(warmup=0.5)([0, 1, 4, 5, 9], 10)
    array([0.2, 0.4, 1. , 1. , 1. ])
    """

    name: ClassVar[str] = "warmup"
    warmup: float = 0.1

    def __post_init__(self):
        object.__setattr__(self, "warmup", _frac("warmup", self.warmup))

    def _factors(self, k, n):
        return _warmup_factor(k, int(round(self.warmup * n)))

    def end_decay_power(self) -> None:
        """``None``: constant after the warmup."""
        return None


@dataclass(frozen=True)
class Cosine(Schedule):
    """Optional linear warmup, then cosine decay from 1 to ``floor`` at the last step.

    >>> np.round(Cosine(floor=0.1)([0, 9], 10), 6)
    array([0.977975, 0.1     ])
    """

    name: ClassVar[str] = "cosine"
    warmup: float = 0.0
    floor: float = 0.0

    def __post_init__(self):
        object.__setattr__(self, "warmup", _frac("warmup", self.warmup))
        object.__setattr__(self, "floor", _frac("floor", self.floor))

    def _factors(self, k, n):
        w = int(round(self.warmup * n))
        m = max(n - w, 1)
        u = (k - w + 1.0) / m
        dec = self.floor + (1.0 - self.floor) * _decay_shape(u, "cosine", 1.0)
        return np.where(k < w, _warmup_factor(k, w), dec)

    def end_decay_power(self) -> float | None:
        """``2``: ``(1 + cos(pi k/N))/2 ~ (pi^2/4)(1 - k/N)^2`` at the end (``None`` with a floor > 0).

        >>> Cosine().end_decay_power(), Cosine(floor=0.1).end_decay_power()
        (2.0, None)
        """
        return None if self.floor > 0 else 2.0


@dataclass(frozen=True)
class WSD(Schedule):
    """Warmup-stable-decay: linear warmup, constant, then decay to ``floor``.

    Parameters
    ----------
    warmup : float in [0, 1]
        Fraction of the horizon spent in linear warmup.
    decay : float in [0, 1]
        Fraction of the horizon spent decaying (the last steps); ``warmup + decay <= 1``.
    shape : {"linear", "cosine", "1-sqrt", "polynomial"}
        Decay profile; ``polynomial`` is ``(1 - u)^power``.
    floor : float in [0, 1]
        Final factor.
    power : float > 0
        Exponent of the polynomial shape.

    >>> WSD(warmup=0.0, decay=0.5, shape="linear")([0, 4, 5, 7, 9], 10)
    array([1. , 1. , 0.8, 0.4, 0. ])
    """

    name: ClassVar[str] = "wsd"
    warmup: float = 0.0
    decay: float = 0.2
    shape: str = "linear"
    floor: float = 0.0
    power: float = 2.0

    def __post_init__(self):
        w = _frac("warmup", self.warmup)
        dcy = _frac("decay", self.decay)
        if w + dcy > 1.0 + 1e-12:
            raise ParameterError("warmup + decay", "warmup + decay <= 1", w + dcy)
        check_choice("shape", self.shape, DECAY_SHAPES)
        object.__setattr__(self, "warmup", w)
        object.__setattr__(self, "decay", dcy)
        object.__setattr__(self, "floor", _frac("floor", self.floor))
        object.__setattr__(self, "power", check_real("power", self.power, gt=0))

    def _factors(self, k, n):
        m = int(round(self.decay * n))
        s = n - m
        w = min(int(round(self.warmup * n)), s)  # rounding must not let warmup overlap the decay
        if m > 0:
            u = (k - s + 1.0) / m
            dec = self.floor + (1.0 - self.floor) * _decay_shape(u, self.shape, self.power)
        else:
            dec = np.ones_like(k)
        out = np.where(k >= s, dec, 1.0)
        return np.where(k < w, _warmup_factor(k, w), out)

    def end_decay_power(self) -> float | None:
        """The decay shape's end power: linear and 1-sqrt 1, cosine 2, polynomial ``power``;
        ``None`` without a decay to zero (``decay = 0`` or ``floor > 0``).

        >>> WSD(decay=0.2).end_decay_power(), WSD(decay=0.2, shape="polynomial", power=3.0).end_decay_power()
        (1.0, 3.0)
        """
        if self.decay == 0 or self.floor > 0:
            return None
        return {"linear": 1.0, "cosine": 2.0, "1-sqrt": 1.0}.get(self.shape, float(self.power))


@dataclass(frozen=True)
class StableDecay(WSD):
    """WSD without warmup (the 'stable-decay' schedule of Kim, Song & Yun 2026).

    >>> StableDecay(decay=0.5, shape="linear")([9], 10)
    array([0.])
    """

    name: ClassVar[str] = "stable-decay"

    def __post_init__(self):
        if self.warmup != 0:
            raise ParameterError("warmup", "warmup = 0 for stable-decay (use wsd)", self.warmup)
        super().__post_init__()


@dataclass(frozen=True)
class StepDecay(Schedule):
    """Piecewise constant: multiply by ``factor`` at each milestone (fractions of horizon).

    >>> StepDecay(milestones=(0.5, 0.8), factor=0.1)([0, 5, 8], 10)
    array([1.  , 0.1 , 0.01])
    """

    name: ClassVar[str] = "step"
    milestones: tuple = (0.5,)
    factor: float = 0.1

    def __post_init__(self):
        ms = tuple(_frac("milestones", m) for m in np.atleast_1d(np.asarray(self.milestones, dtype=float)))
        if list(ms) != sorted(ms):
            raise ParameterError("milestones", "increasing fractions in [0, 1]", ms)
        object.__setattr__(self, "milestones", ms)
        object.__setattr__(self, "factor", check_real("factor", self.factor, gt=0))

    def _factors(self, k, n):
        count = np.zeros_like(k)
        for m in self.milestones:
            count = count + (k >= int(round(m * n)))
        return self.factor**count


@dataclass(frozen=True)
class TwoStage(Schedule):
    """Constant 1 up to ``switch`` (fraction of horizon), then constant ``second``.

    The 'wsdcon' runs of Tissue et al. (2024) are ``TwoStage(switch=0.5, second=0.1)``.

    >>> TwoStage(switch=0.5, second=0.3)([4, 5], 10)
    array([1. , 0.3])
    """

    name: ClassVar[str] = "two-stage"
    switch: float = 0.5
    second: float = 0.1

    def __post_init__(self):
        object.__setattr__(self, "switch", _frac("switch", self.switch))
        object.__setattr__(self, "second", check_real("second", self.second, ge=0))

    def _factors(self, k, n):
        return np.where(k < int(round(self.switch * n)), 1.0, self.second)


@dataclass(frozen=True)
class FromCallable(Schedule):
    """Any user function ``fn(steps, horizon) -> factors`` (vectorised, non-negative).

    >>> FromCallable(lambda k, n: 1.0 / (1.0 + k))([0, 1, 3], 10)
    array([1.  , 0.5 , 0.25])
    """

    name: ClassVar[str] = "callable"
    fn: Callable = field(default=None)

    def __post_init__(self):
        if not callable(self.fn):
            raise ParameterError("fn", "a callable fn(steps, horizon) -> factors", self.fn)

    def _factors(self, k, n):
        return self.fn(k, n)


@dataclass(frozen=True)
class Tabulated(Schedule):
    """A measured table of (step, factor), linearly interpolated, held constant outside.

    For real runs logged as absolute learning rates, divide by the peak first.

    >>> Tabulated(steps=(0, 10), values=(1.0, 0.0))([0, 5, 10], 10)
    array([1. , 0.5, 0. ])
    """

    name: ClassVar[str] = "table"
    steps: tuple = ()
    values: tuple = ()

    def __post_init__(self):
        s, v = check_table(self.steps, self.values)
        object.__setattr__(self, "steps", tuple(s.tolist()))
        object.__setattr__(self, "values", tuple(v.tolist()))

    def _factors(self, k, n):
        return np.interp(k, np.asarray(self.steps), np.asarray(self.values))


SCHEDULES: dict[str, type[Schedule]] = {
    cls.name: cls for cls in (Constant, LinearWarmup, Cosine, WSD, StableDecay, StepDecay, TwoStage)
}


def as_schedule(schedule) -> Schedule:
    """``schedule`` validated as a :class:`Schedule`; ``None`` means :class:`Constant`.

    >>> as_schedule(None)
    Constant()
    >>> as_schedule("wsd")
    Traceback (most recent call last):
    ...
    theory.ParameterError: schedule must satisfy a theory.Schedule instance (or None for constant); got schedule='str'
    """
    if schedule is None:
        return Constant()
    if not isinstance(schedule, Schedule):
        raise ParameterError("schedule", "a theory.Schedule instance (or None for constant)", type(schedule).__name__)
    return schedule


def parse_schedule(text: str) -> Schedule:
    """Build a schedule from its CLI spelling ``name[:key=value,...]``.

    >>> parse_schedule("wsd:warmup=0.01,decay=0.2,shape=cosine")
    WSD(warmup=0.01, decay=0.2, shape='cosine', floor=0.0, power=2.0)
    >>> parse_schedule("step:milestones=0.5;0.8,factor=0.1").milestones
    (0.5, 0.8)
    >>> parse_schedule("wsd:decay=0.2,,")
    Traceback (most recent call last):
    ...
    theory.ParameterError: schedule must satisfy name[:key=value,...] with no empty field; got schedule='wsd:decay=0.2,,'
    >>> parse_schedule("linear")
    Traceback (most recent call last):
    ...
    theory.ParameterError: schedule must satisfy one of 'constant', 'warmup', 'cosine', 'wsd', 'stable-decay', 'step', 'two-stage'; got schedule='linear'
    """
    name, colon, rest = str(text).strip().partition(":")
    name = name.strip().lower()
    if name not in SCHEDULES:
        raise ParameterError("schedule", "one of " + ", ".join(repr(c) for c in SCHEDULES), name)
    cls = SCHEDULES[name]
    fields = {f.name: f for f in dataclasses.fields(cls)}
    kwargs: dict = {}
    items = [p.strip() for p in rest.split(",")] if colon else []
    if colon and any(not p for p in items):  # "wsd:decay=0.2,," or "wsd:" -- a typo, not a default
        raise ParameterError("schedule", "name[:key=value,...] with no empty field", str(text))
    for item in items:
        key, eq, val = item.partition("=")
        key = key.strip()
        if not eq or key not in fields or not val.strip():
            raise ParameterError(f"schedule {name!r} option", "one of " + ", ".join(fields) + " as key=value", item)
        if key in kwargs:
            raise ParameterError(f"schedule {name!r} option", "each key at most once", item)
        if key == "shape":
            kwargs[key] = val.strip()
        elif key == "milestones":
            parts = [x.strip() for x in val.split(";")]
            if any(not x for x in parts):
                raise ParameterError("milestones", "fractions separated by ';' with no empty field", val)
            kwargs[key] = tuple(_num(key, x) for x in parts)
        else:
            kwargs[key] = _num(key, val)
    return cls(**kwargs)


def _num(key: str, val: str) -> float:
    try:
        x = float(val)
    except ValueError:
        raise ParameterError(key, "a number", val) from None
    if math.isnan(x):
        raise ParameterError(key, "a number", val)
    return x
