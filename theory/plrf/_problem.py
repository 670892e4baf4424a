"""The power-law random-features (PLRF) problem: one frozen object read by every layer.

Model (Paquette, Paquette, Xiao & Pennington 2024, Sec. 1; Maloney, Roberts & Sully 2022):

* data ``x in R^v`` with ``x_j = j^(-alpha) z_j``, ``z_j ~ N(0, 1)`` iid, i.e.
  ``Cov(x) = D = diag(j^(-2 alpha))``, ``j = 1..v``;
* target ``y = <x, b>`` with ``b_j = j^(-beta)`` (no label noise);
* features ``W^T x`` with ``W in R^(v x d)`` iid ``N(0, 1/d)``; prediction ``<W^T x, theta>``;
* population risk ``P(theta) = E_x[(<W^T x, theta> - <x, b>)^2]`` -- **no factor 1/2**
  (see :mod:`theory._conventions`).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import mpmath
import numpy as np

from .._errors import ParameterError
from ..validate import check_int, check_real

__all__ = ["PLRF"]


@dataclass(frozen=True)
class PLRF:
    """A power-law random-features problem, validated at construction.

    Parameters
    ----------
    alpha : float
        Data-spectrum exponent: ``Cov(x) = diag(j^(-2 alpha))``; ``alpha > 0``.
    beta : float
        Target exponent: ``b_j = j^(-beta)``; ``2 alpha + 2 beta > 1``.
    v : int or math.inf
        Data dimension (number of population features); ``v >= d``. ``math.inf`` is
        allowed only where ``2 alpha > 1`` (then ``tr D`` is finite).
    d : int
        Number of random features (model parameters); ``d >= 1``.

    Raises
    ------
    theory.ParameterError
        Naming the parameter, the constraint and the value.

    Examples
    --------
    >>> p = PLRF(alpha=0.7, beta=0.3, v=4000, d=1000)
    >>> p.regime
    'localized input (2alpha > 1)'
    >>> PLRF(alpha=0.2, beta=0.2, v=100, d=10)
    Traceback (most recent call last):
    ...
    theory.ParameterError: 2*alpha + 2*beta must satisfy 2*alpha + 2*beta > 1; got 2*alpha + 2*beta=0.8 (alpha=0.2, beta=0.2)

    References
    ----------
    E. Paquette, C. Paquette, L. Xiao, J. Pennington, "4+3 Phases of Compute-Optimal
    Neural Scaling Laws", NeurIPS 2024 (arXiv:2405.15074), Sec. 1.1 (model) and eq. (1).
    """

    alpha: float
    beta: float
    v: float
    d: int

    def __post_init__(self) -> None:
        a = check_real("alpha", self.alpha, gt=0)
        b = check_real("beta", self.beta)
        if not 2 * a + 2 * b > 1:
            raise ParameterError(
                "2*alpha + 2*beta", "2*alpha + 2*beta > 1", round(2 * a + 2 * b, 12),
                hint=f"alpha={a:g}, beta={b:g}",
            )
        d = check_int("d", self.d, ge=1)
        if isinstance(self.v, float) and math.isinf(self.v):
            if self.v < 0:
                raise ParameterError("v", "v >= d or v = inf", self.v)
            if not 2 * a > 1:
                raise ParameterError(
                    "v", "a finite integer >= d when 2*alpha <= 1 (v = inf needs 2*alpha > 1)",
                    self.v, hint=f"alpha={a:g}",
                )
            v: float = math.inf
        else:
            v = check_int("v", self.v, ge=1)
            if v < d:
                raise ParameterError("v", f"v >= d = {d}", self.v)
        object.__setattr__(self, "alpha", a)
        object.__setattr__(self, "beta", b)
        object.__setattr__(self, "d", d)
        object.__setattr__(self, "v", v)

    # ------------------------------------------------------------------ basics
    @property
    def v_is_infinite(self) -> bool:
        """True when ``v = inf`` (only allowed for ``2 alpha > 1``)."""
        return math.isinf(self.v)

    @property
    def regime(self) -> str:
        """Which side of the high-dimensional line ``2 alpha = 1`` the problem lies on."""
        if 2 * self.alpha > 1:
            return "localized input (2alpha > 1)"
        if 2 * self.alpha < 1:
            return "delocalized input (2alpha < 1)"
        return "high-dimensional line (2alpha = 1)"

    def replace(self, **changes) -> "PLRF":
        """A copy with some fields changed (validated again).

        >>> PLRF(0.7, 0.3, 400, 100).replace(d=200).d
        200
        """
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        """Plain-JSON view (``v = inf`` is written as the string ``"inf"``)."""
        return {
            "alpha": self.alpha,
            "beta": self.beta,
            "v": "inf" if self.v_is_infinite else int(self.v),
            "d": self.d,
        }

    # ------------------------------------------------------------- spectra
    def _require_finite_v(self, what: str) -> int:
        if self.v_is_infinite:
            raise ParameterError("v", f"finite for {what}", self.v)
        return int(self.v)

    def population_eigenvalues(self) -> np.ndarray:
        """``j^(-2 alpha)``, ``j = 1..v`` (float64; needs finite ``v``)."""
        j = np.arange(1, self._require_finite_v("population_eigenvalues") + 1, dtype=np.float64)
        return j ** (-2.0 * self.alpha)

    def target(self) -> np.ndarray:
        """``b_j = j^(-beta)``, ``j = 1..v`` (float64; needs finite ``v``)."""
        j = np.arange(1, self._require_finite_v("target") + 1, dtype=np.float64)
        return j ** (-self.beta)

    def trace_D(self) -> float:
        """``tr D = sum_{j<=v} j^(-2 alpha)`` (``zeta(2 alpha)`` for ``v = inf``).

        >>> round(PLRF(1.0, 0.5, math.inf, 10).trace_D(), 12) == round(math.pi**2 / 6, 12)
        True
        """
        return _power_sum(2.0 * self.alpha, self.v)

    def initial_risk(self) -> float:
        """Risk at ``theta = 0``: ``sum_j j^(-2 alpha - 2 beta)`` (finite since 2a+2b>1)."""
        return _power_sum(2.0 * self.alpha + 2.0 * self.beta, self.v)


def _power_sum(s: float, v: float) -> float:
    """``sum_{j=1}^{v} j^(-s)`` exactly (Hurwitz zeta tail for large ``v``)."""
    if math.isinf(v):
        return float(mpmath.zeta(s))
    n = int(v)
    if n <= 200_000:
        j = np.arange(1, n + 1, dtype=np.float64)
        return float(np.sum(j[::-1] ** (-s)))  # small terms first
    if s == 1.0:
        return float(mpmath.harmonic(n))
    # sum_{j<=n} j^-s = zeta(s) - zeta(s, n+1), valid for s != 1 by analytic continuation
    return float(mpmath.zeta(s) - mpmath.zeta(s, n + 1))
