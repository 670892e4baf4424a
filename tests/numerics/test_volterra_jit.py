"""The compiled log-grid marches (``numerics._volterra_jit``, numba) against the NumPy paths they
replace, and their hand-written ``exp`` against mpmath.

References: the NumPy implementation (``SLTK_NO_JIT=1``), itself checked against exact recursions and
closed forms in ``test_volterra.py``; mpmath at 50 digits for the exponential.
"""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

pytest.importorskip("numba", reason="the compiled kernels need numba (the 'fast' extra)")

import numerics  # noqa: E402
import theory  # noqa: E402
from numerics import _jit  # noqa: E402
from numerics import _volterra as V  # noqa: E402
from numerics import _volterra_jit as VJ  # noqa: E402


def test_exp_scaled_against_mpmath():
    rng = np.random.default_rng(3)
    z = np.concatenate([-rng.uniform(0.5, 50.0, 4000), [-0.5, -50.0, -math.log(2) / 2, -math.log(2) * 1.5, -1.0]])
    d = 1.7
    L = z / d
    out = np.empty(z.size)
    VJ._exp_scaled(d, L, out, np.empty(z.size, dtype=np.int64))
    mp.mp.dps = 50
    # of the argument the kernel forms, the rounded product d * L (its rounding, ~|z| 1e-16, is the caller's)
    ref = np.array([float(mp.exp(mp.mpf(float(d * x)))) for x in L])
    rel = np.abs(out - ref) / ref
    assert rel.max() < 3.5e-16, rel.max()


def _modes(rng, n, time):
    # sorted by ascending decay rate; a non-decaying mode, slow, intermediate and dead modes
    c = np.sort(np.concatenate([[0.0], 10.0 ** rng.uniform(-9, 0.3, n - 1)]))
    L = -c if time == "continuous" else np.log1p(-np.minimum(c, 0.9))  # discrete: rho = 1 - c > 0
    L = np.sort(L)[::-1].copy()
    k = rng.uniform(0, 1, n) * (-np.expm1(L) if time == "discrete" else np.maximum(-L, 1e-12)) / n * 0.5
    y0 = rng.uniform(0, 1, n) / n
    return L, k, y0


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10**6), n=st.integers(1, 300), time=st.sampled_from(["discrete", "continuous"]))
def test_march_matches_the_numpy_march(seed, n, time):
    rng = np.random.default_rng(seed)
    L, k, y0 = _modes(rng, n, time)
    # a grid with unit chunks, repeated lengths and lengths from 2 to 10^5 (every column range is used)
    T = np.unique(np.concatenate([[0.0], np.arange(1, 40), np.rint(np.geomspace(40, 3e6, 300)),
                                  rng.integers(1, 3_000_000, 20).astype(float)]))
    if time == "continuous":
        T = T * 0.37
    f_inf = 0.05
    jit = V._march_compiled(T, f_inf, y0, L, k, time)
    ref, blew = V._march_blocked(T, f_inf, y0, L, k, time)
    assert jit is not None and not blew and not jit[1]
    np.testing.assert_allclose(jit[0], ref, rtol=1e-12, atol=0)


def test_march_with_a_growing_mode_takes_the_numpy_path():
    L = np.array([0.01, -0.1, -1.0])
    assert V._march_compiled(np.arange(5.0), 0.0, np.ones(3), L, np.full(3, 0.01), "discrete") is None


def test_march_blow_up_is_reported_at_the_same_chunk():
    # kernel weights summing past 1: P grows geometrically; both paths stop at the same chunk
    L = np.log(np.array([0.999, 0.99, 0.9]))
    k = np.array([0.6, 0.5, 0.4])
    T = np.unique(np.rint(np.geomspace(1, 1e9, 400)))
    T = np.concatenate([[0.0], T])
    jit = V._march_compiled(T, 0.0, np.ones(3), L, k, "discrete")
    ref, blew = V._march_blocked(T, 0.0, np.ones(3), L, k, "discrete")
    assert blew and jit[1]
    assert jit[0].size == ref.size
    np.testing.assert_allclose(jit[0], ref, rtol=1e-12)


@pytest.mark.parametrize("alpha,beta", [(0.7, 0.3), (1.0, 0.8), (0.7, 1.2), (0.4, 0.7)])
def test_risk_curves_agree_with_the_numpy_path(alpha, beta, monkeypatch):
    # the four SGD phases; d = 3000 > 2048 modes, so solved on grouped modes as at d = 10^4; constant
    # rate and WSD (run by run of equal rate)
    p = theory.plrf.PLRF(alpha, beta, 4 * 3000 if alpha < 1 else 10 * 3000, 3000)
    opt = theory.SGD(lr=0.25 / p.trace_D())
    spec = numerics.plrf.deterministic_equivalent(p).spectrum
    runs = {}
    for flag in ("0", "1"):
        monkeypatch.setenv("SLTK_NO_JIT", flag)
        runs[flag] = (numerics.plrf.risk_curve(p, opt, steps=10**8, spectrum=spec, n_points=300),
                      numerics.plrf.risk_curve(p, opt, theory.WSD(decay=0.2), steps=10**5, spectrum=spec, n_points=50))
    assert _jit.enabled() is False
    for new, old in zip(runs["0"], runs["1"]):
        assert new.status == old.status == "ok"
        np.testing.assert_array_equal(new.steps, old.steps)
        np.testing.assert_allclose(new.risk, old.risk, rtol=1e-12, atol=0)
        assert abs(new.error_estimate - old.error_estimate) <= 1e-9 * max(old.error_estimate, 1e-300) + 1e-15


def test_schedule_divergence_agrees(monkeypatch):
    # a two-stage schedule whose second stage is 5x the rate, past the stability limit: the march itself
    # blows up mid-run (solve_volterra does not check a schedule's peak); both paths stop at the same chunk
    from numerics.plrf._sgd_kernel import max_stable_lr, sgd_modes

    p = theory.plrf.PLRF(1.0, 0.8, 800, 200)
    spec = numerics.plrf.deterministic_equivalent(p).spectrum
    lr = 0.9 * max_stable_lr(spec, theory.SGD(lr=1.0))
    fk = numerics.plrf.forcing_kernel(spec, theory.SGD(lr=lr))
    sched = theory.parse_schedule("two-stage:switch=0.5,second=5")

    def rate_fn(phi):
        qm1, kw = sgd_modes(spec.eigenvalues, lr * phi, 1)
        return np.log1p(qm1), kw

    out = {}
    for flag in ("0", "1"):
        monkeypatch.setenv("SLTK_NO_JIT", flag)
        out[flag] = numerics.solve_volterra(fk.forcing, fk.kernel, times=np.unique(np.rint(np.geomspace(1, 10**5, 200))),
                                            h=0.005, rate_fn=rate_fn, lr_factors=sched, schedule_horizon=10**5)
    a, b = out["0"], out["1"]
    assert a.status == b.status == "diverged"
    np.testing.assert_array_equal(a.times, b.times)
    np.testing.assert_allclose(a.risk, b.risk, rtol=1e-12)


def test_switch_reads_the_environment(monkeypatch):
    monkeypatch.setenv("SLTK_NO_JIT", "1")
    assert not _jit.enabled()
    monkeypatch.setenv("SLTK_NO_JIT", "")
    assert _jit.enabled()
