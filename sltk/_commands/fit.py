"""``sltk fit CURVES... --law tissue|mpl``: fit a loss law with learning-rate annealing.

Each curve is a CSV with columns ``step,lr,loss`` (extra columns ignored). The per-update
learning-rate history is exact for the packaged runs of Luo et al. (a file named after one of
their schedules whose ``lr`` column matches it: its 2160-step warmup is included, no flag
needed); for any other file it is rebuilt from the ``lr`` column by linear interpolation
between logged steps, with ``--warmup-steps W`` prepending a linear warmup over updates
``1..W`` that the log does not contain (default 0). ``--history interpolate`` forces
interpolation. The text output and the JSON (``histories``) say which route each file took. ``--json`` prints one object with ``law``, ``params`` (Tissue: ``L0, A, alpha,
C, lambda``; MPL: ``L0, A, alpha, B, C, beta, gamma``), ``r2``, ``huber``, ``converged`` and
diagnostics; ``--out DIR`` writes ``fit.json`` (the input of ``sltk predict`` and
``sltk schedule-opt``) and ``fit.png``.

``--mode mle`` (default) is the plain fit; ``--mode predictive`` adds a log-normal prior on the
law's shape parameters whose scale is chosen by leave-one-schedule-out cross-validation on the
given curves (the mode ``sltk predict --fit`` uses by default). Every result says its mode, the
parameters that end on a bound (``at_bound``; the text marks them), and the identifiability of
each parameter (``identifiability``: condition number, relative width of the quadratic
profile, the flat ones). The defaults (starts, method, binning) are the law's, the same as the
API's ``fit_loss_law`` and the report's.
"""

from __future__ import annotations

import json
from pathlib import Path

from .._args import integer, real
from .._output import exit_code, format_table, print_json, to_jsonable

COMMAND = "fit"
HELP = "fit a loss law with LR annealing (tissue or multi-power) to step,lr,loss CSV curves"
OUTPUTS = {"out": "dir"}
FLAG_NAMES = {"n_starts": "--starts", "lam": "--lambda", "warmup_steps": "--warmup-steps"}


def add_arguments(p):
    from numerics.laws import WARMUP_CONVENTIONS
    from numerics.laws import FIT_METHODS

    p.add_argument("curves", nargs="+", metavar="CURVE", help="CSV files with columns step,lr,loss")
    p.add_argument("--law", choices=("tissue", "mpl"), default="tissue", help="loss law (default: tissue)")
    p.add_argument("--lambda", dest="lam", type=real(gt=0, lt=1), default=0.999, help="tissue: momentum decay lambda (default 0.999)")
    p.add_argument("--fit-lambda", action="store_true", help="tissue: fit lambda by an outer search")
    p.add_argument("--warmup-steps", type=integer(ge=0), default=None,
                   help="linear warmup updates missing from the logs (default: exact for the packaged runs, else 0)")
    p.add_argument("--history", choices=("auto", "interpolate"), default="auto",
                   help="auto: exact history for packaged runs, interpolated lr column otherwise (default)")
    p.add_argument("--warmup", choices=WARMUP_CONVENTIONS, default=None,
                   help="warmup convention of the areas (default: the law's: tissue=peak, mpl=half)")
    p.add_argument("--method", choices=FIT_METHODS, default=None, help="optimiser (default: lbfgsb for tissue, trf for mpl)")
    p.add_argument("--starts", type=integer(ge=1), default=None, help="multi-start grid points refined (default: 4 tissue, 3 mpl)")
    p.add_argument("--bin-width", type=integer(ge=1), default=None,
                   help="mpl: largest group of consecutive LR reductions summed as one, an approximation "
                   "(default: the exact sum by the treecode; 1 = the exact pairwise sum, slow)")
    p.add_argument("--mode", choices=("mle", "predictive"), default="mle",
                   help="mle: plain summed-Huber fit (default); predictive: log-normal prior on the shape "
                   "parameters, its scale chosen by leave-one-schedule-out CV on these curves (needs >= 2)")
    p.add_argument("--prior-scale", type=real(gt=0), default=None,
                   help="predictive: prior std tau in log (skips the CV)")
    p.add_argument("--cv", choices=("schedule", "schedule+time"), default=None,
                   help="predictive: CV folds, leave-one-schedule-out plus a forward-chaining fold in time (fit the "
                   "first half of every curve, score the rest; default schedule+time), or leave-one-schedule-out "
                   "only; the CV's held-out errors also calibrate the predictive interval")
    p.add_argument("--bootstrap", type=integer(ge=0), default=0, help="block-bootstrap refits for confidence intervals (default 0)")
    p.add_argument("--seed", type=integer(ge=0), default=0, help="bootstrap seed")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--out", default=None, help="folder for fit.json and fit.png")


def load_curves(paths, warmup_steps, history="auto"):
    from numerics.laws import read_loss_csv

    return [read_loss_csv(p, warmup_steps=warmup_steps, name=str(p), history=history) for p in paths]


