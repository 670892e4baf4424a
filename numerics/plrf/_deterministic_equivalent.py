"""Deterministic equivalent of the PLRF spectrum: m(z), the F and K measures, F_0, and a
discrete (eigenvalue, weight) representation for the Volterra solvers.

Model: ``K-hat = D^{1/2} W W^T D^{1/2}`` is a sample covariance of the population ``D`` with
``d`` samples. Its resolvent is replaced by ``R(z) = diag(1/(lambda_j m(z) - z))`` where

    m(z) = 1 / (1 + (1/d) sum_{j<=v} lambda_j / (lambda_j m(z) - z)),    lambda_j = j^(-2 alpha).

Derived here (and tested): with the subordination variable ``omega = z / m`` the fixed point is
explicit in the other direction,

    m = 1 - S(omega)/d,   z(omega) = omega (1 - S(omega)/d),   S(omega) = sum_j lambda_j/(lambda_j - omega),

so Newton's method is run on ``z(omega) = z`` (``z'(omega) = 1 - S/d - omega S'/d``), with
continuation along the contour (points start from solved neighbours; points where that fails
restart from a large imaginary part). Iterations stop on the stated relative tolerance ``rtol``
of the residual, not after a fixed count.

Cost (issue 17). ``method="quadrature"`` (default) evaluates the sums over the ``v`` modes with
:class:`~numerics.plrf._power_sums.PowerSums` -- exact head and pole-window terms, Gregory's
end corrections and Gauss-Legendre quadrature of the power law for the rest, about 600
evaluations a point whatever ``v`` -- and runs Newton on all contour points at once (NumPy),
from a sequential pass over every 32nd point; the contour has ``log(x_hi/x_lo)/delta`` points,
which grows like ``log d``. Measured (``benchmarks/bench_scaling.py``): d = 10^6, v = 10^7 in
about a second, the same as d = 400. ``method="reference"`` is the earlier per-point solver
(sums over the modes in a moving window), kept as the reference; the two agree to ~1e-12 in
eigenvalues and weights (tests).

Measures (research note Sec. 1.4(b)):

* ``G_F(z) = sum_j lambda_j b_j^2 / (lambda_j m - z)`` (target measure ``mu_F``; ``F(r) = int
  Q_r d mu_F``), whose atom at 0 is ``F_0``;
* eigenvalue counting: ``log det(K-hat - z)`` has the deterministic equivalent
  ``Psi(z) = sum_j log(lambda_j m - z) - d log m + d (m - 1)`` (derived: ``dPsi/dm = 0`` at the
  fixed point, and ``dPsi/dz = -tr R(z)``), so the number of non-zero eigenvalues below ``x`` is
  ``-(1/pi) [Im Psi(x + i eta) - (v - d) arg(-z)]`` -- evaluated pointwise, no integration.
  This is equivalent to the kernel measure ``tr(K-hat^2 (K-hat - z)^{-1}) ~ d z (1 - m)`` of the
  note (``(1/d) tr (W^T D W - z)^{-1} ~ -m/z``);
* ``F_0`` (finite ``v, d``): as ``z -> 0``, ``m ~ -z t`` with ``(1/d) sum_j t lambda_j/(1 + t lambda_j)
  = 1`` (the ``tau`` fixed point) and ``F_0 = sum_j lambda_j b_j^2 / (1 + t lambda_j)``
  (derived here; equals the note's ``tau`` form). The continuum ``kappa`` form
  ``kappa int_0^{v/d} dx / (kappa + x^{2 alpha}) = 1``, ``t = kappa d^{2 alpha}`` is reported too.

Discrete representation: on a log grid of ``x`` (spacing ``delta`` in ``log x``) with
``z = x + i delta x`` the count ``N(x)`` and the density ``(1/pi) Im (G_F(z) + F_0/z)`` (the
exact atom at 0 removed) are computed; eigenvalue ``k`` sits where ``N = k - 1/2`` and its weight is
the ``mu_F`` mass between ``N = k - 1`` and ``N = k`` (the authors' "half-integer crossings",
``deterministic_spectra``); weights are renormalised so that ``p_inf + sum(weights)`` is the exact
initial risk. An eigenvalue misplaced by a relative ``delta`` changes ``q^r`` by at most a factor
``exp(2 gamma B lambda r delta)`` where the term is already ``exp(-2 gamma B lambda r)``, so curve
errors are ``O(delta)`` and smaller; measured against sampled ``W`` in the tests.

References
----------
Paquette, Paquette, Xiao & Pennington, NeurIPS 2024 (arXiv:2405.15074), eq. (9) and Fig. 6-7
(resolvent, Newton method, contour); LosVolterrosHermanos/Experimental
``colabs/PowerlawVolterra_largeD_20240426.ipynb`` (``jax_gen_m_batched``, ``Fmeasure``,
``Kmeasure``) and ``power_law_rf/deterministic_equivalent.py`` (``deterministic_spectra``,
``theory_limit_loss``); Z. D. Bai & J. W. Silverstein, "Spectral Analysis of Large Dimensional
Random Matrices" (2010), Ch. 4 (Marchenko-Pastur equation for sample covariances); research
note ``plrf_signsgd.md`` Sec. 1.4(b), 1.4(d).
"""

