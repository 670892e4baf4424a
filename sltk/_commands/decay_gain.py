"""``sltk decay-gain --optimizer sgd|signsgd --schedule SPEC [--alpha A --beta B] [--json] [--out FIG]``:
the gain ``eta(decay) - eta(constant)`` of an optimizer's compute-optimal slope from a decaying
learning rate, derived and measured.

* With ``--alpha``/``--beta``: the derived gain (``theory.plrf.decay_gain``, with its exact
  expression) and the measured one (``numerics.plrf.measure_decay_gain``: two frontiers with
  ``(d, lr)`` optimised per budget, paired local gains over one-decade windows), its interval
  ``last +- (2 se + drift)`` and whether the derived value lies in it. JSON keys ``derived_gain``,
  ``measured_gain``, ``interval``, ``agree`` (and ``gain_expr``, ``local_gain``, ``local_se``,
  ``window_centers``, ...). Exit 1 when they do not agree. Where the optimizer's equations split
  into drift and noise (signSGD), also ``components`` (each optimum's parts, their slopes and the
  noise share) and ``asymptotic_gain`` / ``asymptotic_interval`` / ``asymptotic_agree``: the gain
  between the parts the theory keeps asymptotically (informative; the exit code follows ``agree``).
* Without them: the derived map over ``(alpha, beta)`` with its regions (each region's exact gain
  expression is printed), and, with ``--measured FILE,...`` (JSON written by the point mode or by
  ``benchmarks/measure_decay_gain.py``), the measured points overlaid on the figure ``--out``.
"""

from __future__ import annotations

import json

import numpy as np

import numerics
import theory
from theory import ParameterError

from .._output import figure_style, format_table, print_json, save_figure

COMMAND = "decay-gain"
OUTPUTS = {"out": "file"}
HELP = "slope gain of a decaying learning rate (derived map, or derived vs measured at one point)"


def add_arguments(p):
    p.add_argument("--optimizer", default="signsgd", choices=theory.plrf.RULES.names(),
                   help="optimizer (default signsgd)")
    p.add_argument("--schedule", default="wsd:warmup=0,decay=0.2", metavar="SPEC",
                   help="a schedule decaying to zero (default wsd:warmup=0,decay=0.2)")
    p.add_argument("--alpha", type=float, default=None, help="data exponent alpha > 0 (point mode)")
    p.add_argument("--beta", type=float, default=None, help="target exponent beta (point mode)")
    p.add_argument("--f-min", type=float, default=1e5, help="point mode: smallest budget (default 1e5)")
    p.add_argument("--f-max", type=float, default=1e8, help="point mode: largest budget (default 1e8)")
    p.add_argument("--per-decade", type=int, default=4, help="point mode: budgets per decade (default 4)")
    p.add_argument("--d-min", type=int, default=16, help="point mode: smallest model size (default 16)")
    p.add_argument("--d-max", type=int, default=4096, help="point mode: largest model size (default 4096)")
    p.add_argument("--grid", type=int, default=40, help="map mode: grid points along alpha (default 40)")
    p.add_argument("--measured", default=None, metavar="FILE,...",
                   help="map mode: JSON files of measured points to overlay")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--out", default=None, metavar="FIG", help="write the figure (.png/.pdf/.svg)")


def _schedule(text):
    try:
        s = theory.parse_schedule(text)
    except ParameterError as exc:
        raise ParameterError("--schedule", "a schedule spec such as wsd:warmup=0,decay=0.2 or cosine", text) from exc
    if s.end_decay_power() is None:
        raise ParameterError("--schedule", "a schedule decaying to zero (wsd, stable-decay, cosine; floor=0)", text)
    return s


def _validate(args):
    sched = _schedule(args.schedule)
    if (args.alpha is None) != (args.beta is None):
        raise ParameterError("--alpha/--beta", "both or neither", f"alpha={args.alpha}, beta={args.beta}")
    if args.alpha is not None:
        if not args.alpha > 0:
            raise ParameterError("--alpha", "alpha > 0", args.alpha)
        if not 2 * args.alpha + 2 * args.beta > 1:
            raise ParameterError("--alpha/--beta", "2*alpha + 2*beta > 1", 2 * args.alpha + 2 * args.beta)
        if not 0 < args.f_min < args.f_max / 10:
            raise ParameterError("--f-min/--f-max", "0 < f-min and f-max >= 10 f-min (one window)",
                                 f"{args.f_min}, {args.f_max}")
        theory.validate.check_int("--per-decade", args.per_decade, ge=3, le=20)
        theory.validate.check_int("--d-min", args.d_min, ge=2)
        theory.validate.check_int("--d-max", args.d_max, ge=4 * args.d_min)
        if args.measured:
            raise ParameterError("--measured", "map mode only (without --alpha/--beta)", args.measured)
    else:
        theory.validate.check_int("--grid", args.grid, ge=4, le=200)
    return sched


