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
#: one clearly distinct light hue per phase (ColorBrewer Set3 without its grey, which marks the invalid region)
_COLORS = ["#80b1d3", "#bebada", "#8dd3c7", "#fdb462", "#fb8072", "#b3de69", "#ffffb3", "#fccde5", "#e5c494",
           "#ccebc5", "#bc80bd", "#ffed6f", "#a6cee3"]
#: fine grid of the drawn phase regions (pixels along alpha); the phase of each pixel follows from the signs of
#: the exact boundary polynomials there and the coarse phase grid (see :func:`_fine_phases`)
_FINE = 500
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


_PHASE_CACHE: dict = {}


def _phases(optimizer, schedule, n):
    """The coarse phase grid (kept per (optimizer, schedule, n) for the figures of one process)."""
    aa, bb, A, B = _grid(n)
    key = (_name(optimizer), None if schedule is None else schedule.spec(), n)
    if key not in _PHASE_CACHE:
        g = theory.plrf.phase_grid(aa, bb, optimizer, schedule)
        _PHASE_CACHE[key] = (g["index"], g["names"])
    idx, names = _PHASE_CACHE[key]
    return aa, bb, A, B, idx.copy(), names


def _fine_phases(optimizer, schedule, n, nf: int = _FINE):
    """The phase of every pixel of a fine grid, drawn from the exact boundary curves.

    The phases are constant on each connected cell of the arrangement of the boundary polynomials
    (:func:`theory.plrf.boundary_curves`: their zero sets hold every boundary), so each cell takes
    the phase that the coarse grid (:func:`theory.plrf.phase_grid`) finds inside it; a cell with no
    coarse point takes the exact phase (:func:`theory.plrf.phase_of`) at its deepest pixel (at most 300
    look-ups, cells of 12 pixels or more), a smaller sliver the majority phase of the nearest coarse points over it. Where this disagrees with the coarse grid at more than
    1 % of its points (a boundary missing from the curves) the coarse map is used, upsampled.

    Returns ``(aa, bb, A, B, idx, names)`` on the fine grid and the coarse ``(aa, bb, idx)``.
    """
    from scipy import ndimage

    aa_c, bb_c, _, _, idx_c, names = _phases(optimizer, schedule, n)
    aa, bb, A, B = _grid(nf)
    inside = (A > 0) & (2 * A + 2 * B > 1)
    signs = [np.ones(A.shape, bool)]
    for poly in theory.plrf.boundary_curves(optimizer, schedule):
        with np.errstate(all="ignore"):
            v = np.asarray(sp.lambdify((alpha, beta), poly, "numpy")(A, B), dtype=float) * np.ones(A.shape)
        signs.append(v > 0)
    if len(signs) <= 62:  # each pixel's sign vector as one integer, first curve most significant: the same
        # cells in the same (lexicographic) order as np.unique(rows, axis=0), without its row sort (seconds)
        packed = np.zeros(A.shape, np.int64)
        for sg in signs:
            packed = (packed << 1) | sg
        code = np.unique(packed.ravel(), return_inverse=True)[1]
    else:
        code = np.unique(np.stack(signs, axis=-1).reshape(-1, len(signs)), axis=0, return_inverse=True)[1]
    code = code.reshape(A.shape)
    # coarse points -> their nearest fine pixels
    ic = np.clip(np.round((bb_c - bb[0]) / (bb[1] - bb[0])).astype(int), 0, bb.size - 1)
    jc = np.clip(np.round((aa_c - aa[0]) / (aa[1] - aa[0])).astype(int), 0, aa.size - 1)
    idx = np.full(A.shape, -1, dtype=int)
    ii = np.clip(np.searchsorted(bb_c, bb), 0, bb_c.size - 1)
    jj = np.clip(np.searchsorted(aa_c, aa), 0, aa_c.size - 1)
    ii = np.where((ii > 0) & (np.abs(bb_c[ii - 1] - bb) < np.abs(bb_c[ii] - bb)), ii - 1, ii)
    jj = np.where((jj > 0) & (np.abs(aa_c[jj - 1] - aa) < np.abs(aa_c[jj] - aa)), jj - 1, jj)
    up = idx_c[np.ix_(ii, jj)]  # the coarse map, nearest point
    # coarse points as (pixel row, pixel column, phase)
    PI, PJ = np.meshgrid(ic, jc, indexing="ij")
    pr, pc_, pv = PI.ravel(), PJ.ravel(), idx_c.ravel()
    keep = pv >= 0
    pr, pc_, pv = pr[keep], pc_[keep], pv[keep]
    min_px, budget = 12, [300]  # at most 300 exact look-ups
    trusted = np.zeros(A.shape, bool)  # pixels of cells whose phase was found (coarse points or exact look-up)
    cells, ask = [], []  # (slice, mask, votes, look-up number or -1); the look-up points
    for c, sl in enumerate(ndimage.find_objects(np.where(inside, code + 1, 0))):
        if sl is None:
            continue
        lab, m = ndimage.label((code[sl] == c) & inside[sl])
        r0, c0 = sl[0].start, sl[1].start
        sel = (pr >= r0) & (pr < sl[0].stop) & (pc_ >= c0) & (pc_ < sl[1].stop)
        p_lab = lab[pr[sel] - r0, pc_[sel] - c0]
        p_val = pv[sel]
        for comp in range(1, m + 1):
            mask = lab == comp
            votes = p_val[p_lab == comp]
            k = -1
            if not votes.size and mask.sum() >= min_px and budget[0] > 0:  # a cell between coarse points:
                budget[0] -= 1                                               # the exact phase at its deepest pixel
                i, j = _label_point(mask)
                k = len(ask)
                ask.append((float(A[sl][i, j]), float(B[sl][i, j])))
            cells.append((sl, mask, votes, k))
    if ask:  # all the exact look-ups in one call (the optimizer's vectorised phase map)
        got = theory.plrf.phases_at([p[0] for p in ask], [p[1] for p in ask], optimizer, schedule)["index"]
    for sl, mask, votes, k in cells:
        if k >= 0 and got[k] >= 0:
            votes = np.array([got[k]])
        if votes.size and mask.sum() >= min_px:  # a coarse point's nearest pixel may lie across a curve
            trusted[sl][mask] = True              # from it: a cell of a few pixels is never trusted
        else:  # a sliver: the coarse map's majority over it (until its neighbours decide, below)
            votes = up[sl][mask]
            votes = votes[votes >= 0]
        if votes.size:
            idx[sl][mask] = np.bincount(votes).argmax()
    if len(signs) <= 62 and trusted.any():
        idx = _merge_slivers(idx, packed, trusted, inside, len(signs))
    todo = inside & (idx < 0)
    if todo.any() and (~todo & inside).any():  # slivers: the nearest assigned pixel's phase
        _, (ni, nj) = ndimage.distance_transform_edt(todo | ~inside, return_indices=True)
        near = idx[ni, nj]
        filled = np.where(todo, near, idx)
        idx = np.where(inside, filled, -1)
    # the check: coarse points away from the drawn boundaries (a uniform 5 x 5 pixel neighbourhood)
    lo_f = ndimage.minimum_filter(idx, size=5, mode="nearest")
    hi_f = ndimage.maximum_filter(idx, size=5, mode="nearest")
    check = idx[np.ix_(ic, jc)]
    ok = (idx_c >= 0) & (lo_f == hi_f)[np.ix_(ic, jc)]
    if ok.any() and np.mean(check[ok] != idx_c[ok]) > 0.01:
        idx = np.where(inside, up, -1)
    return aa, bb, A, B, idx, names


