# %% [markdown]
# # PLRF risk curves from the Volterra equation (SGD)
#
# This notebook shows the `numerics` layer of sltk on the power-law random-features model
# (Paquette, Paquette, Xiao & Pennington 2024, arXiv:2405.15074):
#
# 1. the deterministic-equivalent spectrum against the exact spectrum of sampled feature matrices;
# 2. the expected-risk curve from the discrete Volterra equation against the average over sampled `W`;
# 3. the solvers (direct, power-series division, Picard, log-grid modes) on one problem;
# 4. a warmup-stable-decay schedule;
# 5. the numerical compute-optimal frontier beside the symbolic exponents.
#
# `SLTK_FAST=1` runs small sizes; figures go to `$SLTK_NOTEBOOK_OUT` (default: the current folder).

# %%
import os
import time
from pathlib import Path

import numpy as np

import numerics
import theory
from sltk import figure_style, frontier_figure, save_figure

FAST = os.environ.get("SLTK_FAST") == "1"
OUT = Path(os.environ.get("SLTK_NOTEBOOK_OUT", "."))
d = 300 if FAST else 1000
n_draws = 4 if FAST else 8
problem = theory.plrf.PLRF(alpha=1.0, beta=0.8, v=4 * d, d=d)
print(problem, "phase", theory.plrf.compute_optimal_exponents(1.0, 0.8).phase)

# %% [markdown]
# ## 1. Deterministic equivalent versus sampled spectra
# `m(z)` solves `m = 1/(1 + (1/d) sum_j lambda_j/(lambda_j m - z))` (Newton with continuation);
# eigenvalues sit at the half-integer crossings of the eigenvalue count, weights are the target
# measure between them.

# %%
t = time.perf_counter()
de = numerics.plrf.deterministic_equivalent(problem)
print(f"deterministic equivalent: {time.perf_counter() - t:.2f} s; {de.message}")
draws = [numerics.plrf.exact_spectrum(problem, seed=s) for s in range(n_draws)]
print(f"F_0 (tau fixed point) = {de.f0:.4e}; sampled P_inf = {np.mean([s.p_inf for s in draws]):.4e} "
      f"+- {np.std([s.p_inf for s in draws]) / np.sqrt(n_draws):.1e}")

import matplotlib.pyplot as plt  # noqa: E402

with figure_style():
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(9.6, 3.6))
    k = np.arange(d, 0, -1)
    for s in draws:
        ax.loglog(k, s.eigenvalues, color="0.7", lw=0.8)
        bx.loglog(k, np.cumsum(s.weights[::-1])[::-1], color="0.7", lw=0.8)
    ax.loglog(k, de.spectrum.eigenvalues, color="C0", lw=1.6, label="deterministic equivalent")
    ax.loglog(k, k ** (-2.0 * problem.alpha), color="C1", ls="--", lw=1.0, label=r"$j^{-2\alpha}$")
    ax.set_xlabel("index $k$ (descending)")
    ax.set_ylabel(r"eigenvalue $\lambda_k$")
    ax.legend(title=f"grey: {n_draws} sampled W")
    bx.loglog(k, np.cumsum(de.spectrum.weights[::-1])[::-1], color="C0", lw=1.6)
    bx.set_xlabel("index $k$ (descending)")
    bx.set_ylabel(r"$\sum_{i \geq k} \lambda_i c_i(0)$")
    fig.tight_layout()
    save_figure(fig, OUT / "02_spectrum.png")

# %% [markdown]
# ## 2. Risk curve: deterministic equivalent versus the average over sampled `W`

# %%
lr_max = numerics.plrf.max_stable_lr(de.spectrum, theory.SGD(lr=1.0))
opt = theory.SGD(lr=0.5 * lr_max)
steps = 10**5 if FAST else 10**7
t = time.perf_counter()
curve = numerics.plrf.risk_curve(problem, opt, steps=steps, spectrum=de.spectrum, n_points=120)
print(f"risk curve to {steps:.0e} steps in {time.perf_counter() - t:.2f} s ({curve.method}, "
      f"error estimate {curve.error_estimate:.1e}); ||K|| = {curve.kernel_norm:.3f}, lr_max = {lr_max:.4f}")
sampled = np.array([numerics.plrf.risk_curve(problem, opt, steps=steps, spectrum=s, n_points=120).risk for s in draws])
mean, se = sampled.mean(0), sampled.std(0, ddof=1) / np.sqrt(n_draws)
print(f"max |DE - mean| / mean = {np.max(np.abs(curve.risk - mean) / mean):.3f}; "
      f"max 3 SE / mean = {np.max(3 * se / mean):.3f}")
r = curve.steps[curve.steps >= 1]
est = theory.plrf.asymptotic_risk(problem, opt, r)
with figure_style():
    fig, ax = plt.subplots()
    s = curve.steps >= 1
    ax.fill_between(curve.steps[s], (mean - 3 * se)[s], (mean + 3 * se)[s], color="0.8", label=r"sampled $W$, mean $\pm$ 3 SE")
    ax.loglog(curve.steps[s], curve.risk[s], color="C0", lw=1.6, label="Volterra, deterministic equivalent")
    ax.loglog(r, est, color="C1", ls="--", lw=1.0, label="asymptotic estimate")
    ax.set_xlabel("SGD steps $r$")
    ax.set_ylabel(r"expected risk $\mathcal{P}(r)$")
    ax.legend(loc="lower left")
    save_figure(fig, OUT / "02_risk_curve.png")

