"""Figure recipes for the richness chain: the gamma-eta phase plane with the theory boundaries and the
measured points, eta* against gamma with both fitted slopes, and loss curves (plateaus and their
collapse).

The boundaries are the closed forms of :mod:`theory.richness`; the points are the measurements of
:mod:`numerics.richness` (or of a network sweep).

References
----------
Atanasov, Meterez, Simon & Pehlevan (2025), arXiv:2410.04642, Fig. 1 (eta* against gamma) and Fig. 6
(phase portraits of the simple model).
"""

from __future__ import annotations

import numpy as np

from theory.richness import accelerating_gamma, catapult_edge, eta_edge, lazy_edge

from .._output import figure_style, save_figure

__all__ = ["draw_phase_plane", "phase_plane_figure", "eta_star_figure", "loss_curves_figure", "collapse_figure",
           "network_eta_star_figure", "staircase_figure"]


def draw_phase_plane(ax, depth: int, gammas, scan_status=None, etas=None, eta_star=None, eta_max=None,
                     title=None, wide_catapult: bool = True):
    """Draw the gamma-eta plane of depth ``depth`` on ``ax``.

    ``scan_status`` (shape ``(n_gamma, n_eta)``, 1 converged / 2 still falling / 0 stuck on a cycle / -1 diverged) shades the
    measured outcome; lines are the theory: ``eta_edge`` (exact for the chain), the lazy edge
    ``2 gamma^2/L`` and ``(2/L) gamma^(2/L)``, the wide network's catapult edge for ``L = 2``, and the
    regime lines ``gamma = 1`` and ``gamma = L/(L-1)``.
    """
    import matplotlib.colors as mcolors

    g = np.asarray(gammas, dtype=np.float64)
    gg = np.logspace(np.log10(g.min()), np.log10(g.max()), 400)
    if scan_status is not None:
        cmap = mcolors.ListedColormap(["#fcbba1", "#fdd49e", "#c7e9c0", "#e5f5e0"])
        ax.pcolormesh(g, etas, np.asarray(scan_status).T, cmap=cmap, vmin=-1.5, vmax=2.5, shading="nearest",
                      rasterized=True)
    ax.plot(gg, eta_edge(gg, depth), "k-", lw=1.6, label=r"$\eta_{edge}=2/\lambda^*$ (theory)")
    ax.plot(gg, 2 * gg**2 / depth, "b--", lw=0.9, label=r"$2\gamma^2/L$")
    ax.plot(gg, (2 / depth) * gg ** (2 / depth), "m--", lw=0.9, label=r"$(2/L)\gamma^{2/L}$")
    if depth == 2 and wide_catapult:
        sel = gg <= 1
        ax.plot(gg[sel], catapult_edge(gg[sel], 2), ":", color="tab:orange", lw=1.2,
                label=r"wide net: catapult edge $4/\lambda_0$")
    ax.axvline(1.0, color="gray", lw=0.8, ls="-.")
    g_acc = float(accelerating_gamma(depth))
    ax.axvline(g_acc, color="gray", lw=0.8, ls=":")
    _label_regimes(ax, depth, g.min(), g.max(), g_acc)
    if eta_max is not None:
        ax.plot(g, eta_max, "k.", ms=4, label=r"measured largest stable $\eta$")
    if eta_star is not None:
        ax.plot(g, eta_star, "o", mfc="none", color="tab:green", ms=4, label=r"measured $\eta^*$ (budget)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(r"$\gamma$")
    ax.set_ylabel(r"$\eta$")
    ymin = float(lazy_edge(g.min(), depth)) * 1e-2
    ymax = float(eta_edge(g.max(), depth)) * 1e2
    ax.set_ylim(ymin, ymax)
    ax.set_xlim(g.min(), g.max())
    ax.set_title(title or f"L = {depth}: lazy | rich | ultra-rich (lines at 1 and L/(L-1))")
    return ax


def _label_regimes(ax, depth, gmin, gmax, g_acc):
    """Name the two vertical lines (rotated, on a white box, either side of the pair so they do not overlap
    where gamma = 1 and L/(L-1) are close) and the regions: lazy, rich (between the lines, by an arrow),
    ultra-rich and divergent."""
    from matplotlib.transforms import blended_transform_factory

    tr = blended_transform_factory(ax.transData, ax.transAxes)
    box = dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.85)
    ax.text(1.0 / 1.15, 0.03, r"$\gamma = 1$", transform=tr, rotation=90, ha="right", va="bottom", fontsize=8,
            bbox=box)
    ax.text(g_acc * 1.15, 0.03, fr"$\gamma = L/(L-1) = {g_acc:.3g}$", transform=tr, rotation=90, ha="left",
            va="bottom", fontsize=8, bbox=box)
    mid = (1.0 * g_acc) ** 0.5
    at = lambda f: 10 ** (np.log10(gmin) + f * (np.log10(gmax) - np.log10(gmin)))  # f of the way across
    ax.annotate("rich", xy=(mid, 0.5), xycoords=tr, xytext=(mid * 10, 0.42), textcoords=tr, fontsize=9,
                ha="left", va="center", bbox=box, arrowprops=dict(arrowstyle="->", lw=0.7, color="0.3"))
    ax.text(at(0.25), 0.2, "lazy", transform=tr, fontsize=9, ha="center", bbox=box)
    ax.text(at(0.85), 0.28, "ultra-rich", transform=tr, fontsize=9, ha="center", bbox=box)
    ax.text(at(0.75), 0.9, "divergent", transform=tr, fontsize=9, ha="center", bbox=box)


