"""The per-machine disk cache of deterministic-equivalent spectra returns exactly the computed spectrum."""

import numpy as np
import pytest

from numerics.plrf import deterministic_equivalent
from numerics.plrf._rules import _de_spectrum_cached
from numerics.plrf._spectrum_cache import cached_de_spectrum
from theory.plrf import PLRF


@pytest.mark.parametrize("alpha,beta,d", [(0.7, 0.4, 16), (1.3, 0.85, 45)])
def test_cached_spectrum_equals_direct_computation(tmp_path, monkeypatch, alpha, beta, d):
    monkeypatch.setenv("SLTK_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("SLTK_NO_DERIVATION_CACHE", raising=False)
    problem = PLRF(alpha, beta, 4 * d, d)
    direct = deterministic_equivalent(problem, rtol=1e-10).spectrum  # the route without any cache
    calls = []

    def compute():
        calls.append(1)
        return deterministic_equivalent(problem, rtol=1e-10).spectrum

    cold = cached_de_spectrum(problem, 1e-10, compute)
    assert len(list((tmp_path / "spectra").glob("de-*.npz"))) == 1
    warm = cached_de_spectrum(problem, 1e-10, compute)  # read back from disk: compute not called again
    assert len(calls) == 1
    for s in (cold, warm):
        np.testing.assert_array_equal(s.eigenvalues, direct.eigenvalues)
        np.testing.assert_array_equal(s.weights, direct.weights)
        assert s.p_inf == direct.p_inf and s.kind == direct.kind == "deterministic"
    # a different problem has its own entry
    other = cached_de_spectrum(PLRF(alpha, beta, 4 * d + 4, d + 1), 1e-10, lambda: direct)
    assert other is direct and len(list((tmp_path / "spectra").glob("de-*.npz"))) == 2


def test_corrupt_entry_is_recomputed_and_switch_off(tmp_path, monkeypatch):
    monkeypatch.setenv("SLTK_CACHE_DIR", str(tmp_path))
    problem = PLRF(0.9, 0.6, 64, 16)
    direct = deterministic_equivalent(problem).spectrum
    cached_de_spectrum(problem, 1e-10, lambda: direct)
    (path,) = (tmp_path / "spectra").glob("de-*.npz")
    path.write_bytes(b"not an npz")
    again = cached_de_spectrum(problem, 1e-10, lambda: deterministic_equivalent(problem).spectrum)
    np.testing.assert_array_equal(again.eigenvalues, direct.eigenvalues)
    monkeypatch.setenv("SLTK_NO_DERIVATION_CACHE", "1")
    sentinel = []
    cached_de_spectrum(problem, 1e-10, lambda: sentinel.append(1) or direct)
    assert sentinel == [1]


def test_rules_cache_path_matches_direct(tmp_path, monkeypatch):
    monkeypatch.setenv("SLTK_CACHE_DIR", str(tmp_path))
    problem = PLRF(1.1, 0.55, 128, 32)
    _de_spectrum_cached.cache_clear()
    s = _de_spectrum_cached(problem, 1e-10)
    direct = deterministic_equivalent(problem, rtol=1e-10).spectrum
    np.testing.assert_array_equal(s.eigenvalues, direct.eigenvalues)
    np.testing.assert_array_equal(s.weights, direct.weights)
    assert s.p_inf == direct.p_inf
