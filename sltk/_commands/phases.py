"""``sltk phases``: draw the PLRF phase diagram or the xi / eta heat maps."""

from __future__ import annotations

import theory

from .._output import figure_style, save_figure

COMMAND = "phases"
HELP = "draw the PLRF compute-optimal phase diagram (or xi/eta heat maps) into a PDF/PNG"


def add_arguments(p):
    p.add_argument("--optimizer", default="sgd", choices=sorted(theory.OPTIMIZERS),
                   help="optimizer whose terms are used (default: sgd)")
    p.add_argument("--out", required=True, help="output file, .pdf or .png (or .svg)")
    p.add_argument("--quantity", default="phase", choices=("phase", "xi", "eta"),
                   help="phase regions, or a heat map of xi or eta")


def run(args) -> int:
    from .. import _phase_figures as pf
    from theory._exponents import check_optimizer

    check_optimizer(args.optimizer)
    from pathlib import Path

    if Path(args.out).suffix.lower() not in (".png", ".pdf", ".svg"):
        raise theory.ParameterError("--out", "a file name ending in .png, .pdf or .svg", args.out)
    with figure_style():
        fig = pf.phase_diagram_figure(args.optimizer) if args.quantity == "phase" else \
            pf.exponent_map_figure(args.quantity, args.optimizer)
        paths = save_figure(fig, args.out)
    print("wrote " + ", ".join(str(p) for p in paths))
    return 0
