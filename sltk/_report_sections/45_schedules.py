"""Report section: the learning-rate schedules (values and shapes)."""

from __future__ import annotations

ORDER = 45
TITLE = "Learning-rate schedules"


def build(ctx):
    import matplotlib.pyplot as plt
    import numpy as np

    import theory

    from .._output import figure_style, save_figure
    from .._report import Figure, Table, Text

    specs = ["constant", "warmup:warmup=0.1", "cosine:warmup=0.05,floor=0.1", "wsd:warmup=0.05,decay=0.2,shape=linear",
             "wsd:decay=0.2,shape=1-sqrt", "wsd:decay=0.3,shape=polynomial,power=3", "stable-decay:decay=0.2,shape=cosine",
             "step:milestones=0.5;0.8,factor=0.1", "two-stage:switch=0.5,second=0.1"]
    n = 1000
    k = np.arange(n)
    rows = []
    with figure_style():
        # one panel per schedule: no schedule hides another (constant, step and two-stage share their values
        # over long stretches); every panel shows the constant rate as a grey reference
        ncol = 3
        nrow = -(-len(specs) // ncol)
        fig, axes = plt.subplots(nrow, ncol, figsize=(9.0, 2.0 * nrow + 0.4), sharex=True, sharey=True,
                                 squeeze=False)
        for i, (ax, s) in enumerate(zip(axes.flat, specs)):
            sch = theory.parse_schedule(s)
            f = sch(k, n)
            ax.axhline(1.0, color="0.75", lw=0.8, ls=":", zorder=1)
            ax.plot(k / n, f, lw=1.6, color=plt.cm.tab10(i), zorder=2)
            ax.set_title(s, fontsize=7.5)
            ax.set_ylim(-0.05, 1.1)
            rows.append([s, f"{f[0]:.4f}", f"{f[n // 2]:.4f}", f"{f[-1]:.4f}", f"{np.mean(f):.4f}"])
        for ax in axes.flat[len(specs):]:
            ax.set_visible(False)
        for ax in axes[-1]:
            ax.set_xlabel("fraction of the horizon k/n")
        for ax in axes[:, 0]:
            ax.set_ylabel(r"$\eta_k/\eta_{\rm peak}$")
        fig.tight_layout()
        save_figure(fig, ctx.path("schedules/schedules.png"))
    return [
        Text("Every schedule is a frozen object whose durations are fractions of the horizon; "
             "`sltk ... --schedule NAME:key=value,...` uses the same spelling (parse_schedule). "
             "All schedules are tested for values at known steps, bad parameters and properties (tests/test_schedules.py)."),
        Table(["schedule", "factor k=0", "k=n/2", "k=n-1", "mean (area)"], rows, caption=f"Factors on a horizon n={n}"),
        Figure("schedules/schedules.png", "Learning-rate factor over the horizon, one panel per schedule "
               "(dotted grey: the constant rate)"),
    ]
