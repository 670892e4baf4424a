"""theory.laws -- the annealing areas of the empirical loss laws in closed form (SymPy).

References
----------
H. Tissue, V. Wang, L. Wang, "Scaling Law with Learning Rate Annealing", arXiv:2408.11029, Eq. 1 and
Sec. 3 (forward area S1, annealing area S2).
"""

from ._areas import AREA_SCHEDULES as AREA_SCHEDULES
from ._areas import annealing_areas_closed_form as annealing_areas_closed_form
from ._areas import closed_form_areas as closed_form_areas
