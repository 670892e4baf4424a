"""numerics.sweeps -- one sweep runner for every grid of the toolkit: a point function over a grid
of named axes (or a list of points), run on Dask (a LocalCluster by default, any running scheduler
by address, SLURM/PBS through dask-jobqueue, or serially), with each result stored as it finishes
in a labelled zarr store (xarray conventions) that an interrupted sweep resumes.

Needs the ``sweeps`` extra (``pip install 'sltk[sweeps]'``: dask[distributed], xarray, zarr, tqdm).
Shared machinery of the numerics layer, not a model: the point functions live with their models or
sweep kinds (``sltk sweep``).
"""

# --- grids ---
from ._grid import Grid as Grid
from ._grid import parse_axis as parse_axis

# --- running ---
from ._runner import JOBQUEUE_CLUSTERS as JOBQUEUE_CLUSTERS
from ._runner import SweepResult as SweepResult
from ._runner import call_point as call_point
from ._runner import jobqueue_cluster as jobqueue_cluster
from ._runner import run_sweep as run_sweep

# --- stores ---
from ._store import STATUSES as STATUSES
from ._store import open_sweep as open_sweep
from ._store import package_version as package_version
