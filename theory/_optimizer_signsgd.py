"""One-pass signSGD: hyper-parameters, the update, and its exact Gaussian sign moments.

signSGD replaces the (batch-summed) stochastic gradient by its coordinate-wise sign:
``theta <- theta - lr * lr_factor * sign(sum_{i in batch} grad_i)``.

For least squares with Gaussian data ``x ~ N(0, K)`` and a single sample (``batch = 1``)
the first two moments of ``sign(grad)`` are known in closed form; they are the four
effects of Xiao, Marshall, Agarwala & Paquette (2024) and are implemented (and checked by
simulation) in :mod:`numerics._signsgd_highdim`. This module keeps only what every layer
needs: the object and its update.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ._errors import check_int, check_real
from ._optimizer_base import Optimizer

__all__ = ["SignSGD"]


@dataclass(frozen=True)
class SignSGD(Optimizer):
    """One-pass signSGD with fresh samples every step, started at ``theta_0 = 0``.

    ``theta <- theta - lr * lr_factor * sign(sum_{i in batch} x_i (<x_i, theta> - y_i))``.

    Parameters
    ----------
    lr : float
        Raw step size ``gamma > 0`` (the base rate; a schedule multiplies it). In the
        high-dimensional normalisation of Xiao et al. the step is ``eta / d`` with time
        ``t = k / d``; pass ``lr = eta / d`` for that.
    batch : int
        Batch size ``B >= 1``. The sign is taken of the **summed** gradient, so the
        batch reduction (sum or mean) makes no difference. The risk equations in
        ``numerics`` are derived for ``B = 1``; the simulators run any ``B``.

    Examples
    --------
    >>> import numpy as np
    >>> SignSGD(lr=0.1).step(np.array([1.0, 1.0, 1.0]), np.array([2.0, -3.0, 0.0]))
    array([0.9, 1.1, 1. ])
    >>> SignSGD(lr=-1.0)
    Traceback (most recent call last):
    ...
    theory._errors.ParameterError: lr must satisfy lr > 0; got lr=-1.0

    References
    ----------
    J. Bernstein, Y.-X. Wang, K. Azizzadenesheli, A. Anandkumar, "signSGD: Compressed
    Optimisation for Non-Convex Problems", ICML 2018 (the update).
    K. L. Xiao, N. Marshall, A. Agarwala, E. Paquette, "Exact risk curves of signSGD in
    High-Dimensions", arXiv:2411.12135 (2024), Sec. 2 (setting, learning rate ``eta/d``).
    J. Kim, D. Song, C. Yun, "Scaling Laws of SignSGD in Linear Regression", ICLR 2026
    (arXiv:2603.02069) (signSGD on PLRF).
    """

    name: ClassVar[str] = "signsgd"

    lr: float
    batch: int = 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "lr", check_real("lr", self.lr, gt=0))
        object.__setattr__(self, "batch", check_int("batch", self.batch, ge=1))

    def step(self, theta, grad_sum, lr_factor=1.0):
        """``theta - lr * lr_factor * sign(grad_sum)`` (array-generic: NumPy, CuPy, array API).

        ``sign(0) = 0`` (the coordinate does not move), as in ``numpy.sign``.

        >>> SignSGD(lr=0.5).step(1.0, -4.0, lr_factor=0.5)
        1.25
        """
        try:
            from array_api_compat import array_namespace

            xp = array_namespace(grad_sum)
        except TypeError:  # Python scalars
            import numpy as xp

            out = theta - (self.lr * lr_factor) * xp.sign(grad_sum)
            return float(out) if not hasattr(theta, "shape") else out
        return theta - (self.lr * lr_factor) * xp.sign(grad_sum)
