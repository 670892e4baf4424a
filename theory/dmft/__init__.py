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

# --- bottleneck laws and the compute-optimal rule (SymPy, derived from the spectral sums) ---
from ._exponents import ComputeOptimal as ComputeOptimal
from ._exponents import Law as Law
from ._exponents import a_sym as a_sym
from ._exponents import b_sym as b_sym
from ._exponents import compute_optimal as compute_optimal
from ._exponents import crossover_time as crossover_time
from ._exponents import data_law as data_law
from ._exponents import exponents as exponents
from ._exponents import power_sum_law as power_sum_law
from ._exponents import time_law as time_law
from ._exponents import width_law as width_law

# --- heavy-ball momentum (registered as "heavyball") ---
from ._heavy_ball import HeavyBall as HeavyBall
