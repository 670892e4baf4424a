"""Exact expected risk for a sampled W: block solve vs plain recursion vs mpmath vs Volterra form."""

import math

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from theory import SGD, WSD, ParameterError, StepDecay
from theory.plrf import PLRF
from verification.plrf import InstanceSpectrum, exact_expected_risk, instance_spectrum, sample_instance
from verification.plrf._exact_risk import sgd_kernel_norm


def test_instance_spectrum_matches_the_gram_matrix():
    p = PLRF(0.8, 0.6, 60, 15)
    inst = sample_instance(p, seed=2)
    sp = instance_spectrum(inst)
    K = inst.W.T @ (p.population_eigenvalues()[:, None] * inst.W)
    np.testing.assert_allclose(np.sort(sp.lam), np.linalg.eigvalsh(K), rtol=1e-10, atol=1e-14)
    assert sp.initial_risk == pytest.approx(p.initial_risk(), rel=1e-13)


def _mp_recursion(lam, w, p_inf, gamma, B, steps, factors):
    """Direct recursion in 40-digit arithmetic (independent of NumPy rounding)."""
    mpmath.mp.dps = 40
    lam = [mpmath.mpf(x) for x in lam]
    e = [mpmath.mpf(x) for x in w]
    out = []
    for r in range(steps + 1):
        P = mpmath.mpf(p_inf) + sum(e)
        out.append(P)
        if r == steps:
            break
        g = mpmath.mpf(gamma) * mpmath.mpf(factors[r])
        e = [(1 - 2 * g * B * l + g * g * B * (B + 1) * l * l) * ei + l * (g * g * B * l) * P for l, ei in zip(lam, e)]
    return np.array([float(x) for x in out])


@pytest.mark.parametrize("sched", [None, WSD(decay=0.3, shape="cosine"), StepDecay(milestones=(0.5,), factor=0.3)])
def test_exact_risk_matches_mpmath_recursion(sched):
    sp = InstanceSpectrum(lam=np.array([1.3, 0.4, 0.05, 1e-3]), weight=np.array([0.5, 0.3, 0.2, 0.1]), p_inf=0.07)
    opt = SGD(lr=0.3, batch=2)
    N = 700
    factors = np.ones(N) if sched is None else sched(np.arange(N), N)
    ref = _mp_recursion(sp.lam, sp.weight, sp.p_inf, 0.3, 2, N, factors)
    got = exact_expected_risk(sp, opt, sched, steps=N, eval_steps=np.arange(N + 1), block=64)
    np.testing.assert_allclose(got.risk, ref, rtol=1e-12)


@given(
    d=st.integers(1, 12), B=st.integers(1, 4), frac=st.floats(0.05, 0.95), steps=st.integers(1, 600),
    block=st.integers(1, 100), seed=st.integers(0, 10_000),
)
def test_block_solve_equals_step_by_step(d, B, frac, steps, block, seed):
    """The exact block (Toeplitz) solve reproduces the one-step recursion for any block length."""
    rng = np.random.default_rng(seed)
    lam = rng.uniform(1e-3, 1.0, d)
    sp = InstanceSpectrum(lam, rng.uniform(0, 1, d), float(rng.uniform(0, 0.2)))
    opt = SGD(lr=frac * 2.0 / ((B + 1) * lam.max()), batch=B)
    if sgd_kernel_norm(lam, opt) >= 1:
        return
    a = exact_expected_risk(sp, opt, steps=steps, n_points=12, block=block)
    b = exact_expected_risk(sp, opt, steps=steps, n_points=12, block=1)
    np.testing.assert_allclose(a.risk, b.risk, rtol=1e-11)


def test_volterra_form_by_direct_convolution():
    """P(r) = F(r) + sum_{s<r} K(r-1-s) P(s) with F, K from the spectrum (research note 1.4(a))."""
    inst = sample_instance(PLRF(0.9, 0.8, 40, 10), seed=4)
    sp = instance_spectrum(inst)
    opt = SGD(lr=0.4)
    q, g = opt.mode_update(sp.lam)
    N = 150
    r = np.arange(N + 1)[:, None]
    F = sp.p_inf + (sp.weight * q ** r).sum(axis=1)
    K = (sp.lam * g * q ** r).sum(axis=1)
    P = np.empty(N + 1)
    for t in range(N + 1):
        P[t] = F[t] + sum(K[t - 1 - s] * P[s] for s in range(t))
    got = exact_expected_risk(sp, opt, steps=N, eval_steps=np.arange(N + 1))
    np.testing.assert_allclose(got.risk, P, rtol=1e-12)


def test_constant_rate_limit_is_p_inf_over_one_minus_kernel_norm():
    sp = InstanceSpectrum(np.array([0.9, 0.5, 0.2]), np.array([0.3, 0.3, 0.3]), 0.1)
    opt = SGD(lr=0.5)
    cur = exact_expected_risk(sp, opt, steps=20_000, eval_steps=[20_000])
    q, g = opt.mode_update(sp.lam)
    kn = float(np.sum(sp.lam * g / (1 - q)))
    assert cur.kernel_norm == pytest.approx(kn, rel=1e-14)
    assert cur.risk[-1] == pytest.approx(0.1 / (1 - kn), rel=1e-10)
    assert cur.limit == pytest.approx(0.1 / (1 - kn), rel=1e-14)


def test_several_instances_are_advanced_together():
    p = PLRF(0.7, 0.9, 48, 12)
    sps = [instance_spectrum(sample_instance(p, seed=s)) for s in range(3)]
    opt = SGD(lr=0.2)
    together = exact_expected_risk(sps, opt, steps=300, n_points=10)
    for k, sp in enumerate(sps):
        alone = exact_expected_risk(sp, opt, steps=300, n_points=10)
        np.testing.assert_allclose(together.risk[k], alone.risk, rtol=1e-13)


def test_unstable_rate_reports_divergence():
    sp = InstanceSpectrum(np.array([1.0]), np.array([1.0]), 0.0)
    cur = exact_expected_risk(sp, SGD(lr=1.5), steps=10_000, n_points=20)
    assert cur.status == "diverged" and cur.limit is None and np.all(np.isfinite(cur.risk))
    assert math.isinf(sgd_kernel_norm([1.0], SGD(lr=1.5)))


def test_bad_input():
    sp = InstanceSpectrum(np.array([1.0]), np.array([1.0]), 0.0)
    with pytest.raises(ParameterError):
        exact_expected_risk("spectrum", SGD(lr=0.1), steps=10)
    with pytest.raises(ParameterError) as exc:
        exact_expected_risk(sp, SGD(lr=0.1), steps=0)
    assert exc.value.parameter == "steps"
    with pytest.raises(ParameterError) as exc:
        exact_expected_risk(sp, SGD(lr=0.1), steps=5, block=0)
    assert exc.value.parameter == "block"
