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
import numpy as np
import sympy as sp

from ._api import _schedule, compute_optimal_exponents, exponent_grid
from ._rules import RULES, check_domain

__all__ = ["compare", "slope_difference_grid", "decay_gain_grid", "decay_gain", "decay_gain_map"]


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


def _decaying(schedule):
    sch = _schedule(schedule)
    if sch is None or sch.end_decay_power() is None:
        raise ParameterError("schedule", "a schedule whose rate decays to zero like (1 - k/N)^p (wsd, stable-decay, "
                             "cosine)", getattr(sch, "name", "constant"))
    return sch


def decay_gain(alpha, beta, optimizer="signsgd", schedule=None) -> dict:
    """The derived gain ``eta(decay) - eta(constant)`` of one optimizer's compute-optimal slope at a
    point, the learning rate re-optimised per budget under each schedule.

    ``schedule`` must decay to zero like ``(1 - k/N)^p`` over a fixed fraction of the horizon
    (WSD / stable-decay with any shape, cosine). Returns ``{"gain", "eta_decay", "eta_constant",
    "gain_expr", "decay_q", "optimizer", "schedule", "noise_slack_decay", "noise_slack_constant"}``;
    ``gain_expr`` is exact in ``alpha, beta`` around the point (the optimizer's rules,
    :mod:`theory.plrf._decay`); the noise slacks say how fast the noise's share of the optimal loss
    dies out along each frontier (``f^-slack``; ``None`` where the theory has no such split).

    >>> from theory import WSD
    >>> g = decay_gain(0.7, 1.5, "signsgd", WSD(decay=0.2))
    >>> round(g["gain"] - (16 / 21 - 14 / 19), 12), g["gain_expr"]
    (0.0, (2*alpha - 1)/(6*alpha*(4*alpha + 1)))
    >>> decay_gain(0.7, 1.5, "sgd", WSD(decay=0.2))["gain"]
    0.0
    """
    from ._decay import schedule_decay_q

    a, b = check_domain(alpha, beta)
    sch = _decaying(schedule)
    rules = RULES[optimizer]
    de, dc = rules.decay_gain_at(a, b, sch)
    gain = de - dc
    gain = 0.0 if abs(gain) < 1e-9 else gain  # an LP tie
    slacks = rules.noise_slacks(a, b, sch)
    return {"alpha": a, "beta": b, "optimizer": rules.optimizer_name, "schedule": sch.spec(), "gain": gain,
            "eta_decay": de, "eta_constant": dc, "gain_expr": rules.decay_gain_expression(a, b, sch),
            "decay_q": schedule_decay_q(sch)[1], "noise_slack_decay": None if slacks is None else slacks[0],
            "noise_slack_constant": None if slacks is None else slacks[1]}


def decay_gain_grid(alphas, betas, optimizer="signsgd", schedule=None) -> dict:
    """``eta(schedule) - eta(constant rate)`` of one optimizer on a grid (rows beta, columns alpha;
    NaN outside the domain), the rate re-optimised per budget under each (the optimizer's
    ``decay_gain_at``).

    >>> from theory import WSD
    >>> g = decay_gain_grid([0.7, 1.0], [0.1, 1.5], "sgd", WSD(decay=0.2))
    >>> bool(np.all(g["gain"] == 0))
    True
    """
    sch = _decaying(schedule)
    rules = RULES[optimizer]
    A, B = np.meshgrid(np.asarray(alphas, float), np.asarray(betas, float))
    ge, gc = rules.decay_gain_grid(A, B, sch)
    gain = ge - gc
    gain[np.abs(gain) < 1e-9] = 0.0
    return {"alpha": np.asarray(alphas, float), "beta": np.asarray(betas, float), "gain": gain, "eta_schedule": ge, "eta_constant": gc,
            "optimizer": rules.optimizer_name, "schedule": sch.spec()}


def decay_gain_map(alphas, betas, optimizer="signsgd", schedule=None) -> dict:
    """The derived gain map with its regions: :func:`decay_gain_grid` plus, for every connected set of
    grid points with one closed form, ``{"gain_expr", "points", "example"}`` (the exact gain
    expression, re-derived at one point of the region and checked at every other point of it).

    ``regions`` is keyed by the expression's text; ``"0"`` is the no-gain region. ``boundaries``:
    the factors of the numerators of the differences of the regions' expressions (where two closed
    forms meet). For signSGD (full map) these are ``alpha = 1/2``, ``beta = alpha + 1/2`` and
    ``beta = 2 alpha`` (the gain is ``(2b - 2a - 1)/(2 (a + b)(4a + 1))`` between the last two and
    ``(2a - 1)/(6a (4a + 1))`` above ``beta = 2 alpha``); for SGD there is one region, ``0``.

    >>> from theory import WSD
    >>> m = decay_gain_map([0.4, 0.7, 1.0], [0.1, 1.5, 2.0], "signsgd", WSD(decay=0.2))
    >>> sorted(m["regions"]), m["boundaries"]
    (['(2*alpha - 1)/(6*alpha*(4*alpha + 1))', '0'], [2*alpha - 1])
    """
    from .._power_terms import alpha as al, beta as be

    g = decay_gain_grid(alphas, betas, optimizer, schedule)
    sch = _decaying(schedule)
    rules = RULES[optimizer]
    regions: dict = {}
    for ij in np.ndindex(g["gain"].shape):
        v = g["gain"][ij]
        if not np.isfinite(v):
            continue
        a, b = float(g["alpha"][ij[1]]), float(g["beta"][ij[0]])
        hit = None
        for key, reg in regions.items():  # an expression already found that reproduces this point
            if abs(float(reg["fn"](a, b)) - v) < 1e-9:
                hit = key
                break
        if hit is None:
            expr = sp.Integer(0) if v == 0 else rules.decay_gain_expression(a, b, sch)
            hit = str(expr)
            regions.setdefault(hit, {"gain_expr": expr, "points": [], "example": (a, b),
                                     "fn": sp.lambdify((al, be), expr, "math")})
        regions[hit]["points"].append((a, b))
    for reg in regions.values():
        reg.pop("fn")
    g["regions"] = regions
    # boundaries: where two regions' closed forms meet, the factors of the difference's numerator
    bounds = []
    exprs = [r["gain_expr"] for r in regions.values()]
    for i, e1 in enumerate(exprs):
        for e2 in exprs[i + 1:]:
            num = sp.numer(sp.factor(sp.together(e1 - e2)))
            for f in sp.factor_list(num)[1]:
                f = f[0]
                if f.free_symbols and not any(sp.expand(f - b) == 0 or sp.expand(f + b) == 0 for b in bounds):
                    bounds.append(f)
    g["boundaries"] = bounds
    return g
