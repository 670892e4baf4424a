"""numerics.richness -- gradient descent on the simple model of the feature-learning-strength paper
(the depth-``L`` scalar chain) vectorised over a (gamma, eta) grid, and on the wide muP linear network
of the authors' parameterisation: the measured largest stable learning rate, the best learning rate
per budget, slopes with intervals, plateau lengths and the collapse of the large-gamma curves.

References
----------
A. Atanasov, A. Meterez, J. B. Simon, C. Pehlevan, "The Optimization Landscape of SGD Across the
Feature Learning Strength", ICLR 2025 (arXiv:2410.04642).
"""

# --- GD on the chain over a grid ---
from ._chain_gd import ChainRun as ChainRun
from ._chain_gd import chain_gd as chain_gd
from ._chain_gd import log_grid_per_decade as log_grid_per_decade

# --- largest stable and best learning rates, slopes ---
from ._chain_gd import StabilityScan as StabilityScan
from ._chain_gd import stability_scan as stability_scan
from ._chain_gd import BestEta as BestEta
from ._chain_gd import best_eta as best_eta
from ._chain_gd import SlopeFit as SlopeFit
from ._chain_gd import fit_slope as fit_slope
from ._chain_gd import GammaEtaPlane as GammaEtaPlane
from ._chain_gd import gamma_eta_plane as gamma_eta_plane

# --- the best learning rate between grid points, slopes over seeds ---
from ._minimum import SubGridMin as SubGridMin
from ._minimum import sub_grid_min as sub_grid_min
from ._minimum import grid_point_min as grid_point_min
from ._minimum import window_quadratic_min as window_quadratic_min
from ._minimum import refine_grid as refine_grid
from ._minimum import SeedSlope as SeedSlope
from ._minimum import slope_over_seeds as slope_over_seeds

# --- plateaus and the collapse of the large-gamma curves ---
from ._chain_gd import plateau_length as plateau_length
from ._chain_gd import Collapse as Collapse
from ._chain_gd import collapse as collapse

# --- staircases: the diagonal linear network, one chain per input direction ---
from ._staircase import Staircase as Staircase
from ._staircase import diagonal_staircase as diagonal_staircase

# --- the wide muP linear network: the catapult window ---
from ._wide import WideRun as WideRun
from ._wide import wide_linear_gd as wide_linear_gd
from ._wide import WideStability as WideStability
from ._wide import wide_max_stable_eta as wide_max_stable_eta
