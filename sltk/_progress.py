"""Live progress on stderr for the CLI's long work (tqdm), quiet when stderr is not a terminal or
with ``--quiet``.

The library layers take a plain callback ``progress(done, total)`` (no dependency on a progress
library); :func:`progress_callback` makes one that drives a tqdm bar. :data:`QUIET` is set by
``sltk`` from ``--quiet``.
"""

from __future__ import annotations

import sys

__all__ = ["QUIET", "enabled", "progress_callback", "status"]

#: Set by the ``sltk`` driver from ``--quiet``.
QUIET = False


def enabled() -> bool:
    """Whether live progress is shown: stderr is a terminal and ``--quiet`` was not given."""
    return not QUIET and hasattr(sys.stderr, "isatty") and sys.stderr.isatty()


def progress_callback(desc: str, unit: str = "it"):
    """A ``progress(done, total)`` callback drawing a tqdm bar on stderr, or ``None`` when quiet.

    The bar is created at the first call (``total`` known then) and closed when ``done == total``.
    """
    if not enabled():
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:  # tqdm is a dependency; without it, no bar rather than a failure
        return None
    state: dict = {}

    def update(done: int, total: int) -> None:
        bar = state.get("bar")
        if bar is None or bar.total != total:
            if bar is not None:
                bar.close()
            bar = state["bar"] = tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, dynamic_ncols=True,
                                      leave=False)
        bar.update(done - bar.n)
        if done >= total:
            bar.close()
            state.pop("bar", None)

    return update


def status(text: str) -> None:
    """One line of status on stderr (a section starting, ...) unless ``--quiet``."""
    if not QUIET:
        print(text, file=sys.stderr, flush=True)
