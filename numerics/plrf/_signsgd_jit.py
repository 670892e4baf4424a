"""Compiled (numba) loops of the signSGD per-mode risk equations (:mod:`numerics.plrf._signsgd`).

Imported only when a compiled path runs (:func:`numerics._jit.enabled`), so importing the package does
not import numba. ``recursion`` runs entirely here (an elementwise update and a fixed-order sum a step);
``loggrid`` runs each chunk's arithmetic here (predictor, stiff fallback, closed-form advance, clip),
its chunk sizing staying in Python. The same steps, chunks and divergence checks as the NumPy loops
beside them in ``_signsgd``; ``tests/numerics/plrf/test_signsgd_jit.py`` checks the two agree.
"""

from __future__ import annotations

import math

import numpy as np

from .._jit import njit

_TWO_PI = 2.0 / math.pi


@njit
def _phi(P):  # pragma: no cover - compiled
    """``(2/pi) / sqrt(max(P, 1e-300))`` with Python's ``max``: a NaN risk stays NaN, as in the NumPy path."""
    if 1e-300 > P:
        P = 1e-300
    return _TWO_PI / math.sqrt(P)


@njit
def _sum4(x):  # pragma: no cover - compiled
    """``sum(x)`` in a fixed order, four interleaved partial sums then pairwise (the kernels do not let the
    compiler re-associate sums, ``numerics._jit``; a plain running sum would not vectorise)."""
    n = x.size
    m = n - n % 4
    a0 = a1 = a2 = a3 = 0.0
    for j in range(0, m, 4):
        a0 += x[j]
        a1 += x[j + 1]
        a2 += x[j + 2]
        a3 += x[j + 3]
    for j in range(m, n):
        a0 += x[j]
    return (a0 + a1) + (a2 + a3)


@njit
def _recursion_kernel(r, rd, rn, components, lam, n, factors, lr, p_inf, lam_max, k, i, rec, out, out_d, out_n,
                      out_nr):  # pragma: no cover - compiled
    """Compiled ``method="recursion"`` loop: the same steps as the NumPy loop in :func:`signsgd_plrf_risk`, an
    elementwise update and a fixed-order sum over the modes per step; ``out`` filled at
    ``rec[i:]``. Without ``components`` ``r`` is advanced in place; with them ``rd`` (no injected noise) and
    ``rn`` (started from 0) are, with the same factors and ``phi`` from their sum, and ``out_d``, ``out_n``,
    ``out_nr`` are filled as ``extra["drift"]``, ``["noise"]``, ``["noise_relaxed"]`` (the flag is loop
    invariant: the compiler splits the loops). Returns ``(diverged, k, g, phi)``: ``diverged`` 1 with the
    step, rate and ``phi`` at which ``2 g phi lam_max > 2``, else 0 with the final step."""
    d = lam.size
    s = (_sum4(rd) + _sum4(rn)) if components else _sum4(r)
    drift_time = 0.0
    while i < rec.size:
        if k == rec[i]:
            out[i] = p_inf + s
            if components:
                sd = 0.0
                sn = 0.0
                snr = 0.0
                for j in range(d):
                    sd += rd[j]
                    sn += rn[j]
                    if drift_time * lam[j] >= 1.0:
                        snr += rn[j]
                out_d[i] = sd
                out_n[i] = sn
                out_nr[i] = snr
            i += 1
            continue
        g = lr * factors[k]
        ph = _phi(p_inf + s)
        if 2.0 * g * ph * lam_max > 2.0:
            return 1, k, g, ph
        c = 2.0 * g * ph
        gg = g * g
        if components:
            for j in range(d):
                a = 1.0 - c * lam[j]
                rd[j] = rd[j] * a
                rn[j] = rn[j] * a + gg * n[j]
            s = _sum4(rd) + _sum4(rn)
            drift_time += c
        else:
            for j in range(d):
                r[j] = r[j] * (1.0 - c * lam[j]) + gg * n[j]
            s = _sum4(r)
        k += 1
    return 0, k, lr, math.nan


@njit
def _advance_coef(x, m):  # pragma: no cover - compiled
    """``(a^m, (1 - a^m) / (1 - a))`` of :func:`_advance` for one mode, ``a = 1 + x``, ``x = -2 g phi lam``,
    the same branches (``m == 1``: ``(1 + x, 1)``, the NumPy path's one-step update)."""
    if m == 1:
        return 1.0 + x, 1.0
    if x > -1.0:
        la = math.log1p(x)
        am = math.exp(m * la)
        em1 = math.expm1(m * la)
    else:  # stiff mode (or NaN): a^m directly, as the NumPy path
        am = math.pow(1.0 + x, float(m))
        em1 = am - 1.0
    if abs(x) > 1e-12:
        geo = -em1 / (-x if x != 0.0 else 1.0)
    else:
        geo = float(m)
    return am, geo


