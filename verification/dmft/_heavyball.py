"""Heavy ball on the DMFT model, simulated (eigendecomposition with the momentum recursion) and checked.

Registered in :data:`verification.dmft.RULES`; the shared prediction-vs-simulation check is
:class:`verification.dmft._discrete.DiscreteVerification`.

References
----------
B. Bordelon, A. Atanasov, C. Pehlevan, "A Dynamical Model of Neural Scaling Laws", ICML 2024
(arXiv:2402.01092) (the model; the discrete methods' predictions are derived in :mod:`numerics.dmft`).
"""

from __future__ import annotations

from theory.dmft import HeavyBall

from ._simulate import simulate_dmft
from ._checks import RULES
from ._discrete import DiscreteVerification

__all__ = ["HeavyBallVerification"]


class HeavyBallVerification(DiscreteVerification):
    """Heavy ball: the eigendecomposition simulator with the momentum recursion per eigen-direction."""

    first_step = 8

    def simulate(self, problem, curve, optimizer, runs, seed, backend):
        return simulate_dmft(problem, curve.t, runs=runs, seed=seed, lr=optimizer.lr, momentum=optimizer.momentum,
                             modes=(), backend=backend)

    def rate_cap(self, optimizer, q):
        return (1.0 + optimizer.momentum) / q  # the stability edge (underdamped modes predicted too)


RULES.register(HeavyBall, HeavyBallVerification())
