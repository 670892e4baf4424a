"""Sums of exponentials, the representation of forcing and kernel functions that the fast
Volterra solvers work on (``numerics.solve_volterra(method="loggrid")``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from theory import ParameterError
from theory.validate import check_choice

__all__ = ["ExpSum"]


@dataclass(frozen=True)
class ExpSum:
    """A sum of exponentials ``f(t) = const + sum_i coef_i * exp(log_rate_i * t)``.

    In discrete time ``exp(log_rate_i) = q_i`` is the per-step factor; in continuous time
    ``-log_rate_i`` is the decay rate per unit time.

    >>> e = ExpSum(1.0, np.array([2.0]), np.log(np.array([0.5])))
    >>> e([0, 1, 2])
    array([3. , 2. , 1.5])
    """

    const: float
    coef: np.ndarray
    log_rate: np.ndarray
    time: str = "discrete"

    def __post_init__(self):
        c = np.asarray(self.coef, dtype=np.float64).ravel()
        lr = np.asarray(self.log_rate, dtype=np.float64).ravel()
        if c.shape != lr.shape:
            raise ParameterError("coef/log_rate", "arrays of equal length", (c.shape, lr.shape))
        if not (np.all(np.isfinite(c)) and np.all(np.isfinite(lr)) and np.isfinite(self.const)):
            raise ParameterError("coef/log_rate/const", "finite values", "a NaN or inf")
        check_choice("time", self.time, ("discrete", "continuous"))
        object.__setattr__(self, "coef", c)
        object.__setattr__(self, "log_rate", lr)
        object.__setattr__(self, "const", float(self.const))

    def __call__(self, t, *, block: int = 2048) -> np.ndarray:
        """Evaluate at times ``t`` (blocked: memory ``O(block * modes)``)."""
        t = np.asarray(t, dtype=np.float64)
        flat = t.ravel()
        out = np.empty(flat.shape)
        for i in range(0, flat.size, block):
            tt = flat[i : i + block]
            out[i : i + block] = self.const + np.exp(np.outer(tt, self.log_rate)) @ self.coef
        return out.reshape(t.shape)

    @property
    def norm(self) -> float:
        """``sum_{r>=0} f(r)`` (discrete) or ``int_0^inf f`` (continuous) of the decaying part.

        ``inf`` when a mode does not decay.
        """
        if np.any(self.log_rate >= 0):
            return float("inf")
        if self.time == "discrete":
            return float(np.sum(self.coef / -np.expm1(self.log_rate)))
        return float(np.sum(self.coef / -self.log_rate))
