"""sltk.verification -- simulators with one code path for NumPy and CuPy, and the checks
theory <-> numerics <-> simulation with tolerances that follow from sample size.

Imports from ``theory`` and ``numerics`` only. Its public API is exactly what is
re-exported here.
"""

# --- one import per public name, grouped by module ---
