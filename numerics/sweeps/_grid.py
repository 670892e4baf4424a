"""Grids of a sweep: a product of named axes, or a list of points, plus fixed parameters.

A grid point is a plain ``dict`` of JSON-able scalars (``float``, ``int``, ``str``, ``bool``):
the axis values of that point merged with the grid's ``fixed`` parameters (the full spec of the
problem, optimizer, schedule and numerics that every point shares). That dict is all a point
function receives, so it is the whole recipe of one result, and the grid's :meth:`Grid.spec` (axes
and fixed parameters) is what a store compares before it resumes.
"""

from __future__ import annotations

import itertools
import json
import math
import numbers
import re
from typing import Iterator, Mapping, Sequence

import numpy as np

from theory import ParameterError

__all__ = ["Grid", "parse_axis", "RESERVED_PREFIX"]

#: Names of the runner's own variables in a store start with this; no axis or output may.
RESERVED_PREFIX = "sweep_"
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _check_name(what: str, name) -> str:
    if not isinstance(name, str) or not _NAME.match(name) or name.startswith(RESERVED_PREFIX) or name == "point":
        raise ParameterError(what, f"an identifier not starting with {RESERVED_PREFIX!r} and not 'point'", name)
    return name


def _scalar(what: str, v):
    """A point value as a plain Python scalar (bool, int, float or str)."""
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, numbers.Integral):
        return int(v)
    if isinstance(v, numbers.Real):
        x = float(v)
        if not math.isfinite(x):
            raise ParameterError(what, "finite values", v)
        return x
    if isinstance(v, str):
        return v
    raise ParameterError(what, "bool, int, float or str values", v)


def _axis_values(name: str, values) -> list:
    if isinstance(values, (str, bytes)) or not isinstance(values, (Sequence, np.ndarray)):
        raise ParameterError(name, "a non-empty sequence of values", values)
    vals = [_scalar(name, v) for v in values]
    if not vals:
        raise ParameterError(name, "a non-empty sequence of values", values)
    kinds = {type(v) for v in vals}
    if kinds == {int, float}:
        vals = [float(v) for v in vals]
    elif len(kinds) > 1:
        raise ParameterError(name, "values of one type (numbers, strings or bools)", values)
    if len(set(vals)) != len(vals):
        raise ParameterError(name, "distinct values", values)
    return vals


def _check_fixed(fixed) -> dict:
    if fixed is None:
        return {}
    if not isinstance(fixed, Mapping):
        raise ParameterError("fixed", "a mapping of parameter names to JSON-able values", fixed)
    out = {}
    for k, v in fixed.items():
        _check_name("fixed", k)
        try:
            out[k] = json.loads(json.dumps(v, allow_nan=False))
        except (TypeError, ValueError):
            raise ParameterError(f"fixed[{k!r}]", "a JSON-able value (numbers, strings, lists, dicts)", v) from None
    return out


