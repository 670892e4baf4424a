"""The scalar fixed point of the DMFT transfer function, on the physical branch.

With ``kappa(s)`` defined by

    s = kappa (1 - df(kappa)/P) (1 - df(kappa)/N),     df(kappa) = sum_k lambda_k / (lambda_k + kappa),

the transfer function is ``H_k(s) = kappa / (s (lambda_k + kappa)) = 1/(s + lambda_k R(s))`` with
``R = s/kappa = (1 - D/P)(1 - D/N)`` (research note Sec. 1.5, where ``D = df``). The equation is
**reconstructed** in the note; here it is **derived** by conditioning: given the data covariance
``F = Psi^T Psi / P``, ``(s + G F)^(-1) = F^(-1/2) (s + F^(1/2) G F^(1/2))^(-1) F^(1/2)`` is a
sample-covariance resolvent in ``A`` (``N`` samples of covariance ``F``), whose deterministic
equivalent is ``(mu/s)(F + mu)^(-1)`` with ``s = mu (1 - tr F (F+mu)^(-1) / N)``; averaging over the
data, ``(F + mu)^(-1) ~ (kappa/mu)(Lambda + kappa)^(-1)`` with ``mu = kappa (1 - df(kappa)/P)``, and
``tr F (F+mu)^(-1) ~ df(kappa)``. Both steps are the standard one-resolvent deterministic equivalent
(Bach 2023, Prop. 1).

Physical branch: for real ``s > 0`` the root with ``df(kappa) < min(N, P)`` (``kappa > kappa*``,
``df(kappa*) = min(N, P)``), found by bisection in ``log kappa``; for complex ``s`` on a Talbot
contour, Newton steps continued node by node from the real crossing. Checked against mpmath and
against simulation (``tests/numerics/dmft``, ``tests/verification/dmft``).
"""

from __future__ import annotations

import math

import numpy as np

from .. import _jit
from ._spectrum import ModeNodes

__all__ = ["df", "solve_kappa_real", "solve_kappa_left", "solve_kappa_contour", "kappa_star", "spectral_edge"]


def df(nodes: ModeNodes, kappa) -> np.ndarray:
    """``sum_k lambda_k/(lambda_k + kappa)`` for an array of (real or complex) ``kappa``."""
    kappa = np.asarray(kappa)
    return np.sum(nodes.weight * nodes.lam / (nodes.lam + kappa[..., None]), axis=-1)


def _inv(n: float) -> float:
    return 0.0 if math.isinf(n) else 1.0 / n


def kappa_star(nodes: ModeNodes, N: float, P: float) -> float:
    """The static ``kappa*``: ``df(kappa*) = min(N, P)`` (0 when there are no more modes than that)."""
    n = min(N, P)
    if nodes.total(np.ones_like(nodes.lam)) <= n:
        return 0.0
    lo, hi = 1e-300, float(nodes.lam.max()) * 1e3 + 1.0
    for _ in range(400):
        mid = math.sqrt(lo * hi)
        if df(nodes, mid) > n:
            lo = mid
        else:
            hi = mid
        if hi / lo < 1 + 1e-15:
            break
    return math.sqrt(lo * hi)


def solve_kappa_real(nodes: ModeNodes, s, N: float, P: float, *, iters: int = 200) -> np.ndarray:
    """``kappa(s)`` for real ``s > 0`` (vectorised), on the branch ``kappa > kappa*``."""
    s = np.asarray(s, dtype=np.float64)
    iN, iP = _inv(N), _inv(P)
    ks = kappa_star(nodes, N, P)
    trace = nodes.total(nodes.lam)
    lo = np.full(s.shape, max(ks, 1e-300))
    hi = 2.0 * (s + trace * (iN + iP)) + 1.0
    for _ in range(iters):
        mid = np.sqrt(lo * hi)
        d = df(nodes, mid)
        f = mid * (1 - d * iP) * (1 - d * iN) - s
        below = (f < 0) | (d * max(iN, iP) >= 1)
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
        if np.all(hi / lo < 1 + 1e-15):
            break
    return np.sqrt(lo * hi)


def _newton(nodes, kap, s, iN, iP, iters=60, tol=1e-14):
    lam, w = nodes.lam, nodes.weight
    if _jit.enabled():  # compiled, node by node (numerics.dmft._fixed_point_jit)
        from ._fixed_point_jit import newton

        kap = np.asarray(kap, dtype=np.complex128)
        shape = kap.shape
        sb = np.broadcast_to(np.asarray(s, dtype=np.complex128), shape)
        k, r = newton(np.ascontiguousarray(lam, dtype=np.float64), np.ascontiguousarray(w * lam, dtype=np.float64),
                      np.ascontiguousarray(kap.reshape(-1)), np.ascontiguousarray(sb.reshape(-1)), float(iN), float(iP),
                      int(iters), float(tol))
        return k.reshape(shape), r.reshape(shape)
    for _ in range(iters):
        g = 1.0 / (lam + kap[..., None])
        d = np.sum(w * lam * g, -1)
        dp = -np.sum(w * lam * g * g, -1)
        a1, a2 = 1 - d * iP, 1 - d * iN
        f = kap * a1 * a2 - s
        fp = a1 * a2 - kap * dp * (iP * a2 + iN * a1)
        step = f / fp
        kap = kap - step
        if np.all(np.abs(step) <= tol * np.abs(kap)):
            break
    g = 1.0 / (lam + kap[..., None])
    d = np.sum(w * lam * g, -1)
    resid = np.abs(kap * (1 - d * iP) * (1 - d * iN) - s) / np.abs(s)
    return kap, resid


