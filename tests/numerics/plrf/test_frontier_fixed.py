"""Compute-optimal frontier: minimisation, local slopes, and convergence to the symbolic exponents."""

import numpy as np
import pytest

import numerics
import theory
from theory import ParameterError


def test_local_slopes_of_a_pure_power_law():
    f = np.logspace(3, 9, 61)
    c, s = numerics.local_slopes(f, 2.0 * f**0.37, window=1.5)
    assert c.size > 5 and np.allclose(s, 0.37, atol=1e-12)


def test_frontier_is_the_lower_envelope():
    fr = numerics.plrf.frontier(1.0, 0.7, "sgd", lr=0.5, spectrum="surrogate", d_grid=np.geomspace(40, 640, 9),
                                 flops=np.logspace(4.5, 6.5, 12))
    interior = ~fr.at_edge
    assert interior.sum() >= 4
    # the parabola-refined minimum is below every grid value and not far below the best one
    table = fr.diagnostics["risk_table"]
    best = np.min(np.where(np.isfinite(table), table, np.inf), axis=1)
    assert np.all(fr.p_star <= best * (1 + 1e-12)) and np.all(fr.p_star > 0.8 * best)
    assert np.all((fr.d_star >= 40) & (fr.d_star <= 640))
    assert np.all(np.diff(fr.p_star) < 0)
    assert fr.phase == theory.plrf.compute_optimal_exponents(1.0, 0.7).phase


@pytest.mark.slow
@pytest.mark.parametrize("alpha,beta", [(0.7, 0.3), (1.0, 0.7)])
def test_local_slopes_approach_symbolic_exponents(alpha, beta):
    fr = numerics.plrf.frontier(alpha, beta, "sgd", lr=0.5, d_grid=np.geomspace(100, 3200, 12),
                                           flops=np.logspace(5.0, 8.5, 30), window=1.0)
    ex = theory.plrf.compute_optimal_exponents(alpha, beta)
    err = np.abs(fr.eta_local - ex.eta)
    assert err[-1] < 0.03 and err[-1] <= err[0] + 1e-3  # approaches as f grows
    assert abs(fr.xi_local[-1] - ex.xi) < 0.05


def test_bad_inputs():
    with pytest.raises(ParameterError, match="d_grid"):
        numerics.plrf.frontier(1.0, 0.7, lr=0.5, d_grid=[10, 10])
    with pytest.raises(ParameterError, match="optimizer"):
        numerics.plrf.frontier(1.0, 0.7, optimizer="adam")
    with pytest.raises(ParameterError, match="flops"):
        numerics.plrf.frontier(1.0, 0.7, lr=0.5, flops=[1.0, -1.0, 3.0], spectrum="surrogate")