# %% [markdown]
# ## 3. The solvers on one problem
# `direct` is the O(n^2) reference; `series` divides power series by FFT (O(n log n)); `picard`
# iterates to a residual tolerance; `loggrid` advances the modes over a log-spaced grid.

# %%
n = 4096
fk = numerics.plrf.forcing_kernel(de.spectrum, opt, n)
ref = numerics.solve_volterra(fk.F, fk.K, method="direct")
for method in ("series", "picard"):
    t = time.perf_counter()
    res = numerics.solve_volterra(fk.F, fk.K, method=method)
    print(f"{method:7s} {time.perf_counter() - t:.3f} s, max rel. diff to direct "
          f"{np.max(np.abs(res.risk - ref.risk) / ref.risk):.1e}, iterations {res.iterations}")
grid = numerics.log_grid(n - 1, 100)
res = numerics.solve_volterra(fk.forcing, fk.kernel, method="loggrid", times=grid)
print(f"loggrid max rel. diff to direct {np.max(np.abs(res.risk - ref.risk[grid]) / ref.risk[grid]):.1e} "
      f"(estimate {res.residual:.1e})")

# %% [markdown]
# ## 4. A warmup-stable-decay schedule (time-varying learning rate, log-grid solver)

# %%
wsd = theory.parse_schedule("wsd:warmup=0.01,decay=0.2,shape=cosine")
cw = numerics.plrf.risk_curve(problem, opt, wsd, steps, spectrum=de.spectrum, n_points=150)
with figure_style():
    fig, ax = plt.subplots()
    ax.loglog(curve.steps[1:], curve.risk[1:], label="constant")
    ax.loglog(cw.steps[1:], cw.risk[1:], label="WSD (cosine decay over the last 20 %)")
    ax.set_xlabel("SGD steps $r$")
    ax.set_ylabel(r"expected risk $\mathcal{P}(r)$")
    ax.legend()
    save_figure(fig, OUT / "02_schedule.png")
print(f"final risk: constant {curve.risk[-1]:.4e}, WSD {cw.risk[-1]:.4e}")

# %% [markdown]
# ## 5. The compute-optimal frontier

# %%
grid = np.geomspace(50, 400, 7) if FAST else np.geomspace(100, 3200, 14)
flops = np.logspace(4.0, 6.5, 16) if FAST else np.logspace(5.0, 8.5, 30)
t = time.perf_counter()
fr = numerics.plrf.frontier(1.0, 0.7, "sgd", lr=0.5, d_grid=grid, flops=flops)
print(f"frontier over {grid.size} sizes in {time.perf_counter() - t:.1f} s; phase {fr.phase}")
print("local eta:", np.round(fr.eta_local, 3), "symbolic", round(fr.eta_theory, 4))
print("local xi :", np.round(fr.xi_local, 3), "symbolic", round(fr.xi_theory, 4))

frontier_figure(fr, OUT / "02_frontier.png")

# %% [markdown]
# ## 6. Large models in seconds: the compiled solver
#
# With numba installed (the `fast` extra) the log-grid Volterra march runs compiled (`numerics.jit_enabled()`);
# `SLTK_NO_JIT=1` selects the NumPy path, which gives the same curve to ~1e-12. Here d = 10^6 modes
# (v = 10^7 data modes) to 10^9 steps, then a 10^4-mode curve both ways.

# %%
print("compiled kernels in use:", numerics.jit_enabled())
p6 = theory.plrf.PLRF(1.0, 0.8, 10**7, 10**6)
t = time.perf_counter()
de6 = numerics.plrf.deterministic_equivalent(p6)
c6 = numerics.plrf.risk_curve(p6, theory.SGD(lr=0.25 / p6.trace_D()), steps=10**9, spectrum=de6.spectrum,
                              n_points=200)
print(f"d = 1e6, 1e9 steps: {time.perf_counter() - t:.2f} s, status {c6.status}; {c6.message}")

p4 = theory.plrf.PLRF(1.0, 0.8, 10**5, 10**4)
sp4 = numerics.plrf.deterministic_equivalent(p4).spectrum
opt4 = theory.SGD(lr=0.25 / p4.trace_D())
curves, before = {}, os.environ.get("SLTK_NO_JIT")
for flag in ("0", "1"):
    os.environ["SLTK_NO_JIT"] = flag
    t = time.perf_counter()
    curves[flag] = numerics.plrf.risk_curve(p4, opt4, steps=10**8, spectrum=sp4, n_points=1000)
    print(f"d = 1e4 ({'NumPy' if flag == '1' else 'compiled'}): {1e3 * (time.perf_counter() - t):.1f} ms")
if before is None:
    os.environ.pop("SLTK_NO_JIT")
else:
    os.environ["SLTK_NO_JIT"] = before
rel = np.max(np.abs(curves["0"].risk / curves["1"].risk - 1))
print(f"largest relative difference of the two curves: {rel:.1e}")
assert rel < 1e-11
