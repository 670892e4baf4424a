"""Heavy ball (GD with momentum) on the DMFT model: the discrete-time prediction's rules.

Registered in :data:`numerics.dmft.RULES` (the discrete-time predictions of :mod:`numerics.dmft._discrete`,
whose module docstring has the derivation).

References
----------
B. Bordelon, A. Atanasov, C. Pehlevan, "A Dynamical Model of Neural Scaling Laws", ICML 2024
(arXiv:2402.01092), Sec. 2-3 (the discrete methods are derived here, not in the paper).
"""

from __future__ import annotations

import math

import numpy as np

from theory import ParameterError
from theory.dmft import HeavyBall

from ._gd import _GDRules
from ._discrete import MAX_CIRCLE_STEPS, RULES

class _HeavyBallRules(_GDRules):
    """``s(z) = (z - 1)(z - beta)/(eta z)``, ``phi = z - beta``; stable for ``eta q_max < 2 (1 + beta)``.

    Underdamped modes (``eta q > (1 - sqrt beta)^2``) have complex roots ``|z| = sqrt beta``; steps
    ``n < circle_steps`` are then inverted on the circle ``|z| = R`` (module docstring).
    """

    def limit(self, opt, problem, q_max) -> None:
        beta = opt.momentum
        cap = (1.0 + beta) / q_max
        if not opt.lr < cap:
            raise ParameterError("lr", f"0 < lr < {cap:.6g} = (1 + momentum) / q_max (q_max = {q_max:.6g}, the "
                                 "spectral edge; heavy ball is unstable beyond)", opt.lr)
        if self.circle_steps(opt, q_max) > MAX_CIRCLE_STEPS:
            raise ParameterError("momentum", f"momentum with underdamped modes needs beta^n <= 1e-12 by "
                                 f"n = {MAX_CIRCLE_STEPS} steps (momentum <= {math.exp(-27.7 / MAX_CIRCLE_STEPS):.4f}"
                                 f" at this lr; or lr < {(1 - math.sqrt(beta)) ** 2 / (2 * q_max):.6g}, every mode "
                                 "overdamped)", beta)

    def circle_steps(self, opt, q_max) -> int:
        beta = opt.momentum
        if 2.0 * opt.lr * q_max < (1.0 - math.sqrt(beta)) ** 2 or beta == 0.0:
            return 0
        return int(math.ceil(-27.7 / math.log(beta)))  # beta^n <= 1e-12: the complex poles' residues

    def step_map(self, opt):
        eta, beta = self.time_step(opt), opt.momentum

        def f(sig):
            z = np.exp(eta * sig)
            return (z - 1.0) * (z - beta) / (eta * z), z - beta
        return f


RULES.register(HeavyBall, _HeavyBallRules())
