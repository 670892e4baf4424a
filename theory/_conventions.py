"""Conventions used throughout sltk, stated once.

Risk
    ``P(theta) = E[(<W^T x, theta> - <x, b>)^2]`` -- the mean squared error **without** the
    factor 1/2 (as in the 4+3 paper's notebooks). ``convert_risk`` maps to the half-MSE
    convention of the later ``power_law_rf`` package.
Batch
    SGD defaults to the **batch-sum** gradient ``sum_{i in batch} grad_i`` (Paquette et al.
    2024); ``batch_reduction="mean"`` divides by ``B``, which is the same as batch-sum with
    ``gamma / B``.
Compute
    ``f = d * r * B`` flops for ``r`` steps of batch ``B`` on ``d`` parameters.
Volterra index
    ``P(r) = F(r) + sum_{s=0}^{r-1} K(r-1-s) P(s)``, ``r = 0, 1, ...`` (``P(0) = F(0)``).
"""

from __future__ import annotations

from .validate import check_choice

__all__ = ["CONVENTIONS", "convert_risk"]

CONVENTIONS: dict[str, str] = {
    "risk": "P(theta) = E_x[(<W^T x, theta> - <x, b>)^2] (mean squared error, no factor 1/2)",
    "batch": "batch-sum gradient theta <- theta - gamma * sum_{i in batch} grad_i unless batch_reduction='mean'",
    "compute": "f = d * r * B (flops)",
    "volterra": "P(r) = F(r) + sum_{s=0}^{r-1} K(r-1-s) P(s), P(0) = F(0)",
    "steps": "r = number of optimizer steps taken; step 0 is the initialisation theta_0 = 0",
}

_SCALE = {"mse": 1.0, "half_mse": 0.5}


def convert_risk(risk, *, to: str, frm: str = "mse"):
    """Convert risk values between the ``"mse"`` (sltk) and ``"half_mse"`` conventions.

    >>> convert_risk(2.0, to="half_mse")
    1.0
    >>> convert_risk(1.0, frm="half_mse", to="mse")
    2.0
    """
    check_choice("to", to, tuple(_SCALE))
    check_choice("frm", frm, tuple(_SCALE))
    return risk * (_SCALE[to] / _SCALE[frm])
