"""The checks theory <-> numerics <-> simulation on one PLRF point, with derived tolerances.

Three routes to the same risk curve are compared:

* **simulation** -- the Monte-Carlo mean of ``R`` runs on one sampled ``W``
  (:func:`verification.simulate_plrf`); its error bar is the standard error over runs;
* **exact-for-W** -- the exact expected risk of that ``W`` (:func:`verification.exact_expected_risk`),
  the bridge between one instance and the deterministic equivalent;
* **numerics** -- the deterministic-equivalent Volterra curve (:func:`numerics.risk_curve`,
  ``spectrum="deterministic"``), and the same Volterra solver fed the instance's exact spectrum;
* **theory** -- the asymptotic terms (:func:`theory.asymptotic_risk`), the limit level
  :func:`theory.limit_level` and the phase (:func:`theory.phase_of`).

Every check is a function returning a :class:`CheckResult` (quantity, the values of each route,
error bar, tolerance, deviation, pass) and states how its tolerance was derived:

``simulation_vs_exact``
    ``|mean - exact| <= t_{R-1}(1 - a/2m) * se + 1e-9 |exact|`` at each of ``m`` logged steps
    (Student t for ``R`` runs, Bonferroni over the ``m`` steps, family-wise ``a = 1e-3``; the
    floor is float64 rounding, ``1e-4`` in float32); ``se`` pools the coefficient of variation
    over neighbouring steps (:func:`robust_stderr`), since the risk is right-skewed.
``solver_vs_exact``
    The Volterra solver on this ``W``'s spectrum vs the exact recursion: relative
    ``1e-9`` for exact solver methods, ``2 x`` the solver's requested ``rtol`` (1e-3) otherwise.
``volterra_vs_exact``
    Concentration in ``d``: the spread ``sigma_W(r)`` of the exact curve over ``n_w`` further
    instances (same problem, new ``W``) gives the band ``t_{n_w-1}(0.9995) sigma_W + 2e-3 P``
    (no multiple-comparison factor: the deviation of one instance is a smooth curve, one draw).
``simulation_vs_volterra``
    Both error sources combined: ``sqrt((c_mc se)^2 + (c_W sigma_W)^2) + 2e-3 P``.
``slope_numerics``
    Log-log slope of the simulated mean over a window vs the Volterra curve's slope over the same
    steps; error bar from a bootstrap over runs and the slope spread over instances, combined as above.
``slope_theory``
    The same measured slope vs the slope of the asymptotic estimate (sum of the theory terms);
    **loose** finite-size allowance ``0.3 |s_theory| + 0.05`` (fitted exponents drift by 10-30 %
    at these sizes, research note Sec. 1.9; not derivable from R and d), measured only where the
    asymptotic forms hold, ``1 <= T = gamma B r <= 0.1 d^(2 alpha)`` (Table 1: ``1 << T << d^(2 alpha)``).
``limit_level``
    ``P_inf`` of the sampled ``W`` vs ``F_0`` of the deterministic equivalent (numerics) and of
    :func:`theory.limit_level`: band ``c_W sigma_W(P_inf) + 0.05 F_0`` (the 5 % covers the
    finite-``d`` bias of the fixed-point formula, 0.7-3.1 % in the research note's check).

References
----------
E. Paquette, C. Paquette, L. Xiao, J. Pennington, "4+3 Phases of Compute-Optimal Neural
Scaling Laws", NeurIPS 2024 (arXiv:2405.15074): Sec. 2 (Volterra equation and the conjecture
that ``E[P | W]`` concentrates on the deterministic-equivalent curve), Table 1 / eq. (17)
(asymptotic terms); sltk research notes ``plrf_signsgd.md`` Sec. 1.4, 1.9 and
``ecosystem_style.md`` Sec. 3.3 (Monte-Carlo vs analytic tests with stated tolerances).
"""

from __future__ import annotations

import dataclasses
import math
import time
import warnings
from dataclasses import dataclass, field

import numpy as np
from scipy import stats

from theory import PLRF, Constant, Optimizer, ParameterError, Schedule, StabilityError
from theory.validate import check_int, check_real

from ._exact_risk import ExactRiskCurve, InstanceSpectrum, exact_expected_risk, instance_spectrum, sgd_kernel_norm
from ._backend import limit_blas_threads
from ._simulate_plrf import PLRFInstance, SimulationResult, log_steps, sample_instance, simulate_plrf

__all__ = [
    "CheckResult",
    "VerificationResult",
    "FAMILY_ALPHA",
    "robust_stderr",
    "slope_window",
    "max_stable_lr",
    "default_lr",
    "check_simulation_vs_exact",
    "check_solver_vs_exact",
    "check_volterra_vs_exact",
    "check_simulation_vs_volterra",
    "check_slope",
    "check_limit_level",
    "run_verification",
]

