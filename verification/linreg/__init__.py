"""verification.linreg -- one-pass training on high-dimensional Gaussian linear regression by
simulation (NumPy/CuPy), against the risk ODEs of :mod:`numerics.linreg`, with error bars from the
number of runs, and the ``d^(-1/2)`` scaling of the run-to-run spread.

References
----------
K. L. Xiao, N. Marshall, A. Agarwala, E. Paquette, arXiv:2411.12135 (2024).
"""

from theory.linreg import LinearRegressionProblem as _LinearRegressionProblem

from .._verify import register_model as _register_model

from ._simulate import LinRegSimulation as LinRegSimulation
from ._simulate import simulate_linreg as simulate
from ._checks import HIGHDIM_COVARIANCES as HIGHDIM_COVARIANCES
from ._checks import RULES as RULES
from ._checks import ErrorBarScaling as ErrorBarScaling
from ._checks import HighDimCheck as HighDimCheck
from ._checks import check_highdim as check_highdim
from ._checks import check_highdim_noises as check_highdim_noises
from ._checks import error_bar_scaling as error_bar_scaling
from . import _sgd as _sgd  # noqa: F401  (registers SGD's check)
from . import _signsgd as _signsgd  # noqa: F401  (registers signSGD's check)

_register_model(_LinearRegressionProblem, RULES)
