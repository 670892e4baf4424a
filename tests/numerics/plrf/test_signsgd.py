"""signSGD on PLRF: the per-mode equations, the registered risk solver, long horizons and
schedules, and the equations against simulated signSGD on the same instance."""

from __future__ import annotations

import math

import numpy as np
import pytest

import theory
import numerics.plrf
from numerics.plrf._signsgd import signsgd_plrf_risk
from numerics.plrf import risk_curve, sign_modes as signsgd_plrf_modes
from numerics.plrf._signsgd import SignSGDPLRFModes
from theory import SGD, ParameterError, SignSGD
from theory.plrf import PLRF
from verification.plrf._signsgd import _floor_lr as default_signsgd_lr
from verification.plrf import check_equations as check_signsgd_plrf, sample_instance


def _scalar_reference(lam, n, r0, p_inf, gamma_of_k, steps):
    """Independent per-step iteration of r <- r (1 - 2 g (2/pi)/sqrt(P) lam) + g^2 n."""
    r = np.array(r0, dtype=float)
    out = [p_inf + r.sum()]
    for k in range(steps):
        g = gamma_of_k(k)
        P = p_inf + r.sum()
        r = r * (1 - 2 * g * (2 / math.pi) / math.sqrt(P) * lam) + g * g * n
        out.append(p_inf + r.sum())
    return np.array(out)


def test_registered_for_signsgd_and_dispatched():
    assert SignSGD in numerics.plrf.RULES and numerics.plrf.RULES[SignSGD].optimizer_name == "signsgd"
    c = risk_curve(PLRF(1.0, 0.75, 200, 50), SignSGD(lr=1e-3), steps=1000, spectrum="surrogate", n_points=5)
    assert c.status == "ok" and c.steps[0] == 0 and c.risk[0] == pytest.approx(c.risk[0])
    assert np.all(np.isfinite(c.risk)) and c.risk[-1] < c.risk[0]


def test_given_modes_match_independent_iteration_with_schedule():
    md = SignSGDPLRFModes(lam=np.array([2.0, 0.5, 0.01]), n=np.array([1.0, 0.3, 0.02]), r0=np.array([0.5, 0.2, 0.1]),
                          p_inf=0.05, kind="given", sqrt_diag_mean=1.0)
    p = PLRF(1.0, 0.75, 200, 3)
    sched = theory.WSD(warmup=0.1, decay=0.3, shape="cosine")
    N, g0 = 3000, 0.02
    ref = _scalar_reference(md.lam, md.n, md.r0, md.p_inf, lambda k: g0 * sched([k], N)[0], N)
    c = signsgd_plrf_risk(p, SignSGD(lr=g0), sched, N, modes=md, n_points=30, method="recursion")
    np.testing.assert_allclose(c.risk, ref[c.steps], rtol=1e-12)
    lg = signsgd_plrf_risk(p, SignSGD(lr=g0), sched, N, modes=md, record=c.steps, method="loggrid", h=0.005)
    np.testing.assert_allclose(lg.risk, ref[c.steps], rtol=0.02)


def test_limit_risk_of_linear_equations():
    md = SignSGDPLRFModes(lam=np.array([1.0, 0.5]), n=np.array([1.0, 0.5]), r0=np.array([0.3, 0.3]),
                          p_inf=0.01, kind="given", sqrt_diag_mean=1.0)
    # stationary: r_j = g n_j sqrt(P) / (2 (2/pi) lam_j) -> R = (pi g / 4) sqrt(P) sum(n/lam)
    g = 1e-3
    c = math.pi * g * 2 / 4
    R = c * (c + math.sqrt(c * c + 4 * 0.01)) / 2
    assert md.limit_risk(g) == pytest.approx(R + 0.01, rel=1e-12)
    curve = signsgd_plrf_risk(PLRF(1.0, 0.75, 20, 2), SignSGD(lr=g), steps=2_000_000, modes=md, n_points=20)
    assert curve.method == "loggrid"
    assert curve.risk[-1] == pytest.approx(R + 0.01, rel=1e-3)


