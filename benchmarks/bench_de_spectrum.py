"""Deterministic-equivalent spectra at the exponent atlas's sizes: compiled Newton solves against the NumPy path.

    PYTHONPATH=$PWD python benchmarks/bench_de_spectrum.py

81 problems (alpha x beta in {0.35, 0.8, 1.25} x {0.25, 0.7, 1.3}, d = 16..256 on the atlas's 9-point
geometric grid, v = 4d), each path in its own process after one warm-up solve (numba's kernels loaded
or compiled first), one BLAS thread; prints CPU ms a spectrum for ``SLTK_NO_JIT=1`` and the default.
"""

from __future__ import annotations

import os
import subprocess
import sys

_CHILD = r"""
import time
import numerics
from theory.plrf import PLRF
numerics.plrf.deterministic_equivalent(PLRF(1.0, 0.8, 1024, 256))
numerics.plrf.deterministic_equivalent(PLRF(1.0, 0.8, 400, 100))
t, n = time.process_time(), 0
for a in (0.35, 0.8, 1.25):
    for b in (0.25, 0.7, 1.3):
        for d in (16, 23, 32, 45, 64, 91, 128, 181, 256):
            assert numerics.plrf.deterministic_equivalent(PLRF(a, b, 4 * d, d)).status == "ok"
            n += 1
print(n, (time.process_time() - t) / n * 1e3)
"""


def main():
    rows = []
    for label, flag in (("NumPy (SLTK_NO_JIT=1)", "1"), ("compiled (numba)", "")):
        env = {**os.environ, "SLTK_NO_JIT": flag, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
        out = subprocess.run([sys.executable, "-c", _CHILD], env=env, capture_output=True, text=True, check=True)
        n, ms = out.stdout.split()
        rows.append((label, int(n), float(ms)))
    print("| path | spectra | CPU ms a spectrum |\n|---|---|---|")
    for label, n, ms in rows:
        print(f"| {label} | {n} | {ms:.1f} |")
    print(f"load average {'/'.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
