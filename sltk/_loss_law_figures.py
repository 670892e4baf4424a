"""Former home of the loss-law figure recipes, now :mod:`sltk._figures.laws` (kept so that old
imports keep working)."""

from __future__ import annotations

from ._figures.laws import plot_curves_vs_law, plot_prediction_grid, plot_schedule_design, plot_theory_bridge

__all__ = ["plot_curves_vs_law", "plot_prediction_grid", "plot_schedule_design", "plot_theory_bridge"]