def _merge_slivers(idx, packed, trusted, inside, nbits):
    """Give each sliver cell the phase of the trusted cell it belongs to once the curves that
    separate no two phases are dropped.

    Many boundary polynomials pass through the points where three phases meet; there their zero
    sets cut thin wedges (a few pixels, no coarse point inside) out of one phase, which the coarse
    map's staircase would colour with a neighbouring phase (stray pixels at the triple points). A
    curve is kept when two trusted cells whose sign vectors differ in that curve only have different
    phases; on the arrangement of the kept curves each connected cell that holds trusted pixels
    gives their majority phase to its untrusted pixels; a sliver left between two kept curves takes
    the phase of the nearest trusted pixel. Trusted pixels are never changed.
    """
    from scipy import ndimage

    codes = {}
    for p, v in np.unique(np.stack([packed[trusted], idx[trusted]]), axis=1).T:
        codes.setdefault(int(p), set()).add(int(v))
    real = 0
    for bit in range(nbits):
        m = 1 << bit
        if any((p ^ m) in codes and codes[p ^ m] != ph for p, ph in codes.items()):
            real |= m
    reduced = np.unique(packed & real, return_inverse=True)[1].reshape(idx.shape)
    out = idx.copy()
    done = trusted & inside
    for c, sl in enumerate(ndimage.find_objects(np.where(inside, reduced + 1, 0))):
        if sl is None:
            continue
        lab, n = ndimage.label((reduced[sl] == c) & inside[sl])
        tr, sub = trusted[sl], out[sl]
        for comp in range(1, n + 1):
            mask = lab == comp
            votes = sub[mask & tr]
            if votes.size and not tr[mask].all():
                sub[mask & ~tr] = np.bincount(votes).argmax()
                done[sl][mask] = True
    left = inside & ~done
    if left.any():  # a sliver between two kept curves (no trusted pixel in its cell): the nearest trusted pixel
        _, (ni, nj) = ndimage.distance_transform_edt(~done, return_indices=True)
        out = np.where(left, out[ni, nj], out)
    return out


def _equation(poly) -> str:
    p = sp.expand(poly)
    for q, txt in ((2 * beta - 1, "2*beta = 1"), (2 * alpha - 1, "2*alpha = 1"), (4 * alpha - 1, "4*alpha = 1"),
                   (beta - alpha, "beta = alpha"), (2 * alpha**2 - 4 * alpha + 1, "2*alpha**2 - 4*alpha + 1 = 0"),
                   (_DOMAIN, "2*alpha + 2*beta = 1")):
        if sp.expand(p - q) == 0 or sp.expand(p + q) == 0:
            return txt
    return f"{sp.factor(p)} = 0"


