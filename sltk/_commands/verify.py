"""``sltk verify``: check theory <-> numerics <-> simulation at one PLRF point.

Simulates ``R`` runs of one-pass training on a sampled PLRF instance (NumPy, or CuPy when a usable
GPU is present) and runs the checks that the optimizer's verification rules pick
(:func:`verification.verify`). SGD: the exact expected risk of that instance, the
deterministic-equivalent Volterra curve and the asymptotic theory (:mod:`verification.plrf`).
signSGD (no exact recursion nor Volterra solver): simulated signSGD against its per-mode
equations on the same ``W`` (one check, ``signsgd_equations_vs_simulation``; ``risk_volterra`` is
then the equations' curve). Prints a table (quantity, theory, numerics, exact-for-W, simulation,
error bar, tolerance, pass) or, with ``--json``, one object with at least ``checks`` (``name``,
``passed``, ...), ``steps``, ``risk_simulated``, ``risk_stderr``, ``risk_volterra`` and ``backend``.
``--out DIR`` writes ``verify.png`` and ``verify.json``.

Defaults: ``v = 4 d``, ``d = 256``, ``steps = 10000``, ``runs = 32``, constant schedule; ``gamma``:
``--gamma-fraction`` (0.5) of the largest stable rate of the sampled instance for an optimizer with
one (SGD), else the optimizer's default (signSGD: noise floor about 1e-3).

Exit status (``sltk --help``; the same with ``--json``, whose object carries ``status``): 0 every
check applied and passed; 1 a check failed; 2 bad input, refused before any work (also ``--out``
that cannot be written, and a size whose estimated memory exceeds the limit); 3 the peak learning
rate is past this instance's stability limit, or the simulation diverged; 5 no check could be applied.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

from .._args import integer, real
from .._output import exit_code, format_table, print_json, save_figure, to_jsonable

COMMAND = "verify"
HELP = "check simulation vs exact risk vs Volterra vs theory at one (alpha, beta) point"
OUTPUTS = {"out": "dir"}
FLAG_NAMES = {"lr": "--gamma", "n_instances": "--instances", "n_points": "--points", "fraction": "--gamma-fraction",
              "blas_threads": "--threads", "runs": "--runs", "steps": "--steps"}


def add_arguments(p):
    import verification

    p.add_argument("--model", choices=("plrf", "dmft"), default="plrf",
                   help="plrf (default; --alpha --beta --d ...) or dmft (the random-feature DMFT model of "
                        "Bordelon, Atanasov & Pehlevan: --a --b --N --P --M --t, as sltk dmft-verify)")
    p.add_argument("--alpha", type=real(gt=0, le=1e100), default=None, help="data-spectrum exponent alpha > 0 (plrf)")
    p.add_argument("--beta", type=real(ge=-1e100, le=1e100), default=None, help="target exponent beta (2 alpha + 2 beta > 1; plrf)")
    g = p.add_argument_group("--model dmft")
    g.add_argument("--a", type=real(gt=1), default=None, help="target exponent a > 1 (dmft)")
    g.add_argument("--b", type=real(gt=0), default=None, help="spectral exponent b > 0 (dmft)")
    g.add_argument("--N", type=integer(ge=1), default=128, help="width (dmft, default 128)")
    g.add_argument("--P", default="256", help="training points or inf (dmft, default 256)")
    g.add_argument("--M", default="1000", help="number of modes, finite (dmft, default 1000)")
    g.add_argument("--sigma2", type=real(ge=0), default=0.0, help="label-noise variance (dmft, default 0)")
    g.add_argument("--t", type=real(gt=0.1), default=1e4, help="horizon (dmft, default 1e4)")
    g.add_argument("--momentum", type=real(ge=0, lt=1), default=0.5, help="heavy-ball momentum (dmft, default 0.5)")
    p.add_argument("--d", type=integer(ge=1), default=256, help="number of random features (default 256)")
    p.add_argument("--v", type=integer(ge=1), default=None, help="data dimension (default 4 d)")
    p.add_argument("--gamma", type=real(gt=0), default=None,
                   help="learning rate (default: --gamma-fraction x the largest stable rate of the sampled W)")
    p.add_argument("--gamma-fraction", type=real(gt=0, lt=1), default=0.5, help="fraction of the stable maximum (default 0.5)")
    p.add_argument("--batch", type=integer(ge=1), default=1, help="batch size B (default 1)")
    p.add_argument("--steps", type=integer(ge=1), default=10_000, help="horizon N (default 10000)")
    p.add_argument("--runs", type=integer(ge=2), default=32,
                   help="Monte-Carlo runs R >= 2 (the error bars need two; default 32)")
    p.add_argument("--backend", default="auto", choices=("auto", "numpy", "cupy"),
                   help="array backend: auto takes CuPy only when a GPU is usable")
    p.add_argument("--dtype", default="float64", choices=("float64", "float32"), help="simulation precision")
    from .dmft_verify import DMFT_OPTIMIZERS

    names = tuple(verification.plrf.RULES.names()) + tuple(n for n in DMFT_OPTIMIZERS
                                                          if n not in verification.plrf.RULES.names())
    p.add_argument("--optimizer", default=None, choices=names,
                   help="plrf: " + ", ".join(verification.plrf.RULES.names()) + " (default sgd); dmft: "
                        + ", ".join(DMFT_OPTIMIZERS) + " (default flow)")
    p.add_argument("--schedule", default="constant", metavar="SPEC",
                   help="learning-rate schedule, e.g. wsd:decay=0.2,shape=cosine (default constant)")
    p.add_argument("--points", type=integer(ge=2), default=40, help="about this many log-spaced steps (default 40)")
    p.add_argument("--instances", type=integer(ge=2), default=16,
                   help="further sampled W (>= 2) for the concentration-in-d error bars (default 16)")
    p.add_argument("--threads", type=integer(ge=1), default=1, help="host BLAS threads while simulating (default 1)")
    p.add_argument("--seed", type=integer(ge=0), default=0, help="seed of W and of the data stream (default 0)")
    p.add_argument("--out", default=None, metavar="DIR", help="write verify.png and verify.json here")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def _fmt(x) -> str:
    if x is None:
        return "-"
    if isinstance(x, float) and not math.isfinite(x):
        return "n/a" if math.isnan(x) else "inf"
    return f"{x:.4g}"


def build_setup(args):
    """Problem, optimizer, schedule (validated) from parsed arguments; returns them and lr_max."""
    import theory
    import verification
    from theory.validate import check_int, check_real

    d = check_int("--d", args.d, ge=1)
    v = 4 * d if args.v is None else check_int("--v", args.v, ge=1)
    problem = theory.plrf.PLRF(alpha=args.alpha, beta=args.beta, v=v, d=d)
    check_int("--steps", args.steps, ge=1)
    check_int("--runs", args.runs, ge=2)
    check_int("--points", args.points, ge=2)
    check_int("--instances", args.instances, ge=2)
    check_int("--seed", args.seed, ge=0)
    check_int("--threads", args.threads, ge=1)
    schedule = theory.parse_schedule(args.schedule)
    cls = theory.optimizer_class(args.optimizer)
    fraction = check_real("--gamma-fraction", args.gamma_fraction, gt=0, lt=1)
    probe = cls(lr=1.0, batch=args.batch)
    rules = verification.plrf.RULES[probe]
    lr_max = rules.stability_limit(problem, probe, seed=args.seed)
    if args.gamma is not None:
        lr = check_real("--gamma", args.gamma, gt=0)
    elif lr_max is not None:
        lr = fraction * lr_max
    else:
        lr = rules.default_lr(problem, probe, seed=args.seed)
    return problem, cls(lr=lr, batch=args.batch), schedule, lr_max


def check_memory(args) -> None:
    """Refuse (exit 2, before sampling anything) a size whose estimated memory exceeds the limit."""
    import verification

    d = args.d
    v = 4 * d if args.v is None else args.v
    import theory

    est = verification.plrf.memory_estimate(theory.plrf.PLRF(alpha=args.alpha, beta=args.beta, v=v, d=d),
                                            args.runs, args.batch, args.dtype)
    verification.check_memory(est, "--d", d, f"v x d = {v} x {d} matrices (W, its SVD) and the data buffer")


def run(args) -> int:
    import verification

    from theory import ParameterError
    from theory import MISSING

    from .._progress import enabled

    if args.model == "dmft":
        from . import dmft_verify

        for flag, val in (("--a", args.a), ("--b", args.b)):
            if val is None:
                raise ParameterError(flag, "with --model dmft", MISSING)
        if args.optimizer is None:
            args.optimizer = "flow"
        if args.points == 40:  # the PLRF default; the DMFT check's own is 12
            args.points = 12
        return dmft_verify.run_check(args, args.gamma)
    for flag, val in (("--alpha", args.alpha), ("--beta", args.beta)):
        if val is None:
            raise ParameterError(flag, "with --model plrf (the default model)", MISSING)
    if args.optimizer is None:
        args.optimizer = "sgd"
    if args.optimizer not in verification.plrf.RULES.names():
        raise ParameterError("--optimizer", "one of " + ", ".join(verification.plrf.RULES.names())
                             + " for --model plrf", args.optimizer)

    check_memory(args)  # before the stability probe, which samples W
    problem, optimizer, schedule, _ = build_setup(args)
    if enabled() and not args.json:  # say how big the run is before the progress bar starts
        from .._progress import status

        gflop = 2.0 * args.runs * args.batch * int(problem.v) * (problem.d + 1) * args.steps / 1e9
        status(f"sltk verify: simulating R={args.runs} runs x N={args.steps} steps on v x d = {int(problem.v)} x "
               f"{problem.d} (about {gflop:.3g} GFLOP), then the exact risk of {args.instances} further W")
    res = verification.verify(
        problem, optimizer, schedule, steps=args.steps, runs=args.runs, seed=args.seed, backend=args.backend,
        dtype=args.dtype, n_points=args.points, n_instances=args.instances, blas_threads=args.threads,
        progress=(not args.json) and enabled(),
    )
    if res.status == "diverged":
        if args.json:
            print_json(res.to_dict())
        print(f"sltk: diverges: {res.message}", file=sys.stderr)
        return exit_code("diverged")
    obj = res.to_dict()
    if args.out:
        out = Path(args.out)
        from .._figures.plrf import verification_figure

        fig_path = save_figure(verification_figure(res), out / "verify.png")[0]
        obj["figure"] = str(fig_path)
        (out / "verify.json").write_text(json.dumps(to_jsonable(obj)) + "\n")
    if args.json:
        print_json(obj)
    else:
        p = problem
        print(f"PLRF alpha={p.alpha:g} beta={p.beta:g} v={int(p.v)} d={p.d} (phase {res.phase}); "
              f"{optimizer.name} lr={optimizer.lr:.6g} batch={optimizer.batch}"
              + (f" (lr_max={res.lr_max:.6g}, ||K||={res.kernel_norm:.3g})" if res.lr_max else "")
              + f"; schedule {schedule.spec()}; N={args.steps}, R={args.runs}, backend {res.simulation.backend}")
        rows = []
        for c in res.checks:
            verdict = c.verdict
            rows.append([c.name, _fmt(c.theory), _fmt(c.numerics), _fmt(c.exact), _fmt(c.simulation),
                         _fmt(c.error_bar), _fmt(c.deviation), _fmt(c.tolerance), verdict])
        print(format_table(["check", "theory", "numerics", "exact(W)", "simulation", "error bar", "deviation",
                            "tolerance", "result"], rows))
        for c in res.checks:
            print(f"  {c.name}: {c.quantity}; " + (c.rule if c.applicable else f"not applicable: {c.note}")
                  + (f" [{c.note}]" if c.applicable and c.note else ""))
        secs = ", ".join(f"{k} {v:.1f} s" for k, v in res.seconds.items())
        if res.status == "unchecked":
            verdict = f"NO CHECK APPLICABLE to optimizer {optimizer.name!r} (simulation only)"
        else:
            n_app = sum(c.verdict in ("pass", "FAIL") for c in res.checks)
            n_na = sum(c.verdict == "n/a" for c in res.checks)
            n_info = sum(c.verdict == "info" for c in res.checks)
            verdict = ("all checks passed" if res.passed else "SOME CHECKS FAILED") + f" ({n_app} with a verdict" + (
                f", {n_na} not applicable" if n_na else "") + (f", {n_info} informative without one" if n_info else "") + ")"
        print(f"{verdict}; {secs}")
        if args.out:
            print(f"figure written to {obj['figure']}")
    return exit_code(res.status)
