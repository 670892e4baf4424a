"""verification.richness -- sweeps of small real networks across the feature-learning strength
(ReLU MLPs of depth 2-4 in the authors' muP parameterisation, trained online on teacher tasks; the
optional PyTorch extra), measuring eta* over gamma and its two slopes, and plateau lengths against the
chain's escape time.

References
----------
A. Atanasov, A. Meterez, J. B. Simon, C. Pehlevan, "The Optimization Landscape of SGD Across the
Feature Learning Strength", ICLR 2025 (arXiv:2410.04642).
"""

# --- ReLU MLP sweeps (optional networks extra (PyTorch)) ---
from ._mlp import torch_available as torch_available
from ._mlp import MLPTask as MLPTask
from ._mlp import MLPSweep as MLPSweep
from ._mlp import mlp_sweep as mlp_sweep
from ._mlp import eta_star_from_sweep as eta_star_from_sweep
from ._mlp import RefinedEtaStar as RefinedEtaStar
from ._mlp import refine_eta_star as refine_eta_star
from ._mlp import eta_grid as eta_grid
from ._mlp import NetworkEtaStar as NetworkEtaStar
from ._mlp import measure_eta_star as measure_eta_star

# --- plateaus of the ultra-rich regime ---
from ._mlp import NetworkPlateaus as NetworkPlateaus
from ._mlp import network_plateaus as network_plateaus