#: Family-wise false-alarm probability of each statistical check.
FAMILY_ALPHA = 1e-3
#: Relative allowance for a Volterra solver with requested rtol 1e-3 (loggrid), and for exact ones.
SOLVER_RTOL_APPROX, SOLVER_RTOL_EXACT = 2e-3, 1e-9
#: Loose allowance for measured vs asymptotic slopes: rel * |s_theory| + abs.
SLOPE_THEORY_REL, SLOPE_THEORY_ABS = 0.3, 0.05
#: Validity window of the asymptotic terms, ``1 <= T = gamma B r <= T_MAX_FRACTION * d^(2 alpha)``.
T_MAX_FRACTION = 0.1
#: Finite-d bias allowance of the limit-level fixed point (relative).
LIMIT_BIAS_REL = 0.05


@dataclass
class CheckResult:
    """One check: what was compared, each route's value, the error bar and the verdict.

    Attributes
    ----------
    name : str
        Machine name (``"simulation_vs_exact"``, ...).
    quantity : str
        Human description of the compared quantity.
    theory, numerics, exact, simulation : float or None
        Representative values of each route (``None`` where a route does not enter).
    error_bar : float or None
        One-sigma error bar of the compared difference at the representative point.
    tolerance : float
        Allowed value of ``deviation`` (same units).
    deviation : float
        Observed deviation (for curve checks: ``max_r |difference| / band(r)``, tolerance 1).
    passed : bool
    rule : str
        How the tolerance was derived (written next to the check).
    applicable : bool
        False when the check could not be run (then ``passed`` is True and ``note`` says why).
    note : str
    """

    name: str
    quantity: str
    theory: float | None
    numerics: float | None
    exact: float | None
    simulation: float | None
    error_bar: float | None
    tolerance: float
    deviation: float
    passed: bool
    rule: str
    applicable: bool = True
    note: str = ""

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def _not_applicable(name: str, quantity: str, why: str) -> CheckResult:
    return CheckResult(name, quantity, None, None, None, None, None, math.nan, math.nan, True, "", False, why)


def robust_stderr(sim: SimulationResult, half_width: int = 3) -> np.ndarray:
    """Standard error of the simulated mean with the coefficient of variation pooled over steps.

    The run-to-run coefficient of variation ``cv(r) = std/mean`` of the risk is a smooth function
    of ``r``, but with few runs and a right-skewed risk a single step's sample ``cv`` is often
    too small (no large excursion among the runs -- exactly when the mean is also low). The error
    bar therefore uses ``max(cv(r), median of cv over the +-half_width neighbouring logged steps)``.
    """
    se = sim.stderr
    mean = sim.mean
    with np.errstate(divide="ignore", invalid="ignore"):
        cv = np.where(mean > 0, se / mean, 0.0)
    pooled = np.array([np.median(cv[max(0, k - half_width): k + half_width + 1]) for k in range(cv.size)])
    return np.maximum(se, pooled * np.abs(mean))


def _crit_t(dof: int, alpha: float) -> float:
    """Two-sided Student-t critical value (normal when ``dof`` is large)."""
    return float(stats.t.ppf(1.0 - alpha / 2.0, max(dof, 1)))


# ---------------------------------------------------------------------------- learning rate
def max_stable_lr(spectrum, optimizer: Optimizer) -> float:
    """Largest ``lr`` (optimizer's convention) with every ``q_i < 1`` and ``||K|| < 1``.

    Bisection on :func:`verification._exact_risk.sgd_kernel_norm` (increasing in ``lr``),
    using only ``optimizer.mode_update``.

    >>> from theory import SGD
    >>> sp = InstanceSpectrum(np.array([0.5]), np.array([1.0]), 0.0)   # gamma/(2-2 gamma 0.5)... = 1
    >>> round(max_stable_lr(sp, SGD(lr=0.1)), 9)                          # -> gamma = 2/(3 * 0.5)
    1.333333333
    """
    lam = spectrum.lam if isinstance(spectrum, InstanceSpectrum) else np.asarray(spectrum, dtype=float)
    if not hasattr(optimizer, "mode_update"):
        raise ParameterError("optimizer", "an optimizer with mode_update (for the stability limit)", type(optimizer).__name__)

    def ok(lr):
        return sgd_kernel_norm(lam, dataclasses.replace(optimizer, lr=lr)) < 1.0

    lo, hi = 0.0, float(optimizer.lr)
    while ok(hi):
        lo, hi = hi, 2.0 * hi
        if hi > 1e12:  # pragma: no cover - degenerate zero spectrum
            return math.inf
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            break
        lo, hi = (mid, hi) if (mid > 0 and ok(mid)) else (lo, mid)
        if hi - lo <= 1e-12 * hi:
            break
    return lo


