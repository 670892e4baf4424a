"""``sltk frontier``: the numerical compute-optimal frontier of an optimizer on PLRF, with local slopes.

Goes through :func:`numerics.plrf.frontier`. The learning rate is ``--lr``: a factor ``c`` of the
optimizer's natural unit (SGD: its largest stable rate ``lr_max(d)``; signSGD: ``1 / sqrt(d tr D)``)
at every size, or ``optimise`` (``(d, c)`` minimised at each budget over the lattice ``--lr-factors``,
searched around the optimum and parabola-refined). Without ``--lr`` the optimizer's own rule is used
(SGD: 0.5 lr_max, the rate its theory assumes; signSGD: optimised, as its theory does). The symbolic
exponents come from ``theory.plrf.compute_optimal_exponents``. The JSON has ``flops``, ``p_star``,
``d_star``, ``lr_star``, ``c_star``, ``at_edge`` (``at_edge_d``/``at_edge_lr``), ``d_grid``,
``lr_factors``, ``window_centers``, ``eta_local``, ``xi_local``, ``eta_fit``/``xi_fit``/``e_fit`` (fits over
the upper half of the inner budgets), ``eta_theory``/``xi_theory``/``e_theory``, ``phase``, ``status``,
``lr_rule``, ``runs`` and ``seconds``.
"""

from __future__ import annotations

import numpy as np

import numerics
import theory
from theory import ParameterError

from .._args import csv_reals, integer, real
from .._output import exit_code, format_table, print_json
from .._progress import progress_callback

COMMAND = "frontier"
HELP = "numerical compute-optimal frontier P*(f), d*(f) of an optimizer on PLRF, local slopes vs symbolic exponents"
OUTPUTS = {"out": "file"}
FLAG_NAMES = {"v_ratio": "--v-ratio", "lr_factors": "--lr-factors", "lr": "--lr", "flops": "--f-min/--f-max",
              "d_grid": "--d-min/--d-max/--n-d"}
DESCRIPTION = (
    "For flop budgets f = d r B, minimise the risk over a grid of model sizes d (v = v_ratio d) and, with "
    "--lr optimise, over learning rates; fit local slopes of P*(f) ~ f^-eta and d*(f) ~ f^xi over sliding "
    "windows; print them beside the symbolic exponents."
)


def add_arguments(p):
    p.add_argument("--optimizer", default="sgd", choices=numerics.plrf.RULES.names(), help="optimizer (default sgd)")
    p.add_argument("--lr", default=None, metavar="C|optimise",
                   help="learning rate: a factor c of the optimizer's unit at every size, or 'optimise' "
                        "(default: the optimizer's rule, SGD 0.5 lr_max, signSGD optimised)")
    p.add_argument("--lr-factors", default=None, type=csv_reals(gt=0), metavar="C1,C2,...",
                   help="with --lr optimise: the lattice of c (default: the optimizer's own)")
    p.add_argument("--schedule", default="constant", metavar="SPEC", help="learning-rate schedule (default constant)")
    p.add_argument("--alpha", type=real(gt=0, le=1e100), required=True, help="data exponent alpha > 0")
    p.add_argument("--beta", type=real(ge=-1e100, le=1e100), required=True, help="target exponent beta (2 alpha + 2 beta > 1)")
    p.add_argument("--d-min", type=integer(ge=1), default=100, help="smallest model size (default 100)")
    p.add_argument("--d-max", type=integer(ge=2), default=6400, help="largest model size (default 6400)")
    p.add_argument("--n-d", type=integer(ge=3), default=20, help="number of model sizes (default 20)")
    p.add_argument("--f-min", type=real(gt=0), default=None, help="smallest flop budget (default 10 d_max B)")
    p.add_argument("--f-max", type=real(gt=0), default=None, help="largest flop budget (default 1e6 d_min B)")
    p.add_argument("--n-f", type=integer(ge=3), default=40, help="number of budgets (default 40)")
    p.add_argument("--v-ratio", type=real(ge=1), default=4.0, help="v = v_ratio * d (default 4)")
    p.add_argument("--batch", type=integer(ge=1), default=1, help="batch size B (default 1)")
    p.add_argument("--spectrum", default="deterministic", choices=("deterministic", "surrogate"))
    p.add_argument("--window", type=real(gt=0), default=1.0, help="decades of f per local-slope window (default 1)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--out", default=None, metavar="FIG", help="write a figure (.png/.pdf/.svg)")


