"""The Gaussian feature sampler of the linear-regression simulator: banded (Gauss-Markov) route,
dense route, and the SFC64 option of the RNG shim.

Reference for the banded route: the dense product ``z L^T`` with the Cholesky factor ``L`` of ``K``
(``L L^T = K`` checked), an independent route to the same law sample for sample."""

from __future__ import annotations

import numpy as np
import pytest

from theory import ParameterError, SignSGD
from theory.linreg import LinearRegressionProblem, correlated_covariance
from verification import default_rng, get_namespace, to_numpy
from verification.linreg import simulate as simulate_linreg
from verification.linreg._simulate import _banded_whitening, _GaussianFeatures


def _ar2_covariance(d):
    """``K = Q^-1`` with a pentadiagonal precision ``Q``: its inverse Cholesky factor has band 2."""
    Q = 3.0 * np.eye(d) - 0.8 * (np.eye(d, k=1) + np.eye(d, k=-1)) + 0.3 * (np.eye(d, k=2) + np.eye(d, k=-2))
    K = np.linalg.inv(Q)
    return (K + K.T) / 2


@pytest.mark.parametrize("K, band", [(correlated_covariance(200, 0.6, 0.5), 1), (correlated_covariance(97, -0.3, 1.0), 1),
                                     (_ar2_covariance(150), 2)])
def test_banded_route_is_the_cholesky_product(K, band):
    p = LinearRegressionProblem(K, np.zeros(K.shape[0]))
    f = _GaussianFeatures(p, get_namespace("numpy"))
    assert f.kind == "markov" and f.bandwidth == band
    L = np.linalg.cholesky(K)
    assert np.allclose(L @ L.T, K, rtol=0, atol=1e-13)
    z = np.random.default_rng(1).standard_normal((70, K.shape[0]))
    x = to_numpy(f(z.copy()))
    ref = z @ L.T
    assert np.max(np.abs(x - ref)) <= 1e-12 * np.max(np.abs(ref))


def test_dense_covariances_without_a_band_take_the_square_root():
    d = 64
    for K in (np.full((d, d), 0.5) + 0.5 * np.eye(d),  # equicorrelated: K^-1 is dense
              np.cov(np.random.default_rng(0).standard_normal((d, 4 * d)))):  # a Wishart draw
        assert _banded_whitening(K) is None
        f = _GaussianFeatures(LinearRegressionProblem(K, np.zeros(d)), get_namespace("numpy"))
        assert f.kind == "dense"
        z = np.random.default_rng(2).standard_normal((5, d))
        w, Q = np.linalg.eigh(K)
        assert np.allclose(to_numpy(f(z.copy())), z @ ((Q * np.sqrt(w)) @ Q.T), rtol=0, atol=1e-12)


def test_banded_route_sample_covariance_matches_K():
    # 4000 rows: entry (i, j) of the sample covariance has standard error sqrt((K_ii K_jj + K_ij^2) / n);
    # 6 standard errors bound the largest of the d^2 = 900 entries (family-wise)
    d, n = 30, 4000
    K = correlated_covariance(d, 0.6, 0.5)
    f = _GaussianFeatures(LinearRegressionProblem(K, np.zeros(d)), get_namespace("numpy"))
    x = to_numpy(f(np.random.default_rng(3).standard_normal((n, d))))
    C = x.T @ x / n
    se = np.sqrt((np.outer(np.diag(K), np.diag(K)) + K ** 2) / n)
    assert np.max(np.abs(C - K) / se) < 6.0


def test_markov_simulation_same_on_every_namespace(xp):
    # the RNG shim draws on the host for array_api_strict, so both namespaces see the same numbers
    p = LinearRegressionProblem.with_random_target(correlated_covariance(40, 0.6, 0.5), seed=0)
    a = simulate_linreg(p, SignSGD(lr=0.5 / 40), [0, 10, 100], runs=3, seed=4, backend="numpy")
    b = simulate_linreg(p, SignSGD(lr=0.5 / 40), [0, 10, 100], runs=3, seed=4, backend=xp)
    assert np.allclose(a.risk, b.risk, rtol=1e-10, atol=0)


def test_rng_shim_sfc64_is_seeded_and_distinct():
    xp = get_namespace("numpy")
    a = to_numpy(default_rng(xp, 5, "sfc64").standard_normal((20000,)))
    b = to_numpy(default_rng(xp, 5, "sfc64").standard_normal((20000,)))
    c = to_numpy(default_rng(xp, 5).standard_normal((20000,)))
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    # mean and variance of 20000 standard normals: 5 standard errors
    assert abs(a.mean()) < 5 / np.sqrt(a.size) and abs(a.var() - 1) < 5 * np.sqrt(2 / a.size)
    with pytest.raises(ParameterError):
        default_rng(xp, 5, "mt19937")


# ------------------------------------------------------------------ several noise laws, one feature stream
def test_shared_feature_stream_law_zero_is_the_single_simulation():
    from theory.linreg import GaussianNoise, StudentTNoise

    p = LinearRegressionProblem.with_random_target(correlated_covariance(60, 0.6, 0.5), GaussianNoise(1.0), seed=0)
    one = simulate_linreg(p, SignSGD(lr=0.5 / 60), [0, 30, 240], runs=4, seed=2, backend="numpy")
    a, b = simulate_linreg(p, SignSGD(lr=0.5 / 60), [0, 30, 240], runs=4, seed=2, backend="numpy",
                           noises=[GaussianNoise(1.0), StudentTNoise(2.5)])
    assert np.allclose(a.risk, one.risk, rtol=1e-12, atol=0)
    assert not np.allclose(b.risk[:, 1:], a.risk[:, 1:], rtol=1e-6, atol=0)  # its own noise draws
    (c,) = simulate_linreg(p, SignSGD(lr=0.5 / 60), [0, 30, 240], runs=4, seed=2, backend="numpy",
                           noises=[GaussianNoise(1.0)])
    assert np.array_equal(c.risk, one.risk)


def test_shared_feature_stream_one_law_diverges_the_other_goes_on():
    from theory import SGD
    from theory.linreg import CauchyNoise, NoNoise

    p = LinearRegressionProblem.with_random_target(np.ones(20), NoNoise(), seed=0)
    steps = [0, 5, 50, 200]
    one = simulate_linreg(p, SGD(lr=0.5 / 20), steps, runs=4, seed=1, backend="numpy")
    a, b = simulate_linreg(p, SGD(lr=0.5 / 20), steps, runs=4, seed=1, backend="numpy",
                           noises=[NoNoise(), CauchyNoise(1e12)])
    assert b.diverged and np.all(np.isinf(b.risk[:, 2:]))
    assert not a.diverged and np.allclose(a.risk, one.risk, rtol=1e-12, atol=0)


def test_check_highdim_noises_passes_on_every_law_and_rejects_a_bare_law():
    from verification.linreg import check_highdim_noises

    laws = ["gaussian:std=1.0", "student-t:nu=2.5", "cauchy:scale=0.5"]
    checks = check_highdim_noises("correlated", laws, d=300, lr=0.5, T=3.0, runs=12, n_eval=4, seed=0,
                                  backend="numpy")
    assert [c.passed for c in checks] == [True] * 3, [c.to_dict() for c in checks]
    assert len({c.name for c in checks}) == 3
    with pytest.raises(ParameterError):
        check_highdim_noises("isotropic", "gaussian", d=50)
