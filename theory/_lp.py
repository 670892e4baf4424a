"""Compute-optimal exponents by a linear program in log space, solved symbolically.

Given asymptotic loss terms ``C gamma^g' (gamma B r)^p d^q`` (:class:`PowerTerm`) and the
learning-rate scaling ``gamma ~ d^g`` of an optimizer, at compute ``f = d r B`` (``B``
fixed) and ``d = f^x`` every term is ``f^(-e_k(x))`` with ``e_k`` affine in ``x``. The
risk is (up to constants) the maximum of the terms, so the compute-optimal exponents are

.. math::

    \\eta = \\max_{0 \\le x \\le 1} \\min_k e_k(x), \\qquad \\xi = \\arg\\max, \\qquad
    d^\\star \\asymp f^{\\xi}, \\quad P^\\star \\asymp f^{-\\eta}.

The optimum of this one-variable LP is an intersection of a rising and a falling line
(or an end point). At a numeric point the active pair is found by enumerating the
candidate vertices; the exponents are then obtained *symbolically* by ``sympy.solve`` of
``e_i(x) = e_j(x)``, so they are exact expressions in ``alpha`` and ``beta``.

Term sets
---------
An optimizer whose compute-optimal problem on a model is this one-variable LP (SGD on PLRF)
describes itself by a :class:`TermSet`:

* ``terms``: iterable of :class:`~theory._power_terms.PowerTerm` in the symbols
  ``alpha``/``beta``; each carries the ``region`` where it holds; several variants of one
  ``name`` may cover different regions (at most one may hold at any point). Names ``"F_0"``
  (limit level), ``"F_pp"``, ``"F_ac"``, ``"noise"`` are conventional; any names work.
* ``lr_exponent``: SymPy expression (typically a ``Piecewise``) ``g(alpha, beta)`` with
  ``gamma ~ d^g`` at the optimizer's stable maximal learning rate (``T = gamma B r``; a
  term's ``gamma_power`` multiplies in extra factors of ``gamma``).
* ``priority``: tuple of names used to break exact ties (identical exponents); earlier names
  win. Default ``("F_0", "F_pp", "F_ac", "noise")``.

The term set is held by that optimizer's rules object (``theory/plrf/_sgd.py``), which also
holds the caches; nothing here is keyed by optimizer.

References
----------
E. Paquette, C. Paquette, L. Xiao, J. Pennington, "4+3 Phases of Compute-Optimal Neural
Scaling Laws", NeurIPS 2024 (arXiv:2405.15074), Sec. 4 and Table 2 (the table could not be
read; the exponents here are derived, see docs/theory.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from ._errors import ParameterError
from ._power_terms import alpha, beta

__all__ = ["TermSet", "LPSolution", "applicable_terms", "solve_term_lp", "x_symbol", "exact_number"]

x_symbol = sp.Symbol("x", real=True)
_DEFAULT_PRIORITY = ("F_0", "F_pp", "F_ac", "noise")


@dataclass(frozen=True)
class TermSet:
    """The asymptotic loss terms of one optimizer on PLRF plus its learning-rate scaling."""

    terms: tuple
    lr_exponent: sp.Expr
    priority: tuple = _DEFAULT_PRIORITY
    description: str = ""


# =====================================================================  the LP
@dataclass(frozen=True)
class LPSolution:
    """Solution of the compute-optimal LP at one point ``(alpha, beta)``.

    Attributes
    ----------
    xi, eta : float
        Numeric exponents at the point.
    xi_expr, eta_expr : sympy expressions in ``alpha``, ``beta``
        Exact exponents of the active pair (valid throughout the phase).
    pair : tuple of str
        The two terms balanced at the optimum (one name if the optimum is an end point).
    dominant_terms : tuple of str
        Terms that dominate the loss curve at some time (upper envelope along ``r``).
    applicable : tuple of str
        Terms whose region holds at the point.
    degenerate : bool
        True if the optimum is not unique in ``x`` (a flat active line: ``xi`` jumps there).
    xi_interval : tuple of float
        The set of optimal ``x`` (a single point unless degenerate).
    """

    alpha: float
    beta: float
    xi: float
    eta: float
    xi_expr: sp.Expr
    eta_expr: sp.Expr
    pair: tuple
    dominant_terms: tuple
    applicable: tuple
    degenerate: bool = False
    xi_interval: tuple = ()
    lines: dict = field(default_factory=dict, compare=False, repr=False)


def exact_number(v):
    """A float read as its exact decimal value (a SymPy number is returned as it is).

    >>> exact_number(0.7)
    7/10
    """
    if isinstance(v, sp.Basic):
        return v
    return sp.Rational(repr(float(v))) if not isinstance(v, int) else sp.Integer(v)


def applicable_terms(ts: TermSet, alpha_value, beta_value) -> dict:
    """``{name: PowerTerm}`` of the term variants of ``ts`` holding at the (exact) point."""
    a, b = exact_number(alpha_value), exact_number(beta_value)
    out = {}
    for t in ts.terms:
        if t.holds_at(a, b):
            if t.name in out:
                raise ParameterError("terms", f"one variant of {t.name!r} per point", "two hold")
            out[t.name] = t
    return out


def _lr_g_symbolic(ts: TermSet, a, b):
    """The branch of the (Piecewise) lr exponent that holds at ``(a, b)``, symbolic."""
    g = ts.lr_exponent
    if isinstance(g, sp.Piecewise):
        for expr, cond in g.args:
            if cond == sp.true or bool(cond.subs({alpha: a, beta: b})):
                return expr
    return g


def _crossing(line1, line2, x, pair):
    """``(x*, e(x*))`` where two loss exponents cross, in closed form."""
    sol = sp.solve(sp.Eq(line1, line2), x)
    if len(sol) != 1:  # pragma: no cover
        raise RuntimeError(f"no unique crossing for {pair}")
    xi_expr = sp.factor(sp.simplify(sol[0]))
    return xi_expr, sp.factor(sp.simplify(line1.subs(x, xi_expr)))


def _vertex_memo():
    from pathlib import Path

    from ._derivation_cache import DerivationMemo

    return DerivationMemo("term_lp_vertices", [Path(__file__)])


#: closed forms of the LP's optimum, keyed by the loss exponents that meet there (kept on disk)
_VERTICES = _vertex_memo()


def solve_term_lp(ts: TermSet, alpha_value, beta_value, *, tol: float = 1e-12) -> LPSolution:
    """Solve the compute-optimal LP of the term set ``ts`` at one point (exactly where possible).

    Parameters
    ----------
    ts : TermSet
        The terms and the learning-rate exponent of one optimizer on one model.
    alpha_value, beta_value : float or sympy number
        The point; floats are read as their exact decimal value.

    Examples
    --------
    SGD on PLRF (its term set is held by its rules object):

    >>> from theory.plrf._sgd import SGD_RULES
    >>> s = solve_term_lp(SGD_RULES.termset, 0.7, 1.2)
    >>> s.pair, s.xi_expr, s.eta_expr
    (('F_ac', 'noise'), 1/2, (4*alpha - 1)/(4*alpha))

    References
    ----------
    Paquette et al. (2024), arXiv:2405.15074, Sec. 4 (compute-optimal curves).
    """
    a, b = exact_number(alpha_value), exact_number(beta_value)
    terms = applicable_terms(ts, a, b)
    if not terms:
        raise ParameterError("(alpha, beta)", "a point where at least one term holds", (alpha_value, beta_value))
    g_sym = _lr_g_symbolic(ts, a, b)
    x = x_symbol
    lines_sym = {n: t.loss_exponent(g_sym, x) for n, t in terms.items()}
    lines = {}
    for n, e in lines_sym.items():
        en = sp.expand(e.subs({alpha: a, beta: b}))
        slope = float(en.coeff(x, 1))
        icpt = float(en.coeff(x, 0))
        lines[n] = (icpt, slope)
    prio = {n: i for i, n in enumerate(ts.priority)}
    names = sorted(lines, key=lambda n: prio.get(n, len(prio)))

    def value(xv):
        return min(lines[n][0] + lines[n][1] * xv for n in names)

    cands = {0.0, 1.0}
    for i, n in enumerate(names):
        for m in names[i + 1:]:
            (a1, s1), (a2, s2) = lines[n], lines[m]
            if abs(s1 - s2) > tol:
                xc = (a2 - a1) / (s1 - s2)
                if 0.0 <= xc <= 1.0:
                    cands.add(xc)
    best = max(value(c) for c in cands)
    opt = sorted(c for c in cands if value(c) >= best - 1e-10)
    lo, hi = opt[0], opt[-1]
    degenerate = hi - lo > 1e-9
    xstar = lo if not degenerate else 0.5 * (lo + hi)
    # active lines at the optimum (with exact-tie reduction by priority)
    active = [n for n in names if abs(lines[n][0] + lines[n][1] * xstar - best) < 1e-9]
    reduced = []
    for n in active:
        if not any(abs(lines[n][0] - lines[m][0]) < 1e-12 and abs(lines[n][1] - lines[m][1]) < 1e-12
                   for m in reduced):
            reduced.append(n)
    rising = [n for n in reduced if lines[n][1] > tol]
    falling = [n for n in reduced if lines[n][1] < -tol]
    flat = [n for n in reduced if abs(lines[n][1]) <= tol]
    if degenerate:
        pair = tuple(flat[:1]) or tuple(reduced[:1])
        n0 = pair[0]
        eta_expr = _VERTICES.get(sp.srepr(("level", lines_sym[n0], x)),
                                 lambda: sp.factor(sp.simplify(lines_sym[n0].subs(x, 0))))
        xi_expr = sp.nan
    elif rising and falling:
        pair = (falling[0], rising[0])
        xi_expr, eta_expr = _VERTICES.get(sp.srepr(("crossing", lines_sym[pair[0]], lines_sym[pair[1]], x)),
                                          lambda: _crossing(lines_sym[pair[0]], lines_sym[pair[1]], x, pair))
    else:  # end point
        pair = tuple(reduced[:1])
        xe = sp.Integer(0) if xstar < 0.5 else sp.Integer(1)
        xi_expr = xe
        eta_expr = _VERTICES.get(sp.srepr(("end", lines_sym[pair[0]], x, xe)),
                                 lambda: sp.factor(sp.simplify(lines_sym[pair[0]].subs(x, xe))))
    pair = tuple(sorted(pair, key=lambda n: prio.get(n, len(prio))))
    dom = _envelope_terms(terms, g_sym, a, b, names, ts.priority)
    xi = float(xi_expr.subs({alpha: a, beta: b})) if not degenerate else float("nan")
    eta = float(eta_expr.subs({alpha: a, beta: b}))
    if not np.isfinite(eta) or abs(eta - best) > 1e-8:  # the symbolic answer must match the LP
        raise RuntimeError(f"symbolic/numeric LP mismatch at ({a}, {b}): {eta} vs {best}")
    return LPSolution(float(a), float(b), xi, eta, xi_expr, eta_expr, pair, dom, tuple(names), degenerate,
                      (lo, hi), lines)


def _envelope_terms(terms, g_sym, a, b, names, priority):
    """Terms on the upper envelope of one loss curve ``T = d^u``, ``0 < u < 2 alpha``, plus the level.

    The pure-point spectrum reaches its bottom ``d^(-2 alpha)`` at ``T ~ d^(2 alpha)``, where
    the decaying forms stop being valid; the curve then sits on its level (the largest
    ``T``-independent term, ties broken by ``priority``: F_0 first).
    """
    u = sp.Symbol("u", real=True)
    coef = {}
    for n in names:
        c = sp.expand(terms[n].curve_exponent(g_sym, u).subs({alpha: a, beta: b}))
        coef[n] = (float(c.coeff(u, 0)), float(c.coeff(u, 1)))
    umax = 2 * float(a)
    grid = np.linspace(0, umax, 4002)[1:-1]
    vals = np.array([coef[n][0] + coef[n][1] * grid for n in names])  # names already in priority order
    top = vals.max(axis=0)
    winners = []
    for k in range(grid.size):
        idx = int(np.flatnonzero(vals[:, k] >= top[k] - 1e-12 * max(1.0, abs(top[k])))[0])
        winners.append(names[idx])
    found = {n for n in names if winners.count(n) >= 3}
    levels = [n for n in names if abs(coef[n][1]) < 1e-14]
    if levels:
        best = max(coef[n][0] for n in levels)
        found.add(next(n for n in levels if coef[n][0] >= best - 1e-12))
    return tuple(n for n in priority if n in found) + tuple(n for n in names if n not in priority and n in found)
