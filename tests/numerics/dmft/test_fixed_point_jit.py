"""The compiled Newton solve of the DMFT fixed point (``numerics.dmft._fixed_point_jit``) against the
NumPy path (``SLTK_NO_JIT=1``), itself checked against simulation in the other DMFT tests."""

from __future__ import annotations

import math

import numpy as np
import pytest

pytest.importorskip("numba", reason="the compiled kernels need numba (the 'fast' extra)")

import numerics.dmft as nd  # noqa: E402
from theory.dmft import DMFT  # noqa: E402


@pytest.mark.parametrize("N,P,sigma2", [(64, math.inf, 0.0), (32, 128, 0.1), (128, 200, 0.0)])
def test_loss_curve_matches_the_numpy_path(N, P, sigma2, monkeypatch):
    p = DMFT(2.0, 1.5, N=N, P=P, M=300, sigma2=sigma2)
    t = np.logspace(-1, 4, 25)
    out = {}
    for flag in ("0", "1"):
        monkeypatch.setenv("SLTK_NO_JIT", flag)
        out[flag] = nd.loss_curve(p, t)
    a, b = out["0"], out["1"]
    assert a.status == b.status
    # the fixed-Talbot inversion amplifies rounding in kappa (the two paths agree to ~2e-15 there, see
    # below) by ~1e7 at 24 nodes, the round-off the curve's own status rule bounds by 1e-5
    np.testing.assert_allclose(a.test_loss, b.test_loss, rtol=1e-7, atol=0)
    np.testing.assert_allclose(a.bias, b.bias, rtol=1e-7, atol=0)


def test_kappa_on_the_talbot_contour_matches_the_numpy_path(monkeypatch):
    from numerics.dmft import _curve, _fixed_point

    p = DMFT(2.0, 1.5, N=64, P=256, M=300)
    nodes = _curve.nodes_of(p)
    d, _ = _curve.talbot_nodes(24)
    s = d[None, :] / np.logspace(-1, 4, 25)[:, None]
    out = {}
    for flag in ("0", "1"):
        monkeypatch.setenv("SLTK_NO_JIT", flag)
        out[flag] = _fixed_point.solve_kappa_contour(nodes, s, p.N, p.P)
    (ka, ra), (kb, rb) = out["0"], out["1"]
    np.testing.assert_allclose(ka, kb, rtol=1e-13, atol=0)
    assert ra < 1e-12 and rb < 1e-12
