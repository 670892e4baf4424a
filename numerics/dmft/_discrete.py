"""Discrete-time optimizers on the DMFT model: full-batch GD, heavy-ball momentum, and one-pass
(online, ``P = inf``) SGD with batch ``B`` -- the predictions, derived here.

**GD and momentum: the z-transform in place of the Laplace transform.** Every loss of gradient flow
is a (double) inverse Laplace transform of a kernel built from resolvents ``(s + Q)^-1`` of
``Q = G F`` and from ``1/s`` (:mod:`numerics.dmft._curve`). A discrete method whose error obeys a
linear recursion in ``Q`` replaces ``exp(-t Q)`` by a polynomial ``p_n(Q)``. Its z-transform
``sum_n z^-n p_n(q)`` is, for

* GD, ``v_{n+1} = (1 - eta Q) v_n``: ``(z/eta) / (s(z) + q)``, ``s(z) = (z - 1)/eta``;
* heavy ball, ``v_{n+1} = (1 + beta - eta Q) v_n - beta v_{n-1}``, ``v_1 = (1 - eta Q) v_0``:
  ``((z - beta)/eta) / (s(z) + q)``, ``s(z) = (z - 1)(z - beta)/(eta z)``

(``eta = 2 lr``, the time step; ``t = n eta``). With ``z = exp(eta sigma)`` the inverse z-transform
``(1/2 pi i) oint z^(n-1) V(z) dz`` becomes ``(1/2 pi i) int exp(t sigma) phi(sigma) K(s(sigma)) dsigma``,
``phi = z`` (GD) or ``z - beta`` (momentum): the *same* fixed-Talbot rule as gradient flow, with
the flow kernel evaluated at ``s(sigma)`` and multiplied by ``phi`` per Laplace variable. The map
is linear on partial fractions, so it carries the bias, the variance terms, the train loss and
the label-noise term alike (a constant forcing gives ``(1 - p_n(q))/q`` for both methods). The
Talbot rule is exact when every singularity ``sigma(q) = log z(q)/eta`` of the spectrum
``q in [0, q_max]`` is real: ``eta q_max < 1`` (GD), ``eta q_max < (1 - sqrt(beta))^2`` (momentum,
every mode overdamped); and the contour must not reach the periodic images
``Im sigma = 2 pi k / eta``: at least ``MIN_STEPS`` steps.

**Underdamped heavy ball (derived here).** The roots of ``z^2 - (1 + beta - eta q) z + beta`` lie
inside the unit circle iff ``0 < eta q < 2 (1 + beta)``, i.e. ``lr q_max < 1 + beta``: the stability
range, the only refusal on the rate. For ``eta q > (1 - sqrt beta)^2`` they are complex with
``|z| = sqrt beta``, outside the Talbot strip for most steps. Their residues in a loss (a product of
two polynomials) are ``O(beta^n)``; so the first ``n_c = ceil(27.7 / -ln beta)`` steps
(``beta^n_c <= 1e-12``) are inverted on the circle ``|z| = R`` by the trapezoidal rule,
``L_n = eta^-2 Re sum_{j,l} w_j w_l z_j^n z_l^n V(z_j, z_l)``, one kernel evaluation for all those
steps (:func:`circle_plan`: ``m = 4 n_c + 1`` points, ``R^m = 1e12``; aliasing
``<= 2 R^-m max|L|``, round-off ``~ eps R^(2 n)``), and later steps by Talbot, which then misses
only the ``O(beta^n_c)`` residues. ``n_c > MAX_CIRCLE_STEPS`` is refused (``momentum``).
``q_max`` is the deterministic-equivalent edge
(:func:`numerics.dmft._fixed_point.spectral_edge`, an upper bound on the sampled top eigenvalue).

**Online SGD.** With fresh Gaussian batches of size ``B``, per step
``w <- w + eta' At F_n v`` (``F_n`` the batch covariance, ``eta' = B lr_sum``, ``t = n eta'``).
Given ``A``, in the eigenbasis ``e_i`` of ``S = At Lambda At^T`` the second moments ``c_i`` of
``w - w_opt`` obey exactly (Gaussian fourth moments ``E[F X F] = Lambda X Lambda + (Lambda X Lambda +
Lambda tr(Lambda X))/B``):

    c_i(n+1) = rho(e_i) c_i(n) + (eta'^2/B) e_i (L_n + sigma^2),
    rho(q) = 1 - 2 eta' q + (1 + 1/B) eta'^2 q^2,

so ``L_n = F(n) + (eta'^2/B) sum_{m<n} K(n-1-m) (L_m + sigma^2)`` (a discrete Volterra equation,
the DMFT model's analogue of PLRF's) with ``F(n) = L_min + e_0^T S rho(S)^n e_0`` and
``K(j) = tr S^2 rho(S)^j``. Their z-transforms are ``z [G(s-) - G(s+)] / (2 sqrt(D))``,
``s+- = -q+-(z)`` the two roots of ``rho(q) = z``, ``D = eta'^2 - a (1 - z)``, ``a = (1 + 1/B) eta'^2``,
with ``G`` the spectral functions ``Ghat_F(s) = sum_k tau_k kappa / (s (lambda_k + kappa))`` (the
deterministic equivalent of ``w*^T Lambda (s + G Lambda)^-1 w*``: ``F(n)`` is the bias-like
one-sided sum) and ``m(s) = tr Lambda - s df(kappa(s))`` (of ``tr S^2 (s + S)^-1``). Averaging the
Volterra equation over ``A`` replaces ``F, K`` by their deterministic equivalents (self-averaging,
the step PLRF's Volterra equation also takes). Valid for ``eta' q_max < B/(B + 1)`` (``rho``
decreasing on the spectrum). ``F`` and ``K`` are computed at every step up to ``EXACT_STEPS`` and on
a geometric grid beyond (cubic interpolation of their logarithms), steps below ``2 MIN_STEPS`` by the
trapezoidal rule on the circle ``|z| = 1.5``.

Checked by simulation (``tests/numerics/dmft/test_dmft_discrete.py``, the GD, momentum and
online-SGD simulators of :mod:`verification.dmft`).

References
----------
B. Bordelon, A. Atanasov, C. Pehlevan, "A Dynamical Model of Neural Scaling Laws", ICML 2024
(arXiv:2402.01092), Sec. 2-3 (gradient flow; the discrete methods are not in the paper as
reconstructed here); E. Paquette, C. Paquette, L. Xiao, J. Pennington, "4+3 Phases of
Compute-Optimal Neural Scaling Laws", NeurIPS 2024 (arXiv:2405.15074), Sec. 2, the Volterra
equation for one-pass SGD on power-law random features (the structure reproduced here).
"""

