"""Figure recipes for PLRF: phase diagrams and exponent maps of any optimizer, comparisons and
decay gains, risk curves, compute-optimal frontiers, and verification panels.

Every map is drawn in the ``(alpha, beta)`` plane from the optimizer's theory rules
(:mod:`theory.plrf`): regions from :func:`theory.plrf.phase_grid`, exponents from
:func:`theory.plrf.exponent_grid`, and boundaries as the exact curves of
:func:`theory.plrf.boundary_curves`, drawn wherever the phases on their two sides differ.

References
----------
Paquette, Paquette, Xiao & Pennington (2024), arXiv:2405.15074, Fig. 2 and Fig. 4(a); Kim, Song &
Yun (2026), arXiv:2603.02069.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

import theory
import theory.plrf
from theory import alpha_symbol as alpha
from theory import beta_symbol as beta
from theory.validate import check_choice, check_int

from .._output import figure_style, save_figure

__all__ = ["phase_diagram_figure", "exponent_map_figure", "slope_difference_figure", "decay_gain_figure",
           "decay_gain_point_figure",
           "risk_curve_figure", "frontier_figure", "theory_terms_on", "draw_verification", "verification_figure",
           "verification_grid", "A_RANGE", "B_RANGE"]

A_RANGE = (0.0, 1.25)
B_RANGE = (0.0, 1.5)
_COLORS = ["#9ecae1", "#c6dbef", "#deebf7", "#fdd0a2", "#fdae6b", "#c7e9c0", "#a1d99b", "#dadaeb", "#bcbddc",
           "#fcbba1", "#fc9272", "#d9d9d9", "#f7fcb9"]
_LATEX_EQ = {
    "2*beta = 1": r"$2\beta=1$",
    "2*alpha = 1": r"$2\alpha=1$",
    "4*alpha = 1": r"$4\alpha=1$",
    "beta = alpha": r"$\beta=\alpha$",
    "2*alpha**2 - 4*alpha + 1 = 0": r"$2\alpha^2-4\alpha+1=0$",
    "2*alpha + 2*beta = 1": r"$2\alpha+2\beta=1$",
}
_DOMAIN = 2 * alpha + 2 * beta - 1


def _grid(n):
    aa = np.linspace(A_RANGE[0] + 1e-4, A_RANGE[1], n)
    bb = np.linspace(B_RANGE[0] + 1e-4, B_RANGE[1], int(round(n * 1.2)))
    A, B = np.meshgrid(aa, bb)
    return aa, bb, A, B


def _default_n(optimizer, n):
    return theory.plrf.RULES[optimizer].map_grid if n is None else check_int("grid", n, ge=4)


def _phases(optimizer, schedule, n):
    aa, bb, A, B = _grid(n)
    g = theory.plrf.phase_grid(aa, bb, optimizer, schedule)
    return aa, bb, A, B, g["index"], g["names"]


def _equation(poly) -> str:
    p = sp.expand(poly)
    for q, txt in ((2 * beta - 1, "2*beta = 1"), (2 * alpha - 1, "2*alpha = 1"), (4 * alpha - 1, "4*alpha = 1"),
                   (beta - alpha, "beta = alpha"), (2 * alpha**2 - 4 * alpha + 1, "2*alpha**2 - 4*alpha + 1 = 0"),
                   (_DOMAIN, "2*alpha + 2*beta = 1")):
        if sp.expand(p - q) == 0 or sp.expand(p + q) == 0:
            return txt
    return f"{sp.factor(p)} = 0"


def _curve_branches(poly, n=1500):
    """The branches of ``poly = 0`` inside the window, each an array of points in order (solved for
    beta where it appears, else for alpha)."""
    out = []
    if poly.has(beta):
        aa = np.linspace(A_RANGE[0] + 1e-4, A_RANGE[1], n)
        for s in sp.solve(poly, beta):
            with np.errstate(all="ignore"):
                b = np.asarray(sp.lambdify(alpha, s, "numpy")(aa.astype(complex)), dtype=complex) * np.ones(n)
            ok = (np.abs(b.imag) < 1e-12) & (b.real >= B_RANGE[0]) & (b.real <= B_RANGE[1])
            if ok.sum() >= 2:
                out.append(np.column_stack([aa[ok], b.real[ok]]))
    else:
        for r in sp.solve(poly, alpha):
            a = complex(r)
            if abs(a.imag) < 1e-12 and A_RANGE[0] < a.real < A_RANGE[1]:
                bb = np.linspace(B_RANGE[0], B_RANGE[1], n)
                out.append(np.column_stack([np.full(n, a.real), bb]))
    return out


def _side_index(aa, bb, idx, a, b):
    i = int(np.clip(np.searchsorted(bb, b), 0, bb.size - 1))
    j = int(np.clip(np.searchsorted(aa, a), 0, aa.size - 1))
    return idx[i, j] if (a > 0 and 2 * a + 2 * b > 1) else -2


def _draw_boundaries(ax, curves, aa, bb, idx, *, eta_fns=None, color="k", label=True, ls="-", lw=1.1,
                     min_run: int = 8):
    """Draw each curve where it separates two phases: the phase index differs on its two sides (grid
    lookup 1.5 cells along the normal) and -- given ``eta_fns``, one per phase -- the two phases' loss
    exponents agree at the point (``eta`` is continuous across a true boundary, so a curve that only
    passes near one is rejected). Runs shorter than ``min_run`` points are dropped."""
    da, db = aa[1] - aa[0], bb[1] - bb[0]
    for poly in list(curves) + [_DOMAIN]:
        ga = sp.lambdify((alpha, beta), sp.diff(poly, alpha), "numpy")
        gb = sp.lambdify((alpha, beta), sp.diff(poly, beta), "numpy")
        drawn = []
        for pts in _curve_branches(poly):
            on = np.zeros(len(pts), bool)
            for k, (a, b) in enumerate(pts):
                na, nb = float(ga(a, b)), float(gb(a, b))
                h = np.hypot(na / da, nb / db)
                if h == 0:
                    continue
                e = 1.5 / h
                s1 = _side_index(aa, bb, idx, a + e * na, b + e * nb)
                s2 = _side_index(aa, bb, idx, a - e * na, b - e * nb)
                if s1 == s2 or s1 == -1 or s2 == -1:  # same phase, or a grid point left unassigned
                    continue
                if (s1 == -2 or s2 == -2) != (poly is _DOMAIN):  # only the domain edge meets the outside
                    continue
                if eta_fns is not None and poly is not _DOMAIN:
                    with np.errstate(all="ignore"):
                        e1, e2 = float(eta_fns[s1](a, b)), float(eta_fns[s2](a, b))
                    if not abs(e1 - e2) <= 1e-7 * max(1.0, abs(e1)):
                        continue
                on[k] = True
            breaks = np.flatnonzero(np.diff(on.astype(int)) != 0) + 1
            for seg, flag in zip(np.split(pts, breaks), np.split(on, breaks)):
                if flag[0] and len(seg) >= max(2, min_run):
                    ax.plot(seg[:, 0], seg[:, 1], color=color, lw=lw, ls="--" if poly is _DOMAIN else ls, zorder=3)
                    drawn.append(seg)
        if label and drawn and poly is not _DOMAIN:
            eq = _equation(poly)
            if eq in _LATEX_EQ:
                _label_curve(ax, poly, np.vstack(drawn), _LATEX_EQ[eq])


def _eta_fns(optimizer, schedule):
    return [sp.lambdify((alpha, beta), r.eta, "numpy") for r in theory.plrf.exponent_table(optimizer, schedule)]


def _label_curve(ax, poly, pts, text):
    if poly.has(beta):
        sols = sp.solve(poly, beta)
        s = sols[0]
        if s.has(alpha):  # slanted line: label near its upper end
            slope = sp.lambdify(alpha, sp.diff(s, alpha), "numpy")
            up = complex(slope(float(np.median(pts[:, 0])))).real > 0
            k = int(0.85 * (len(pts) - 1)) if up else int(0.12 * (len(pts) - 1))
            a, b = pts[np.argsort(pts[:, 0])][k]
            ang = np.degrees(np.arctan(complex(slope(a)).real))
            ax.annotate(text, (a, b), xytext=(4, 4 if ang > 0 else -12), textcoords="offset points",
                        fontsize=7, rotation=ang * 0.85, rotation_mode="anchor", zorder=5)
        else:  # horizontal line
            ax.annotate(text, (A_RANGE[1] - 0.02, float(s)), xytext=(0, 3), textcoords="offset points", fontsize=7,
                        ha="right", zorder=5)
    else:
        a = pts[0, 0]
        y = B_RANGE[1] - 0.02 if "^2" not in text else 0.5 * (B_RANGE[1] + 0.5)
        ax.annotate(text, (a, y), xytext=(3, 0), textcoords="offset points", fontsize=7, rotation=90, va="top",
                    zorder=5, bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.8))


def _label_point(mask):
    """A deep interior grid point of a mask (the middle one among the deepest)."""
    from scipy.ndimage import distance_transform_edt

    dist = distance_transform_edt(np.pad(mask, 1))[1:-1, 1:-1]
    ii, jj = np.nonzero(dist >= 0.9 * dist.max())
    k = len(ii) // 2
    order = np.lexsort((jj, ii))
    return ii[order[k]], jj[order[k]]


def _invalid(ax, face="0.8", text=True):
    from matplotlib.patches import Polygon

    ax.add_patch(Polygon([(0, 0), (0.5, 0), (0, 0.5)], closed=True, facecolor=face, edgecolor="0.4", hatch="xx",
                         zorder=4))
    if text:
        ax.text(0.09, 0.12, "invalid\n" + r"$2\alpha+2\beta<1$", fontsize=7, zorder=5)


def _axes(ax, title):
    ax.set_xlim(*A_RANGE)
    ax.set_ylim(*B_RANGE)
    ax.set_xlabel(r"data exponent $\alpha$  (Cov$(x)=\mathrm{diag}(j^{-2\alpha})$)")
    ax.set_ylabel(r"target exponent $\beta$  ($b_j=j^{-\beta}$)")
    ax.set_title(title)


def _name(optimizer) -> str:
    return theory.optimizer_class(optimizer).name


def _sched_text(schedule) -> str:
    return "" if schedule is None or schedule.is_constant else f", {schedule.spec()}"


# ============================================================================ maps
def phase_diagram_figure(optimizer="sgd", schedule=None, n: int | None = None):
    """The optimizer's compute-optimal phase diagram: shaded phases, exact labelled boundaries,
    the ``d* ~ f^(1/2)`` region hatched, the invalid region marked."""
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    n = _default_n(optimizer, n)
    rows = theory.plrf.exponent_table(optimizer, schedule)
    aa, bb, A, B, idx, names = _phases(optimizer, schedule, n)
    cols = [_COLORS[k % len(_COLORS)] for k in range(len(names))]
    fig, ax = plt.subplots(figsize=(6.2, 5.4))
    ax.imshow(idx + 1, origin="lower", extent=(*A_RANGE, *B_RANGE), cmap=ListedColormap(["white"] + cols), vmin=0,
              vmax=len(names), aspect="auto", interpolation="nearest", zorder=0)
    half = np.zeros(A.shape, dtype=bool)
    for k, r in enumerate(rows):
        if r.xi is not sp.nan and sp.simplify(r.xi - sp.Rational(1, 2)) == 0:
            half |= idx == k
    if half.any():
        ax.contourf(A, B, half.astype(float), levels=[0.5, 1.5], colors="none", hatches=["///"], zorder=1)
    _invalid(ax)
    _draw_boundaries(ax, theory.plrf.boundary_curves(optimizer, schedule), aa, bb, idx,
                     eta_fns=_eta_fns(optimizer, schedule))
    for k, nm in enumerate(names):
        m = idx == k
        if m.any():
            i, j = _label_point(m)
            ax.text(A[i, j], B[i, j], nm, ha="center", va="center", fontsize=10, fontweight="bold", zorder=6)
    _axes(ax, f"PLRF compute-optimal phases ({_name(optimizer)}{_sched_text(schedule)})")
    handles = [Patch(facecolor=cols[k], edgecolor="0.5",
                     label=f"{r.phase}: " + (" = ".join(t.replace("noise", "K_pp-noise") for t in r.balanced)
                                             if r.region is not None else r.description))
               for k, r in enumerate(rows)]
    if half.any():
        handles.append(Patch(facecolor="none", edgecolor="0.3", hatch="///", label=r"$d^\star\sim f^{1/2}$"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7,
              title="phase: defining terms", title_fontsize=7, frameon=False)
    return fig


def exponent_map_figure(quantity: str = "eta", optimizer="sgd", schedule=None, n: int | None = None):
    """Heat map of ``xi`` (``d* ~ f^xi``), ``eta`` (``P* ~ f^-eta``) or ``e`` (``gamma* ~ d*^-e``)."""
    import matplotlib.pyplot as plt

    check_choice("quantity", quantity, ("xi", "eta", "e"))
    n = _default_n(optimizer, n)
    aa, bb, A, B, idx, names = _phases(optimizer, schedule, n)
    Z = theory.plrf.exponent_grid(aa, bb, optimizer, schedule)[quantity]
    fig, ax = plt.subplots(figsize=(5.6, 4.6))
    pc = ax.pcolormesh(A, B, np.ma.masked_invalid(Z), shading="auto", cmap="viridis", zorder=0)
    label = {"xi": r"$\xi$  ($d^\star \propto f^{\xi}$)", "eta": r"$\eta$  ($P^\star \propto f^{-\eta}$)",
             "e": r"$e$  ($\gamma^\star \propto d^{\star\,-e}$)"}[quantity]
    fig.colorbar(pc, ax=ax).set_label(label)
    fin = Z[np.isfinite(Z)]
    if fin.size and np.ptp(fin) > 1e-9:
        levels = np.linspace(np.floor(fin.min() * 10) / 10, np.ceil(fin.max() * 10) / 10, 11)
        cs = ax.contour(A, B, np.round(Z, 10), levels=levels + 1e-7, colors="w", linewidths=0.5, zorder=1)
        ax.clabel(cs, fontsize=6, fmt="%.2f")
    _invalid(ax, face="0.85", text=False)
    _draw_boundaries(ax, theory.plrf.boundary_curves(optimizer, schedule), aa, bb, idx, label=False,
                     eta_fns=_eta_fns(optimizer, schedule))
    for k, nm in enumerate(names):
        m = idx == k
        if m.any():
            i, j = _label_point(m)
            ax.text(A[i, j], B[i, j], nm, ha="center", va="center", fontsize=8, color="w", fontweight="bold",
                    zorder=6)
    what = {"xi": r"parameter exponent $\xi$", "eta": r"loss exponent $\eta$", "e": r"learning-rate exponent $e$"}
    _axes(ax, f"compute-optimal {what[quantity]} ({_name(optimizer)}{_sched_text(schedule)})")
    return fig


def slope_difference_figure(optimizers=("signsgd", "sgd"), schedule=None, n: int = 41):
    """Map of ``eta_first - eta_second`` with the first optimizer's phase boundaries."""
    import matplotlib.pyplot as plt
    from matplotlib.colors import TwoSlopeNorm

    first, second = (_name(o) for o in optimizers)
    n = check_int("grid", n, ge=4)
    aa, bb, A, B, idx, names = _phases(first, schedule, n)
    g = theory.plrf.slope_difference_grid(aa, bb, (first, second), schedule)
    Z = g["difference"]
    fig, ax = plt.subplots(figsize=(5.6, 4.4))
    vmax = max(float(np.nanmax(np.abs(Z))), 1e-3)
    pc = ax.pcolormesh(A, B, np.ma.masked_invalid(Z), cmap="RdBu_r", norm=TwoSlopeNorm(0.0, -vmax, vmax),
                       shading="auto")
    fig.colorbar(pc, ax=ax).set_label(rf"$\eta_{{\rm {first}}} - \eta_{{\rm {second}}}$")
    _invalid(ax, face="0.85", text=False)
    _draw_boundaries(ax, theory.plrf.boundary_curves(first, schedule), aa, bb, idx, color="0.25", label=False, lw=0.8,
                     eta_fns=_eta_fns(first, schedule))
    _axes(ax, f"compute-optimal slope: {first} vs {second}{_sched_text(schedule)}")
    return fig, Z


