"""risk_curve: dispatch registry, methods against the exact recursion, divergence reporting."""

import dataclasses
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pytest

import numerics
from theory import SGD, Cosine, Optimizer, ParameterError
from theory.plrf import PLRF


def test_series_and_loggrid_match_exact_recursion():
    p = PLRF(0.7, 1.2, 400, 100)
    spec = numerics.plrf.exact_spectrum(p, seed=4)
    opt = SGD(lr=0.5 * numerics.plrf.max_stable_lr(spec, SGD(lr=1.0)), batch=2)
    ref = None
    for method in ("series", "loggrid", "recursion"):
        c = numerics.plrf.risk_curve(p, opt, steps=5000, spectrum=spec, n_points=50, method=method)
        assert c.status == "ok" and c.steps[0] == 0 and c.method == method
        if ref is None:
            ref = numerics.plrf.exact_recursion(spec, opt, steps=5000, record=c.steps)
        tol = 1e-12 if method != "loggrid" else 1e-4
        np.testing.assert_allclose(c.risk, ref, rtol=tol)
    np.testing.assert_array_equal(c.flops, c.steps * 100 * 2)


def test_diverged_curve_names_the_limit_and_has_no_nan():
    p = PLRF(1.0, 0.75, 200, 50)
    spec = numerics.plrf.surrogate_spectrum(p)
    lr_max = numerics.plrf.max_stable_lr(spec, SGD(lr=1.0))
    c = numerics.plrf.risk_curve(p, SGD(lr=1.01 * lr_max), steps=100, spectrum=spec)
    assert c.status == "diverged" and c.risk.size == 0
    assert c.lr_max == pytest.approx(lr_max) and f"{lr_max:.6g}" in c.message
    # a schedule whose peak is past the limit diverges too; below it, it does not
    assert numerics.plrf.risk_curve(p, SGD(lr=1.01 * lr_max), Cosine(), 100, spectrum=spec).status == "diverged"
    assert numerics.plrf.risk_curve(p, SGD(lr=0.9 * lr_max), Cosine(), 100, spectrum=spec).status == "ok"


def test_mean_reduction_is_batch_sum_with_gamma_over_B():
    p = PLRF(1.0, 0.8, 200, 50)
    a = numerics.plrf.risk_curve(p, SGD(lr=0.4, batch=4, batch_reduction="mean"), steps=300, spectrum="surrogate")
    b = numerics.plrf.risk_curve(p, SGD(lr=0.1, batch=4), steps=300, spectrum="surrogate")
    np.testing.assert_allclose(a.risk, b.risk, rtol=1e-14)
    assert a.lr_max == pytest.approx(4 * b.lr_max)


@dataclass(frozen=True)
class _ToyOptimizer(Optimizer):
    name: ClassVar[str] = "toy"

    def step(self, theta, grad_sum, lr_factor=1.0):
        return theta


def test_registry_dispatches_on_optimizer_class():
    seen = {}

    class ToyRules(numerics.plrf.PLRFNumericsRules):  # only the risk solver is exercised here
        optimizer_name = "toy"

        def risk_curve(self, problem, optimizer, schedule, steps, **options):
            seen["called"] = (optimizer.lr, steps, options["n_points"])
            return numerics.plrf.RiskCurve(np.array([0, steps]), np.array([1.0, 0.5]), "ok", "toy", "toy", 0.0, 1.0)

        model = lr_scale = frontier_curve = max_stable_lr = law_rate = None

    with pytest.raises(ParameterError, match="PLRF numerics rules"):
        numerics.plrf.risk_curve(PLRF(1.0, 0.5, 20, 10), _ToyOptimizer(lr=0.1), steps=5)
    numerics.plrf.RULES.register(_ToyOptimizer, ToyRules())
    try:
        c = numerics.plrf.risk_curve(PLRF(1.0, 0.5, 20, 10), _ToyOptimizer(lr=0.1), steps=5, n_points=7)
        assert seen["called"] == (0.1, 5, 7) and c.method == "toy"
    finally:
        numerics.plrf.RULES.unregister(_ToyOptimizer)


def test_bad_inputs():
    p = PLRF(1.0, 0.5, 20, 10)
    with pytest.raises(ParameterError, match="steps"):
        numerics.plrf.risk_curve(p, SGD(lr=0.1), steps=0)
    with pytest.raises(ParameterError, match="spectrum"):
        numerics.plrf.risk_curve(p, SGD(lr=0.1), steps=5, spectrum="wishart")
    with pytest.raises(ParameterError, match="method"):
        numerics.plrf.risk_curve(p, SGD(lr=0.1), Cosine(), 5, spectrum="surrogate", method="series")


def test_exact_recursion_reuses_modes_only_on_flat_phases():
    """exact_recursion reuses a step's modes while the rate is unchanged: bit-identical to recomputing
    them at every step (a WSD schedule: flat, then a decay where every step's rate differs)."""
    from numerics.plrf import exact_recursion, spectrum_of
    from numerics.plrf._sgd_kernel import sgd_modes
    from theory import SGD, WSD
    from theory.plrf import PLRF

    spec = spectrum_of(PLRF(0.8, 0.6, 120, 30), "exact", seed=2)
    opt, sch, N = SGD(lr=0.2), WSD(decay=0.3, floor=0.1), 300
    got = exact_recursion(spec, opt, sch, N)
    y, fac, ref = spec.weights.copy(), sch(np.arange(N), N), []
    for r in range(N + 1):
        P = spec.p_inf + y.sum()
        ref.append(P)
        if r < N:
            qm1, kw = sgd_modes(spec.eigenvalues, opt.lr_sum * fac[r], opt.batch)
            y = (1.0 + qm1) * y + kw * P
    assert np.array_equal(got, np.array(ref))
