"""The bridge to theory: laws fitted to exact PLRF risk curves (numerics.laws._bridge).

Reference for the curves: an independent per-mode recursion written here from
``theory.SGD.mode_update`` (c_i(r+1) = q_i c_i(r) + g_i P(r)) on the same spectrum.
"""

import numpy as np
import pytest

from numerics.plrf import spectrum_of as get_spectrum
from numerics.laws import law_theory_bridge, theory_exponents, theory_loss_curves
from theory import SGD, Cosine
from theory.plrf import PLRF


def test_curves_match_mode_recursion():
    prob, opt = PLRF(0.8, 0.6, 160, 40), SGD(lr=0.3)
    sch = Cosine(floor=0.1)
    N = 400
    c = theory_loss_curves(prob, opt, N, {"cos": sch}, n_points=9, start=0.1, seed=3)[0]
    spec = get_spectrum(prob, "exact", seed=3)
    lam, y = spec.eigenvalues, spec.weights.copy()     # y_i = lam_i c_i
    cvec = y / lam
    fac = sch(np.arange(N), N)
    P = [spec.p_inf + np.sum(lam * cvec)]
    for r in range(N):
        q, g = opt.mode_update(lam, fac[r])
        cvec = q * cvec + g * P[-1]
        P.append(spec.p_inf + np.sum(lam * cvec))
    np.testing.assert_allclose(c.loss, np.array(P)[c.steps], rtol=1e-10)
    # the law's time: S1 = gamma B sum phi (peak rate gamma B)
    assert c.history.peak == pytest.approx(0.3)


def test_theory_exponents_by_hand():
    a, b = 0.7, 1.0
    e = theory_exponents(PLRF(a, b, 400, 100))
    assert e["F_pp"] == pytest.approx((2 * a + 2 * b - 1) / (2 * a))
    assert e["F_ac"] == pytest.approx(1 - 1 / (2 * a))
    assert e["noise"] == pytest.approx(2 - 1 / (2 * a))
    assert e["fsl_beta"] == pytest.approx(1 - 1 / (2 * a))


def test_bridge_small():
    prob = PLRF(0.8, 0.6, 200, 50)
    res = law_theory_bridge(prob, SGD(lr=0.3), 1500, n_points=30, n_starts=1, seed=0)
    assert set(res.fits) == {"tissue", "mpl"}
    for law in ("tissue", "mpl"):
        assert res.metrics[law]["constant"]["r2"] > 0.95
    # both laws track the fitted curves; the exponent is a finite positive number
    assert 0 < res.fits["tissue"].params["alpha"] < 5
    assert len(res.rows()) == 12


def test_signsgd_curves_are_population_risk():
    from theory import SignSGD
    from theory.linreg import GaussianNoise, LinearRegressionProblem

    reg = LinearRegressionProblem.power_law(0.8, 0.6, 20, GaussianNoise(0.1))
    cs = theory_loss_curves(reg, SignSGD(lr=0.05 / 20), 400, {"const": Cosine(floor=1.0)}, n_points=10)
    c = cs[0]
    assert c.history.peak == pytest.approx(0.05 / 20)
    assert np.all(c.loss > 0.01) and np.all(np.diff(c.loss) < 0)   # above the noise floor sigma^2, decreasing
    # at step 0 the excess risk is sum_j lambda_j theta*_j^2 = sum_j j^(-2 alpha - 2 beta)
    j = np.arange(1, 21)
    assert c.loss[0] < np.sum(j ** (-2.8)) + 0.01


def test_curves_on_a_given_spectrum_are_the_exact_ones():
    """The curves computed on the spectrum drawn once (the bridge's one SVD per problem, which the
    report passes in) are those of ``spectrum="exact"`` with the same seed, bit for bit."""
    prob, opt = PLRF(0.8, 0.6, 160, 40), SGD(lr=0.3)
    scheds = {"cos": Cosine(floor=0.1)}
    a = theory_loss_curves(prob, opt, 300, scheds, n_points=7, seed=4)[0]
    b = theory_loss_curves(prob, opt, 300, scheds, n_points=7, spectrum=get_spectrum(prob, "exact", seed=4))[0]
    assert np.array_equal(a.steps, b.steps) and np.array_equal(a.loss, b.loss)
