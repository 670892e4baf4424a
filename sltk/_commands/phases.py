"""``sltk phases``: draw an optimizer's PLRF compute-optimal phase diagram, or its xi / eta / e maps.

Every optimizer's map comes from its theory rules (:mod:`theory.plrf`): SGD's 4+3 phases (closed-form
regions), signSGD's own phases (the regions of constant optimal vertex of its joint LP in model size
and learning rate). Boundaries are drawn as exact curves.
"""

from __future__ import annotations

import theory

from .._args import integer
from .._output import figure_style, save_figure

COMMAND = "phases"
HELP = "draw the PLRF compute-optimal phase diagram (or xi/eta/e maps) of an optimizer into a PDF/PNG"
OUTPUTS = {"out": "file"}


def add_arguments(p):
    p.add_argument("--optimizer", default="sgd", choices=theory.plrf.RULES.names(),
                   help="optimizer whose theory is drawn (default: sgd)")
    p.add_argument("--out", required=True, help="output file, .pdf or .png (or .svg)")
    p.add_argument("--quantity", default="phase", choices=("phase", "xi", "eta", "e"),
                   help="phase regions, or a heat map of xi, eta or e")
    p.add_argument("--schedule", default="constant", metavar="SPEC", help="learning-rate schedule (default constant)")
    p.add_argument("--grid", type=integer(ge=4, le=2000), default=None,
                   help="points along alpha (default: the optimizer's map resolution; 1.2x that along beta)")


def run(args) -> int:
    from pathlib import Path

    from .._figures import plrf as pf

    if Path(args.out).suffix.lower() not in (".png", ".pdf", ".svg"):
        raise theory.ParameterError("--out", "a file name ending in .png, .pdf or .svg", args.out)
    if args.grid is not None:
        theory.validate.check_int("--grid", args.grid, ge=4, le=2000)
    schedule = theory.parse_schedule(args.schedule)
    with figure_style():
        if args.quantity == "phase":
            fig = pf.phase_diagram_figure(args.optimizer, schedule, args.grid)
        else:
            fig = pf.exponent_map_figure(args.quantity, args.optimizer, schedule, args.grid)
        paths = save_figure(fig, args.out)
    print("wrote " + ", ".join(str(p) for p in paths))
    return 0