def decay_gain_figure(optimizer="signsgd", schedule=None, n: int = 60, measured=(), regions: bool = False,
                      b_max: float = 2.25):
    """Map of the derived slope gain ``eta(schedule) - eta(constant)`` of one optimizer (learning rate
    re-optimised per budget under each, :func:`theory.plrf.decay_gain_map`), with the research note's
    Area Aa* (large alpha, small beta: where the signSGD paper claims a gain) outlined and measured
    points (``measured``: dicts with ``alpha``, ``beta``, ``measured_gain``, ``interval``) overlaid as
    markers coloured on the same scale, labelled with measured/derived.

    The beta axis runs to ``b_max`` (default 2.25, so that S-VI, where signSGD gains, is in view).
    Returns ``(fig, Z)``, or ``(fig, Z, regions)`` with ``regions=True``.
    """
    import matplotlib.pyplot as plt

    sched = theory.WSD(decay=0.2) if schedule is None else theory.as_schedule(schedule)
    n = check_int("grid", n, ge=4)
    aa = np.linspace(A_RANGE[0] + 1e-4, A_RANGE[1], n)
    bb = np.linspace(B_RANGE[0] + 1e-4, b_max, int(round(n * 1.2 * b_max / B_RANGE[1])))
    A, B = np.meshgrid(aa, bb)
    g = theory.plrf.decay_gain_map(aa, bb, optimizer, sched)
    Z = np.where(np.abs(g["gain"]) < 5e-5, 0.0, g["gain"])
    fig, ax = plt.subplots(figsize=(5.8, 4.6))
    vals = [abs(m["measured_gain"]) for m in measured if np.isfinite(m["measured_gain"])]
    vmax = max([1e-3, float(np.nanmax(np.abs(Z)))] + vals)
    pc = ax.pcolormesh(A, B, np.ma.masked_invalid(Z), shading="auto", cmap="RdBu_r", vmin=-vmax, vmax=vmax)
    fig.colorbar(pc, ax=ax).set_label(r"$\Delta\eta$ (decay minus constant)")
    a_line = np.linspace(0.5001, A_RANGE[1], 200)
    ax.fill_between(a_line, np.maximum(0.5 - a_line, 0), (2 * a_line - 1) / (2 * (4 * a_line - 1)),
                    facecolor="none", edgecolor="k", hatch="//", lw=0.8, label="Area Aa* (paper's claim)")
    _invalid(ax, face="0.85", text=False)
    _draw_gain_boundaries(ax, g, Z)
    for k, m in enumerate(measured):
        ax.scatter([m["alpha"]], [m["beta"]], c=[m["measured_gain"]], cmap="RdBu_r", vmin=-vmax, vmax=vmax, s=70,
                   marker="o" if m.get("agree") else "X", edgecolors="k", linewidths=1.0, zorder=5,
                   label=("measured (o agrees, X not)" if k == 0 else None))
        lo, hi = m["interval"]
        ax.annotate(f"{m['measured_gain']:+.3f}\n[{lo:+.3f},{hi:+.3f}]\nder. {m['derived_gain']:+.3f}",
                    (m["alpha"], m["beta"]), xytext=(5, 4), textcoords="offset points", fontsize=5.5, zorder=6)
    ax.legend(loc="upper left", fontsize=7)
    _axes(ax, f"{_name(optimizer)}: derived slope gain of {sched.name}, end power p = {sched.end_decay_power():g}")
    ax.set_ylim(B_RANGE[0], max([b_max] + [m["beta"] + 0.1 for m in measured]))
    if regions:
        return fig, Z, g["regions"]
    return fig, Z


