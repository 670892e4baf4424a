"""``sltk phases``: draw the PLRF phase diagram or the xi / eta heat maps.

``--optimizer signsgd`` draws signSGD's own phase diagram (``--quantity phase``: the regions of
constant optimal LP vertex, :func:`theory.signsgd_phase_table`) or its ``xi`` / ``eta`` heat map
(its joint LP in model size and learning rate solved at each point of a ``--grid`` grid).
"""

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
    p.add_argument("--grid", type=int, default=80,
                   help="signsgd maps: points along alpha (default 80; 1.2x that along beta)")


def run(args) -> int:
    from .. import _phase_figures as pf
    from theory._exponents import check_optimizer

    from pathlib import Path

    signsgd = args.optimizer == "signsgd"
    if not signsgd:
        check_optimizer(args.optimizer)
    if Path(args.out).suffix.lower() not in (".png", ".pdf", ".svg"):
        raise theory.ParameterError("--out", "a file name ending in .png, .pdf or .svg", args.out)
    with figure_style():
        if signsgd and args.quantity == "phase":
            fig = pf.signsgd_phase_figure(args.grid)
        elif signsgd:
            fig = pf.signsgd_exponent_map_figure(args.quantity, args.grid)[0]
        elif args.quantity == "phase":
            fig = pf.phase_diagram_figure(args.optimizer)
        else:
            fig = pf.exponent_map_figure(args.quantity, args.optimizer)
        paths = save_figure(fig, args.out)
    print("wrote " + ", ".join(str(p) for p in paths))
    return 0
