"""SGD's decay-gain grid (issue 17): the batched LP route against the per-point LP
(``theory.plrf._decay.sgd_lr_free_exponents``, the reference) on the report's decay-map grids."""

from __future__ import annotations

import numpy as np
import pytest

import theory
from theory.plrf import _decay
from theory.plrf._rules import in_domain


def _grid(n, b_max=2.25):  # the grid of sltk's decay_gain_figure (A_RANGE (0, 1.25), B_RANGE (0, 1.5))
    aa = np.linspace(1e-4, 1.25, n)
    bb = np.linspace(1e-4, b_max, int(round(n * 1.2 * b_max / 1.5)))
    A, B = np.meshgrid(aa, bb)
    ok = in_domain(A, B)
    return A[ok], B[ok]


@pytest.mark.parametrize("schedule,q", [("constant", 0.5), ("decay", 0.5), ("decay", 2 / 3)])
def test_eta_grid_equals_the_per_point_lp(schedule, q):
    A, B = _grid(16)
    rng = np.random.default_rng(5)  # and points off the grid lines
    Ar = rng.uniform(0.02, 1.4, 60)
    Br = rng.uniform(-0.3, 2.3, 60)
    keep = in_domain(Ar, Br)
    A, B = np.concatenate([A, Ar[keep]]), np.concatenate([B, Br[keep]])
    got = _decay.sgd_lr_free_eta_grid(A, B, schedule, q)
    ref = np.array([_decay.sgd_lr_free_exponents(a, b, schedule, q)["eta"] for a, b in zip(A, B)])
    np.testing.assert_array_equal(got, ref)


@pytest.mark.slow
def test_decay_gain_grid_of_the_full_report_map():  # the full report's map (n = 40)
    aa = np.linspace(1e-4, 1.25, 40)
    bb = np.linspace(1e-4, 2.25, int(round(40 * 1.2 * 2.25 / 1.5)))
    A, B = np.meshgrid(aa, bb)
    from theory.plrf._rules import RULES, points_of

    r = RULES["sgd"]
    wsd = theory.WSD(decay=0.2)
    new = r.decay_gain_grid(A, B, wsd)
    old = points_of(lambda a, b: r.decay_gain_at(a, b, wsd), A, B, n_out=2)
    for n_, o in zip(new, old):
        np.testing.assert_array_equal(n_, o)


def test_grid_refuses_points_outside_the_domain():
    with pytest.raises(theory.ParameterError):
        _decay.sgd_lr_free_eta_grid([0.2], [0.1])
