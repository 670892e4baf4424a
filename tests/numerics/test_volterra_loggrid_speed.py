"""The log-grid Volterra solver's chunk sums after the issue-17 rewrites (one exp and one expm1 per
element, no series on a gathered subset; then, for sorted modes, no expm1 and an exp only where
``|z| >= 1/2``) against the previous series form and against mpmath.

References: the previous implementation of :func:`numerics._volterra._chunk_sums` (kept below as
``_series_chunk_sums``, verbatim) and exact sums in mpmath at 50 digits.
"""

from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest

import numerics
import theory
from numerics import _volterra as V


@pytest.fixture(autouse=True)
def _numpy_path(monkeypatch):
    """These tests compare the NumPy implementations with each other (the compiled march, which would
    bypass them, is checked against them in test_volterra_jit.py)."""
    monkeypatch.setenv("SLTK_NO_JIT", "1")


def _series_chunk_sums(log_rate: np.ndarray, delta: float, time: str):
    """``E = rho^Delta``, ``A = sum_{u<Delta} rho^u`` and ``S1 = sum_s rho^(Delta-1-s) s/Delta``.

    (Continuous: the integrals ``exp(-c Delta)``, ``int_0^Delta e^{-cu} du`` and
    ``int_0^Delta e^{-c(Delta-s)} s/Delta ds`` with ``c = -log_rate``.) Both ``S1`` forms are
    ``(Delta - A) / (eps Delta)`` with ``eps = 1 - rho`` (resp. ``c``). Where ``|eps Delta| < 1e-2``
    a 7-term series replaces it (truncation < 1e-16; the direct form loses at most
    ``1e-16 / 1e-2`` there), elsewhere the closed form is used.
    """
    E = np.exp(delta * log_rate)
    eps = -np.expm1(log_rate) if time == "discrete" else -log_rate
    x = eps * delta
    eps = np.broadcast_to(eps, x.shape)
    dl = np.broadcast_to(np.asarray(delta, dtype=np.float64), x.shape)
    small = np.abs(x) < 1e-2
    with np.errstate(divide="ignore", invalid="ignore"):
        A = -np.expm1(delta * log_rate) / eps
        S1 = (delta - A) / (eps * delta)
    if small.any():
        es = eps[small]
        ds = dl[small]
        if time == "discrete":
            # A = sum_k (-eps)^k C(Delta, k+1);  (Delta - A)/eps = sum_{k>=1} (-eps)^(k-1) C(Delta, k+1)
            tA = ds.copy()
            accA = tA.copy()
            t1 = ds * (ds - 1.0) / 2.0
            acc1 = t1.copy()
            for k in range(1, 8):
                tA = tA * (-es) * (ds - k) / (k + 1.0)
                accA += tA
                t1 = t1 * (-es) * (ds - k - 1.0) / (k + 2.0)
                acc1 += t1
            A[small] = accA
            S1[small] = acc1 / ds
        else:
            xs = x[small]
            # A = Delta sum_k (-x)^k/(k+1)!;  S1 = Delta sum_k (-x)^k/(k+2)!
            tA = np.full(xs.shape, 1.0)
            accA = tA.copy()
            t1 = np.full(xs.shape, 0.5)
            acc1 = t1.copy()
            for k in range(1, 8):
                tA = tA * (-xs) / (k + 1.0)
                accA += tA
                t1 = t1 * (-xs) / (k + 2.0)
                acc1 += t1
            A[small] = ds * accA
            S1[small] = ds * acc1
    return E, A, S1




