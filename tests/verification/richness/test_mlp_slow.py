"""Slow network measurements (run with -m slow; need the torch extra): eta* slopes of ReLU MLPs over
gamma, and the ultra-rich plateau exponent, against the chain's theory."""

from __future__ import annotations

import numpy as np
import pytest

from numerics.richness import log_grid_per_decade
from verification.richness import MLPTask, measure_eta_star, network_plateaus

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.slow


@pytest.mark.parametrize("depth", [2, 3, 4])
def test_mlp_eta_star_slopes_mse(depth):
    res = measure_eta_star(MLPTask(depth=depth, width=32), log_grid_per_decade(1e-3, 1e3, 2), 1000, per_decade=4)
    s, l_ = res.slopes["small_gamma"], res.slopes["large_gamma"]
    assert s is not None and l_ is not None
    assert abs(s.value - 2) < 0.2 and abs(l_.value - 2 / depth) < 0.2


def test_mlp_eta_star_slope_xent_small_gamma():
    res = measure_eta_star(MLPTask(depth=3, loss="xent", width=32), log_grid_per_decade(1e-3, 1e-1, 2), 1000,
                           per_decade=3, small_range=(1e-3, 1e-1))
    s = res.slopes["small_gamma"]
    assert s is not None and abs(s.value - 1) < 0.25


@pytest.mark.parametrize("depth", [3, 4])
def test_plateau_exponent(depth):
    r = network_plateaus(MLPTask(depth=depth, width=32), [1e1, 1e2, 1e3], 3000, rho=0.3)
    assert r.exponent is not None
    assert r.exponent.interval[0] - 0.05 <= 1 - 2 / depth <= r.exponent.interval[1] + 0.05
