"""sltk -- the Scaling-Law Theory Kit application layer: the ``sltk`` command, figure recipes and
the report. The science lives in the ``theory``, ``numerics`` and ``verification`` packages, which
this one imports (never the other way round).

The figure recipes are public here (notebooks and scripts draw what the report draws); their
modules are private (``sltk._figures.<model>``).
"""

__version__ = "0.1.0"

# --- figure style and output ---
from ._output import figure_style as figure_style
from ._output import save_figure as save_figure

# --- PLRF figures (any optimizer) ---
from ._figures.plrf import decay_gain_figure as decay_gain_figure
from ._figures.plrf import draw_verification as draw_verification
from ._figures.plrf import exponent_map_figure as exponent_map_figure
from ._figures.plrf import frontier_figure as frontier_figure
from ._figures.plrf import phase_diagram_figure as phase_diagram_figure
from ._figures.plrf import risk_curve_figure as risk_curve_figure
from ._figures.plrf import slope_difference_figure as slope_difference_figure
from ._figures.plrf import theory_terms_on as theory_terms_on
from ._figures.plrf import verification_figure as verification_figure
from ._figures.plrf import verification_grid as verification_grid

# --- DMFT random-feature figures ---
from ._figures.dmft import finite_width_figure as dmft_finite_width_figure
from ._figures.dmft import frontier_figure as dmft_frontier_figure
from ._figures.dmft import loss_vs_time_figure as dmft_loss_vs_time_figure
from ._figures.dmft import optimizers_figure as dmft_optimizers_figure
from ._figures.dmft import train_test_figure as dmft_train_test_figure
from ._figures.dmft import verification_figure as dmft_verification_figure