def _draw_gain_boundaries(ax, g, Z):
    """The derived region boundaries of a gain map (``g["boundaries"]``, polynomials in alpha, beta),
    drawn on a fine mesh where a neighbouring grid cell has a gain."""
    aa, bb = g["alpha"], g["beta"]
    fa, fb = np.linspace(aa[0], aa[-1], 400), np.linspace(bb[0], bb[-1], 400)
    FA, FB = np.meshgrid(fa, fb)
    ia = np.clip(np.searchsorted(aa, fa), 1, aa.size - 1)
    ib = np.clip(np.searchsorted(bb, fb), 1, bb.size - 1)
    pos = np.nan_to_num(Z) > 5e-5
    near = pos[ib][:, ia] | pos[ib - 1][:, ia] | pos[ib][:, ia - 1] | pos[ib - 1][:, ia - 1]
    for k, poly in enumerate(g.get("boundaries", ())):
        val = np.asarray(sp.lambdify((alpha, beta), poly, "numpy")(FA, FB), float) * np.ones_like(FA)
        ax.contour(FA, FB, np.ma.masked_where(~near, val), levels=[0.0], colors="0.2", linewidths=0.9)
        ax.plot([], [], color="0.2", lw=0.9, label="derived region boundaries" if k == 0 else None)


