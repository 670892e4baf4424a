# %% [markdown]
# # Sweeps on Dask: a grid of points, a store that resumes, and the measured exponent atlas
#
# 1. A decay-gain map of signSGD (derived) over (alpha, beta), run on a LocalCluster into a zarr store.
# 2. The same sweep again: nothing is recomputed; the store reads back as an xarray Dataset.
# 3. A small measured exponent atlas (SGD and signSGD, constant and WSD) beside the derived exponents.
#
# Set `SLTK_FAST=1` for small grids. Figures go to `$SLTK_NOTEBOOK_OUT` (default: current folder).

# %%
import os
import tempfile

import matplotlib

matplotlib.use("Agg")

from numerics.sweeps import open_sweep, run_sweep
from sltk._output import figure_style, save_figure
from sltk._sweep_kinds import decay_gain, frontier
from numerics.sweeps import Grid, parse_axis

FAST = os.environ.get("SLTK_FAST") == "1"
OUT = os.environ.get("SLTK_NOTEBOOK_OUT", ".")
WORK = tempfile.mkdtemp()

# %% [markdown]
# ## 1. The decay-gain map on a LocalCluster

# %%
step = "0.3" if FAST else "0.1"
grid = Grid({"schedule": ["wsd"], "alpha": parse_axis(f"0.6:1.5:{step}"), "beta": parse_axis(f"0.1:1.5:{step}")})
store = os.path.join(WORK, "gain.zarr")
if __name__ == "__main__":
    res = run_sweep(decay_gain.point, grid, store=store, attrs={"kind": "decay-gain"}, workers=2, progress=False)
    print(res.status, res.computed, "computed on", res.scheduler, f"in {res.seconds:.1f} s")

    # %% [markdown]
    # ## 2. Run it again: everything is read back, nothing recomputed

    # %%
    again = run_sweep(decay_gain.point, grid, store=store, attrs={"kind": "decay-gain"}, scheduler="serial",
                      progress=False)
    print("computed:", again.computed, "skipped:", again.skipped)
    ds = open_sweep(store)
    print(ds["gain"].sel(schedule="wsd").round(4).to_pandas().iloc[:4, :4])
    with figure_style():
        save_figure(decay_gain.figure(ds), os.path.join(OUT, "sweeps_decay_gain.png"))

    # %% [markdown]
    # ## 3. A small measured atlas (CI lattice: slopes at d <= 256 are pre-asymptotic)

    # %%
    alphas, betas = ([0.7, 1.3], [0.4, 1.3]) if FAST else (parse_axis("0.4:1.6:0.3"), parse_axis("0.1:1.3:0.3"))
    opts, scheds = (["signsgd"], "wsd") if FAST else (["sgd", "signsgd"], "constant,wsd")
    spec = frontier.atlas_spec(alphas, betas, opts, scheds, preset="ci")
    atlas = run_sweep(spec.fn, spec.grid, store=os.path.join(WORK, "atlas.zarr"), attrs=spec.attrs, workers=2,
                      progress=False)
    print("\n".join(frontier.summary(atlas.dataset)))
    with figure_style():
        save_figure(frontier.figure(atlas.dataset), os.path.join(OUT, "sweeps_atlas.png"))
