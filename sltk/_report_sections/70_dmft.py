"""Report section: the DMFT random-feature model (Bordelon, Atanasov & Pehlevan 2024) -- loss against
time for several widths, train vs test for several data sizes, early vs late finite-width
convergence, the compute-optimal frontier with its envelope and slopes, ensembles at fixed compute,
and the simulation check."""

from __future__ import annotations

import math

ORDER = 70
TITLE = "DMFT random features (Bordelon, Atanasov & Pehlevan 2024)"

#: Relative build cost (the report's parallel driver starts the costliest sections first).
COST = 3


def build(ctx):
    import matplotlib.pyplot as plt
    import numpy as np

    import numerics.dmft as nd
    import theory
    import verification
    from theory.dmft import DMFT, compute_optimal, exponents

    from .._figures.dmft import (finite_width_figure, frontier_figure, loss_vs_time_figure, optimizers_figure,
                                 train_test_figure, verification_figure)
    from .._output import figure_style, save_figure
    from .._report import Figure, Table, Text

    fast = ctx.fast
    a, b = 2.0, 1.5
    M = 2000 if fast else 10**4
    t = np.logspace(-1, 6, 60 if fast else 200)
    curves = [nd.loss_curve(DMFT(a, b, N=n, P=4096, M=M), t) for n in (32, 128, 512)]
    loss_vs_time_figure(curves, ctx.path("dmft/loss_vs_time.png"))
    tt = [nd.loss_curve(DMFT(a, b, N=512, P=p, M=M), t) for p in (128, 512, 2048)]
    train_test_figure(tt, ctx.path("dmft/train_test.png"))
    _, dev = finite_width_figure(1.5, 1.25, ctx.path("dmft/finite_width.png"),
                                 Ns=(32, 64, 128, 256) if fast else (32, 64, 128, 256, 512, 1024, 2048),
                                 M=M if fast else math.inf)
    fr = nd.frontier(a, b, N_grid=np.logspace(1, 3, 6) if fast else None, n_times=50 if fast else 160,
                     M=3000 if fast else math.inf)
    frontier_figure(fr, ctx.path("dmft/frontier.png"))
    # ensembles at fixed compute C = E N t (independent features and data per member, P = inf)
    C = 1e6 if fast else 1e8
    with figure_style():
        fig, ax = plt.subplots(figsize=(5.2, 3.8))
        rows_e = []
        for E in (1, 2, 4, 8):
            Ns = np.unique(np.round(np.logspace(1, 3.5 if fast else 4.5, 8 if fast else 16)).astype(int))
            Ls = []
            for n in Ns:
                c = nd.loss_curve(DMFT(a, b, N=int(n), P=math.inf, M=M), [C / (E * n)], check_nodes=None)
                Ls.append(float(nd.ensemble_loss(c, E)[0]))
            ax.loglog(Ns, Ls, "o-", ms=3, label=f"E={E}")
            rows_e.append([E, int(Ns[int(np.argmin(Ls))]), f"{min(Ls):.5g}"])
        ax.set_xlabel("width $N$ of each member")
        ax.set_ylabel(f"ensemble test loss at $C = E N t = {C:.0e}$")
        ax.legend(fontsize=7)
        ax.set_title("ensembles at fixed compute")
        save_figure(fig, ctx.path("dmft/ensembles.png"))
    p = DMFT(a, b, N=32 if fast else 128, P=64 if fast else 256, M=200 if fast else 1000)
    res = verification.verify(p, theory.GD(lr=0.5), t_max=1e4, n_times=6 if fast else 12, runs=8 if fast else 32)
    verification_figure(res, ctx.path("dmft/verification.png"))
    # discrete methods: predictions (lines) and simulations (points), P = inf
    po = DMFT(a, b, N=64 if fast else 128, P=math.inf, M=400 if fast else 1000)
    _, rows_o = optimizers_figure(po, ctx.path("dmft/optimizers.png"), t_max=300.0 if fast else 1e3,
                                  runs=6 if fast else 16, n_sim=4 if fast else 6)
    ex_b, ex_s = exponents(a, b, "bias"), exponents(a, b, "single")
    fs = fr.final_slopes()
    rows = [[k, ex_b[k][0], f"{ex_b[k][1]:.4g}", ex_s[k][0], f"{ex_s[k][1]:.4g}"] for k in ex_b]
    co = compute_optimal("bias")
    return [
        Text("Random features trained by gradient flow (lambda_k = k^-b, lambda_k w*_k^2 = k^-a, width N, P data), "
             "solved with the DMFT transfer function H_k(s) = kappa/(s(lambda_k + kappa)) (scalar fixed point, "
             "physical branch; reconstructed in the research note and derived here by conditioning on the data) "
             "and the variance terms derived here from two-resolvent deterministic equivalents, inverted by a "
             "fixed-Talbot rule. Time: gradient flow with 2 eta absorbed into t. The bias is the loss of the "
             "mean predictor (the paper's law); the single-model loss adds the variance, which at late times is "
             "several times the bias and changes the width exponent to min(a-1, b) when a-1 > b; there a third "
             "term N^-1 t^-(b-1)/b changes the single-model compute rule to N* ~ C^((a-b)/a), L* ~ C^-(a-1)/a."),
        Table(["exponent", "bias (paper)", "value", "single model", "value"], rows,
              caption=f"SymPy exponents at a={a:g}, b={b:g}; regimes: {co.regimes}"),
        Figure("dmft/loss_vs_time.png", "Test loss (solid) and bias (dashed) against t for several N (P = 4096)"),
        Figure("dmft/train_test.png", "Train (dashed) vs test (solid) for several P at N = 512: the gap grows in t"),
        Figure("dmft/finite_width.png", "|L_N - L_inf| vs N at a=1.5, b=1.25: 1/N early, N^-c late (c = min(a-1, b) = 0.5)"),
        Figure("dmft/frontier.png", "Compute-optimal frontier C = N t (P = inf): envelope and local slopes"),
        Table(["exponent", "measured (largest C)", "symbolic"],
              [[k, f"{fs[k]:.4f}", f"{fr.theory[k][1]:.4f}"] for k in ("loss", "width", "steps")],
              caption=f"frontier, single-model test loss ({fr.status})"),
        Figure("dmft/ensembles.png", "Ensembles at fixed compute: one wide model beats E narrower ones"),
        Table(["members E", "best N", "best loss"], rows_e, caption=f"ensembles at C = {C:.0e}"),
        Figure("dmft/optimizers.png", "Gradient flow, discrete GD, heavy ball and one-pass SGD (batch B) against "
               "model time: DMFT predictions (lines; z-transform of the flow kernels for GD/heavy ball, the "
               "discrete Volterra equation for SGD) and direct simulation (points, 2 standard errors). Heavy ball "
               "runs ahead of flow by its effective time t/(1 - beta); SGD with B = 1 pays its gradient noise."),
        Table(["method", "t", "predicted", "simulated", "stderr"],
              [[r[0], f"{r[1]:.4g}", f"{r[2]:.5g}", f"{r[3]:.5g}", f"{r[4]:.2g}"] for r in rows_o],
              caption="discrete methods at the last time (P = inf)"),
        Figure("dmft/verification.png", "DMFT predictions vs direct simulation (4 standard errors)"),
        Table(["check", "passed", "deviation"], [[c.name, c.passed, f"{c.deviation:.3g}"] for c in res.checks],
              caption="simulation checks"),
    ]
