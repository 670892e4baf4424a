"""Forcing/kernel conventions against the exact second-moment recursion; kernel norm; stability."""

import dataclasses

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import numerics
from numerics.plrf._sgd_kernel import sgd_modes
from theory import SGD, ParameterError
from theory.plrf import PLRF


def _recursion(spec, gamma, B, n):
    """Independent route: c_i(r+1) = q_i c_i(r) + gamma^2 B lambda_i P(r) (research note 1.4(a))."""
    lam = spec.eigenvalues
    c = spec.weights / lam
    q = 1 - 2 * gamma * B * lam + gamma**2 * B * (B + 1) * lam**2
    out = []
    for _ in range(n):
        P = spec.p_inf + lam @ c
        out.append(P)
        c = q * c + gamma**2 * B * lam * P
    return np.array(out)


@pytest.mark.parametrize("B,reduction", [(1, "sum"), (4, "sum"), (4, "mean")])
def test_volterra_index_and_batch_conventions(B, reduction):
    spec = numerics.plrf.exact_spectrum(PLRF(0.9, 0.7, 200, 50), seed=0)
    opt = SGD(lr=0.2 if reduction == "sum" else 0.8, batch=B, batch_reduction=reduction)
    fk = numerics.plrf.forcing_kernel(spec, opt, 300)
    # P(r) = F(r) + sum_{s<r} K(r-1-s) P(s) by forward substitution
    P = np.empty(300)
    for r in range(300):
        P[r] = fk.F[r] + sum(fk.K[r - 1 - s] * P[s] for s in range(r))
    gamma = 0.2 if reduction == "sum" else 0.8 / B
    np.testing.assert_allclose(P, _recursion(spec, gamma, B, 300), rtol=1e-12)


def test_modes_match_theory_mode_update():
    lam = np.array([1e-12, 0.3, 1.0])
    q, g = SGD(lr=0.1, batch=3).mode_update(lam)
    qm1, k = sgd_modes(lam, 0.1, 3)
    np.testing.assert_allclose(1 + qm1, q, rtol=1e-15)
    np.testing.assert_allclose(k, lam * g, rtol=1e-15)


def test_kernel_norm_is_the_sum_of_the_kernel():
    spec = numerics.plrf.Spectrum([0.05, 0.2, 0.7], [1, 1, 1], 0.0)
    opt = SGD(lr=0.5, batch=2)
    fk = numerics.plrf.forcing_kernel(spec, opt, 20000)
    assert numerics.plrf.kernel_norm(spec, opt) == pytest.approx(fk.K.sum(), rel=1e-10)


@given(st.floats(0.3, 1.5), st.integers(1, 8), st.sampled_from(["sum", "mean"]))
def test_max_stable_lr_is_where_the_norm_reaches_one(alpha, B, reduction):
    spec = numerics.plrf.surrogate_spectrum(PLRF(alpha, 0.8, 400, 100))
    lr = numerics.plrf.max_stable_lr(spec, SGD(lr=1.0, batch=B, batch_reduction=reduction))
    opt = SGD(lr=lr, batch=B, batch_reduction=reduction)
    assert numerics.plrf.kernel_norm(spec, opt) == pytest.approx(1.0, rel=1e-9)
    assert numerics.plrf.kernel_norm(spec, dataclasses.replace(opt, lr=0.99 * lr)) < 1


def test_continuous_time_limit_rates():
    spec = numerics.plrf.Spectrum([0.5], [1.0], 0.25)
    fk = numerics.plrf.forcing_kernel(spec, SGD(lr=0.1, batch=2), np.array([0.0, 3.0]), time="continuous")
    np.testing.assert_allclose(fk.F, [1.25, 0.25 + np.exp(-2 * 0.1 * 2 * 0.5 * 3.0)], rtol=1e-14)
    np.testing.assert_allclose(fk.K, 0.01 * 2 * 0.25 * np.exp(-0.2 * np.array([0.0, 3.0])), rtol=1e-14)


def test_bad_inputs():
    spec = numerics.plrf.Spectrum([0.5], [1.0], 0.0)
    with pytest.raises(ParameterError, match="optimizer"):
        numerics.plrf.forcing_kernel(spec, object(), 3)
    with pytest.raises(ParameterError, match="spectrum"):
        numerics.plrf.kernel_norm([0.5], SGD(lr=0.1))
    with pytest.raises(ParameterError, match="time"):
        numerics.plrf.forcing_kernel(spec, SGD(lr=0.1), 3, time="cont")
