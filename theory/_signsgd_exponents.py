"""Compute-optimal exponents of signSGD on PLRF with the learning rate scaled optimally with
model size: a linear program in log space over ``(u, w) = (log_f d, log_f gamma)``.

At compute ``f = d N`` every signSGD term is ``f^(-E_k(u, w))`` with ``E_k`` affine
(:mod:`theory._signsgd_terms`), so

.. math::  \\eta = \\max_{0 \\le u \\le 1,\\ w \\le 0} \\min_k E_k(u, w),

``xi = u*`` (``d* ~ f^xi``) and ``gamma_0 = d^(-e)`` with ``e* = -w*/u*``, subject to the stability of the drift (the
effective rate ``(2/pi) gamma s / sqrt(P)`` stays ``O(1)`` down to the final risk:
``w + sigma u + eta/2 <= 0``, the analogue of SGD's maximal stable rate). The optimum is a
vertex of the feasible polytope in ``(u, w, t)``; it is found by enumerating vertices (three
active constraints among the terms and the bounds) and then re-solved **symbolically** with
SymPy on its active set, so ``eta``, ``xi`` and ``e`` are exact expressions in ``alpha``,
``beta``. The phase of a point is its active set.

The SGD exponents come from :func:`theory._exponents.solve_exponents_at` (registered term
set ``"sgd"``, learning rate at its stability limit), so :func:`compare_with_sgd` reports where
signSGD's slope is steeper, equal or flatter.

References
----------
J. Kim, D. Song, C. Yun, "Scaling Laws of SignSGD in Linear Regression: When Does It
Outperform SGD?", ICLR 2026 (arXiv:2603.02069) (``gamma_0 = M^-e``, joint optimisation; the
paper's table was not available -- derived here, checked numerically against the risk
equations in ``tests/test_signsgd_exponents.py``).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import sympy as sp

from ._errors import ParameterError, check_real
from ._power_terms import alpha, beta
from ._signsgd_terms import signsgd_terms, u_sym, w_sym

__all__ = ["SignSGDExponents", "signsgd_exponents_at", "compare_with_sgd", "slope_difference_grid", "signsgd_eta_numeric"]

_W_MIN = -20.0


@dataclass(frozen=True)
class SignSGDExponents:
    """Compute-optimal exponents of signSGD at one ``(alpha, beta)``.

    Attributes
    ----------
    eta : loss exponent (``P* ~ f^-eta``); xi : model-size exponent (``d* ~ f^xi``);
    e : learning-rate exponent (``gamma_0 = d^-e``); *_expr : the exact SymPy forms;
    active : names of the active constraints (the phase); degenerate : the optimum is not a
    unique vertex (``xi``/``e`` not unique).
    """

    alpha: float
    beta: float
    eta: float
    xi: float
    e: float
    eta_expr: sp.Expr
    xi_expr: sp.Expr
    e_expr: sp.Expr
    active: tuple
    degenerate: bool = False
    info: dict = field(default_factory=dict, compare=False)


def _exact(v):
    return v if isinstance(v, sp.Basic) else sp.Rational(repr(float(v)))


def _branch(expr, a, b):
    """Replace every Piecewise / Min / Max by the branch that holds at (a, b)."""
    subs = {alpha: a, beta: b}

    def pick(e):
        if isinstance(e, sp.Piecewise):
            for val, cond in e.args:
                if cond == sp.true or bool(cond.subs(subs)):
                    return pick(val)
            raise ParameterError("(alpha, beta)", "a point covered by the piecewise terms", (a, b))
        if isinstance(e, (sp.Min, sp.Max)):
            vals = [pick(x) for x in e.args]
            nums = [float(v.subs(subs)) for v in vals]
            i = int(np.argmin(nums)) if isinstance(e, sp.Min) else int(np.argmax(nums))
            return vals[i]
        if e.args:
            return e.func(*[pick(x) for x in e.args])
        return e

    return pick(expr)


def _constraints(a, b):
    """Affine constraints ``g(u, w, t) >= 0`` (symbolic, branch chosen at the point)."""
    t = sp.Symbol("t")
    cons = {}
    for term in signsgd_terms():
        if term.holds_at(a, b):
            cons[term.name] = sp.expand(_branch(term.exponent, a, b) - t)
    # stability of the drift: the effective rate gamma_eff = (2/pi) gamma s / sqrt(P) stays
    # O(1) (per-mode factor 1 - 2 gamma_eff lam > -1, lam_max(K) ~ 1) down to the final risk
    # P ~ f^-t:  w + sigma u + t/2 <= 0.
    from ._signsgd_terms import preconditioning_exponent

    sigma = _branch(preconditioning_exponent(), a, b)
    cons["stability"] = -(w_sym + sigma * u_sym + t / 2)
    # the drift needs time: gamma s N >~ 1 (else nothing has moved; for x_pp >= 2, where the
    # pure-point drift ends in finite time, this is the whole of its constraint)
    cons["drift time"] = w_sym + sigma * u_sym + 1 - u_sym
    cons["u>=0"] = u_sym
    cons["u<=1"] = 1 - u_sym
    cons["gamma<=1"] = -w_sym
    cons["w>=wmin"] = w_sym - _W_MIN
    return cons, t


def _num_rows(cons, t, a, b):
    rows = {}
    for n, g in cons.items():
        gn = sp.expand(g.subs({alpha: a, beta: b}))
        rows[n] = np.array([float(gn.coeff(u_sym)), float(gn.coeff(w_sym)), float(gn.coeff(t)),
                            float(gn.subs({u_sym: 0, w_sym: 0, t: 0}))])
    return rows


@lru_cache(maxsize=4096)
def _solve_cached(a, b):
    cons, t = _constraints(a, b)
    rows = _num_rows(cons, t, a, b)
    names = list(rows)
    best, verts = -math.inf, []
    for tri in itertools.combinations(names, 3):
        A = np.array([rows[n][:3] for n in tri])
        if abs(np.linalg.det(A)) < 1e-12:
            continue
        sol = np.linalg.solve(A, -np.array([rows[n][3] for n in tri]))
        if all(rows[n][:3] @ sol + rows[n][3] >= -1e-9 for n in names):
            verts.append((sol, tri))
            best = max(best, sol[2])
    if not verts:
        raise ParameterError("(alpha, beta)", "a point with a feasible compute-optimal LP", (float(a), float(b)))
    opt = [(s, tri) for s, tri in verts if s[2] >= best - 1e-9]
    us = [s[0] for s, _ in opt]
    ws = [s[1] for s, _ in opt]
    degenerate = (max(us) - min(us) > 1e-7) or (max(ws) - min(ws) > 1e-7)
    sol, tri = max(opt, key=lambda z: (sum(n in ("u>=0", "u<=1", "gamma<=1", "w>=wmin") for n in z[1]) == 0, -z[0][0]))
    active = tuple(n for n in names if abs(rows[n][:3] @ sol + rows[n][3]) < 1e-9)
    # symbolic re-solve on the chosen vertex's three constraints
    S = sp.solve([cons[n] for n in tri], [u_sym, w_sym, t], dict=True)
    if len(S) != 1:  # pragma: no cover
        raise RuntimeError(f"no unique symbolic vertex for {tri}")
    S = S[0]
    u_e, w_e, t_e = (sp.factor(sp.simplify(S[v])) for v in (u_sym, w_sym, t))
    e_e = sp.factor(sp.simplify(-w_e / u_e)) if u_e != 0 else sp.nan
    eta_n = float(t_e.subs({alpha: a, beta: b}))
    if abs(eta_n - best) > 1e-8:  # the symbolic answer must reproduce the numeric LP
        raise RuntimeError(f"symbolic/numeric LP mismatch at ({a}, {b}): {eta_n} vs {best}")
    return (float(best), float(sol[0]), float(-sol[1] / sol[0]) if sol[0] > 1e-12 else math.nan,
            t_e, u_e, e_e, active, degenerate, tri)


def signsgd_exponents_at(alpha_value, beta_value) -> SignSGDExponents:
    """Compute-optimal ``(eta, xi, e)`` of signSGD at ``(alpha, beta)`` (``2 alpha + 2 beta > 1``).

    Examples
    --------
    >>> s = signsgd_exponents_at(0.7, 1.2)
    >>> s.active, s.eta_expr, round(s.xi, 6), round(s.e, 6)
    (('F_ac', 'noise', 'stability', 'drift time'), 4*alpha/(4*alpha + 1), 0.631579, 1.083333)

    References
    ----------
    Kim, Song & Yun (2026), arXiv:2603.02069 (setting; derived here).
    """
    av = check_real("alpha", alpha_value, gt=0) if not isinstance(alpha_value, sp.Basic) else alpha_value
    bv = check_real("beta", beta_value) if not isinstance(beta_value, sp.Basic) else beta_value
    if not 2 * float(av) + 2 * float(bv) > 1:
        raise ParameterError("2*alpha + 2*beta", "2*alpha + 2*beta > 1", 2 * float(av) + 2 * float(bv))
    a, b = _exact(av), _exact(bv)
    eta, xi, e, t_e, u_e, e_e, active, deg, tri = _solve_cached(a, b)
    return SignSGDExponents(float(a), float(b), eta, xi, e, t_e, u_e, e_e, active, deg, {"vertex": tri})


def compare_with_sgd(alpha_value, beta_value) -> dict:
    """signSGD vs SGD compute-optimal slopes at one point.

    Returns ``{"eta_sgd", "eta_signsgd", "difference", "verdict", ...}`` with ``verdict`` one
    of ``"steeper"``, ``"equal"``, ``"flatter"`` (signSGD relative to SGD, tolerance 1e-9).
    """
    from ._exponents import solve_exponents_at

    s = signsgd_exponents_at(alpha_value, beta_value)
    g = solve_exponents_at(alpha_value, beta_value, "sgd")
    diff = s.eta - g.eta
    verdict = "steeper" if diff > 1e-9 else ("flatter" if diff < -1e-9 else "equal")
    return {"alpha": s.alpha, "beta": s.beta, "eta_sgd": g.eta, "xi_sgd": g.xi, "eta_signsgd": s.eta,
            "xi_signsgd": s.xi, "e_signsgd": s.e, "difference": diff, "verdict": verdict,
            "eta_signsgd_expr": str(s.eta_expr), "eta_sgd_expr": str(g.eta_expr), "signsgd_active": list(s.active),
            "sgd_pair": list(g.pair)}


@lru_cache(maxsize=1)
def _fast_functions():
    """Lambdified (NumPy) constraint functions ``g(alpha, beta, u, w, t)`` and term regions."""
    from ._signsgd_terms import preconditioning_exponent

    t = sp.Symbol("t")
    sigma = preconditioning_exponent()
    fns = []
    for term in signsgd_terms():
        f = sp.lambdify((alpha, beta, u_sym, w_sym, t), term.exponent - t, "numpy")
        reg = sp.lambdify((alpha, beta), term.region, "numpy")
        fns.append((term.name, f, reg))
    extra = {"stability": -(w_sym + sigma * u_sym + t / 2), "drift time": w_sym + sigma * u_sym + 1 - u_sym,
             "u>=0": u_sym, "u<=1": 1 - u_sym, "gamma<=1": -w_sym, "w>=wmin": w_sym - _W_MIN}
    for n, g in extra.items():
        fns.append((n, sp.lambdify((alpha, beta, u_sym, w_sym, t), g, "numpy"), None))
    return fns


def signsgd_eta_numeric(alpha_value: float, beta_value: float) -> tuple:
    """Fast numeric ``(eta, xi, e)`` (no SymPy solve; same constraints as
    :func:`signsgd_exponents_at`, tested against it). For maps over ``(alpha, beta)``."""
    a, b = float(alpha_value), float(beta_value)
    rows = []
    for name, f, reg in _fast_functions():
        if reg is not None and not bool(reg(a, b)):
            continue
        with np.errstate(all="ignore"):
            c0 = float(f(a, b, 0.0, 0.0, 0.0))
            row = np.array([float(f(a, b, 1.0, 0.0, 0.0)) - c0, float(f(a, b, 0.0, 1.0, 0.0)) - c0,
                            float(f(a, b, 0.0, 0.0, 1.0)) - c0, c0])
        if np.all(np.isfinite(row)) and np.max(np.abs(row)) < 1e12:  # x_pp -> 2 within rounding: term drops
            rows.append(row)
    R = np.array(rows)
    best, arg = -math.inf, None
    for tri in itertools.combinations(range(len(R)), 3):
        A = R[list(tri), :3]
        if abs(np.linalg.det(A)) < 1e-12:
            continue
        sol = np.linalg.solve(A, -R[list(tri), 3])
        if np.all(R[:, :3] @ sol + R[:, 3] >= -1e-9) and sol[2] > best + 1e-12:
            best, arg = sol[2], sol
    return float(best), float(arg[0]), float(-arg[1] / arg[0]) if arg[0] > 1e-12 else math.nan


def _sgd_eta_fast(a: float, b: float) -> float:
    from ._exponents import solve_exponents_at
    from ._phases import phase_of

    loc = phase_of(a, b)
    if loc.boundary is None and len(loc.phases) == 1:
        f = _sgd_phase_eta().get(loc.name)
        if f is not None:
            return float(f(a, b))
    return solve_exponents_at(a, b, "sgd").eta


@lru_cache(maxsize=1)
def _sgd_phase_eta() -> dict:
    from ._exponent_table import exponent_table

    out = {}
    for row in exponent_table("sgd"):
        d = row.to_dict()
        expr = sp.sympify(d["eta"], locals={"alpha": alpha, "beta": beta})
        out[d["phase"]] = sp.lambdify((alpha, beta), expr, "math")
    return out


def slope_difference_grid(alphas, betas) -> dict:
    """``eta_signsgd - eta_sgd`` on a grid (NaN outside ``2 alpha + 2 beta > 1``), numeric fast path."""
    A = np.asarray(alphas, dtype=float)
    B = np.asarray(betas, dtype=float)
    out = np.full((B.size, A.size), np.nan)
    sgd = np.full_like(out, np.nan)
    sign = np.full_like(out, np.nan)
    for i, b in enumerate(B):
        for j, a in enumerate(A):
            if 2 * a + 2 * b > 1 + 1e-9 and a > 0:
                sign[i, j] = signsgd_eta_numeric(a, b)[0]
                sgd[i, j] = _sgd_eta_fast(a, b)
                out[i, j] = sign[i, j] - sgd[i, j]
    return {"alpha": A, "beta": B, "difference": out, "eta_sgd": sgd, "eta_signsgd": sign}