def default_lr(problem: PLRF, optimizer_cls=None, *, batch: int = 1, fraction: float = 0.5, seed: int = 0) -> tuple:
    """Default learning rate: ``fraction`` of the stable maximum of the sampled instance.

    Returns ``(lr, lr_max)`` in the optimizer's convention. ``fraction=0.5`` puts the kernel
    norm near 1/2 (``||K|| ~ gamma tr(D) / 2``), where the SGD-noise term is visible.

    >>> from theory import SGD
    >>> lr, lr_max = default_lr(PLRF(1.0, 0.7, 64, 16), SGD, seed=0)
    >>> round(lr / lr_max, 12)
    0.5
    """
    from theory import SGD

    cls = SGD if optimizer_cls is None else optimizer_cls
    f = check_real("fraction", fraction, gt=0, lt=1)
    sp = instance_spectrum(sample_instance(problem, seed))
    probe = cls(lr=1e-3, batch=batch)
    lr_max = max_stable_lr(sp, probe)
    return f * lr_max, lr_max


# ---------------------------------------------------------------------------- curve checks
def check_simulation_vs_exact(sim: SimulationResult, exact: ExactRiskCurve, *, alpha: float = FAMILY_ALPHA) -> CheckResult:
    """Simulated mean risk vs the exact expected risk of the same ``W`` at every logged step.

    Tolerance: ``|mean - exact| <= t_{R-1}(1 - alpha/(2m)) se + floor`` (Bonferroni over the ``m``
    steps); ``floor = 1e-9 |exact|`` (float64) or ``1e-4 |exact|`` (float32).

    References
    ----------
    Paquette et al. (2024), arXiv:2405.15074, Sec. 2 (exact expected-risk recursion).
    """
    name, qty = "simulation_vs_exact", "mean risk, simulation vs exact-for-W (all logged steps)"
    if exact is None:
        return _not_applicable(name, qty, "no exact expected risk for this optimizer (no mode_update)")
    if sim.runs < 2:
        return _not_applicable(name, qty, "needs runs >= 2 for an error bar")
    n = min(sim.steps.size, exact.steps.size)
    if not np.array_equal(sim.steps[:n], exact.steps[:n]) or n == 0:
        raise ParameterError("exact", "a curve on the simulation's steps", "different steps")
    mean, se, ex = sim.mean[:n], robust_stderr(sim)[:n], np.asarray(exact.risk)[:n]
    crit = _crit_t(sim.runs - 1, alpha / n)
    floor = (1e-9 if sim.dtype == "float64" else 1e-4) * np.abs(ex)
    band = crit * se + floor
    dev = np.abs(mean - ex) / band
    ok = bool(np.all(np.isfinite(dev))) and sim.status == "ok" and exact.status == "ok"
    worst = float(np.max(dev)) if ok else math.inf
    return CheckResult(name, qty, None, None, float(ex[-1]), float(mean[-1]), float(se[-1]), 1.0, worst,
                       ok and worst <= 1.0,
                       f"max_r |mean-exact|/(t_{sim.runs - 1}(1-a/2m) se + floor) <= 1, t = {crit:.2f} "
                       f"(R = {sim.runs}, m = {n}, a = {alpha:g})")


def check_solver_vs_exact(curve, exact: ExactRiskCurve) -> CheckResult:
    """Volterra solver on the instance's exact spectrum vs the direct exact recursion.

    Tolerance: relative ``1e-9`` for exact solver methods (series/recursion/direct), else
    ``2e-3`` (twice the solver's requested ``rtol = 1e-3``).
    """
    name, qty = "solver_vs_exact", "Volterra solver on W's spectrum vs exact recursion"
    if exact is None or curve is None:
        return _not_applicable(name, qty, "exact recursion or numerics solver not available for this optimizer")
    if curve.status != "ok":
        return CheckResult(name, qty, None, math.nan, None, None, None, 1.0, math.inf, False, "",
                           note=f"solver status {curve.status}: {curve.message}")
    n = min(curve.steps.size, exact.steps.size)
    ex, vr = np.asarray(exact.risk)[:n], np.asarray(curve.risk)[:n]
    rtol = SOLVER_RTOL_EXACT if curve.method in ("series", "recursion", "direct") else SOLVER_RTOL_APPROX
    dev = float(np.max(np.abs(vr / ex - 1.0)))
    return CheckResult(name, qty, None, float(vr[-1]), float(ex[-1]), None, None, rtol, dev, dev <= rtol,
                       f"max_r |volterra/exact - 1| <= {rtol:g} (solver method {curve.method!r})")


