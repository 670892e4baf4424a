"""``sltk sweep frontier``: the measured exponent atlas.

At each grid point ``(optimizer, schedule, alpha, beta)`` the compute-optimal frontier is measured
with the learning rate optimised per budget (the deterministic-equivalent risk equations minimised
over a lattice of model sizes ``d`` and learning-rate factors, :func:`numerics.plrf.frontier`),
and its slopes ``eta`` (``P* ~ f^-eta``) and ``xi`` (``d* ~ f^xi``) are stored beside the derived
exponents of the same point (``theory.plrf.compute_optimal_exponents`` with the point's schedule).

The measured value and its interval
-----------------------------------
Only budgets whose minimiser is inside the lattice count ("inner" budgets; one on the lattice's
end is a bound). Over the **upper half** (in ``log f``) of the inner budgets:

* the measured slope is the least-squares slope of ``log P*`` (``log d*``) on ``log f``;
* the **measured interval** is the range spanned by (i) the local slopes over one-``window``-decade
  sliding windows (:func:`numerics.local_slopes`) whose centres lie in that upper half and (ii) the
  fitted slope plus and minus its standard error.

Part (i) holds the drift of the slope with ``f`` (finite-size exponents converge slowly, Paquette et
al. 2024 Fig. 5c) and the ~1 % jitter of the parabola-refined minimum along the lattice; part (ii)
the scatter about one straight line. A derived exponent outside this interval is a disagreement:
either the measurement is pre-asymptotic by more than its own drift shows, or the derivation is
wrong there. It is not a statistical confidence interval (there is no noise: everything is
deterministic); it is the spread the data show over the range measured.

References
----------
Paquette, Paquette, Xiao & Pennington, NeurIPS 2024 (arXiv:2405.15074), Sec. 4, Table 2, Fig. 5;
Kim, Song & Yun, ICLR 2026 (arXiv:2603.02069); research note ``plrf_signsgd.md``.
"""

from __future__ import annotations

import math

import numpy as np

import numerics.plrf
import theory
import theory.plrf
from theory import ParameterError

from . import SweepSpec
from ._common import add_plane_arguments, parse_optimizers, parse_schedules, plane_axes

KIND = "frontier"
HELP = "measured compute-optimal slopes eta, xi over (alpha, beta) beside the derived ones (exponent atlas)"

#: Optimizers the lr-optimised frontier is measured for.
#: The optimizers with a PLRF frontier (numerics rules).
OPTIMIZERS = numerics.plrf.RULES.names()


def _coarse(optimizer) -> list:
    """The optimizer's coarse learning-rate lattice (its numerics rules' ``coarse_lr_factors``)."""
    return [float(f"{c:.6g}") for c in numerics.plrf.RULES[optimizer].coarse_lr_factors]


#: Lattice and budget presets; any option given on the command line overrides its preset value.
#: ``ci``: about 1 s a point (tests, report --fast); ``coarse``: ~5-20 s; ``fine``: 10-150 s (a cluster).
PRESETS = {
    "ci": {"d_min": 16, "d_max": 256, "n_d": 9, "f_min": 1e3, "f_max": 1e5, "n_f": 9, "h": 0.05, "lattice": "coarse"},
    "coarse": {"d_min": 16, "d_max": 2048, "n_d": 15, "f_min": 1e3, "f_max": 1e6, "n_f": 13, "h": 0.02,
               "lattice": "default"},
    "fine": {"d_min": 32, "d_max": 16384, "n_d": 37, "f_min": 1e4, "f_max": 1e8, "n_f": 17, "h": 0.01,
             "lattice": "default"},
}


def add_arguments(p) -> None:
    add_plane_arguments(p)
    p.add_argument("--optimizer", default="sgd,signsgd", help="comma list among sgd, signsgd (default both)")
    p.add_argument("--schedule", default="constant,wsd",
                   help="comma list of schedules name[:key=value,...] (default constant,wsd)")
    p.add_argument("--preset", default="ci", choices=sorted(PRESETS),
                   help="lattice and budgets: ci (~1 s a point), coarse, fine (default ci)")
    from .._args import integer, real

    for name, typ, what in (("d-min", integer(ge=1), "smallest model size"), ("d-max", integer(ge=2), "largest model size"),
                            ("n-d", integer(ge=3), "number of model sizes (log-spaced)"),
                            ("f-min", real(gt=0), "smallest budget"), ("f-max", real(gt=0), "largest budget"),
                            ("n-f", integer(ge=3), "number of budgets (log-spaced)"),
                            ("h", real(gt=0, le=0.25), "relative chunk of the log-grid solvers")):
        p.add_argument(f"--{name}", type=typ, default=None, help=f"{what} (default: the preset's)")
    p.add_argument("--v-ratio", type=real(ge=1), default=4.0, help="v = v_ratio d (default 4)")
    p.add_argument("--spectrum", default="deterministic", choices=("deterministic", "surrogate"))
    p.add_argument("--window", type=real(gt=0), default=1.0, help="decades of f per local-slope window (default 1)")


