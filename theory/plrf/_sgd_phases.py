"""The 4+3 phase diagram of compute-optimal SGD on PLRF, as SymPy regions in (alpha, beta).

Each phase is an ``And`` of relations in ``alpha`` and ``beta``. The boundary curves are
**derived** (:func:`derived_boundary_polynomials`) from

* the regions where the asymptotic terms hold (convergence of their Gamma / zeta
  integrals: ``2 beta = 1``, ``2 alpha = 1``, ``4 alpha = 1``),
* the learning-rate scaling ``gamma ~ d^g`` (switch at ``2 alpha = 1``),
* the sign of the slope of each term's log-exponent ``e_k(x)`` in the compute-optimal LP
  (noise term for ``2 alpha < 1``: ``2 alpha^2 - 4 alpha + 1 = 0``, i.e.
  ``alpha = 1 - 1/sqrt(2)``, the IVa|IVb line),
* the crossings ``e_k(xi) = eta`` of a third term with the balanced pair (``alpha = beta``
  for II|III).

The names Ia, Ib, Ic, II, III, IVa, IVb follow Paquette et al. (2024); which pair of terms
balances in each phase and which terms dominate the loss are computed by the LP of
:mod:`theory._lp` on SGD's term set (and tested to be constant over each phase). The functions
here take SGD's rules object (:mod:`theory.plrf._sgd`), which holds the term set and the caches.

Disjointness and coverage of the domain ``2 alpha + 2 beta > 1, alpha > 0`` are checked
with SymPy's linear-real-arithmetic satisfiability (``satisfiable(...,
use_lra_theory=True)``); the one nonlinear boundary (a polynomial in ``alpha`` alone) is
replaced by ``alpha`` compared with a root symbol confined to a rational isolating
interval, which makes the check rigorous.

References
----------
E. Paquette, C. Paquette, L. Xiao, J. Pennington, "4+3 Phases of Compute-Optimal Neural
Scaling Laws", NeurIPS 2024 (arXiv:2405.15074), Sec. 4 and Fig. 2 (phase diagram).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import sympy as sp
from sympy.logic.inference import satisfiable

from .._lp import applicable_terms, x_symbol
from .._power_terms import alpha, beta
from ._rules import Boundary, PartitionCheck, PhaseLocation, check_domain

__all__ = ["DOMAIN", "DOMAIN_POLYNOMIAL", "REGIONS", "BOUNDARY_POLYNOMIALS", "phase_of", "build_phases", "boundaries",
           "check_phase_partition", "derived_boundary_polynomials", "in_phases", "equation_of"]

#: The PLRF domain (and its edge polynomial, 2 alpha + 2 beta - 1).
DOMAIN = sp.And(alpha > 0, 2 * alpha + 2 * beta - 1 > 0)

_b_beta = 2 * beta - 1
_b_alpha = 2 * alpha - 1
_b_quarter = 4 * alpha - 1
_b_diag = beta - alpha
_b_noise = 2 * alpha**2 - 4 * alpha + 1
_b_domain = 2 * alpha + 2 * beta - 1

#: The boundary polynomials the phases are built from (``p = 0`` is a boundary curve).
BOUNDARY_POLYNOMIALS = (_b_beta, _b_alpha, _b_quarter, _b_diag, _b_noise)
#: The edge of the domain, ``2 alpha + 2 beta - 1 = 0``.
DOMAIN_POLYNOMIAL = _b_domain


@dataclass(frozen=True)
class Phase:
    """A phase: its name, region (SymPy ``And``) and, once derived, its terms.

    ``dominant_terms`` are the terms on the upper envelope of the loss curve and
    ``balanced`` the pair equal at the compute optimum (both from the LP).
    """

    name: str
    region: sp.Basic
    dominant_terms: tuple = ()
    balanced: tuple = ()
    description: str = ""
    point: tuple = ()


#: The seven SGD phases: (name, region, description).
REGIONS = (
    ("Ia", sp.And(_b_beta < 0, _b_alpha > 0, _b_domain > 0), "capacity-limited, localized input"),
    ("Ib", sp.And(_b_beta < 0, _b_alpha < 0, _b_domain > 0), "capacity-limited, delocalized input"),
    ("Ic", sp.And(_b_beta > 0, _b_quarter < 0, alpha > 0), "capacity-limited; SGD noise renormalises the level"),
    ("II", sp.And(_b_beta > 0, _b_alpha > 0, _b_diag < 0), "embedding (F_ac) vs pure-point bias"),
    ("III", sp.And(_b_beta > 0, _b_alpha > 0, _b_diag > 0), "embedding (F_ac) vs SGD noise"),
    ("IVa", sp.And(_b_beta > 0, _b_alpha < 0, _b_noise < 0), "SGD noise vs capacity (F_0)"),
    ("IVb", sp.And(_b_beta > 0, _b_quarter > 0, _b_noise > 0, _b_alpha < 0), "SGD noise vs pure-point bias"),
)


@lru_cache(maxsize=None)
def _rep_point(region) -> tuple:
    """A representative interior point of a region (deepest point of a grid mask)."""
    from scipy.ndimage import distance_transform_edt

    aa = np.linspace(0.0025, 1.6, 640)
    bb = np.linspace(-0.6, 1.6, 881)
    A, Bm = np.meshgrid(aa, bb, indexing="ij")
    mask = np.asarray(sp.lambdify((alpha, beta), region, "numpy")(A, Bm), dtype=bool)
    if not mask.any():  # pragma: no cover
        raise RuntimeError(f"empty region {region}")
    dist = distance_transform_edt(np.pad(mask, 1))[1:-1, 1:-1]  # grid edges count as outside
    i, j = np.unravel_index(np.argmax(dist), dist.shape)
    return sp.Rational(round(aa[i], 3)).limit_denominator(1000), sp.Rational(round(bb[j], 3)).limit_denominator(1000)


def build_phases(rules) -> tuple:
    """The SGD phases with their LP-derived terms (``Phase`` objects), from SGD's rules."""
    out = []
    for name, region, desc in REGIONS:
        a0, b0 = _rep_point(region)
        sol = rules.solve(a0, b0)
        out.append(Phase(name, region, sol.dominant_terms, sol.pair, desc, (a0, b0)))
    return tuple(out)