def _band_w(sigma_w, n_w):
    return _crit_t(n_w - 1, FAMILY_ALPHA) * sigma_w


def check_volterra_vs_exact(volterra, exact: ExactRiskCurve, spread: np.ndarray | None) -> CheckResult:
    """Exact-for-W vs the deterministic-equivalent Volterra curve (concentration in ``d``).

    ``spread`` holds exact curves of ``n_w`` further instances (rows); ``sigma_W(r)`` is their
    standard deviation. Band: ``t_{n_w-1}(1 - 1e-3/2) sigma_W + 2e-3 P`` (no Bonferroni: one
    smooth random curve). Tolerance 1 on ``max_r |exact - volterra| / band``.
    """
    name, qty = "volterra_vs_exact", "deterministic-equivalent Volterra vs exact-for-W (all steps)"
    if exact is None or volterra is None:
        return _not_applicable(name, qty, "deterministic-equivalent curve or exact recursion not available")
    if volterra.status != "ok":
        return CheckResult(name, qty, None, math.nan, float(np.asarray(exact.risk)[-1]), None, None, 1.0, math.inf,
                           False, "", note=f"Volterra status {volterra.status}: {volterra.message}")
    n = min(volterra.steps.size, exact.steps.size)
    ex, vr = np.asarray(exact.risk)[:n], np.asarray(volterra.risk)[:n]
    if spread is None or spread.shape[0] < 2:
        return _not_applicable(name, qty, "needs >= 2 further instances for the spread in W")
    n_w = spread.shape[0]
    sig = np.std(spread[:, :n], axis=0, ddof=1)
    band = _band_w(sig, n_w) + SOLVER_RTOL_APPROX * np.abs(vr)
    dev = float(np.max(np.abs(ex - vr) / band))
    return CheckResult(name, qty, None, float(vr[-1]), float(ex[-1]), None, float(sig[-1]), 1.0, dev, dev <= 1.0,
                       f"max_r |exact-volterra|/(t_{n_w - 1}(1-a/2) sigma_W + 2e-3 P) <= 1 (n_w = {n_w} instances)")


def check_simulation_vs_volterra(sim: SimulationResult, volterra, spread: np.ndarray | None,
                                 *, alpha: float = FAMILY_ALPHA) -> CheckResult:
    """Simulated mean vs the deterministic-equivalent curve: both error sources combined."""
    name, qty = "simulation_vs_volterra", "mean risk, simulation vs deterministic-equivalent Volterra"
    if volterra is None:
        return _not_applicable(name, qty, "no deterministic-equivalent curve for this optimizer")
    if volterra.status != "ok":
        return CheckResult(name, qty, None, math.nan, None, float(sim.mean[-1]), None, 1.0, math.inf, False, "",
                           note=f"Volterra status {volterra.status}: {volterra.message}")
    if spread is None or spread.shape[0] < 2 or sim.runs < 2:
        return _not_applicable(name, qty, "needs runs >= 2 and >= 2 further instances")
    n = min(volterra.steps.size, sim.steps.size)
    mean, se, vr = sim.mean[:n], robust_stderr(sim)[:n], np.asarray(volterra.risk)[:n]
    n_w = spread.shape[0]
    sig = np.std(spread[:, :n], axis=0, ddof=1)
    c_mc = _crit_t(sim.runs - 1, alpha / n)
    band = np.hypot(c_mc * se, _band_w(sig, n_w)) + SOLVER_RTOL_APPROX * np.abs(vr)
    dev = float(np.max(np.abs(mean - vr) / band))
    eb = float(math.hypot(se[-1], sig[-1]))
    return CheckResult(name, qty, None, float(vr[-1]), None, float(mean[-1]), eb, 1.0, dev,
                       bool(np.isfinite(dev)) and dev <= 1.0,
                       f"max_r |mean-volterra|/(sqrt((t_mc se)^2 + (t_W sigma_W)^2) + 2e-3 P) <= 1, "
                       f"t_mc = {c_mc:.2f}, n_w = {n_w}")


# ---------------------------------------------------------------------------- slopes
def _slope(steps, y) -> float:
    x = np.log(np.asarray(steps, dtype=float))
    yy = np.log(np.maximum(np.asarray(y, dtype=float), 1e-300))
    return float(np.polyfit(x, yy, 1)[0])