def _load_measured(text):
    out = []
    for path in (x.strip() for x in str(text).split(",") if x.strip()):
        try:
            with open(path) as fh:
                rec = json.load(fh)
            item = {k: rec[k] for k in ("alpha", "beta", "measured_gain", "interval", "derived_gain", "agree")}
            for k in ("asymptotic_gain", "asymptotic_interval", "asymptotic_agree"):
                if k in rec:
                    item[k] = rec[k]
            out.append(item)
        except (OSError, ValueError, KeyError, TypeError):
            raise ParameterError("--measured", "JSON files written by sltk decay-gain --alpha A --beta B --json",
                                 path) from None
    return out


def run(args) -> int:
    sched = _validate(args)
    measured = _load_measured(args.measured) if args.measured else []
    if args.alpha is not None:
        return _point(args, sched)
    n = args.grid
    with figure_style():
        from .._figures.plrf import decay_gain_figure

        fig, Z, regions = decay_gain_figure(args.optimizer, sched, n=n, measured=measured, regions=True)
        paths = [str(p) for p in save_figure(fig, args.out)] if args.out else []
    rows = [{"gain_expr": k, "points": len(v["points"]), "example": list(v["example"])} for k, v in regions.items()]
    if args.json:
        print_json({"optimizer": args.optimizer, "schedule": sched.spec(), "regions": rows, "measured": measured,
                    "largest_gain": float(np.nanmax(Z)), "figure": paths[0] if paths else None})
        return 0
    print(f"{args.optimizer}: derived slope gain of {sched.spec()} (lr re-optimised per budget)")
    print(format_table(["gain expression", "grid points", "example (alpha, beta)"],
                       [[r["gain_expr"], r["points"], f"({r['example'][0]:.3g}, {r['example'][1]:.3g})"] for r in rows]))
    for m in measured:
        print(f"measured at ({m['alpha']}, {m['beta']}): {m['measured_gain']:+.4f} in "
              f"[{m['interval'][0]:+.4f}, {m['interval'][1]:+.4f}], derived {m['derived_gain']:+.4f}, agree {m['agree']}")
    if paths:
        print(f"figure written to {paths[0]}")
    return 0


def _point(args, sched) -> int:
    flops = np.logspace(np.log10(args.f_min), np.log10(args.f_max),
                        int(round(np.log10(args.f_max / args.f_min) * args.per_decade)) + 1)
    n = int(round(np.log2(args.d_max / args.d_min) * 2)) + 1
    dg = np.unique(np.round(np.geomspace(args.d_min, args.d_max, n)).astype(int))
    derived = theory.plrf.decay_gain(args.alpha, args.beta, args.optimizer, sched)
    g = numerics.plrf.measure_decay_gain(args.alpha, args.beta, args.optimizer, sched, flops=flops, d_grid=dg,
                                         derived=derived["gain"])
    rec = g.to_dict()
    rec["gain_expr"] = str(derived["gain_expr"])
    rec["eta_decay_derived"], rec["eta_constant_derived"] = derived["eta_decay"], derived["eta_constant"]
    if args.out:
        with figure_style():
            from .._figures.plrf import decay_gain_point_figure

            rec["figure"] = [str(p) for p in save_figure(decay_gain_point_figure(g), args.out)][0]
    if args.json:
        print_json(rec)
    else:
        print(f"{g.optimizer} at ({g.alpha}, {g.beta}), {g.schedule}:")
        print(f"  derived gain  {g.derived_gain:+.4f}  ({rec['gain_expr']})")
        print(f"  measured gain {g.measured_gain:+.4f}  interval [{g.interval[0]:+.4f}, {g.interval[1]:+.4f}]  "
              f"agree: {g.agree}")
        for name, part in g.diagnostics.get("components", {}).items():
            sl = part["slopes"]
            share = part.get("relaxed_noise_share", part["noise_share"])
            kind = "relaxed-noise" if "relaxed_noise_share" in part else "noise"
            print(f"  {name:<9} optima: loss exponents total {sl['total']:.3f}, drift part {sl['drift']:.3f}, "
                  f"noise part {sl['noise']:.3f}; {kind} share {share[0]:.2f} -> {share[1]:.2f}")
        if "asymptotic_gain" in g.diagnostics:
            lo, hi = g.diagnostics["asymptotic_interval"]
            parts = g.diagnostics["asymptotic_parts"]
            print(f"  asymptotic    {g.diagnostics['asymptotic_gain']:+.4f}  interval [{lo:+.4f}, {hi:+.4f}]  "
                  f"agree: {g.diagnostics['asymptotic_agree']}  (slopes of the parts the theory keeps: constant "
                  f"{parts['constant']}, schedule {parts['schedule']}; informative, the exit code follows 'agree')")
        print(format_table(["window centre f", "local gain", "se"],
                           [[f"{c:.3g}", f"{x:+.4f}", f"{s:.4f}"] for c, x, s in zip(g.centers, g.local_gain,
                                                                                      g.local_se)]))
        if args.out:
            print(f"figure written to {rec['figure']}")
    return 0 if g.agree else 1
