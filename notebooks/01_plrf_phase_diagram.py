# %% [markdown]
# # PLRF under SGD: the 4+3 phase diagram, derived
#
# This notebook shows the capability of `theory` to *derive* the compute-optimal scaling
# laws of the power-law random-features model (Paquette, Paquette, Xiao & Pennington 2024,
# arXiv:2405.15074) instead of copying them:
#
# 1. the four risk terms F_0, F_pp, F_ac and the SGD noise term, derived by SymPy from their
#    spectral sums (sum -> integral -> substitution -> Gamma function);
# 2. a check of each term against its direct spectral sum (ratio -> 1);
# 3. the phase diagram and the exponent table from a linear program in log space;
# 4. a loss curve: the asymptotic terms against a direct evaluation of the spectral sums.
#
# `SLTK_FAST=1` uses small sizes; figures go to `$SLTK_NOTEBOOK_OUT` (default `.`).

# %%
import os
from pathlib import Path

import numpy as np
import sympy as sp

import theory
from sltk import exponent_map_figure, figure_style, phase_diagram_figure, save_figure

FAST = os.environ.get("SLTK_FAST") == "1"
OUT = Path(os.environ.get("SLTK_NOTEBOOK_OUT", "."))
OUT.mkdir(parents=True, exist_ok=True)

# %% [markdown]
# ## 1. The derivation of F_pp, step by step

# %%
from theory._power_terms import alpha, beta

(coeff, t_power, d_power, region, steps), = theory.plrf.derive_power_sum(2 * alpha + 2 * beta)
for name, expr in steps:
    print(f"{name:36s} {expr}")
print("region:", region)

# %% [markdown]
# All terms, each with the region where its Gamma/zeta integral converges:

# %%
for t in theory.plrf._sgd_terms.plrf_sgd_terms():
    print(f"{t.name:6s} {str(t.region):60s} {t.expr}")

# %% [markdown]
# ## 2. Terms against their direct spectral sums (alpha = 0.7, beta = 1.2, Phase III)

# %%
a, b, g, B = 0.7, 1.2, 0.2, 1
d = 10_000 if FAST else 200_000
N = 100_000 if FAST else 2_000_000
prob, opt = theory.plrf.PLRF(a, b, 4 * d, d), theory.SGD(lr=g, batch=B)
terms = {t.name: t for t in theory.plrf.asymptotic_terms(prob, opt)}
r = np.unique(np.logspace(0, 4, 30).astype(int)).astype(float)
j = np.arange(1, N + 1, dtype=float)
lam = j ** (-2 * a)
q = 1 - 2 * g * B * lam + g * g * B * (B + 1) * lam**2
direct = {"F_pp": [], "F_ac": [], "noise": []}
for rr in r:
    qr = q**rr
    direct["F_pp"].append(np.sum(j ** (-2 * a - 2 * b) * qr))
    direct["F_ac"].append(float(sp.zeta(2 * b)) / d * np.sum(lam[:d] * qr[:d]))
    direct["noise"].append(g * g * B * np.sum(lam[:d] ** 2 * qr[:d]) * np.sum(j ** (-2 * a - 2 * b) * (1 - qr) / (1 - q)))
for k, v in direct.items():
    print(k, "ratio asymptotic/direct at r = 1e4:", float(terms[k](r[-1:])[0] / v[-1]))

# %%
import matplotlib.pyplot as plt

with figure_style():
    fig, ax = plt.subplots(figsize=(5.5, 4))
    for (k, v), c in zip(direct.items(), ["C0", "C1", "C2"]):
        ax.loglog(r, v, "o", ms=3, color=c, label=f"{k} direct sum")
        ax.loglog(r, terms[k](r), "-", color=c, label=f"{k} asymptotic")
    ax.axhline(theory.plrf.asymptotic_limit_level(prob), color="k", ls=":", label=r"$F_0$ (fixed point)")
    ax.loglog(r, theory.plrf.asymptotic_risk(prob, opt, r), "k-", lw=2, alpha=0.4, label="estimate (max)/(1-||K||)")
    ax.set_xlabel("SGD steps $r$")
    ax.set_ylabel("risk term (MSE, no 1/2)")
    ax.set_title(rf"PLRF terms, $\alpha={a}$, $\beta={b}$, $d={d}$")
    ax.legend(fontsize=6, ncol=2)
    save_figure(fig, OUT / "01_terms_vs_direct.png")

# %% [markdown]
# ## 3. Phase diagram and exponent table

# %%
print(theory.plrf.format_exponent_table("sgd", "text"))
print(theory.plrf.check_phase_partition())
for bd in theory.plrf.phase_boundaries():
    print(f"{bd.equation:30s} {' | '.join(bd.phases):14s} eta continuous: {bd.eta_continuous}, "
          f"xi continuous: {bd.xi_continuous}")

# %%
with figure_style():
    save_figure(phase_diagram_figure("sgd"), OUT / "01_phase_diagram.png")
    if not FAST:
        save_figure(exponent_map_figure("eta", "sgd"), OUT / "01_eta_map.png")
        save_figure(exponent_map_figure("xi", "sgd"), OUT / "01_xi_map.png")

# %% [markdown]
# ## 4. One point query, e.g. in Phase III the universal d* ~ f^(1/2)

# %%
res = theory.plrf.compute_optimal_exponents(0.7, 1.2)
print(res.to_dict())
assert res.xi == 0.5