from __future__ import annotations

import math

import numpy as np

from theory import ParameterError, RulesTable
from theory.dmft import DMFT

from ._fixed_point import df as _df, solve_kappa_contour, spectral_edge
from ._spectrum import ModeNodes
from ._talbot import talbot_nodes

__all__ = ["RULES", "MIN_STEPS", "EXACT_STEPS", "step_map", "time_step", "first_step", "online_sgd_curve"]

#: Fewest steps the fixed-Talbot rule in ``sigma`` is used at (24 nodes reach ``Im sigma = 9.6 pi / t``).
MIN_STEPS = 8
#: Steps at which ``F`` and ``K`` of online SGD are computed one by one.
EXACT_STEPS = 256
#: Most steps the circle rule (underdamped heavy ball) is used for (4 n + 1 points, O(n^2) pair sums).
MAX_CIRCLE_STEPS = 512

RULES = RulesTable("DMFT discrete-time predictions")




def time_step(optimizer) -> float:
    """The model time one step of ``optimizer`` advances (``t = steps x time_step``).

    >>> from theory import GD, SGD
    >>> time_step(GD(lr=0.25)), time_step(SGD(lr=0.1, batch=4, batch_reduction="mean"))
    (0.5, 0.1)

    References
    ----------
    B. Bordelon, A. Atanasov, C. Pehlevan, ICML 2024 (arXiv:2402.01092), Sec. 2 (the model, gradient flow);
    the discrete-time statement here is derived in this module's docstring.
    """
    return RULES.lookup(optimizer).time_step(optimizer)


def first_step(optimizer) -> int:
    """The first step a discrete method's prediction is given at (``MIN_STEPS`` for GD and heavy ball,
    whose fixed-Talbot rule needs that many; 1 for one-pass SGD).

    >>> from theory import GD, SGD
    >>> first_step(GD(lr=0.25)), first_step(SGD(lr=0.1, batch=4, batch_reduction="mean"))
    (8, 1)
    """
    return RULES.lookup(optimizer).first_step


