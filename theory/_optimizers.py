"""Optimizer objects: the abstract :class:`Optimizer`, :class:`SGD`, :class:`SignSGD`, and the
name registry :data:`OPTIMIZERS`.

An optimizer is a frozen dataclass holding its hyper-parameters, validated at construction,
that carries its own update rule (``step``) and, where exact, its per-mode moments. Adding an
optimizer means adding a class here (or anywhere: :func:`register_optimizer`) and one rules
class per model in each layer (``<layer>/<model>/_<name>.py``), registered in that model's
table (:class:`theory.RulesTable`); no generic code changes.

The signSGD moments (the four effects of Xiao, Marshall, Agarwala & Paquette 2024) live in
``theory.linreg`` and ``numerics.linreg``; this module keeps what every layer needs: the object
and its update.
"""

from __future__ import annotations

import abc
from dataclasses import asdict, dataclass
from typing import ClassVar

from ._errors import ParameterError
from .validate import check_choice, check_int, check_real

__all__ = ["Optimizer", "SGD", "SignSGD", "GD", "OPTIMIZERS", "register_optimizer"]


@dataclass(frozen=True)
class Optimizer(abc.ABC):
    """Abstract optimizer: a learning rate ``lr`` and a batch size ``batch``.

    Subclasses set ``name`` (the CLI spelling); ``lr > 0`` and ``batch >= 1`` are validated here,
    further fields in the subclass's ``__post_init__`` (calling this one).
    """

    name: ClassVar[str] = "optimizer"

    lr: float
    batch: int = 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "lr", check_real("lr", self.lr, gt=0))
        object.__setattr__(self, "batch", check_int("batch", self.batch, ge=1))

    @abc.abstractmethod
    def step(self, theta, grad_sum, lr_factor=1.0):
        """One update from the **batch-summed** stochastic gradient ``grad_sum``.

        Pure array arithmetic (works on NumPy, CuPy and array-API arrays alike);
        ``theta`` and ``grad_sum`` may carry leading run/batch axes.
        """

    def to_dict(self) -> dict:
        """Plain-JSON view including the optimizer's name."""
        return {"name": self.name, **asdict(self)}


