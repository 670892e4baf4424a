"""One rule for divergence in the library: a run that returns a result object reports divergence as
``status="diverged"`` with the message and the largest stable rate (never an exception); only functions
returning a bare number (closed forms, ``limit_risk`` helpers) raise ``theory.StabilityError``."""

import numpy as np
import pytest

import numerics
import theory
import verification


def test_plrf_risk_curve_diverged_is_a_status():
    c = numerics.plrf.risk_curve(theory.plrf.PLRF(1.0, 0.75, 200, 50), theory.SGD(lr=5.0), steps=10,
                                 spectrum="surrogate")
    assert c.status == "diverged" and c.risk.size == 0 and "largest stable gamma" in c.message


def test_frontier_with_a_diverging_fixed_rate_is_a_status():
    fr = numerics.plrf.frontier(1.0, 0.75, lr=50.0, spectrum="surrogate", d_grid=[50, 100, 200],
                                flops=np.logspace(4, 5, 3))
    assert fr.status == "diverged" and fr.p_star.size == 0
    assert fr.diagnostics["lr_max"] < fr.diagnostics["lr"] and "largest stable gamma" in fr.diagnostics["message"]


def test_linreg_risk_curve_and_verify_diverged_is_a_status():
    p = theory.linreg.LinearRegressionProblem(np.ones(20), np.full(20, 20 ** -0.5))
    c = numerics.linreg.risk_curve(p, theory.SGD(lr=5.0 / 20), 4.0, n_eval=5)
    assert c.status == "diverged" and c.diagnostics["lr_max"] == pytest.approx(2.0)
    r = verification.verify(p, theory.SGD(lr=5.0 / 20), T=4.0, runs=4, backend="numpy")
    assert r.status == "diverged" and not r.passed and r.message


def test_bare_number_functions_raise():
    with pytest.raises(theory.StabilityError):
        theory.plrf.asymptotic_kernel_norm(theory.plrf.PLRF(1.0, 0.75, 200, 50), theory.SGD(lr=5.0))
