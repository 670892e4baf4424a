"""Compiled (numba) marches of the log-grid Volterra solver (:mod:`numerics._volterra`).

Imported only when a compiled march runs (:func:`numerics._jit.enabled`), so importing the package
does not import numba. The arithmetic is that of the NumPy path it replaces
(``_volterra._march_blocked`` with ``_chunk_coefs_sorted``; with a schedule, run by run of equal rate),
fused per chunk; ``tests/numerics/test_volterra_jit.py`` checks the two agree.
"""

from __future__ import annotations

import math

import numpy as np

from ._jit import njit
from ._volterra import _PHI_TAYLOR, _TAYLOR_DEGREES

__all__ = ["march_sorted"]



#: Cody-Waite constants of :func:`_exp_scaled` (fdlibm's split of ln 2) and e^r's Taylor coefficients
_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
_INV_LN2 = 1.44269504088896338700e+00
_EXP_C = tuple(1.0 / math.factorial(j) for j in range(14))


def _make_taylor_range(deg):
    """Chunk coefficients where ``|z| < 1/2``, with ``phi`` by Horner of fixed degree ``deg`` (a
    compile-time constant, so the polynomial is unrolled and the loop over modes vectorises)."""
    co = tuple(_PHI_TAYLOR[: deg + 1])

    def taylor_range(d, L, phiL, krl, krl2, E, C1, KS):
        for i in range(L.size):
            zi = d * L[i]
            p = co[deg]
            for j in range(deg - 1, -1, -1):
                p = p * zi + co[j]
            ks = (d * p - phiL[i]) * krl2[i]
            q = 1.0 + zi * p  # expm1(z)/z
            e = 1.0 + zi * q
            c1 = d * q * krl[i] - ks
            E[i] = e
            C1[i] = c1
            KS[i] = ks

    taylor_range.__name__ = taylor_range.__qualname__ = f"_taylor_range_{deg}"
    return njit(taylor_range)


_taylor_range_3, _taylor_range_5, _taylor_range_8, _taylor_range_13 = (
    _make_taylor_range(deg) for _, deg in _TAYLOR_DEGREES)


@njit
def _exp_scaled(d, L, out, bits):
    """``out = exp(d L)`` for ``-708 < d L <= 0`` in a loop that vectorises (numba's ``exp`` is a libm call
    per element, ~5 ns; the PyPI llvmlite has no SVML): Cody-Waite reduction ``z = m ln 2 + r``,
    ``|r| <= ln2/2`` (``ln 2`` split in a 32-bit head and its tail, so ``m ln2_hi`` is exact), ``e^r``
    by its degree-13 Taylor polynomial (truncation ``0.347^14/14! < 5e-18``), ``2^m`` from its bits
    (``(m + 1023) << 52``, in ``bits``). Derived here; within 2.2e-16 relative of mpmath on
    ``[-50, -1/2]`` (``tests/numerics/test_volterra_jit.py``), about 0.8 ns an element."""
    for i in range(L.size):
        zi = d * L[i]
        m = np.floor(zi * _INV_LN2 + 0.5)
        r = (zi - m * _LN2_HI) - m * _LN2_LO
        p = _EXP_C[13]
        for j in range(12, -1, -1):
            p = p * r + _EXP_C[j]
        out[i] = p
        bits[i] = (np.int64(m) + 1023) << 52
    scale = bits.view(np.float64)
    for i in range(L.size):
        out[i] *= scale[i]


@njit
def _closed_range(d, L, phiL, rl2, inveps, k, E, C1, KS, bits):
    """Chunk coefficients where ``1/2 <= |z| <= 50``: one ``exp`` (:func:`_exp_scaled`),
    ``phi = (expm1 - z)/z^2``."""
    _exp_scaled(d, L, E, bits)
    for i in range(L.size):
        zi = d * L[i]
        e = E[i]
        em1 = e - 1.0
        s1 = (d * ((em1 - zi) / (zi * zi)) - phiL[i]) * rl2[i]
        c1 = (-em1 * inveps[i] - s1) * k[i]
        ks = s1 * k[i]
        E[i] = e
        C1[i] = c1
        KS[i] = ks


