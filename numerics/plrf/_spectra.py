"""Spectra of PLRF problems: the :class:`Spectrum` container and the exact spectrum of one W.

For one sampled feature matrix ``W`` (``v x d``, iid ``N(0, 1/d)``) the PLRF problem is Gaussian
least squares in the features ``W^T x ~ N(0, K)`` with ``K = W^T D W``. With
``A = D^{1/2} W = U S V^T`` (thin SVD) the eigenvalues of ``K`` are ``lambda_i = S_i^2`` and,
started at ``theta_0 = 0``,

* ``weights_i = lambda_i c_i(0) = (U_i^T D^{1/2} b)^2`` (the squared projection of the target
  on the i-th left singular vector), and
* ``P_inf = || (I - U U^T) D^{1/2} b ||^2`` (the part of the target no feature reaches),

so that the noiseless forcing is ``F(r) = P_inf + sum_i weights_i prod_{s<r} q_i(s)``. These
identities follow from ``theta* = K^{-1} W^T D b`` and ``c_i(0) = (u_i^T theta*)^2`` (derived
here; research note ``plrf_signsgd.md`` Sec. 1.4(a)).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from theory import ParameterError
from theory.plrf import PLRF
from theory.validate import check_int

__all__ = ["Spectrum", "exact_spectrum", "surrogate_spectrum"]


@dataclass(frozen=True)
class Spectrum:
    """Eigenvalues and target weights of a PLRF feature covariance (a discrete measure).

    ``F(r) = p_inf + sum_i weights_i * prod_{s<r} q_i(s)`` and the SGD kernel is built from the
    same ``eigenvalues``; ``weights_i = lambda_i * c_i(0)``.

    Parameters
    ----------
    eigenvalues : ndarray, shape (d,)
        Eigenvalues ``lambda_i >= 0`` of ``K = W^T D W`` (or its deterministic equivalent),
        ascending.
    weights : ndarray, shape (d,)
        ``lambda_i c_i(0) >= 0``; their sum plus ``p_inf`` is the initial risk.
    p_inf : float
        Irreducible risk (mass of the target on the null space of ``K-hat``).
    kind : {"exact", "deterministic", "surrogate"}
        Where the spectrum came from.

    Examples
    --------
    >>> s = Spectrum(np.array([0.5, 1.0]), np.array([0.1, 0.2]), 0.05, "exact")
    >>> round(s.initial_risk, 12)
    0.35

    References
    ----------
    Paquette, Paquette, Xiao & Pennington, "4+3 Phases of Compute-Optimal Neural Scaling
    Laws", NeurIPS 2024 (arXiv:2405.15074), Sec. 2 (Volterra equation, eq. (10)).
    """

    eigenvalues: np.ndarray
    weights: np.ndarray
    p_inf: float
    kind: str = "exact"

    def __post_init__(self):
        lam = np.ascontiguousarray(np.asarray(self.eigenvalues, dtype=np.float64).ravel())
        w = np.ascontiguousarray(np.asarray(self.weights, dtype=np.float64).ravel())
        if lam.shape != w.shape or lam.size < 1:
            raise ParameterError("eigenvalues/weights", "1-d arrays of equal, non-zero length", (lam.shape, w.shape))
        if not (np.all(np.isfinite(lam)) and np.all(np.isfinite(w))):
            raise ParameterError("eigenvalues/weights", "finite values", "a NaN or inf")
        if np.min(lam) < 0 or np.min(w) < 0:
            raise ParameterError("eigenvalues/weights", ">= 0", float(min(np.min(lam), np.min(w))))
        p_inf = float(self.p_inf)
        if not np.isfinite(p_inf) or p_inf < 0:
            raise ParameterError("p_inf", "a finite number >= 0", self.p_inf)
        if self.kind not in ("exact", "deterministic", "surrogate"):
            raise ParameterError("kind", "one of 'exact', 'deterministic', 'surrogate'", self.kind)
        order = np.argsort(lam, kind="stable")
        lam, w = lam[order], w[order]
        lam.setflags(write=False)
        w.setflags(write=False)
        object.__setattr__(self, "eigenvalues", lam)
        object.__setattr__(self, "weights", w)
        object.__setattr__(self, "p_inf", p_inf)

    @property
    def d(self) -> int:
        """Number of eigenvalues."""
        return int(self.eigenvalues.size)

    @property
    def initial_risk(self) -> float:
        """``P(0) = p_inf + sum(weights)``."""
        return float(self.p_inf + np.sum(self.weights))

    @property
    def lambda_max(self) -> float:
        return float(self.eigenvalues[-1])

    @property
    def trace(self) -> float:
        """``tr K = sum_i lambda_i``."""
        return float(np.sum(self.eigenvalues))


def _as_problem(problem) -> PLRF:
    if not isinstance(problem, PLRF):
        raise ParameterError("problem", "a theory.plrf.PLRF instance", type(problem).__name__)
    if problem.v_is_infinite:
        raise ParameterError("problem.v", "finite (a sampled W needs a finite data dimension)", problem.v)
    return problem


def exact_spectrum(problem: PLRF, *, seed=None, W=None) -> Spectrum:
    """Exact spectrum of ``K = W^T D W`` and the target projections for one feature matrix.

    Parameters
    ----------
    problem : theory.plrf.PLRF
        Finite ``v`` required.
    seed : int or numpy.random.Generator, optional
        Seed for drawing ``W`` (iid ``N(0, 1/d)``), used when ``W`` is not given.
    W : ndarray, shape (v, d), optional
        A given feature matrix.

    Returns
    -------
    Spectrum
        ``kind="exact"``; ``eigenvalues = S^2`` from the SVD of ``D^{1/2} W``,
        ``weights = (U^T D^{1/2} b)^2``, ``p_inf = ||(I - U U^T) D^{1/2} b||^2``.

    Examples
    --------
    Closed form for ``W = e_1`` (``v = 2``, ``d = 1``): ``K = 1``, weight ``b_1^2 = 1`` and
    ``P_inf = 2^(-2 alpha - 2 beta)``:

    >>> s = exact_spectrum(PLRF(1.0, 0.5, 2, 1), W=np.array([[1.0], [0.0]]))
    >>> s.eigenvalues, s.weights, round(s.p_inf, 12)
    (array([1.]), array([1.]), 0.125)

    References
    ----------
    Paquette et al. 2024 (arXiv:2405.15074), Sec. 1.1; research note Sec. 1.4(a) (derived).
    """
    problem = _as_problem(problem)
    v, d = int(problem.v), problem.d
    if W is None:
        rng = np.random.default_rng(seed)
        W = rng.standard_normal((v, d)) / np.sqrt(d)
    else:
        W = np.asarray(W, dtype=np.float64)
        if W.shape != (v, d):
            raise ParameterError("W", f"an array of shape (v, d) = ({v}, {d})", W.shape)
        if not np.all(np.isfinite(W)):
            raise ParameterError("W", "finite entries", "a NaN or inf")
    sqrt_lam = np.sqrt(problem.population_eigenvalues())
    A = sqrt_lam[:, None] * W
    U, S, _ = np.linalg.svd(A, full_matrices=False)
    y = sqrt_lam * problem.target()  # D^{1/2} b
    proj = U.T @ y
    resid = y - U @ proj
    return Spectrum(S**2, proj**2, float(resid @ resid), "exact")


def surrogate_spectrum(problem: PLRF) -> Spectrum:
    """The authors' simple surrogate ``lambda_j = j^(-2 alpha)``, ``weights_j = j^(-2 alpha - 2 beta)``.

    ``j = 1..d`` and ``p_inf = sum_{j>d}^{v} j^(-2 alpha - 2 beta)`` (the unreached target).
    Used only as a cheap stand-in (e.g. for quick looks); the deterministic equivalent is the
    accurate large-d description.

    >>> s = surrogate_spectrum(PLRF(1.0, 0.5, 3, 2))
    >>> s.eigenvalues, s.weights, round(s.p_inf, 12)
    (array([0.25, 1.  ]), array([0.125, 1.   ]), 0.037037037037)

    References
    ----------
    LosVolterrosHermanos/Experimental, ``power_law_rf/deterministic_equivalent.py::theory_rhos``
    (research note Sec. 1.4(c)).
    """
    if not isinstance(problem, PLRF):
        raise ParameterError("problem", "a theory.plrf.PLRF instance", type(problem).__name__)
    d = check_int("d", problem.d, ge=1)
    j = np.arange(1, d + 1, dtype=np.float64)
    lam = j ** (-2.0 * problem.alpha)
    w = j ** (-2.0 * problem.alpha - 2.0 * problem.beta)
    p_inf = max(problem.initial_risk() - float(np.sum(w[::-1])), 0.0)
    return Spectrum(lam, w, p_inf, "surrogate")
