"""Figures of ``sltk verify`` and the verification report section.

One panel per verified point: the simulated risk (mean with its 2-sigma band and the
10-90 % band of the individual runs), the exact expected risk of the sampled ``W``, the
deterministic-equivalent Volterra curve, the asymptotic theory terms and the limit level,
on log-log axes against the step count ``r``; the window of the slope checks is shaded.
"""

from __future__ import annotations

import numpy as np

from ._output import figure_style

__all__ = ["draw_verification", "verification_figure", "verification_grid"]

_TERM_STYLE = {"F_pp": ":", "F_ac": "-.", "noise": (0, (4, 1, 1, 1, 1, 1)), "F_0": (0, (5, 2))}
_TERM_LABEL = {"F_pp": r"$F_{pp}$", "F_ac": r"$F_{ac}$", "noise": "SGD noise", "F_0": r"$F_0$"}


def draw_verification(ax, res, *, legend: bool = True, title: str | None = None) -> None:
    """Draw one :class:`verification.VerificationResult` into ``ax``."""
    sim = res.simulation
    r = res.steps.astype(float)
    pos = r >= 1
    x = r[pos]
    mean = sim.mean[pos]
    se = sim.stderr[pos]
    q10, q90 = np.quantile(sim.risk[:, pos], [0.1, 0.9], axis=0)
    ax.fill_between(x, q10, q90, color="#56B4E9", alpha=0.25, lw=0, label=f"runs, 10-90% (R={sim.runs})")
    ax.fill_between(x, np.maximum(mean - 2 * se, 1e-300), mean + 2 * se, color="#0072B2", alpha=0.45, lw=0,
                    label=r"simulation mean $\pm 2\,$s.e.")
    ax.plot(x, mean, color="#0072B2", lw=1.0)
    if res.risk_exact is not None:
        ax.plot(x, res.risk_exact[pos], color="black", lw=1.0, ls="--", label=r"exact $E[P\,|\,W]$")
    if res.risk_volterra is not None:
        ax.plot(x, res.risk_volterra[pos], color="#D55E00", lw=1.6,
                label=(res.info or {}).get("reference_label", "Volterra (det. equivalent)"))
    lo = np.nanmin(q10[q10 > 0]) if np.any(q10 > 0) else np.nanmin(mean)
    for name, vals in (res.terms or {}).items():
        v = np.asarray(vals)[pos]
        keep = v >= 0.3 * lo
        if np.any(keep):
            ax.plot(x[keep], v[keep], color="#009E73", lw=1.0, ls=_TERM_STYLE.get(name, ":"),
                    label=f"theory {_TERM_LABEL.get(name, name)}")
    lim = res.info.get("limit_exact")
    if lim:
        ax.axhline(lim, color="0.4", lw=0.8, ls=(0, (2, 3)), label=r"limit $P_\infty/(1-\|K\|)$")
    if res.window is not None:
        ax.axvspan(res.window[0], res.window[1], color="0.9", zorder=0, label="slope window")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(r"step $r$")
    ax.set_ylabel(r"population risk $P(\theta_r)$")
    top = float(np.nanmax(q90)) * 1.5
    ax.set_ylim(max(lo * 0.5, top * 1e-6), top)
    p = res.problem
    ax.set_title(title or (f"phase {res.phase}: " + rf"$\alpha={p.alpha:g},\ \beta={p.beta:g},\ d={p.d}$"))
    if legend:
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=7)


def verification_figure(res):
    """A one-panel figure of one result (the ``sltk verify`` figure)."""
    import matplotlib.pyplot as plt

    with figure_style():
        fig, ax = plt.subplots(figsize=(7.0, 4.0))
        draw_verification(ax, res)
        fig.tight_layout()
    return fig


def verification_grid(results, ncols: int = 2):
    """A grid of panels, one per result (report section: one point per phase)."""
    import matplotlib.pyplot as plt

    n = len(results)
    nrows = (n + ncols - 1) // ncols
    with figure_style():
        fig, axes = plt.subplots(nrows, ncols, figsize=(5.0 * ncols, 3.8 * nrows), squeeze=False)
        for ax, res in zip(axes.flat, results):
            draw_verification(ax, res, legend=False)
        for ax in list(axes.flat)[n:]:
            ax.set_visible(False)
        handles = {}
        for ax in list(axes.flat)[:n]:
            for h, lab in zip(*ax.get_legend_handles_labels()):
                if lab not in handles:
                    handles[lab] = h
        fig.tight_layout(rect=(0, 0.08, 1, 1))
        fig.legend(list(handles.values()), list(handles), loc="lower center", ncol=5, fontsize=7)
    return fig
