"""numerics.linreg -- one-pass SGD and signSGD on high-dimensional Gaussian linear regression:
the risk ODEs and their exact recursions under any schedule, the stationary risks, and the four
effects of signSGD (effective learning rate, noise compression, diagonal preconditioning, noise
reshaping).

References
----------
K. L. Xiao, N. Marshall, A. Agarwala, E. Paquette, "Exact risk curves of signSGD in High-Dimensions:
quantifying preconditioning and noise-compression effects", arXiv:2411.12135 (2024).
"""

# --- risk curves and stationary risks (any registered optimizer) ---
from ._rules import RULES as RULES
from ._rules import HighDimRiskCurve as HighDimRiskCurve
from ._rules import LinRegNumericsRules as LinRegNumericsRules
from ._rules import limit_risk as limit_risk
from ._rules import risk_curve as risk_curve
from . import _sgd as _sgd  # noqa: F401  (registers SGD's equations)
from . import _signsgd as _signsgd  # noqa: F401  (registers signSGD's equations)

# --- the four effects of signSGD and its mode decomposition ---
from ._signsgd import SignSGDModes as SignSGDModes
from ._signsgd import effective_lr_factor as effective_lr_factor
from ._signsgd import noise_compression as noise_compression
from ._signsgd import preconditioned_matrix as preconditioned_matrix
from ._signsgd import sign_modes as sign_modes
from ._signsgd import sign_noise_covariance as sign_noise_covariance
