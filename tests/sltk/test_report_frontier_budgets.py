"""The report's frontier section picks, per phase, budgets whose minimiser is inside the size grid."""

import importlib

import numpy as np
import pytest

import numerics

section = importlib.import_module("sltk._report_sections.20_risk_curves")


@pytest.mark.parametrize("alpha, beta", [(0.4, 0.7), (1.0, 0.7)])  # IVa (d* outgrows the grid early), II
def test_interior_frontier_has_no_edge_budget(alpha, beta):
    grid, scan = np.geomspace(50, 400, 7), (3.0, 6.5, 15)
    wide = numerics.plrf.frontier(alpha, beta, "sgd", lr=0.5, d_grid=grid, flops=np.logspace(*scan), window=1.0)
    assert wide.at_edge.any()  # on the plain scan some budgets sit at the grid's edge
    fr = section._interior_frontier(alpha, beta, grid, scan, n_budgets=9)
    assert fr.flops.size == 9 and not fr.at_edge.any()
    inner = wide.flops[~wide.at_edge]
    assert inner.min() * (1 - 1e-12) <= fr.flops[0] and fr.flops[-1] <= inner.max() * (1 + 1e-12)
    assert np.all((fr.d_star > grid[0]) & (fr.d_star < grid[-1]))
