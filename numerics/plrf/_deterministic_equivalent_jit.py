"""Compiled (numba) Newton solves of the deterministic equivalent's fixed point ``z(omega) = z``.

Imported only when the compiled path runs (:func:`numerics._jit.enabled`). The sweeps of
:func:`numerics.plrf._deterministic_equivalent._sweeps_vectorised` call Newton's method on
``z(omega) = omega (1 - S(omega)/d)`` tens of thousands of times per spectrum, mostly on one point at
a time (the sequential continuation) or a few: in Python each step built the quadrature nodes of
:class:`~numerics.plrf._power_sums.PowerSums` for that ``omega`` (NumPy calls on arrays of ~600), took
the resolvent sums and did the step in Python complex numbers, ~25 us a step of which the arithmetic is
~2 us. Here the whole solve of a point -- nodes, sums, step, the halving that keeps ``Im omega > 0``,
the stopping rules -- runs in compiled code, point after point.

The steps, the node layout and the stopping rules are those of ``_newton_one`` / ``_newton_vec``
(which are the same per point), the sums those of :func:`numerics.plrf._power_sums_jit.sums_nodes`
(same order); ``exp``, ``log`` and ``pow`` are libm's rather than NumPy's, so an iterate can differ
in the last bits and a solve may end a step earlier or later within ``rtol``. The tests compare the
spectra with the NumPy path (``tests/numerics/plrf/test_power_sums_jit.py``).
"""

from __future__ import annotations

import math

import numpy as np

from .._jit import njit
from ._power_sums_jit import sums_nodes

__all__ = ["newton_points"]


@njit
def _nodes(w, X, Wt, tab, x0, w0, tl, wl, tr, wr, cuts, gwl, gwr, H, W, v, p):
    """Fill ``X`` (the nodes' ``lambda = x^-p``) and ``Wt`` for one ``omega`` (``PowerSums._nodes_one``
    and ``_power``: integer nodes from the table ``tab`` of ``j^-p`` when it is given)."""
    K = gwl.size - 1
    r = abs(w)
    ang = math.atan2(w.imag, w.real) / p
    rp = r ** (-1.0 / p) if r > 0 else math.inf
    jc = rp * math.cos(min(ang, 0.5 * math.pi))
    if not jc >= 1.0:  # also NaN
        jc = 1.0
    jc = min(jc, float(v))
    lo = float(min(max(np.rint(jc) - W, H + 1.0), v - 2.0 * W))
    for k in range(x0.size):
        X[k] = x0[k]
        Wt[k] = w0[k]
    c1, c2, c3, c4, c5, c6, c7 = cuts[1], cuts[2], cuts[3], cuts[4], cuts[5], cuts[6], cuts[7]
    for k in range(c1, c2):
        X[k] = lo + (k - c1)
        Wt[k] = 1.0
    has_l = lo >= H + 2.0
    b_l = lo - 1.0
    for k in range(K + 1):
        X[c3 + k] = b_l - K + k
    if has_l:
        for k in range(K + 1):
            Wt[c2 + k] = gwl[k]
            Wt[c3 + k] = gwr[k]
    c = max(jc, lo + W)
    a_l = H + 1.0
    s0 = math.log(a_l / (c - a_l))
    bl = max(b_l, a_l)
    L = math.log(bl / (c - bl)) - s0
    for k in range(tl.size):
        e = 1.0 / (1.0 + math.exp(-(s0 + L * tl[k])))
        X[c4 + k] = c * e
        if has_l:
            Wt[c4 + k] = (L * c) * wl[k] * e * (1.0 - e)
    a_r = lo + 2.0 * W + 1.0
    has_r = a_r <= v
    for k in range(K + 1):
        X[c5 + k] = a_r + k
    if has_r:
        for k in range(K + 1):
            Wt[c5 + k] = gwl[k]
            Wt[c6 + k] = gwr[k]
    cr = lo + W
    s0 = math.log(min(a_r, float(v)) - cr)
    L = math.log(v - cr) - s0
    for k in range(tr.size):
        es = math.exp(s0 + L * tr[k])
        X[c7 + k] = cr + es
        if has_r:
            Wt[c7 + k] = L * wr[k] * es
    use_tab = tab.size > 0
    for k in range(X.size):
        x = max(X[k], 1.0)
        integer = k < c4 or (c5 <= k < c7)
        X[k] = tab[int(x)] if (use_tab and integer) else x ** (-p)


@njit
def newton_points(exact, lam_e, tab, x0, w0, tl, wl, tr, wr, cuts, gwl, gwr, H, W, v, p, d, z, w_start,
                  rtol, maxit, w_out, ok_out, its_out):
    """Newton's method on ``z(omega) = z[i]`` from ``w_start[i]`` for each point ``i`` (the steps and
    stopping rules of ``_newton_one``); ``exact``: the plain sums over ``lam_e`` (weight 1), else the
    quadrature nodes. Writes the last iterate, whether it converged and its step count."""
    n_nodes = lam_e.size if exact else x0.size
    lam = np.empty((1, n_nodes))
    Wt = np.empty((1, n_nodes))
    if exact:
        for k in range(n_nodes):
            lam[0, k] = lam_e[k]
            Wt[0, k] = 1.0
    wv = np.empty(1, np.complex128)
    S = np.empty(1, np.complex128)
    dS = np.empty(1, np.complex128)
    for i in range(z.size):
        w = w_start[i]
        zi = z[i]
        ok_out[i] = False
        its_out[i] = 0
        w_out[i] = w
        if not (math.isfinite(w.real) and math.isfinite(w.imag) and w.imag > 0):
            continue
        az = abs(zi)
        its = 0
        for _ in range(maxit + 1):
            if not exact:
                _nodes(w, lam[0], Wt[0], tab, x0, w0, tl, wl, tr, wr, cuts, gwl, gwr, H, W, v, p)
            wv[0] = w
            sums_nodes(lam, Wt, wv, S, dS)
            u = 1.0 - S[0] / d
            zw = w * u
            dz = u - w * dS[0] / d
            if abs(zw - zi) <= rtol * az:
                ok_out[i] = True
                break
            its += 1
            if dz == 0:
                break
            step = (zw - zi) / dz
            lam_ = 1.0
            wn = w - step
            bad = wn.imag <= 0
            for _h in range(20):  # stay in the upper half plane (physical branch)
                if not bad:
                    break
                lam_ *= 0.5
                wn = w - lam_ * step
                bad = wn.imag <= 0
            if bad or not (math.isfinite(wn.real) and math.isfinite(wn.imag)) or abs(lam_ * step) < 1e-16 * abs(w):
                break
            w = wn
        w_out[i] = w
        its_out[i] = its
