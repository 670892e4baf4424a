"""SGD on high-dimensional Gaussian linear regression in the normalisation of Xiao et al. (step
``eta/d``, time ``t = k/d``): its homogenised risk ODE, the exact recursion and the stationary risk;
its rules in :data:`numerics.linreg.RULES`.

References
----------
Xiao et al. (2024), arXiv:2411.12135, eq. (13) (SGD comparator); C. Paquette et al.,
"Homogenization of SGD in high-dimensions", 2022.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import integrate

from theory import SGD, ParameterError, StabilityError
from theory.linreg import GaussianNoise, LinearRegressionProblem, NoiseLaw, NoNoise, as_covariance  # noqa: F401 (doctests)
from theory.validate import check_real

from ._rules import RULES, HighDimRiskCurve, LinRegNumericsRules, check_common, eta_fn

__all__ = ["SGDLinReg"]


def _sgd_risk_ode(problem: LinearRegressionProblem, lr: float, T: float, *, schedule=None,
                  n_eval: int = 200, method: str = "ode", rtol: float = 1e-8) -> HighDimRiskCurve:
    """Excess-risk curve of one-pass SGD with step ``lr/d`` in the same normalisation.

    ODE: ``dr_i/dt = -2 eta mu_i r_i + (eta^2/d) mu_i^2 (R + E eps^2)``; the recursion adds
    the exact ``gamma^2 2 mu_i^2 r_i`` term (Gaussian fourth moment).

    Raises
    ------
    ParameterError
        For noise of infinite variance (SGD's risk has no finite value then).
    StabilityError
        When the risk diverges (``eta tr(K)/d`` too large).

    Examples
    --------
    >>> p = LinearRegressionProblem(np.ones(100), np.zeros(100), GaussianNoise(1.0))
    >>> c = _sgd_risk_ode(p, lr=0.5, T=80.0, n_eval=3)
    >>> float(round(c.risk[-1], 6)), round(c.limit_risk, 6)  # 0.5 * 1 / (2 - 0.5) = 1/3
    (0.333333, 0.333333)

    References
    ----------
    Xiao et al. (2024), arXiv:2411.12135, eq. (13) (SGD comparator); C. Paquette et al.,
    "Homogenization of SGD in high-dimensions", 2022.
    """
    lr, T, n_eval = check_common(problem, lr, T, n_eval, method)
    law, d = problem.noise, problem.d
    m2 = law.second_moment
    if not math.isfinite(m2):
        raise ParameterError("noise", "finite variance for SGD (its risk is infinite under this law; signSGD's is not)",
                             law.spec())
    if problem.is_diagonal:
        mu, a = problem.cov.copy(), problem.theta_star.copy()
    else:
        mu, Q = np.linalg.eigh(problem.cov)
        mu = np.maximum(mu, 0.0)
        a = Q.T @ problem.theta_star
    r0 = mu * a * a
    eta, nsteps = eta_fn(lr, schedule, d, T)
    t_eval = np.linspace(0.0, T, n_eval)
    if method == "ode":
        def rhs(t, r):
            e = float(eta(t))
            return -2.0 * e * mu * r + (e * e / d) * mu * mu * (float(np.sum(r)) + m2)

        def jac(t, r):
            e = float(eta(t))
            J = np.outer((e * e / d) * mu * mu, np.ones_like(r))
            J[np.diag_indices_from(J)] += -2.0 * e * mu
            return J

        sol = integrate.solve_ivp(rhs, (0.0, T), r0, method="LSODA", t_eval=t_eval, rtol=rtol, jac=jac,
                                  atol=1e-12 * max(float(np.sum(r0)) + m2, 1e-300),
                                  max_step=max(T / 200.0, 1.0 / d) if schedule is not None else np.inf)
        if not sol.success:
            raise StabilityError(lr, 2.0 * d / float(np.sum(mu)), detail=str(sol.message))
        risk = np.sum(sol.y, axis=0)
    else:
        factors = eta(np.arange(nsteps) / d) / d
        r, k, out = r0.copy(), 0, {}
        for target in np.unique(np.round(t_eval * d).astype(np.int64)):
            while k < target:
                g = factors[min(k, nsteps - 1)]
                R = float(np.sum(r))
                r = r * (1.0 - 2.0 * g * mu + 2.0 * g * g * mu * mu) + g * g * mu * mu * (R + m2)
                k += 1
            out[int(target)] = float(np.sum(r))
        risk = np.array([out[int(k_)] for k_ in np.round(t_eval * d).astype(np.int64)])
    if not np.all(np.isfinite(risk)) or risk[-1] > 1e12 * max(risk[0] + m2, 1e-300):
        raise StabilityError(lr, 2.0 * d / float(np.sum(mu)), detail="the SGD risk diverges")
    try:
        lim = _sgd_limit_risk(problem.cov, law, lr)
    except StabilityError:
        lim = math.inf
    return HighDimRiskCurve(t=t_eval, risk=risk, population_risk=risk + m2, optimizer="sgd", method=method,
                            status="ok", limit_risk=lim, diagnostics={"d": d, "lr": lr})


def _sgd_limit_risk(cov, noise: NoiseLaw | None, lr: float) -> float:
    """Stationary excess risk of SGD (step ``eta/d``, ODE limit): ``eta E[eps^2] kbar / (2 - eta kbar)``,
    ``kbar = tr K / d``. ``inf`` for infinite-variance noise (no limit exists).

    >>> _sgd_limit_risk(np.ones(5), GaussianNoise(1.0), 1.0)
    1.0

    Raises
    ------
    StabilityError
        When ``eta kbar >= 2`` (the ODE diverges); the limit is ``2 / kbar``.
    """
    K = as_covariance(cov)
    lr = check_real("lr", lr, gt=0)
    law = noise if noise is not None else NoNoise()
    kbar = float(np.mean(K if K.ndim == 1 else np.diag(K)))
    if lr * kbar >= 2.0:
        raise StabilityError(lr, 2.0 / kbar, detail="SGD risk ODE, eta * tr(K)/d must be < 2")
    m2 = law.second_moment
    if not math.isfinite(m2):
        return math.inf
    return lr * m2 * kbar / (2.0 - lr * kbar)


class SGDLinReg(LinRegNumericsRules):
    """SGD's high-dimensional risk equations."""

    optimizer_name = SGD.name

    def risk_curve(self, problem, eta, T, **kw) -> HighDimRiskCurve:
        return _sgd_risk_ode(problem, eta, T, **kw)

    def law_rate(self, optimizer) -> float:
        """The per-step rate ``gamma = eta/d`` (the loss laws' time ``S1 = sum_k gamma_k``)."""
        return optimizer.lr

    def limit_risk(self, cov, noise, eta) -> float:
        try:
            return _sgd_limit_risk(cov, noise, eta)
        except StabilityError:
            return math.inf


RULES.register(SGD, SGDLinReg())
