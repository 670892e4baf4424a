"""theory.dmft: the problem's validation, and the SymPy laws against independent numerical sums."""

import math

import numpy as np
import pytest
import sympy as sp

import theory
from theory.dmft import DMFT, a_sym, b_sym, compute_optimal, data_law, exponents, power_sum_law, time_law, width_law


@pytest.mark.parametrize("kw, name", [
    (dict(a=1.0, b=1.5, N=8), "a"), (dict(a=2.0, b=0.0, N=8), "b"), (dict(a=2.0, b=1.5, N=0), "N"),
    (dict(a=2.0, b=1.5, N=8, P=0), "P"), (dict(a=2.0, b=0.9, N=8), "M"),
    (dict(a=2.0, b=1.5, N=8, sigma2=-1.0), "sigma2"), (dict(a=2.0, b=1.5, N=8, M=-math.inf), "M"),
])
def test_bad_problem_is_refused_naming_the_parameter(kw, name):
    with pytest.raises(theory.ParameterError) as exc:
        DMFT(**kw)
    assert exc.value.parameter == name


def test_problem_is_frozen_and_serialises():
    p = DMFT(2.0, 0.8, N=16, P=64, M=500)
    with pytest.raises(Exception):
        p.N = 3
    assert p.to_dict() == {"a": 2.0, "b": 0.8, "N": 16, "P": 64, "M": 500, "sigma2": 0.0}
    assert DMFT(2.0, 1.5, N=16).to_dict()["P"] == "inf"


def test_time_law_constant_against_the_sum():
    """sum_k k^-a exp(-2 k^-b t) t^((a-1)/b) -> the Gamma-function constant (mpmath sum, independent)."""
    law = time_law()
    a, b, t = 2.0, 1.5, 1e5
    f = sp.lambdify((a_sym, b_sym), law.coefficient, "mpmath")(a, b)
    k = np.arange(1, 10**6 + 1, dtype=float)
    s = np.sum(k ** -a * np.exp(-2 * k ** -b * t)) + 10.0 ** (6 * (1 - a)) / (a - 1)  # tail: exp ~ 1 there
    assert s * t ** ((a - 1) / b) == pytest.approx(float(f), rel=0.02)


@pytest.mark.parametrize("p, n", [("b", 1), ("a", 2), ("b", 2)])
def test_power_sum_law_against_the_sum(p, n):
    a, b, kappa = 2.0, 1.5, 1e-6
    coef, power = power_sum_law({"a": a_sym, "b": b_sym}[p], n)
    pv = {"a": a, "b": b}[p]
    c = float(coef.subs({a_sym: a, b_sym: b}))
    e = float(power.subs({a_sym: a, b_sym: b}))
    K = 2 * 10**6
    k = np.arange(1, K + 1, dtype=float)
    s = np.sum(k ** -pv / (k ** -b + kappa) ** n) + K ** (1 - pv) / ((pv - 1) * kappa ** n)  # tail: lambda << kappa
    assert s / kappa ** e == pytest.approx(c, rel=0.03)


def test_width_and_data_exponents():
    assert width_law("bias").at(2.0, 1.5) == 1.0 and width_law("bias").at(4.0, 1.2) == pytest.approx(2.4)
    assert width_law("single").at(4.0, 1.2) == pytest.approx(1.2)   # a-1 > b: variance dominates
    assert width_law("single").at(2.0, 1.5) == 1.0
    assert data_law().at(4.0, 1.2) == pytest.approx(2.4)


def test_compute_optimal_regimes_are_continuous_and_steps_outgrow_width_for_b_above_1():
    co = compute_optimal("bias")
    lo, hi = co.regimes["a-1 < 2b"], co.regimes["a-1 > 2b"]
    for key in ("width", "steps", "loss"):
        at = {a_sym: 4.0, b_sym: 1.5}   # a - 1 = 2b: both regimes meet
        assert float(lo[key].subs(at)) == pytest.approx(float(hi[key].subs(at)))
        assert float(getattr(co, key).subs({a_sym: 2.0, b_sym: 1.5})) == pytest.approx(float(lo[key].subs(
            {a_sym: 2.0, b_sym: 1.5})))
    v = co.at(2.0, 1.5)
    assert v["width"] + v["steps"] == pytest.approx(1.0)
    assert v["steps"] > v["width"] and bool(co.steps_faster_when.subs({a_sym: 2.0, b_sym: 1.5}))
    assert not bool(co.steps_faster_when.subs({a_sym: 2.0, b_sym: 0.8}))
    assert v["loss"] == pytest.approx(1.0 / 2.5)   # (a-1)/(b+1)


def test_exponents_dict_and_refusal_for_b_below_1():
    e = exponents(2.0, 1.5)
    assert set(e) == {"time", "width", "data", "compute_loss", "compute_width", "compute_steps"}
    assert e["compute_steps"][1] == pytest.approx(0.6) and e["time"][0] == "(a - 1)/b"
    with pytest.raises(theory.ParameterError):
        exponents(2.0, 0.9)


def test_single_model_rule_has_the_third_term_regime_and_is_continuous():
    co = compute_optimal("single")
    assert co.regimes["a-1 > b"] == {"width": (a_sym - b_sym) / a_sym, "steps": b_sym / a_sym,
                                     "loss": (a_sym - 1) / a_sym}
    for key in ("width", "steps", "loss"):
        lo, hi = co.regimes["a-1 < b"][key], co.regimes["a-1 > b"][key]
        at = {a_sym: 2.2, b_sym: 1.2}   # a - 1 = b
        assert float(lo.subs(at)) == pytest.approx(float(hi.subs(at)))
    # the measured frontier slopes (benchmarks/bench_dmft.py --slopes, M = inf, 20 widths to 2^17):
    # (3, 1.2): L* 0.6623, N* 0.6028, t* 0.3972 -- the three-term rule, not the two-term one (0.698)
    v = co.at(3.0, 1.2)
    assert v["loss"] == pytest.approx(2 / 3) and v["width"] == pytest.approx(0.6)
    assert not bool(co.steps_faster_when.subs({a_sym: 3.0, b_sym: 1.2}))   # a > 2b: width grows faster
