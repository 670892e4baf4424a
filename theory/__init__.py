"""sltk.theory -- closed forms (SymPy): problems, optimizers, schedules, risk terms,
phase diagrams and compute-optimal exponents.

This package is the bottom layer: it imports nothing from ``numerics``,
``verification`` or ``sltk``. Its public API is exactly what is re-exported here.
"""

from ._conventions import CONVENTIONS as CONVENTIONS
from ._conventions import convert_risk as convert_risk
from ._errors import ParameterError as ParameterError
from ._errors import StabilityError as StabilityError
from ._optimizer_base import Optimizer as Optimizer
from ._optimizer_sgd import SGD as SGD
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

#: Registry of optimizer classes by CLI name; a new optimizer registers itself here.
OPTIMIZERS: dict = {SGD.name: SGD}

# --- additions by later work go below this line (one import per name) ---