def step_map(problem: DMFT, nodes: ModeNodes, optimizer):
    """The ``sigma -> (s, phi)`` map of a GD-like method, after checking its range of validity
    (``None`` for online SGD, which has its own equation).

    References
    ----------
    B. Bordelon, A. Atanasov, C. Pehlevan, ICML 2024 (arXiv:2402.01092), Sec. 2 (the model, gradient flow);
    the discrete-time statement here is derived in this module's docstring (z-transform, derived;
    checked against the per-mode recursions and simulation).
    """
    rules = RULES.lookup(optimizer)
    q_max, _ = spectral_edge(nodes, problem.N, problem.P)
    rules.limit(optimizer, problem, q_max)
    return rules.step_map(optimizer) if rules.step_map is not None else None


def circle_plan(problem: DMFT, nodes: ModeNodes, optimizer):
    """``(n_c, m, R)``: steps ``n < n_c`` by the trapezoidal rule on ``|z| = R`` with ``m`` points
    (``n_c = 0``: none), for a GD-like method whose recursion has complex roots (module docstring).

    ``m = 4 n_c + 1`` (odd: no node on the negative axis), ``R^m = 1e12``: the aliasing error is
    ``<= sum_{(k1,k2) != 0} |c_{n+k1 m, n+k2 m}| R^{-(k1+k2) m} ~ 2e-12 max|c|`` and the round-off
    ``~ eps R^{2n} max|V| <= eps 1e6 max|V|``.

    References
    ----------
    J. Abate, W. Whitt, "Numerical inversion of probability generating functions", Oper. Res. Lett.
    12 (1992) 245-251 (the trapezoidal rule on a circle and its aliasing bound); derived here for this
    model.
    """
    rules = RULES.lookup(optimizer)
    q_max, _ = spectral_edge(nodes, problem.N, problem.P)
    nc = rules.circle_steps(optimizer, q_max)
    if nc == 0:
        return 0, 0, 1.0
    m = 4 * nc + 1
    return nc, m, 10.0 ** (12.0 / m)


# ----------------------------------------------------------------------------- online SGD
def _g_functions(nodes: ModeNodes, s, kap):
    """``Ghat_F(s)`` and ``m(s)`` from ``kappa(s)`` (P = inf)."""
    g = 1.0 / (nodes.lam + kap[..., None])
    GF = kap * np.sum(nodes.weight * nodes.tau * g, -1) / s
    m = nodes.total(nodes.lam) - s * np.sum(nodes.weight * nodes.lam * g, -1)
    return GF, m


def _zhat(problem, nodes, z, eta, B):
    """The z-transforms of ``F`` and ``K`` at points ``z`` (shape (T, J), column 0 real > 1)."""
    a = (1.0 + 1.0 / B) * eta * eta
    D = eta * eta - a * (1.0 - z)
    r = np.sqrt(D)
    qp, qm = (eta + r) / a, (eta - r) / a
    sp, sm = -qp, -qm
    kp, rp = solve_kappa_contour(nodes, sp, problem.N, problem.P, left=True)
    km, rm = solve_kappa_contour(nodes, sm, problem.N, problem.P)
    Fp, mp = _g_functions(nodes, sp, kp)
    Fm, mm = _g_functions(nodes, sm, km)
    c = -z / (2.0 * r)
    return c * (Fp - Fm), c * (mp - mm), max(rp, rm)


def _values_talbot(problem, nodes, n, eta, B, nt=24):
    """``F(n), K(n)`` for integer ``n >= 2 MIN_STEPS`` by fixed Talbot in ``sigma`` (z = exp(eta sigma))."""
    d, g = talbot_nodes(nt)
    t = n * eta
    sig = d[None, :] / t[:, None]
    Fz, Kz, res = _zhat(problem, nodes, np.exp(eta * sig), eta, B)
    F = np.real(np.sum(g * eta * Fz, -1)) / t
    K = np.real(np.sum(g * eta * Kz, -1)) / t
    return F, K, res


