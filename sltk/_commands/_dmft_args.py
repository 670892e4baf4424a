"""Shared argument parsing of the DMFT subcommands (``inf`` for P and M, flag-named validation)."""

from __future__ import annotations

import math

from theory import ParameterError
from theory.validate import check_int, check_real


def add_exponent_arguments(p, b_text: str = "b > 0", b_gt: float = 0.0) -> None:
    """``--a`` (target exponent, a > 1) and ``--b`` (spectral exponent), range-checked at parse time."""
    from .._args import real

    p.add_argument("--a", type=real(gt=1), required=True, help="target exponent a > 1 (lambda_k w*_k^2 = k^-a)")
    p.add_argument("--b", type=real(gt=b_gt), required=True, help=f"spectral exponent {b_text} (lambda_k = k^-b)")


def parse_count(flag: str, text, *, allow_inf: bool = True):
    """An integer >= 1 or ``inf`` from the command line, validated under the flag's name."""
    if text is None:
        return math.inf
    if allow_inf and str(text).strip().lower() in ("inf", "infinity"):
        return math.inf
    try:
        val = float(text)
    except ValueError:
        raise ParameterError(flag, "an integer >= 1" + (" or inf" if allow_inf else ""), text) from None
    return check_int(flag, val, ge=1)


def build_problem(args):
    """The validated ``theory.dmft.DMFT`` from ``--a --b --N --P --M --sigma2`` (errors name the flag)."""
    from theory.dmft import DMFT

    a = check_real("--a", args.a, gt=1)
    b = check_real("--b", args.b, gt=0)
    N = check_int("--N", args.N, ge=1)
    P = parse_count("--P", args.P)
    M = parse_count("--M", args.M)
    if math.isinf(M) and not b > 1:
        raise ParameterError("--M", "a finite integer when b <= 1 (M = inf needs b > 1)", "inf")
    s2 = check_real("--sigma2", args.sigma2, ge=0)
    return DMFT(a=a, b=b, N=N, P=P, M=M, sigma2=s2)
