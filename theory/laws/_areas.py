"""Closed forms (SymPy) of the annealing areas S1 and S2 for standard schedules.

For a rate sequence ``eta_k`` (update ``k = 1, 2, ...``, ``eta_0 = eta`` the peak)

* ``S1(t) = sum_{k=1}^{t} eta_k`` and
* ``S2(t) = sum_{k=1}^{t} (eta_{k-1} - eta_k) (1 - lambda^(t-k+1)) / (1 - lambda)``
  ``= [eta_0 - eta_t - lambda sum_{k=1}^{t} (eta_{k-1} - eta_k) lambda^(t-k)] / (1 - lambda)``

(Tissue et al. 2024, Eq. 1 and 5; the second form is the closed form of the momentum
recursion, Luo et al. 2025, App. A). The sums are *derived* here by SymPy: each schedule is
an exponential polynomial in ``k`` (cosines rewritten as complex exponentials), so both sums
are geometric; ``sympy.summation`` does them and the generic branch (ratio ``!= 1``,
``!= lambda``) is kept. No warmup (``eta_0`` is the peak); the schedules match
:mod:`theory._schedules` without warmup:

``constant``  ``eta_k = eta``
``linear``    ``eta_k = eta (1 - (1 - f) k / n)``                (``WSD(decay=1, shape="linear", floor=f)``)
``cosine``    ``eta_k = eta (f + (1 - f)(1 + cos(pi k / n)) / 2)`` (``Cosine(floor=f)``)
``wsd-linear``, ``wsd-cosine``  stable ``s`` updates at ``eta``, then the linear/cosine decay
over ``m`` updates (``WSD(decay=m/(s+m), shape=..., floor=f)``): piecewise in ``t``.

References
----------
H. Tissue, V. Wang, L. Wang, "Scaling Law with Learning Rate Annealing", arXiv:2408.11029
v2, Eq. (1), (5); K. Luo et al., "A Multi-Power Law for Loss Curve Prediction Across
Learning Rate Schedules", ICLR 2025 (arXiv:2503.12811), App. A.
"""

from __future__ import annotations

import functools

import numpy as np
import sympy as sp

from .._errors import ParameterError
from ..validate import check_choice, check_int, check_real

__all__ = ["AREA_SYMBOLS", "AREA_SCHEDULES", "annealing_areas_closed_form", "closed_form_areas"]

t, n, s_, m_ = sp.symbols("t n s m", positive=True, integer=True)
eta, f = sp.symbols("eta f", positive=True)
lam_sym = sp.Symbol("lambda", positive=True)
_k = sp.Symbol("k", positive=True, integer=True)
_z = sp.Symbol("z", nonzero=True)

#: The symbols of the closed forms: step t, horizon n, stable/decay lengths s, m, peak eta,
#: floor fraction f, momentum decay lambda.
AREA_SYMBOLS = {"t": t, "n": n, "s": s_, "m": m_, "eta": eta, "f": f, "lambda": lam_sym}
AREA_SCHEDULES = ("constant", "linear", "cosine", "wsd-linear", "wsd-cosine")


def _generic(expr):
    expr = sp.piecewise_fold(expr)
    if isinstance(expr, sp.Piecewise):
        return expr.args[-1][0]
    return expr


def _rate(kind: str, k, horizon):
    if kind == "constant":
        return eta + 0 * k
    if kind == "linear":
        return eta * (1 - (1 - f) * k / horizon)
    # cos(pi k / n) = (z^k + z^-k) / 2 with z = exp(i pi / n), kept as a symbol while summing
    return eta * (f + (1 - f) * (1 + (_z**k + _z ** (-k)) / 2) / 2)


@functools.lru_cache(maxsize=None)
def _areas(kind: str, horizon):
    rate = _rate(kind, _k, horizon)
    S1 = _generic(sp.summation(sp.expand(rate), (_k, 1, t)))
    red = sp.expand(rate.subs(_k, _k - 1) - rate)
    inner = _generic(sp.summation(sp.expand(red * lam_sym ** (t - _k)), (_k, 1, t)))
    S2 = (rate.subs(_k, 0) - rate.subs(_k, t) - lam_sym * inner) / (1 - lam_sym)
    if kind == "cosine":
        zval = sp.exp(sp.I * sp.pi / horizon)
        S1 = sp.simplify(sp.expand_complex(S1.subs(_z, zval)))
        S2 = sp.expand_complex(S2.subs(_z, zval))
        return S1, S2
    return sp.simplify(S1), sp.simplify(S2)


