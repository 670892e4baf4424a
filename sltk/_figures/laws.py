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

    Curves in ``fit_names`` (the fitting split) are drawn dashed, held-out predictions solid;
    longer runs are drawn first so that a shorter one sharing their start stays visible. The x
    axis is linear from the first logged step; the y range holds every observation and prediction
    from step 8000 on.
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    ncol = min(3, len(panels))
    nrow = int(np.ceil(len(panels) / ncol))
    with figure_style():
        fig, axes = plt.subplots(nrow, ncol, figsize=(3.6 * ncol, 2.9 * nrow), squeeze=False)
        handles = {}
        for ax, (title, curves, law, theta) in zip(axes.ravel(), panels):
            # longest runs first, so a short run that shares its start (constant_24000 in constant_72000)
            # is drawn on top and stays visible
            order = sorted(range(len(curves)), key=lambda i: -float(curves[i].steps[-1]))
            shown = []
            for z, i in enumerate(order):
                c = curves[i]
                col = plt.cm.tab10(i % 10)   # nine schedules: one colour each
                short = c.name.split("/")[-1]
                pred = law.predict(theta, c.history, c.steps)
                ax.plot(c.steps, c.loss, "-", lw=3.0, color=col, alpha=0.3, solid_capstyle="butt", zorder=2 + 2 * z)
                ax.plot(c.steps, pred, "--" if short in fit_names else "-", color=col, lw=0.9, zorder=3 + 2 * z)
                handles.setdefault(short, Line2D([], [], color=col, lw=1.5))
                late = c.steps >= 8000.0
                shown += [c.loss[late], np.asarray(pred)[late]]
            ax.set_title(title)
            ax.set_xlabel("step $t$")
            ax.set_ylabel("loss")
            vals = np.concatenate([v for v in shown if v.size]) if any(v.size for v in shown) else np.array([0.0, 1.0])
            lo = float(np.min(vals))
            hi = max(float(np.interp(8000.0, c.steps, c.loss)) for c in curves)
            ax.set_ylim(lo - 0.02, max(hi, float(np.max(vals))) + 0.06)  # every observation and prediction
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
    """Left: final loss vs WSD decay fraction per shape (per law); right: the optimal non-increasing
    schedule of each law after the (fixed) warmup, a degenerate optimum drawn dashed and marked.

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
        w_max = 0
        for i, (label, opt) in enumerate(optimal.items()):
            s = np.arange(1, opt.eta.size + 1)
            w = int(opt.warmup_steps)
            w_max = max(w_max, w)
            keep = s > w  # the optimised, non-increasing part: the warmup is fixed, not optimised
            y = opt.eta / opt.eta.max()
            if opt.degenerate:
                a2.plot(s[keep], y[keep], color=f"C{i}", lw=1.0, ls=(0, (3, 2)), alpha=0.8,
                        label=f"{label}: degenerate optimum\n(hold, then drop to ~0: not usable)")
                a2.annotate("drop to ~0", (opt.decay_start, 0.02), xytext=(-60, 30), textcoords="offset points",
                            fontsize=6, color=f"C{i}", arrowprops=dict(arrowstyle="->", color=f"C{i}", lw=0.6))
            else:
                a2.plot(s[keep], y[keep], color=f"C{i}", lw=1.4, label=label)
        if w_max:
            a2.axvspan(0, w_max, color="0.9", zorder=0, label=f"warmup ({w_max} steps, fixed)")
        a2.set_xlim(0, max(o.eta.size for o in optimal.values()))
        a2.set_ylim(-0.03, 1.08)
        a2.set_xlabel("step $t$")
        a2.set_ylabel(r"$\eta_t / \eta_{\max}$")
        a2.set_title("optimal non-increasing schedule after warmup", fontsize=9)
        a2.legend(fontsize=6, loc="lower left")
        if title:
            fig.suptitle(title)
        fig.tight_layout()
        return save_figure(fig, path)


def _at_bound(fit, name: str) -> str:
    """``" (at its upper bound)"`` / ``" (at its lower bound)"`` when the fitted ``name`` sits on the
    law's box bound, else ``""``: the fit's own ``at_bound`` diagnosis where it has one
    (:func:`numerics.laws.fit_loss_law`), otherwise within 1e-6 of the range."""
    if hasattr(fit, "at_bound"):
        hit = [a for a in fit.at_bound if a["param"] == name]
        return f" (at its {hit[0]['bound']} bound)" if hit else ""
    try:
        names = list(fit.law.param_names)
        lo, hi = fit.law.bounds()[names.index(name)]
        v = float(fit.theta[names.index(name)])
    except (AttributeError, ValueError, IndexError, TypeError):
        return ""
    tol = 1e-6 * max(1.0, abs(hi - lo))
    return " (at its upper bound)" if v >= hi - tol else " (at its lower bound)" if v <= lo + tol else ""


def plot_theory_bridge(results, path):
    """One row per bridge result: exact risk (dots) vs each fitted law (lines), log-log.

    Titles name the case, the law and the fitted ``alpha`` (saying so when it sits on its bound);
    the x label names the optimizer whose steps are counted; a row with fewer laws than the widest
    one leaves its spare panels to the legend, so no panel is empty.
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.ticker import LogLocator, NullFormatter

    import theory

    with figure_style():
        n = len(results)
        ncol = max(len(r.fits) for r in results.values())
        fig, axes = plt.subplots(n, ncol, figsize=(4.3 * ncol, 3.2 * n), squeeze=False)
        spare = []
        for row, (label, res) in enumerate(results.items()):
            try:
                opt_name = theory.optimizer_class(res.optimizer).__name__
            except theory.ParameterError:
                opt_name = str(res.optimizer)
            for col, (law_name, fit) in enumerate(res.fits.items()):
                ax = axes[row, col]
                for i, c in enumerate(res.curves):
                    pred = fit.predict(c.history, c.steps)
                    ax.plot(c.steps, c.loss, ".", ms=2, color=f"C{i}", alpha=0.5)
                    ax.plot(c.steps, pred, "--" if c.name in ("constant", "cosine", "two-stage") else "-",
                            color=f"C{i}", lw=1.0, label=c.name)
                ax.set_xscale("log")
                ax.set_yscale("log")
                ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
                ax.xaxis.set_minor_formatter(NullFormatter())
                ax.set_xlabel(f"{opt_name} step $r$")
                ax.set_ylabel(r"risk $\mathcal{P}(r)$")
                a_hat = fit.params["alpha"]
                ax.set_title(f"{label}\n{law_name} law: " + r"$\hat\alpha$" + f" = {a_hat:.3g}"
                             + _at_bound(fit, "alpha"), fontsize=8)
            spare += [axes[row, col] for col in range(len(res.fits), ncol)]
        first = next(iter(results.values()))
        handles = [Line2D([], [], color=f"C{i}", lw=1.0, ls="--" if c.name in ("constant", "cosine", "two-stage")
                          else "-") for i, c in enumerate(first.curves)]
        names = [c.name for c in first.curves]
        handles += [Line2D([], [], color="0.4", ls="", marker=".", ms=4)]
        names += ["exact risk (theory)"]
        for ax in spare:
            ax.axis("off")
        if spare:
            spare[0].legend(handles, names, loc="center", fontsize=7, title="dashed: fitted; solid: predicted",
                            title_fontsize=7, frameon=False)
            fig.tight_layout()
        else:
            fig.tight_layout(rect=(0, 0.06, 1, 1))
            fig.legend(handles, names, loc="lower center", ncol=min(7, len(names)), fontsize=7,
                       title="dashed: fitted; solid: predicted", title_fontsize=7)
        return save_figure(fig, path)