def _lr(text):
    if text is None or text == "optimise":
        return text
    try:
        c = float(text)
    except ValueError:
        raise ParameterError("--lr", "a positive number or 'optimise'", text) from None
    if not c > 0:
        raise ParameterError("--lr", "a positive number or 'optimise'", text)
    return c


def run(args) -> int:
    if args.n_d < 3:
        raise ParameterError("--n-d", "--n-d >= 3", args.n_d)
    if args.d_min < 1 or args.d_max <= args.d_min:
        raise ParameterError("--d-min/--d-max", "1 <= d_min < d_max", (args.d_min, args.d_max))
    if args.n_f < 3:
        raise ParameterError("--n-f", "--n-f >= 3", args.n_f)
    lr = _lr(args.lr)
    cs = args.lr_factors
    rules = numerics.plrf.RULES[args.optimizer]
    if cs is not None and (lr if lr is not None else rules.frontier_lr) != "optimise":
        raise ParameterError("--lr-factors", "only with --lr optimise", args.lr_factors)
    schedule = theory.parse_schedule(args.schedule)
    d_grid = np.geomspace(args.d_min, args.d_max, args.n_d)
    f_min = args.f_min if args.f_min is not None else 10.0 * args.d_max * args.batch
    f_max = args.f_max if args.f_max is not None else 1e6 * args.d_min * args.batch
    if not (0 < f_min < f_max):
        raise ParameterError("--f-min/--f-max", "0 < f_min < f_max", (f_min, f_max))
    template = theory.optimizer_class(args.optimizer)(lr=1.0, batch=args.batch)
    fr = numerics.plrf.frontier(args.alpha, args.beta, template, lr=lr, schedule=schedule,
                                flops=np.geomspace(f_min, f_max, args.n_f), d_grid=d_grid, lr_factors=cs,
                                v_ratio=args.v_ratio, spectrum=args.spectrum, window=args.window,
                                progress=progress_callback("frontier"))
    if fr.status == "diverged":
        import sys

        if args.json:
            print_json({"status": fr.status, **fr.diagnostics})
        print(f"sltk: diverges: {fr.diagnostics['message']}", file=sys.stderr)
        return exit_code("diverged")
    if args.out:
        from .._figures.plrf import frontier_figure

        frontier_figure(fr, args.out)
    if args.json:
        out = fr.to_dict()
        out["conventions"] = theory.CONVENTIONS
        print_json(out)
        return exit_code("ok")
    r4 = (lambda x: "-" if x is None or not np.isfinite(x) else f"{x:.4f}")
    print(f"PLRF alpha={args.alpha:g} beta={args.beta:g}, {fr.optimizer} ({fr.schedule}): phase {fr.phase}; "
          f"symbolic eta={r4(fr.eta_theory)}, xi={r4(fr.xi_theory)}, e={r4(fr.e_theory)}; "
          f"fitted (upper half of inner budgets) eta={r4(fr.eta_fit)}, xi={r4(fr.xi_fit)}, e={r4(fr.e_fit)}")
    print(f"{fr.d_grid.size} sizes d in [{fr.d_grid[0]}, {fr.d_grid[-1]}], v = {args.v_ratio:g} d, "
          f"{fr.diagnostics['lr_rule']} ({fr.diagnostics['runs']} runs); {int(fr.at_edge_d.sum())} budgets with d* "
          f"and {int(fr.at_edge_lr.sum())} with c* at the lattice edge; status {fr.status}")
    rows = [[f"{c:.3g}", f"{e:.4f}", f"{x:.4f}"] for c, e, x in zip(fr.window_centers, fr.eta_local, fr.xi_local)]
    print(format_table(["f (window centre)", "local eta", "local xi"], rows))
    if args.out:
        print(f"figure written to {args.out}")
    return 0
