"""``sltk dmft-frontier``: the measured compute-optimal frontier (``C = N t``, online) of the DMFT model
and its local slopes beside the SymPy exponents."""

from __future__ import annotations

import math

import numpy as np

from .._output import format_table, print_json

from ._dmft_args import add_exponent_arguments
from .._args import integer

COMMAND = "dmft-frontier"
OUTPUTS = {"out": "file"}
HELP = "measured compute-optimal frontier of the DMFT model with local slopes vs the symbolic exponents"


def add_arguments(p):
    add_exponent_arguments(p, "b > 1", 1.0)
    p.add_argument("--loss", default="test", choices=("test", "bias"),
                   help="single-model test loss (default) or the bias (the paper's law)")
    p.add_argument("--n-min", type=integer(ge=1), default=16, help="smallest width (default 16)")
    p.add_argument("--n-max", type=integer(ge=1), default=131072, help="largest width (default 131072)")
    p.add_argument("--sizes", type=integer(ge=3, le=200), default=20, help="number of widths (default 20)")
    p.add_argument("--times", type=integer(ge=10, le=2000), default=160, help="times per width curve (default 160)")
    p.add_argument("--M", default="inf", help="number of modes or inf (default inf)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--out", default=None, metavar="FIG", help="write a figure (.png/.pdf/.svg)")


def run(args) -> int:
    from theory import ParameterError
    from theory.validate import check_int, check_real

    from ._dmft_args import parse_count

    a = check_real("--a", args.a, gt=1)
    b = check_real("--b", args.b, gt=1)
    lo = check_int("--n-min", args.n_min, ge=1)
    hi = check_int("--n-max", args.n_max, ge=1)
    if hi < 4 * lo:
        raise ParameterError("--n-max", f"--n-max >= 4 * --n-min = {4 * lo}", hi)
    k = check_int("--sizes", args.sizes, ge=3, le=200)
    M = parse_count("--M", args.M)
    nt = check_int("--times", args.times, ge=10, le=2000)
    import numerics.dmft as nd

    fr = nd.frontier(a, b, N_grid=np.logspace(math.log10(lo), math.log10(hi), k), loss=args.loss, M=M,
                     n_times=nt)
    if args.out:
        from .._figures.dmft import frontier_figure

        frontier_figure(fr, args.out)
    obj = fr.to_dict()
    if args.json:
        print_json(obj)
        return 0
    print(f"DMFT frontier a={a:g} b={b:g} ({args.loss} loss, P=inf, C = N t): status {fr.status}, "
          f"{fr.diagnostics['seconds']:.1f} s")
    fs = fr.final_slopes()
    rows = [[name, f"{fs[name]:.4f}", fr.theory[name][0], f"{fr.theory[name][1]:.4f}",
             f"{fs[name] - fr.theory[name][1]:+.4f}"] for name in ("loss", "width", "steps")]
    print(format_table(["exponent", "measured (largest C)", "symbolic", "value", "difference"], rows))
    if args.out:
        print(f"figure written to {args.out}")
    return 0
