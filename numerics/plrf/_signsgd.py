"""signSGD on PLRF: per-mode risk equations, any schedule, up to 1e8+ steps on a log grid.

Conditional on the features ``W``, PLRF is Gaussian regression in ``x~ = W^T x ~ N(0, K)``,
``K = W^T D W``, with target ``theta* = K^-1 W^T D b`` and an independent Gaussian residual of
variance ``P_inf`` (:mod:`numerics.plrf`). So signSGD on PLRF is the high-dimensional
problem of :mod:`numerics.linreg` with Gaussian label noise ``s^2 = P_inf``, step
``gamma_k = lr * schedule(k)`` per step and risk ``P = R + P_inf`` (MSE, no 1/2). Per mode
(eigenpairs ``lam_j, w_j`` of ``M = S^(-1/2) K S^(-1/2)``, ``S = sqrt(diag K)``; derived in
:mod:`numerics.linreg`)::

    r_j(k+1) = r_j(k) (1 - 2 gamma_k phi_k lam_j) + gamma_k^2 n_j,   phi_k = (2/pi) / sqrt(P(k)),
    P(k) = P_inf + sum_j r_j(k),   n_j = lam_j v_j^T K_sigma v_j.

Spectra:

* ``"exact"``: one sampled ``W`` (or a given one); ``lam_j, n_j, r_j(0)`` computed exactly
  (``O(d^3)`` once), including ``K_sigma = (2/pi) arcsin(corr K)``.
* ``"deterministic"`` / ``"surrogate"`` / a :class:`Spectrum`: eigenvalues ``mu_i`` of ``K`` and
  initial mode risks (weights) from :func:`numerics.plrf.spectrum_of`, with the mean-field
  approximation ``diag K ~ (tr D / d) I`` =: ``cbar I`` (so ``lam = mu / sqrt(cbar)``,
  ``K_sigma ~ (1 - 2/pi) I + (2/pi) K / cbar``, ``n = mu ((1 - 2/pi) + (2/pi) mu / cbar)``).
  This is the approximation behind the research note's ``M^{min(alpha, 1/2)}`` preconditioning
  factor; it reproduces the exponents and, on the instances we measured, the exact-spectrum
  curves within ~25 % after the transient (within a factor 2 during the drop; tested).

Solver (``method="loggrid"``): the coefficients are frozen over chunks of ``h * k`` steps
(never across a record point or a schedule change larger than ``h``), each chunk solved in
closed form (geometric sums) with a predictor-corrector on ``phi``: ``O(d / h * log N)`` work,
the same log-time idea as the SGD Volterra ``loggrid`` solver. ``method="recursion"`` runs
every step (reference).

Compiled paths (:mod:`numerics._jit`, when numba is installed and ``SLTK_NO_JIT`` is not set):
``recursion`` runs entirely in a numba kernel (an elementwise update and a fixed-order sum a step), and
``loggrid`` runs the chunks' arithmetic in one (predictor, stiff fallback, closed-form advance,
clip), its chunk sizing staying in Python (the schedule is a Python object), with up to 64 chunks
planned per schedule call. Both take the same steps and chunks and make the same divergence checks
as the NumPy loops, which stay beside them; the results agree to rounding
(``tests/numerics/plrf/test_signsgd_jit.py``).

Accuracy (measured in ``tests/test_signsgd_plrf.py`` and ``verification._signsgd_checks``,
table in ``docs/signsgd.md`` Sec. 2): the linearised drift is accurate once the correlations
``(K e)_i / sqrt(K_ii P)`` are small; on PLRF they are ``O(1)`` for the top features early on
(independent of ``d``), and the linearised equations overshoot the simulated risk by up to
40-50 % around ``gamma k ~ 1/lam_max``. ``method="arcsine"`` fixes the transient; with it the
equations agree with simulation within 2.5 % (512 runs, d = 100) over the whole curve.

References
----------
J. Kim, D. Song, C. Yun, "Scaling Laws of SignSGD in Linear Regression: When Does It
Outperform SGD?", ICLR 2026 (arXiv:2603.02069) (per-mode signSGD dynamics on PLRF; the
paper's equations were not available -- reconstructed here from the Gaussian sign identities
of Xiao et al., arXiv:2411.12135, and checked by simulation).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from theory import Constant, ParameterError, Schedule, SignSGD
from theory.linreg import GaussianNoise, LinearRegressionProblem, NoNoise
from theory.plrf import PLRF
from theory.validate import check_choice, check_int, check_real

from .. import _jit
from .._volterra import log_grid
from ..linreg import sign_modes as linreg_sign_modes
from ._rules import RULES, PLRFNumericsRules, RiskCurve, spectrum_of

__all__ = ["SignSGDPLRFModes", "sign_modes", "signsgd_plrf_risk", "SignSGDNumerics", "SIGNSGD_NUMERICS"]

_TWO_PI = 2.0 / math.pi


@dataclass(frozen=True)
class SignSGDPLRFModes:
    """Per-mode coefficients of the signSGD risk equations on one PLRF problem.

    Attributes
    ----------
    lam : drift eigenvalues (of ``M``); n : noise coefficients; r0 : initial mode risks;
    p_inf : irreducible risk; kind : "exact", "deterministic", "surrogate" or "given";
    sqrt_diag_mean : ``mean_i sqrt(K_ii)`` (sets the stationary risk).
    """

    lam: np.ndarray
    n: np.ndarray
    r0: np.ndarray
    p_inf: float
    kind: str
    sqrt_diag_mean: float
    vectors: dict | None = None  # exact spectra only: K, sqrt_diag, V (= S^(1/2) W), e0

    @property
    def initial_risk(self) -> float:
        return float(self.p_inf + np.sum(self.r0))

    def limit_risk(self, lr: float) -> float:
        """Stationary population risk at constant step ``lr`` (no time scaling):
        ``R phi(P) = (lr d / 2) mean sqrt(K_ii)`` per step-time, i.e.
        ``R / sqrt(R + P_inf) = c``, ``c = pi lr sum_i sqrt(K_ii) / 4``; returns ``R + P_inf``.

        >>> m = SignSGDPLRFModes(np.ones(4), np.ones(4), np.zeros(4), 0.0, "given", 1.0)
        >>> round(m.limit_risk(0.1), 12) == round((math.pi * 0.1 * 4 / 4) ** 2, 12)
        True
        """
        lr = check_real("lr", lr, gt=0)
        c = math.pi * lr * self.sqrt_diag_mean * self.lam.size / 4.0
        R = c * (c + math.sqrt(c * c + 4.0 * self.p_inf)) / 2.0
        return R + self.p_inf


def sign_modes(problem: PLRF, spectrum="deterministic", *, seed=None, W=None) -> SignSGDPLRFModes:
    """Coefficients of the per-mode signSGD equations (see the module docstring).

    Parameters
    ----------
    problem : theory.plrf.PLRF
    spectrum : {"deterministic", "exact", "surrogate"} or Spectrum
    seed : int, optional
        Seed of ``W`` for ``"exact"`` (NumPy ``default_rng``), unless ``W`` is given.
    W : array (v, d), optional
        A given feature matrix (``"exact"`` only), e.g. ``verification.sample_instance(...).W``.
    """
    if not isinstance(problem, PLRF):
        raise ParameterError("problem", "a theory.plrf.PLRF instance", type(problem).__name__)
    if isinstance(spectrum, str) and spectrum == "exact":
        if problem.v_is_infinite:
            raise ParameterError("v", "finite for spectrum='exact'", problem.v)
        v, d = int(problem.v), problem.d
        if W is None:
            W = np.random.default_rng(seed).standard_normal((v, d)) / math.sqrt(d)
        W = np.asarray(W, dtype=np.float64)
        if W.shape != (v, d):
            raise ParameterError("W", f"an array of shape (v, d) = ({v}, {d})", W.shape)
        s = np.sqrt(problem.population_eigenvalues())
        A = s[:, None] * W
        y = s * problem.target()
        K = A.T @ A
        theta_star, *_ = np.linalg.lstsq(A, y, rcond=None)
        res = y - A @ theta_star
        p_inf = float(res @ res)
        noise = GaussianNoise(math.sqrt(p_inf)) if p_inf > 0 else NoNoise()
        m = linreg_sign_modes(LinearRegressionProblem(K, theta_star, noise))
        sq = np.sqrt(np.diag(K))
        Mmat = (sq ** -0.5)[:, None] * K * (sq ** -0.5)[None, :]
        lam_e, Wm = np.linalg.eigh(Mmat)
        V = np.sqrt(sq)[:, None] * Wm
        vec = {"K": K, "sqrt_diag": sq, "V": V, "e0": -theta_star}
        return SignSGDPLRFModes(m.lam, m.n, m.r0, p_inf, "exact", m.sqrt_diag_mean, vec)
    spec = spectrum_of(problem, spectrum, seed=seed)
    mu, w = spec.eigenvalues, spec.weights
    cbar = problem.trace_D() / problem.d
    lam = mu / math.sqrt(cbar)
    n = mu * ((1.0 - _TWO_PI) + _TWO_PI * mu / cbar)
    kind = spec.kind if isinstance(spectrum, str) else "given"
    return SignSGDPLRFModes(lam, n, w.copy(), float(spec.p_inf), kind, math.sqrt(cbar))


def _advance(r, lam, n, g, phi, m):
    """``m`` steps of ``r <- r (1 - 2 g phi lam) + g^2 n`` in closed form."""
    x = -2.0 * g * phi * lam  # a - 1
    if m == 1:
        return r * (1.0 + x) + g * g * n
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        # a = 1 + x in (0, 1]: a^m = exp(m log1p x) keeps the digits of a small x. A stiff mode
        # (2 g phi lam > 1) has a = 1 + x in [-1, 0]: it oscillates and decays, a^m taken directly
        # (log1p of x < -1 would be NaN, which read as a divergence the recursion does not have).
        pos = x > -1.0
        la = np.log1p(np.where(pos, x, 0.0))
        am = np.where(pos, np.exp(m * la), np.power(1.0 + x, m))
        em1 = np.where(pos, np.expm1(m * la), am - 1.0)
        geo = np.where(np.abs(x) > 1e-12, -em1 / np.where(x != 0, -x, 1.0), float(m))
    return r * am + g * g * n * geo


def _record(k, i, rec, out, p_inf, r, components, parts, rd, rn, drift_time, lam):
    """Record the risk (and with ``components`` its drift, noise and relaxed-noise parts) if step ``k`` is the
    record point ``rec[i]``; returns the index of the next record point still to come."""
    if i < rec.size and k == rec[i]:
        out[i] = p_inf + float(np.sum(r))
        if components:
            out_d, out_n, out_nr = parts
            out_d[i], out_n[i] = float(np.sum(rd)), float(np.sum(rn))
            out_nr[i] = float(np.sum(rn[drift_time * lam >= 1.0]))
        i += 1
    return i


def _recursion_compiled(r, lam, n, factors, lr, p_inf, lam_max, k, i, rec, out, components):
    """Run the compiled recursion; returns ``(diverged, k, g, phi, (out_d, out_n, out_nr) or None)``."""
    from . import _signsgd_jit as _K  # imports numba: only when a compiled path runs
    args = (np.ascontiguousarray(lam, dtype=np.float64), np.ascontiguousarray(n, dtype=np.float64),
            np.ascontiguousarray(factors, dtype=np.float64), float(lr), float(p_inf), float(lam_max), int(k), int(i),
            np.ascontiguousarray(rec, dtype=np.int64), out)
    if components:
        rd, rn, parts = r.copy(), np.zeros_like(r), tuple(np.full(rec.size, np.nan) for _ in range(3))
    else:
        rd = rn = r[:0]
        parts = tuple(np.zeros(0) for _ in range(3))
    status, k, g, ph = _K._recursion_kernel(r, rd, rn, bool(components), *args, *parts)
    return status, k, g, ph, (parts if components else None)


_BLOCK = 64  # chunks planned per schedule call


def _ladder(m0):
    """The chunk sizes the NumPy loop tries, in order: ``m0, m0 // 2, ...`` down to 1."""
    out = [m0]
    while out[-1] > 1:
        out.append(max(1, out[-1] // 2))
    return out


def _loggrid_compiled(schedule, steps, lr, h, r, lam, n, p_inf, lam_max, k, i, rec, out, components):
    """``method="loggrid"`` with the chunks' arithmetic compiled (``_signsgd_jit._loggrid_chunk``): the same chunks,
    factors and checks as the NumPy loop. The schedule is a Python object, so the chunk sizing stays here;
    to read its factors in few calls, up to ``_BLOCK`` chunks are planned ahead, each assumed to take the
    ladder level (halving count) of the last chunk and to be stiff (``m // 4``) or not as the last chunk
    was; all the factors the plan needs (each start, each tried end, each midpoint) come from one call, the
    ladder's tests are made on them, and ``_signsgd_jit._loggrid_block`` runs the chunks while the plan holds. A
    chunk whose ladder stops at another level is sized by its full ladder (one more call). Record points as
    the NumPy loop. Returns ``(diverged, k, g, phi, nchunks, (out_d, out_n, out_nr) or None)``."""
    from . import _signsgd_jit as _K  # imports numba: only when a compiled path runs
    lam = np.ascontiguousarray(lam, dtype=np.float64)
    n = np.ascontiguousarray(n, dtype=np.float64)
    if components:
        rd, rn = r.copy(), np.zeros_like(r)
        out_d, out_n, out_nr = (np.full(rec.size, np.nan) for _ in range(3))
    else:
        rd = rn = r[:0]
        out_d = out_n = out_nr = None
    drift_time = 0.0
    nchunks = 0
    last = steps - 1
    stiff_guess, level_guess = False, 0
    parts = (out_d, out_n, out_nr)
    while (i := _record(k, i, rec, out, p_inf, r, components, parts, rd, rn, drift_time, lam)) < rec.size:
        target = int(rec[i])
        pts, plan, ladders = [], [], []
        kk = k
        while len(plan) < _BLOCK and kk < target:
            lad = _ladder(max(1, min(int(h * kk), target - kk)))
            lev = min(level_guess, len(lad) - 1)
            m = lad[lev]
            base = len(pts)
            pts.append(kk)  # the start
            pts.extend(kk + lad[t] - 1 for t in range(min(lev + 1, len(lad) - 1)))  # ends tried (sizes > 1)
            pts.append(kk + (m - 1) // 2)  # the midpoint (the rate)
            plan.append((base, lev, m))
            ladders.append(lad)
            kk += max(1, m // 4) if (stiff_guess and m > 1) else m
        vals = schedule(np.minimum(np.asarray(pts, dtype=np.int64), last), steps).tolist()
        g_plan = np.empty(len(plan))
        m_plan = np.empty(len(plan), dtype=np.int64)
        ok_plan = np.empty(len(plan), dtype=np.bool_)
        for j, (base, lev, m) in enumerate(plan):
            f0 = vals[base]
            tried = min(lev + 1, len(ladders[j]) - 1)
            ok = True
            for t in range(tried):  # the NumPy loop's test: levels before lev refused, lev accepted
                f1 = vals[base + 1 + t]
                if (abs(f1 - f0) <= h * max(f0, f1)) != (t == lev):
                    ok = False
                    break
            g_plan[j] = lr * float(vals[base + 1 + tried])
            m_plan[j] = m
            ok_plan[j] = ok
        status, done, k_adv, drift_time, ph, reason = _K._loggrid_block(r, rd, rn, lam, n, g_plan, m_plan, ok_plan,
                                                                     stiff_guess, p_inf, lam_max, components,
                                                                     drift_time)
        if status:
            return 1, k + k_adv, float(g_plan[done]), ph, nchunks + done, None
        k += k_adv
        nchunks += done
        if reason == 2:
            stiff_guess = not stiff_guess
        elif reason == 1:  # this chunk's ladder stops elsewhere: the full ladder, as the NumPy loop
            lad = ladders[done]
            long = lad[:-1]  # the sizes > 1 (each end tested against the start); lad[-1] == 1
            lv = schedule(np.minimum(np.asarray([k] + [k + mc - 1 for mc in long] + [k + (mc - 1) // 2 for mc in lad],
                                                dtype=np.int64), last), steps).tolist()
            f0 = lv[0]
            t = 0
            while t < len(long):
                f1 = lv[1 + t]
                if abs(f1 - f0) <= h * max(f0, f1):
                    break
                t += 1
            g = lr * float(lv[1 + len(long) + t])
            status, ph, m, drift_time = _K._loggrid_chunk(r, rd, rn, lam, n, g, lad[t], p_inf, lam_max, components,
                                                       drift_time)
            if status:
                return 1, k, g, ph, nchunks, None
            level_guess = t
            if lad[t] > 1:
                stiff_guess = m != lad[t]
            k += m
            nchunks += 1
    return 0, k, lr, math.nan, nchunks, ((out_d, out_n, out_nr) if components else None)


def signsgd_plrf_risk(problem: PLRF, optimizer: SignSGD, schedule: Schedule = Constant(), steps: int = 10_000, *,
                      spectrum="deterministic", seed=None, n_points: int = 200, method: str = "auto",
                      h: float = 0.01, W=None, record=None, modes: SignSGDPLRFModes | None = None,
                      rho_switch: float = 0.02, max_arcsine_steps: int = 200_000, start_state=None,
                      components: bool = False) -> RiskCurve:
    """Expected population risk of one-pass signSGD on PLRF (the registered
    :func:`numerics.plrf.risk_curve` solver for :class:`theory.SignSGD`).

    Parameters
    ----------
    problem : theory.plrf.PLRF
    optimizer : theory.SignSGD
        ``batch = 1`` (the equations are derived for single-sample signs).
    schedule : theory.Schedule
    steps : int
        Horizon ``N``.
    spectrum : {"deterministic", "exact", "surrogate"} or Spectrum
    n_points : int
        About this many log-spaced output steps (plus 0).
    method : {"auto", "loggrid", "recursion", "arcsine"}
        ``auto`` = ``recursion`` for ``N <= 20000``, else ``loggrid``. ``arcsine`` (exact
        spectrum only) keeps the exact arcsine drift during the early transient: the mean
        error vector ``m`` follows ``m <- m - gamma (2/pi) arcsin(S^-1 K m / sqrt(P))`` with
        ``P = m^T K m + R_fluct + P_inf`` (the fluctuation part of the residual acts as extra
        Gaussian noise, by concentration of ``x^T Cov x``), the fluctuations follow the
        linearised per-mode variance recursion; once ``max_i |rho_i| < rho_switch`` (or after
        ``max_arcsine_steps``) it hands ``r_j = lam_j (<v_j, m>^2 + var_j)`` to ``loggrid``.
        ``O(d^2)`` per step during the transient.
    h : float
        Relative chunk length of ``loggrid``.
    components : bool
        Also split the risk into its drift and noise parts (``recursion`` and ``loggrid``): the
        equations are linear in ``r`` given ``phi_k``, so ``r_j = r_j^drift + r_j^noise`` exactly,
        with ``r^drift`` started from ``r(0)`` without the ``gamma^2 n_j`` term and ``r^noise``
        started from 0 with it, both advanced with the same factors (``phi_k`` from their sum).
        ``extra["drift"]`` and ``extra["noise"]`` are the two sums at the record steps
        (``risk = p_inf + drift + noise``, to rounding); ``extra["noise_relaxed"]`` is the part of
        the noise held by the modes that have relaxed by then (drift time
        ``sum_k 2 gamma_k phi_k lam_j >= 1``, i.e. their initial error is down by ``1/e``), the rest of
        the noise is the unrelaxed modes' (the two noise pieces of the theory's LP). The total then
        comes from the sum of the parts, which can differ from the ``components=False`` curve in the
        last digit.

    Returns
    -------
    RiskCurve
        ``status="diverged"`` when the per-mode factor ``1 - 2 gamma phi lam`` falls below
        ``-1`` (the deterministic equations are unstable; ``lr_max`` is the largest stable
        ``gamma`` at the initial risk).

    Examples
    --------
    >>> from theory import SignSGD
    >>> c = signsgd_plrf_risk(PLRF(1.0, 0.75, 200, 50), SignSGD(lr=1e-3), steps=1000, spectrum="surrogate", n_points=4)
    >>> c.steps.tolist(), c.status, bool(c.risk[-1] < c.risk[0])
    ([0, 1, 10, 100, 1000], 'ok', True)

    References
    ----------
    Kim, Song & Yun (2026), arXiv:2603.02069; Xiao et al. (2024), arXiv:2411.12135 (re-derived,
    see the module docstring).
    """
    if not isinstance(optimizer, SignSGD):
        raise ParameterError("optimizer", "a theory.SignSGD", type(optimizer).__name__)
    if optimizer.batch != 1:
        raise ParameterError("batch", "batch = 1 for the signSGD risk equations (simulate other batches)",
                             optimizer.batch)
    if not isinstance(schedule, Schedule):
        raise ParameterError("schedule", "a theory.Schedule instance", type(schedule).__name__)
    steps = check_int("steps", steps, ge=1)
    n_points = check_int("n_points", n_points, ge=2)
    check_choice("method", method, ("auto", "loggrid", "recursion", "arcsine"))
    h = check_real("h", h, gt=0, le=0.5)
    md = modes if modes is not None else sign_modes(problem, spectrum, seed=seed, W=W)
    if start_state is not None:  # (k0, r): continue the linear equations from step k0
        k0, r_start = start_state
    else:
        k0, r_start = 0, None
    rec = log_grid(steps, n_points) if record is None else np.unique(np.asarray(record, dtype=np.int64))
    if rec.size == 0 or rec[0] < 0 or rec[-1] > steps:
        raise ParameterError("record", f"steps in [0, {steps}]", record)
    if method == "auto":
        method = "recursion" if steps <= 20_000 else "loggrid"
    if method == "arcsine":
        if components:
            raise ParameterError("components", "method 'recursion' or 'loggrid' (the arcsine transient is not linear "
                                 "in the mode risks)", method)
        return _arcsine_then_loggrid(problem, md, optimizer, schedule, steps, rec, h, rho_switch=rho_switch,
                                     max_arcsine_steps=max_arcsine_steps)
    lam, n, p_inf = md.lam, md.n, md.p_inf
    lam_max = float(np.max(lam))
    lr = optimizer.lr
    P0 = md.initial_risk
    lr_max = math.pi * math.sqrt(P0) / (2.0 * lam_max) if lam_max > 0 else math.inf
    flops = rec * problem.d
    r = (md.r0 if r_start is None else np.asarray(r_start)).astype(np.float64).copy()
    out = np.full(rec.size, np.nan)
    if components:  # r = rd + rn, each advanced with the same factors
        if r_start is not None:
            raise ParameterError("components", "False when continuing from start_state", components)
        rd, rn = r.copy(), np.zeros_like(r)
        out_d, out_n, out_nr = (np.full(rec.size, np.nan) for _ in range(3))
        drift_time = 0.0  # sum_k 2 gamma_k phi_k (times lam_j: mode j's drift exponent)
    else:
        rd = rn = out_d = out_n = out_nr = None
        drift_time = 0.0
    k, i = int(k0), int(np.searchsorted(rec, k0))
    i_start = i  # points before k0 are the caller's (method="arcsine" fills them)
    nchunks = 0

    def phi_of(rr):  # ndarray.sum: the same reduction as np.sum without its dispatch (hot: once a step)
        return _TWO_PI / math.sqrt(max(p_inf + float(rr.sum()), 1e-300))

    def fac(kk):
        return float(schedule([min(kk, steps - 1)], steps)[0])

    if method == "recursion":
        factors = schedule(np.arange(steps), steps)
        if _jit.enabled():  # the compiled loop (same steps, same checks); the NumPy loop below otherwise
            status, k, g, ph, parts = _recursion_compiled(r, lam, n, factors, lr, p_inf, lam_max, k, i, rec, out,
                                                          components)
            if status:
                return _diverged(rec, flops, md, lr_max, k, g, ph, lam_max, method)
            if components:
                out_d, out_n, out_nr = parts
            i = rec.size
    elif _jit.enabled():  # loggrid, each chunk's arithmetic compiled; the same chunks as the NumPy loop below
        status, k, g, ph, nchunks, parts = _loggrid_compiled(schedule, steps, lr, h, r, lam, n, p_inf, lam_max, k, i,
                                                             rec, out, components)
        if status:
            return _diverged(rec, flops, md, lr_max, k, g, ph, lam_max, method)
        if components:
            out_d, out_n, out_nr = parts
        i = rec.size
    parts = (out_d, out_n, out_nr)
    while (i := _record(k, i, rec, out, p_inf, r, components, parts, rd, rn, drift_time, lam)) < rec.size:
        target = int(rec[i])
        if method == "recursion":
            g = lr * float(factors[k])
            m = 1
            ph = phi_of(r)
            if 2.0 * g * ph * lam_max > 2.0:
                return _diverged(rec, flops, md, lr_max, k, g, ph, lam_max, method)
            if components:
                a = 1.0 - 2.0 * g * ph * lam
                rd = rd * a
                rn = rn * a + g * g * n
                r = rd + rn
                drift_time += 2.0 * g * ph
            else:
                r = r * (1.0 - 2.0 * g * ph * lam) + g * g * n
            k += 1
            continue
        m = max(1, min(int(h * k), target - k))
        f0 = fac(k)
        while m > 1:
            f1 = fac(k + m - 1)
            if abs(f1 - f0) <= h * max(f0, f1):
                break
            m = max(1, m // 2)
        g = lr * fac(k + (m - 1) // 2)
        ph0 = phi_of(r)
        if 2.0 * g * ph0 * lam_max > 2.0:
            return _diverged(rec, flops, md, lr_max, k, g, ph0, lam_max, method)
        if m == 1:
            ph_used, m_used = ph0, 1
        else:
            pred = _advance(r, lam, n, g, ph0, m)
            ph1 = phi_of(np.maximum(pred, 0.0))
            ph = math.sqrt(ph0 * ph1)  # geometric mean of phi at the chunk ends
            if 2.0 * g * ph * lam_max > 1.0:  # stiff modes: finer chunks
                ph_used, m_used = ph0, max(1, m // 4)
            else:
                ph_used, m_used = ph, m
        m = m_used
        if components:
            rd = _advance(rd, lam, 0.0, g, ph_used, m)  # no injected noise
            rn = _advance(rn, lam, n, g, ph_used, m)
            drift_time += 2.0 * g * ph_used * m
            neg = rd + rn < 0.0  # the clip of the total below, applied to both parts
            rd = np.where(neg, 0.0, rd)
            rn = np.where(neg, 0.0, rn)
            r = rd + rn
        else:
            r = _advance(r, lam, n, g, ph_used, m)
        r = np.maximum(r, 0.0)
        k += m
        nchunks += 1
    if not np.all(np.isfinite(out[i_start:])):
        return _diverged(rec, flops, md, lr_max, k, lr, math.nan, lam_max, method)
    msg = (f"per-mode signSGD equations ({md.kind} spectrum, {lam.size} modes), "
           + (f"{steps} exact steps" if method == "recursion" else f"{nchunks} log-grid chunks (h={h:g})"))
    extra = {"limit_risk": md.limit_risk(lr), "p_inf": p_inf}
    if components:
        extra.update(drift=out_d, noise=out_n, noise_relaxed=out_nr)
    return RiskCurve(rec, out, "ok", msg, method, float("nan"), lr_max, h if method == "loggrid" else 0.0, md.kind,
                     flops, extra=extra)


def _arcsine_then_loggrid(problem, md, optimizer, schedule, steps, rec, h, *, rho_switch, max_arcsine_steps):
    if md.vectors is None:
        raise ParameterError("spectrum", "'exact' (a sampled W) for method='arcsine'", md.kind)
    rho_switch = check_real("rho_switch", rho_switch, gt=0, lt=1)
    max_arcsine_steps = check_int("max_arcsine_steps", max_arcsine_steps, ge=0)
    K, sq, V = md.vectors["K"], md.vectors["sqrt_diag"], md.vectors["V"]
    lam, n, p_inf = md.lam, md.n, md.p_inf
    vKv = np.where(lam > 0, n / np.where(lam > 0, lam, 1.0), 0.0)  # v_j^T K_sigma v_j
    m = md.vectors["e0"].astype(np.float64).copy()
    var = np.zeros_like(lam)
    lr = optimizer.lr
    n_arc = min(steps, max_arcsine_steps)
    factors = schedule(np.arange(max(n_arc, 1)), steps) if n_arc else np.zeros(0)
    out = np.full(rec.size, np.nan)
    i = 0
    k = 0
    while True:
        Km = K @ m
        Rm = float(m @ Km)
        Rf = float(np.sum(lam * var))
        P = Rm + Rf + p_inf
        while i < rec.size and rec[i] == k:
            out[i] = P
            i += 1
        sP = math.sqrt(max(P, 1e-300))
        rho = Km / (sq * sP)
        if k >= n_arc or float(np.max(np.abs(rho))) < rho_switch or i >= rec.size:
            break
        g = lr * float(factors[k])
        mu = _TWO_PI * np.arcsin(np.clip(rho, -1.0, 1.0))  # E[sign g | m]
        ph = _TWO_PI / sP
        proj = V.T @ mu
        # Var(a') = E Var(a'|e) + Var E[a'|e]: the conditional mean's fluctuation part
        # (g ph lam)^2 var cancels against the second moment of the sign, so the exact
        # linearised factor is 1 - 2 g ph lam (not (1 - g ph lam)^2, which over-counts the
        # fluctuations of the stiff top modes when g ph lam is O(1))
        var = np.maximum((1.0 - 2.0 * g * ph * lam) * var + g * g * np.maximum(vKv - proj * proj, 0.0), 0.0)
        m = m - g * mu
        k += 1
    a = V.T @ m  # <v_j, m>
    r = lam * (a * a + var)
    if i < rec.size:
        rest = signsgd_plrf_risk(problem, optimizer, schedule, steps, modes=md, record=rec, h=h, method="loggrid",
                                 start_state=(k, r))
        if rest.status != "ok":
            return rest
        out[i:] = rest.risk[i:]
    P0 = md.initial_risk
    lam_max = float(np.max(lam))
    msg = (f"per-mode signSGD equations (exact spectrum, {lam.size} modes): exact arcsine drift for the first "
           f"{k} steps, then log-grid chunks (h={h:g})")
    return RiskCurve(rec, out, "ok", msg, "arcsine", float("nan"), math.pi * math.sqrt(P0) / (2.0 * lam_max), h,
                     md.kind, rec * problem.d, extra={"limit_risk": md.limit_risk(lr), "p_inf": p_inf,
                                                       "arcsine_steps": k})


def _diverged(rec, flops, md, lr_max, k, g, ph, lam_max, method):
    msg = (f"signSGD risk equations unstable at step {k}: 2 gamma phi lam_max = {2 * g * ph * lam_max:.3g} > 2 "
           f"(learning rate gamma={g:.6g}); the largest stable gamma at the initial risk is {lr_max:.6g}")
    return RiskCurve(rec[:0], np.zeros(0), "diverged", msg, method, float("nan"), lr_max, float("inf"), md.kind,
                     flops[:0])



class SignSGDNumerics(PLRFNumericsRules):
    """signSGD's numerics on PLRF (one instance, :data:`SIGNSGD_NUMERICS`)."""

    optimizer_name = SignSGD.name
    # gamma = c / sqrt(d tr D): 8 factors per decade, 1e-6 .. 3 (the natural scale of the noise floor
    # (pi^2/16) gamma^2 d tr D)
    lr_factors = 10.0 ** np.arange(-6.0, 0.51, 0.125)
    coarse_lr_factors = 10.0 ** np.arange(-4.0, 0.51, 0.5)  # 2 per decade in [1e-4, 3]
    lr_factor_start = 0.02
    frontier_lr = "optimise"  # the theory optimises gamma_0 = d^-e with the size
    lr_rule = "gamma = c / sqrt(d tr D)"
    exact_method = "recursion"
    risk_options = ("h", "W", "record", "modes", "rho_switch", "max_arcsine_steps", "start_state")

    def risk_curve(self, problem, optimizer, schedule, steps, **kw) -> RiskCurve:
        return signsgd_plrf_risk(problem, optimizer, schedule, steps, **kw)

    def model(self, problem, spectrum="deterministic", *, seed=None) -> SignSGDPLRFModes:
        return sign_modes(problem, spectrum, seed=seed)

    def lr_scale(self, problem, model, template) -> float:
        return 1.0 / math.sqrt(problem.d * problem.trace_D())

    def lr_scale_cheap(self, problem, d) -> float:
        return 1.0 / math.sqrt(d * problem.trace_D())

    def frontier_curve(self, problem, model, optimizer, schedule, steps, record, h) -> RiskCurve:
        method = "loggrid" if steps > 20_000 else "recursion"
        return signsgd_plrf_risk(problem, optimizer, schedule, steps, modes=model, record=record, method=method, h=h)

    def risk_components(self, problem, model, optimizer, schedule, steps, h) -> dict:
        """The frontier run's final risk split exactly into drift and noise
        (:func:`signsgd_plrf_risk` with ``components=True``, the frontier's method and ``h``)."""
        method = "loggrid" if steps > 20_000 else "recursion"
        c = signsgd_plrf_risk(problem, optimizer, schedule, steps, modes=model, record=[steps], method=method, h=h,
                              components=True)
        if c.status != "ok":
            return None
        return {"risk": float(c.risk[-1]), "drift": float(c.extra["drift"][-1]), "noise": float(c.extra["noise"][-1]),
                "noise_relaxed": float(c.extra["noise_relaxed"][-1]), "p_inf": float(c.extra["p_inf"])}

    def max_stable_lr(self, problem, optimizer, *, spectrum="deterministic") -> float:
        """``pi sqrt(P(0)) / (2 lam_max)``: the per-mode factor ``1 - 2 gamma phi lam`` stays above -1
        at the initial risk (the equations' own limit; the rate is otherwise self-stabilising)."""
        if problem is None:
            raise ParameterError("problem", "a theory.plrf.PLRF (signSGD's limit needs tr D)", None)
        md = sign_modes(problem, spectrum)
        lam_max = float(np.max(md.lam))
        return math.pi * math.sqrt(md.initial_risk) / (2.0 * lam_max) if lam_max > 0 else math.inf

    def law_rate(self, optimizer) -> float:
        """``gamma``: the signSGD step is not a gradient step, so ``S1`` is a distance budget."""
        return optimizer.lr


#: signSGD's numerics rules (registered for :class:`theory.SignSGD` and its subclasses).
SIGNSGD_NUMERICS = SignSGDNumerics()
RULES.register(SignSGD, SIGNSGD_NUMERICS)