_BRANCHES: dict = {}


def _curve_branches(poly, n=1500):
    """The branches of ``poly = 0`` inside the window, each an array of points in order (solved for
    beta where it appears, else for alpha). Kept per ``(poly, n)`` for the figures of one process
    (read-only arrays)."""
    key = (poly, n)
    if key not in _BRANCHES:
        out = _solve_branches(poly, n)
        for arr in out:
            arr.flags.writeable = False
        _BRANCHES[key] = tuple(out)
    return list(_BRANCHES[key])


def _solve_branches(poly, n):
    out = []
    if poly.has(beta):
        aa = np.linspace(A_RANGE[0] + 1e-4, A_RANGE[1], n)
        for s in theory.solve_cached(poly, beta):  # (kept on disk: SymPy's solve costs ~0.1 s a curve)
            with np.errstate(all="ignore"):
                b = np.asarray(sp.lambdify(alpha, s, "numpy")(aa.astype(complex)), dtype=complex) * np.ones(n)
            ok = (np.abs(b.imag) < 1e-12) & (b.real >= B_RANGE[0]) & (b.real <= B_RANGE[1])
            if ok.sum() >= 2:
                out.append(np.column_stack([aa[ok], b.real[ok]]))
    else:
        for r in theory.solve_cached(poly, alpha):
            a = complex(r)
            if abs(a.imag) < 1e-12 and A_RANGE[0] < a.real < A_RANGE[1]:
                bb = np.linspace(B_RANGE[0], B_RANGE[1], n)
                out.append(np.column_stack([np.full(n, a.real), bb]))
    return out


def _side_index(aa, bb, idx, a, b):
    """The phase index of the fine-grid cell at each point ``(a, b)`` (arrays); -2 outside the domain."""
    i = np.clip(np.searchsorted(bb, b), 0, bb.size - 1)
    j = np.clip(np.searchsorted(aa, a), 0, aa.size - 1)
    return np.where((a > 0) & (2 * a + 2 * b > 1), idx[i, j], -2)


def _seg_length(seg) -> float:
    """Length of a polyline in axes fractions."""
    return float(np.sum(np.hypot(np.diff(seg[:, 0]) / np.ptp(A_RANGE), np.diff(seg[:, 1]) / np.ptp(B_RANGE))))


def _draw_boundaries(ax, curves, aa, bb, idx, *, eta_fns=None, color="k", label=True, ls="-", lw=1.1,
                     min_length: float = 0.03):
    """Draw each curve where it separates two phases: the phase index differs on its two sides (grid
    lookup 1.5 cells along the normal, on the fine map of :func:`_fine_phases`) and -- given
    ``eta_fns``, one per phase -- the two phases' loss exponents agree at the point (``eta`` is
    continuous across a true boundary, so a curve that only passes near one is rejected). Runs
    shorter than ``min_length`` (axes fractions) are dropped: they are corners, not boundaries."""
    da, db = aa[1] - aa[0], bb[1] - bb[0]
    for poly in list(curves) + [_DOMAIN]:
        ga = sp.lambdify((alpha, beta), sp.diff(poly, alpha), "numpy")
        gb = sp.lambdify((alpha, beta), sp.diff(poly, beta), "numpy")
        drawn = []
        for pts in _curve_branches(poly):  # every point of the branch at once
            a, b = pts[:, 0], pts[:, 1]
            with np.errstate(all="ignore"):
                na = np.broadcast_to(np.asarray(ga(a, b), dtype=float), a.shape)
                nb = np.broadcast_to(np.asarray(gb(a, b), dtype=float), a.shape)
                h = np.hypot(na / da, nb / db)
                e = np.where(h == 0, 0.0, 1.5 / np.where(h == 0, 1.0, h))
            s1 = _side_index(aa, bb, idx, a + e * na, b + e * nb)
            s2 = _side_index(aa, bb, idx, a - e * na, b - e * nb)
            on = (h != 0) & (s1 != s2) & (s1 != -1) & (s2 != -1)  # not the same phase, no point left unassigned
            on &= ((s1 == -2) | (s2 == -2)) == (poly is _DOMAIN)  # only the domain edge meets the outside
            if eta_fns is not None and poly is not _DOMAIN and on.any():
                with np.errstate(all="ignore"):
                    etas = np.array([np.broadcast_to(np.asarray(f(a, b), dtype=float), a.shape) for f in eta_fns])
                k = np.arange(a.size)
                e1, e2 = etas[np.clip(s1, 0, None), k], etas[np.clip(s2, 0, None), k]
                on &= np.abs(e1 - e2) <= 1e-7 * np.maximum(1.0, np.abs(e1))
            breaks = np.flatnonzero(np.diff(on.astype(int)) != 0) + 1
            for seg, flag in zip(np.split(pts, breaks), np.split(on, breaks)):
                if flag[0] and len(seg) >= 2 and _seg_length(seg) >= min_length:
                    ax.plot(seg[:, 0], seg[:, 1], color=color, lw=lw, ls="--" if poly is _DOMAIN else ls, zorder=3)
                    drawn.append(seg)
        if label and drawn and poly is not _DOMAIN:
            eq = _equation(poly)
            if eq in _LATEX_EQ:
                _label_curve(ax, poly, max(drawn, key=_seg_length), _LATEX_EQ[eq])


