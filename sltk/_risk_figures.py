"""Figure recipes for PLRF risk curves and compute-optimal frontiers (paper-style)."""

from __future__ import annotations

import numpy as np

from ._output import figure_style, save_figure

__all__ = ["risk_curve_figure", "frontier_figure", "signsgd_frontier_figure", "theory_terms_on"]

_TERM_LABEL = {"F_0": r"$F_0$", "F_pp": r"$F_{pp}$", "F_ac": r"$F_{ac}$", "noise": r"$\gamma^2 B K_{pp} * F_{pp}$"}


def theory_terms_on(problem, optimizer, steps):
    """``(terms, estimate)`` of ``theory.plrf.asymptotic_terms`` / ``asymptotic_risk`` on ``steps >= 1``.

    Returns ``(None, None)`` when the theory layer has no terms for this optimizer.
    """
    import theory

    r = np.asarray(steps, dtype=float)
    r = r[r >= 1]
    try:
        terms = [(t.name, t.applies, t(r)) for t in theory.plrf.asymptotic_terms(problem, optimizer)]
        est = theory.plrf.asymptotic_risk(problem, optimizer, r)
    except (AttributeError, theory.ParameterError, theory.StabilityError):
        return None, None
    return (r, terms), (r, np.asarray(est, dtype=float))


def risk_curve_figure(curves, path, *, labels=None, terms=None, estimates=None, title=None):
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
            ax.loglog(c.steps[s], c.risk[s], color=color, lw=1.8, label=lab or f"Volterra ({c.spectrum_kind})")
            if estimates[i] is not None:
                r, est = estimates[i]
                ax.loglog(r, est, color=color, ls="--", lw=1.0,
                          label="asymptotic estimate" if i == 0 else None)
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
        ax.set_xlabel(r"SGD steps $r$")
        ax.set_ylabel(r"expected risk $\mathcal{P}(r)$ (MSE)")
        if title:
            ax.set_title(title)
        ax.legend(loc="lower left")
        return save_figure(fig, path)


def frontier_figure(fr, path):
    """Two panels: IsoFLOP risk curves with the frontier ``P*(f)``, and local slopes vs theory."""
    import matplotlib.pyplot as plt
    from matplotlib import cm, colors

    with figure_style():
        fig, (ax, bx) = plt.subplots(1, 2, figsize=(9.6, 3.8))
        norm = colors.LogNorm(vmin=fr.d_grid.min(), vmax=fr.d_grid.max())
        cmap = plt.get_cmap("viridis")
        for k, dd in enumerate(fr.d_grid):
            col = fr.risk[:, k]
            ok = np.isfinite(col)
            if ok.sum() > 1:
                ax.loglog(fr.flops[ok], col[ok], color=cmap(norm(dd)), lw=0.8, alpha=0.8)
        ax.loglog(fr.flops, fr.p_star, color="k", lw=2.0, label=r"frontier $P^*(f)$")
        ax.set_xlabel(r"compute $f = d\,r\,B$ (flops)")
        ax.set_ylabel(r"risk $\mathcal{P}$")
        sm = cm.ScalarMappable(norm=norm, cmap=cmap)
        fig.colorbar(sm, ax=ax, label=r"parameters $d$")
        ax.legend(loc="lower left")
        ax.set_title(rf"$\alpha={fr.alpha:g}$, $\beta={fr.beta:g}$" + (f" (phase {fr.phase})" if fr.phase else ""))
        if fr.window_centers.size:
            bx.semilogx(fr.window_centers, fr.eta_local, "o-", color="C0", ms=3, label=r"local $\eta$ (loss)")
            bx.semilogx(fr.window_centers, fr.xi_local, "s-", color="C1", ms=3, label=r"local $\xi$ (params)")
        if fr.eta_theory is not None:
            bx.axhline(fr.eta_theory, color="C0", ls="--", lw=1.0, label=r"symbolic $\eta$")
        if fr.xi_theory is not None:
            bx.axhline(fr.xi_theory, color="C1", ls="--", lw=1.0, label=r"symbolic $\xi$")
        bx.set_xlabel(r"compute $f$ (window centre)")
        bx.set_ylabel("exponent")
        bx.legend(loc="best")
        fig.tight_layout()
        return save_figure(fig, path)


