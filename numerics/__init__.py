"""sltk.numerics -- deterministic-equivalent spectra, forcing and kernel functions,
Volterra solvers, risk curves, compute-optimal frontiers and law fitting
(mpmath, SciPy, NumPy).

Imports from ``theory`` only. Its public API is exactly what is re-exported here.
"""

# --- one import per public name, grouped by module ---
from ._noise_laws import NOISE_LAWS as NOISE_LAWS
from ._noise_laws import CauchyNoise as CauchyNoise
from ._noise_laws import DensityNoise as DensityNoise
from ._noise_laws import ExponentialNoise as ExponentialNoise
from ._noise_laws import GaussianNoise as GaussianNoise
from ._noise_laws import LaplaceNoise as LaplaceNoise
from ._noise_laws import NoiseLaw as NoiseLaw
from ._noise_laws import NoNoise as NoNoise
from ._noise_laws import StudentTNoise as StudentTNoise
from ._noise_laws import UniformNoise as UniformNoise
from ._noise_laws import parse_noise as parse_noise
from ._signsgd_highdim import HighDimRiskCurve as HighDimRiskCurve
from ._signsgd_highdim import LinearRegressionProblem as LinearRegressionProblem
from ._signsgd_highdim import SignSGDModes as SignSGDModes
from ._signsgd_highdim import correlated_covariance as correlated_covariance
from ._signsgd_highdim import effective_lr_factor as effective_lr_factor
from ._signsgd_highdim import isotropic_covariance as isotropic_covariance
from ._signsgd_highdim import noise_compression as noise_compression
from ._signsgd_highdim import power_law_covariance as power_law_covariance
from ._signsgd_highdim import preconditioned_matrix as preconditioned_matrix
from ._signsgd_highdim import sgd_limit_risk as sgd_limit_risk
from ._signsgd_highdim import sgd_risk_ode as sgd_risk_ode
from ._signsgd_highdim import sign_noise_covariance as sign_noise_covariance
from ._signsgd_highdim import signsgd_limit_risk as signsgd_limit_risk
from ._signsgd_highdim import signsgd_modes as signsgd_modes
from ._signsgd_highdim import signsgd_risk_ode as signsgd_risk_ode
from ._spectra import Spectrum as Spectrum
from ._spectra import exact_spectrum as exact_spectrum
from ._spectra import surrogate_spectrum as surrogate_spectrum
from ._deterministic_equivalent import DeterministicEquivalent as DeterministicEquivalent
from ._deterministic_equivalent import deterministic_equivalent as deterministic_equivalent
from ._deterministic_equivalent import limit_level as limit_level
from ._deterministic_equivalent import solve_m as solve_m
from ._forcing_kernel import ExpSum as ExpSum
from ._forcing_kernel import ForcingKernel as ForcingKernel
from ._forcing_kernel import forcing_kernel as forcing_kernel
from ._forcing_kernel import kernel_norm as kernel_norm
from ._forcing_kernel import max_stable_lr as max_stable_lr
from ._volterra import VolterraResult as VolterraResult
from ._volterra import log_grid as log_grid
from ._volterra import solve_volterra as solve_volterra
from ._risk_curve import RISK_SOLVERS as RISK_SOLVERS
from ._risk_curve import RiskCurve as RiskCurve
from ._risk_curve import exact_recursion as exact_recursion
from ._risk_curve import register_risk_solver as register_risk_solver
from ._risk_curve import risk_curve as risk_curve
from ._signsgd_plrf import SignSGDPLRFModes as SignSGDPLRFModes
from ._signsgd_plrf import signsgd_plrf_modes as signsgd_plrf_modes
from ._signsgd_plrf import signsgd_plrf_risk as signsgd_plrf_risk
from ._frontier import Frontier as Frontier
from ._frontier import compute_optimal_frontier as compute_optimal_frontier
from ._frontier import local_slopes as local_slopes
from ._signsgd_frontier import SignSGDFrontier as SignSGDFrontier
from ._signsgd_frontier import signsgd_frontier as signsgd_frontier
from ._signsgd_frontier import lr_optimised_frontier as lr_optimised_frontier

# --- model sub-packages ---
from . import laws as laws
