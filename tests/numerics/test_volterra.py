"""Volterra solvers against closed forms, mpmath, the exact recursion and each other."""

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import numerics
from numerics import ExpSum, solve_volterra
from theory import SGD, WSD, ParameterError
from theory.plrf import PLRF


def _closed_discrete(a, rho, r):
    """K(r) = a rho^r, F = 1: P(r) = ((1 - rho) - a (rho + a)^r) / (1 - rho - a) (generating functions)."""
    return ((1 - rho) - a * (rho + a) ** r) / (1 - rho - a)


@pytest.mark.parametrize("method", ["direct", "series", "picard"])
@given(a=st.floats(0.01, 0.4), rho=st.floats(0.0, 0.55))
def test_uniform_methods_closed_form(method, a, rho):
    r = np.arange(200)
    res = solve_volterra(np.ones(200), a * rho**r, method=method)
    assert res.status == "ok"
    np.testing.assert_allclose(res.risk, _closed_discrete(a, rho, r), rtol=1e-11)


def test_loggrid_discrete_closed_form_exact_steps_and_chunks():
    a, rho = 0.0005, 0.999  # ||K|| = 0.5
    F, K = ExpSum(1.0, [0.0], [np.log(rho)]), ExpSum(0.0, [a], [np.log(rho)])
    t = numerics.log_grid(100000, 60)
    res = solve_volterra(F, K, method="loggrid", times=t, h=0.01)
    ref = _closed_discrete(a, rho, t.astype(float))
    np.testing.assert_allclose(res.risk, ref, rtol=1e-4)
    assert res.residual < 1e-4 and res.status == "ok"


def test_loggrid_continuous_closed_form():
    # k = a e^{-bt}, f = 1: p(t) = (b - a e^{(a-b)t}) / (b - a)  (Laplace transform)
    a, b = 0.3, 1.1
    F, K = ExpSum(1.0, [0.0], [-b], "continuous"), ExpSum(0.0, [a], [-b], "continuous")
    t = np.geomspace(1e-3, 50, 40)
    res = solve_volterra(F, K, times=t, h=0.005)
    assert res.method == "loggrid"
    np.testing.assert_allclose(res.risk, (b - a * np.exp((a - b) * t)) / (b - a), rtol=2e-5)


def test_series_against_mpmath_recursion():
    spec = numerics.plrf.Spectrum([0.013, 0.2, 0.9], [0.3, 0.5, 0.2], 0.01)
    opt = SGD(lr=0.6)
    n = 400
    fk = numerics.plrf.forcing_kernel(spec, opt, n)
    mpmath.mp.dps = 40
    lam = [mpmath.mpf(x) for x in spec.eigenvalues]
    c = [mpmath.mpf(w) / l for w, l in zip(spec.weights, lam)]
    g = mpmath.mpf(0.6)
    ref = []
    for _ in range(n):
        P = mpmath.mpf(spec.p_inf) + sum(l * ci for l, ci in zip(lam, c))
        ref.append(P)
        c = [(1 - 2 * g * l + 2 * g * g * l * l) * ci + g * g * l * P for l, ci in zip(lam, c)]
    ref = np.array([float(x) for x in ref])
    for method in ("series", "direct", "picard"):
        np.testing.assert_allclose(solve_volterra(fk.F, fk.K, method=method).risk, ref, rtol=1e-12)


def test_fast_methods_agree_with_direct_on_plrf():
    spec = numerics.plrf.exact_spectrum(PLRF(0.7, 0.7, 800, 200), seed=1)
    opt = SGD(lr=0.5 * numerics.plrf.max_stable_lr(spec, SGD(lr=1.0)))
    fk = numerics.plrf.forcing_kernel(spec, opt, 4096)
    ref = solve_volterra(fk.F, fk.K, method="direct").risk
    for method in ("series", "picard"):
        res = solve_volterra(fk.F, fk.K, method=method)
        assert np.max(np.abs(res.risk - ref) / ref) < 1e-10, method
        assert res.residual < 1e-12


def test_loggrid_against_exact_recursion_constant_and_schedule():
    spec = numerics.plrf.exact_spectrum(PLRF(1.0, 0.8, 400, 100), seed=2)
    opt = SGD(lr=0.5 * numerics.plrf.max_stable_lr(spec, SGD(lr=1.0)))
    n = 20000
    rec = numerics.log_grid(n, 80)
    for sched in (numerics.plrf.risk_curve.__defaults__[0], WSD(warmup=0.01, decay=0.3, shape="cosine")):
        ref = numerics.plrf.exact_recursion(spec, opt, sched, n, rec)
        c = numerics.plrf.risk_curve(PLRF(1.0, 0.8, 400, 100), opt, sched, n, spectrum=spec, method="loggrid",
                                record=rec)
        assert c.status == "ok"
        assert np.max(np.abs(c.risk - ref) / ref) < 1e-3


@pytest.mark.slow
def test_loggrid_within_1e3_of_recursion_to_a_million_steps():
    spec = numerics.plrf.exact_spectrum(PLRF(0.7, 1.2, 800, 200), seed=0)
    opt = SGD(lr=0.5 * numerics.plrf.max_stable_lr(spec, SGD(lr=1.0)))
    rec = numerics.log_grid(10**6, 100)
    ref = numerics.plrf.exact_recursion(spec, opt, steps=10**6, record=rec)
    c = numerics.plrf.risk_curve(PLRF(0.7, 1.2, 800, 200), opt, steps=10**6, spectrum=spec, method="loggrid", record=rec)
    assert np.max(np.abs(c.risk - ref) / ref) < 1e-3


def test_divergence_is_reported_not_overflowed():
    a, rho = 0.8, 0.5  # ||K|| = a / (1 - rho) = 1.6
    r = np.arange(3000)
    res = solve_volterra(np.ones(3000), a * rho**r, method="direct")
    assert res.status == "diverged" and np.all(np.isfinite(res.risk))
    res = solve_volterra(ExpSum(1.0, [0.0], [np.log(rho)]), ExpSum(0.0, [a], [np.log(rho)]),
                         times=np.arange(10))
    assert res.status == "diverged" and res.risk.size == 0 and "kernel norm" in res.message


def test_picard_reports_not_converged():
    r = np.arange(500)
    res = solve_volterra(np.ones(500), 0.95 * 0.02 * 0.98**r, method="picard", max_iter=3)
    assert res.status == "not_converged" and "Picard" in res.message


def test_bad_inputs():
    with pytest.raises(ParameterError, match="method"):
        solve_volterra(np.ones(3), np.ones(3), method="fft")
    with pytest.raises(ParameterError, match="forcing"):
        solve_volterra(np.array([np.nan]), np.ones(1))
    with pytest.raises(ParameterError, match="times"):
        solve_volterra(ExpSum(1.0, [1.0], [-1.0]), ExpSum(0.0, [1.0], [-1.0]), times=[3, 2])
