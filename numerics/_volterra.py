"""Solvers of the discrete (and continuous-time) convolution Volterra equation of SGD risk.

Equation (index convention of ``theory.CONVENTIONS["volterra"]``)::

    P(r) = F(r) + sum_{s=0}^{r-1} K(r-1-s) P(s),    r = 0, 1, ..., n-1

Methods (one entry point, :func:`solve_volterra`):

``"direct"``
    Forward substitution, ``O(n^2)`` time, ``O(n)`` memory: the reference.
``"series"``
    Exact power-series division. With generating functions ``P(z) = F(z) / (1 - z K(z))``;
    the first ``n`` coefficients of ``1 / (1 - z K(z))`` come from Newton's iteration for the
    power-series reciprocal (``g <- g + g (1 - a g)``, precision doubling, FFT products), then
    one more FFT product with ``F``: ``O(n log n)``, no iteration count to tune (Brent & Kung,
    J. ACM 25 (1978)).
``"picard"``
    Fixed-point (Neumann) iteration ``P <- F + (K * P)`` with FFT convolutions, stopped on a
    residual tolerance (not a fixed count); converges at rate ``||K||`` (what the authors'
    notebook does with 50 sweeps).
``"loggrid"``
    Mode-wise solver for sum-of-exponentials ``F`` and ``K`` sharing their rates (the PLRF case,
    where the modes are the eigenvalues): the state ``y_i`` with
    ``y_i(r+1) = rho_i y_i(r) + k_i P(r)``, ``P = f_inf + sum_i y_i`` is advanced over chunks
    ``[T_m, T_{m+1}]`` of a log-spaced time grid, with ``P`` taken linear in time inside a chunk;
    the geometric (discrete) or exponential (continuous) sums are done in closed form, and the
    implicit value ``P(T_{m+1})`` solves one scalar linear equation. Exact for chunks of one
    step; second order in the chunk ratio ``h`` otherwise. Cost ``O(grid points x modes)``,
    independent of the horizon's length; memory ``O(grid points + modes)``. Accepts a
    time-varying learning rate (piecewise constant per chunk: the mean factor over the chunk's
    steps, or the factor at its midpoint for chunks longer than 64 steps). The
    reported ``residual`` is an error estimate: the difference to the solve on the grid built
    with ``2h``, divided by 3 (Richardson, second order). With a schedule the grid also holds
    ``10/h`` uniformly spaced points.

References
----------
E. Hairer, Ch. Lubich, M. Schlichte, SIAM J. Sci. Stat. Comput. 6 (1985) 532-541 (fast
convolution solvers); R. P. Brent, H. T. Kung, J. ACM 25 (1978) 581-595 (power-series
reciprocal); W. McLean, "Exponential sum approximations for t^(-beta)" (2018) (mode-wise
history recursion); Paquette et al. 2024 (arXiv:2405.15074), Sec. 2, eq. (10); research note
``ecosystem_style.md`` Sec. 2.3 A-C, F.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import math

import numpy as np

from theory import ParameterError
from theory.validate import check_choice, check_int, check_real

from . import _jit
from ._expsum import ExpSum

__all__ = ["VolterraResult", "solve_volterra", "log_grid", "group_modes", "METHODS"]

METHODS = ("auto", "direct", "series", "picard", "loggrid")
_BLOWUP = 1e12


@dataclass(frozen=True)
class VolterraResult:
    """Result of :func:`solve_volterra`.

    Attributes
    ----------
    times : ndarray
        Steps (discrete) or times (continuous) of the solution values.
    risk : ndarray
        ``P`` at ``times`` (finite; on divergence, only the finite prefix).
    residual : float
        Relative residual ``max |P - F - K*P| / max |P|`` of the discrete equation (uniform
        methods) or the Richardson error estimate (``loggrid``).
    iterations : int
        Newton doublings (series), sweeps (picard), chunks (loggrid), steps (direct).
    status : {"ok", "diverged", "not_converged"}
    message : str
    method : str
    kernel_norm : float
        ``sum K`` (of the given array, or of the exponential sum).
    """

    times: np.ndarray
    risk: np.ndarray
    residual: float
    iterations: int
    status: str
    message: str
    method: str
    kernel_norm: float
    extra: dict = field(default_factory=dict)


# ----------------------------------------------------------------------------- helpers
def _conv(a, b, n):
    """First ``n`` coefficients of the product of two series (FFT)."""
    if min(a.size, b.size) <= 64:
        return np.convolve(a, b)[:n]
    from scipy.signal import fftconvolve  # here, not at import: scipy.signal costs ~0.5 s to load

    return fftconvolve(a, b)[:n]


def _history(K, P, n):
    """``H(r) = sum_{s<r} K(r-1-s) P(s)`` for ``r < n``."""
    out = np.zeros(n)
    if n > 1:
        out[1:] = _conv(K[: n - 1], P[: n - 1], n - 1)
    return out


def _residual(F, K, P):
    n = P.size
    r = P - F[:n] - _history(K, P, n)
    return float(np.max(np.abs(r)) / max(np.max(np.abs(P)), 1e-300))


def _series_reciprocal(a: np.ndarray, n: int) -> tuple[np.ndarray, int]:
    """First ``n`` coefficients of ``1 / a(z)`` (``a[0] != 0``) by Newton doubling."""
    g = np.array([1.0 / a[0]])
    m, it = 1, 0
    while m < n:
        m2 = min(2 * m, n)
        e = -_conv(a[:m2], g, m2)
        e[0] += 1.0
        e[:m] = 0.0  # exactly zero in exact arithmetic
        g = np.concatenate([g, np.zeros(m2 - m)]) + _conv(g, e, m2)
        m, it = m2, it + 1
    return g, it


def _as_array(x, name, n=None):
    if isinstance(x, ExpSum):
        if n is None:
            raise ParameterError("n", "given when forcing/kernel are exponential sums", None)
        return x(np.arange(n, dtype=np.float64))
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim != 1 or arr.size < 1:
        raise ParameterError(name, "a non-empty 1-d array or a numerics.ExpSum", getattr(arr, "shape", x))
    if not np.all(np.isfinite(arr)):
        raise ParameterError(name, "finite values", "a NaN or inf")
    return arr if n is None else arr[:n]


def _finite_prefix(P: np.ndarray, scale: float) -> int:
    bad = ~np.isfinite(P) | (np.abs(P) > _BLOWUP * max(scale, 1e-300))
    return int(np.argmax(bad)) if bad.any() else P.size


def log_grid(horizon: int, n_points: int, *, include_zero: bool = True) -> np.ndarray:
    """``n_points`` (about) log-spaced integer steps in ``[1, horizon]``, plus 0; unique, sorted.

    >>> log_grid(1000, 4)
    array([   0,    1,   10,  100, 1000])
    """
    horizon = check_int("horizon", horizon, ge=1)
    n_points = check_int("n_points", n_points, ge=2)
    g = np.unique(np.rint(np.geomspace(1, horizon, n_points)).astype(np.int64))
    return np.concatenate([[0], g]) if include_zero else g


# ----------------------------------------------------------------------------- uniform methods
def _solve_direct(F, K, n):
    P = np.empty(n)
    Krev = K[: n - 1][::-1].copy() if n > 1 else K[:0]
    scale = abs(F[0]) if F.size else 1.0
    for r in range(n):
        P[r] = F[r] + (Krev[n - 1 - r :] @ P[:r] if r else 0.0)
        if not np.isfinite(P[r]) or abs(P[r]) > _BLOWUP * max(scale, 1e-300):
            return P[:r], r, True
    return P, n, False


def _solve_series(F, K, n):
    a = np.empty(n)
    a[0] = 1.0
    a[1:] = -K[: n - 1]
    g, it = _series_reciprocal(a, n)
    return _conv(F[:n], g, n), it


def _solve_picard(F, K, n, rtol, max_iter):
    P = F[:n].copy()
    for it in range(1, max_iter + 1):
        Pn = F[:n] + _history(K, P, n)
        if not np.all(np.isfinite(Pn)):
            return P, it, "diverged"
        err = float(np.max(np.abs(Pn - P) / np.maximum(np.abs(Pn), 1e-300)))
        P = Pn
        if err <= rtol:
            return P, it, "ok"
    return P, max_iter, "not_converged"


# ----------------------------------------------------------------------------- log-grid modes
def _phi(z, em1=None):
    """``(e^z - 1 - z) / z^2`` for arrays: the closed form (relative error <= ~2e-16/|z|, so <= 2e-14)
    for ``|z| >= 1e-2``, else the Taylor polynomial ``1/2 + z/6 + ... + z^5/5040`` (truncation
    ``|z|^6/8! < 3e-17``); ``1/2`` at ``z = 0``. ``em1``: ``expm1(z)`` if already computed."""
    em1 = np.expm1(z) if em1 is None else em1
    with np.errstate(divide="ignore", invalid="ignore"):
        closed = (em1 - z) / (z * z)
    series = 0.5 + z * (1 / 6 + z * (1 / 24 + z * (1 / 120 + z * (1 / 720 + z * (1 / 5040)))))
    return np.where(np.abs(z) < 1e-2, series, closed)


def _chunk_sums(log_rate: np.ndarray, delta: float, time: str):
    """``E = rho^Delta``, ``A = sum_{u<Delta} rho^u`` and ``S1 = sum_s rho^(Delta-1-s) s/Delta``.

    (Continuous: the integrals ``exp(-c Delta)``, ``int_0^Delta e^{-cu} du`` and
    ``int_0^Delta e^{-c(Delta-s)} s/Delta ds`` with ``c = -log_rate``.) With ``L = log rho`` (the
    log-rate), ``z = Delta L`` and ``phi(z) = (e^z - 1 - z)/z^2`` (:func:`_phi`), derived here:
    ``A = -expm1(z)/eps`` with ``eps = 1 - rho = -expm1(L)`` (continuous ``eps = -L``), and
    ``S1 = (Delta - A)/(eps Delta)``, which cancels for small ``eps Delta``, rewritten without the
    cancellation as ``S1 = (Delta phi(z) - phi(L)) (L/eps)^2`` (discrete; for ``Delta >= 2`` the two
    terms differ by at least ``(Delta - 1)/2``; ``Delta = 1`` gives 0 exactly) and ``S1 = Delta phi(z)``
    (continuous). Every element costs one ``exp``, one ``expm1`` and a short polynomial: no series
    on a gathered subset (issue 17; the previous form's 7-term series on the ~80 % of elements with
    ``|eps Delta| < 1e-2`` cost three quarters of the solve). Relative agreement with the series
    form: <= 6e-14 (``tests/numerics/test_volterra_loggrid_speed.py``).
    """
    log_rate = np.asarray(log_rate, dtype=np.float64)
    z = delta * log_rate
    E = np.exp(z)
    em1 = np.expm1(z)
    zero = log_rate == 0  # a mode that does not decay: A = Delta, S1 = its limit (phi(0) = 1/2)
    with np.errstate(divide="ignore", invalid="ignore"):
        eps = -np.expm1(log_rate) if time == "discrete" else -log_rate
        inv = np.where(zero, 0.0, -1.0 / np.where(zero, 1.0, eps))
        A = np.where(zero, np.broadcast_to(delta, z.shape), em1 * inv)
        if time == "discrete":
            ratio = np.where(zero, 1.0, log_rate * inv)  # -L/eps (its square is what is used)
            S1 = (delta * _phi(z, em1) - _phi(log_rate)) * ratio**2
        else:
            S1 = delta * _phi(z, em1)
    return E, A, S1


#: |z| below which phi (and expm1 = z + z^2 phi) come from the degree-13 Taylor polynomial
_TAYLOR_Z = 0.5
#: -z beyond which e^z (< 2e-22) is dropped from a mode's update: E = 0, expm1 = -1 exactly in float64
_DEAD_Z = 50.0
#: Taylor coefficients of phi(z) = sum_k z^k / (k+2)!, k = 0..13 (truncation at |z| <= 1/2:
#: 0.5^14/16! / phi(-0.5) < 8e-18 relative)
_PHI_TAYLOR = tuple(1.0 / math.factorial(k + 2) for k in range(14))


#: (bound on |z|, highest power kept): truncation ``|z|^(n+1)/(n+3)! < 1.5e-17 phi`` on each range
_TAYLOR_DEGREES = ((1e-4, 3), (1e-2, 5), (0.05, 8), (_TAYLOR_Z, 13))


def _phi_taylor(z, degree=13):
    acc = np.full(z.shape, _PHI_TAYLOR[degree])
    for c in _PHI_TAYLOR[degree - 1::-1]:
        acc *= z
        acc += c
    return acc


def _mode_constants(log_rate, time):
    """Per-mode constants of :func:`_chunk_sums_sorted`: ``1/eps``, ``-L/eps``, ``phi(L)``
    (``eps = 1 - rho``, resp. ``c``; a mode with ``L = 0`` gets ``-L/eps = 1``, ``1/eps = 0``)."""
    L = np.asarray(log_rate, dtype=np.float64)
    zero = L == 0
    with np.errstate(divide="ignore", invalid="ignore"):
        eps = -np.expm1(L) if time == "discrete" else -L
        inveps = np.where(zero, 0.0, 1.0 / np.where(zero, 1.0, eps))
        rl = np.where(zero, 1.0, -L * inveps)
    if time == "discrete":  # phi(L) by the same rules as phi(Delta L), so Delta = 1 gives S1 = 0 exactly
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            em1 = np.exp(L) - 1.0
            closed = np.where(L < -_DEAD_Z, (-1.0 - L), em1 - L) / (L * L)
        phiL = np.where(np.abs(L) < _TAYLOR_Z, _phi_taylor(L), closed)
    else:
        phiL = np.zeros_like(L)
    return inveps, rl, phiL


def _chunk_sums_sorted(log_rate, deltas, time, consts=None):
    """:func:`_chunk_sums` for modes sorted by decay rate ``c = -log_rate`` (ascending) and a
    short vector of chunk lengths: rows ``deltas``, columns modes.

    With ``z = Delta L`` the modes split, per block, into column ranges: ``|z| < 1/2`` in every row
    (``phi`` from its degree-13 Taylor polynomial, ``expm1(z) = z + z^2 phi``, ``E = 1 + expm1``,
    ``A = Delta (-L/eps)(1 + z phi)``: no transcendental), ``|z| >= 1/2`` in every row
    (``E = exp(z)``, ``expm1 = E - 1``, relative error <= 1.1e-16/0.39; closed ``phi`` with
    cancellation at most 5x at ``z = -1/2``), ``-z > 50`` in every row (``E = 0``: ``e^z < 2e-22``
    dropped; ``expm1 = -1`` exactly), and the few columns in between (both forms and a select).
    One ``exp`` (none in the Taylor and dead ranges) and no ``expm1`` per element: ``expm1`` costs
    twice an ``exp`` in NumPy and was half the solve (issue 17). Derived here; agreement with
    :func:`_chunk_sums` and mpmath in ``tests/numerics/test_volterra_loggrid_speed.py``.
    """
    L = np.asarray(log_rate, dtype=np.float64)
    dl = np.asarray(deltas, dtype=np.float64).reshape(-1, 1)
    inveps, rl, phiL = _mode_constants(L, time) if consts is None else consts
    c = -L
    if L.size == 0 or not c[0] >= 0:  # a growing mode (or NaN): the unsorted form, which overflows honestly
        return _chunk_sums(L[None, :], dl, time)
    dmin, dmax = float(dl.min()), float(dl.max())
    i_s = int(np.searchsorted(c, _TAYLOR_Z / dmax, "left"))  # [0, i_s): |z| < 1/2 in every row
    i_l = max(i_s, int(np.searchsorted(c, _TAYLOR_Z / dmin, "left")))  # [i_l, N): |z| >= 1/2
    i_d = max(i_l, int(np.searchsorted(c, _DEAD_Z / dmin, "right")))  # [i_d, N): -z > 50
    shape = (dl.shape[0], L.size)
    E = np.empty(shape)
    A = np.empty(shape)
    phi = np.empty(shape)

    def taylor(sl, degree=13):
        z = dl * L[sl]
        p = _phi_taylor(z, degree)
        zp1 = 1.0 + z * p
        return z, p, dl * rl[sl] * zp1, 1.0 + z * zp1

    def closed(sl):
        z = dl * L[sl]
        e = np.exp(z)
        em1 = e - 1.0
        return z, (em1 - z) / (z * z), -em1 * inveps[sl], e

    lo = 0
    for zb, degree in _TAYLOR_DEGREES:  # slow modes: the lowest degree that is exact on the range
        hi = min(i_s, int(np.searchsorted(c, zb / dmax, "left")))
        if hi > lo:
            sl = slice(lo, hi)
            _, phi[:, sl], A[:, sl], E[:, sl] = taylor(sl, degree)
            lo = hi
    if i_l > i_s:
        sl = slice(i_s, i_l)
        z, p1, a1, e1 = taylor(sl)
        with np.errstate(divide="ignore", invalid="ignore"):
            _, p2, a2, e2 = closed(sl)
        small = np.abs(z) < _TAYLOR_Z
        phi[:, sl] = np.where(small, p1, p2)
        A[:, sl] = np.where(small, a1, a2)
        E[:, sl] = np.where(small, e1, e2)
    if i_d > i_l:
        sl = slice(i_l, i_d)
        _, phi[:, sl], A[:, sl], E[:, sl] = closed(sl)
    if i_d < L.size:
        sl = slice(i_d, L.size)
        z = dl * L[sl]
        phi[:, sl] = (-1.0 - z) / (z * z)
        A[:, sl] = inveps[sl]
        E[:, sl] = 0.0
    if time == "discrete":
        S1 = (dl * phi - phiL) * (rl * rl)
    else:
        S1 = dl * phi
    return E, A, S1


def _chunk_coefs_sorted(log_rate, kcoef, deltas, time, consts=None, work=None):
    """What the constant-rate march needs of each chunk: ``E``, ``C1 = k (A - S1)`` and ``KS1 = k S1``
    (rows: sorted unique chunk lengths ``deltas``; columns: modes sorted by ascending decay rate).

    The column ranges and formulas of :func:`_chunk_sums_sorted` (Taylor of ``phi`` of the lowest exact
    degree where ``|z| < 1/2`` in every row, one ``exp`` where ``|z| >= 1/2``, ``E = 0`` where ``-z > 50``
    in every row; degree-13 Taylor or closed form by element on the columns in between), with four
    changes that cut the work, not the accuracy (issue 17): every range is evaluated in place in contiguous scratch and copied once into preallocated outputs (fresh
    multi-megabyte temporaries are fresh pages, and in-place passes on strided views cost 3-4x); the
    products ``k S1`` and ``k (A - S1)`` are formed in the same passes; on the columns where ``|z|`` crosses
    1/2 inside a block (wide, as a block's chunk lengths span up to ~100x where output points split the
    grid's chunks) the closed form is computed everywhere and the Taylor form only on the gathered elements
    with ``|z| < 1/2``, instead of both forms everywhere and a select; a row with ``Delta = 1``
    (discrete time) is set in closed form, ``E = rho``, ``A = 1``, ``S1 = 0``. ``work``: an optional
    ``(7, >= rows x modes)`` float64 buffer reused across calls; the returned arrays are views into it
    (valid until the next call with it). Agreement with :func:`_chunk_sums_sorted`: <= 1e-15 relative
    (``tests/numerics/test_volterra_loggrid_speed.py``).
    """
    L = np.asarray(log_rate, dtype=np.float64)
    kcoef = np.asarray(kcoef, dtype=np.float64)
    dl = np.asarray(deltas, dtype=np.float64).ravel()
    inveps, rl, phiL = _mode_constants(L, time) if consts is None else consts
    c = -L
    shape = (dl.size, L.size)
    if L.size == 0 or not c[0] >= 0:  # a growing mode (or NaN): the element-wise form
        E, A, S1 = _chunk_sums(L[None, :], dl[:, None], time)
        return E, kcoef * (A - S1), kcoef * S1
    disc = time == "discrete"
    m_all = dl.size * L.size
    if work is None or work.shape[0] < 7 or work.shape[1] < m_all:
        work = np.empty((7, m_all))
    E, C1, KS1 = (w[:m_all].reshape(shape) for w in work[:3])
    scratch = work[3:]
    krl = kcoef * rl
    krl2 = krl * rl
    rl2 = rl * rl

    def bufs(nr, ca, cb):  # contiguous scratch for rows x columns
        m = nr * (cb - ca)
        return tuple(w[:m].reshape(nr, cb - ca) for w in scratch)

    def taylor(ra, rb, ca, cb, degree):
        d = dl[ra:rb, None]
        sl = slice(ca, cb)
        e, c1, ks, z = bufs(rb - ra, ca, cb)
        np.multiply(d, L[sl], out=z)
        c1.fill(_PHI_TAYLOR[degree])  # phi(z) by Horner, in c1's storage
        for co in _PHI_TAYLOR[degree - 1::-1]:
            c1 *= z
            c1 += co
        np.multiply(c1, d, out=ks)  # k S1 = k rl^2 (Delta phi(z) - phi(L))  (continuous: k Delta phi(z))
        if disc:
            ks -= phiL[sl]
        ks *= krl2[sl]
        c1 *= z  # 1 + z phi = expm1(z)/z
        c1 += 1.0
        np.multiply(z, c1, out=e)  # E = 1 + z (1 + z phi)
        e += 1.0
        c1 *= d  # k A = k rl Delta (1 + z phi); C1 = k A - k S1
        c1 *= krl[sl]
        c1 -= ks
        E[ra:rb, sl], C1[ra:rb, sl], KS1[ra:rb, sl] = e, c1, ks

    def closed(ra, rb, ca, cb, dead):
        d = dl[ra:rb, None]
        sl = slice(ca, cb)
        e, c1, ks, z = bufs(rb - ra, ca, cb)
        np.multiply(d, L[sl], out=z)
        if dead:  # e^z < 2e-22 dropped: E = 0, expm1 = -1
            e.fill(0.0)
            np.negative(z, out=ks)
            ks -= 1.0
            c1[...] = inveps[sl]  # A = -expm1/eps
        else:
            np.exp(z, out=e)
            np.subtract(e, 1.0, out=ks)  # expm1
            np.multiply(ks, -inveps[sl], out=c1)  # A
            ks -= z
        z *= z
        ks /= z  # phi(z) = (expm1 - z)/z^2
        ks *= d  # S1 = (Delta phi(z) - phi(L)) rl^2  (continuous: Delta phi(z))
        if disc:
            ks -= phiL[sl]
            ks *= rl2[sl]
        c1 -= ks  # A - S1
        c1 *= kcoef[sl]
        ks *= kcoef[sl]
        E[ra:rb, sl], C1[ra:rb, sl], KS1[ra:rb, sl] = e, c1, ks

    def fill(ra, rb, ca, cb):
        dmin, dmax = float(dl[ra]), float(dl[rb - 1])
        cs = c[ca:cb]
        i_s = ca + int(np.searchsorted(cs, _TAYLOR_Z / dmax, "left"))  # [ca, i_s): |z| < 1/2 in every row
        i_l = max(i_s, ca + int(np.searchsorted(cs, _TAYLOR_Z / dmin, "left")))  # [i_l, cb): |z| >= 1/2
        i_d = max(i_l, ca + int(np.searchsorted(cs, _DEAD_Z / dmin, "right")))  # [i_d, cb): -z > 50
        lo = ca
        for zb, degree in _TAYLOR_DEGREES:  # the lowest degree that is exact on the range
            hi = min(i_s, ca + int(np.searchsorted(cs, zb / dmax, "left")))
            if hi > lo:
                taylor(ra, rb, lo, hi, degree)
                lo = hi
        if i_l > i_s:  # columns whose |z| crosses 1/2 inside the block: the closed form on all of them,
            # then the degree-13 Taylor form on the elements with |z| < 1/2 only (gathered)
            closed(ra, rb, i_s, i_l, False)
            z = dl[ra:rb, None] * L[i_s:i_l]
            rr, cc = np.nonzero(np.abs(z) < _TAYLOR_Z)
            if rr.size:
                zs = z[rr, cc]
                ds = dl[ra + rr]
                col = i_s + cc
                p = np.full(zs.shape, _PHI_TAYLOR[13])
                for co in _PHI_TAYLOR[12::-1]:
                    p *= zs
                    p += co
                ks = p * ds
                if disc:
                    ks -= phiL[col]
                ks *= krl2[col]
                p *= zs
                p += 1.0
                row = ra + rr
                E[row, col] = zs * p + 1.0
                p *= ds
                p *= krl[col]
                p -= ks
                C1[row, col] = p
                KS1[row, col] = ks
        if i_d > i_l:
            closed(ra, rb, i_l, i_d, False)
        if cb > i_d:
            closed(ra, rb, i_d, cb, True)

    r0 = 0
    if disc and dl[0] == 1.0:  # sorted unique lengths: Delta = 1 can only be the first row
        E[0] = np.exp(L)
        C1[0] = kcoef
        KS1[0] = 0.0
        r0 = 1
    if r0 < dl.size:
        fill(r0, dl.size, 0, L.size)
    return E, C1, KS1


def _march(T, f_inf, y0, log_rate, kcoef, time, rate_fn, lr_at, block: int = 64):
    """Advance the mode system over the grid ``T``; returns P at every grid point.

    With a schedule (``rate_fn``), the chunks are taken ``block`` at a time: their mean rate factors
    (``lr_at``, one call per block), rates and kernel weights (``rate_fn``, per chunk) and chunk sums
    (one vectorised :func:`_chunk_sums` over the block) are computed first, then the same per-chunk
    update as for constant rates runs over the block (the numbers of the chunk-by-chunk loop, with
    the per-chunk NumPy calls batched).
    """
    if rate_fn is None:
        if _jit.enabled():
            out = _march_compiled(T, f_inf, y0, log_rate, kcoef, time)
            if out is not None:
                return out
        return _march_blocked(T, f_inf, y0, log_rate, kcoef, time)
    if _jit.enabled():
        out = _march_schedule_compiled(T, f_inf, y0, time, rate_fn, lr_at)
        if out is not None:
            return out
    y = y0.copy()
    P = np.empty(T.size)
    P[0] = f_inf + y.sum()
    lim = _BLOWUP * max(abs(P[0]), 1e-300)
    n_chunks = T.size - 1
    for b0 in range(0, n_chunks, block):
        b1 = min(b0 + block, n_chunks)
        phis = lr_at(T[b0:b1], T[b0 + 1:b1 + 1])
        lrt = np.empty((b1 - b0, log_rate.size))
        kc = np.empty_like(lrt)
        for i, phi in enumerate(phis):
            lrt[i], kc[i] = rate_fn(float(phi))
        dl = (T[b0 + 1:b1 + 1] - T[b0:b1])[:, None]
        E, A, S1 = _chunk_sums(lrt, dl, time)
        KS1 = kc * S1
        C1 = kc * (A - S1)
        den = 1.0 - KS1.sum(axis=1)
        for k in range(b1 - b0):
            m = b0 + k
            y = E[k] * y + C1[k] * P[m]
            P[m + 1] = (f_inf + y.sum()) / den[k]
            y += KS1[k] * P[m + 1]
            if not abs(P[m + 1]) <= lim:  # also NaN
                return P[: m + 2], True
    return P, False


#: the most modes for which the constant-rate march uses BLAS-1 ddot/daxpy (single-threaded in OpenBLAS there)
_BLAS1_MAX = 8192


def _march_blocked(T, f_inf, y0, log_rate, kcoef, time, block_elems: int = 2**19):
    """Constant rates: the chunk sums of a block of chunks in one vectorised call, then per chunk
    one dot product and two scaled additions over the modes (no per-chunk sums to recompute).
    The modes are sorted by decay rate first (P only depends on sums over modes), so the chunk sums
    split into column ranges (:func:`_chunk_sums_sorted`).

    ``P(T_{m+1}) = (f_inf + E.y + P_m sum(c1)) / (1 - sum(k S1))`` and
    ``y <- E y + c1 P_m + k S1 P_{m+1}`` with ``c1 = k (A - S1)`` (the same update as the
    per-chunk loop, reordered).
    """
    N = log_rate.size
    order = np.argsort(-np.asarray(log_rate, dtype=np.float64), kind="stable")  # ascending decay rate
    log_rate, kcoef, y = log_rate[order], kcoef[order], y0[order].copy()
    consts = _mode_constants(log_rate, time)
    P = np.empty(T.size)
    P[0] = f_inf + y.sum()
    deltas = np.diff(T)
    bk = int(max(1, min(128, block_elems // max(N, 1))))
    lim = _BLOWUP * max(abs(P[0]), 1e-300)
    work = np.empty((7, bk * N))
    # OpenBLAS runs ddot/daxpy on one thread up to 10 000 elements (interface/axpy.c, kernel/x86_64/ddot.c), so
    # a user's threaded BLAS costs no hand-off there; above it, einsum and ufuncs (no threads)
    blas = N <= _BLAS1_MAX
    if blas:
        from scipy.linalg.blas import daxpy, ddot
    for b0 in range(0, deltas.size, bk):
        dl = deltas[b0 : b0 + bk]
        u, inv = np.unique(dl, return_inverse=True)
        E, C1, KS1 = _chunk_coefs_sorted(log_rate, kcoef, u, time, consts, work)
        den = (1.0 - KS1.sum(axis=1)).tolist()
        c1s = C1.sum(axis=1).tolist()
        if blas:  # BLAS-1 in place: ~1 us a call against ~2-6 us for einsum or a ufunc with a temporary
            Er, Cr, Kr = list(E), list(C1), list(KS1)
            Pm = float(P[b0])
            for k, ui in enumerate(inv.tolist()):
                Pn = (f_inf + ddot(Er[ui], y) + Pm * c1s[ui]) / den[ui]
                P[b0 + k + 1] = Pn
                y *= Er[ui]
                daxpy(Cr[ui], y, a=Pm)
                daxpy(Kr[ui], y, a=Pn)
                if not abs(Pn) <= lim:  # also NaN
                    return P[: b0 + k + 2], True
                Pm = Pn
            continue
        for k, ui in enumerate(inv):
            m = b0 + k
            Pm = P[m]
            # einsum, not a BLAS dot: a threaded BLAS on a shared machine costs more than the product
            Pn = (f_inf + float(np.einsum("i,i->", E[ui], y)) + Pm * c1s[ui]) / den[ui]
            P[m + 1] = Pn
            y *= E[ui]
            y += C1[ui] * Pm + KS1[ui] * Pn
            if not abs(Pn) <= lim:  # also NaN
                return P[: m + 2], True
    return P, False



def _march_schedule_compiled(T, f_inf, y0, time, rate_fn, lr_at, block_elems: int = 2**20):
    """The schedule march through the compiled constant-rate march: the chunks' mean rate factors
    (``lr_at``, one call for all chunks) split the grid into runs of equal factor (under WSD the whole
    stable phase is one run; during a decay every chunk is its own run); each run calls ``rate_fn``
    once (the rates of up to ``block_elems`` run-modes formed at a time), and the compiled
    :func:`numerics._volterra_jit.march_runs` sorts its modes by decay rate and marches with ``march_sorted``
    (the same update as the per-chunk NumPy loop, reordered: ``P_{m+1} = (f_inf + E.y + P_m sum C1) /
    (1 - sum k S1)``; chunk sums by the sorted column-range formulas, within 6e-14 of
    :func:`_chunk_sums`). ``None`` when a run has a growing (or NaN) mode: the NumPy path runs then."""
    from ._volterra_jit import march_runs

    y = np.ascontiguousarray(np.asarray(y0, dtype=np.float64)).copy()
    P = np.empty(T.size)
    P[0] = f_inf + y.sum()
    lim = _BLOWUP * max(abs(P[0]), 1e-300)
    deltas = np.diff(np.asarray(T, dtype=np.float64))
    if deltas.size == 0:
        return P, False
    phis = np.asarray(lr_at(T[:-1], T[1:]), dtype=np.float64)
    starts = np.concatenate([[0], np.flatnonzero(phis[1:] != phis[:-1]) + 1, [deltas.size]]).astype(np.int64)
    bounds = np.array([zb for zb, _ in _TAYLOR_DEGREES])
    N = y.size
    per = int(max(1, min(starts.size - 1, block_elems // max(N, 1))))  # runs whose rates are formed at once
    for r0 in range(0, starts.size - 1, per):
        r1 = min(r0 + per, starts.size - 1)
        Ls = np.empty((r1 - r0, N))
        ks = np.empty((r1 - r0, N))
        for j, r in enumerate(range(r0, r1)):
            Ls[j], ks[j] = rate_fn(float(phis[starts[r]]))
        n = march_runs(deltas, starts[r0:r1 + 1], Ls, ks, y, float(f_inf), time == "discrete", lim, bounds, P)
        if n == -2:
            return None
        if n >= 0:
            return P[:n], True
    return P, False


def _march_compiled(T, f_inf, y0, log_rate, kcoef, time):
    """:func:`_march_blocked` compiled: the schedule march of :func:`_march_schedule_compiled` with the factor 1
    everywhere, i.e. one run (its modes sorted, their constants formed and marched by
    ``numerics._volterra_jit.march_sorted``); ``None`` when a mode grows (or is NaN), where the NumPy path's
    element-wise form runs instead."""
    L = np.asarray(log_rate, dtype=np.float64)
    k = np.asarray(kcoef, dtype=np.float64)
    return _march_schedule_compiled(T, f_inf, y0, time, lambda phi: (L, k), lambda a, b: np.ones(np.size(a)))


def group_modes(log_rate, fcoef, kcoef, rel_width: float):
    """Coarse-grain modes whose decay rates ``c = -log_rate`` lie within a relative width ``delta``.

    Modes are binned by ``log c`` in bins of width ``log(1 + delta)``; a bin with rates in
    ``[c_a, c_b]`` is replaced by the two modes ``c_a`` and ``c_b`` carrying the linear-interpolation
    split of each coefficient (``coef_i (c_b - c_i)/(c_b - c_a)`` to ``c_a``, the rest to ``c_b``), so
    the zeroth and first moments in ``c`` of both the forcing and the kernel coefficients are kept.
    Error (derived here): ``exp(-c t)`` is replaced on ``[c_a, c_b]`` by its linear interpolant, whose
    error is at most ``(c_b - c_a)^2 t^2 exp(-c_a t) / 8 <= delta^2 max_u u^2 e^(-u) / 8 = 0.068 delta^2``
    times the bin's coefficient, for every ``t`` (discrete time: the same with ``c = -log q``).

    Returns ``(log_rate, fcoef, kcoef, bound)`` with ``bound = 0.068 delta^2 (1 + delta)^2`` the relative
    bound on each of ``F - F_inf`` and ``K``.
    """
    c = -np.asarray(log_rate, dtype=np.float64)
    if c.size == 0 or rel_width <= 0 or np.any(~(c > 0)):
        return log_rate, fcoef, kcoef, 0.0
    order = np.argsort(c, kind="stable")
    c, f, k = c[order], fcoef[order], kcoef[order]
    b = np.floor(np.log(c) / np.log1p(rel_width)).astype(np.int64)
    starts = np.flatnonzero(np.concatenate([[True], b[1:] != b[:-1]]))
    ends = np.concatenate([starts[1:], [c.size]]) - 1
    ca, cb = c[starts], c[ends]
    span = cb - ca
    idx = np.repeat(np.arange(starts.size), np.diff(np.concatenate([starts, [c.size]])))
    with np.errstate(invalid="ignore", divide="ignore"):
        frac_b = np.where(span[idx] > 0, (c - ca[idx]) / span[idx], 0.0)
    fa = np.bincount(idx, f * (1.0 - frac_b), starts.size)
    fb = np.bincount(idx, f * frac_b, starts.size)
    ka = np.bincount(idx, k * (1.0 - frac_b), starts.size)
    kb = np.bincount(idx, k * frac_b, starts.size)
    two = span > 0
    lr = np.concatenate([-ca, -cb[two]])
    fo = np.concatenate([fa, fb[two]])
    ko = np.concatenate([ka, kb[two]])
    return lr, fo, ko, 0.068 * rel_width**2 * (1.0 + rel_width) ** 2


def _internal_grid(out_t, h, horizon, time, c_max, uniform):
    if time == "discrete":
        n_geo = int(np.ceil(np.log(max(horizon, 2)) / np.log1p(h))) + 2
        geo = np.unique(np.rint(np.geomspace(1, horizon, n_geo)))
        pts = [np.array([0.0]), geo, out_t]
        if uniform:
            pts.append(np.rint(np.linspace(0, horizon, int(np.ceil(10.0 / h)) + 1)))
    else:
        t0 = min(0.05 / max(c_max, 1e-300), horizon * 1e-3, 1.0)
        n_geo = int(np.ceil(np.log(horizon / t0) / np.log1p(h))) + 2
        pts = [np.array([0.0]), np.geomspace(t0, horizon, n_geo), out_t]
        if uniform:
            pts.append(np.linspace(0, horizon, int(np.ceil(10.0 / h)) + 1))
    return np.unique(np.concatenate(pts))


def _solve_loggrid(forcing: ExpSum, kernel: ExpSum, times, h, rate_fn, lr_factors, horizon_for_schedule,
                   estimate_error, group=None, group_min=2048):
    if forcing.time != kernel.time:
        raise ParameterError("forcing/kernel", "the same time kind (discrete or continuous)", (forcing.time, kernel.time))
    time = forcing.time
    if forcing.log_rate.shape == kernel.log_rate.shape and np.array_equal(forcing.log_rate, kernel.log_rate):
        log_rate, fcoef, kcoef = forcing.log_rate, forcing.coef, kernel.coef
    else:  # union of the two sets of rates
        log_rate = np.concatenate([forcing.log_rate, kernel.log_rate])
        fcoef = np.concatenate([forcing.coef, np.zeros(kernel.coef.size)])
        kcoef = np.concatenate([np.zeros(forcing.coef.size), kernel.coef])
        if rate_fn is not None:
            raise ParameterError("rate_fn", "only with forcing and kernel sharing their rates", "different rates")
    out_t = np.asarray(times, dtype=np.float64)
    horizon = float(out_t.max())
    if rate_fn is None:
        lr_at = None
    else:
        sched_h = horizon_for_schedule if horizon_for_schedule is not None else int(horizon)

        def lr_at(a, b):
            # mean factor over each chunk's steps a..b-1 (exact for short chunks, midpoint otherwise);
            # vectorised over chunks: one schedule call for all their steps
            a = np.rint(np.atleast_1d(a)).astype(np.int64)
            b = np.rint(np.atleast_1d(b)).astype(np.int64)
            short = ((b - a) <= 64) & ((b - a) >= 1)
            cnt = np.where(short, b - a, 1)
            starts = np.concatenate([[0], np.cumsum(cnt)[:-1]])
            ks = np.repeat(a, cnt) + (np.arange(int(cnt.sum())) - np.repeat(starts, cnt))
            ks = np.where(np.repeat(short, cnt), ks, np.repeat(0.5 * (a + b - 1.0), cnt)).astype(np.float64)
            ks = np.clip(ks, 0.0, sched_h - 1)
            vals = np.asarray(lr_factors(ks, sched_h), dtype=np.float64)
            return np.add.reduceat(vals, starts) / cnt

    group_bound = 0.0
    n_modes = log_rate.size
    if rate_fn is None and group is not None and group > 0 and log_rate.size > group_min:
        log_rate, fcoef, kcoef, group_bound = group_modes(log_rate, fcoef, kcoef, group)
    c_max = float(np.max(-log_rate)) if log_rate.size else 1.0
    T = _internal_grid(out_t, h, horizon, time, c_max, uniform=rate_fn is not None)
    P, blew = _march(T, forcing.const, fcoef, log_rate, kcoef, time, rate_fn, lr_at)
    idx = np.searchsorted(T, out_t)
    if blew:
        n_ok = int(np.searchsorted(idx, P.size - 1))
        return out_t[:n_ok], P[idx[:n_ok]], float("inf"), T.size - 1, True, {}
    risk = P[idx]
    resid = 0.0
    if estimate_error and T.size > 3:
        # the same solve on the grid built with 2h (output points kept); error ~ (P_2h - P_h) / 3
        Tc = _internal_grid(out_t, min(2 * h, 1.0), horizon, time, c_max, uniform=rate_fn is not None)
        Pc, _ = _march(Tc, forcing.const, fcoef, log_rate, kcoef, time, rate_fn, lr_at)
        if Pc.size == Tc.size:
            rc = Pc[np.searchsorted(Tc, out_t)]
            resid = float(np.max(np.abs(rc - risk) / np.maximum(np.abs(risk), 1e-300)) / 3.0)
    info = {"modes": int(n_modes), "modes_solved": int(log_rate.size), "group_rel_width": group or 0.0,
            "group_error_bound": group_bound}
    return out_t, risk, resid, T.size - 1, False, info


# ----------------------------------------------------------------------------- entry point
def solve_volterra(forcing, kernel, *, method: str = "auto", n: int | None = None, times=None,
                   rtol: float = 1e-13, max_iter: int = 10_000, h: float = 0.01, rate_fn=None,
                   lr_factors=None, schedule_horizon: int | None = None,
                   estimate_error: bool = True, group: float | None = 0.01) -> VolterraResult:
    """Solve ``P(r) = F(r) + sum_{s<r} K(r-1-s) P(s)`` (or its continuous-time analogue).

    Parameters
    ----------
    forcing, kernel : ndarray or ExpSum
        Uniform-grid values ``F(0..n-1)``, ``K(0..n-1)``, or sums of exponentials (then ``n``
        or ``times`` says where to solve).
    method : {"auto", "direct", "series", "picard", "loggrid"}
        ``auto``: ``loggrid`` for exponential sums with ``times`` (or continuous time),
        ``series`` otherwise.
    n : int, optional
        Number of uniform steps ``r = 0..n-1`` (uniform methods).
    times : array of int (or float, continuous), optional
        Output steps for ``loggrid`` (any increasing values; the internal grid contains them).
    rtol : float
        Picard stopping tolerance on the elementwise relative change; for ``loggrid`` the error estimate
        above which the status is ``not_converged``.
    max_iter : int
        Picard sweep limit.
    h : float
        ``loggrid``: ratio of consecutive internal grid points minus one (error ``O(h^2)``).
    rate_fn : callable, optional
        ``loggrid`` with a time-varying learning rate: ``rate_fn(phi) -> (log_rate, kcoef)`` for
        the learning-rate factor ``phi``; ``lr_factors(steps, horizon)`` gives ``phi`` (a
        ``theory`` schedule), averaged over each chunk's steps (midpoint for chunks > 64 steps).
    schedule_horizon : int, optional
        Horizon passed to ``lr_factors`` (default: the last output time).
    estimate_error : bool
        ``loggrid``: also solve on the coarsened grid to estimate the error.
    group : float or None
        ``loggrid`` with constant rates and more than 2048 modes: coarse-grain modes whose decay
        rates lie within this relative width into pairs of modes that keep the zeroth and first
        rate moments (:func:`group_modes`; error <= ``0.068 group^2`` relative on ``F`` and ``K``,
        reported in ``extra``). ``None`` or 0 solves every mode.

    Returns
    -------
    VolterraResult

    Examples
    --------
    ``K(r) = a rho^r``, ``F = 1`` has the closed form
    ``P(r) = ((1 - rho) - a (rho + a)^r) / (1 - rho - a)`` (derived by generating functions):

    >>> r = np.arange(6); a, rho = 0.2, 0.5
    >>> res = solve_volterra(np.ones(6), a * rho**r, method="series")
    >>> bool(np.allclose(res.risk, ((1 - rho) - a * (rho + a)**r) / (1 - rho - a), rtol=1e-14))
    True

    References
    ----------
    Brent & Kung (1978); Hairer, Lubich & Schlichte (1985); Paquette et al. 2024
    (arXiv:2405.15074), eq. (10); research note ``ecosystem_style.md`` Sec. 2.3.
    """
    check_choice("method", method, METHODS)
    rtol = check_real("rtol", rtol, gt=0)
    max_iter = check_int("max_iter", max_iter, ge=1)
    h = check_real("h", h, gt=0, le=1)
    is_exp = isinstance(forcing, ExpSum) and isinstance(kernel, ExpSum)
    if method == "auto":
        method = "loggrid" if is_exp and (times is not None or forcing.time == "continuous" or rate_fn is not None) else "series"
    knorm_exp = kernel.norm if isinstance(kernel, ExpSum) else None

    if method == "loggrid":
        if not is_exp:
            raise ParameterError("forcing/kernel", "numerics.ExpSum objects for method='loggrid'", type(forcing).__name__)
        if times is None:
            if n is None:
                raise ParameterError("times", "given (or n) for method='loggrid'", None)
            times = np.arange(check_int("n", n, ge=1))
        t = np.asarray(times, dtype=np.float64)
        if t.ndim != 1 or t.size < 1 or np.any(t < 0) or np.any(np.diff(t) <= 0) or not np.all(np.isfinite(t)):
            raise ParameterError("times", "a non-empty increasing 1-d array of times >= 0", times)
        if forcing.time == "discrete" and np.any(t != np.rint(t)):
            raise ParameterError("times", "integer steps in discrete time", times)
        if rate_fn is not None and lr_factors is None:
            raise ParameterError("lr_factors", "a schedule callable when rate_fn is given", None)
        if knorm_exp is not None and not knorm_exp < 1.0 and rate_fn is None:
            return VolterraResult(t[:0], t[:0], float("inf"), 0, "diverged",
                                  f"kernel norm {knorm_exp:.6g} >= 1 (or an unstable mode): the risk diverges",
                                  "loggrid", knorm_exp)
        tt = t if t[0] == 0 else np.concatenate([[0.0], t])
        out_t, risk, resid, iters, blew, info = _solve_loggrid(forcing, kernel, tt, h, rate_fn, lr_factors,
                                                               schedule_horizon, estimate_error, group)
        if t[0] != 0:
            out_t, risk = out_t[1:], risk[1:]
        if forcing.time == "discrete":
            out_t = out_t.astype(np.int64)
        if blew:
            return VolterraResult(out_t, risk, float("inf"), iters, "diverged",
                                  "the risk grew past 1e12 times its initial value: diverges", "loggrid",
                                  float("nan") if knorm_exp is None else knorm_exp)
        status = "ok" if resid <= max(rtol, 1e-3) or not estimate_error else "not_converged"
        msg = f"log-grid mode solver, {iters} chunks, estimated relative error {resid:.2e}"
        if info.get("modes_solved", 0) != info.get("modes", 0):
            msg += (f"; {info['modes']} modes grouped into {info['modes_solved']} (relative rate width "
                    f"{info['group_rel_width']:g}, forcing/kernel error <= {info['group_error_bound']:.1e} relative)")
        return VolterraResult(out_t, risk, resid, iters, status, msg, "loggrid", knorm_exp, info)

    # uniform-grid methods
    if isinstance(forcing, ExpSum) and forcing.time == "continuous":
        raise ParameterError("method", "'loggrid' for continuous time", method)
    if n is None:
        if isinstance(forcing, ExpSum) or isinstance(kernel, ExpSum):
            raise ParameterError("n", "given when forcing/kernel are exponential sums", None)
        n = min(np.asarray(forcing).size, np.asarray(kernel).size + 1)
    n = check_int("n", n, ge=1)
    F = _as_array(forcing, "forcing", n)
    K = _as_array(kernel, "kernel", n)
    if F.size < n or K.size < n - 1:
        raise ParameterError("n", f"<= len(forcing) = {F.size} and <= len(kernel) + 1 = {K.size + 1}", n)
    knorm = knorm_exp if knorm_exp is not None else float(np.sum(K))
    times_out = np.arange(n, dtype=np.int64)
    if knorm_exp is not None and not knorm_exp < 1.0:
        return VolterraResult(times_out[:0], F[:0], float("inf"), 0, "diverged",
                              f"kernel norm {knorm_exp:.6g} >= 1 (or an unstable mode): the risk diverges", method, knorm_exp)
    if method == "direct":
        P, it, blew = _solve_direct(F, K, n)
        status = "diverged" if blew else "ok"
    elif method == "series":
        P, it = _solve_series(F, K, n)
        status = "ok"
    else:
        P, it, status = _solve_picard(F, K, n, rtol, max_iter)
    m = _finite_prefix(P, abs(F[0]))
    if m < P.size:
        P, status = P[:m], "diverged"
    resid = _residual(F, K, P) if P.size else float("inf")
    if status == "diverged":
        msg = "the risk grew past 1e12 times its initial value: diverges"
    elif status == "not_converged":
        msg = f"Picard iteration did not reach rtol={rtol:g} in {max_iter} sweeps (rate ||K|| = {knorm:.3g})"
    else:
        msg = f"{method} solve of {n} steps, relative residual {resid:.2e}"
    return VolterraResult(times_out[: P.size], P, resid, it, status, msg, method, knorm)
