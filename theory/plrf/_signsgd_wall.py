"""signSGD's S-VI / Phase III vertex with a soft drift-time wall: the log correction on
``beta = alpha + 1/2`` and the local slope when the wall creeps.

The constant-rate LP (:mod:`theory.plrf._signsgd_lp`) puts the S-VI optimum
(``alpha > 1/2``, ``beta >= alpha + 1/2``) on four active constraints: the noise
``P ~ gamma^2 d``, the absolutely-continuous drift ``F_ac``, the stability of the drift and the
drift-time threshold ``gamma s N ~ 1`` (``s = sqrt(d / tr D)``), read as a sharp wall. On the
per-mode equations the wall is not sharp:

* measured on the equations with the rate optimised at a fixed large ``d`` (pure-point
  spectrum, ``benchmarks/measure_drift_wall.py``), ``c* = gamma* s N`` grows like ``ln N``
  (about +0.75 per half decade, ``N = 1e2..1e6``) at ``x_pp = 2`` (``beta = alpha + 1/2``, the
  S-VI / S-VIII line, where the pure-point risk ``tau^-2`` is of the noise's order ``N^-2``), and
  tends to a constant for ``x_pp > 2`` (4.2 at (0.7, 1.5)), slowly: locally
  ``gamma* s N ~ N^(g/2)`` with ``g`` falling from 0.19 to 0.03. That growth is measured here,
  not derived.

Replacing the wall by ``gamma s N = L`` (``ell = log_f L``) keeps the other three active
constraints and shifts the vertex linearly in ``ell``: this module solves it with SymPy.
``L = const`` gives back the LP's vertex (``eta = 4 alpha / (4 alpha + 1)``); ``L ~ ln N``
gives ``P* ~ f^-eta0 (ln f)^kappa`` (:func:`drift_wall_log_exponent`); ``L ~ N^(g/2)``
gives the local slope :func:`drift_wall_local_eta` -- the exponents of the LP are unchanged
(``g -> 0``), only the approach to them.

References
----------
J. Kim, D. Song, C. Yun, "Scaling Laws of SignSGD in Linear Regression: When Does It
Outperform SGD?", ICLR 2026 (arXiv:2603.02069) (setting). Derived here; checked against the
per-mode equations in ``benchmarks/measure_drift_wall.py`` and ``docs/signsgd.md``.
"""

from __future__ import annotations

from functools import lru_cache

import sympy as sp

from .._errors import ParameterError
from .._power_terms import alpha
from ..validate import check_real
from ._signsgd_terms import preconditioning_exponent, signsgd_terms, t_sym, u_sym, w_sym

__all__ = ["drift_wall_vertex", "drift_wall_log_exponent", "drift_wall_local_eta"]

#: ``log_f`` of the drift-time factor ``L = gamma s N`` at the optimum, and the local growth ``g``
#: (``L ~ N^(g/2)``).
ell_sym = sp.Symbol("ell", real=True)
g_sym = sp.Symbol("g", real=True)
_eps = sp.Symbol("epsilon", positive=True)  # alpha = 1/2 + epsilon: selects the alpha > 1/2 branches


def _svi_rows():
    """noise, F_ac and the (soft) wall as equations in ``(u, w, t)`` for ``alpha > 1/2``."""
    terms = {t.name: t for t in signsgd_terms()}
    a_sub = {alpha: sp.Rational(1, 2) + _eps}
    back = {_eps: alpha - sp.Rational(1, 2)}
    sigma = sp.simplify(preconditioning_exponent().subs(a_sub)).subs(back)
    noise = sp.simplify(terms["noise"].exponent.subs(a_sub)).subs(back)
    f_ac = sp.simplify(terms["F_ac"].exponent.subs(a_sub)).subs(back)
    drift = w_sym + sigma * u_sym + 1 - u_sym  # log_f (gamma s N)
    return noise, f_ac, drift