def _values_circle(problem, nodes, n, eta, B, m=128, radius=1.5):
    """``F(n), K(n)`` for small integer ``n`` by the trapezoidal rule on ``|z| = radius``."""
    th = np.arange(m // 2 + 1) * 2.0 * np.pi / m
    z = radius * np.exp(1j * th)[None, :]
    Fz, Kz, res = _zhat(problem, nodes, z, eta, B)
    w = np.full(th.size, 2.0 / m)
    w[0] = w[-1] = 1.0 / m
    zn = z ** n[:, None]
    return np.real(np.sum(w * zn * Fz, -1)), np.real(np.sum(w * zn * Kz, -1)), res


def online_sgd_curve(problem: DMFT, nodes: ModeNodes, steps: np.ndarray, optimizer, *, per_decade: int = 48):
    """The predicted test loss of one-pass SGD at integer ``steps`` (module docstring).

    Returns ``(loss, info)``. ``steps`` must be integers ``>= 0`` with ``max(steps) <= 10^5`` (the
    Volterra sum is ``O(n^2)``).

    References
    ----------
    B. Bordelon, A. Atanasov, C. Pehlevan, ICML 2024 (arXiv:2402.01092), Sec. 2 (the model); E. Paquette,
    C. Paquette, L. Xiao, J. Pennington, NeurIPS 2024 (arXiv:2405.15074), Thm. 2.1 / eq. (9) (the Volterra
    structure for one-pass SGD). The equation here is derived (module docstring); checked against the exact
    moment recursion at ``N = inf`` and against simulation.
    """
    rules = RULES.lookup(optimizer)
    q_max, _ = spectral_edge(nodes, problem.N, problem.P)
    rules.limit(optimizer, problem, q_max)
    eta, B = rules.time_step(optimizer), optimizer.batch
    nmax = int(np.max(steps))
    if nmax > 10**5:
        raise ParameterError("t", f"at most 1e5 SGD steps (t <= {1e5 * eta:.6g} at this step size)", nmax * eta)
    small = np.arange(0, min(nmax, 2 * MIN_STEPS) + 1)
    Fs, Ks, r1 = _values_circle(problem, nodes, small, eta, B)
    F = np.empty(nmax + 1)
    K = np.empty(nmax + 1)
    F[: small.size], K[: small.size] = Fs, Ks
    resid = r1
    if nmax > small[-1]:
        lo = small[-1] + 1
        ex = np.arange(lo, min(nmax, EXACT_STEPS) + 1)
        Fe, Ke, r2 = _values_talbot(problem, nodes, ex, eta, B)
        F[ex], K[ex] = Fe, Ke
        resid = max(resid, r2)
        if nmax > EXACT_STEPS:
            from scipy.interpolate import CubicSpline

            ng = int(math.ceil(per_decade * math.log10(nmax / EXACT_STEPS))) + 1
            grid = np.unique(np.round(np.geomspace(EXACT_STEPS, nmax, ng)).astype(int))
            Fg, Kg, r3 = _values_talbot(problem, nodes, grid, eta, B)
            resid = max(resid, r3)
            rest = np.arange(EXACT_STEPS + 1, nmax + 1)
            lg = np.log(grid)
            F[rest] = np.exp(CubicSpline(lg, np.log(Fg))(np.log(rest)))
            K[rest] = np.exp(CubicSpline(lg, np.log(Kg))(np.log(rest)))
    c = eta * eta / B
    s2 = problem.sigma2
    L = np.empty(nmax + 1)
    Krev = K[::-1]  # Krev[nmax - j] = K[j]
    for n in range(nmax + 1):
        # sum_{m<n} K(n-1-m) (L_m + s2)
        conv = float(np.dot(Krev[nmax - n + 1:], L[:n] + s2)) if n else 0.0
        L[n] = F[n] + c * conv
    return L[np.asarray(steps, dtype=int)], {"time_step": eta, "q_max": q_max, "newton_residual": resid,
                                              "forcing": F[np.asarray(steps, dtype=int)]}


def gd_bias_circle(problem: DMFT, nodes: ModeNodes, n: np.ndarray, eta: float, m: int = 128,
                   radius: float = 1.5) -> np.ndarray:
    """The bias ``sum_k tau_k H_k(n)^2`` of GD at few steps ``n`` (trapezoidal rule on ``|z| = radius``
    for the one-sided ``H_k``, z-transform ``(z/eta) kappa / (s (lambda_k + kappa))``, ``s = (z-1)/eta``).

    References
    ----------
    B. Bordelon, A. Atanasov, C. Pehlevan, ICML 2024 (arXiv:2402.01092), Sec. 2 (the model, gradient flow);
    the discrete-time statement here is derived in this module's docstring (agrees with the Talbot
    route where both apply).
    """
    th = np.arange(m // 2 + 1) * 2.0 * np.pi / m
    z = radius * np.exp(1j * th)[None, :]
    s = (z - 1.0) / eta
    kap, _ = solve_kappa_contour(nodes, s, problem.N, problem.P)
    V = (z / eta)[..., None] * kap[..., None] / (s[..., None] * (nodes.lam + kap[..., None]))  # (1, J, M)
    w = np.full(th.size, 2.0 / m)
    w[0] = w[-1] = 1.0 / m
    zn = z[0][None, :] ** np.asarray(n)[:, None]                                     # (T, J)
    H = np.real(np.einsum("tj,jm->tm", w * zn, V[0]))
    return H**2 @ (nodes.weight * nodes.tau)
