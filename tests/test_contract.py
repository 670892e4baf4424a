"""The contract every (model, optimizer) pair keeps: registered in every layer of the model, it
answers each of the model's jobs at a small size, with a status and no NaN.

Parametrised over the registered pairs, so a new optimizer is tested the moment it registers (and a
pair registered in one layer but not another fails here). A new model adds its entry to ``MODELS``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import numerics
import theory
import verification


def _plrf_problem():
    return theory.plrf.PLRF(1.0, 0.7, 64, 16)


def _plrf_theory(opt_cls):
    loc = theory.plrf.phase_of(0.7, 1.2, opt_cls)
    res = theory.plrf.compute_optimal_exponents(0.7, 1.2, opt_cls)
    rows = theory.plrf.exponent_table(opt_cls)
    assert loc.phases and res.optimizer == opt_cls.name and 0 < res.eta < 2
    assert res.phase in {r.phase for r in rows} or res.phase is None
    g = theory.plrf.exponent_grid([0.7, 1.0], [0.7, 1.2], opt_cls)
    assert np.all(np.isfinite(g["eta"]))


def _plrf_numerics(opt_cls):
    p = _plrf_problem()
    template = opt_cls(lr=1.0)
    rules = numerics.plrf.RULES[opt_cls]
    lr = rules.lr_factor_start * rules.lr_scale(p, rules.model(p, "surrogate"), template)
    c = numerics.plrf.risk_curve(p, opt_cls(lr=lr), steps=200, spectrum="surrogate", n_points=6)
    assert c.status == "ok" and np.all(np.isfinite(c.risk)) and c.risk[-1] < c.risk[0]
    assert math.isfinite(numerics.plrf.max_stable_lr(p, template, spectrum="surrogate"))
    fr = numerics.plrf.frontier(1.0, 0.7, opt_cls, lr="optimise", flops=[2e3, 8e3, 3e4], d_grid=[8, 16, 32],
                                spectrum="surrogate")
    assert fr.optimizer == opt_cls.name and np.all(np.diff(fr.p_star) < 0)


def _plrf_verification(opt_cls):
    p = _plrf_problem()
    lr = verification.default_lr(p, opt_cls(lr=1.0))
    res = verification.verify(p, opt_cls(lr=lr), steps=150, runs=4, n_points=8, n_instances=2, backend="numpy")
    assert res.checks and any(c.applicable for c in res.checks)
    assert isinstance(res.to_dict(), dict)


def _linreg_problem():
    return theory.linreg.LinearRegressionProblem.with_random_target(np.ones(40), theory.linreg.GaussianNoise(0.5))


def _linreg_numerics(opt_cls):
    p = _linreg_problem()
    c = numerics.linreg.risk_curve(p, opt_cls(lr=0.5 / p.d), 4.0, n_eval=5)
    assert c.status == "ok" and np.all(np.isfinite(c.risk)) and c.risk[-1] < c.risk[0]
    assert numerics.linreg.limit_risk(p, opt_cls(lr=0.5 / p.d)) > 0


def _linreg_verification(opt_cls):
    p = _linreg_problem()
    res = verification.verify(p, opt_cls(lr=verification.default_lr(p, opt_cls(lr=1.0))), T=3.0, runs=8, n_eval=4,
                              backend="numpy")
    assert [c.name for c in res.checks] == ["ode_vs_simulation"] and res.checks[0].applicable


def _dmft_verification(opt_cls):
    # P = inf: the one problem every DMFT optimizer runs on (one-pass SGD is online only)
    p = theory.dmft.DMFT(2.0, 1.5, N=16, P=math.inf, M=80)
    res = verification.verify(p, opt_cls(lr=verification.default_lr(p, opt_cls(lr=1.0))), t_max=100.0, n_times=4,
                              runs=4, backend="numpy")
    assert res.checks and all(c.applicable for c in res.checks) and isinstance(res.to_dict(), dict)


def _dmft_numerics(opt_cls):
    p = theory.dmft.DMFT(2.0, 1.5, N=16, P=math.inf, M=80)
    # a rate inside every method's derived range (heavy ball's default momentum 0.9 needs a small one)
    c = numerics.dmft.loss_curve(p, [0.5, 5.0], optimizer=opt_cls(lr=5e-4))
    assert c.status == "ok" and np.all(np.isfinite(c.test_loss)) and c.test_loss[-1] < c.test_loss[0]


#: model -> {layer: (its rules table, the job that layer offers)}
MODELS = {
    "plrf": {"theory": (theory.plrf.RULES, _plrf_theory), "numerics": (numerics.plrf.RULES, _plrf_numerics),
             "verification": (verification.plrf.RULES, _plrf_verification)},
    "linreg": {"numerics": (numerics.linreg.RULES, _linreg_numerics),
               "verification": (verification.linreg.RULES, _linreg_verification)},
    "dmft": {"numerics": (numerics.dmft.RULES, _dmft_numerics),
             "verification": (verification.dmft.RULES, _dmft_verification)},
}


def _pairs():
    out = []
    for model, layers in MODELS.items():
        classes = dict.fromkeys(c for table, _ in layers.values() for c in table.classes())
        out += [pytest.param(model, cls, id=f"{model}-{cls.name}") for cls in classes]
    return out


@pytest.mark.parametrize("model, opt_cls", _pairs())
def test_every_layer_of_the_model_has_rules_for_the_optimizer(model, opt_cls):
    missing = [layer for layer, (table, _) in MODELS[model].items() if opt_cls not in table]
    assert not missing, f"{opt_cls.name} on {model} has no rules in: {', '.join(missing)}"


def _jobs():
    return [pytest.param(model, layer, p.values[1], id=f"{p.id}-{layer}")
            for p in _pairs() for model in [p.values[0]] for layer in MODELS[model]]


@pytest.mark.parametrize("model, layer, opt_cls", _jobs())
def test_each_job_runs_at_a_small_size(model, layer, opt_cls):
    MODELS[model][layer][1](opt_cls)
