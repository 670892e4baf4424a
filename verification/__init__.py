"""sltk.verification -- simulators with one code path for NumPy and CuPy, and the checks
theory <-> numerics <-> simulation with tolerances that follow from sample size, one sub-package per
model.

Imports from ``theory`` and ``numerics`` only. Its public API is exactly what is re-exported here
and in the model sub-packages (:mod:`verification.plrf`, :mod:`verification.linreg`).
"""

# --- array backends (NumPy, CuPy, array API) ---
from ._backend import BACKENDS as BACKENDS
from ._backend import backend_name as backend_name
from ._backend import cupy_available as cupy_available
from ._backend import default_rng as default_rng
from ._backend import get_namespace as get_namespace
from ._backend import limit_blas_threads as limit_blas_threads
from ._backend import to_numpy as to_numpy

# --- memory: estimates and the refusal of work that cannot fit ---
from ._resources import available_memory as available_memory
from ._resources import check_memory as check_memory

# --- results and statistics of the checks ---
from ._results import FAMILY_ALPHA as FAMILY_ALPHA
from ._results import CheckResult as CheckResult
from ._results import VerificationResult as VerificationResult
from ._results import robust_stderr as robust_stderr

# --- the one entry point (by the problem's model and the optimizer's rules) ---
from ._verify import MODELS as MODELS
from ._verify import default_lr as default_lr
from ._verify import register_model as register_model
from ._verify import verify as verify

# --- models ---
from . import dmft as dmft
from . import linreg as linreg
from . import plrf as plrf
from . import richness as richness
