"""Report section: the measured exponent atlas -- compute-optimal slopes measured over an
(alpha, beta) grid for SGD and signSGD, constant and WSD, beside the derived ones.

The atlas is a sweep (:mod:`numerics.sweeps`) kept in a store keyed by its inputs under the cache
folder (``$SLTK_CACHE_DIR``, default ``~/.cache/sltk``), so a second report reads it back without
computing, and an interrupted one resumes. ``SLTK_ATLAS_STORE`` names a store to draw instead (e.g.
the fine atlas computed on a cluster with ``sltk sweep frontier --preset fine ...``).

The sweep runs on a Dask ``LocalCluster`` of as many workers as the section has cores (``ctx.cores``:
all of them in a serial report, the worker's share in a parallel one), and in this process when that
share is one core. A one-worker cluster only adds its start and a second copy of every per-process
cache. The default before, a cluster of one worker per core beside the parallel report's other
worker, put three busy processes on two cores: in back-to-back first builds on 2 cores (derivation and
kernel caches warm) the report took 162 s wall and 309 s CPU that way, 125 s and 238 s with the atlas
in its own worker (docs/benchmarks.md). Serial and Dask runs give the same numbers bit for bit
(``tests/numerics/sweeps``).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

ORDER = 60
TITLE = "Measured exponent atlas (a sweep over (alpha, beta))"

#: Relative build cost (the report's parallel driver starts the costliest sections first).
COST = 8

#: (alphas, betas) of the atlas: the full report's 10 x 10, the fast (CI) variant's 2 x 3.
GRIDS = {False: ([round(0.2 + 0.15 * k, 10) for k in range(10)], [round(0.1 + 0.15 * k, 10) for k in range(10)]),
         True: ([0.7, 1.3], [0.4, 0.85, 1.3])}


def cache_dir() -> Path:
    """``$SLTK_CACHE_DIR`` or ``~/.cache/sltk``."""
    return Path(os.environ.get("SLTK_CACHE_DIR") or Path.home() / ".cache" / "sltk")


def atlas_store(spec) -> Path:
    """The cache path of an atlas sweep: a hash of its grid, point function, attributes and version."""
    from numerics.sweeps import package_version

    key = json.dumps({"grid": spec.grid.spec(), "attrs": spec.attrs, "fn": f"{spec.fn.__module__}:{spec.fn.__name__}",
                      "version": package_version()}, sort_keys=True)
    return cache_dir() / "sweeps" / f"atlas-{hashlib.sha256(key.encode()).hexdigest()[:16]}.zarr"


def cache_key(ctx):
    """Not cached when it draws a given store (``SLTK_ATLAS_STORE``, which may change); else the
    atlas store is itself the cache and the section's own output is keyed by the package."""
    return None if os.environ.get("SLTK_ATLAS_STORE") else ()


def build(ctx):
    from numerics.sweeps import open_sweep, run_sweep

    from .._output import figure_style, save_figure
    from .._report import Figure, Table, Text
    from .._sweep_kinds import frontier

    given = os.environ.get("SLTK_ATLAS_STORE")
    if given:
        path = Path(given)
        ds = open_sweep(path)
        how = f"read from SLTK_ATLAS_STORE={path}"
    else:
        alphas, betas = GRIDS[bool(ctx.fast)]
        spec = frontier.atlas_spec(alphas, betas, preset="ci")
        path = atlas_store(spec)
        workers = max(1, int(ctx.cores))
        # flush_seconds: a store write costs ~0.1 s whatever it holds (a zarr array per output); at the
        # default 0.5 s the serial atlas made 172 writes, 16 s of its 142 s (cProfile, 2026-12-06)
        res = run_sweep(spec.fn, spec.grid, store=path, attrs=spec.attrs, progress=False, flush_seconds=5.0,
                        scheduler="serial" if workers == 1 else None, workers=None if workers == 1 else workers)
        ds = res.dataset
        how = (f"{res.computed} points computed now ({res.scheduler}, {res.seconds:.0f} s), {res.skipped} read "
               f"from the cache store {path}")
    with figure_style():
        save_figure(frontier.figure(ds), ctx.path("sweeps/atlas.png"))
    st = ds["sweep_status"].values
    n_ok = int((st == "ok").sum())
    rows = []
    for q in ("eta", "xi"):
        for r in frontier.disagreements(ds, q)[:12]:
            rows.append([q, r["optimizer"], r["schedule"], f"{r['alpha']:g}", f"{r['beta']:g}", f"{r['measured']:.3f}",
                         f"[{r['lo']:.3f}, {r['hi']:.3f}]", f"{r['derived']:.3f}", f"{r['outside_by']:+.3f}"])
    counts = []
    ok = (ds["sweep_status"] == "ok") & (ds["frontier_status"] == "ok")
    for o in ds["optimizer"].values.tolist():
        for s in ds["schedule"].values.tolist():
            sub = ds.sel(optimizer=o, schedule=s)
            m = ok.sel(optimizer=o, schedule=s).values
            line = [o, s, int(m.sum())]
            for q in ("eta", "xi"):
                d = sub[q].values[m] - sub[f"{q}_derived"].values[m]
                d = d[(d == d)]
                outside = len([r for r in frontier.disagreements(sub, q)])
                line += [f"{d.mean():+.3f}" if d.size else "-", f"{abs(d).max():.3f}" if d.size else "-", outside]
            counts.append(line)
    pre = frontier.PRESETS[ds.attrs.get("preset", "ci")] if ds.attrs.get("preset") in frontier.PRESETS else {}
    return [
        Text("At each point (optimizer, schedule, alpha, beta) the compute-optimal frontier is measured with the learning "
             "rate optimised per budget (numerics.plrf.frontier with lr=optimise on the deterministic-equivalent equations), and "
             "its slopes eta (P* ~ f^-eta) and xi (d* ~ f^xi) are fitted over the upper half of the budgets whose "
             "minimiser is inside the lattice. The measured interval is the range of the one-decade local slopes there "
             "together with the fit +- its standard error: the drift and jitter the data themselves show. A cross marks "
             "a derived value outside that interval. "
             f"Lattice '{ds.attrs.get('preset', '?')}': d in [{pre.get('d_min', '?')}, {pre.get('d_max', '?')}], "
             f"f in [{pre.get('f_min', 0):.0e}, {pre.get('f_max', 0):.0e}]: small sizes, so the slopes are far from "
             "asymptotic and most disagreements below are finite-size effects, not errors of the derivation. "
             f"{n_ok} of {st.size} points ok; {how}."),
        Figure("sweeps/atlas.png", "Measured vs derived compute-optimal exponents over (alpha, beta); grey: no slope "
               "(outside 2 alpha + 2 beta > 1, or fewer than 3 budgets inside the lattice)"),
        Table(["optimizer", "schedule", "points", "mean eta diff", "max |eta diff|", "eta outside",
               "mean xi diff", "max |xi diff|", "xi outside"], counts,
              caption="measured - derived, by optimizer and schedule"),
        Table(["quantity", "optimizer", "schedule", "alpha", "beta", "measured", "interval", "derived", "outside by"],
              rows, caption="Largest disagreements (derived value outside the measured interval)"),
        Text("The fine atlas is one command on a cluster (it resumes if interrupted): sltk sweep frontier --preset fine "
             "--alpha 0.1:2:0.05 --beta 0:2:0.05 --store atlas.zarr --scheduler slurm --workers 64; then set "
             "SLTK_ATLAS_STORE=atlas.zarr for this section, or run sltk sweep show atlas.zarr --out atlas.png. "
             "docs/sweeps.md has the details."),
    ]
