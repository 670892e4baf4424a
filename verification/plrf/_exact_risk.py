"""Exact expected risk of one-pass training on a *sampled* PLRF instance (fixed ``W``).

Conditional on ``W`` the PLRF problem is Gaussian least squares in the features
``W^T x ~ N(0, K)``, ``K = W^T D W``. Write ``D^(1/2) W = U S V^T`` (thin SVD), so that
``K = V S^2 V^T`` has eigenvalues ``lam_i = s_i^2``. With ``e_i(r) = lam_i c_i(r)`` the
risk-weighted second moments of the error in the eigenbasis, the optimizer's exact per-mode
update ``(q_i, g_i) = optimizer.mode_update(lam_i, lr_factor_r)`` gives

    e_i(r+1) = q_i e_i(r) + lam_i g_i P(r),      P(r) = P_inf + sum_i e_i(r),

with ``e_i(0) = (U^T D^(1/2) b)_i^2`` (``theta_0 = 0``) and the irreducible risk
``P_inf = || (I - U U^T) D^(1/2) b ||^2``. This is **exact** for Gaussian data (fourth-moment
identity, see :meth:`theory.SGD.mode_update`), so it is the bridge between one simulated
instance and the deterministic equivalent.

Stepping. Steps are taken by the direct recursion above. Over a block of ``L`` steps with a
constant learning-rate factor the recursion is solved in closed form (exactly, no
approximation): with ``M[t, i] = q_i^t`` and ``k(t) = sum_i lam_i g_i q_i^t``,

    P(r0 + t) = P_inf + sum_i q_i^t e_i(r0) + sum_{s<t} k(t-1-s) P(r0 + s),   t < L,
    e_i(r0 + L) = q_i^L e_i(r0) + lam_i g_i sum_{s<L} q_i^(L-1-s) P(r0 + s),

a unit lower-triangular Toeplitz system (the same recursion unrolled, derived here). This
removes the per-step Python overhead for constant rates; blocks where the factor changes
are stepped one by one. Independent of the Volterra solvers of :mod:`numerics` (no
convolution, no deterministic equivalent), hence a genuine cross-check.

References
----------
E. Paquette, C. Paquette, L. Xiao, J. Pennington, "4+3 Phases of Compute-Optimal Neural
Scaling Laws", NeurIPS 2024 (arXiv:2405.15074), Sec. 2 (Volterra equation for the expected
risk, its exact finite-d form); sltk research note ``plrf_signsgd.md`` Sec. 1.4(a).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.linalg

from theory import Optimizer, ParameterError, Schedule, as_schedule
from theory.validate import check_int

from ._simulate import DIVERGENCE_FACTOR, PLRFInstance, eval_grid, sample_instance  # sample_instance: doctests

__all__ = ["InstanceSpectrum", "instance_spectrum", "ExactRiskCurve", "exact_expected_risk", "sgd_kernel_norm"]


@dataclass(frozen=True, eq=False)
class InstanceSpectrum:
    """Eigen-data of one sampled instance.

    Attributes
    ----------
    lam : ndarray, shape (d,)
        Eigenvalues of ``K = W^T D W``.
    weight : ndarray, shape (d,)
        ``e_i(0) = lam_i c_i(0) = (U^T D^(1/2) b)_i^2`` (risk carried by mode ``i`` at ``theta_0 = 0``).
    p_inf : float
        Irreducible risk ``min_theta P(theta)`` of this instance.
    """

    lam: np.ndarray
    weight: np.ndarray
    p_inf: float

    @property
    def initial_risk(self) -> float:
        """``P(0) = P_inf + sum_i e_i(0)``."""
        return float(self.p_inf + np.sum(self.weight))


def instance_spectrum(instance: PLRFInstance) -> InstanceSpectrum:
    """Eigenvalues, mode weights and ``P_inf`` of an instance, by the thin SVD of ``D^(1/2) W``.

    Examples
    --------
    >>> from theory.plrf import PLRF
    >>> inst = sample_instance(PLRF(1.0, 0.6, 40, 10), seed=0)
    >>> sp = instance_spectrum(inst)
    >>> bool(abs(sp.initial_risk - inst.problem.initial_risk()) < 1e-13)
    True
    >>> theta_star = np.linalg.lstsq(*inst.weighted(), rcond=None)[0]   # closed-form minimiser
    >>> bool(abs(float(inst.risk(theta_star)) - sp.p_inf) < 1e-13)
    True
    """
    if not isinstance(instance, PLRFInstance):
        raise ParameterError("instance", "a verification.PLRFInstance", type(instance).__name__)
    Wt, bt = instance.weighted()
    U, s, _ = np.linalg.svd(Wt, full_matrices=False)
    proj = U.T @ bt
    resid = bt - U @ proj
    return InstanceSpectrum(lam=s * s, weight=proj * proj, p_inf=float(resid @ resid))


@dataclass
class ExactRiskCurve:
    """Exact expected risk ``E[P(theta_r) | W]`` at selected steps.

    Attributes
    ----------
    steps : ndarray of int
        Evaluation steps.
    risk : ndarray, shape (n,) or (n_instances, n)
        Expected risk (one row per instance when several spectra were given).
    status : {"ok", "diverged"}
    kernel_norm : ndarray or None
        ``||K|| = sum_i lam_i g_i / (1 - q_i)`` at factor 1 (constant-rate limit is
        ``P_inf / (1 - ||K||)``); ``None`` where some ``q_i >= 1``.
    limit : ndarray or None
        ``P_inf / (1 - ||K||)`` at factor 1 when ``q_i < 1`` for all modes and ``||K|| < 1``.
    """

    steps: np.ndarray
    risk: np.ndarray
    status: str
    kernel_norm: np.ndarray | None
    limit: np.ndarray | None
    p_inf: np.ndarray
    diverged_at: int | None = None


def _as_spectra(spec):
    if isinstance(spec, PLRFInstance):
        return [instance_spectrum(spec)], True
    if isinstance(spec, InstanceSpectrum):
        return [spec], True
    if isinstance(spec, (list, tuple)) and spec and all(isinstance(s, (InstanceSpectrum, PLRFInstance)) for s in spec):
        out = [instance_spectrum(s) if isinstance(s, PLRFInstance) else s for s in spec]
        if len({s.lam.size for s in out}) != 1:
            raise ParameterError("spectrum", "spectra of equal size d", [s.lam.size for s in out])
        return out, False
    raise ParameterError("spectrum", "a PLRFInstance, an InstanceSpectrum or a non-empty list of them", type(spec).__name__)


def exact_expected_risk(
    spectrum,
    optimizer: Optimizer,
    schedule: Schedule | None = None,
    *,
    steps: int,
    n_points: int = 60,
    eval_steps=None,
    block: int = 256,
) -> ExactRiskCurve:
    """Exact expected risk curve of one (or several) sampled instances.

    Parameters
    ----------
    spectrum : PLRFInstance, InstanceSpectrum or list of them
        The instance(s); a list is advanced together (rows of ``risk``).
    optimizer : theory.Optimizer
        Must provide ``mode_update(lam, lr_factor) -> (q, g)`` (exact per-mode update
        ``c(r+1) = q c(r) + g P(r)``).
    schedule : theory.Schedule, optional
        Learning-rate factors ``schedule(k, steps)`` (constant 1 when omitted).
    steps : int
        Horizon ``N``.
    n_points, eval_steps
        Log-spaced evaluation grid (see :func:`verification.log_steps`) or explicit steps.
    block : int
        Length of the exactly-solved constant-rate blocks (1 = plain step-by-step recursion).

    Returns
    -------
    ExactRiskCurve

    Examples
    --------
    One mode (``d = 1``), closed form ``P(r) = P_inf + e q^r + ...`` checked by hand for
    two steps: ``P(1) = P_inf + q e0 + lam g P(0)``.

    >>> from theory import SGD
    >>> sp = InstanceSpectrum(lam=np.array([0.5]), weight=np.array([1.0]), p_inf=0.25)
    >>> opt = SGD(lr=0.1)
    >>> q, g = opt.mode_update(0.5)
    >>> cur = exact_expected_risk(sp, opt, steps=1, eval_steps=[0, 1])
    >>> bool(abs(cur.risk[1] - (0.25 + q * 1.0 + 0.5 * g * 1.25)) < 1e-15)
    True
    >>> round(float(cur.limit), 12) == round(0.25 / (1 - 0.5 * g / (1 - q)), 12)
    True

    References
    ----------
    Paquette et al., "4+3 Phases of Compute-Optimal Neural Scaling Laws", NeurIPS 2024
    (arXiv:2405.15074), Sec. 2; research note ``plrf_signsgd.md`` Sec. 1.4(a).
    """
    spectra, single = _as_spectra(spectrum)
    if not hasattr(optimizer, "mode_update"):
        raise ParameterError("optimizer", "an optimizer with an exact mode_update(lam, lr_factor)", type(optimizer).__name__)
    schedule = as_schedule(schedule)
    N = check_int("steps", steps, ge=1)
    L = check_int("block", block, ge=1)
    grid = eval_grid(N, n_points, eval_steps)

    lam = np.stack([s.lam for s in spectra])          # (n, d)
    e = np.stack([s.weight for s in spectra]).copy()  # (n, d)
    p_inf = np.array([s.p_inf for s in spectra])      # (n,)
    n = lam.shape[0]
    p0 = p_inf + e.sum(axis=1)
    limit_p = DIVERGENCE_FACTOR * p0

    q1, g1 = optimizer.mode_update(lam, 1.0)
    q1, g1 = np.asarray(q1, dtype=float), np.asarray(g1, dtype=float)
    if np.all(q1 < 1):
        knorm = np.sum(lam * g1 / (1.0 - q1), axis=1)
        lim = np.where(knorm < 1, p_inf / np.where(knorm < 1, 1.0 - knorm, 1.0), np.inf)
    else:
        knorm, lim = None, None

    out = np.empty((n, grid.size))
    gi = 0
    cache: dict = {}

    def block_ops(f: float):
        """Exact block operators for a constant factor ``f`` (cached, few distinct values)."""
        if f not in cache:
            if len(cache) >= 8:
                cache.pop(next(iter(cache)))
            q, g = optimizer.mode_update(lam, f)
            q, g = np.asarray(q, dtype=float), np.asarray(g, dtype=float)
            lg = lam * g                                            # (n, d)
            t = np.arange(L + 1, dtype=float)
            with np.errstate(over="ignore", under="ignore"):
                M = q[:, None, :] ** t[None, :, None]                # (n, L+1, d)
            kern = np.einsum("ntd,nd->nt", M[:, :L, :], lg)         # k(t), t < L
            inv = np.empty((n, L, L))
            for a in range(n):
                T = np.zeros((L, L))
                for s in range(1, L):  # T[t, t-s] = k(s-1): strictly lower Toeplitz
                    T[np.arange(s, L), np.arange(0, L - s)] = kern[a, s - 1]
                inv[a] = scipy.linalg.solve_triangular(np.eye(L) - T, np.eye(L), lower=True, unit_diagonal=True)
            cache[f] = (M, lg, inv)
        return cache[f]

    status, diverged_at = "ok", None
    r = 0
    with np.errstate(over="ignore", invalid="ignore"):
        while r < N and status == "ok":
            r1 = min(N, r + L)
            fac = schedule(np.arange(r, r1), N)
            # record P(r) values for grid points in [r, r1) as we go; P(N) handled at the end
            if L > 1 and r1 - r == L and np.all(fac == fac[0]):
                M, lg, inv = block_ops(float(fac[0]))
                F = p_inf[:, None] + np.einsum("ntd,nd->nt", M[:, :L, :], e)   # (n, L)
                P = np.einsum("nts,ns->nt", inv, F)                           # (n, L)
                e = M[:, L, :] * e + lg * np.einsum("nt,ntd->nd", P[:, ::-1], M[:, :L, :])
                while gi < grid.size and grid[gi] < r1:
                    out[:, gi] = P[:, grid[gi] - r]
                    gi += 1
                if not np.all(np.isfinite(P)) or np.max(P) > np.max(limit_p):
                    status, diverged_at = "diverged", r1
            else:
                for k in range(r, r1):
                    P = p_inf + e.sum(axis=1)
                    if gi < grid.size and grid[gi] == k:
                        out[:, gi] = P
                        gi += 1
                    if not np.all(np.isfinite(P)) or np.any(P > limit_p):
                        status, diverged_at = "diverged", k
                        break
                    q, g = optimizer.mode_update(lam, float(fac[k - r]))
                    e = q * e + lam * g * P[:, None]
            r = r1
    if status == "ok":
        P = p_inf + e.sum(axis=1)
        if gi < grid.size and grid[gi] == N:
            out[:, gi] = P
            gi += 1
        if not np.all(np.isfinite(P)) or np.any(P > limit_p):
            status, diverged_at = "diverged", N
    risk = out[:, :gi]
    steps_out = grid[:gi].copy()
    if single:
        risk = risk[0]
        knorm = None if knorm is None else knorm[0]
        lim = None if lim is None else lim[0]
        p_inf = p_inf[0]
    return ExactRiskCurve(steps=steps_out, risk=risk, status=status, kernel_norm=knorm, limit=lim,
                          p_inf=p_inf, diverged_at=diverged_at)


def sgd_kernel_norm(lam, optimizer: Optimizer, lr_factor: float = 1.0) -> float:
    """``||K|| = sum_i lam_i g_i / (1 - q_i)`` from the optimizer's exact mode update.

    The constant-rate risk stays bounded iff every ``q_i < 1`` and ``||K|| < 1``; then it
    tends to ``P_inf / (1 - ||K||)``. Returns ``inf`` if some ``q_i >= 1``.

    >>> from theory import SGD
    >>> round(sgd_kernel_norm(np.array([1.0]), SGD(lr=0.5)), 12)   # g/(1-q) = 0.25/0.5
    0.5
    """
    q, g = optimizer.mode_update(np.asarray(lam, dtype=float), lr_factor)
    q, g = np.asarray(q, dtype=float), np.asarray(g, dtype=float)
    if np.any(q >= 1):
        return math.inf
    return float(np.sum(np.asarray(lam) * g / (1.0 - q)))
