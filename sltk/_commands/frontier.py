"""``sltk frontier``: the numerical compute-optimal frontier of SGD on PLRF with local slopes."""

from __future__ import annotations

import numpy as np

import numerics
import theory
from theory import ParameterError

from .._output import format_table, print_json

COMMAND = "frontier"
HELP = "numerical compute-optimal frontier P*(f), d*(f) of SGD on PLRF, local slopes vs symbolic exponents"
DESCRIPTION = (
    "For flop budgets f = d r B, minimise the Volterra risk over a grid of model sizes d (v = v_ratio d, "
    "gamma = lr_fraction * largest stable gamma of each size) and fit local slopes of P*(f) ~ f^-eta and "
    "d*(f) ~ f^xi over sliding windows; prints them beside the symbolic exponents (Paquette et al. 2024)."
)


def add_arguments(p):
    p.add_argument("--alpha", type=float, required=True, help="data exponent alpha > 0")
    p.add_argument("--beta", type=float, required=True, help="target exponent beta (2 alpha + 2 beta > 1)")
    p.add_argument("--d-min", type=int, default=100, help="smallest model size (default 100)")
    p.add_argument("--d-max", type=int, default=6400, help="largest model size (default 6400)")
    p.add_argument("--n-d", type=int, default=20, help="number of model sizes (default 20)")
    p.add_argument("--f-min", type=float, default=None, help="smallest flop budget (default 10 d_max B)")
    p.add_argument("--f-max", type=float, default=None, help="largest flop budget (default 1e6 d_min B)")
    p.add_argument("--n-f", type=int, default=40, help="number of budgets (default 40)")
    p.add_argument("--v-ratio", type=float, default=4.0, help="v = v_ratio * d (default 4)")
    p.add_argument("--batch", type=int, default=1, help="batch size B (default 1)")
    p.add_argument("--lr-fraction", type=float, default=0.5, help="gamma = fraction * largest stable gamma (0.5)")
    p.add_argument("--spectrum", default="deterministic", choices=("deterministic", "surrogate"))
    p.add_argument("--window", type=float, default=1.0, help="decades of f per local-slope window (default 1)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--out", default=None, metavar="FIG", help="write a figure (.png/.pdf/.svg)")


def run(args) -> int:
    if args.n_d < 3:
        raise ParameterError("--n-d", "--n-d >= 3", args.n_d)
    if args.d_min < 1 or args.d_max <= args.d_min:
        raise ParameterError("--d-min/--d-max", "1 <= d_min < d_max", (args.d_min, args.d_max))
    if args.n_f < 3:
        raise ParameterError("--n-f", "--n-f >= 3", args.n_f)
    d_grid = np.geomspace(args.d_min, args.d_max, args.n_d)
    f_min = args.f_min if args.f_min is not None else 10.0 * args.d_max * args.batch
    f_max = args.f_max if args.f_max is not None else 1e6 * args.d_min * args.batch
    if not (0 < f_min < f_max):
        raise ParameterError("--f-min/--f-max", "0 < f_min < f_max", (f_min, f_max))
    fr = numerics.compute_optimal_frontier(
        args.alpha, args.beta, "sgd", flops=np.geomspace(f_min, f_max, args.n_f), d_grid=d_grid,
        v_ratio=args.v_ratio, batch=args.batch, lr_fraction=args.lr_fraction, spectrum=args.spectrum,
        window=args.window)
    if args.out:
        from .._risk_figures import frontier_figure

        frontier_figure(fr, args.out)
    if args.json:
        out = fr.to_dict()
        out["conventions"] = theory.CONVENTIONS
        out["lr_rule"] = fr.diagnostics["lr_rule"]
        out["seconds"] = fr.diagnostics["seconds"]
        print_json(out)
        return 0
    print(f"PLRF alpha={args.alpha:g} beta={args.beta:g}: phase {fr.phase}; "
          f"symbolic eta={fr.eta_theory if fr.eta_theory is None else round(fr.eta_theory, 4)}, "
          f"xi={fr.xi_theory if fr.xi_theory is None else round(fr.xi_theory, 4)}")
    print(f"{fr.d_grid.size} sizes d in [{fr.d_grid[0]}, {fr.d_grid[-1]}], v = {args.v_ratio:g} d, "
          f"gamma = {fr.diagnostics['lr_rule']}; {int(fr.at_edge.sum())} budgets with d* at the grid edge")
    rows = [[f"{c:.3g}", f"{e:.4f}", f"{x:.4f}"] for c, e, x in zip(fr.window_centers, fr.eta_local, fr.xi_local)]
    print(format_table(["f (window centre)", "local eta", "local xi"], rows))
    if args.out:
        print(f"figure written to {args.out}")
    return 0
