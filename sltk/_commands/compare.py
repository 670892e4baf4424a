"""``sltk compare --optimizers sgd,signsgd [--out FIG] [--json]``: where signSGD's compute-optimal
slope is steeper, equal or flatter than SGD's, as a map over ``(alpha, beta)`` and a table."""

from __future__ import annotations

import numpy as np

import theory

from .._output import figure_style, format_table, print_json, save_figure

COMMAND = "compare"
HELP = "compare the compute-optimal slopes of two optimizers over (alpha, beta) (map and table)"

#: one representative point per SGD phase (inside the phase, away from its boundaries)
TABLE_POINTS = (("Ia", 0.7, 0.3), ("Ib", 0.4, 0.3), ("Ic", 0.2, 0.7), ("II", 1.0, 0.7), ("III", 0.7, 1.2),
                ("IVa", 0.4, 0.7), ("IVb", 0.27, 0.7))


def add_arguments(p):
    p.add_argument("--optimizers", default="sgd,signsgd", help="two optimizers, comma-separated (default: sgd,signsgd)")
    p.add_argument("--out", default=None, metavar="FIG", help="write the map to FIG (.png, .pdf or .svg)")
    p.add_argument("--grid", type=int, default=41, help="grid points per axis of the map (default: 41)")
    p.add_argument("--alpha-range", default="0.1,1.5", help="alpha range lo,hi (default: 0.1,1.5)")
    p.add_argument("--beta-range", default="0.0,1.8", help="beta range lo,hi (default: 0.0,1.8)")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def _range(name, text):
    try:
        lo, hi = (float(x) for x in str(text).split(","))
    except ValueError:
        raise theory.ParameterError(name, "two numbers lo,hi", text) from None
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise theory.ParameterError(name, "finite lo < hi", text)
    return lo, hi


def _optimizers(text):
    names = tuple(x.strip().lower() for x in str(text).split(",") if x.strip())
    if sorted(names) != ["sgd", "signsgd"]:
        raise theory.ParameterError("--optimizers", "the pair sgd,signsgd (the optimizers with derived exponents)", text)
    return names


def run(args) -> int:
    names = _optimizers(args.optimizers)
    grid = theory.validate.check_int("--grid", args.grid, ge=3, le=400)
    a_lo, a_hi = _range("--alpha-range", args.alpha_range)
    b_lo, b_hi = _range("--beta-range", args.beta_range)
    if a_lo <= 0:
        raise theory.ParameterError("--alpha-range", "alpha > 0", args.alpha_range)
    sign = 1.0 if names == ("sgd", "signsgd") else -1.0  # difference = second - first
    rows = []
    for phase, a, b in TABLE_POINTS:
        c = theory.compare_with_sgd(a, b)
        diff = sign * c["difference"]
        verdict = c["verdict"] if sign > 0 else {"steeper": "flatter", "flatter": "steeper"}.get(c["verdict"], "equal")
        rows.append({"sgd_phase": phase, "alpha": a, "beta": b, "eta_sgd": c["eta_sgd"], "eta_signsgd": c["eta_signsgd"],
                     "difference": diff, "verdict": verdict, "xi_sgd": c["xi_sgd"], "xi_signsgd": c["xi_signsgd"],
                     "e_signsgd": c["e_signsgd"], "eta_signsgd_expr": c["eta_signsgd_expr"],
                     "signsgd_active": c["signsgd_active"]})
    g = theory.plrf.slope_difference_grid(np.linspace(a_lo, a_hi, grid), np.linspace(b_lo, b_hi, grid))
    diff = sign * g["difference"]
    fig_paths = []
    if args.out:
        fig_paths = [str(p) for p in _figure(g["alpha"], g["beta"], diff, names, args.out)]
    finite = diff[np.isfinite(diff)]
    summary = {"steeper": int(np.sum(finite > 1e-9)), "equal": int(np.sum(np.abs(finite) <= 1e-9)),
               "flatter": int(np.sum(finite < -1e-9))}
    if args.json:
        print_json({"optimizers": list(names), "quantity": f"eta_{names[1]} - eta_{names[0]}",
                    "alpha": g["alpha"], "beta": g["beta"], "difference": diff, "summary": summary,
                    "table": rows, "figure": fig_paths[0] if fig_paths else None})
        return 0
    print(f"compute-optimal loss exponent eta: {names[1]} minus {names[0]} (positive = {names[1]} steeper)")
    print(format_table(["SGD phase", "alpha", "beta", "eta_sgd", "eta_signsgd", "difference", "verdict",
                        "xi_signsgd", "e_signsgd"],
                       [[r["sgd_phase"], r["alpha"], r["beta"], f"{r['eta_sgd']:.4f}", f"{r['eta_signsgd']:.4f}",
                         f"{r['difference']:+.4f}", r["verdict"], f"{r['xi_signsgd']:.3f}", f"{r['e_signsgd']:.3f}"]
                        for r in rows]))
    print(f"grid {grid}x{grid}: steeper at {summary['steeper']}, equal at {summary['equal']}, "
          f"flatter at {summary['flatter']} points")
    if fig_paths:
        print(f"figure written to {fig_paths[0]}")
    return 0


def _figure(A, B, diff, names, out):
    import matplotlib.pyplot as plt
    from matplotlib.colors import TwoSlopeNorm

    with figure_style():
        fig, ax = plt.subplots(figsize=(5.2, 4.2))
        vmax = max(float(np.nanmax(np.abs(diff))), 1e-3)
        im = ax.pcolormesh(A, B, diff, cmap="RdBu_r", norm=TwoSlopeNorm(0.0, -vmax, vmax), shading="nearest")
        cb = fig.colorbar(im, ax=ax)
        cb.set_label(rf"$\eta_{{\mathrm{{{names[1]}}}}} - \eta_{{\mathrm{{{names[0]}}}}}$")
        aa = np.linspace(A[0], A[-1], 200)
        ax.plot(aa, 0.5 - aa, "k-", lw=1.0, label=r"$2\alpha+2\beta=1$")
        ax.axvline(0.5, color="0.3", ls="--", lw=0.8)
        ax.axhline(0.5, color="0.3", ls="--", lw=0.8)
        ax.plot(aa, aa, color="0.3", ls=":", lw=0.8, label=r"$\alpha=\beta$")
        ax.set_xlim(A[0], A[-1])
        ax.set_ylim(B[0], B[-1])
        ax.set_xlabel(r"data exponent $\alpha$")
        ax.set_ylabel(r"target exponent $\beta$")
        ax.set_title("compute-optimal slope: signSGD vs SGD")
        ax.legend(loc="lower right", fontsize=7)
        return save_figure(fig, out)