@lru_cache(maxsize=None)
def drift_wall_vertex():
    """``(u, w, t)`` of the S-VI vertex with the wall at ``gamma s N = f^ell``, symbolic in
    ``alpha`` and ``ell`` (``d* ~ f^u``, ``gamma* ~ f^w``, ``P* ~ f^-t``).

    >>> u, w, t = drift_wall_vertex()
    >>> sp.simplify(t.subs(ell_sym, 0) - 4 * alpha / (4 * alpha + 1))
    0
    """
    noise, f_ac, drift = _svi_rows()
    sol = sp.solve([sp.Eq(t_sym, noise), sp.Eq(t_sym, f_ac), sp.Eq(drift, ell_sym)], [u_sym, w_sym, t_sym],
                   dict=True)
    if len(sol) != 1:  # pragma: no cover
        raise RuntimeError("no unique S-VI vertex")
    s = sol[0]
    return tuple(sp.factor(sp.simplify(s[v])) for v in (u_sym, w_sym, t_sym))


def _alpha_ok(alpha_value):
    if isinstance(alpha_value, sp.Basic):
        return alpha_value
    a = check_real("alpha", alpha_value, gt=0.5)
    return sp.Rational(repr(float(a)))


def drift_wall_log_exponent(alpha_value=None):
    """``kappa`` in ``P* ~ f^(-4a/(4a+1)) L^kappa`` when the wall sits at ``gamma s N = L``
    (``L ~ ln N`` on ``beta = alpha + 1/2``, where ``x_pp = 2``): ``kappa = -dt/d ell``.

    Parameters
    ----------
    alpha_value : float > 1/2, optional
        ``None``: the SymPy expression in ``alpha``.

    Returns
    -------
    sympy.Expr or float

    Examples
    --------
    >>> drift_wall_log_exponent(0.7)
    0.5263157894736842
    >>> drift_wall_log_exponent()
    2/(4*alpha + 1)

    References
    ----------
    Kim, Song & Yun (2026), arXiv:2603.02069 (setting; derived here).
    """
    _, _, t = drift_wall_vertex()
    kappa = sp.factor(sp.simplify(-sp.diff(t, ell_sym)))
    if alpha_value is None:
        return kappa
    return float(kappa.subs(alpha, _alpha_ok(alpha_value)))


def drift_wall_local_eta(alpha_value, g):
    """Local compute-optimal slope of signSGD at the S-VI vertex when the optimum's drift-time
    factor grows like ``gamma* s N ~ N^(g/2)`` (measured ``g``; ``g = 0`` is the LP's sharp wall).

    With ``N = f^(1 - u)`` the wall reads ``ell = (g/2)(1 - u)``; the vertex is re-solved
    (SymPy) with it: ``eta = 2 alpha (2 - g) / (4 alpha + 1 - 2 alpha g)``. Returns
    ``(eta, xi, e)``.

    Examples
    --------
    >>> [round(x, 4) for x in drift_wall_local_eta(0.7, 0.0)]
    [0.7368, 0.6316, 1.0833]

    References
    ----------
    Kim, Song & Yun (2026), arXiv:2603.02069 (setting; derived here).
    """
    a = _alpha_ok(alpha_value)
    gv = check_real("g", g, ge=0, lt=1)
    u, w, t = _local_vertex()
    subs = {alpha: a, g_sym: sp.Rational(repr(float(gv)))}
    uu, ww, tt = (float(x.subs(subs)) for x in (u, w, t))
    if not 0 < uu < 1:
        raise ParameterError("g", "a wall growth that keeps 0 < xi < 1", float(gv))
    return tt, uu, -ww / uu


@lru_cache(maxsize=None)
def _local_vertex():
    noise, f_ac, drift = _svi_rows()
    sol = sp.solve([sp.Eq(t_sym, noise), sp.Eq(t_sym, f_ac), sp.Eq(drift, g_sym / 2 * (1 - u_sym))],
                   [u_sym, w_sym, t_sym], dict=True)
    if len(sol) != 1:  # pragma: no cover
        raise RuntimeError("no unique S-VI vertex")
    return tuple(sp.factor(sp.simplify(sol[0][v])) for v in (u_sym, w_sym, t_sym))