def slope_window(steps: np.ndarray, curve: np.ndarray, level: float, *, noise=None, min_ratio: float = 4.0,
                 min_excess: float = 0.05):
    """Steps where the excess risk ``P(r) - level`` decays as a measurable power law.

    ``r_lo`` = first step with ``P(r) <= P(0)/2`` (past the transient); the window ends at the
    last step with ``P(r) - level >= min_excess * level`` and, when ``noise`` (the simulated
    standard error) is given, ``P(r) - level >= 4 noise``. Returns a boolean mask over ``steps``,
    or ``None`` when the window spans less than a factor ``min_ratio`` or has < 4 points.

    >>> r = np.array([0, 1, 10, 30, 100, 1000, 10000])
    >>> slope_window(r, 1.0 + 100.0 / (1.0 + r), 1.0).tolist()   # excess 100/(1+r) >= 0.05
    [False, False, True, True, True, True, False]
    """
    steps = np.asarray(steps)
    curve = np.asarray(curve, dtype=float)
    exc = curve - level
    mask = (steps >= 1) & (curve <= 0.5 * curve[0])
    mask &= exc >= min_excess * abs(level) if level > 0 else exc > 0
    if noise is not None:
        mask &= exc >= 4.0 * np.asarray(noise)[: exc.size]
    if mask.sum() < 4:
        return None
    idx = np.flatnonzero(mask)
    lo = idx[0]
    hi = lo
    while hi + 1 < mask.size and mask[hi + 1]:  # first contiguous run
        hi += 1
    if hi - lo + 1 < 4 or steps[hi] / steps[lo] < min_ratio:
        return None
    out = np.zeros(mask.size, dtype=bool)
    out[lo:hi + 1] = True
    return out


def check_slope(sim: SimulationResult, mask, sim_level: float, *, reference, reference_level: float,
                reference_name: str, spread=None, spread_levels=None, theory: bool = False, n_boot: int = 200,
                seed: int = 0, alpha: float = FAMILY_ALPHA) -> CheckResult:
    """Log-log slope of the simulated excess risk vs a reference curve's slope on the same steps.

    The excess risk is ``P(r) - level`` (each curve minus its own limit level; ``level = 0`` for
    the raw risk). ``theory=False`` (numerics reference): band ``sqrt((t se_boot)^2 +
    (t_W sigma_W)^2) + 0.01`` with ``se_boot`` from ``n_boot`` bootstrap resamples of the runs and
    ``sigma_W`` the slope spread over further instances (``spread`` rows, ``spread_levels``).
    ``theory=True``: loose band ``0.3 |s_ref| + 0.05``.
    """
    name = "slope_theory" if theory else "slope_numerics"
    qty = f"log-log slope of the excess risk vs {reference_name}"
    if mask is None or reference is None:
        return _not_applicable(name, qty, "no window of >= 4 steps spanning a factor 4 above the floor, or no reference")
    m = mask.size
    steps = sim.steps[:m][mask]
    s_sim = _slope(steps, sim.mean[:m][mask] - sim_level)
    s_ref = _slope(steps, np.asarray(reference)[:m][mask] - reference_level)
    rng = np.random.default_rng(seed)
    risk = sim.risk[:, :m][:, mask]
    boots = [_slope(steps, risk[rng.integers(0, sim.runs, sim.runs)].mean(axis=0) - sim_level) for _ in range(n_boot)]
    se = float(np.std(boots, ddof=1)) if sim.runs > 1 else 0.0
    win = f"r in [{int(steps[0])}, {int(steps[-1])}]"
    if theory:
        tol = SLOPE_THEORY_REL * abs(s_ref) + SLOPE_THEORY_ABS
        dev = abs(s_sim - s_ref)
        return CheckResult(name, qty + f" ({win})", s_ref, None, None, s_sim, se, tol, dev, dev <= tol,
                           f"|s_sim - s_theory| <= {SLOPE_THEORY_REL:g} |s_theory| + {SLOPE_THEORY_ABS:g} "
                           "(finite-size allowance, research note Sec. 1.9)")
    sig_w, n_w = 0.0, 0
    if spread is not None and spread.shape[0] >= 2:
        n_w = spread.shape[0]
        lv = np.zeros(n_w) if spread_levels is None else np.asarray(spread_levels)
        sig_w = float(np.std([_slope(steps, row[:m][mask] - l) for row, l in zip(spread, lv)], ddof=1))
    c_mc = _crit_t(sim.runs - 1, alpha)
    tol = math.hypot(c_mc * se, (_crit_t(n_w - 1, alpha) * sig_w) if n_w else 0.0) + 0.01
    dev = abs(s_sim - s_ref)
    return CheckResult(name, qty + f" ({win})", None, s_ref, None, s_sim, math.hypot(se, sig_w), tol, dev, dev <= tol,
                       f"|s_sim - s_volterra| <= sqrt((t se_boot)^2 + (t_W sigma_W)^2) + 0.01, "
                       f"t = {c_mc:.2f}, {n_boot} bootstrap resamples, n_w = {n_w}")


