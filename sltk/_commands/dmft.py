"""``sltk dmft``: the DMFT random-feature model's loss curve (bias, single-model test loss, train loss)
on a log grid of times up to ``--t``, with its symbolic exponents.

JSON keys: ``t``, ``test_loss``, ``train_loss``, ``bias``, ``variance``, ``status``, ``static`` (the
``t -> inf`` limit), ``exponents`` (the paper's laws, i.e. of the bias: ``time``, ``width``, ``data``,
``compute_loss``, ``compute_width``, ``compute_steps``, each ``{"expr", "value"}``),
``exponents_single_model`` (the same for the single-model test loss), ``problem``, ``conventions``,
``diagnostics``.
"""

from __future__ import annotations

import math

import numpy as np

from .._output import format_table, print_json
from ._dmft_args import build_problem

from ._dmft_args import add_exponent_arguments
from .._args import integer, real

COMMAND = "dmft"
OUTPUTS = {"out": "file"}
HELP = "loss curve of the DMFT random-feature model (Bordelon, Atanasov & Pehlevan 2024) and its exponents"
DESCRIPTION = (
    "Bias, single-model test loss and train loss of random features trained by gradient flow (lambda_k = k^-b, "
    "lambda_k w*_k^2 = k^-a, width N, P data or inf, M modes or inf), from the DMFT transfer function and the "
    "derived variance terms (fixed-Talbot inverse Laplace), on a log grid of times up to --t; with the SymPy "
    "bottleneck and compute-optimal exponents. Time: gradient flow with the factor 2 eta absorbed into t."
)


def optimizer_choices() -> tuple:
    """``flow`` (the model's gradient flow) and every optimizer the DMFT numerics have rules for."""
    import numerics.dmft as nd

    return ("flow",) + tuple(nd.RULES.names())


def add_arguments(p):
    add_exponent_arguments(p, "b > 0", 0.0)
    p.add_argument("--N", type=integer(ge=1), required=True, help="width N >= 1")
    p.add_argument("--P", default="inf", help="training points P >= 1 or inf (default inf: online)")
    p.add_argument("--t", type=real(gt=0.01), required=True, help="horizon T > 0.01 (the curve is on a log grid up to it)")
    p.add_argument("--M", default="inf", help="number of modes M >= 1 or inf (default inf; needs b > 1)")
    p.add_argument("--sigma2", type=real(ge=0), default=0.0, help="label-noise variance sigma^2 >= 0 (default 0)")
    p.add_argument("--points", type=integer(ge=2, le=5000), default=200, help="number of log-spaced times (default 200)")
    p.add_argument("--t-min", type=real(gt=0), default=None, help="first time (default T / 10^6)")
    p.add_argument("--optimizer", choices=optimizer_choices(), default="flow",
                   help="flow (gradient flow, default), gd (full-batch steps, t = 2 lr x steps), heavyball "
                        "(GD with --momentum), sgd (one-pass SGD with --batch, P = inf, t = batch x lr x steps)")
    p.add_argument("--lr", type=real(gt=0), default=None,
                   help="learning rate > 0 of gd/heavyball/sgd (sgd: the mean-over-batch rate); checked against the "
                        "spectral edge q_max: gd 2 lr q_max < 1, heavyball lr q_max < 1 + momentum (stability)")
    p.add_argument("--momentum", type=real(ge=0, lt=1), default=0.9, help="heavy-ball momentum 0 <= beta < 1 (default 0.9)")
    p.add_argument("--batch", type=integer(ge=1), default=1, help="SGD batch size B >= 1 (default 1)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--out", default=None, metavar="FIG", help="write a figure (.png/.pdf/.svg)")


def exponent_block(a: float, b: float, kind: str) -> dict:
    """``{name: {"expr", "value"}}``; the width/data/compute laws need ``b > 1`` (else ``None`` values)."""
    import theory.dmft as td

    if b > 1:
        return {k: {"expr": e, "value": v} for k, (e, v) in td.exponents(a, b, kind).items()}
    te = td.time_law().exponent
    out = {"time": {"expr": str(te), "value": float(te.subs({td.a_sym: a, td.b_sym: b}))}}
    for k in ("width", "data", "compute_loss", "compute_width", "compute_steps"):
        out[k] = {"expr": None, "value": None, "note": "needs b > 1 (for b <= 1 df(kappa) depends on M)"}
    return out


