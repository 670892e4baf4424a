"""Compute-optimal exponents and the phase diagram (theory._exponents/_phases/_exponent_table).

Independent references: (i) hand-derived balance equations (written out below, e.g. Phase I
balances F_pp = (f/d)^(-(2a+2b-1)/(2a)) with F_0 = d^(-(2a+2b-1))); (ii) a brute-force
numerical minimisation over d of the maximum of the terms *with their constants*, in log
space at astronomically large compute; (iii) the fitted finite-size exponents of the
research note (sec. 1.9), which the asymptotic eta must roughly bound from above.
"""

import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import theory
from theory import TermSet, solve_term_lp
from theory.plrf._sgd import SGD_RULES, SGDRules
from theory.plrf._sgd_phases import REGIONS as _REGIONS, _linearize
from theory._power_terms import alpha as A
from theory._power_terms import beta as B

HAND = {  # hand derivation (docs/theory.md sec. 4), independent of the LP code
    "Ia": (1 / (2 * A + 1), (2 * A + 2 * B - 1) / (2 * A + 1)),
    "Ib": (sp.Rational(1, 2), (2 * A + 2 * B - 1) / 2),
    "Ic": ((2 * A + 2 * B - 1) / (2 * (3 * A - 2 * A * B + 2 * B - 1)), A * (2 * A + 2 * B - 1) / (3 * A - 2 * A * B + 2 * B - 1)),
    "II": (B / (A + B), (2 * A + 2 * B - 1) / (2 * (A + B))),
    "III": (sp.Rational(1, 2), 1 - 1 / (4 * A)),
    "IVa": (sp.Rational(1, 2), A),
    "IVb": ((B - A) / (2 * B - A - 2 * A * B), (1 - 2 * A) * (2 * A + 2 * B - 1) / (2 * (2 * B - A - 2 * A * B))),
}


def test_table_matches_hand_derivation():
    rows = theory.plrf.exponent_table()
    assert [r.phase for r in rows] == ["Ia", "Ib", "Ic", "II", "III", "IVa", "IVb"]
    for r in rows:
        xi, eta = HAND[r.phase]
        assert sp.simplify(r.xi - xi) == 0, r.phase
        assert sp.simplify(r.eta - eta) == 0, r.phase


def test_phase_III_is_universal_half():
    r = theory.plrf.compute_optimal_exponents(0.8, 1.3)
    assert r.phase == "III" and r.xi_expr == sp.Rational(1, 2) and r.xi == 0.5


def test_dominant_terms_and_balanced_pairs():
    rows = {r.phase: r for r in theory.plrf.exponent_table()}
    assert rows["II"].balanced == ("F_pp", "F_ac")
    assert rows["III"].balanced == ("F_ac", "noise")
    assert rows["IVa"].balanced == ("F_0", "noise")
    assert rows["IVb"].balanced == ("F_pp", "noise")
    assert set(rows["III"].dominant_terms) == {"F_0", "F_ac", "noise"}
    assert set(rows["II"].dominant_terms) == {"F_0", "F_pp", "F_ac"}
    for n in ("Ia", "Ib", "Ic"):
        assert rows[n].balanced == ("F_0", "F_pp") and set(rows[n].dominant_terms) == {"F_0", "F_pp"}


def _brute_force(a, b, logf):
    """min over d of max_k log(term_k) with constants, gamma = d^g (kappa = 1, B = 1)."""
    ts = SGD_RULES.termset
    sa, sb = sp.Rational(repr(a)), sp.Rational(repr(b))
    g = 0.0 if 2 * a > 1 else 2 * a - 1
    terms = [t for t in ts.terms if t.holds_at(sa, sb)]
    logd = np.linspace(0, logf, 40_001)
    logT = g * logd + logf - logd
    vals = []
    for t in terms:
        c = float(sp.N(t.coeff.subs({A: sa, B: sb, sp.Symbol("kappa", positive=True): 1})))
        tp, dp, gp = (float(t.t_power.subs({A: sa, B: sb})), float(t.d_power.subs({A: sa, B: sb})),
                      float(t.gamma_power.subs({A: sa, B: sb})))
        vals.append(math.log(abs(c)) + gp * g * logd + tp * logT + dp * logd)
    worst = np.max(vals, axis=0)
    k = int(np.argmin(worst))
    return worst[k], logd[k]


@pytest.mark.parametrize("a,b", [(0.7, 0.3), (0.4, 0.3), (0.15, 0.7), (1.0, 0.7), (0.7, 1.2),
                                 (0.4, 0.7), (0.27, 0.7)])
