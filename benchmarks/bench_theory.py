"""Timings of the symbolic theory layer (derivation, table, point queries, partition check).

Run by hand: ``.venv/bin/python benchmarks/bench_theory.py``; prints a table. Each step is
timed in a fresh subprocess so that caches do not hide the cost.
"""

from __future__ import annotations

import subprocess
import sys
import time

STEPS = {
    "derive all terms (plrf_sgd_terms)": "import theory; theory.plrf._sgd_terms.plrf_sgd_terms()",
    "exponent table (7 phases, LP)": "import theory; theory.plrf.exponent_table()",
    "one point query (cold)": "import theory; theory.plrf.compute_optimal_exponents(0.7, 1.2)",
    "phase_boundaries (symbolic continuity)": "import theory; theory.plrf.phase_boundaries()",
    "check_phase_partition (LRA)": "import theory; theory.plrf.check_phase_partition()",
    "asymptotic_terms + risk (d=1000)": ("import theory, numpy as np; p=theory.plrf.PLRF(0.7,1.2,4000,1000); "
                                         "o=theory.SGD(lr=0.2); theory.plrf.asymptotic_risk(p,o,np.logspace(0,6,200))"),
    "phase diagram PNG": ("from sltk._cli import main; main(['phases','--out','/tmp/_bench_phase.png'])"),
}


def main():
    base = None
    rows = []
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import theory"], check=True)
    base = time.perf_counter() - t0
    for name, code in STEPS.items():
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
        rows.append((name, time.perf_counter() - t0 - base))
    # warm point queries
    import theory

    theory.plrf.exponent_table()
    t0 = time.perf_counter()
    n = 20
    for k in range(n):
        theory.plrf.compute_optimal_exponents(0.6 + 0.01 * k, 1.3)
    rows.append(("point query (warm, per call)", (time.perf_counter() - t0) / n))
    print(f"{'step':45s} seconds")
    print(f"{'python -c import theory (subtracted)':45s} {base:.2f}")
    for name, t in rows:
        print(f"{name:45s} {t:.2f}")


if __name__ == "__main__":
    main()
