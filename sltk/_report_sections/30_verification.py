"""Report section 30: theory <-> numerics <-> simulation checks, one PLRF point per phase.

For one (alpha, beta) in each of the phases Ia, II, III and IVa: simulated SGD (R runs on one
sampled W), the exact expected risk of that W, the deterministic-equivalent Volterra curve and
the asymptotic theory, compared by the checks of :mod:`verification` (tolerances derived from
R and from the spread over further sampled W). References: Paquette, Paquette, Xiao &
Pennington (2024), arXiv:2405.15074, Sec. 2-3; docs/verification.md.
"""

from __future__ import annotations

ORDER = 30
TITLE = "Verification: simulation vs exact risk vs Volterra vs theory (one point per phase)"

#: Relative build cost (the report's parallel driver starts the costliest sections first).
COST = 3

#: (phase, alpha, beta): one interior point per phase, as in the paper's Fig. 4 traverse at alpha = 0.7.
POINTS = (("Ia", 0.7, 0.3), ("II", 1.0, 0.7), ("III", 0.7, 1.2), ("IVa", 0.4, 0.7))


def _fmt(x) -> str:
    import math

    if x is None:
        return "-"
    if isinstance(x, float) and not math.isfinite(x):
        return "n/a"
    return f"{x:.4g}"


def build(ctx):
    import json
    import time

    import theory
    import verification

    from .._progress import enabled

    from .._output import save_figure, to_jsonable
    from .._report import Figure, Table, Text
    from .._figures.plrf import verification_grid

    d, steps, runs, n_w = (64, 1000, 16, 8) if ctx.fast else (256, 10_000, 32, 16)
    sampler = "features"  # each sample's (d + 1) features and target drawn from their Gaussian law: the same
    # runs in law as drawing x in v = 4d dimensions, at about a quarter of the cost (simulate_plrf)
    t0 = time.perf_counter()
    results = []
    for phase, a, b in POINTS:
        problem = theory.plrf.PLRF(alpha=a, beta=b, v=4 * d, d=d)
        lr = verification.default_lr(problem, theory.SGD(lr=1.0), seed=ctx.seed)
        results.append(verification.verify(
            problem, theory.SGD(lr=lr), steps=steps, runs=runs, seed=ctx.seed, backend="auto",
            n_points=30 if ctx.fast else 40, n_instances=n_w, progress=enabled(), sampler=sampler))
    elapsed = time.perf_counter() - t0

    blocks = [Text(
        f"Each point: d = {d}, v = 4d, batch 1, constant learning rate at half the largest stable rate of the "
        f"sampled W (kernel norm ||K|| < 1), horizon N = {steps}, R = {runs} simulated runs on backend "
        f"'{results[0].simulation.backend}' (each sample's features W^T x and target b^T x drawn from their "
        "Gaussian law N(0, A^T A), A = [D^(1/2) W, D^(1/2) b]: the runs have the law of the paper's x ~ N(0, D) in "
        f"v dimensions at (d + 1)/v of the cost; verification.simulate_plrf(sampler='features')), {n_w} further sampled W for the concentration error bars. "
        "Curve checks report max_r |difference| / allowed band (pass if <= 1); slope checks compare log-log "
        "slopes of the excess risk P(r) - P(limit); the slope against the leading-order theory is informative "
        "('info': its finite-size allowance is not derived), only the one against the numerics has a verdict. Every tolerance is written next to its check (docs/verification.md)."
    )]
    rows = []
    for (phase, a, b), res in zip(POINTS, results):
        for c in res.checks:
            rows.append([f"{phase} ({a:g}, {b:g})", c.name, _fmt(c.theory), _fmt(c.numerics), _fmt(c.exact),
                         _fmt(c.simulation), _fmt(c.error_bar), _fmt(c.deviation), _fmt(c.tolerance),
                         c.verdict])
    n_fail = sum(c.verdict == "FAIL" for r in results for c in r.checks)
    blocks.append(Table(
        ["point (alpha, beta)", "check", "theory", "numerics", "exact(W)", "simulation", "error bar", "deviation",
         "tolerance", "result"], rows,
        caption=f"All checks ({n_fail} failed); values at the horizon for curves, slopes for slope checks "
                f"({elapsed:.0f} s to build)"))
    fig = verification_grid(results)
    save_figure(fig, ctx.path("verification/verification.png"))
    blocks.append(Figure(
        "verification/verification.png",
        "Simulated risk (mean +- 2 s.e. and the 10-90% band of the runs) against the exact expected risk of the "
        "sampled W, the deterministic-equivalent Volterra curve, the asymptotic theory terms and the limit level; "
        "grey: the window of the slope checks."))
    ctx.path("verification/verification.json").write_text(json.dumps(to_jsonable(
        [{"phase": ph, **r.to_dict()} for (ph, _, _), r in zip(POINTS, results)])) + "\n")
    blocks.append(Text("Data of every curve and check: verification/verification.json."))
    return blocks