def decay_gain_point_figure(gain):
    """Convergence with budget of a measured decay gain (:class:`numerics.plrf.DecayGain`): the ratio
    ``P*_constant / P*_schedule`` and the local gains with their error bars, beside the derived gain."""
    import matplotlib.pyplot as plt

    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 3.6))
    a1.loglog(gain.flops, gain.ratio, "o-", ms=3)
    a1.set_xlabel("compute f")
    a1.set_ylabel(r"$P^*_{\rm constant} / P^*_{\rm schedule}$")
    a1.set_title(f"{gain.optimizer} ({gain.alpha}, {gain.beta})", fontsize=9)
    a2.errorbar(gain.centers, gain.local_gain, yerr=2 * gain.local_se, fmt="o-", ms=3, capsize=2,
                label="measured local gain (2 se)")
    a2.axhline(gain.derived_gain, color="k", ls="--", lw=1, label=f"derived {gain.derived_gain:+.4f}")
    a2.axhspan(*gain.interval, color="C1", alpha=0.2, label="interval (2 se + drift)")
    a2.set_xscale("log")
    a2.set_xlabel("window centre f")
    a2.set_ylabel(r"$\eta_{\rm schedule} - \eta_{\rm constant}$")
    a2.legend(fontsize=7)
    a2.set_title(gain.schedule, fontsize=9)
    fig.tight_layout()
    return fig


