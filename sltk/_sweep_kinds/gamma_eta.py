"""``sltk sweep gamma-eta``: eta* of ReLU MLPs over (depth, gamma) on the sweep runner -- one point per
(depth, gamma), each a batched network sweep over its own eta grid (:mod:`verification.richness`,
optional networks extra (PyTorch)), stored in a resumable zarr store with the runner's live progress.

Each point returns ``eta_star`` (lowest train loss averaged over the last 10 % of online steps, refined
by a parabola), ``interior`` (the minimum is inside the grid), ``eta_max`` (largest non-diverged eta),
``best_loss`` and the chain's ``eta_edge`` beside it, and the loss curves themselves: ``eta`` (dim
``eta_index``: that gamma's eta grid), ``final_loss`` and ``diverged`` per eta, ``loss_curve`` (dims
``eta_index``, ``log_step``: the online train loss every ``--log-every`` steps, NaN after divergence) and
``log_step`` (the step numbers). Every gamma's grid is padded with NaN to the longest grid of the sweep
(the cross-entropy grids are longer at small gamma), so all points have one shape. :func:`summary` fits
the two slopes per depth; :func:`figure` draws eta* and, when the store holds them, the loss curves at
the largest gamma of each depth at its eta*.

References
----------
Atanasov, Meterez, Simon & Pehlevan, ICLR 2025 (arXiv:2410.04642), Fig. 1; the authors'
``Richness_Sweep`` parameterisation (research note ``signsgd_gamma.md`` B.2).
"""

from __future__ import annotations

import numpy as np

from theory import ParameterError
from theory.validate import check_int, check_real

from . import SweepSpec

KIND = "gamma-eta"
HELP = "eta* of ReLU MLPs over (depth, gamma): batched network sweeps, resumable (needs torch)"


def add_arguments(p) -> None:
    p.add_argument("--depth", default="2,3,4", help="comma list of depths 2..8 (default 2,3,4)")
    p.add_argument("--gamma-min", type=float, default=1e-3, help="smallest gamma > 0 (default 1e-3)")
    p.add_argument("--gamma-max", type=float, default=1e3, help="largest gamma (default 1e3)")
    p.add_argument("--gamma-per-decade", type=int, default=2, help="gamma points per decade, 1..20 (default 2)")
    p.add_argument("--eta-per-decade", type=int, default=4, help="eta points per decade, 1..20 (default 4)")
    p.add_argument("--loss", choices=("mse", "xent"), default="mse", help="loss (default mse)")
    p.add_argument("--width", type=int, default=32, help="hidden width >= 4 (default 32)")
    p.add_argument("--steps", type=int, default=1000, help="online SGD steps >= 10 (default 1000)")
    p.add_argument("--seed", type=int, default=0, help="seed of teacher, init and data (default 0)")
    p.add_argument("--log-every", type=int, default=None,
                   help="store the loss curves every K steps, K >= 1 (default: about 200 points a curve)")


