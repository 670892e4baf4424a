"""The three-way checks: they pass on a correct setup and fail on a deliberately wrong kernel."""

import dataclasses
from dataclasses import dataclass

import numpy as np
import pytest

import numerics
from theory import SGD, ParameterError
from theory.plrf import PLRF
from verification import CheckResult
from verification.plrf._sgd import SGD_VERIFIER
from verification.plrf import check_limit_level, check_simulation_vs_exact, mode_stability_limit as max_stable_lr, run_verification
from verification import robust_stderr
from verification.plrf._checks import slope_window

P = PLRF(alpha=0.7, beta=1.2, v=512, d=128)  # phase III: SGD noise matters


@dataclass(frozen=True)
class WrongNoiseSGD(SGD):
    """SGD whose exact second-moment update has a factor 2 in the noise term (the bug to catch)."""

    def mode_update(self, lam, lr_factor=1.0):
        q, g = super().mode_update(lam, lr_factor)
        return q, 2.0 * g


@pytest.fixture(scope="module")
def good():
    lr = SGD_VERIFIER.default_lr(P, SGD(lr=1.0), seed=0)
    return run_verification(P, SGD(lr=lr), steps=2000, runs=32, seed=0, backend="numpy", n_points=30)


def test_all_checks_pass_on_a_correct_setup(good):
    failed = [(c.name, c.deviation, c.tolerance, c.note) for c in good.checks if c.verdict == "FAIL"]
    assert not failed
    names = {c.name for c in good.checks}
    assert {"simulation_vs_exact", "solver_vs_exact", "volterra_vs_exact", "simulation_vs_volterra",
            "slope_numerics", "slope_theory", "limit_level"} <= names
    assert all(isinstance(c, CheckResult) and c.rule for c in good.checks if c.applicable)
    d = good.to_dict()
    for key in ("checks", "steps", "risk_simulated", "risk_stderr", "risk_volterra", "backend"):
        assert key in d


def test_wrong_noise_kernel_makes_the_checks_fail():
    lr = SGD_VERIFIER.default_lr(P, SGD(lr=1.0), seed=0)
    res = run_verification(P, WrongNoiseSGD(lr=lr), steps=2000, runs=32, seed=0, backend="numpy", n_points=30,
                           n_instances=4)
    by = {c.name: c for c in res.checks}
    assert not by["simulation_vs_exact"].passed
    assert by["simulation_vs_exact"].deviation > 3.0  # far outside, not a borderline miss
    assert not by["solver_vs_exact"].passed  # the Volterra solver has the right kernel
    assert not res.passed


def test_wrong_volterra_curve_makes_the_numerics_checks_fail(monkeypatch):
    real = numerics.plrf.risk_curve

    def off_by_50_percent(*args, **kwargs):
        c = real(*args, **kwargs)
        if kwargs.get("spectrum") == "deterministic":
            c = dataclasses.replace(c, risk=1.5 * c.risk)
        return c

    monkeypatch.setattr(numerics.plrf, "risk_curve", off_by_50_percent)
    lr = SGD_VERIFIER.default_lr(P, SGD(lr=1.0), seed=0)
    res = run_verification(P, SGD(lr=lr), steps=1000, runs=32, seed=0, backend="numpy", n_points=20)
    by = {c.name: c for c in res.checks}
    assert by["simulation_vs_exact"].passed and by["solver_vs_exact"].passed
    assert not by["volterra_vs_exact"].passed and not by["simulation_vs_volterra"].passed


def test_unstable_learning_rate_is_a_diverged_status_with_the_limit():
    """Divergence is a status (as in numerics.plrf.risk_curve), not an exception; nothing is simulated."""
    lr_max = SGD_VERIFIER.stability_limit(P, SGD(lr=1.0), seed=0)
    res = run_verification(P, SGD(lr=1.01 * lr_max), steps=10, runs=2, backend="numpy")
    assert res.status == "diverged" and not res.passed and res.simulation is None
    assert res.lr_max == pytest.approx(lr_max, rel=1e-9) and f"{lr_max:.6g}" in res.message


def test_peak_of_a_schedule_is_what_diverges():
    """A schedule with factor > 1 diverges at its peak: the message names the peak rate, above the limit."""
    from theory import parse_schedule

    lr_max = SGD_VERIFIER.stability_limit(P, SGD(lr=1.0), seed=0)
    sched = parse_schedule("two-stage:switch=0.5,second=5")
    res = run_verification(P, SGD(lr=0.5 * lr_max), sched, steps=10, runs=2, backend="numpy")
    assert res.status == "diverged"
    assert f"peak gamma={2.5 * lr_max:.6g}" in res.message and "peak factor 5" in res.message


