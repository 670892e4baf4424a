"""sltk.numerics -- deterministic equivalents, fast Volterra solvers under any learning-rate
schedule, risk curves, compute-optimal frontiers and law fitting (mpmath, SciPy, NumPy), one
sub-package per model.

Imports from ``theory`` only. Its public API is exactly what is re-exported here and in the model
sub-packages (:mod:`numerics.plrf`, :mod:`numerics.linreg`, :mod:`numerics.laws`).
"""

# --- Volterra equations and exponential sums (shared machinery) ---
from ._expsum import ExpSum as ExpSum
from ._volterra import VolterraResult as VolterraResult
from ._volterra import log_grid as log_grid
from ._volterra import solve_volterra as solve_volterra

# --- compiled kernels (numba, the `fast` extra; SLTK_NO_JIT=1 selects the NumPy paths) ---
from ._jit import enabled as jit_enabled

# --- slopes and frontier search (shared machinery) ---
from ._slopes import local_slopes as local_slopes

# --- models ---
from . import dmft as dmft
from . import linreg as linreg
from . import plrf as plrf
from . import laws as laws
from . import richness as richness
from . import sweeps as sweeps