# ---------------------------------------------------------------------------- limit level
def check_limit_level(p_inf: float, p_inf_spread: np.ndarray | None, f0_numerics: float | None,
                      f0_theory: float | None) -> CheckResult:
    """Irreducible risk ``P_inf`` of the sampled ``W`` vs the limit level ``F_0``.

    Band: ``t_{n_w-1}(1-a/2) sigma_W(P_inf) + 0.05 F_0`` around each of the numerics and theory
    ``F_0`` (the 5 % covers the finite-size bias of the fixed-point formula).
    """
    name, qty = "limit_level", "limit level: P_inf of W vs F_0"
    refs = [x for x in (f0_numerics, f0_theory) if x is not None and np.isfinite(x)]
    if not refs:
        return _not_applicable(name, qty, "no F_0 available")
    n_w = 0 if p_inf_spread is None else len(p_inf_spread)
    sig = float(np.std(p_inf_spread, ddof=1)) if n_w >= 2 else 0.0
    devs = []
    for f0 in refs:
        tol = (_band_w(sig, n_w) if n_w >= 2 else 0.0) + LIMIT_BIAS_REL * f0
        devs.append(abs(p_inf - f0) / tol)
    dev = float(max(devs))
    return CheckResult(name, qty, f0_theory, f0_numerics, float(p_inf), None, sig, 1.0, dev, dev <= 1.0,
                       f"|P_inf - F_0| / (t_{max(n_w - 1, 1)} sigma_W + {LIMIT_BIAS_REL:g} F_0) <= 1 for numerics and theory F_0")


# ---------------------------------------------------------------------------- the whole point
@dataclass
class VerificationResult:
    """Everything :func:`run_verification` computed, plus the checks.

    ``steps`` is the common log-spaced grid; ``risk_simulated``/``risk_stderr`` the simulated
    mean and its standard error; ``risk_exact`` the exact-for-W curve; ``risk_volterra`` the
    deterministic-equivalent curve (``None`` if unavailable); ``risk_asymptotic`` the theory
    estimate; ``exact_spread`` the exact curves of the further instances.
    """

    problem: PLRF
    optimizer: Optimizer
    schedule: Schedule
    horizon: int
    steps: np.ndarray
    simulation: SimulationResult
    risk_exact: np.ndarray | None
    exact_spread: np.ndarray | None
    risk_volterra: np.ndarray | None
    risk_asymptotic: np.ndarray | None
    terms: dict
    phase: str | None
    lr_max: float | None
    kernel_norm: float | None
    window: tuple | None
    checks: list
    seconds: dict = field(default_factory=dict)
    info: dict = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """All checks passed and at least one was applicable (nothing checked is not a pass)."""
        return all(c.passed for c in self.checks) and any(c.applicable for c in self.checks)

    @property
    def risk_simulated(self) -> np.ndarray:
        return self.simulation.mean

    @property
    def risk_stderr(self) -> np.ndarray:
        return self.simulation.stderr

    def to_dict(self) -> dict:
        """Plain-JSON view (the ``sltk verify --json`` object)."""
        return {
            "problem": self.problem.to_dict(),
            "optimizer": self.optimizer.to_dict(),
            "schedule": self.schedule.spec(),
            "phase": self.phase,
            "horizon": self.horizon,
            "runs": self.simulation.runs,
            "seed": self.simulation.seed,
            "backend": self.simulation.backend,
            "dtype": self.simulation.dtype,
            "lr_max": self.lr_max,
            "kernel_norm": self.kernel_norm,
            "passed": self.passed,
            "checks": [c.to_dict() for c in self.checks],
            "steps": self.steps,
            "risk_simulated": self.risk_simulated,
            "risk_stderr": self.risk_stderr,
            "risk_exact": self.risk_exact,
            "risk_volterra": self.risk_volterra,
            "risk_asymptotic": self.risk_asymptotic,
            "slope_window": None if self.window is None else list(self.window),
            "simulation_status": self.simulation.status,
            "seconds": self.seconds,
            "info": self.info,
        }


def _extra_instance(problem: PLRF, seed: int, i: int) -> PLRFInstance:
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, 0x5EED, i])))
    W = rng.standard_normal((int(problem.v), problem.d)) / math.sqrt(problem.d)
    return PLRFInstance(problem, W, None)


