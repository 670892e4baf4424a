"""theory.plrf -- power-law random features (Paquette et al. 2024): the problem, the derived risk
terms of each optimizer, its compute-optimal phase diagram and exponents, and the comparison of
optimizers.

Every function that depends on the optimizer takes ``optimizer=`` as a name, class or instance;
each optimizer's theory is one rules object in :data:`RULES` (``_sgd.py``, ``_signsgd.py``).

References
----------
E. Paquette, C. Paquette, L. Xiao, J. Pennington, "4+3 Phases of Compute-Optimal Neural Scaling
Laws", NeurIPS 2024 (arXiv:2405.15074); J. Kim, D. Song, C. Yun, "Scaling Laws of SignSGD in
Linear Regression: When Does It Outperform SGD?", ICLR 2026 (arXiv:2603.02069).
"""

# --- the problem ---
from ._problem import PLRF as PLRF

# --- rules and result types (extending: subclass PLRFTheoryRules, RULES.register(cls, rules)) ---
from ._rules import RULES as RULES
from ._rules import Boundary as Boundary
from ._rules import ExponentResult as ExponentResult
from ._rules import PartitionCheck as PartitionCheck
from ._rules import PhaseLocation as PhaseLocation
from ._rules import PhaseRow as PhaseRow
from ._rules import PLRFTheoryRules as PLRFTheoryRules
from . import _sgd as _sgd  # noqa: F401  (registers SGD's rules)
from . import _signsgd as _signsgd  # noqa: F401  (registers signSGD's rules)

# --- compute-optimal exponents and phases ---
from ._api import compute_optimal_exponents as compute_optimal_exponents
from ._api import exponent_table as exponent_table
from ._api import format_exponent_table as format_exponent_table
from ._api import exponents_piecewise as exponents_piecewise
from ._api import phase_of as phase_of
from ._api import phase_boundaries as phase_boundaries
from ._api import boundary_curves as boundary_curves
from ._api import check_phase_partition as check_phase_partition
from ._api import derived_boundary_polynomials as derived_boundary_polynomials

# --- maps over (alpha, beta) and comparisons of optimizers ---
from ._api import exponent_grid as exponent_grid
from ._api import phase_grid as phase_grid
from ._api import phases_at as phases_at
from ._comparison import compare as compare
from ._comparison import decay_gain as decay_gain
from ._comparison import decay_gain_grid as decay_gain_grid
from ._comparison import decay_gain_map as decay_gain_map
from ._comparison import slope_difference_grid as slope_difference_grid

# --- signSGD's S-VI vertex with a soft drift-time wall (issue 12) ---
from ._signsgd_wall import drift_wall_vertex as drift_wall_vertex
from ._signsgd_wall import drift_wall_log_exponent as drift_wall_log_exponent
from ._signsgd_wall import drift_wall_local_eta as drift_wall_local_eta

# --- risk terms ---
from ._api import risk_terms as risk_terms
from ._api import asymptotic_terms as asymptotic_terms
from ._api import asymptotic_risk as asymptotic_risk
from ._sgd_terms import NumericTerm as NumericTerm
from ._sgd_terms import derive_power_sum as derive_power_sum
from ._sgd_terms import kernel_norm as asymptotic_kernel_norm
from ._sgd_terms import limit_level as asymptotic_limit_level
