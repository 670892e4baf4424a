"""``sltk predict (--params FIT.json | --fit CURVE ...) CURVES...``: predict curves with a loss law.

Either ``--params FIT.json`` (what ``sltk fit --out DIR`` writes, or the object ``sltk fit
--json`` prints), or ``--fit CURVE`` (repeatable) to fit here first, by default in the
**predictive** mode (``--mode predictive``: log-normal prior on the law's shape parameters,
its scale chosen by cross-validation on the ``--fit`` curves only: leave-one-schedule-out plus a
fold in time; ``--mode mle`` for the plain fit). The output says which mode the fit is. For every
CSV (``step,lr,loss``) it prints the error metrics (R^2, MAE, RMSE, mean and worst relative
error) and the pointwise predictive interval with its coverage of the observed points: in the
predictive mode the cross-validated ``cv+`` interval (the CV's held-out errors, widening with the
distance past the longest fitted run, combined with the bootstrap draws of ``--bootstrap N``
when given), in the mle mode the bootstrap interval (needs ``--bootstrap N``); ``--json`` prints
one object ``{"law", "mode", "params", "curves": [{"file", "history", "metrics", "steps",
"observed", "predicted", "lo", "hi"}]}``. Histories: exact for the packaged runs, else
interpolated from the ``lr`` column (see ``sltk fit``).
"""

from __future__ import annotations

import json
from pathlib import Path

from .._args import integer, real
from .._output import format_table, print_json

COMMAND = "predict"
HELP = "predict loss curves with a fitted law (from sltk fit, or fitted here in predictive mode)"
FLAG_NAMES = {"warmup_steps": "--warmup-steps"}


def add_arguments(p):
    from numerics.laws import FIT_METHODS, WARMUP_CONVENTIONS

    p.add_argument("--params", default=None, help="fit JSON written by sltk fit")
    p.add_argument("--fit", action="append", default=None, metavar="CURVE",
                   help="fit on this CSV first (repeat for several curves) instead of --params")
    p.add_argument("curves", nargs="+", metavar="CURVE", help="CSV files with columns step,lr,loss")
    p.add_argument("--law", choices=("tissue", "mpl"), default="mpl", help="with --fit: the law (default mpl)")
    p.add_argument("--mode", choices=("predictive", "mle"), default="predictive",
                   help="with --fit: predictive (default; prior scale by leave-one-schedule-out CV) or mle")
    p.add_argument("--prior-scale", type=real(gt=0), default=None, help="with --fit --mode predictive: prior std tau")
    p.add_argument("--lambda", dest="lam", type=real(gt=0, lt=1), default=0.999, help="with --fit, tissue: lambda")
    p.add_argument("--warmup", choices=WARMUP_CONVENTIONS, default=None, help="with --fit: warmup convention")
    p.add_argument("--method", choices=FIT_METHODS, default=None, help="with --fit: optimiser (law default)")
    p.add_argument("--starts", type=integer(ge=1), default=None, help="with --fit: multi-starts (law default)")
    p.add_argument("--bin-width", type=integer(ge=1), default=None,
                   help="with --fit, mpl: loss-drop binning, an approximation (default: the exact treecode sum)")
    p.add_argument("--cv", choices=("schedule", "schedule+time"), default=None,
                   help="with --fit --mode predictive: CV folds, leave-one-schedule-out plus a forward-chaining fold "
                   "in time (default schedule+time), or leave-one-schedule-out only")
    p.add_argument("--bootstrap", type=integer(ge=0), default=0,
                   help="with --fit: bootstrap refits for the predictive intervals (default 0)")
    p.add_argument("--seed", type=integer(ge=0), default=0, help="bootstrap seed")
    p.add_argument("--warmup-steps", type=integer(ge=0), default=None, help="warmup updates missing from the logs "
                   "(default: the value stored in the fit JSON; exact for the packaged runs, else 0)")
    p.add_argument("--history", choices=("auto", "interpolate"), default=None,
                   help="auto: exact history for packaged runs, interpolated lr column otherwise "
                   "(default: as in the fit JSON, else auto)")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def read_params(path):
    from theory import ParameterError

    p = Path(path)
    if not p.is_file():
        raise ParameterError("--params", "an existing JSON file written by sltk fit", str(p))
    try:
        return json.loads(p.read_text())
    except json.JSONDecodeError as exc:
        raise ParameterError("--params", "valid JSON", f"{p}: {exc}") from None