def _volterra_on(problem, optimizer, schedule, steps, grid, spectrum):
    import numerics

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return numerics.risk_curve(problem, optimizer, schedule, steps=steps, spectrum=spectrum, record=grid)
        except TypeError:  # a solver without the record= option: use its own log grid and interpolate
            c = numerics.risk_curve(problem, optimizer, schedule, steps=steps, spectrum=spectrum, n_points=2 * grid.size)
            if c.status != "ok":
                return c
            r = np.exp(np.interp(np.log1p(grid), np.log1p(c.steps), np.log(c.risk)))
            return dataclasses.replace(c, steps=grid.copy(), risk=r)


def run_verification(
    problem: PLRF,
    optimizer: Optimizer,
    schedule: Schedule | None = None,
    *,
    steps: int,
    runs: int = 32,
    seed: int = 0,
    backend="auto",
    dtype: str = "float64",
    n_points: int = 40,
    n_instances: int = 16,
    blas_threads: int | None = 1,
    progress: bool = False,
    check_stability: bool = True,
) -> VerificationResult:
    """Simulate, compute exact-for-W, deterministic-equivalent and theory curves; run all checks.

    Parameters
    ----------
    problem, optimizer, schedule
        What to verify (schedule: constant when omitted).
    steps : int
        Horizon ``N``.
    runs : int
        Monte-Carlo runs ``R`` (error bars ``~ 1/sqrt(R)``).
    seed : int
        Seeds ``W``, the data stream and the further instances.
    backend, dtype, blas_threads, progress
        Passed to :func:`verification.simulate_plrf`.
    n_points : int
        About this many log-spaced steps.
    n_instances : int
        Further instances ``n_w`` for the concentration-in-``d`` error bars (0 disables those checks).
    check_stability : bool
        Raise :class:`theory.StabilityError` (with the largest stable rate) before simulating when
        the peak learning rate is past the stability limit of this instance.

    Returns
    -------
    VerificationResult

    References
    ----------
    Paquette et al. (2024), arXiv:2405.15074, Sec. 2-3; research note ``plrf_signsgd.md`` Sec. 1.4, 1.9.
    """
    with limit_blas_threads(blas_threads):
        return _run_verification(problem, optimizer, schedule, steps=steps, runs=runs, seed=seed, backend=backend,
                                 dtype=dtype, n_points=n_points, n_instances=n_instances, progress=progress,
                                 check_stability=check_stability)


