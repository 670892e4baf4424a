"""numerics.dmft: spectra, the fixed point, the fixed-Talbot inversion against mpmath and closed forms,
the static limit, and the measured exponents against theory.dmft."""

import math

import numpy as np
import pytest

import numerics.dmft as nd
import theory
from theory.dmft import DMFT, width_law


def test_mode_nodes_match_exact_sums():
    nodes = nd.mode_nodes(1.7, 1.3, 20000)
    k = np.arange(1, 20001.0)
    for kap in (1e-6, 1e-3, 0.3):
        exact = np.sum(k**-1.7 * k**-1.3 / (k**-1.3 + kap) ** 2)
        assert nodes.total(nodes.tau * nodes.lam / (nodes.lam + kap) ** 2) == pytest.approx(exact, rel=1e-6)


def test_infinite_width_and_data_is_exponential_decay():
    p = DMFT(2.0, 1.5, N=10**9, P=math.inf, M=200)
    t = np.array([0.5, 5.0, 50.0])
    c = nd.loss_curve(p, t)
    k = np.arange(1, 201.0)
    exact = [np.sum(k**-2.0 * np.exp(-2 * k**-1.5 * s)) for s in t]
    assert c.bias == pytest.approx(exact, rel=1e-5) and c.test_loss == pytest.approx(exact, rel=1e-5)
    assert c.train_loss == pytest.approx(c.test_loss)  # P = inf: train = test


@pytest.mark.parametrize("method", ["mpmath-talbot", "mpmath-dehoog"])
def test_fast_transfer_function_against_mpmath(method):
    p = DMFT(2.0, 1.2, N=20, P=45, M=60)
    t = [40.0] if method.endswith("dehoog") else [0.7]
    fast = nd.transfer_function(p, t, [1, 30])
    ref = nd.transfer_function(p, t, [1, 30], method=method, dps=20)
    assert np.allclose(fast, ref, rtol=1e-6, atol=1e-9)


def test_talbot_rule_converges_and_reaches_the_static_limit():
    p = DMFT(2.0, 1.5, N=100, P=300, M=1500)
    t = np.array([1.0, 30.0, 1e3, 1e9])
    c24 = nd.loss_curve(p, t, talbot_nodes=24)
    c20 = nd.loss_curve(p, t, talbot_nodes=20)
    assert c24.status == "ok" and c24.diagnostics["talbot_error"] < 1e-5
    assert np.allclose(c24.test_loss, c20.test_loss, rtol=2e-6)
    assert np.allclose(c24.train_loss, c20.train_loss, rtol=2e-6)
    st = c24.static
    assert c24.test_loss[-1] == pytest.approx(st.test_loss, rel=1e-6)
    assert c24.train_loss[-1] == pytest.approx(st.train_loss, rel=1e-6)
    assert c24.bias[-1] == pytest.approx(st.bias, rel=1e-6)
    assert np.all(c24.test_loss >= c24.bias) and np.all(c24.train_loss <= c24.test_loss)


def test_static_limit_is_kappa_star():
    p = DMFT(2.0, 1.5, N=64, P=256, M=2000)
    st = nd.static_limit(p)
    nodes = nd.nodes_of(p)
    assert nd.degrees_of_freedom(nodes, st.kappa_star) == pytest.approx(64.0, rel=1e-10)
    k = np.arange(1, 2001.0)
    assert st.bias == pytest.approx(np.sum(k**-2.0 * (st.kappa_star / (st.kappa_star + k**-1.5)) ** 2), rel=1e-6)
    # fewer modes than min(N, P): everything is learnt
    assert nd.static_limit(DMFT(2.0, 1.5, N=64, P=256, M=50)).test_loss == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("a, b", [(2.0, 1.5), (3.0, 1.2)])
def test_measured_width_exponents_match_theory(a, b):
    """Static single-model loss ~ N^-min(a-1, b), bias ~ N^-min(a-1, 2b) (M = inf, P = inf)."""
    Ns = np.array([2048.0, 8192.0])
    st = [nd.static_limit(DMFT(a, b, N=int(n), P=math.inf, M=math.inf)) for n in Ns]
    slope = lambda y: -np.diff(np.log(y))[0] / np.diff(np.log(Ns))[0]  # noqa: E731
    assert slope([s.test_loss for s in st]) == pytest.approx(width_law("single").at(a, b), abs=0.03)
    assert slope([s.bias for s in st]) == pytest.approx(width_law("bias").at(a, b), abs=0.04)


def test_bad_times_are_refused():
    p = DMFT(2.0, 1.5, N=8, M=50)
    with pytest.raises(theory.ParameterError):
        nd.loss_curve(p, [0.0, 1.0])
    with pytest.raises(theory.ParameterError):
        nd.transfer_function(p, [1.0], [0])


def test_frontier_slopes_approach_the_symbolic_ones():
    fr = nd.frontier(2.0, 1.5, N_grid=np.logspace(1, 3.5, 8), n_times=70, M=6000)
    assert fr.interior.sum() >= 10
    fs = fr.final_slopes()
    assert fs["loss"] == pytest.approx(fr.theory["loss"][1], abs=0.06)
    assert fs["width"] + fs["steps"] == pytest.approx(1.0)


@pytest.mark.parametrize("P", [math.inf, 20000])
def test_first_order_correction_matches_the_full_curve_early(P):
    """N (L_N - L_inf) -> B1 + V_N (+ V_P N/P) at early times: the universal 1/N regime."""
    p = DMFT(2.0, 1.5, N=20000, P=P, M=300)
    t = [1.0, 10.0]
    full = nd.loss_curve(p, t).test_loss
    fo = nd.first_order_loss(p, t)
    assert np.allclose(full - fo["L_inf"], fo["first_order"] - fo["L_inf"], rtol=2e-3)


def test_crossover_time_is_one_over_kappa_star():
    import sympy as sp

    from theory.dmft import b_sym, crossover_time

    N = sp.Symbol("N", positive=True)
    p = DMFT(2.0, 1.5, N=10**4)
    ks = nd.kappa_star(nd.nodes_of(p), p.N, p.P)
    assert float(crossover_time().subs({N: 10**4, b_sym: 1.5})) == pytest.approx(1 / ks, rel=1e-3)


@pytest.mark.slow
@pytest.mark.parametrize("a, b, loss", [(2.0, 1.5, "test"), (1.5, 1.25, "test"), (3.0, 1.2, "test"),
                                        (2.0, 1.5, "bias"), (4.0, 1.2, "bias")])
def test_measured_frontier_slopes_within_0_02_of_sympy(a, b, loss):
    """Both regimes (a-1 < c and a-1 > c); (4, 1.2) single model is 0.024 off at 2^17 and not listed."""
    fr = nd.frontier(a, b, loss=loss)
    fs = fr.final_slopes()
    for key in ("loss", "width", "steps"):
        assert fs[key] == pytest.approx(fr.theory[key][1], abs=0.02), key
