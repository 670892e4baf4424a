"""``sltk sweep phase-map``: an optimizer's compute-optimal phase at each point of an (alpha, beta)
grid, with its exponents (default signSGD: the optimal vertex of its joint LP).

Each worker builds the optimizer's phase table once (:func:`theory.plrf.exponent_table`; signSGD's
takes seconds) and then names each point's phase (:func:`theory.plrf.phase_of`); a schedule enters
through its end-of-decay power.

References
----------
Kim, Song & Yun, ICLR 2026 (arXiv:2603.02069); research note ``plrf_signsgd.md``.
"""

from __future__ import annotations

import numpy as np

import theory
import theory.plrf

from . import SweepSpec
from ._common import add_optimizer_plane_arguments, schedule_plane_grid

KIND = "phase-map"
HELP = "an optimizer's compute-optimal phase and exponents at each point of an (alpha, beta) grid"


def add_arguments(p) -> None:
    add_optimizer_plane_arguments(p, "constant", "schedules", "phases are mapped")


def build(args) -> SweepSpec:
    opt = theory.optimizer_class(args.optimizer).name
    schedules, grid = schedule_plane_grid(args, fixed={"optimizer": opt})
    return SweepSpec(point, grid, {"kind": KIND, "optimizer": opt, "schedules": schedules})


def point(point: dict) -> dict:
    """The optimizer's phase name and ``eta``, ``xi``, ``e`` (``gamma* ~ d*^-e``) at one point."""
    a, b = point["alpha"], point["beta"]
    opt = point.get("optimizer", "signsgd")
    sched = theory.parse_schedule(point["schedule"])
    loc = theory.plrf.phase_of(a, b, opt, sched)
    g = theory.plrf.exponent_grid([a], [b], opt, sched)
    return {"phase": loc.name or "|".join(loc.phases), "eta": float(g["eta"][0, 0]), "xi": float(g["xi"][0, 0]),
            "e": float(g["e"][0, 0])}


def summary(ds) -> list[str]:
    st = ds["sweep_status"].values.reshape(-1).tolist()
    lines = [f"points: {st.count('ok')} ok, {st.count('failed')} failed, {st.count('pending')} pending"]
    if "phase" in ds:
        ph = ds["phase"].values[ds["sweep_status"].values == "ok"].tolist()
        lines.append("phases: " + ", ".join(f"{p} x{ph.count(p)}" for p in sorted(set(ph))))
    return lines


def figure(ds):
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    from .._figures.sweeps import plane_panel

    ok = ds["sweep_status"] == "ok"
    names = sorted(set(ds["phase"].values[ok.values].tolist()))
    code = ds["phase"].copy(data=np.vectorize(lambda s: float(names.index(s)) if s in names else np.nan,
                                              otypes=[float])(ds["phase"].values)).where(ok)
    cmap = ListedColormap([plt.cm.tab20(k % 20) for k in range(max(len(names), 1))])
    scheds = ds["schedule"].values.tolist()
    fig, axes = plt.subplots(1, len(scheds), figsize=(3.8 * len(scheds) + 1.6, 3.4), squeeze=False,
                             layout="constrained")
    for ax, s in zip(axes[0], scheds):
        plane_panel(ax, code.sel(schedule=s), cmap=cmap, vmin=-0.5, vmax=len(names) - 0.5)
        ax.set_title(f"{ds.attrs.get('optimizer', 'signsgd')} phases, {s}", fontsize=9)
        ax.set_xlabel(r"$\alpha$")
    axes[0, 0].set_ylabel(r"$\beta$")
    fig.legend(handles=[Patch(color=cmap(k), label=n) for k, n in enumerate(names)], loc="outside right upper",
               fontsize=7, frameon=False)
    return fig
