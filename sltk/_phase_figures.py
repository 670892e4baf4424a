"""Figure recipes for the PLRF phase diagram and the compute-optimal exponent maps.

All figures are drawn in the ``(alpha, beta)`` plane from the SymPy regions and exponent
Piecewise of :mod:`theory` (evaluated through ``lambdify`` masks).

References
----------
Paquette, Paquette, Xiao & Pennington (2024), arXiv:2405.15074, Fig. 2 and Fig. 4(a).
"""

from __future__ import annotations

import numpy as np
import sympy as sp

import theory
from theory._phases import _REGIONS, BOUNDARY_POLYNOMIALS, _b_domain, _eq_str, _in_phases
from theory._power_terms import alpha, beta

__all__ = ["phase_diagram_figure", "exponent_map_figure", "signsgd_exponent_map_figure", "signsgd_phase_figure",
           "signsgd_slope_map_figure", "PHASE_COLORS"]

PHASE_COLORS = {
    "Ia": "#9ecae1", "Ib": "#c6dbef", "Ic": "#deebf7",
    "II": "#fdd0a2", "III": "#fdae6b",
    "IVa": "#c7e9c0", "IVb": "#a1d99b",
}
A_RANGE = (0.0, 1.25)
B_RANGE = (0.0, 1.5)

_LATEX_EQ = {
    "2*beta = 1": r"$2\beta=1$",
    "2*alpha = 1": r"$2\alpha=1$",
    "4*alpha = 1": r"$4\alpha=1$",
    "beta = alpha": r"$\beta=\alpha$",
    "2*alpha**2 - 4*alpha + 1 = 0": r"$2\alpha^2-4\alpha+1=0$",
    "2*alpha + 2*beta = 1": r"$2\alpha+2\beta=1$",
}


def _grid(n=600):
    aa = np.linspace(A_RANGE[0] + 1e-4, A_RANGE[1], n)
    bb = np.linspace(B_RANGE[0] + 1e-4, B_RANGE[1], int(n * 1.2))
    return aa, bb, *np.meshgrid(aa, bb)


def _phase_index(A, B):
    idx = np.full(A.shape, -1, dtype=int)
    for k, (_, region, _) in enumerate(_REGIONS):
        m = np.asarray(sp.lambdify((alpha, beta), region, "numpy")(A, B), dtype=bool)
        idx[m] = k
    return idx


def _segments(poly, n=1500):
    """Points of ``poly = 0`` inside the window, split by the pair of phases on its sides."""
    out = {}
    ga = sp.lambdify((alpha, beta), sp.diff(poly, alpha), "math")
    gb = sp.lambdify((alpha, beta), sp.diff(poly, beta), "math")
    pts = []
    if poly.has(beta):
        s = sp.solve(poly, beta)[0]
        f = sp.lambdify(alpha, s, "numpy")
        for a in np.linspace(A_RANGE[0] + 1e-4, A_RANGE[1], n):
            b = float(f(a))
            if B_RANGE[0] <= b <= B_RANGE[1]:
                pts.append((a, b))
    else:
        for r in sp.solve(poly, alpha):
            a = float(r)
            if A_RANGE[0] < a < A_RANGE[1]:
                for b in np.linspace(B_RANGE[0], B_RANGE[1], n):
                    pts.append((a, b))
    for a, b in pts:
        na, nb = ga(a, b), gb(a, b)
        h = np.hypot(na, nb)
        e = 1e-6
        s1 = _in_phases(a + e * na / h, b + e * nb / h) if 2 * (a + e * na / h) + 2 * (b + e * nb / h) > 1 else []
        s2 = _in_phases(a - e * na / h, b - e * nb / h) if 2 * (a - e * na / h) + 2 * (b - e * nb / h) > 1 else []
        l1, l2 = (s1[0] if s1 else "outside"), (s2[0] if s2 else "outside")
        if l1 == l2:
            continue
        out.setdefault(tuple(sorted((l1, l2))), []).append((a, b))
    return out


