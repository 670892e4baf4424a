"""theory.richness -- the simple model of the feature-learning-strength paper: a depth-``L`` scalar
linear chain (one example, constant target, output ``/gamma``, centred) with MSE and cross-entropy.
Sharpness, the edge of stability ``eta_edge(gamma, L)`` and its limits ``2 gamma^2/L`` and
``(2/L) gamma^(2/L)``, the regimes of the gamma-eta plane, the plateau (escape) time and the time
reparameterisation. Gradient descent only (full batch on one example): no optimizer table.

References
----------
A. Atanasov, A. Meterez, J. B. Simon, C. Pehlevan, "The Optimization Landscape of SGD Across the
Feature Learning Strength", ICLR 2025 (arXiv:2410.04642).
"""

# --- the problem ---
from ._problem import LOSSES as LOSSES
from ._problem import Chain as Chain

# --- symbols and the loss ---
from ._chain import C as C
from ._chain import ETA as ETA
from ._chain import GAMMA as GAMMA
from ._chain import L_SYMBOL as L_SYMBOL
from ._chain import loss_expr as loss_expr

# --- sharpness and the edge of stability ---
from ._chain import hessian_eigenvalues as hessian_eigenvalues
from ._chain import sharpness_expr as sharpness_expr
from ._chain import sharpness as sharpness
from ._chain import solution_manifold_sharpness as solution_manifold_sharpness
from ._chain import eta_edge_expr as eta_edge_expr
from ._chain import eta_edge as eta_edge
from ._chain import eta_edge_limits as eta_edge_limits
from ._chain import PowerLimit as PowerLimit
from ._chain import lazy_edge as lazy_edge
from ._chain import catapult_edge as catapult_edge

# --- regimes of the gamma-eta plane ---
from ._chain import REGIMES as REGIMES
from ._chain import Regime as Regime
from ._chain import regime as regime
from ._chain import lazy_rich_gamma as lazy_rich_gamma
from ._chain import accelerating_gamma as accelerating_gamma

# --- plateau (escape) time and the time reparameterisation ---
from ._chain import escape_time_expr as escape_time_expr
from ._chain import escape_time as escape_time
from ._chain import reduced_variables as reduced_variables

# --- cross-entropy ---
from ._chain import xent_first_step_change as xent_first_step_change
from ._chain import xent_weight_edge as xent_weight_edge
from ._chain import lazy_limit_map as lazy_limit_map
