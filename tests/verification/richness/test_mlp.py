"""ReLU MLP sweeps (optional networks extra (PyTorch); skipped cleanly without it): the parameterisation (centred,
so f = 0 at init; the 1/gamma output), divergence handling, and eta* slopes at small gamma measured
on a tiny sweep (the full sweeps are slow tests and the benchmark)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from theory import ParameterError
from verification.richness import MLPTask, eta_grid, eta_star_from_sweep, measure_eta_star, mlp_sweep

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_centred_start_loss_is_the_target_second_moment():
    """f = 0 at init, so the first MSE loss is mean(y^2) over the batch, the same for every config
    (the teacher has unit variance and a positive mean, the ReLU's: E y^2 = 1 + mean^2, about 1.5)."""
    task = MLPTask(depth=3, width=16, d_in=8, batch=256)
    s = mlp_sweep(task, [1e-2, 1.0, 1e2], [1e-4, 1e-3], 1)
    first = s.loss[..., 0]
    assert np.allclose(first, first.flat[0], rtol=1e-12)
    assert 1.0 < first.flat[0] < 2.5


def test_huge_learning_rate_diverges_and_is_reported():
    task = MLPTask(depth=2, width=16, d_in=8)
    s = mlp_sweep(task, [1e-2], [1e-6, 1e3], 50)
    assert s.diverged.tolist() == [[False, True]]
    assert math.isinf(s.final[0, 1]) and np.isfinite(s.final[0, 0])


def test_small_gamma_eta_star_scales_like_gamma_squared_for_mse():
    """A tiny sweep: eta*(gamma) at gamma = 0.01, 0.1 (depth 2, width 16): the ratio of eta* is 10^(2 +- 0.5)."""
    task = MLPTask(depth=2, width=16, d_in=8, batch=16)
    res = measure_eta_star(task, [1e-2, 1e-1], 150, per_decade=2)
    assert res.interior.all(), res.eta_star
    slope = math.log10(res.eta_star[1] / res.eta_star[0])
    assert abs(slope - 2.0) < 0.5


def test_grid_and_validation():
    g = eta_grid([1e-2, 1e2], 3, "xent", per_decade=2)
    assert g.shape[0] == 2 and np.all(np.diff(np.log10(g), axis=1) > 0)
    with pytest.raises(ParameterError, match="depth"):
        MLPTask(depth=1)
    with pytest.raises(ParameterError, match="gammas/etas"):
        mlp_sweep(MLPTask(), [-1.0], [1e-3], 5)
    star, interior = eta_star_from_sweep(mlp_sweep(MLPTask(depth=2, width=8, d_in=4), [1.0], [1e-6, 1e-5], 5))
    assert not interior[0]  # the minimum is at an end of this grid: not located


def test_a_configuration_trains_the_same_alone_and_beside_diverging_ones():
    """Diverged configurations are dropped from the batch mid-run and the frozen copy's output is shared: a
    stable configuration's loss curve must not depend on its batch-mates (the same run alone, as reference)."""
    task = MLPTask(depth=3, width=16, d_in=8)
    alone = mlp_sweep(task, [1.0], [1e-3], 60)
    mixed = mlp_sweep(task, [1.0], [1e3, 1e-3, 1e2], 60)
    assert not alone.diverged[0, 0] and mixed.diverged[0].tolist() == [True, False, True]
    assert np.isnan(mixed.loss[0, 0, -1]) and np.isnan(mixed.loss[0, 2, -1])
    np.testing.assert_allclose(mixed.loss[0, 1], alone.loss[0, 0], rtol=1e-10)
    np.testing.assert_allclose(mixed.final[0, 1], alone.final[0, 0], rtol=1e-10)


def test_refined_pass_is_the_sweep_on_the_merged_grid():
    """The second pass trains only the new fine points; since every configuration shares the init and the
    data, its merged curve must equal one sweep run on the merged grid, and eta* must lie in the bracket."""
    from verification.richness import refine_eta_star

    task = MLPTask(depth=3, width=8, d_in=4)
    g = np.array([3.0, 30.0])
    coarse = mlp_sweep(task, g, eta_grid(g, 3, "mse", 4), 80)
    r = refine_eta_star(coarse, per_decade=16)
    assert r.located.all() and r.fine_step == 1 / 16
    for i, gi in enumerate(g):
        assert r.etas[i].size == coarse.etas[i].size + 6
        ref = mlp_sweep(task, [gi], r.etas[i][None, :], 80)
        np.testing.assert_allclose(r.final[i], ref.final[0], rtol=1e-9)
        k = int(np.argmin(coarse.final[i]))
        assert coarse.etas[i][k - 1] <= r.eta_star[i] <= coarse.etas[i][k + 1]


def test_measure_eta_star_with_a_refined_pass():
    task = MLPTask(depth=2, width=16, d_in=8, batch=16)
    res = measure_eta_star(task, [1e-2, 1e-1, 1.0], 150, per_decade=2, refine=8, tail=0.2)
    assert res.interior.all()
    assert abs(math.log10(res.eta_star[1] / res.eta_star[0]) - 2.0) < 0.5
