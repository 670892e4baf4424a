"""Report section: the optimisation landscape across the feature-learning strength gamma (Atanasov,
Meterez, Simon & Pehlevan, ICLR 2025) -- the chain's gamma-eta plane for L = 2, 3, 4 with the
closed-form boundaries, eta* against gamma with both fitted slopes, ultra-rich loss curves with their
plateaus, staircases (the diagonal linear network: one plateau per input direction), the collapse under the
time shift, and (with the networks extra, full report only) a ReLU MLP
sweep.
"""

from __future__ import annotations

import numpy as np

from .._report import Figure, Table, Text

ORDER = 65
TITLE = "Feature-learning strength gamma: the gamma-eta plane, eta* ~ gamma^2 and gamma^(2/L), plateaus"

#: Relative build cost (the report's parallel driver starts the costliest sections first).
COST = 3


def _fmt(f):
    return f"{f.value:.3f} [{f.interval[0]:.3f}, {f.interval[1]:.3f}]"


def build(ctx):
    import sympy as sp

    from numerics.richness import collapse, gamma_eta_plane, plateau_length
    from theory.richness import (accelerating_gamma, escape_time, escape_time_expr, eta_edge_expr, eta_edge_limits,
                                 sharpness_expr)

    from .._figures.richness import collapse_figure, eta_star_figure, loss_curves_figure, phase_plane_figure

    fast = ctx.fast
    blocks = [Text(
        "The simple model (reconstructed; the paper's equations were not available): a depth-L scalar linear chain, "
        "one example x = 1, constant target y = 1, output f = (prod w - 1)/gamma (centred), balanced start w = 1, "
        "full-batch GD. Derived here with SymPy: the sharpness at init and at the solution, the edge "
        "eta_edge = 2/lambda* and its two limits (by SymPy limits), that the balanced minimiser is the flattest "
        "(so no run converges above eta_edge), the regime lines gamma = 1 and gamma = L/(L-1) (onset of the "
        "plateau: the loss curve starts concave), the reduced variables u = w gamma^(-1/L), c = eta gamma^(-2/L) and "
        "the escape times. Measured here: GD on the chain over a (gamma, eta) grid, and (full report, networks extra) "
        "ReLU MLPs in the authors' muP parameterisation.")]
    rows = []
    for L in (2, 3, 4):
        lim = eta_edge_limits(L)
        rows.append([L, sp.sstr(sharpness_expr(L, "init")), sp.sstr(sharpness_expr(L, "solution")),
                     sp.sstr(eta_edge_expr(L)), sp.sstr(lim["small_gamma"].expr), sp.sstr(lim["large_gamma"].expr),
                     sp.sstr(accelerating_gamma(L)), sp.sstr(escape_time_expr(L)), sp.sstr(escape_time_expr(L, "discrete"))])
    blocks.append(Table(["L", "lambda_0", "lambda*", "eta_edge", "gamma << 1", "gamma >> 1", "plateau onset gamma",
                         "escape time (flow)", "escape time (GD)"], rows,
                        "Closed forms of the chain (MSE), derived by SymPy; c = eta gamma^(-2/L)."))
    kw = dict(gamma_per_decade=1, eta_per_decade=10, steps=2000) if fast else {}
    planes = [gamma_eta_plane(L, **kw) for L in (2, 3, 4)]
    phase_plane_figure(planes, ctx.path("richness/phase_plane.png"))
    blocks.append(Figure("richness/phase_plane.png",
                         "The gamma-eta plane of the chain for L = 2, 3, 4: measured outcome of GD (shaded), the "
                         "closed-form edge (black), its two limits (dashed), the wide depth-2 network's catapult edge "
                         "4/lambda_0 (dotted, Lewkowycz et al. 2020), the lines gamma = 1 and L/(L-1); dots: largest "
                         "stable eta, circles: eta* (lowest mean loss over the budget)."))
    eta_star_figure(planes, ctx.path("richness/eta_star.png"))
    blocks.append(Figure("richness/eta_star.png", "eta* (o) and the largest stable eta (x) against gamma, with eta_edge."))
    blocks.append(Table(
        ["L", "eta* slope, gamma <= 0.1", "eta* slope, gamma >= 10", "largest stable eta: small", "large", "theory",
         "boundary exact to the grid"],
        [[p.depth, _fmt(p.slopes["eta_star"]["small_gamma"]), _fmt(p.slopes["eta_star"]["large_gamma"]),
          _fmt(p.slopes["eta_max"]["small_gamma"]), _fmt(p.slopes["eta_max"]["large_gamma"]), f"2, {2 / p.depth:.3f}",
          bool(p.scan.exact.all())] for p in planes],
        f"Measured slopes with 95 % intervals (OLS t-interval widened by the grid quantisation), gamma in "
        f"[{planes[0].small_range[0]:g}, {planes[0].small_range[1]:g}] and [{planes[0].large_range[0]:g}, "
        f"{planes[0].large_range[1]:g}]."))
    # ultra-rich loss curves and the collapse
    from numerics.richness import chain_gd

    c = 0.2
    gam = np.array([1e2, 1e4, 1e6]) if fast else np.array([1e2, 1e3, 1e4, 1e5, 1e6])
    curves = []
    L = 3
    steps = int(float(np.max(escape_time(gam, L, c, "discrete")))) + 200
    run = chain_gd(L, gam, c * gam ** (2 / L), steps, paired=True, record=np.arange(steps + 1))
    for i, g in enumerate(gam):
        curves.append((f"gamma = {g:.0e}", np.arange(steps + 1), np.maximum(run.history[i, 0], 1e-18)))
    loss_curves_figure(curves, ctx.path("richness/ultra_rich_curves.png"),
                       title=f"chain L = {L}, eta = {c} gamma^(2/L): plateau, then drop")
    blocks.append(Figure("richness/ultra_rich_curves.png",
                         "Ultra-rich loss curves of the chain: a plateau of length ~ gamma^(1/3)/c, then a drop. "
                         "(One example, one direction: a single drop; the staircase below has several.)"))
    from numerics.richness import diagonal_staircase

    from .._figures.richness import staircase_figure

    s_k = np.array([1.0, 0.25, 0.0625])
    stairs = [diagonal_staircase(L, 1e4, c * 1e4 ** (2 / L), s_k, steps=n) for L, n in ((2, 600), (3, 3000), (4, 5000))]
    staircase_figure(stairs, ctx.path("richness/staircase.png"))
    blocks.append(Figure("richness/staircase.png",
                         "Staircases: the depth-L diagonal linear network (a chain per input direction, input variances "
                         "s_k = 1, 1/4, 1/16, target 1 on each; derived here: direction k is exactly the chain at "
                         "gamma beta_k with rate eta s_k beta_k^2) at gamma = 1e4, eta = 0.2 gamma^(2/L), full-batch GD. "
                         "One plateau and one drop per direction, the plateaus in the ratios of 1/(s_k beta_k)."))
    blocks.append(Table(["L", "drops (measured, loss of the direction at half its start)", "chain escape times (GD)"],
                        [[st.depth, ", ".join(f"{d:.0f}" for d in st.drop), ", ".join(f"{p:.1f}" for p in st.predicted)]
                         for st in stairs],
                        "Staircase steps: each direction drops at its equivalent chain's escape time (the half-loss "
                        "step comes a few percent before the blow-up time of the escape formula)."))
    rows = []
    gc = [1e4, 1e6] if fast else [1e4, 1e6, 1e8]
    for L in (2, 3, 4):
        col = collapse(L, gc, c)
        if L == 3:
            collapse_figure(col, ctx.path("richness/collapse.png"))
        meas = plateau_length(L, gc, c)
        rows.append([L, f"{col.spread:.3g}", f"{col.spread_raw:.3g}",
                     ", ".join(f"{m:.0f}" for m in meas),
                     ", ".join(f"{p:.1f}" for p in escape_time(gc, L, c, "discrete")),
                     ", ".join(f"{p:.1f}" for p in escape_time(gc, L, c))])
    blocks.append(Figure("richness/collapse.png", "The L = 3 curves against tau = t - t_escape(gamma): one curve."))
    blocks.append(Table(["L", "collapse spread", "unshifted spread", "plateau (measured, gamma = " + ", ".join(f"{g:.0e}" for g in gc) + ")",
                         "escape time, GD", "escape time, flow (note)"], rows,
                        f"Plateau lengths (first step with loss below half its start) at c = {c}, and the largest "
                        "difference between the shifted curves."))
    from numerics.richness import wide_max_stable_eta

    N = 48 if fast else 128
    gw = [0.05, 50.0] if fast else [0.01, 0.1, 1.0, 10.0, 100.0]
    rows = []
    for L in (2, 3):
        ws = wide_max_stable_eta(L, N, gw, steps=2500 if fast else 4000)
        rows.append([L] + [f"{r:.3g}" + (" (catapult)" if c else "") for r, c in zip(ws.ratio_max, ws.catapult)])
    blocks.append(Table(["L"] + [f"gamma = {g:g}" for g in gw], rows,
                        f"Wide muP linear network (width {N}, one example, full-batch GD, lr = N eta): largest "
                        "convergent eta / eta_edge (grid 10^0.05). Above 1 at gamma <= 1: the catapult window "
                        "(note: 1.8-2.0 for L = 2, 2.2-2.5 for L = 3); 1.00 at gamma >= 10."))
    if not fast:
        blocks.extend(_networks(ctx))
    return blocks


