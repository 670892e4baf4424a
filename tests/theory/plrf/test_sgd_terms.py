"""The asymptotic PLRF risk terms (theory.plrf._sgd_terms) against direct spectral sums.

References are independent of the code under test: direct NumPy sums over the surrogate
spectrum ``lambda_j = j^(-2 alpha)`` with the *exact* SGD factor
``q_j = 1 - 2 gamma B lambda_j + gamma^2 B (B+1) lambda_j^2`` (not the exponential used in
the derivation), Hurwitz-zeta tails from mpmath, and an mpmath root for ``kappa``.
"""

import math

import mpmath
import numpy as np
import pytest
import sympy as sp

import theory
from theory import SGD
from theory.plrf import PLRF, asymptotic_terms
from theory.plrf._sgd_terms import limit_level, limit_level_kappa, plrf_sgd_terms
from theory._power_terms import alpha, beta


def direct_sums(a, b, g, B, r, N, d):
    """Direct surrogate spectral sums with the exact SGD factor q_j (float64, small terms first)."""
    j = np.arange(1, N + 1, dtype=float)
    lam = j ** (-2 * a)
    q = 1 - 2 * g * B * lam + g * g * B * (B + 1) * lam**2
    qr = np.exp(r * np.log(q))
    T = g * B * r  # tail j > N: q^r -> exp(-2 T lambda) is exact to O(lambda^2) there; integral by mpmath
    tail = mpmath.quad(lambda x: x ** (-2 * a - 2 * b) * mpmath.exp(-2 * T * x ** (-2 * a)), [N + 0.5, 10 * N, mpmath.inf])
    out = {"F_pp": np.sum((j ** (-2 * a - 2 * b) * qr)[::-1]) + float(tail)}
    out["F_ac"] = float(mpmath.zeta(2 * b)) / d * np.sum((lam[:d] * qr[:d])[::-1]) if 2 * b > 1 else None
    kpp = np.sum((lam[:d] ** 2 * qr[:d])[::-1])
    fsum = np.sum((j ** (-2 * a - 2 * b) * (1 - qr) / (1 - q))[::-1])  # sum_{s<r} F_pp(s), exact geometric sum
    out["noise"] = g * g * B * kpp * fsum
    return out


def term_values(a, b, g, B, r, d, v=None):
    ts = {t.name: t for t in asymptotic_terms(PLRF(a, b, v or 4 * d, d), SGD(lr=g, batch=B))}
    return {k: float(t(np.array([r]))[0]) for k, t in ts.items()}, ts


@pytest.mark.parametrize("a,b", [(0.7, 0.7), (0.7, 1.2), (1.0, 0.3), (0.4, 0.7), (0.3, 0.45)])
def test_F_pp_matches_direct_sum(a, b):
    g, B, d = (0.2, 1, 100_000) if a > 0.5 else (0.05, 2, 100_000)
    for r in (1e3, 1e4):
        ref = direct_sums(a, b, g, B, r, 300_000, d)["F_pp"]
        val, _ = term_values(a, b, g, B, r, d)
        assert val["F_pp"] / ref == pytest.approx(1.0, abs=2e-3)


def test_F_ac_matches_direct_sum_localized():
    a, b, g, B, d = 1.0, 0.7, 0.2, 1, 200_000
    for r in (1e2, 1e3, 1e4):
        ref = direct_sums(a, b, g, B, r, 400_000, d)["F_ac"]
        val, ts = term_values(a, b, g, B, r, d)
        assert ts["F_ac"].applies
        assert val["F_ac"] / ref == pytest.approx(1.0, abs=2e-3)


def test_F_ac_finite_d_error_shrinks_with_d():
    # alpha = 0.7: the cut-off correction is ~ (T / d^(2a))^((2a-1)/(2a)); it must shrink as d grows
    a, b, g, B, r = 0.7, 1.2, 0.2, 1, 1e3
    errs = []
    for d in (10_000, 100_000, 1_000_000):
        ref = direct_sums(a, b, g, B, r, d, d)["F_ac"]
        val, _ = term_values(a, b, g, B, r, d)
        errs.append(abs(val["F_ac"] / ref - 1))
    assert errs[0] > errs[1] > errs[2] and errs[2] < 0.03