def test_memory_estimate_refuses_work_that_cannot_fit():
    from theory.plrf import PLRF as _P

    with pytest.raises(ParameterError, match=r"d must satisfy an estimated peak memory within the limit 1.0 MiB"):
        run_verification(_P(1.0, 0.7, 4096, 1024), SGD(lr=0.01), steps=10, runs=2, backend="numpy",
                         memory_limit=2**20)


def test_one_run_is_refused():
    with pytest.raises(ParameterError, match="runs"):
        run_verification(P, SGD(lr=0.01), steps=10, runs=1, backend="numpy")


def test_stable_max_is_where_the_kernel_norm_reaches_one():
    from verification.plrf import instance_spectrum, sample_instance
    from verification.plrf._exact_risk import sgd_kernel_norm

    sp = instance_spectrum(sample_instance(P, seed=0))
    lr = max_stable_lr(sp, SGD(lr=0.1, batch=2))
    assert sgd_kernel_norm(sp.lam, SGD(lr=lr * (1 - 1e-6), batch=2)) < 1 <= sgd_kernel_norm(sp.lam, SGD(lr=lr * (1 + 1e-6), batch=2))


def test_check_tolerance_follows_from_the_number_of_runs():
    """A fake simulation 3 standard errors off passes at R = 32 only if the band allows it (t ~ 4.9)."""
    from verification.plrf._exact_risk import ExactRiskCurve
    from verification.plrf._simulate import SimulationResult

    steps = np.array([0, 1, 10, 100])
    exact = ExactRiskCurve(steps, np.array([1.0, 0.5, 0.2, 0.1]), "ok", None, None, 0.0)
    rng = np.random.default_rng(0)
    noise = rng.standard_normal((32, 4))
    noise = (noise - noise.mean(0)) / noise.std(0, ddof=1)  # exactly unit sample std
    for shift, ok in ((3.0, True), (8.0, False)):
        risk = exact.risk * (1 + 0.05 * noise) + shift * 0.05 * exact.risk / np.sqrt(32)
        risk[:, 0] = 1.0
        sim = SimulationResult(steps, risk, "ok", None, SGD(lr=0.1), None, 100, 32, 0, "numpy", "float64", 0.0)
        assert check_simulation_vs_exact(sim, exact).passed is ok


def test_robust_stderr_never_below_the_plain_one(good):
    assert np.all(robust_stderr(good.simulation) >= good.simulation.stderr)


def test_limit_level_check_band():
    assert check_limit_level(1.0, np.array([0.9, 1.1, 1.0]), 1.02, None).passed
    assert not check_limit_level(1.0, np.array([0.99, 1.01, 1.0]), 1.5, None).passed


def test_slope_window_none_when_too_short():
    r = np.array([0, 1, 2, 3])
    assert slope_window(r, np.array([1.0, 0.4, 0.3, 0.2]), 0.0) is None


def test_bad_input():
    with pytest.raises(ParameterError):
        run_verification("plrf", SGD(lr=0.1), steps=10)
    with pytest.raises(ParameterError):
        SGD_VERIFIER.default_lr(P, SGD(lr=1.0), fraction=1.5)


def test_verify_dispatches_through_the_registry():
    """A new optimizer plugs its own check in by registering rules in the model's table; a subclass
    of a registered optimizer gets its parent's rules (MRO), nothing else changes."""
    from dataclasses import dataclass

    import theory
    import verification

    @dataclass(frozen=True)
    class Toy(theory.SGD):
        name = "toy"

    @dataclass(frozen=True)
    class SubSign(theory.SignSGD):
        name = "subsign"

    seen = {}

    class ToyRules(verification.plrf.PLRFVerificationRules):
        def verify(self, problem, optimizer, schedule=None, **kw):
            seen["args"] = (problem, optimizer, kw["steps"])
            return "sentinel"

        def default_lr(self, problem, optimizer, *, seed=0):
            return 0.1

    p = theory.plrf.PLRF(1.0, 0.7, 64, 16)
    assert verification.plrf.RULES[SubSign] is verification.plrf.RULES[theory.SignSGD]  # not SGD's
    verification.plrf.RULES.register(Toy, ToyRules())
    try:
        assert verification.verify(p, Toy(lr=0.1), steps=10) == "sentinel"
        assert seen["args"] == (p, Toy(lr=0.1), 10)
        assert verification.default_lr(p, Toy(lr=1.0)) == 0.1
    finally:
        verification.plrf.RULES.unregister(Toy)
    with pytest.raises(theory.ParameterError, match="optimizer_cls"):
        verification.plrf.RULES.register(int, ToyRules())
    with pytest.raises(theory.ParameterError, match="problem"):
        verification.verify("plrf", theory.SGD(lr=0.1), steps=10)
