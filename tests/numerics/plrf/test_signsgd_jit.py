"""The compiled signSGD solvers (numba, :mod:`numerics._jit`) against the NumPy loops beside them:
``method="recursion"`` (all compiled) and ``method="loggrid"`` (chunk arithmetic compiled, chunk sizing
in Python; the same chunks, checked through the chunk count in the message).

Both run the same per-step equations ``r <- r (1 - 2 g phi lam) + g^2 n``, ``phi = (2/pi)/sqrt(P)``
(the log grid: their closed form over a chunk), with the same operations per mode; they differ only in
the order of the sum over the modes (NumPy's pairwise sum, the kernel's vectorised running sum,
``fastmath`` re-association), in fused multiply-adds and, on the log grid, in the last bit of
``log1p``/``exp``/``expm1`` (libm against NumPy's own loops): a few ulps per step or chunk. The
equations contract the mode risks (factors in ``(-1, 1)``) and ``phi`` depends on the sum only through
a square root, so these differences do not grow with the steps; measured ~1e-15 relative over 6000
steps and ~5e-15 over 1e8 log-grid steps at d = 256 (``docs/benchmarks.md``). ``rtol = 1e-12`` leaves a
margin for other CPUs and longer horizons while catching any real difference (a wrong factor, a step off
by one, a missed record point, a different chunk: all >= 1e-10 here, measured by perturbing the kernels).
"""

from __future__ import annotations

import re

import numpy as np
import pytest

import theory
from numerics import _jit
from numerics.plrf._signsgd import sign_modes, signsgd_plrf_risk
from theory import SignSGD
from theory.plrf import PLRF

pytest.importorskip("numba", reason="numba (the 'fast' extra) is not installed: no compiled kernel to compare")

RTOL = 1e-12

_PROBLEM = PLRF(1.0, 0.75, 512, 128)
_SCHEDULES = {
    "constant": theory.Constant(),
    "wsd": theory.WSD(warmup=0.05, decay=0.2),
    "step": theory.StepDecay(milestones=(0.3, 0.7), factor=0.3),
}


def _both(monkeypatch, *args, **kw):
    """The curve from the compiled kernel and from the NumPy loop (``SLTK_NO_JIT=1``)."""
    monkeypatch.delenv(_jit.ENV_DISABLE, raising=False)
    assert _jit.enabled()
    fast = signsgd_plrf_risk(*args, **kw)
    monkeypatch.setenv(_jit.ENV_DISABLE, "1")
    assert not _jit.enabled()
    ref = signsgd_plrf_risk(*args, **kw)
    monkeypatch.delenv(_jit.ENV_DISABLE)
    return fast, ref


def _lr(problem, factor):
    return factor / np.sqrt(problem.d * problem.trace_D())


@pytest.mark.parametrize("method, N", [("recursion", 4000), ("loggrid", 200_000)])
@pytest.mark.parametrize("name", sorted(_SCHEDULES))
@pytest.mark.parametrize("components", [False, True])
def test_kernel_matches_numpy_loop(monkeypatch, method, N, name, components):
    md = sign_modes(_PROBLEM, "deterministic")
    # a dense record in the decay (the step schedule's drops, the WSD tail) as well as the log grid
    record = np.unique(np.concatenate([np.geomspace(1, N, 40).astype(int), np.arange(N - 50, N + 1, 7), [0]]))
    lr = _lr(_PROBLEM, 0.1)
    fast, ref = _both(monkeypatch, _PROBLEM, SignSGD(lr=lr), _SCHEDULES[name], N, modes=md, record=record,
                      method=method, components=components)
    assert fast.status == ref.status == "ok"
    np.testing.assert_array_equal(fast.steps, ref.steps)
    assert ref.risk[-1] < 0.5 * ref.risk[0]  # a curve that moves, so the comparison means something
    if method == "loggrid" and name == "constant":
        # some chunks are stiff (2 gamma phi lam_max > 1 at the lowest risk): the m // 4 fallback runs too
        assert 2 * lr * (2 / np.pi) / np.sqrt(ref.risk.min()) * md.lam.max() > 1.0
    np.testing.assert_allclose(fast.risk, ref.risk, rtol=RTOL)
    if components:
        for key in ("drift", "noise", "noise_relaxed"):
            np.testing.assert_allclose(fast.extra[key], ref.extra[key], rtol=RTOL, atol=RTOL * ref.risk[0],
                                       err_msg=key)
        # noise_relaxed counts modes by a threshold: the kernel must put the same modes on each side
        assert np.any(ref.extra["noise_relaxed"] > 0) and np.any(ref.extra["noise_relaxed"] < ref.extra["noise"])
    assert fast.message == ref.message and fast.extra["limit_risk"] == ref.extra["limit_risk"]


