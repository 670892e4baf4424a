"""Discrete-time methods on the DMFT model -- heavy-ball momentum (full batch, ``P`` data or the
population) and one-pass SGD with batch ``B`` (``P = inf``) -- simulated directly and checked against
:func:`numerics.dmft.loss_curve` with ``optimizer=`` (derivations in :mod:`numerics.dmft._discrete`).

Each verifier is registered for its optimizer class in :data:`verification.dmft.RULES`; the checks use
the rule of :mod:`verification.dmft._checks` (``Z se + 2 pred / min(N, P, M)``).
"""

from __future__ import annotations

import math
import time

import numpy as np

import numerics.dmft
from theory import ParameterError
from theory.dmft import DMFT
from theory.validate import check_int, check_real

from .._results import VerificationResult
from ._checks import check_curve

__all__ = ["DiscreteVerification"]


class DiscreteVerification:
    """Prediction of a discrete method against its simulation: test loss, train loss and bias.

    Subclasses provide ``simulate(problem, curve, optimizer, runs, seed, backend)``.
    """

    def verify(self, problem, optimizer, schedule=None, *, t=None, t_max: float = 1e3, n_times: int = 10,
               runs: int = 32, seed: int = 0, backend="numpy", **_ignored) -> VerificationResult:
        """Simulate and compare at ``n_times`` log-spaced times up to ``t_max`` (rounded to whole steps).

        References
        ----------
        B. Bordelon, A. Atanasov, C. Pehlevan, ICML 2024 (arXiv:2402.01092) (the model); the
        predictions checked here are derived in :mod:`numerics.dmft._discrete`.
        """
        if not isinstance(problem, DMFT) or problem.M_is_infinite:
            raise ParameterError("problem", "a theory.dmft.DMFT with finite M", problem)
        dt = numerics.dmft.time_step(optimizer)
        if t is None:
            t_max = check_real("t_max", t_max, gt=0)
            lo = dt * self.first_step
            if not t_max > lo:
                raise ParameterError("t_max", f"> {lo:.6g} (the first step the prediction covers)", t_max)
            t = np.logspace(math.log10(lo), math.log10(t_max), check_int("n_times", n_times, ge=2))
        t = np.unique(np.round(np.asarray(t, float) / dt)) * dt
        t0 = time.perf_counter()
        curve = numerics.dmft.loss_curve(problem, t, optimizer=optimizer)
        t1 = time.perf_counter()
        sim = self.simulate(problem, curve, optimizer, runs, seed, backend)
        t2 = time.perf_counter()
        n_eff = float(min(problem.N, problem.P, problem.M))
        checks = [check_curve("test_loss_vs_simulation", f"{optimizer.name} test loss, simulation vs DMFT",
                              curve.test_loss, sim.test_loss, sim.test_stderr, n_eff),
                  check_curve("train_loss_vs_simulation", f"{optimizer.name} train loss, simulation vs DMFT",
                              curve.train_loss, sim.train_loss, sim.train_stderr, n_eff),
                  check_curve("bias_vs_simulation", f"{optimizer.name} bias (mean predictor), simulation vs DMFT",
                              curve.bias, sim.bias, sim.bias_stderr, n_eff)]
        return VerificationResult(problem=problem, optimizer=optimizer, schedule=schedule, horizon=int(round(t[-1] / dt)),
                                  steps=curve.t, simulation=sim, risk_exact=None, exact_spread=None,
                                  risk_volterra=curve.test_loss, risk_asymptotic=None,
                                  terms={"bias": curve.bias, "train_loss": curve.train_loss}, phase=None,
                                  lr_max=None, kernel_norm=None, window=None, checks=checks,
                                  seconds={"prediction": t1 - t0, "simulation": t2 - t1},
                                  info={"reference": f"numerics.dmft.loss_curve(optimizer={optimizer.name})",
                                        "curve_status": curve.status, "time_step": dt,
                                        "bias_simulated": sim.bias, "bias_stderr": sim.bias_stderr,
                                        "train_simulated": sim.train_loss, "train_stderr": sim.train_stderr})

    def default_lr(self, problem, optimizer, *, seed: int = 0) -> float:
        """Half the largest rate the prediction covers (from the spectral edge ``q_max``)."""
        q = numerics.dmft.spectral_edge(numerics.dmft.nodes_of(problem), problem.N, problem.P)[0]
        return 0.5 * self.rate_cap(optimizer, q)
