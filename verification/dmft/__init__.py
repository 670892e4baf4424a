"""verification.dmft -- direct simulation of the DMFT random-feature model (sampled features and
projection, exact gradient flow by eigendecomposition, many draws) against the predictions of
:mod:`numerics.dmft`, with error bars from the number of draws.

References
----------
B. Bordelon, A. Atanasov, C. Pehlevan, "A Dynamical Model of Neural Scaling Laws", ICML 2024
(arXiv:2402.01092).
"""

from theory.dmft import DMFT as _DMFT

from .._verify import register_model as _register_model

from ._simulate import DMFTSimulation as DMFTSimulation
from ._simulate import simulate_dmft as simulate
from ._simulate import simulate_online_sgd as simulate_online_sgd
from ._simulate import simulate_shared_data_ensemble as simulate_shared_data_ensemble
from ._checks import RULES as RULES
from ._checks import DMFTVerification as DMFTVerification
from ._checks import check_curve as check_curve


from . import _gd as _gd  # noqa: F401  (registers GD's check)
from . import _heavyball as _heavyball  # noqa: F401  (registers heavy ball's check)
from . import _sgd as _sgd  # noqa: F401  (registers online SGD's check)

_register_model(_DMFT, RULES)