from __future__ import annotations

import cmath
import math
import time
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import brentq
from scipy.special import hyp2f1

from theory import ParameterError
from theory.plrf import PLRF
from theory.validate import check_choice, check_real

from .. import _jit
from ._power_sums import PowerSums
from ._spectra import Spectrum


def _power_sums(problem: PLRF) -> PowerSums:
    """Sums over ``lambda_j = j^(-2 alpha)``, ``t_j = lambda_j b_j^2 = j^(-2 alpha - 2 beta)``."""
    return PowerSums(2.0 * problem.alpha, 2.0 * problem.beta, int(problem.v))

__all__ = ["DeterministicEquivalent", "deterministic_equivalent", "solve_m", "limit_level"]


@dataclass(frozen=True)
class DeterministicEquivalent:
    """Result of :func:`deterministic_equivalent`.

    Attributes
    ----------
    spectrum : Spectrum
        ``d`` eigenvalues and weights (``kind="deterministic"``), ``p_inf = f0``.
    f0 : float
        Point mass of ``mu_F`` at 0 (the limit level ``F_0``), from the ``tau`` fixed point.
    tau : float
        ``t`` with ``(1/d) sum_j t lambda_j / (1 + t lambda_j) = 1`` (so ``m(z) ~ -t z``).
    kappa, f0_kappa : float or None
        Continuum version (``2 alpha > 1``): ``kappa int_0^{v/d} dx/(kappa + x^{2 alpha}) = 1`` and
        ``F_0 = sum_j j^{-2alpha-2beta} / (1 + kappa d^{2 alpha} j^{-2 alpha})``.
    x, eta : ndarray
        Contour points ``z = x + i eta``.
    m : ndarray (complex)
        ``m(z)`` on the contour.
    count : ndarray
        Number of non-zero eigenvalues below ``x`` (smoothed at scale ``eta``).
    f_density : ndarray
        ``(1/pi) Im (G_F(z) + F_0/z)``.
    newton_iterations : int
        Total Newton steps; ``residual``: max relative residual ``|z(omega) - z|/|z|``.
    status : {"ok", "not_converged"}
    message : str
    diagnostics : dict
        Timing, grid size, count at the grid ends, mass renormalisation factor, ...
    """

    spectrum: Spectrum
    f0: float
    tau: float
    kappa: float | None
    f0_kappa: float | None
    x: np.ndarray
    eta: np.ndarray
    m: np.ndarray
    count: np.ndarray
    f_density: np.ndarray
    newton_iterations: int
    residual: float
    status: str
    message: str
    diagnostics: dict = field(default_factory=dict)


def _problem_arrays(problem: PLRF, arrays: bool = True):
    if not isinstance(problem, PLRF):
        raise ParameterError("problem", "a theory.plrf.PLRF instance", type(problem).__name__)
    if problem.v_is_infinite:
        raise ParameterError("problem.v", "finite for the deterministic equivalent (use e.g. v = 10 d)", problem.v)
    if not arrays:
        return None
    lam = problem.population_eigenvalues()
    t = lam * problem.target() ** 2  # lambda_j b_j^2
    return lam, t


# --------------------------------------------------------------------------- F_0 (tau / kappa)
def limit_level(problem: PLRF, *, method: str = "quadrature") -> dict:
    """``F_0`` (point mass at 0 of ``mu_F``) from the finite-(v, d) ``tau`` fixed point, and the
    continuum ``kappa`` version for ``2 alpha > 1``.

    Returns a dict with ``f0``, ``tau``, ``kappa``, ``f0_kappa`` (the last two ``None`` when
    ``2 alpha <= 1``). ``method="quadrature"`` (default) does the sums over the ``v`` modes with
    :class:`PowerSums` (cost independent of ``v``); ``"reference"`` sums them term by term.

    Examples
    --------
    ``v = 2``, ``d = 1``, ``lambda = (1, 1/4)``: ``t/(1+t) + (t/4)/(1+t/4) = 1`` gives ``t = 2``
    and ``F_0 = 1/3 + 2^(-4)/(3/2)`` (with ``beta = 1``):

    >>> lv = limit_level(PLRF(1.0, 1.0, 2, 1))
    >>> round(lv["tau"], 12), round(lv["f0"], 12)
    (2.0, 0.375)

    References
    ----------
    Research note Sec. 1.4(d) (``tt_tau_VD``, ``tt_kappa_VD``, ``theory_limit_loss``); derived
    here from ``m(z) ~ -t z`` as ``z -> 0``.
    """
    check_choice("method", method, ("quadrature", "reference"))
    _problem_arrays(problem, arrays=False)
    d, v = problem.d, int(problem.v)
    if method == "quadrature":
        ps = _power_sums(problem)
        # sum_j 1/(1 + 1/(t lambda_j)) = S(-1/t);  sum_j t_j/(1 + t lambda_j) = T(-1/t) / t
        frac = lambda t: float(ps.s_and_ds(np.array([-1.0 / t + 0j]))[0][0].real)  # noqa: E731
        f0_at = lambda t: float((ps.measures(np.array([-1.0 / t + 0j]), np.array([1.0 + 0j]))[1][0] / t).real)  # noqa: E731
    else:
        lam, tw = _problem_arrays(problem)
        frac = lambda t: float(np.sum(1.0 / (1.0 + 1.0 / (t * lam[::-1]))))  # noqa: E731
        f0_at = lambda t: float(np.sum((tw / (1.0 + t * lam))[::-1]))  # noqa: E731
    if v == d:
        tau = math.inf
        f0 = 0.0
    else:
        g = lambda s: frac(math.exp(s)) / d - 1.0  # noqa: E731  (t = e^s)
        lo, hi = -50.0, 50.0
        while g(lo) > 0:
            lo -= 50
        while g(hi) < 0:
            hi += 50
        s = brentq(g, lo, hi, xtol=1e-14, rtol=1e-14)
        tau = math.exp(s)
        f0 = f0_at(tau)
    kappa = f0k = None
    a = problem.alpha
    if 2 * a > 1:
        r = v / d
        def h(k):  # kappa int_0^r dx / (kappa + x^p) = r 2F1(1, 1/p; 1 + 1/p; -r^p / kappa)  (p = 2 alpha)
            return r * hyp2f1(1.0, 1.0 / (2 * a), 1.0 + 1.0 / (2 * a), -(r ** (2 * a)) / k) - 1.0

        lo, hi = 1e-12, 1.0
        while h(hi) < 0:
            hi *= 10
        kappa = brentq(h, lo, hi, xtol=1e-15, rtol=1e-13)
        f0k = f0_at(kappa * d ** (2 * a))
    return {"f0": f0, "tau": tau, "kappa": kappa, "f0_kappa": f0k}