def phase_plane_figure(planes, out):
    """One panel per measured :class:`numerics.richness.GammaEtaPlane` in ``planes``; saved to ``out``."""
    import matplotlib.pyplot as plt

    planes = list(planes)
    with figure_style():
        fig, axes = plt.subplots(1, len(planes), figsize=(5.0 * len(planes), 4.2), squeeze=False)
        for ax, p in zip(axes[0], planes):
            draw_phase_plane(ax, p.depth, p.scan.gammas, p.scan.run.status[:, np.argsort(p.scan.run.etas)],
                             p.scan.etas, p.best.eta_star, p.scan.eta_max,
                             title=f"chain, L = {p.depth}, MSE")
        axes[0][0].legend(fontsize=7, loc="upper left")
        fig.suptitle("GD outcome: converged (green), still falling when the budget ends, plateaus included (pale), "
                     "not falling: a cycle, or a frozen plateau (yellow), diverged (red)", fontsize=9)
        return save_figure(fig, out)


def eta_star_figure(planes, out):
    """``eta*`` and the largest stable ``eta`` against gamma, with the fitted slopes, one line per depth."""
    import matplotlib.pyplot as plt

    with figure_style():
        fig, ax = plt.subplots(figsize=(5.6, 4.2))
        for k, p in enumerate(planes):
            col = f"C{k}"
            g = p.scan.gammas
            s, l_ = p.slopes["eta_star"]["small_gamma"], p.slopes["eta_star"]["large_gamma"]
            ax.plot(g, p.best.eta_star, "o", color=col, ms=4,
                    label=f"L={p.depth}: slopes {s.value:.3f}, {l_.value:.3f} (theory 2, {2 / p.depth:.3f})")
            ax.plot(g, p.scan.eta_max, "x", color=col, ms=4)
            ax.plot(g, eta_edge(g, p.depth), "-", color=col, lw=0.8)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(r"$\gamma$")
        ax.set_ylabel(r"$\eta^*$ (o), largest stable $\eta$ (x), $\eta_{edge}$ (line)")
        ax.legend(fontsize=7)
        return save_figure(fig, out)


def loss_curves_figure(curves, out, title=""):
    """Loss curves: ``curves`` is a list of ``(label, steps, loss)``; log-log axes."""
    import matplotlib.pyplot as plt

    with figure_style():
        fig, ax = plt.subplots(figsize=(5.6, 4.0))
        for label, t, l_ in curves:
            ax.plot(np.asarray(t) + 1, l_, label=label, lw=1.1)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("step + 1")
        ax.set_ylabel("loss")
        ax.set_title(title)
        ax.legend(fontsize=7)
        return save_figure(fig, out)


