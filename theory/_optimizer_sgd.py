"""One-pass minibatch SGD: hyper-parameters and its exact per-mode second-moment update."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ._errors import check_choice, check_int, check_real
from ._optimizer_base import Optimizer

__all__ = ["SGD"]


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
    theory._errors.ParameterError: lr must satisfy lr > 0; got lr=0.0

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
        object.__setattr__(self, "lr", check_real("lr", self.lr, gt=0))
        object.__setattr__(self, "batch", check_int("batch", self.batch, ge=1))
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
