"""numerics.dmft -- the DMFT random-feature model: transfer function from its scalar fixed point,
inverse Laplace transforms (fixed Talbot in NumPy; mpmath as the reference), bias, single-model test
loss, train loss, the static limit, and the compute-optimal frontier.

References
----------
B. Bordelon, A. Atanasov, C. Pehlevan, "A Dynamical Model of Neural Scaling Laws", ICML 2024
(arXiv:2402.01092).
"""

# --- spectra and the fixed point ---
from ._spectrum import ModeNodes as ModeNodes
from ._spectrum import mode_nodes as mode_nodes
from ._fixed_point import df as degrees_of_freedom
from ._fixed_point import kappa_star as kappa_star

# --- loss curves ---
from ._curve import DMFTCurve as DMFTCurve
from ._curve import ensemble_loss as ensemble_loss
from ._curve import StaticLimit as StaticLimit
from ._curve import loss_curve as loss_curve
from ._curve import nodes_of as nodes_of
from ._curve import static_limit as static_limit
from ._curve import transfer_function as transfer_function

# --- the measured compute-optimal frontier ---
from ._frontier import DMFTFrontier as DMFTFrontier
from ._frontier import frontier as frontier

# --- the first-order 1/N, 1/P correction (closed form) ---
from ._first_order import first_order_loss as first_order_loss

# --- discrete-time optimizers (GD, heavy ball, online SGD): the rules table and spectral edge ---
from ._discrete import RULES as RULES
from ._discrete import time_step as time_step
from ._discrete import first_step as first_step
from . import _gd, _heavyball, _sgd  # noqa: F401  (each registers its optimizer's rules in RULES)
from ._fixed_point import spectral_edge as spectral_edge
