"""GD on the chain over grids: the reduction to one coordinate, the measured stability boundary
against the closed form (exact to the grid), the measured slopes of eta_max and eta* against the
issue's targets, plateau lengths against the escape time, the collapse, and the slope intervals'
coverage on synthetic data."""

from __future__ import annotations

import numpy as np
import pytest

from theory import ParameterError
from theory.richness import escape_time, eta_edge
from numerics.richness import (best_eta, chain_gd, collapse, fit_slope, log_grid_per_decade, plateau_length,
                               stability_scan)

GAMMAS = log_grid_per_decade(1e-3, 1e3, 4)
ETAS = log_grid_per_decade(1e-8, 1e3, 20)


def test_balanced_reduction_equals_full_gd():
    g, e = [0.1, 3.0, 40.0], [1e-3, 0.1, 2.0]
    for L in (2, 3, 4):
        red = chain_gd(L, g, e, 300, record=[0, 5, 50, 300])
        full = chain_gd(L, g, e, 300, record=[0, 5, 50, 300], weights0=np.ones(L))
        assert np.array_equal(red.status, full.status)
        assert np.allclose(np.nan_to_num(red.history), np.nan_to_num(full.history), rtol=1e-9, atol=1e-300)


@pytest.mark.parametrize("depth", [2, 3, 4])
def test_stability_boundary_exact_to_the_grid_and_slopes(depth):
    s = stability_scan(depth, GAMMAS, ETAS, steps=20000)
    assert s.status == "ok"
    assert s.exact.all(), (s.gammas[~s.exact], s.eta_max[~s.exact], s.eta_edge[~s.exact])
    small = fit_slope(s.gammas, s.eta_max, 1e-3, 1e-1, grid_step=0.05)
    large = fit_slope(s.gammas, s.eta_max, 1e1, 1e3, grid_step=0.05)
    assert abs(small.value - 2) < 0.1 and abs(large.value - 2 / depth) < 0.1
    # the closed form's own slopes over the same gammas lie inside the measured intervals
    for fit, lo, hi in ((small, 1e-3, 1e-1), (large, 1e1, 1e3)):
        ref = fit_slope(s.gammas, s.eta_edge, lo, hi).value
        assert fit.interval[0] <= ref <= fit.interval[1]


@pytest.mark.parametrize("depth", [2, 3, 4])
def test_best_eta_tracks_the_edge(depth):
    b = best_eta(depth, GAMMAS, ETAS, 2000)
    ratio = b.eta_star / eta_edge(b.gammas, depth)
    assert np.all((ratio > 0.3) & (ratio < 1.0))
    small = fit_slope(b.gammas, b.eta_star, 1e-3, 1e-1, grid_step=0.05)
    large = fit_slope(b.gammas, b.eta_star, 1e1, 1e3, grid_step=0.05)
    assert abs(small.value - 2) < 0.1 and abs(large.value - 2 / depth) < 0.1


@pytest.mark.parametrize("depth", [2, 3, 4])
def test_plateau_length_is_the_escape_time_plus_a_constant(depth):
    gam = np.array([1e4, 1e6, 1e8])
    c = 0.2
    meas = plateau_length(depth, gam, c)
    pred = escape_time(gam, depth, c, "discrete")
    off = meas - pred
    assert np.ptp(off) <= 2.0  # integer steps: constant to the step, while pred grows by > 4x
    assert np.all(np.abs(off) < 0.1 * pred + 15)
    # the flow formula of the note, ln(gamma)/(2c) and gamma^(1-2/L)/((L-2)c), to 10 % at gamma = 1e8
    assert abs(meas[-1] / float(escape_time(1e8, depth, c)) - 1) < 0.1


@pytest.mark.parametrize("depth", [2, 3, 4])
def test_collapse_under_the_escape_shift(depth):
    col = collapse(depth, [1e4, 1e6, 1e8], 0.2)
    assert col.spread < 0.03 and col.spread_raw > 0.4


def test_xent_chain_does_not_diverge_on_the_grid():
    run = chain_gd(3, [1e-3, 1.0, 1e3], [1e-4, 1.0, 1e4], 200, loss="xent")
    assert np.all(run.status >= 0) and np.all(np.isfinite(run.final_loss))
    assert np.all(np.diff(run.final_loss, axis=1) <= 0)  # a larger step only lowers the loss here


def test_fit_slope_interval_covers_the_truth():
    rng = np.random.default_rng(1)
    x = np.logspace(-3, -1, 9)
    hits = 0
    for _ in range(400):
        y = 2.0 * x**1.5 * 10 ** (0.05 * rng.standard_normal(x.size))
        f = fit_slope(x, y, 1e-3, 1e-1)
        hits += f.interval[0] <= 1.5 <= f.interval[1]
    assert 0.92 <= hits / 400 <= 0.98  # 95 % nominal, +- 3 sigma of 400 draws
    with pytest.raises(ParameterError, match="gamma range"):
        fit_slope(x, x, 1.0, 2.0)


def test_validation():
    with pytest.raises(ParameterError, match="etas"):
        chain_gd(2, [1.0], [-1.0], 10)
    with pytest.raises(ParameterError, match="weights0"):
        chain_gd(2, [1.0], [1.0], 10, weights0=[1.0])
    with pytest.raises(ParameterError, match="depth"):
        plateau_length(1, [10.0], 0.1)
