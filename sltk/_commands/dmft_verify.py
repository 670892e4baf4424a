"""``sltk dmft-verify``: the three-way check of the DMFT model -- direct simulation (sampled features and
projection, exact gradient flow, many draws) against the DMFT predictions (bias, test and train loss,
transfer function), with error bars from the number of draws. Exit 1 when a check fails."""

from __future__ import annotations

import json
from pathlib import Path

from .._output import format_table, print_json, to_jsonable

from ._dmft_args import add_exponent_arguments
from .._args import integer, real

COMMAND = "dmft-verify"
OUTPUTS = {"out": "dir"}
HELP = "check the DMFT predictions (bias, test, train loss, H_k) against direct simulation"


def add_arguments(p):
    add_exponent_arguments(p, "b > 0", 0.0)
    p.add_argument("--N", type=integer(ge=1), default=128, help="width (default 128)")
    p.add_argument("--P", default="256", help="training points or inf (default 256)")
    p.add_argument("--M", default="1000", help="number of modes (finite, default 1000)")
    p.add_argument("--sigma2", type=real(ge=0), default=0.0, help="label-noise variance (default 0)")
    p.add_argument("--t", type=real(gt=0.1), default=1e4, help="horizon (default 1e4)")
    p.add_argument("--points", type=integer(ge=2), default=12, help="log-spaced times from 0.1 (default 12)")
    p.add_argument("--runs", type=integer(ge=2), default=32, help="draws (default 32)")
    p.add_argument("--seed", type=integer(ge=0), default=0, help="seed (default 0)")
    p.add_argument("--backend", default="numpy", choices=("auto", "numpy", "cupy"), help="array backend")
    p.add_argument("--optimizer", choices=DMFT_OPTIMIZERS, default="flow",
                   help="flow (exact gradient flow, default), heavyball (with --momentum; --momentum 0 is discrete GD) "
                        "or sgd (one-pass, --batch, needs --P inf)")
    p.add_argument("--lr", type=real(gt=0), default=None,
                   help="rate of heavyball/sgd (default: half the largest rate the prediction covers)")
    p.add_argument("--momentum", type=real(ge=0, lt=1), default=0.5, help="heavy-ball momentum 0 <= beta < 1 (default 0.5)")
    p.add_argument("--batch", type=integer(ge=1), default=1, help="SGD batch size B >= 1 (default 1)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--out", default=None, metavar="DIR", help="write dmft_verify.png and dmft_verify.json here")


#: the optimizers the DMFT check runs (``flow`` = the model's gradient flow, registered as GD's flow limit;
#: discrete GD is the heavy ball with ``--momentum 0``, the same recursion)
DMFT_OPTIMIZERS = ("flow", "heavyball", "sgd")


def dmft_optimizer(problem, name: str, lr, momentum: float, batch: int, flag: str = "--lr"):
    """The optimizer object of a DMFT check (``lr=None``: the verifier's default rate).

    Generic: the class comes from its name and takes those of ``lr``, ``momentum``, ``batch`` (mean
    over the batch) that are among its fields."""
    import dataclasses

    from theory import GD, ParameterError, optimizer_class
    import verification

    if name == "flow":
        return GD(lr=0.5)
    if name not in DMFT_OPTIMIZERS:
        raise ParameterError("--optimizer", "one of " + ", ".join(DMFT_OPTIMIZERS) + " for the DMFT model", name)
    cls = optimizer_class(name)
    fields = {f.name for f in dataclasses.fields(cls)}
    given = {"momentum": momentum, "batch": batch, "batch_reduction": "mean"}

    def make(rate):
        return cls(lr=rate, **{k: v for k, v in given.items() if k in fields})

    if lr is None:
        lr = verification.dmft.RULES[make(1.0)].default_lr(problem, make(1.0))
    return make(lr)


def run(args) -> int:
    return run_check(args, args.lr)


def run_check(args, lr) -> int:
    """The DMFT check from the parsed ``args`` (shared with ``sltk verify --model dmft``)."""
    import math

    from theory import ParameterError
    from theory.validate import check_int, check_real

    from ._dmft_args import build_problem

    problem = build_problem(args)
    if math.isinf(problem.M):
        raise ParameterError("--M", "a finite integer for a simulation", "inf")
    T = check_real("--t", args.t, gt=0.1)
    n = check_int("--points", args.points, ge=2)
    runs = check_int("--runs", args.runs, ge=2)
    check_int("--seed", args.seed, ge=0)
    import verification

    opt = dmft_optimizer(problem, args.optimizer, lr, args.momentum, args.batch)
    backend = "numpy" if args.backend == "auto" else args.backend
    res = verification.verify(problem, opt, t_max=T, n_times=n, runs=runs, seed=args.seed, backend=backend)
    obj = res.to_dict()
    if args.out:
        from .._figures.dmft import verification_figure

        out = Path(args.out)
        verification_figure(res, out / "dmft_verify.png")
        (out / "dmft_verify.json").write_text(json.dumps(to_jsonable(obj)) + "\n")
    if args.json:
        print_json(obj)
    else:
        p = problem
        how = "gradient flow" if args.optimizer == "flow" else repr(opt)
        print(f"DMFT a={p.a:g} b={p.b:g} N={p.N} P={p.P} M={p.M}: {how}, {runs} draws, t up to {T:g}")
        rows = [[c.name, f"{c.numerics:.5g}" if c.numerics is not None else "-",
                 f"{c.simulation:.5g}" if c.simulation is not None else "-",
                 f"{c.error_bar:.3g}" if c.error_bar is not None else "-", f"{c.deviation:.3g}",
                 ("pass" if c.passed else "FAIL") if c.applicable else "n/a"] for c in res.checks]
        print(format_table(["check", "DMFT (last t)", "simulation", "se", "deviation", "result"], rows))
        for c in res.checks:
            print(f"  {c.name}: {c.quantity}; " + (c.rule if c.applicable else f"not applicable: {c.note}"))
        print(("all checks passed" if res.passed else "SOME CHECKS FAILED")
              + " (" + ", ".join(f"{k} {v:.1f} s" for k, v in res.seconds.items()) + ")")
    from .._output import exit_code

    return exit_code(res.status)
