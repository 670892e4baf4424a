"""The measured gain of a decaying learning rate in an optimizer's compute-optimal slope on PLRF:
``eta(schedule) - eta(constant)`` from two numerical frontiers at equal compute, with the
learning rate (and size) re-optimised at every budget for each schedule separately.

The gain is measured *paired*: both frontiers are taken at the same budgets ``f_i``, and the local
gain over a window of ``window`` decades is the least-squares slope of
``log10(P*_constant / P*_schedule)`` against ``log10 f`` there, i.e. exactly the difference of the
two local slopes. Its error bar is the regression's standard error over the window (the scatter of
the refined minima about a straight line, which is what the lattice jitter of the optimiser
produces). The reported interval for the asymptotic gain is

``last local gain +- (2 se_last + |last - previous disjoint window|)``,

the same rule as :func:`verification.plrf.check_frontier` (the drift term covers a local slope that
is still converging). ``agree`` means the derived gain lies in it.

References
----------
J. Kim, D. Song, C. Yun, ICLR 2026 (arXiv:2603.02069) (the claim that a stable-decay schedule
sharpens signSGD's slope); Paquette et al. 2024 (arXiv:2405.15074), Sec. 4 (frontiers).
"""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass, field

import numpy as np

from theory import Constant, Optimizer, ParameterError, Schedule, resolve_optimizer
from theory.plrf import PLRF
from theory.validate import check_real

from .._slopes import half_fits, upper_fit
from ._frontier import frontier
from ._rules import RULES

__all__ = ["DecayGain", "measure_decay_gain", "paired_local_gain"]


def paired_local_gain(flops, p_constant, p_schedule, *, window: float = 1.0, step: float | None = None):
    """Local slope of ``log10(p_constant / p_schedule)`` on ``log10 flops`` over sliding windows.

    Returns ``(centers, gains, stderrs)`` (each window needs 3 points; ``step`` defaults to
    ``window / 2``). The standard error is that of an ordinary least-squares slope.

    >>> f = np.logspace(4, 8, 17)
    >>> c, g, se = paired_local_gain(f, f**-0.40, 2 * f**-0.43)
    >>> bool(np.allclose(g, 0.03)), bool(np.all(se < 1e-12))
    (True, True)
    """
    window = check_real("window", window, gt=0)
    step = window / 2 if step is None else check_real("step", step, gt=0)
    lx = np.log10(np.asarray(flops, float))
    ly = np.log10(np.asarray(p_constant, float) / np.asarray(p_schedule, float))
    cs, gs, ses = [], [], []
    c = lx[0] + window / 2
    while c <= lx[-1] - window / 2 + 1e-12:
        sel = (lx >= c - window / 2 - 1e-12) & (lx <= c + window / 2 + 1e-12) & np.isfinite(ly)
        n = int(sel.sum())
        if n >= 3:
            x, y = lx[sel], ly[sel]
            xm = x - x.mean()
            sxx = float(xm @ xm)
            g = float(xm @ (y - y.mean()) / sxx)
            res = y - y.mean() - g * xm
            se = math.sqrt(float(res @ res) / (n - 2) / sxx) if n > 2 else math.nan
            cs.append(10**c)
            gs.append(g)
            ses.append(se)
        c += step
    return np.array(cs), np.array(gs), np.array(ses)


@dataclass(frozen=True)
class DecayGain:
    """A measured decay gain at one point, beside the derived one.

    Attributes
    ----------
    derived_gain : float
        ``theory.plrf.decay_gain(alpha, beta, optimizer, schedule)``.
    measured_gain : float
        The last local gain (window ending at the largest budget that both frontiers have inside
        their lattice).
    interval : (float, float)
        ``measured_gain +- (2 se + drift)`` (module docstring).
    agree : bool
        ``interval[0] <= derived_gain <= interval[1]``.
    centers, local_gain, local_se : ndarray
        The local gains by window (convergence with budget).
    eta_constant, eta_schedule : float
        Upper-half fits of each frontier's slope; ``frontiers``: the two :class:`Frontier` objects.
    """

    alpha: float
    beta: float
    optimizer: str
    schedule: str
    derived_gain: float
    measured_gain: float
    interval: tuple
    agree: bool
    centers: np.ndarray
    local_gain: np.ndarray
    local_se: np.ndarray
    flops: np.ndarray
    ratio: np.ndarray
    eta_constant: float
    eta_schedule: float
    frontiers: tuple = field(repr=False, default=())
    diagnostics: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"alpha": self.alpha, "beta": self.beta, "optimizer": self.optimizer, "schedule": self.schedule,
                "derived_gain": self.derived_gain, "measured_gain": self.measured_gain,
                "interval": list(self.interval), "agree": bool(self.agree), "window_centers": self.centers.tolist(),
                "local_gain": self.local_gain.tolist(), "local_se": self.local_se.tolist(),
                "flops": self.flops.tolist(), "ratio": self.ratio.tolist(), "eta_constant": self.eta_constant,
                "eta_schedule": self.eta_schedule, **self.diagnostics}