def check_fit_args(args, n_curves):
    """Refuse bad fit options before any work (exit 2, one line naming the flag)."""
    from theory import ParameterError
    from theory.validate import check_int, check_real

    if args.warmup_steps is not None:
        check_int("--warmup-steps", args.warmup_steps, ge=0)
    if args.starts is not None:
        check_int("--starts", args.starts, ge=1)
    if args.bin_width is not None:
        check_int("--bin-width", args.bin_width, ge=1)
        if args.law != "mpl":
            raise ParameterError("--bin-width", "only with --law mpl", args.bin_width)
    check_int("--bootstrap", args.bootstrap, ge=0)
    if args.prior_scale is not None:
        if args.mode != "predictive":
            raise ParameterError("--prior-scale", "only with --mode predictive", args.prior_scale)
        check_real("--prior-scale", args.prior_scale, gt=0)
    if args.mode == "predictive" and args.prior_scale is None and n_curves < 2:
        raise ParameterError("--mode predictive", "at least 2 fitting curves for its leave-one-schedule-out CV "
                             "(or give --prior-scale)", n_curves)
    if getattr(args, "cv", None) is not None and args.mode != "predictive":
        raise ParameterError("--cv", "only with --mode predictive", args.cv)
    if args.mode == "predictive" and args.fit_lambda:
        raise ParameterError("--fit-lambda", "not with --mode predictive", True)


def do_fit(args, curves):
    """The fit of ``sltk fit`` and ``sltk predict --fit``: the API's fit_loss_law with the law defaults."""
    from numerics.laws import fit_loss_law

    return fit_loss_law(curves, args.law, method=args.method, lam=args.lam, fit_lambda=args.fit_lambda,
                        warmup=args.warmup, n_starts=args.starts, bootstrap=args.bootstrap, seed=args.seed,
                        mode=args.mode, prior_scale=args.prior_scale, bin_width=args.bin_width,
                        cv=getattr(args, "cv", None) or "schedule+time")


def print_fit_text(fit, curves):
    """Parameters, CI, mode, bound hits and identifiability in text."""
    how = getattr(fit.law, "summation", None)
    how = "" if how is None else (f", loss-drop sum {how}" + (" (exact)" if how != "binned"
                                                                else f" (width {fit.law.bin_width})"))
    print(f"law: {fit.law.name} (warmup convention {fit.law.warmup}, method {fit.method}{how})")
    print(fit.describe_mode())
    for c in curves:
        print(f"history of {c.name}: {c.history_source}")
    flat = set(fit.identifiability.get("flat", []))
    bound = {a["param"]: a for a in fit.at_bound}
    rows = []
    for k, v in fit.params.items():
        w = fit.identifiability.get("rel_width", {}).get(k)
        note = (f"AT {bound[k]['bound'].upper()} BOUND" if k in bound else ("flat" if k in flat else ""))
        row = [k, f"{v:.6g}", "" if w is None else f"{w:.2g}", note]
        if fit.ci:
            row.append(f"[{fit.ci[k][0]:.4g}, {fit.ci[k][1]:.4g}]" if k in fit.ci else "(fixed)")
        rows.append(row)
    print(format_table(["param", "value", "rel. width", "flag"] + (["95% CI"] if fit.ci else []), rows))
    print(f"R2 = {fit.r2:.6f}   huber = {fit.huber:.4g}   converged = {fit.converged} "
          f"({fit.n_agree}/{fit.n_starts} starts agree)   condition = {fit.identifiability.get('condition', float('nan')):.3g}")
    if fit.at_bound:
        print("warning: the fit ends on a bound: " + ", ".join(f"{a['param']} = {a['value']:g} ({a['bound']})"
                                                             for a in fit.at_bound) + " -- widen the bounds or "
              "treat these parameters as not determined by the data")
    if flat - set(bound):
        print("warning: flat directions (quadratic profile wider than 50 % of the value): "
              + ", ".join(sorted(flat - set(bound))))
    for c in fit.identifiability.get("correlated", []):
        print(f"warning: {c['params'][0]} and {c['params'][1]} are correlated {c['corr']:+.4f}: only a combination "
              "of them is determined (a ridge)")
    if not fit.converged:
        print(f"warning: {fit.message}")
    if fit.interval is not None:
        iv = fit.interval
        print(f"predictive interval: {iv['kind']} (CV residuals, scale a + b log(step/{iv['horizon']:g}) past the "
              f"longest fitted run: a = {iv['a']:.3g}, b = {iv['b']:.3g}; {iv['n_past_horizon']} of {iv['n']} CV "
              f"points past their fold's horizon, up to {iv['max_distance']:.2f} in log)"
              + (f"; {iv['note']}" if "note" in iv else ""))
    if fit.cv:
        print("prior scale CV (mean over the folds of the RMSE of held-out log residuals): "
              + ", ".join(f"tau={'inf' if r['tau'] is None else format(r['tau'], 'g')}: {r['mean_rmse_log']:.3g}"
                          for r in fit.cv))


def run(args) -> int:
    check_fit_args(args, len(args.curves))
    curves = load_curves(args.curves, args.warmup_steps, args.history)
    fit = do_fit(args, curves)
    out = fit.to_dict()
    out["warmup_steps"] = args.warmup_steps
    out["history"] = args.history
    out["files"] = list(args.curves)
    out["histories"] = {c.name: c.history_source for c in curves}
    out["peak"] = max(c.history.peak for c in curves)
    if args.out:
        d = Path(args.out)
        d.mkdir(parents=True, exist_ok=True)
        (d / "fit.json").write_text(json.dumps(to_jsonable(out), indent=1) + "\n")
        from .._figures.laws import plot_curves_vs_law

        plot_curves_vs_law(curves, fit.law, fit.theta, d / "fit.png", title=f"{fit.law.name} law fit")
        out["written"] = [str(d / "fit.json"), str(d / "fit.png")]
    if args.json:
        print_json(out)
        return exit_code("ok" if fit.converged else "not_converged")
    else:
        print_fit_text(fit, curves)
        for p in out.get("written", []):
            print(f"wrote {p}")
    return exit_code("ok" if fit.converged else "not_converged")
