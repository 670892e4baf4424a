"""``sltk exponents``: phase and compute-optimal exponents of PLRF at a point, or the table."""

from __future__ import annotations

import theory
from theory import ParameterError

from .._output import print_json

COMMAND = "exponents"
HELP = "phase, dominant terms and compute-optimal exponents (d* ~ f^xi, P* ~ f^-eta) of PLRF"
DESCRIPTION = (
    "Compute-optimal exponents of PLRF derived symbolically (Paquette et al. 2024, arXiv:2405.15074): "
    "at a point --alpha A --beta B, or the whole symbolic table with --table."
)


def add_arguments(p):
    p.add_argument("--alpha", type=float, default=None, help="data exponent alpha > 0")
    p.add_argument("--beta", type=float, default=None, help="target exponent beta (2 alpha + 2 beta > 1)")
    p.add_argument("--optimizer", default="sgd", choices=sorted(theory.OPTIMIZERS),
                   help="optimizer whose terms are used (default: sgd)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--table", action="store_true", help="print the symbolic table of all phases")
    p.add_argument("--format", default="markdown", choices=("markdown", "latex", "text"),
                   help="table format (with --table)")


def run(args) -> int:
    if args.table and args.optimizer == "signsgd":  # signSGD's own phases (LP vertices)
        from theory._signsgd_phases import format_signsgd_phase_table, signsgd_phase_table

        if args.json:
            print_json({"optimizer": "signsgd", "rows": [p.to_dict() for p in signsgd_phase_table()]})
        else:
            print(format_signsgd_phase_table(args.format))
        return 0
    if args.table:
        if args.json:
            print_json({"optimizer": args.optimizer,
                        "rows": [r.to_dict() for r in theory.plrf.exponent_table(args.optimizer)]})
        else:
            print(theory.plrf.format_exponent_table(args.optimizer, args.format))
        return 0
    if args.alpha is None or args.beta is None:
        raise ParameterError("--alpha/--beta", "both given (or use --table)",
                             f"alpha={args.alpha}, beta={args.beta}")
    res = theory.plrf.compute_optimal_exponents(args.alpha, args.beta, args.optimizer)
    if args.json:
        print_json(res.to_dict())
        return 0
    where = f"phase {res.phase}" if res.phase else f"boundary {res.boundary} between {', '.join(res.phases)}"
    print(f"alpha={res.alpha:g}, beta={res.beta:g}: {where}")
    print(f"dominant terms : {' + '.join(res.dominant_terms)}")
    if res.balanced:
        print(f"balanced at d* : {' = '.join(res.balanced)}")
    if res.xi is None:
        lo, hi = res.xi_interval
        print(f"xi  (d* ~ f^xi) : jumps here; every xi in [{lo:.6g}, {hi:.6g}] is optimal")
    else:
        print(f"xi  (d* ~ f^xi) : {res.xi_expr} = {res.xi:.6g}")
    print(f"eta (P* ~ f^-eta): {res.eta_expr} = {res.eta:.6g}")
    return 0
