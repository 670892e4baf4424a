"""signSGD's own compute-optimal phase diagram on PLRF: the regions of ``(alpha, beta)`` where
the LP of :mod:`theory.plrf._signsgd_lp` keeps the same optimal vertex.

Derivation (no hand-typed regions):

1. The LP is solved numerically (:func:`theory.plrf._signsgd_lp.signsgd_lp_numeric`) on a
   grid of the domain ``2 alpha + 2 beta > 1``; each point gives its optimal vertex (the LP
   branch and the constraints that define the vertex).
2. At one point of each vertex class the vertex is re-solved symbolically
   (:func:`theory.signsgd_exponents_at`): exact ``eta``, ``xi``, ``e`` as functions of
   ``(alpha, beta)``. Vertex classes with identical closed forms are one phase.
3. Phases are named S-I, S-II, ... in the order of their mean ``(alpha, beta)`` (``alpha``
   first, rounded to 0.05), and described by the terms that define the vertex.
4. Boundaries: between grid neighbours of different phases the boundary point is found by
   bisection along the segment; the boundary curve is the factor of the numerators of
   ``eta_i - eta_j``, ``xi_i - xi_j``, ``e_i - e_j`` or of the vertex's slack constraints (a
   constraint of one vertex, evaluated at the other phase's vertex) that vanishes there
   (``sympy.factor_list``).

References
----------
J. Kim, D. Song, C. Yun, "Scaling Laws of SignSGD in Linear Regression: When Does It
Outperform SGD?", ICLR 2026 (arXiv:2603.02069) (signSGD on PLRF; its phase table was not
available -- derived here); E. Paquette et al., arXiv:2405.15074 (SGD's 4+3 phases, Sec. 3).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import sympy as sp

from .._errors import ParameterError
from ..validate import check_int, check_real
from .._power_terms import alpha, beta
from ._signsgd_lp import _BOUND_NAMES, signsgd_exponents_at, signsgd_lp_grid, signsgd_lp_numeric

__all__ = ["SignSGDPhase", "signsgd_phase_table", "signsgd_phase_of", "signsgd_phases_at", "signsgd_phase_check",
           "signsgd_phase_boundaries", "format_signsgd_phase_table"]

A_RANGE = (0.02, 1.5)
B_RANGE = (0.0, 1.8)
_ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV", "XVI",
          "XVII", "XVIII", "XIX", "XX"]


@dataclass(frozen=True)
class SignSGDPhase:
    """One signSGD phase: the region where the LP's optimal vertex has these closed forms.

    Attributes
    ----------
    name : "S-I", "S-II", ...; terms : the loss terms and constraints defining the vertex;
    eta, xi, e : SymPy expressions in ``alpha, beta``; point : a representative
    ``(alpha, beta)``; keys : the LP vertices (branch, constraints) of this phase;
    schedule : "constant" or "decay".
    """

    name: str
    terms: tuple
    eta: sp.Expr
    xi: sp.Expr
    e: sp.Expr
    point: tuple
    keys: tuple
    schedule: str = "constant"

    @property
    def description(self) -> str:
        loss = [t for t in self.terms if t.startswith(("F_", "noise"))]
        cons = [t for t in self.terms if t not in loss and t not in _BOUND_NAMES]
        txt = " = ".join(loss) if loss else "(no loss term)"
        return txt + ("; " + ", ".join(cons) if cons else "")

    def to_dict(self) -> dict:
        return {"phase": self.name, "terms": list(self.terms), "description": self.description,
                "eta": str(self.eta), "xi": str(self.xi), "e": str(self.e),
                "alpha": self.point[0], "beta": self.point[1], "schedule": self.schedule}


def _canon(e):
    return sp.factor(sp.cancel(sp.together(e))) if e is not sp.nan else e


def _signature(a, b):
    """Which branch of each Piecewise term holds (alpha = 1/4, 1/2; beta = 1/2; x_pp = 2)."""
    return (4 * a > 1, 2 * a > 1, 2 * b > 1, 2 * b - 2 * a - 1 < 0)


def _key(r, a, b):
    return (r["branch"], tuple(sorted(r["vertex"]))) + _signature(a, b)


def _grid(n):
    aa = np.linspace(A_RANGE[0], A_RANGE[1], n)
    bb = np.linspace(B_RANGE[0], B_RANGE[1], int(round(n * 1.2)))
    return aa, bb


def _valid(a, b):
    return 2 * a + 2 * b > 1 + 0.02 and a > 0


_SOURCES = ("_signsgd_phases.py", "_signsgd_lp.py", "_signsgd_terms.py")


def _cached(name, compute, extra_sources=()):
    """A derivation of this module (no user input in it) kept on disk per source version
    (:func:`theory._derivation_cache.cached_derivation`): the phase table costs ~10 s of SymPy."""
    from pathlib import Path

    from .. import _power_terms
    from .._derivation_cache import cached_derivation

    here = Path(__file__).parent
    return cached_derivation(name, [here / f for f in _SOURCES + tuple(extra_sources)] + [Path(_power_terms.__file__)],
                             compute)


@lru_cache(maxsize=8)
def _phases(schedule: str = "constant", n: int = 36, decay_q: float = 0.5):
    return _cached(f"signsgd_phases-{schedule}-{n}-{float(decay_q)!r}", lambda: _derive_phases(schedule, n, decay_q))


def _derive_phases(schedule, n, decay_q):
    aa, bb = _grid(n)
    keys = {}
    for a in aa:
        for b in bb:
            if _valid(a, b):
                r = signsgd_lp_numeric(a, b, schedule, decay_q)
                keys.setdefault(_key(r, a, b), []).append((float(a), float(b)))
    groups = {}  # closed forms -> (keys, points, terms)
    for k, pts in keys.items():
        P = np.array(pts)
        # a representative point: the sampled point nearest the class's mean
        c = P.mean(axis=0)
        a0, b0 = P[np.argmin(np.sum((P - c) ** 2, axis=1))]
        s = signsgd_exponents_at(float(a0), float(b0), schedule, sp.Rational(repr(decay_q)))
        forms = tuple(str(_canon(x)) for x in (s.eta_expr, s.xi_expr, s.e_expr))
        g = groups.setdefault(forms, {"keys": [], "pts": [], "terms": s.info["vertex"],
                                      "exprs": (s.eta_expr, s.xi_expr, s.e_expr), "npts": 0})
        g["keys"].append(k)
        g["pts"].extend(pts)
        if len(pts) > g["npts"]:
            g["npts"] = len(pts)
            g["terms"] = (s.info["branch"],) + tuple(s.info["vertex"])
    order = []
    for forms, g in groups.items():
        P = np.array(g["pts"])
        c = P.mean(axis=0)
        rep = P[np.argmin(np.sum((P - c) ** 2, axis=1))]
        order.append((round(c[0] / 0.05) * 0.05, c[1], forms, g, (float(rep[0]), float(rep[1]))))
    order.sort(key=lambda z: (z[0], z[1]))
    out = []
    for i, (_, _, forms, g, rep) in enumerate(order):
        eta_e, xi_e, e_e = (_canon(x) for x in g["exprs"])
        name = "S-" + (_ROMAN[i] if i < len(_ROMAN) else str(i + 1))
        out.append(SignSGDPhase(name, tuple(g["terms"]), eta_e, xi_e, e_e, rep, tuple(g["keys"]), schedule))
    return tuple(out)


def signsgd_phase_table(schedule: str = "constant", decay_q: float = 0.5) -> tuple:
    """signSGD's phases (derived, see the module docstring), in name order.

    Parameters
    ----------
    schedule : {"constant", "decay"}
        The LP of :func:`theory.signsgd_exponents_at` with this schedule.
    decay_q : float
        Decay exponent (``schedule="decay"`` only).

    Examples
    --------
    >>> tab = {p.name: p for p in signsgd_phase_table()}
    >>> tab[signsgd_phase_of(0.7, 1.2)].eta
    4*alpha/(4*alpha + 1)

    References
    ----------
    Kim, Song & Yun (2026), arXiv:2603.02069 (derived here).
    """
    if schedule not in ("constant", "decay"):
        raise ParameterError("schedule", "'constant' or 'decay'", schedule)
    return _phases(schedule, 36, float(decay_q))


#: phase matched by closed forms, per (schedule, q, LP vertex key) (:func:`signsgd_phase_of`)
_FORM_MATCH: dict = {}


def signsgd_phase_of(alpha_value, beta_value, schedule: str = "constant", decay_q: float = 0.5) -> str:
    """Name of the signSGD phase at ``(alpha, beta)`` (the optimal LP vertex's phase).

    A vertex not met on the sampling grid is matched by its closed forms; a point whose
    vertex matches no phase raises :class:`ParameterError` (the table would be incomplete).

    >>> signsgd_phase_of(0.91, 1.18) == signsgd_phase_of(1.0, 0.7)
    True
    """
    a = check_real("alpha", alpha_value, gt=0)
    b = check_real("beta", beta_value)
    if not 2 * a + 2 * b > 1:
        raise ParameterError("2*alpha + 2*beta", "2*alpha + 2*beta > 1", 2 * a + 2 * b)
    table = signsgd_phase_table(schedule, decay_q)
    k = _key(signsgd_lp_numeric(a, b, schedule, decay_q), a, b)
    for p in table:
        if k in p.keys:
            return p.name
    s = signsgd_exponents_at(a, b, schedule, sp.Rational(repr(float(decay_q))))
    # the closed forms are those of the optimal vertex, i.e. a function of the key: match them once a key
    # (SymPy's simplify of every phase's forms cost ~0.7 s a point in the exponent atlas)
    memo = (schedule, float(decay_q), k)
    if memo not in _FORM_MATCH:
        forms = [_canon(x) for x in (s.eta_expr, s.xi_expr, s.e_expr)]
        _FORM_MATCH[memo] = next((p.name for p in table
                                  if all(sp.simplify(x - y) == 0 for x, y in zip(forms, (p.eta, p.xi, p.e)))), None)
    if _FORM_MATCH[memo] is not None:
        return _FORM_MATCH[memo]
    # a degenerate point (on a boundary): a phase whose closed forms give the LP's optimum here
    sub = {alpha: a, beta: b}
    for p in table:
        if abs(float(p.eta.subs(sub)) - s.eta) < 1e-9 and (s.degenerate or abs(float(p.xi.subs(sub)) - s.xi) < 1e-9):
            return p.name
    raise ParameterError("(alpha, beta)", "a point of a derived signSGD phase (vertex not in the table)", (a, b))


@lru_cache(maxsize=8)
def _phase_fns(schedule, decay_q):
    """Per phase of the table, NumPy functions of ``(alpha, beta)`` for its ``eta``, ``xi``, ``e``."""
    out = []
    for p in signsgd_phase_table(schedule, decay_q):
        out.append((p.name, tuple(None if x is sp.nan else sp.lambdify((alpha, beta), x, "numpy")
                                  for x in (p.eta, p.xi, p.e))))
    return tuple(out)


def signsgd_phases_at(alphas, betas, schedule: str = "constant", decay_q: float = 0.5) -> list:
    """:func:`signsgd_phase_of` at many points at once: the phase names (``None`` where the
    per-point route raises, a degenerate vertex exactly on a boundary).

    The LP is solved on all points together (:func:`theory.plrf._signsgd_lp.signsgd_lp_grid`). A
    point whose vertex is in a phase's key set gets that phase (as in :func:`signsgd_phase_of`); a
    vertex not in the table is matched by the values of the phases' closed forms (``eta``, ``xi``,
    ``e`` within 1e-9 of the LP's, exactly one phase) instead of :func:`signsgd_phase_of`'s
    symbolic re-solve; where no phase or several match, :func:`signsgd_phase_of` itself is used.

    >>> signsgd_phases_at([0.7, 1.0], [1.2, 0.7]) == [signsgd_phase_of(0.7, 1.2), signsgd_phase_of(1.0, 0.7)]
    True
    """
    a = np.asarray(alphas, dtype=float).ravel()
    b = np.asarray(betas, dtype=float).ravel()
    table = signsgd_phase_table(schedule, decay_q)
    owner = {k: p.name for p in table for k in p.keys}
    r = signsgd_lp_grid(a, b, schedule, decay_q)
    names = [None] * a.size
    rest = []
    for i in range(a.size):
        k = (r["branch"][i], tuple(sorted(r["vertex"][i]))) + _signature(a[i], b[i])
        if k in owner:
            names[i] = owner[k]
        else:
            rest.append(i)
    if rest:
        ri = np.array(rest)
        ar, br = a[ri], b[ri]
        got = [r[q][ri] for q in ("eta", "xi", "e")]
        match = []
        for name, fns in _phase_fns(schedule, float(decay_q)):
            ok = np.ones(ri.size, bool)
            for f, v in zip(fns, got):
                if f is None:
                    ok &= ~np.isfinite(v)
                    continue
                with np.errstate(all="ignore"):
                    fv = np.broadcast_to(np.asarray(f(ar, br), dtype=float), ar.shape)
                ok &= np.abs(fv - v) < 1e-9
            match.append((name, ok))
        for j, i in enumerate(rest):
            hits = [name for name, ok in match if ok[j]]
            if len(hits) == 1:
                names[i] = hits[0]
                continue
            try:
                names[i] = signsgd_phase_of(a[i], b[i], schedule, decay_q)
            except ParameterError:
                names[i] = None
    return names


def _bisect(p0, p1, name0, schedule, decay_q, iters=24):
    lo, hi = np.array(p0, float), np.array(p1, float)
    for _ in range(iters):
        mid = (lo + hi) / 2
        try:
            same = signsgd_phase_of(mid[0], mid[1], schedule, decay_q) == name0
        except ParameterError:  # a degenerate vertex exactly on a boundary
            same = False
        if same:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def candidate_factors(p, q):
    """Factors of the numerators of ``eta_p - eta_q``, ``xi_p - xi_q``, ``e_p - e_q`` and the terms'
    piecewise switches: the curves a boundary between phases ``p`` and ``q`` can lie on."""
    polys = []
    for x, y in ((p.eta, q.eta), (p.xi, q.xi), (p.e, q.e)):
        if x is sp.nan or y is sp.nan:
            continue
        num = sp.numer(sp.together(x - y))
        if num != 0:
            polys.append(num)
    # piecewise switches of the terms (alpha = 1/4, 1/2, beta = 1/2, x_pp = 2)
    polys += [4 * alpha - 1, 2 * alpha - 1, 2 * beta - 1, 2 * beta - 2 * alpha - 1]
    out = []
    for poly in polys:
        for f, _ in sp.factor_list(sp.expand(poly))[1]:
            if f.free_symbols and f not in out:
                out.append(f)
    return out


@lru_cache(maxsize=8)
def _boundaries(schedule="constant", n=36, decay_q=0.5):
    return _cached(f"signsgd_boundaries-{schedule}-{n}-{float(decay_q)!r}",
                   lambda: _derive_boundaries(schedule, n, decay_q))


def _derive_boundaries(schedule, n, decay_q):
    table = {p.name: p for p in _phases(schedule, n, decay_q)}
    aa, bb = _grid(n)
    names = np.full((bb.size, aa.size), "", dtype=object)
    for i, b in enumerate(bb):
        for j, a in enumerate(aa):
            if _valid(a, b):
                names[i, j] = signsgd_phase_of(a, b, schedule, decay_q)
    found = {}
    for i in range(bb.size):
        for j in range(aa.size):
            for di, dj in ((0, 1), (1, 0)):
                i2, j2 = i + di, j + dj
                if i2 >= bb.size or j2 >= aa.size or not names[i, j] or not names[i2, j2]:
                    continue
                n0, n1 = names[i, j], names[i2, j2]
                if n0 == n1:
                    continue
                pair = tuple(sorted((n0, n1)))
                if len(found.get(pair, {}).get("points", ())) >= 12:
                    continue
                p0, p1 = np.array((aa[j], bb[i])), np.array((aa[j2], bb[i2]))
                pt = _bisect(p0, p1, n0, schedule, decay_q)
                # the two phases met at the crossing (the segment may cut a third phase)
                step = (p1 - p0) / np.linalg.norm(p1 - p0) * 1e-6
                try:
                    pair = tuple(sorted((signsgd_phase_of(*(pt - step), schedule, decay_q),
                                         signsgd_phase_of(*(pt + step), schedule, decay_q))))
                except ParameterError:  # pragma: no cover - degenerate corner
                    continue
                if pair[0] == pair[1]:  # pragma: no cover
                    continue
                P, Q = table[pair[0]], table[pair[1]]
                facs = candidate_factors(P, Q)
                vals = [abs(float(f.subs({alpha: pt[0], beta: pt[1]}))) for f in facs]
                k = int(np.argmin(vals)) if vals else -1
                curve = facs[k] if k >= 0 and vals[k] < 1e-5 else None
                jump = abs(float(P.eta.subs({alpha: pt[0], beta: pt[1]})) - float(Q.eta.subs({alpha: pt[0], beta: pt[1]})))
                rec = found.setdefault(pair, {"curves": [], "points": [], "max_eta_jump": 0.0})
                if curve is not None and curve not in rec["curves"]:
                    rec["curves"].append(curve)
                if curve is None:
                    rec.setdefault("unexplained", []).append(tuple(pt))
                rec["points"].append(tuple(pt))
                rec["max_eta_jump"] = max(rec["max_eta_jump"], jump)
    return found


def signsgd_phase_boundaries(schedule: str = "constant", decay_q: float = 0.5) -> dict:
    """Boundaries between adjacent signSGD phases: ``{(name_i, name_j): {"curves": [f(alpha,
    beta), ...], "points": [...], "max_eta_jump": float}}``; each curve is ``f = 0``.

    The closed forms of both phases agree in ``eta`` on every boundary point found (continuity
    of the LP value); ``max_eta_jump`` is the largest difference met.
    """
    return _boundaries(schedule, 36, float(decay_q))


def signsgd_phase_check(n: int = 120, schedule: str = "constant", decay_q: float = 0.5) -> dict:
    """Check the phase table on a fine ``n x 1.2 n`` grid: every valid point belongs to exactly
    one phase (its vertex is in one phase's key set or matches one closed form), the phase's
    closed ``eta`` equals the LP optimum there, and ``eta`` is continuous across boundaries.

    Returns ``{"points", "covered", "multiple", "max_eta_error", "max_boundary_jump", "ok"}``.
    """
    n = check_int("n", n, ge=4)
    table = signsgd_phase_table(schedule, decay_q)
    fns = {p.name: sp.lambdify((alpha, beta), p.eta, "math") for p in table}
    aa, bb = _grid(n)
    npts = cov = mult = 0
    err = 0.0
    for a in aa:
        for b in bb:
            if not _valid(a, b):
                continue
            npts += 1
            r = signsgd_lp_numeric(a, b, schedule, decay_q)
            owners = [p.name for p in table if _key(r, a, b) in p.keys]
            if len(owners) > 1:
                mult += 1
            try:
                name = owners[0] if owners else signsgd_phase_of(a, b, schedule, decay_q)
            except ParameterError:
                continue
            cov += 1
            err = max(err, abs(fns[name](a, b) - r["eta"]))
    jump = max((v["max_eta_jump"] for v in signsgd_phase_boundaries(schedule, decay_q).values()), default=0.0)
    ok = cov == npts and mult == 0 and err < 1e-9 and jump < 1e-6
    return {"points": npts, "covered": cov, "multiple": mult, "max_eta_error": err,
            "max_boundary_jump": jump, "ok": bool(ok)}


def format_signsgd_phase_table(fmt: str = "markdown", schedule: str = "constant") -> str:
    """The phase table as Markdown or text: phase, defining terms, ``eta``, ``xi``, ``e``, point."""
    from ..validate import check_choice

    check_choice("fmt", fmt, ("markdown", "latex", "text"))
    head = ["phase", "vertex (LP branch; defining terms)", "eta (P* ~ f^-eta)", "xi (d* ~ f^xi)",
            "e (gamma0 = d^-e)", "point (alpha, beta)"]
    rows = [[p.name, p.terms[0] + "; " + p.description, str(p.eta), str(p.xi), str(p.e),
             f"({p.point[0]:.3g}, {p.point[1]:.3g})"] for p in signsgd_phase_table(schedule)]
    if fmt == "latex":
        body = [" & ".join([r[0], r[1].replace("_", r"\_"), f"${sp.latex(sp.sympify(r[2]))}$",
                            f"${sp.latex(sp.sympify(r[3]))}$", f"${sp.latex(sp.sympify(r[4]))}$", r[5]]) + r" \\"
                for r in rows]
        return "\\begin{tabular}{llllll}\n" + " & ".join(head) + r" \\" + "\n\\hline\n" + "\n".join(body) + \
            "\n\\end{tabular}"
    if fmt == "markdown":
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join(lines)
    w = [max(len(str(r[i])) for r in rows + [head]) for i in range(len(head))]
    return "\n".join("  ".join(str(c).ljust(w[i]) for i, c in enumerate(r)) for r in [head] + rows)
