"""SGD on PLRF: its three-way verification (simulation, exact expected risk of the sampled ``W``,
the Volterra curves, the asymptotic theory) and its default learning rate; its rules in
:data:`verification.plrf.RULES`.

The pipeline needs only the optimizer's exact per-mode moments (``mode_update``), so an optimizer
with them may register :data:`SGD_VERIFIER` for itself.

References
----------
Paquette et al. (2024), arXiv:2405.15074, Sec. 2-3; research note ``plrf_signsgd.md`` Sec. 1.4, 1.9.
"""

from __future__ import annotations

import dataclasses
import math
import time
import warnings

import numpy as np

from theory import SGD, Constant, ParameterError, StabilityError
from theory.plrf import PLRF
from theory.validate import check_int, check_real

from .._backend import limit_blas_threads
from .._results import VerificationResult, robust_stderr
from ._checks import (T_MAX_FRACTION, check_limit_level, check_simulation_vs_exact, check_simulation_vs_volterra,
                      check_slope, check_solver_vs_exact, check_volterra_vs_exact, mode_stability_limit, slope_window)
from ._exact_risk import exact_expected_risk, instance_spectrum, sgd_kernel_norm
from ._rules import RULES, PLRFVerificationRules
from .._resources import check_memory
from ._simulate import PLRFInstance, log_steps, memory_estimate, sample_instance, simulate_plrf

__all__ = ["SGDVerification", "SGD_VERIFIER", "run_verification"]


def _extra_instance(problem: PLRF, seed: int, i: int) -> PLRFInstance:
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, 0x5EED, i])))
    W = rng.standard_normal((int(problem.v), problem.d)) / math.sqrt(problem.d)
    return PLRFInstance(problem, W, None)


def _volterra_on(problem, optimizer, schedule, steps, grid, spectrum):
    import numerics

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return numerics.plrf.risk_curve(problem, optimizer, schedule, steps=steps, spectrum=spectrum, record=grid)


