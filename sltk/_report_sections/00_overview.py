"""Report section 0: what this report is, the conventions, and the software it ran on."""

from __future__ import annotations

import platform
import sys

ORDER = 0
TITLE = "About this report"


def build(ctx):
    import matplotlib
    import mpmath
    import numpy
    import scipy
    import sympy

    from theory import CONVENTIONS

    from .. import __version__
    from .._report import Table, Text

    mode = "fast (reduced sizes)" if ctx.fast else "full"
    return [
        Text(
            "sltk, the Scaling-Law Theory Kit, derives the scaling laws of solvable models of training in "
            "SymPy, computes them numerically (deterministic equivalents, Volterra equations), and checks both "
            f"against simulations. This report was built in {mode} mode; every number in it is computed by "
            "the code when the report is built, nothing is typed in."
        ),
        Table(["convention", "definition"], [[k, v] for k, v in CONVENTIONS.items()], caption="Conventions"),
        Table(
            ["software", "version"],
            [["sltk", __version__], ["python", sys.version.split()[0]], ["platform", platform.platform()],
             ["numpy", numpy.__version__], ["scipy", scipy.__version__], ["sympy", sympy.__version__],
             ["mpmath", mpmath.__version__], ["matplotlib", matplotlib.__version__]],
            caption="Software",
        ),
    ]
