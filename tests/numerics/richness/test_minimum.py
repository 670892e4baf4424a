"""The best learning rate between grid points (sub_grid_min, refine_grid) against synthetic loss curves with a
known minimum, and slopes over seeds (slope_over_seeds) against synthetic power laws with known slope."""

from __future__ import annotations

import math

import numpy as np
import pytest

from theory import ParameterError
from numerics.richness import grid_point_min, refine_grid, slope_over_seeds, sub_grid_min

STEP = 0.25  # decades: the networks' coarse grid, 4 a decade


def _curve(lx, x0, skew=0.0):
    """A loss with its minimum near log10 eta = x0 (not a parabola in log eta when skew != 0): 0.01 times
    exp(u^2 + skew u^3 / (1 + u^2)) with u = (log10 eta - x0) / 0.3, rising faster on one side, like a loss
    near the edge."""
    u = (lx - x0) / 0.3
    return 0.01 * np.exp(u**2 + skew * u**3 / (1 + u**2))


@pytest.mark.parametrize("offset", [0.1, 0.3, 0.45, 0.7, 0.9])
@pytest.mark.parametrize("skew", [0.0, 0.15])
def test_parabola_recovers_an_off_grid_minimum_to_a_fraction_of_the_step(offset, skew):
    lx = np.arange(-12, 13) * STEP
    x0 = -0.5 + offset * STEP                   # true minimum between two grid points
    v = _curve(lx, x0, skew)
    # the true minimiser of the skewed curve (dense evaluation)
    dense = np.linspace(x0 - 0.3, x0 + 0.3, 200001)
    true = dense[np.argmin(_curve(dense, x0, skew))]
    r = sub_grid_min(10**lx, v)
    assert r.method == "parabola" and r.located
    err = abs(math.log10(r.x) - true)
    assert err < 0.1 * STEP, (offset, skew, err)
    assert r.bracket[0] <= r.x <= r.bracket[1]
    # the grid-point estimator misses by the distance to the nearest grid point, which this bound excludes
    # wherever the truth is off the grid by more than a tenth of a step: the test discriminates
    grid_err = abs(math.log10(grid_point_min(10**lx, v)) - true)
    if min(offset, 1 - offset) > 0.15:
        assert grid_err > 0.1 * STEP


def test_a_finer_second_pass_beats_the_coarse_parabola_on_a_skewed_curve():
    """Strong skew: the coarse parabola is biased; the merged grid (coarse + 16 a decade inside the bracket)
    brings the error under a tenth of the fine step's worth of the coarse step."""
    lx = np.arange(-12, 13) * STEP
    x0, skew = -0.5 + 0.4 * STEP, 0.6
    f = lambda l: _curve(l, x0, skew)
    dense = np.linspace(x0 - 0.3, x0 + 0.3, 200001)
    true = dense[np.argmin(f(dense))]
    coarse = sub_grid_min(10**lx, f(lx))
    pts = refine_grid(10**lx, f(lx), 16)
    assert pts.size == 6 and np.all((pts > coarse.bracket[0]) & (pts < coarse.bracket[1]))
    lm = np.r_[lx, np.log10(pts)]
    fine = sub_grid_min(10**lm, f(lm))
    e_coarse, e_fine = abs(math.log10(coarse.x) - true), abs(math.log10(fine.x) - true)
    assert e_fine < 0.2 * e_coarse and e_fine < 0.02 * STEP, (e_coarse, e_fine)


def test_edge_end_and_missing_cases():
    x = 10.0 ** (np.arange(6) * STEP)
    # decreasing up to a diverged point: the minimum is at the largest finite point, located to one step
    r = sub_grid_min(x, [5.0, 4.0, 3.0, 2.0, np.inf, np.inf])
    assert r.method == "edge" and r.located and r.x == x[3] and r.bracket == (x[2], x[4])
    # pts of the second pass lie between the last stable and the first diverged coarse point too
    assert np.all(refine_grid(x, [5.0, 4.0, 3.0, 2.0, np.inf, np.inf], 16) > x[2])
    r = sub_grid_min(x, [1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    assert r.method == "end" and not r.located and refine_grid(x, [1.0, 2, 3, 4, 5, 6], 16).size == 0
    assert sub_grid_min(x, [np.nan] * 6).method == "none"
    # order of the input does not matter
    v = _curve(np.log10(x), 0.6)
    assert sub_grid_min(x[::-1], v[::-1]).x == pytest.approx(sub_grid_min(x, v).x, rel=1e-12)
    with pytest.raises(ParameterError):
        sub_grid_min([1.0, -1.0], [1.0, 2.0])


def test_slope_over_seeds_covers_the_truth_and_widens_with_the_scatter():
    g = 10.0 ** np.arange(1, 3.01, 0.5)
    rng = np.random.default_rng(3)
    cover = {0.02: 0, 0.2: 0}
    width = {0.02: [], 0.2: []}
    for noise in cover:
        for _ in range(40):
            y = 0.4 * g**0.5 * 10 ** (noise * rng.standard_normal((6, g.size)))
            s = slope_over_seeds(g, y, 10, 1e3, n_boot=400)
            cover[noise] += s.interval[0] <= 0.5 <= s.interval[1]
            width[noise].append(s.interval[1] - s.interval[0])
            assert s.interval[0] <= s.t_interval[0] and s.interval[1] >= s.bootstrap_interval[1]
    assert cover[0.02] >= 36 and cover[0.2] >= 36
    assert np.median(width[0.2]) > 5 * np.median(width[0.02])


def test_slope_over_seeds_skips_unlocated_points_and_validates():
    g = 10.0 ** np.arange(1, 3.01, 0.5)
    y = np.tile(g**0.5, (3, 1))
    y[0, 2] = np.nan
    s = slope_over_seeds(g, y, 10, 1e3, n_boot=200)
    assert s.mean == pytest.approx(0.5) and s.pooled == pytest.approx(0.5)
    with pytest.raises(ParameterError):
        slope_over_seeds(g, y[:1], 10, 1e3)


def test_window_quadratic_averages_noise_that_the_three_point_parabola_follows():
    """Noisy values on a 16-a-decade grid (multiplicative noise of 20 %, like the tail losses of nearby
    learning rates): the least-squares parabola over +-0.25 decade has a smaller RMS error than the
    three-point one, and a noise-free curve is recovered to a tenth of the fine step."""
    from numerics.richness import window_quadratic_min

    lx = np.arange(-40, 41) / 16.0
    rng = np.random.default_rng(7)
    e3, ew = [], []
    for _ in range(200):
        x0 = rng.uniform(-0.3, 0.3)
        v = _curve(lx, x0) * np.exp(0.2 * rng.standard_normal(lx.size))
        e3.append(math.log10(sub_grid_min(10**lx, v).x) - x0)
        ew.append(math.log10(window_quadratic_min(10**lx, v, 0.25).x) - x0)
    assert np.sqrt(np.mean(np.square(ew))) < 0.7 * np.sqrt(np.mean(np.square(e3)))
    r = window_quadratic_min(10**lx, _curve(lx, 0.0123), 0.25)
    assert r.method == "window" and abs(math.log10(r.x) - 0.0123) < 0.1 / 16