@functools.lru_cache(maxsize=None)
def annealing_areas_closed_form(schedule: str):
    """SymPy closed forms ``(S1(t), S2(t))`` of a schedule (symbols in :data:`AREA_SYMBOLS`).

    Parameters
    ----------
    schedule : {"constant", "linear", "cosine", "wsd-linear", "wsd-cosine"}

    Returns
    -------
    S1, S2 : sympy.Expr

    Examples
    --------
    >>> S1, S2 = annealing_areas_closed_form("constant")
    >>> S1, S2
    (eta*t, 0)
    >>> S1, S2 = annealing_areas_closed_form("linear")
    >>> sp.factor(S1)
    eta*t*(f*t + f + 2*n - t - 1)/(2*n)
    >>> sp.factor(S2)
    eta*(f - 1)*(-lambda*lambda**t + lambda*t + lambda - t)/(n*(lambda - 1)**2)

    References
    ----------
    Tissue et al. (2024), arXiv:2408.11029, Eq. (1), (5); Luo et al. (2025), App. A.
    """
    kind = check_choice("schedule", schedule, AREA_SCHEDULES)
    if kind in ("constant", "linear", "cosine"):
        return _areas(kind, n)
    shape = kind.split("-")[1]
    d1, d2 = _areas(shape, m_)
    S1 = sp.Piecewise((eta * t, t <= s_), (eta * s_ + d1.subs(t, t - s_), True))
    S2 = sp.Piecewise((0, t <= s_), (d2.subs(t, t - s_), True))
    return S1, S2


def closed_form_areas(schedule, horizon: int, steps, *, peak: float = 1.0, lam: float = 0.999):
    """Evaluate the closed forms for a :mod:`theory` schedule object at integer ``steps``.

    Accepts ``Constant()``, ``Cosine(warmup=0, floor=f)`` and ``WSD(warmup=0, shape=
    "linear"|"cosine", floor=f)`` (``decay=1`` is the plain linear/cosine decay).

    Linear decay ``1 -> 0`` over 4 updates, ``lambda = 1/2``: rates 3/4, 1/2, 1/4, 0;
    momenta ``m = 1/4, 3/8, 7/16, 15/32`` sum to 49/32:

    >>> from theory import WSD
    >>> S1, S2 = closed_form_areas(WSD(decay=1.0, shape="linear"), 4, [1, 4], lam=0.5)
    >>> S1.round(12), S2.round(12)
    (array([0.75, 1.5 ]), array([0.25   , 1.53125]))
    """
    from .._schedules import WSD, Constant, Cosine

    nh = check_int("horizon", horizon, ge=1)
    lm = check_real("lam", lam, ge=0.0, lt=1.0)
    pk = check_real("peak", peak, gt=0)
    st = np.asarray(steps, dtype=np.float64)
    if st.ndim != 1 or np.any(st < 1) or np.any(st > nh) or np.any(st != np.round(st)):
        raise ParameterError("steps", f"integers 1 <= step <= horizon = {nh}", steps)
    if getattr(schedule, "warmup", 0.0) != 0.0:
        raise ParameterError("schedule.warmup", "0 (closed forms are for schedules without warmup)", schedule.warmup)
    if isinstance(schedule, Constant):
        kind, hz, stable, fl = "constant", nh, 0, 0.0
    elif isinstance(schedule, Cosine):
        kind, hz, stable, fl = "cosine", nh, 0, schedule.floor
    elif isinstance(schedule, WSD) and schedule.shape in ("linear", "cosine"):
        md = int(round(schedule.decay * nh))
        kind, hz, stable, fl = (schedule.shape, md, nh - md, schedule.floor) if md else ("constant", nh, 0, 0.0)
    else:
        raise ParameterError("schedule", "Constant, Cosine or WSD with a linear/cosine decay", schedule)
    f1, f2 = _numeric(kind)
    # stable phase (WSD): S1 = eta t, S2 = 0; afterwards the decay's closed form shifted by `stable`
    u = np.maximum(st - stable, 1.0)
    d1 = np.real(np.asarray(f1(u, hz, pk, fl, lm), dtype=np.complex128)) * np.ones_like(u)
    d2 = np.real(np.asarray(f2(u, hz, pk, fl, lm), dtype=np.complex128)) * np.ones_like(u)
    S1 = np.where(st <= stable, pk * st, pk * stable + d1)
    S2 = np.where(st <= stable, 0.0, d2)
    return S1.astype(np.float64), S2.astype(np.float64)


@functools.lru_cache(maxsize=None)
def _numeric(kind: str):
    """Lambdified closed forms ``f(t, n, eta, f, lambda)`` of a decay from the peak (cached)."""
    S1, S2 = _areas(kind, n) if kind != "constant" else annealing_areas_closed_form("constant")
    args = (t, n, eta, f, lam_sym)
    return (sp.lambdify(args, S1 + 0 * t, modules=["numpy"]), sp.lambdify(args, S2 + 0 * t, modules=["numpy"]))
