"""``sltk report --out DIR``: the main job -- every report section into one folder.

Each section prints a line on stderr when it starts and one on stdout when it ends (``ok``/``FAIL``
and its seconds); long sections show live progress bars on a terminal (``--quiet``: none of the
stderr lines). Computed results are cached on disk (``--cache-dir``, keyed by their inputs and the
package version, :mod:`sltk._cache`), so a rebuild with nothing changed only redraws; ``--no-cache``
recomputes everything. Sections are independent: ``--jobs N`` (default 2 on a machine with two
or more cores) builds N of them at once in worker processes, the costliest first, and the index
keeps their order. Exit status 0, or 1 when a section failed to build (its traceback is in the
report).
"""

from __future__ import annotations

import argparse

from .._report import build_report, section_names

COMMAND = "report"
HELP = "build the full report (figures, tables, checks) into a folder"
DESCRIPTION = __doc__.split("\n\n")[0].replace("``", "")
OUTPUTS = {"out": "dir"}


class _Section:
    """argparse type: a report section, by module name (``10_phase_diagram``) or without its number."""

    __name__ = "section"

    def __call__(self, text: str) -> str:
        names = section_names()
        if text in names:
            return text
        short = {n.split("_", 1)[1]: n for n in names if "_" in n}
        if text in short:
            return short[text]
        raise argparse.ArgumentTypeError(f"--only must name report sections among {', '.join(names)} (or the "
                                         f"part after the number); got --only={text!r}")


def add_arguments(p):
    from .._cache import default_cache_dir

    p.add_argument("--out", default="report", help="output folder (default: report/)")
    p.add_argument("--fast", action="store_true", help="smaller sizes, for CI and a quick look")
    p.add_argument("--only", nargs="+", default=None, type=_Section(), metavar="SECTION",
                   help="build only these sections: " + ", ".join(section_names()))
    from .._args import integer

    p.add_argument("--jobs", type=integer(ge=1), default=None, metavar="N",
                   help="sections built at once in worker processes (default: 2, or 1 on a one-core machine)")
    p.add_argument("--no-cache", action="store_true", help="recompute every result (the cache is then refreshed)")
    p.add_argument("--cache-dir", default=None, metavar="DIR",
                   help=f"cache of computed results (default: $SLTK_CACHE_DIR or {default_cache_dir()})")


def default_jobs() -> int:
    """Sections built at once by default: 2 where this process may use 2 or more cores, else 1."""
    import os

    try:
        n = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        n = os.cpu_count() or 1
    return 2 if n >= 2 else 1


def run(args) -> int:
    from .. import _cache

    _cache.configure(args.cache_dir, enabled=not args.no_cache)
    if args.cache_dir is not None:  # the atlas section keeps its sweep store there too
        import os

        os.environ["SLTK_CACHE_DIR"] = str(args.cache_dir)

    def started(i, n, title):
        from .._progress import status

        status(f"[{i}/{n}] {title} ...")

    def finished(i, n, s):
        print(f"{'ok  ' if s['ok'] else 'FAIL'} [{i}/{n}] {s['title']} ({s['seconds']} s"
              + (", from the cache" if s.get("cached") else "") + ")", flush=True)

    summary = build_report(args.out, fast=args.fast, only=args.only, on_start=started, on_end=finished, cache=True,
                           jobs=int(args.jobs) if args.jobs is not None else default_jobs())
    from pathlib import Path

    out = Path(args.out)
    print(f"report written to {out / 'index.html'} and {out / 'index.md'}"
          + (f" in {summary['seconds']:.1f} s" if "seconds" in summary else ""))
    return 1 if summary["failed"] else 0
