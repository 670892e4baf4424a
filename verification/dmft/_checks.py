"""Checks of the DMFT predictions against direct simulation, with error bars from the number of draws.

Each check compares a curve on a log grid of times: ``|simulation - prediction| <= Z se + 2 pred /
min(N, P, M)`` at every time, ``Z = 4`` (family-wise false alarms below about 1e-3 over a few dozen
times) and the second term the allowance for the ``O(1/N)`` finite-size corrections to the
deterministic equivalents (the linear-regression checks use the same rule with ``d``).
"""

from __future__ import annotations

import math
import time

import numpy as np

import numerics.dmft
from theory import ParameterError, RulesTable
from theory.dmft import DMFT
from theory.validate import check_int, check_real

from .._results import CheckResult, VerificationResult
from ._simulate import simulate_dmft

__all__ = ["RULES", "DMFTVerification", "check_curve", "Z_FAMILY"]

Z_FAMILY = 4.0


def check_curve(name, quantity, pred, sim, se, n_eff, atol: float = 1e-12) -> CheckResult:
    """One curve check with the rule in the module docstring, plus an absolute floor ``atol`` (round-off
    of losses that vanish, e.g. the train loss of an interpolating model; the initial loss is >= 1)."""
    pred, sim, se = (np.asarray(x, float) for x in (pred, sim, se))
    tol = Z_FAMILY * se + 2.0 * np.abs(pred) / n_eff + atol
    err = np.abs(sim - pred)
    dev = float(np.max(err / np.maximum(tol, 1e-300)))
    ok = bool(np.all(err <= tol))
    return CheckResult(name, quantity, None, float(pred[-1]), None, float(sim[-1]), float(se[-1]), 1.0, dev, ok,
                       f"max_t |sim - pred| / ({Z_FAMILY:g} se + 2 pred/{n_eff:g}) <= 1")


class DMFTVerification:
    """Gradient flow on the DMFT model (GD's flow limit): bias, test, train loss and ``H_k(t)``."""

    def verify(self, problem, optimizer=None, schedule=None, *, t=None, t_max: float = 1e4, n_times: int = 12,
               runs: int = 32, seed: int = 0, backend="numpy", modes=(1, 3, 10), **_ignored) -> VerificationResult:
        """Simulate and compare. ``t``: times (default ``n_times`` log-spaced in ``[0.1, t_max]``)."""
        if not isinstance(problem, DMFT):
            raise ParameterError("problem", "a theory.dmft.DMFT", type(problem).__name__)
        if problem.M_is_infinite:
            raise ParameterError("M", "finite for a simulation", problem.M)
        if t is None:
            t = np.logspace(-1, math.log10(check_real("t_max", t_max, gt=0.1)), check_int("n_times", n_times, ge=2))
        t = np.asarray(t, float)
        modes = tuple(int(m) for m in modes if m <= problem.M)
        t0 = time.perf_counter()
        curve = numerics.dmft.loss_curve(problem, t)
        H = numerics.dmft.transfer_function(problem, t, list(modes)) if modes else None
        t1 = time.perf_counter()
        sim = simulate_dmft(problem, t, runs=runs, seed=seed, modes=modes, backend=backend)
        t2 = time.perf_counter()
        n_eff = float(min(problem.N, problem.P, problem.M))
        checks = [
            check_curve("bias_vs_simulation", "bias |E v|^2_Lambda (mean predictor), simulation vs DMFT",
                        curve.bias, sim.bias, sim.bias_stderr, n_eff),
            check_curve("test_loss_vs_simulation", "single-model test loss, simulation vs DMFT (bias + variance)",
                        curve.test_loss, sim.test_loss, sim.test_stderr, n_eff),
        ]
        checks.append(check_curve("train_loss_vs_simulation", "train loss (with the label noise), simulation vs DMFT",
                                  curve.train_loss, sim.train_loss, sim.train_stderr, n_eff))
        if H is not None:
            se = sim.transfer_stderr
            tol = Z_FAMILY * se + 2.0 / n_eff
            err = np.abs(sim.transfer - H)
            dev = float(np.max(err / tol))
            checks.append(CheckResult("transfer_function_vs_simulation", f"H_k(t) for k in {list(modes)}", None,
                                      float(H[-1, 0]), None, float(sim.transfer[-1, 0]), float(se[-1, 0]), 1.0, dev,
                                      bool(np.all(err <= tol)), f"max |sim - H| / ({Z_FAMILY:g} se + 2/{n_eff:g}) <= 1"))
        return VerificationResult(problem=problem, optimizer=optimizer, schedule=schedule, horizon=int(t[-1]),
                                  steps=t, simulation=sim, risk_exact=None, exact_spread=None,
                                  risk_volterra=curve.test_loss, risk_asymptotic=None,
                                  terms={"bias": curve.bias, "train_loss": curve.train_loss}, phase=None,
                                  lr_max=None, kernel_norm=None, window=None, checks=checks,
                                  seconds={"prediction": t1 - t0, "simulation": t2 - t1},
                                  info={"reference": "numerics.dmft.loss_curve (fixed Talbot)", "curve_status":
                                        curve.status, "static": vars(curve.static), "bias_simulated": sim.bias,
                                        "bias_stderr": sim.bias_stderr, "train_simulated": sim.train_loss,
                                        "train_stderr": sim.train_stderr})

    def default_lr(self, problem, optimizer, *, seed: int = 0) -> float:
        """Gradient flow is simulated exactly; a GD rate is only bookkeeping (0.5 / lambda_max = 0.5)."""
        return 0.5


#: The DMFT verification table (each optimizer file registers :data:`DMFT_VERIFIER`; ``_gd.py``: GD,
#: whose flow limit is the model's gradient flow).
RULES = RulesTable("DMFT verification")
DMFT_VERIFIER = DMFTVerification()
