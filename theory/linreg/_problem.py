"""Gaussian linear regression ``y = <x, theta*> + eps``, ``x ~ N(0, K)``: the problem object of
the high-dimensional signSGD work, and the covariances it is studied on.

References
----------
K. L. Xiao, N. Marshall, A. Agarwala, E. Paquette, "Exact risk curves of signSGD in
High-Dimensions: quantifying preconditioning and noise-compression effects",
arXiv:2411.12135 (2024), Sec. 2 (setting).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .._errors import ParameterError
from ..validate import check_int, check_real
from ._noise_laws import NoiseLaw, NoNoise

__all__ = ["LinearRegressionProblem", "as_covariance", "isotropic_covariance", "power_law_covariance", "correlated_covariance"]


# ----------------------------------------------------------------- covariances
def isotropic_covariance(d: int) -> np.ndarray:
    """The diagonal spectrum ``(1, ..., 1)`` of ``K = I_d``.

    >>> isotropic_covariance(3)
    array([1., 1., 1.])
    """
    return np.ones(check_int("d", d, ge=1))


def power_law_covariance(d: int, exponent: float = 1.0) -> np.ndarray:
    """The diagonal spectrum ``K_ii = i^(-exponent)``, ``i = 1..d``.

    >>> power_law_covariance(3, 1.0)
    array([1.        , 0.5       , 0.33333333])
    """
    d = check_int("d", d, ge=1)
    a = check_real("exponent", exponent, ge=0)
    return np.arange(1, d + 1, dtype=np.float64) ** (-a)


def correlated_covariance(d: int, rho: float = 0.5, exponent: float = 0.5) -> np.ndarray:
    """A dense covariance ``K = S C S``: AR(1) correlations ``C_ij = rho^|i-j|`` and
    scales ``S_ii = i^(-exponent/2)`` (so ``diag K = i^-exponent``).

    >>> K = correlated_covariance(3, 0.5, 0.0); float(K[0, 2])
    0.25
    """
    d = check_int("d", d, ge=1)
    r = check_real("rho", rho, gt=-1, lt=1)
    a = check_real("exponent", exponent, ge=0)
    i = np.arange(d)
    C = r ** np.abs(i[:, None] - i[None, :])
    s = (i + 1.0) ** (-a / 2)
    return s[:, None] * C * s[None, :]


def as_covariance(cov) -> np.ndarray:
    """Validate a covariance: a ``d x d`` symmetric PSD matrix with positive diagonal, or its diagonal."""
    K = np.asarray(cov, dtype=np.float64)
    if K.ndim not in (1, 2) or K.size == 0 or (K.ndim == 2 and K.shape[0] != K.shape[1]):
        raise ParameterError("cov", "a d x d matrix or a length-d diagonal spectrum", f"array of shape {K.shape}")
    if not np.all(np.isfinite(K)):
        raise ParameterError("cov", "finite entries", "non-finite entries")
    diag = K if K.ndim == 1 else np.diag(K)
    if np.any(diag <= 0):
        raise ParameterError("cov", "a positive diagonal (every feature has variance > 0)", float(np.min(diag)))
    if K.ndim == 2:
        if not np.allclose(K, K.T, rtol=1e-12, atol=1e-14 * float(np.max(diag))):
            raise ParameterError("cov", "a symmetric matrix", "a non-symmetric matrix")
        try:  # a Cholesky factor exists: K is positive definite (a tenth of eigvalsh's cost at d = 1000)
            np.linalg.cholesky(K)
        except np.linalg.LinAlgError:  # singular or indefinite: the eigenvalues decide
            emin = float(np.linalg.eigvalsh(K)[0])
            if emin < -1e-10 * float(np.max(diag)):
                raise ParameterError("cov", "positive semi-definite", f"smallest eigenvalue {emin:.3g}") from None
    return K


# ----------------------------------------------------------------- the problem
@dataclass(frozen=True)
class LinearRegressionProblem:
    """Gaussian linear regression ``y = <x, theta*> + eps``, ``x ~ N(0, K)``.

    Parameters
    ----------
    cov : array
        ``K`` as a ``d x d`` symmetric PSD matrix with positive diagonal, or its diagonal
        (a length-``d`` spectrum with positive entries).
    theta_star : array of length d
        The target. :meth:`with_random_target` draws ``theta* ~ N(0, I/d)``.
    noise : NoiseLaw
        The label-noise law (default: none).

    Examples
    --------
    >>> p = LinearRegressionProblem(np.ones(4), np.zeros(4)); p.d
    4
    >>> LinearRegressionProblem(np.ones(4), np.zeros(3))
    Traceback (most recent call last):
    ...
    theory.ParameterError: theta_star must satisfy a vector of length d = 4; got theta_star='shape (3,)'
    """

    cov: np.ndarray
    theta_star: np.ndarray
    noise: NoiseLaw = field(default_factory=NoNoise)

    def __post_init__(self):
        K = as_covariance(self.cov)
        th = np.asarray(self.theta_star, dtype=np.float64)
        if th.shape != (K.shape[0],):
            raise ParameterError("theta_star", f"a vector of length d = {K.shape[0]}", f"shape {th.shape}")
        if not np.all(np.isfinite(th)):
            raise ParameterError("theta_star", "finite entries", "non-finite entries")
        if not isinstance(self.noise, NoiseLaw):
            raise ParameterError("noise", "a NoiseLaw (see theory.linreg.parse_noise)", self.noise)
        object.__setattr__(self, "cov", K)
        object.__setattr__(self, "theta_star", th)

    @classmethod
    def with_random_target(cls, cov, noise: NoiseLaw | None = None, seed: int = 0) -> "LinearRegressionProblem":
        """``theta* ~ N(0, I/d)`` drawn from ``numpy.random.default_rng(seed)``."""
        K = as_covariance(cov)
        d = K.shape[0]
        th = np.random.default_rng(seed).standard_normal(d) / math.sqrt(d)
        return cls(K, th, noise if noise is not None else NoNoise())

    @classmethod
    def power_law(cls, alpha: float, beta: float, d: int, noise: NoiseLaw | None = None) -> "LinearRegressionProblem":
        """The PLRF data model without the random-feature embedding (``v = d``): ``K = diag(j^(-2 alpha))``,
        ``theta*_j = j^(-beta)``, ``j = 1..d``.

        >>> LinearRegressionProblem.power_law(1.0, 0.5, 3).cov
        array([1.        , 0.25      , 0.11111111])
        """
        a = check_real("alpha", alpha, gt=0)
        b = check_real("beta", beta)
        j = np.arange(1, check_int("d", d, ge=1) + 1, dtype=np.float64)
        return cls(j ** (-2 * a), j ** (-b), noise if noise is not None else NoNoise())

    @property
    def d(self) -> int:
        return int(self.cov.shape[0])

    @property
    def is_diagonal(self) -> bool:
        return self.cov.ndim == 1

    def dense_cov(self) -> np.ndarray:
        return np.diag(self.cov) if self.is_diagonal else self.cov

    def diag(self) -> np.ndarray:
        return self.cov if self.is_diagonal else np.diag(self.cov).copy()

    def excess_risk(self, theta) -> np.ndarray:
        """``R(theta) = (theta - theta*)^T K (theta - theta*)`` (leading axes allowed)."""
        e = np.asarray(theta, dtype=np.float64) - self.theta_star
        Ke = e * self.cov if self.is_diagonal else e @ self.cov
        return np.sum(e * Ke, axis=-1)