def build(args) -> SweepSpec:
    overrides = {k: getattr(args, k) for k in ("d_min", "d_max", "n_d", "f_min", "f_max", "n_f", "h")
                 if getattr(args, k) is not None}
    plane = plane_axes(args)
    return atlas_spec(plane["alpha"], plane["beta"], parse_optimizers(args.optimizer, allowed=OPTIMIZERS),
                      args.schedule, preset=args.preset, v_ratio=args.v_ratio, spectrum=args.spectrum,
                      window=args.window, **overrides)


def atlas_spec(alphas, betas, optimizers=OPTIMIZERS, schedules="constant,wsd", *, preset: str = "ci",
               v_ratio: float = 4.0, spectrum: str = "deterministic", window: float = 1.0, **overrides) -> SweepSpec:
    """The atlas sweep over ``optimizers x schedules x alphas x betas`` (what ``sltk sweep frontier`` runs).

    ``schedules`` is a comma list (or a list) of schedule spellings; ``overrides`` replace the
    preset's ``d_min, d_max, n_d, f_min, f_max, n_f, h``.
    """
    from numerics.sweeps import Grid

    theory.validate.check_choice("preset", preset, tuple(PRESETS))
    theory.validate.check_choice("spectrum", spectrum, ("deterministic", "surrogate"))
    optimizers = list(optimizers)
    for o in optimizers:
        theory.validate.check_choice("--optimizer", o, OPTIMIZERS)
    scheds = parse_schedules(schedules if isinstance(schedules, str) else ",".join(schedules))
    axes = {"optimizer": optimizers, "schedule": list(scheds), "alpha": list(alphas), "beta": list(betas)}
    pre = dict(PRESETS[preset])
    for key, val in overrides.items():
        if key not in pre or key == "lattice":
            raise ParameterError(key, "one of d_min, d_max, n_d, f_min, f_max, n_f, h", val)
        pre[key] = val
    if not (1 <= pre["d_min"] < pre["d_max"]):
        raise ParameterError("--d-min/--d-max", "1 <= d_min < d_max", (pre["d_min"], pre["d_max"]))
    if pre["n_d"] < 3:
        raise ParameterError("--n-d", "--n-d >= 3", pre["n_d"])
    if not (0 < pre["f_min"] < pre["f_max"]):
        raise ParameterError("--f-min/--f-max", "0 < f_min < f_max", (pre["f_min"], pre["f_max"]))
    if pre["n_f"] < 4:
        raise ParameterError("--n-f", "--n-f >= 4 (a fit over the upper half needs points)", pre["n_f"])
    if not (0 < pre["h"] <= 0.25):
        raise ParameterError("--h", "0 < h <= 0.25", pre["h"])
    if not v_ratio >= 1:
        raise ParameterError("--v-ratio", "--v-ratio >= 1", v_ratio)
    if not window > 0:
        raise ParameterError("--window", "--window > 0", window)
    lattice = pre.pop("lattice")
    fixed = {**pre, "v_ratio": float(v_ratio), "spectrum": spectrum, "window": float(window),
             "lr_factors": {o: _coarse(o) for o in optimizers} if lattice == "coarse" else {}}
    grid = Grid(axes, fixed=fixed)
    attrs = {"kind": KIND, "preset": preset,
             "problem": {"model": "PLRF", "v": f"round({v_ratio:g} d)", "batch": 1, "spectrum": spectrum,
                         "risk": theory.CONVENTIONS.get("risk", ""), "compute": theory.CONVENTIONS.get("compute", "")},
             "optimizers": {o: {"lr": "optimised per budget on a lattice with d",
                                "lattice": _coarse(o) if lattice == "coarse" else "numerics default"}
                            for o in optimizers},
             "schedules": scheds,
             "slopes": "fit over the upper half of the inner budgets; interval: local slopes there and fit +- s.e."}
    return SweepSpec(point, grid, attrs)


