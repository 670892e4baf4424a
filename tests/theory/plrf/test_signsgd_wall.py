"""signSGD's S-VI vertex with a soft drift-time wall (theory.plrf._signsgd_wall): the SymPy vertex
against a direct numerical minimisation of hand-written power laws (independent of the LP's term
objects and of SymPy) and the g = 0 / ell = 0 limit against the LP. The wall growth itself (g) is
measured, not derived: benchmarks/measure_drift_wall.py."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.optimize import minimize_scalar

import theory.plrf as tp


def _log_risk(lnf, alpha, lnL):
    """min over d of log P, P = gamma^2 d + d^-1 (gamma d N)^-m with gamma = L / (sqrt(d) N)
    (the wall), m = 2x/(2-x), x = 1 - 1/(2 alpha) (SGD's F_ac exponent in drift-normalised time).
    Written by hand from the terms' definitions, in log space."""
    x = 1 - 1 / (2 * alpha)
    m = 2 * x / (2 - x)

    def lp(lnd):
        lnN = lnf - lnd
        lng = lnL(lnN) - 0.5 * lnd - lnN
        a = 2 * lng + lnd
        b = -lnd - m * (lng + lnd + lnN)
        return max(a, b) + math.log1p(math.exp(-abs(a - b)))

    r = minimize_scalar(lp, bounds=(0.0, lnf), method="bounded", options={"xatol": 1e-10})
    return r.fun, r.x


@pytest.mark.parametrize("alpha", [0.6, 0.7, 1.0, 1.5])
def test_sharp_wall_reproduces_the_lp_vertex(alpha):
    """ell = 0 (and g = 0) is the LP's S-VI vertex: eta = 4a/(4a+1), xi and e from signsgd_exponents_at."""
    ref = tp.compute_optimal_exponents(alpha, alpha + 1.0, "signsgd")
    eta, xi, e = tp.drift_wall_local_eta(alpha, 0.0)
    assert abs(eta - ref.eta) < 1e-12 and abs(xi - ref.xi) < 1e-12 and abs(e - ref.e) < 1e-9
    assert abs(eta - 4 * alpha / (4 * alpha + 1)) < 1e-12


@pytest.mark.parametrize("alpha", [0.7, 1.0])
@pytest.mark.parametrize("ell", [0.0, 0.05])
def test_vertex_against_direct_minimisation(alpha, ell):
    """The SymPy t(ell) against the slope of the numerically minimised risk with L = f^ell."""
    u, w, t = tp.drift_wall_vertex()
    from theory._power_terms import alpha as a_sym
    from theory.plrf._signsgd_wall import ell_sym

    t_sym = float(t.subs({a_sym: alpha, ell_sym: ell}))
    u_sym = float(u.subs({a_sym: alpha, ell_sym: ell}))
    f1, f2 = 400.0, 800.0  # ln f: deep in the asymptotic regime, constants negligible
    p1, d1 = _log_risk(f1, alpha, lambda lnN: ell * f1)
    p2, d2 = _log_risk(f2, alpha, lambda lnN: ell * f2)
    assert abs(-(p2 - p1) / (f2 - f1) - t_sym) < 1e-6
    assert abs((d2 - d1) / (f2 - f1) - u_sym) < 1e-6


@pytest.mark.parametrize("alpha", [0.7, 1.2])
def test_log_exponent_against_direct_minimisation(alpha):
    """With L = ln N (the x_pp = 2 wall): log P* + eta0 log f grows like kappa log log f."""
    eta0 = 4 * alpha / (4 * alpha + 1)
    lnfs = np.array([1e3, 1e5, 1e7])
    resid = [(_log_risk(lf, alpha, lambda lnN: math.log(lnN))[0] + eta0 * lf) for lf in lnfs]
    kappa = np.polyfit(np.log(lnfs), resid, 1)[0]
    assert abs(kappa - tp.drift_wall_log_exponent(alpha)) < 2e-3, kappa


@pytest.mark.parametrize("g", [0.1, 0.3])
def test_local_eta_against_direct_minimisation(g):
    """L = N^(g/2): the local slope of the minimised risk equals drift_wall_local_eta."""
    alpha = 0.7
    p1, _ = _log_risk(400.0, alpha, lambda lnN: g / 2 * lnN)
    p2, _ = _log_risk(800.0, alpha, lambda lnN: g / 2 * lnN)
    eta, _, _ = tp.drift_wall_local_eta(alpha, g)
    assert abs(-(p2 - p1) / 400.0 - eta) < 1e-6
    assert abs(eta - 2 * alpha * (2 - g) / (4 * alpha + 1 - 2 * alpha * g)) < 1e-12
