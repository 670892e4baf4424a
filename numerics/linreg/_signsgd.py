"""signSGD on high-dimensional Gaussian linear regression: the four effects, the mode
decomposition, the limiting risk ODE and the stationary risk; its rules in
:data:`numerics.linreg.RULES`.

Setting (Xiao, Marshall, Agarwala & Paquette 2024): one-pass regression
``y = <x, theta*> + eps`` with ``x ~ N(0, K)`` (``K`` any ``d x d`` covariance, or a diagonal
spectrum) and label noise ``eps`` independent of ``x`` from any :class:`NoiseLaw`; step
``eta / d`` (``lr = eta / d`` in :class:`theory.SignSGD`), time ``t = k / d``, ``theta_0 = 0``.

sltk conventions: the **excess risk** is ``R = E_x[<x, theta - theta*>^2] = e^T K e`` (no
factor 1/2; the papers' ``R`` is half of this) and the population risk is
``P = R + E[eps^2]``.

Derivation (done here; the research note ``signsgd_gamma.md`` Sec. A.3-A.6 gives the same in
the half-MSE convention, and every formula below is checked by simulation in
:mod:`verification._signsgd_checks`). Write ``e = theta - theta*``, ``S = sqrt(diag K)``.

* Drift. ``sign(g_i) = sign(<x, e> - eps) sign(x_i)`` and ``(x_i, <x, e>)`` is Gaussian with
  correlation ``rho_i = (K e)_i / sqrt(K_ii R) = O(d^-1/2)``; to first order in ``rho_i``,
  ``E[sign g] = phi(R) S^-1 K e`` with the **effective learning-rate factor**
  ``phi(R) = (2/pi) c(R) / sqrt(R)``, ``c(R) = E_eps[exp(-eps^2/(2R))]`` (Gaussian noise:
  ``phi = (2/pi)/sqrt(R + s^2)``; exact Gaussian form: ``(2/pi) arcsin((Ke)_i/sqrt(K_ii P))``).
* Second moment. ``sign(g_i) sign(g_j) = sign(x_i) sign(x_j)``, so
  ``E[sign g sign g^T] = K_sigma = (2/pi) arcsin(S^-1 K S^-1)`` **exactly** (Sheppard), for
  every noise law and every ``theta``.
* Modes. ``M = S^(-1/2) K S^(-1/2) = sum_j lam_j w_j w_j^T`` (the preconditioned matrix),
  ``v_j = S^(1/2) w_j``, mode risks ``r_j = lam_j <v_j, e>^2`` with ``R = sum_j r_j``
  (``S^-1 K`` has right eigenvectors ``S^(-1/2) w_j`` and left eigenvectors ``v_j``). The exact expected update of
  ``r_j`` under the linearised drift is, per step (``gamma = eta_k / d``),

  ``r_j <- r_j (1 - 2 gamma phi(R) lam_j) + gamma^2 n_j``,  ``n_j = lam_j v_j^T K_sigma v_j``,

  whose ``d -> infinity`` limit is the risk ODE
  ``dr_j/dt = -2 eta phi(R) lam_j r_j + (eta^2/d) n_j``.
* SGD in the same normalisation: with eigenpairs ``(mu_i, q_i)`` of ``K`` and
  ``r_i = mu_i (q_i^T e)^2``, ``dr_i/dt = -2 eta mu_i r_i + (eta^2/d) mu_i^2 (R + E eps^2)``
  (the discrete recursion adds ``gamma^2 2 mu_i^2 r_i`` from the Gaussian fourth moment).
* Stationary risk (constant ``eta``): ``R phi(R) = (eta/2) mean_i sqrt(K_ii)`` (uses
  ``sum_j v_j v_j^T = S`` and ``(K_sigma)_ii = 1``): it depends on ``K`` only through its
  diagonal. Gaussian noise: ``R = c (c + sqrt(c^2 + 4 s^2)) / 2`` with
  ``c = pi eta mean sqrt(K_ii) / 4``; otherwise a root of a strictly increasing function.
  SGD: ``R = eta s^2 kbar / (2 - eta kbar)``, ``kbar = tr K / d``, needs ``eta kbar < 2`` and
  finite ``E eps^2`` (no limit for heavy tails; signSGD has one for every law).

References
----------
K. L. Xiao, N. Marshall, A. Agarwala, E. Paquette, "Exact risk curves of signSGD in
High-Dimensions: quantifying preconditioning and noise-compression effects",
arXiv:2411.12135 (2024): eq. (4) (``K_sigma``), eqs. (10)-(11) (risk ODE), Thm. 3 (limit
risk), Sec. 4.2-4.4 (noise compression, preconditioning, noise reshaping). The paper's
printed constants were not available; the formulas here are re-derived (see above).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import integrate, optimize

from theory import ParameterError, SignSGD, StabilityError
from theory.linreg import GaussianNoise, LinearRegressionProblem, NoiseLaw, NoNoise, as_covariance
from theory.validate import check_real

from ._rules import RULES, HighDimRiskCurve, LinRegNumericsRules, check_common, eta_fn

__all__ = ["effective_lr_factor", "noise_compression", "preconditioned_matrix", "sign_noise_covariance",
           "SignSGDModes", "sign_modes", "SignSGDLinReg"]


# ----------------------------------------------------------------- the four effects
def effective_lr_factor(R, noise: NoiseLaw | None = None):
    """``phi(R) = (2/pi) E[exp(-eps^2/(2R))] / sqrt(R)``: signSGD's drift is preconditioned
    SGD's drift with the learning rate multiplied by ``phi(R)`` (effect 1).

    Closed forms: no noise ``(2/pi)/sqrt(R)``; Gaussian ``(2/pi)/sqrt(R + s^2)``.

    >>> round(effective_lr_factor(1.0), 12) == round(2 / math.pi, 12)
    True
    >>> round(effective_lr_factor(1.0, GaussianNoise(math.sqrt(3))), 12) == round(1 / math.pi, 12)
    True

    References
    ----------
    Xiao et al. (2024), arXiv:2411.12135, Sec. 4.1 (effective learning rate; re-derived here).
    """
    law = noise if noise is not None else NoNoise()
    c = law.smoothed(R)
    return 2.0 / math.pi * np.asarray(c) / np.sqrt(np.asarray(R, dtype=float)) if np.ndim(R) else 2.0 / math.pi * c / math.sqrt(R)


def noise_compression(R, noise: NoiseLaw):
    """``psi(R) = phi(R) / phi_Gauss(R) = sqrt(1 + E[eps^2]/R) E[exp(-eps^2/(2R))]`` (effect 2).

    The ratio of signSGD's drift under this noise law to its drift under Gaussian noise of
    the same second moment: 1 for Gaussian noise, ``> 1`` when the law is favourable to
    signSGD (heavy tails), ``inf`` for infinite variance (Cauchy, Student-t ``nu <= 2``).
    As ``R -> infinity``: ``1 + (kappa - 3) s^4 / (8 R^2)`` with ``kappa`` the kurtosis.

    >>> round(float(noise_compression(2.0, GaussianNoise(1.5))), 12)
    1.0

    References
    ----------
    Xiao et al. (2024), arXiv:2411.12135, eq. (15.b) and Sec. 4.2 (``psi``; the printed
    definition was not available -- this is the reconstruction of ``signsgd_gamma.md`` A.5,
    restated in sltk's no-1/2 convention).
    """
    if not isinstance(noise, NoiseLaw):
        raise ParameterError("noise", "a NoiseLaw", noise)
    c = noise.smoothed(R)
    m2 = noise.second_moment
    if not math.isfinite(m2):
        return np.full(np.shape(R), math.inf) if np.ndim(R) else math.inf
    return np.sqrt(1.0 + m2 / np.asarray(R, dtype=float)) * c if np.ndim(R) else math.sqrt(1.0 + m2 / R) * c


def preconditioned_matrix(cov) -> np.ndarray:
    """``M = diag(K)^(-1/4) K diag(K)^(-1/4)`` (effect 3): its eigenvalues are the curvatures
    signSGD sees. For diagonal ``K``, ``M = K^(1/2)`` (condition number ``kappa -> sqrt(kappa)``).

    >>> preconditioned_matrix(np.array([4.0, 1.0]))
    array([[2., 0.],
           [0., 1.]])

    References
    ----------
    Xiao et al. (2024), arXiv:2411.12135, Thm. 4 and Sec. 4.3 (diagonal preconditioning).
    """
    K = as_covariance(cov)
    if K.ndim == 1:
        return np.diag(np.sqrt(K))
    s = np.diag(K) ** -0.25
    return s[:, None] * K * s[None, :]


def sign_noise_covariance(cov) -> np.ndarray:
    """``K_sigma = (2/pi) arcsin(corr(K))`` entrywise (effect 4): the exact covariance
    ``E[sign(g) sign(g)^T]`` of signSGD's update, for any ``theta`` and any noise law.

    >>> np.round(sign_noise_covariance(np.array([[1.0, 0.5], [0.5, 1.0]])), 12)
    array([[1.        , 0.33333333],
           [0.33333333, 1.        ]])

    References
    ----------
    Xiao et al. (2024), arXiv:2411.12135, eq. (4); W. F. Sheppard (1899) (arcsine law).
    """
    K = as_covariance(cov)
    if K.ndim == 1:
        return np.eye(K.shape[0])
    s = 1.0 / np.sqrt(np.diag(K))
    C = np.clip(s[:, None] * K * s[None, :], -1.0, 1.0)
    out = (2.0 / math.pi) * np.arcsin(C)
    np.fill_diagonal(out, 1.0)
    return out


# ----------------------------------------------------------------- modes
@dataclass(frozen=True)
class SignSGDModes:
    """Mode decomposition of the signSGD risk ODE.

    Attributes
    ----------
    lam : (d,) eigenvalues of the preconditioned matrix ``M``.
    r0 : (d,) initial mode risks ``lam_j (w_j^T S^(1/2) theta*)^2`` (``theta_0 = 0``).
    n : (d,) noise coefficients ``lam_j v_j^T K_sigma v_j``; ``sum(n / lam) = sum_i sqrt(K_ii)``.
    sqrt_diag_mean : ``mean_i sqrt(K_ii)``.
    """

    lam: np.ndarray
    r0: np.ndarray
    n: np.ndarray
    sqrt_diag_mean: float


def sign_modes(problem: LinearRegressionProblem) -> SignSGDModes:
    """Eigen-decomposition behind signSGD's risk ODE (``O(d^3)`` once)."""
    if not isinstance(problem, LinearRegressionProblem):
        raise ParameterError("problem", "a LinearRegressionProblem", type(problem).__name__)
    diag = problem.diag()
    sq = np.sqrt(diag)
    if problem.is_diagonal:
        lam = sq.copy()
        a = np.sqrt(sq) * problem.theta_star  # w_j = e_j, S^(1/2) e
        n = lam * sq  # v_j^T K_sigma v_j = S_jj (K_sigma = I)
    else:
        M = preconditioned_matrix(problem.cov)
        lam, W = np.linalg.eigh(M)
        lam = np.maximum(lam, 0.0)
        h = np.sqrt(sq)
        a = W.T @ (h * problem.theta_star)
        V = h[:, None] * W
        Ks = sign_noise_covariance(problem.cov)
        n = lam * np.einsum("ij,ij->j", V, Ks @ V)
    return SignSGDModes(lam=lam, r0=lam * a * a, n=n, sqrt_diag_mean=float(np.mean(sq)))


def _signsgd_risk_ode(problem: LinearRegressionProblem, lr: float, T: float, *, schedule=None,
                      n_eval: int = 200, method: str = "ode", rtol: float = 1e-8) -> HighDimRiskCurve:
    """Excess-risk curve of one-pass signSGD (step ``lr/d``, time ``t = k/d``) up to time ``T``.

    ``method="ode"`` integrates the ``d -> infinity`` risk ODE
    ``dr_j/dt = -2 eta(t) phi(R) lam_j r_j + (eta(t)^2/d) n_j`` (``scipy.integrate.solve_ivp``,
    LSODA); ``method="recursion"`` runs its exact discrete-step counterpart
    ``r_j <- r_j (1 - 2 gamma phi(R) lam_j) + gamma^2 n_j`` with ``gamma = eta_k/d``.

    Parameters
    ----------
    problem : LinearRegressionProblem
    lr : float
        ``eta > 0`` (the step is ``eta/d``).
    T : float
        Final time ``k/d``.
    schedule : theory.Schedule, optional
        Multiplier of ``eta``; its horizon is ``ceil(T d)`` steps.
    n_eval : int
        Number of equally spaced output times in ``[0, T]``.

    Returns
    -------
    HighDimRiskCurve

    Examples
    --------
    >>> p = LinearRegressionProblem(np.ones(200), np.full(200, 200 ** -0.5))  # R0 = 1
    >>> c = _signsgd_risk_ode(p, lr=0.5, T=60.0, n_eval=5)
    >>> float(round(c.risk[0], 12)), bool(abs(c.risk[-1] / c.limit_risk - 1) < 1e-4)  # limit (pi eta / 4)^2
    (1.0, True)

    References
    ----------
    Xiao et al. (2024), arXiv:2411.12135, eqs. (10)-(11) and Thm. 2 (re-derived here; see
    the module docstring).
    """
    lr, T, n_eval = check_common(problem, lr, T, n_eval, method)
    modes = sign_modes(problem)
    law, d = problem.noise, problem.d
    eta, nsteps = eta_fn(lr, schedule, d, T)
    t_eval = np.linspace(0.0, T, n_eval)
    lam, n = modes.lam, modes.n
    lim0 = _signsgd_limit_risk(problem.cov, law, lr)
    phi = _phi_callable(law, 1e-4 * min(lim0, float(np.sum(modes.r0)) or lim0), 1e2 * max(lim0, float(np.sum(modes.r0))))

    if method == "ode":
        def rhs(t, r):
            R = float(np.sum(r))
            e = float(eta(t))
            return -2.0 * e * phi(R) * lam * r + (e * e / d) * n

        def jac(t, r):  # diagonal + rank one: d/dr_i of -2 eta phi(R) lam_j r_j
            R = max(float(np.sum(r)), 1e-300)
            e = float(eta(t))
            h = 1e-6 * R
            dphi = (phi(R + h) - phi(max(R - h, 0.5 * R))) / (R + h - max(R - h, 0.5 * R))
            J = np.outer(-2.0 * e * dphi * lam * r, np.ones_like(r))
            J[np.diag_indices_from(J)] += -2.0 * e * phi(R) * lam
            return J

        sol = integrate.solve_ivp(rhs, (0.0, T), modes.r0, method="LSODA", t_eval=t_eval, rtol=rtol, jac=jac,
                                  atol=1e-12 * max(float(np.sum(modes.r0)), lim0),
                                  max_step=max(T / 200.0, 1.0 / d) if schedule is not None else np.inf)
        status = "ok" if sol.success else f"solver failed: {sol.message}"
        risk = np.sum(sol.y, axis=0) if sol.success else np.full(n_eval, np.nan)
        if not sol.success:
            raise StabilityError(lr, math.nan, detail=status)
    else:
        ks = np.unique(np.round(t_eval * d).astype(np.int64))
        r = modes.r0.copy()
        out, k = {}, 0
        factors = eta(np.arange(nsteps) / d) / d
        for target in ks:
            while k < target:
                g = factors[min(k, nsteps - 1)]
                r = r * (1.0 - 2.0 * g * phi(float(np.sum(r))) * lam) + g * g * n
                r = np.maximum(r, 0.0)
                k += 1
            out[int(target)] = float(np.sum(r))
        risk = np.array([out[int(k_)] for k_ in np.round(t_eval * d).astype(np.int64)])
        status = "ok"
    if not np.all(np.isfinite(risk)):
        raise StabilityError(lr, math.nan, detail="the signSGD risk became non-finite")
    m2 = law.second_moment
    return HighDimRiskCurve(t=t_eval, risk=risk, population_risk=risk + m2, optimizer="signsgd", method=method,
                            status=status, limit_risk=lim0, diagnostics={"d": d, "lr": lr})


def _phi_callable(law: NoiseLaw, R_lo: float, R_hi: float):
    """``R -> phi(R)`` for the solvers: closed forms directly; laws whose ``c(R)`` needs
    quadrature are tabulated once on a log grid over ``[R_lo, R_hi]`` (cubic spline in
    ``log R``, relative error < 1e-8 checked in the tests) and evaluated directly outside."""
    from theory.linreg import NoiseLaw as _Base

    floor = 1e-300
    if type(law)._smoothed is not _Base._smoothed:
        return lambda R: effective_lr_factor(max(R, floor), law)
    from scipy.interpolate import CubicSpline

    grid = np.geomspace(R_lo, R_hi, 240)
    spline = CubicSpline(np.log(grid), np.log(np.asarray(law.smoothed(grid))))
    lo, hi = math.log(R_lo), math.log(R_hi)

    def phi(R):
        R = max(R, floor)
        x = math.log(R)
        c = math.exp(float(spline(x))) if lo <= x <= hi else float(law.smoothed(R))
        return 2.0 / math.pi * c / math.sqrt(R)

    return phi


def _signsgd_limit_risk(cov, noise: NoiseLaw | None, lr: float) -> float:
    """Stationary excess risk of signSGD at constant ``eta``: the root of
    ``R phi(R) = (eta/2) mean_i sqrt(K_ii)``.

    Closed forms (``c = pi eta mean sqrt(K_ii) / 4``): no noise ``R = c^2``; Gaussian noise
    ``R = c (c + sqrt(c^2 + 4 s^2)) / 2``. Any other law: Brent's method on the strictly
    increasing ``sqrt(R) E[exp(-eps^2/(2R))]`` (finite for every law, heavy tails included).

    >>> round(_signsgd_limit_risk(np.ones(10), None, 0.4), 12) == round((math.pi * 0.4 / 4) ** 2, 12)
    True
    >>> c = math.pi * 0.4 / 4; r = _signsgd_limit_risk(np.ones(10), GaussianNoise(1.0), 0.4)
    >>> round(r, 12) == round(c * (c + math.sqrt(c * c + 4)) / 2, 12)
    True

    References
    ----------
    Xiao et al. (2024), arXiv:2411.12135, Thm. 3 (limiting risk; re-derived here).
    """
    K = as_covariance(cov)
    lr = check_real("lr", lr, gt=0)
    law = noise if noise is not None else NoNoise()
    if not isinstance(law, NoiseLaw):
        raise ParameterError("noise", "a NoiseLaw", law)
    diag = K if K.ndim == 1 else np.diag(K)
    c = math.pi * lr * float(np.mean(np.sqrt(diag))) / 4.0
    if isinstance(law, NoNoise):
        return c * c
    if type(law) is GaussianNoise:
        s2 = law.std**2
        return c * (c + math.sqrt(c * c + 4.0 * s2)) / 2.0

    def g(logR):
        R = math.exp(logR)
        return math.log(math.sqrt(R) * float(law.smoothed(R))) - math.log(c)

    lo, hi = 2.0 * math.log(c), 2.0 * math.log(c) + 2.0
    while g(hi) < 0:
        hi += 4.0
    while g(lo) > 0:
        lo -= 4.0
    return math.exp(optimize.brentq(g, lo, hi, xtol=1e-14, rtol=1e-13))


class SignSGDLinReg(LinRegNumericsRules):
    """signSGD's high-dimensional risk equations."""

    optimizer_name = SignSGD.name

    def risk_curve(self, problem, eta, T, **kw) -> HighDimRiskCurve:
        return _signsgd_risk_ode(problem, eta, T, **kw)

    def law_rate(self, optimizer) -> float:
        """The per-step rate ``gamma = eta/d`` (the loss laws' time ``S1 = sum_k gamma_k``)."""
        return optimizer.lr

    def limit_risk(self, cov, noise, eta) -> float:
        return _signsgd_limit_risk(cov, noise, eta)


RULES.register(SignSGD, SignSGDLinReg())
