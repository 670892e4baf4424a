"""The DMFT random-feature problem (Bordelon, Atanasov & Pehlevan 2024): one frozen object read by
every layer.

Model (toolkit convention, research note ``dmft_annealing.md`` Sec. 1.2, 1.5):

* ``M`` population modes (finite, or ``math.inf``) with eigenvalues ``lambda_k = k^(-b)``; Gaussian
  features ``psi(x) ~ N(0, Lambda)``;
* target ``y = <psi(x), w*> + sigma eps`` with per-mode power ``lambda_k (w*_k)^2 = k^(-a)``;
* student ``f(x) = <w, A psi(x)> / sqrt(N)``, ``A in R^(N x M)`` iid ``N(0, 1)``;
* ``P`` training points (or ``P = inf``: the population loss, the online limit);
* gradient flow on the mean-squared train loss ``(1/P) sum_mu (f(x_mu) - y_mu)^2`` from ``w(0) = 0``
  with the factor ``2 eta`` absorbed into ``t`` (so at ``N, P = inf`` mode ``k`` decays as
  ``exp(-lambda_k t)``);
* test loss ``L = E_x (f(x) - <psi(x), w*>)^2`` (excess over the label noise; no factor 1/2).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from .._errors import ParameterError
from ..validate import check_int, check_real

__all__ = ["DMFT", "DMFT_CONVENTIONS"]

#: The conventions every DMFT result states (the ``conventions`` key of ``sltk dmft --json``).
DMFT_CONVENTIONS: dict = {
    "spectrum": "lambda_k = k^-b, k = 1..M",
    "target": "lambda_k (w*_k)^2 = k^-a (per-mode loss weight)",
    "model": "f(x) = <w, A psi(x)>/sqrt(N), A iid N(0,1) in R^(N x M), psi ~ N(0, Lambda)",
    "train_loss": "(1/P) sum_mu (f(x_mu) - y_mu)^2 (mean squared error, no factor 1/2)",
    "test_loss": "E_x (f(x) - <psi(x), w*>)^2 (excess over label noise, no factor 1/2)",
    "time": "gradient flow dw/dt = -eta grad(train loss) with the factor 2*eta absorbed into t; w(0) = 0; "
            "at N = P = inf mode k decays as exp(-lambda_k t)",
    "optimizer_gd": "full-batch GD w <- w - lr grad(train loss): t = 2 lr x steps (optimizer=theory.GD)",
    "optimizer_heavyball": "w_{n+1} = w_n - lr grad + beta (w_n - w_{n-1}), w_{-1} = w_0: t = 2 lr x steps "
                           "(theory.dmft.HeavyBall; predicted for every mode overdamped, 2 lr q_max < (1 - sqrt beta)^2)",
    "optimizer_sgd": "one-pass SGD, fresh batch of B every step, P = inf: w <- w - lr_sum sum_b x_b (<x_b, w> - y_b) "
                     "(theory.SGD, half squared error): t = B lr_sum x steps (= lr x steps for batch_reduction='mean')",
    "compute": "C = N t",
    "bias": "sum_k lambda_k (w*_k)^2 H_k(t)^2 = loss of the mean predictor over A and data (infinite ensemble)",
}


def _inf(x) -> bool:
    return isinstance(x, float) and math.isinf(x) and x > 0


@dataclass(frozen=True)
class DMFT:
    """A power-law random-feature model trained by gradient flow, validated at construction.

    Parameters
    ----------
    a : float
        Target exponent, ``lambda_k (w*_k)^2 = k^(-a)``; ``a > 1`` (else the initial loss
        ``sum_k k^(-a)`` diverges as ``M -> inf``).
    b : float
        Spectral exponent, ``lambda_k = k^(-b)``; ``b > 0``, and ``b > 1`` when ``M = inf``
        (``tr Lambda`` must be finite).
    N : int
        Width (number of random features), ``N >= 1``.
    P : int or math.inf
        Number of training points; ``math.inf`` = population (online) gradient flow.
    M : int or math.inf
        Number of modes; ``M = inf`` needs ``b > 1``.
    sigma2 : float
        Label-noise variance ``sigma^2 >= 0`` (enters simulations; see the numerics for which
        predictions include it).

    Examples
    --------
    >>> p = DMFT(a=2.0, b=1.5, N=128, P=512, M=2000)
    >>> p.c, p.time_exponent
    (1.0, 0.6666666666666666)
    >>> DMFT(a=1.0, b=1.5, N=8)
    Traceback (most recent call last):
    ...
    theory.ParameterError: a must satisfy a > 1; got a=1.0
    >>> DMFT(a=2.0, b=0.8, N=8)
    Traceback (most recent call last):
    ...
    theory.ParameterError: M must satisfy a finite integer >= 1 when b <= 1 (M = inf needs b > 1: tr Lambda diverges); got M=inf (b=0.8)

    References
    ----------
    B. Bordelon, A. Atanasov, C. Pehlevan, "A Dynamical Model of Neural Scaling Laws", ICML 2024
    (arXiv:2402.01092), Sec. 2 (model) -- normalisation as reconstructed in the research note
    ``dmft_annealing.md`` Sec. 1.2 (the paper's full text was not available).
    """

    a: float
    b: float
    N: int
    P: float = math.inf
    M: float = math.inf
    sigma2: float = 0.0

    def __post_init__(self) -> None:
        a = check_real("a", self.a, gt=1)
        b = check_real("b", self.b, gt=0)
        N = check_int("N", self.N, ge=1)
        if _inf(self.P):
            P: float = math.inf
        else:
            P = check_int("P", self.P, ge=1)
        if _inf(self.M):
            if not b > 1:
                raise ParameterError("M", "a finite integer >= 1 when b <= 1 (M = inf needs b > 1: tr Lambda "
                                     "diverges)", self.M, hint=f"b={b:g}")
            M: float = math.inf
        else:
            M = check_int("M", self.M, ge=1)
        s2 = check_real("sigma2", self.sigma2, ge=0)
        for name, val in (("a", a), ("b", b), ("N", N), ("P", P), ("M", M), ("sigma2", s2)):
            object.__setattr__(self, name, val)

    # ------------------------------------------------------------------ basics
    @property
    def M_is_infinite(self) -> bool:
        return math.isinf(self.M)

    @property
    def P_is_infinite(self) -> bool:
        return math.isinf(self.P)

    @property
    def c(self) -> float:
        """The width/data bottleneck exponent ``min(a - 1, 2 b)``."""
        return min(self.a - 1.0, 2.0 * self.b)

    @property
    def time_exponent(self) -> float:
        """The time bottleneck exponent ``(a - 1)/b``."""
        return (self.a - 1.0) / self.b

    @property
    def regime(self) -> str:
        """``"a-1 < 2b"`` (the usual one: width exponent a-1), ``"a-1 > 2b"`` or ``"a-1 = 2b"``."""
        x, y = self.a - 1.0, 2.0 * self.b
        return "a-1 < 2b" if x < y else ("a-1 > 2b" if x > y else "a-1 = 2b")

    def replace(self, **changes) -> "DMFT":
        """A copy with some fields changed (validated again).

        >>> DMFT(2.0, 1.5, 64).replace(N=128).N
        128
        """
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        """Plain-JSON view (infinite ``P``/``M`` written as ``"inf"``)."""
        return {"a": self.a, "b": self.b, "N": self.N,
                "P": "inf" if self.P_is_infinite else int(self.P),
                "M": "inf" if self.M_is_infinite else int(self.M), "sigma2": self.sigma2}