def measure_decay_gain(alpha: float, beta: float, optimizer="signsgd", schedule: Schedule | None = None, *,
                       flops=None, d_grid=None, lr_factors=None, window: float = 1.0, v_ratio: float = 4.0,
                       h: float = 0.01, derived: float | None = None, components: bool = True) -> DecayGain:
    """Measure ``eta(schedule) - eta(constant)`` of ``optimizer`` at ``(alpha, beta)`` from two
    frontiers with ``(d, lr)`` optimised per budget (:func:`numerics.plrf.frontier`, ``lr="optimise"``,
    deterministic-equivalent spectrum), paired at equal budgets.

    Parameters
    ----------
    schedule : theory.Schedule
        A decaying schedule (default ``WSD(warmup=0, decay=0.2)``, linear).
    flops, d_grid, lr_factors, v_ratio, h : see :func:`numerics.plrf.frontier`.
    window : float
        Decades per local-gain window (disjoint windows step by ``window``).
    derived : float, optional
        The derived gain to compare with (default: ``theory.plrf.decay_gain``).
    components : bool
        Split each frontier's optimum at every inner budget into its drift and noise parts
        (:meth:`PLRFNumericsRules.risk_components`: signSGD also splits the noise into the relaxed
        modes' and the rest, SGD does not) and report, in ``diagnostics["components"]``, per
        schedule: the parts, their upper-half slopes and the noise share at the first and last
        budget; ``asymptotic_gain``,
        ``asymptotic_interval``, ``asymptotic_agree``: the gain between the parts the theory keeps
        (the relaxed modes' noise is dropped where its derived slack is positive, see
        :func:`theory.plrf.decay_gain`). Why: a loss whose noise share is still
        falling along the frontier falls faster than its slowest part, so its local slope is
        above the asymptotic one by about ``(slope_noise - slope_drift) x share`` until the
        share has settled (measured in ``docs/signsgd.md``, "S-VI excess").

    Examples
    --------
    >>> from theory import WSD
    >>> g = measure_decay_gain(1.0, 0.7, "sgd", WSD(decay=0.2), flops=np.logspace(4, 6, 9),
    ...                        d_grid=[16, 32, 64, 128, 256])
    >>> g.derived_gain, len(g.interval)
    (0.0, 2)

    References
    ----------
    Kim, Song & Yun (2026), arXiv:2603.02069 (the claim measured here).
    """
    import theory.plrf

    t0 = time.perf_counter()
    sched = schedule if schedule is not None else __import__("theory").WSD(warmup=0.0, decay=0.2)
    if not isinstance(sched, Schedule) or sched.is_constant:
        raise ParameterError("schedule", "a non-constant theory.Schedule", getattr(sched, "name", sched))
    kw = dict(lr="optimise", flops=flops, d_grid=d_grid, lr_factors=lr_factors, v_ratio=v_ratio, h=h, window=window)
    fc = frontier(alpha, beta, optimizer, schedule=Constant(), **kw)
    fs = frontier(alpha, beta, optimizer, schedule=sched, **kw)
    common = np.intersect1d(fc.flops[fc.inner], fs.flops[fs.inner])
    pc = fc.p_star[np.searchsorted(fc.flops, common)]
    ps = fs.p_star[np.searchsorted(fs.flops, common)]
    cen, g, se = paired_local_gain(common, pc, ps, window=window, step=window / 2)
    dg = float(theory.plrf.decay_gain(alpha, beta, fc.optimizer, sched)["gain"]) if derived is None else derived
    if g.size == 0:
        meas, lo, hi = math.nan, -math.inf, math.inf
    else:
        meas = float(g[-1])
        prev = float(g[-3]) if g.size >= 3 else (float(g[0]) if g.size >= 2 else meas)  # disjoint window
        half = 2 * float(se[-1]) + abs(meas - prev)
        lo, hi = meas - half, meas + half
    diag = {"d_grid": [int(fc.d_grid[0]), int(fc.d_grid[-1])], "budgets_inside": int(common.size),
            "d_star_last": float(fc.d_star[-1])}
    if components:
        parts = {name: _frontier_components(fr, optimizer, sched_of, v_ratio, h)
                 for name, fr, sched_of in (("constant", fc, Constant()), ("schedule", fs, sched))}
        if all(v is not None for v in parts.values()):
            diag["components"] = parts
            diag.update(_asymptotic_gain(parts, theory.plrf.decay_gain(alpha, beta, fc.optimizer, sched), dg))
    diag["seconds"] = time.perf_counter() - t0
    return DecayGain(float(alpha), float(beta), fc.optimizer, sched.spec(), dg, meas, (lo, hi),
                     bool(lo - 1e-12 <= dg <= hi + 1e-12), cen, g, se, common, pc / ps, fc.eta_fit, fs.eta_fit,
                     (fc, fs), diag)


