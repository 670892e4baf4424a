"""The simple model of the richness paper: a depth-``L`` scalar linear chain, one frozen object.

Model (reconstructed; the paper's own equations were not available, research note
``signsgd_gamma.md`` Sec. B.4):

* one example ``x = 1``, a constant target ``y = 1``;
* weights ``w_1 .. w_L`` (scalars), balanced initialisation ``w_l(0) = 1``;
* centred output scaled by ``1/gamma``: ``f(w) = (prod_l w_l - 1) / gamma`` (``f = 0`` at init, as
  the paper's ``CenteredModel`` makes it);
* loss ``MSE``: ``(f - y)^2 / 2``; ``xent``: the logistic loss ``log(1 + exp(-f))`` of the label
  ``+1`` (two-class cross-entropy on the logit ``f``);
* full-batch gradient descent with a constant learning rate ``eta``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..validate import check_choice, check_int, check_real

__all__ = ["Chain", "LOSSES"]

#: the losses of the simple model
LOSSES = ("mse", "xent")


@dataclass(frozen=True)
class Chain:
    """The depth-``L`` scalar linear chain with output ``(prod w - 1) / gamma``, validated.

    Parameters
    ----------
    gamma : float
        Feature-learning strength (output multiplier ``1/gamma``); ``0 < gamma < inf``.
    depth : int
        Number of layers ``L``; ``1 <= L <= 64``.
    loss : {"mse", "xent"}
        Squared error ``(f - 1)^2 / 2`` or logistic cross-entropy ``log(1 + e^-f)``.

    Raises
    ------
    theory.ParameterError
        Naming the parameter, its valid range and the value.

    Examples
    --------
    >>> Chain(gamma=10.0, depth=3)
    Chain(gamma=10.0, depth=3, loss='mse')
    >>> Chain(gamma=0.0, depth=2)
    Traceback (most recent call last):
    ...
    theory.ParameterError: gamma must satisfy gamma > 0; got gamma=0.0
    >>> Chain(gamma=1.0, depth=0)
    Traceback (most recent call last):
    ...
    theory.ParameterError: depth must satisfy depth >= 1; got depth=0

    References
    ----------
    A. Atanasov, A. Meterez, J. B. Simon, C. Pehlevan, "The Optimization Landscape of SGD Across the
    Feature Learning Strength", ICLR 2025 (arXiv:2410.04642), the simple model (a deep linear network on
    one univariate example with a constant target); parameterisation of the authors' ``Richness_Sweep``
    code (output ``/gamma0``, centred by a frozen copy).
    """

    gamma: float
    depth: int = 2
    loss: str = "mse"

    def __post_init__(self) -> None:
        object.__setattr__(self, "gamma", check_real("gamma", self.gamma, gt=0))
        object.__setattr__(self, "depth", check_int("depth", self.depth, ge=1, le=64))
        object.__setattr__(self, "loss", check_choice("loss", self.loss, LOSSES))

    @property
    def solution_product(self) -> float:
        """``prod w`` at a minimiser of the MSE loss: ``1 + gamma`` (``f = 1``).

        >>> Chain(3.0, 2).solution_product
        4.0
        """
        return 1.0 + self.gamma
