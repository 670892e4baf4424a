"""``sltk report --out DIR``: the main job -- every report section into one folder."""

from __future__ import annotations

from .._report import build_report

COMMAND = "report"
HELP = "build the full report (figures, tables, checks) into a folder"


def add_arguments(p):
    p.add_argument("--out", default="report", help="output folder (default: report/)")
    p.add_argument("--fast", action="store_true", help="smaller sizes, for CI and a quick look")
    p.add_argument("--only", nargs="*", default=None, metavar="SECTION", help="build only these sections")


def run(args) -> int:
    summary = build_report(args.out, fast=args.fast, only=args.only)
    for s in summary["sections"]:
        print(f"{'ok  ' if s['ok'] else 'FAIL'} {s['title']} ({s['seconds']} s)")
    from pathlib import Path

    out = Path(args.out)
    print(f"report written to {out / 'index.html'} and {out / 'index.md'}")
    return 1 if summary["failed"] else 0
