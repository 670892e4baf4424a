"""Validation of the problem and optimizer objects, and the SGD second-moment update."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from theory import SGD, ParameterError, convert_risk
from theory.plrf import PLRF


@pytest.mark.parametrize(
    "kwargs, param",
    [
        (dict(alpha=0.0, beta=1.0, v=10, d=5), "alpha"),
        (dict(alpha=-1.0, beta=1.0, v=10, d=5), "alpha"),
        (dict(alpha=0.2, beta=0.2, v=10, d=5), "2*alpha + 2*beta"),
        (dict(alpha=0.7, beta=0.5, v=10, d=0), "d"),
        (dict(alpha=0.7, beta=0.5, v=4, d=5), "v"),
        (dict(alpha=0.4, beta=0.5, v=math.inf, d=5), "v"),
        (dict(alpha=0.7, beta=float("nan"), v=10, d=5), "beta"),
        (dict(alpha=0.7, beta=0.5, v=10.5, d=5), "v"),
    ],
)
def test_plrf_rejects_bad_input_naming_the_parameter(kwargs, param):
    with pytest.raises(ParameterError) as exc:
        PLRF(**kwargs)
    assert exc.value.parameter == param
    assert param in str(exc.value)


def test_plrf_infinite_v_allowed_above_high_dimensional_line():
    p = PLRF(alpha=1.0, beta=0.7, v=math.inf, d=100)
    assert p.v_is_infinite
    assert p.trace_D() == pytest.approx(math.pi**2 / 6, rel=1e-14)
    with pytest.raises(ParameterError):
        p.population_eigenvalues()


@given(
    alpha=st.floats(0.05, 2.0), beta=st.floats(-0.4, 2.0),
    v=st.integers(1, 3000), d=st.integers(1, 3000),
)
def test_plrf_validation_property(alpha, beta, v, d):
    ok = 2 * alpha + 2 * beta > 1 and v >= d
    if ok:
        p = PLRF(alpha, beta, v, d)
        # tr D and the initial risk are exact power sums
        j = np.arange(1, v + 1.0)
        assert p.trace_D() == pytest.approx(np.sum(j ** (-2 * alpha)), rel=1e-12)
        assert p.initial_risk() == pytest.approx(np.sum(j ** (-2 * alpha - 2 * beta)), rel=1e-12)
    else:
        with pytest.raises(ParameterError):
            PLRF(alpha, beta, v, d)


def test_large_v_power_sum_uses_hurwitz_zeta():
    p = PLRF(alpha=0.4, beta=0.6, v=1_000_000, d=10)
    j = np.arange(1, 1_000_001, dtype=np.float64)
    assert p.trace_D() == pytest.approx(np.sum(j[::-1] ** -0.8), rel=1e-12)


@pytest.mark.parametrize("kwargs, param", [
    (dict(lr=0.0), "lr"), (dict(lr=-1.0), "lr"), (dict(lr=0.1, batch=0), "batch"),
    (dict(lr=0.1, batch=2.5), "batch"), (dict(lr=0.1, batch_reduction="avg"), "batch_reduction"),
])
def test_sgd_rejects_bad_input(kwargs, param):
    with pytest.raises(ParameterError) as exc:
        SGD(**kwargs)
    assert exc.value.parameter == param


def test_sgd_mode_update_matches_monte_carlo_second_moment():
    """Exact one-step second moment vs a Monte-Carlo average (independent route)."""
    rng = np.random.default_rng(0)
    dim, B, gamma, noise_var = 3, 3, 0.07, 0.3
    lam = np.array([1.5, 0.6, 0.1])
    e0 = np.array([0.8, -0.5, 1.2])  # deterministic error in the eigenbasis
    n = 400_000
    x = rng.standard_normal((n, B, dim)) * np.sqrt(lam)
    eps = rng.standard_normal((n, B)) * math.sqrt(noise_var)
    resid = x @ e0 - eps  # prediction minus label, per sample
    grad = np.einsum("nbk,nb->nk", x, resid)
    e1 = e0 - gamma * grad
    mc = np.mean(e1**2, axis=0)
    se = np.std(e1**2, axis=0) / math.sqrt(n)
    q, g = SGD(lr=gamma, batch=B).mode_update(lam)
    risk = noise_var + np.sum(lam * e0**2)
    exact = q * e0**2 + g * risk
    assert np.all(np.abs(mc - exact) < 5 * se)
    # batch-mean with lr = B * gamma is the same optimizer
    q2, g2 = SGD(lr=gamma * B, batch=B, batch_reduction="mean").mode_update(lam)
    np.testing.assert_allclose([q2, g2], [q, g], rtol=1e-14)


def test_sgd_stability_limit_is_where_q_reaches_one():
    opt = SGD(lr=1.0, batch=4)
    lam = 0.3
    g_max = opt.max_stable_lr_mode(lam)
    q, _ = SGD(lr=g_max, batch=4).mode_update(lam)
    assert q == pytest.approx(1.0, abs=1e-12)
    q, _ = SGD(lr=0.99 * g_max, batch=4).mode_update(lam)
    assert q < 1.0


def test_convert_risk_round_trip():
    assert convert_risk(convert_risk(3.0, to="half_mse"), frm="half_mse", to="mse") == 3.0
    with pytest.raises(ParameterError):
        convert_risk(1.0, to="rmse")
