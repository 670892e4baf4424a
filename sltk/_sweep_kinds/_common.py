"""Option parsing shared by the sweep kinds: the (alpha, beta) plane and lists of schedules."""

from __future__ import annotations

import theory
from theory import ParameterError


def add_plane_arguments(p, alpha_default=None, beta_default=None) -> None:
    """``--alpha`` and ``--beta`` as axes (``start:stop:step``, inclusive, or a comma list)."""
    p.add_argument("--alpha", required=alpha_default is None, default=alpha_default, metavar="START:STOP:STEP",
                   help="data exponents alpha > 0: an inclusive range start:stop:step or a comma list")
    p.add_argument("--beta", required=beta_default is None, default=beta_default, metavar="START:STOP:STEP",
                   help="target exponents beta: an inclusive range or a comma list")


def add_optimizer_plane_arguments(p, schedule_default: str, schedule_help: str, what: str) -> None:
    """The (alpha, beta) plane flags plus ``--schedule`` (comma list) and ``--optimizer`` (any optimizer
    with PLRF theory rules, default signsgd) shared by the theory-map sweep kinds."""
    import theory.plrf

    add_plane_arguments(p)
    p.add_argument("--schedule", default=schedule_default, help=f"comma list of {schedule_help} (default {schedule_default})")
    p.add_argument("--optimizer", default="signsgd", choices=theory.plrf.RULES.names(),
                   help=f"optimizer whose {what} (default signsgd)")


def plane_axes(args) -> dict:
    """``{"alpha": [...], "beta": [...]}`` from ``--alpha`` / ``--beta`` (alpha > 0 checked)."""
    from numerics.sweeps import parse_axis

    alphas = parse_axis(args.alpha, "--alpha")
    betas = parse_axis(args.beta, "--beta")
    if any(isinstance(a, str) for a in alphas) or min(alphas) <= 0:
        raise ParameterError("--alpha", "numbers alpha > 0", args.alpha)
    if any(isinstance(b, str) for b in betas):
        raise ParameterError("--beta", "numbers", args.beta)
    return {"alpha": alphas, "beta": betas}


def parse_schedules(text: str, flag: str = "--schedule") -> dict:
    """``{spelling: canonical spec}`` of a comma list of schedules.

    A comma starts a new schedule only where the next item names one, so the options of one
    schedule may be written with commas too: ``constant,wsd:decay=0.3,shape=cosine`` is two schedules.

    >>> sorted(parse_schedules("constant,wsd:decay=0.3,shape=cosine"))
    ['constant', 'wsd:decay=0.3,shape=cosine']
    """
    items: list[str] = []
    for tok in (t.strip() for t in str(text).split(",")):
        if not tok:
            raise ParameterError(flag, "a comma-separated list of schedules (name[:key=value,...])", text)
        if tok.split(":")[0].strip().lower() in theory.SCHEDULES or not items:
            items.append(tok)
        else:
            items[-1] += "," + tok
    out = {}
    for s in items:
        try:
            out[s] = theory.parse_schedule(s).spec()
        except ParameterError as exc:
            raise ParameterError(flag, f"schedules name[:key=value,...] ({exc})", s) from None
    if len(set(out.values())) != len(out):
        raise ParameterError(flag, "distinct schedules", text)
    return out


def parse_optimizers(text: str, flag: str = "--optimizer", allowed=None) -> list:
    """A comma list of optimizer names (each resolved by ``theory.optimizer_class``)."""
    names = [t.strip().lower() for t in str(text).split(",")]
    for n in names:
        try:
            theory.optimizer_class(n)
        except ParameterError:
            raise ParameterError(flag, "optimizer names among " + ", ".join(allowed or theory.OPTIMIZERS), n) from None
        if allowed is not None and n not in allowed:
            raise ParameterError(flag, "optimizer names among " + ", ".join(allowed), n)
    if len(set(names)) != len(names) or not names:
        raise ParameterError(flag, "distinct optimizer names", text)
    return names


def schedule_plane_grid(args, fixed=None):
    """``(schedules, Grid)`` of a kind over ``schedule x alpha x beta`` (``--schedule``, ``--alpha``, ``--beta``),
    with ``fixed`` parameters shared by every point."""
    from numerics.sweeps import Grid

    schedules = parse_schedules(args.schedule)
    return schedules, Grid({"schedule": list(schedules), **plane_axes(args)}, fixed=fixed)
