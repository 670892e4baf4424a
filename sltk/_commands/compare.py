"""``sltk compare --optimizers sgd,signsgd [--out FIG] [--json]``: where one optimizer's compute-optimal
slope is steeper, equal or flatter than another's, as a map over ``(alpha, beta)`` and a table."""

from __future__ import annotations

import numpy as np

import theory

from .._args import integer
from .._output import figure_style, format_table, print_json, save_figure

COMMAND = "compare"
HELP = "compare the compute-optimal slopes of two optimizers over (alpha, beta) (map and table)"
OUTPUTS = {"out": "file"}

#: one representative point per SGD phase (inside the phase, away from its boundaries)
TABLE_POINTS = ((0.7, 0.3), (0.4, 0.3), (0.2, 0.7), (1.0, 0.7), (0.7, 1.2), (0.4, 0.7), (0.27, 0.7))


def add_arguments(p):
    p.add_argument("--optimizers", default="sgd,signsgd",
                   help="two optimizers with PLRF theory, comma-separated; the map shows second minus first "
                        "(default: sgd,signsgd)")
    p.add_argument("--schedule", default="constant", metavar="SPEC", help="learning-rate schedule (default constant)")
    p.add_argument("--out", default=None, metavar="FIG", help="write the map to FIG (.png, .pdf or .svg)")
    p.add_argument("--grid", type=integer(ge=3, le=400), default=41, help="grid points per axis of the map (default: 41)")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def _optimizers(text):
    names = tuple(x.strip().lower() for x in str(text).split(",") if x.strip())
    known = theory.plrf.RULES.names()
    if len(names) != 2 or names[0] == names[1] or any(n not in known for n in names):
        raise theory.ParameterError("--optimizers", "two different optimizers among " + ", ".join(known), text)
    return names


def run(args) -> int:
    first, second = _optimizers(args.optimizers)
    grid = theory.validate.check_int("--grid", args.grid, ge=3, le=400)
    schedule = theory.parse_schedule(args.schedule)
    rows = []
    for a, b in TABLE_POINTS:
        c = theory.plrf.compare(a, b, (second, first), schedule)
        rows.append({"alpha": a, "beta": b, f"phase_{first}": c["phase"][first], f"phase_{second}": c["phase"][second],
                     f"eta_{first}": c["eta"][first], f"eta_{second}": c["eta"][second], "difference": c["difference"],
                     "verdict": c["verdict"], f"xi_{second}": c["xi"][second], f"e_{second}": c["e"][second],
                     f"eta_{second}_expr": c["eta_expr"][second], f"{second}_balanced": c["balanced"][second]})
    fig_paths = []
    if args.out:
        from .._figures.plrf import slope_difference_figure

        with figure_style():
            fig, diff = slope_difference_figure((second, first), schedule, grid)
            fig_paths = [str(p) for p in save_figure(fig, args.out)]
    else:
        from .._figures.plrf import A_RANGE, B_RANGE

        g = theory.plrf.slope_difference_grid(np.linspace(A_RANGE[0] + 1e-4, A_RANGE[1], grid),
                                              np.linspace(B_RANGE[0] + 1e-4, B_RANGE[1], int(round(1.2 * grid))),
                                              (second, first), schedule)
        diff = g["difference"]
    finite = diff[np.isfinite(diff)]
    summary = {"steeper": int(np.sum(finite > 1e-9)), "equal": int(np.sum(np.abs(finite) <= 1e-9)),
               "flatter": int(np.sum(finite < -1e-9))}
    if args.json:
        print_json({"optimizers": [first, second], "quantity": f"eta_{second} - eta_{first}",
                    "schedule": schedule.spec(), "summary": summary, "table": rows,
                    "figure": fig_paths[0] if fig_paths else None})
        return 0
    print(f"compute-optimal loss exponent eta: {second} minus {first} (positive = {second} steeper)")
    print(format_table([f"{first} phase", "alpha", "beta", f"eta {first}", f"eta {second}", "difference", "verdict",
                        f"xi {second}", f"e {second}"],
                       [[r[f"phase_{first}"], r["alpha"], r["beta"], f"{r[f'eta_{first}']:.4f}",
                         f"{r[f'eta_{second}']:.4f}", f"{r['difference']:+.4f}", r["verdict"],
                         "-" if r[f"xi_{second}"] is None else f"{r[f'xi_{second}']:.3f}",
                         "-" if r[f"e_{second}"] is None else f"{r[f'e_{second}']:.3f}"] for r in rows]))
    print(f"grid: {second} steeper at {summary['steeper']}, equal at {summary['equal']}, "
          f"flatter at {summary['flatter']} points")
    if fig_paths:
        print(f"figure written to {fig_paths[0]}")
    return 0
