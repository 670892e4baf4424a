"""Output helpers shared by the subcommands: JSON, text tables, figure saving."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np

__all__ = ["to_jsonable", "print_json", "format_table", "save_figure", "figure_style", "EXIT_CODES",
           "exit_code", "exit_codes_text"]

#: The one mapping from a result's status to the exit status of ``sltk``, the same with and
#: without ``--json`` (the JSON carries the status itself). ``bad_input`` and ``interrupted`` are
#: not result statuses but are listed so that ``sltk --help`` and the README show every code.
EXIT_CODES = {
    "ok": (0, "success (a verification: every check with a verdict passed, at least one applied)"),
    "failed": (1, "a verification check failed (and nothing else)"),
    "bad_input": (2, "bad input, refused before any work: one line on stderr names the flag and its valid "
                     "range (also an output path that cannot be written, or work that would not fit in memory)"),
    "diverged": (3, "the requested run diverges: the message names the peak learning rate and the largest "
                    "stable one"),
    "not_converged": (4, "a solver or fit did not converge to its tolerance: the result is printed, with the "
                         "message"),
    "unchecked": (5, "a verification ran but no check could be applied (nothing checked is not a pass)"),
    "interrupted": (130, "interrupted (Ctrl-C, SIGTERM); a sweep resumes with the same command"),
}


def exit_code(status: str) -> int:
    """Exit status of ``sltk`` for a result ``status`` (see :data:`EXIT_CODES`).

    >>> exit_code("ok"), exit_code("not_converged"), exit_code("diverged")
    (0, 4, 3)
    """
    if status not in EXIT_CODES:
        raise KeyError(f"no exit status for result status {status!r}; known: {', '.join(EXIT_CODES)}")
    return EXIT_CODES[status][0]


def exit_codes_text() -> str:
    """The exit statuses as lines ``CODE  STATUS  meaning`` (for ``sltk --help``)."""
    return "\n".join(f"  {code:<4d} {name:<14s} {what}" for name, (code, what) in EXIT_CODES.items())


def to_jsonable(obj):
    """Convert numpy / sympy / dataclass-ish values to plain JSON types.

    Non-finite floats become ``None`` (JSON has no NaN); finite ones stay floats.
    """
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return [to_jsonable(v) for v in obj.tolist()]
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        x = float(obj)
        return x if math.isfinite(x) else None
    if obj is None or isinstance(obj, str):
        return obj
    try:  # sympy numbers and expressions
        import sympy

        if isinstance(obj, sympy.Basic):
            if obj.is_number:
                return float(obj)
            return str(obj)
    except ImportError:  # pragma: no cover
        pass
    return str(obj)


def print_json(obj, file=None) -> None:
    """Print one JSON object (one line per call)."""
    print(json.dumps(to_jsonable(obj)), file=file or sys.stdout)


def format_table(headers, rows, fmt: str = "text") -> str:
    """Format rows as ``text`` (aligned), ``markdown`` or ``latex`` (booktabs)."""
    cells = [[str(c) for c in headers]] + [[str(c) for c in r] for r in rows]
    if fmt == "markdown":  # a literal '|' in a cell would split the row: escape it
        cells = [[c.replace("|", "\\|") for c in r] for r in cells]
        lines = ["| " + " | ".join(cells[0]) + " |", "|" + "|".join("---" for _ in cells[0]) + "|"]
        lines += ["| " + " | ".join(r) + " |" for r in cells[1:]]
        return "\n".join(lines)
    if fmt == "latex":
        lines = [r"\begin{tabular}{" + "l" * len(cells[0]) + "}", r"\toprule",
                 " & ".join(cells[0]) + r" \\", r"\midrule"]
        lines += [" & ".join(r) + r" \\" for r in cells[1:]]
        lines += [r"\bottomrule", r"\end{tabular}"]
        return "\n".join(lines)
    widths = [max(len(r[i]) for r in cells) for i in range(len(cells[0]))]
    out = ["  ".join(c.ljust(w) for c, w in zip(cells[0], widths)),
           "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in cells[1:]]
    return "\n".join(out)


def figure_style():
    """A matplotlib style context for paper-like figures (shipped ``sltk.mplstyle``)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.style

    return matplotlib.style.context(str(Path(__file__).with_name("sltk.mplstyle")))


def save_figure(fig, path) -> list[Path]:
    """Save ``fig`` to ``path`` (its suffix picks the format: .png, .pdf or .svg).

    Returns the written paths; the parent folder is created.
    """
    import matplotlib.pyplot as plt

    from theory import ParameterError

    path = Path(path)
    if path.suffix.lower() not in (".png", ".pdf", ".svg"):
        raise ParameterError("--out", "a file name ending in .png, .pdf or .svg", str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=200 if path.suffix.lower() == ".png" else None, bbox_inches="tight")
    plt.close(fig)
    return [path]
