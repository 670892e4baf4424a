"""The PLRF simulator: closed-form risk, reproducibility, schedules, batches, divergence, any optimizer."""

import math
from dataclasses import dataclass

import numpy as np
import pytest

import theory
from theory import SGD, WSD, Optimizer, ParameterError
from theory.plrf import PLRF
from verification.plrf import log_steps, sample_instance, simulate as simulate_plrf
from verification.plrf._exact_risk import exact_expected_risk, instance_spectrum

P_SMALL = PLRF(alpha=1.0, beta=0.7, v=80, d=20)


def test_closed_form_risk_matches_a_monte_carlo_mse():
    """P(theta) = ||D^1/2 (W theta - b)||^2 vs an average of squared residuals (independent route)."""
    inst = sample_instance(P_SMALL, seed=0)
    theta = np.random.default_rng(1).standard_normal(P_SMALL.d) * 0.3
    n = 400_000
    x = np.random.default_rng(2).standard_normal((n, int(P_SMALL.v))) * np.sqrt(P_SMALL.population_eigenvalues())
    sq = (x @ (inst.W @ theta) - x @ P_SMALL.target()) ** 2
    assert abs(sq.mean() - inst.risk(theta)) < 5 * sq.std() / math.sqrt(n)


def test_w_has_the_stated_distribution():
    W = sample_instance(PLRF(1.0, 0.5, 400, 100), seed=0).W
    n = W.size
    assert abs(W.mean()) < 5 * 0.1 / math.sqrt(n)
    assert abs(W.var() * 100 - 1) < 5 * math.sqrt(2 / n)


def test_seeded_and_reproducible():
    a = simulate_plrf(P_SMALL, SGD(lr=0.3), steps=50, runs=3, seed=7, backend="numpy", n_points=5)
    b = simulate_plrf(P_SMALL, SGD(lr=0.3), steps=50, runs=3, seed=7, backend="numpy", n_points=5)
    c = simulate_plrf(P_SMALL, SGD(lr=0.3), steps=50, runs=3, seed=8, backend="numpy", n_points=5)
    np.testing.assert_array_equal(a.risk, b.risk)
    assert not np.array_equal(a.risk[:, 1:], c.risk[:, 1:])


def test_one_step_by_hand():
    """Step 1 of a single run equals the SGD update computed directly from the same draws."""
    p = PLRF(alpha=1.0, beta=0.5, v=6, d=3)
    inst = sample_instance(p, seed=0)
    res = simulate_plrf(p, SGD(lr=0.1, batch=2), steps=1, runs=1, seed=4, instance=inst, backend="numpy",
                        eval_steps=[1])
    _, data_ss = np.random.SeedSequence(4).spawn(2)
    z = np.random.Generator(np.random.PCG64(data_ss)).standard_normal((2, 6))
    x = z * np.sqrt(p.population_eigenvalues())
    feats, y = x @ inst.W, x @ p.target()
    grad = feats.T @ (feats @ np.zeros(3) - y)
    theta = -0.1 * grad
    assert res.risk[0, 0] == pytest.approx(float(inst.risk(theta)), rel=1e-12)


@pytest.mark.parametrize("sampler", ["inputs", "features"])
@pytest.mark.parametrize("batch", [1, 3])
def test_mean_risk_matches_exact_expected_risk(batch, sampler):
    """Monte Carlo vs the exact second-moment recursion, Bonferroni over the logged steps (both
    samplers: inputs x in v dimensions, or features and target drawn from their law)."""
    inst = sample_instance(P_SMALL, seed=1)
    opt = SGD(lr=0.25 / batch, batch=batch)
    sched = WSD(decay=0.5, shape="cosine")
    res = simulate_plrf(P_SMALL, opt, sched, steps=300, runs=300, seed=3, instance=inst, backend="numpy",
                        n_points=10, sampler=sampler)
    ex = exact_expected_risk(instance_spectrum(inst), opt, sched, steps=300, eval_steps=res.steps)
    z = np.abs(res.mean - ex.risk)[1:] / res.stderr[1:]
    assert np.max(z) < 4.6, z  # t_299 at 1 - 1e-4/(2*10)


