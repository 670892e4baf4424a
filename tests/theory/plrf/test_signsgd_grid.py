"""The vectorised signSGD LP and phase look-up (issue 17) against the per-point route they replace in maps.

Reference: :func:`theory.plrf._signsgd_lp.signsgd_lp_numeric` (HiGHS, one point at a time) and
:func:`theory.plrf._signsgd_phases.signsgd_phase_of`, which stay the independent per-point route.
HiGHS solves to a primal tolerance of about 1e-7, so ``xi`` and ``e`` agree to that; ``eta`` (the
optimal value) agrees to round-off.
"""

from __future__ import annotations

import numpy as np
import pytest

import theory
from theory import ParameterError
from theory.plrf._signsgd_lp import signsgd_lp_grid, signsgd_lp_numeric
from theory.plrf._signsgd_phases import signsgd_phase_of, signsgd_phases_at


def _points(seed, n, b_max=2.2):
    rng = np.random.default_rng(seed)
    a = rng.uniform(0.03, 1.5, n)
    b = rng.uniform(0.0, b_max, n)
    ok = 2 * a + 2 * b > 1.05
    return a[ok], b[ok]


@pytest.mark.parametrize("schedule", ["constant", "decay"])
def test_lp_grid_matches_per_point(schedule):
    a, b = _points(1 if schedule == "constant" else 2, 40)
    g = signsgd_lp_grid(a, b, schedule, 0.5)
    ge = signsgd_lp_grid(a, b, schedule, 0.5, eta_only=True)
    for k in range(a.size):
        r = signsgd_lp_numeric(a[k], b[k], schedule, 0.5)
        assert abs(g["eta"][k] - r["eta"]) < 1e-9
        assert abs(ge["eta"][k] - r["eta"]) < 1e-9
        assert abs(g["xi"][k] - r["xi"]) < 1e-6
        if np.isfinite(r["e"]):
            assert abs(g["e"][k] - r["e"]) < 1e-6 * max(1.0, abs(r["e"]))
        assert g["branch"][k] == r["branch"]
        if g["per_point"][k]:
            assert g["vertex"][k] == r["vertex"]


def test_phases_at_matches_phase_of():
    # a grid that crosses every boundary of the report's maps, plus points next to the boundaries
    aa = np.linspace(0.05, 1.25, 7)
    bb = np.linspace(0.02, 1.5, 8)
    A, B = np.meshgrid(aa, bb)
    a, b = A.ravel(), B.ravel()
    keep = 2 * a + 2 * b > 1.02
    a, b = a[keep], b[keep]
    a = np.concatenate([a, [0.5 + 1e-6, 0.5 - 1e-6, 0.25 + 1e-6, 0.7]])
    b = np.concatenate([b, [0.9, 0.9, 0.9, 0.5 + 1e-6]])
    got = signsgd_phases_at(a, b)
    for x, y, name in zip(a, b, got):
        try:
            ref = signsgd_phase_of(x, y)
        except ParameterError:
            ref = None
        assert name == ref, (x, y)


@pytest.mark.parametrize("schedule", [None, theory.WSD(decay=0.2)])
def test_maps_match_per_point(schedule):
    aa = np.linspace(0.02, 1.25, 6)
    bb = np.linspace(0.0, 1.8, 7)
    rules = theory.plrf.RULES["signsgd"]
    g = theory.plrf.exponent_grid(aa, bb, "signsgd", schedule)
    for i, b in enumerate(bb):
        for j, a in enumerate(aa):
            if not (a > 0 and 2 * a + 2 * b > 1 + 1e-9):
                assert np.isnan(g["eta"][i, j])
                continue
            eta, xi, e = rules.exponents_numeric(a, b, schedule)
            assert abs(g["eta"][i, j] - eta) < 1e-9
            assert abs(g["xi"][i, j] - xi) < 1e-6
    if schedule is not None:
        d = theory.plrf.decay_gain_grid(aa, bb, "signsgd", schedule)
        for i, b in enumerate(bb):
            for j, a in enumerate(aa):
                if a > 0 and 2 * a + 2 * b > 1 + 1e-9:
                    de, dc = rules.decay_gain_at(a, b, schedule)
                    assert abs(d["eta_schedule"][i, j] - de) < 1e-9
                    assert abs(d["eta_constant"][i, j] - dc) < 1e-9


def test_phases_at_public_api_matches_phase_of():
    r = theory.plrf.phases_at([0.7, 0.4, 0.3], [1.2, 0.7, 0.5], "signsgd")
    names = [r["names"][k] for k in r["index"]]
    assert names == [theory.plrf.phase_of(a, b, "signsgd").name for a, b in ((0.7, 1.2), (0.4, 0.7), (0.3, 0.5))]
    with pytest.raises(ParameterError):
        theory.plrf.phases_at([0.7, 0.4], [1.2], "signsgd")
