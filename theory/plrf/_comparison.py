"""Comparing optimizers on PLRF: where one's compute-optimal slope is steeper than another's.

Generic over the optimizers' rules (:data:`theory.plrf.RULES`): nothing here knows which
optimizers it compares.

References
----------
J. Kim, D. Song, C. Yun, "Scaling Laws of SignSGD in Linear Regression: When Does It
Outperform SGD?", ICLR 2026 (arXiv:2603.02069); Paquette et al. (2024), arXiv:2405.15074.
"""

from __future__ import annotations

from .._dispatch import optimizer_class
from .._errors import ParameterError
from ._api import _schedule, compute_optimal_exponents, exponent_grid

__all__ = ["compare", "slope_difference_grid", "decay_gain_grid"]


def _pair(optimizers) -> tuple:
    ops = tuple(optimizers)
    if len(ops) != 2:
        raise ParameterError("optimizers", "two optimizers (first compared with second)", optimizers)
    return tuple(optimizer_class(o).name for o in ops)


def compare(alpha, beta, optimizers=("signsgd", "sgd"), schedule=None) -> dict:
    """The compute-optimal slopes of two optimizers at one point (the first relative to the second).

    Returns ``{"eta": {name: value}, "xi": {...}, "e": {...}, "difference", "verdict", ...}`` with
    ``verdict`` one of ``"steeper"``, ``"equal"``, ``"flatter"`` (first vs second, tolerance 1e-9).

    In phase III signSGD's ``4 alpha/(4 alpha + 1)`` beats SGD's ``1 - 1/(4 alpha)`` by ``25/266`` at (0.7, 1.2):

    >>> r = compare(0.7, 1.2)
    >>> r["verdict"], round(r["difference"] - 25 / 266, 12)
    ('steeper', 0.0)
    """
    first, second = _pair(optimizers)
    r1 = compute_optimal_exponents(alpha, beta, first, schedule)
    r2 = compute_optimal_exponents(alpha, beta, second, schedule)
    diff = r1.eta - r2.eta
    verdict = "steeper" if diff > 1e-9 else ("flatter" if diff < -1e-9 else "equal")
    return {"alpha": r1.alpha, "beta": r1.beta, "optimizers": [first, second], "schedule": r1.schedule,
            "eta": {first: r1.eta, second: r2.eta}, "xi": {first: r1.xi, second: r2.xi},
            "e": {first: r1.e, second: r2.e}, "eta_expr": {first: str(r1.eta_expr), second: str(r2.eta_expr)},
            "phase": {first: r1.phase, second: r2.phase}, "balanced": {first: list(r1.balanced),
                                                                        second: list(r2.balanced)},
            "difference": diff, "verdict": verdict}


def slope_difference_grid(alphas, betas, optimizers=("signsgd", "sgd"), schedule=None) -> dict:
    """``eta_first - eta_second`` on a grid (rows beta, columns alpha; NaN outside the domain),
    by the optimizers' fast numeric paths.

    >>> g = slope_difference_grid([0.7], [1.2])
    >>> round(float(g["difference"][0, 0]) - 25 / 266, 12)
    0.0
    """
    first, second = _pair(optimizers)
    sch = _schedule(schedule)
    g1 = exponent_grid(alphas, betas, first, sch)
    g2 = exponent_grid(alphas, betas, second, sch)
    return {"alpha": g1["alpha"], "beta": g1["beta"], "optimizers": (first, second),
            "difference": g1["eta"] - g2["eta"], "eta": {first: g1["eta"], second: g2["eta"]}}


def decay_gain_grid(alphas, betas, optimizer="signsgd", schedule=None) -> dict:
    """``eta(schedule) - eta(constant rate)`` of one optimizer on a grid (the slope gain of a decay)."""
    sch = _schedule(schedule)
    g1 = exponent_grid(alphas, betas, optimizer, sch)
    g0 = exponent_grid(alphas, betas, optimizer, None)
    return {"alpha": g1["alpha"], "beta": g1["beta"], "gain": g1["eta"] - g0["eta"],
            "eta_schedule": g1["eta"], "eta_constant": g0["eta"], "optimizer": optimizer_class(optimizer).name}