# ============================================================================ curves
_TERM_LABEL = {"F_0": r"$F_0$", "F_pp": r"$F_{pp}$", "F_ac": r"$F_{ac}$", "noise": r"$\gamma^2 B K_{pp} * F_{pp}$"}


def theory_terms_on(problem, optimizer, steps):
    """``(terms, estimate)`` of ``theory.plrf.asymptotic_terms`` / ``asymptotic_risk`` on ``steps >= 1``.

    Returns ``(None, None)`` when the theory layer has no terms for this optimizer.
    """
    r = np.asarray(steps, dtype=float)
    r = r[r >= 1]
    try:
        terms = [(t.name, t.applies, t(r)) for t in theory.plrf.asymptotic_terms(problem, optimizer)]
        est = theory.plrf.asymptotic_risk(problem, optimizer, r)
    except (theory.ParameterError, theory.StabilityError):
        return None, None
    return (r, terms), (r, np.asarray(est, dtype=float))


def risk_curve_figure(curves, path, *, labels=None, terms=None, estimates=None, title=None, xlabel=r"steps $r$"):
    """Risk against steps (log-log) for one or more :class:`numerics.plrf.RiskCurve`, with theory terms.

    ``terms``/``estimates``: per curve, the outputs of :func:`theory_terms_on` (or None).
    """
    import matplotlib.pyplot as plt

    curves = list(curves)
    labels = labels or [None] * len(curves)
    terms = terms or [None] * len(curves)
    estimates = estimates or [None] * len(curves)
    with figure_style():
        fig, ax = plt.subplots(figsize=(5.2, 3.8))
        for i, (c, lab) in enumerate(zip(curves, labels)):
            color = f"C{i % 8}"
            s = c.steps >= 1
            ax.loglog(c.steps[s], c.risk[s], color=color, lw=1.8, label=lab or f"risk equations ({c.spectrum_kind})")
            if estimates[i] is not None:
                r, est = estimates[i]
                ax.loglog(r, est, color=color, ls="--", lw=1.0, label="asymptotic estimate" if i == 0 else None)
            if terms[i] is not None:
                r, tl = terms[i]
                for k, (name, applies, val) in enumerate(tl):
                    if applies and np.all(np.isfinite(val)) and np.max(val) > 0:
                        tcolor = f"C{(k + 2) % 8}" if len(curves) == 1 else color
                        ax.loglog(r, val, color=tcolor, ls=[":", "-.", (0, (1, 3)), (0, (5, 2, 1, 2))][k % 4],
                                  lw=0.8, alpha=0.8, label=_TERM_LABEL.get(name, name) if i == 0 else None)
        lo = min(np.min(c.risk[c.risk > 0]) for c in curves)
        hi = max(np.max(c.risk) for c in curves)
        ax.set_ylim(lo / 3, hi * 3)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(r"expected risk $\mathcal{P}(r)$ (MSE)")
        if title:
            ax.set_title(title)
        ax.legend(loc="lower left")
        return save_figure(fig, path)


