"""signSGD's own phase diagram (closed forms against scipy.optimize.linprog at random points
of each phase, coverage, boundaries, continuity), the time-dependent noise term and the
decayed noise checked on the per-mode equations, and the schedule-aware exponents."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

from theory import WSD, Constant, ParameterError, SignSGD, StableDecay
from theory.plrf import PLRF
from theory.plrf._signsgd_phases import (format_signsgd_phase_table, signsgd_phase_boundaries, signsgd_phase_check,
                                    signsgd_phase_of, signsgd_phase_table)
from theory.plrf import decay_gain_grid, exponent_grid
from theory.plrf._signsgd import _lp_schedule

AL, BE = sp.Symbol("alpha"), sp.Symbol("beta")


def _ev(expr, a, b):
    return float(expr.subs({s: (a if s.name == "alpha" else b) for s in expr.free_symbols}))


def test_phase_table_has_distinct_phases_with_closed_forms():
    tab = signsgd_phase_table()
    assert len(tab) >= 5
    names = [p.name for p in tab]
    assert len(set(names)) == len(names)
    forms = {(str(p.eta), str(p.xi), str(p.e)) for p in tab}
    assert len(forms) == len(tab)
    for p in tab:
        assert signsgd_phase_of(*p.point) == p.name
        assert p.description
    # the Phase-III-like closed form (F_ac = noise) is one of them
    etas = [sp.simplify(p.eta.subs({s: AL for s in p.eta.free_symbols if s.name == "alpha"})) for p in tab]
    assert any(sp.simplify(e - 4 * AL / (4 * AL + 1)) == 0 for e in etas)


def test_random_points_of_each_phase_match_linprog(signsgd_linprog_eta):
    rng = np.random.default_rng(3)
    tab = {p.name: p for p in signsgd_phase_table()}
    seen = {n: 0 for n in tab}
    tries = 0
    while min(seen.values()) < 2 and tries < 3000:
        tries += 1
        a, b = rng.uniform(0.03, 1.5), rng.uniform(0.0, 1.8)
        if 2 * a + 2 * b < 1.05:
            continue
        name = signsgd_phase_of(a, b)
        if seen[name] >= 2:
            continue
        seen[name] += 1
        p = tab[name]
        assert _ev(p.eta, a, b) == pytest.approx(signsgd_linprog_eta(a, b), abs=1e-8), (name, a, b)
    assert min(seen.values()) >= 1, seen


@pytest.mark.slow
def test_phases_cover_the_domain_and_eta_is_continuous():
    chk = signsgd_phase_check(40)
    assert chk["covered"] == chk["points"] and chk["multiple"] == 0, chk
    assert chk["max_eta_error"] < 1e-9 and chk["max_boundary_jump"] < 1e-6, chk


@pytest.mark.slow
def test_boundaries_are_the_derived_lines():
    bnd = signsgd_phase_boundaries()
    curves = {str(c) for v in bnd.values() for c in v["curves"]}
    assert curves <= {"4*alpha - 1", "2*alpha - 1", "2*beta - 1", "2*alpha - 2*beta + 1", "-2*alpha + 2*beta - 1"}
    for pair, v in bnd.items():
        assert "unexplained" not in v, pair
        for (a, b) in v["points"]:  # each boundary point lies on one of the pair's curves
            assert min(abs(_ev(c, a, b)) for c in v["curves"]) < 1e-5


def test_phase_of_bad_input_and_table_format():
    with pytest.raises(ParameterError):
        signsgd_phase_of(0.1, 0.1)
    md = format_signsgd_phase_table("markdown")
    assert md.startswith("| phase") and "S-I" in md
    assert "4*alpha/(4*alpha + 1)" in md


# --- item 1: the time-dependent noise for alpha < 1/2, on the per-mode equations -------------------

def _noise_run(alpha, d, taus, part="all", schedule=None):
    """R = P - P_inf from r0 = 0 with P_inf = 1 (so phi ~ 2/pi), normalised R s / gamma."""
    from numerics.plrf._signsgd import signsgd_plrf_risk
    from numerics.plrf import SignSGDPLRFModes, sign_modes as signsgd_plrf_modes

    pr = PLRF(alpha, 0.7, 4 * d, d)
    m = signsgd_plrf_modes(pr, "deterministic")
    s = 1.0 / m.sqrt_diag_mean
    mu = m.lam / s
    n = {"all": m.n, "iso": mu * (1 - 2 / math.pi), "A2": (2 / math.pi) * s * s * mu * mu}[part]
    mm = SignSGDPLRFModes(m.lam, n, np.zeros_like(m.r0), 1.0, "given", m.sqrt_diag_mean)
    gam = 1e-4 / s
    out = []
    for tau in taus:
        N = int(round(tau / (gam * (2 / math.pi) * s)))
        c = signsgd_plrf_risk(pr, SignSGD(lr=gam), schedule or Constant(), steps=N, modes=mm, record=[0, N],
                              method="loggrid", h=0.01)
        out.append((c.risk[-1] - 1.0) * s / gam)
    return np.array(out), s


def test_noise_for_alpha_below_one_half_depends_on_relaxed_modes():
    """alpha = 0.4: at fixed tau with J = tau^(1/(2a)) < d the noise scales like s^2 (J-dependent
    term gamma s J^(1-2a)), not like s^2 tr D (the all-relaxed term gamma^2 d tr D)."""
    tau = [60.0]
    r1, s1 = _noise_run(0.4, 1000, tau)
    r2, s2 = _noise_run(0.4, 2000, tau)
    ratio = r2[0] / r1[0]
    new, old = (s2 / s1) ** 2, (s2 / s1) ** 2 * 2 ** (1 - 0.8)
    assert abs(ratio - new) < abs(ratio - old)
    assert ratio == pytest.approx(new, rel=0.06)


def test_noise_below_one_quarter_is_linear_in_tau():
    """alpha = 0.2: before relaxation the unrelaxed tail gamma^2 N sum n_j dominates: R ~ tau."""
    r, _ = _noise_run(0.2, 2000, [0.02, 0.2])
    assert np.log(r[1] / r[0]) / np.log(10) == pytest.approx(1.0, abs=0.05)


@pytest.mark.slow
def test_decayed_noise_scales_as_derived():
    """After a linear decay the relaxed anisotropic noise falls like tau^-min(q, (2a-1)/(2a)),
    q = 1/2 (alpha = 2: -1/2; alpha = 0.7: -(2a-1)/(2a) = -0.286); the isotropic part keeps
    its tau^(1/(2a)) growth (J)."""
    taus = [450.0, 6400.0]
    lin = StableDecay(decay=0.2, shape="linear")
    r, _ = _noise_run(2.0, 1000, taus, "A2", lin)
    assert np.log(r[1] / r[0]) / np.log(taus[1] / taus[0]) == pytest.approx(-0.5, abs=0.05)
    r, _ = _noise_run(0.7, 1000, taus, "A2", lin)
    assert np.log(r[1] / r[0]) / np.log(taus[1] / taus[0]) == pytest.approx(-2 * 0.4 / 2.8, abs=0.05)
    r, _ = _noise_run(2.0, 1000, taus, "iso", lin)
    assert np.log(r[1] / r[0]) / np.log(taus[1] / taus[0]) == pytest.approx(0.25, abs=0.03)
    rc, _ = _noise_run(2.0, 1000, taus, "A2", StableDecay(decay=0.2, shape="cosine"))
    r, _ = _noise_run(2.0, 1000, taus, "A2", lin)
    assert rc[1] < r[1]  # q = 2/3 > 1/2: the cosine tail removes more


# --- item 3: schedule-aware exponents ---------------------------------------------------------------

def test_decay_q_of_schedules():
    assert Constant().end_decay_power() is None and _lp_schedule(Constant())[0] == "constant"
    assert _lp_schedule(StableDecay(decay=0.2, shape="linear")) == ("decay", 0.5)
    assert _lp_schedule(StableDecay(decay=0.2, shape="polynomial", power=2.0))[1] == pytest.approx(2 / 3)


def test_decay_gain_region_and_closed_form(signsgd_linprog_eta):
    """Gain only for alpha > 1/2, beta > alpha + 1/2, where eta_decay =
    min((6a-1)/(6a), (2a+2b-1)/(2(a+b))) (hand-derived from the active sets) > 4a/(4a+1)."""
    for a, b in [(0.7, 1.5), (0.9, 1.6), (0.6, 1.3), (1.1, 1.75)]:
        eta = float(exponent_grid([a], [b], "signsgd", WSD(decay=0.2))["eta"][0, 0])
        want = min((6 * a - 1) / (6 * a), (2 * a + 2 * b - 1) / (2 * (a + b)))
        assert eta == pytest.approx(want, abs=1e-9)
        assert eta == pytest.approx(signsgd_linprog_eta(a, b, "decay"), abs=1e-8)
        assert eta > 4 * a / (4 * a + 1) + 1e-6
    g = decay_gain_grid(np.linspace(0.05, 1.5, 12), np.linspace(0.0, 1.8, 12), "signsgd", WSD(decay=0.2))
    A, B = np.meshgrid(g["alpha"], g["beta"])
    gain = g["gain"] > 1e-9
    assert np.all(~gain | ((A > 0.5) & (B > A + 0.5)))
    assert np.all(g["gain"][np.isfinite(g["gain"])] > -1e-9)
    # the research note's Area Aa* (0.5 - a < b < (2a-1)/(2(4a-1))): no gain there
    aa = (A > 0.5) & (B > 0.5 - A) & (B < (2 * A - 1) / (2 * (4 * A - 1)))
    assert aa.any() and not np.any(gain & aa)


@pytest.mark.slow
def test_cli_signsgd_phase_map_and_table(tmp_path, capsys):
    from sltk._cli import main

    out = tmp_path / "ph.png"
    assert main(["phases", "--optimizer", "signsgd", "--quantity", "phase", "--grid", "10", "--out", str(out)]) == 0
    assert out.exists() and out.stat().st_size > 0
    capsys.readouterr()
    assert main(["exponents", "--optimizer", "signsgd", "--table"]) == 0
    assert "S-I" in capsys.readouterr().out
