"""Figure recipes for the DMFT random-feature model (Bordelon, Atanasov & Pehlevan 2024): loss
against time for several widths, the compute-optimal frontier with its envelope, early vs late
finite-width convergence, train vs test for several data sizes, and the simulation check.
"""

from __future__ import annotations

import math

import numpy as np

from .._output import figure_style, save_figure

__all__ = ["loss_vs_time_figure", "frontier_figure", "finite_width_figure", "train_test_figure",
           "verification_figure", "optimizers_figure"]


def loss_vs_time_figure(curves, path=None, *, title=None, show_bias=True):
    """Test loss (solid) and bias (dashed) against ``t`` for one or more :class:`numerics.dmft.DMFTCurve`."""
    import matplotlib.pyplot as plt

    with figure_style():
        fig, ax = plt.subplots(figsize=(5.2, 3.8))
        for i, c in enumerate(curves):
            col = f"C{i % 8}"
            p = c.problem
            lab = f"N={p.N}" + ("" if p.P_is_infinite else f", P={int(p.P)}")
            ax.loglog(c.t, c.test_loss, color=col, lw=1.8, label=lab)
            if show_bias:
                ax.loglog(c.t, c.bias, color=col, lw=1.0, ls="--")
        t = curves[0].t
        p = curves[0].problem
        r = (p.a - 1) / p.b
        ref = curves[0].test_loss[len(t) // 4] * (t / t[len(t) // 4]) ** (-r)
        ax.loglog(t, ref, color="k", lw=0.8, ls=":", label=rf"$t^{{-(a-1)/b}}$")
        ax.set_ylim(min(np.min(c.bias) for c in curves) / 2, max(np.max(c.test_loss) for c in curves) * 2)
        ax.set_xlabel(r"time $t$ (gradient flow, $2\eta$ absorbed)")
        ax.set_ylabel("test loss (solid), bias (dashed)")
        ax.set_title(title or rf"DMFT random features, $a={p.a:g}$, $b={p.b:g}$")
        ax.legend(fontsize=7, loc="lower left")
        if path is None:
            return fig
        return save_figure(fig, path)


def frontier_figure(fr, path=None):
    """The loss curves against compute ``C = N t`` for each width, the measured envelope and its slope."""
    import matplotlib.pyplot as plt

    with figure_style():
        fig, (ax, ax2) = plt.subplots(1, 2, figsize=(9.5, 3.8))
        cmap = plt.get_cmap("viridis")
        for i, (n, cu) in enumerate(zip(fr.N_grid, fr.curves)):
            ax.loglog(n * fr.t_grid, cu, color=cmap(i / max(1, len(fr.N_grid) - 1)), lw=0.8)
        sel = fr.interior
        ax.loglog(fr.C[sel], fr.L_star[sel], color="r", lw=2.0, label="envelope $L^*(C)$")
        e = fr.theory.get("loss", (None, math.nan))[1]
        if np.isfinite(e) and sel.any():
            c0, l0 = fr.C[sel][len(fr.C[sel]) // 2], fr.L_star[sel][len(fr.C[sel]) // 2]
            ax.loglog(fr.C[sel], l0 * (fr.C[sel] / c0) ** (-e), "k:", lw=1.0, label=rf"$C^{{-{e:.3g}}}$ (theory)")
        ax.set_xlim(fr.C[0] / 10, fr.C[-1] * 10)
        ax.set_ylim(np.nanmin(fr.L_star) / 3, np.nanmax(fr.curves[:, 0]) * 2)
        ax.set_xlabel(r"compute $C = N t$")
        ax.set_ylabel("test loss" if fr.loss == "test" else "bias")
        ax.legend(fontsize=7)
        ax.set_title(rf"frontier, $a={fr.a:g}$, $b={fr.b:g}$ ($P=\infty$)")
        for key, col in (("loss", "C3"), ("width", "C0"), ("steps", "C2")):
            if fr.slopes[key].size:
                ax2.semilogx(fr.slope_C, fr.slopes[key], color=col, lw=1.6, label=f"measured {key}")
            th = fr.theory.get(key)
            if th:
                ax2.axhline(th[1], color=col, ls="--", lw=0.9)
        ax2.set_xlabel(r"compute $C$")
        ax2.set_ylabel(r"local exponent ($L^*\sim C^{-x}$, $N^*, t^* \sim C^{x}$)")
        ax2.legend(fontsize=7)
        ax2.set_title("local slopes (dashed: SymPy)")
        fig.tight_layout()
        if path is None:
            return fig
        return save_figure(fig, path)


def finite_width_figure(a, b, path=None, *, Ns=(32, 64, 128, 256, 512, 1024, 2048), t_early=1.0, t_late=None,
                        M=math.inf):
    """``|L_N(t) - L_inf(t)|`` against ``N`` at an early and a late time, with the ``1/N`` and ``N^-c`` slopes."""
    import matplotlib.pyplot as plt

    import numerics.dmft as nd
    from theory.dmft import DMFT

    t_late = t_late if t_late is not None else 1e3 * max(Ns) ** b
    ts = np.array([t_early, t_late])
    ref = nd.loss_curve(DMFT(a, b, N=10**9, P=math.inf, M=M), ts, check_nodes=None).test_loss
    d = np.array([np.abs(nd.loss_curve(DMFT(a, b, N=n, P=math.inf, M=M), ts, check_nodes=None).test_loss - ref)
                  for n in Ns])
    c = min(a - 1, b)
    Ns = np.asarray(Ns, float)
    with figure_style():
        fig, ax = plt.subplots(figsize=(5.2, 3.8))
        ax.loglog(Ns, d[:, 0], "o-", color="C0", label=f"early, t={t_early:g}")
        ax.loglog(Ns, d[0, 0] * (Ns / Ns[0]) ** -1.0, "C0:", lw=1, label=r"$1/N$")
        ax.loglog(Ns, d[:, 1], "s-", color="C3", label=f"late, t={t_late:.2g}")
        ax.loglog(Ns, d[-1, 1] * (Ns / Ns[-1]) ** -c, "C3:", lw=1, label=rf"$N^{{-{c:g}}}$")
        ax.set_xlabel("width $N$")
        ax.set_ylabel(r"$|L_N(t) - L_\infty(t)|$")
        ax.set_title(rf"finite width, $a={a:g}$, $b={b:g}$, $P=\infty$")
        ax.legend(fontsize=7)
        if path is None:
            return fig, d
        return save_figure(fig, path), d


def train_test_figure(curves, path=None):
    """Train (dashed) and test (solid) loss against ``t`` for several ``P`` (one curve each)."""
    import matplotlib.pyplot as plt

    with figure_style():
        fig, ax = plt.subplots(figsize=(5.2, 3.8))
        for i, c in enumerate(curves):
            col = f"C{i % 8}"
            ax.loglog(c.t, c.test_loss, color=col, lw=1.8, label=f"P={int(c.problem.P)}")
            if c.train_loss is not None:  # below 1e-9 L(0) the rule's round-off shows: not drawn
                tr = np.where(c.train_loss > 1e-9 * c.test_loss[0], c.train_loss, np.nan)
                ax.loglog(c.t, tr, color=col, lw=1.0, ls="--")
        p = curves[0].problem
        ax.set_xlabel("time $t$")
        ax.set_ylabel("test (solid), train (dashed)")
        ax.set_title(rf"data reuse, $a={p.a:g}$, $b={p.b:g}$, $N={p.N}$")
        ax.legend(fontsize=7)
        if path is None:
            return fig
        return save_figure(fig, path)


def verification_figure(res, path=None):
    """Simulated test / train loss and bias (error bars) on the DMFT predictions."""
    import matplotlib.pyplot as plt

    sim = res.simulation
    with figure_style():
        fig, ax = plt.subplots(figsize=(5.2, 3.8))
        t = res.steps
        ax.loglog(t, res.risk_volterra, "C0-", label="test (DMFT)")
        ax.errorbar(t, sim.test_loss, yerr=4 * sim.test_stderr, fmt="o", color="C0", ms=3, label="test (sim)")
        ax.loglog(t, res.terms["bias"], "C1-", label="bias (DMFT)")
        ax.errorbar(t, sim.bias, yerr=4 * sim.bias_stderr, fmt="s", color="C1", ms=3, label="bias (sim)")
        if res.terms.get("train_loss") is not None:
            ax.loglog(t, res.terms["train_loss"], "C2-", label="train (DMFT)")
            ax.errorbar(t, sim.train_loss, yerr=4 * sim.train_stderr, fmt="^", color="C2", ms=3, label="train (sim)")
        p = res.problem
        ax.set_xlabel("time $t$")
        ax.set_ylabel("loss")
        ax.set_title(f"DMFT vs simulation: N={p.N}, P={p.P}, M={p.M}, {sim.runs} draws")
        ax.legend(fontsize=7)
        if path is None:
            return fig
        return save_figure(fig, path)


def optimizers_figure(problem, path=None, *, t_max: float = 1e3, eta: float = 0.3, momentum: float = 0.5,
                      batches=(1, 8), runs: int = 8, n_sim: int = 6, seed: int = 0):
    """Gradient flow vs discrete GD vs heavy ball vs one-pass SGD (batches ``B``) on one ``P = inf`` problem:
    predicted curves (lines) and simulated points with 2-standard-error bars (GD-like methods share the step
    ``eta`` in model time; heavy ball at the largest overdamped rate / 2). Returns ``(fig or paths, rows)``
    with ``rows = [method, t_last, predicted, simulated, stderr]``."""
    import matplotlib.pyplot as plt

    import numerics.dmft as nd
    from theory import GD, SGD
    from theory.dmft import HeavyBall
    from verification.dmft import simulate, simulate_online_sgd

    q = nd.spectral_edge(nd.nodes_of(problem), problem.N, problem.P)[0]
    hb_lr = 0.5 * (1 - math.sqrt(momentum)) ** 2 / (2 * q)

    def sim_flow(cs, opt):
        return simulate(problem, cs.t, runs=runs, seed=seed, modes=())

    def sim_gd(cs, opt):  # GD and heavy ball: the eigendecomposition simulator with the momentum recursion
        return simulate(problem, cs.t, runs=runs, seed=seed, lr=opt.lr, momentum=getattr(opt, "momentum", 0.0),
                        modes=())

    def sim_sgd(cs, opt):
        return simulate_online_sgd(problem, cs.diagnostics["steps"], lr_sum=opt.lr_sum, batch=opt.batch,
                                   runs=runs, seed=seed)

    methods = [("gradient flow", None, sim_flow), (f"GD, 2 lr = {eta:g}", GD(lr=eta / 2), sim_gd),
               (f"heavy ball beta={momentum:g}, 2 lr = {2 * hb_lr:.3g}", HeavyBall(lr=hb_lr, momentum=momentum),
                sim_gd)]
    methods += [(f"one-pass SGD B={B}, B lr = {eta:g}", SGD(lr=eta, batch=B, batch_reduction="mean"), sim_sgd)
                for B in batches]
    rows = []
    with figure_style():
        fig, ax = plt.subplots(figsize=(5.6, 4.0))
        for i, (label, opt, simulate_method) in enumerate(methods):
            col = f"C{i % 8}"
            lo = 0.1 if opt is None else nd.time_step(opt) * nd.first_step(opt)
            t = np.logspace(math.log10(lo), math.log10(t_max), 80)
            c = nd.loss_curve(problem, t, optimizer=opt)
            ax.loglog(c.t, c.test_loss, color=col, lw=1.6 if opt is None else 1.2, label=label)
            ts = np.logspace(math.log10(max(lo, 1.0)), math.log10(t_max), n_sim)
            cs = nd.loss_curve(problem, ts, optimizer=opt)
            sim = simulate_method(cs, opt)
            ax.errorbar(cs.t, sim.test_loss, yerr=2 * sim.test_stderr, fmt="o", ms=3, color=col, capsize=2)
            rows.append([label, float(cs.t[-1]), float(cs.test_loss[-1]), float(sim.test_loss[-1]),
                         float(sim.test_stderr[-1])])
        p = problem
        ax.set_xlabel(r"time $t$ (model time: $2\,lr$ x steps for GD, $B\,lr_{sum}$ x steps for SGD)")
        ax.set_ylabel("test loss")
        ax.set_title(rf"optimizers on DMFT, $a={p.a:g}$, $b={p.b:g}$, $N={p.N}$, $P=\infty$, $M={int(p.M)}$",
                     fontsize=9)
        ax.legend(fontsize=7, loc="lower left")
        if path is None:
            return fig, rows
        return save_figure(fig, path), rows
