"""Mode spectra of the DMFT model as weighted nodes: the first modes exactly, the tail of a long (or
infinite) spectrum by Gauss-Legendre quadrature in ``log k``.

Every sum the theory needs has the form ``sum_k f(lambda_k, tau_k)`` with ``lambda_k = k^-b`` and
``tau_k = lambda_k (w*_k)^2 = k^-a``. For ``k > k0`` the summand is smooth in ``k``; the sum over
``k0 < k <= M`` is replaced by ``int_{k0+1/2}^{M+1/2} f(x) dx`` (midpoint rule, relative error
``O(k0^-2)``), evaluated by Gauss-Legendre panels in ``log x``. For ``M = inf`` the integral is cut
at ``x_max`` where the tails ``sum_{k > x_max} k^-a`` and ``k^-b`` are below ``1e-10`` of the totals
(or at a cap, and then the cut-off tail is reported in ``truncation``).

Derived here; checked against the exact sums in ``tests/numerics/dmft``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["ModeNodes", "mode_nodes"]


@dataclass(frozen=True)
class ModeNodes:
    """Weighted spectral nodes: ``sum_k f(lambda_k, tau_k) ~= sum_i weight_i f(lam_i, tau_i)``.

    ``n_exact`` leading nodes are the modes ``k = 1..n_exact`` with unit weight; ``truncation`` is
    the relative size of the neglected tail of ``sum tau`` (0 for finite ``M``).
    """

    lam: np.ndarray
    tau: np.ndarray
    weight: np.ndarray
    n_exact: int
    x_max: float
    truncation: float

    @property
    def size(self) -> int:
        return int(self.lam.size)

    def total(self, values) -> np.ndarray:
        """``sum_i weight_i values_i`` over the last axis."""
        return np.sum(self.weight * values, axis=-1)


def _tail_cut(a: float, b: float, rel: float = 1e-10, cap_decades: float = 60.0) -> tuple[float, float]:
    """``x_max`` so that both power tails are below ``rel`` of their totals, and the tau-tail left."""
    xs = []
    for p in (a, b):
        # sum_{k > x} k^-p ~ x^(1-p)/(p-1); total >= 1
        xs.append((rel * (p - 1.0)) ** (-1.0 / (p - 1.0)))
    cap = 10.0 ** min(cap_decades, 250.0 / a, 250.0 / b)
    x = min(max(xs), cap)
    tail = x ** (1.0 - a) / (a - 1.0)
    total = float(np.sum(np.arange(1, 1001, dtype=float) ** -a)) + 1000.5 ** (1 - a) / (a - 1)
    return x, tail / total


def mode_nodes(a: float, b: float, M: float, *, n_exact: int = 512, per_decade: int = 6,
               order: int = 8) -> ModeNodes:
    """The weighted nodes of ``lambda_k = k^-b``, ``tau_k = k^-a``, ``k = 1..M``.

    Parameters
    ----------
    a, b : float
        Exponents (``a > 1``; ``b > 1`` when ``M`` is infinite).
    M : int or math.inf
        Number of modes.
    n_exact : int
        Modes kept exactly (all of them if ``M <= 2 n_exact``).
    per_decade, order : int
        Gauss-Legendre panels per decade of ``k`` and points per panel for the tail.

    Examples
    --------
    >>> nd = mode_nodes(2.0, 1.5, 10**5)
    >>> exact = np.sum(np.arange(1, 10**5 + 1.0) ** -1.5 / (np.arange(1, 10**5 + 1.0) ** -1.5 + 1e-6))
    >>> bool(abs(nd.total(nd.lam / (nd.lam + 1e-6)) / exact - 1) < 1e-8), nd.size < 700
    (True, True)
    """
    if math.isinf(M):
        x_max, trunc = _tail_cut(a, b)
        hi = x_max
    else:
        M = int(M)
        if M <= 2 * n_exact:
            k = np.arange(1, M + 1, dtype=np.float64)
            return ModeNodes(k ** -b, k ** -a, np.ones(M), M, float(M), 0.0)
        hi, trunc, x_max = M + 0.5, 0.0, float(M)
    k = np.arange(1, n_exact + 1, dtype=np.float64)
    lo = n_exact + 0.5
    n_pan = max(1, int(math.ceil(per_decade * math.log10(hi / lo))))
    edges = np.exp(np.linspace(math.log(lo), math.log(hi), n_pan + 1))
    gx, gw = np.polynomial.legendre.leggauss(order)
    le = np.log(edges)
    mid, half = 0.5 * (le[1:] + le[:-1]), 0.5 * (le[1:] - le[:-1])
    u = (mid[:, None] + half[:, None] * gx[None, :]).ravel()
    w = (half[:, None] * gw[None, :]).ravel()
    x = np.exp(u)
    wt = w * x  # dx = x du
    lam = np.concatenate([k ** -b, x ** -b])
    tau = np.concatenate([k ** -a, x ** -a])
    weight = np.concatenate([np.ones(n_exact), wt])
    return ModeNodes(lam, tau, weight, n_exact, float(x_max), float(trunc))