def _draw_boundaries(ax, color="k", label=True):
    done_labels = set()
    for poly in list(BOUNDARY_POLYNOMIALS) + [_b_domain]:
        segs = _segments(poly)
        eq = _eq_str(poly)
        for pair, pts in segs.items():
            arr = np.array(pts)
            # split into contiguous runs
            order = np.argsort(arr[:, 0] if poly.has(beta) else arr[:, 1])
            arr = arr[order]
            key = arr[:, 0] if poly.has(beta) else arr[:, 1]
            dk = np.diff(key)
            gaps = np.flatnonzero(dk > 5 * np.median(dk) + 1e-9) + 1 if dk.size else np.array([], dtype=int)
            for run in np.split(arr, gaps):
                if len(run) < 2:
                    continue
                ls = "--" if poly is _b_domain else "-"
                ax.plot(run[:, 0], run[:, 1], color=color, lw=1.1, ls=ls, zorder=3)
        if label and eq not in done_labels and segs:
            done_labels.add(eq)
            allpts = np.array([p for v in segs.values() for p in v])
            _label_curve(ax, poly, allpts, _LATEX_EQ.get(eq, eq))


def _label_curve(ax, poly, pts, text):
    if poly.has(beta):
        s = sp.solve(poly, beta)[0]
        if s.has(alpha):  # slanted / diagonal line: label near its upper end
            k = int(0.85 * (len(pts) - 1)) if s.coeff(alpha) > 0 else int(0.12 * (len(pts) - 1))
            a, b = pts[np.argsort(pts[:, 0])][k]
            ang = np.degrees(np.arctan(float(sp.diff(s, alpha))))
            ax.annotate(text, (a, b), xytext=(4, 4 if ang > 0 else -12), textcoords="offset points",
                        fontsize=7, rotation=ang * 0.85, rotation_mode="anchor", zorder=5)
        else:  # horizontal line
            a = A_RANGE[1] - 0.02
            ax.annotate(text, (a, float(s)), xytext=(0, 3), textcoords="offset points", fontsize=7, ha="right",
                        zorder=5)
    else:
        a = pts[0, 0]
        y = B_RANGE[1] - 0.02 if "^2" not in text else 0.5 * (B_RANGE[1] + 0.5)
        ax.annotate(text, (a, y), xytext=(3, 0), textcoords="offset points", fontsize=7,
                    rotation=90, va="top", zorder=5,
                    bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.8))


def _label_point(mask):
    """A deep interior grid point of a mask (the middle one among the deepest)."""
    from scipy.ndimage import distance_transform_edt

    dist = distance_transform_edt(np.pad(mask, 1))[1:-1, 1:-1]
    ii, jj = np.nonzero(dist >= 0.9 * dist.max())
    k = len(ii) // 2
    order = np.lexsort((jj, ii))
    return ii[order[k]], jj[order[k]]


