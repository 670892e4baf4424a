"""``sltk sweep decay-gain``: the derived gain in an optimizer's compute-optimal slope from a decaying
learning rate, ``eta(decay) - eta(constant)``, over (alpha, beta) (default signSGD).

Each point evaluates :func:`theory.plrf.decay_gain` (the optimizer's LP with the learning rate re-optimised
per budget: signSGD its joint (d, learning-rate) LP, SGD its lr-free LP) with a constant rate and with the
decaying schedule, which enters
through the power ``p`` of its end ``(1 - k/N)^p`` (``Schedule.end_decay_power``). SGD's exponent is
stored beside it. A gain below 5e-5 in size is an LP tie (solver round-off).

References
----------
Kim, Song & Yun, ICLR 2026 (arXiv:2603.02069); research note ``plrf_signsgd.md`` (Area Aa*).
"""

from __future__ import annotations

import math

import numpy as np

import theory
import theory.plrf
from theory import ParameterError

from . import SweepSpec
from ._common import add_optimizer_plane_arguments, schedule_plane_grid

KIND = "decay-gain"
HELP = "derived gain eta(decay) - eta(constant) of an optimizer's compute-optimal slope over (alpha, beta)"


def add_arguments(p) -> None:
    add_optimizer_plane_arguments(p, "wsd", "decaying schedules", "decay gain is mapped")


def build(args) -> SweepSpec:
    opt = theory.optimizer_class(args.optimizer).name
    schedules, grid = schedule_plane_grid(args, fixed={"optimizer": opt})
    for s, spec in schedules.items():
        if theory.parse_schedule(spec).end_decay_power() is None:
            raise ParameterError("--schedule", "schedules that decay to zero (wsd, stable-decay, cosine, ...)", s)
    return SweepSpec(point, grid, {"kind": KIND, "optimizer": opt, "schedules": schedules,
                                   "compared_with": "constant"})


def point(point: dict) -> dict:
    """``eta``/``xi`` of the optimizer with a constant and a decaying rate at one point, and the gain."""
    a, b = point["alpha"], point["beta"]
    opt = point.get("optimizer", "signsgd")
    sched = theory.parse_schedule(point["schedule"])
    c = theory.plrf.exponent_grid([a], [b], opt, None)
    d = theory.plrf.exponent_grid([a], [b], opt, sched)
    sgd = theory.plrf.exponent_grid([a], [b], "sgd", None)
    p = sched.end_decay_power()
    g = theory.plrf.decay_gain(a, b, opt, sched)  # the rate re-optimised per budget under each schedule
    eta_c, eta_d = float(g["eta_constant"]), float(g["eta_decay"])
    return {"eta_constant": eta_c, "eta_decay": eta_d, "gain": eta_d - eta_c, "xi_constant": float(c["xi"][0, 0]),
            "xi_decay": float(d["xi"][0, 0]), "eta_sgd": float(sgd["eta"][0, 0]),
            "decay_power": float(p) if p is not None else math.nan}


def summary(ds) -> list[str]:
    st = ds["sweep_status"].values.reshape(-1).tolist()
    lines = [f"points: {st.count('ok')} ok, {st.count('failed')} failed, {st.count('pending')} pending"]
    if "gain" in ds:
        g = ds["gain"].where(ds["sweep_status"] == "ok")
        for s in ds["schedule"].values.tolist():
            v = g.sel(schedule=s).values
            v = v[np.isfinite(v)]
            if v.size:
                top = float(v.max()) if abs(float(v.max())) > 5e-5 else 0.0  # an LP tie prints as +0.0000
                lines.append(f"{s}: gain > 5e-5 at {int((v > 5e-5).sum())} of {v.size} points, largest {top:+.4f}")
    return lines


def _outline(ax) -> None:
    """The research note's Area Aa* (``alpha > 1/2``, ``beta < (2a - 1)/(2 (4a - 1))``)."""
    lo, hi = ax.get_xlim()
    a = np.linspace(max(0.5001, lo), hi, 200)
    if a.size and a[0] < hi:
        ax.plot(a, (2 * a - 1) / (2 * (4 * a - 1)), "k--", lw=0.9, label="note's Area Aa* (upper edge)")


def figure(ds):
    from .._figures.sweeps import plane_figure

    fig = plane_figure(ds, "gain", symmetric=True, label=r"$\eta_{decay}-\eta_{constant}$",
                       title=f"{ds.attrs.get('optimizer', 'signsgd')}: derived slope gain of a decaying rate",
                       outline=_outline)
    fig.axes[0].legend(loc="upper left", fontsize=7)
    return fig