def _eta_fns(optimizer, schedule):
    return [sp.lambdify((alpha, beta), r.eta, "numpy") for r in theory.plrf.exponent_table(optimizer, schedule)]


_CURVE_LABEL = dict(fontsize=8.5, zorder=7, bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="0.6", lw=0.4,
                                                       alpha=0.9))


def _label_curve(ax, poly, pts, text):
    """Label a drawn boundary segment ``pts`` with its equation, on a white box above the hatching,
    placed on the segment (at 60 % of its length for slanted lines, near the right end for horizontal
    ones, 60 % up for vertical ones) and rotated along it."""
    pts = pts[np.lexsort((pts[:, 1], pts[:, 0]))]
    if poly.has(beta):
        s = theory.solve_cached(poly, beta)[0]
        if s.has(alpha):  # slanted line
            k = int(0.6 * (len(pts) - 1))
            a, b = pts[k]
            slope = complex(sp.lambdify(alpha, sp.diff(s, alpha), "numpy")(a)).real
            # on-screen angle: the slope in axes units times the axes' aspect
            w, h = ax.get_window_extent().width, ax.get_window_extent().height
            ang = np.degrees(np.arctan(slope * (np.ptp(A_RANGE) / np.ptp(B_RANGE)) * (h / w)))
            ax.annotate(text, (a, b), ha="center", va="center", rotation=ang, rotation_mode="anchor", **_CURVE_LABEL)
        else:  # horizontal line: near its right end
            a = min(float(pts[-1, 0]), A_RANGE[1]) - 0.03 * np.ptp(A_RANGE)
            ax.annotate(text, (a, float(s)), ha="right", va="center", **_CURVE_LABEL)
    else:  # vertical line: near its top; a second one close by (within 0.1 in alpha) near its bottom
        a = float(pts[0, 0])
        lo, hi = float(pts[:, 1].min()), float(pts[:, 1].max())
        near = [x for x in getattr(ax, "_sltk_vlabels", []) if abs(x - a) < 0.1]
        ax._sltk_vlabels = getattr(ax, "_sltk_vlabels", []) + [a]
        y, va = (hi - 0.03 * (hi - lo), "top") if len(near) % 2 == 0 else (lo + 0.03 * (hi - lo), "bottom")
        ax.annotate(text, (a, y), ha="center", va=va, rotation=90, **_CURVE_LABEL)


def _label_point(mask):
    """A deep interior grid point of a mask (the middle one among the deepest)."""
    from scipy.ndimage import distance_transform_edt

    dist = distance_transform_edt(np.pad(mask, 1))[1:-1, 1:-1]
    ii, jj = np.nonzero(dist >= 0.9 * dist.max())
    k = len(ii) // 2
    order = np.lexsort((jj, ii))
    return ii[order[k]], jj[order[k]]


def _text_fits(ax, t, aa, bb, mask) -> bool:
    """Whether the text ``t``'s box lies inside the axes and (sampled on a 5 x 3 lattice) in ``mask``."""
    fig = ax.figure
    r = fig.canvas.get_renderer()
    bb_t = t.get_window_extent(r).transformed(ax.transData.inverted())
    if bb_t.x0 < A_RANGE[0] or bb_t.x1 > A_RANGE[1] or bb_t.y0 < B_RANGE[0] or bb_t.y1 > B_RANGE[1]:
        return False
    mine = t.get_window_extent(r)
    for other in ax.texts:
        if other is not t and other.get_visible() and mine.overlaps(other.get_window_extent(r)):
            return False
    for x in np.linspace(bb_t.x0, bb_t.x1, 5):
        for y in np.linspace(bb_t.y0, bb_t.y1, 3):
            i = int(np.clip(np.searchsorted(bb, y), 0, bb.size - 1))
            j = int(np.clip(np.searchsorted(aa, x), 0, aa.size - 1))
            if not mask[i, j]:
                return False
    return True


def _label_phases(ax, aa, bb, A, B, idx, names, *, fontsize=10, color="k"):
    """Name each phase at a deep point of its region; a name too wide for its region is turned
    upright, then set smaller, so that it stays inside its own region. Returns the label positions."""
    out = []
    for k, nm in enumerate(names):
        m = idx == k
        if not m.any():
            continue
        i, j = _label_point(m)
        rows_j = np.flatnonzero(m[:, j])
        cands = [(i, j)] + [(int(rows_j[int(f * (rows_j.size - 1))]), j) for f in (0.3, 0.7, 0.15, 0.85)]
        kw = dict(ha="center", va="center", fontweight="bold", color=color, zorder=6)
        t = ax.text(A[i, j], B[i, j], nm, fontsize=fontsize, **kw)
        done = False
        for rot, fs in ((0, fontsize), (90, fontsize), (90, 0.8 * fontsize), (90, 0.65 * fontsize)):
            for ci, cj in cands:
                t.set_position((A[ci, cj], B[ci, cj]))
                t.set_rotation(rot)
                t.set_fontsize(fs)
                if _text_fits(ax, t, aa, bb, m):
                    i, j, done = ci, cj, True
                    break
            if done:
                break
        if not done:  # nothing fits: the deep point, upright, small
            t.set_position((A[i, j], B[i, j]))
        out.append((float(A[i, j]), float(B[i, j])))
    return out


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


