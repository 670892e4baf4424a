"""The four terms of the PLRF risk under SGD, derived by SymPy from their spectral sums.

The expected SGD risk on PLRF solves the Volterra equation
``P(r) = F(r) + sum_{s<r} K(r-1-s) P(s)`` (:data:`theory.CONVENTIONS`) with forcing
``F = F_0 + F_pp + F_ac`` and kernel ``K(r) ~ gamma^2 B K_pp(r)`` (Paquette et al. 2024,
Sec. 2-3). This module *derives* the large-``d`` asymptotics of each part from the
spectral surrogate of the authors' code (eigenvalues ``lambda_j = j^(-2 alpha)``, weights
``rho_j = j^(-2 beta) + c_beta / d``, ``c_beta = sum_j j^(-2 beta)``):

* ``F_pp(r) = sum_j j^(-2a-2b) q_j^r``,   ``F_ac(r) = (c_beta/d) sum_{j<=d} j^(-2a) q_j^r``,
* ``K_pp(r) = sum_{j<=d} j^(-4a) q_j^r``, noise ``= gamma^2 B K_pp(r) sum_{s<=r} F_pp(s)``,
* ``F_0 = sum_j j^(-2b) / (j^(2a) + kappa d^(2a))`` with ``kappa int_0^{v/d} dx/(kappa + x^(2a)) = 1``.

Each derivation goes: sum -> (``q^r = exp(r log q)``, ``log q = -2 gamma B lambda + O(lambda^2)``
by a SymPy series) -> integral over ``x`` -> substitution ``u = 2 T x^(-2 alpha)`` ->
recognition of ``int_0^oo u^(s-1) e^(-u) du = Gamma(s)`` (SymPy ``integrate``), whose
convergence condition ``s > 0`` *is* the region where the term holds. When ``s < 0`` the
sum is dominated by its cut-off (``j <= d``) and the term is a level ``~ d^(1 - w)``.

The risk convention is that of :data:`theory.CONVENTIONS` (MSE without 1/2, batch-sum
``gamma``, ``T = gamma B r``).

References
----------
E. Paquette, C. Paquette, L. Xiao, J. Pennington, "4+3 Phases of Compute-Optimal Neural
Scaling Laws", NeurIPS 2024 (arXiv:2405.15074), Sec. 3 and Table 1 (the table itself could
not be read; these forms are derived here and checked against direct sums in the tests).
A. Maloney, D. Roberts, J. Sully, "A Solvable Model of Neural Scaling Laws" (2022),
arXiv:2210.16859 (the model).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

import mpmath
import numpy as np
import sympy as sp

from .._errors import ParameterError, StabilityError
from ..validate import check_choice
from .._power_terms import PowerTerm, T, alpha, beta, d, gamma

__all__ = [
    "derive_power_sum",
    "plrf_sgd_terms",
    "sgd_lr_exponent",
    "NumericTerm",
    "asymptotic_terms",
    "asymptotic_risk",
    "kernel_norm",
    "limit_level",
    "limit_level_kappa",
    "kappa",
    "TERM_NAMES",
]

TERM_NAMES = ("F_0", "F_pp", "F_ac", "noise")

_x = sp.Symbol("x", positive=True)
_u = sp.Symbol("u", positive=True)
_j = sp.Symbol("j", integer=True, positive=True)
_r = sp.Symbol("r", positive=True)
_B = sp.Symbol("B", positive=True)
_lam = sp.Symbol("lambda", positive=True)
_N = sp.Symbol("N", positive=True)
_S = sp.Symbol("S", positive=True)
#: Constant of the limit level: ``kappa int_0^{v/d} dx / (kappa + x^(2 alpha)) = 1``.
kappa = sp.Symbol("kappa", positive=True)


def _monomial_in(expr, var):
    """``(c, p)`` with ``expr == c * var**p`` (after power simplification)."""
    e = sp.powsimp(sp.expand_power_base(sp.powdenest(expr, force=True), force=True), force=True, combine="exp")
    c, p = e.as_coeff_exponent(var)
    if c.has(var):
        raise RuntimeError(f"not a monomial in {var}: {expr}")
    return sp.powsimp(c), sp.simplify(p)  # no gamma-function rewriting of c (poles at 2a=1)


@lru_cache(maxsize=None)
def _log_q_leading():
    """Leading term of ``log q`` for SGD: ``q = 1 - 2 gamma B lam + gamma^2 B (B+1) lam^2``."""
    q = 1 - 2 * gamma * _B * _lam + gamma**2 * _B * (_B + 1) * _lam**2
    return sp.series(sp.log(q), _lam, 0, 2).removeO()


def derive_power_sum(w, cutoff=None):
    """Asymptotics of ``S(T) = sum_{j>=1} j^(-w) q_j^r`` for SGD, ``lambda_j = j^(-2 alpha)``.

    Derivation (each step kept in the returned ``steps``):

    1. ``q^r = exp(r log q)``, ``log q = -2 gamma B lambda + O(lambda^2)`` (SymPy series), so
       ``q_j^r ~ exp(-2 T j^(-2 alpha))`` with ``T = gamma B r``;
    2. sum -> integral over ``x in (0, oo)``;
    3. substitution ``x = (u / 2T)^(-1/(2 alpha))``;
    4. ``int_0^oo u^(S-1) e^(-u) du = Gamma(S)`` for ``S > 0`` (SymPy ``integrate``).

    If ``S <= 0`` the integral diverges at large ``x``: the sum is dominated by its cut-off
    ``j <= cutoff`` (for ``T << cutoff^(2 alpha)``) and equals
    ``int_0^N x^(-w) dx = N^(1-w) / (1-w)`` (needs ``w < 1``).

    Parameters
    ----------
    w : sympy expression
        Exponent of the weights ``j^(-w)``.
    cutoff : sympy expression, optional
        The upper cut-off ``N`` of the sum (used for the level branch).

    Returns
    -------
    list of (coeff, t_power, d_power, region, steps)

    Examples
    --------
    >>> from theory.plrf._sgd_terms import derive_power_sum
    >>> from theory._power_terms import alpha, beta, d
    >>> (c, p, q, region, _), = derive_power_sum(2*alpha + 2*beta)
    >>> c
    2**(-1 + (-2*alpha - 2*beta + 1)/(2*alpha))*gamma((alpha + beta - 1/2)/alpha)/alpha
    >>> p, region
    ((-alpha - beta + 1/2)/alpha, alpha + beta > 1/2)

    References
    ----------
    Paquette et al. (2024), arXiv:2405.15074, Sec. 3 (Table 1).
    """
    w = sp.sympify(w)
    steps = []
    summand = _j ** (-w) * sp.exp(_r * sp.log(sp.Symbol("q_j")))
    steps.append(("spectral sum", sp.Sum(summand, (_j, 1, sp.oo))))
    rate = _log_q_leading()
    steps.append(("log q (series)", rate))
    expo = sp.expand((rate * _r).subs(_lam, _x ** (-2 * alpha)).subs(_r, T / (gamma * _B)))
    integrand = _x ** (-w) * sp.exp(expo)
    steps.append(("sum -> integral", sp.Integral(integrand, (_x, 0, sp.oo))))
    xs = (_u / (2 * T)) ** (-1 / (2 * alpha))
    new = integrand.subs(_x, xs) * (-sp.diff(xs, _u))  # orientation flips: x: 0->oo is u: oo->0
    new = sp.powsimp(sp.expand_power_base(sp.powdenest(new, force=True), force=True), force=True)
    steps.append(("substitution u = 2 T x^(-2 alpha)", sp.Integral(new, (_u, 0, sp.oo))))
    const, upart = new.as_independent(_u)
    W = sp.Wild("W")
    m = sp.powsimp(upart).match(_u**W * sp.exp(-_u))
    if m is None:  # pragma: no cover - structural guard
        raise RuntimeError(f"substitution did not give a Gamma integrand: {new}")
    s = sp.simplify(m[W] + 1)
    gamma_int = sp.integrate(_u ** (_S - 1) * sp.exp(-_u), (_u, 0, sp.oo)).subs(_S, s)
    result = const * gamma_int
    steps.append(("Gamma integral (S > 0)", result))
    c, p = _monomial_in(result, T)
    region = sp.simplify(sp.numer(sp.together(s)) > 0) if sp.denom(sp.together(s)).is_positive else (s > 0)
    out = [(c, p, sp.S.Zero, region, tuple(steps))]
    if cutoff is not None:
        anti = sp.integrate(_x ** (-w), _x)  # x^(1-w)/(1-w) (a Piecewise with log at w = 1)
        if isinstance(anti, sp.Piecewise):
            anti = anti.args[0][0]
        # lower limit x -> 0+ vanishes iff 1 - w > 0: that is the region of the level branch
        level = sp.simplify(anti.subs(_x, _N))
        lsteps = tuple(steps[:2]) + (("cut-off dominated: int_0^N x^(-w) dx", level),)
        cN, qN = _monomial_in(level.subs(_N, cutoff), d)
        out.append((cN, sp.S.Zero, qN, sp.Lt(sp.numer(sp.together(w)) - sp.denom(sp.together(w)), 0)
                    if sp.denom(sp.together(w)).is_positive else (w < 1), lsteps))
    return out


@lru_cache(maxsize=None)
def _zeta_2beta():
    """``c_beta = sum_j j^(-2 beta)`` by SymPy: ``zeta(2 beta)`` where ``2 beta > 1``."""
    res = sp.summation(_j ** (-2 * beta), (_j, 1, sp.oo))
    if isinstance(res, sp.Piecewise):
        val, cond = res.args[0]
        return val, sp.simplify(2 * beta > 1) if cond == (beta > sp.Rational(1, 2)) else cond
    return res, sp.true  # pragma: no cover


@lru_cache(maxsize=None)
def _c_alpha():
    """``c_alpha = int_0^oo dx/(1 + x^(2 alpha))`` and its region (``2 alpha > 1``)."""
    val, cond = sp.integrate(1 / (1 + _x ** (2 * alpha)), (_x, 0, sp.oo), conds="separate")
    return sp.simplify(val), (2 * alpha > 1)


@lru_cache(maxsize=None)
def _kappa_infinite_v():
    """``kappa`` for ``v/d -> oo`` (``2 alpha > 1``): ``kappa^(1/(2 alpha)) c_alpha = 1``.

    ``kappa int_0^oo dx/(kappa + x^(2a))``: substitute ``x = kappa^(1/(2a)) y``.
    """
    c, _ = _c_alpha()
    lhs = kappa * kappa ** (1 / (2 * alpha)) / kappa * c
    sol = sp.solve(sp.Eq(lhs, 1), kappa)
    return sp.simplify(sol[0])


@lru_cache(maxsize=None)
def plrf_sgd_terms() -> tuple:
    """All asymptotic SGD terms of the PLRF risk, each with the region where it holds.

    Returns a tuple of :class:`~theory._power_terms.PowerTerm`; several entries share a
    name (``"F_ac"``, ``"noise"``, ``"F_0"``) and cover different regions. ``F_0``'s
    coefficient contains the symbol :data:`kappa` (fixed-point constant, closed form
    ``c_alpha^(-2 alpha)`` for ``2 alpha > 1`` and ``v/d -> oo``).

    Examples
    --------
    >>> from theory.plrf._sgd_terms import plrf_sgd_terms
    >>> for t in plrf_sgd_terms():
    ...     print(t.name, t.region, '|', t.expr)
    F_pp alpha + beta > 1/2 | 2**(-1 + (-2*alpha - 2*beta + 1)/(2*alpha))*T**((-alpha - beta + 1/2)/alpha)*gamma((alpha + beta - 1/2)/alpha)/alpha
    F_ac (alpha > 1/2) & (beta > 1/2) | 2**(-2 + 1/(2*alpha))*T**((1/2 - alpha)/alpha)*gamma((alpha - 1/2)/alpha)*zeta(2*beta)/(alpha*d)
    F_ac (beta > 1/2) & (2*alpha - 1 < 0) | -zeta(2*beta)/(d**(2*alpha)*(2*alpha - 1))
    noise (alpha > 1/4) & (beta > 1/2) | 2**(-4 + 1/(2*alpha))*T**(-2 + 1/(2*alpha))*gamma*gamma(2 - 1/(2*alpha))*zeta(2*beta)/alpha
    noise (beta > 1/2) & (4*alpha - 1 < 0) | -d**(1 - 4*alpha)*gamma*zeta(2*beta)/(8*alpha - 2)
    noise (alpha > 1/4) & (beta < 1/2) & (2*alpha + 2*beta - 1 > 0) | -2**((1 - beta)/alpha)*T**((-2*alpha - beta + 1)/alpha)*gamma*gamma(2 - 1/(2*alpha))*gamma(1 + beta/alpha - 1/(2*alpha))/(32*alpha*beta - 16*alpha)
    noise (beta < 1/2) & (4*alpha - 1 < 0) & (2*alpha + 2*beta - 1 > 0) | 2**((1/2 - beta)/alpha)*T**((1/2 - beta)/alpha)*d**(1 - 4*alpha)*gamma*gamma(1 + beta/alpha - 1/(2*alpha))/(16*alpha*beta - 8*alpha - 4*beta + 2)
    F_0 (beta > 1/2) & (2*alpha + 2*beta - 1 > 0) | zeta(2*beta)/(d**(2*alpha)*kappa)
    F_0 (2*beta < 1) & (2*alpha + 2*beta - 1 > 0) | -pi*d**(-2*alpha - 2*beta + 1)/(2*alpha*kappa**((2*alpha + 2*beta - 1)/(2*alpha))*sin(pi*(beta - 1/2)/alpha))

    Here ``gamma`` is the learning rate, ``gamma(.)`` Euler's Gamma function, ``T = gamma B r``.
    In the ``F_pp`` line the coefficient is ``(1/(2 alpha)) Gamma(s) 2^(-s)``,
    ``s = (2 alpha + 2 beta - 1)/(2 alpha)``; for ``2 alpha > 1`` and ``v/d -> oo``,
    ``kappa = c_alpha^(-2 alpha)`` with ``c_alpha = pi/(2 alpha sin(pi/(2 alpha)))``.

    References
    ----------
    Paquette et al. (2024), arXiv:2405.15074, Table 1 and eq. (17) (noise term of the
    approximate solution, as in the authors' notebook: ``gamma^2 B K_pp(r) sum_s F_pp(s)``).

    The derivation (symbolic in ``alpha``, ``beta``; about 1.5 s of SymPy) runs once per machine and
    source version: its result is kept on disk by :func:`theory._derivation_cache.cached_derivation`.
    """
    from .. import _power_terms
    from .._derivation_cache import cached_derivation

    return cached_derivation("plrf_sgd_terms", (__file__, _power_terms.__file__), _derive_plrf_sgd_terms)


def _derive_plrf_sgd_terms() -> tuple:
    terms = []
    # --- F_pp: weights lambda_j rho_j = j^(-2a-2b)
    (c, p, q, reg, st), = derive_power_sum(2 * alpha + 2 * beta)
    F_pp = PowerTerm("F_pp", c, p, q, 0, reg, "valid for 1 << T << d^(2 alpha)", st)
    terms.append(F_pp)
    # --- F_ac: (c_beta/d) sum_{j<=d} j^(-2a) q_j^r
    zb, zreg = _zeta_2beta()
    for c, p, q, reg, st in derive_power_sum(2 * alpha, cutoff=d):
        terms.append(PowerTerm("F_ac", zb * c, p, q - 1, 0, sp.And(reg, zreg),
                               "absolutely continuous part; valid for T << d^(2 alpha)",
                               st + (("times c_beta/d, c_beta = sum j^(-2 beta)", zb / d),)))
    # --- K_pp and the SGD noise term gamma^2 B K_pp(r) sum_{s<=r} F_pp(s)
    kpp = derive_power_sum(4 * alpha, cutoff=d)
    # (i) 2 beta > 1: sum_s F_pp(s) = sum_j j^(-2a-2b)/(1 - q_j) ~ sum_j j^(-2b)/(2 gamma B)
    one_minus_q = -_log_q_leading()  # 2 gamma B lambda at leading order
    fsum = sp.simplify(zb * (_lam / one_minus_q))  # lambda_j / (2 gamma B lambda_j) * j^(-2b)
    for c, p, q, reg, st in kpp:
        coeff = sp.powsimp(sp.cancel(gamma**2 * _B * c * fsum))
        cc, gp = _monomial_in(coeff, gamma)
        terms.append(PowerTerm("noise", cc, p, q, gp, sp.And(zreg, reg),
                               "SGD noise, gamma^2 B K_pp(r) ||F_pp||_1",
                               st + (("times gamma^2 B sum_s F_pp(s)", gamma**2 * _B * fsum),)))
    # (ii) 2 beta < 1: sum_{s<=r} F_pp(s) ~ int_0^r F_pp(s) ds = T F_pp(T) / (gamma B (1 - s_pp))
    sv = sp.Symbol("s", positive=True)
    P_ = sp.Symbol("P", real=True)
    # int_0^r s^P ds = r^(P+1)/(P+1), converging at s = 0 iff P + 1 > 0
    prim = sp.integrate(sv**P_, sv)
    if isinstance(prim, sp.Piecewise):
        prim = prim.args[0][0]
    integ = F_pp.coeff * (gamma * _B) ** P_ * prim.subs(sv, _r)
    integ = sp.powsimp(integ.subs(P_, F_pp.t_power).subs(_r, T / (gamma * _B)), force=True)
    # integrable at s = 0 iff 1 + t_power(F_pp) > 0, i.e. 2 beta < 1
    conv_reg = sp.simplify(sp.numer(sp.together(1 + F_pp.t_power)) > 0)
    for c, p, q, reg, st in kpp:
        full = sp.powsimp(sp.cancel(gamma**2 * _B * c * T**p * integ), force=True)
        cT, pT = _monomial_in(full, T)
        cc, gp = _monomial_in(cT, gamma)
        terms.append(PowerTerm("noise", cc, pT, q, gp,
                               sp.And(conv_reg, reg, 2 * alpha + 2 * beta - 1 > 0),
                               "SGD noise, gamma^2 B K_pp(r) sum_{s<=r} F_pp(s)",
                               st + (("times gamma^2 B int_0^r F_pp", gamma**2 * _B * integ),)))
    # --- F_0: sum_j j^(-2b)/(j^(2a) + kappa d^(2a))
    #  2 beta > 1: the sum converges without the j^(2a) term -> zeta(2 beta) / (kappa d^(2a))
    terms.append(PowerTerm("F_0", zb / kappa, 0, -2 * alpha, 0, sp.And(zreg, 2 * alpha + 2 * beta - 1 > 0),
                           "limit level (deterministic equivalent), leading order in d",
                           (("limit level", sp.Sum(_j ** (-2 * beta) / (_j ** (2 * alpha) + kappa * d ** (2 * alpha)),
                                                   (_j, 1, sp.oo))),)))
    #  2 beta < 1: j = d x, sum -> d^(1-2a-2b) int_0^oo x^(-2b)/(x^(2a) + kappa) dx
    val, cond = sp.integrate(_x ** (-2 * beta) / (_x ** (2 * alpha) + kappa), (_x, 0, sp.oo), conds="separate")
    reg0 = sp.And(2 * beta < 1, 2 * alpha + 2 * beta - 1 > 0)
    terms.append(PowerTerm("F_0", sp.simplify(val), 0, 1 - 2 * alpha - 2 * beta, 0, reg0,
                           "limit level, leading order in d (integral converges: " + str(cond) + ")",
                           (("j = d x, sum -> integral", sp.Integral(_x ** (-2 * beta) / (_x ** (2 * alpha) + kappa),
                                                                      (_x, 0, sp.oo))), ("result", val))))
    return tuple(terms)


def sgd_lr_exponent() -> sp.Expr:
    """Exponent ``g`` of the stable maximal learning rate ``gamma ~ d^g`` (``gamma ~ 1/tr D``).

    ``tr D = sum_{j<=v} j^(-2 alpha)`` is ``O(1)`` for ``2 alpha > 1`` and ``~ v^(1-2 alpha)``
    otherwise; with ``v ∝ d`` this gives ``g = 0`` or ``g = 2 alpha - 1``.

    >>> from theory.plrf._sgd_terms import sgd_lr_exponent
    >>> sgd_lr_exponent()
    Piecewise((0, alpha > 1/2), (2*alpha - 1, True))
    """
    (_, _, _, reg, _), (c, _, q, _, _) = derive_power_sum(2 * alpha, cutoff=d)
    return sp.Piecewise((0, reg), (-q, True))


# =====================================================================  numerics
def limit_level_kappa(alpha_value: float, ratio: float) -> float:
    """Solve ``kappa int_0^rho dx / (kappa + x^(2 alpha)) = 1`` for ``kappa`` (``rho = v/d``).

    For ``rho = inf`` (needs ``2 alpha > 1``) the closed form ``c_alpha^(-2 alpha)`` is used.

    >>> round(limit_level_kappa(1.0, math.inf), 12) == round((2 / math.pi) ** 2, 12)
    True
    """
    a = float(alpha_value)
    if math.isinf(ratio):
        if not 2 * a > 1:
            raise ParameterError("v", "finite when 2*alpha <= 1", ratio)
        return float(_kappa_infinite_v().subs(alpha, sp.nsimplify(a)).evalf(30))
    if not ratio > 1:
        raise ParameterError("v/d", "v/d > 1 for the limit level", ratio)

    def h(logk):
        k = mpmath.e**logk
        # kappa * int_0^rho dx/(kappa + x^2a) = rho * 2F1(1, 1/(2a); 1 + 1/(2a); -rho^2a/kappa)
        return ratio * mpmath.hyp2f1(1, 1 / (2 * a), 1 + 1 / (2 * a), -(ratio ** (2 * a)) / k) - 1

    lo, hi = -60.0, 60.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if h(mid) > 0:
            hi = mid
        else:
            lo = mid
        if hi - lo < 1e-13:
            break
    return float(math.exp(0.5 * (lo + hi)))


def limit_level(problem, method: str = "sum") -> float:
    """The limit level ``F_0`` of a PLRF problem (deterministic-equivalent fixed point).

    ``method="sum"``: ``sum_{j<=v} j^(-2b) / (j^(2a) + kappa d^(2a))`` at finite ``(v, d)``
    (an ``mpmath`` Hurwitz-zeta tail handles large or infinite ``v``); ``"asymptotic"``:
    the leading-order closed form of :func:`plrf_sgd_terms`.
    """
    check_choice("method", method, ("sum", "asymptotic"))
    a, b, dd = problem.alpha, problem.beta, problem.d
    ratio = math.inf if problem.v_is_infinite else problem.v / dd
    k = limit_level_kappa(a, ratio)
    if method == "asymptotic":
        term = _select(plrf_sgd_terms(), "F_0", a, b)
        if term is None:
            raise ParameterError("beta", "2*beta != 1 (log corrections on the line)", b)
        return float(sp.N(term.expr.subs({alpha: sp.nsimplify(a), beta: sp.nsimplify(b), kappa: k, d: dd})))
    tau = k * dd ** (2 * a)
    n_direct = int(min(problem.v, 2_000_000))
    j = np.arange(1, n_direct + 1, dtype=np.float64)
    s = float(np.sum((j ** (-2 * b) / (j ** (2 * a) + tau))[::-1]))
    if problem.v > n_direct:  # tail: j^(-2a-2b) (1 - tau j^(-2a) + ...), tau j^(-2a) << 1 there
        s0 = 2 * a + 2 * b
        tail = mpmath.zeta(s0, n_direct + 1) - tau * mpmath.zeta(s0 + 2 * a, n_direct + 1)
        if not problem.v_is_infinite:
            n = int(problem.v)
            tail -= mpmath.zeta(s0, n + 1) - tau * mpmath.zeta(s0 + 2 * a, n + 1)
        s += float(tail)
    return s


def kernel_norm(problem, optimizer) -> float:
    """``||K|| = sum_j gamma lam_j / (2 - gamma (B+1) lam_j)``, ``lam_j = j^(-2 alpha)``, ``j <= v``.

    The Volterra solution stays bounded iff ``||K|| < 1`` (and every mode contracts).
    """
    g, B, a = optimizer.lr_sum, optimizer.batch, problem.alpha
    if not g * (B + 1) < 2:
        raise StabilityError(g, 2.0 / (B + 1), "mode j=1 does not contract: gamma (B+1) lambda_1 >= 2")
    n = int(min(problem.v, 2_000_000))
    lam = np.arange(1, n + 1, dtype=np.float64) ** (-2 * a)
    s = float(np.sum((g * lam / (2 - g * (B + 1) * lam))[::-1]))
    if problem.v > n:  # tail: lam small, g lam / 2 (1 + g(B+1) lam / 2)
        tail = g / 2 * mpmath.zeta(2 * a, n + 1) + g * g * (B + 1) / 4 * mpmath.zeta(4 * a, n + 1)
        if not problem.v_is_infinite:
            m = int(problem.v)
            tail -= g / 2 * mpmath.zeta(2 * a, m + 1) + g * g * (B + 1) / 4 * mpmath.zeta(4 * a, m + 1)
        s += float(tail)
    return s


def _select(terms, name, a, b):
    """The variant of term ``name`` whose region holds at ``(a, b)`` (None if none)."""
    sa, sb = sp.nsimplify(a, rational=True), sp.nsimplify(b, rational=True)
    for t in terms:
        if t.name == name and t.holds_at(sa, sb):
            return t
    return None


@dataclass
class NumericTerm:
    """One asymptotic risk term at a finite PLRF size, callable on step counts.

    Attributes
    ----------
    name : str
        ``"F_0"``, ``"F_pp"``, ``"F_ac"`` or ``"noise"``.
    expr : sympy expression
        The term as an expression in the step count ``r`` (all constants substituted).
    applies : bool
        Whether the asymptotic form holds at this ``(alpha, beta)`` (False on a region
        boundary, or where the part is absent, e.g. ``F_ac`` for ``2 beta < 1``).
    term : PowerTerm or None
        The symbolic term it came from.
    """

    name: str
    expr: sp.Expr
    applies: bool
    term: PowerTerm | None = None
    note: str = ""
    _fn: object = field(default=None, repr=False)

    def __call__(self, steps) -> np.ndarray:
        r = np.asarray(steps, dtype=np.float64)
        if np.any(~np.isfinite(r)) or np.any(r < 1):
            raise ParameterError("steps", "finite steps >= 1 (the asymptotic forms need r >= 1)",
                                 float(np.min(r)) if r.size else r)
        out = np.broadcast_to(np.asarray(self._fn(r), dtype=np.float64), r.shape).copy()
        if not np.all(np.isfinite(out)):  # pragma: no cover - guarded by construction
            raise ParameterError(self.name, "a finite value", "non-finite")
        return out


def asymptotic_terms(problem, optimizer) -> list:
    """The four asymptotic PLRF risk terms at a finite size, in the sltk risk convention.

    Parameters
    ----------
    problem : theory.plrf.PLRF
    optimizer : theory.SGD
        Its ``lr_sum`` is ``gamma`` (batch-sum) and ``batch`` is ``B``; ``T = gamma B r``.

    Returns
    -------
    list of :class:`NumericTerm` named ``F_0``, ``F_pp``, ``F_ac``, ``noise`` (this order).
    ``F_0`` uses ``kappa`` from the finite-``v/d`` fixed point (:func:`limit_level_kappa`)
    and the leading order in ``d``; ``F_ac`` and the noise term use ``c_beta = zeta(2 beta)``.
    On a region boundary (e.g. ``2 beta = 1``) the variant of the nearby side is used and
    ``applies`` is False (log corrections are not modelled).

    Examples
    --------
    >>> from theory import SGD
    >>> from theory.plrf import PLRF
    >>> terms = asymptotic_terms(PLRF(0.7, 1.2, 4000, 1000), SGD(lr=0.2))
    >>> [(t.name, t.applies) for t in terms]
    [('F_0', True), ('F_pp', True), ('F_ac', True), ('noise', True)]

    References
    ----------
    Paquette et al. (2024), arXiv:2405.15074, Table 1 and eq. (17).
    """
    from .._optimizers import SGD

    if not isinstance(optimizer, SGD):
        raise ParameterError("optimizer", "a theory.SGD instance (asymptotic terms are derived for SGD)",
                             type(optimizer).__name__)
    a, b, dd = problem.alpha, problem.beta, problem.d
    g, B = optimizer.lr_sum, optimizer.batch
    ratio = math.inf if problem.v_is_infinite else problem.v / dd
    k = limit_level_kappa(a, ratio) if ratio > 1 else None
    terms = plrf_sgd_terms()
    out = []
    for name in TERM_NAMES:
        t = _select(terms, name, a, b)
        if t is None or (name == "F_0" and k is None):
            expr, fn = _spectral_sum(name, problem, optimizer)
            out.append(NumericTerm(name, expr, False, None,
                                   "no asymptotic form here (region boundary, log corrections, or absent "
                                   "part): evaluated as the direct surrogate spectral sum", fn))
            continue
        subs = {alpha: sp.Float(a, 30), beta: sp.Float(b, 30), d: dd, gamma: sp.Float(g, 30)}
        if k is not None:
            subs[kappa] = sp.Float(k, 30)
        expr = t.expr
        note = t.note
        if name == "noise" and 2 * b > 1:
            # finite-gamma constant of sum_s F_pp(s) = sum_j j^(-2b) / (2 gamma B (1 - gamma (B+1) lam_j / 2))
            # (its gamma -> 0 limit is zeta(2 beta)/(2 gamma B), the leading form in the symbolic term)
            expr = expr.subs(sp.zeta(2 * beta), sp.Float(_fpp_norm_sum(a, b, g, B), 30))
            note += "; zeta(2 beta) replaced by sum_j j^(-2b)/(1 - gamma (B+1) j^(-2a)/2) (finite gamma)"
        e = sp.N(expr.subs(subs).subs(T, sp.Float(g * B, 30) * _r), 20)
        fn = sp.lambdify(_r, e, modules=["numpy"])
        out.append(NumericTerm(name, e, True, t, note, fn))
    return out


def _fpp_norm_sum(a, b, g, B, n=1_000_000):
    """``sum_j j^(-2b) / (1 - g (B+1) j^(-2a) / 2)`` (``2 b > 1``; Hurwitz-zeta tail)."""
    j = np.arange(1, n + 1, dtype=np.float64)
    lam = j ** (-2 * a)
    s = float(np.sum((j ** (-2 * b) / (1 - g * (B + 1) * lam / 2))[::-1]))
    c = g * (B + 1) / 2
    tail = mpmath.zeta(2 * b, n + 1) + c * mpmath.zeta(2 * b + 2 * a, n + 1) + c * c * mpmath.zeta(2 * b + 4 * a, n + 1)
    return s + float(tail)


def _spectral_sum(name, problem, optimizer):
    """Direct surrogate spectral sum of a term (used where no asymptotic form holds).

    ``lambda_j = j^(-2a)``; ``q_j^r -> exp(-2 T lambda_j)``; ``F_pp`` sums ``j <= min(v, 10^6)``,
    ``F_ac`` and ``K_pp`` sum ``j <= d``; noise ``= gamma^2 B K_pp(T) sum_j j^(-2b)
    (1 - exp(-2 T lambda_j)) / (2 gamma B)``; ``F_0`` is :func:`limit_level` (constant).
    """
    a, b, dd = problem.alpha, problem.beta, problem.d
    g, B = optimizer.lr_sum, optimizer.batch
    jj = sp.Symbol("j", integer=True, positive=True)
    lam_s = jj ** (-2 * sp.Float(a))
    Ts = sp.Float(g * B) * _r
    if name == "F_0":
        if not problem.v > problem.d:
            zero = np.zeros
            return sp.S.Zero, lambda r: zero(np.shape(r))
        val = limit_level(problem, "sum")
        return sp.Float(val), lambda r: np.full(np.shape(r), val)
    nv = int(min(problem.v, 1_000_000))
    jv = np.arange(1, nv + 1, dtype=np.float64)
    jd = jv[:dd] if nv >= dd else np.arange(1, dd + 1, dtype=np.float64)
    lam_d = jd ** (-2 * a)
    if 2 * b > 1:
        c_beta = float(mpmath.zeta(2 * b))
    else:
        c_beta = float(np.sum((jd ** (-2 * b))[::-1]))

    def chunked(weights, lam, extra=None):
        def fn(r):
            r = np.asarray(r, dtype=np.float64)
            flat = r.reshape(-1)
            res = np.empty_like(flat)
            step = max(1, 4_000_000 // lam.size)
            for i in range(0, flat.size, step):
                Tt = g * B * flat[i:i + step, None]
                res[i:i + step] = np.exp(-2 * Tt * lam[None, :]) @ weights
            res = res.reshape(r.shape)
            return res if extra is None else res * extra(r)
            
        return fn

    if name == "F_pp":
        w = jv ** (-2 * a - 2 * b)
        return sp.Sum(jj ** (-2 * sp.Float(a) - 2 * sp.Float(b)) * sp.exp(-2 * Ts * lam_s), (jj, 1, nv)), \
            chunked(w[::-1].copy(), (jv ** (-2 * a))[::-1].copy())
    if name == "F_ac":
        return sp.Float(c_beta) / dd * sp.Sum(lam_s * sp.exp(-2 * Ts * lam_s), (jj, 1, dd)), \
            chunked(c_beta / dd * lam_d, lam_d)
    # noise: gamma^2 B K_pp(T) * sum_j j^(-2b) (1 - e^{-2 T lam_j}) / (2 gamma B)
    lam_v = jv ** (-2 * a)
    wv = jv ** (-2 * b) / (2 * g * B)
    S_tot = float(np.sum(wv[::-1]))
    S_fn = chunked(wv, lam_v)
    kpp = chunked(lam_d**2, lam_d)
    expr = g * g * B * sp.Sum(lam_s**2 * sp.exp(-2 * Ts * lam_s), (jj, 1, dd)) * \
        sp.Sum(jj ** (-2 * sp.Float(b)) * (1 - sp.exp(-2 * Ts * lam_s)), (jj, 1, nv)) / (2 * g * B)
    return expr, lambda r: g * g * B * kpp(r) * (S_tot - S_fn(r))


def asymptotic_risk(problem, optimizer, steps, *, combine: str = "max", level: str = "sum") -> np.ndarray:
    """Paper-style estimate of the SGD risk curve from the asymptotic terms.

    ``P(r) ~ max{F_0, F_pp(r), F_ac(r), noise(r)} / (1 - ||K||)`` (``combine="max"``, as in
    the authors' notebook, cell 28) or the sum of the terms (``combine="sum"``), with
    ``||K||`` from :func:`kernel_norm`. ``level="sum"`` replaces the leading-order ``F_0``
    by the finite-size fixed-point sum :func:`limit_level` (recommended: the leading
    constant converges slowly in ``d``).

    Raises
    ------
    theory.StabilityError
        If ``||K|| >= 1`` (the Volterra solution diverges); the message names the largest
        stable learning rate.

    References
    ----------
    Paquette et al. (2024), arXiv:2405.15074, eq. (17) and Sec. 2 (kernel norm condition).
    """
    check_choice("combine", combine, ("max", "sum"))
    check_choice("level", level, ("sum", "asymptotic"))
    knorm = kernel_norm(problem, optimizer)
    if not knorm < 1:
        lo, hi = 0.0, optimizer.lr_sum
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            try:
                ok = kernel_norm(problem, type(optimizer)(lr=mid, batch=optimizer.batch)) < 1
            except StabilityError:
                ok = False
            lo, hi = (mid, hi) if ok else (lo, mid)
        raise StabilityError(optimizer.lr_sum, lo, f"kernel norm ||K|| = {knorm:.4g} >= 1")
    terms = asymptotic_terms(problem, optimizer)
    vals = []
    for t in terms:
        if t.name == "F_0" and level == "sum":
            vals.append(np.full(np.shape(steps), limit_level(problem, "sum")))
        elif t.name == "F_ac" and 2 * problem.beta < 1:
            continue  # no separate ac part for 2 beta < 1 (the authors set AC = 0)
        else:
            vals.append(t(steps))
    vals = np.array(vals)
    est = vals.max(axis=0) if combine == "max" else vals.sum(axis=0)
    return est / (1.0 - knorm)
