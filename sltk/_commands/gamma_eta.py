"""``sltk gamma-eta --depth L``: the gamma-eta plane of the richness chain (Atanasov et al. 2025).

Runs GD on the depth-``L`` scalar chain over a (gamma, eta) grid and prints the measured largest
stable and best learning rates against the closed-form edge ``eta_edge(gamma, L)``, with the slopes of
``eta*`` at small and large gamma (theory: 2 and 2/L) and their 95 % intervals. ``--json`` prints one
object with ``eta_edge`` (a table over gamma), ``eta_star`` (measured), ``slopes`` = {``small_gamma``,
``large_gamma``} each with ``value`` and ``interval``; ``--out FIG`` draws the phase plane and eta*.

Cross-entropy: the one-example chain never diverges under cross-entropy (every step moves the
weights outwards), so it has no measured eta*; ``--loss xent`` needs ``--model mlp`` (a ReLU network
sweep, the optional ``torch`` extra).
"""

from __future__ import annotations

from pathlib import Path

from theory import ParameterError
from theory.validate import check_int, check_real

from .._output import format_table, print_json

COMMAND = "gamma-eta"
OUTPUTS = {"out": "file"}
HELP = "gamma-eta plane of the richness chain: eta_edge, measured eta*, slopes 2 and 2/L (Atanasov et al. 2025)"


def add_arguments(p):
    p.add_argument("--depth", type=int, required=True, help="depth L of the chain, 1..64")
    p.add_argument("--loss", choices=("mse", "xent"), default="mse", help="loss (default mse)")
    p.add_argument("--model", choices=("chain", "mlp"), default="chain",
                   help="chain: the scalar model (default); mlp: a ReLU network sweep (needs torch)")
    p.add_argument("--gamma-min", type=float, default=1e-3, help="smallest gamma, <= 0.1 (default 1e-3)")
    p.add_argument("--gamma-max", type=float, default=1e3, help="largest gamma, >= 10 (default 1e3)")
    p.add_argument("--gamma-per-decade", type=int, default=4, help="gamma grid points per decade, 1..50 (default 4)")
    p.add_argument("--eta-per-decade", type=int, default=20, help="eta grid points per decade, 1..200 (default 20)")
    p.add_argument("--steps", type=int, default=20000, help="GD steps of the stability scan, >= 100 (default 20000)")
    p.add_argument("--budget", type=int, default=2000,
                   help="steps of the budget for eta* (chain: GD steps; mlp: online SGD steps), >= 10 (default 2000)")
    p.add_argument("--fit-decades", type=float, default=2.0,
                   help="decades at each end of the gamma range the slopes are fitted on, > 0 (default 2)")
    p.add_argument("--width", type=int, default=32, help="mlp: hidden width N >= 4 (default 32)")
    p.add_argument("--seed", type=int, default=0, help="mlp: seed of teacher, init and data (default 0)")
    p.add_argument("--out", default=None, help="figure file (.png, .pdf or .svg)")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def _validate(args):
    check_int("--depth", args.depth, ge=1, le=64)
    lo = check_real("--gamma-min", args.gamma_min, gt=0, le=0.1)
    hi = check_real("--gamma-max", args.gamma_max, ge=10)
    fd = check_real("--fit-decades", args.fit_decades, gt=0)
    if lo * 10**fd > 1 + 1e-12 or hi / 10**fd < 1 - 1e-12:
        raise ParameterError("--fit-decades", f"<= log10(1/gamma_min) and <= log10(gamma_max) (here "
                             f"{min(-__import__('math').log10(lo), __import__('math').log10(hi)):g})", fd)
    check_int("--gamma-per-decade", args.gamma_per_decade, ge=1, le=50)
    check_int("--eta-per-decade", args.eta_per_decade, ge=1, le=200)
    check_int("--steps", args.steps, ge=100)
    check_int("--budget", args.budget, ge=10)
    if args.out is not None and Path(args.out).suffix.lower() not in (".png", ".pdf", ".svg"):
        raise ParameterError("--out", "a file name ending in .png, .pdf or .svg", args.out)
    if args.model == "chain" and args.loss == "xent":
        raise ParameterError("--loss", "mse with --model chain (the cross-entropy chain never diverges and has "
                             "no eta*; use --model mlp)", args.loss)
    if args.model == "mlp":
        from verification.richness import torch_available

        check_int("--width", args.width, ge=4)
        check_int("--seed", args.seed, ge=0)
        if args.depth < 2:
            raise ParameterError("--depth", "--depth >= 2 with --model mlp", args.depth)

        if not torch_available():
            raise ParameterError("--model", "chain (mlp needs the optional networks extra (PyTorch): pip install 'sltk[networks]')",
                                 args.model)


