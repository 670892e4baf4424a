"""sltk.verification -- simulators with one code path for NumPy and CuPy, and the checks
theory <-> numerics <-> simulation with tolerances that follow from sample size.

Imports from ``theory`` and ``numerics`` only. Its public API is exactly what is
re-exported here.
"""

# --- one import per public name, grouped by module ---
from ._simulate_linreg import LinRegSimulation as LinRegSimulation
from ._simulate_linreg import simulate_linreg as simulate_linreg
from ._backend import BACKENDS as BACKENDS
from ._backend import backend_name as backend_name
from ._backend import cupy_available as cupy_available
from ._backend import default_rng as default_rng
from ._backend import get_namespace as get_namespace
from ._backend import limit_blas_threads as limit_blas_threads
from ._backend import to_numpy as to_numpy
from ._simulate_plrf import PLRFInstance as PLRFInstance
from ._simulate_plrf import SimulationResult as SimulationResult
from ._simulate_plrf import log_steps as log_steps
from ._simulate_plrf import sample_instance as sample_instance
from ._simulate_plrf import simulate_plrf as simulate_plrf
from ._exact_risk import ExactRiskCurve as ExactRiskCurve
from ._exact_risk import InstanceSpectrum as InstanceSpectrum
from ._exact_risk import exact_expected_risk as exact_expected_risk
from ._exact_risk import instance_spectrum as instance_spectrum
from ._checks import CheckResult as CheckResult
from ._checks import VerificationResult as VerificationResult
from ._checks import check_limit_level as check_limit_level
from ._checks import check_simulation_vs_exact as check_simulation_vs_exact
from ._checks import check_simulation_vs_volterra as check_simulation_vs_volterra
from ._checks import check_slope as check_slope
from ._checks import check_solver_vs_exact as check_solver_vs_exact
from ._checks import check_volterra_vs_exact as check_volterra_vs_exact
from ._checks import default_lr as default_lr
from ._checks import max_stable_lr as max_stable_lr
from ._checks import run_verification as run_verification
from ._signsgd_checks import HighDimCheck as HighDimCheck
from ._signsgd_checks import PLRFSignSGDCheck as PLRFSignSGDCheck
from ._signsgd_checks import check_signsgd_highdim as check_signsgd_highdim
from ._signsgd_checks import check_signsgd_plrf as check_signsgd_plrf
from ._signsgd_checks import default_signsgd_lr as default_signsgd_lr
from ._signsgd_checks import error_bar_scaling as error_bar_scaling
from ._frontier_checks import FrontierCheck as FrontierCheck
from ._frontier_checks import check_signsgd_frontier as check_signsgd_frontier
from ._verify import SIGNSGD_CHECK as SIGNSGD_CHECK
from ._verify import verify as verify
from ._verify import register_verifier as register_verifier
