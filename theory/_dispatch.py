"""Choosing by optimizer: one resolution of ``optimizer=`` and one table per (layer, model).

Every public function that depends on the optimizer takes it as a **name** (``"signsgd"``), a
**class** (``theory.SignSGD``) or an **instance** (``theory.SignSGD(lr=0.01)``), and resolves it
once with :func:`resolve_optimizer`, the way SciPy resolves ``method=``. What the optimizer
does on a model lives in one *rules* object per (model, optimizer) pair, in the file
``<layer>/<model>/_<optimizer>.py``, registered in that model's single :class:`RulesTable`
keyed by class. Lookup walks the optimizer's MRO, so a subclass of ``SignSGD`` gets signSGD's
rules unless it registers its own, and an optimizer with no rules for a model is refused with
the list of those that have them. Generic code never branches on an optimizer's name or class:
it asks the table.

Caches live on the rules objects (``functools.cached_property`` or a per-object dict), so no
module reaches into another to clear a cache.
"""

from __future__ import annotations

from typing import Any

from ._errors import ParameterError
from ._optimizers import OPTIMIZERS, Optimizer

__all__ = ["RulesTable", "resolve_optimizer", "optimizer_class"]


def optimizer_class(optimizer) -> type:
    """The optimizer class of a name, a class or an instance.

    >>> from theory import SignSGD
    >>> optimizer_class("signsgd") is optimizer_class(SignSGD) is optimizer_class(SignSGD(lr=0.1)) is SignSGD
    True
    >>> optimizer_class("adam")
    Traceback (most recent call last):
    ...
    theory.ParameterError: optimizer must satisfy one of 'sgd', 'signsgd', 'gd'...; got optimizer='adam'
    """
    if isinstance(optimizer, Optimizer):
        return type(optimizer)
    if isinstance(optimizer, type) and issubclass(optimizer, Optimizer):
        return optimizer
    if isinstance(optimizer, str) and optimizer in OPTIMIZERS:
        return OPTIMIZERS[optimizer]
    raise ParameterError("optimizer", "one of " + ", ".join(repr(k) for k in OPTIMIZERS), optimizer)


def resolve_optimizer(optimizer, **defaults) -> Optimizer:
    """An optimizer **instance** from a name, a class or an instance.

    A name or a class is instantiated with ``defaults`` (e.g. ``lr=1.0``); an instance is
    returned as it is (``defaults`` are ignored: the instance's hyper-parameters win).

    >>> resolve_optimizer("sgd", lr=0.5)
    SGD(lr=0.5, batch=1, batch_reduction='sum')
    """
    if isinstance(optimizer, Optimizer):
        return optimizer
    cls = optimizer_class(optimizer)
    return cls(**defaults)


class RulesTable:
    """The rules of one model in one layer, keyed by optimizer class (MRO lookup).

    Parameters
    ----------
    what : str
        What the table holds, for messages (e.g. ``"PLRF theory"``).

    Examples
    --------
    >>> from theory import SGD, SignSGD
    >>> table = RulesTable("demo")
    >>> table.register(SGD, "sgd-rules")
    >>> class MySGD(SGD):
    ...     pass
    >>> table[MySGD(lr=0.1)], table["sgd"], SGD in table
    ('sgd-rules', 'sgd-rules', True)
    >>> table[SignSGD]
    Traceback (most recent call last):
    ...
    theory.ParameterError: optimizer must satisfy an optimizer with demo rules: 'sgd'; got optimizer='signsgd'
    """

    def __init__(self, what: str):
        self.what = str(what)
        self._rules: dict[type, Any] = {}

    def register(self, optimizer_cls: type, rules) -> None:
        """Register ``rules`` for ``optimizer_cls`` (and its subclasses without rules of their own)."""
        if not (isinstance(optimizer_cls, type) and issubclass(optimizer_cls, Optimizer)):
            raise ParameterError("optimizer_cls", "a subclass of theory.Optimizer", optimizer_cls)
        self._rules[optimizer_cls] = rules

    def unregister(self, optimizer_cls: type) -> None:
        """Remove the rules registered for exactly ``optimizer_cls`` (no-op if none)."""
        self._rules.pop(optimizer_cls, None)

    def lookup(self, optimizer):
        """The rules for a name, class or instance (``ParameterError`` if none is registered)."""
        cls = optimizer_class(optimizer)
        for c in cls.__mro__:
            if c in self._rules:
                return self._rules[c]
        raise ParameterError("optimizer", f"an optimizer with {self.what} rules: "
                             + ", ".join(repr(c.name) for c in self._rules), cls.name)

    __getitem__ = lookup

    def __contains__(self, optimizer) -> bool:
        try:
            self.lookup(optimizer)
        except ParameterError:
            return False
        return True

    def classes(self) -> tuple:
        """The registered optimizer classes, in registration order."""
        return tuple(self._rules)

    def names(self) -> tuple:
        """The registered optimizer names, in registration order."""
        return tuple(c.name for c in self._rules)

    def items(self):
        return self._rules.items()

    def __repr__(self) -> str:
        return f"RulesTable({self.what!r}: {', '.join(self.names())})"