def spectral_edge(nodes: ModeNodes, N: float, P: float) -> tuple[float, float]:
    """The top edge ``q_max`` of the deterministic-equivalent spectrum of ``Q = G F`` and ``kappa_e``.

    On ``kappa < -lambda_1`` the map ``s(kappa) = kappa (1 - df/P)(1 - df/N)`` tends to ``-inf`` at
    both ends; its maximum ``s(kappa_e) = -q_max`` is where the physical branch leaves the real axis
    (for ``N = P = inf``: ``q_max = lambda_1``). Derived here.

    >>> from numerics.dmft import mode_nodes
    >>> q, _ = spectral_edge(mode_nodes(2.0, 1.5, 100), math.inf, math.inf)
    >>> bool(abs(q - 1.0) < 1e-6)
    True

    References
    ----------
    B. Bordelon, A. Atanasov, C. Pehlevan, ICML 2024 (arXiv:2402.01092), the fixed point ("Eq. 10-11" as
    cited in the research note, reconstructed); the edge is derived here and checked against sampled top
    eigenvalues (``tests/numerics/dmft/test_dmft_discrete.py``).
    """
    iN, iP = _inv(N), _inv(P)
    l1 = float(nodes.lam.max())
    if iN == 0 and iP == 0:
        return l1, -l1

    def f(u):
        k = -l1 * (1.0 + np.exp(u))
        d = df(nodes, k)
        return k * (1 - d * iP) * (1 - d * iN)

    u = np.linspace(-30.0, 12.0, 4001)
    fu = f(u)
    i = int(np.nanargmax(fu))
    lo, hi = u[max(i - 1, 0)], u[min(i + 1, u.size - 1)]
    for _ in range(100):  # golden section on the bracket
        m1, m2 = lo + 0.382 * (hi - lo), lo + 0.618 * (hi - lo)
        if f(np.array(m1)) > f(np.array(m2)):
            hi = m2
        else:
            lo = m1
    um = 0.5 * (lo + hi)
    return float(-f(np.array(um))), float(-l1 * (1.0 + math.exp(um)))


def solve_kappa_left(nodes: ModeNodes, s, N: float, P: float, *, iters: int = 200) -> np.ndarray:
    """``kappa(s)`` for real ``s < -q_max`` (left of the spectrum), on the physical branch ``kappa < kappa_e``
    (bisection: ``s(kappa)`` increases on ``(-inf, kappa_e)``; derived here).

    References
    ----------
    B. Bordelon, A. Atanasov, C. Pehlevan, ICML 2024 (arXiv:2402.01092) (the fixed point, reconstructed).
    """
    s = np.asarray(s, dtype=np.float64)
    iN, iP = _inv(N), _inv(P)
    q, ke = spectral_edge(nodes, N, P)
    trace = nodes.total(nodes.lam)
    lo = s - 10.0 * (np.abs(s) + trace * (iN + iP) + 1.0)
    hi = np.full(s.shape, ke)
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        d = df(nodes, mid)
        f = mid * (1 - d * iP) * (1 - d * iN) - s
        below = f < 0
        lo_new = np.where(below, mid, lo)
        hi_new = np.where(below, hi, mid)
        # a step that moves no bracket is a fixed point (the same mid, f and choice every step after):
        # stopping there gives the same floats as running all ``iters`` (~70 steps instead of 200)
        if np.array_equal(lo_new, lo) and np.array_equal(hi_new, hi):
            break
        lo, hi = lo_new, hi_new
    return 0.5 * (lo + hi)


def solve_kappa_contour(nodes: ModeNodes, s, N: float, P: float, *, left: bool = False):
    """``kappa`` at contour nodes ``s[..., j]`` ordered from the real crossing ``j = 0`` outward.

    Returns ``(kappa, max_relative_residual)``. ``s[..., 0]`` must be real, and positive (or, with
    ``left=True``, below ``-q_max``: a path that starts left of the spectrum).
    """
    s = np.asarray(s, dtype=np.complex128)
    iN, iP = _inv(N), _inv(P)
    kap = np.empty_like(s)
    if left:
        k0 = solve_kappa_left(nodes, s[..., 0].real, N, P).astype(np.complex128)
    else:
        k0 = solve_kappa_real(nodes, s[..., 0].real, N, P).astype(np.complex128)
    k0, r0 = _newton(nodes, k0, s[..., 0], iN, iP)
    kap[..., 0] = k0
    worst = float(np.max(r0))
    prev = k0
    for j in range(1, s.shape[-1]):
        sj = s[..., j]
        # continuation: previous kappa shifted by the change of s (kappa ~ s + const far out)
        guess = prev + (sj - s[..., j - 1])
        kj, rj = _newton(nodes, guess, sj, iN, iP)
        bad = ~np.isfinite(kj) | (rj > 1e-8)
        if np.any(bad):  # restart those from the large-|s| asymptote kappa ~ s + tr(Lambda)(1/N + 1/P)
            g2 = sj + nodes.total(nodes.lam) * (iN + iP)
            k2, r2 = _newton(nodes, np.where(bad, g2, kj), sj, iN, iP)
            kj, rj = np.where(bad, k2, kj), np.where(bad, r2, rj)
        kap[..., j] = kj
        worst = max(worst, float(np.max(rj)))
        prev = kj
    return kap, worst