# ---------------------------------------------------------------------------- locating
def equation_of(p) -> str:
    """``"lhs = rhs"`` of a boundary polynomial, in the spelling used by messages and figures."""
    lhs, rhs = _pretty_equation(p)
    return f"{lhs} = {rhs}"


def _pretty_equation(p):
    p = sp.expand(p)
    known = {
        sp.expand(_b_beta): ("2*beta", "1"),
        sp.expand(_b_alpha): ("2*alpha", "1"),
        sp.expand(_b_quarter): ("4*alpha", "1"),
        sp.expand(_b_diag): ("beta", "alpha"),
        sp.expand(_b_noise): ("2*alpha**2 - 4*alpha + 1", "0"),
        sp.expand(_b_domain): ("2*alpha + 2*beta", "1"),
    }
    return known.get(p, (str(p), "0"))


@lru_cache(maxsize=None)
def _phase_fns():
    return tuple((name, sp.lambdify((alpha, beta), region, "math")) for name, region, _ in REGIONS)


def in_phases(a: float, b: float) -> list:
    """Names of the (open) SGD regions containing ``(a, b)`` (floats, no validation)."""
    return [n for n, f in _phase_fns() if bool(f(a, b))]


def phase_of(alpha_value, beta_value) -> PhaseLocation:
    """The phase of a point, or the boundary it lies on and the phases meeting there.

    SGD's answer to :func:`theory.plrf.phase_of` (examples there; Paquette et al. 2024, Fig. 2).
    """
    a, b = check_domain(alpha_value, beta_value)
    ea, eb = sp.Rational(repr(a)), sp.Rational(repr(b))
    on = []
    for p in BOUNDARY_POLYNOMIALS:
        v = p.subs({alpha: ea, beta: eb})
        if v == 0 or abs(float(v)) < 1e-12:
            on.append(p)
    inside = in_phases(a, b)
    if not on and len(inside) == 1:
        return PhaseLocation(inside[0], None, (inside[0],))
    # on one or more boundary curves: which phases meet here?
    meet = set()
    eps = 1e-7
    for ang in np.linspace(0, 2 * np.pi, 16, endpoint=False):
        pa, pb = a + eps * np.cos(ang), b + eps * np.sin(ang)
        if pa > 0 and 2 * pa + 2 * pb > 1:
            meet.update(in_phases(pa, pb))
    order = [n for n, _, _ in REGIONS]
    names = tuple(n for n in order if n in meet)
    # keep only curves that actually separate phases here
    sep = [p for p in on if len(names) > 1]
    if not sep:  # a curve that does not separate phases here (e.g. 2a=1 inside Ic? no such case)
        if len(names) == 1:
            return PhaseLocation(names[0], None, names)
    boundary = " & ".join(equation_of(p) for p in (sep or on))
    return PhaseLocation(None, boundary, names)


