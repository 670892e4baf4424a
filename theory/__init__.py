"""sltk.theory -- closed forms (SymPy): problems, optimizers, schedules, risk terms, phase
diagrams and compute-optimal exponents, one sub-package per model.

This package is the bottom layer: it imports nothing from ``numerics``, ``verification`` or
``sltk``. Its public API is exactly what is re-exported here and in the model sub-packages
(:mod:`theory.plrf`, :mod:`theory.linreg`, :mod:`theory.laws`).
"""

# --- errors and validation ---
from ._errors import MISSING as MISSING
from ._errors import ParameterError as ParameterError
from ._errors import StabilityError as StabilityError
from . import validate as validate

# --- conventions ---
from ._conventions import CONVENTIONS as CONVENTIONS
from ._conventions import convert_risk as convert_risk

# --- optimizers and choosing by optimizer ---
from ._optimizers import OPTIMIZERS as OPTIMIZERS
from ._optimizers import GD as GD
from ._optimizers import SGD as SGD
from ._optimizers import Optimizer as Optimizer
from ._optimizers import SignSGD as SignSGD
from ._optimizers import register_optimizer as register_optimizer
from ._dispatch import RulesTable as RulesTable
from ._dispatch import optimizer_class as optimizer_class
from ._dispatch import resolve_optimizer as resolve_optimizer

# --- learning-rate schedules ---
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
from ._schedules import as_schedule as as_schedule
from ._schedules import parse_schedule as parse_schedule

# --- term algebra and the compute-optimal LP (shared by the models) ---
from ._power_terms import PowerTerm as PowerTerm
from ._power_terms import TermSum as TermSum
from ._power_terms import alpha as alpha_symbol
from ._power_terms import beta as beta_symbol
from ._lp import LPSolution as LPSolution
from ._lp import TermSet as TermSet
from ._lp import solve_term_lp as solve_term_lp
from ._derivation_cache import solve_cached as solve_cached

# --- models ---
from . import dmft as dmft
from . import laws as laws
from . import linreg as linreg
from . import plrf as plrf
from . import richness as richness
