# %% [markdown]
# # signSGD: exact high-dimensional risk curves, PLRF, and the comparison with SGD
#
# 1. The limiting risk ODE of signSGD against simulated signSGD, for three covariances and three
#    label-noise laws (Xiao, Marshall, Agarwala & Paquette 2024), with SGD beside it.
# 2. signSGD on PLRF: per-mode equations with the exact arcsine transient, under constant, WSD and
#    cosine schedules (Kim, Song & Yun 2026, reconstructed).
# 3. Where signSGD's compute-optimal slope beats SGD's (map over alpha, beta).
#
# Set `SLTK_FAST=1` for small sizes. Figures go to `$SLTK_NOTEBOOK_OUT` (default: current folder).

# %%
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import numerics
import theory
import verification
from sltk._output import figure_style, save_figure

FAST = os.environ.get("SLTK_FAST") == "1"
OUT = os.environ.get("SLTK_NOTEBOOK_OUT", ".")
D = 300 if FAST else 1000
RUNS = 6 if FAST else 16

# %% [markdown]
# ## 1. Risk ODE vs simulation (step eta/d, time t = k/d)

# %%
cases = [("isotropic", "gaussian:std=1.0"), ("power-law", "student-t:nu=2.5"), ("correlated", "cauchy:scale=0.5")]
with figure_style():
    fig, axes = plt.subplots(1, 3, figsize=(10, 3.0), sharey=False)
    for ax, (cov, noise) in zip(axes, cases):
        chk = verification.check_signsgd_highdim(cov, noise, d=D, lr=0.5, T=6.0, runs=RUNS, n_eval=9, backend="numpy")
        dense = numerics.signsgd_risk_ode(theory.linreg.LinearRegressionProblem.with_random_target(
            verification._signsgd_checks.HIGHDIM_COVARIANCES[cov](D), theory.linreg.parse_noise(noise), seed=0), 0.5, 6.0,
            n_eval=120)
        ax.plot(dense.t, dense.risk, "C0-", label="signSGD ODE")
        ax.errorbar(chk.t, chk.simulated, yerr=2 * chk.stderr, fmt="o", ms=3, color="C1", label="simulation (2 s.e.)")
        ax.axhline(chk.info["limit_risk"], color="0.5", ls="--", lw=0.8, label="stationary risk")
        ax.set_title(f"{cov}, {noise.split(':')[0]}")
        ax.set_xlabel("time t = k/d")
        print(f"{chk.name}: passed={chk.passed}, max rel. error {chk.max_rel_error:.3f}")
    axes[0].set_ylabel("excess risk R(t)")
    axes[0].legend(fontsize=7)
    save_figure(fig, os.path.join(OUT, "signsgd_ode_vs_sim.png"))

# %% [markdown]
# Heavy tails: SGD's risk has no finite limit under Cauchy noise, signSGD's does.

# %%
K = theory.linreg.power_law_covariance(D, 1.0)
for law in [theory.linreg.GaussianNoise(1.0), theory.linreg.StudentTNoise(2.5), theory.linreg.CauchyNoise(1.0)]:
    print(f"{law.spec():35s} signSGD limit {numerics.signsgd_limit_risk(K, law, 0.5):.4f}   "
          f"SGD limit {numerics.sgd_limit_risk(K, law, 0.5):.4f}   psi(R=1) = {numerics.linreg.noise_compression(1.0, law):.3f}")

# %% [markdown]
# ## 2. signSGD on PLRF: equations vs simulation, and schedules at equal compute

# %%
p = theory.plrf.PLRF(1.0, 0.7, 400, 100)
chk = verification.check_signsgd_plrf(p, steps=1500 if FAST else 20000, runs=RUNS, backend="numpy")
print(chk.name, "passed", chk.passed, "max rel err (arcsine)", round(chk.max_rel_error, 3),
      "(linearised)", round(chk.max_rel_error_linear, 3))
with figure_style():
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
    ax = axes[0]
    ax.loglog(chk.steps[1:], chk.predicted[1:], "C0-", label="equations, arcsine transient")
    ax.loglog(chk.steps[1:], chk.predicted_linear[1:], "C2--", label="equations, linearised")
    ax.errorbar(chk.steps[1:], chk.simulated[1:], yerr=2 * chk.stderr[1:], fmt="o", ms=3, color="C1", label="simulation")
    ax.set_xlabel("step k")
    ax.set_ylabel("population risk P(k)")
    ax.set_title(rf"PLRF $\alpha={p.alpha:g}$, $\beta={p.beta:g}$, $d={p.d}$")
    ax.legend(fontsize=7)
    ax = axes[1]
    pd = theory.plrf.PLRF(0.7, 1.2, 4000 if FAST else 40000, 1000 if FAST else 10000)
    N = 10**5 if FAST else 10**7
    gam = verification.default_signsgd_lr(pd, floor=1e-4)
    for name, sched, ls in [("constant", theory.Constant(), "-"), ("WSD (20% linear decay)", theory.WSD(decay=0.2), "--"),
                            ("cosine", theory.Cosine(), ":")]:
        c = numerics.plrf.risk_curve(pd, theory.SignSGD(lr=gam), sched, N, spectrum="surrogate", n_points=80)
        ax.loglog(c.flops[1:], c.risk[1:], "C0" + ls, label=f"signSGD, {name}")
        cs = numerics.plrf.risk_curve(pd, theory.SGD(lr=0.5 / pd.trace_D()), sched, N, spectrum="surrogate", n_points=80)
        if cs.status == "ok":
            ax.loglog(cs.flops[1:], cs.risk[1:], "C3" + ls, label=f"SGD, {name}")
    ax.set_xlabel("compute f = d k")
    ax.set_ylabel("population risk")
    ax.set_title(rf"schedules at equal compute, $d={pd.d}$")
    ax.legend(fontsize=6)
    save_figure(fig, os.path.join(OUT, "signsgd_plrf.png"))