@njit
def _dead_range(d, L, phiL, rl2, inveps, k, E, C1, KS):
    """Chunk coefficients where ``-z > 50``: ``e^z < 2e-22`` dropped (``E = 0``, ``expm1 = -1``)."""
    for i in range(L.size):
        zi = d * L[i]
        s1 = (d * ((-1.0 - zi) / (zi * zi)) - phiL[i]) * rl2[i]
        E[i] = 0.0
        C1[i] = (inveps[i] - s1) * k[i]
        KS[i] = s1 * k[i]


@njit
def _sums(E, y, C1, KS):
    """``(E.y, sum C1, sum KS)`` in a fixed order (four interleaved partial sums, then pairwise): the kernels
    do not let the compiler re-associate sums (``numerics._jit``), so the result does not depend on whether a
    loop ran vectorised, which for short arrays turned on where the allocator put them."""
    n = E.size
    a0 = a1 = a2 = a3 = 0.0
    b0 = b1 = b2 = b3 = 0.0
    c0 = c1 = c2 = c3 = 0.0
    m = n - n % 4
    for i in range(0, m, 4):
        a0 += E[i] * y[i]
        a1 += E[i + 1] * y[i + 1]
        a2 += E[i + 2] * y[i + 2]
        a3 += E[i + 3] * y[i + 3]
        b0 += C1[i]
        b1 += C1[i + 1]
        b2 += C1[i + 2]
        b3 += C1[i + 3]
        c0 += KS[i]
        c1 += KS[i + 1]
        c2 += KS[i + 2]
        c3 += KS[i + 3]
    for i in range(m, n):
        a0 += E[i] * y[i]
        b0 += C1[i]
        c0 += KS[i]
    return (a0 + a1) + (a2 + a3), (b0 + b1) + (b2 + b3), (c0 + c1) + (c2 + c3)


@njit
def march_sorted(deltas, f_inf, y, L, c, k, inveps, rl, phiL, rho, disc, lim, bounds, P):
    """The constant-rate march of :func:`_march_blocked`, one chunk at a time in compiled code.

    Modes sorted by ascending decay rate ``c = -L``. Per chunk of length ``Delta``: the column ranges
    of :func:`_chunk_coefs_sorted`, found by binary search on ``c`` for this chunk alone (Taylor of
    ``phi`` of the lowest exact degree where ``|z| < 1/2``, one ``exp`` where ``1/2 <= |z| <= 50``,
    ``E = 0`` where ``-z > 50``; ``Delta = 1`` in discrete time in closed form), then
    ``P_{m+1} = (f_inf + E.y + P_m sum C1) / (1 - sum k S1)`` and ``y <- E y + C1 P_m + k S1 P_{m+1}``.
    Every pass is a loop over a contiguous range of modes (vectorisable), the scratch stays in cache.
    Fills ``P`` (``P[0]`` given) and returns the number of valid entries (``P.size`` if it did not blow up).
    """
    N = L.size
    E = np.empty(N)
    C1 = np.empty(N)
    KS = np.empty(N)
    bits = np.empty(N, dtype=np.int64)
    krl = k * rl
    krl2 = krl * rl
    rl2 = rl * rl
    ksum = 0.0
    for i in range(N):
        ksum += k[i]
    for m in range(deltas.size):
        d = deltas[m]
        Pm = P[m]
        if disc and d == 1.0:  # E = rho, A = 1, S1 = 0
            sE = 0.0
            for i in range(N):
                sE += rho[i] * y[i]
            Pn = f_inf + sE + Pm * ksum
            for i in range(N):
                y[i] = rho[i] * y[i] + k[i] * Pm
        else:
            i_s = np.searchsorted(c, 0.5 / d)  # [0, i_s): |z| < 1/2
            i_d = max(i_s, np.searchsorted(c, 50.0 / d, side="right"))  # [i_d, N): -z > 50
            # Taylor ranges, lowest exact degree first (slices: every loop starts at 0, so it vectorises),
            # each returning its share of E.y, sum C1 and sum k S1
            lo = 0
            hi = min(i_s, np.searchsorted(c, bounds[0] / d))
            _taylor_range_3(d, L[lo:hi], phiL[lo:hi], krl[lo:hi], krl2[lo:hi], E[lo:hi], C1[lo:hi], KS[lo:hi])
            lo = hi
            hi = min(i_s, np.searchsorted(c, bounds[1] / d))
            _taylor_range_5(d, L[lo:hi], phiL[lo:hi], krl[lo:hi], krl2[lo:hi], E[lo:hi], C1[lo:hi], KS[lo:hi])
            lo = hi
            hi = min(i_s, np.searchsorted(c, bounds[2] / d))
            _taylor_range_8(d, L[lo:hi], phiL[lo:hi], krl[lo:hi], krl2[lo:hi], E[lo:hi], C1[lo:hi], KS[lo:hi])
            lo = hi
            _taylor_range_13(d, L[lo:i_s], phiL[lo:i_s], krl[lo:i_s], krl2[lo:i_s], E[lo:i_s], C1[lo:i_s],
                             KS[lo:i_s])
            _closed_range(d, L[i_s:i_d], phiL[i_s:i_d], rl2[i_s:i_d], inveps[i_s:i_d], k[i_s:i_d], E[i_s:i_d],
                          C1[i_s:i_d], KS[i_s:i_d], bits[i_s:i_d])
            _dead_range(d, L[i_d:], phiL[i_d:], rl2[i_d:], inveps[i_d:], k[i_d:], E[i_d:], C1[i_d:], KS[i_d:])
            sE, sC, sK = _sums(E, y, C1, KS)
            Pn = (f_inf + sE + Pm * sC) / (1.0 - sK)
            for i in range(N):
                y[i] = E[i] * y[i] + C1[i] * Pm + KS[i] * Pn
        P[m + 1] = Pn
        if not abs(Pn) <= lim:  # also NaN
            return m + 2
    return P.size