def test_loggrid_matches_recursion_on_exact_spectrum():
    p = PLRF(1.0, 0.7, 400, 100)
    md = signsgd_plrf_modes(p, "exact", seed=2)
    opt = SignSGD(lr=default_signsgd_lr(p))
    a = signsgd_plrf_risk(p, opt, steps=20_000, modes=md, n_points=25, method="recursion")
    b = signsgd_plrf_risk(p, opt, steps=20_000, modes=md, record=a.steps, method="loggrid")
    np.testing.assert_allclose(b.risk, a.risk, rtol=0.01)


@pytest.mark.parametrize("schedule", [theory.Constant(), theory.parse_schedule("wsd:warmup=0,decay=0.2")])
def test_loggrid_follows_the_recursion_through_stiff_modes(schedule):
    """Once the risk has fallen, phi = sqrt(2/pi)/sqrt(P) makes the top mode's factor 1 - 2 gamma phi lam
    negative (an oscillating, decaying mode). The log-grid chunks used log1p of it (NaN) and reported a
    divergence that the exact recursion does not have (it self-stabilises below the factor -1)."""
    p = PLRF(1.5, 0.3, 1024, 256)
    opt = SignSGD(lr=1.8e-3)  # 1.6 % of the initial-risk limit; stiff after ~1e4 steps
    a = signsgd_plrf_risk(p, opt, schedule, steps=40_000, n_points=30, method="recursion")
    b = signsgd_plrf_risk(p, opt, schedule, steps=40_000, record=a.steps, method="loggrid")
    assert a.status == "ok" and b.status == "ok", b.message
    md = signsgd_plrf_modes(p, "deterministic")
    assert 2 * opt.lr * math.sqrt(2 / math.pi) / math.sqrt(a.risk[-1]) * md.lam.max() > 1  # the stiff case
    np.testing.assert_allclose(b.risk, a.risk, rtol=2e-3)


def test_exact_modes_sum_rules():
    p = PLRF(0.7, 1.2, 300, 80)
    inst = sample_instance(p, seed=1)
    md = signsgd_plrf_modes(p, "exact", W=inst.W)
    K = inst.W.T @ (p.population_eigenvalues()[:, None] * inst.W)
    # the initial population risk is sum_j j^(-2a-2b) (theta_0 = 0)
    assert md.initial_risk == pytest.approx(p.initial_risk(), rel=1e-10)
    assert md.sqrt_diag_mean == pytest.approx(np.mean(np.sqrt(np.diag(K))), rel=1e-12)
    assert np.sum(md.n / md.lam) == pytest.approx(np.sum(np.sqrt(np.diag(K))), rel=1e-8)


def test_deterministic_spectrum_tracks_exact_within_stated_factor():
    p = PLRF(1.0, 0.7, 800, 200)
    opt = SignSGD(lr=default_signsgd_lr(p))
    ex = signsgd_plrf_risk(p, opt, steps=20_000, spectrum="exact", seed=0, n_points=10)
    de = signsgd_plrf_risk(p, opt, steps=20_000, spectrum="deterministic", record=ex.steps)
    ratio = de.risk[1:] / ex.risk[1:]
    late = ex.steps[1:] >= 1000
    assert np.all((ratio > 0.5) & (ratio < 2.0)), ratio  # transient: the drop is shifted a little
    assert np.all((ratio[late] > 0.75) & (ratio[late] < 1.33)), ratio


def test_long_horizon_1e8_steps_runs_on_log_grid():
    p = PLRF(1.0, 0.7, 4000, 1000)
    opt = SignSGD(lr=default_signsgd_lr(p, floor=1e-5))
    c = risk_curve(p, opt, steps=10**8, n_points=60)
    assert c.status == "ok" and c.method == "loggrid"
    assert np.all(np.isfinite(c.risk)) and c.steps[-1] == 10**8
    # ends at the stationary level of the equations
    assert c.risk[-1] == pytest.approx(c.extra["limit_risk"], rel=0.05)


def test_unstable_learning_rate_reports_diverged():
    p = PLRF(1.0, 0.75, 200, 50)
    c = risk_curve(p, SignSGD(lr=50.0), steps=100, spectrum="surrogate")
    assert c.status == "diverged" and "largest stable gamma" in c.message and c.risk.size == 0