# ---------------------------------------------------------------------------- derivation
def derived_boundary_polynomials(rules) -> tuple:
    """Candidate boundary polynomials derived from the terms and the LP.

    Collected from (i) the regions of the terms, (ii) the learning-rate Piecewise,
    (iii) the numerators of the slopes ``d e_k / d x`` of each term's compute exponent on
    each side of the learning-rate switch, and (iv) the crossings ``e_k(xi) - eta`` of every
    other term with the balanced pair of every phase. Each is returned as a primitive
    polynomial factor; factors of constant sign on the domain are dropped.

    >>> from theory.plrf._sgd import SGD_RULES
    >>> polys = derived_boundary_polynomials(SGD_RULES)
    >>> [sp.factor(p) for p in (2*beta - 1, beta - alpha, 2*alpha**2 - 4*alpha + 1)
    ...  if any(sp.expand(p - q) == 0 or sp.expand(p + q) == 0 for q in polys)]
    [2*beta - 1, -alpha + beta, 2*alpha**2 - 4*alpha + 1]
    """
    ts = rules.termset
    rels = set()
    for t in ts.terms:
        for atom in t.region.atoms(sp.Rel):
            rels.add(sp.expand(atom.lhs - atom.rhs))
    g = ts.lr_exponent
    branches = [e for e, _ in g.args] if isinstance(g, sp.Piecewise) else [g]
    if isinstance(g, sp.Piecewise):
        for _, c in g.args:
            for atom in c.atoms(sp.Rel):
                rels.add(sp.expand(atom.lhs - atom.rhs))
    for t in ts.terms:
        for gb in branches:
            e = t.loss_exponent(gb, x_symbol)
            slope = sp.together(sp.diff(e, x_symbol))
            rels.add(sp.expand(sp.numer(slope)))
    for name, region, _ in REGIONS:
        a0, b0 = _rep_point(region)
        sol = rules.solve(a0, b0)
        if sol.degenerate:
            continue
        gb = _branch_at(g, a0, b0)
        for n, t in applicable_terms(ts, a0, b0).items():
            diff = sp.together(t.loss_exponent(gb, x_symbol).subs(x_symbol, sol.xi_expr) - sol.eta_expr)
            rels.add(sp.expand(sp.numer(diff)))
    out = []
    for r in rels:
        if r.is_number:
            continue
        for f, _ in sp.factor_list(r)[1]:
            if f.is_number or not f.has(alpha, beta):
                continue
            f = sp.expand(f)
            if _constant_sign_on_domain(f):
                continue
            if not any(sp.expand(f - q) == 0 or sp.expand(f + q) == 0 for q in out):
                out.append(f)
    return tuple(out)


def _branch_at(g, a, b):
    if isinstance(g, sp.Piecewise):
        for e, c in g.args:
            if c == sp.true or bool(c.subs({alpha: a, beta: b})):
                return e
    return g


def _constant_sign_on_domain(f) -> bool:
    aa = np.linspace(0.01, 2.0, 200)
    bb = np.linspace(-0.6, 2.0, 200)
    A, B = np.meshgrid(aa, bb)
    ok = (2 * A + 2 * B) > 1
    vals = np.asarray(sp.lambdify((alpha, beta), f, "numpy")(A, B), dtype=float) * np.ones_like(A)
    vals = vals[ok]
    return bool(np.all(vals > 0) or np.all(vals < 0))


