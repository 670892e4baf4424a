"""numerics.plrf -- power-law random features numerically: spectra (exact, surrogate, deterministic
equivalent), the SGD forcing and kernel, one risk-curve entry point for every optimizer (SGD's
Volterra equation, signSGD's per-mode equations), and one compute-optimal frontier.

References
----------
E. Paquette, C. Paquette, L. Xiao, J. Pennington, "4+3 Phases of Compute-Optimal Neural Scaling
Laws", NeurIPS 2024 (arXiv:2405.15074); J. Kim, D. Song, C. Yun, ICLR 2026 (arXiv:2603.02069).
"""

# --- spectra and the deterministic equivalent ---
from ._spectra import Spectrum as Spectrum
from ._spectra import exact_spectrum as exact_spectrum
from ._spectra import surrogate_spectrum as surrogate_spectrum
from ._deterministic_equivalent import DeterministicEquivalent as DeterministicEquivalent
from ._deterministic_equivalent import deterministic_equivalent as deterministic_equivalent
from ._deterministic_equivalent import limit_level as limit_level
from ._deterministic_equivalent import solve_m as solve_m

# --- risk curves (any registered optimizer) ---
from ._rules import RULES as RULES
from ._rules import PLRFNumericsRules as PLRFNumericsRules
from ._rules import RiskCurve as RiskCurve
from ._rules import max_stable_lr as max_stable_lr
from ._rules import risk_curve as risk_curve
from ._rules import spectrum_of as spectrum_of
from . import _sgd as _sgd  # noqa: F401  (registers SGD's rules)
from . import _signsgd as _signsgd  # noqa: F401  (registers signSGD's rules)

# --- SGD's Volterra equation ---
from ._sgd_kernel import ForcingKernel as ForcingKernel
from ._sgd_kernel import forcing_kernel as forcing_kernel
from ._sgd_kernel import kernel_norm as kernel_norm
from ._sgd import exact_recursion as exact_recursion

# --- signSGD's per-mode equations ---
from ._signsgd import SignSGDPLRFModes as SignSGDPLRFModes
from ._signsgd import sign_modes as sign_modes

# --- the compute-optimal frontier ---
from ._frontier import Frontier as Frontier
from ._frontier import frontier as frontier

# --- the measured gain of a decaying rate ---
from ._decay_gain import DecayGain as DecayGain
from ._decay_gain import measure_decay_gain as measure_decay_gain
from ._decay_gain import paired_local_gain as paired_local_gain
