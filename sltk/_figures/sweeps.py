"""Figures of stored sweeps: the exponent atlas, maps over the (alpha, beta) plane, and a generic
map for any store.

Every function takes the ``xarray.Dataset`` of :func:`numerics.sweeps.open_sweep` and returns a
matplotlib figure; grid points without a result (failed, pending, or no slope measured) are left
in the panel's background colour, which the caption names.
"""

from __future__ import annotations

import numpy as np

__all__ = ["atlas_figure", "plane_figure", "generic_figure", "plane_panel"]

_NO_DATA = "0.88"


def _label(v) -> str:
    """Display name of a coordinate value: an optimizer's class name (``SignSGD``), else the value."""
    import theory

    try:
        return theory.optimizer_class(str(v)).__name__
    except theory.ParameterError:
        return str(v)


def plane_panel(ax, da, *, cmap="viridis", norm=None, vmin=None, vmax=None):
    """``pcolormesh`` of a 2-D DataArray over (alpha, beta): alpha across, beta up."""
    da = da.transpose("beta", "alpha")
    a, b = da["alpha"].values.astype(float), da["beta"].values.astype(float)
    z = np.ma.masked_invalid(np.asarray(da.values, dtype=float))
    ax.set_facecolor(_NO_DATA)
    pc = ax.pcolormesh(a, b, z, shading="nearest", cmap=cmap, norm=norm, vmin=None if norm else vmin,
                       vmax=None if norm else vmax)
    ax.set_xlim(a[0] - 0.5 * np.diff(a[:2]).sum(), a[-1] + 0.5 * np.diff(a[-2:]).sum()) if a.size > 1 else None
    ax.set_ylim(b[0] - 0.5 * np.diff(b[:2]).sum(), b[-1] + 0.5 * np.diff(b[-2:]).sum()) if b.size > 1 else None
    return pc


def _combos(ds):
    """The (optimizer, schedule) rows of an atlas (dims other than alpha and beta)."""
    extra = [d for d in ds["eta"].dims if d not in ("alpha", "beta")]
    if not extra:
        return [({}, "")]
    import itertools

    out = []
    for vals in itertools.product(*(ds[d].values.tolist() for d in extra)):
        sel = dict(zip(extra, vals))
        out.append((sel, ", ".join(_label(v) for v in vals)))
    return out


