"""verification.plrf -- power-law random features by simulation: the NumPy/CuPy simulator, the exact
expected risk of a sampled ``W``, the checks simulation <-> exact <-> numerics <-> theory with derived
tolerances, each optimizer's verification rules, and the frontier check.

References
----------
E. Paquette, C. Paquette, L. Xiao, J. Pennington, "4+3 Phases of Compute-Optimal Neural Scaling Laws",
NeurIPS 2024 (arXiv:2405.15074), Sec. 2-3; J. Kim, D. Song, C. Yun, arXiv:2603.02069 (2026).
"""

from theory.plrf import PLRF as _PLRF

from .._verify import register_model as _register_model

# --- simulation and the exact expected risk of a sampled W ---
from ._simulate import PLRFInstance as PLRFInstance
from ._simulate import SimulationResult as SimulationResult
from ._simulate import log_steps as log_steps
from ._simulate import memory_estimate as memory_estimate
from ._simulate import sample_instance as sample_instance
from ._simulate import simulate_plrf as simulate
from ._exact_risk import ExactRiskCurve as ExactRiskCurve
from ._exact_risk import InstanceSpectrum as InstanceSpectrum
from ._exact_risk import exact_expected_risk as exact_expected_risk
from ._exact_risk import instance_spectrum as instance_spectrum

# --- the checks (generic over the optimizer) ---
from ._checks import check_limit_level as check_limit_level
from ._checks import check_simulation_vs_exact as check_simulation_vs_exact
from ._checks import check_simulation_vs_volterra as check_simulation_vs_volterra
from ._checks import check_slope as check_slope
from ._checks import check_solver_vs_exact as check_solver_vs_exact
from ._checks import check_volterra_vs_exact as check_volterra_vs_exact
from ._checks import mode_stability_limit as mode_stability_limit
from ._frontier_checks import FrontierCheck as FrontierCheck
from ._frontier_checks import check_frontier as check_frontier

# --- each optimizer's verification (rules) ---
from ._rules import RULES as RULES
from ._rules import PLRFVerificationRules as PLRFVerificationRules
from ._sgd import run_verification as run_verification
from ._signsgd import PLRFSignSGDCheck as PLRFSignSGDCheck
from ._signsgd import check_signsgd_plrf as check_equations

_register_model(_PLRF, RULES)
