# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # Verification: one simulated PLRF instance, its exact risk, the deterministic equivalent
#
# Paquette, Paquette, Xiao & Pennington (2024, arXiv:2405.15074) conjecture that the expected SGD
# risk of one sampled PLRF instance, ``E[P(theta_r) | W]``, concentrates on a deterministic
# Volterra curve built from the deterministic equivalent of the spectrum. This notebook checks the
# chain in both directions on one point of phase III (SGD noise matters there):
#
# 1. **simulation**: ``R`` runs of one-pass SGD on one sampled ``W`` (NumPy, or CuPy on a GPU);
# 2. **exact-for-W**: the exact second-moment recursion of that ``W``;
# 3. **numerics**: the deterministic-equivalent Volterra curve;
# 4. **theory**: the asymptotic terms ``F_pp``, ``F_ac``, noise and the level ``F_0``.
#
# Then it shows that a deliberately wrong kernel (a factor 2 in the SGD-noise term) is caught.

# %%
import os
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import theory
import verification
from sltk import draw_verification, figure_style

FAST = os.environ.get("SLTK_FAST") == "1"
OUT = os.environ.get("SLTK_NOTEBOOK_OUT", ".")
d, steps, runs = (64, 1000, 16) if FAST else (256, 20_000, 64)

problem = theory.plrf.PLRF(alpha=0.7, beta=1.2, v=4 * d, d=d)
lr_max = verification.plrf.RULES[theory.SGD].stability_limit(problem, theory.SGD(lr=1.0), seed=0)
lr = verification.default_lr(problem, theory.SGD(lr=1.0), seed=0)
print(f"phase {theory.plrf.phase_of(0.7, 1.2).name}; lr = {lr:.4g} (half of the stable maximum {lr_max:.4g})")

# %% [markdown]
# ## The checks on a correct setup
# Every check states its tolerance: Monte-Carlo error bars from ``R`` (Student t, Bonferroni over
# the logged steps), concentration in ``d`` from the spread of the exact curve over further
# sampled ``W``; the slope against the leading-order theory is informative (``info``, no verdict: its
# finite-size allowance is not derived).

# %%
res = verification.plrf.run_verification(problem, theory.SGD(lr=lr), steps=steps, runs=runs, seed=0,
                                    n_points=40, n_instances=8 if FAST else 16)
for c in res.checks:
    state = c.verdict
    print(f"{state}  {c.name:24s} deviation {c.deviation:9.3g}  tolerance {c.tolerance:9.3g}   ({c.rule or c.note})")
assert res.passed

# %% [markdown]
# ## A deliberately wrong kernel is caught
# ``WrongNoiseSGD`` uses the correct update in the simulator (``step``) but doubles the noise
# coefficient ``g_i`` of the exact second-moment recursion (``mode_update``).


# %%
@dataclass(frozen=True)
class WrongNoiseSGD(theory.SGD):
    def mode_update(self, lam, lr_factor=1.0):
        q, g = super().mode_update(lam, lr_factor)
        return q, 2.0 * g


bad = verification.plrf.run_verification(problem, WrongNoiseSGD(lr=lr), steps=steps, runs=runs, seed=0,
                                    n_points=40, n_instances=4)
for c in bad.checks[:2]:
    print(f"{c.verdict:4s}  {c.name:24s} deviation {c.deviation:9.3g}  tolerance {c.tolerance:9.3g}")
assert not bad.passed

# %%
with figure_style():
    fig, axes = plt.subplots(1, 2, figsize=(10.5, 4.0))
    draw_verification(axes[0], res, legend=False, title="correct kernel: all checks pass")
    draw_verification(axes[1], bad, legend=False, title="noise term x2 in the exact recursion: caught")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.tight_layout(rect=(0, 0.1, 1, 1))
    fig.legend(handles, labels, loc="lower center", ncol=5, fontsize=7)
    fig.savefig(os.path.join(OUT, "03_verification.png"), dpi=150, bbox_inches="tight")
print("figure written to", os.path.join(OUT, "03_verification.png"))