def test_exponents_match_brute_force_minimisation(a, b):
    (p1, d1), (p2, d2) = _brute_force(a, b, 2000.0), _brute_force(a, b, 4000.0)
    eta_num = -(p2 - p1) / 2000.0
    xi_num = (d2 - d1) / 2000.0
    r = theory.plrf.compute_optimal_exponents(a, b)
    assert eta_num == pytest.approx(r.eta, abs=2e-4)
    assert xi_num == pytest.approx(r.xi, abs=2e-3)


NOTE_FITS = {  # research note sec. 1.9, last fitted window (finite sizes approach from below)
    (0.7, 0.3): 0.40, (1.0, 0.7): 0.75, (0.7, 0.7): 0.65, (0.7, 1.2): 0.60,
    (0.4, 0.3): 0.19, (0.4, 0.7): 0.39, (0.27, 0.7): 0.24, (0.2, 0.7): 0.15,
}


@pytest.mark.parametrize("pt", list(NOTE_FITS))
def test_eta_roughly_bounds_finite_size_fits(pt):
    eta = theory.plrf.compute_optimal_exponents(*pt).eta
    assert eta >= NOTE_FITS[pt] - 0.07


def test_deleting_noise_term_changes_table():
    base = SGD_RULES.termset

    class NoNoiseRules(SGDRules):  # SGD's rules with the noise term deleted (own caches, nothing to clear)
        @property
        def termset(self):
            return TermSet(tuple(t for t in base.terms if t.name != "noise"), base.lr_exponent)

    rows = {r.phase: r for r in NoNoiseRules().phase_table()}
    full = {r.phase: r for r in theory.plrf.exponent_table("sgd")}
    assert rows["III"].balanced == ("F_pp", "F_ac")  # without SGD noise III behaves like II
    assert sp.simplify(rows["III"].xi - full["III"].xi) != 0
    assert sp.simplify(rows["IVa"].eta - full["IVa"].eta) != 0
    assert sp.simplify(rows["Ia"].eta - full["Ia"].eta) == 0  # noise never mattered in Ia


def test_partition_disjoint_and_covering():
    res = theory.plrf.check_phase_partition()
    assert res.disjoint and res.covers and res.ok


def test_lra_check_detects_overlap_and_gap():
    from sympy.logic.inference import satisfiable

    # a deliberately wrong pair of regions must be caught by the same machinery
    e, cons = _linearize(sp.And(2 * B > 1, 2 * A ** 2 - 4 * A + 1 < 0, 4 * A < 1 + sp.Rational(1, 5)))
    assert satisfiable(sp.And(e, *cons), use_lra_theory=True) is not False
    e, cons = _linearize(sp.And(2 * B > 1, 2 * A ** 2 - 4 * A + 1 < 0, 4 * A < 1))
    assert satisfiable(sp.And(e, *cons), use_lra_theory=True) is False


def test_boundaries_eta_continuous_xi_jumps_only_IVa_IVb():
    bds = [b for b in theory.plrf.phase_boundaries() if "outside" not in b.phases]
    pairs = {b.phases for b in bds}
    for expected in [("Ia", "Ib"), ("Ia", "II"), ("II", "III"), ("III", "IVa"), ("IVa", "IVb"),
                     ("Ic", "IVb"), ("Ib", "Ic"), ("Ib", "IVa"), ("Ib", "IVb")]:
        assert expected in pairs
    for b in bds:
        assert b.eta_continuous, b
        assert b.xi_continuous == (b.phases != ("IVa", "IVb")), b
    jump = [b for b in bds if b.phases == ("IVa", "IVb")][0]
    assert jump.equation == "2*alpha**2 - 4*alpha + 1 = 0"


def test_derived_boundaries_contain_those_used():
    derived = theory.plrf.derived_boundary_polynomials()
    for p in theory.plrf._sgd_phases.BOUNDARY_POLYNOMIALS:
        assert any(sp.expand(p - q) == 0 or sp.expand(p + q) == 0 for q in derived), p


def test_piecewise_agrees_with_point_queries():
    xi, eta = theory.plrf.exponents_piecewise()
    fx = sp.lambdify((A, B), xi, "math")
    fe = sp.lambdify((A, B), eta, "math")
    for pt in [(0.7, 0.3), (0.4, 0.3), (0.2, 0.7), (1.0, 0.7), (0.7, 1.2), (0.4, 0.7), (0.27, 0.7)]:
        r = theory.plrf.compute_optimal_exponents(*pt)
        assert fx(*pt) == pytest.approx(r.xi) and fe(*pt) == pytest.approx(r.eta)