def _display(optimizer) -> str:
    """The optimizer's class name for titles (``SGD``, ``SignSGD``)."""
    return theory.optimizer_class(optimizer).__name__


def _sched_text(schedule) -> str:
    return "" if schedule is None or schedule.is_constant else f", {schedule.spec()}"


# ============================================================================ maps
#: math names of the terms in the legends, and what each means (shown under the legend where used)
_TERM_MATH = {"F_0": r"$F_0$", "F_pp": r"$F_{pp}$", "F_ac": r"$F_{ac}$", "noise": r"$\mathcal{N}$",
              "noise iso": r"$\mathcal{N}_{\rm iso}$", "noise tail": r"$\mathcal{N}_{\rm tail}$", "J<d": r"$J<d$",
              "drift time": "drift time"}
_TERM_MEANING = {
    "F_0": r"$F_0$: risk of the best model of size $d$ (capacity limit)",
    "F_pp": r"$F_{pp}$: pure-point forcing (signal not yet learned)",
    "F_ac": r"$F_{ac}$: absolutely continuous forcing (embedding tail)",
    "noise": r"$\mathcal{N}$: the optimizer's noise (SGD: $\gamma^2 B\,K_{pp}{*}F_{pp}$;"
             "\n      signSGD: noise of the relaxed modes $j\\leq J$)",
    "noise iso": r"$\mathcal{N}_{\rm iso}$: isotropic sign noise, $\sqrt{P}\gtrsim\gamma J/s$",
    "noise tail": r"$\mathcal{N}_{\rm tail}$: unrelaxed modes $j>J$, $P\gtrsim\gamma^2 N\sum_{j>J} n_j$",
    "J<d": r"$J<d$: not all $d$ modes relax by the end ($J=\min(d,\tau^{1/(2\alpha)})$)",
    "drift time": r"drift time: the bound $\gamma s N\gtrsim 1$ is active",
}


def _legend_label(r) -> str:
    terms = list(r.balanced)
    loss = [t for t in terms if t.startswith(("F_", "noise"))]
    cons = [t for t in terms if t not in loss]
    txt = " = ".join(_TERM_MATH.get(t, t) for t in loss)
    if cons:
        txt += "; " + ", ".join(_TERM_MATH.get(t, t) for t in cons)
    return f"{r.phase}: {txt}"


def phase_diagram_figure(optimizer="sgd", schedule=None, n: int | None = None):
    """The optimizer's compute-optimal phase diagram: shaded phases, exact labelled boundaries,
    the ``d* ~ f^(1/2)`` region hatched, the invalid region marked; the legend names the terms
    balanced in each phase (math, as on the axes) and says what each term is."""
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    n = _default_n(optimizer, n)
    rows = theory.plrf.exponent_table(optimizer, schedule)
    aa, bb, A, B, idx, names = _fine_phases(optimizer, schedule, n)
    cols = [_COLORS[k % len(_COLORS)] for k in range(len(names))]
    fig, ax = plt.subplots(figsize=(6.2, 5.4))
    ax.imshow(idx + 1, origin="lower", extent=(*A_RANGE, *B_RANGE), cmap=ListedColormap(["white"] + cols), vmin=0,
              vmax=len(names), aspect="auto", interpolation="nearest", zorder=0)
    half = np.zeros(A.shape, dtype=bool)
    for k, r in enumerate(rows):
        if r.xi is not sp.nan and sp.simplify(r.xi - sp.Rational(1, 2)) == 0:
            half |= idx == k
    if half.any():
        with plt.rc_context({"hatch.color": "0.35", "hatch.linewidth": 0.6}):
            ax.contourf(A, B, half.astype(float), levels=[0.5, 1.5], colors="none", hatches=["///"], zorder=1)
    _invalid(ax)
    _axes(ax, f"PLRF compute-optimal phases ({_display(optimizer)}{_sched_text(schedule)})")
    _draw_boundaries(ax, theory.plrf.boundary_curves(optimizer, schedule), aa, bb, idx,
                     eta_fns=_eta_fns(optimizer, schedule))
    _label_phases(ax, aa, bb, A, B, idx, names)
    present = [k for k in range(len(rows)) if (idx == k).any()]
    handles = [Patch(facecolor=cols[k], edgecolor="0.5", label=_legend_label(rows[k])) for k in present]
    if half.any():
        handles.append(Patch(facecolor="none", edgecolor="0.3", hatch="///", label=r"hatched: $d^\star\sim f^{1/2}$"))
    leg = ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7.5,
                    title="phase: terms balanced at the optimum", title_fontsize=7.5, frameon=False)
    used = [t for k in present for t in rows[k].balanced]
    glossary = [_TERM_MEANING[t] for t in _TERM_MEANING if t in used]
    if glossary:
        ax.text(1.03, 0.0, "\n".join(glossary), transform=ax.transAxes, fontsize=6.5, va="bottom", ha="left")
    return fig


