"""Compiled (numba) Newton solve of the DMFT fixed point (:mod:`numerics.dmft._fixed_point`).

Imported only when the compiled path runs (:func:`numerics._jit.enabled`). The iteration is that of
``_fixed_point._newton``, point by point (each contour node stops when its own step is below ``tol``
instead of all nodes iterating until every one has): the tests check the two agree
(``tests/numerics/dmft/test_fixed_point_jit.py``).
"""

from __future__ import annotations

import numpy as np

from .._jit import njit

__all__ = ["newton"]


@njit
def newton(lam, wl, kap0, s, iN, iP, iters, tol):
    """``kappa`` solving ``kappa (1 - df/P)(1 - df/N) = s`` with ``df = sum w lam / (lam + kappa)``, by
    Newton from ``kap0`` (1-D complex arrays; ``wl = w lam``), and the relative residual of each."""
    n = kap0.size
    out = np.empty(n, dtype=np.complex128)
    res = np.empty(n)
    M = lam.size
    for p in range(n):
        k = kap0[p]
        sp = s[p]
        for _ in range(iters):
            d = 0.0 + 0.0j
            dp = 0.0 + 0.0j
            for i in range(M):
                g = 1.0 / (lam[i] + k)
                t = wl[i] * g
                d += t
                dp -= t * g
            a1 = 1.0 - d * iP
            a2 = 1.0 - d * iN
            f = k * a1 * a2 - sp
            fp = a1 * a2 - k * dp * (iP * a2 + iN * a1)
            step = f / fp
            k = k - step
            if abs(step) <= tol * abs(k):
                break
        d = 0.0 + 0.0j
        for i in range(M):
            d += wl[i] / (lam[i] + k)
        out[p] = k
        res[p] = abs(k * (1.0 - d * iP) * (1.0 - d * iN) - sp) / abs(sp)
    return out, res
