"""Gradient descent on the DMFT model: the discrete-time prediction's rules.

Registered in :data:`numerics.dmft.RULES` (the discrete-time predictions of :mod:`numerics.dmft._discrete`,
whose module docstring has the derivation).

References
----------
B. Bordelon, A. Atanasov, C. Pehlevan, "A Dynamical Model of Neural Scaling Laws", ICML 2024
(arXiv:2402.01092), Sec. 2-3 (the discrete methods are derived here, not in the paper).
"""

from __future__ import annotations

import numpy as np

from theory import ParameterError
from theory import GD
from ._discrete import MIN_STEPS, RULES

class _GDRules:
    """Discrete full-batch GD. ``eta = 2 lr`` per step; ``s(z) = (z - 1)/eta``, ``phi = z``; needs ``eta q_max < 1``."""

    first_step = MIN_STEPS

    def time_step(self, opt) -> float:
        return 2.0 * opt.lr

    def circle_steps(self, opt, q_max) -> int:
        return 0

    def limit(self, opt, problem, q_max) -> None:
        if not 2.0 * opt.lr * q_max < 1.0:
            raise ParameterError("lr", f"0 < lr < {1.0 / (2.0 * q_max):.6g} = 1/(2 q_max) (q_max = {q_max:.6g}, "
                                 "the spectral edge; every mode must decay monotonically)", opt.lr)

    def step_map(self, opt):
        eta = self.time_step(opt)

        def f(sig):
            z = np.exp(eta * sig)
            return (z - 1.0) / eta, z
        return f


RULES.register(GD, _GDRules())