def signsgd_frontier_figure(out: dict, path):
    """Three panels for ``sltk frontier --optimizer signsgd``: ``P*(f)`` with ``d*(f)`` (learning
    rate optimised per budget; open markers: minimiser at the lattice edge), the local slopes
    against the symbolic exponents of signSGD, and ``gamma*`` against ``d*`` with the fitted and
    the symbolic ``e`` of ``gamma* ~ d*^-e``."""
    import matplotlib.pyplot as plt

    f = np.asarray(out["flops"], float)
    edge = np.asarray(out.get("at_edge", np.zeros(f.size, bool)), bool)
    d_star, lrs = np.asarray(out["d_star"], float), np.asarray(out["lrs"], float)
    with figure_style():
        fig, (ax, bx, cx) = plt.subplots(1, 3, figsize=(13.5, 3.8))
        ax.loglog(f, out["p_star"], color="k", lw=2.0, label=r"frontier $P^*(f)$ (min over $d$, $\gamma$)")
        ax.set_xlabel(r"compute $f = d\,r$ (flops)")
        ax.set_ylabel(r"risk $\mathcal{P}$")
        ax2 = ax.twinx()
        ax2.loglog(f[~edge], d_star[~edge], "o", color="C2", ms=3, label=r"$d^*(f)$")
        if edge.any():
            ax2.loglog(f[edge], d_star[edge], "o", mfc="none", color="C2", ms=4, label=r"$d^*$ at lattice edge")
        ax2.set_ylabel(r"optimal parameters $d^*$")
        h1, l1 = ax.get_legend_handles_labels()
        h2, l2 = ax2.get_legend_handles_labels()
        ax.legend(h1 + h2, l1 + l2, loc="upper right", fontsize=7)
        ax.set_title(rf"signSGD, $\alpha={out['alpha']:g}$, $\beta={out['beta']:g}$"
                     + (f" (phase {out['phase']})" if out.get("phase") else ""))
        wc = np.asarray(out["window_centers"], float)
        if wc.size:
            bx.semilogx(wc, out["eta_local"], "o-", color="C0", ms=3, label=r"local $\eta$ (loss)")
            bx.semilogx(wc, out["xi_local"], "s-", color="C1", ms=3, label=r"local $\xi$ (params)")
        if out.get("eta_theory") is not None:
            bx.axhline(out["eta_theory"], color="C0", ls="--", lw=1.0, label=r"symbolic $\eta$ (signSGD)")
        if out.get("xi_theory") is not None:
            bx.axhline(out["xi_theory"], color="C1", ls="--", lw=1.0, label=r"symbolic $\xi$ (signSGD)")
        bx.set_xlabel(r"compute $f$ (window centre)")
        bx.set_ylabel("exponent")
        bx.legend(loc="best", fontsize=7)
        cx.loglog(d_star[~edge], lrs[~edge], "o", color="C3", ms=3, label=r"$\gamma^*$ vs $d^*$")
        if edge.any():
            cx.loglog(d_star[edge], lrs[edge], "o", mfc="none", color="C3", ms=4, label="at lattice edge")
        inner = ~edge
        e_m, e_t = out.get("e_measured"), out.get("e_theory")
        if inner.sum() >= 2 and e_m is not None and np.isfinite(e_m):
            x0, y0 = d_star[inner][-1], lrs[inner][-1]
            xs = np.geomspace(d_star[inner].min(), d_star[inner].max(), 2)
            cx.loglog(xs, y0 * (xs / x0) ** -e_m, "-", color="C3", lw=1.0, label=rf"fit $e={e_m:.3f}$")
            if e_t is not None:
                cx.loglog(xs, y0 * (xs / x0) ** -float(e_t), "--", color="0.4", lw=1.0,
                          label=rf"symbolic $e={float(e_t):.3f}$")
        from matplotlib.ticker import NullFormatter

        cx.xaxis.set_minor_formatter(NullFormatter())
        cx.set_xlabel(r"$d^*$")
        cx.set_ylabel(r"optimal learning rate $\gamma^*$")
        cx.legend(loc="best", fontsize=7)
        fig.tight_layout()
        return save_figure(fig, path)
