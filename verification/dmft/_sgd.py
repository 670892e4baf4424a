"""One-pass SGD with batch B on the online DMFT model, simulated with fresh batches and checked.

Registered in :data:`verification.dmft.RULES`; the shared prediction-vs-simulation check is
:class:`verification.dmft._discrete.DiscreteVerification`.

References
----------
B. Bordelon, A. Atanasov, C. Pehlevan, "A Dynamical Model of Neural Scaling Laws", ICML 2024
(arXiv:2402.01092) (the model; the discrete methods' predictions are derived in :mod:`numerics.dmft`).
"""

from __future__ import annotations

import numpy as np

from theory import SGD

from ._simulate import simulate_online_sgd
from ._checks import RULES
from ._discrete import DiscreteVerification

__all__ = ["OnlineSGDVerification"]


class OnlineSGDVerification(DiscreteVerification):
    """One-pass SGD: fresh batches every step (``P = inf``)."""

    first_step = 1

    def simulate(self, problem, curve, optimizer, runs, seed, backend):
        steps = np.asarray(curve.diagnostics["steps"])
        return simulate_online_sgd(problem, steps, lr_sum=optimizer.lr_sum, batch=optimizer.batch, runs=runs,
                                   seed=seed, backend=backend)

    def rate_cap(self, optimizer, q):
        B = optimizer.batch
        cap = B / ((B + 1.0) * q)  # on B lr_sum
        return cap if optimizer.batch_reduction == "mean" else cap / B


RULES.register(SGD, OnlineSGDVerification())