def _networks(ctx):
    from verification.richness import torch_available

    if not torch_available():
        return [Text("ReLU MLP sweeps skipped: the optional networks extra (PyTorch) is not installed.")]
    from numerics.richness import log_grid_per_decade
    from verification.richness import MLPTask, measure_eta_star

    rows = []
    for L in (2, 3):
        res = measure_eta_star(MLPTask(depth=L, width=32), log_grid_per_decade(1e-2, 1e2, 2), 500, per_decade=3)
        f = lambda s: "n/a" if s is None else _fmt(s)
        rows.append([L, f(res.slopes["small_gamma"]), f(res.slopes["large_gamma"]), f"2, {2 / L:.3f}",
                     f"{res.sweep.seconds:.0f}"])
    blocks = [Table(["L", "eta* slope (small gamma)", "eta* slope (large gamma)", "theory", "seconds"], rows,
                    "ReLU MLP (width 32, online teacher, MSE, 500 steps): eta* slopes over gamma in [1e-2, 1e2].")]
    return blocks + _network_plateaus(ctx)


def _network_plateaus(ctx):
    """ReLU MLP loss curves in the ultra-rich regime (eta = 0.3 eta_edge) and their plateau exponent."""
    from verification.richness import MLPTask, network_plateaus

    from .._figures.richness import loss_curves_figure

    rows, blocks = [], []
    for L in (3, 4):
        r = network_plateaus(MLPTask(depth=L, width=32), [1e1, 1e2, 1e3, 1e4], 3000, rho=0.3)
        if L == 3:
            curves = [(f"gamma = {g:.0e}", r.sweep.log_steps, r.sweep.loss[i, 0]) for i, g in enumerate(r.gammas)]
            loss_curves_figure(curves, ctx.path("richness/mlp_ultra_rich.png"),
                               title="ReLU MLP L = 3, eta = 0.3 eta_edge: plateaus growing with gamma")
            blocks.append(Figure("richness/mlp_ultra_rich.png", "Online train loss of a ReLU MLP (width 32, MSE) in "
                                 "the ultra-rich regime: a plateau, then a drop."))
        ex = r.exponent
        rows.append([L, ", ".join(f"{p:g}" for p in r.plateau), "n/a" if ex is None else _fmt(ex), f"{1 - 2 / L:.3f}"])
    blocks.append(Table(["L", "plateau (steps) at gamma = 1e1..1e4", "exponent (fit)", "chain: 1 - 2/L"], rows,
                        "Plateau = first step with the 5-step running mean of the loss below half its start."))
    return blocks
