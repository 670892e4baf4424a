"""verification.dmft: simulation against the DMFT predictions, with error bars from the draws; the
checks can fail (a wrong prediction is caught)."""

import math

import numpy as np
import pytest

import numerics.dmft as nd
import theory
import verification
from theory.dmft import DMFT
from verification.dmft import check_curve, simulate


def test_verify_passes_for_bias_test_train_and_transfer_function():
    p = DMFT(2.0, 1.5, N=48, P=96, M=300)
    res = verification.verify(p, theory.GD(lr=0.5), t_max=3e3, n_times=6, runs=16, seed=1)
    names = [c.name for c in res.checks]
    assert names == ["bias_vs_simulation", "test_loss_vs_simulation", "train_loss_vs_simulation",
                     "transfer_function_vs_simulation"]
    assert res.passed, [(c.name, c.deviation) for c in res.checks]
    assert isinstance(res.to_dict(), dict)


def test_the_variance_is_not_a_small_correction_and_the_bias_alone_fails():
    p = DMFT(2.0, 1.5, N=48, P=96, M=300)
    t = np.array([1e2, 1e3])
    sim = simulate(p, t, runs=16, seed=2)
    curve = nd.loss_curve(p, t)
    assert np.all(curve.test_loss > 2 * curve.bias)
    assert check_curve("x", "x", curve.test_loss, sim.test_loss, sim.test_stderr, 48).passed
    assert not check_curve("x", "x", curve.bias, sim.test_loss, sim.test_stderr, 48).passed


def test_label_noise_term_against_simulation():
    p = DMFT(2.0, 1.5, N=48, P=96, M=300, sigma2=0.25)
    t = np.array([3.0, 1e2, 1e4])
    sim = simulate(p, t, runs=16, seed=3)
    curve = nd.loss_curve(p, t)
    assert check_curve("noise", "x", curve.test_loss, sim.test_loss, sim.test_stderr, 48).passed
    assert check_curve("noise-train", "x", curve.train_loss, sim.train_loss, sim.train_stderr, 48).passed
    noiseless = nd.loss_curve(p.replace(sigma2=0.0), t).test_loss
    assert not check_curve("x", "x", noiseless, sim.test_loss, sim.test_stderr, 48).passed


def test_population_flow_and_discrete_gd_limit():
    p = DMFT(2.0, 1.5, N=32, P=math.inf, M=200)
    t = np.array([1.0, 10.0])
    flow = simulate(p, t, runs=3, seed=4)
    gd = simulate(p, t, runs=3, seed=4, lr=1e-3)
    assert np.allclose(flow.test_loss, gd.test_loss, rtol=1e-2)
    assert np.allclose(flow.train_loss, flow.test_loss)


def test_simulation_refuses_infinite_modes():
    with pytest.raises(theory.ParameterError):
        simulate(DMFT(2.0, 1.5, N=8), [1.0], runs=2)


@pytest.mark.slow
@pytest.mark.parametrize("N, P", [(64, 64 * 4), (1024, 256), (256, 1024), (64, 1024)])
def test_targets_at_a_thousand_modes(N, P):
    """The issue's targets: M >= 1000, N and P from 64 to 1024 (bias, test, train within error bars)."""
    p = DMFT(2.0, 1.5, N=N, P=P, M=1000)
    res = verification.verify(p, theory.GD(lr=0.5), t_max=1e4, n_times=10, runs=24, seed=5)
    assert res.passed, [(c.name, c.deviation) for c in res.checks]


@pytest.mark.parametrize("N, P", [(24, 96), (96, 24)])
def test_static_limit_against_the_minimum_norm_fit(N, P):
    """t -> inf (ridgeless random features): the s -> 0 kernels against the simulated pseudo-inverse fit."""
    p = DMFT(2.0, 1.5, N=N, P=P, M=300)
    sim = simulate(p, [math.inf], runs=24, seed=6)
    st = nd.static_limit(p)
    assert check_curve("static", "x", [st.test_loss], sim.test_loss, sim.test_stderr, min(N, P)).passed
    assert check_curve("static", "x", [st.train_loss], sim.train_loss, sim.train_stderr, min(N, P)).passed