def build(args) -> SweepSpec:
    from numerics.richness import log_grid_per_decade
    from numerics.sweeps import Grid
    from verification.richness import torch_available

    try:
        depths = sorted({int(t) for t in str(args.depth).split(",")})
    except ValueError:
        raise ParameterError("--depth", "a comma list of integers 2..8", args.depth) from None
    for d in depths:
        check_int("--depth", d, ge=2, le=8)
    lo = check_real("--gamma-min", args.gamma_min, gt=0)
    hi = check_real("--gamma-max", args.gamma_max, gt=lo)
    gp = check_int("--gamma-per-decade", args.gamma_per_decade, ge=1, le=20)
    fixed = {"loss": args.loss, "width": check_int("--width", args.width, ge=4),
             "steps": check_int("--steps", args.steps, ge=10), "seed": check_int("--seed", args.seed, ge=0),
             "eta_per_decade": check_int("--eta-per-decade", args.eta_per_decade, ge=1, le=20)}
    log_every = getattr(args, "log_every", None)
    fixed["log_every"] = (max(1, fixed["steps"] // 200) if log_every is None
                          else check_int("--log-every", log_every, ge=1, le=fixed["steps"]))
    if not torch_available():
        raise ParameterError("sltk sweep gamma-eta", "the optional networks extra (PyTorch) (pip install 'sltk[networks]')", "missing")
    gammas = [float(g) for g in log_grid_per_decade(lo, hi, gp)]
    # one eta-grid length for every point (the store holds one shape): the longest grid of the sweep
    fixed["eta_points"] = max(_grid(g, L, fixed["loss"], fixed["eta_per_decade"]).size for L in depths for g in gammas)
    return SweepSpec(point, Grid({"depth": depths, "gamma": gammas}, fixed=fixed), {"kind": KIND, **fixed})


def _grid(gamma: float, depth: int, loss: str, per_decade: int) -> np.ndarray:
    from verification.richness import eta_grid

    return eta_grid([gamma], depth, loss, per_decade)[0]


def point(point: dict) -> dict:
    """One (depth, gamma): a batched MLP sweep over its eta grid; eta*, whether located, the largest
    non-diverged eta, the best loss, the chain's eta_edge, and every eta's loss curve (NaN-padded to
    ``eta_points`` etas)."""
    import torch

    from theory.richness import eta_edge
    from verification.richness import MLPTask, eta_star_from_sweep, mlp_sweep

    torch.set_num_threads(1)
    L, g = int(point["depth"]), float(point["gamma"])
    task = MLPTask(depth=L, loss=point.get("loss", "mse"), width=int(point.get("width", 32)),
                   seed=int(point.get("seed", 0)))
    grid = _grid(g, L, task.loss, int(point.get("eta_per_decade", 4)))
    steps = int(point.get("steps", 1000))
    sw = mlp_sweep(task, [g], grid[None, :], steps, log_every=int(point.get("log_every", max(1, steps // 200))))
    star, interior = eta_star_from_sweep(sw)
    ok = ~sw.diverged[0]
    K = int(point.get("eta_points", grid.size))
    pad = lambda a, fill: np.concatenate([a, np.full((K - a.shape[0],) + a.shape[1:], fill, dtype=a.dtype)])
    return {"eta_star": float(star[0]), "interior": bool(interior[0]),
            "eta_max": float(sw.etas[0][ok].max()) if ok.any() else float("nan"),
            "best_loss": float(np.min(sw.final[0])), "eta_edge": float(eta_edge(g, L)), "seconds": float(sw.seconds),
            "eta": (("eta_index",), pad(sw.etas[0], np.nan)),
            "final_loss": (("eta_index",), pad(sw.final[0], np.nan)),
            "diverged": (("eta_index",), pad(sw.diverged[0], False)),
            "loss_curve": (("eta_index", "log_step"), pad(sw.loss[0], np.nan)),
            "log_step": (("log_step",), sw.log_steps.astype(np.int64))}


def _slopes(ds, L):
    from numerics.richness import fit_slope

    sel = ds.sel(depth=L)
    ok = (sel["sweep_status"] == "ok").values & sel["interior"].values.astype(bool)
    g = sel["gamma"].values[ok]
    s = sel["eta_star"].values[ok]
    out = {}
    step = 1.0 / int(ds.attrs.get("eta_per_decade", 4))
    for side, (lo, hi) in (("small_gamma", (g.min() if g.size else 1, 0.1)), ("large_gamma", (10.0, g.max() if g.size else 1))):
        sel_ = (g >= lo) & (g <= hi)
        out[side] = fit_slope(g[sel_], s[sel_], lo, hi, grid_step=step) if sel_.sum() >= 3 else None
    return out


def summary(ds) -> list[str]:
    st = ds["sweep_status"].values.reshape(-1).tolist()
    lines = [f"points: {st.count('ok')} ok, {st.count('failed')} failed, {st.count('pending')} pending"]
    if "eta_star" not in ds:
        return lines
    loss = ds.attrs.get("loss", "mse")
    for L in ds["depth"].values.tolist():
        sl = _slopes(ds, L)
        th = {"small_gamma": 1.0 if loss == "xent" else 2.0, "large_gamma": 2.0 / L}
        parts = [f"{k} {'n/a' if v is None else f'{v.value:.3f} [{v.interval[0]:.3f}, {v.interval[1]:.3f}]'} "
                 f"(theory {th[k]:.3f})" for k, v in sl.items()]
        lines.append(f"L={L}: eta* slopes " + "; ".join(parts))
    return lines


def _curve_at_eta_star(sel):
    """``(steps, loss)`` of the stored curve whose eta is nearest (in log) to eta* at one (depth, gamma)."""
    eta = np.asarray(sel["eta"].values, dtype=float)
    if not np.isfinite(eta).any() or not np.isfinite(float(sel["eta_star"])):
        return None
    j = int(np.nanargmin(np.abs(np.log(eta) - np.log(float(sel["eta_star"])))))
    return np.asarray(sel["log_step"].values), np.asarray(sel["loss_curve"].values[j], dtype=float)


def figure(ds):
    """eta* against gamma with the chain's edge (left); when the store holds the loss curves, one panel
    per depth with the curve at eta* of every gamma >= L/(L-1) (the ultra-rich side: plateaus growing
    with gamma)."""
    import matplotlib.pyplot as plt

    from theory.richness import accelerating_gamma

    depths = ds["depth"].values.tolist()
    curves = "loss_curve" in ds
    fig, axes = plt.subplots(1, 1 + (len(depths) if curves else 0), figsize=(5.6 + (4.2 * len(depths) if curves else 0), 4.2),
                             squeeze=False)
    ax = axes[0][0]
    for k, L in enumerate(depths):
        sel = ds.sel(depth=L)
        ok = (sel["sweep_status"] == "ok").values
        g = sel["gamma"].values
        ax.plot(g[ok], sel["eta_star"].values[ok], "o", color=f"C{k}", ms=4, label=f"L={L} eta* (MLP)")
        ax.plot(g, sel["eta_edge"].values, "-", color=f"C{k}", lw=0.8)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(r"$\gamma$")
    ax.set_ylabel(r"$\eta^*$ (o); chain $\eta_{edge}$ (line)")
    ax.set_title(f"MLP sweep, {ds.attrs.get('loss', 'mse')}, width {ds.attrs.get('width')}")
    ax.legend(fontsize=7)
    for k, L in enumerate(depths if curves else []):
        a = axes[0][1 + k]
        sel = ds.sel(depth=L)
        g = sel["gamma"].values
        ok = (sel["sweep_status"] == "ok").values & (g >= float(accelerating_gamma(L)) * (1 - 1e-12))
        gs = g[ok]
        for i, gi in enumerate(gs):
            c = _curve_at_eta_star(sel.sel(gamma=gi))
            if c is not None:
                a.plot(c[0] + 1, c[1], lw=1.0, color=plt.cm.viridis(i / max(1, gs.size - 1)),
                       label=fr"$\gamma$ = {gi:.3g}" if i in (0, gs.size - 1) or gs.size <= 6 else None)
        a.set_xscale("log")
        a.set_yscale("log")
        a.set_xlabel("step + 1")
        a.set_ylabel(r"online train loss at $\eta^*$")
        a.set_title(fr"L = {L}, $\gamma \geq$ {float(accelerating_gamma(L)):.3g} (dark: small $\gamma$)", fontsize=9)
        if gs.size:
            a.legend(fontsize=7)
    fig.tight_layout()
    return fig