# --------------------------------------------------------------------------- Newton in omega
class _Sums:
    """Sums over the population eigenvalues at ``omega``: ``S``, ``S'``, ``T`` and the count.

    Terms with ``lambda_j >= |omega| / eps`` or ``lambda_j <= eps |omega|`` are summed by their
    Taylor series in ``omega / lambda_j`` (resp. ``lambda_j / omega``) truncated after ``K`` terms
    (relative truncation error ``eps^(K+1)``, 1e-17 by default), using moments precomputed at a
    geometric set of split indices; only the window in between is summed term by term. This makes
    the cost per point ``O(window)`` instead of ``O(v)`` (derived here; tested equal to the full sums).
    """

    def __init__(self, lam, tw, d, eps: float = 0.02, K: int = 9, window: bool = True):
        self.lam, self.tw, self.d = lam, tw, d
        self.eps, self.K = eps, K
        v = lam.size
        self.window = window and v > 16384  # below that the plain sums are faster
        if not self.window:
            return
        nb = np.unique(np.concatenate([np.rint(np.geomspace(1, v + 1, 2000)) - 1, [0, v]])).astype(np.int64)
        self.nb = nb
        with np.errstate(over="ignore"):
            hm = [np.concatenate([[0.0], np.cumsum(lam ** (-k))])[nb] for k in range(K + 2)]
            ht = [np.concatenate([[0.0], np.cumsum(tw * lam ** (-k - 1))])[nb] for k in range(K + 1)]
        self.hm, self.ht = np.array(hm), np.array(ht)
        ok = np.all(np.isfinite(self.hm), axis=0) & np.all(np.isfinite(self.ht), axis=0)
        self.max_lo = int(np.flatnonzero(ok)[-1])
        suf = lambda a: np.concatenate([np.cumsum(a[::-1])[::-1], [0.0]])[nb]  # noqa: E731  sum_{i >= nb}
        self.lm = np.array([suf(lam ** k) for k in range(K + 2)])
        self.lt = np.array([suf(tw * lam**k) for k in range(K + 1)])
        self.neg_lam = -lam

    def _split(self, w):
        a = abs(w)
        n_lo = int(np.searchsorted(self.neg_lam, -a / self.eps, side="right"))
        i_lo = min(int(np.searchsorted(self.nb, n_lo, side="right")) - 1, self.max_lo)
        n_hi = int(np.searchsorted(self.neg_lam, -self.eps * a, side="left"))
        i_hi = int(np.searchsorted(self.nb, n_hi, side="left"))
        return i_lo, i_hi

    def _window(self, w):
        if not self.window:
            return None, 0, self.lam.size
        i_lo, i_hi = self._split(w)
        return (i_lo, i_hi), int(self.nb[i_lo]), int(self.nb[i_hi])

    def s_and_ds(self, w):
        """S and S' at omega = w."""
        sp, j0, j1 = self._window(w)
        lam = self.lam[j0:j1]
        a, b = w.real, w.imag
        u = lam - a
        D = u * u + b * b
        r = lam / D
        S = complex(r @ u, b * r.sum())
        r2 = r / D
        dS = complex(r2 @ (u * u - b * b), 2.0 * b * (r2 @ u))
        if sp is not None:
            i_lo, i_hi = sp
            K = self.K
            wp = w ** np.arange(K + 2)
            S += complex(wp[: K + 1] @ self.hm[: K + 1, i_lo])
            dS += complex((np.arange(1, K + 2) * wp[: K + 1]) @ self.hm[1 : K + 2, i_lo])
            iw = (1.0 / w) ** np.arange(1, K + 3)
            S -= complex(iw[: K + 1] @ self.lm[1 : K + 2, i_hi])
            dS += complex((np.arange(1, K + 2) * iw[1 : K + 2]) @ self.lm[1 : K + 2, i_hi])
        return S, dS

    def z_of(self, w):
        S, dS = self.s_and_ds(w)
        return w * (1.0 - S / self.d), 1.0 - S / self.d - w * dS / self.d, S

    def measures(self, w, m, z):
        """``(sum_j arg(lambda_j m - z), T(omega) = sum_j t_j / (lambda_j - omega))``."""
        sp, j0, j1 = self._window(w)
        if sp is not None and math.atan2(m.imag, m.real) < -math.pi + 0.05:
            sp, j0, j1 = None, 0, self.lam.size  # high-set args could wrap at -pi: sum them exactly
        lam, tw = self.lam[j0:j1], self.tw[j0:j1]
        args = float(np.sum(np.arctan2(lam * m.imag - z.imag, lam * m.real - z.real)))
        u = lam - w.real
        D = u * u + w.imag**2
        T = complex(tw @ (u / D), w.imag * float(tw @ (1.0 / D)))
        if sp is not None:
            i_lo, i_hi = sp
            K = self.K
            k = np.arange(1, K + 2)
            wp = w ** np.arange(K + 2)
            iw = (1.0 / w) ** np.arange(K + 2)
            n_h, n_l = j0, self.lam.size - j1
            args += n_h * math.atan2(m.imag, m.real) - (wp[1:] / k @ self.hm[1 : K + 2, i_lo]).imag
            args += n_l * math.atan2(-z.imag, -z.real) - (iw[1:] / k @ self.lm[1 : K + 2, i_hi]).imag
            T += complex(wp[: K + 1] @ self.ht[:, i_lo]) - complex(iw[1 : K + 2] @ self.lt[:, i_hi])
        return args, T


