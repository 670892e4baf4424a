"""Slow network measurements (run with -m slow; need the networks extra): eta* slopes of ReLU MLPs over
gamma, and the ultra-rich plateau exponent, against the chain's theory. The configurations are those of
``benchmarks/bench_richness.py`` whose numbers are in docs/benchmarks.md (L = 4 and the two-decade
cross-entropy law are not met there, so they are not asserted here)."""

from __future__ import annotations

import pytest

from numerics.richness import log_grid_per_decade
from verification.richness import MLPTask, measure_eta_star, network_plateaus

torch = pytest.importorskip("torch")
pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("one_torch_thread")]



@pytest.mark.parametrize("depth", [2, 3])
def test_mlp_eta_star_slopes_mse(depth):
    res = measure_eta_star(MLPTask(depth=depth, width=64), log_grid_per_decade(1e-3, 1e3, 2), 1000, per_decade=4)
    s, l_ = res.slopes["small_gamma"], res.slopes["large_gamma"]
    assert abs(s.value - 2) < 0.1 and abs(l_.value - 2 / depth) < 0.1
    assert s.interval[0] <= 2 <= s.interval[1] and l_.interval[0] <= 2 / depth <= l_.interval[1]


def test_mlp_eta_star_slope_xent_below_gamma_one():
    res = measure_eta_star(MLPTask(depth=2, loss="xent", width=64), log_grid_per_decade(1e-3, 1, 2), 1000,
                           per_decade=4, small_range=(10**-1.5, 1.0))
    s = res.slopes["small_gamma"]
    assert s.interval[0] <= 1 <= s.interval[1] and abs(s.value - 1) < 0.1


@pytest.mark.parametrize("depth", [3, 4])
def test_plateau_exponent(depth):
    r = network_plateaus(MLPTask(depth=depth, width=32), [1e1, 1e2, 1e3, 1e4], 3000, rho=0.3)
    assert r.exponent.interval[0] <= 1 - 2 / depth <= r.exponent.interval[1]