@pytest.mark.parametrize(
    "call, param",
    [
        (lambda: signsgd_plrf_risk(PLRF(1.0, 0.75, 200, 50), SignSGD(lr=1e-3, batch=4), steps=10), "batch"),
        (lambda: signsgd_plrf_risk(PLRF(1.0, 0.75, 200, 50), SGD(lr=1e-3), steps=10), "optimizer"),
        (lambda: signsgd_plrf_risk(PLRF(1.0, 0.75, 200, 50), SignSGD(lr=1e-3), steps=10, spectrum="surrogate",
                                   method="arcsine"), "spectrum"),
        (lambda: signsgd_plrf_risk(PLRF(1.0, 0.75, 200, 50), SignSGD(lr=1e-3), steps=10, method="euler"), "method"),
        (lambda: signsgd_plrf_modes(PLRF(1.0, 0.75, 200, 50), "exact", W=np.zeros((3, 3))), "W"),
    ],
)
def test_bad_input(call, param):
    with pytest.raises(ParameterError) as exc:
        call()
    assert exc.value.parameter == param


def test_equations_match_simulation_on_plrf():
    c = check_signsgd_plrf(PLRF(1.0, 0.7, 400, 100), steps=2000, runs=8, seed=0, backend="numpy")
    assert c.passed, c.to_dict()
    # the arcsine transient is what makes the early curve right: the linearised one is worse
    assert c.max_rel_error < c.max_rel_error_linear


def test_equations_match_simulation_with_wsd():
    c = check_signsgd_plrf(PLRF(0.7, 1.2, 400, 100), steps=2000, runs=8, seed=1, schedule=theory.WSD(decay=0.3),
                           backend="numpy")
    assert c.passed, c.to_dict()


@pytest.mark.slow
def test_equations_match_simulation_d200_long():
    c = check_signsgd_plrf(PLRF(1.0, 0.7, 800, 200), steps=20_000, runs=16, seed=3, n_points=20)
    assert c.passed, c.to_dict()


def test_arcsine_transient_hands_over_to_loggrid_on_long_horizons():
    """Regression: after the exact-arcsine transient the log-grid continuation used to
    report 'diverged' (it checked the caller's unfilled points). The long-run level must
    reach the closed-form stationary risk R/sqrt(R + P_inf) = pi lr sum sqrt(K_ii)/4."""
    import numpy as np

    import numerics
    from theory import Constant, SignSGD
    from theory.plrf import PLRF
    from verification.plrf._signsgd import _floor_lr as default_signsgd_lr
    from verification.plrf._simulate import sample_instance

    p = PLRF(1.0, 0.7, 400, 100)
    g = default_signsgd_lr(p)
    md = numerics.plrf.sign_modes(p, "exact", W=sample_instance(p, seed=0).W)
    curve = numerics.plrf._signsgd.signsgd_plrf_risk(p, SignSGD(lr=g), Constant(), 200_000, modes=md, n_points=14,
                                       method="arcsine")
    assert curve.status == "ok", curve.message
    assert 0 < curve.extra["arcsine_steps"] < 200_000  # the hand-over really happened
    assert np.all(np.isfinite(curve.risk))
    assert curve.risk[-1] == pytest.approx(md.limit_risk(g), rel=1e-3)


def test_arcsine_fluctuations_match_the_linear_equations_after_the_transient():
    """Regression: the arcsine transient's fluctuation recursion used ``(1 - g phi lam)^2``,
    which over-counts the fluctuations of the stiff top modes (``g phi lam ~ 0.5`` here) and
    left the curve ~20 % above the linear per-mode equations (and above simulation, see
    docs/signsgd.md Sec. 2) long after the transient. Once the mean error has decayed, both
    methods describe the same linear second-moment dynamics, an independent code path."""
    p = PLRF(1.0, 0.7, 1600, 400)
    md = signsgd_plrf_modes(p, "exact", seed=0)
    opt = SignSGD(lr=default_signsgd_lr(p))
    rec = [0, 1000, 2000, 3500, 5000]
    arc = signsgd_plrf_risk(p, opt, steps=5000, modes=md, record=rec, method="arcsine")
    lin = signsgd_plrf_risk(p, opt, steps=5000, modes=md, record=rec, method="recursion")
    rel = np.abs(arc.risk[1:] / lin.risk[1:] - 1.0)
    assert np.max(rel) < 0.03, rel