def _newton(sums: _Sums, z: complex, w0: complex, rtol: float, maxit: int = 60):
    """Solve ``z(omega) = z`` from ``omega0`` keeping ``Im omega > 0``; returns (omega, iters, ok).

    Converged when the relative residual ``|z(omega) - z| / |z| <= rtol``.
    """
    w = w0
    az = abs(z)
    for it in range(1, maxit + 1):
        zw, dz, _ = sums.z_of(w)
        if abs(zw - z) <= rtol * az:
            return w, it - 1, True
        step = (zw - z) / dz
        lam_ = 1.0
        wn = w - step
        while wn.imag <= 0 and lam_ > 1e-6:  # stay in the upper half plane (physical branch)
            lam_ *= 0.5
            wn = w - lam_ * step
        if not (np.isfinite(wn.real) and np.isfinite(wn.imag)) or wn.imag <= 0 or abs(lam_ * step) < 1e-16 * abs(w):
            return w, it, False
        w = wn
    zw, _, _ = sums.z_of(w)
    return w, maxit, abs(zw - z) <= rtol * az


def _solve_continuation(sums: _Sums, z: complex, rtol: float, scale: float):
    """Fallback: continuation from z + i H down to z along the imaginary direction."""
    H = 10.0 * scale + 10.0 * abs(z)
    w = complex(z.real, z.imag + H)
    its = 0
    for level in np.geomspace(H, max(H * 1e-14, 1e-300), 60):
        zl = complex(z.real, z.imag + level)
        w, k, ok = _newton(sums, zl, w, 1e-8)
        its += k
    w, k, ok = _newton(sums, z, w, rtol)
    return w, its + k, ok


def solve_m(problem: PLRF, z, *, rtol: float = 1e-12) -> np.ndarray:
    """``m(z)`` for an array of ``z`` in the upper half plane (Newton, continuation in Im z).

    Examples
    --------
    ``v = d = 1``, ``lambda = 1``, ``z -> -1``: ``m = 1/(1 + 1/(m + 1))``, i.e. ``m^2 + m - 1 = 0``,
    whose positive root is ``(sqrt(5) - 1)/2``:

    >>> m = solve_m(PLRF(1.0, 1.0, 1, 1), [complex(-1.0, 1e-12)])
    >>> round(float(m[0].real), 10)
    0.6180339887

    References
    ----------
    Paquette et al. 2024, eq. (9); research note Sec. 1.4(b).
    """
    lam, tw = _problem_arrays(problem)
    zz = np.atleast_1d(np.asarray(z, dtype=np.complex128))
    if np.any(zz.imag <= 0):
        raise ParameterError("z", "Im z > 0 (upper half plane)", zz[zz.imag <= 0][0])
    sums = _Sums(lam, tw, problem.d)
    out = np.empty(zz.shape, np.complex128)
    for i, zi in enumerate(zz.ravel()):
        w, _, ok = _solve_continuation(sums, complex(zi), rtol, 1.0 + problem.trace_D() / problem.d)
        if not ok:
            raise ParameterError("z", "a point where Newton's method converges", complex(zi))
        out.ravel()[i] = zi / w
    return out