def _asymptotic_gain(parts, theory_gain, derived):
    """The gain between the parts of each optimum that the theory keeps asymptotically: where the
    relaxed modes' noise has a positive derived slack (``noise / P* ~ f^-slack``) its share dies out,
    so that frontier's asymptotic slope is that of the rest (``p_inf`` + drift + the unrelaxed modes'
    noise); with slack 0 the parts are co-dominant and the total is used. Interval:
    ``2 se + |upper-half gain - lower-half gain|`` (as for the local gains; ``None`` verdict when the
    upper half has fewer than 4 budgets). The same upper half as the reported slopes."""
    sd, sc = theory_gain.get("noise_slack_decay"), theory_gain.get("noise_slack_constant")
    if sd is None or sc is None:
        return {}
    key = {"total": "risk", "without_relaxed_noise": "without_relaxed_noise"}
    use = {"constant": "without_relaxed_noise" if sc > 0 else "total",
           "schedule": "without_relaxed_noise" if sd > 0 else "total"}
    # -slope (the loss exponent): upper half with its standard error, and the lower half
    fits = {k: half_fits(parts[k]["flops"], np.maximum(parts[k][key[use[k]]], 1e-300)) for k in use}
    g = -(fits["schedule"][0] - fits["constant"][0])
    g_lo = -(fits["schedule"][2] - fits["constant"][2])
    se = math.hypot(fits["schedule"][1], fits["constant"][1])
    if not math.isfinite(se):
        return {"asymptotic_parts": use, "asymptotic_gain": g, "asymptotic_interval": [-math.inf, math.inf],
                "asymptotic_agree": None}
    half = 2 * se + abs(g - g_lo)
    return {"asymptotic_parts": use, "asymptotic_gain": g, "asymptotic_interval": [g - half, g + half],
            "asymptotic_agree": bool(g - half - 1e-12 <= derived <= g + half + 1e-12)}


def _frontier_components(fr, optimizer, schedule, v_ratio, h):
    """Drift/noise split of a frontier's optimum at each inner budget (``None`` where the rules have none)."""
    rules = RULES[optimizer]
    template = optimizer if isinstance(optimizer, Optimizer) else resolve_optimizer(optimizer, lr=1.0)
    idx = np.flatnonzero(fr.inner)
    if idx.size < 2:
        return None
    rows = []
    for j in idx:
        d = int(round(float(fr.d_star[j])))
        p = PLRF(fr.alpha, fr.beta, max(int(round(v_ratio * d)), d), d)
        md = rules.model(p, "deterministic")
        steps = max(1, int(math.floor(float(fr.flops[j]) / (d * template.batch) + 0.5)))
        c = rules.risk_components(p, md, dataclasses.replace(template, lr=float(fr.lr_star[j])), schedule, steps, h)
        if c is None:
            return None
        rows.append(c)
    f = fr.flops[idx]
    risk = np.array([c["risk"] for c in rows])
    drift = np.array([c["drift"] for c in rows])
    noise = np.array([c["noise"] for c in rows])
    sel = np.ones(idx.size, bool)
    series = [("total", risk), ("drift", drift), ("noise", noise)]
    out = {"flops": f.tolist(), "risk": risk.tolist(), "drift": drift.tolist(), "noise": noise.tolist(),
           "p_inf": [c["p_inf"] for c in rows],
           "noise_share": [float(noise[0] / risk[0]), float(noise[-1] / risk[-1])]}
    if all(c.get("noise_relaxed") is not None for c in rows):  # the noise split by mode (signSGD)
        relaxed = np.array([c["noise_relaxed"] for c in rows])
        kept = risk - relaxed  # p_inf + drift + the unrelaxed modes' noise
        series += [("noise_relaxed", relaxed), ("without_relaxed_noise", kept)]
        out.update(noise_relaxed=relaxed.tolist(), without_relaxed_noise=kept.tolist(),
                   relaxed_noise_share=[float(relaxed[0] / risk[0]), float(relaxed[-1] / risk[-1])])
    out["slopes"] = {k: -upper_fit(f, np.maximum(v, 1e-300), sel) for k, v in series}
    return out
