"""theory.linreg -- Gaussian linear regression ``y = <x, theta*> + eps``, ``x ~ N(0, K)``: the problem
of the high-dimensional signSGD work, its covariances, and the label-noise laws.

References
----------
K. L. Xiao, N. Marshall, A. Agarwala, E. Paquette, "Exact risk curves of signSGD in High-Dimensions:
quantifying preconditioning and noise-compression effects", arXiv:2411.12135 (2024).
"""

# --- the problem and its covariances ---
from ._problem import LinearRegressionProblem as LinearRegressionProblem
from ._problem import as_covariance as as_covariance
from ._problem import correlated_covariance as correlated_covariance
from ._problem import isotropic_covariance as isotropic_covariance
from ._problem import power_law_covariance as power_law_covariance

# --- label-noise laws ---
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
