"""The diagonal linear network's staircase: against plain per-layer GD on the whole network (no decoupling, no
balanced reduction), the drop times against the chain's escape times, and bad input."""

from __future__ import annotations

import numpy as np
import pytest

from numerics.richness import diagonal_staircase
from theory import ParameterError


def _per_layer_gd(L, gamma, eta, s, b, steps):
    """GD on all L weights of every direction of f(x) = sum_k (prod_l w_kl - 1) x_k / gamma, population MSE
    sum_k s_k ((W_k - 1)/gamma - beta_k)^2 / 2, gradient written out layer by layer."""
    w = np.ones((s.size, L))
    out = []
    for t in range(steps + 1):
        W = w.prod(axis=1)
        r = (W - 1) / gamma - b
        out.append(float(np.sum(s * r**2) / 2))
        others = np.stack([np.prod(np.delete(w, l, axis=1), axis=1) for l in range(L)], axis=1)
        w = w - eta * (s * r / gamma)[:, None] * others
    return np.array(out)


@pytest.mark.parametrize("L", [2, 3, 4])
def test_staircase_is_gd_on_the_whole_network(L):
    s, b = np.array([1.0, 0.3, 0.05]), np.array([1.0, 2.0, 0.7])
    gamma = 200.0
    eta = 0.3 * float(np.min(np.array([2 / L * (gamma * bk) ** (2 / L) for bk in b]) / (s * b**2)))
    st = diagonal_staircase(L, gamma, eta, s, b, steps=400)
    ref = _per_layer_gd(L, gamma, eta, s, b, 400)
    assert np.allclose(st.loss, ref, rtol=1e-9, atol=1e-14)
    assert np.allclose(st.mode_loss[:, 0], s * b**2 / 2, rtol=1e-12)  # the centred output is 0 at init


def test_drops_follow_the_escape_times_of_the_equivalent_chains():
    """L = 3, gamma = 1e4: the chain escape time gamma^(1/3)/c_k + ln(gamma)/3 with c_k = c s_k; the measured
    half-loss step is a fixed fraction of it (the blow-up comes after the half-loss point), the same for every
    direction to 5 %, so the drops are spaced by the ratios of 1/s_k."""
    s = np.array([1.0, 0.25, 0.0625])
    st = diagonal_staircase(3, 1e4, 0.2 * 1e4 ** (2 / 3), s, steps=3000)
    assert np.all(np.isfinite(st.drop)) and np.all(np.diff(st.drop) > 0)
    ratio = st.drop / st.predicted
    assert np.ptp(ratio) / ratio.mean() < 0.05 and 0.7 < ratio.mean() < 1.0
    # between drops the loss stays on a plateau: within 10 % of the sum of the modes not yet learnt
    for k in range(s.size - 1):
        t = int((st.drop[k] + st.drop[k + 1]) / 2)
        assert abs(st.loss[t] - np.sum(s[k + 1:]) / 2) < 0.1 * np.sum(s[k + 1:]) / 2


def test_bad_input():
    with pytest.raises(ParameterError, match="eta"):
        diagonal_staircase(3, 10.0, 100.0, [1.0])
    with pytest.raises(ParameterError, match="strengths"):
        diagonal_staircase(3, 10.0, 0.1, [1.0, -1.0])
