"""``sltk exponents``: phase and compute-optimal exponents of PLRF at a point, or the table."""

from __future__ import annotations

import theory
from theory import ParameterError

from .._args import real
from .._output import print_json

COMMAND = "exponents"
HELP = "phase, dominant terms and compute-optimal exponents (d* ~ f^xi, P* ~ f^-eta, gamma* ~ d*^-e) of PLRF"
DESCRIPTION = (
    "Compute-optimal exponents of PLRF derived symbolically for an optimizer (SGD: Paquette et al. 2024, "
    "arXiv:2405.15074; signSGD: its joint LP in model size and learning rate): at a point --alpha A --beta B, "
    "or the whole symbolic table of the optimizer's phases with --table."
)


def add_arguments(p):
    p.add_argument("--alpha", type=real(gt=0, le=1e100), default=None, help="data exponent alpha > 0")
    p.add_argument("--beta", type=real(ge=-1e100, le=1e100), default=None, help="target exponent beta (2 alpha + 2 beta > 1)")
    p.add_argument("--optimizer", default="sgd", choices=theory.plrf.RULES.names(),
                   help="optimizer whose theory is used (default: sgd)")
    p.add_argument("--schedule", default="constant", metavar="SPEC",
                   help="learning-rate schedule whose end-of-decay enters the theory (default constant)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--table", action="store_true", help="print the symbolic table of all phases")
    p.add_argument("--format", default="markdown", choices=("markdown", "latex", "text"),
                   help="table format (with --table)")


def run(args) -> int:
    schedule = theory.parse_schedule(args.schedule)
    if args.table:
        if args.json:
            print_json({"optimizer": args.optimizer, "schedule": schedule.spec(),
                        "rows": [r.to_dict() for r in theory.plrf.exponent_table(args.optimizer, schedule)]})
        else:
            print(theory.plrf.format_exponent_table(args.optimizer, args.format, schedule))
        return 0
    if args.alpha is None or args.beta is None:
        raise ParameterError("--alpha/--beta", "both given (or use --table)",
                             f"alpha={args.alpha}, beta={args.beta}")
    res = theory.plrf.compute_optimal_exponents(args.alpha, args.beta, args.optimizer, schedule)
    if args.json:
        print_json(res.to_dict())
        return 0
    where = f"phase {res.phase}" if res.phase else f"boundary {res.boundary} between {', '.join(res.phases)}"
    print(f"alpha={res.alpha:g}, beta={res.beta:g}, {res.optimizer} ({res.schedule}): {where}")
    if res.dominant_terms:
        print(f"dominant terms : {' + '.join(res.dominant_terms)}")
    if res.balanced:
        print(f"balanced at d* : {' = '.join(res.balanced)}")
    if res.xi is None and res.xi_interval is not None:
        lo, hi = res.xi_interval
        print(f"xi  (d* ~ f^xi) : jumps here; every xi in [{lo:.6g}, {hi:.6g}] is optimal")
    elif res.xi is None:
        print("xi  (d* ~ f^xi) : not unique here (degenerate optimum)")
    else:
        print(f"xi  (d* ~ f^xi) : {res.xi_expr} = {res.xi:.6g}")
    print(f"eta (P* ~ f^-eta): {res.eta_expr} = {res.eta:.6g}")
    if res.e is not None:
        print(f"e   (gamma* ~ d*^-e): {res.e_expr} = {res.e:.6g}")
    return 0
