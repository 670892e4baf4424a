"""sltk.theory -- closed forms (SymPy): problems, optimizers, schedules, risk terms,
phase diagrams and compute-optimal exponents.

This package is the bottom layer: it imports nothing from ``numerics``,
``verification`` or ``sltk``. Its public API is exactly what is re-exported here.
"""

from ._conventions import CONVENTIONS as CONVENTIONS
from ._conventions import convert_risk as convert_risk
from ._errors import ParameterError as ParameterError
from ._errors import StabilityError as StabilityError
from . import validate as validate
from ._optimizers import Optimizer as Optimizer
from ._optimizers import SGD as SGD
from ._optimizers import GD as GD
from ._optimizers import OPTIMIZERS as OPTIMIZERS
from ._optimizers import register_optimizer as register_optimizer
from ._dispatch import RulesTable as RulesTable
from ._dispatch import optimizer_class as optimizer_class
from ._dispatch import resolve_optimizer as resolve_optimizer
from ._problem_plrf import PLRF as PLRF
from ._schedules import DECAY_SHAPES as DECAY_SHAPES
from ._schedules import SCHEDULES as SCHEDULES
from ._schedules import WSD as WSD
from ._schedules import Constant as Constant
from ._schedules import Cosine as Cosine
from ._schedules import FromCallable as FromCallable
from ._schedules import LinearWarmup as LinearWarmup
from ._schedules import Schedule as Schedule
from ._schedules import StableDecay as StableDecay
from ._schedules import StepDecay as StepDecay
from ._schedules import Tabulated as Tabulated
from ._schedules import TwoStage as TwoStage
from ._schedules import parse_schedule as parse_schedule
from ._schedules import as_schedule as as_schedule


# --- additions by later work go below this line (one import per name) ---
from ._optimizers import SignSGD as SignSGD
from ._power_terms import PowerTerm as PowerTerm
from ._power_terms import TermSum as TermSum
from ._plrf_terms import NumericTerm as NumericTerm
from ._plrf_terms import asymptotic_terms as asymptotic_terms
from ._plrf_terms import asymptotic_risk as asymptotic_risk
from ._plrf_terms import plrf_sgd_terms as plrf_sgd_terms
from ._plrf_terms import derive_power_sum as derive_power_sum
from ._plrf_terms import kernel_norm as kernel_norm
from ._plrf_terms import limit_level as limit_level
from ._exponents import TermSet as TermSet
from ._exponents import register_optimizer_terms as register_optimizer_terms
from ._exponents import registered_optimizers as registered_optimizers
from ._exponents import solve_exponents_at as solve_exponents_at
from ._phases import PHASES as PHASES
from ._phases import Phase as Phase
from ._phases import PhaseLocation as PhaseLocation
from ._phases import phase_of as phase_of
from ._phases import phase_boundaries as phase_boundaries
from ._phases import check_phase_partition as check_phase_partition
from ._phases import derived_boundary_polynomials as derived_boundary_polynomials
from ._exponent_table import ExponentResult as ExponentResult
from ._exponent_table import ExponentRow as ExponentRow
from ._exponent_table import compute_optimal_exponents as compute_optimal_exponents
from ._exponent_table import exponent_table as exponent_table
from ._exponent_table import exponents_piecewise as exponents_piecewise
from ._exponent_table import format_exponent_table as format_exponent_table
from ._power_terms import alpha as alpha_symbol
from ._power_terms import beta as beta_symbol
from ._annealing_areas import annealing_areas_closed_form as annealing_areas_closed_form
from ._annealing_areas import closed_form_areas as closed_form_areas
from ._signsgd_exponents import SignSGDExponents as SignSGDExponents
from ._signsgd_exponents import compare_with_sgd as compare_with_sgd
from ._signsgd_exponents import signsgd_exponents_at as signsgd_exponents_at
from ._signsgd_exponents import slope_difference_grid as slope_difference_grid
from ._signsgd_terms import signsgd_terms as signsgd_terms
from ._signsgd_phases import signsgd_phase_table as signsgd_phase_table
from ._signsgd_phases import signsgd_phase_of as signsgd_phase_of
from ._signsgd_phases import signsgd_phase_boundaries as signsgd_phase_boundaries
from ._signsgd_phases import signsgd_phase_check as signsgd_phase_check
from ._signsgd_phases import format_signsgd_phase_table as format_signsgd_phase_table
from ._signsgd_exponents import signsgd_eta_numeric as signsgd_eta_numeric
from ._signsgd_exponents import signsgd_lp_numeric as signsgd_lp_numeric
from ._signsgd_schedule_exponents import signsgd_decay_q as signsgd_decay_q
from ._signsgd_schedule_exponents import signsgd_schedule_eta as signsgd_schedule_eta