def test_boundary_queries():
    loc = theory.plrf.phase_of(0.7, 0.5)
    assert loc.name is None and loc.boundary == "2*beta = 1" and loc.phases == ("Ia", "II")
    r = theory.plrf.compute_optimal_exponents(1 - 1 / math.sqrt(2), 0.8)
    assert r.phase is None and r.xi is None and set(r.phases) == {"IVa", "IVb"}
    assert r.eta == pytest.approx(1 - 1 / math.sqrt(2))
    lo, hi = r.xi_interval
    assert lo == pytest.approx(0.5) and hi > 0.5
    r = theory.plrf.compute_optimal_exponents(0.5, 0.5)
    assert set(r.phases) == {"Ia", "Ib", "II", "III", "IVa"} and r.eta == pytest.approx(0.5)


@pytest.mark.parametrize("a,b,param", [(0.0, 1.0, "alpha"), (-1.0, 1.0, "alpha"), (0.2, 0.3, "2*alpha + 2*beta"),
                                       (0.25, 0.25, "2*alpha + 2*beta")])
def test_outside_domain_raises(a, b, param):
    with pytest.raises(theory.ParameterError) as e:
        theory.plrf.compute_optimal_exponents(a, b)
    assert e.value.parameter == param
    with pytest.raises(theory.ParameterError):
        theory.plrf.phase_of(a, b)


def test_unknown_optimizer_raises():
    with pytest.raises(theory.ParameterError):
        theory.plrf.compute_optimal_exponents(0.7, 1.2, optimizer="adam")


_points = st.tuples(st.floats(0.02, 1.8), st.floats(-0.4, 2.0)).filter(lambda p: 2 * p[0] + 2 * p[1] > 1.02)


@settings(max_examples=15, deadline=None)
@given(_points)
def test_lp_pair_is_constant_over_each_phase(pt):
    a, b = pt
    loc = theory.plrf.phase_of(a, b)
    if loc.name is None:
        return
    rows = {r.phase: r for r in theory.plrf.exponent_table()}
    sol = solve_term_lp(SGD_RULES.termset, a, b)
    assert sol.pair == rows[loc.name].balanced
    assert sol.dominant_terms == rows[loc.name].dominant_terms
    assert sol.eta == pytest.approx(float(rows[loc.name].eta.subs({A: a, B: b})), abs=1e-12)


from functools import lru_cache


@lru_cache(maxsize=None)
def _piecewise_fns():
    return tuple(sp.lambdify((A, B), e, "math") for e in theory.plrf.exponents_piecewise())


@lru_cache(maxsize=None)
def _region_fns():
    return tuple((n, sp.lambdify((A, B), region, "math")) for n, region, _ in _REGIONS)


@settings(max_examples=40, deadline=None)
@given(_points)
def test_eta_between_zero_and_loss_exponent_bounds(pt):
    a, b = pt
    xi, eta = _piecewise_fns()
    e, x = eta(a, b), xi(a, b)
    assert 0 < e <= (2 * a + 2 * b - 1) / 2 + 1 + 1e-12 and 0 <= x <= 1
    # each phase region lambdified as a mask agrees with phase_of
    loc = theory.plrf.phase_of(a, b)
    inside = [n for n, f in _region_fns() if bool(f(a, b))]
    assert inside == ([loc.name] if loc.name else [])


@settings(max_examples=30, deadline=None)
@given(st.sampled_from([b for b in ["2*beta = 1", "2*alpha = 1", "beta = alpha", "4*alpha = 1"]]),
       st.floats(0.0, 1.0))
def test_eta_continuous_across_boundaries(eq, t):
    fe = _piecewise_fns()[1]
    if eq == "2*beta = 1":
        a0, b0, n = 0.02 + 1.5 * t, 0.5, (0.0, 1.0)
    elif eq == "2*alpha = 1":
        a0, b0, n = 0.5, 0.02 + 1.5 * t, (1.0, 0.0)
    elif eq == "beta = alpha":
        a0 = 0.52 + 1.2 * t
        b0, n = a0, (-1 / math.sqrt(2), 1 / math.sqrt(2))
    else:
        a0, b0, n = 0.25, 0.52 + 1.4 * t, (1.0, 0.0)
    h = 1e-7
    e1, e2 = fe(a0 + h * n[0], b0 + h * n[1]), fe(a0 - h * n[0], b0 - h * n[1])
    assert abs(e1 - e2) < 1e-5
