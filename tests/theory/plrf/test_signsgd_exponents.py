"""signSGD compute-optimal exponents: the SymPy derivations, the LP (against an independent
scipy.optimize.linprog solve), continuity, and the comparison with SGD."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from theory import ParameterError
from theory.plrf import compare
from theory.plrf._signsgd_lp import signsgd_exponents_at
from theory.plrf._signsgd_terms import drift_time_exponent, noise_term, preconditioning_exponent


def test_drift_time_map_and_noise_term():
    x = sp.Symbol("x", positive=True)
    t_exp, l_exp = drift_time_exponent()
    # x -> 2x/(2-x): an SGD drift term tau^-x decays like k^(-2x/(2-x)) under signSGD
    assert sp.simplify(l_exp.subs(list(l_exp.free_symbols)[0], x) - 2 * x / (2 - x)) == 0
    g, S = sp.symbols("gamma S", positive=True)
    assert sp.simplify(noise_term() - sp.pi**2 * S**2 * g**2 / 16) == 0
    pe = preconditioning_exponent()
    assert pe.subs(list(pe.free_symbols)[0], sp.Rational(3, 4)) == sp.Rational(1, 2)
    assert pe.subs(list(pe.free_symbols)[0], sp.Rational(1, 3)) == sp.Rational(1, 3)


@pytest.mark.parametrize("a, b", [(0.7, 1.2), (0.7, 0.3), (1.0, 0.7), (0.4, 0.3), (0.4, 0.7), (0.27, 0.7), (0.2, 0.7)])
def test_lp_matches_scipy_linprog(a, b, signsgd_linprog_eta):
    s = signsgd_exponents_at(a, b)
    assert s.eta == pytest.approx(signsgd_linprog_eta(a, b), abs=1e-9)
    # the symbolic expression evaluates to the numeric optimum
    assert float(s.eta_expr.subs({sp.Symbol("alpha"): a, sp.Symbol("beta"): b}).subs(
        {sym: (a if sym.name == "alpha" else b) for sym in s.eta_expr.free_symbols})) == pytest.approx(s.eta, abs=1e-12)


@settings(max_examples=10)
@given(a=st.floats(0.15, 1.8), b=st.floats(0.0, 2.0))
def test_property_lp_and_sanity(a, b, signsgd_linprog_eta):
    if 2 * a + 2 * b <= 1.05:
        return
    s = signsgd_exponents_at(a, b)
    assert s.eta == pytest.approx(signsgd_linprog_eta(a, b), abs=1e-8)
    assert 0 < s.eta <= 2 * a + 1e-12  # never better than the approximation error at d = f
    assert 0 <= s.xi <= 1


@pytest.mark.parametrize(
    "a, b, verdict",
    [(0.7, 1.2, "steeper"), (0.6, 1.5, "steeper"), (0.4, 0.7, "steeper"), (0.27, 0.7, "steeper"),
     (0.7, 0.3, "equal"), (1.0, 0.7, "equal"), (0.4, 0.3, "equal")],
)
def test_comparison_with_sgd_by_phase(a, b, verdict):
    c = compare(a, b, ("signsgd", "sgd"))
    assert c["verdict"] == verdict
    if verdict == "steeper":  # noise-bottleneck phases: a larger optimal model too (research note 2.2)
        assert c["xi"]["signsgd"] > c["xi"]["sgd"] - 1e-9 or a < 0.3


def test_phase_iii_closed_form():
    s = signsgd_exponents_at(0.7, 1.2)
    al = [x for x in s.eta_expr.free_symbols if x.name == "alpha"][0]
    assert sp.simplify(s.eta_expr - 4 * al / (4 * al + 1)) == 0
    assert s.e > 0  # a smaller learning rate than SGD's gamma ~ 1


def test_continuity_across_phase_boundaries():
    for (a, b) in [(0.7, 0.5), (0.5, 0.9), (0.9, 0.9), (0.3, 0.6)]:
        e0 = signsgd_exponents_at(a, b).eta
        for da, db in [(1e-6, 0), (-1e-6, 0), (0, 1e-6), (0, -1e-6)]:
            assert signsgd_exponents_at(a + da, b + db).eta == pytest.approx(e0, abs=1e-4)


def test_bad_input():
    with pytest.raises(ParameterError) as exc:
        signsgd_exponents_at(0.2, 0.2)
    assert exc.value.parameter == "2*alpha + 2*beta"
    with pytest.raises(ParameterError):
        signsgd_exponents_at(-1.0, 1.0)


def test_fast_numeric_path_matches_symbolic():
    from theory.plrf._signsgd_lp import signsgd_eta_numeric

    for a in np.linspace(0.1, 1.5, 4):
        for b in np.linspace(0.0, 1.8, 4):
            if 2 * a + 2 * b > 1.02:
                for sch in ("constant", "decay"):
                    s = signsgd_exponents_at(float(a), float(b), sch)
                    eta, xi, _ = signsgd_eta_numeric(a, b, sch)
                    assert eta == pytest.approx(s.eta, abs=1e-8)
                    assert xi == pytest.approx(s.xi, abs=1e-6) or s.degenerate


@pytest.mark.parametrize("a, b", [(0.7, 1.5), (0.9, 1.6), (0.6, 0.05), (0.3, 0.9), (0.2, 0.7), (1.2, 0.4)])
def test_decay_lp_matches_scipy_linprog(a, b, signsgd_linprog_eta):
    s = signsgd_exponents_at(a, b, "decay")
    assert s.eta == pytest.approx(signsgd_linprog_eta(a, b, "decay"), abs=1e-8)
    # a decay never hurts (the constant-rate optimum stays feasible with t = t_s)
    assert s.eta >= signsgd_exponents_at(a, b).eta - 1e-9


def test_small_alpha_noise_raises_eta_only_below_one_half():
    """The time-dependent noise (J < d) changes eta for alpha < 1/2 only; closed forms at a
    few points, derived by hand from the active sets (F_0 = F_pp = noise: 2a(2a+2b-1)/(4a+2b-1);
    F_0 = noise tail with drift time: a/(1-a))."""
    s = signsgd_exponents_at(0.4, 0.7)
    assert s.eta == pytest.approx(2 * 0.4 * (0.8 + 1.4 - 1) / (1.6 + 1.4 - 1), abs=1e-12)
    assert signsgd_exponents_at(0.2, 1.2).eta == pytest.approx(0.2 / 0.8, abs=1e-12)
    assert signsgd_exponents_at(0.7, 1.2).eta == pytest.approx(2.8 / 3.8, abs=1e-12)  # unchanged


def test_bad_schedule():
    with pytest.raises(ParameterError):
        signsgd_exponents_at(0.7, 1.2, "cosine")
    with pytest.raises(ParameterError):
        signsgd_exponents_at(0.7, 1.2, "decay", 0)


@settings(max_examples=40, deadline=None)
@given(a=st.integers(2, 150), b=st.integers(0, 180), schedule=st.sampled_from(["constant", "decay"]))
def test_exact_rows_are_sympys_substitution_bit_for_bit(a, b, schedule):
    """The LP rows evaluated in Fraction arithmetic are SymPy's exact substitution, rounded the same,
    also on the lines where a piecewise term switches (alpha, beta on a 0.01 lattice hits them)."""
    from theory._power_terms import alpha, beta
    from theory.plrf import _signsgd_lp as L

    av, bv = a / 100, b / 100
    assume(2 * av + 2 * bv > 1)
    A, B = L._exact(av), L._exact(bv)
    branches, vars_ = L._constraints(A, B, schedule, sp.Rational(1, 2))
    for _, cons in branches:
        rows = L._num_rows(cons, vars_, A, B)
        for name, g in cons.items():
            gn = sp.expand(g.subs({alpha: A, beta: B}))
            ref = np.array([float(gn.coeff(v)) for v in vars_] + [float(gn.subs({v: 0 for v in vars_}))])
            assert rows[name].tobytes() == ref.tobytes(), (name, rows[name], ref)
