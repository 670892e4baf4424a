"""Schedule design from a fitted law (numerics.laws._schedule_design).

References: brute-force enumeration of WSD fractions and of step-drop schedules, each
evaluated with the law's plain ``predict`` on full histories.
"""

import numpy as np
import pytest

from numerics.laws import LRHistory
from numerics.laws import MultiPowerLaw, TissueLaw
from numerics.laws import best_wsd_decay, optimal_schedule, wsd_final_loss
from theory import WSD, ParameterError

TISSUE = (TissueLaw(0.99), dict(L0=2.0, A=0.5, alpha=0.5, C=0.3))
MPL = (MultiPowerLaw(), dict(zip(MultiPowerLaw.param_names, [2.5, 0.66, 0.42, 520.0, 2.0, 0.6, 0.63])))


def _final(law, p, post, peak, W):
    h = LRHistory(np.r_[peak * np.arange(1, W + 1) / W, post], warmup=W, peak=peak)
    return law.predict(p, h, [h.horizon])[0]


@pytest.mark.parametrize("law,p", [TISSUE, MPL])
def test_best_wsd_fraction_matches_brute_force(law, p):
    T, W, peak = 3000, 100, 3e-4
    res = best_wsd_decay(law, p, [T], peak=peak, warmup_steps=W, grid=21)[0]
    fr = np.linspace(0, 1, 101)
    brute = [_final(law, p, peak * WSD(decay=x)(np.arange(T - W), T - W), peak, W) for x in fr]
    assert res["final_loss"] <= min(brute) + 1e-9
    assert abs(res["fraction"] - fr[int(np.argmin(brute))]) <= 0.02
    np.testing.assert_allclose(wsd_final_loss(law, p, T, fr[::25], peak=peak, warmup_steps=W), brute[::25], rtol=1e-12)


def test_momentum_law_optimum_is_degenerate_and_optimal():
    law, p = TISSUE
    T, peak = 2000, 1e-3
    res = optimal_schedule(law, p, T, peak=peak, n_blocks=40, maxiter=80)
    assert res.degenerate and "Theorem 2" in res.message
    # brute force over 'hold the peak until k, then 0' schedules (the family of Theorem 2)
    best = min(_final(law, p, np.where(np.arange(1, T + 1) <= k, peak, 0.0), peak, 0) for k in range(1, T, 10))
    assert res.final_loss <= best + 2e-4
    assert res.final_loss < res.baselines["best_wsd_linear"]


def test_multi_power_law_optimum_is_wsd_like():
    law, p = MPL
    res = optimal_schedule(law, p, 6000, peak=3e-4, warmup_steps=200, n_blocks=30)
    assert not res.degenerate
    assert res.final_loss <= res.baselines["best_wsd_linear"] + 1e-6
    assert res.final_loss < res.baselines["cosine"]
    v = res.block_values
    assert np.all(np.diff(v) <= 1e-15) and v[0] > 0.9 * 3e-4   # non-increasing, starts at the peak


def test_design_validation():
    law, p = TISSUE
    with pytest.raises(ParameterError, match="fractions"):
        wsd_final_loss(law, p, 100, [1.5])
    with pytest.raises(ParameterError, match="n_blocks"):
        optimal_schedule(law, p, 10, n_blocks=20)
    with pytest.raises(ParameterError, match="law.warmup"):
        optimal_schedule(TissueLaw(warmup="actual"), p, 100, n_blocks=5)


@pytest.mark.parametrize("law,p", [TISSUE, MPL])
def test_final_loss_memo_returns_the_computed_value(law, p):
    """The memo of the final loss (shared by the scan, the best-decay search and the optimiser's
    baselines) returns exactly what evaluating the law gives, and tells schedules, parameters and
    laws apart."""
    from numerics.laws import _schedule_design as sd

    T, W, peak = 3000, 100, 3e-4
    sd._FINAL_MEMO.clear()
    fr = [0.0, 0.2, 0.35]
    first = wsd_final_loss(law, p, T, fr, peak=peak, warmup_steps=W)
    assert len(sd._FINAL_MEMO) == 3
    again = wsd_final_loss(law, p, T, fr, peak=peak, warmup_steps=W)
    assert np.array_equal(first, again) and len(sd._FINAL_MEMO) == 3
    direct = [_final(law, p, peak * WSD(decay=x)(np.arange(T - W), T - W), peak, W) for x in fr]
    assert np.array_equal(first, direct)
    other = dict(p, L0=p["L0"] + 1.0)
    np.testing.assert_allclose(wsd_final_loss(law, other, T, fr, peak=peak, warmup_steps=W), first + 1.0,
                               rtol=0, atol=1e-12)
    assert len(sd._FINAL_MEMO) == 6
    if isinstance(law, TissueLaw):
        lw = TissueLaw(0.9)
        assert not np.array_equal(wsd_final_loss(lw, p, T, fr[1:], peak=peak, warmup_steps=W), first[1:])
