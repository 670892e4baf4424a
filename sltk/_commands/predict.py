"""``sltk predict --params FIT.json CURVES...``: predict curves with a fitted loss law.

``FIT.json`` is what ``sltk fit --out DIR`` writes (or the object ``sltk fit --json`` prints).
For every CSV (``step,lr,loss``) it prints the error metrics (R^2, MAE, RMSE, mean and worst
relative error); ``--json`` prints one object ``{"law", "params", "curves": [{"file",
"metrics", "steps", "observed", "predicted"}]}``.
"""

from __future__ import annotations

import json
from pathlib import Path

from .._args import integer
from .._output import format_table, print_json

COMMAND = "predict"
HELP = "predict loss curves with a fitted law (from sltk fit) and report the errors"
FLAG_NAMES = {"warmup_steps": "--warmup-steps"}


def add_arguments(p):
    p.add_argument("--params", required=True, help="fit JSON written by sltk fit")
    p.add_argument("curves", nargs="+", metavar="CURVE", help="CSV files with columns step,lr,loss")
    p.add_argument("--warmup-steps", type=integer(ge=0), default=None, help="warmup updates missing from the logs "
                   "(default: the value stored in the fit JSON, else 0)")
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
    from numerics.laws import curve_metrics
    from numerics.laws import law_from_params

    from .fit import load_curves

    obj = read_params(args.params)
    law, theta = law_from_params(obj)
    w = args.warmup_steps if args.warmup_steps is not None else int(obj.get("warmup_steps", 0) or 0)
    curves = load_curves(args.curves, w)
    res = []
    for c in curves:
        pred = law.predict(theta, c.history, c.steps)
        res.append({"file": c.name, "metrics": curve_metrics(c.loss, pred), "steps": c.steps,
                    "observed": c.loss, "predicted": pred})
    if args.json:
        print_json({"law": law.name, "params": law.params_dict(theta), "warmup_steps": w, "curves": res})
    else:
        rows = [[r["file"], f"{r['metrics']['r2']:.5f}", f"{r['metrics']['mae']:.4g}", f"{r['metrics']['rmse']:.4g}",
                 f"{r['metrics']['mean_rel']:.3%}", f"{r['metrics']['worst_rel']:.3%}"] for r in res]
        print(format_table(["curve", "R2", "MAE", "RMSE", "mean rel", "worst rel"], rows))
    return 0