def run(args) -> int:
    import numpy as np

    from numerics.laws import curve_metrics, interval_coverage, law_from_params, predictive_interval
    from theory import ParameterError
    from theory.validate import check_int

    from .fit import check_fit_args, do_fit, load_curves

    if (args.params is None) == (args.fit is None):
        raise ParameterError("--params/--fit", "exactly one of --params FIT.json or --fit CURVE", "both or neither")
    args.fit_lambda = False
    if args.fit is not None:
        check_fit_args(args, len(args.fit))
        w = args.warmup_steps
        hist = args.history or "auto"
        fit_curves = load_curves(args.fit, w, hist)
    else:
        obj = read_params(args.params)
        law, theta = law_from_params(obj)
        w = args.warmup_steps if args.warmup_steps is not None else obj.get("warmup_steps")
        hist = args.history or obj.get("history") or "auto"
    if w is not None:
        check_int("--warmup-steps", w, ge=0)
    curves = load_curves(args.curves, w, hist)
    if args.fit is not None:
        fit = do_fit(args, fit_curves)
        law, theta = fit.law, fit.theta
        mode_line = fit.describe_mode()
        mode = fit.mode
        draws = fit.bootstrap_params
        resid = fit.residual_pool
        calib = fit.interval
        level = fit.level
    else:
        mode = obj.get("mode", "unknown")
        mode_line = f"mode: {mode} (from {args.params})"
        if mode == "mle":
            mode_line += " -- for prediction, fit with --mode predictive or use sltk predict --fit"
        draws = np.asarray(obj["bootstrap_params"]) if obj.get("bootstrap_params") else None
        resid = np.asarray(obj["residual_pool"]) if obj.get("residual_pool") else None
        calib = obj.get("interval")
        level = float(obj.get("ci_level", 0.95))
    res = []
    for c in curves:
        r = {"file": c.name, "history": c.history_source}
        if (draws is not None and len(draws) >= 2) or (calib is not None and resid is not None):
            pred, lo, hi = predictive_interval(law, theta, draws if draws is not None and len(draws) >= 2 else None,
                                               resid, c.history, c.steps, level=level, calibration=calib)
            r["coverage"] = interval_coverage(c.loss, lo, hi)
            r["lo"], r["hi"] = lo, hi
        else:
            pred = law.predict(theta, c.history, c.steps)
        r.update({"metrics": curve_metrics(c.loss, pred), "steps": c.steps, "observed": c.loss, "predicted": pred})
        res.append(r)
    if args.json:
        out = {"law": law.name, "mode": mode, "params": law.params_dict(theta), "warmup_steps": w, "curves": res}
        if args.fit is not None:
            out["fit"] = fit.to_dict()
        print_json(out)
    else:
        print(mode_line)
        if calib is not None and resid is not None:
            print(f"intervals: {calib['kind']} (cross-validated residuals, widening as a + b log(step/"
                  f"{calib['horizon']:g}) past the longest fitted run"
                  + (", with the bootstrap draws" if draws is not None and len(draws) >= 2 else ", no bootstrap") + ")")
        elif draws is not None and len(draws) >= 2:
            print("intervals: bootstrap (parameter draws plus in-sample residuals)")
        cov = any("coverage" in r for r in res)
        rows = [[r["file"], f"{r['metrics']['r2']:.5f}", f"{r['metrics']['mae']:.4g}", f"{r['metrics']['rmse']:.4g}",
                 f"{r['metrics']['mean_rel']:.3%}", f"{r['metrics']['worst_rel']:.3%}"]
                + ([f"{r['coverage']:.0%}"] if cov else []) for r in res]
        print(format_table(["curve", "R2", "MAE", "RMSE", "mean rel", "worst rel"]
                           + ([f"{level:.0%} interval coverage"] if cov else []), rows))
        for c in curves:
            print(f"history of {c.name}: {c.history_source}")
    return 0