def frontier_figure(fr, path):
    """The frontier of :func:`numerics.plrf.frontier`: ``P*(f)`` (with the IsoFLOP curves of each size
    for a fixed learning-rate factor, or ``d*(f)`` when the rate is optimised), the local slopes
    against the symbolic exponents, and (optimised rate) ``gamma*`` against ``d*`` with the fitted
    and symbolic ``e`` of ``gamma* ~ d*^-e``. Open markers: minimiser at the lattice edge."""
    import matplotlib.pyplot as plt
    from matplotlib import cm, colors
    from matplotlib.ticker import NullFormatter

    table = fr.diagnostics.get("risk_table")
    panels = 2 if table is not None else 3
    edge = fr.at_edge
    with figure_style():
        fig, axes = plt.subplots(1, panels, figsize=(4.6 * panels, 3.8))
        ax, bx = axes[0], axes[1]
        if table is not None:
            norm = colors.LogNorm(vmin=fr.d_grid.min(), vmax=fr.d_grid.max())
            cmap = plt.get_cmap("viridis")
            for k, dd in enumerate(fr.d_grid):
                col = table[:, k]
                ok = np.isfinite(col)
                if ok.sum() > 1:
                    ax.loglog(fr.flops[ok], col[ok], color=cmap(norm(dd)), lw=0.8, alpha=0.8)
            fig.colorbar(cm.ScalarMappable(norm=norm, cmap=cmap), ax=ax, label=r"parameters $d$")
        ax.loglog(fr.flops, fr.p_star, color="k", lw=2.0, label=r"frontier $P^*(f)$")
        if table is None:
            ax2 = ax.twinx()
            ax2.loglog(fr.flops[~edge], fr.d_star[~edge], "o", color="C2", ms=3, label=r"$d^*(f)$")
            if edge.any():
                ax2.loglog(fr.flops[edge], fr.d_star[edge], "o", mfc="none", color="C2", ms=4,
                           label=r"$d^*$ at lattice edge")
            ax2.set_ylabel(r"optimal parameters $d^*$")
            h1, l1 = ax.get_legend_handles_labels()
            h2, l2 = ax2.get_legend_handles_labels()
            ax.legend(h1 + h2, l1 + l2, loc="upper right", fontsize=7)
        else:
            ax.legend(loc="lower left")
        ax.set_xlabel(r"compute $f = d\,r\,B$")
        ax.set_ylabel(r"risk $\mathcal{P}$")
        ax.set_title(rf"{fr.optimizer}, $\alpha={fr.alpha:g}$, $\beta={fr.beta:g}$"
                     + (f" (phase {fr.phase})" if fr.phase else ""))
        if fr.window_centers.size:
            bx.semilogx(fr.window_centers, fr.eta_local, "o-", color="C0", ms=3, label=r"local $\eta$ (loss)")
            bx.semilogx(fr.window_centers, fr.xi_local, "s-", color="C1", ms=3, label=r"local $\xi$ (params)")
        if fr.eta_theory is not None:
            bx.axhline(fr.eta_theory, color="C0", ls="--", lw=1.0, label=r"symbolic $\eta$")
        if fr.xi_theory is not None:
            bx.axhline(fr.xi_theory, color="C1", ls="--", lw=1.0, label=r"symbolic $\xi$")
        bx.set_xlabel(r"compute $f$ (window centre)")
        bx.set_ylabel("exponent")
        bx.legend(loc="best", fontsize=7)
        if panels == 3:
            cx = axes[2]
            d, lr = fr.d_star, fr.lr_star
            cx.loglog(d[~edge], lr[~edge], "o", color="C3", ms=3, label=r"$\gamma^*$ vs $d^*$")
            if edge.any():
                cx.loglog(d[edge], lr[edge], "o", mfc="none", color="C3", ms=4, label="at lattice edge")
            inner = ~edge
            if inner.sum() >= 2 and np.isfinite(fr.e_fit):
                x0, y0 = d[inner][-1], lr[inner][-1]
                xs = np.geomspace(d[inner].min(), d[inner].max(), 2)
                cx.loglog(xs, y0 * (xs / x0) ** -fr.e_fit, "-", color="C3", lw=1.0, label=rf"fit $e={fr.e_fit:.3f}$")
                if fr.e_theory is not None:
                    cx.loglog(xs, y0 * (xs / x0) ** -float(fr.e_theory), "--", color="0.4", lw=1.0,
                              label=rf"symbolic $e={float(fr.e_theory):.3f}$")
            cx.xaxis.set_minor_formatter(NullFormatter())
            cx.set_xlabel(r"$d^*$")
            cx.set_ylabel(r"optimal learning rate $\gamma^*$")
            cx.legend(loc="best", fontsize=7)
        fig.tight_layout()
        return save_figure(fig, path)


# ============================================================================ verification
_VTERM_STYLE = {"F_pp": ":", "F_ac": "-.", "noise": (0, (4, 1, 1, 1, 1, 1)), "F_0": (0, (5, 2))}
_VTERM_LABEL = {"F_pp": r"$F_{pp}$", "F_ac": r"$F_{ac}$", "noise": "SGD noise", "F_0": r"$F_0$"}


def draw_verification(ax, res, *, legend: bool = True, title: str | None = None) -> None:
    """Draw one :class:`verification.VerificationResult` into ``ax``: the simulated risk (mean with its
    2-sigma band and the 10-90 % band of the runs), the exact expected risk of the sampled ``W``, the
    reference curve of the optimizer's equations, the asymptotic terms, the limit level, and the
    slope window shaded."""
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
            ax.plot(x[keep], v[keep], color="#009E73", lw=1.0, ls=_VTERM_STYLE.get(name, ":"),
                    label=f"theory {_VTERM_LABEL.get(name, name)}")
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
