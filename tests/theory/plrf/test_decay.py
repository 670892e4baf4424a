"""Decay schedules on PLRF (theory.plrf._decay, theory.plrf.decay_gain / decay_gain_map): each
derived statement against an independent route (a per-mode recursion, direct sums, a hand
derivation of the LP vertex, the fixed-rate SGD table)."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

import theory
import theory.plrf as tp
from theory.plrf._decay import freeze_exponent, p_sym, schedule_decay_q, sgd_lr_free_exponents, sgd_relaxed_share


@pytest.mark.parametrize("p", [1.0, 2.0])
def test_freeze_exponent_against_a_per_mode_recursion(p):
    """A relaxed mode r <- r (1 - 2 g_k a) + g_k^2 b under g_k = g (1 - k/N)^p keeps ~ (a tau)^-q of
    its stable level g b / (2 a): fit the final level over a decade of a (independent of SymPy)."""
    N, g, b = 40000, 1.0, 1.0
    a = np.geomspace(3e-3, 3e-1, 9) * 1.0  # a tau = a g N from 120 to 12000: relaxed, not frozen at once
    k = np.arange(N)
    gk = g * (1 - (k + 1) / N) ** p
    r = g * b / (2 * a)  # at the stable level when the decay starts
    for gg in gk:
        r = r * (1 - 2 * gg * a) + gg**2 * b
    kept = r / (g * b / (2 * a))
    slope = np.polyfit(np.log(a * g * N), np.log(kept), 1)[0]
    q = float(freeze_exponent().subs(p_sym, p))
    assert abs(-slope - q) < 0.03, (slope, q)


def test_schedule_decay_q_reads_the_schedule():
    assert schedule_decay_q(theory.WSD(decay=0.2, shape="polynomial", power=3.0)) == ("decay", 0.75)
    assert schedule_decay_q(theory.Constant())[0] == "constant"


def test_relaxed_share_growth_against_direct_sums():
    """log_f of sum_{j<=J} j^-c: (1 - c) iota for c < 1 and bounded for c > 1 (the Piecewise of
    sgd_relaxed_share at q = 0)."""
    E = sgd_relaxed_share(False)
    iota = sp.Symbol("iota", positive=True)
    for a, c in ((0.3, 0.6), (0.7, 1.4)):
        J = np.array([1e3, 1e5])
        s = [np.sum(np.arange(1, int(x) + 1) ** -c) for x in J]
        slope = np.log(s[1] / s[0]) / np.log(J[1] / J[0])
        coeff = -float(sp.diff(E.subs(sp.Symbol("alpha"), a), iota).subs(theory._power_terms.alpha, a))
        assert abs(slope - coeff) < 0.05, (a, slope, coeff)


def test_sgd_lr_free_matches_fixed_rate_table_where_the_stable_rate_is_optimal():
    """alpha > 1/2: the optimal rate is the stability limit, so the lr-free LP must reproduce the
    fixed-rate (Paquette) table, a different solver and term set."""
    for a, b in ((0.7, 1.2), (1.0, 0.7), (1.0, 0.1), (0.75, 0.06), (0.6, 0.3), (1.0, 2.0)):
        assert abs(sgd_lr_free_exponents(a, b)["eta"] - tp.compute_optimal_exponents(a, b, "sgd").eta) < 1e-9


def test_sgd_lr_free_is_steeper_in_phase_iva_hand_derivation():
    """(0.4, 0.7): F_ac level = F_0 = d^-0.8, F_pp = tau^-1.5, noise = gamma tau^-0.75 with the rate
    free. Equalising 0.8u = 1.5T = -w + 0.75T, T = w + 1 - u gives u = 15/29, eta = 12/29 > 0.4 (the
    fixed-rate table), with w = -6/29 below the stability limit -0.2u."""
    r = sgd_lr_free_exponents(0.4, 0.7)
    assert abs(r["eta"] - 12 / 29) < 1e-9 and abs(r["xi"] - 15 / 29) < 1e-9 and abs(r["w"] + 6 / 29) < 1e-9
    assert tp.compute_optimal_exponents(0.4, 0.7, "sgd").eta == pytest.approx(0.4)


def test_sgd_decay_gain_is_zero_on_a_grid():
    g = tp.decay_gain_grid(np.linspace(0.15, 1.6, 7), np.linspace(-0.2, 2.2, 7), "sgd", theory.WSD(decay=0.2))
    v = g["gain"][np.isfinite(g["gain"])]
    assert v.size > 30 and np.all(v == 0.0)
    g2 = tp.decay_gain_grid([0.2, 0.35, 1.2], [0.6, 0.9], "sgd", theory.Cosine())
    assert np.all(g2["gain"][np.isfinite(g2["gain"])] == 0.0)


@pytest.mark.parametrize("sched", [theory.WSD(decay=0.2), theory.WSD(decay=0.3, shape="cosine"), theory.Cosine()])
def test_signsgd_gain_in_svi_hand_values(sched):
    """S-VI above beta = 2 alpha: (6a - 1)/(6a) - 4a/(4a + 1); between beta = a + 1/2 and 2a:
    (2a + 2b - 1)/(2(a + b)) - 4a/(4a + 1); independent of the end power (q)."""
    g = tp.decay_gain(0.7, 1.5, "signsgd", sched)
    assert g["gain"] == pytest.approx(16 / 21 - 14 / 19, abs=1e-9)
    g = tp.decay_gain(1.0, 1.7, "signsgd", sched)
    assert g["gain"] == pytest.approx(4.4 / 5.4 - 0.8, abs=1e-9)


def test_signsgd_no_gain_in_the_papers_region_and_controls():
    for a, b in ((1.0, 0.1), (0.75, 0.06), (0.7, 0.05), (1.0, 0.7), (1.5, 0.3), (0.4, 0.7)):
        assert tp.decay_gain(a, b, "signsgd", theory.WSD(decay=0.2))["gain"] == 0.0


def test_decay_gain_map_regions_and_boundaries():
    m = tp.decay_gain_map([0.7, 1.0], [0.1, 1.3, 1.5, 2.5], "signsgd", theory.WSD(decay=0.2))
    keys = {str(sp.factor(v["gain_expr"])) for v in m["regions"].values()}
    assert "0" in keys and len(keys) == 3
    a, b = theory._power_terms.alpha, theory._power_terms.beta
    bset = {sp.factor(x) for x in m["boundaries"]}
    assert any(sp.expand(x - (b - 2 * a)) == 0 or sp.expand(x + (b - 2 * a)) == 0 for x in bset), bset
    assert any(sp.expand(x - (2 * b - 2 * a - 1)) == 0 or sp.expand(x + (2 * b - 2 * a - 1)) == 0 for x in bset), bset


def test_decay_gain_rejects_a_schedule_without_decay():
    with pytest.raises(theory.ParameterError, match="schedule"):
        tp.decay_gain(0.7, 1.5, "signsgd", theory.Constant())
    with pytest.raises(theory.ParameterError, match="schedule"):
        tp.decay_gain(0.7, 1.5, "sgd", theory.WSD(decay=0.2, floor=0.1))


def test_lp_slacks_at_the_s6_decay_vertex_by_hand():
    """(1.0, 2.0), linear decay: vertex u = 2/3, w = -2/3, t_s = 2/3, t = 5/6 (sigma = 1/2). The decayed
    relaxed noise is gamma^2 s^2 (tau^-q sum mu_j^(1-q))^2 with 2 alpha (1 - q) = 1 (head-dominated
    branch): exponent -(2w + 2 sigma u - 2 q T_s) with T_s = w + sigma u + 1 - u + t_s/2 = 1/3, i.e.
    1, so it lies f^-(1 - 5/6) = f^-1/6 below the loss: its share of the loss dies out like f^-1/6."""
    from theory.plrf._signsgd_lp import signsgd_exponents_at

    r = signsgd_exponents_at(1.0, 2.0, "decay")
    sl = r.info["slacks"]
    assert sl["noise"] == pytest.approx(1 / 6, abs=1e-12)
    for name in r.active:
        if name in sl:
            assert abs(sl[name]) < 1e-9
    assert all(v > -1e-9 for v in sl.values())


def test_noise_slacks_constant_rate_coequal_decay_positive_in_s6():
    """At the constant-rate optimum the relaxed noise is active (the LP balances it against the drift:
    slack 0); under a decay it is strictly below the loss in S-VI (slack > 0: its share dies out)."""
    for ab in [(1.0, 2.0), (0.8, 1.45), (1.5, 4.0), (1.0, 0.1)]:
        g = tp.decay_gain(*ab, "signsgd", theory.WSD(warmup=0.0, decay=0.2))
        assert g["noise_slack_constant"] == 0.0
        assert g["noise_slack_decay"] > 0.05
    assert tp.decay_gain(1.0, 2.0, "sgd", theory.WSD(decay=0.2))["noise_slack_decay"] is None