def test_F_ac_level_for_delocalized_input():
    # 2a < 1: F_ac ~ zeta(2b) d^(-2a)/(1-2a) while T << d^(2a); relative error shrinks with d
    a, b, g, B, r = 0.3, 1.0, 0.02, 1, 10
    errs = []
    for d in (10_000, 1_000_000):
        ref = direct_sums(a, b, g, B, r, d, d)["F_ac"]
        val, ts = term_values(a, b, g, B, r, d)
        assert ts["F_ac"].applies
        errs.append(abs(val["F_ac"] / ref - 1))
    assert errs[1] < errs[0] and errs[1] < 0.2


def test_noise_matches_direct_sum_phase_III():
    a, b, g, B, d = 0.7, 1.2, 0.2, 1, 400_000
    for r in (1e3, 1e4):
        ref = direct_sums(a, b, g, B, r, 1_000_000, d)["noise"]
        val, ts = term_values(a, b, g, B, r, d)
        assert ts["noise"].applies
        assert val["noise"] / ref == pytest.approx(1.0, abs=3e-3)


@pytest.mark.parametrize("a,b", [(1.0, 0.7), (0.7, 0.3)])
def test_noise_converges_to_direct_sum(a, b):
    # slower corrections (partial sum of F_pp ~ T^(-(2b-1)/(2a)), or 2b < 1): the ratio must approach 1
    g, B, d = 0.2, 1, 400_000
    errs = []
    for r in (1e2, 1e3, 1e4, 1e5):
        ref = direct_sums(a, b, g, B, r, 1_000_000, d)["noise"]
        val, _ = term_values(a, b, g, B, r, d)
        errs.append(abs(val["noise"] / ref - 1))
    assert all(e1 > e2 for e1, e2 in zip(errs, errs[1:])) and errs[-1] < 0.1


def test_noise_level_below_quarter():
    # alpha < 1/4, 2 beta > 1: K_pp does not decay; noise ~ gamma zeta(2b) d^(1-4a)/(2(1-4a)) (a level),
    # valid for 1 << T << d^(2a); relative correction ~ (T^(1/(2a))/d)^(1-4a): shrinks slowly with d
    a, b, g, B, r = 0.2, 2.0, 0.01, 1, 500
    errs = []
    for d in (10_000, 1_000_000):
        ref = direct_sums(a, b, g, B, r, d, d)["noise"]
        val, ts = term_values(a, b, g, B, r, d)
        assert ts["noise"].applies and ts["noise"].term.t_power == 0
        errs.append(abs(val["noise"] / ref - 1))
    assert errs[1] < 0.5 * errs[0] and errs[1] < 0.5


def test_kappa_closed_form_against_mpmath_root():
    for a in (0.7, 1.0, 1.5):
        # y = x^(2a): c_alpha = (1/(2a)) B(1/(2a), 1 - 1/(2a)) (Euler Beta integral), an independent route
        c_alpha = mpmath.beta(1 / (2 * a), 1 - 1 / (2 * a)) / (2 * a)
        assert limit_level_kappa(a, math.inf) == pytest.approx(float(c_alpha ** (-2 * a)), rel=1e-10)
        # finite v/d: mpmath root of kappa * int_0^rho dx/(kappa + x^2a) = 1
        rho = 4.0
        k = mpmath.findroot(lambda k: k * mpmath.quad(lambda x: 1 / (k + x ** (2 * a)), [0, 1, rho]) - 1, 0.5)
        assert limit_level_kappa(a, rho) == pytest.approx(float(k), rel=1e-8)


