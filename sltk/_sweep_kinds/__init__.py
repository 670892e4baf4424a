"""Sweep kinds of ``sltk sweep``: one module per kind, discovered automatically.

A kind module defines

* ``KIND`` (the name typed after ``sltk sweep``) and ``HELP`` (one line);
* ``add_arguments(parser)``: its own options (axes and fixed parameters); the runner's options
  (``--store``, ``--scheduler``, ``--workers``, ...) are added by :mod:`sltk._commands.sweep`;
* ``build(args) -> SweepSpec``: the point function, the :class:`numerics.sweeps.Grid` and the
  attributes (the full problem/optimizer/schedule spec), validating every option before any work;
* ``point(point: dict) -> dict``: the module-level point function (what the workers run);
* ``figure(ds)``: a matplotlib figure of a stored sweep of this kind;
* ``summary(ds) -> list[str]``: lines that ``sltk sweep`` and ``sltk sweep show`` print.

Adding a kind (gamma-eta networks, DMFT grids, ...) means adding a module here.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from typing import Callable

__all__ = ["SweepSpec", "kinds", "kind_of"]


@dataclass(frozen=True)
class SweepSpec:
    """What a kind's ``build`` returns: ``run_sweep(fn, grid, attrs=attrs, ...)``."""

    fn: Callable
    grid: object
    attrs: dict


def kinds() -> dict:
    """``{kind name: module}`` of every kind module in this package."""
    out = {}
    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("_"):
            mod = importlib.import_module(f"{__name__}.{info.name}")
            out[mod.KIND] = mod
    return dict(sorted(out.items()))


def kind_of(name: str):
    """The kind module called ``name`` (``theory.ParameterError`` listing the kinds otherwise)."""
    from theory import ParameterError

    ks = kinds()
    if name not in ks:
        raise ParameterError("kind", "one of " + ", ".join(ks), name)
    return ks[name]
