"""numerics.laws -- empirical loss laws with learning-rate annealing: learning-rate histories
and their areas, the momentum law of Tissue et al. and the multi-power law of Luo et al.,
robust fitting with bootstrap, the packaged real LLM loss curves, schedule design, and the
bridge that fits the laws to exact PLRF risk curves.

References
----------
H. Tissue, V. Wang, L. Wang, "Scaling Law with Learning Rate Annealing", arXiv:2408.11029;
K. Luo et al., "A Multi-Power Law for Loss Curve Prediction Across Learning Rate Schedules",
ICLR 2025 (arXiv:2503.12811).
"""

# --- learning-rate histories and annealing areas ---
from ._annealing import WARMUP_CONVENTIONS as WARMUP_CONVENTIONS
from ._annealing import effective_rates as effective_rates
from ._annealing import LRHistory as LRHistory
from ._annealing import annealing_areas as annealing_areas
from ._annealing import lr_history as lr_history
from ._annealing import lr_history_from_table as lr_history_from_table

# --- the laws ---
from ._loss_laws import LOSS_LAWS as LOSS_LAWS
from ._loss_laws import LossLaw as LossLaw
from ._loss_laws import MultiPowerLaw as MultiPowerLaw
from ._loss_laws import TissueLaw as TissueLaw
from ._loss_laws import law_from_params as law_from_params
from ._loss_laws import make_law as make_law

# --- fitting and metrics ---
from ._law_fitting import FIT_METHODS as FIT_METHODS
from ._law_fitting import FIT_MODES as FIT_MODES
from ._law_fitting import PRIOR_GRID as PRIOR_GRID
from ._law_fitting import CV_SCHEMES as CV_SCHEMES
from ._law_fitting import TIME_FRACTION as TIME_FRACTION
from ._law_fitting import interval_coverage as interval_coverage
from ._law_fitting import predictive_interval as predictive_interval
from ._law_fitting import calibrate_interval as calibrate_interval
from ._law_fitting import extrapolation_distance as extrapolation_distance
from ._law_fitting import INTERVAL_KINDS as INTERVAL_KINDS
from ._law_fitting import LawFit as LawFit
from ._law_fitting import curve_metrics as curve_metrics
from ._law_fitting import fit_and_predict as fit_and_predict
from ._law_fitting import fit_loss_law as fit_loss_law
from ._law_fitting import bootstrap_fit as bootstrap_fit
from ._law_fitting import huber_objective as huber_objective
from ._law_fitting import summarize_metrics as summarize_metrics

# --- loss-curve data (the packaged LLM runs) ---
from ._loss_curve_data import LLM_FIT_SPLIT as LLM_FIT_SPLIT
from ._loss_curve_data import LLM_PEAK as LLM_PEAK
from ._loss_curve_data import LLM_SCHEDULES as LLM_SCHEDULES
from ._loss_curve_data import LLM_SIZES as LLM_SIZES
from ._loss_curve_data import LLM_WARMUP as LLM_WARMUP
from ._loss_curve_data import LossCurve as LossCurve
from ._loss_curve_data import llm_run_history as llm_run_history
from ._loss_curve_data import load_llm_curve as load_llm_curve
from ._loss_curve_data import loss_data_dir as loss_data_dir
from ._loss_curve_data import read_loss_csv as read_loss_csv

# --- schedule design ---
from ._schedule_design import OptimalSchedule as OptimalSchedule
from ._schedule_design import best_wsd_decay as best_wsd_decay
from ._schedule_design import optimal_schedule as optimal_schedule
from ._schedule_design import wsd_final_loss as wsd_final_loss

# --- the bridge to PLRF theory ---
from ._bridge import THEORY_SCHEDULES as THEORY_SCHEDULES
from ._bridge import BridgeResult as BridgeResult
from ._bridge import law_theory_bridge as law_theory_bridge
from ._bridge import theory_exponents as theory_exponents
from ._bridge import theory_loss_curves as theory_loss_curves
