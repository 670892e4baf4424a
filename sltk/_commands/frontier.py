"""``sltk frontier``: the numerical compute-optimal frontier of SGD (or signSGD) on PLRF with local slopes.

``--optimizer signsgd`` goes through :func:`numerics.signsgd_frontier`: at each budget the risk
is minimised over the model sizes and over the learning rates ``gamma = c / sqrt(d tr D)``
(``c`` on the lattice ``--lr-factors``, default 8 per decade in ``[1e-6, 3]``, searched around
the optimum and parabola-refined), with the signSGD PLRF equations; the symbolic exponents come
from ``theory.plrf.compute_optimal_exponents(alpha, beta, "signsgd")``. The JSON keeps SGD's keys
where they make sense (``flops``, ``p_star``, ``d_star``, ``at_edge``, ``d_grid``,
``window_centers``, ``eta_local``, ``xi_local``, ``eta_theory``, ``xi_theory``, ``phase``,
``lrs``, ``window``) and adds ``optimizer``, ``eta_fit``/``xi_fit`` (fits over the upper half of
the inner budgets), ``at_edge_d``/``at_edge_lr``, ``c_opt``, ``e_measured``/``e_theory``
(``gamma* ~ d*^-e``) and ``lr_factors``. signSGD needs ``--batch 1``.
"""

from __future__ import annotations

import time

import numpy as np

import numerics
import theory
from theory import ParameterError

from .._output import format_table, print_json

COMMAND = "frontier"
HELP = "numerical compute-optimal frontier P*(f), d*(f) of SGD or signSGD on PLRF, local slopes vs symbolic exponents"
DESCRIPTION = (
    "For flop budgets f = d r B, minimise the Volterra risk over a grid of model sizes d (v = v_ratio d, "
    "gamma = lr_fraction * largest stable gamma of each size) and fit local slopes of P*(f) ~ f^-eta and "
    "d*(f) ~ f^xi over sliding windows; prints them beside the symbolic exponents (Paquette et al. 2024)."
)


def add_arguments(p):
    p.add_argument("--optimizer", default="sgd", choices=("sgd", "signsgd"), help="optimizer (default sgd)")
    p.add_argument("--lr-factors", default=None, metavar="C1,C2,...",
                   help="signsgd only: lattice of c in gamma = c / sqrt(d tr D) (default 8 per decade in [1e-6, 3])")
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
    p.add_argument("--lr-fraction", type=float, default=0.5, help="sgd: gamma = fraction * largest stable gamma (0.5)")
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
    if args.optimizer == "signsgd":
        return _run_signsgd(args, d_grid, np.geomspace(f_min, f_max, args.n_f))
    if args.lr_factors is not None:
        raise ParameterError("--lr-factors", "only with --optimizer signsgd", args.lr_factors)
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
    return _print_local_slopes(fr, args)


def _run_signsgd(args, d_grid, flops) -> int:
    if args.batch != 1:
        raise ParameterError("--batch", "1 for --optimizer signsgd (single-sample risk equations)", args.batch)
    cs = None
    if args.lr_factors is not None:
        try:
            cs = [float(x) for x in args.lr_factors.split(",") if x.strip()]
        except ValueError:
            cs = []
        if not cs or any(not (c > 0) for c in cs):
            raise ParameterError("--lr-factors", "a comma-separated list of positive numbers", args.lr_factors)
    ds = np.unique(np.round(d_grid).astype(int))
    t0 = time.perf_counter()
    fr = numerics.signsgd_frontier(args.alpha, args.beta, flops, ds=ds, lr_factors=cs, v_ratio=args.v_ratio,
                                   spectrum=args.spectrum, window=args.window)
    seconds = time.perf_counter() - t0
    ex = theory.plrf.compute_optimal_exponents(args.alpha, args.beta, "signsgd")
    out = {"optimizer": "signsgd", "alpha": args.alpha, "beta": args.beta, "flops": fr.flops, "p_star": fr.risk,
           "d_star": fr.d_opt, "at_edge": fr.at_edge, "at_edge_d": fr.at_edge_d, "at_edge_lr": fr.at_edge_lr,
           "d_grid": ds, "window_centers": fr.window_centers, "eta_local": fr.eta_local, "xi_local": fr.xi_local,
           "eta_theory": ex.eta, "xi_theory": ex.xi, "e_theory": theory.signsgd_exponents_at(args.alpha, args.beta).e,
           "phase": ex.phase,
           "lrs": fr.lr_opt, "c_opt": fr.c_opt, "e_measured": fr.e_measured, "window": args.window,
           "eta_fit": fr.slope, "xi_fit": fr.xi, "lr_factors": fr.info["lr_factors"],
           "spectrum": args.spectrum, "conventions": theory.CONVENTIONS, "runs": fr.info["runs"],
           "lr_rule": "gamma = c / sqrt(d tr D); (d, c) minimised at each budget with parabola refinement",
           "seconds": seconds}
    if args.out:
        from .._risk_figures import signsgd_frontier_figure

        signsgd_frontier_figure(out, args.out)
    if args.json:
        print_json(out)
        return 0
    e_t = out["e_theory"]
    print(f"PLRF alpha={args.alpha:g} beta={args.beta:g}, signSGD: phase {ex.phase}; symbolic eta={ex.eta:.4f}, "
          f"xi={ex.xi if ex.xi is None else round(ex.xi, 4)}, e={e_t if e_t is None else round(e_t, 4)}; "
          f"fitted (upper half of inner budgets) eta={fr.slope:.4f}, xi={fr.xi:.4f}, e={fr.e_measured:.4f}")
    lat = fr.info["lr_factors"]
    print(f"{ds.size} sizes d in [{ds[0]}, {ds[-1]}], v = {args.v_ratio:g} d, gamma = c / sqrt(d tr D) with "
          f"c on a lattice of {len(lat)} in [{lat[0]:g}, {lat[-1]:g}] ({fr.info['runs']} runs); "
          f"{int(fr.at_edge_d.sum())} budgets with d* and {int(fr.at_edge_lr.sum())} with c* at the lattice edge")
    return _print_local_slopes(fr, args)


def _print_local_slopes(fr, args) -> int:
    """The table of local slopes by window (both optimizers' frontiers carry the same fields)."""
    rows = [[f"{c:.3g}", f"{e:.4f}", f"{x:.4f}"] for c, e, x in zip(fr.window_centers, fr.eta_local, fr.xi_local)]
    print(format_table(["f (window centre)", "local eta", "local xi"], rows))
    if args.out:
        print(f"figure written to {args.out}")
    return 0
