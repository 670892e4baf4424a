"""The first-order ``1/N``, ``1/P`` correction of the DMFT test loss in closed form.

Derived here by expanding the kernels of :mod:`numerics.dmft._curve` to first order in ``1/N`` and
``1/P`` at ``kappa = s (1 + (1/N + 1/P) df(s))``, then inverting term by term:

    L(t) ~ L_inf(t) + (1/N + 1/P) B1(t) + V_N(t)/N + V_P(t)/P,
    L_inf = sum_k tau_k e^{-2 lambda_k t},
    B1    = 2 sum_k tau_k e^{-lambda_k t} dH_k(t),
    dH_k  = lambda_k sum_l lambda_l phi(lambda_l, lambda_k, t)        (research note Sec. 1.6, "Eq. 83"),
    V_N   = sum_{k,l} lambda_l tau_k lambda_k psi(lambda_l, lambda_k, t)^2,
    V_P   = sum_{k,l} tau_k lambda_l^2 psi(lambda_l, lambda_k, t)^2,

with ``phi = L^-1[1/((s+x)(s+y)^2)] = (e^{-x t} - e^{-y t})/(y-x)^2 + t e^{-y t}/(x-y)`` (``t^2 e^{-y t}/2``
at ``x = y``) and ``psi = L^-1[1/((s+x)(s+y))] = (e^{-x t} - e^{-y t})/(y - x)`` (``t e^{-x t}``). The
bias part is the note's formula; the two variance parts are new. All three grow like ``t^2`` early
(the universal ``1/N`` regime) and fail once ``t`` reaches ``1/kappa*`` (the crossover to ``N^-c``,
:func:`theory.dmft.crossover_time`). Checked against the full curves in ``tests/numerics/dmft``.
"""

from __future__ import annotations

import numpy as np

from theory import ParameterError
from theory.dmft import DMFT

from ._curve import _times, nodes_of

__all__ = ["first_order_loss"]


def _psi(x, y, t):
    d = y - x
    with np.errstate(divide="ignore", invalid="ignore"):
        val = (np.exp(-x * t) - np.exp(-y * t)) / d
    tiny = np.abs(d) <= 1e-9 * np.maximum(x, y)
    return np.where(tiny, t * np.exp(-0.5 * (x + y) * t), val)


def _phi(x, y, t):
    d = y - x
    with np.errstate(divide="ignore", invalid="ignore"):
        val = (np.exp(-x * t) - np.exp(-y * t)) / d**2 - t * np.exp(-y * t) / d
    tiny = np.abs(d) * t <= 1e-4
    return np.where(tiny, 0.5 * t * t * np.exp(-y * t), val)


def first_order_loss(problem: DMFT, t, *, n_exact: int = 512) -> dict:
    """``{"L_inf", "B1", "V_N", "V_P", "first_order"}`` at times ``t`` (``first_order`` is the sum
    with the problem's ``N`` and ``P``).

    >>> p = DMFT(2.0, 1.5, N=10**5, P=float("inf"), M=300)
    >>> import numerics.dmft as nd
    >>> full = nd.loss_curve(p, [1.0]).test_loss[0]
    >>> fo = first_order_loss(p, [1.0])
    >>> bool(abs((full - fo["L_inf"][0]) * 1e5 / (fo["B1"][0] + fo["V_N"][0]) - 1) < 1e-3)
    True
    """
    if not isinstance(problem, DMFT):
        raise ParameterError("problem", "a theory.dmft.DMFT", type(problem).__name__)
    t = _times(t)
    nd = nodes_of(problem, n_exact)
    lam, tau, w = nd.lam, nd.tau, nd.weight
    x = lam[:, None]   # l
    y = lam[None, :]   # k
    out = {k: np.empty(t.size) for k in ("L_inf", "B1", "V_N", "V_P")}
    for i, ti in enumerate(t):
        ek = np.exp(-lam * ti)
        out["L_inf"][i] = np.sum(w * tau * ek * ek)
        dH = lam * ((w * lam) @ _phi(x, y, ti))
        out["B1"][i] = 2.0 * np.sum(w * tau * ek * dH)
        P2 = _psi(x, y, ti) ** 2
        out["V_N"][i] = (w * lam) @ P2 @ (w * tau * lam)
        out["V_P"][i] = (w * lam * lam) @ P2 @ (w * tau)
    iN = 1.0 / problem.N
    iP = 0.0 if problem.P_is_infinite else 1.0 / problem.P
    out["first_order"] = out["L_inf"] + (iN + iP) * out["B1"] + iN * out["V_N"] + iP * out["V_P"]
    return out