def atlas_figure(ds, quantities=("eta", "xi")):
    """The measured exponent atlas: for each (optimizer, schedule) a row of panels per quantity --
    measured, derived, and measured - derived, where a cross marks a point whose derived value lies
    outside the measured interval.

    Parameters
    ----------
    ds : xarray.Dataset
        A ``sltk sweep frontier`` store (:func:`numerics.sweeps.open_sweep`).
    quantities : tuple
        ``"eta"`` (``P* ~ f^-eta``) and/or ``"xi"`` (``d* ~ f^xi``).
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import TwoSlopeNorm

    ok = (ds["sweep_status"] == "ok") & (ds["frontier_status"] == "ok")
    combos = _combos(ds)
    ncol = 3 * len(quantities)
    fig, axes = plt.subplots(len(combos), ncol, figsize=(2.35 * ncol + 0.6, 2.15 * len(combos) + 0.5),
                             squeeze=False, sharex=True, sharey=True, layout="constrained")
    sym = {"eta": r"\eta", "xi": r"\xi"}
    for q_i, q in enumerate(quantities):
        meas = ds[q].where(ok)
        der = ds[f"{q}_derived"].where(ds["sweep_status"] == "ok")
        both = np.concatenate([np.ravel(meas.values), np.ravel(der.values)])
        both = both[np.isfinite(both)]
        lo, hi = (np.percentile(both, [1, 99]) if both.size else (0.0, 1.0))
        diff = (meas - der)
        dmax = float(np.nanmax(np.abs(diff.values))) if np.isfinite(diff.values).any() else 0.1
        dmax = max(dmax, 1e-3)
        outside = ok & ((der < ds[f"{q}_lo"]) | (der > ds[f"{q}_hi"]))
        for r, (sel, name) in enumerate(combos):
            ax_m, ax_d, ax_x = axes[r, 3 * q_i: 3 * q_i + 3]
            pc = plane_panel(ax_m, meas.sel(sel), vmin=lo, vmax=hi)
            plane_panel(ax_d, der.sel(sel), vmin=lo, vmax=hi)
            fig.colorbar(pc, ax=[ax_m, ax_d], shrink=0.85, pad=0.01, aspect=25)
            pd = plane_panel(ax_x, diff.sel(sel), cmap="RdBu_r", norm=TwoSlopeNorm(0.0, -dmax, dmax))
            fig.colorbar(pd, ax=ax_x, shrink=0.85, pad=0.01, aspect=25)
            o = outside.sel(sel).transpose("beta", "alpha")
            bb, aa = np.nonzero(o.values)
            if aa.size:
                ax_x.plot(o["alpha"].values[aa], o["beta"].values[bb], "kx", ms=4, mew=0.8,
                          label="derived outside interval")
            if r == 0:
                ax_m.set_title(f"measured ${sym[q]}$", fontsize=9)
                ax_d.set_title(f"derived ${sym[q]}$", fontsize=9)
                ax_x.set_title("measured $-$ derived", fontsize=9)
            ax_m.text(0.03, 0.96, name, transform=ax_m.transAxes, fontsize=7, va="top",
                      bbox=dict(fc="white", ec="none", alpha=0.8, pad=1))
            if r == len(combos) - 1:
                for ax in (ax_m, ax_d, ax_x):
                    ax.set_xlabel(r"$\alpha$")
            if q_i == 0:
                ax_m.set_ylabel(r"$\beta$")
    handles = [h for ax in axes.ravel() for h in ax.get_lines()[:1]]
    if handles:
        fig.legend(handles[:1], ["derived value outside the measured interval"], loc="lower left", fontsize=7,
                   frameon=False, bbox_to_anchor=(0.0, -0.03))
    pre = ds.attrs.get("preset", "")
    fig.suptitle(f"Measured compute-optimal exponents vs derived ({pre} lattice; grey: no slope measured, or no unique derived "
                 r"$\xi$ (a boundary where a range of $\xi$ is optimal))",
                 fontsize=10)
    return fig


def plane_figure(ds, variable: str, *, title: str = "", cmap="viridis", symmetric: bool = False,
                 label: str | None = None, outline=None):
    """One panel per value of the dims other than (alpha, beta), of ``ds[variable]``.

    ``symmetric``: a diverging colour map centred on 0. ``outline``: an optional callable
    ``outline(ax)`` drawing reference curves on each panel.
    """
    import itertools

    import matplotlib.pyplot as plt
    from matplotlib.colors import TwoSlopeNorm

    da = ds[variable].where(ds["sweep_status"] == "ok")
    extra = [d for d in da.dims if d not in ("alpha", "beta")]
    sels = [dict(zip(extra, v)) for v in itertools.product(*(ds[d].values.tolist() for d in extra))] or [{}]
    fig, axes = plt.subplots(1, len(sels), figsize=(3.6 * len(sels) + 0.8, 3.2), squeeze=False, sharey=True,
                             layout="constrained")
    vals = da.values[np.isfinite(da.values)]
    if symmetric:
        m = max(float(np.abs(vals).max()) if vals.size else 0.0, 1e-3)
        kw = {"norm": TwoSlopeNorm(0.0, -m, m), "cmap": "RdBu_r"}
    else:
        kw = {"vmin": float(vals.min()) if vals.size else 0, "vmax": float(vals.max()) if vals.size else 1,
              "cmap": cmap}
    for ax, sel in zip(axes[0], sels):
        pc = plane_panel(ax, da.sel(sel), **kw)
        if outline is not None:
            outline(ax)
        ax.set_xlabel(r"$\alpha$")
        ax.set_title(", ".join(f"{_label(v)}" for v in sel.values()) or variable, fontsize=9)
    axes[0, 0].set_ylabel(r"$\beta$")
    fig.colorbar(pc, ax=list(axes[0]), label=label or variable, shrink=0.9)
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


def generic_figure(ds):
    """Any sweep: a map of each numeric scalar output over the first two grid dims (the other dims
    at their first value), or a line over a one-dimensional grid."""
    import matplotlib.pyplot as plt

    grid_dims = list(ds["sweep_status"].dims)
    names = [v for v in ds.data_vars if not v.startswith("sweep_") and ds[v].dims == tuple(grid_dims)
             and ds[v].dtype.kind in "fiub"]
    if not names:
        from theory import ParameterError

        raise ParameterError("store", "a sweep with numeric scalar outputs to draw", ds.attrs.get("sweep", "")[:80])
    n = len(names)
    fig, axes = plt.subplots(1, n, figsize=(3.4 * n + 0.6, 3.0), squeeze=False, layout="constrained")
    ok = ds["sweep_status"] == "ok"
    for ax, v in zip(axes[0], names):
        da = ds[v].where(ok).astype(float)
        if len(grid_dims) == 1:
            x = ds[grid_dims[0]].values
            ax.plot(np.arange(x.size) if x.dtype.kind in "OUS" else x, da.values, "o-", ms=3)
            ax.set_xlabel(grid_dims[0])
            ax.set_ylabel(v)
        else:
            sub = da.isel({d: 0 for d in grid_dims[2:]})
            y, x = grid_dims[:2]
            z = np.ma.masked_invalid(sub.transpose(y, x).values)
            xv, yv = ds[x].values, ds[y].values
            xv = np.arange(xv.size) if xv.dtype.kind in "OUS" else xv
            yv = np.arange(yv.size) if yv.dtype.kind in "OUS" else yv
            ax.set_facecolor(_NO_DATA)
            pc = ax.pcolormesh(xv, yv, z, shading="nearest")
            fig.colorbar(pc, ax=ax, label=v)
            ax.set_xlabel(x)
            ax.set_ylabel(y)
            rest = ", ".join(f"{d}={ds[d].values[0]}" for d in grid_dims[2:])
            ax.set_title(f"{v}" + (f" ({rest})" if rest else ""), fontsize=9)
    return fig