# --- the two calls into the layers below: each made from exactly one place --------------------

def _frontier_point(point: dict) -> dict:
    """The measured frontier at one grid point (:func:`numerics.plrf.frontier`, the learning rate
    optimised per budget), on the budgets the point asks for. Returns ``flops``, ``risk`` (``P*``),
    ``d_opt``, ``lr_opt`` (NaN at budgets no lattice point reaches), ``inner`` (minimiser inside the
    lattice) and ``runs``.
    """
    flops = np.logspace(math.log10(point["f_min"]), math.log10(point["f_max"]), int(point["n_f"]))
    ds = np.geomspace(point["d_min"], point["d_max"], int(point["n_d"]))
    fr = numerics.plrf.frontier(
        point["alpha"], point["beta"], point["optimizer"], lr="optimise", flops=flops,
        schedule=theory.parse_schedule(point["schedule"]), d_grid=ds,
        lr_factors=point["lr_factors"].get(point["optimizer"]), v_ratio=point["v_ratio"],
        spectrum=point["spectrum"], window=point["window"], h=point["h"])
    pos = np.searchsorted(flops, fr.flops)
    out = {k: np.full(flops.size, np.nan) for k in ("risk", "d_opt", "lr_opt")}
    inner = np.zeros(flops.size, bool)
    out["risk"][pos], out["d_opt"][pos], out["lr_opt"][pos] = fr.p_star, fr.d_star, fr.lr_star
    inner[pos] = fr.inner
    return {"flops": flops, **out, "inner": inner, "runs": int(fr.diagnostics["runs"])}


def _derived_exponents(alpha: float, beta: float, optimizer: str, schedule) -> tuple:
    """``(eta, xi, regime)`` derived at one point (:func:`theory.plrf.compute_optimal_exponents`;
    the regime is the optimizer's phase, ``"II|III"`` on a boundary)."""
    ex = theory.plrf.compute_optimal_exponents(alpha, beta, optimizer, schedule)
    return ex.eta, (math.nan if ex.xi is None else ex.xi), ex.phase or "|".join(ex.phases)


# --- the point function -------------------------------------------------------------------------

def measured_slope(flops, values, inner, window: float) -> dict:
    """Measured slope of ``log values`` on ``log flops`` and its interval (module docstring).

    Returns ``{"slope", "lo", "hi", "n_fit"}``; ``slope`` is NaN (and ``n_fit`` < 2) when fewer than
    3 inner budgets exist.

    Examples
    --------
    An exact power law has a zero-width interval at its exponent; a bend widens it:

    >>> f = np.logspace(3, 5, 9); inner = np.ones(9, bool)
    >>> r = measured_slope(f, 2 * f**-0.5, inner, 1.0)
    >>> round(r["slope"], 12), round(r["hi"] - r["lo"], 12)
    (-0.5, 0.0)
    >>> r = measured_slope(f, f**-0.5 + 1e-3 * f**-0.3, inner, 1.0)
    >>> bool(r["lo"] < r["slope"] < r["hi"])
    True
    """
    F = np.asarray(flops, float)[inner]
    Y = np.asarray(values, float)[inner]
    if F.size < 3:
        return {"slope": math.nan, "lo": math.nan, "hi": math.nan, "n_fit": int(F.size)}
    lx, ly = np.log10(F), np.log10(Y)
    mid = 0.5 * (lx[0] + lx[-1])
    up = lx >= mid - 1e-12
    if up.sum() < 2:
        up[:] = True
    if up.sum() >= 4:
        coef, cov = np.polyfit(lx[up], ly[up], 1, cov=True)
        se = math.sqrt(max(cov[0, 0], 0.0))
    else:
        coef, se = np.polyfit(lx[up], ly[up], 1), math.nan
    slope = float(coef[0])
    cand = [slope]
    if math.isfinite(se):
        cand += [slope - se, slope + se]
    centres, local = numerics.local_slopes(F, Y, window=window)
    if local.size:
        cand += local[np.log10(centres) >= mid - 1e-12].tolist()
    return {"slope": slope, "lo": float(min(cand)), "hi": float(max(cand)), "n_fit": int(up.sum())}


