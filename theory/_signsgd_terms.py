"""signSGD risk terms on PLRF in SymPy: drift-normalised time, the noise term and its
model-size exponent, and the map of drift exponents.

Derivations (done here with SymPy; the mechanisms are those of the research note
``plrf_signsgd.md`` Sec. 2.3, which reconstructs Kim, Song & Yun 2026 -- the paper's own
formulas were not available):

1. **Drift-normalised time.** signSGD's drift is SGD's drift with the rate
   ``gamma_eff = (2/pi) s gamma / sqrt(P)``, ``s = sqrt(d / tr D)`` (diagonal
   preconditioning, ``diag K ~ (tr D / d) I``). With ``tau = sum_k gamma_eff(k)`` and a drift
   term ``P ~ c tau^(-x)`` dominating, ``d tau/dk = G tau^(x/2)`` (``G ~ gamma s c^(-1/2)``);
   :func:`drift_time_exponent` solves this ODE with ``sympy.dsolve``: ``tau ~ (G k)^(2/(2-x))``
   and ``P ~ (G k)^(-2x/(2-x))`` for ``x < 2`` (finite-time extinction for ``x >= 2``).
2. **Noise term.** The per-mode noise injection ``gamma^2 n_j`` has no factor ``P``; the
   stationary balance ``2 gamma phi lam_j r_j = gamma^2 n_j`` summed over modes with
   ``sum_j n_j / lam_j = sum_i sqrt(K_ii) ~ sqrt(d tr D)`` gives
   ``P_noise = (pi^2/16) gamma^2 d tr D`` when the noise dominates (:func:`noise_term`,
   ``sympy.solve``); with ``tr D ~ d^max(0, 1 - 2 alpha)`` (``v ~ d``) its model-size
   exponent is ``2 - min(1, 2 alpha)``.
3. **Preconditioning exponent** ``s ~ d^sigma``, ``sigma = min(alpha, 1/2)``.

Compute-optimal variables: at compute ``f = d N`` (batch 1) write ``d = f^u`` and
``gamma = f^w`` (so ``gamma_0 = d^(-e)`` with ``e = -w/u``); every term is ``f^(-E(u, w))``
with ``E`` **affine** in ``(u, w)`` -- a linear program in log space
(:mod:`theory._signsgd_exponents`).

References
----------
J. Kim, D. Song, C. Yun, "Scaling Laws of SignSGD in Linear Regression: When Does It
Outperform SGD?", ICLR 2026 (arXiv:2603.02069) (four-term risk, drift normalisation, noise
term ``gamma_0^2 M^(2 - min(1, 2 alpha))``); K. L. Xiao et al., arXiv:2411.12135 (the four
effects); E. Paquette et al., arXiv:2405.15074 (the SGD terms ``F_0, F_pp, F_ac``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sympy as sp

from ._power_terms import alpha, beta

__all__ = [
    "u_sym",
    "w_sym",
    "drift_time_exponent",
    "noise_term",
    "preconditioning_exponent",
    "SignSGDTerm",
    "signsgd_terms",
]

#: log_f d and log_f gamma.
u_sym, w_sym = sp.symbols("u w", real=True)


@lru_cache(maxsize=None)
def drift_time_exponent():
    """``(tau exponent, loss exponent)`` of ``d tau/dk = G tau^(x/2)``, as SymPy functions of ``x``.

    Solved by ``sympy.dsolve`` with ``tau(0) = 0``: ``tau = ((1 - x/2) G k)^(2/(2-x))``, so
    ``tau ~ k^(2/(2-x))`` and a drift term ``tau^(-x)`` decays like ``k^(-2x/(2-x))``.

    >>> x = sp.Symbol("x", positive=True)
    >>> t_exp, l_exp = drift_time_exponent()
    >>> sp.simplify(t_exp - 2 / (2 - x)), sp.simplify(l_exp - 2 * x / (2 - x))
    (0, 0)
    """
    x = sp.Symbol("x", positive=True)
    k, G = sp.symbols("k G", positive=True)
    tau = sp.Function("tau")
    sol = sp.dsolve(sp.Eq(tau(k).diff(k), G * tau(k) ** (x / 2)), tau(k))
    sols = sol if isinstance(sol, list) else [sol]
    # the power-law branch (x != 2) with the integration constant C1 = 0, i.e. tau(0) = 0
    C1 = sp.Symbol("C1")
    for s in sols:
        rhs = s.rhs.subs(C1, 0)
        if isinstance(rhs, sp.Piecewise):
            rhs = rhs.args[0][0]
        if rhs.has(k) and not rhs.has(sp.exp):
            break
    else:  # pragma: no cover
        raise RuntimeError("dsolve returned no power-law solution")
    t_exp = sp.simplify(sp.diff(sp.expand_log(sp.log(rhs), force=True), k) * k)
    return sp.simplify(t_exp), sp.simplify(x * t_exp)


def noise_term():
    """Stationary noise-dominated risk ``P`` of signSGD from ``P = (pi gamma / 4) sqrt(P) S``,
    ``S = sum_i sqrt(K_ii)`` (derived by ``sympy.solve``).

    >>> g, S = sp.symbols("gamma S", positive=True)
    >>> noise_term().subs({sp.Symbol("gamma", positive=True): g})
    pi**2*S**2*gamma**2/16
    """
    P, g, S = sp.symbols("P gamma S", positive=True)
    sol = sp.solve(sp.Eq(P, sp.pi * g / 4 * sp.sqrt(P) * S), P)
    return [s for s in sol if s != 0][0]


def preconditioning_exponent():
    """``sigma`` with ``sqrt(d / tr D) ~ d^sigma`` (``v ~ d``): ``min(alpha, 1/2)``.

    ``tr D = sum_{j<=v} j^(-2 alpha) ~ v^max(0, 1 - 2 alpha)`` (the sum converges for
    ``2 alpha > 1``).

    >>> preconditioning_exponent()
    Piecewise((1/2, alpha > 1/2), (alpha, True))
    """
    trd = sp.Piecewise((0, alpha > sp.Rational(1, 2)), (1 - 2 * alpha, True))
    return sp.piecewise_fold((1 - trd) / 2)


@dataclass(frozen=True)
class SignSGDTerm:
    """One term ``f^(-E(u, w))`` with ``E`` affine in ``(u, w)``, valid where ``region`` holds."""

    name: str
    exponent: sp.Expr
    region: sp.Basic
    note: str = ""

    def holds_at(self, a, b) -> bool:
        return bool(self.region.subs({alpha: a, beta: b}))


def _x_pp():
    return (2 * alpha + 2 * beta - 1) / (2 * alpha)


def _x_ac():
    return (2 * alpha - 1) / (2 * alpha)


@lru_cache(maxsize=None)
def signsgd_terms() -> tuple:
    """The signSGD terms on PLRF (batch 1, ``v ~ d``) in the variables ``u = log_f d``,
    ``w = log_f gamma``.

    * ``F_0 = d^-(2 alpha - max(0, 1 - 2 beta))`` (approximation error, as for SGD);
    * ``F_pp``: SGD's pure-point drift ``tau^-x_pp`` with ``x_pp = (2a + 2b - 1)/(2a)`` in the
      drift-normalised time, ``G = gamma s``: ``E = 2x/(2-x) (w + sigma u + 1 - u)``
      (``x_pp < 2``; for ``x_pp >= 2`` the drift ends in finite time and the term drops out);
    * ``F_ac`` (``2 beta > 1``, ``2 alpha > 1``): ``d^-1 tau^-x_ac``, ``G = gamma s d^(1/2)``:
      ``E = u + 2x/(2-x) (w + sigma u + u/2 + 1 - u)``;
    * ``noise = gamma^2 d tr D``: ``E = -(2 w + (2 - min(1, 2 alpha)) u)``.

    >>> [t.name for t in signsgd_terms()]
    ['F_0', 'F_pp', 'F_ac', 'noise']
    """
    _, lmap = drift_time_exponent()
    xs = list(lmap.free_symbols)[0]
    sigma = preconditioning_exponent()
    u, w = u_sym, w_sym
    f0 = sp.Piecewise((2 * alpha, 2 * beta > 1), (2 * alpha + 2 * beta - 1, True)) * u
    xpp, xac = _x_pp(), _x_ac()
    epp = sp.simplify(lmap.subs(xs, xpp)) * (w + sigma * u + 1 - u)
    eac = u + sp.simplify(lmap.subs(xs, xac)) * (w + sigma * u + u / 2 + 1 - u)
    noise = -(2 * w + (2 - sp.Min(1, 2 * alpha)) * u)
    half = sp.Rational(1, 2)
    return (
        SignSGDTerm("F_0", f0, sp.true, "approximation error (as for SGD)"),
        SignSGDTerm("F_pp", epp, sp.StrictLessThan(xpp, 2), "pure-point drift in drift-normalised time"),
        SignSGDTerm("F_ac", eac, sp.And(beta > half, alpha > half), "absolutely-continuous drift"),
        SignSGDTerm("noise", noise, sp.true, "sign-noise floor (pi^2/16) gamma^2 d tr D"),
    )