def _place_clabels(cs, avoid, margin=0.06):
    """One label position per contour level: the vertex farthest from the axes edges and from the
    points in ``avoid`` (phase labels), in axes fractions, so no label is clipped or covers a name."""
    pos = []
    av = np.array([((x - A_RANGE[0]) / np.ptp(A_RANGE), (y - B_RANGE[0]) / np.ptp(B_RANGE)) for x, y in avoid]
                  ).reshape(-1, 2)
    for segs in cs.allsegs:
        pts = [p for seg in segs for p in seg]
        if not pts:
            continue
        P = np.asarray(pts)
        u = np.column_stack([(P[:, 0] - A_RANGE[0]) / np.ptp(A_RANGE), (P[:, 1] - B_RANGE[0]) / np.ptp(B_RANGE)])
        edge = np.minimum.reduce([u[:, 0], 1 - u[:, 0], u[:, 1], 1 - u[:, 1]])
        score = np.minimum(edge, 0.15)
        ref = np.vstack([av] + ([np.asarray(pos)] if pos else []))
        if len(ref):
            dist = np.min(np.hypot(u[:, None, 0] - ref[None, :, 0], u[:, None, 1] - ref[None, :, 1]), axis=1)
            score = score + np.minimum(dist, 0.15)
        ok = edge > margin
        if not ok.any():
            continue
        k = int(np.argmax(np.where(ok, score, -np.inf)))
        pos.append(tuple(u[k]))
    return [(A_RANGE[0] + x * np.ptp(A_RANGE), B_RANGE[0] + y * np.ptp(B_RANGE)) for x, y in pos]


def _annotate_xi_jumps(ax, optimizer, schedule):
    """Mark each boundary where ``xi`` jumps (symbolic ``xi_jump``, right minus left) with the jump."""
    for bd in theory.plrf.phase_boundaries(optimizer, schedule):
        if bd.xi_continuous is not False or bd.xi_jump is None or bd.polynomial is None:
            continue
        branches = _curve_branches(bd.polynomial)
        if not branches:
            continue
        pts = branches[0]
        b0 = 0.72 * B_RANGE[1]
        k = int(np.argmin(np.abs(pts[:, 1] - b0)))
        a0, b0 = pts[k]
        # the jump measured on the two sides (a small step along the normal), named by phase
        na = float(sp.diff(bd.polynomial, alpha).subs({alpha: a0, beta: b0}))
        nb = float(sp.diff(bd.polynomial, beta).subs({alpha: a0, beta: b0}))
        h = 4e-3 / max(np.hypot(na, nb), 1e-12)
        sides = []
        for sgn in (1, -1):
            pa, pb = a0 + sgn * h * na, b0 + sgn * h * nb
            xi_v = float(theory.plrf.exponent_grid([pa], [pb], optimizer, schedule)["xi"][0, 0])
            sides.append((theory.plrf.phase_of(pa, pb, optimizer, schedule).name, xi_v))
        (p1, x1), (p2, x2) = sorted(sides, key=lambda z: z[1])
        ax.annotate(rf"$\xi$ jumps across this boundary:" + "\n"
                    + rf"$\xi$({p2}) $-$ $\xi$({p1}) $= {x2 - x1:.3f}$ at $\beta={b0:.2f}$",
                    (a0, b0), xytext=(a0 + 0.2, b0 + 0.1), fontsize=7, zorder=8, ha="left",
                    arrowprops=dict(arrowstyle="->", color="k", lw=0.8),
                    bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="0.5", lw=0.5))