# %% [markdown]
# ## 3. Compute-optimal slopes: signSGD minus SGD

# %%
n = 15 if FAST else 41
g = theory.plrf.slope_difference_grid(np.linspace(0.1, 1.5, n), np.linspace(0.0, 1.8, n))
with figure_style():
    fig, ax = plt.subplots(figsize=(5, 4))
    vmax = np.nanmax(np.abs(g["difference"]))
    im = ax.pcolormesh(g["alpha"], g["beta"], g["difference"], cmap="RdBu_r", vmin=-vmax, vmax=vmax, shading="nearest")
    fig.colorbar(im, ax=ax, label=r"$\eta_{\rm signSGD}-\eta_{\rm SGD}$")
    ax.set_xlabel(r"$\alpha$")
    ax.set_ylabel(r"$\beta$")
    save_figure(fig, os.path.join(OUT, "signsgd_slope_map.png"))
for a, b in [(0.7, 1.2), (0.4, 0.7), (1.0, 0.7)]:
    c = theory.compare_with_sgd(a, b)
    print(a, b, c["verdict"], "eta_signSGD =", c["eta_signsgd_expr"], " eta_SGD =", c["eta_sgd_expr"])

# %% [markdown]
# ## 4. signSGD's own phase diagram, and what a learning-rate decay changes
#
# The phases are the regions where the compute-optimal LP (model size and learning-rate exponent
# jointly) has the same optimal vertex; their closed forms are derived (`theory.signsgd_phase_table`).
# A decay (WSD, cosine) lowers signSGD's noise floor; the derived slope gain is nonzero only for
# `alpha > 1/2, beta > alpha + 1/2` (`theory.signsgd_schedule_eta`).

# %%
from sltk import _phase_figures as pf

with figure_style():
    save_figure(pf.signsgd_phase_figure(n=20 if FAST else 60), os.path.join(OUT, "signsgd_phases.png"))
    save_figure(pf.signsgd_slope_map_figure("decay-constant", n=20 if FAST else 60)[0],
                os.path.join(OUT, "signsgd_decay_gain.png"))
print(theory.format_signsgd_phase_table())
for a, b in [(0.7, 1.5), (0.7, 0.05)]:
    c0, c1 = theory.signsgd_schedule_eta(a, b, "constant"), theory.signsgd_schedule_eta(a, b, "wsd")
    print(f"({a}, {b}) {theory.signsgd_phase_of(a, b)}: eta constant {c0['eta_signsgd']:.4f}, WSD {c1['eta_signsgd']:.4f}, "
          f"SGD {c0['eta_sgd']:.4f}")

# %% [markdown]
# ## 5. Measured compute-optimal frontier against the derived exponents
#
# Risk minimised over model size and learning rate at each budget, from the per-mode equations with
# the deterministic-equivalent spectrum (full tables: `docs/signsgd_frontier.md`). Local slopes
# approach the symbolic `eta`; the optimal rate follows `gamma* ~ d*^-e`.

# %%
a, b = 1.0, 0.7
flops = np.logspace(4, 6.5 if FAST else 8, 8 if FAST else 16)
ds = np.unique(np.round(np.geomspace(16, 256 if FAST else 2048, 9 if FAST else 17)).astype(int))
fr = numerics.signsgd_frontier(a, b, flops, ds=ds)
s = theory.signsgd_exponents_at(a, b)
print("local eta:", np.round(fr.eta_local, 3), " symbolic:", round(s.eta, 4))
print("e measured:", round(fr.e_measured, 3), " symbolic:", round(s.e, 4))
with figure_style():
    fig, ax = plt.subplots(figsize=(4.5, 3.5))
    ax.loglog(fr.flops, fr.risk, "o-", label="measured $P^*(f)$")
    ax.loglog(fr.flops, fr.risk[-1] * (fr.flops / fr.flops[-1]) ** (-s.eta), "k--", label=rf"$f^{{-{s.eta:.3f}}}$ (derived)")
    ax.set_xlabel("compute $f = dN$")
    ax.set_ylabel("compute-optimal risk")
    ax.legend()
    save_figure(fig, os.path.join(OUT, "signsgd_frontier.png"))