# --------------------------------------------------------------------------- the contour sweep
def deterministic_equivalent(problem: PLRF, *, rtol: float = 1e-10, delta: float = 0.02,
                             method: str = "quadrature") -> DeterministicEquivalent:
    """Deterministic-equivalent spectrum of ``W^T D W`` with target weights, and ``F_0``.

    Parameters
    ----------
    problem : theory.plrf.PLRF
        Finite ``v``; works for ``2 alpha < 1`` and ``2 alpha > 1``.
    rtol : float
        Relative tolerance of each Newton solve (on the residual ``|z(omega) - z| / |z|``).
    delta : float
        Grid spacing in ``log x`` and relative smoothing ``eta = delta x`` of the measures.
    method : {"quadrature", "reference"}
        ``"quadrature"`` (default): the sums over the ``v`` modes by :class:`PowerSums` (head and
        window terms exact, the rest by Gregory's formula and Gauss-Legendre quadrature of the power
        law: about 600 evaluations a point whatever ``v``), and Newton's method on all contour points
        at once (NumPy-vectorised), started from a sparse sequential continuation pass
        (every 8th point) and the log-linear interpolation of its solutions; points where that fails
        are solved by continuation from a converged neighbour, then from a large imaginary part.
        ``"reference"``: the earlier implementation, one contour point at a time with
        sums over every mode in a moving window (kept as the reference; same grid and formulas).

    Returns
    -------
    DeterministicEquivalent

    Examples
    --------
    The initial risk is exact by construction:

    >>> de = deterministic_equivalent(PLRF(1.0, 0.8, 400, 100))
    >>> de.status, de.spectrum.d, bool(abs(de.spectrum.initial_risk - PLRF(1.0, 0.8, 400, 100).initial_risk()) < 1e-12)
    ('ok', 100, True)

    References
    ----------
    Paquette et al. 2024 (arXiv:2405.15074), eq. (9), Fig. 6; authors' ``deterministic_spectra``;
    research note Sec. 1.4(b)-(d).
    """
    t_start = time.perf_counter()
    rtol = check_real("rtol", rtol, gt=0, lt=1e-2)
    delta = check_real("delta", delta, gt=0, le=0.2)
    check_choice("method", method, ("quadrature", "reference"))
    _problem_arrays(problem, arrays=False)
    d, v = problem.d, int(problem.v)
    lv = limit_level(problem, method=method)
    f0, tau = lv["f0"], lv["tau"]
    total = float(problem.initial_risk())
    scale = 1.0 + problem.trace_D() / d
    x_hi = 2.0 * scale
    x_lo = 1e-3 / tau if np.isfinite(tau) else 1e-3 * float(v) ** (-2.0 * problem.alpha)
    x_lo = min(x_lo, 1e-3 * float(min(d, v)) ** (-2.0 * problem.alpha))
    n = int(np.ceil(np.log(x_hi / x_lo) / delta)) + 1
    xs_desc = np.exp(np.linspace(np.log(x_hi), np.log(x_lo), n))
    xs = xs_desc[::-1]
    sharp_eta = 1e-9
    if method == "reference":
        lam, tw = _problem_arrays(problem)
        if v <= 16384:
            total = float(np.sum(tw[::-1]))
        sums = _Sums(lam, tw, d)
        (ws0, its0, fails0), (ws1, its1, fails1) = (_sweep_reference(sums, xs_desc, e, rtol, scale)
                                                    for e in (sharp_eta, delta))
        _, count0, g0, resid0 = _measures_reference(sums, xs, ws0, sharp_eta, d, v, f0)
        m, count, g1, resid1 = _measures_reference(sums, xs, ws1, delta, d, v, f0)
    else:
        ps = _power_sums(problem)
        (ws0, its0, fails0), (ws1, its1, fails1) = _sweeps_vectorised(ps, d, xs_desc, (sharp_eta, delta), rtol,
                                                                      scale)
        _, count0, g0, resid0 = _measures_vectorised(ps, xs, ws0, sharp_eta, d, v, f0)
        m, count, g1, resid1 = _measures_vectorised(ps, xs, ws1, delta, d, v, f0)
    its, fails = its0 + its1, fails0 + fails1
    resid = max(resid0, resid1)
    t_sweeps = time.perf_counter() - t_start
    logx = np.log(xs)
    # eigenvalue k (ascending) where the sharp count crosses k - 1/2
    c0 = np.maximum.accumulate(np.clip(count0, 0.0, d))
    c0 = c0 + np.arange(xs.size) * 1e-9
    eig = np.exp(np.interp(np.arange(1, d + 1) - 0.5, c0, logx))
    # weights: mu_F mass between the geometric midpoints of consecutive eigenvalues, by Cauchy's
    # theorem along the path x (1 + i delta) plus the two vertical segments down to the axis
    dz = np.diff(xs) * (1.0 + 1j * delta)
    path = np.concatenate([[0.0], np.cumsum((0.5 * (g1[1:] + g1[:-1]) * dz).imag)]) / math.pi
    edges = np.concatenate([[logx[0]], 0.5 * (np.log(eig[1:]) + np.log(eig[:-1])), [logx[-1]]])

    def vertical(e):  # (1/pi) Im int_{e}^{e(1 + i delta)} G dz, trapezoid in the height
        gi = (np.interp(e, logx, g0.real) + np.interp(e, logx, g1.real)
              + 1j * (np.interp(e, logx, g0.imag) + np.interp(e, logx, g1.imag)))
        return (0.5 * gi * 1j * delta * np.exp(e)).imag / math.pi

    medges = np.interp(edges, logx, path) - vertical(edges) + vertical(edges[:1])[0]
    wts = np.maximum(np.diff(medges), 0.0)
    target = max(total - f0, 0.0)
    renorm = target / wts.sum() if wts.sum() > 0 else float("nan")
    wts = wts * renorm if np.isfinite(renorm) else np.full(d, target / d)
    dens = g1.imag / math.pi
    count_lo, count_hi = float(count0[0]), float(count0[-1])
    spec = Spectrum(eig, wts, f0, "deterministic")
    ok = fails == 0 and resid <= 1e3 * rtol and count_lo < 0.5 and count_hi > d - 0.5
    msg = (f"{xs.size} contour points x 2 sweeps ({method}), {its} Newton steps, max relative residual {resid:.1e}; "
           f"count {count_lo:.3g} at x={xs[0]:.3g} and {count_hi:.6g} (of d={d}) at x={xs[-1]:.3g}; "
           f"weights renormalised by {renorm:.6f}")
    diag = {"seconds": time.perf_counter() - t_start, "seconds_sweeps": t_sweeps, "grid_points": int(xs.size),
            "count_low": count_lo, "count_high": count_hi, "renormalisation": float(renorm),
            "newton_failures": int(fails), "delta": delta, "rtol": rtol, "method": method}
    return DeterministicEquivalent(spec, f0, tau, lv["kappa"], lv["f0_kappa"], xs, delta * xs, m, count, dens,
                                   its, resid, "ok" if ok else "not_converged", msg, diag)