@pytest.mark.parametrize("a,b", [(1.0, 1.2), (0.7, 1.5), (1.0, 0.3)])
def test_F_0_leading_form_matches_fixed_point_sum(a, b):
    errs = []
    for d in (1_000, 100_000):
        p = PLRF(a, b, math.inf, d)
        errs.append(abs(limit_level(p, "asymptotic") / limit_level(p, "sum") - 1))
    assert errs[1] < errs[0] and errs[1] < 0.02


def test_F_pp_coefficient_is_gamma_function_form():
    # the documented closed form (1/(2a)) Gamma(s) (2T)^(-s), s = (2a+2b-1)/(2a)
    T = sp.Symbol("T", positive=True)
    t = [x for x in plrf_sgd_terms() if x.name == "F_pp"][0]
    s = (2 * alpha + 2 * beta - 1) / (2 * alpha)
    target = sp.gamma(s) / (2 * alpha) * (2 * T) ** (-s)
    for av, bv in [(0.7, 0.3), (1.3, 0.9), (0.3, 0.45)]:
        num = float((t.coeff * T**t.t_power).subs({alpha: av, beta: bv, T: 17.0}))
        ref = float(target.subs({alpha: av, beta: bv, T: 17.0}))
        assert num == pytest.approx(ref, rel=1e-12)


def test_terms_hold_in_disjoint_regions():
    # at most one variant of each term holds anywhere
    rng = np.random.default_rng(1)
    for _ in range(80):
        a, b = rng.uniform(0.01, 2), rng.uniform(-0.5, 2)
        if 2 * a + 2 * b <= 1:
            continue
        names = [t.name for t in plrf_sgd_terms() if t.holds_at(sp.Rational(repr(a)), sp.Rational(repr(b)))]
        assert len(names) == len(set(names))
        assert "F_pp" in names and "F_0" in names


def test_asymptotic_risk_and_stability():
    p = PLRF(0.7, 1.2, 4000, 1000)
    est = theory.plrf.asymptotic_risk(p, SGD(lr=0.2), np.array([1.0, 10.0, 1e3, 1e6]))
    assert np.all(np.isfinite(est)) and np.all(np.diff(est) <= 0)
    assert est[-1] == pytest.approx(limit_level(p) / (1 - theory.plrf.asymptotic_kernel_norm(p, SGD(lr=0.2))), rel=1e-9)
    with pytest.raises(theory.StabilityError):
        theory.plrf.asymptotic_risk(PLRF(0.3, 0.7, 4000, 1000), SGD(lr=0.5), np.array([10.0]))
    with pytest.raises(theory.ParameterError):
        asymptotic_terms(p, SGD(lr=0.2))[1](np.array([0.0]))


def test_boundary_point_uses_spectral_sum():
    ts = {t.name: t for t in asymptotic_terms(PLRF(0.5, 0.7, 4000, 1000), SGD(lr=0.1))}
    assert not ts["F_ac"].applies
    v = ts["F_ac"](np.array([10.0, 100.0]))
    assert np.all(np.isfinite(v)) and v[0] > v[1] > 0


def test_power_term_algebra():
    from theory._power_terms import PowerTerm

    t1 = PowerTerm("a", 2, -1, 0)
    t2 = PowerTerm("b", 3, 0, -2 * alpha)
    prod = t1 * t2
    assert prod.t_power == -1 and prod.d_power == -2 * alpha and prod.coeff == 6
    s = t1 + t2
    vals = s.evaluate(0.7, 0.3, np.array([2.0]), 10.0, 1.0, how="max")
    assert vals[0] == pytest.approx(max(2 / 2.0, 3 * 10.0 ** (-1.4)))
    # t1 dominates t2 at d = f^0.9 (e_a = 1 - x = 0.1 < e_b = 2 a x = 1.26)
    assert t1.dominates(t2, at={"alpha": 0.7, "beta": 0.3, "x": 0.9})
    assert not t2.dominates(t1, at={"alpha": 0.7, "beta": 0.3, "x": 0.9})
