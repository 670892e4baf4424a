"""``sltk fit CURVES... --law tissue|mpl``: fit a loss law with learning-rate annealing.

Each curve is a CSV with columns ``step,lr,loss`` (extra columns ignored). The per-update
learning-rate history is rebuilt from the ``lr`` column (linear interpolation between logged
steps; ``--warmup-steps W`` prepends a linear warmup over updates ``1..W`` that the log does
not contain). ``--json`` prints one object with ``law``, ``params`` (Tissue: ``L0, A, alpha,
C, lambda``; MPL: ``L0, A, alpha, B, C, beta, gamma``), ``r2``, ``huber``, ``converged`` and
diagnostics; ``--out DIR`` writes ``fit.json`` (the input of ``sltk predict`` and
``sltk schedule-opt``) and ``fit.png``.
"""

from __future__ import annotations

import json
from pathlib import Path

from .._output import format_table, print_json, to_jsonable

COMMAND = "fit"
HELP = "fit a loss law with LR annealing (tissue or multi-power) to step,lr,loss CSV curves"


def add_arguments(p):
    from numerics.laws import WARMUP_CONVENTIONS
    from numerics.laws import FIT_METHODS

    p.add_argument("curves", nargs="+", metavar="CURVE", help="CSV files with columns step,lr,loss")
    p.add_argument("--law", choices=("tissue", "mpl"), default="tissue", help="loss law (default: tissue)")
    p.add_argument("--lambda", dest="lam", type=float, default=0.999, help="tissue: momentum decay lambda (default 0.999)")
    p.add_argument("--fit-lambda", action="store_true", help="tissue: fit lambda by an outer search")
    p.add_argument("--warmup-steps", type=int, default=0, help="linear warmup updates missing from the logs (default 0)")
    p.add_argument("--warmup", choices=WARMUP_CONVENTIONS, default=None,
                   help="warmup convention of the areas (default: the law's: tissue=peak, mpl=half)")
    p.add_argument("--method", choices=FIT_METHODS, default=None, help="optimiser (default: lbfgsb for tissue, trf for mpl)")
    p.add_argument("--starts", type=int, default=None, help="multi-start grid points refined (default: 4 tissue, 3 mpl)")
    p.add_argument("--bootstrap", type=int, default=0, help="block-bootstrap refits for confidence intervals (default 0)")
    p.add_argument("--seed", type=int, default=0, help="bootstrap seed")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--out", default=None, help="folder for fit.json and fit.png")


def load_curves(paths, warmup_steps):
    from numerics.laws import read_loss_csv

    return [read_loss_csv(p, warmup_steps=warmup_steps, name=str(p)) for p in paths]


def run(args) -> int:
    from numerics.laws import fit_loss_law
    from theory.validate import check_int

    check_int("--warmup-steps", args.warmup_steps, ge=0)
    curves = load_curves(args.curves, args.warmup_steps)
    fit = fit_loss_law(curves, args.law, method=args.method, lam=args.lam, fit_lambda=args.fit_lambda,
                       warmup=args.warmup, n_starts=args.starts, bootstrap=args.bootstrap, seed=args.seed)
    out = fit.to_dict()
    out["warmup_steps"] = args.warmup_steps
    out["files"] = list(args.curves)
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
    else:
        print(f"law: {fit.law.name} (warmup convention {fit.law.warmup}, method {fit.method})")
        rows = [[k, f"{v:.6g}"] + (([f"[{fit.ci[k][0]:.4g}, {fit.ci[k][1]:.4g}]"] if k in fit.ci else ["(fixed)"])
                                   if fit.ci else [])
                for k, v in fit.params.items()]
        print(format_table(["param", "value"] + (["95% CI"] if fit.ci else []), rows))
        print(f"R2 = {fit.r2:.6f}   huber = {fit.huber:.4g}   converged = {fit.converged} "
              f"({fit.n_agree}/{fit.n_starts} starts agree)")
        if not fit.converged:
            print(f"warning: {fit.message}")
        for p in out.get("written", []):
            print(f"wrote {p}")
    return 0
