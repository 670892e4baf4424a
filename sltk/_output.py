"""Output helpers shared by the subcommands: JSON, text tables, figure saving."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np

__all__ = ["to_jsonable", "print_json", "format_table", "save_figure", "figure_style"]


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