def _run_verification(problem, optimizer, schedule, *, steps, runs, seed, backend, dtype, n_points, n_instances,
                      progress, check_stability):
    import theory

    if not isinstance(problem, PLRF):
        raise ParameterError("problem", "a theory.PLRF", type(problem).__name__)
    schedule = Constant() if schedule is None else schedule
    N = check_int("steps", steps, ge=1)
    n_w = check_int("n_instances", n_instances, ge=0)
    seconds: dict = {}
    info: dict = {}
    t0 = time.perf_counter()
    instance = sample_instance(problem, seed)
    has_modes = hasattr(optimizer, "mode_update")
    sp = instance_spectrum(instance) if has_modes else None
    lr_max = knorm = None
    if has_modes:
        peak = float(np.max(schedule(np.arange(N), N)))
        lr_max = max_stable_lr(sp, optimizer)
        knorm = sgd_kernel_norm(sp.lam, optimizer, 1.0)
        if check_stability and not optimizer.lr * peak < lr_max:
            raise StabilityError(optimizer.lr * peak, lr_max, f"kernel norm of this W's spectrum ||K|| = {knorm:.4g}")
    grid = log_steps(N, n_points)
    seconds["setup"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    sim = simulate_plrf(problem, optimizer, schedule, steps=N, runs=runs, seed=seed, instance=instance,
                        backend=backend, dtype=dtype, eval_steps=grid, progress=progress)
    seconds["simulation"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    exact = spread = p_inf_spread = None
    extra = []
    if has_modes:
        exact = exact_expected_risk(sp, optimizer, schedule, steps=N, eval_steps=grid)
        if n_w >= 2:
            extra = [instance_spectrum(_extra_instance(problem, seed, i)) for i in range(n_w)]
            spread = exact_expected_risk(extra, optimizer, schedule, steps=N, eval_steps=grid).risk
            p_inf_spread = np.array([s.p_inf for s in extra])
    seconds["exact"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    volterra = solver_exact = None
    f0_num = None
    try:
        import numerics

        volterra = _volterra_on(problem, optimizer, schedule, N, grid, "deterministic")
        if has_modes:
            solver_exact = _volterra_on(problem, optimizer, schedule, N, grid,
                                        numerics.exact_spectrum(problem, W=instance.W))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            de = numerics.deterministic_equivalent(problem)
        f0_num = float(de.f0)
        info["deterministic_equivalent_status"] = de.status
    except (ImportError, AttributeError, ParameterError) as exc:  # numerics API missing / optimizer not supported
        info["numerics_unavailable"] = f"{type(exc).__name__}: {exc}"
    seconds["numerics"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    asym, terms, phase, f0_th = None, {}, None, None
    try:
        loc = theory.phase_of(problem.alpha, problem.beta)
        phase = loc.name or loc.boundary
    except ParameterError:
        phase = None
    try:
        r = np.maximum(grid, 1)
        asym = theory.asymptotic_risk(problem, optimizer, r, combine="sum")
        asym = np.where(grid == 0, problem.initial_risk(), asym)
        for t in theory.asymptotic_terms(problem, optimizer):
            terms[t.name] = t(r)
        f0_th = float(theory.limit_level(problem))
    except (ParameterError, StabilityError, AttributeError) as exc:
        info["theory_unavailable"] = f"{type(exc).__name__}: {exc}"
    seconds["theory"] = time.perf_counter() - t0

    # ----------------------------------------------------------------- checks
    vr = volterra if (volterra is not None and volterra.status == "ok") else None
    checks = [
        check_simulation_vs_exact(sim, exact),
        check_solver_vs_exact(solver_exact, exact),
        check_volterra_vs_exact(volterra, exact, spread),
        check_simulation_vs_volterra(sim, volterra, spread),
    ]
    # slopes of the excess risk P(r) - P(limit), each route minus its own constant-rate limit level
    constant = isinstance(schedule, Constant)
    lev_sim = lev_vr = lev_th = 0.0
    spread_levels = None
    if constant and exact is not None and exact.limit is not None and np.isfinite(exact.limit):
        lev_sim = float(exact.limit)
        if spread is not None:
            spread_levels = np.asarray(exact_expected_risk(extra, optimizer, steps=1, eval_steps=[0]).limit)
        if vr is not None and f0_num is not None and vr.kernel_norm < 1:
            lev_vr = f0_num / (1.0 - vr.kernel_norm)
        if asym is not None and terms:
            try:
                kn_th = float(theory.kernel_norm(problem, optimizer))
                decaying = [v for v in terms.values() if v.size > 2 and not np.allclose(v[1:], v[1])]
                excess_th = np.sum(decaying, axis=0) / (1.0 - kn_th) if decaying else None
                asym_excess = None if excess_th is None else np.where(grid == 0, np.nan, excess_th)
            except (ParameterError, StabilityError):
                asym_excess = None
        else:
            asym_excess = None
    else:
        asym_excess = None  # the asymptotic terms are derived for a constant learning rate
    ref_curve = np.asarray(exact.risk) if exact is not None else (vr.risk if vr is not None else sim.mean)
    mask = None
    if sim.status == "ok" and sim.runs >= 2:
        mask = slope_window(sim.steps, ref_curve[: sim.steps.size], lev_sim, noise=robust_stderr(sim))
    checks.append(check_slope(sim, mask, lev_sim, reference=None if vr is None else vr.risk, reference_level=lev_vr,
                              reference_name="deterministic-equivalent Volterra", spread=spread,
                              spread_levels=spread_levels, seed=seed))
    mask_th = None
    if mask is not None and hasattr(optimizer, "lr_sum"):
        T = optimizer.lr_sum * optimizer.batch * sim.steps[: mask.size]
        mask_th = mask & (T >= 1.0) & (T <= T_MAX_FRACTION * problem.d ** (2 * problem.alpha))
        idx = np.flatnonzero(mask_th)
        if idx.size < 4 or sim.steps[idx[-1]] / sim.steps[idx[0]] < 4:
            mask_th = None
    checks.append(check_slope(sim, mask_th, lev_sim, reference=asym_excess, reference_level=lev_th,
                              reference_name="asymptotic theory (sum of decaying terms)", theory=True, seed=seed))
    if sp is not None:
        checks.append(check_limit_level(sp.p_inf, p_inf_spread, f0_num, f0_th))
    window = None if mask is None else (int(sim.steps[mask][0]), int(sim.steps[mask][-1]))
    info["de_f0"], info["theory_f0"] = f0_num, f0_th
    if exact is not None:
        info["p_inf"] = float(exact.p_inf)
        info["limit_exact"] = None if exact.limit is None else float(exact.limit)
    return VerificationResult(
        problem=problem, optimizer=optimizer, schedule=schedule, horizon=N, steps=sim.steps.copy(), simulation=sim,
        risk_exact=None if exact is None else np.asarray(exact.risk), exact_spread=spread,
        risk_volterra=None if vr is None else np.asarray(vr.risk), risk_asymptotic=asym, terms=terms, phase=phase,
        lr_max=lr_max, kernel_norm=knorm, window=window, checks=checks, seconds=seconds, info=info,
    )
