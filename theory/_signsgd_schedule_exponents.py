"""Compute-optimal exponents of signSGD (and SGD) under a learning-rate decay (WSD /
stable-decay): the theory numbers that measured frontiers are compared with.

Model (derived in :func:`theory._signsgd_terms.signsgd_branches`, checked on the per-mode
equations in ``tests/test_signsgd_phases.py``): a decay over a fixed fraction of the horizon,
ending like ``(1 - k/N)^p``, leaves each relaxed mode ``(mu_j tau)^-q`` of its stable-phase
noise, ``q = p/(p+1)``; the LP then has two loss exponents, ``t_s`` at the end of the stable
phase (which sets the stability limit of the peak rate and the drift-normalised time ``tau``)
and the final ``t`` (drift terms at that ``tau`` and the decayed noise).

SGD: its noise enters the risk as ``gamma * (kernel) * P`` (proportional to the risk itself,
Paquette et al. 2024, Sec. 2), so a decay over a fixed fraction of the horizon changes its
terms by constant factors only: **assumed** here, SGD's exponents are the same for every
schedule kind (the measured SGD slopes change by < 0.03, ``docs/signsgd.md`` Sec. 3).

References
----------
J. Kim, D. Song, C. Yun, "Scaling Laws of SignSGD in Linear Regression: When Does It
Outperform SGD?", ICLR 2026 (arXiv:2603.02069) (stable-decay schedules; research note
``plrf_signsgd.md`` Sec. 2.2, Area Aa*); E. Paquette et al., arXiv:2405.15074 (SGD terms).
"""

from __future__ import annotations

import numpy as np

from ._errors import ParameterError
from .validate import check_choice, check_real
from ._schedules import WSD, Constant, Cosine, Schedule

__all__ = ["signsgd_decay_q", "signsgd_schedule_eta", "schedule_slope_grid"]

_KINDS = ("constant", "wsd", "stable-decay", "cosine", "decay")


def signsgd_decay_q(schedule) -> float | None:
    """Noise-suppression exponent ``q = p/(p+1)`` of a schedule whose rate ends like
    ``(1 - k/N)^p``; ``None`` for a constant rate.

    >>> signsgd_decay_q(WSD(decay=0.2, shape="linear")), signsgd_decay_q(Cosine())
    (0.5, 0.6666666666666666)
    >>> signsgd_decay_q(WSD(decay=0.2, shape="polynomial", power=3.0))
    0.75
    """
    if isinstance(schedule, Constant):
        return None
    if isinstance(schedule, WSD):
        if schedule.decay == 0 or schedule.floor > 0:
            return None  # no decay to zero: the rate is constant up to a factor at the end
        p = {"linear": 1.0, "cosine": 2.0, "1-sqrt": 1.0}.get(schedule.shape, getattr(schedule, "power", 1.0))
        return p / (p + 1.0)
    if isinstance(schedule, Cosine):
        return 2.0 / 3.0  # (1 + cos(pi k/N))/2 ~ (pi^2/4)(1 - k/N)^2 at the end
    if isinstance(schedule, Schedule):
        raise ParameterError("schedule", "Constant, WSD/StableDecay or Cosine (decay exponent known)",
                             type(schedule).__name__)
    raise ParameterError("schedule", "a theory.Schedule", type(schedule).__name__)


def signsgd_schedule_eta(alpha_value, beta_value, kind="constant", decay_q=None) -> dict:
    """Theory loss exponents for a schedule kind: ``{"eta_signsgd", "xi_signsgd", "e_signsgd",
    "eta_sgd", "q", "kind"}``.

    Parameters
    ----------
    kind : {"constant", "wsd", "stable-decay", "cosine", "decay"} or theory.Schedule
        ``wsd``/``stable-decay``: linear decay (``q = 1/2``) unless ``decay_q`` is given;
        ``cosine``: ``q = 2/3``. A :class:`theory.Schedule` gives ``q`` by
        :func:`signsgd_decay_q`.
    decay_q : float, optional
        Overrides ``q``.

    Examples
    --------
    In signSGD's phase ``4 alpha/(4 alpha + 1)`` with ``beta > alpha + 1/2`` a decay gives
    ``min((6 alpha - 1)/(6 alpha), (2 alpha + 2 beta - 1)/(2 (alpha + beta)))``:

    >>> r = signsgd_schedule_eta(0.7, 1.5, "wsd")
    >>> round(r["eta_signsgd"], 9) == round(3.2 / 4.2, 9), round(signsgd_schedule_eta(0.7, 1.5)["eta_signsgd"], 6)
    (True, 0.736842)
    """
    from ._signsgd_exponents import _sgd_eta_fast, signsgd_lp_numeric

    a = check_real("alpha", alpha_value, gt=0)
    b = check_real("beta", beta_value)
    if isinstance(kind, Schedule):
        q = signsgd_decay_q(kind)
        name = kind.name
    else:
        check_choice("kind", kind, _KINDS)
        name = kind
        q = None if kind == "constant" else (2.0 / 3.0 if kind == "cosine" else 0.5)
    if decay_q is not None and q is not None:
        q = check_real("decay_q", decay_q, gt=0, le=1)
    r = signsgd_lp_numeric(a, b, "constant" if q is None else "decay", 0.5 if q is None else q)
    return {"kind": name, "q": q, "eta_signsgd": r["eta"], "xi_signsgd": r["xi"], "e_signsgd": r["e"],
            "eta_sgd": _sgd_eta_fast(a, b), "active": list(r["active"])}


def schedule_slope_grid(alphas, betas, decay_q: float = 0.5) -> dict:
    """``eta_decay - eta_constant`` (signSGD) and ``eta_decay(signSGD) - eta(SGD)`` on a grid
    (rows: beta, columns: alpha; NaN outside ``2 alpha + 2 beta > 1``)."""
    from ._signsgd_exponents import _sgd_eta_fast, signsgd_lp_numeric

    A = np.asarray(alphas, dtype=float)
    B = np.asarray(betas, dtype=float)
    dc = np.full((B.size, A.size), np.nan)
    ds = np.full_like(dc, np.nan)
    for i, b in enumerate(B):
        for j, a in enumerate(A):
            if 2 * a + 2 * b > 1 + 1e-9 and a > 0:
                c = signsgd_lp_numeric(a, b)["eta"]
                d = signsgd_lp_numeric(a, b, "decay", decay_q)["eta"]
                dc[i, j] = d - c
                ds[i, j] = d - _sgd_eta_fast(a, b)
    return {"alpha": A, "beta": B, "decay_minus_constant": dc, "decay_minus_sgd": ds}
