"""Figure recipes for the loss laws with learning-rate annealing (paper-style)."""

from __future__ import annotations

import numpy as np

from .._output import figure_style, save_figure

__all__ = ["plot_curves_vs_law", "plot_prediction_grid", "plot_schedule_design", "plot_theory_bridge"]


def plot_curves_vs_law(curves, law, theta, path, *, title: str = "", fit_names=()):
    """Observed curves (markers) and the law's predictions (lines), LR schedules below."""
    import matplotlib.pyplot as plt

    with figure_style():
        fig, (ax, axl) = plt.subplots(2, 1, figsize=(5.2, 5.0), sharex=True, gridspec_kw={"height_ratios": [3, 1]})
        for i, c in enumerate(curves):
            col = f"C{i % 8}"
            pred = law.predict(theta, c.history, c.steps)
            ax.plot(c.steps, c.loss, "o", ms=2, color=col, alpha=0.5)
            ax.plot(c.steps, pred, "-", color=col, label=c.name + (" (fit)" if c.name in fit_names else ""))
            s = np.arange(1, c.history.horizon + 1)
            axl.plot(s, c.history.eta, color=col)
        ax.set_ylabel("loss $L(t)$")
        ax.set_title(title)
        ax.legend(fontsize=6)
        axl.set_xlabel("step $t$")
        axl.set_ylabel(r"$\eta_t$")
        return save_figure(fig, path)


def plot_prediction_grid(panels, path, *, fit_names=()):
    """Grid of panels ``(title, curves, law, theta)``: observed (thick, light) vs law (thin).

    Curves in ``fit_names`` (the fitting split) are drawn dashed, held-out predictions solid.
    The x axis is linear from the first logged step, where the schedules differ.
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    ncol = min(3, len(panels))
    nrow = int(np.ceil(len(panels) / ncol))
    with figure_style():
        fig, axes = plt.subplots(nrow, ncol, figsize=(3.6 * ncol, 2.9 * nrow), squeeze=False)
        handles = {}
        for ax, (title, curves, law, theta) in zip(axes.ravel(), panels):
            for i, c in enumerate(curves):
                col = plt.cm.tab10(i % 10)   # nine schedules: one colour each
                short = c.name.split("/")[-1]
                pred = law.predict(theta, c.history, c.steps)
                ax.plot(c.steps, c.loss, "-", lw=3.0, color=col, alpha=0.3, solid_capstyle="butt")
                ax.plot(c.steps, pred, "--" if short in fit_names else "-", color=col, lw=0.9)
                handles.setdefault(short, Line2D([], [], color=col, lw=1.5))
            ax.set_title(title)
            ax.set_xlabel("step $t$")
            ax.set_ylabel("loss")
            lo = min(float(np.min(c.loss)) for c in curves)
            hi = max(float(np.interp(8000.0, c.steps, c.loss)) for c in curves)
            ax.set_ylim(lo - 0.02, hi + 0.06)
            ax.set_xlim(left=float(min(c.steps[0] for c in curves)))
        for ax in axes.ravel()[len(panels):]:
            ax.axis("off")
        style = [Line2D([], [], color="0.5", lw=3.0, alpha=0.3), Line2D([], [], color="0.2", lw=0.9, ls="--"),
                 Line2D([], [], color="0.2", lw=0.9)]
        fig.legend(list(handles.values()) + style,
                   list(handles) + ["observed", "law, fitted run", "law, predicted run"],
                   loc="lower center", ncol=min(6, len(handles) + 3), fontsize=7, bbox_to_anchor=(0.5, -0.06))
        fig.tight_layout()
        return save_figure(fig, path)


def plot_schedule_design(scan, optimal, path, *, horizon: int, title: str = ""):
    """Left: final loss vs WSD decay fraction per shape (per law); right: optimal schedules.

    ``scan``: ``{label: (fractions, {shape: losses})}``; ``optimal``: ``{label: OptimalSchedule}``.
    """
    import matplotlib.pyplot as plt

    with figure_style():
        fig, (a1, a2) = plt.subplots(1, 2, figsize=(9.0, 3.4))
        ls = ["-", "--", ":", "-."]
        for i, (label, (fr, by_shape)) in enumerate(scan.items()):
            for j, (shape, L) in enumerate(by_shape.items()):
                a1.plot(fr, L, ls[j % 4], color=f"C{i}", label=f"{label}, {shape}")
        a1.set_xlabel("WSD decay fraction")
        a1.set_ylabel(f"predicted final loss $L({horizon})$")
        a1.legend(fontsize=6)
        for i, (label, opt) in enumerate(optimal.items()):
            s = np.arange(1, opt.eta.size + 1)
            a2.plot(s, opt.eta / opt.eta.max(), color=f"C{i}",
                    label=f"{label}" + (" (degenerate)" if opt.degenerate else ""))
        a2.set_xlabel("step $t$")
        a2.set_ylabel(r"$\eta_t / \eta_{\max}$")
        a2.set_title("optimal non-increasing schedule")
        a2.legend(fontsize=6)
        if title:
            fig.suptitle(title)
        fig.tight_layout()
        return save_figure(fig, path)


def plot_theory_bridge(results, path):
    """One row per bridge result: exact PLRF risk (dots) vs both laws (lines), log-log."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import NullFormatter

    with figure_style():
        n = len(results)
        ncol = max(len(r.fits) for r in results.values())
        fig, axes = plt.subplots(n, ncol, figsize=(4.3 * ncol, 3.0 * n), squeeze=False)
        for row, (label, res) in enumerate(results.items()):
            for col, (law_name, fit) in enumerate(res.fits.items()):
                ax = axes[row, col]
                for i, c in enumerate(res.curves):
                    pred = fit.predict(c.history, c.steps)
                    ax.plot(c.steps, c.loss, ".", ms=2, color=f"C{i}", alpha=0.5)
                    ax.plot(c.steps, pred, "--" if c.name in ("constant", "cosine", "two-stage") else "-",
                            color=f"C{i}", lw=1.0, label=c.name)
                ax.set_xscale("log")
                ax.set_yscale("log")
                ax.xaxis.set_minor_formatter(NullFormatter())
                ax.set_xlabel("SGD step $r$")
                ax.set_ylabel(r"risk $\mathcal{P}(r)$")
                ax.set_title(f"{label}: {law_name} law, " + r"$\hat\alpha$" + f"={fit.params['alpha']:.3g}")
            axes[row, 0].legend(fontsize=6, title="dashed = fitted", title_fontsize=6)
        fig.tight_layout()
        return save_figure(fig, path)
