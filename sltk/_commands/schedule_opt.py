"""``sltk schedule-opt --params FIT.json --steps N``: schedule design from a fitted law.

Prints the best WSD decay fraction (linear decay, and the other shapes) for the horizon and
the optimal non-increasing schedule under the law, with the final losses of constant,
cosine and best-WSD schedules beside it. A degenerate optimum (the momentum law's collapse
to a step drop, Luo et al. 2025 Theorem 2) is reported as such.
"""

from __future__ import annotations

from theory import DECAY_SHAPES

from .._args import integer, real
from .._output import format_table, print_json

COMMAND = "schedule-opt"
HELP = "best WSD decay fraction and optimal LR schedule under a fitted loss law"
FLAG_NAMES = {"n_blocks": "--blocks", "horizon": "--steps", "warmup_steps": "--warmup-steps", "peak": "--peak"}


def add_arguments(p):
    p.add_argument("--params", required=True, help="fit JSON written by sltk fit")
    p.add_argument("--steps", type=integer(ge=10), required=True, help="horizon N (total updates, warmup included)")
    p.add_argument("--peak", type=real(gt=0), default=None, help="peak learning rate (default: from the fitted curves, else 3e-4)")
    p.add_argument("--warmup-steps", type=integer(ge=0), default=None, help="linear warmup updates (default: from the fit JSON)")
    p.add_argument("--blocks", type=integer(ge=2), default=100, help="blocks of the optimised piecewise-constant schedule")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def run(args) -> int:
    from numerics.laws import law_from_params
    from numerics.laws import best_wsd_decay, optimal_schedule
    from theory.validate import check_int, check_real

    from .predict import read_params

    obj = read_params(args.params)
    law, theta = law_from_params(obj)
    N = check_int("--steps", args.steps, ge=10)
    w = args.warmup_steps if args.warmup_steps is not None else int(obj.get("warmup_steps", 0) or 0)
    w = check_int("--warmup-steps", w, ge=0, le=N - 10)
    peak = check_real("--peak", args.peak if args.peak is not None else float(obj.get("peak", 3e-4)), gt=0)
    wsd = {shape: best_wsd_decay(law, theta, [N], shape=shape, peak=peak, warmup_steps=w, grid=21)[0]
           for shape in DECAY_SHAPES}
    opt = optimal_schedule(law, theta, N, peak=peak, warmup_steps=w, n_blocks=min(args.blocks, N - w))
    if args.json:
        print_json({"law": law.name, "steps": N, "peak": peak, "warmup_steps": w,
                    "best_wsd": wsd, "best_decay_fraction": wsd["linear"]["fraction"],
                    "optimal": opt.to_dict()})
        return 0
    rows = [[s, f"{r['fraction']:.3f}", f"{r['final_loss']:.5f}"] for s, r in wsd.items()]
    print(format_table(["WSD decay shape", "best fraction", "final loss"], rows))
    print(f"constant: {wsd['linear']['constant_loss']:.5f}   cosine: {wsd['linear']['cosine_loss']:.5f}")
    print(f"optimal schedule: final loss {opt.final_loss:.5f}; {opt.message}")
    return 0