@njit
def _advance_one(r, x, ggn, m):  # pragma: no cover - compiled
    """One mode of :func:`_advance` (``ggn = g^2 n``)."""
    am, geo = _advance_coef(x, m)
    return r * am + ggn * geo


@njit
def _loggrid_chunk(r, rd, rn, lam, n, g, m, p_inf, lam_max, components, drift_time):  # pragma: no cover - compiled
    """One chunk of ``method="loggrid"`` (the body of the NumPy loop after the chunk sizing): ``phi``
    at the chunk start, the divergence check, the predictor (``phi`` at the predicted end, geometric
    mean), the stiff-mode fallback to ``m // 4``, the closed-form advance of ``r`` (or of ``rd`` and
    ``rn`` with the common clip) and the clip at 0, in place. Returns ``(diverged, phi_used, m_used,
    drift_time)``; ``phi_used`` is ``phi`` at the start when ``diverged``."""
    d = r.size
    s = 0.0
    for j in range(d):
        s += r[j]
    P = p_inf + s
    if 1e-300 > P:
        P = 1e-300
    ph0 = _TWO_PI / math.sqrt(P)
    if 2.0 * g * ph0 * lam_max > 2.0:
        return 1, ph0, m, drift_time
    gg = g * g
    if m == 1:
        ph_used, m_used = ph0, 1
    else:
        c = -2.0 * g * ph0
        s1 = 0.0
        for j in range(d):
            pred = _advance_one(r[j], c * lam[j], gg * n[j], m)
            if pred > 0.0:
                s1 += pred
            elif not (pred <= 0.0):  # np.maximum keeps a NaN
                s1 += pred
        P1 = p_inf + s1
        if 1e-300 > P1:
            P1 = 1e-300
        ph1 = _TWO_PI / math.sqrt(P1)
        ph = math.sqrt(ph0 * ph1)
        if 2.0 * g * ph * lam_max > 1.0:
            ph_used, m_used = ph0, max(1, m // 4)
        else:
            ph_used, m_used = ph, m
    c = -2.0 * g * ph_used
    if components:
        for j in range(d):
            am, geo = _advance_coef(c * lam[j], m_used)  # the same factors for both parts
            xd = rd[j] * am + 0.0 * geo  # no injected noise (0 * geo: as the NumPy path, NaN if geo is)
            xn = rn[j] * am + gg * n[j] * geo
            if xd + xn < 0.0:
                xd, xn = 0.0, 0.0
            rd[j] = xd
            rn[j] = xn
            x = xd + xn
            r[j] = 0.0 if x < 0.0 else x
        drift_time += 2.0 * g * ph_used * m_used
    else:
        for j in range(d):
            x = _advance_one(r[j], c * lam[j], gg * n[j], m_used)
            r[j] = 0.0 if x < 0.0 else x
    return 0, ph_used, m_used, drift_time


@njit
def _loggrid_block(r, rd, rn, lam, n, g_plan, m_plan, ok_plan, stiff_guess, p_inf, lam_max, components,
                   drift_time):  # pragma: no cover - compiled
    """Run planned chunks (:func:`_loggrid_chunk`) while the plan holds. Chunk ``j`` has the planned size
    ``m_plan[j]`` and rate ``g_plan[j]``, and ``ok_plan[j]`` says whether its ladder stops at the planned level;
    the plan assumed every chunk of size > 1 stiff (``stiff_guess``) or none. Stops before a chunk whose ladder
    stops elsewhere (reason 1: the caller sizes it with the full ladder), after the first chunk whose stiffness
    differs from the guess (reason 2: the plan's later starts are wrong), or at a divergence. Returns
    ``(diverged, chunks_done, steps_done, drift_time, phi, reason)``."""
    k_adv = 0
    for j in range(g_plan.size):
        if not ok_plan[j]:
            return 0, j, k_adv, drift_time, 0.0, 1
        status, ph, m_used, drift_time = _loggrid_chunk(r, rd, rn, lam, n, g_plan[j], m_plan[j], p_inf, lam_max,
                                                        components, drift_time)
        if status:
            return 1, j, k_adv, drift_time, ph, 0
        k_adv += m_used
        if m_plan[j] > 1 and (m_used != m_plan[j]) != stiff_guess:
            return 0, j + 1, k_adv, drift_time, ph, 2
    return 0, g_plan.size, k_adv, drift_time, 0.0, 0