def point(point: dict) -> dict:
    """One atlas point: measured ``eta``, ``xi`` with intervals, the derived values, the frontier.

    ``frontier_status`` is ``"ok"`` or ``"too_few_inner_budgets"`` (fewer than 3 budgets with
    the minimiser inside the lattice: the slopes are NaN); ``derived_status`` is ``"ok"`` or
    ``"xi_not_unique"`` (on a boundary where every xi in an interval is optimal: ``xi_derived`` NaN).
    """
    a, b = point["alpha"], point["beta"]
    schedule = theory.parse_schedule(point["schedule"])
    eta_d, xi_d, regime = _derived_exponents(a, b, point["optimizer"], schedule)  # validates the point first
    fr = _frontier_point(point)
    eta = measured_slope(fr["flops"], fr["risk"], fr["inner"], point["window"])
    xi = measured_slope(fr["flops"], fr["d_opt"], fr["inner"], point["window"])
    budget = ("budget",)
    return {
        "eta": -eta["slope"], "eta_lo": -eta["hi"], "eta_hi": -eta["lo"],
        "xi": xi["slope"], "xi_lo": xi["lo"], "xi_hi": xi["hi"],
        "eta_derived": float(eta_d), "xi_derived": math.nan if xi_d is None else float(xi_d),
        "regime": str(regime), "n_inner": int(fr["inner"].sum()), "n_fit": int(eta["n_fit"]), "runs": fr["runs"],
        "frontier_status": "ok" if math.isfinite(eta["slope"]) else "too_few_inner_budgets",
        "derived_status": "ok" if xi_d is not None else "xi_not_unique",
        "flops": (budget, fr["flops"]), "risk": (budget, fr["risk"]), "d_opt": (budget, fr["d_opt"]),
        "lr_opt": (budget, fr["lr_opt"]), "inner": (budget, fr["inner"]),
    }


# --- reading a stored atlas ---------------------------------------------------------------------

def disagreements(ds, quantity: str = "eta") -> list[dict]:
    """Points where the derived exponent lies outside the measured interval, largest gap first."""
    theory.validate.check_choice("quantity", quantity, ("eta", "xi"))
    rows = []
    ok = (ds["sweep_status"] == "ok") & (ds["frontier_status"] == "ok")
    sub = ds.where(ok)
    m, lo, hi, d = (sub[k].values for k in (quantity, f"{quantity}_lo", f"{quantity}_hi", f"{quantity}_derived"))
    for idx in zip(*np.nonzero(np.isfinite(m) & np.isfinite(d) & ((d < lo) | (d > hi)))):
        coords = {dim: ds[dim].values[i].item() if hasattr(ds[dim].values[i], "item") else ds[dim].values[i]
                  for dim, i in zip(ds[quantity].dims, idx)}
        gap = float(d[idx] - hi[idx]) if d[idx] > hi[idx] else float(d[idx] - lo[idx])
        rows.append({**coords, "measured": float(m[idx]), "lo": float(lo[idx]), "hi": float(hi[idx]),
                     "derived": float(d[idx]), "outside_by": gap})
    return sorted(rows, key=lambda r: -abs(r["outside_by"]))


def summary(ds) -> list[str]:
    st = ds["sweep_status"].values.reshape(-1).tolist()
    fs = ds["frontier_status"].values.reshape(-1).tolist() if "frontier_status" in ds else []
    lines = [f"points: {st.count('ok')} ok, {st.count('failed')} failed, {st.count('pending')} pending; "
             f"{sum(1 for s, f in zip(st, fs) if s == 'ok' and f != 'ok')} with too few inner budgets for a slope"]
    if "eta" not in ds:
        return lines
    for q in ("eta", "xi"):
        dis = disagreements(ds, q)
        n_meas = int(np.isfinite(ds[q].where(ds["sweep_status"] == "ok")).sum())
        lines.append(f"{q}: derived value outside the measured interval at {len(dis)} of {n_meas} measured points")
        for r in dis[:10]:
            lines.append(f"  {r['optimizer']:8s} {r['schedule']:10s} alpha={r['alpha']:<6g} beta={r['beta']:<6g} "
                         f"measured {r['measured']:.3f} [{r['lo']:.3f}, {r['hi']:.3f}] derived {r['derived']:.3f}")
        if len(dis) > 10:
            lines.append(f"  ... {len(dis) - 10} more (numerics: sltk._sweep_kinds.frontier.disagreements)")
    return lines


def figure(ds):
    from .._figures.sweeps import atlas_figure

    return atlas_figure(ds)