def test_features_sampler_draws_the_features_law():
    """sampler="features": the risk after one SGD step from theta = 0 (theta = lr y phi), averaged
    over 20000 runs, vs its exact expectation from the second-moment recursion -- it depends on the
    second and fourth moments of (phi, y), so a wrong covariance of the drawn features shows."""
    inst = sample_instance(P_SMALL, seed=0)
    R, lr = 20_000, 0.1
    res = simulate_plrf(P_SMALL, SGD(lr=lr), steps=1, runs=R, seed=5, instance=inst, backend="numpy",
                        eval_steps=[1], sampler="features")
    ex = exact_expected_risk(instance_spectrum(inst), SGD(lr=lr), None, steps=1, eval_steps=[1]).risk[-1]
    assert abs(res.mean[-1] - ex) < 5 * res.stderr[-1]
    with pytest.raises(ParameterError, match="sampler"):
        simulate_plrf(P_SMALL, SGD(lr=lr), steps=1, runs=2, instance=inst, backend="numpy", sampler="x")


def test_schedule_is_applied():
    """A schedule that is zero after step 0 freezes theta: the risk stays at its step-1 value."""
    sched = theory.Tabulated(steps=(0, 1), values=(1.0, 0.0))
    res = simulate_plrf(P_SMALL, SGD(lr=0.3), sched, steps=40, runs=2, seed=0, backend="numpy", n_points=6)
    np.testing.assert_allclose(res.risk[:, 1:], res.risk[:, [1]] * np.ones((1, res.steps.size - 1)), rtol=1e-14)


def test_divergence_is_reported_not_nan():
    res = simulate_plrf(P_SMALL, SGD(lr=5.0), steps=5000, runs=2, seed=0, backend="numpy", n_points=30)
    assert res.status == "diverged" and res.diverged_at is not None
    assert res.steps[-1] <= 5000 and res.risk.shape[1] == res.steps.size


def test_any_optimizer_object_runs_unchanged():
    """The update rule comes from optimizer.step (no branch on optimizer type)."""

    @dataclass(frozen=True)
    class HalfStep(Optimizer):
        name = "half"

        def step(self, theta, grad_sum, lr_factor=1.0):
            return theta - 0.5 * self.lr * lr_factor * grad_sum

    a = simulate_plrf(P_SMALL, HalfStep(lr=0.4), steps=30, runs=2, seed=1, backend="numpy", n_points=4)
    b = simulate_plrf(P_SMALL, SGD(lr=0.2), steps=30, runs=2, seed=1, backend="numpy", n_points=4)
    np.testing.assert_allclose(a.risk, b.risk, rtol=1e-12)
    if "signsgd" in theory.OPTIMIZERS:  # the signSGD engineer's optimizer runs as is
        res = simulate_plrf(P_SMALL, theory.OPTIMIZERS["signsgd"](lr=1e-3), steps=200, runs=4, seed=0,
                            backend="numpy", n_points=5)
        assert res.status == "ok" and res.mean[-1] < res.mean[0]


@pytest.mark.parametrize("kwargs, param", [
    (dict(steps=0), "steps"), (dict(steps=10, runs=0), "runs"), (dict(steps=10, dtype="float16"), "dtype"),
    (dict(steps=10, eval_steps=[0, 11]), "eval_steps"), (dict(steps=10, seed=-1), "seed"),
    (dict(steps=10, backend="torch"), "backend"),
])
def test_bad_input_names_the_parameter(kwargs, param):
    with pytest.raises(ParameterError) as exc:
        simulate_plrf(P_SMALL, SGD(lr=0.1), **kwargs)
    assert exc.value.parameter == param


def test_log_steps():
    s = log_steps(10_000, 40)
    assert s[0] == 0 and s[1] == 1 and s[-1] == 10_000 and np.all(np.diff(s) > 0)
    with pytest.raises(ParameterError):
        log_steps(0)