# the constant-rate march before the sorted-mode chunk sums (issue 17), verbatim except for the
# series chunk sums it calls: the reference route for the curves below
def _previous_march_blocked(T, f_inf, y0, log_rate, kcoef, time, block_elems: int = 2**19):
    """Constant rates: the chunk sums of a block of chunks in one vectorised call, then per chunk
    one dot product and two scaled additions over the modes (no per-chunk sums to recompute).

    ``P(T_{m+1}) = (f_inf + E.y + P_m sum(c1)) / (1 - sum(k S1))`` and
    ``y <- E y + c1 P_m + k S1 P_{m+1}`` with ``c1 = k (A - S1)`` (the same update as the
    per-chunk loop, reordered).
    """
    N = log_rate.size
    y = y0.copy()
    P = np.empty(T.size)
    P[0] = f_inf + y.sum()
    deltas = np.diff(T)
    bk = int(max(1, min(128, block_elems // max(N, 1))))
    lim = V._BLOWUP * max(abs(P[0]), 1e-300)
    for b0 in range(0, deltas.size, bk):
        dl = deltas[b0 : b0 + bk]
        u, inv = np.unique(dl, return_inverse=True)
        E, A, S1 = _series_chunk_sums(log_rate[None, :], u[:, None], time)
        KS1 = kcoef * S1
        C1 = kcoef * (A - S1)
        den = 1.0 - KS1.sum(axis=1)
        c1s = C1.sum(axis=1)
        for k, ui in enumerate(inv):
            m = b0 + k
            Pm = P[m]
            # einsum, not a BLAS dot: a threaded BLAS on a shared machine costs more than the product
            Pn = (f_inf + float(np.einsum("i,i->", E[ui], y)) + Pm * c1s[ui]) / den[ui]
            P[m + 1] = Pn
            y *= E[ui]
            y += C1[ui] * Pm + KS1[ui] * Pn
            if not abs(Pn) <= lim:  # also NaN
                return P[: m + 2], True
    return P, False



def _exact(L, delta, time):
    mp.mp.dps = 50
    L = mp.mpf(L)
    if time == "discrete":
        rho = mp.e**L
        E = rho**delta
        A = mp.fsum(rho**u for u in range(delta))
        S1 = mp.fsum(rho ** (delta - 1 - s) * s for s in range(delta)) / delta
    else:
        c = -L
        E = mp.e ** (-c * delta)  # the integrals in closed form, at 50 digits (no cancellation left)
        A = -mp.expm1(-c * delta) / c
        S1 = (c * delta + mp.expm1(-c * delta)) / (c**2 * delta)
    return float(E), float(A), float(S1)


@pytest.mark.parametrize("time", ["discrete", "continuous"])
def test_chunk_sums_against_mpmath(time):
    for L in (-1e-9, -3e-4, -0.004, -0.02, -0.3, -2.0):
        for delta in (1, 2, 3, 7, 40, 300):
            got = [float(x[0]) for x in V._chunk_sums(np.array([L]), float(delta), time)]
            ref = _exact(L, delta, time)
            for g, r in zip(got, ref):
                assert abs(g - r) <= 1e-13 * abs(r) + 1e-300, (L, delta, g, r)


@pytest.mark.parametrize("time", ["discrete", "continuous"])
def test_chunk_sums_against_series_form(time):
    L = np.concatenate([[0.0], -np.geomspace(1e-12, 30, 300)])[None, :]
    D = np.array([1.0, 2.0, 3.0, 10.0, 1e3, 1e6, 1e9])[:, None]
    new = V._chunk_sums(L, D, time)
    old = _series_chunk_sums(L, D, time)
    for n, o in zip(new, old):
        assert np.all(np.isfinite(n))
        assert np.max(np.abs(n - o) / np.maximum(np.abs(o), 1e-300)) < 1e-13


def _compare(alpha, beta, d, monkeypatch, steps=10**8, schedule=True):
    p = theory.plrf.PLRF(alpha, beta, 10 * d, d)
    opt = theory.SGD(lr=0.25 / p.trace_D())
    spec = numerics.plrf.deterministic_equivalent(p).spectrum
    new = numerics.plrf.risk_curve(p, opt, steps=steps, spectrum=spec, n_points=300)
    sched = None if not schedule else numerics.plrf.risk_curve(p, opt, theory.WSD(decay=0.2), steps=10**5, spectrum=spec, n_points=50)
    monkeypatch.setattr(V, "_chunk_sums", _series_chunk_sums)
    monkeypatch.setattr(V, "_march_blocked", _previous_march_blocked)
    old = numerics.plrf.risk_curve(p, opt, steps=steps, spectrum=spec, n_points=300)
    old_sched = None if not schedule else numerics.plrf.risk_curve(p, opt, theory.WSD(decay=0.2), steps=10**5, spectrum=spec, n_points=50)
    assert new.status == old.status == "ok"
    np.testing.assert_array_equal(new.steps, old.steps)
    np.testing.assert_allclose(new.risk, old.risk, rtol=1e-11, atol=0)
    if schedule:  # the per-chunk march (a time-varying rate)
        np.testing.assert_allclose(sched.risk, old_sched.risk, rtol=1e-11, atol=0)


# the four SGD phases (points as in docs/benchmarks.md); d > 2048 modes, so the curves are solved on
# grouped modes, as at d = 10^4
@pytest.mark.slow
@pytest.mark.parametrize("alpha,beta", [(0.7, 0.3), (1.0, 0.8), (0.7, 1.2), (0.4, 0.7)])
def test_risk_curve_unchanged_on_the_four_phases(alpha, beta, monkeypatch):
    _compare(alpha, beta, 3000, monkeypatch)


def test_risk_curve_unchanged_phase_II(monkeypatch):  # the default suite's quick case (ungrouped modes)
    _compare(1.0, 0.8, 400, monkeypatch, steps=10**7, schedule=False)


@pytest.mark.parametrize("time", ["discrete", "continuous"])
def test_sorted_chunk_sums_against_mpmath(time):
    L = np.array([0.0, -1e-9, -3e-4, -0.004, -0.02, -0.3, -2.0])  # sorted: ascending decay rate
    for deltas in ([1.0, 2.0, 3.0], [7.0, 40.0], [300.0], [1e4, 3e4]):
        got = V._chunk_sums_sorted(L, np.array(deltas), time)
        for r, delta in enumerate(deltas):
            for j, l in enumerate(L):
                if l == 0.0:
                    ref = (1.0, delta, (delta - 1.0) / 2.0 if time == "discrete" else delta / 2.0)
                else:
                    ref = _exact(l, int(delta), time) if delta <= 300 else None
                if ref is None:
                    continue
                for q, (g, rv) in enumerate(zip((x[r, j] for x in got), ref)):
                    if q == 0 and -l * delta > V._DEAD_Z:  # E = e^z < 2e-22 may be dropped
                        assert abs(g - rv) <= 1e-13 * rv or (g == 0.0 and rv < 2e-22)
                        continue
                    assert abs(g - rv) <= 1e-13 * abs(rv) + 1e-300, (l, delta, g, rv)


@pytest.mark.parametrize("time", ["discrete", "continuous"])
def test_sorted_chunk_sums_against_series_form(time):
    L = np.concatenate([[0.0], -np.geomspace(1e-12, 30, 300)])
    D = np.array([1.0, 2.0, 3.0, 10.0, 1e3, 1e6, 1e9])
    new = V._chunk_sums_sorted(L, D, time)
    old = _series_chunk_sums(L[None, :], D[:, None], time)
    for name, n, o in zip("EAS", new, old):
        assert np.all(np.isfinite(n))
        err = np.abs(n - o) / np.maximum(np.abs(o), 1e-300)
        if name == "E":  # e^z < 2e-22 is dropped (set to 0) where -z > 50
            err = np.where(D[:, None] * -L[None, :] > V._DEAD_Z, np.abs(n - o), err)
        assert np.max(err) < 1e-13, name
    if time == "discrete":
        assert np.all(new[2][0] == 0.0)  # Delta = 1: S1 = 0 exactly


def test_sorted_chunk_sums_with_a_growing_mode_are_the_unsorted_form():
    L = np.array([0.05, 0.0, -1e-3, -0.7])  # ascending decay rate; the first mode grows
    D = np.array([1.0, 10.0, 1e4])
    for n, o in zip(V._chunk_sums_sorted(L, D, "discrete"), V._chunk_sums(L[None, :], D[:, None], "discrete")):
        np.testing.assert_array_equal(n, o)


@pytest.mark.parametrize("time", ["discrete", "continuous"])
def test_chunk_coefs_against_the_chunk_sums(time):
    # the march's E, k (A - S1), k S1 from the in-place ranges against k times the chunk sums of
    # _chunk_sums_sorted (itself checked against mpmath above), and Delta = 1 against its closed form
    L = np.concatenate([[0.0], -np.geomspace(1e-12, 30, 300)])
    k = np.random.default_rng(3).uniform(0.1, 2.0, L.size)
    for D in ([1.0, 2.0, 3.0, 10.0, 1e3, 1e6, 1e9], [1.0], [5.0, 6.0, 7.0], [2.0, 3.0, 40.0, 700.0, 9e3], [1e5, 1.01e5]):
        D = np.array(D)
        E, A, S1 = V._chunk_sums_sorted(L, D, time)
        work = np.full((7, D.size * L.size), np.nan)  # a reused buffer: stale contents must not leak through
        e, c1, ks = V._chunk_coefs_sorted(L, k, D, time, work=work)
        dead = D[:, None] * -L[None, :] > V._DEAD_Z  # e^z < 2e-22 may be dropped (E = 0) there
        assert np.all(np.isfinite(e)) and np.all(np.isfinite(c1)) and np.all(np.isfinite(ks))
        assert np.all(np.where(dead, np.abs(e - E) <= 2e-22, np.abs(e - E) <= 1e-15 * E))
        np.testing.assert_allclose(c1, k * (A - S1), rtol=2e-15, atol=0)
        np.testing.assert_allclose(ks, k * S1, rtol=2e-15, atol=1e-16 * np.max(k))
        if time == "discrete" and D[0] == 1.0:
            np.testing.assert_array_equal(ks[0], 0.0)
            np.testing.assert_array_equal(c1[0], k)
            np.testing.assert_array_equal(e[0], np.exp(L))


def test_blas1_march_equals_the_ufunc_march(monkeypatch):
    # the per-chunk loop on ddot/daxpy (<= _BLAS1_MAX modes) against the einsum/ufunc loop it replaced
    p = theory.plrf.PLRF(1.0, 0.8, 4000, 400)
    opt = theory.SGD(lr=0.25 / p.trace_D())
    spec = numerics.plrf.deterministic_equivalent(p).spectrum
    new = numerics.plrf.risk_curve(p, opt, steps=10**7, spectrum=spec, n_points=200, method="loggrid")
    monkeypatch.setattr(V, "_BLAS1_MAX", 0)
    old = numerics.plrf.risk_curve(p, opt, steps=10**7, spectrum=spec, n_points=200, method="loggrid")
    assert new.status == old.status == "ok"
    np.testing.assert_allclose(new.risk, old.risk, rtol=1e-13, atol=0)
