"""theory.dmft -- the dynamical random-feature model of Bordelon, Atanasov & Pehlevan (ICML 2024):
the problem, and the bottleneck and compute-optimal exponents derived from its spectral sums.

References
----------
B. Bordelon, A. Atanasov, C. Pehlevan, "A Dynamical Model of Neural Scaling Laws", ICML 2024
(arXiv:2402.01092).
"""

# --- the problem and its conventions ---
from ._problem import DMFT as DMFT
from ._problem import DMFT_CONVENTIONS as DMFT_CONVENTIONS
