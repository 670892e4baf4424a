"""SGD on PLRF: its rules for the theory layer (the 4+3 phases and their exponents).

SGD's compute-optimal problem is the one-variable LP of :mod:`theory._lp` over its derived
term set (:func:`theory.plrf._sgd_terms.plrf_sgd_terms`, learning rate at its stable maximum
``gamma ~ 1/tr D``), on the seven regions of :mod:`theory.plrf._sgd_phases`. Every entry of
the table is produced by the LP at a representative point of its phase (so deleting or
changing a term changes the table), and returned as exact SymPy expressions.

The learning-rate exponent is reported as ``e`` with ``gamma* ~ d*^-e``: SGD's rate sits at
its stability limit, ``gamma ~ d^g`` with ``g = lr_exponent``, so ``e = -g``.

Schedules: SGD's noise enters the risk as ``gamma * (kernel) * P``, so a decay over a fixed
fraction of the horizon changes its terms by constant factors only -- **assumed** here (the
decay-schedule derivation for SGD is open work): the exponents are those of a constant rate
for every schedule.

References
----------
E. Paquette, C. Paquette, L. Xiao, J. Pennington, "4+3 Phases of Compute-Optimal Neural
Scaling Laws", NeurIPS 2024 (arXiv:2405.15074), Sec. 4 and Table 2 (derived here, not copied).
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
import sympy as sp

from .._lp import TermSet, exact_number, solve_term_lp
from .._optimizers import SGD
from .._power_terms import alpha, beta
from . import _sgd_phases as ph
from ._rules import RULES, ExponentResult, PhaseRow, PLRFTheoryRules, format_rows, schedule_spelling
from ._sgd_terms import asymptotic_risk, asymptotic_terms, plrf_sgd_terms, sgd_lr_exponent

__all__ = ["SGDRules", "SGD_RULES"]

_PRIORITY = ("F_0", "F_pp", "F_ac", "noise")
_NAMES = {"F_0": "F_0", "F_pp": "F_pp", "F_ac": "F_ac", "noise": "K_pp-noise"}
_LNAMES = {"F_0": r"$\mathcal{F}_0$", "F_pp": r"$\mathcal{F}_{pp}$", "F_ac": r"$\mathcal{F}_{ac}$",
           "noise": r"$\mathcal{K}_{pp}$-noise"}


class SGDRules(PLRFTheoryRules):
    """SGD's compute-optimal theory on PLRF (one instance, :data:`SGD_RULES`)."""

    optimizer_name = SGD.name
    map_grid = 400  # the regions are closed forms: a map costs a lambdify per phase

    def __init__(self):
        self._solutions: dict = {}

    # ------------------------------------------------------------------ the LP
    @cached_property
    def termset(self) -> TermSet:
        """SGD's terms and learning-rate exponent (``gamma ~ 1/tr D``)."""
        return TermSet(plrf_sgd_terms(), sgd_lr_exponent(), _PRIORITY,
                       "SGD on PLRF, gamma ~ 1/tr(D) (Paquette et al. 2024)")

    def solve(self, a, b):
        """The LP at an (exact) point, memoised on this object."""
        key = (exact_number(a), exact_number(b))
        if key not in self._solutions:
            self._solutions[key] = solve_term_lp(self.termset, *key)
        return self._solutions[key]

    def _e_expr(self, a, b):
        g = self.termset.lr_exponent
        if isinstance(g, sp.Piecewise):
            for expr, cond in g.args:
                if cond == sp.true or bool(cond.subs({alpha: exact_number(a), beta: exact_number(b)})):
                    return sp.factor(-expr)
        return sp.factor(-g)

    # ------------------------------------------------------------------ phases
    @cached_property
    def phases(self) -> tuple:
        return ph.build_phases(self)

    @cached_property
    def _table(self) -> tuple:
        rows = []
        for p in self.phases:
            sol = self.solve(*p.point)
            rows.append(PhaseRow(p.name, p.region, sol.pair, sol.dominant_terms, sol.xi_expr, sol.eta_expr,
                                 self._e_expr(*p.point), p.point, p.description))
        return tuple(rows)

    def phase_table(self, schedule=None) -> tuple:
        return self._table

    def phase_of(self, a, b, schedule=None):
        return ph.phase_of(a, b)

    @cached_property
    def _boundaries(self) -> tuple:
        return ph.boundaries(self)

    def phase_boundaries(self, schedule=None) -> list:
        return list(self._boundaries)

    def boundary_curves(self, schedule=None) -> tuple:
        return tuple(ph.BOUNDARY_POLYNOMIALS)

    def check_phase_partition(self, schedule=None):
        return ph.check_phase_partition()

    @cached_property
    def derived_boundary_polynomials(self) -> tuple:
        return ph.derived_boundary_polynomials(self)

    def risk_terms(self) -> tuple:
        return self.termset.terms

    def asymptotic_terms(self, problem, optimizer) -> list:
        return asymptotic_terms(problem, optimizer)

    def asymptotic_risk(self, problem, optimizer, steps, *, combine="max", level="sum"):
        return asymptotic_risk(problem, optimizer, steps, combine=combine, level=level)

    # ------------------------------------------------------------------ exponents
    def exponents_at(self, a, b, schedule=None) -> ExponentResult:
        sched = schedule_spelling(schedule)
        loc = ph.phase_of(a, b)
        e_expr = self._e_expr(a, b)
        e = float(e_expr.subs({alpha: exact_number(a), beta: exact_number(b)}))
        if loc.name is not None:
            sol = self.solve(a, b)
            return ExponentResult(a, b, self.optimizer_name, loc.name, sol.xi, sol.eta, sol.xi_expr, sol.eta_expr,
                                  sol.dominant_terms, sol.pair, None, loc.phases, e=e, e_expr=e_expr, schedule=sched)
        rows = {r.phase: r for r in self._table}
        ea, eb = exact_number(a), exact_number(b)
        xis, etas = [], []
        for n in loc.phases:
            r = rows[n]
            xis.append(float(r.xi.subs({alpha: ea, beta: eb})))
            etas.append(float(r.eta.subs({alpha: ea, beta: eb})))
        if max(etas) - min(etas) > 1e-9 * max(1.0, abs(max(etas))):
            raise RuntimeError(f"eta discontinuous at ({a}, {b}): {etas}")  # pragma: no cover
        first = rows[loc.phases[0]]
        dom = tuple(dict.fromkeys(t for n in loc.phases for t in rows[n].dominant_terms))
        dom = tuple(sorted(dom, key=lambda t: _PRIORITY.index(t) if t in _PRIORITY else 99))
        if max(xis) - min(xis) > 1e-9:
            lo, hi = min(xis), max(xis)
            return ExponentResult(a, b, self.optimizer_name, None, None, etas[0],
                                  sp.Interval(sp.Float(lo, 12), sp.Float(hi, 12)), first.eta, dom, (), loc.boundary,
                                  loc.phases, (lo, hi), e=e, e_expr=e_expr, schedule=sched)
        return ExponentResult(a, b, self.optimizer_name, None, xis[0], etas[0], first.xi, first.eta, dom, (),
                              loc.boundary, loc.phases, e=e, e_expr=e_expr, schedule=sched)

    def decay_gain_at(self, a, b, schedule) -> tuple:
        """SGD with ``(d, gamma)`` optimised jointly (:func:`theory.plrf._decay.sgd_lr_free_exponents`):
        the decay LP adds only the relaxed-share conditions, which are never active (derived there)."""
        from ._decay import schedule_decay_q, sgd_lr_free_exponents

        kind, q = schedule_decay_q(schedule)
        return (sgd_lr_free_exponents(a, b, kind, q)["eta"], sgd_lr_free_exponents(a, b)["eta"])

    def decay_gain_grid(self, A, B, schedule) -> tuple:
        """:meth:`decay_gain_at` at all points at once (:func:`theory.plrf._decay.sgd_lr_free_eta_grid`:
        the same LPs, batched over the points; NaN outside the domain)."""
        from ._decay import schedule_decay_q, sgd_lr_free_eta_grid
        from ._rules import in_domain

        kind, q = schedule_decay_q(schedule)
        A = np.asarray(A, dtype=float)
        B = np.asarray(B, dtype=float)
        ed, ec = np.full(A.shape, np.nan), np.full(A.shape, np.nan)
        ok = in_domain(A, B)
        ed[ok] = sgd_lr_free_eta_grid(A[ok], B[ok], kind, q)
        ec[ok] = sgd_lr_free_eta_grid(A[ok], B[ok])
        return ed, ec

    def decay_gain_expression(self, a, b, schedule):
        """``0``: SGD's decay LP has the constant-rate optimum everywhere (checked at the point)."""
        de, dc = self.decay_gain_at(a, b, schedule)
        if abs(de - dc) > 1e-9:  # pragma: no cover - the derivation says this cannot happen
            raise RuntimeError(f"SGD decay gain {de - dc} at ({a}, {b})")
        return sp.Integer(0)

    @cached_property
    def _eta_fns(self) -> dict:
        return {r.phase: (sp.lambdify((alpha, beta), r.eta, "math"), sp.lambdify((alpha, beta), r.xi, "math"),
                          sp.lambdify((alpha, beta), r.e, "math")) for r in self._table}

    def exponents_numeric(self, a, b, schedule=None) -> tuple:
        """``(eta, xi, e)`` from the lambdified table inside a phase; the LP on a boundary."""
        inside = ph.in_phases(a, b)
        if len(inside) == 1:
            fe, fx, fg = self._eta_fns[inside[0]]
            return float(fe(a, b)), float(fx(a, b)), float(fg(a, b))
        r = self.exponents_at(a, b)
        return r.eta, r.xi, r.e

    def piecewise(self):
        """``(xi, eta)`` as SymPy ``Piecewise`` over the plane (``nan`` outside the domain)."""
        dom = sp.And(alpha > 0, 2 * alpha + 2 * beta > 1)

        def closed(region):
            rep = {}
            for r in region.atoms(sp.Rel):
                if isinstance(r, sp.StrictLessThan):
                    rep[r] = sp.Le(r.lhs, r.rhs)
                elif isinstance(r, sp.StrictGreaterThan):
                    rep[r] = sp.Ge(r.lhs, r.rhs)
            return region.xreplace(rep)

        xi = sp.Piecewise(*[(r.xi, sp.And(dom, closed(r.region))) for r in self._table], (sp.nan, True))
        eta = sp.Piecewise(*[(r.eta, sp.And(dom, closed(r.region))) for r in self._table], (sp.nan, True))
        return xi, eta

    def phase_index_grid(self, A, B, schedule=None) -> np.ndarray:
        """Index (in table order) of the phase of each grid point, -1 outside (vectorised)."""
        idx = np.full(np.shape(A), -1, dtype=int)
        for k, (_, region, _) in enumerate(ph.REGIONS):
            m = np.asarray(sp.lambdify((alpha, beta), region, "numpy")(A, B), dtype=bool)
            idx[m] = k
        return idx

    # ------------------------------------------------------------------ formatting
    def format_table(self, fmt: str = "markdown", schedule=None) -> str:
        """Phase, region, dominant terms, balanced pair, xi, eta, e."""
        head = ["phase", "region", "dominant terms", "balanced at optimum", "xi (d* ~ f^xi)", "eta (P* ~ f^-eta)",
                "e (gamma* ~ d*^-e)"]
        out = []
        for r in self._table:
            if fmt == "latex":
                reg = "$" + sp.latex(r.region).replace(r"\wedge", r"\,\wedge\,") + "$"
                out.append([r.phase, reg, " + ".join(_LNAMES.get(t, t) for t in r.dominant_terms),
                            " = ".join(_LNAMES.get(t, t) for t in r.balanced),
                            "$" + sp.latex(r.xi) + "$", "$" + sp.latex(r.eta) + "$", "$" + sp.latex(r.e) + "$"])
            else:
                q = (lambda x: f"`{x}`") if fmt == "markdown" else str
                out.append([r.phase, _region_str(r.region), " + ".join(_NAMES.get(t, t) for t in r.dominant_terms),
                            " = ".join(_NAMES.get(t, t) for t in r.balanced), q(r.xi), q(r.eta), q(r.e)])
        if fmt == "latex":
            head = ["phase", "region", "dominant terms", "balanced", r"$\xi$ ($d^\star\sim f^{\xi}$)",
                    r"$\eta$ ($P^\star\sim f^{-\eta}$)", r"$e$ ($\gamma^\star\sim d^{\star\,-e}$)"]
        return format_rows(head, out, fmt)


def _region_str(region) -> str:
    parts = []
    for r in sorted(region.args, key=str):
        parts.append(str(r).replace("**", "^").replace("*", ""))
    return ", ".join(parts)


#: SGD's rules (registered for :class:`theory.SGD` and its subclasses).
SGD_RULES = SGDRules()
RULES.register(SGD, SGD_RULES)
