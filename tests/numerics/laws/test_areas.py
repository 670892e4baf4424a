"""S1/S2 (numerics.laws._annealing) and their SymPy closed forms (theory.laws._areas).

References are independent routes: the double-sum definitions of Tissue et al. (2024) Eq. (1),
(5) evaluated naively, and direct numeric sums of the schedule objects.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from numerics.laws import LRHistory, annealing_areas, effective_rates, lr_history, lr_history_from_table
from theory import WSD, Constant, Cosine, ParameterError
from theory.laws._areas import annealing_areas_closed_form, closed_form_areas


def naive_areas(eta, eta0, lam, offset=0.0):
    """Definition: S1(t) = offset + sum_{i<=t} eta_i, S2(t) = sum_{i<=t} sum_{k<=i} (eta_{k-1}-eta_k) lam^(i-k)."""
    T = len(eta)
    e = [eta0] + list(eta)
    S1, S2 = [], []
    for t in range(1, T + 1):
        S1.append(offset + sum(e[1 : t + 1]))
        S2.append(sum(sum((e[k - 1] - e[k]) * lam ** (i - k) for k in range(1, i + 1)) for i in range(1, t + 1)))
    return np.array(S1), np.array(S2)


@given(st.lists(st.floats(0.0, 1.0), min_size=2, max_size=30), st.floats(0.0, 0.999))
def test_areas_match_double_sum_definition(vals, lam):
    eta = np.array(vals)
    h = LRHistory(eta, warmup=0, peak=max(eta.max(), 1e-3))
    S1, S2 = annealing_areas(h, np.arange(1, eta.size + 1), lam=lam, warmup="peak")
    r1, r2 = naive_areas(eta, h.peak, lam)
    np.testing.assert_allclose(S1, r1, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(S2, r2, rtol=1e-9, atol=1e-10)


def test_warmup_conventions():
    W, peak = 4, 2.0
    post = np.array([2.0, 1.5, 1.0, 1.0, 0.5])
    eta = np.r_[peak * np.arange(1, W + 1) / W, post]
    h = LRHistory(eta, warmup=W, peak=peak)
    steps = np.arange(W + 1, W + post.size + 1)
    lam = 0.9
    # peak: warmup counted at the peak, nothing in S2
    S1, S2 = annealing_areas(h, steps, lam=lam, warmup="peak")
    r1, r2 = naive_areas(np.r_[np.full(W, peak), post], peak, lam)
    np.testing.assert_allclose(S1, r1[W:])
    np.testing.assert_allclose(S2, r2[W:], atol=1e-14)
    # half: S_W = peak W / 2 added to the post-warmup sum; reductions from eta_0 = peak
    S1, S2 = annealing_areas(h, steps, lam=lam, warmup="half")
    r1, r2 = naive_areas(post, peak, lam, offset=peak * W / 2)
    np.testing.assert_allclose(S1, r1)
    np.testing.assert_allclose(S2, r2, atol=1e-14)
    # exclude: no warmup area at all
    S1, _ = annealing_areas(h, steps, lam=lam, warmup="exclude")
    np.testing.assert_allclose(S1, np.cumsum(post))
    # actual: the real ramp, with its (negative) reductions from eta_0 = 0
    S1, S2 = annealing_areas(h, steps, lam=lam, warmup="actual")
    r1, r2 = naive_areas(eta, 0.0, lam)
    np.testing.assert_allclose(S1, r1[W:])
    np.testing.assert_allclose(S2, r2[W:], atol=1e-14)
    assert r2[W - 1] < 0  # warmup increases enter S2 negatively
    # the area of the linear ramp 0 -> peak (eta_s = peak s/W) tends to peak W / 2
    assert effective_rates(h, "half")[2] == pytest.approx(peak * W / 2)


def test_single_drop_closed_form():
    # one drop d at update k: S2(t) = d (1 - lam^(t-k+1)) / (1 - lam)
    T, k, d, lam = 50, 20, 0.3, 0.95
    eta = np.r_[np.ones(k - 1), np.full(T - k + 1, 1 - d)]
    _, S2 = annealing_areas(LRHistory(eta, peak=1.0), np.arange(k, T + 1), lam=lam)
    t = np.arange(k, T + 1)
    np.testing.assert_allclose(S2, d * (1 - lam ** (t - k + 1)) / (1 - lam), rtol=1e-12)


def test_bad_input():
    h = LRHistory(np.ones(5), peak=1.0)
    with pytest.raises(ParameterError, match="lam"):
        annealing_areas(h, [1], lam=1.0)
    with pytest.raises(ParameterError, match="steps"):
        annealing_areas(h, [6])
    with pytest.raises(ParameterError, match="warmup"):
        annealing_areas(h, [1], warmup="linear")
    with pytest.raises(ParameterError, match="eta"):
        LRHistory(np.array([1.0, -1.0]))
    with pytest.raises(ParameterError, match="eta"):
        LRHistory(np.array([1.0, np.nan]))


def test_history_from_table_prepends_warmup():
    h = lr_history_from_table([10, 20], [1.0, 0.0], warmup_steps=10)
    assert h.horizon == 20 and h.warmup == 10
    np.testing.assert_allclose(h.eta[:10], np.arange(1, 11) / 10)
    np.testing.assert_allclose(h.eta[10:], 1.0 - np.arange(1, 11) / 10)
    hp = lr_history_from_table([10, 15, 20], [1.0, 0.5, 0.5], interpolation="previous")
    assert hp.eta[13] == 1.0 and hp.eta[14] == 0.5


@pytest.mark.parametrize("schedule", [Constant(), Cosine(floor=0.1), Cosine(), WSD(decay=1.0, shape="linear", floor=0.2),
                                      WSD(decay=0.3, shape="linear"), WSD(decay=0.25, shape="cosine", floor=0.1)])
@pytest.mark.parametrize("lam", [0.5, 0.99])
def test_closed_forms_match_sums(schedule, lam):
    n, peak = 200, 3e-4
    steps = np.array([1, 2, 50, 139, 140, 141, 151, 199, 200])
    S1, S2 = closed_form_areas(schedule, n, steps, peak=peak, lam=lam)
    # independent: direct sums over the schedule object's rates, eta_0 = peak
    eta = peak * schedule(np.arange(n), n)
    e = np.r_[peak, eta]
    r1 = np.cumsum(eta)[steps - 1]
    r2 = np.array([sum((e[k - 1] - e[k]) * (1 - lam ** (t - k + 1)) / (1 - lam) for k in range(1, t + 1)) for t in steps])
    np.testing.assert_allclose(S1, r1, rtol=1e-10)
    np.testing.assert_allclose(S2, r2, rtol=1e-8, atol=1e-15)


def test_closed_form_symbols_constant_is_exact():
    import sympy as sp

    S1, S2 = annealing_areas_closed_form("constant")
    assert S2 == 0
    assert sp.simplify(S1 - sp.Symbol("eta", positive=True) * sp.Symbol("t", positive=True, integer=True)) == 0
    with pytest.raises(ParameterError):
        annealing_areas_closed_form("exponential")


def test_lr_history_from_schedule_object():
    h = lr_history(WSD(warmup=0.1, decay=0.2), 100, peak=2.0)
    assert h.warmup == 10 and h.peak == 2.0
    np.testing.assert_allclose(h.eta[:10], 2.0 * np.arange(1, 11) / 10)