# --------------------------------------------------------------------------- sweeps: reference
def _sweep_reference(sums: _Sums, xs, rel_eta, rtol, scale):
    """Solve along xs (descending) at z = x (1 + i rel_eta), one point at a time (continuation)."""
    ws = np.empty(xs.size, np.complex128)
    its, fails = 0, 0
    w = None
    for i, x in enumerate(xs):
        z = complex(x, rel_eta * x)
        ok = False
        if w is not None:
            w_try, k, ok = _newton(sums, z, w * (x / xs[i - 1]), rtol)
            its += k
            if ok:
                w = w_try
        if not ok:
            w, k, ok = _solve_continuation(sums, z, rtol, scale)
            its += k
            fails += 0 if ok else 1
        ws[i] = w
    return ws[::-1], its, fails


def _count_correction(rel_eta):
    # each eigenvalue far below x counts 1 - atan(rel_eta)/pi at relative smoothing rel_eta
    return 1.0 - math.atan(rel_eta) / math.pi


def _measures_reference(sums: _Sums, xs, ws, rel_eta, d, v, f0):
    z = xs * (1.0 + 1j * rel_eta)
    m = z / ws
    count = np.empty(xs.size)
    greg = np.empty(xs.size, np.complex128)
    resid = 0.0
    for i in range(xs.size):
        mi, zi, w = m[i], z[i], ws[i]
        args, T = sums.measures(w, mi, zi)
        im_psi = args - d * math.atan2(mi.imag, mi.real) + d * mi.imag
        count[i] = -(im_psi - (v - d) * math.atan2(-zi.imag, -zi.real)) / math.pi
        greg[i] = T / mi + f0 / zi  # G_F with its atom at 0 removed
        zw, _, _ = sums.z_of(w)
        resid = max(resid, abs(zw - zi) / abs(zi))
    return m, count / _count_correction(rel_eta), greg, resid


# --------------------------------------------------------------------------- sweeps: vectorised
def _z_of_vec(ps: PowerSums, d, w):
    S, dS = ps.s_and_ds(w)
    u = 1.0 - S / d
    return w * u, u - w * dS / d


def _newton_compiled(ps: PowerSums, d, z, w0, rtol, maxit):
    """Newton's method for each point in compiled code (the steps of :func:`_newton_one`):
    ``(omega, converged, total steps)``."""
    from ._deterministic_equivalent_jit import newton_points

    n = z.size
    w_out = np.empty(n, np.complex128)
    ok = np.empty(n, np.bool_)
    its = np.empty(n, np.int64)
    newton_points(*ps.newton_args(), float(d), z, np.ascontiguousarray(w0, np.complex128), float(rtol), int(maxit),
                  w_out, ok, its)
    return w_out, ok, int(its.sum())


def _newton_one(ps: PowerSums, d, z: complex, w0: complex, rtol, maxit: int = 60):
    """:func:`_newton_vec` for one point in Python complex arithmetic (the same steps and stopping
    rules; the sequential continuation calls it thousands of times). Returns ``(omega, ok, steps)``."""
    if _jit.enabled():  # the whole solve compiled (numerics.plrf._deterministic_equivalent_jit)
        wv, okv, k = _newton_compiled(ps, d, np.array([z], np.complex128), np.array([w0], np.complex128), rtol, maxit)
        return complex(wv[0]), bool(okv[0]), int(k)
    w = complex(w0)
    if not (cmath.isfinite(w) and w.imag > 0):
        return w, False, 0
    az = abs(z)
    its = 0
    for _ in range(maxit + 1):
        S, dS = ps.s_and_ds_one(w)
        u = 1.0 - S / d
        zw, dz = w * u, u - w * dS / d
        if abs(zw - z) <= rtol * az:
            return w, True, its
        its += 1
        try:
            step = (zw - z) / dz
        except ZeroDivisionError:
            return w, False, its
        lam_ = 1.0
        wn = w - step
        bad = wn.imag <= 0
        for _h in range(20):  # stay in the upper half plane (physical branch)
            if not bad:
                break
            lam_ *= 0.5
            wn = w - lam_ * step
            bad = wn.imag <= 0
        if bad or not cmath.isfinite(wn) or abs(lam_ * step) < 1e-16 * abs(w):
            return w, False, its
        w = wn
    return w, False, its


