"""The compiled resolvent sums of the PLRF power sums (``numerics.plrf._power_sums_jit``) against the
NumPy path (``SLTK_NO_JIT=1``; itself checked against the plain sums and the reference solver in
``test_deterministic_equivalent.py``)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("numba", reason="the compiled kernels need numba (the 'fast' extra)")

import numerics  # noqa: E402
from numerics.plrf._power_sums import PowerSums  # noqa: E402
from theory.plrf import PLRF  # noqa: E402


@pytest.mark.parametrize("v", [300, 5000])  # the plain sums (v <= 600) and the quadrature nodes
def test_sums_match_the_numpy_path(v, monkeypatch):
    ps = PowerSums(2.0, 1.5, v)
    rng = np.random.default_rng(1)
    w = 10.0 ** rng.uniform(-7, 0.3, 300) * np.exp(1j * rng.uniform(0.01, np.pi - 0.01, 300))
    out = {}
    for flag in ("0", "1"):
        monkeypatch.setenv("SLTK_NO_JIT", flag)
        out[flag] = ps.s_and_ds(w), [ps.s_and_ds_one(x) for x in w[:20]], ps.measures(w, 0.3 + 0.2j)
    (S0, dS0), one0, (a0, T0) = out["0"]
    (S1, dS1), one1, (a1, T1) = out["1"]
    np.testing.assert_allclose(a0, a1, rtol=1e-12, atol=1e-9)  # argument sums of up to v terms of size <= pi
    np.testing.assert_allclose(T0, T1, rtol=1e-12)
    np.testing.assert_allclose(S0, S1, rtol=1e-12)
    np.testing.assert_allclose(dS0, dS1, rtol=1e-12)
    np.testing.assert_allclose(np.array(one0), np.array(one1), rtol=1e-12)


def test_spectrum_matches_the_numpy_path(monkeypatch):
    p = PLRF(1.0, 0.8, 1200, 300)
    out = {}
    for flag in ("0", "1"):
        monkeypatch.setenv("SLTK_NO_JIT", flag)
        out[flag] = numerics.plrf.deterministic_equivalent(p)
    a, b = out["0"], out["1"]
    assert a.status == b.status == "ok"
    np.testing.assert_allclose(a.spectrum.eigenvalues, b.spectrum.eigenvalues, rtol=1e-9)
    np.testing.assert_allclose(a.spectrum.weights, b.spectrum.weights, rtol=1e-9, atol=1e-12 * p.initial_risk())


@pytest.mark.parametrize("v", [400, 1024])  # the plain sums and the quadrature nodes
def test_compiled_newton_takes_the_numpy_steps(v, monkeypatch):
    """The compiled Newton solve (nodes, sums, step and its halving, stopping rules in one kernel)
    against the Python one, started from the same guesses: the same roots within the tolerance, and
    the same verdicts."""
    from numerics.plrf import _deterministic_equivalent as de

    d = v // 4
    ps = PowerSums(2.2, 1.4, v)
    rng = np.random.default_rng(3)
    z = 10.0 ** rng.uniform(-5, 0.2, 60) * (1.0 + 0.02j)
    w0 = z * (1.0 + 0.3 * rng.standard_normal(60)) + 1j * np.abs(z) * 0.05
    out = {}
    for flag in ("0", "1"):
        monkeypatch.setenv("SLTK_NO_JIT", flag)
        out[flag] = ([de._newton_one(ps, d, complex(a), complex(b), 1e-10) for a, b in zip(z, w0)],
                     de._newton_vec(ps, d, z, w0, 1e-10))
    (one0, vec0), (one1, vec1) = out["0"], out["1"]
    assert [r[1] for r in one0] == [r[1] for r in one1] == list(vec0[1]) == list(vec1[1])
    assert sum(r[1] for r in one0) >= 40  # most guesses converge: the comparison is not vacuous
    conv = np.array([r[1] for r in one0])
    w_py, w_c = np.array([r[0] for r in one0]), np.array([r[0] for r in one1])
    np.testing.assert_allclose(w_c[conv], w_py[conv], rtol=1e-8)
    np.testing.assert_allclose(vec1[0][conv], vec0[0][conv], rtol=1e-8)
    steps_py, steps_c = sum(r[2] for r in one0), sum(r[2] for r in one1)
    assert abs(steps_c - steps_py) <= 0.05 * steps_py + 3
