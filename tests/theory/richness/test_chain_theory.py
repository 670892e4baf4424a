"""Closed forms of the richness chain against independent routes: a finite-difference Hessian of the
loss written out in NumPy, random points of the solution manifold, the exact 1-d GD map, gradient
flow integrated by SciPy, and a direct simulation of the cross-entropy chain."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

from theory import ParameterError
from theory.richness import (GAMMA, L_SYMBOL, Chain, accelerating_gamma, catapult_edge, escape_time,
                             escape_time_expr, eta_edge, eta_edge_expr, eta_edge_limits, hessian_eigenvalues,
                             lazy_edge, lazy_rich_gamma, reduced_variables, regime, sharpness, sharpness_expr,
                             solution_manifold_sharpness, xent_first_step_change, xent_weight_edge)


def _loss_np(w, gamma, loss):
    f = (np.prod(w) - 1.0) / gamma
    return 0.5 * (f - 1.0) ** 2 if loss == "mse" else math.log1p(math.exp(-f))


def _fd_hessian(w, gamma, loss, h=1e-4):
    L = w.size
    H = np.zeros((L, L))
    for i in range(L):
        for j in range(L):
            ei, ej = np.eye(L)[i] * h, np.eye(L)[j] * h
            H[i, j] = (_loss_np(w + ei + ej, gamma, loss) - _loss_np(w + ei - ej, gamma, loss)
                       - _loss_np(w - ei + ej, gamma, loss) + _loss_np(w - ei - ej, gamma, loss)) / (4 * h * h)
    return H


@pytest.mark.parametrize("depth", [1, 2, 3, 4])
@pytest.mark.parametrize("gamma", [0.3, 2.0, 7.0])
@pytest.mark.parametrize("at,loss", [("init", "mse"), ("solution", "mse"), ("init", "xent")])
def test_hessian_eigenvalues_match_a_finite_difference_hessian(depth, gamma, at, loss):
    w0 = 1.0 if at == "init" else (1 + gamma) ** (1 / depth)
    H = _fd_hessian(np.full(depth, w0), gamma, loss)
    numeric = np.sort(np.linalg.eigvalsh(H))
    derived = np.sort([float(ev.subs(GAMMA, gamma)) for ev, m in hessian_eigenvalues(depth, at, loss)
                       for _ in range(m)])
    assert np.allclose(numeric, derived, rtol=1e-5, atol=1e-5 * np.max(np.abs(numeric)))


@pytest.mark.parametrize("depth", [1, 2, 3, 5])
def test_general_L_forms_agree_with_the_concrete_depth_derivation(depth):
    for at in ("init", "solution"):
        gen = sharpness_expr(None, at).subs(L_SYMBOL, depth)
        top_along = hessian_eigenvalues(depth, at)[0][0] if at == "solution" else None
        assert sp.simplify(gen - sharpness_expr(depth, at)) == 0
        if top_along is not None:  # at the solution the Hessian is Gauss-Newton
            assert sp.simplify(gen - top_along) == 0
    assert sp.simplify(eta_edge_expr(None).subs(L_SYMBOL, depth) - eta_edge_expr(depth)) == 0


@pytest.mark.parametrize("depth", [2, 3, 4])
def test_eta_edge_limits(depth):
    lim = eta_edge_limits(depth)
    assert sp.simplify(lim["small_gamma"].expr - 2 * GAMMA**2 / depth) == 0
    assert sp.simplify(lim["large_gamma"].expr - sp.Rational(2, depth) * GAMMA ** sp.Rational(2, depth)) == 0
    # numerically: the ratio to each limit tends to 1 (error O(gamma) and O(1/gamma))
    assert abs(eta_edge(1e-7, depth) / (2e-14 / depth) - 1) < 1e-6
    assert abs(eta_edge(1e7, depth) / ((2 / depth) * 1e7 ** (2 / depth)) - 1) < 1e-6
    assert lazy_rich_gamma(depth) == 1


@given(st.lists(st.floats(-2.0, 2.0), min_size=2, max_size=5), st.floats(0.01, 100.0))
def test_balanced_minimiser_is_the_flattest(logs, gamma):
    w = np.exp(np.array(logs))
    lam = solution_manifold_sharpness(w, gamma)
    lam_star = float(sharpness(gamma, w.size, "solution"))
    assert lam >= lam_star * (1 - 1e-12)
    assert math.isclose(solution_manifold_sharpness(np.ones(w.size), gamma), lam_star, rel_tol=1e-12)


def _one_d_map_converges(gamma, eta, L, steps=200000):
    w = 1.0
    for _ in range(steps):
        r = (w**L - 1) / gamma - 1
        if abs(r) < 1e-10:
            return True
        if not math.isfinite(r) or abs(r) > 1e6:
            return False
        w -= eta * r * w ** (L - 1) / gamma
    return False


@pytest.mark.parametrize("depth,gamma", [(2, 0.05), (2, 20.0), (3, 0.5), (3, 50.0), (4, 5.0)])
def test_gd_converges_just_below_eta_edge_and_not_above(depth, gamma):
    e = float(eta_edge(gamma, depth))
    assert _one_d_map_converges(gamma, 0.97 * e, depth)
    assert not _one_d_map_converges(gamma, 1.03 * e, depth)


def test_lazy_and_catapult_edges():
    assert math.isclose(float(lazy_edge(0.2, 3)), 2 * 0.04 / 3, rel_tol=1e-12)
    assert math.isclose(float(lazy_edge(0.2, 3, "xent")), 8 * 0.04 / 3, rel_tol=1e-12)
    assert math.isclose(float(catapult_edge(0.2, 2)), 2 * float(lazy_edge(0.2, 2)), rel_tol=1e-12)
    with pytest.raises(ParameterError, match="depth"):
        catapult_edge(0.1, 4)


def _flow_loss(gamma, L, eta, ts):
    rhs = lambda t, w: [-eta * ((w[0] ** L - 1) / gamma - 1) * w[0] ** (L - 1) / gamma]
    sol = solve_ivp(rhs, (0, ts[-1]), [1.0], t_eval=ts, rtol=1e-12, atol=1e-14)
    return 0.5 * ((sol.y[0] ** L - 1) / gamma - 1) ** 2


@pytest.mark.parametrize("depth", [2, 3, 4])
def test_loss_starts_concave_exactly_above_L_over_L_minus_1(depth):
    g_c = float(accelerating_gamma(depth))
    assert math.isclose(g_c, depth / (depth - 1), rel_tol=1e-12)
    for gamma, concave in ((0.8 * g_c, False), (1.25 * g_c, True)):
        eta = 1e-3 * float(eta_edge(gamma, depth))
        h = 0.5
        l0, l1, l2 = _flow_loss(gamma, depth, eta, np.array([0.0, h, 2 * h]))
        assert ((l2 - 2 * l1 + l0) < 0) == concave
    assert accelerating_gamma(1) == sp.oo
    assert sp.simplify(accelerating_gamma() - L_SYMBOL / (L_SYMBOL - 1)) == 0


def test_regime_and_validation():
    assert regime(0.5, 0.5 * float(eta_edge(0.5, 2)), 2) == "lazy"
    assert regime(1.2, 0.5 * float(eta_edge(1.2, 3)), 3) == "rich"
    assert regime(10.0, 0.5 * float(eta_edge(10.0, 3)), 3) == "ultra-rich"
    assert regime(10.0, 1.01 * float(eta_edge(10.0, 3)), 3) == "divergent"
    with pytest.raises(ParameterError, match="eta"):
        regime(1.0, -1.0, 2)
    with pytest.raises(ParameterError, match="loss"):
        Chain(1.0, 2, "hinge")
    with pytest.raises(ParameterError, match="gamma"):
        eta_edge([1.0, -1.0], 2)


@pytest.mark.parametrize("depth", [2, 3, 4])
def test_reduced_dynamics_match_gradient_flow_in_w(depth):
    """u = w gamma^(-1/L) with c = eta gamma^(-2/L): the reduced ODE integrated by SciPy equals the
    rescaled solution of the original flow."""
    gamma, c = 50.0, 0.3
    rd = reduced_variables(depth)
    f = sp.lambdify(rd["u"], rd["dudt"].subs({GAMMA: gamma, sp.Symbol("c", positive=True): c}), "math")
    ts = np.linspace(0, 30, 7)
    su = solve_ivp(lambda t, u: [f(u[0])], (0, 30), [gamma ** (-1 / depth)], t_eval=ts, rtol=1e-11, atol=1e-13)
    eta = c * gamma ** (2 / depth)
    sw = solve_ivp(lambda t, w: [-eta * ((w[0] ** depth - 1) / gamma - 1) * w[0] ** (depth - 1) / gamma],
                   (0, 30), [1.0], t_eval=ts, rtol=1e-11, atol=1e-13)
    assert np.allclose(su.y[0], sw.y[0] * gamma ** (-1 / depth), rtol=1e-7)


@pytest.mark.parametrize("depth", [2, 3, 4])
def test_escape_time_is_the_flow_time_up_to_a_gamma_independent_constant(depth):
    """Flow time of the reduced ODE from u0 to u^L = 1/2 minus the escape time: the same at gamma = 1e6
    and 1e10 (to 2 %% of the escape time at 1e6)."""
    c = 0.4
    offs = []
    for gamma in (1e6, 1e10):
        a = 1 + 1 / gamma
        u0 = gamma ** (-1 / depth)
        from scipy.integrate import quad
        lu0, lu1 = math.log(u0), math.log(0.5 ** (1 / depth))
        # substitute u = e^s: dt = du / (c (a - u^L) u^(L-1)) = ds / (c (a - e^(Ls)) e^((L-2)s))
        t, _ = quad(lambda s: 1 / (c * (a - math.exp(depth * s)) * math.exp((depth - 2) * s)), lu0, lu1,
                    limit=400, epsabs=1e-10, epsrel=1e-12)
        offs.append(t - float(escape_time(gamma, depth, c)))
    assert abs(offs[0] - offs[1]) < 0.02 * float(escape_time(1e6, depth, c)) + 1e-6
    assert escape_time_expr(3) == GAMMA ** sp.Rational(1, 3) / sp.Symbol("c", positive=True)
    with pytest.raises(ParameterError, match="depth"):
        escape_time_expr(1)


def test_xent_chain_never_diverges_and_first_step_moves_weights_by_eta_over_2gamma():
    for gamma in (1e-3, 1.0, 1e3):
        for eta in (1e-4, 1.0, 1e4):
            w = np.ones(3)
            step1 = None
            for t in range(500):
                f = (np.prod(w) - 1) / gamma
                lp = -1 / (1 + math.exp(min(f, 700)))
                neww = w - eta * lp * np.prod(w) / w / gamma
                if t == 0:
                    step1 = float(-eta * lp * np.prod(w) / w[0] / gamma)  # the step itself (no cancellation)
                assert np.all(np.isfinite(neww)) and np.all(neww >= w)  # monotone outwards
                w = neww
            assert math.isclose(step1, float(xent_first_step_change(gamma, eta)), rel_tol=1e-9)
    assert math.isclose(float(xent_weight_edge(0.3)), 0.6, rel_tol=1e-12)


@pytest.mark.parametrize("loss", ["mse", "xent"])
@pytest.mark.parametrize("L", [2, 3, 4])
def test_lazy_limit_map_is_the_small_gamma_limit_of_the_chain(L, loss):
    """Iterate the chain's own GD map (weights, not the limit) at gamma = 1e-7, eta = r gamma^2, and compare its
    output f with the iterates of the derived lazy map; at gamma = 1e-3 the gap is larger (O(gamma))."""
    import sympy as sp

    from theory.richness import lazy_limit_map

    m = sp.lambdify((sp.Symbol("f", real=True), sp.Symbol("r", positive=True)), lazy_limit_map(L, loss), "math")
    dl = (lambda f: f - 1) if loss == "mse" else (lambda f: -1 / (1 + math.exp(f)))
    r = 0.3 / L
    gaps = []
    for gamma in (1e-3, 1e-7):
        w, f_lazy = 1.0, 0.0
        for _ in range(40):
            f = (w**L - 1) / gamma
            w = w - r * gamma**2 * dl(f) * w ** (L - 1) / gamma
            f_lazy = m(f_lazy, r)
        gaps.append(abs((w**L - 1) / gamma - f_lazy))
    assert gaps[1] < 1e-5 and gaps[1] < gaps[0]


def test_lazy_limit_map_mse_edge_is_the_lazy_edge():
    import sympy as sp

    from theory.richness import lazy_edge, lazy_limit_map

    for L in (2, 3, 5):
        f, r = sp.Symbol("f", real=True), sp.Symbol("r", positive=True)
        factor = sp.diff(lazy_limit_map(L), f)  # the map is linear: f - 1 -> factor (f - 1)
        r_edge = sp.solve(sp.Eq(factor, -1), r)[0]
        assert float(r_edge) * 0.01**2 == pytest.approx(float(lazy_edge(0.01, L)), rel=1e-12)