def phase_diagram_figure(optimizer: str = "sgd"):
    """The 4+3 phase diagram: shaded phases, labelled boundaries, invalid region hatched."""
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch, Polygon

    rows = {r.phase: r for r in theory.plrf.exponent_table(optimizer)}
    aa, bb, A, B = _grid()
    idx = _phase_index(A, B)
    names = [n for n, _, _ in _REGIONS]
    cmap = ListedColormap(["white"] + [PHASE_COLORS[n] for n in names])
    fig, ax = plt.subplots(figsize=(6.2, 5.4))
    ax.imshow(idx + 1, origin="lower", extent=(*A_RANGE, *B_RANGE), cmap=cmap, vmin=0, vmax=len(names),
              aspect="auto", interpolation="nearest", zorder=0)
    # universal d* ~ f^(1/2) region (hatched), as in the paper's Fig. 4(a)
    half = np.zeros(A.shape, dtype=bool)
    for k, n in enumerate(names):
        if sp.simplify(rows[n].xi - sp.Rational(1, 2)) == 0:
            half |= idx == k
    ax.contourf(A, B, half.astype(float), levels=[0.5, 1.5], colors="none", hatches=["///"], zorder=1)
    # invalid region 2a + 2b <= 1
    poly = Polygon([(0, 0), (0.5, 0), (0, 0.5)], closed=True, facecolor="0.8", edgecolor="0.4", hatch="xx",
                   zorder=2)
    ax.add_patch(poly)
    ax.text(0.09, 0.12, "invalid\n" + r"$2\alpha+2\beta<1$", fontsize=7, zorder=4)
    _draw_boundaries(ax)
    for k, n in enumerate(names):
        m = idx == k
        if not m.any():
            continue
        i, j = _label_point(m)
        ax.text(A[i, j], B[i, j], n, ha="center", va="center", fontsize=11, fontweight="bold", zorder=6)
    ax.set_xlim(*A_RANGE)
    ax.set_ylim(*B_RANGE)
    ax.set_xlabel(r"data exponent $\alpha$  (Cov$(x)=\mathrm{diag}(j^{-2\alpha})$)")
    ax.set_ylabel(r"target exponent $\beta$  ($b_j=j^{-\beta}$)")
    ax.set_title(f"PLRF compute-optimal phases ({optimizer.upper()})")
    handles = [Patch(facecolor=PHASE_COLORS[n], edgecolor="0.5",
                     label=f"{n}: " + " = ".join(t.replace('noise', 'K_pp-noise') for t in rows[n].balanced))
               for n in names]
    handles.append(Patch(facecolor="none", edgecolor="0.3", hatch="///", label=r"$d^\star\sim f^{1/2}$ (universal)"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7,
              title="phase: balanced terms", title_fontsize=7, frameon=False)
    return fig


def exponent_map_figure(quantity: str = "eta", optimizer: str = "sgd"):
    """Heat map of ``xi`` (``d* ~ f^xi``) or ``eta`` (``P* ~ f^-eta``) over the plane."""
    import matplotlib.pyplot as plt

    theory.validate.check_choice("quantity", quantity, ("xi", "eta"))
    xi, eta = theory.plrf.exponents_piecewise(optimizer)
    rows = theory.plrf.exponent_table(optimizer)
    aa, bb, A, B = _grid(400)
    idx = _phase_index(A, B)
    Z = np.full(A.shape, np.nan)
    for k, r in enumerate(rows):
        f = sp.lambdify((alpha, beta), r.xi if quantity == "xi" else r.eta, "numpy")
        m = idx == k
        Z[m] = np.broadcast_to(np.asarray(f(A[m], B[m]), dtype=float), A[m].shape)
    fig, ax = plt.subplots(figsize=(5.6, 4.6))
    pc = ax.pcolormesh(A, B, np.ma.masked_invalid(Z), shading="auto", cmap="viridis", zorder=0)
    cb = fig.colorbar(pc, ax=ax)
    cb.set_label(r"$\xi$  ($d^\star \propto f^{\xi}$)" if quantity == "xi" else r"$\eta$  ($P^\star \propto f^{-\eta}$)")
    levels = np.linspace(0.1, 1.0, 10) if quantity == "eta" else np.linspace(0.3, 0.7, 9)
    cs = ax.contour(A, B, Z, levels=levels, colors="w", linewidths=0.5, zorder=1)
    ax.clabel(cs, fontsize=6, fmt="%.2f")
    from matplotlib.patches import Polygon

    ax.add_patch(Polygon([(0, 0), (0.5, 0), (0, 0.5)], closed=True, facecolor="0.85", edgecolor="0.4",
                         hatch="xx", zorder=2))
    _draw_boundaries(ax, color="k", label=False)

    for k, r in enumerate(rows):
        m = idx == k
        if m.any():
            i, j = _label_point(m)
            ax.text(A[i, j], B[i, j], r.phase, ha="center", va="center", fontsize=9, color="w",
                    fontweight="bold", zorder=6)
    ax.set_xlim(*A_RANGE)
    ax.set_ylim(*B_RANGE)
    ax.set_xlabel(r"data exponent $\alpha$")
    ax.set_ylabel(r"target exponent $\beta$")
    ax.set_title((r"compute-optimal parameter exponent $\xi$" if quantity == "xi"
                  else r"compute-optimal loss exponent $\eta$") + f" ({optimizer.upper()})")
    return fig


def signsgd_exponent_map_figure(quantity: str = "eta", n: int = 80):
    """Heat map of signSGD's compute-optimal ``xi`` or ``eta`` over the plane.

    Each of the ``n x 1.2 n`` grid points solves signSGD's joint LP in model size and learning
    rate (:func:`theory.signsgd_exponents_at`, numeric fast path
    :func:`theory.signsgd_eta_numeric`); SGD's phase boundaries are drawn for reference (signSGD's
    own phases are the active sets of its LP).
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Polygon

    from theory._signsgd_exponents import signsgd_eta_numeric

    theory.validate.check_choice("quantity", quantity, ("xi", "eta"))
    n = theory.validate.check_int("grid", n, ge=4)
    aa, bb, A, B = _grid(n)
    Z = np.full(A.shape, np.nan)
    for i in range(A.shape[0]):
        for j in range(A.shape[1]):
            a, b = A[i, j], B[i, j]
            if 2 * a + 2 * b > 1 + 1e-9:
                eta_, xi_, _ = signsgd_eta_numeric(a, b)
                Z[i, j] = eta_ if quantity == "eta" else xi_
    fig, ax = plt.subplots(figsize=(5.6, 4.6))
    pc = ax.pcolormesh(A, B, np.ma.masked_invalid(Z), shading="auto", cmap="viridis", zorder=0)
    cb = fig.colorbar(pc, ax=ax)
    cb.set_label(r"$\xi$  ($d^\star \propto f^{\xi}$)" if quantity == "xi" else r"$\eta$  ($P^\star \propto f^{-\eta}$)")
    levels = np.linspace(0.1, 1.0, 10) if quantity == "eta" else np.linspace(0.3, 0.9, 13)
    # plateaus (xi = 1/2 exactly in Ia) sit on a level: round off LP noise, nudge the levels off them
    cs = ax.contour(A, B, np.round(Z, 10), levels=levels + 1e-7, colors="w", linewidths=0.5, zorder=1)
    ax.clabel(cs, fontsize=6, fmt="%.2f")
    ax.add_patch(Polygon([(0, 0), (0.5, 0), (0, 0.5)], closed=True, facecolor="0.85", edgecolor="0.4",
                         hatch="xx", zorder=2))
    _draw_boundaries(ax, color="0.3", label=False)
    ax.set_xlim(*A_RANGE)
    ax.set_ylim(*B_RANGE)
    ax.set_xlabel(r"data exponent $\alpha$")
    ax.set_ylabel(r"target exponent $\beta$")
    ax.set_title((r"compute-optimal parameter exponent $\xi$" if quantity == "xi"
                  else r"compute-optimal loss exponent $\eta$") + " (SIGNSGD; SGD phase lines)")
    return fig, Z


_SIGNSGD_COLORS = ["#9ecae1", "#c6dbef", "#fdd0a2", "#fdae6b", "#c7e9c0", "#a1d99b", "#dadaeb", "#bcbddc",
                   "#fcbba1", "#fc9272", "#d9d9d9", "#f7fcb9"]


def signsgd_phase_figure(n: int = 80, schedule: str = "constant"):
    """signSGD's own phase diagram: the regions of constant optimal LP vertex
    (:func:`theory.signsgd_phase_table`), each labelled and outlined from the grid; SGD's
    phase lines dotted for reference. The symbolic boundary curves are
    :func:`theory.signsgd_phase_boundaries` (a bisection over the whole domain, minutes of work,
    so the figure does not compute them)."""
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch, Polygon

    from theory._signsgd_phases import signsgd_phase_of, signsgd_phase_table

    n = theory.validate.check_int("grid", n, ge=4)
    table = signsgd_phase_table(schedule)
    names = [p.name for p in table]
    aa, bb, A, B = _grid(n)
    idx = np.full(A.shape, -1, dtype=int)
    for i in range(A.shape[0]):
        for j in range(A.shape[1]):
            a, b = A[i, j], B[i, j]
            if 2 * a + 2 * b > 1 + 1e-9:
                idx[i, j] = names.index(signsgd_phase_of(a, b, schedule))
    cols = [_SIGNSGD_COLORS[k % len(_SIGNSGD_COLORS)] for k in range(len(names))]
    fig, ax = plt.subplots(figsize=(6.4, 5.4))
    ax.imshow(idx + 1, origin="lower", extent=(*A_RANGE, *B_RANGE), cmap=ListedColormap(["white"] + cols),
              vmin=0, vmax=len(names), aspect="auto", interpolation="nearest", zorder=0)
    for k in range(len(names)):  # region edges
        ax.contour(A, B, (idx == k).astype(float), levels=[0.5], colors="k", linewidths=0.9, zorder=3)
    _draw_boundaries(ax, color="0.45", label=False)
    for ln in ax.lines:
        ln.set_linestyle(":")
        ln.set_linewidth(0.8)
    ax.add_patch(Polygon([(0, 0), (0.5, 0), (0, 0.5)], closed=True, facecolor="0.8", edgecolor="0.4", hatch="xx",
                         zorder=4))
    for k, nm in enumerate(names):
        m = idx == k
        if m.any():
            i, j = _label_point(m)
            ax.text(A[i, j], B[i, j], nm, ha="center", va="center", fontsize=9, fontweight="bold", zorder=6)
    handles = [Patch(facecolor=cols[k], edgecolor="0.5", label=f"{p.name}: {p.description}\n"
                     + r"$\eta=" + sp.latex(p.eta) + "$") for k, p in enumerate(table)]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=6,
              title="phase: defining terms", title_fontsize=6,
              frameon=False)
    ax.set_xlim(*A_RANGE)
    ax.set_ylim(*B_RANGE)
    ax.set_xlabel(r"data exponent $\alpha$")
    ax.set_ylabel(r"target exponent $\beta$")
    ax.set_title(f"signSGD compute-optimal phases ({schedule} rate; SGD's lines dotted)")
    return fig


def signsgd_slope_map_figure(which: str = "decay-constant", n: int = 60, decay_q: float = 0.5):
    """Map of ``eta_decay - eta_constant`` (signSGD) or ``eta_decay(signSGD) - eta(SGD)``
    (``which="decay-sgd"``; SGD's exponents are unchanged by a decay, see
    :func:`theory.signsgd_schedule_eta`), with the research note's Area Aa* outlined."""
    import matplotlib.pyplot as plt

    from theory._signsgd_schedule_exponents import schedule_slope_grid

    theory.validate.check_choice("which", which, ("decay-constant", "decay-sgd"))
    aa, bb, A, B = _grid(n)
    g = schedule_slope_grid(aa, bb, decay_q=decay_q)
    Z = g["decay_minus_constant"] if which == "decay-constant" else g["decay_minus_sgd"]
    fig, ax = plt.subplots(figsize=(5.8, 4.6))
    vmax = max(1e-3, float(np.nanmax(np.abs(Z))))
    pc = ax.pcolormesh(A, B, np.ma.masked_invalid(Z), shading="auto", cmap="RdBu_r", vmin=-vmax, vmax=vmax)
    fig.colorbar(pc, ax=ax).set_label(r"$\Delta\eta$")
    a_line = np.linspace(0.5001, A_RANGE[1], 200)
    ax.fill_between(a_line, np.maximum(0.5 - a_line, 0), (2 * a_line - 1) / (2 * (4 * a_line - 1)),
                    facecolor="none", edgecolor="k", hatch="//", lw=0.8, label="note's Area Aa*")
    _draw_boundaries(ax, color="0.3", label=False)
    ax.legend(loc="upper left", fontsize=7)
    ax.set_xlim(*A_RANGE)
    ax.set_ylim(*B_RANGE)
    ax.set_xlabel(r"data exponent $\alpha$")
    ax.set_ylabel(r"target exponent $\beta$")
    ttl = (r"signSGD: $\eta_{decay}-\eta_{constant}$" if which == "decay-constant"
           else r"$\eta_{decay}$(signSGD) $-\ \eta$(SGD)")
    ax.set_title(ttl + f" (q = {decay_q:g})")
    return fig, Z
