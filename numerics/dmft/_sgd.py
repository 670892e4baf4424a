"""One-pass SGD with batch B on the online DMFT model: the discrete-time prediction's rules.

Registered in :data:`numerics.dmft.RULES` (the discrete-time predictions of :mod:`numerics.dmft._discrete`,
whose module docstring has the derivation).

References
----------
B. Bordelon, A. Atanasov, C. Pehlevan, "A Dynamical Model of Neural Scaling Laws", ICML 2024
(arXiv:2402.01092), Sec. 2-3 (the discrete methods are derived here, not in the paper).
"""

from __future__ import annotations

from theory import ParameterError
from theory import SGD
from ._discrete import RULES

class _SGDRules:
    """Online SGD: ``eta' = B lr_sum`` per step; the Volterra equation of the module docstring."""

    first_step = 1

    def time_step(self, opt) -> float:
        return opt.batch * opt.lr_sum

    def limit(self, opt, problem, q_max) -> None:
        if not problem.P_is_infinite:
            raise ParameterError("P", "inf for one-pass SGD (fresh samples every step: the online case)", problem.P)
        B = opt.batch
        cap = B / ((B + 1.0) * q_max)
        if not self.time_step(opt) < cap:
            raise ParameterError("lr", f"batch * lr_sum < {cap:.6g} = B/((B+1) q_max) (q_max = {q_max:.6g})",
                                 opt.lr)

    step_map = None


RULES.register(SGD, _SGDRules())
