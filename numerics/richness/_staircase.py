"""Staircases: the ultra-rich loss curve of a depth-``L`` *diagonal* linear network, which learns several
input directions one after the other -- a plateau and a drop per direction.

The model (derived here; an extension of the chain of :mod:`theory.richness`, not from the paper): inputs
with independent coordinates of variances ``s_k``, a linear target ``y = sum_k beta_k x_k``, the network
``f(x) = sum_k (prod_l w_(k,l) - 1) x_k / gamma`` (a chain per direction, centred at the balanced start
``w = 1``), population MSE ``sum_k s_k ((W_k - 1)/gamma - beta_k)^2 / 2`` with ``W_k = prod_l w_(k,l)``.
The directions decouple, and direction ``k`` is *exactly* the chain of :mod:`theory.richness` at

    gamma_k = gamma beta_k,     eta_k = eta s_k beta_k^2,

its loss ``s_k beta_k^2`` times the chain's: dividing the mode's loss by ``s_k beta_k^2`` gives
``(W - 1 - gamma_k)^2 / (2 gamma_k^2)`` and its gradient picks up the same factor. So the escape time
of direction ``k`` is the chain's at ``(gamma_k, c_k = eta_k gamma_k^(-2/L))``; for ``L >= 3`` (flow)
``gamma_k^(1-2/L)/((L-2) c_k) = gamma / ((L-2) eta s_k beta_k)``: directions with a smaller
``s_k beta_k`` wait longer, and the total loss falls in steps.

References
----------
A. Atanasov, A. Meterez, J. B. Simon, C. Pehlevan, "The Optimization Landscape of SGD Across the
Feature Learning Strength", ICLR 2025 (arXiv:2410.04642): staircases of the ultra-rich loss curves
(reported there for networks; the diagonal model and its decoupling are derived here). Saxe, McClelland
& Ganguli, ICLR 2014, for the stage-like learning of deep linear networks, one mode at a time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from theory import ParameterError
from theory.richness import escape_time, eta_edge
from theory.validate import check_int, check_real

__all__ = ["Staircase", "diagonal_staircase"]


@dataclass
class Staircase:
    """GD on the diagonal network: ``loss[t]`` (total) and ``mode_loss[k, t]`` for ``t = 0..steps``;
    ``gamma_k``, ``eta_k`` the equivalent chains; ``drop[k]`` the first step at which mode ``k``'s loss is
    below half its start (measured, ``inf`` if never); ``predicted[k]`` the chain's escape time
    (:func:`theory.richness.escape_time`, discrete GD) at ``(gamma_k, c_k)``."""

    depth: int
    gamma: float
    eta: float
    strengths: np.ndarray
    targets: np.ndarray
    gamma_k: np.ndarray
    eta_k: np.ndarray
    loss: np.ndarray
    mode_loss: np.ndarray
    drop: np.ndarray
    predicted: np.ndarray


def diagonal_staircase(depth: int, gamma: float, eta: float, strengths, targets=None, steps: int = 1000) -> Staircase:
    """Full-batch GD (population loss) on the depth-``L`` diagonal linear network, one chain per direction.

    Parameters
    ----------
    depth : int
        ``L >= 2``.
    gamma, eta : float
        Feature-learning strength and learning rate (> 0).
    strengths : array_like
        Input variances ``s_k > 0``.
    targets : array_like, optional
        Target coefficients ``beta_k > 0`` (default 1).
    steps : int

    Every direction must be stable, ``eta_k < eta_edge(gamma_k, L)``, else ``ParameterError``.
    Runs the exact 1-d map of each balanced chain, ``W <- W - eta_k (W - 1 - gamma_k) W^((2L-2)/L) L / gamma_k^2``
    (in ``w = W^(1/L)``: ``w <- w - eta_k (w^L - 1 - gamma_k) w^(L-1) / gamma_k^2``).

    >>> st = diagonal_staircase(3, 1e3, 0.2 * 1e3 ** (2 / 3), [1.0, 0.25, 0.0625], steps=1500)
    >>> [int(d) for d in st.drop]   # one drop per direction, in order of s_k beta_k
    [46, 177, 701]
    """
    L = check_int("depth", depth, ge=2, le=64)
    g = check_real("gamma", gamma, gt=0)
    e = check_real("eta", eta, gt=0)
    T = check_int("steps", steps, ge=1)
    s = np.atleast_1d(np.asarray(strengths, dtype=np.float64))
    b = np.ones_like(s) if targets is None else np.atleast_1d(np.asarray(targets, dtype=np.float64))
    if s.ndim != 1 or s.size == 0 or b.shape != s.shape or not (np.all(s > 0) and np.all(b > 0)
                                                                 and np.all(np.isfinite(s)) and np.all(np.isfinite(b))):
        raise ParameterError("strengths/targets", "1-d arrays of equal length with finite values > 0", (s, b))
    gk, ek = g * b, e * s * b**2
    edge = eta_edge(gk, L)
    if np.any(ek >= edge):
        k = int(np.argmax(ek / edge))
        raise ParameterError("eta", f"below every direction's edge (direction {k}: eta s_k beta_k^2 < "
                             f"eta_edge(gamma beta_k, L) = {float(edge[k]):.4g})", e)
    w = np.ones_like(s)
    hist = np.empty((s.size, T + 1))
    weight = s * b**2
    for t in range(T + 1):
        r = w**L - 1 - gk
        hist[:, t] = weight * r**2 / (2 * gk**2)
        if t < T:
            w = w - ek * r * w ** (L - 1) / gk**2
    drop = np.array([float(np.argmax(h <= 0.5 * h[0])) if np.any(h <= 0.5 * h[0]) else np.inf for h in hist])
    ck = ek * gk ** (-2.0 / L)
    pred = np.array([float(escape_time(gi, L, ci, "discrete")) for gi, ci in zip(gk, ck)])
    return Staircase(L, g, e, s, b, gk, ek, hist.sum(axis=0), hist, drop, pred)