def staircase_figure(stairs, out):
    """Staircases of the diagonal linear network (:class:`numerics.richness.Staircase`, one panel each): the
    total loss (black), each direction's loss (colour, dashed) and the equivalent chains' escape times
    (dotted verticals); linear time, log loss."""
    import matplotlib.pyplot as plt

    stairs = list(stairs)
    with figure_style():
        fig, axes = plt.subplots(1, len(stairs), figsize=(5.0 * len(stairs), 4.0), squeeze=False)
        for ax, st in zip(axes[0], stairs):
            t = np.arange(st.loss.size)
            ax.plot(t, st.loss, "k-", lw=1.8, label="total loss")
            for k in range(st.mode_loss.shape[0]):
                col = f"C{k}"
                ax.plot(t, np.maximum(st.mode_loss[k], 1e-30), "--", color=col, lw=1.0,
                        label=fr"direction {k + 1}: $s\beta$ = {st.strengths[k] * st.targets[k]:.3g}")
                ax.axvline(st.predicted[k], color=col, ls=":", lw=1.0)
            ax.set_yscale("log")
            ax.set_ylim(max(1e-6, float(np.min(st.loss[st.loss > 0])) * 0.5), float(st.loss[0]) * 2)
            ax.set_xlabel("GD step")
            ax.set_ylabel("loss")
            ax.set_title(fr"diagonal net L = {st.depth}, $\gamma$ = {st.gamma:.0e}, $\eta$ = {st.eta:.3g}", fontsize=9)
            ax.legend(fontsize=7, loc="upper right")
        fig.suptitle("Staircase: one plateau and drop per input direction; dotted: the equivalent chain's escape time",
                     fontsize=9)
        return save_figure(fig, out)


def collapse_figure(col, out):
    """The large-gamma loss curves against ``tau = t - t_escape(gamma)`` (:class:`numerics.richness.Collapse`)."""
    import matplotlib.pyplot as plt

    with figure_style():
        fig, ax = plt.subplots(figsize=(5.6, 4.0))
        for g, c in zip(col.gammas, col.curves):
            ax.plot(col.tau, np.maximum(c, 1e-18), lw=1.1, label=fr"$\gamma$ = {g:.0e}")
        ax.set_yscale("log")
        ax.set_xlabel(r"$\tau = t - t_{escape}(\gamma)$ (steps)")
        ax.set_ylabel("loss")
        ax.set_title(f"L = {col.depth}, c = {col.c:g}: spread {col.spread:.2g} (unshifted {col.spread_raw:.2g})")
        ax.legend(fontsize=7)
        return save_figure(fig, out)


def network_eta_star_figure(res, out):
    """A network sweep (:class:`verification.richness.NetworkEtaStar`): the tail loss over the (gamma, eta)
    grid (left) and eta* against gamma with the chain's edge and the fitted slopes (right)."""
    import matplotlib.pyplot as plt

    sw = res.sweep
    L = res.task.depth
    with figure_style():
        fig, (a0, a1) = plt.subplots(1, 2, figsize=(10.5, 4.2))
        for i, g in enumerate(sw.gammas):
            v = np.where(np.isfinite(sw.final[i]), sw.final[i], np.nan)
            a0.plot(sw.etas[i], v, "-", lw=0.9, color=plt.cm.viridis(i / max(1, sw.gammas.size - 1)))
        a0.set_xscale("log")
        a0.set_yscale("log")
        a0.set_xlabel(r"$\eta$")
        a0.set_ylabel("train loss, last 10 % of steps")
        a0.set_title(f"MLP L = {L}, {res.task.loss}: one line per gamma (dark: small)")
        g = res.gammas
        a1.plot(g, res.eta_star, "o", ms=4, label=r"measured $\eta^*$")
        a1.plot(g[~res.interior], res.eta_star[~res.interior], "rx", ms=6, label="at a grid end")
        a1.plot(g, eta_edge(g, L), "k-", lw=0.8, label=r"chain $\eta_{edge}$")
        txt = ", ".join(f"{k}: {v.value:.3f}" for k, v in res.slopes.items() if v is not None)
        a1.set_title(f"slopes {txt}")
        a1.set_xscale("log")
        a1.set_yscale("log")
        a1.set_xlabel(r"$\gamma$")
        a1.set_ylabel(r"$\eta^*$")
        a1.legend(fontsize=7)
        return save_figure(fig, out)
