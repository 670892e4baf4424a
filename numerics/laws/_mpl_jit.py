"""Compiled (numba) proxy weights of the multi-power-law treecode (:mod:`numerics.laws._mpl_sum`).

Imported only when the compiled path runs (:func:`numerics._jit.enabled`). The arithmetic is that of
``_mpl_sum._cluster_weights`` / ``_lagrange`` (barycentric Lagrange basis on the nodes scaled to
``[-1, 1]``), one cluster at a time instead of padded groups of equal width; the tests check the two
agree (``tests/numerics/laws/test_mpl_jit.py``).
"""

from __future__ import annotations

import numpy as np

from .._jit import njit

__all__ = ["cluster_weights"]


@njit
def cluster_weights(k0, k1, m, okn, delta, c1, log_eta, tol):
    """``(smooth, W)``: the proxy weights ``W_j = sum_k D_k L_j(k)`` of each cluster ``[k0, k1]`` (nodes
    ``m``, 1-based updates) and whether the interpolants of ``log eta`` and of the area reproduce them
    to ``tol`` on the cluster (clusters with ``okn`` False: ``W = 0``, not smooth)."""
    nc, p = m.shape
    W = np.zeros((nc, p))
    smooth = np.zeros(nc, dtype=np.bool_)
    xn = np.empty(p)
    bw = np.empty(p)
    t = np.empty(p)
    le_n = np.empty(p)
    ar_n = np.empty(p)
    for c in range(nc):
        if not okn[c]:
            continue
        a = k0[c]
        size = k1[c] - a + 1
        scale = float(max(size - 1, 1))
        for j in range(p):
            xn[j] = 2.0 * (m[c, j] - a) / scale - 1.0
            le_n[j] = log_eta[m[c, j] - 1]
            ar_n[j] = c1[m[c, j] - 1]
        for j in range(p):
            prod = 1.0
            for i in range(p):
                if i != j:
                    prod *= xn[j] - xn[i]
            bw[j] = 1.0 / prod
        err_l = 0.0
        err_a = 0.0
        for r in range(size):
            kk = a + r
            xk = 2.0 * r / scale - 1.0
            hit = -1
            for j in range(p):
                if xk == xn[j]:
                    hit = j
                    break
            D = delta[kk - 1]
            if hit >= 0:  # at a node: the basis is the indicator
                W[c, hit] += D
                il = le_n[hit]
                ia = ar_n[hit]
            else:
                s = 0.0
                for j in range(p):
                    t[j] = bw[j] / (xk - xn[j])
                    s += t[j]
                il = 0.0
                ia = 0.0
                for j in range(p):
                    L = t[j] / s
                    W[c, j] += D * L
                    il += L * le_n[j]
                    ia += L * ar_n[j]
            err_l = max(err_l, abs(il - log_eta[kk - 1]))
            err_a = max(err_a, abs(ia - c1[kk - 1]))
        width = max(c1[k1[c]] - c1[a - 1], 1e-300)
        smooth[c] = err_l <= tol and err_a / width <= tol
    return smooth, W
