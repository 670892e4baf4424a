"""Heavy-ball (Polyak) momentum, the optimizer object the DMFT model's momentum predictions read.

``theta_{n+1} = theta_n - lr * grad_n + momentum * (theta_n - theta_{n-1})``, ``theta_{-1} = theta_0``.
Registered under the name ``"heavyball"`` (:func:`theory.register_optimizer`); a model that has no
rules for it refuses it through its :class:`theory.RulesTable`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from .._optimizers import Optimizer, register_optimizer
from ..validate import check_real

__all__ = ["HeavyBall"]


@register_optimizer
@dataclass(frozen=True)
class HeavyBall(Optimizer):
    """Full-batch gradient descent with heavy-ball momentum ``0 <= momentum < 1``.

    ``step`` is the plain GD step (the momentum buffer lives in the simulator, which keeps the
    previous iterate); ``momentum = 0`` is :class:`theory.GD`.

    >>> HeavyBall(lr=0.1, momentum=0.5).momentum
    0.5
    >>> HeavyBall(lr=0.1, momentum=1.0)
    Traceback (most recent call last):
    ...
    theory.ParameterError: momentum must satisfy 0 <= momentum < 1; got momentum=1.0

    References
    ----------
    B. T. Polyak, "Some methods of speeding up the convergence of iteration methods", USSR Comput.
    Math. Math. Phys. 4 (1964), eq. (9); used on the model of B. Bordelon, A. Atanasov, C. Pehlevan,
    ICML 2024 (arXiv:2402.01092), whose DMFT covers "other optimizers" only in words -- the
    predictions in :mod:`numerics.dmft` are derived here.
    """

    name: ClassVar[str] = "heavyball"

    lr: float
    batch: int = 1
    momentum: float = 0.9

    def __post_init__(self) -> None:
        super().__post_init__()
        m = check_real("momentum", self.momentum, ge=0)
        if not m < 1:
            from .._errors import ParameterError

            raise ParameterError("momentum", "0 <= momentum < 1", self.momentum)
        object.__setattr__(self, "momentum", m)

    def step(self, theta, grad_sum, lr_factor=1.0):
        """The gradient part of the update, ``theta - lr * lr_factor * grad_sum``."""
        return theta - (self.lr * lr_factor) * grad_sum
