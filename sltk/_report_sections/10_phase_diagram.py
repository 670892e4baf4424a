"""Report section 10: the PLRF compute-optimal phase diagram and exponent table (SGD).

Everything here is computed from the SymPy derivation in :mod:`theory` when the report is
built: the phase regions, the LP exponents, the boundary continuity checks and the LRA
partition check. References: Paquette, Paquette, Xiao & Pennington (2024),
arXiv:2405.15074, Fig. 2, Fig. 4(a), Table 2.
"""

from __future__ import annotations

ORDER = 10
TITLE = "Phase diagram and compute-optimal exponents (PLRF, SGD)"

#: Relative build cost (the report's parallel driver starts the costliest sections first).
COST = 1.5


def build(ctx):
    import time

    import theory

    from .._output import figure_style, save_figure
    from .._figures.plrf import exponent_map_figure, phase_diagram_figure
    from .._report import Code, Figure, Table, Text

    t0 = time.perf_counter()
    blocks = [Text(
        "The asymptotic risk terms F_0, F_pp, F_ac and the SGD noise term are derived in SymPy from their "
        "spectral sums (sum -> integral -> substitution -> Gamma function); the compute-optimal exponents "
        "follow from a linear program in log space (d = f^xi, learning rate at its stable maximum "
        "gamma ~ 1/tr D), solved symbolically. Nothing below is typed in from the paper, whose Table 2 "
        "could not be read; see docs/theory.md."
    )]
    with figure_style():
        fig = phase_diagram_figure("sgd")
        fig.savefig(ctx.path("phase_diagram/phase_diagram.pdf"), bbox_inches="tight")
        save_figure(fig, ctx.path("phase_diagram/phase_diagram.png"))
        for q in ("xi", "eta"):
            save_figure(exponent_map_figure(q, "sgd"), ctx.path(f"phase_diagram/{q}_map.png"))
    blocks.append(Figure("phase_diagram/phase_diagram.png",
                         "Phases of compute-optimal SGD on PLRF in (alpha, beta); labels give the pair of terms "
                         "balanced at the compute optimum; hatched: d* ~ f^(1/2) (PDF: phase_diagram/phase_diagram.pdf)."))
    blocks.append(Figure("phase_diagram/xi_map.png", "Parameter exponent xi (d* ~ f^xi) over the plane."))
    blocks.append(Figure("phase_diagram/eta_map.png", "Loss exponent eta (P* ~ f^-eta) over the plane."))
    md = theory.plrf.format_exponent_table("sgd", "markdown")
    tex = theory.plrf.format_exponent_table("sgd", "latex")
    ctx.path("exponents.md").write_text(md + "\n")
    ctx.path("exponents.tex").write_text(tex + "\n")
    rows = theory.plrf.exponent_table("sgd")
    blocks.append(Table(["phase", "dominant terms", "balanced", "xi", "eta"],
                        [[r.phase, " + ".join(r.dominant_terms), " = ".join(r.balanced), str(r.xi), str(r.eta)]
                         for r in rows],
                        caption="Compute-optimal exponents per phase (exact; also exponents.md, exponents.tex)"))
    blocks.append(Code(tex, "latex"))
    bds = theory.plrf.phase_boundaries("sgd")
    blocks.append(Table(
        ["boundary", "phases", "extent", "eta continuous", "xi continuous", "xi jump (right - left)"],
        [[b.equation, " | ".join(b.phases), b.extent,
          "-" if b.eta_continuous is None else ("yes" if b.eta_continuous else "NO"),
          "-" if b.xi_continuous is None else ("yes" if b.xi_continuous else "no (jumps)"),
          "-" if b.xi_jump is None else str(b.xi_jump)] for b in bds],
        caption="Phase boundaries (symbolic continuity checks on each curve; 'outside' = domain edge)"))
    part = theory.plrf.check_phase_partition()
    blocks.append(Text(
        f"Partition check ({part.method}): phases pairwise disjoint: {part.disjoint}; cover the domain "
        f"2 alpha + 2 beta > 1 off the boundary curves: {part.covers}."))
    blocks.append(Text(f"Section built in {time.perf_counter() - t0:.1f} s."))
    if not part.ok or any(b.eta_continuous is False for b in bds):
        raise RuntimeError("phase partition or eta continuity check failed")
    return blocks
