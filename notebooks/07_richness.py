# %% [markdown]
# # Feature-learning strength gamma: the chain's gamma-eta plane, eta* ~ gamma^2 and gamma^(2/L), plateaus
#
# Atanasov, Meterez, Simon & Pehlevan (ICLR 2025). The simple model is a depth-L scalar linear chain
# (one example, constant target, output `(prod w - 1)/gamma`); its closed forms are derived in
# `theory.richness`, and GD on it is run over a (gamma, eta) grid by `numerics.richness`.
#
# 1. The closed forms: sharpness, the edge of stability and its two limits, the regime lines.
# 2. The measured gamma-eta plane: largest stable eta exact to the grid, eta* and its slopes.
# 3. The ultra-rich plateau: measured length against the escape time, and the collapse.
# 4. (networks extra) a small ReLU MLP sweep.
#
# Set `SLTK_FAST=1` for small grids. Figures go to `$SLTK_NOTEBOOK_OUT` (default: current folder).

# %%
import os

import matplotlib

matplotlib.use("Agg")

from numerics.richness import collapse, gamma_eta_plane, log_grid_per_decade, plateau_length
from sltk._figures.richness import collapse_figure, eta_star_figure, phase_plane_figure
from theory.richness import accelerating_gamma, escape_time, eta_edge_expr, eta_edge_limits, sharpness_expr

FAST = os.environ.get("SLTK_FAST") == "1"
OUT = os.environ.get("SLTK_NOTEBOOK_OUT", ".")

# %% [markdown]
# ## 1. Closed forms (SymPy)

# %%
print("lambda_0 =", sharpness_expr(at="init"), "  lambda* =", sharpness_expr(at="solution"))
print("eta_edge =", eta_edge_expr())
lim = eta_edge_limits()
print("limits:", lim["small_gamma"].expr, "(gamma << 1),", lim["large_gamma"].expr, "(gamma >> 1)")
print("plateau onset gamma:", accelerating_gamma())

# %% [markdown]
# ## 2. The measured gamma-eta plane

# %%
kw = dict(gamma_per_decade=1, eta_per_decade=10, steps=2000) if FAST else {}
planes = [gamma_eta_plane(L, **kw) for L in (2, 3, 4)]
for p in planes:
    s = p.slopes["eta_star"]
    print(f"L={p.depth}: boundary exact to the grid: {bool(p.scan.exact.all())}; eta* slopes "
          f"{s['small_gamma'].value:.3f} {s['small_gamma'].interval}, {s['large_gamma'].value:.3f} "
          f"{s['large_gamma'].interval} (theory 2, {2 / p.depth:.3f})")
phase_plane_figure(planes, os.path.join(OUT, "richness_phase_plane.png"))
eta_star_figure(planes, os.path.join(OUT, "richness_eta_star.png"))

# %% [markdown]
# ## 3. Plateau lengths and the collapse (eta = c gamma^(2/L))

# %%
c = 0.2
for L in (2, 3, 4):
    g = [1e4, 1e6] if FAST else [1e4, 1e6, 1e8]
    print(L, "measured", plateau_length(L, g, c), "predicted (GD)", escape_time(g, L, c, "discrete").round(1))
col = collapse(3, [1e4, 1e6] if FAST else [1e4, 1e6, 1e8], c)
print("collapse spread", col.spread, "unshifted", col.spread_raw)
collapse_figure(col, os.path.join(OUT, "richness_collapse.png"))

# %% [markdown]
# ## 3b. Staircases and the lazy limit
#
# The diagonal linear network is one chain per input direction (direction k: the chain at gamma beta_k with
# rate eta s_k beta_k^2), so its loss falls in steps, one per direction. As gamma -> 0 at fixed r = eta/gamma^2
# one chain step tends to a map without gamma: every rate the lazy model picks scales like gamma^2.

# %%
from numerics.richness import diagonal_staircase
from sltk._figures.richness import staircase_figure
from theory.richness import lazy_limit_map

st = diagonal_staircase(3, 1e4, c * 1e4 ** (2 / 3), [1.0, 0.25, 0.0625], steps=3000)
print("drops", st.drop, "escape times of the equivalent chains", st.predicted.round(1))
staircase_figure([st], os.path.join(OUT, "richness_staircase.png"))
print("lazy limit, MSE:", lazy_limit_map(3), "  cross-entropy:", lazy_limit_map(3, "xent"))

# %% [markdown]
# ## 4. A small ReLU MLP sweep (optional networks extra (PyTorch))

# %%
from verification.richness import MLPTask, measure_eta_star, torch_available

if torch_available():
    res = measure_eta_star(MLPTask(depth=2, width=16), log_grid_per_decade(1e-2, 1e-1, 2) if FAST
                           else log_grid_per_decade(1e-2, 1e2, 2), 100 if FAST else 500, per_decade=2 if FAST else 3)
    print("MLP eta*:", dict(zip(res.gammas.round(4), res.eta_star)), "interior:", res.interior)
else:
    print("torch not installed: network sweep skipped")