class Grid:
    """The points of a sweep.

    Either a **product** of named axes (``Grid({"alpha": [...], "beta": [...]})``: one store
    dimension per axis, in that order) or a **list of points** (``Grid(points=[{...}, ...])``: one
    dimension ``point``, each key a coordinate along it). ``fixed`` parameters are merged into
    every point and recorded in the store.

    Parameters
    ----------
    axes : mapping of str to sequence, optional
        Axis name -> distinct values (numbers, strings or bools; ints and floats mix as floats).
    points : sequence of mappings, optional
        The points themselves (all with the same keys, each key's values of one type).
    fixed : mapping, optional
        Parameters shared by all points (JSON-able).

    Examples
    --------
    >>> g = Grid({"alpha": [0.5, 1.0], "beta": [0.1, 0.2, 0.3]}, fixed={"optimizer": "sgd"})
    >>> g.dims, g.shape, g.size
    (('alpha', 'beta'), (2, 3), 6)
    >>> g.point((1, 2))
    {'optimizer': 'sgd', 'alpha': 1.0, 'beta': 0.3}
    >>> Grid(points=[{"a": 1.0, "b": "x"}, {"a": 2.0, "b": "y"}]).dims
    ('point',)
    """

    def __init__(self, axes: Mapping[str, Sequence] | None = None, *, points: Sequence[Mapping] | None = None,
                 fixed: Mapping | None = None):
        if (axes is None) == (points is None):
            raise ParameterError("axes/points", "exactly one of axes= or points=", (axes, points))
        self.fixed = _check_fixed(fixed)
        if axes is not None:
            if not isinstance(axes, Mapping) or not axes:
                raise ParameterError("axes", "a non-empty mapping of axis names to values", axes)
            self.kind = "product"
            self.axes = {_check_name("axes", k): _axis_values(k, v) for k, v in axes.items()}
            self.dims = tuple(self.axes)
            self.shape = tuple(len(v) for v in self.axes.values())
        else:
            if isinstance(points, (str, bytes, Mapping)) or not isinstance(points, Sequence) or not points:
                raise ParameterError("points", "a non-empty sequence of mappings", points)
            keys = None
            for p in points:
                if not isinstance(p, Mapping) or not p:
                    raise ParameterError("points", "non-empty mappings", p)
                if keys is None:
                    keys = tuple(p)
                elif set(p) != set(keys):
                    raise ParameterError("points", f"points with the same keys {keys}", tuple(p))
            self.kind = "points"
            self.axes = {}
            for k in keys:
                _check_name("points", k)
                vals = [_scalar(k, p[k]) for p in points]
                kinds = {type(v) for v in vals}
                if kinds == {int, float}:
                    vals = [float(v) for v in vals]
                elif len(kinds) > 1:
                    raise ParameterError(k, "values of one type along the points", vals)
                self.axes[k] = vals
            rows = list(zip(*self.axes.values()))
            if len(set(rows)) != len(rows):
                raise ParameterError("points", "distinct points", points)
            self.dims = ("point",)
            self.shape = (len(points),)
        clash = set(self.axes) & set(self.fixed)
        if clash:
            raise ParameterError("fixed", "names that are not also axes", sorted(clash))

    @property
    def size(self) -> int:
        return int(np.prod(self.shape))

    def index(self, flat: int) -> tuple:
        """The multi-index of the ``flat``-th point (C order)."""
        return tuple(int(i) for i in np.unravel_index(flat, self.shape))

    def point(self, index) -> dict:
        """The point dict at a multi-index (fixed parameters first, then the axes)."""
        index = tuple(index)
        out = dict(self.fixed)
        if self.kind == "product":
            for (k, vals), i in zip(self.axes.items(), index):
                out[k] = vals[i]
        else:
            for k, vals in self.axes.items():
                out[k] = vals[index[0]]
        return out

    def __iter__(self) -> Iterator[tuple[tuple, dict]]:
        for idx in itertools.product(*(range(n) for n in self.shape)):
            yield idx, self.point(idx)

    def __len__(self) -> int:
        return self.size

    def coords(self) -> dict:
        """xarray coordinates: ``{name: (dims, values)}``."""
        if self.kind == "product":
            return {k: ((k,), _coord_array(v)) for k, v in self.axes.items()}
        out = {"point": (("point",), np.arange(self.shape[0]))}
        out.update({k: (("point",), _coord_array(v)) for k, v in self.axes.items()})
        return out

    def spec(self) -> dict:
        """JSON-able description (kind, axes in order, fixed parameters): the grid's identity."""
        return {"kind": self.kind, "axes": {k: list(v) for k, v in self.axes.items()}, "fixed": dict(self.fixed)}

    @classmethod
    def from_spec(cls, spec: Mapping) -> "Grid":
        """Inverse of :meth:`spec`."""
        if spec["kind"] == "product":
            return cls(spec["axes"], fixed=spec["fixed"])
        keys = list(spec["axes"])
        n = len(spec["axes"][keys[0]])
        return cls(points=[{k: spec["axes"][k][i] for k in keys} for i in range(n)], fixed=spec["fixed"])

    def __repr__(self) -> str:
        ax = ", ".join(f"{k}[{len(v)}]" for k, v in self.axes.items())
        return f"Grid({self.kind}: {ax}; fixed: {', '.join(self.fixed) or '-'})"


def _coord_array(vals: list) -> np.ndarray:
    if isinstance(vals[0], str):
        return np.array(vals, dtype=object)
    return np.asarray(vals)


def parse_axis(text: str, name: str = "axis") -> list:
    """Parse an axis spelled on the command line.

    ``start:stop:step`` is an inclusive range (``stop`` is included when it lies on the step,
    values rounded to 12 significant digits so that ``0.1:2:0.05`` gives ``2.0`` exactly);
    ``a,b,c`` is a list (numbers if all parse as numbers, else strings); one value is an axis of one.

    Examples
    --------
    >>> parse_axis("0.1:0.3:0.05")
    [0.1, 0.15, 0.2, 0.25, 0.3]
    >>> parse_axis("sgd,signsgd"), parse_axis("0.7")
    (['sgd', 'signsgd'], [0.7])
    >>> parse_axis("1:0:0.1", "--alpha")
    Traceback (most recent call last):
    ...
    theory.ParameterError: --alpha must satisfy start:stop:step with step > 0 and start <= stop, or a comma-separated list; got --alpha='1:0:0.1'
    """
    rule = "start:stop:step with step > 0 and start <= stop, or a comma-separated list"
    if not isinstance(text, str) or not text.strip():
        raise ParameterError(name, rule, text)
    s = text.strip()
    if ":" in s:
        parts = s.split(":")
        try:
            start, stop, step = (float(p) for p in parts)
        except ValueError:
            raise ParameterError(name, rule, text) from None
        if len(parts) != 3 or not all(map(math.isfinite, (start, stop, step))) or step <= 0 or start > stop:
            raise ParameterError(name, rule, text)
        n = int(math.floor((stop - start) / step + 1e-9)) + 1
        if n > 100_000:
            raise ParameterError(name, "at most 100000 values", text)
        return [float(f"{start + k * step:.12g}") for k in range(n)]
    items = [p.strip() for p in s.split(",")]
    if any(not p for p in items):
        raise ParameterError(name, rule, text)
    try:
        vals = [float(p) for p in items]
    except ValueError:
        vals = items
    if len(set(vals)) != len(vals):
        raise ParameterError(name, "distinct values", text)
    return vals