def exponent_map_figure(quantity: str = "eta", optimizer="sgd", schedule=None, n: int | None = None):
    """Heat map of ``xi`` (``d* ~ f^xi``), ``eta`` (``P* ~ f^-eta``) or ``e`` (``gamma* ~ d*^-e``), with
    labelled contours placed clear of the edges and of the phase names, and (``xi``) each jump of
    ``xi`` across a boundary annotated."""
    import matplotlib.pyplot as plt

    check_choice("quantity", quantity, ("xi", "eta", "e"))
    n = _default_n(optimizer, n)
    aa_c, bb_c, A_c, B_c, _, names = _phases(optimizer, schedule, n)
    aa, bb, A, B, idx, _ = _fine_phases(optimizer, schedule, n)
    Z = theory.plrf.exponent_grid(aa_c, bb_c, optimizer, schedule)[quantity]
    fig, ax = plt.subplots(figsize=(5.6, 4.6))
    pc = ax.pcolormesh(A_c, B_c, np.ma.masked_invalid(Z), shading="auto", cmap="viridis", zorder=0)
    label = {"xi": r"$\xi$  ($d^\star \propto f^{\xi}$)", "eta": r"$\eta$  ($P^\star \propto f^{-\eta}$)",
             "e": r"$e$  ($\gamma^\star \propto d^{\star\,-e}$)"}[quantity]
    fig.colorbar(pc, ax=ax).set_label(label)
    what = {"xi": r"parameter exponent $\xi$", "eta": r"loss exponent $\eta$", "e": r"learning-rate exponent $e$"}
    _axes(ax, f"compute-optimal {what[quantity]} ({_display(optimizer)}{_sched_text(schedule)})")
    _invalid(ax, face="0.85", text=False)
    _draw_boundaries(ax, theory.plrf.boundary_curves(optimizer, schedule), aa, bb, idx, label=False,
                     eta_fns=_eta_fns(optimizer, schedule))
    spots = _label_phases(ax, aa, bb, A, B, idx, names, fontsize=8, color="w")
    fin = Z[np.isfinite(Z)]
    if fin.size and np.ptp(fin) > 1e-9:
        levels = np.linspace(np.floor(fin.min() * 10) / 10, np.ceil(fin.max() * 10) / 10, 11)
        cs = ax.contour(A_c, B_c, np.round(Z, 10), levels=levels + 1e-7, colors="w", linewidths=0.5, zorder=1)
        ax.clabel(cs, fontsize=6, fmt=lambda v: f"{v - 1e-7:.2f}", manual=_place_clabels(cs, spots), inline=True)
    if quantity == "xi":
        _annotate_xi_jumps(ax, optimizer, schedule)
    return fig


