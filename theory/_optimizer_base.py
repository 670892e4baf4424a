"""Base class of optimizer objects.

An optimizer is a frozen dataclass holding its hyper-parameters, validated at
construction. Each concrete optimizer (SGD, signSGD, ...) lives in its own module
``theory/_optimizer_<name>.py`` and provides the per-step drift and noise terms that the
numerics and the simulators read; adding an optimizer means adding a class, not a flag.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import ClassVar

__all__ = ["Optimizer"]


@dataclass(frozen=True)
class Optimizer(abc.ABC):
    """Abstract optimizer: a learning rate ``lr`` and a batch size ``batch``.

    Subclasses set ``name`` (the CLI spelling) and validate their fields in
    ``__post_init__``.
    """

    name: ClassVar[str] = "optimizer"

    lr: float
    batch: int = 1

    @abc.abstractmethod
    def step(self, theta, grad_sum, lr_factor=1.0):
        """One update from the **batch-summed** stochastic gradient ``grad_sum``.

        Pure array arithmetic (works on NumPy, CuPy and array-API arrays alike);
        ``theta`` and ``grad_sum`` may carry leading run/batch axes.
        """

    def to_dict(self) -> dict:
        """Plain-JSON view including the optimizer's name."""
        from dataclasses import asdict

        return {"name": self.name, **asdict(self)}