# ---------------------------------------------------------------------------- partition check
def _linearize(expr):
    """Replace relations polynomial in ``alpha`` alone (degree > 1) by comparisons with root symbols.

    Returns ``(expr', constraints)``: each real root ``rho_k`` becomes a symbol with a
    rational isolating interval ``lo_k < rho_k < hi_k`` (SymPy ``Poly.intervals``); the
    relation ``p(alpha) < 0`` becomes the union of the open root intervals where ``p < 0``.
    """
    constraints = []
    cache = {}

    def repl(rel):
        p = sp.expand(rel.lhs - rel.rhs)
        if p.free_symbols != {alpha} or sp.Poly(p, alpha).degree() <= 1:
            return rel
        key = p
        if key not in cache:
            poly = sp.Poly(p, alpha)
            ivs = poly.intervals(eps=sp.Rational(1, 10**6))
            syms = []
            for k, ((lo, hi), _) in enumerate(ivs):
                s = sp.Symbol(f"rho_{len(constraints)}_{k}", real=True)
                syms.append(s)
                constraints.append(sp.And(s > lo, s < hi) if lo != hi else sp.Eq(s, lo))
            cache[key] = (poly, ivs, syms)
        poly, ivs, syms = cache[key]
        pieces = []
        bounds = [None] + syms + [None]
        # a point in each gap: left of first root, between isolating intervals, right of last
        pts = [sp.Rational(ivs[0][0][0]) - 1]
        for k in range(len(ivs) - 1):
            pts.append((sp.Rational(ivs[k][0][1]) + sp.Rational(ivs[k + 1][0][0])) / 2)
        pts.append(sp.Rational(ivs[-1][0][1]) + 1)
        for k, pt in enumerate(pts):
            val = poly.eval(pt)
            holds = bool(type(rel)(val, 0))
            if holds:
                lo, hi = bounds[k], bounds[k + 1]
                conds = []
                if lo is not None:
                    conds.append(alpha > lo)
                if hi is not None:
                    conds.append(alpha < hi)
                pieces.append(sp.And(*conds))
        return sp.Or(*pieces) if pieces else sp.false

    rels = {r: repl(sp.Lt(r.lhs - r.rhs, 0) if isinstance(r, sp.StrictLessThan) else
                    sp.Gt(r.lhs - r.rhs, 0) if isinstance(r, sp.StrictGreaterThan) else r)
            for r in expr.atoms(sp.Rel)}
    return expr.xreplace(rels), constraints


def check_phase_partition() -> PartitionCheck:
    """Check symbolically that the phases are pairwise disjoint and cover the domain.

    Disjointness: ``satisfiable(R_i & R_j & domain, use_lra_theory=True)`` is False for
    every pair. Coverage: ``domain & (off every boundary curve) & ~(R_1 | ... | R_7)`` is
    unsatisfiable. The nonlinear IVa|IVb curve ``2a^2 - 4a + 1 = 0`` (a polynomial in
    ``alpha`` alone) is replaced by comparisons with root symbols confined to rational
    isolating intervals (:func:`_linearize`), so an UNSAT answer holds for the true roots.

    >>> check_phase_partition().ok
    True
    """
    regions = [r for _, r, _ in REGIONS]
    overlaps = []
    for i in range(len(regions)):
        for j in range(i + 1, len(regions)):
            e, cons = _linearize(sp.And(DOMAIN, regions[i], regions[j]))
            if satisfiable(sp.And(e, *cons), use_lra_theory=True) is not False:
                overlaps.append((REGIONS[i][0], REGIONS[j][0]))
    off = [sp.Or(p < 0, p > 0) for p in BOUNDARY_POLYNOMIALS]
    e, cons = _linearize(sp.And(DOMAIN, *off, sp.Not(sp.Or(*regions))))
    res = satisfiable(sp.And(e, *cons), use_lra_theory=True)
    witness = None if res is False else {str(k): str(v) for k, v in dict(res).items()}
    return PartitionCheck(not overlaps, res is False, tuple(overlaps), witness,
                          "satisfiable(..., use_lra_theory=True) with root symbols for 2a^2-4a+1")