def build_optimizer(args):
    """``None`` (gradient flow) or the optimizer object of ``--optimizer --lr --momentum --batch``.

    Generic: the optimizer class comes from its name, and it takes those of ``lr``, ``momentum``,
    ``batch`` (with the mean-over-batch convention) that are among its fields."""
    import dataclasses

    from theory import ParameterError, optimizer_class

    if args.optimizer == "flow":
        return None
    if args.lr is None:
        raise ParameterError("--lr", f"a rate > 0 with --optimizer {args.optimizer}", None)
    cls = optimizer_class(args.optimizer)
    given = {"lr": args.lr, "momentum": args.momentum, "batch": args.batch, "batch_reduction": "mean"}
    fields = {f.name for f in dataclasses.fields(cls)}
    return cls(**{k: v for k, v in given.items() if k in fields})


def run(args) -> int:
    from theory.validate import check_int, check_real

    problem = build_problem(args)
    T = check_real("--t", args.t, gt=0.01)
    n = check_int("--points", args.points, ge=2, le=5000)
    t_min = T / 1e6 if args.t_min is None else check_real("--t-min", args.t_min, gt=0, lt=T)
    import numerics.dmft as nd
    from theory.dmft import DMFT_CONVENTIONS

    opt = build_optimizer(args)
    if opt is not None and args.t_min is None:  # discrete steps: start at the first step the rule covers
        t_min = min(nd.time_step(opt) * nd.first_step(opt), T / 2)
    t = np.logspace(math.log10(t_min), math.log10(T), n)
    curve = nd.loss_curve(problem, t, optimizer=opt)
    if opt is not None:  # rounding to whole steps may merge grid points
        keep = np.concatenate([[True], np.diff(curve.t) > 0])
        for name in ("t", "test_loss", "bias"):
            setattr(curve, name, getattr(curve, name)[keep])
        if curve.train_loss is not None:
            curve.train_loss = curve.train_loss[keep]
        curve.diagnostics["steps"] = np.asarray(curve.diagnostics["steps"])[keep]
        n = curve.t.size
    if args.out:
        from .._figures.dmft import loss_vs_time_figure

        loss_vs_time_figure([curve], args.out)
    obj = curve.to_dict()
    obj["exponents"] = exponent_block(problem.a, problem.b, "bias")
    obj["exponents_single_model"] = exponent_block(problem.a, problem.b, "single")
    obj["conventions"] = dict(DMFT_CONVENTIONS)
    if args.json:
        print_json(obj)
        return 0
    p = problem
    print(f"DMFT a={p.a:g} b={p.b:g} N={p.N} P={p.P} M={p.M} sigma2={p.sigma2:g}: status {curve.status}")
    idx = np.unique(np.linspace(0, n - 1, min(n, 10)).astype(int))
    rows = [[f"{curve.t[i]:.4g}", f"{curve.test_loss[i]:.6g}",
             "-" if curve.train_loss is None else f"{curve.train_loss[i]:.6g}", f"{curve.bias[i]:.6g}"] for i in idx]
    rows.append(["inf", f"{curve.static.test_loss:.6g}",
                 "-" if curve.static.train_loss is None else f"{curve.static.train_loss:.6g}",
                 f"{curve.static.bias:.6g}"])
    print(format_table(["t", "test loss", "train loss", "bias"], rows))
    for label, block in (("paper's laws (bias)", obj["exponents"]), ("single model", obj["exponents_single_model"])):
        print(f"exponents, {label}: " + ", ".join(
            f"{k} {v['expr']} = {v['value']:.4g}" if v["value"] is not None else f"{k} n/a" for k, v in block.items()))
    if args.out:
        print(f"figure written to {args.out}")
    return 0
