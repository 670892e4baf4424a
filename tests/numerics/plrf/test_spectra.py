"""Exact spectra of one sampled W: closed forms and independent linear algebra."""

import numpy as np
import pytest

import numerics
from theory import ParameterError
from theory.plrf import PLRF


def test_exact_spectrum_matches_eigendecomposition_of_WtDW():
    p = PLRF(0.8, 0.6, 300, 60)
    rng = np.random.default_rng(3)
    W = rng.standard_normal((300, 60)) / np.sqrt(60)
    s = numerics.plrf.exact_spectrum(p, W=W)
    D = p.population_eigenvalues()
    b = p.target()
    K = W.T @ (D[:, None] * W)
    lam, U = np.linalg.eigh(K)  # independent route: eigenvectors of K, theta* = K^-1 W^T D b
    theta = np.linalg.solve(K, W.T @ (D * b))
    c0 = (U.T @ theta) ** 2
    np.testing.assert_allclose(s.eigenvalues, lam, rtol=1e-10)
    np.testing.assert_allclose(s.weights, lam * c0, rtol=1e-7, atol=1e-14)
    p_inf = float(np.sum(D * b * b) - theta @ K @ theta)
    assert s.p_inf == pytest.approx(p_inf, rel=1e-6)
    assert s.initial_risk == pytest.approx(p.initial_risk(), rel=1e-12)


def test_seed_reproducible_and_validation():
    p = PLRF(1.0, 0.5, 40, 10)
    a, b = numerics.plrf.exact_spectrum(p, seed=1), numerics.plrf.exact_spectrum(p, seed=1)
    np.testing.assert_array_equal(a.eigenvalues, b.eigenvalues)
    with pytest.raises(ParameterError, match="W"):
        numerics.plrf.exact_spectrum(p, W=np.ones((3, 3)))
    with pytest.raises(ParameterError, match="weights"):
        numerics.plrf.Spectrum([1.0, 2.0], [1.0], 0.0)
    with pytest.raises(ParameterError, match="p_inf"):
        numerics.plrf.Spectrum([1.0], [1.0], -1.0)
