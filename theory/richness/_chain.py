"""Closed forms of the simple model: sharpness, the edge of stability and its two limits, the regimes
of the gamma-eta plane, the plateau (escape) time and the time reparameterisation.

What is what (the paper's own equations were not available; research note ``signsgd_gamma.md``
Sec. B.4):

* **Derived here** (SymPy, from the model of :class:`theory.richness.Chain`): the Hessian at the
  balanced points and its eigenvalues, the sharpness at init ``L/gamma^2`` (Gauss-Newton part) and at
  the solution ``L (1+gamma)^(2(L-1)/L) / gamma^2``; the edge ``eta_edge = 2/lambda*`` and its limits
  (exponents and coefficients by SymPy limits); that the balanced minimiser is the flattest point of
  the solution manifold (AM-GM), so no GD run of the chain converges above ``eta_edge`` from any
  initialisation; the crossing ``gamma = 1`` of the two limits; the threshold ``gamma = L/(L-1)`` above
  which gradient flow's loss curve starts concave (a slow start that accelerates: the onset of the
  plateau); the reduced dynamics ``u = w gamma^(-1/L)``, ``c = eta gamma^(-2/L)`` and the escape times
  ``ln(gamma)/(2c)`` (``L = 2``, and ``ln(gamma)/(2 ln(1+c))`` for discrete GD) and
  ``gamma^(1-2/L)/((L-2)c)`` (``L >= 3``, blow-up time of ``du/dt = c u^(L-1)``); for cross-entropy,
  the sharpness at init, its lazy edge ``8 gamma^2/L``, the first-step weight change ``eta/(2 gamma)``
  (so the weights move by O(1) in one step at ``eta = 2 gamma``) and that the chain never diverges.
* **Reconstructed** (from the note, not from the paper): the model itself; the names and the placement
  of the regimes; the catapult window of the *wide* depth-2 network ``2/lambda_0 < eta < 4/lambda_0``
  (Lewkowycz et al. 2020, not the chain: the chain has no window, see above); that ``eta* ~ gamma``
  for cross-entropy at small gamma comes from the ``O(1)`` weight change in one step.
* **Checked by simulation** in :mod:`numerics.richness` and :mod:`verification.richness`.

References
----------
A. Atanasov, A. Meterez, J. B. Simon, C. Pehlevan, "The Optimization Landscape of SGD Across the
Feature Learning Strength", ICLR 2025 (arXiv:2410.04642), abstract (``eta* ~ gamma^2`` and
``gamma^(2/L)``), the simple model and its phase portraits (Fig. 6), cross-entropy (Fig. 2d).
A. Lewkowycz, Y. Bahri, E. Dyer, J. Sohl-Dickstein, G. Gur-Ari, "The large learning rate phase of deep
learning: the catapult mechanism", arXiv:2003.02218 (2020), Sec. 2 (window ``2/lambda_0 < eta < 4/lambda_0``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import sympy as sp

from .._errors import ParameterError
from ..validate import check_choice, check_int, check_real
from ._problem import LOSSES

__all__ = [
    "GAMMA", "ETA", "C", "L_SYMBOL",
    "loss_expr", "hessian_eigenvalues", "sharpness_expr", "sharpness",
    "eta_edge_expr", "eta_edge", "eta_edge_limits", "PowerLimit", "lazy_edge", "catapult_edge",
    "solution_manifold_sharpness", "lazy_rich_gamma", "accelerating_gamma", "Regime", "REGIMES",
    "regime", "escape_time_expr", "escape_time", "reduced_variables",
    "xent_weight_edge", "xent_first_step_change", "lazy_limit_map",
]

#: feature-learning strength, learning rate, reduced learning rate ``c = eta gamma^(-2/L)``, depth
GAMMA = sp.Symbol("gamma", positive=True)
ETA = sp.Symbol("eta", positive=True)
C = sp.Symbol("c", positive=True)
L_SYMBOL = sp.Symbol("L", positive=True, integer=True)
_W = sp.Symbol("w", positive=True)


def _depth(depth) -> int:
    return check_int("depth", depth, ge=1, le=64)


def loss_expr(depth: int, loss: str = "mse"):
    """The loss of the chain as a SymPy expression in the weights ``w1..wL`` and ``gamma``.

    Returns ``(weights, loss)``.

    >>> ws, l = loss_expr(2); l
    (-1 + (w1*w2 - 1)/gamma)**2/2
    >>> loss_expr(2, "xent")[1]
    log(1 + exp(-(w1*w2 - 1)/gamma))
    """
    L = _depth(depth)
    check_choice("loss", loss, LOSSES)
    ws = sp.symbols(f"w1:{L + 1}", real=True)
    f = (sp.Mul(*ws) - 1) / GAMMA
    if loss == "mse":
        return ws, (f - 1) ** 2 / 2
    return ws, sp.log(1 + sp.exp(-f))


@functools.lru_cache(maxsize=None)
def hessian_eigenvalues(depth: int, at: str = "init", loss: str = "mse") -> tuple:
    """Eigenvalues of the loss Hessian at a balanced point, derived from the explicit Hessian.

    At a balanced point ``w_l = w`` every diagonal entry is ``a + b`` and every off-diagonal one ``b``
    (by symmetry), so the Hessian is ``a I + b 11^T``: eigenvalue ``a + L b`` along ``(1, .., 1)`` and
    ``a`` on its orthogonal complement (multiplicity ``L - 1``). ``at`` is ``"init"`` (``w = 1``) or
    ``"solution"`` (``w = (1+gamma)^(1/L)``, MSE only: the cross-entropy chain has no finite minimiser).

    Returns ``((eigenvalue along 1, 1), (eigenvalue orthogonal, L-1))`` (the second is omitted at
    ``L = 1``).

    >>> hessian_eigenvalues(3)
    ((-2/gamma + 3/gamma**2, 1), (1/gamma, 2))
    >>> hessian_eigenvalues(2, "solution")
    ((2*(gamma + 1)/gamma**2, 1), (0, 1))
    >>> hessian_eigenvalues(2, "init", "xent")
    ((-1/(2*gamma) + 1/(2*gamma**2), 1), (1/(2*gamma), 1))
    """
    L = _depth(depth)
    check_choice("at", at, ("init", "solution"))
    check_choice("loss", loss, LOSSES)
    if at == "solution" and loss != "mse":
        raise ParameterError("at", "'init' for loss='xent' (the cross-entropy chain has no finite minimiser)", at)
    ws, ell = loss_expr(L, loss)
    point = sp.Integer(1) if at == "init" else (1 + GAMMA) ** sp.Rational(1, L)
    sub = {w: point for w in ws}
    h00 = sp.diff(ell, ws[0], 2).subs(sub)
    if L == 1:
        return ((sp.simplify(h00), 1),)
    h01 = sp.diff(ell, ws[0], ws[1]).subs(sub)
    along = sp.expand(sp.simplify(h00 + (L - 1) * h01))
    ortho = sp.expand(sp.simplify(h00 - h01))
    if at == "solution":
        along = sp.factor(along)
    return ((along, 1), (ortho, L - 1))


def sharpness_expr(depth=None, at: str = "init", loss: str = "mse", part: str = "gauss-newton"):
    """The sharpness of the chain as a SymPy expression in ``gamma`` (and ``L`` when ``depth`` is None).

    ``part="gauss-newton"``: the top eigenvalue of ``l''(f) grad f grad f^T`` = ``l''(f) |grad f|^2``
    (the NTK at the one example times the loss curvature), derived at a balanced point from
    ``df/dw_l = w^(L-1)/gamma``. At the solution the residual vanishes and this is the whole Hessian
    (see :func:`hessian_eigenvalues`). ``part="full"`` (concrete ``depth`` only): the largest Hessian
    eigenvalue (``Max`` of the two).

    >>> sharpness_expr(at="init")
    L/gamma**2
    >>> sharpness_expr(at="solution")
    L*(gamma + 1)**(2*(L - 1)/L)/gamma**2
    >>> sharpness_expr(2, at="init", loss="xent")
    1/(2*gamma**2)
    >>> sharpness_expr(2, at="init", part="full")
    Max(1/gamma, -1/gamma + 2/gamma**2)
    """
    check_choice("at", at, ("init", "solution"))
    check_choice("loss", loss, LOSSES)
    check_choice("part", part, ("gauss-newton", "full"))
    if part == "full":
        if depth is None:
            raise ParameterError("depth", "an integer 1..64 for part='full'", depth)
        return sp.Max(*[ev for ev, _ in hessian_eigenvalues(_depth(depth), at, loss)])
    L = L_SYMBOL if depth is None else sp.Integer(_depth(depth))
    if at == "solution" and loss != "mse":
        raise ParameterError("at", "'init' for loss='xent' (the cross-entropy chain has no finite minimiser)", at)
    w = sp.Integer(1) if at == "init" else (1 + GAMMA) ** (1 / L)
    grad_sq = L * w ** (2 * L - 2) / GAMMA**2
    if loss == "mse":
        curv = sp.Integer(1)
    else:  # l(f) = log(1 + e^-f): l''(0) = 1/4
        f = sp.Symbol("f")
        curv = sp.diff(sp.log(1 + sp.exp(-f)), f, 2).subs(f, 0)
    return sp.powsimp(sp.simplify(curv * grad_sq), force=True)


def sharpness(gamma, depth: int, at: str = "init", loss: str = "mse"):
    """Numeric Gauss-Newton sharpness (see :func:`sharpness_expr`), vectorised over ``gamma``.

    >>> float(sharpness(3.0, 2, "solution"))
    0.888...
    """
    g = _gammas(gamma)
    fn = sp.lambdify(GAMMA, sharpness_expr(_depth(depth), at, loss), "numpy")
    return np.asarray(fn(g), dtype=np.float64) * np.ones_like(g)


def eta_edge_expr(depth=None):
    """The edge of stability of GD on the MSE chain, ``2 / lambda*``, derived (SymPy).

    GD converges to a minimiser only if ``eta < 2/lambda`` there (linear stability); the balanced
    minimiser is the flattest (:func:`solution_manifold_sharpness`), so ``eta_edge`` bounds every
    converging run. From the balanced start the run is exactly the 1-d map
    ``w <- w - eta (w^L - 1 - gamma) w^(L-1) / gamma^2``, whose fixed point has multiplier
    ``1 - eta lambda*`` (checked: the last convergent grid point lies just below, in
    :mod:`numerics.richness`).

    >>> eta_edge_expr()
    2*gamma**2*(gamma + 1)**(2*(1 - L)/L)/L
    >>> eta_edge_expr(2)
    gamma**2/(gamma + 1)
    """
    return sp.powsimp(sp.simplify(2 / sharpness_expr(depth, "solution")), force=True)


def eta_edge(gamma, depth: int):
    """``eta_edge(gamma, L) = 2 gamma^2 / (L (1+gamma)^(2(L-1)/L))``, vectorised over ``gamma``.

    >>> float(eta_edge(1.0, 2))
    0.5
    >>> [float(f"{x:.6g}") for x in eta_edge([1e-3, 1e3], 4)]
    [4.99251e-07, 15.7877]
    """
    g = _gammas(gamma)
    L = _depth(depth)
    return 2 * g**2 / (L * (1 + g) ** (2 * (L - 1) / L))


@dataclass(frozen=True)
class PowerLimit:
    """A limit ``coefficient * gamma^exponent`` of an expression (SymPy values)."""

    coefficient: sp.Expr
    exponent: sp.Expr

    @property
    def expr(self):
        return self.coefficient * GAMMA**self.exponent


def _power_limit(expr, point):
    """Leading power law of ``expr`` as ``gamma -> point`` (0 or oo), derived by SymPy limits: the
    exponent is the limit of the log-derivative, the coefficient the limit of ``expr/gamma^p``."""
    p = sp.simplify(sp.limit(sp.simplify(GAMMA * sp.diff(sp.log(expr), GAMMA)), GAMMA, point))
    log_ratio = sp.expand_log(sp.log(expr / GAMMA**p), force=True)
    if point == 0:
        coef = sp.exp(sp.limit(log_ratio, GAMMA, 0))
    else:  # gamma = 1/s, s -> 0
        s = sp.Symbol("s", positive=True)
        coef = sp.exp(sp.limit(sp.simplify(sp.expand_log(log_ratio.subs(GAMMA, 1 / s), force=True)), s, 0))
    return PowerLimit(sp.simplify(coef), p)


def eta_edge_limits(depth=None) -> dict:
    """The two limits of ``eta_edge``, derived by SymPy limits (not typed in).

    Returns ``{"small_gamma": PowerLimit, "large_gamma": PowerLimit}``.

    >>> lim = eta_edge_limits(); lim["small_gamma"].expr, lim["large_gamma"].expr
    (2*gamma**2/L, 2*gamma**(2/L)/L)
    >>> eta_edge_limits(3)["large_gamma"].expr
    2*gamma**(2/3)/3
    """
    e = eta_edge_expr(depth)
    return {"small_gamma": _power_limit(e, 0), "large_gamma": _power_limit(e, sp.oo)}


def lazy_edge(gamma, depth: int, loss: str = "mse"):
    """``2 / lambda_0``: the stability limit of the model linearised at init (the lazy / NTK edge).

    MSE: ``2 gamma^2 / L``; cross-entropy: ``8 gamma^2 / L`` (``l''(0) = 1/4``). For MSE it is the
    small-gamma limit of :func:`eta_edge`; in the wide network the catapult window starts here.

    >>> round(float(lazy_edge(0.1, 2)), 12), round(float(lazy_edge(0.1, 2, "xent")), 12)
    (0.01, 0.04)
    """
    g = _gammas(gamma)
    fn = sp.lambdify(GAMMA, 2 / sharpness_expr(_depth(depth), "init", loss), "numpy")
    return np.asarray(fn(g), dtype=np.float64) * np.ones_like(g)


def catapult_edge(gamma, depth: int):
    """Upper edge ``4 / lambda_0 = 4 gamma^2 / L`` of the catapult window of the *wide* depth-2 network.

    Reconstructed from Lewkowycz et al. (2020), Sec. 2, for the two-layer wide network with MSE (the
    NTK at init is ``L/(gamma^2)`` in the muP parameterisation, as here); there is no closed form for
    ``L != 2`` in this toolkit, and the chain itself has no window (its balanced minimiser is the
    flattest). Measured for the wide network by :func:`numerics.richness.wide_max_stable_eta`.

    >>> round(float(catapult_edge(0.1, 2)), 12)
    0.02
    >>> catapult_edge(0.1, 3)
    Traceback (most recent call last):
    ...
    theory.ParameterError: depth must satisfy 2 (no closed-form catapult edge for depth != 2); got depth=3
    """
    if _depth(depth) != 2:
        raise ParameterError("depth", "2 (no closed-form catapult edge for depth != 2)", depth)
    return 2 * lazy_edge(gamma, 2)


def solution_manifold_sharpness(weights, gamma: float) -> float:
    """Sharpness ``|grad f|^2`` at a point of the MSE solution manifold ``prod w = 1 + gamma``.

    On the manifold, ``|grad f|^2 = (1+gamma)^2 sum_l w_l^-2 / gamma^2 >= L (1+gamma)^(2-2/L)/gamma^2``
    by AM-GM (``sum w_l^-2 >= L prod w_l^(-2/L)``), with equality only at the balanced point: the
    balanced minimiser is the flattest. ``weights`` are rescaled onto the manifold first (their signs
    and ratios kept).

    >>> round(solution_manifold_sharpness([1.0, 4.0], 3.0) / float(sharpness(3.0, 2, "solution")), 6)
    2.125
    """
    g = check_real("gamma", gamma, gt=0)
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim != 1 or w.size < 1 or np.any(w == 0) or not np.all(np.isfinite(w)):
        raise ParameterError("weights", "a 1-d array of finite non-zero numbers", weights)
    prod = float(np.prod(w))
    if prod <= 0:
        raise ParameterError("weights", "a positive product (the manifold prod w = 1 + gamma > 0)", prod)
    w = w * ((1 + g) / prod) ** (1.0 / w.size)
    return float((1 + g) ** 2 * np.sum(w**-2.0) / g**2)


def lazy_rich_gamma(depth=None):
    """Where the two limits of ``eta_edge`` cross: ``2 gamma^2/L = (2/L) gamma^(2/L)`` at ``gamma = 1``
    (derived, ``L >= 2``): the boundary between the lazy (``eta ~ gamma^2``) and rich sides.

    >>> lazy_rich_gamma(), lazy_rich_gamma(4)
    (1, 1)
    """
    lim = eta_edge_limits(depth)
    sol = sp.solve(sp.Eq(sp.log(lim["small_gamma"].expr), sp.log(lim["large_gamma"].expr)), GAMMA)
    sol = [s for s in sol if s.is_positive]
    return sol[0] if sol else sp.Integer(1)


def accelerating_gamma(depth=None):
    """``gamma`` above which the gradient-flow loss curve of the MSE chain starts concave: ``L/(L-1)``.

    Derived: along ``dw/dt = -eta dl/dw_l`` from ``w = 1``, ``d^2 l/dt^2`` at ``t = 0`` is
    ``-(eta^2 L/gamma^3) (2L - 2 - 2L/gamma)``, negative iff ``gamma > L/(L-1)``. Below it the loss
    falls fastest at the start (lazy, exponential); above it the fall accelerates after a slow start:
    the onset of the plateau of the (ultra-)rich regime. ``oo`` for ``L = 1`` (no plateau).

    >>> accelerating_gamma(), accelerating_gamma(2), accelerating_gamma(1)
    (L/(L - 1), 2, oo)
    """
    L = L_SYMBOL if depth is None else sp.Integer(_depth(depth))
    if L == 1:
        return sp.oo
    w = _W
    r = (w**L - 1) / GAMMA - 1
    ell = r**2 / 2
    dwdt = -ETA * r * w ** (L - 1) / GAMMA  # each of the L weights
    dldt = sp.diff(ell, w) * dwdt  # d ell(w(t))/dt with all weights equal: ell depends on w^L
    d2 = sp.simplify((sp.diff(dldt, w) * dwdt).subs(w, 1))
    sol = sp.solve(sp.Eq(sp.factor(d2), 0), GAMMA)
    sol = [s for s in sol if s.is_positive is not False]
    return sp.simplify(sol[0])


@dataclass(frozen=True)
class Regime:
    """A region of the gamma-eta plane: ``name``, its ``description`` and its boundaries (text)."""

    name: str
    description: str
    boundaries: str


#: the regimes of the MSE chain's gamma-eta plane, in the order of :func:`regime`'s tests
REGIMES = (
    Regime("divergent", "GD does not converge (diverges, or oscillates on a cycle)", "eta >= eta_edge(gamma, L)"),
    Regime("lazy", "the sharpness barely moves; eta* ~ gamma^2", "gamma < 1, eta < eta_edge"),
    Regime("rich", "features move O(1); the loss still falls fastest at the start", "1 <= gamma <= L/(L-1), eta < eta_edge"),
    Regime("ultra-rich", "a plateau, then a drop; eta* ~ gamma^(2/L); plateau ~ ln(gamma)/(2c) or gamma^(1-2/L)/((L-2)c)",
           "gamma > L/(L-1), eta < eta_edge"),
)


def regime(gamma, eta, depth: int) -> str:
    """The regime of the MSE chain at ``(gamma, eta)``: ``divergent``, ``lazy``, ``rich`` or ``ultra-rich``.

    The boundaries are closed forms: ``eta_edge`` (exact for the chain), ``gamma = 1`` (crossing of
    the limits), ``gamma = L/(L-1)`` (:func:`accelerating_gamma`). The chain has no catapult window (see
    :func:`catapult_edge` for the wide network's).

    >>> regime(0.01, 1e-5, 2), regime(1.5, 0.1, 2), regime(100.0, 1.0, 3), regime(100.0, 100.0, 3)
    ('lazy', 'rich', 'ultra-rich', 'divergent')
    """
    g = check_real("gamma", gamma, gt=0)
    e = check_real("eta", eta, gt=0)
    L = _depth(depth)
    if e >= float(eta_edge(g, L)):
        return "divergent"
    if g < 1:
        return "lazy"
    if L == 1 or g <= L / (L - 1):
        return "rich"
    return "ultra-rich"


def reduced_variables(depth: int) -> dict:
    """The time reparameterisation of the large-gamma chain, derived.

    With ``u = w gamma^(-1/L)`` and ``c = eta gamma^(-2/L)``, gradient flow of the balanced MSE chain is
    exactly ``du/dt = c (1 + 1/gamma - u^L) u^(L-1)`` from ``u(0) = gamma^(-1/L)``, and the loss is
    ``(u^L - 1 - 1/gamma)^2 / 2``: as ``gamma -> oo`` neither depends on gamma except through the start,
    so all large-gamma curves run along one curve, delayed by :func:`escape_time`.

    >>> reduced_variables(2)["dudt"]
    c*u*(-u**2 + 1 + 1/gamma)
    """
    L = _depth(depth)
    u = sp.Symbol("u", positive=True)
    w = u * GAMMA ** sp.Rational(1, L)
    eta = C * GAMMA ** sp.Rational(2, L)
    r = (w**L - 1) / GAMMA - 1
    dwdt = -eta * r * w ** (L - 1) / GAMMA
    dudt = sp.simplify(sp.powsimp(sp.expand(dwdt / GAMMA ** sp.Rational(1, L)), force=True))
    dudt = sp.collect(sp.factor(dudt), C)
    target = C * (1 + 1 / GAMMA - u**L) * u ** (L - 1)
    if sp.simplify(dudt - target) != 0:  # pragma: no cover - a derivation check
        raise AssertionError(f"reduced dynamics not as stated: {dudt}")
    return {"u": u, "dudt": target, "u0": GAMMA ** sp.Rational(-1, L),
            "loss": sp.expand((u**L - 1 - 1 / GAMMA) ** 2 / 2), "c": ETA * GAMMA ** sp.Rational(-2, L)}


def escape_time_expr(depth: int, kind: str = "flow"):
    """Leading plateau (escape) time of the ultra-rich chain, derived by integrating the small-``u``
    dynamics of :func:`reduced_variables` (``du/dt = c u^(L-1)``, ``gamma -> oo``).

    ``L = 2``: time from ``u0 = gamma^(-1/2)`` to ``u = 1``: ``ln(gamma)/(2c)`` (flow);
    discrete GD multiplies ``u`` by ``1 + c`` per step: ``ln(gamma)/(2 ln(1 + c))`` (``kind="discrete"``).
    ``L >= 3``: blow-up time from ``u0 = gamma^(-1/L)``: ``gamma^(1-2/L)/((L-2)c)`` (flow). Discrete GD
    takes longer by ``((L-1)/(2L)) ln(gamma)`` (derived from the second-order term of one step in
    ``v = u^-(L-2)``; measured in :func:`numerics.richness.plateau_length`). The exact time to a level
    differs from either by an O(1) gamma-independent amount.

    >>> escape_time_expr(2), escape_time_expr(2, "discrete"), escape_time_expr(4)
    (log(gamma)/(2*c), log(gamma)/(2*log(c + 1)), sqrt(gamma)/(2*c))
    >>> escape_time_expr(3, "discrete")
    log(gamma)/3 + gamma**(1/3)/c
    """
    L = _depth(depth)
    check_choice("kind", kind, ("flow", "discrete"))
    if L < 2:
        raise ParameterError("depth", "depth >= 2 (the depth-1 chain has no plateau)", depth)
    u = sp.Symbol("u", positive=True)
    u0 = GAMMA ** sp.Rational(-1, L)
    if L == 2:
        if kind == "discrete":  # u_t = u0 (1 + c)^t reaches 1 at t = ln(1/u0)/ln(1 + c)
            t = sp.Symbol("t", positive=True)
            return sp.simplify(sp.expand_log(sp.solve(sp.Eq(u0 * (1 + C) ** t, 1), t)[0], force=True))
        return sp.simplify(sp.expand_log(sp.integrate(1 / (C * u), (u, u0, 1)), force=True))
    flow = sp.powsimp(sp.simplify(sp.integrate(1 / (C * u ** (L - 1)), (u, u0, sp.oo))), force=True)
    if kind == "flow":
        return flow
    # discrete GD, u <- u + c u^(L-1): in v = u^-(L-2) one step is v (1 + c/v)^-(L-2) - v; to second
    # order in c/v the steps per unit of v are 1/((L-2)c) + (L-1)/(2(L-2)v), whose integral from
    # v = O(1) to v0 = gamma^((L-2)/L) adds a logarithm to the flow time (O(1) constants dropped)
    v, x = sp.symbols("v x", positive=True)
    inc = sp.series(v * (1 + C / v) ** (-(L - 2)) - v, C, 0, 3).removeO()
    dtdv = sp.expand(sp.series((-1 / inc).subs(v, 1 / x), x, 0, 2).removeO().subs(x, 1 / v))
    log_part = sp.integrate(dtdv - dtdv.subs(1 / v, 0), (v, 1, u0 ** (-(L - 2))))
    return flow + sp.simplify(sp.expand_log(log_part, force=True))


def escape_time(gamma, depth: int, c: float, kind: str = "flow"):
    """Numeric :func:`escape_time_expr` in steps, vectorised over ``gamma`` (``c = eta gamma^(-2/L)``).

    >>> round(float(escape_time(1e4, 2, 0.5)), 4), round(float(escape_time(1e4, 3, 0.5)), 4)
    (9.2103, 43.0887)
    """
    g = _gammas(gamma)
    cc = check_real("c", c, gt=0)
    fn = sp.lambdify((GAMMA, C), escape_time_expr(depth, kind), "numpy")
    return np.asarray(fn(g, cc), dtype=np.float64) * np.ones_like(g)


def xent_first_step_change(gamma, eta):
    """Relative change of each weight in the first GD step of the cross-entropy chain: ``eta/(2 gamma)``.

    Derived: ``dl/dw_l = l'(f) prod_(k != l) w_k / gamma`` with ``l'(0) = -1/2`` and ``w = 1`` at init.
    Every later step moves the weights outwards too (``l' < 0`` and ``w > 0``), so the chain never
    diverges under cross-entropy: no stability edge bounds ``eta``.

    >>> float(xent_first_step_change(0.01, 0.02))
    1.0
    """
    g = _gammas(gamma)
    e = np.asarray(eta, dtype=np.float64)
    f = sp.Symbol("f")
    lp0 = float(sp.diff(sp.log(1 + sp.exp(-f)), f).subs(f, 0))
    return abs(lp0) * e / g


def xent_weight_edge(gamma):
    """``eta = 2 gamma``: the cross-entropy step that moves every weight by its own size at init.

    Derived from :func:`xent_first_step_change`; that ``eta*`` follows it (``eta* ~ gamma`` at small
    gamma, the paper's Fig. 2d) is reconstructed -- in a network a step that moves the weights by O(1)
    along one example's gradient undoes the fit -- and is measured on networks in
    :mod:`verification.richness`, not in the one-example chain, which never diverges. It holds only in a
    window: as gamma -> 0 the lazy limit (:func:`lazy_limit_map`) forces ``eta* ~ gamma^2`` for every loss.

    >>> float(xent_weight_edge(0.01))
    0.02
    """
    g = _gammas(gamma)
    return 1.0 / xent_first_step_change(g, 1.0)


R = sp.Symbol("r", positive=True)
F = sp.Symbol("f", real=True)


@functools.lru_cache(maxsize=None)
def lazy_limit_map(depth: int, loss: str = "mse"):
    """One GD step of the balanced chain in its output ``f``, in the lazy limit ``gamma -> 0`` at fixed
    ``r = eta / gamma^2``: ``f -> f - L r l'(f)``.

    Derived (SymPy limit): with ``w = (1 + gamma f)^(1/L)`` one step is
    ``w -> w - eta l'(f) w^(L-1) / gamma``; substituting ``eta = r gamma^2`` and letting ``gamma -> 0`` the new
    output tends to ``f - L r l'(f)``, a map in which gamma no longer appears. So at small gamma the whole
    trajectory depends on ``eta`` only through ``eta / gamma^2``, and any learning rate the model singles out
    (its edge, or the best rate of a budget) scales like ``gamma^2`` -- for every loss. MSE
    (``l' = f - 1``): the map is linear with factor ``1 - L r``, stable iff ``r < 2/L``: the lazy edge
    ``2 gamma^2 / L`` again. Cross-entropy (``l' = -1/(1 + e^f)``): ``f`` grows every step for every ``r``
    (logistic regression on one point), so the chain has no edge and no best rate at all; in a network the
    lazy limit is its linearisation (the same argument, with the tangent kernel in place of ``L``), whose best
    online rate ``r*`` is finite (measured, ``benchmarks/measure_richness_xent.py``), so its small-gamma
    branch is ``eta* = r* gamma^2``; the paper's ``eta* ~ gamma`` can hold only in a window above
    ``gamma ~ eta*(gamma = 1) / r*`` (docs/richness.md).

    Returns the SymPy expression in ``f`` and ``r``.

    >>> lazy_limit_map(3)
    f - 3*r*(f - 1)
    >>> lazy_limit_map(2, "xent")
    f + 2*r/(exp(f) + 1)
    """
    L = _depth(depth)
    check_choice("loss", loss, LOSSES)
    lp = sp.Symbol("lp", real=True)
    w = (1 + GAMMA * F) ** sp.Rational(1, L)
    w1 = w - R * GAMMA**2 * lp * w ** (L - 1) / GAMMA
    lim = sp.limit(sp.expand((w1**L - 1) / GAMMA), GAMMA, 0)
    dl = F - 1 if loss == "mse" else sp.diff(sp.log(1 + sp.exp(-F)), F)
    return lim.subs(lp, sp.simplify(dl))


def _gammas(gamma) -> np.ndarray:
    g = np.asarray(gamma, dtype=np.float64)
    if g.size == 0 or not np.all(np.isfinite(g)) or np.any(g <= 0):
        raise ParameterError("gamma", "gamma > 0 (finite)", gamma)
    return g
