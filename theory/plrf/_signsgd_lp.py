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

The comparison with SGD (where signSGD's slope is steeper, equal or flatter) is generic over
the optimizers' rules: :func:`theory.plrf.compare`.

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
from fractions import Fraction
from functools import lru_cache

import numpy as np
import sympy as sp

from .._errors import ParameterError
from .._power_terms import alpha, beta
from ..validate import check_real
from ._signsgd_terms import q_sym, signsgd_branches, t_sym, ts_sym, u_sym, w_sym

__all__ = ["SignSGDExponents", "signsgd_exponents_at", "signsgd_eta_numeric", "signsgd_lp_numeric", "signsgd_lp_grid"]

_W_MIN = -20.0


@dataclass(frozen=True)
class SignSGDExponents:
    """Compute-optimal exponents of signSGD at one ``(alpha, beta)``.

    Attributes
    ----------
    eta : loss exponent (``P* ~ f^-eta``); xi : model-size exponent (``d* ~ f^xi``);
    e : learning-rate exponent (``gamma_0 = d^-e``); *_expr : the exact SymPy forms;
    active : names of the active constraints (the phase); degenerate : the optimum is not a
    unique vertex (``xi``/``e`` not unique); ``info["slacks"]``: each constraint's slack at the
    optimum, the exponent by which that term lies below the loss (``term / P* ~ f^-slack``), e.g.
    how fast a subdominant term's share dies out along the frontier.
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


_EXTRA_NAMES = ("stability", "drift time", "u>=0", "u<=1", "gamma<=1", "w>=wmin")
_BOUND_NAMES = ("u>=0", "u<=1", "gamma<=1", "w>=wmin")


def _check_schedule(schedule, q):
    if schedule not in ("constant", "decay"):
        raise ParameterError("schedule", "'constant' or 'decay'", schedule)
    if schedule == "constant":
        return sp.Rational(1, 2)  # unused
    qv = _exact(q)
    if not 0 < float(qv) <= 1:
        raise ParameterError("decay_q", "0 < q <= 1 (q = p/(p+1) for a decay ending like (1 - k/N)^p)", float(qv))
    return qv


def _lp_vars(schedule):
    """The LP's variables; the objective is the third (``t``)."""
    return (u_sym, w_sym, t_sym) if schedule == "constant" else (u_sym, w_sym, t_sym, ts_sym)


def _extra_constraints(schedule="constant"):
    from ._signsgd_terms import preconditioning_exponent

    sigma = preconditioning_exponent()
    tp = t_sym if schedule == "constant" else ts_sym  # the risk at the peak (stable-phase) rate
    # stability of the drift: the effective rate gamma_eff = (2/pi) gamma s / sqrt(P) stays
    # O(1) (per-mode factor 1 - 2 gamma_eff lam > -1, lam_max(K) ~ 1) down to the risk reached
    # at the peak rate P ~ f^-t (f^-t_s with a decay):  w + sigma u + t/2 <= 0.
    # drift time: gamma s N >~ 1 (else nothing has moved; for x_pp >= 2, where the pure-point
    # drift ends in finite time, this is the whole of its constraint)
    return {"stability": -(w_sym + sigma * u_sym + tp / 2), "drift time": w_sym + sigma * u_sym + 1 - u_sym,
            "u>=0": u_sym, "u<=1": 1 - u_sym, "gamma<=1": -w_sym, "w>=wmin": w_sym - _W_MIN}


def _constraints(a, b, schedule="constant", q=sp.Rational(1, 2)):
    """Per branch, the affine constraints ``g(vars) >= 0`` (symbolic, the Piecewise branch
    chosen at the point): ``[(branch name, {name: g}), ...]`` and the variables."""
    out = []
    extra = _extra_constraints(schedule)
    for br in signsgd_branches(schedule):
        cons = {}
        for term in br.terms:
            if term.holds_at(a, b):
                cons[term.name] = sp.expand(_branch(term.constraint().subs(q_sym, q), a, b))
        for n, g in extra.items():
            cons[n] = sp.expand(_branch(g, a, b))
        out.append((br.name, cons))
    return out, _lp_vars(schedule)


def _num_rows(cons, vars_, a, b):
    """Each constraint's row ``[coefficients of vars_..., constant]`` at the exact point ``(a, b)``,
    as floats correctly rounded from the exact rationals."""
    rows = {}
    env = {alpha: Fraction(int(a.p), int(a.q)), beta: Fraction(int(b.p), int(b.q))}
    for n, g in cons.items():
        row = _exact_row(_affine_coefficients(g, vars_), env)
        if row is None:  # not a rational function of (alpha, beta), or a pole here: SymPy's substitution
            gn = sp.expand(g.subs({alpha: a, beta: b}))
            row = [float(gn.coeff(v)) for v in vars_] + [float(gn.subs({v: 0 for v in vars_}))]
        rows[n] = np.array(row)
    return rows


def _exact_row(coeffs, env):
    if coeffs is None:
        return None
    try:
        return [float(_frac_eval(c, env)) for c in coeffs]
    except ZeroDivisionError:
        return None


@lru_cache(maxsize=4096)
def _affine_coefficients(g, vars_):
    """The coefficients of ``g`` in ``vars_`` and its constant, as expressions in ``(alpha, beta)``, when
    ``g`` is affine in ``vars_`` and each coefficient is a rational function of ``(alpha, beta)`` with
    rational constants (else None). Evaluated at a point in exact ``Fraction`` arithmetic they give the
    same correctly rounded floats as substituting the point into ``g`` with SymPy (~50x cheaper: the
    per-point substitution was ~30 ms of each exact signSGD exponent, most of the atlas's SymPy)."""
    ge = sp.expand(g)
    coeffs = [ge.coeff(v) for v in vars_] + [ge.subs({v: 0 for v in vars_})]
    if not all(_rational_in_ab(c) for c in coeffs):
        return None
    if sp.expand(ge - sum(c * v for c, v in zip(coeffs, vars_)) - coeffs[-1]) != 0:
        return None
    return tuple(coeffs)


def _rational_in_ab(e) -> bool:
    if e.is_Rational:
        return True
    if e.is_Symbol:
        return e in (alpha, beta)
    if e.is_Add or e.is_Mul:
        return all(_rational_in_ab(x) for x in e.args)
    if e.is_Pow:
        return e.exp.is_Integer and _rational_in_ab(e.base)
    return False


def _frac_eval(e, env):
    """Exact value of a rational expression (see :func:`_rational_in_ab`) at ``env`` (Fractions)."""
    if e.is_Rational:
        return Fraction(int(e.p), int(e.q))
    if e.is_Symbol:
        return env[e]
    if e.is_Add:
        return sum((_frac_eval(x, env) for x in e.args), Fraction(0))
    if e.is_Mul:
        r = Fraction(1)
        for x in e.args:
            r *= _frac_eval(x, env)
        return r
    return _frac_eval(e.base, env) ** int(e.exp)


def _vertices(R):
    """All vertices ``x`` of ``R[:, :n] x + R[:, n] >= 0`` (``n`` variables) with their index
    tuples (vectorised enumeration of the ``n``-subsets of constraints)."""
    n = R.shape[1] - 1
    combos = np.array(list(itertools.combinations(range(len(R)), n)), dtype=int)
    if combos.size == 0:
        return []
    A = R[combos, :n]
    det = np.linalg.det(A)
    ok = np.abs(det) > 1e-12
    combos, A = combos[ok], A[ok]
    sols = np.linalg.solve(A, -R[combos, n][..., None])[..., 0]
    feas = np.all(sols @ R[:, :n].T + R[:, n] >= -1e-9, axis=1)
    return [(sols[i], tuple(combos[i])) for i in np.nonzero(feas)[0]]


def _symbolic_vertex(system, vars_, tri):
    """``(t, u, e)`` in closed form at the vertex where the affine ``system`` is tight."""
    S = sp.solve(system, list(vars_), dict=True)
    if len(S) != 1:  # pragma: no cover
        raise RuntimeError(f"no unique symbolic vertex for {tri}")
    S = S[0]
    u_e, w_e, t_e = (sp.factor(sp.simplify(S[v])) for v in vars_[:3])
    e_e = sp.factor(sp.simplify(-w_e / u_e)) if u_e != 0 else sp.nan
    return t_e, u_e, e_e


def _memo(name):
    from pathlib import Path

    from .._derivation_cache import DerivationMemo

    return DerivationMemo(name, [Path(__file__)])


#: closed forms of LP vertices, keyed by their linear system (kept on disk per source version)
_VERTEX_MEMO = _memo("signsgd_lp_vertices")


@lru_cache(maxsize=8192)
def _solve_cached(a, b, schedule="constant", q=sp.Rational(1, 2)):
    branches, vars_ = _constraints(a, b, schedule, q)
    cand = []  # (sol, branch index, names of the vertex's constraints, names, rows)
    for bi, (bname, cons) in enumerate(branches):
        rows = _num_rows(cons, vars_, a, b)
        names = list(rows)
        R = np.array([rows[n] for n in names])
        for sol, tri in _vertices(R):
            cand.append((sol, bi, tuple(names[i] for i in tri), names, R))
    if not cand:
        raise ParameterError("(alpha, beta)", "a point with a feasible compute-optimal LP", (float(a), float(b)))
    best = max(c[0][2] for c in cand)
    opt = [c for c in cand if c[0][2] >= best - 1e-9]
    us = [c[0][0] for c in opt]
    ws = [c[0][1] for c in opt]
    degenerate = (max(us) - min(us) > 1e-7) or (max(ws) - min(ws) > 1e-7)
    sol, bi, tri, names, R = max(opt, key=lambda z: (sum(n in _BOUND_NAMES for n in z[2]) == 0, -z[0][0], -z[1]))
    nv = len(vars_)
    slack_all = R[:, :nv] @ sol + R[:, nv]
    active = tuple(n for i, n in enumerate(names) if abs(slack_all[i]) < 1e-9)
    slacks = tuple((n, float(slack_all[i])) for i, n in enumerate(names) if n not in _BOUND_NAMES)
    bname, cons = branches[bi]
    # symbolic re-solve on the chosen vertex's constraints (one derivation per distinct linear system)
    system = [cons[n] for n in tri]
    t_e, u_e, e_e = _VERTEX_MEMO.get(sp.srepr((tuple(system), tuple(vars_))),
                                     lambda: _symbolic_vertex(system, vars_, tri))
    eta_n = float(t_e.subs({alpha: a, beta: b}))
    if abs(eta_n - best) > 1e-8:  # the symbolic answer must reproduce the numeric LP
        raise RuntimeError(f"symbolic/numeric LP mismatch at ({a}, {b}): {eta_n} vs {best}")
    return (float(best), float(sol[0]), float(-sol[1] / sol[0]) if sol[0] > 1e-12 else math.nan,
            t_e, u_e, e_e, active, degenerate, tri, bname, slacks)


def signsgd_exponents_at(alpha_value, beta_value, schedule: str = "constant", decay_q=sp.Rational(1, 2)
                         ) -> SignSGDExponents:
    """Compute-optimal ``(eta, xi, e)`` of signSGD at ``(alpha, beta)`` (``2 alpha + 2 beta > 1``).

    Parameters
    ----------
    alpha_value, beta_value : float
    schedule : {"constant", "decay"}
        ``"decay"``: the rate decays over a fixed fraction of the horizon (WSD / stable-decay),
        which lowers the relaxed modes' noise (:func:`theory._signsgd_terms.signsgd_branches`).
    decay_q : float in (0, 1]
        Noise-suppression exponent of the decay, ``q = p/(p+1)`` for a decay ending like
        ``(1 - k/N)^p`` (linear: 1/2, cosine: 2/3, sharp drop: 1); see
        :func:`theory.signsgd_decay_q`.

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
    qv = _check_schedule(schedule, decay_q)
    a, b = _exact(av), _exact(bv)
    eta, xi, e, t_e, u_e, e_e, active, deg, tri, bname, slacks = _solve_cached(a, b, schedule, qv)
    return SignSGDExponents(float(a), float(b), eta, xi, e, t_e, u_e, e_e, active, deg,
                            {"vertex": tri, "branch": bname, "schedule": schedule,
                             "decay_q": float(qv) if schedule == "decay" else None, "slacks": dict(slacks)})


@lru_cache(maxsize=4)
def _fast_functions(schedule="constant"):
    """Per branch, lambdified (NumPy) constraint functions ``g(alpha, beta, q, u, w, t)`` and
    term regions (``None``: always present)."""
    args = (alpha, beta, q_sym) + _lp_vars(schedule)
    out = []
    for br in signsgd_branches(schedule):
        fns = []
        for term in br.terms:
            f = sp.lambdify(args, term.constraint(), "numpy")
            reg = None if term.region == sp.true else sp.lambdify((alpha, beta), term.region, "numpy")
            fns.append((term.name, f, reg))
        for n, g in _extra_constraints(schedule).items():
            fns.append((n, sp.lambdify(args, g, "numpy"), None))
        out.append((br.name, fns))
    return out


def _numeric_rows(a, b, q, fns, nv):
    rows, names = [], []
    pts = np.vstack([np.zeros(nv), np.eye(nv)])  # the origin and the unit vectors, one call for all
    cols = [pts[:, i] for i in range(nv)]
    for name, f, reg in fns:
        if reg is not None and not bool(reg(a, b)):
            continue
        with np.errstate(all="ignore"):
            val = np.broadcast_to(np.asarray(f(a, b, q, *cols), dtype=float), (nv + 1,))
            c0 = float(val[0])
            row = np.append(val[1:] - c0, c0)
        if np.all(np.isfinite(row)) and np.max(np.abs(row)) < 1e12:  # x_pp -> 2 within rounding: term drops
            rows.append(row)
            names.append(name)
    return np.array(rows), names


def signsgd_lp_numeric(alpha_value: float, beta_value: float, schedule: str = "constant",
                       decay_q: float = 0.5) -> dict:
    """Fast numeric LP (HiGHS via ``scipy.optimize.linprog``; no SymPy; same constraints as
    :func:`signsgd_exponents_at`, tested against it): ``{"eta", "xi", "e", "branch", "vertex",
    "active"}``. Among optimal points the one with the smallest ``u`` is taken (as in the
    symbolic solver); ``vertex`` = ``active`` = the constraints tight there (the key of its
    phase)."""
    from scipy.optimize import linprog

    a, b = float(alpha_value), float(beta_value)
    q = float(decay_q)
    if schedule not in ("constant", "decay"):
        raise ParameterError("schedule", "'constant' or 'decay'", schedule)
    nv = len(_lp_vars(schedule))
    c_t = np.zeros(nv)
    c_t[2] = -1.0
    sols = []
    for bi, (bname, fns) in enumerate(_fast_functions(schedule)):
        R, names = _numeric_rows(a, b, q, fns, nv)
        res = linprog(c_t, A_ub=-R[:, :nv], b_ub=R[:, nv], bounds=[(None, None)] * nv, method="highs")
        if res.status == 0:
            sols.append((-res.fun, bi, bname, R, names, res.x))
    if not sols:
        raise ParameterError("(alpha, beta)", "a point with a feasible compute-optimal LP", (a, b))
    best = max(z[0] for z in sols)
    tbest, bi, bname, R, names, x1 = min((z for z in sols if z[0] >= best - 1e-9), key=lambda z: z[1])
    # second stage: the smallest u at (numerically) optimal t
    c_u = np.zeros(nv)
    c_u[0] = 1.0
    A = np.vstack([-R[:, :nv], -np.eye(nv)[2]])
    bub = np.concatenate([R[:, nv], [-(tbest - 1e-9)]])
    res = linprog(c_u, A_ub=A, b_ub=bub, bounds=[(None, None)] * nv, method="highs")
    sol = res.x if res.status == 0 else x1  # (rounding at a degenerate point: keep stage one)
    slack = R[:, :nv] @ sol + R[:, nv]
    act = tuple(sorted(n for n, sl in zip(names, slack) if abs(sl) < 1e-7))
    return {"eta": float(tbest), "xi": float(sol[0]), "e": float(-sol[1] / sol[0]) if sol[0] > 1e-12 else math.nan,
            "branch": bname, "vertex": act, "active": act}


def signsgd_eta_numeric(alpha_value: float, beta_value: float, schedule: str = "constant",
                        decay_q: float = 0.5) -> tuple:
    """Fast numeric ``(eta, xi, e)`` (see :func:`signsgd_lp_numeric`). For maps over ``(alpha, beta)``."""
    r = signsgd_lp_numeric(alpha_value, beta_value, schedule, decay_q)
    return r["eta"], r["xi"], r["e"]


# ---------------------------------------------------------------------------------------------
# The same LP on many points at once (maps over (alpha, beta)).
#
# The optimal vertex is constant on each phase, so a handful of vertices (active sets) covers a
# whole grid. Each candidate vertex is solved at every point at once (a batched nv x nv solve) and
# accepted where it is *certified* optimal: feasible (every constraint of the branch >= 0) and dual
# feasible (the LP multipliers of its active rows, ``A^T lambda = -e_t``, are >= 0). A point that
# no candidate certifies in a branch gets the per-point solver (HiGHS, as in
# :func:`signsgd_lp_numeric`) for that branch, whose vertex becomes a new candidate. Where the
# chosen branch's vertex is degenerate (a multiplier or another constraint's slack near zero: the
# optimum may not be unique, and which optimal point the per-point route returns is then up to
# its tie-break), or the choice of branch is within rounding of a tie, the point is solved by
# :func:`signsgd_lp_numeric` itself. So the grid answer is the per-point answer wherever the
# optimum is a unique, well-separated vertex, and literally the per-point route elsewhere.

_CERT_TOL = 1e-6  # multipliers and non-active slacks above this: a unique vertex (margin over 1e-7)
_FEAS_TOL = 1e-9
_CANDIDATES: dict = {}  # (schedule, q, branch index) -> list of index tuples (vertices seen in this process)


def _grid_rows(a, b, q, fns, nv):
    """The constraint rows of one branch at every point: ``R`` (npts, nrows, nv + 1) and ``present``
    (npts, nrows), exactly as :func:`_numeric_rows` builds them point by point."""
    n = a.size
    pts = np.vstack([np.zeros(nv), np.eye(nv)])
    A2 = np.broadcast_to(a[:, None], (n, nv + 1))
    B2 = np.broadcast_to(b[:, None], (n, nv + 1))
    Q2 = np.full((n, nv + 1), q)
    cols = [np.broadcast_to(pts[None, :, i], (n, nv + 1)) for i in range(nv)]
    R = np.zeros((n, len(fns), nv + 1))
    present = np.zeros((n, len(fns)), bool)
    for k, (name, f, reg) in enumerate(fns):
        with np.errstate(all="ignore"):
            val = np.broadcast_to(np.asarray(f(A2, B2, Q2, *cols), dtype=float), (n, nv + 1))
            c0 = val[:, :1]
            row = np.concatenate([val[:, 1:] - c0, c0], axis=1)
        ok = np.all(np.isfinite(row), axis=1) & (np.max(np.abs(np.where(np.isfinite(row), row, np.inf)), axis=1) < 1e12)
        if reg is not None:
            with np.errstate(all="ignore"):
                ok &= np.broadcast_to(np.asarray(reg(a, b), dtype=bool), (n,))
        R[:, k] = np.where(ok[:, None], row, 0.0)
        present[:, k] = ok
    return R, present


def _certify(R, present, combo, nv, pts):
    """At the points ``pts``: the vertex of the rows ``combo``, whether it is certified optimal, and
    whether it is a unique, well-separated vertex. Returns ``(x, optimal, unique)``."""
    Rp, Pp = R[pts], present[pts]
    cidx = list(combo)
    A = Rp[:, cidx, :nv]
    ok = np.all(Pp[:, cidx], axis=1)
    det = np.linalg.det(A)
    ok &= np.abs(det) > 1e-12
    A_safe = np.where(ok[:, None, None], A, np.eye(nv)[None])
    x = np.linalg.solve(A_safe, -np.where(ok[:, None], Rp[:, cidx, nv], 0.0)[..., None])[..., 0]
    slack = np.einsum("pkj,pj->pk", Rp[:, :, :nv], x) + Rp[:, :, nv]
    feas = np.all((slack >= -_FEAS_TOL) | ~Pp, axis=1)
    c = np.zeros(nv)
    c[2] = 1.0
    lam = np.linalg.solve(np.transpose(A_safe, (0, 2, 1)), np.broadcast_to(-c, (len(pts), nv))[..., None])[..., 0]
    optimal = ok & feas & np.all(lam >= -1e-10, axis=1)
    # every row clearly tight or clearly slack (the tight set at tolerance 1e-7 is then the same for
    # any point within ~1e-9 of the vertex), and a basis with strictly positive multipliers: then no
    # feasible direction keeps t, i.e. the optimum is this one point
    sep = np.all((np.abs(slack) < _FEAS_TOL) | (slack > _CERT_TOL) | ~Pp, axis=1)
    unique = optimal & np.all(lam > _CERT_TOL, axis=1) & sep
    return x, optimal, unique


def _branch_vertex(Rrow, prow, nv):
    """Per-point HiGHS solve of one branch: ``(status, x, active row indices)``; status 0 = optimal."""
    from scipy.optimize import linprog

    idx = np.flatnonzero(prow)
    R = Rrow[idx]
    c_t = np.zeros(nv)
    c_t[2] = -1.0
    res = linprog(c_t, A_ub=-R[:, :nv], b_ub=R[:, nv], bounds=[(None, None)] * nv, method="highs")
    if res.status != 0:
        return res.status, None, ()
    slack = R[:, :nv] @ res.x + R[:, nv]
    return 0, res.x, tuple(int(idx[i]) for i in np.flatnonzero(np.abs(slack) < 1e-7))


def _bases(Rrow, act, nv):
    """The ``nv``-subsets of the tight rows ``act`` that are dual feasible at this point (the LP
    multipliers ``A^T lambda = -e_t`` >= 0), the most positive first: candidate vertices."""
    c = np.zeros(nv)
    c[2] = 1.0
    out = []
    for combo in itertools.combinations(act, nv):
        A = Rrow[list(combo), :nv]
        if abs(np.linalg.det(A)) <= 1e-12:
            continue
        lam = np.linalg.solve(A.T, -c)
        if lam.min() >= -1e-10:
            out.append((-lam.min(), combo))
    return [c_ for _, c_ in sorted(out)]


def signsgd_lp_grid(alphas, betas, schedule: str = "constant", decay_q: float = 0.5, eta_only: bool = False) -> dict:
    """:func:`signsgd_lp_numeric` at many points at once (same answers; see the comment above).

    Parameters
    ----------
    alphas, betas : array_like, same shape
        The points (each with ``alpha > 0``, ``2 alpha + 2 beta > 1``).
    schedule, decay_q : as for :func:`signsgd_lp_numeric`.
    eta_only : bool
        Only ``eta`` is wanted (the LP's optimal value, unique even where the optimal point is not):
        points with a certified optimal value are not re-solved point by point; ``xi``, ``e``,
        ``branch`` and ``vertex`` are then filled only where the optimum is a unique vertex (NaN /
        None elsewhere).

    Returns
    -------
    dict
        ``eta``, ``xi``, ``e`` (float arrays of the points' shape), ``branch`` and ``vertex``
        (object arrays: branch name, sorted names of the tight constraints), ``per_point``
        (bool array: solved by the per-point route, not by a certified candidate vertex).

    Examples
    --------
    >>> g = signsgd_lp_grid([0.7, 0.4], [1.2, 0.7])
    >>> r = signsgd_lp_numeric(0.7, 1.2)
    >>> bool(abs(g["eta"][0] - r["eta"]) < 1e-9), g["vertex"][0] == r["vertex"]
    (True, True)

    References
    ----------
    Kim, Song & Yun (2026), arXiv:2603.02069 (setting; the LP is derived here).
    """
    if schedule not in ("constant", "decay"):
        raise ParameterError("schedule", "'constant' or 'decay'", schedule)
    A0 = np.asarray(alphas, dtype=float)
    B0 = np.asarray(betas, dtype=float)
    shape = np.broadcast_shapes(A0.shape, B0.shape)
    a = np.broadcast_to(A0, shape).ravel()
    b = np.broadcast_to(B0, shape).ravel()
    q = float(decay_q)
    n = a.size
    nv = len(_lp_vars(schedule))
    branches = _fast_functions(schedule)
    nb = len(branches)
    tval = np.full((nb, n), -np.inf)  # per-branch optimum (-inf: infeasible)
    xs = np.full((nb, n, nv), np.nan)
    uniq = np.zeros((nb, n), bool)
    fallback = np.zeros(n, bool)
    rows = []
    for bi, (bname, fns) in enumerate(branches):
        R, present = _grid_rows(a, b, q, fns, nv)
        rows.append((R, present, [f[0] for f in fns]))
        cands = _CANDIDATES.setdefault((schedule, q, bi), [])
        todo = np.ones(n, bool)

        def apply(combo):
            pts = np.flatnonzero(todo)
            if not pts.size:
                return
            x, opt, un = _certify(R, present, combo, nv, pts)
            hit = pts[opt]
            tval[bi, hit] = x[opt, 2]
            xs[bi, hit] = x[opt]
            uniq[bi, hit] = un[opt]
            todo[hit] = False

        for combo in cands:
            apply(combo)
        while todo.any():
            p = int(np.flatnonzero(todo)[0])
            status, x, act = _branch_vertex(R[p], present[p], nv)
            if status == 2:  # infeasible branch at this point
                todo[p] = False
                continue
            for combo in (_bases(R[p], act, nv) if status == 0 else ()):
                if combo not in cands:
                    cands.append(combo)
                    apply(combo)
                if not todo[p]:
                    break
            if todo[p]:  # degenerate, or not certified: the per-point route
                fallback[p] = True
                todo[p] = False
    # the branch choice, as in signsgd_lp_numeric: the lowest-index branch within 1e-9 of the best
    best = np.max(tval, axis=0)
    fallback |= ~np.isfinite(best)
    with np.errstate(invalid="ignore"):
        gap = np.where(np.isfinite(tval), best[None, :] - tval, np.inf)
    tie = np.any((gap > 1e-10) & (gap < 1e-8), axis=0)  # which branch is chosen is within rounding
    if not eta_only:
        fallback |= tie
    chosen = np.argmax(gap <= 1e-9, axis=0)
    unique = uniq[chosen, np.arange(n)] & ~fallback & ~tie
    if not eta_only:
        fallback |= ~unique
    eta = np.where(np.isfinite(best), tval[chosen, np.arange(n)], np.nan)
    x = xs[chosen, np.arange(n)]
    with np.errstate(all="ignore"):
        xi = x[:, 0].copy()
        e = np.where(x[:, 0] > 1e-12, -x[:, 1] / x[:, 0], math.nan)
    xi[~unique] = np.nan
    e[~unique] = np.nan
    branch = np.empty(n, object)
    vertex = np.empty(n, object)
    for bi, (R, present, names) in enumerate(rows):
        sel = np.flatnonzero((chosen == bi) & unique)
        if not sel.size:
            continue
        slack = np.einsum("pkj,pj->pk", R[sel, :, :nv], x[sel]) + R[sel, :, nv]
        tight = (np.abs(slack) < 1e-7) & present[sel]
        for p, row in zip(sel, tight):
            branch[p] = branches[bi][0]
            vertex[p] = tuple(sorted(names[k] for k in np.flatnonzero(row)))
    for p in np.flatnonzero(fallback):
        r = signsgd_lp_numeric(a[p], b[p], schedule, q)
        eta[p], xi[p], e[p], branch[p], vertex[p] = r["eta"], r["xi"], r["e"], r["branch"], r["vertex"]
    return {"eta": eta.reshape(shape), "xi": xi.reshape(shape), "e": e.reshape(shape),
            "branch": branch.reshape(shape), "vertex": vertex.reshape(shape), "per_point": fallback.reshape(shape)}
