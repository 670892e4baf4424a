"""Compute-optimal exponents per phase: the table, the Piecewise and the point query.

Every entry is produced by the LP of :mod:`theory._exponents` at a representative point of
each phase of :mod:`theory._phases` (so deleting or changing a registered term changes the
table), and returned as exact SymPy expressions in ``alpha``, ``beta``.

References
----------
E. Paquette, C. Paquette, L. Xiao, J. Pennington, "4+3 Phases of Compute-Optimal Neural
Scaling Laws", NeurIPS 2024 (arXiv:2405.15074), Sec. 4 and Table 2.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sympy as sp

from ._exponents import check_optimizer, check_point, solve_cached, solve_exponents_at
from ._phases import phase_of, phases
from ._power_terms import alpha, beta

__all__ = ["ExponentRow", "ExponentResult", "exponent_table", "exponents_piecewise",
           "compute_optimal_exponents", "format_exponent_table"]


@dataclass(frozen=True)
class ExponentRow:
    """One row of the exponent table: ``d* ~ f^xi``, ``P* ~ f^(-eta)`` in a phase."""

    phase: str
    region: sp.Basic
    dominant_terms: tuple
    balanced: tuple
    xi: sp.Expr
    eta: sp.Expr

    def to_dict(self) -> dict:
        return {"phase": self.phase, "region": str(self.region), "dominant_terms": list(self.dominant_terms),
                "balanced": list(self.balanced), "xi": str(self.xi), "eta": str(self.eta)}


@lru_cache(maxsize=None)
def _table(optimizer: str) -> tuple:
    rows = []
    for ph in phases(optimizer):
        sol = solve_cached(ph.point[0], ph.point[1], optimizer)
        rows.append(ExponentRow(ph.name, ph.region, sol.dominant_terms, sol.pair, sol.xi_expr, sol.eta_expr))
    return tuple(rows)


def exponent_table(optimizer: str = "sgd") -> list:
    """Rows (phase, region, dominant terms, balanced pair, xi, eta) with exact expressions.

    Examples
    --------
    >>> for r in exponent_table():
    ...     print(r.phase, r.balanced, r.xi, '|', r.eta)
    Ia ('F_0', 'F_pp') 1/(2*alpha + 1) | (2*alpha + 2*beta - 1)/(2*alpha + 1)
    Ib ('F_0', 'F_pp') 1/2 | (2*alpha + 2*beta - 1)/2
    Ic ('F_0', 'F_pp') -(2*alpha + 2*beta - 1)/(2*(2*alpha*beta - 3*alpha - 2*beta + 1)) | -alpha*(2*alpha + 2*beta - 1)/(2*alpha*beta - 3*alpha - 2*beta + 1)
    II ('F_pp', 'F_ac') beta/(alpha + beta) | (2*alpha + 2*beta - 1)/(2*(alpha + beta))
    III ('F_ac', 'noise') 1/2 | (4*alpha - 1)/(4*alpha)
    IVa ('F_0', 'noise') 1/2 | alpha
    IVb ('F_pp', 'noise') (alpha - beta)/(2*alpha*beta + alpha - 2*beta) | (2*alpha - 1)*(2*alpha + 2*beta - 1)/(2*(2*alpha*beta + alpha - 2*beta))

    References
    ----------
    Paquette et al. (2024), arXiv:2405.15074, Table 2 (derived here, not copied).
    """
    return list(_table(check_optimizer(optimizer)))


def exponents_piecewise(optimizer: str = "sgd"):
    """``(xi, eta)`` as SymPy ``Piecewise`` over the plane (``nan`` outside the domain).

    Branches use the *closed* phase regions in table order, so on a boundary the first
    listed adjacent phase is used (eta is continuous there; xi jumps only where
    :func:`theory.phase_boundaries` says so).

    >>> xi, eta = exponents_piecewise()
    >>> eta.subs({alpha: sp.Rational(7, 10), beta: sp.Rational(6, 5)})
    9/14
    """
    rows = exponent_table(optimizer)
    dom = sp.And(alpha > 0, 2 * alpha + 2 * beta > 1)

    def closed(region):
        rep = {}
        for r in region.atoms(sp.Rel):
            if isinstance(r, sp.StrictLessThan):
                rep[r] = sp.Le(r.lhs, r.rhs)
            elif isinstance(r, sp.StrictGreaterThan):
                rep[r] = sp.Ge(r.lhs, r.rhs)
        return region.xreplace(rep)

    xi = sp.Piecewise(*[(r.xi, sp.And(dom, closed(r.region))) for r in rows], (sp.nan, True))
    eta = sp.Piecewise(*[(r.eta, sp.And(dom, closed(r.region))) for r in rows], (sp.nan, True))
    return xi, eta


@dataclass(frozen=True)
class ExponentResult:
    """Compute-optimal exponents at one point (see :func:`compute_optimal_exponents`)."""

    alpha: float
    beta: float
    optimizer: str
    phase: str | None
    xi: float | None
    eta: float
    xi_expr: sp.Expr
    eta_expr: sp.Expr
    dominant_terms: tuple
    balanced: tuple
    boundary: str | None
    phases: tuple
    xi_interval: tuple | None = None

    def to_dict(self) -> dict:
        """JSON keys: phase, xi, eta, xi_expr, eta_expr, dominant_terms, boundary, phases, ..."""
        return {
            "alpha": self.alpha, "beta": self.beta, "optimizer": self.optimizer,
            "phase": self.phase, "xi": self.xi, "eta": self.eta,
            "xi_expr": str(self.xi_expr), "eta_expr": str(self.eta_expr),
            "dominant_terms": list(self.dominant_terms), "balanced": list(self.balanced),
            "boundary": self.boundary, "phases": list(self.phases),
            "xi_interval": None if self.xi_interval is None else list(self.xi_interval),
        }


def _signsgd_point(a: float, b: float) -> ExponentResult:
    """signSGD exponents from its joint (d, learning-rate) LP, in the SGD result shape.

    ``phase`` names the region of the PLRF (SGD) phase diagram the point lies in; ``balanced``
    lists the constraints active at the signSGD optimum (its own phase).
    """
    from ._signsgd_exponents import signsgd_exponents_at

    r = signsgd_exponents_at(a, b)
    loc = phase_of(a, b)
    return ExponentResult(a, b, "signsgd", loc.name, None if r.degenerate else r.xi, r.eta, r.xi_expr,
                          r.eta_expr, tuple(r.active), tuple(r.active), loc.boundary, loc.phases)


#: Optimizers whose point exponents come from their own solver (e.g. a joint LP over the
#: model size and the learning-rate exponent) instead of the shared term registry.
_POINT_SOLVERS = {"signsgd": _signsgd_point}


def compute_optimal_exponents(alpha_value, beta_value, optimizer: str = "sgd") -> ExponentResult:
    """Phase and compute-optimal exponents ``d* ~ f^xi``, ``P* ~ f^(-eta)`` at a point.

    Inside a phase the LP is solved at the point itself. On a boundary the exponents are
    the limits from the adjacent phases: ``eta`` is continuous everywhere; where ``xi``
    jumps (IVa|IVb) every ``x`` in ``xi_interval`` is optimal and ``xi`` is ``None``.

    Raises
    ------
    theory.ParameterError
        Outside the domain ``alpha > 0``, ``2 alpha + 2 beta > 1``, or an unknown optimizer.

    Examples
    --------
    >>> r = compute_optimal_exponents(0.7, 1.2)
    >>> r.phase, r.xi, round(r.eta, 6), r.eta_expr
    ('III', 0.5, 0.642857, (4*alpha - 1)/(4*alpha))
    >>> compute_optimal_exponents(1.0, 0.7).xi_expr
    beta/(alpha + beta)

    References
    ----------
    Paquette et al. (2024), arXiv:2405.15074, Sec. 4 and Table 2.
    """
    if optimizer in _POINT_SOLVERS:
        a, b = check_point(alpha_value, beta_value)
        return _POINT_SOLVERS[optimizer](a, b)
    optimizer = check_optimizer(optimizer)
    a, b = check_point(alpha_value, beta_value)
    loc = phase_of(a, b)
    if loc.name is not None:
        sol = solve_exponents_at(a, b, optimizer)
        return ExponentResult(a, b, optimizer, loc.name, sol.xi, sol.eta, sol.xi_expr, sol.eta_expr,
                              sol.dominant_terms, sol.pair, None, loc.phases)
    rows = {r.phase: r for r in exponent_table(optimizer)}
    ea, eb = sp.Rational(repr(a)), sp.Rational(repr(b))
    xis, etas = [], []
    for n in loc.phases:
        r = rows[n]
        xis.append(float(r.xi.subs({alpha: ea, beta: eb})))
        etas.append(float(r.eta.subs({alpha: ea, beta: eb})))
    if max(etas) - min(etas) > 1e-9 * max(1.0, abs(max(etas))):
        raise RuntimeError(f"eta discontinuous at ({a}, {b}): {etas}")  # pragma: no cover
    first = rows[loc.phases[0]]
    dom = tuple(dict.fromkeys(t for n in loc.phases for t in rows[n].dominant_terms))
    pri = ("F_0", "F_pp", "F_ac", "noise")
    dom = tuple(sorted(dom, key=lambda t: pri.index(t) if t in pri else 99))
    if max(xis) - min(xis) > 1e-9:
        lo, hi = min(xis), max(xis)
        return ExponentResult(a, b, optimizer, None, None, etas[0], sp.Interval(sp.Float(lo, 12), sp.Float(hi, 12)),
                              first.eta, dom, (), loc.boundary, loc.phases, (lo, hi))
    return ExponentResult(a, b, optimizer, None, xis[0], etas[0], first.xi, first.eta, dom, (), loc.boundary,
                          loc.phases)


def format_exponent_table(optimizer: str = "sgd", fmt: str = "markdown") -> str:
    """The table as Markdown, LaTeX or text (phase, region, dominant terms, xi, eta)."""
    from .validate import check_choice

    check_choice("fmt", fmt, ("markdown", "latex", "text"))
    rows = exponent_table(optimizer)
    names = {"F_0": "F_0", "F_pp": "F_pp", "F_ac": "F_ac", "noise": "K_pp-noise"}
    lnames = {"F_0": r"$\mathcal{F}_0$", "F_pp": r"$\mathcal{F}_{pp}$", "F_ac": r"$\mathcal{F}_{ac}$",
              "noise": r"$\mathcal{K}_{pp}$-noise"}
    head = ["phase", "region", "dominant terms", "balanced at optimum", "xi (d* ~ f^xi)", "eta (P* ~ f^-eta)"]
    out = []
    for r in rows:
        if fmt == "latex":
            reg = "$" + sp.latex(r.region).replace(r"\wedge", r"\,\wedge\,") + "$"
            out.append([r.phase, reg, " + ".join(lnames.get(t, t) for t in r.dominant_terms),
                        " = ".join(lnames.get(t, t) for t in r.balanced),
                        "$" + sp.latex(r.xi) + "$", "$" + sp.latex(r.eta) + "$"])
        else:
            out.append([r.phase, _region_str(r.region), " + ".join(names.get(t, t) for t in r.dominant_terms),
                        " = ".join(names.get(t, t) for t in r.balanced), f"`{r.xi}`" if fmt == "markdown" else str(r.xi),
                        f"`{r.eta}`" if fmt == "markdown" else str(r.eta)])
    if fmt == "latex":
        head = ["phase", "region", "dominant terms", "balanced", r"$\xi$ ($d^\star\sim f^{\xi}$)",
                r"$\eta$ ($P^\star\sim f^{-\eta}$)"]
    return _format_rows(head, out, fmt)


def _format_rows(headers, rows, fmt):
    cells = [[str(c) for c in headers]] + [[str(c) for c in r] for r in rows]
    if fmt == "markdown":
        lines = ["| " + " | ".join(cells[0]) + " |", "|" + "|".join("---" for _ in cells[0]) + "|"]
        return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in cells[1:]])
    if fmt == "latex":
        lines = [r"\begin{tabular}{" + "l" * len(cells[0]) + "}", r"\toprule", " & ".join(cells[0]) + r" \\",
                 r"\midrule"] + [" & ".join(r) + r" \\" for r in cells[1:]] + [r"\bottomrule", r"\end{tabular}"]
        return "\n".join(lines)
    widths = [max(len(r[i]) for r in cells) for i in range(len(cells[0]))]
    out = ["  ".join(c.ljust(w) for c, w in zip(cells[0], widths)), "  ".join("-" * w for w in widths)]
    return "\n".join(out + ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in cells[1:]])


def _region_str(region) -> str:
    parts = []
    for r in sorted(region.args, key=str):
        parts.append(str(r).replace("**", "^").replace("*", ""))
    return ", ".join(parts)
