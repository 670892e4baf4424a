# %% [markdown]
# # The dynamical model of neural scaling laws (Bordelon, Atanasov & Pehlevan 2024)
#
# Random features trained by gradient flow: `lambda_k = k^-b`, `lambda_k w*_k^2 = k^-a`, width `N`,
# `P` data (or online), time `t` (the factor `2 eta` absorbed). This notebook tells the paper's story:
#
# 1. the bottleneck laws and the asymmetric compute-optimal rule, derived in SymPy from the sums;
# 2. loss curves from the DMFT transfer function -- the bias (mean predictor, the paper's law) and the
#    single-model test loss with the variance terms derived in `numerics.dmft`;
# 3. the check against direct simulation (sampled features, exact gradient flow, many draws);
# 4. early `1/N` vs late `N^-c` convergence in width, and the train-test gap from data reuse;
# 5. the measured compute-optimal frontier against the symbolic exponents.
#
# `SLTK_FAST=1` uses small sizes; figures go to `$SLTK_NOTEBOOK_OUT` (default `.`).

# %%
import math
import os
from pathlib import Path

import numpy as np

import numerics.dmft as nd
import theory
import verification
from sltk import (dmft_finite_width_figure, dmft_frontier_figure, dmft_loss_vs_time_figure,
                  dmft_train_test_figure, dmft_verification_figure)
from theory.dmft import DMFT, compute_optimal, exponents, time_law, width_law

FAST = os.environ.get("SLTK_FAST") == "1"
OUT = Path(os.environ.get("SLTK_NOTEBOOK_OUT", "."))
OUT.mkdir(parents=True, exist_ok=True)
a, b = 2.0, 1.5

# %% [markdown]
# ## 1. Exponents, derived
# The time law comes from a Gamma integral, the width law from Beta integrals whose convergence
# condition is `a - 1 < 2b` (else the top modes dominate). For the single model the width
# variance brings in `sum tau lambda/(lambda+kappa)^2`, which changes the width exponent to
# `min(a-1, b)`.

# %%
print("time law :", time_law().exponent, " coefficient", time_law().coefficient)
print("width law:", width_law("bias").exponent, "(bias) ", width_law("single").exponent, "(single model)")
co = compute_optimal("bias")
print("compute-optimal (C = N t):", co.regimes)
print("steps grow faster than width iff", co.steps_faster_when)
print({k: round(v[1], 4) for k, v in exponents(a, b).items()})

# %% [markdown]
# ## 2. Loss curves for several widths

# %%
M = 1000 if FAST else 10**4
t = np.logspace(-1, 6, 40 if FAST else 200)
curves = [nd.loss_curve(DMFT(a, b, N=n, P=4096, M=M), t) for n in (32, 128, 512)]
for c in curves:
    print(f"N={c.problem.N}: status {c.status}, late test/bias = {c.test_loss[-1] / c.bias[-1]:.2f}")
dmft_loss_vs_time_figure(curves, OUT / "dmft_loss_vs_time.png")

# %% [markdown]
# ## 3. Against simulation: the variance is not a small correction

# %%
p = DMFT(a, b, N=32 if FAST else 128, P=64 if FAST else 256, M=200 if FAST else 1000)
res = verification.verify(p, theory.GD(lr=0.5), t_max=1e4, n_times=6 if FAST else 12, runs=8 if FAST else 32)
for c in res.checks:
    print(f"{c.name:34s} passed={c.passed}  deviation={c.deviation:.3f}")
dmft_verification_figure(res, OUT / "dmft_verification.png")

# %% [markdown]
# ## 4. Finite width early and late; train vs test

# %%
_, d = dmft_finite_width_figure(1.5, 1.25, OUT / "dmft_finite_width.png",
                                Ns=(32, 64, 128) if FAST else (32, 64, 128, 256, 512, 1024),
                                M=2000 if FAST else math.inf)
Ns = np.array((32, 64, 128) if FAST else (32, 64, 128, 256, 512, 1024), float)
print("early slope", np.polyfit(np.log(Ns), np.log(d[:, 0]), 1)[0], " late slope",
      np.polyfit(np.log(Ns), np.log(d[:, 1]), 1)[0], " (theory -1 and -0.5)")
tt = [nd.loss_curve(DMFT(a, b, N=256, P=P, M=M), t) for P in (128, 512, 2048)]
dmft_train_test_figure(tt, OUT / "dmft_train_test.png")
print("test - train at the last time:", [round(c.test_loss[-1] - c.train_loss[-1], 4) for c in tt])

# %% [markdown]
# ## 5. The compute-optimal frontier

# %%
fr = nd.frontier(a, b, N_grid=np.logspace(1, 2.7, 5) if FAST else None, n_times=40 if FAST else 160,
                 M=2000 if FAST else math.inf)
print("measured at the largest budget:", {k: round(v, 3) for k, v in fr.final_slopes().items()})
print("symbolic:", {k: round(v[1], 3) for k, v in fr.theory.items()})
dmft_frontier_figure(fr, OUT / "dmft_frontier.png")

# %% [markdown]
# ## 6. Discrete steps, momentum and one-pass SGD -- the bridge to learning-rate schedules
# GD and heavy ball replace `exp(-t Q)` by a polynomial in `Q`; its z-transform is the flow's resolvent at
# a mapped `s`, so the same kernels (bias, variance, train loss) give their curves. One-pass SGD with batch
# `B` (online, `P = inf`) adds the gradient noise through a discrete Volterra equation
# `L_n = F(n) + (eta^2/B) sum K(n-1-m)(L_m + sigma^2)`, the DMFT model's analogue of PLRF's. Lines:
# predictions; points: direct simulation (2 standard errors).

# %%
from sltk import dmft_optimizers_figure

_, rows = dmft_optimizers_figure(DMFT(a, b, N=32 if FAST else 128, P=math.inf, M=200 if FAST else 1000),
                                 OUT / "dmft_optimizers.png", t_max=100.0 if FAST else 1e3,
                                 runs=4 if FAST else 16, n_sim=3 if FAST else 6)
for r in rows:
    print(f"{r[0]:40s} t={r[1]:8.4g}  predicted {r[2]:.4g}  simulated {r[3]:.4g} +- {r[4]:.2g}")
# shared data: E members with independent projections but one data set keep the data variance
c = nd.loss_curve(DMFT(a, b, N=64, P=128, M=M), [1e4])
print("E=4 ensemble, independent data:", float(nd.ensemble_loss(c, 4)[0]),
      " shared data:", float(nd.ensemble_loss(c, 4, shared_data=True)[0]), " single:", float(c.test_loss[0]))
