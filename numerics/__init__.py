"""sltk.numerics -- deterministic-equivalent spectra, forcing and kernel functions,
Volterra solvers, risk curves, compute-optimal frontiers and law fitting
(mpmath, SciPy, NumPy).

Imports from ``theory`` only. Its public API is exactly what is re-exported here.
"""

# --- one import per public name, grouped by module ---