def _newton_vec(ps: PowerSums, d, z, w0, rtol, maxit: int = 60):
    """Newton's method on ``z(omega) = z`` for all points at once, keeping ``Im omega > 0``.

    Returns ``(omega, converged mask, total Newton steps)``; a point stops when its relative
    residual is ``<= rtol``, or fails on a non-finite or stalled step.
    """
    w = np.array(w0, np.complex128)
    n = w.size
    if _jit.enabled():
        zz = np.ascontiguousarray(np.broadcast_to(np.asarray(z, np.complex128), w.shape).reshape(-1))
        wv, okv, k = _newton_compiled(ps, d, zz, w.reshape(-1), rtol, maxit)
        return wv.reshape(w.shape), okv.reshape(w.shape), k
    if n <= 4:  # a few points: one at a time in scalar arithmetic (the same steps, a fraction of the overhead)
        zz = np.broadcast_to(np.asarray(z, np.complex128), w.shape)
        res = [_newton_one(ps, d, complex(zz[i]), complex(w[i]), rtol, maxit) for i in range(n)]
        return (np.array([r[0] for r in res], np.complex128), np.array([r[1] for r in res], bool),
                sum(r[2] for r in res))
    ok = np.zeros(n, bool)
    dead = ~np.isfinite(w) | (w.imag <= 0)
    az = np.abs(z)
    its = 0
    act = np.flatnonzero(~dead)
    for _ in range(maxit + 1):
        if act.size == 0:
            break
        zw, dz = _z_of_vec(ps, d, w[act])
        conv = np.abs(zw - z[act]) <= rtol * az[act]
        ok[act[conv]] = True
        keep = ~conv
        act, zw, dz = act[keep], zw[keep], dz[keep]
        if act.size == 0:
            break
        its += act.size
        step = (zw - z[act]) / dz
        wa = w[act]
        lam_ = np.ones(act.size)
        wn = wa - step
        bad = wn.imag <= 0
        for _h in range(20):  # stay in the upper half plane (physical branch)
            if not bad.any():
                break
            lam_[bad] *= 0.5
            wn[bad] = wa[bad] - lam_[bad] * step[bad]
            bad = wn.imag <= 0
        fail = bad | ~np.isfinite(wn) | (np.abs(lam_ * step) < 1e-16 * np.abs(wa))
        w[act[~fail]] = wn[~fail]
        dead[act[fail]] = True
        act = act[~fail]
    return w, ok, its


def _continuation_vec(ps: PowerSums, d, z, rtol, scale, levels: int = 40):
    """Fallback for a set of points: continuation from ``z + i H`` down to ``z`` (all points at once)."""
    H = 10.0 * scale + 10.0 * np.abs(z)
    w = z + 1j * H
    its = 0
    if z.size == 1:  # one point: the same path in scalar arithmetic
        z1, H1, w1 = complex(z[0]), float(H[0]), complex(w[0])
        for t in np.geomspace(1.0, 1e-14, levels):
            w_new, okl, k = _newton_one(ps, d, z1 + 1j * (H1 * float(t)), w1, 1e-8)
            its += k
            w1 = w_new if okl else w1
        w1, ok1, k = _newton_one(ps, d, z1, w1, rtol)
        return np.array([w1]), np.array([ok1]), its + k
    for t in np.geomspace(1.0, 1e-14, levels):
        zl = z + 1j * (H * t)
        w_new, okl, k = _newton_vec(ps, d, zl, w, 1e-8)
        its += k
        w = np.where(okl, w_new, w)
    w, ok, k = _newton_vec(ps, d, z, w, rtol)
    return w, ok, its + k