def _split_reference(lam, n, r0, p_inf, gamma_of_k, steps):
    """Independent per-step iteration of the drift part (from r0, no noise) and the noise part (from 0,
    with g^2 n), phi from their sum."""
    rd, rn = np.array(r0, dtype=float), np.zeros(len(lam))
    tau = 0.0
    out = [(rd.sum(), rn.sum(), 0.0)]
    for k in range(steps):
        g = gamma_of_k(k)
        ph = (2 / math.pi) / math.sqrt(p_inf + rd.sum() + rn.sum())
        a = 1 - 2 * g * ph * lam
        rd, rn = rd * a, rn * a + g * g * n
        tau += 2 * g * ph
        out.append((rd.sum(), rn.sum(), rn[tau * lam >= 1].sum()))  # noise of the relaxed modes
    return np.array(out)


@pytest.mark.parametrize("method", ["recursion", "loggrid"])
def test_components_split_the_risk_into_drift_and_noise(method):
    md = SignSGDPLRFModes(lam=np.array([2.0, 0.5, 0.01]), n=np.array([1.0, 0.3, 0.02]), r0=np.array([0.5, 0.2, 0.1]),
                          p_inf=0.05, kind="given", sqrt_diag_mean=1.0)
    p = PLRF(1.0, 0.75, 200, 3)
    sched = theory.WSD(warmup=0.0, decay=0.3)
    N, g0 = 3000, 0.02
    ref = _split_reference(md.lam, md.n, md.r0, md.p_inf, lambda k: g0 * sched([k], N)[0], N)
    c = signsgd_plrf_risk(p, SignSGD(lr=g0), sched, N, modes=md, n_points=30, method=method, h=0.005,
                          components=True)
    d, nz = c.extra["drift"], c.extra["noise"]
    np.testing.assert_allclose(c.risk, md.p_inf + d + nz, rtol=1e-13)
    tol = 1e-12 if method == "recursion" else 0.02
    np.testing.assert_allclose(d, ref[c.steps, 0], rtol=tol)
    np.testing.assert_allclose(nz[1:], ref[c.steps[1:], 1], rtol=tol)
    if method == "recursion":  # which modes count as relaxed is exact only step by step
        np.testing.assert_allclose(c.extra["noise_relaxed"], ref[c.steps, 2], rtol=1e-12, atol=1e-300)
        nr = c.extra["noise_relaxed"]
        assert np.any((nr > 0) & (nr < nz))  # a stretch where some modes have relaxed and some not
    assert nz[0] == 0.0 and d[0] == pytest.approx(md.r0.sum())
    # the default path is the same curve (the parts only change the last digit)
    plain = signsgd_plrf_risk(p, SignSGD(lr=g0), sched, N, modes=md, record=c.steps, method=method, h=0.005)
    np.testing.assert_allclose(plain.risk, c.risk, rtol=1e-12)
    assert "drift" not in plain.extra


def test_components_no_initial_error_is_all_noise_and_no_noise_is_all_drift():
    base = dict(lam=np.array([1.0, 0.3]), p_inf=0.02, kind="given", sqrt_diag_mean=1.0)
    p = PLRF(1.0, 0.75, 20, 2)
    quiet = SignSGDPLRFModes(n=np.zeros(2), r0=np.array([0.4, 0.1]), **base)
    c = signsgd_plrf_risk(p, SignSGD(lr=0.01), steps=500, modes=quiet, n_points=10, method="recursion",
                          components=True)
    assert np.all(c.extra["noise"] == 0.0)
    np.testing.assert_allclose(c.extra["drift"], c.risk - 0.02, rtol=1e-13)
    start = SignSGDPLRFModes(n=np.array([1.0, 0.5]), r0=np.zeros(2), **base)
    c = signsgd_plrf_risk(p, SignSGD(lr=0.01), steps=500, modes=start, n_points=10, method="recursion",
                          components=True)
    assert np.all(c.extra["drift"] == 0.0)
    np.testing.assert_allclose(c.extra["noise"], c.risk - 0.02, rtol=1e-13)


def test_components_refused_with_the_arcsine_method():
    p = PLRF(1.0, 0.7, 120, 30)
    with pytest.raises(ParameterError, match="components"):
        signsgd_plrf_risk(p, SignSGD(lr=1e-3), steps=100, spectrum="exact", seed=0, method="arcsine",
                          components=True)
