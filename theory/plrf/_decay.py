"""Decay schedules on PLRF, derived for both optimizers: what a rate that ends like ``(1 - k/N)^p``
over a fixed fraction of the horizon does to each risk term, and the resulting gain
``eta(decay) - eta(constant)`` of the compute-optimal slope with the learning rate re-optimised
per budget.

Derivation (SymPy, here; the per-mode picture is the same for both optimizers)
-------------------------------------------------------------------------------
Both optimizers' expected risks are sums over modes ``j`` of linear recursions
``r_j <- r_j (1 - 2 gamma_k a_j) + gamma_k^2 b_j(k)`` (SGD: ``a_j = lam_j``, ``b_j = lam_j^2 P(k)``,
the Volterra equation written mode by mode; signSGD: ``a_j = phi lam_j``, ``b_j = n_j`` with no
factor ``P``, :mod:`theory.plrf._signsgd_terms`). With the drift-normalised time ``tau = sum gamma_k a``
a mode is

* **unrelaxed** (``a_j tau << 1``): it keeps what was injected and has barely drifted. A decay over
  a fixed fraction changes ``tau`` and the injected total only by constant factors: no exponent moves;
* **relaxed**: it tracks the quasi-static level ``gamma_k b_j / (2 a_j)`` until the time left is its
  relaxation time at the decayed rate, and then freezes. :func:`freeze_exponent` solves this with
  SymPy: the level left is ``(a_j tau)^(-q)`` times the stable-phase one, ``q = p/(p+1)``.

The drift terms (``F_pp``, ``F_ac``) are functions of ``tau`` and ``F_0`` of ``d`` only, so they
keep their exponents. What differs between the optimizers is the relaxed share of the noise:

* **signSGD**: relaxed modes hold ``gamma b_j/(2 a_j)`` with ``b_j`` independent of ``P``, a term
  that is *not* proportional to the risk. The decay multiplies it by ``(a_j tau)^-q`` mode by mode,
  which changes the LP (:func:`theory.plrf._signsgd_terms.signsgd_branches`, ``schedule="decay"``).
* **SGD**: the relaxed share is ``(gamma/2) P sum_{j<=J} lam_j`` -- the risk times the fraction that
  the stability limit keeps below one (the kernel norm). The decay turns it into
  ``(gamma/2) P tau^-q sum_{j<=J} lam_j^(1-q)`` (:func:`sgd_relaxed_share`), still a multiple of
  ``P``: a constant factor ``1/(1 - ||K||)`` is removed, no exponent. The SGD exponent-setting noise
  is the *unrelaxed* memory ``gamma^2 K_pp(tau) sum_s P(s)`` of the early, large risk (Paquette et
  al.'s ``K_pp`` term), which a late decay does not touch. The peak rate must still be stable in
  the stable phase. So, with ``(d, gamma)`` optimised jointly (:func:`sgd_lr_free_exponents`, a
  linear program over ``(log_f d, log_f gamma)``), SGD's decay LP is its constant-rate LP plus one
  constraint that is never active: **the derived gain of SGD is 0 at every (alpha, beta)**, for every
  ``p`` (derived, not assumed: :func:`sgd_lr_free_exponents` with ``schedule="decay"``).

References
----------
J. Kim, D. Song, C. Yun, "Scaling Laws of SignSGD in Linear Regression: When Does It Outperform
SGD?", ICLR 2026 (arXiv:2603.02069) (claim: a stable-decay schedule sharpens signSGD for fast
feature decay and slow target decay, SGD gains nothing); E. Paquette et al., "4+3 Phases of
Compute-Optimal Neural Scaling Laws", NeurIPS 2024 (arXiv:2405.15074), eq. (17) (the ``K_pp``
noise term) and Sec. 4 (compute-optimal LP).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp

from .._errors import ParameterError
from .._power_terms import alpha, beta
from ..validate import check_real
from ._sgd_terms import plrf_sgd_terms, sgd_lr_exponent
from ._signsgd_lp import _vertices
from ._signsgd_terms import t_sym, u_sym, w_sym

__all__ = ["freeze_exponent", "schedule_decay_q", "sgd_relaxed_share", "sgd_lr_free_terms", "sgd_lr_free_exponents",
           "signsgd_gain_expression"]

p_sym = sp.Symbol("p", positive=True)


@lru_cache(maxsize=None)
def freeze_exponent():
    """``q(p)``: a relaxed mode under a rate ``gamma (1 - k/N)^p`` keeps ``(a tau)^-q`` of its level.

    Derived with SymPy: the mode freezes at the step ``k*`` where the drift still to come,
    ``a int_k^N gamma (1 - k'/N)^p dk'``, equals 1; its quasi-static level is proportional to the
    rate there, ``(1 - k*/N)^p``. Solving for ``1 - k*/N`` and taking the exponent of ``tau = gamma N a``:

    >>> q = freeze_exponent()
    >>> q, q.subs(p_sym, 1), q.subs(p_sym, 2)
    (p/(p + 1), 1/2, 2/3)
    """
    s, k, N, g, a, tau = sp.symbols("s k N gamma a tau", positive=True)
    left = sp.integrate(a * g * (1 - k / N) ** p_sym, (k, N * (1 - s), N))  # s = 1 - k*/N
    sol = sp.solve(sp.Eq(sp.simplify(left), 1), s)
    if len(sol) != 1:  # pragma: no cover
        raise RuntimeError(f"freeze condition has no unique root: {sol}")
    level = sp.simplify(sol[0] ** p_sym).subs(g, tau / (N * a))
    lg = sp.expand_log(sp.log(sp.powsimp(level, force=True)), force=True)
    return sp.simplify(-sp.diff(lg, tau) * tau)


def schedule_decay_q(schedule) -> tuple:
    """``("decay", q(p))`` for a schedule whose rate ends like ``(1 - k/N)^p``
    (``Schedule.end_decay_power``), ``("constant", 0.5)`` otherwise (the 0.5 is unused).

    >>> from theory import WSD, Cosine
    >>> schedule_decay_q(WSD(decay=0.2)), schedule_decay_q(Cosine()), schedule_decay_q(None)
    (('decay', 0.5), ('decay', 0.6666666666666666), ('constant', 0.5))
    """
    p = None if schedule is None else schedule.end_decay_power()
    if p is None:
        return "constant", 0.5
    return "decay", float(freeze_exponent().subs(p_sym, sp.Float(p, 17)))


@lru_cache(maxsize=None)
def sgd_relaxed_share(decay: bool = True):
    """Log-``f`` exponent ``E`` of SGD's relaxed noise share ``S = P_relaxed / P ~ f^-E``, with
    ``J = f^iota`` relaxed modes (``iota = min(u, T/(2 alpha))``, ``T = log_f tau``).

    The relaxed modes hold ``r_j = gamma lam_j P / 2`` (balance of ``2 gamma lam_j r_j`` and
    ``gamma^2 lam_j^2 P``), so ``S = (gamma/2) sum_{j<=J} lam_j (lam_j tau)^-q`` after a decay
    (``q = 0`` without). ``sum_{j<=J} j^(-c)`` is ``O(1)`` for ``c > 1`` and ``~ J^(1-c)`` for
    ``c < 1`` (checked against direct sums in the tests). Returns a Piecewise in ``alpha`` and the symbols
    ``q, T, iota``; the constraint of the LP is ``E >= 0`` (the share stays ``O(1)``), which carries
    no ``t``: a decay never makes it a term of the risk.

    >>> E = sgd_relaxed_share()
    >>> sorted(map(str, E.free_symbols))
    ['T', 'alpha', 'iota', 'q', 'w']
    """
    q, T, iota = sp.symbols("q T iota", positive=True)
    qq = q if decay else sp.Integer(0)
    c = 2 * alpha * (1 - qq)
    lead = sp.Piecewise((0, c > 1), ((1 - c) * iota, True))  # log_f of sum_{j<=J} j^-c
    return sp.piecewise_fold(-(w_sym - qq * T + lead))


def _term_exponent(term):
    """``E(u, w)`` of a :class:`PowerTerm` ``gamma^g T^p d^q`` with ``d = f^u``, ``gamma = f^w``, ``T = gamma N``."""
    T = w_sym + 1 - u_sym
    return sp.expand(-(term.t_power * T + term.d_power * u_sym + term.gamma_power * w_sym))


@lru_cache(maxsize=None)
def sgd_lr_free_terms(schedule: str = "constant") -> tuple:
    """SGD's LP constraints ``g(u, w, t) >= 0`` with the rate free: ``(name, g, region)``.

    Terms: every SGD term of :func:`theory.plrf._sgd_terms.plrf_sgd_terms` (``t <= E``); the
    stability of the peak rate ``w <= g_lr u`` (``gamma ~ 1/tr D``, :func:`sgd_lr_exponent`); drift
    time ``T >= 0``. ``schedule="decay"``: the same terms (drift and unrelaxed noise at the same
    ``tau`` up to constants) and the relaxed-share condition :func:`sgd_relaxed_share` on each of
    the branches ``J = d`` / ``J < d``.

    >>> [n for n, _, _ in sgd_lr_free_terms()][:4]
    ['F_pp', 'F_ac', 'F_ac', 'noise']
    """
    if schedule not in ("constant", "decay"):
        raise ParameterError("schedule", "'constant' or 'decay'", schedule)
    out = [(t.name, _term_exponent(t) - t_sym, t.region) for t in plrf_sgd_terms()]
    g = sgd_lr_exponent()
    T = w_sym + 1 - u_sym
    out += [("stability", g * u_sym - w_sym, sp.true), ("drift time", T, sp.true),
            ("u>=0", u_sym, sp.true), ("u<=1", 1 - u_sym, sp.true)]
    if schedule == "decay":
        E = sgd_relaxed_share(True)
        Ts, iota = sp.Symbol("T", positive=True), sp.Symbol("iota", positive=True)
        # J = min(d, tau^(1/(2 alpha))) relaxed modes: two convex branches, each with its condition
        out.append(("relaxed share [J=d]", E.subs({Ts: T, iota: u_sym}), sp.true))
        out.append(("J=d [J=d]", T - 2 * alpha * u_sym, sp.true))
        out.append(("relaxed share [J<d]", E.subs({Ts: T, iota: T / (2 * alpha)}), sp.true))
        out.append(("J<d [J<d]", 2 * alpha * u_sym - T, sp.true))
    return tuple(out)


def _pick(expr, a, b):
    from ._signsgd_lp import _branch

    return _branch(expr, a, b)


@lru_cache(maxsize=16)
def _sgd_lp_functions(schedule, q):
    """``(name, g, region)`` of :func:`sgd_lr_free_terms` with ``q`` substituted, lambdified (NumPy):
    ``g(alpha, beta, u, w, t)`` (a Piecewise / Min / Max in ``alpha, beta`` evaluates to the branch
    that holds there, as :func:`_pick` picks it) and ``region(alpha, beta)`` (``None``: always)."""
    qs = sp.Symbol("q", positive=True)
    out = []
    for name, g, reg in sgd_lr_free_terms(schedule):
        f = sp.lambdify((alpha, beta, u_sym, w_sym, t_sym), g.subs(qs, q), "numpy")
        out.append((name, f, None if reg == sp.true else sp.lambdify((alpha, beta), reg, "numpy")))
    return tuple(out)


@lru_cache(maxsize=4096)
def _sgd_lp(a, b, schedule, q):
    # each constraint is linear in (u, w, t): its row is read off from its values at the origin and
    # the unit vectors (one vectorised call per constraint; the terms' SymPy forms are lambdified once)
    af, bf = float(a), float(b)
    pts = np.vstack([np.zeros(3), np.eye(3)])
    base, tagged = {}, {}
    for name, f, reg in _sgd_lp_functions(schedule, q):
        if reg is None or bool(reg(af, bf)):
            with np.errstate(all="ignore"):
                val = np.broadcast_to(np.asarray(f(af, bf, pts[:, 0], pts[:, 1], pts[:, 2]), dtype=float), (4,))
            row = np.append(val[1:] - val[0], val[0])
            if "[" in name:  # a branch's own constraint
                tagged.setdefault(name[name.index("["):], {})[name] = row
            else:
                base[name if name not in base else name + "'"] = row
    base["w>=wmin"] = np.array([0.0, 1.0, 0.0, 20.0])  # w + 20 >= 0: bounded polytope (a rate below f^-20 is never optimal)
    cand = []
    for extra in (list(tagged.values()) or [{}]):
        cons = {**base, **extra}
        names = list(cons)
        R = np.array([cons[n] for n in names])
        cand += [(sol, tri, names, R) for sol, tri in _vertices(R)]
    if not cand:
        raise ParameterError("(alpha, beta)", "a point with a feasible compute-optimal LP", (float(a), float(b)))
    best = max(c[0][2] for c in cand)
    opt = [c for c in cand if c[0][2] >= best - 1e-9]
    sol, tri, names, R = min(opt, key=lambda c: (round(c[0][0], 9), -c[0][1]))  # smallest model, largest rate
    active = tuple(n for i, n in enumerate(names) if abs(R[i, :3] @ sol + R[i, 3]) < 1e-9)
    return float(best), float(sol[0]), float(sol[1]), active, tuple(names[i] for i in tri)


def sgd_lr_free_eta_grid(alpha_values, beta_values, schedule: str = "constant", decay_q=0.5) -> np.ndarray:
    """``eta`` of :func:`sgd_lr_free_exponents` at many points at once (the decay maps' route, issue 17).

    The same LP and the same arithmetic as the per-point :func:`_sgd_lp`: each constraint's row from its
    lambdified form at the origin and the unit vectors, evaluated for all points in one call; the points
    grouped by the constraints their regions admit; in each group every 3-subset of constraints solved
    at every point in one stacked solve, kept where feasible (tolerance 1e-9), ``eta`` the largest ``t``
    over the feasible vertices of every branch. Only ``eta`` (the per-point tie-break between optimal
    vertices picks ``xi`` and ``w``, not ``eta``). Equal to the per-point route at every point of the
    report's maps (``tests/theory/plrf/test_sgd_decay_grid.py``). Points must lie in the domain
    ``alpha > 0``, ``2 alpha + 2 beta > 1``.

    >>> pts = [(0.7, 1.2), (1.0, 0.3), (0.4, 0.7)]
    >>> g = sgd_lr_free_eta_grid([a for a, _ in pts], [b for _, b in pts])
    >>> bool(np.all(g == [sgd_lr_free_exponents(a, b)["eta"] for a, b in pts]))
    True
    """
    a = np.asarray(alpha_values, dtype=float).ravel()
    b = np.asarray(beta_values, dtype=float).ravel()
    if a.shape != b.shape:
        raise ParameterError("alpha_values/beta_values", "arrays of one size", (a.size, b.size))
    if not np.all((a > 0) & (2 * a + 2 * b > 1)):
        raise ParameterError("(alpha, beta)", "points with alpha > 0 and 2*alpha + 2*beta > 1", "a point outside")
    q = sp.Rational(repr(float(check_real("decay_q", decay_q, gt=0, le=1)))) if schedule == "decay" else sp.Integer(0)
    fns = _sgd_lp_functions(schedule, q)
    n = a.size
    out = np.full(n, np.nan)
    if n == 0:
        return out
    pts = np.vstack([np.zeros(3), np.eye(3)])
    aa, bb = np.repeat(a, 4), np.repeat(b, 4)
    uu, ww, tt = (np.tile(pts[:, k], n) for k in range(3))
    rows, admits = [], []
    for name, f, reg in fns:
        with np.errstate(all="ignore"):
            val = np.broadcast_to(np.asarray(f(aa, bb, uu, ww, tt), dtype=float), (4 * n,)).reshape(n, 4)
        rows.append(np.concatenate([val[:, 1:] - val[:, :1], val[:, :1]], axis=1))
        admits.append(np.ones(n, bool) if reg is None else np.broadcast_to(np.asarray(reg(a, b), dtype=bool), (n,)))
    admits = np.array(admits)  # (constraints, points)
    keys, group = np.unique(admits.T, axis=0, return_inverse=True)
    for g, key in enumerate(keys):
        idx = np.flatnonzero(group.ravel() == g)
        base, tagged = {}, {}
        for (name, _, _), row, on in zip(fns, rows, key):
            if not on:
                continue
            if "[" in name:  # a branch's own constraint
                tagged.setdefault(name[name.index("["):], {})[name] = row[idx]
            else:
                base[name if name not in base else name + "'"] = row[idx]
        base["w>=wmin"] = np.broadcast_to(np.array([0.0, 1.0, 0.0, 20.0]), (idx.size, 4))
        best = np.full(idx.size, -np.inf)
        for extra in (list(tagged.values()) or [{}]):
            cons = {**base, **extra}
            R = np.stack([cons[m] for m in cons], axis=1)  # (points, constraints, 4)
            best = np.maximum(best, _best_vertex_t(R))
        out[idx] = best
    bad = ~np.isfinite(out)
    for i in np.flatnonzero(bad):  # no feasible vertex: the per-point route says why
        out[i] = sgd_lr_free_exponents(a[i], b[i], schedule, decay_q)["eta"]
    return out


def _best_vertex_t(R):
    """Largest ``t`` (third variable) over the vertices of ``R[p, :, :3] x + R[p, :, 3] >= 0`` at every point
    ``p`` (``-inf`` where none): :func:`theory.plrf._signsgd_lp._vertices` for a stack of points."""
    import itertools

    P, m, _ = R.shape
    combos = np.array(list(itertools.combinations(range(m), 3)), dtype=int)
    best = np.full(P, -np.inf)
    if combos.size == 0:
        return best
    A = R[:, combos, :3]  # (P, C, 3, 3)
    det = np.linalg.det(A)
    ok = np.abs(det) > 1e-12
    pi, ci = np.nonzero(ok)
    sols = np.linalg.solve(A[pi, ci], -R[pi[:, None], combos[ci], 3][..., None])[..., 0]  # (K, 3)
    slack = np.einsum("kj,kij->ki", sols, R[pi, :, :3]) + R[pi, :, 3]
    feas = np.all(slack >= -1e-9, axis=1)
    np.maximum.at(best, pi[feas], sols[feas, 2])
    return best


def sgd_lr_free_exponents(alpha_value, beta_value, schedule: str = "constant", decay_q=0.5) -> dict:
    """SGD's compute-optimal ``(eta, xi, w)`` with ``d = f^xi`` and ``gamma = f^w`` **both** optimised
    (``w`` free below the stability limit), constant rate or a decay (:func:`sgd_lr_free_terms`).

    Vertex enumeration of the 3-variable LP (as signSGD's). Returns ``{"eta", "xi", "w",
    "active", "vertex"}``; ``"active"`` lists the tight constraints, ``"vertex"`` three of them that
    define the optimum (at a degenerate vertex, more than three tight, which three is not unique).
    The constraint rows are evaluated in floating point from the lambdified terms. With a decay the relaxed-share
    conditions are never tight at the optimum (tested on a grid), so ``eta`` is unchanged:

    >>> c, d = sgd_lr_free_exponents(0.7, 1.2), sgd_lr_free_exponents(0.7, 1.2, "decay", 0.5)
    >>> round(c["eta"], 12) == round(d["eta"], 12) == round(9 / 14, 12), c["active"][:2]
    (True, ('F_ac', 'noise'))
    """
    a = sp.Rational(repr(float(check_real("alpha", alpha_value, gt=0))))
    b = sp.Rational(repr(float(check_real("beta", beta_value))))
    if not 2 * a + 2 * b > 1:
        raise ParameterError("2*alpha + 2*beta", "2*alpha + 2*beta > 1", float(2 * a + 2 * b))
    q = sp.Rational(repr(float(check_real("decay_q", decay_q, gt=0, le=1))))
    eta, xi, w, active, tri = _sgd_lp(a, b, schedule, q if schedule == "decay" else sp.Integer(0))
    return {"eta": eta, "xi": xi, "w": w, "active": active, "vertex": tri}


def signsgd_gain_expression(alpha_value, beta_value, decay_q=sp.Rational(1, 2)):
    """The exact gain ``eta_decay - eta_constant`` of signSGD at a point, as a SymPy expression in
    ``alpha, beta`` valid through the point's region (both LPs re-solved symbolically on their
    active sets, :func:`theory.plrf._signsgd_lp.signsgd_exponents_at`).

    In S-VI (``alpha > 1/2``, ``beta > alpha + 1/2``):

    >>> g = signsgd_gain_expression(0.7, 1.5)
    >>> sp.simplify(g - ((6*alpha - 1)/(6*alpha) - 4*alpha/(4*alpha + 1))) == 0
    True
    """
    from ._signsgd_lp import signsgd_exponents_at

    c = signsgd_exponents_at(alpha_value, beta_value)
    d = signsgd_exponents_at(alpha_value, beta_value, "decay", decay_q)
    return sp.factor(sp.simplify(d.eta_expr - c.eta_expr))