def _sweeps_vectorised(ps: PowerSums, d, xs, etas, rtol, scale, stride: int = 32, refine=(8, 1)):
    """Solve along xs (descending) at ``z = x (1 + i eta)`` for each ``eta`` in ``etas`` (the sweeps
    advance together, so each Newton call serves all of them).

    A sequential continuation pass over every ``stride``-th point gives the solutions there (the top
    point, above the spectrum, from ``m ~ 1``); the points at the strides in ``refine`` (then all
    points) start from the log-linear interpolation (in ``log x``) of ``log omega`` between solved
    points and are solved together; failures are retried from the converged neighbour above
    (sequentially, as in the reference) and, last, by continuation in the imaginary part.

    Returns a list of ``(omega ascending in x, Newton steps, failures)`` per sweep.
    """
    n, R = xs.size, len(etas)
    z = xs[None, :] * (1.0 + 1j * np.asarray(etas, dtype=np.float64)[:, None])
    w = np.full((R, n), np.nan + 0j)
    ok = np.zeros((R, n), bool)
    its = np.zeros(R, np.int64)

    def walk(r, j, i, step=None):
        """Continuation from the solved point j to i (row r) with an adaptive step: a step that
        fails is halved, one that converges is doubled (at most ``stride``); it gives up when a
        single grid step fails. The sequential cost is then about the number of step changes, not
        the number of grid points (the one-point-at-a-time walk is the case of step 1)."""
        wi, cur = w[r, j], j
        step = max(1, (i - j) // 2) if step is None else step
        while cur < i:
            step = min(step, i - cur)
            t = cur + step
            wt, okt, k = _newton_one(ps, d, complex(z[r, t]), complex(wi * (xs[t] / xs[cur])), rtol)
            its[r] += k
            if not okt:
                if step == 1:
                    return
                step = max(1, step // 2)
                continue
            wi, cur = wt, t
            if not ok[r, t]:
                w[r, t], ok[r, t] = wi, True
            step = min(2 * step, stride)

    coarse = np.unique(np.concatenate([np.arange(0, n, stride), [n - 1]]))
    prev = np.full(R, -1)
    for i in coarse:  # sequential over the coarse points (Python loop over n/stride points), vectorised over sweeps
        rows = np.flatnonzero(prev >= 0)
        if rows.size:
            g = w[rows, prev[rows]] * (xs[i] / xs[prev[rows]])
            wi, oki, k = _newton_vec(ps, d, z[rows, i], g, rtol)
            its[rows] += k // max(rows.size, 1)
            w[rows[oki], i], ok[rows[oki], i] = wi[oki], True
            for r in rows[~oki]:
                walk(r, prev[r], i)
            left = rows[~ok[rows, i]]
            if left.size:
                wi, oki, k = _continuation_vec(ps, d, z[left, i], rtol, scale)
                its[left] += k // max(left.size, 1)
                w[left[oki], i], ok[left[oki], i] = wi[oki], True
        first = np.flatnonzero(prev < 0)
        if first.size:  # the top point lies above the spectrum: m ~ 1 there
            wi, oki, k = _newton_vec(ps, d, z[first, i], z[first, i] + 1j * np.abs(z[first, i]) * 1e-3, rtol)
            its[first] += k // max(first.size, 1)
            w[first[oki], i], ok[first[oki], i] = wi[oki], True
            left = first[~oki]
            if left.size:
                wi, oki, k = _continuation_vec(ps, d, z[left, i], rtol, scale)
                its[left] += k // max(left.size, 1)
                w[left[oki], i], ok[left[oki], i] = wi[oki], True
        prev = np.where(ok[:, i], i, prev)
    lx = np.log(xs)
    for st in refine:  # vectorised refinement over all sweeps: stride st, then every point
        idx_r, idx_i, guesses = [], [], []
        for r in range(R):
            fine = np.flatnonzero(~ok[r] & (np.arange(n) % st == 0)) if st > 1 else np.flatnonzero(~ok[r])
            cg = np.flatnonzero(ok[r])
            if fine.size == 0 or cg.size < 2:
                continue
            lw = np.log(w[r, cg])
            lw_im = np.unwrap(lw.imag)
            guesses.append(np.exp(np.interp(-lx[fine], -lx[cg], lw.real) + 1j * np.interp(-lx[fine], -lx[cg], lw_im)))
            idx_r.append(np.full(fine.size, r))
            idx_i.append(fine)
        if not guesses:
            continue
        ir, ii = np.concatenate(idx_r), np.concatenate(idx_i)
        wf, okf, k = _newton_vec(ps, d, z[ir, ii], np.concatenate(guesses), rtol)
        np.add.at(its, ir, 0)
        for r in range(R):
            its[r] += int(k * np.mean(ir == r))
        w[ir[okf], ii[okf]], ok[ir[okf], ii[okf]] = wf[okf], True
    for r in range(R):
        for i in np.flatnonzero(~ok[r]):  # retry from the nearest converged point above (larger x)
            above = np.flatnonzero(ok[r, :i])
            if above.size:
                walk(r, above[-1], i)
    br, bi = np.nonzero(~ok)
    if br.size:
        wb, okb, k = _continuation_vec(ps, d, z[br, bi], rtol, scale)
        its[br] += k // max(br.size, 1)
        w[br, bi], ok[br, bi] = wb, okb
    return [(w[r, ::-1], int(its[r]), int((~ok[r]).sum())) for r in range(R)]


def _measures_vectorised(ps: PowerSums, xs, ws, rel_eta, d, v, f0):
    z = xs * (1.0 + 1j * rel_eta)
    m = z / ws
    args, T = ps.measures(ws, m)
    am = np.angle(m)
    im_psi = args - d * am + d * m.imag
    count = -(im_psi - (v - d) * np.arctan2(-z.imag, -z.real)) / math.pi
    greg = T / m + f0 / z
    zw, _ = _z_of_vec(ps, d, ws)
    resid = float(np.max(np.abs(zw - z) / np.abs(z)))
    return m, count / _count_correction(rel_eta), greg, resid
