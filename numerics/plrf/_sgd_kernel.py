"""Forcing ``F`` and kernel ``K`` of the PLRF/SGD Volterra equation, kernel norm and stability.

Conventions (stated once, tested against the exact second-moment recursion in
``tests/test_numerics_forcing_kernel.py``):

* batch: ``gamma`` is the batch-**sum** step size ``optimizer.lr_sum`` (``lr`` for
  ``batch_reduction="sum"``, ``lr / B`` for ``"mean"``); ``B = optimizer.batch``;
* index: ``P(r) = F(r) + sum_{s=0}^{r-1} K(r-1-s) P(s)``, ``r = 0, 1, ...`` (so ``P(0) = F(0)``);
* per mode ``q_i = 1 - 2 gamma B lambda_i + gamma^2 B (B+1) lambda_i^2`` (``theory.SGD.mode_update``)::

      F(r) = p_inf + sum_i w_i q_i^r,          w_i = lambda_i c_i(0)
      K(r) = gamma^2 B sum_i lambda_i^2 q_i^r

* continuous time (gradient-flow limit, time ``t`` measured in steps): ``q_i^r -> exp(-2 gamma B
  lambda_i t)`` with the same kernel weights, ``P(t) = F(t) + int_0^t K(t-s) P(s) ds``;
* kernel norm ``||K|| = sum_r K(r) = sum_i gamma lambda_i / (2 - gamma (B+1) lambda_i)``; the risk
  stays bounded iff every ``q_i < 1`` (``gamma (B+1) lambda_i < 2``) and ``||K|| < 1``.

References
----------
Paquette, Paquette, Xiao & Pennington, "4+3 Phases of Compute-Optimal Neural Scaling Laws",
NeurIPS 2024 (arXiv:2405.15074), Sec. 2, eq. (10); research note ``plrf_signsgd.md`` Sec. 1.4(a)
(exact finite-d Volterra form, derived and checked there) and Sec. 1.7 (kernel norm).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

from theory import SGD, ParameterError
from theory.validate import check_choice

from .._expsum import ExpSum
from ._spectra import Spectrum

__all__ = ["ForcingKernel", "forcing_kernel", "sgd_modes", "kernel_norm", "max_stable_lr"]


@dataclass(frozen=True)
class ForcingKernel:
    """Forcing and kernel of one (spectrum, optimizer) pair, as functions and on a grid.

    Attributes
    ----------
    forcing, kernel : ExpSum
        ``F`` and ``K`` as sums of exponentials sharing the rates ``log q_i``.
    steps : ndarray or None
        The grid the arrays below are tabulated on (when ``steps`` was given).
    F, K : ndarray or None
        ``F(steps)``, ``K(steps)``.
    gamma : float
        Batch-sum step size; ``batch``: ``B``.
    kernel_norm : float
        ``sum_r K(r)`` (``inf`` if a mode is unstable).
    """

    forcing: ExpSum
    kernel: ExpSum
    steps: np.ndarray | None
    F: np.ndarray | None
    K: np.ndarray | None
    gamma: float
    batch: int
    kernel_norm: float
    time: str = "discrete"


def _require_sgd(optimizer) -> SGD:
    if not isinstance(optimizer, SGD):
        raise ParameterError("optimizer", "a theory.SGD instance (other optimizers register their own solver)",
                             type(optimizer).__name__)
    return optimizer


def _require_spectrum(spectrum) -> Spectrum:
    if not isinstance(spectrum, Spectrum):
        raise ParameterError("spectrum", "a numerics.plrf.Spectrum", type(spectrum).__name__)
    return spectrum


def sgd_modes(lam, gamma: float, batch: int):
    """``(q_i - 1, kernel weight)`` of SGD modes, computed without cancellation.

    ``q_i - 1 = -2 gamma B lambda_i + gamma^2 B (B+1) lambda_i^2`` and the kernel weight
    ``lambda_i g_i = gamma^2 B lambda_i^2``; the same numbers as ``theory.SGD.mode_update``
    (which returns ``q_i`` itself).

    >>> qm1, k = sgd_modes(np.array([2.0]), 0.1, 1)
    >>> round(float(qm1[0]), 12), round(float(k[0]), 12)
    (-0.32, 0.04)
    """
    lam = np.asarray(lam, dtype=np.float64)
    g = float(gamma)
    qm1 = -2.0 * g * batch * lam + g * g * batch * (batch + 1) * lam * lam
    return qm1, g * g * batch * lam * lam


def forcing_kernel(spectrum: Spectrum, optimizer, steps=None, *, time: str = "discrete") -> ForcingKernel:
    """Forcing ``F`` and kernel ``K`` of the SGD Volterra equation for a spectrum.

    Parameters
    ----------
    spectrum : Spectrum
        Eigenvalues ``lambda_i`` and weights ``lambda_i c_i(0)``.
    optimizer : theory.SGD
        Learning rate (``lr_sum`` is used) and batch ``B``.
    steps : int or array of int, optional
        An int ``n`` tabulates ``r = 0..n-1``; an array tabulates those steps.
    time : {"discrete", "continuous"}
        Discrete SGD steps, or the gradient-flow limit ``q_i^t -> exp(-2 gamma B lambda_i t)``.

    Returns
    -------
    ForcingKernel

    Examples
    --------
    One mode, ``lambda = 1``, weight 1, ``p_inf = 0``, ``gamma = 0.1``, ``B = 1``:
    ``q = 1 - 0.2 + 0.02 = 0.82``, ``F(r) = 0.82^r`` and ``K(r) = 0.01 * 0.82^r``:

    >>> fk = forcing_kernel(Spectrum([1.0], [1.0], 0.0), SGD(lr=0.1), 3)
    >>> np.round(fk.F, 12), np.round(fk.K, 12)
    (array([1.    , 0.82  , 0.6724]), array([0.01    , 0.0082  , 0.006724]))

    References
    ----------
    Paquette et al. 2024 (arXiv:2405.15074), eq. (10); research note Sec. 1.4(a).
    """
    spectrum = _require_spectrum(spectrum)
    opt = _require_sgd(optimizer)
    check_choice("time", time, ("discrete", "continuous"))
    gamma, B = opt.lr_sum, opt.batch
    lam = spectrum.eigenvalues
    qm1, kw = sgd_modes(lam, gamma, B)
    if time == "discrete":
        with np.errstate(invalid="ignore", divide="ignore"):
            log_rate = np.log1p(qm1)
    else:
        log_rate = -2.0 * gamma * B * lam
    forcing = ExpSum(spectrum.p_inf, spectrum.weights, log_rate, time)
    kernel = ExpSum(0.0, kw, log_rate, time)
    knorm = kernel_norm(spectrum, opt) if time == "discrete" else float(np.sum(gamma * lam / 2.0))
    grid = F = K = None
    if steps is not None:
        if np.ndim(steps) == 0:
            n = int(steps)
            if n < 1 or n != steps:
                raise ParameterError("steps", "an integer >= 1 or an array of steps >= 0", steps)
            grid = np.arange(n, dtype=np.int64)
        else:
            grid = np.asarray(steps)
            if grid.ndim != 1 or grid.size == 0 or np.any(grid < 0):
                raise ParameterError("steps", "a non-empty 1-d array of steps >= 0", steps)
        F, K = forcing(grid), kernel(grid)
    return ForcingKernel(forcing, kernel, grid, F, K, gamma, B, knorm, time)


def _knorm_gamma(lam: np.ndarray, gamma: float, B: int) -> float:
    den = 2.0 - gamma * (B + 1) * lam
    if np.any(den <= 0):
        return float("inf")
    return float(np.sum(gamma * lam / den))


def kernel_norm(spectrum: Spectrum, optimizer) -> float:
    """``||K|| = sum_{r>=0} K(r) = sum_i gamma lambda_i / (2 - gamma (B+1) lambda_i)``.

    ``inf`` when a mode is unstable (``gamma (B+1) lambda_i >= 2``).

    >>> round(kernel_norm(Spectrum([1.0], [1.0], 0.0), SGD(lr=0.1)), 12)  # 0.1/1.8
    0.055555555556

    References
    ----------
    Research note ``plrf_signsgd.md`` Sec. 1.7 (derived; equals the authors' ``tt_knorm_limit``
    at ``B = 1``).
    """
    spectrum = _require_spectrum(spectrum)
    opt = _require_sgd(optimizer)
    return _knorm_gamma(spectrum.eigenvalues, opt.lr_sum, opt.batch)


def max_stable_lr(spectrum: Spectrum, optimizer) -> float:
    """Largest stable learning rate, in the optimizer's own ``lr`` convention.

    The supremum of ``gamma`` with every ``q_i < 1`` and ``||K||(gamma) < 1``; ``||K||`` is
    increasing in ``gamma`` and infinite at the per-mode limit ``2 / ((B+1) lambda_max)``, so
    the limit is the root of ``||K||(gamma) = 1`` (Brent's method, ``rtol = 1e-13``). For
    ``batch_reduction="mean"`` the batch-sum limit is multiplied by ``B``.

    Examples
    --------
    One mode ``lambda``, ``B = 1``: ``gamma lambda / (2 - 2 gamma lambda) = 1`` gives
    ``gamma = 2 / (3 lambda)``:

    >>> round(max_stable_lr(Spectrum([0.5], [1.0], 0.0), SGD(lr=0.1)), 12)
    1.333333333333

    References
    ----------
    Research note Sec. 1.7; Paquette et al. 2024 (arXiv:2405.15074), Sec. 2 (kernel norm).
    """
    spectrum = _require_spectrum(spectrum)
    opt = _require_sgd(optimizer)
    lam = spectrum.eigenvalues
    B = opt.batch
    lmax = float(lam[-1])
    if lmax <= 0:
        return float("inf")
    g_mode = 2.0 / ((B + 1) * lmax)
    f = lambda g: _knorm_gamma(lam, g, B) - 1.0  # noqa: E731
    hi = g_mode * (1.0 - 1e-14)
    if f(hi) < 0:  # norm below 1 all the way up to the per-mode limit (tiny kernels)
        g = g_mode
    else:
        g = brentq(f, 0.0, hi, rtol=1e-13, xtol=1e-300)
    return g if opt.batch_reduction == "sum" else g * B
