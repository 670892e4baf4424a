"""signSGD on PLRF: its rules for the theory layer (joint (d, learning-rate) LP, S-phases, decay).

signSGD's compute-optimal problem is a linear program over ``(u, w) = (log_f d, log_f gamma)``
(:mod:`theory.plrf._signsgd_lp`, terms in :mod:`theory.plrf._signsgd_terms`); its phases are
the regions where the optimal vertex keeps its closed forms (:mod:`theory.plrf._signsgd_phases`).

What a schedule contributes: a decay over a fixed fraction of the horizon that ends like
``(1 - k/N)^p`` (``Schedule.end_decay_power() = p``) leaves each relaxed mode ``(mu_j tau)^-q``
of its stable-phase noise, ``q = p/(p+1)`` (linear 1/2, cosine 2/3, sharp drop 1). The LP then
has two loss exponents, ``t_s`` at the end of the stable phase (which sets the stability
limit of the peak rate and the drift-normalised time ``tau``) and the final ``t`` (drift terms
at that ``tau`` and the decayed noise). Derived in :func:`theory.plrf._signsgd_terms.signsgd_branches`
and checked on the per-mode equations (``tests/theory/plrf/test_signsgd_phases.py``). A schedule
whose rate does not decay to zero at the end (``end_decay_power() is None``) has the
constant-rate exponents.

References
----------
J. Kim, D. Song, C. Yun, "Scaling Laws of SignSGD in Linear Regression: When Does It
Outperform SGD?", ICLR 2026 (arXiv:2603.02069) (setting, stable-decay schedules; the paper's
tables were not available -- derived here, research note ``plrf_signsgd.md`` Sec. 2).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp

from .._errors import ParameterError
from .._optimizers import SignSGD
from . import _sgd_phases
from . import _signsgd_phases as sph
from ._rules import RULES, Boundary, ExponentResult, PartitionCheck, PhaseLocation, PhaseRow, PLRFTheoryRules, \
    in_domain, schedule_spelling
from ._signsgd_lp import signsgd_exponents_at, signsgd_lp_grid, signsgd_lp_numeric
from ._signsgd_terms import signsgd_terms

__all__ = ["SignSGDRules", "SIGNSGD_RULES"]


def _lp_schedule(schedule) -> tuple:
    """``("constant", 0.5)`` or ``("decay", q)`` with ``q = p/(p+1)`` from the schedule's end power.

    >>> from theory import WSD, Cosine, Constant
    >>> _lp_schedule(WSD(decay=0.2)), _lp_schedule(Cosine()), _lp_schedule(Constant())
    (('decay', 0.5), ('decay', 0.6666666666666666), ('constant', 0.5))
    """
    p = None if schedule is None else schedule.end_decay_power()
    if p is None:
        return "constant", 0.5
    return "decay", float(p) / (float(p) + 1.0)


@lru_cache(maxsize=8)
def _boundary_curves(kind, q) -> tuple:
    """:meth:`SignSGDRules.boundary_curves`, derived once per source version (on disk) and process."""
    return sph._cached(f"signsgd_boundary_curves-{kind}-{float(q)!r}", lambda: _derive_boundary_curves(kind, q),
                       extra_sources=("_signsgd.py",))


def _derive_boundary_curves(kind, q) -> tuple:
    rows = sph.signsgd_phase_table(kind, q)
    out = []
    for i, p in enumerate(rows):
        for f in (f for r in rows[i + 1:] for f in sph.candidate_factors(p, r)):
            if not any(sp.expand(f - g) == 0 or sp.expand(f + g) == 0 for g in out):
                out.append(f)
    return tuple(out)


class SignSGDRules(PLRFTheoryRules):
    """signSGD's compute-optimal theory on PLRF (one instance, :data:`SIGNSGD_RULES`)."""

    optimizer_name = SignSGD.name

    def phase_table(self, schedule=None) -> tuple:
        kind, q = _lp_schedule(schedule)
        return tuple(PhaseRow(p.name, None, p.terms, (), p.xi, p.eta, p.e, p.point, p.description,
                              {"keys": p.keys, "schedule": kind, "branch": p.terms[0] if p.terms else ""})
                     for p in sph.signsgd_phase_table(kind, q))

    def phase_of(self, a, b, schedule=None) -> PhaseLocation:
        kind, q = _lp_schedule(schedule)
        name = sph.signsgd_phase_of(a, b, kind, q)
        return PhaseLocation(name, None, (name,))

    def phase_boundaries(self, schedule=None) -> list:
        kind, q = _lp_schedule(schedule)
        out = []
        for pair, rec in sph.signsgd_phase_boundaries(kind, q).items():
            curves = rec["curves"]
            eq = " | ".join(f"{sp.factor(c)} = 0" for c in curves) if curves else "(not identified)"
            out.append(Boundary(eq, curves[0] if len(curves) == 1 else None, tuple(pair), f"{len(rec['points'])} points",
                                rec["max_eta_jump"] < 1e-6, None, None, None,
                                {"curves": tuple(curves), "points": tuple(rec["points"]),
                                 "max_eta_jump": rec["max_eta_jump"], "unexplained": tuple(rec.get("unexplained", ()))}))
        return out

    def boundary_curves(self, schedule=None) -> tuple:
        """Candidate curves from the closed forms of every pair of phases (no grid bisection): the
        factors of the differences of their exponents and the terms' piecewise switches."""
        kind, q = _lp_schedule(schedule)
        return _boundary_curves(kind, q)

    def check_phase_partition(self, schedule=None, n: int = 120) -> PartitionCheck:
        kind, q = _lp_schedule(schedule)
        r = sph.signsgd_phase_check(n, kind, q)
        return PartitionCheck(r["multiple"] == 0, r["covered"] == r["points"] and r["max_eta_error"] < 1e-9,
                              (), None, f"every point of a {n} x {int(round(1.2 * n))} grid: LP vertex vs phase table",
                              r)

    def risk_terms(self) -> tuple:
        return tuple(signsgd_terms())

    def exponents_at(self, a, b, schedule=None) -> ExponentResult:
        kind, q = _lp_schedule(schedule)
        s = signsgd_exponents_at(a, b, kind, sp.Rational(repr(q)))
        name = sph.signsgd_phase_of(a, b, kind, q)
        sgd_loc = _sgd_phases.phase_of(a, b)
        info = {"vertex": list(s.info["vertex"]), "branch": s.info["branch"], "decay_q": s.info["decay_q"],
                "sgd_phase": sgd_loc.name or sgd_loc.boundary, "degenerate": bool(s.degenerate)}
        return ExponentResult(float(a), float(b), self.optimizer_name, name, None if s.degenerate else s.xi, s.eta,
                              s.xi_expr, s.eta_expr, (), tuple(s.active), None, (name,),
                              e=None if s.degenerate else s.e, e_expr=s.e_expr, schedule=schedule_spelling(schedule),
                              info=info)

    def exponents_numeric(self, a, b, schedule=None) -> tuple:
        kind, q = _lp_schedule(schedule)
        r = signsgd_lp_numeric(a, b, kind, q)
        return r["eta"], r["xi"], r["e"]

    def exponents_grid(self, A, B, schedule=None) -> tuple:
        """All points at once (:func:`theory.plrf._signsgd_lp.signsgd_lp_grid`, the same answers as
        :meth:`exponents_numeric` point by point)."""
        kind, q = _lp_schedule(schedule)
        ok = in_domain(A, B)
        out = [np.full(np.shape(A), np.nan) for _ in range(3)]
        if ok.any():
            r = signsgd_lp_grid(np.asarray(A, float)[ok], np.asarray(B, float)[ok], kind, q)
            for k, key in enumerate(("eta", "xi", "e")):
                out[k][ok] = r[key]
        return tuple(out)

    def decay_gain_grid(self, A, B, schedule) -> tuple:
        """Both LPs' optimal values at all points at once (only ``eta`` is needed: no per-point
        re-solve where the optimal point is not unique)."""
        kind, q = _lp_schedule(schedule)
        ok = in_domain(A, B)
        out = [np.full(np.shape(A), np.nan) for _ in range(2)]
        if ok.any():
            a, b = np.asarray(A, float)[ok], np.asarray(B, float)[ok]
            out[0][ok] = signsgd_lp_grid(a, b, kind, q, eta_only=True)["eta"]
            out[1][ok] = signsgd_lp_grid(a, b, "constant", 0.5, eta_only=True)["eta"]
        return tuple(out)

    def noise_slacks(self, a, b, schedule) -> tuple:
        """The LP's slack of the relaxed-noise constraint (``noise``) at the decayed and at the
        constant-rate optimum (:attr:`SignSGDExponents.info` ``["slacks"]``)."""
        kind, q = _lp_schedule(schedule)
        dec = signsgd_exponents_at(a, b, kind, sp.Rational(repr(q))).info["slacks"]["noise"]
        con = signsgd_exponents_at(a, b).info["slacks"]["noise"]
        return (0.0 if abs(dec) < 1e-9 else float(dec)), (0.0 if abs(con) < 1e-9 else float(con))

    def decay_gain_expression(self, a, b, schedule):
        """Exact ``eta_decay - eta_constant`` from both LPs' symbolic re-solves (:mod:`theory.plrf._decay`)."""
        from ._decay import signsgd_gain_expression

        kind, q = _lp_schedule(schedule)
        if kind == "constant":
            return sp.Integer(0)
        return signsgd_gain_expression(a, b, sp.Rational(repr(q)))

    def phase_index_grid(self, A, B, schedule=None) -> np.ndarray:
        """Index (in table order) of the phase of each grid point, -1 outside the domain."""
        kind, q = _lp_schedule(schedule)
        order = {p.phase: k for k, p in enumerate(self.phase_table(schedule))}
        idx = np.full(np.shape(A), -1, dtype=int)
        ok = in_domain(A, B)
        if not ok.any():
            return idx
        names = sph.signsgd_phases_at(np.asarray(A, float)[ok], np.asarray(B, float)[ok], kind, q)
        idx[ok] = [order.get(nm, -1) for nm in names]  # None (a degenerate vertex on a boundary): -1
        return idx

    def format_table(self, fmt: str = "markdown", schedule=None) -> str:
        kind, _ = _lp_schedule(schedule)
        return sph.format_signsgd_phase_table(fmt, kind)


#: signSGD's rules (registered for :class:`theory.SignSGD` and its subclasses).
SIGNSGD_RULES = SignSGDRules()
RULES.register(SignSGD, SIGNSGD_RULES)