def test_kernel_matches_numpy_loop_from_a_start_state(monkeypatch):
    md = sign_modes(_PROBLEM, "deterministic")
    r_mid = 0.5 * md.r0
    fast, ref = _both(monkeypatch, _PROBLEM, SignSGD(lr=_lr(_PROBLEM, 0.05)), theory.Constant(), 3000, modes=md,
                      record=[0, 100, 500, 1234, 3000], method="recursion", start_state=(100, r_mid))
    assert fast.status == ref.status == "ok"
    # point 0 is before the start (the caller's): NaN on both; from step 100 on the same numbers
    assert np.isnan(fast.risk[0]) and np.isnan(ref.risk[0])
    np.testing.assert_allclose(fast.risk[1:], ref.risk[1:], rtol=RTOL)
    assert fast.risk[1] == pytest.approx(md.p_inf + r_mid.sum(), rel=1e-14)


@pytest.mark.parametrize("method", ["recursion", "loggrid"])
@pytest.mark.parametrize("components", [False, True])
def test_kernel_diverges_at_the_same_step(monkeypatch, method, components):
    """A constant rate below the initial limit ``pi sqrt(P(0)) / (2 lam_max)`` that becomes unstable
    later, as the risk falls and ``phi`` grows: both paths stop at the same step with the same message."""
    md = sign_modes(_PROBLEM, "deterministic")
    lr_max = np.pi * np.sqrt(md.initial_risk) / (2 * md.lam.max())
    fast, ref = _both(monkeypatch, _PROBLEM, SignSGD(lr=0.9 * lr_max), theory.Constant(), 2000, modes=md,
                      method=method, components=components)
    assert fast.status == ref.status == "diverged"
    step = re.search(r"unstable at step (\d+)", ref.message)
    assert step is not None and int(step.group(1)) > 0  # not at step 0: the recursion ran first
    assert fast.message == ref.message
    assert fast.lr_max == ref.lr_max and fast.risk.size == ref.risk.size == 0


@pytest.mark.parametrize("components", [False, True])
def test_loggrid_kernel_matches_numpy_loop_with_a_stiff_mode(monkeypatch, components):
    """Given modes whose top mode is stiff from the start (``2 gamma phi lam`` ~ 1.4 at ``P(0)``, below the
    limit 2) with almost no injected noise: its factor is negative, so a chunk of odd length drives it
    below 0 and the log grid's clip (of the total, applied to both parts) runs. (Checked: making either
    clip in the kernel a no-op fails this test.)"""
    from numerics.plrf._signsgd import SignSGDPLRFModes

    md = SignSGDPLRFModes(lam=np.array([1.5, 0.5, 0.01]), n=np.array([1e-9, 0.3, 0.02]), r0=np.array([0.5, 0.2, 0.1]),
                          p_inf=0.05, kind="given", sqrt_diag_mean=1.0)
    fast, ref = _both(monkeypatch, PLRF(1.0, 0.75, 200, 3), SignSGD(lr=0.6), theory.Constant(), 100_000, modes=md,
                      n_points=60, method="loggrid", components=components)
    assert fast.status == ref.status == "ok" and fast.message == ref.message
    np.testing.assert_allclose(fast.risk, ref.risk, rtol=RTOL)
    if components:
        for key in ("drift", "noise", "noise_relaxed"):
            np.testing.assert_allclose(fast.extra[key], ref.extra[key], rtol=RTOL, atol=RTOL * ref.risk[0],
                                       err_msg=key)