# ---------------------------------------------------------------------------- boundaries
def boundaries(rules) -> tuple:
    """Every boundary segment between two SGD phases, with continuity of eta and the jump of xi.

    Found by walking along each boundary curve and classifying the two sides; continuity
    is then decided symbolically by substituting the curve into the two phases' exponents.

    >>> from theory.plrf._sgd import SGD_RULES
    >>> [(b.equation, b.phases, b.eta_continuous, b.xi_continuous) for b in boundaries(SGD_RULES)
    ...  if b.phases == ('IVa', 'IVb')]
    [('2*alpha**2 - 4*alpha + 1 = 0', ('IVa', 'IVb'), True, False)]
    """
    rows = {r.phase: r for r in rules.phase_table()}
    found = {}
    curves = list(BOUNDARY_POLYNOMIALS) + [_b_domain]
    for p in curves:
        pts = _points_on(p)
        for (a, b, na, nb) in pts:
            eps = 1e-6
            s1 = in_phases(a + eps * na, b + eps * nb)
            s2 = in_phases(a - eps * na, b - eps * nb)
            left = s2[0] if s2 else "outside"
            right = s1[0] if s1 else "outside"
            if left == right:
                continue
            key = (sp.srepr(p), tuple(sorted((left, right), key=_order_key)))
            found.setdefault(key, []).append((a, b))
    out = []
    for (prep, pair), pts in found.items():
        if len(pts) < 3:  # the curves only touch at a point (e.g. II and IVa at (1/2, 1/2))
            continue
        poly = next(q for q in curves if sp.srepr(q) == prep)
        arr = np.array(pts)
        extent = _extent(poly, arr)
        if "outside" in pair:
            out.append(Boundary(equation_of(poly), poly, pair, extent, None, None, None, None))
            continue
        r1, r2 = rows[pair[0]], rows[pair[1]]
        eta_d = _on_curve(r2.eta - r1.eta, poly, arr)
        xi_d = _on_curve(r2.xi - r1.xi, poly, arr)
        out.append(Boundary(equation_of(poly), poly, pair, extent, eta_d == 0, xi_d == 0,
                            xi_d, eta_d))
    order = {n: i for i, (n, _, _) in enumerate(REGIONS)}
    out.sort(key=lambda bd: tuple(order.get(n, 99) for n in bd.phases))
    return tuple(out)


def _order_key(n):
    order = {nm: i for i, (nm, _, _) in enumerate(REGIONS)}
    return order.get(n, 99)


def _points_on(p):
    """Points on the curve ``p = 0`` inside a window, each with a unit normal."""
    pts = []
    gradp = (sp.diff(p, alpha), sp.diff(p, beta))
    ga = sp.lambdify((alpha, beta), gradp[0], "math")
    gb = sp.lambdify((alpha, beta), gradp[1], "math")
    if p.has(beta):
        sols = sp.solve(p, beta)
        for a in np.linspace(0.003, 1.6, 1067):
            for s in sols:
                b = float(s.subs(alpha, a))
                if (2 * a + 2 * b > 1 + 1e-9 or p == _b_domain) and -0.6 < b < 1.6:
                    na, nb = ga(a, b), gb(a, b)
                    nrm = np.hypot(na, nb)
                    pts.append((a, b, na / nrm, nb / nrm))
    else:
        for s in sp.solve(p, alpha):
            a = float(s)
            if 0 < a < 1.6:
                for b in np.linspace(-0.6, 1.6, 1101):
                    if 2 * a + 2 * b > 1 + 1e-9:
                        pts.append((a, b, 1.0, 0.0))
    return pts


def _extent(poly, arr) -> str:
    if poly.has(beta) and len(sp.solve(poly, beta)) == 1:
        lo, hi = arr[:, 0].min(), arr[:, 0].max()
        return f"{lo:.4g} <= alpha <= {hi:.4g}" if hi < 1.59 else f"alpha >= {lo:.4g}"
    lo, hi = arr[:, 1].min(), arr[:, 1].max()
    return f"{lo:.4g} <= beta <= {hi:.4g}" if hi < 1.59 else f"beta >= {lo:.4g}"


def _on_curve(expr, poly, arr):
    """``expr`` restricted to the curve ``poly = 0`` (solved for beta, or alpha), simplified."""
    if poly.has(beta):
        s = sp.solve(poly, beta)[0]
        res = sp.simplify(sp.factor(sp.together(expr.subs(beta, s))))
    else:
        roots = [r for r in sp.solve(poly, alpha) if arr[:, 0].min() - 1e-6 <= float(r) <= arr[:, 0].max() + 1e-6]
        res = sp.simplify(sp.factor(sp.together(sp.radsimp(expr.subs(alpha, roots[0])))))
    return res