def run_verification(
    problem: PLRF,
    optimizer,
    schedule=None,
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
    memory_limit: int | None = None,
    sampler: str = "inputs",
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
    backend, dtype, blas_threads, progress, sampler
        Passed to :func:`verification.simulate_plrf` (``sampler="features"`` draws each sample's
        features and target from their Gaussian law directly: the same runs in law, cheaper).
    n_points : int
        About this many log-spaced steps.
    n_instances : int
        Further instances ``n_w`` for the concentration-in-``d`` error bars (0 disables those checks).
    check_stability : bool
        Before simulating, compare the peak learning rate (``lr`` times the schedule's largest factor)
        with the stability limit of this instance; past it, return at once a result with
        ``status == "diverged"`` whose ``message`` names the peak rate and the largest stable one
        (divergence is a status, as everywhere in the library, not an exception).

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
                                 check_stability=check_stability, memory_limit=memory_limit, sampler=sampler)


def _run_verification(problem, optimizer, schedule, *, steps, runs, seed, backend, dtype, n_points, n_instances,
                      progress, check_stability, memory_limit=None, sampler="inputs"):
    import theory

    if not isinstance(problem, PLRF):
        raise ParameterError("problem", "a theory.plrf.PLRF", type(problem).__name__)
    schedule = Constant() if schedule is None else schedule
    N = check_int("steps", steps, ge=1)
    n_w = check_int("n_instances", n_instances, ge=0)
    R = check_int("runs", runs, ge=2)  # the error bars of every check need two runs
    if not problem.v_is_infinite:  # before any allocation: refuse what cannot fit, with the estimate
        check_memory(memory_estimate(problem, R, optimizer.batch, dtype), "d", problem.d,
                     f"v x d = {int(problem.v)} x {problem.d} matrices (W, its SVD) and the data buffer",
                     memory_limit)
    seconds: dict = {}
    info: dict = {}
    t0 = time.perf_counter()
    instance = sample_instance(problem, seed)
    has_modes = hasattr(optimizer, "mode_update")
    sp = instance_spectrum(instance) if has_modes else None
    lr_max = knorm = None
    if has_modes:
        peak = float(np.max(schedule(np.arange(N), N)))
        lr_max = mode_stability_limit(sp, optimizer)
        knorm = sgd_kernel_norm(sp.lam, optimizer, 1.0)
    grid = log_steps(N, n_points)
    if has_modes and check_stability and not optimizer.lr * peak < lr_max:
        knorm_peak = sgd_kernel_norm(sp.lam, optimizer, peak)
        what = (f"gamma={optimizer.lr:.6g}" if peak == 1.0 else
                f"peak gamma={optimizer.lr * peak:.6g} (gamma={optimizer.lr:.6g} times the schedule's peak factor "
                f"{peak:g})")
        msg = (f"learning rate {what} is past the stability limit of this W: the risk diverges "
               f"(kernel norm {knorm_peak:.4g}); the largest stable gamma is {lr_max:.6g}")
        seconds["setup"] = time.perf_counter() - t0
        return VerificationResult(
            problem=problem, optimizer=optimizer, schedule=schedule, horizon=N, steps=grid, simulation=None,
            risk_exact=None, exact_spread=None, risk_volterra=None, risk_asymptotic=None, terms={}, phase=None,
            lr_max=lr_max, kernel_norm=knorm_peak, window=None, checks=[], seconds=seconds, info=info, message=msg)
    seconds["setup"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    sim = simulate_plrf(problem, optimizer, schedule, steps=N, runs=runs, seed=seed, instance=instance,
                        backend=backend, dtype=dtype, eval_steps=grid, progress=progress, sampler=sampler)
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
                                        numerics.plrf.exact_spectrum(problem, W=instance.W))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            de = numerics.plrf.deterministic_equivalent(problem)
        f0_num = float(de.f0)
        info["deterministic_equivalent_status"] = de.status
    except (ImportError, AttributeError, ParameterError) as exc:  # numerics API missing / optimizer not supported
        info["numerics_unavailable"] = f"{type(exc).__name__}: {exc}"
    seconds["numerics"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    asym, terms, phase, f0_th = None, {}, None, None
    try:
        loc = theory.plrf.phase_of(problem.alpha, problem.beta)
        phase = loc.name or loc.boundary
    except ParameterError:
        phase = None
    try:
        r = np.maximum(grid, 1)
        asym = theory.plrf.asymptotic_risk(problem, optimizer, r, combine="sum")
        asym = np.where(grid == 0, problem.initial_risk(), asym)
        for t in theory.plrf.asymptotic_terms(problem, optimizer):
            terms[t.name] = t(r)
        f0_th = float(theory.plrf.asymptotic_limit_level(problem))
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
    constant = schedule.is_constant
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
                kn_th = float(theory.plrf.asymptotic_kernel_norm(problem, optimizer))
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
        message=(f"the simulation diverged at step {sim.diverged_at} (a run's risk left every bound)"
                 if sim.status == "diverged" else ""),
    )


class SGDVerification(PLRFVerificationRules):
    """SGD's verification on PLRF (any optimizer with exact per-mode moments can use it)."""

    def verify(self, problem, optimizer, schedule=None, **options) -> VerificationResult:
        return run_verification(problem, optimizer, schedule, **options)

    def default_lr(self, problem, optimizer, *, seed: int = 0, fraction: float = 0.5) -> float:
        """``fraction`` of the stable maximum of the sampled instance (0.5 puts ``||K||`` near 1/2, where
        the SGD-noise term is visible).

        >>> lr = SGD_VERIFIER.default_lr(PLRF(1.0, 0.7, 64, 16), SGD(lr=1.0))
        >>> round(lr / SGD_VERIFIER.stability_limit(PLRF(1.0, 0.7, 64, 16), SGD(lr=1.0)), 12)
        0.5
        """
        f = check_real("fraction", fraction, gt=0, lt=1)
        return f * self.stability_limit(problem, optimizer, seed=seed)

    def stability_limit(self, problem, optimizer, *, seed: int = 0) -> float:
        """The largest stable rate on the sampled instance (exact per-mode recursion)."""
        return mode_stability_limit(instance_spectrum(sample_instance(problem, seed)),
                                    dataclasses.replace(optimizer, lr=1e-3))


#: SGD's verification rules (registered for :class:`theory.SGD` and its subclasses).
SGD_VERIFIER = SGDVerification()
RULES.register(SGD, SGD_VERIFIER)