def run(args) -> int:
    _validate(args)
    if args.model == "mlp":
        return _run_mlp(args)
    from numerics.richness import gamma_eta_plane

    plane = gamma_eta_plane(args.depth, gamma_range=(args.gamma_min, args.gamma_max),
                            gamma_per_decade=args.gamma_per_decade, eta_per_decade=args.eta_per_decade,
                            steps=args.steps, budget=args.budget, fit_decades=args.fit_decades)
    out = plane.to_dict()
    if args.out:
        from .._figures.richness import phase_plane_figure

        out["written"] = [str(p) for p in phase_plane_figure([plane], args.out)]
    if args.json:
        print_json(out)
        return 0
    print(f"richness chain, L = {plane.depth}, MSE: status {plane.status}; boundary exact to the grid: "
          f"{out['boundary_exact_to_grid']}")
    rows = [[f"{g:.4g}", f"{e:.4g}", f"{m:.4g}", f"{s:.4g}"]
            for g, e, m, s in zip(plane.scan.gammas, plane.scan.eta_edge, plane.scan.eta_max, plane.best.eta_star)]
    print(format_table(["gamma", "eta_edge (theory)", "largest stable (measured)", f"eta* (budget {args.budget})"], rows))
    for name, label in (("eta_star", "eta*"), ("eta_max", "largest stable eta")):
        for side, th in (("small_gamma", 2.0), ("large_gamma", 2.0 / plane.depth)):
            f = plane.slopes[name][side]
            print(f"slope of {label} ({side}, gamma in [{f.x_range[0]:.3g}, {f.x_range[1]:.3g}]): {f.value:.4f} "
                  f"[{f.interval[0]:.4f}, {f.interval[1]:.4f}] (theory {th:.4f})")
    for p in out.get("written", []):
        print(f"wrote {p}")
    return 0


def _run_mlp(args) -> int:
    """A ReLU MLP sweep (verification.richness): eta* per gamma and its slopes, beside the chain's edge."""

    from numerics.richness import log_grid_per_decade
    from theory.richness import eta_edge, xent_weight_edge
    from verification.richness import MLPTask, measure_eta_star

    check_int("--width", args.width, ge=4)
    gammas = log_grid_per_decade(args.gamma_min, args.gamma_max, args.gamma_per_decade)
    fd = args.fit_decades
    res = measure_eta_star(MLPTask(depth=args.depth, loss=args.loss, width=args.width, seed=args.seed),
                           gammas, args.budget, per_decade=min(args.eta_per_decade, 8),
                           small_range=(args.gamma_min, args.gamma_min * 10**fd),
                           large_range=(args.gamma_max / 10**fd, args.gamma_max))
    out = res.to_dict()
    out["eta_edge"] = [{"gamma": float(g), "eta_edge": float(e)} for g, e in zip(gammas, eta_edge(gammas, res.task.depth))]
    if args.loss == "xent":
        out["xent_weight_edge"] = [{"gamma": float(g), "eta": float(e)} for g, e in zip(gammas, xent_weight_edge(gammas))]
    out["theory_slopes"] = {"small_gamma": 1.0 if args.loss == "xent" else 2.0, "large_gamma": 2.0 / res.task.depth}
    if args.out:
        from .._figures.richness import network_eta_star_figure

        out["written"] = [str(p) for p in network_eta_star_figure(res, args.out)]
    if args.json:
        print_json(out)
        return 0
    print(f"ReLU MLP, L = {res.task.depth}, {args.loss}, width {res.task.width}, {args.budget} online steps "
          f"({res.sweep.seconds:.0f} s)")
    rows = [[f"{g:.4g}", f"{s:.4g}", "yes" if i else "no (grid end)"] for g, s, i in zip(gammas, res.eta_star, res.interior)]
    print(format_table(["gamma", "eta* (measured)", "interior"], rows))
    for side in ("small_gamma", "large_gamma"):
        f = res.slopes[side]
        th = out["theory_slopes"][side]
        if f is None:
            print(f"slope of eta* ({side}): fewer than 3 located points (theory {th:.4f})")
        else:
            print(f"slope of eta* ({side}): {f.value:.4f} [{f.interval[0]:.4f}, {f.interval[1]:.4f}] (theory {th:.4f})")
    for p in out.get("written", []):
        print(f"wrote {p}")
    return 0