def slope_difference_figure(optimizers=("signsgd", "sgd"), schedule=None, n: int = 41, phase_n: int | None = None):
    """Map of ``eta_first - eta_second`` with the first optimizer's phases (boundaries and names).

    The colour scale spans the data: diverging about 0 when the difference takes both signs,
    sequential from 0 otherwise; the invalid region is hatched grey, distinct from a zero difference.
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import Normalize, TwoSlopeNorm

    first, second = (_name(o) for o in optimizers)
    n = check_int("grid", n, ge=4)
    aa_c, bb_c, A_c, B_c = _grid(n)
    aa, bb, A, B, idx, names = _fine_phases(first, schedule, _default_n(first, phase_n))
    g = theory.plrf.slope_difference_grid(aa_c, bb_c, (first, second), schedule)
    Z = g["difference"]
    fig, ax = plt.subplots(figsize=(5.8, 4.6))
    fin = Z[np.isfinite(Z)]
    lo = float(fin.min()) if fin.size else 0.0
    hi = float(fin.max()) if fin.size else 1e-3
    tiny = 1e-6
    if lo < -tiny and hi > tiny:
        norm, cmap = TwoSlopeNorm(0.0, lo, hi), "RdBu_r"
    elif hi > tiny:
        norm, cmap = Normalize(0.0, hi), "Reds"
    else:
        norm, cmap = Normalize(min(lo, -1e-3), 0.0), "Blues_r"
    ax.set_facecolor("0.7")  # cells without a value are the invalid region's grey, not a colour of the scale
    pc = ax.pcolormesh(A_c, B_c, np.ma.masked_invalid(Z), cmap=cmap, norm=norm, shading="auto")
    f_, s_ = (theory.optimizer_class(o).__name__ for o in (first, second))
    fig.colorbar(pc, ax=ax).set_label(rf"$\eta_{{\rm {f_}}} - \eta_{{\rm {s_}}}$  (> 0: {f_} scales faster)")
    _axes(ax, f"compute-optimal loss exponent: {f_} minus {s_}{_sched_text(schedule)}")
    _invalid(ax, face="0.7", text=True)
    _draw_boundaries(ax, theory.plrf.boundary_curves(first, schedule), aa, bb, idx, color="0.15", label=False, lw=0.8,
                     eta_fns=_eta_fns(first, schedule))
    _label_phases(ax, aa, bb, A, B, idx, names, fontsize=7)
    return fig, Z


def decay_gain_figure(optimizer="signsgd", schedule=None, n: int = 60, measured=(), regions: bool = False,
                      b_max: float = 2.25):
    """Map of the derived slope gain ``eta(schedule) - eta(constant)`` of one optimizer (learning rate
    re-optimised per budget under each, :func:`theory.plrf.decay_gain_map`), with the research note's
    Area Aa* (large alpha, small beta: where the signSGD literature, Kim, Song & Yun 2026, claims that a
    decay raises the slope, and where the derivation here finds no gain) outlined and measured
    points (``measured``: dicts with ``alpha``, ``beta``, ``measured_gain``, ``interval``) overlaid as
    markers coloured on the same scale, labelled with measured/derived.

    The beta axis runs to ``b_max`` (default 2.25, so that S-VI, where signSGD gains, is in view), both
    axes further where a measured point lies outside. A measured point that carries an
    ``asymptotic_gain`` (the gain between the parts the theory keeps) shows it in its label.
    Returns ``(fig, Z)``, or ``(fig, Z, regions)`` with ``regions=True``.
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import Normalize, TwoSlopeNorm
    from matplotlib.patches import Patch

    sched = theory.WSD(decay=0.2) if schedule is None else theory.as_schedule(schedule)
    n = check_int("grid", n, ge=4)
    a_max = max([A_RANGE[1]] + [m["alpha"] + 0.1 for m in measured])
    b_max = max([b_max] + [m["beta"] + 0.15 for m in measured])
    aa = np.linspace(A_RANGE[0] + 1e-4, a_max, int(round(n * a_max / A_RANGE[1])))
    bb = np.linspace(B_RANGE[0] + 1e-4, b_max, int(round(n * 1.2 * b_max / B_RANGE[1])))
    A, B = np.meshgrid(aa, bb)
    g = theory.plrf.decay_gain_map(aa, bb, optimizer, sched)
    Z = np.where(np.abs(g["gain"]) < 5e-5, 0.0, g["gain"])
    fig, ax = plt.subplots(figsize=(5.8, 5.1 + 0.1 * len(measured)))
    vals = [abs(m["measured_gain"]) for m in measured if np.isfinite(m["measured_gain"])]
    vmax = max([1e-3, float(np.nanmax(np.abs(Z)))] + vals)
    pc = ax.pcolormesh(A, B, np.ma.masked_invalid(Z), shading="auto", cmap="RdBu_r", vmin=-vmax, vmax=vmax)
    fig.colorbar(pc, ax=ax).set_label(r"$\Delta\eta$ (decay minus constant)")
    a_line = np.linspace(0.5001, a_max, 200)
    ax.fill_between(a_line, np.maximum(0.5 - a_line, 0), (2 * a_line - 1) / (2 * (4 * a_line - 1)),
                    facecolor="none", edgecolor="k", hatch="//", lw=0.8, label="Area Aa*: gain claimed in the literature,\nnone derived here")
    _invalid(ax, face="0.85", text=False)
    _draw_gain_boundaries(ax, g, Z)
    lines = []
    for k, m in enumerate(measured):
        ax.scatter([m["alpha"]], [m["beta"]], c=[m["measured_gain"]], cmap="RdBu_r", vmin=-vmax, vmax=vmax, s=70,
                   marker="o" if m.get("agree") else "X", edgecolors="k", linewidths=1.0, zorder=5,
                   label=("measured (o agrees, X not)" if k == 0 else None))
        lo, hi = m["interval"]
        # a number at the marker, the numbers in a list under the axes (labels at the markers collide)
        ax.annotate(str(k + 1), (m["alpha"], m["beta"]), xytext=(5, 4), textcoords="offset points", fontsize=7,
                    zorder=6, bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.75))
        text = f"{k + 1:>2} ({m['alpha']:g}, {m['beta']:g}): measured {m['measured_gain']:+.3f} [{lo:+.3f},{hi:+.3f}]"
        if m.get("asymptotic_gain") is not None:
            alo, ahi = m["asymptotic_interval"]
            text += f"  asympt. {m['asymptotic_gain']:+.3f} [{alo:+.3f},{ahi:+.3f}]"
        lines.append(text + f"  derived {m['derived_gain']:+.3f}")
    leg = ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, fontsize=6.5, frameon=False)
    if lines:
        ax.annotate("\n".join(lines), (0.0, 0.0), xycoords=leg, xytext=(0, -4), textcoords="offset points",
                    va="top", ha="left", fontsize=5.8, family="monospace")
    p = sched.end_decay_power()
    q = "" if p is None else (rf"ending like $(1-k/N)^p$, $p={float(p):g}$: a relaxed mode keeps the share "
                              rf"$(\mu\tau)^{{-q}}$ of its noise, $q=p/(p+1)={float(p) / (float(p) + 1):.2g}$")
    _axes(ax, f"{_name(optimizer)}: derived slope gain of {sched.name}\n{q}")
    ax.set_title(ax.get_title(), fontsize=8.5)
    ax.set_ylim(B_RANGE[0], b_max)
    ax.set_xlim(A_RANGE[0], a_max)
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
        ax.set_title(rf"{_display(fr.optimizer)}, $\alpha={fr.alpha:g}$, $\beta={fr.beta:g}$"
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
        if not fr.window_centers.size:  # say why the panel has no markers instead of leaving it blank
            bx.set_xscale("log")
            bx.set_xlim(float(fr.flops.min()), float(fr.flops.max()))
            bx.text(0.5, 0.5, f"no local slope: {int(edge.sum())} of {edge.size} budgets have\n"
                    "their minimiser at the edge of the size grid", transform=bx.transAxes, ha="center",
                    va="center", fontsize=8, bbox=dict(fc="white", ec="0.6", lw=0.5))
        if fr.window_centers.size:  # labelled ticks at 1, 2, 5 x 10^k only: no crowded minor labels
            from matplotlib.ticker import LogLocator

            bx.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
            bx.xaxis.set_minor_formatter(NullFormatter())
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