@dataclass(frozen=True)
class SGD(Optimizer):
    """One-pass minibatch SGD with fresh samples every step, started at ``theta_0 = 0``.

    ``theta <- theta - lr * sum_{i in batch} x_i (<x_i, theta> - y_i)`` (batch-sum, the
    default) or the same with ``lr / batch`` (``batch_reduction="mean"``).

    Parameters
    ----------
    lr : float
        Raw step size ``gamma > 0`` (the base rate; a schedule multiplies it).
    batch : int
        Batch size ``B >= 1``.
    batch_reduction : {"sum", "mean"}
        Whether per-sample gradients are summed (Paquette et al. 2024) or averaged.

    Examples
    --------
    >>> SGD(lr=0.5, batch=4, batch_reduction="mean").lr_sum
    0.125
    >>> SGD(lr=0.0)
    Traceback (most recent call last):
    ...
    theory.ParameterError: lr must satisfy lr > 0; got lr=0.0

    References
    ----------
    Paquette, Paquette, Xiao & Pennington, "4+3 Phases of Compute-Optimal Neural Scaling
    Laws", NeurIPS 2024 (arXiv:2405.15074), eq. (2) (SGD) and Sec. 2 (Volterra equation).
    """

    name: ClassVar[str] = "sgd"

    lr: float
    batch: int = 1
    batch_reduction: str = "sum"

    def __post_init__(self) -> None:
        super().__post_init__()
        check_choice("batch_reduction", self.batch_reduction, ("sum", "mean"))

    @property
    def lr_sum(self) -> float:
        """The step size in the batch-sum convention (``lr`` or ``lr / batch``)."""
        return self.lr if self.batch_reduction == "sum" else self.lr / self.batch

    def step(self, theta, grad_sum, lr_factor=1.0):
        """``theta - lr_sum * lr_factor * grad_sum`` (batch-summed gradient).

        >>> SGD(lr=0.5, batch=2, batch_reduction="mean").step(1.0, 4.0)
        0.0
        """
        return theta - (self.lr_sum * lr_factor) * grad_sum

    def mode_update(self, lam, lr_factor=1.0):
        """Per-mode coefficients of the exact expected second-moment recursion.

        For a Gaussian least-squares problem with feature covariance ``K`` (eigenvalues
        ``lam``) the diagonal second moments ``c_i = E[(u_i^T (theta - theta*))^2]`` obey
        exactly ``c_i(r+1) = q_i c_i(r) + g_i P(r)`` with ``P = P_inf + sum_i lam_i c_i``::

            q_i = 1 - 2 gamma B lam_i + gamma^2 B (B + 1) lam_i^2,   g_i = gamma^2 B lam_i

        where ``gamma = lr_sum * lr_factor``. Derived from the Gaussian fourth-moment
        identity ``E[x x^T A x x^T] = 2 K A K + tr(K A) K``.

        Parameters
        ----------
        lam : float or array
            Eigenvalues of the feature covariance (any array type supporting arithmetic).
        lr_factor : float or array
            Schedule multiplier of the learning rate at this step.

        Returns
        -------
        q, g : same type as ``lam``

        Examples
        --------
        >>> q, g = SGD(lr=0.1, batch=1).mode_update(2.0)
        >>> round(q, 12), round(g, 12)
        (0.68, 0.02)
        """
        g = self.lr_sum * lr_factor
        B = self.batch
        q = 1.0 - 2.0 * g * B * lam + g * g * B * (B + 1) * lam * lam
        return q, g * g * B * lam

    def max_stable_lr_mode(self, lam_max: float) -> float:
        """Largest ``lr`` (this optimizer's convention) with every mode contracting.

        ``q_i < 1`` iff ``gamma (B + 1) lam_i < 2`` (batch-sum ``gamma``).
        """
        g = 2.0 / ((self.batch + 1) * lam_max)
        return g if self.batch_reduction == "sum" else g * self.batch


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
    theory.ParameterError: lr must satisfy lr > 0; got lr=-1.0

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


@dataclass(frozen=True)
class GD(Optimizer):
    """Full-batch gradient descent: ``theta <- theta - lr * lr_factor * grad``.

    ``grad`` is the gradient of the training loss over the whole (fixed) data set, so ``batch``
    is the size of that set only for bookkeeping (default 1: the caller's loss is already the
    full objective). Used by models trained on a fixed data set (DMFT random features, the
    feature-strength model).

    >>> GD(lr=0.5).step(1.0, 4.0)
    -1.0

    References
    ----------
    B. Bordelon, A. Atanasov, C. Pehlevan, "A Dynamical Model of Neural Scaling Laws", ICML 2024
    (arXiv:2402.01092) (gradient descent and its flow limit on a random-feature model).
    """

    name: ClassVar[str] = "gd"

    lr: float
    batch: int = 1

    def step(self, theta, grad_sum, lr_factor=1.0):
        """``theta - lr * lr_factor * grad_sum`` (array-generic)."""
        return theta - (self.lr * lr_factor) * grad_sum


#: Registry of optimizer classes by name (the CLI spelling); :func:`register_optimizer` adds one.
#: Names are resolved to classes once, by :func:`theory.resolve_optimizer`; every per-model
#: table is keyed by class.
OPTIMIZERS: dict = {SGD.name: SGD, SignSGD.name: SignSGD, GD.name: GD}


def register_optimizer(cls: type) -> type:
    """Register an :class:`Optimizer` subclass under its ``name`` (usable as a class decorator).

    >>> "sgd" in OPTIMIZERS and OPTIMIZERS["signsgd"] is SignSGD
    True
    """
    if not (isinstance(cls, type) and issubclass(cls, Optimizer)):
        raise ParameterError("cls", "a subclass of theory.Optimizer", cls)
    if not isinstance(cls.name, str) or not cls.name or cls.name == Optimizer.name:
        raise ParameterError("cls.name", "a non-empty name of its own", getattr(cls, "name", None))
    OPTIMIZERS[cls.name] = cls
    return cls