_PHI13 = tuple(_PHI_TAYLOR)


@njit
def _mode_constants(L, disc, inveps, rl, phiL):
    """``1/eps``, ``-L/eps`` and ``phi(L)`` of each mode, as ``_volterra._mode_constants`` (``eps = 1 - rho``,
    resp. ``c``; a mode with ``L = 0`` gets ``1/eps = 0``, ``-L/eps = 1``; ``phi(L)`` by the degree-13 Taylor
    polynomial where ``|L| < 1/2``, else closed, ``e^L`` dropped below ``-50``; continuous time: 0)."""
    for i in range(L.size):
        x = L[i]
        if x == 0.0:
            inveps[i] = 0.0
            rl[i] = 1.0
        else:
            eps = -math.expm1(x) if disc else -x
            inveps[i] = 1.0 / eps
            rl[i] = -x / eps
        if not disc:
            phiL[i] = 0.0
        elif abs(x) < 0.5:
            p = _PHI13[13]
            for j in range(12, -1, -1):
                p = p * x + _PHI13[j]
            phiL[i] = p
        elif x < -50.0:
            phiL[i] = (-1.0 - x) / (x * x)
        else:
            phiL[i] = (math.exp(x) - 1.0 - x) / (x * x)


@njit
def march_runs(deltas, starts, Ls, ks, y, f_inf, disc, lim, bounds, P):
    """The schedule march over runs of chunks with equal rate factor: run ``r`` covers chunks
    ``starts[r] .. starts[r+1]-1`` (indices into ``deltas`` and ``P``) with rates ``Ls[r]`` and kernel
    weights ``ks[r]`` (modes in the caller's order). Per run the modes are sorted by decay rate, their
    constants formed, and :func:`march_sorted` advances ``y`` (kept in the caller's order between runs).
    Returns -1 when done, ``-2`` when a run has a growing or NaN mode (nothing is trusted then: the
    caller takes the NumPy path), else the number of valid entries of ``P`` (it blew up)."""
    N = y.size
    inveps = np.empty(N)
    rl = np.empty(N)
    phiL = np.empty(N)
    for r in range(starts.size - 1):
        a = starts[r]
        b = starts[r + 1]
        order = np.argsort(-Ls[r], kind="mergesort")  # ascending decay rate, stable
        L = Ls[r][order]
        for i in range(N):
            if not (L[i] <= 0.0):  # growing, or NaN
                return -2
        k = ks[r][order]
        ys = y[order]
        _mode_constants(L, disc, inveps, rl, phiL)
        n = march_sorted(deltas[a:b], f_inf, ys, L, -L, k, inveps, rl, phiL, np.exp(L), disc, lim, bounds, P[a:b + 1])
        for i in range(N):
            y[order[i]] = ys[i]
        if n < b - a + 1:
            return a + n
    return -1
