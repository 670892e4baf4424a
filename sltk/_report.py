"""The ``sltk report`` driver: sections are discovered in :mod:`sltk._report_sections`.

Each section module defines ``ORDER`` (int, sort key), ``TITLE`` (str) and
``build(ctx: ReportContext) -> list`` returning blocks: :class:`Text`, :class:`Table`,
:class:`Figure` or :class:`Code`. The driver writes ``index.md`` and ``index.html`` (with
the figures embedded by relative path) into the output folder. Adding a section means
adding a file.
"""

from __future__ import annotations

import html
import importlib
import pkgutil
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from . import _report_sections
from ._output import format_table

__all__ = ["ReportContext", "Text", "Table", "Figure", "Code", "build_report", "section_names"]


@dataclass
class Text:
    """A paragraph of Markdown-light text (plain text in HTML)."""

    text: str


@dataclass
class Table:
    headers: list
    rows: list
    caption: str = ""


@dataclass
class Figure:
    path: str  # relative to the report folder
    caption: str = ""


@dataclass
class Code:
    text: str
    language: str = ""


@dataclass
class ReportContext:
    """What a section gets: the output folder and whether to run the fast variant."""

    outdir: Path
    fast: bool = False
    seed: int = 0
    timings: dict = field(default_factory=dict)

    def path(self, name: str) -> Path:
        """A path inside the report folder for an artefact (parent created)."""
        p = self.outdir / name
        p.parent.mkdir(parents=True, exist_ok=True)
        return p


def _sections():
    mods = []
    for info in pkgutil.iter_modules(_report_sections.__path__):
        if not info.name.startswith("_"):
            mods.append(importlib.import_module(f"{_report_sections.__name__}.{info.name}"))
    return sorted(mods, key=lambda m: (m.ORDER, m.__name__))


def section_names() -> list[str]:
    """The report's section names (module names, in build order), e.g. ``"10_phase_diagram"``."""
    return [m.__name__.rsplit(".", 1)[-1] for m in _sections()]


def _md(block) -> str:
    if isinstance(block, Text):
        return block.text
    if isinstance(block, Table):
        cap = f"*{block.caption}*\n\n" if block.caption else ""
        return cap + format_table(block.headers, block.rows, "markdown")
    if isinstance(block, Figure):
        return f"![{block.caption}]({block.path})\n\n*{block.caption}*"
    return f"```{block.language}\n{block.text}\n```"


def _html(block) -> str:
    e = html.escape
    if isinstance(block, Text):
        return "".join(f"<p>{e(par)}</p>" for par in block.text.split("\n\n"))
    if isinstance(block, Table):
        head = "".join(f"<th>{e(str(h))}</th>" for h in block.headers)
        body = "".join("<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in r) + "</tr>" for r in block.rows)
        cap = f"<caption>{e(block.caption)}</caption>" if block.caption else ""
        return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    if isinstance(block, Figure):
        return f'<figure><img src="{e(block.path)}" alt="{e(block.caption)}"><figcaption>{e(block.caption)}</figcaption></figure>'
    return f"<pre>{e(block.text)}</pre>"


_CSS = ("body{font-family:serif;max-width:60em;margin:2em auto;line-height:1.4}"
        "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #999;padding:2px 6px;"
        "font-family:monospace;font-size:90%}img{max-width:100%}caption{caption-side:bottom;font-style:italic}"
        ".fail{color:#b00}")


def build_report(outdir, *, fast: bool = False, only: list[str] | None = None, on_start=None,
                 on_end=None, cache: bool = False) -> dict:
    """Build every section into ``outdir``; returns a summary dict.

    A section that raises is reported in the index (with its traceback) and counted as
    failed; the others still run. ``only`` names sections (:func:`section_names`); an unknown
    name raises :class:`theory.ParameterError` before anything is built. ``on_start(i, n, title)``
    and ``on_end(i, n, summary_of_section)`` are called as each section starts and ends.
    ``cache=True`` reads and stores each section's results in the disk cache (:mod:`sltk._cache`,
    settings from :func:`sltk._cache.configure`); a section's summary then says ``cached``.
    """
    from theory import ParameterError

    t_all = time.perf_counter()
    names = section_names()
    if only is not None:
        unknown = [x for x in only if x not in names]
        if unknown or not only:
            raise ParameterError("only", "report sections among " + ", ".join(names),
                                 unknown[0] if unknown else only)
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    ctx = ReportContext(outdir=outdir, fast=fast)
    md = ["# sltk report", ""]
    body = ["<h1>sltk report</h1>"]
    summary = {"sections": [], "failed": []}
    todo = [m for m in _sections() if only is None or m.__name__.rsplit(".", 1)[-1] in only]
    for i, mod in enumerate(todo, 1):
        name = mod.__name__.rsplit(".", 1)[-1]
        if on_start is not None:
            on_start(i, len(todo), mod.TITLE)
        t0 = time.perf_counter()
        hit = False
        try:
            if cache:
                from ._cache import build_section_cached

                blocks, hit = build_section_cached(mod, ctx)
            else:
                blocks = mod.build(ctx)
            ok = True
        except Exception:  # a broken section must not hide the others
            blocks = [Text("This section failed to build:"), Code(traceback.format_exc())]
            ok = False
        dt = time.perf_counter() - t0
        summary["sections"].append({"name": name, "title": mod.TITLE, "ok": ok, "seconds": round(dt, 2),
                                    "cached": hit})
        if not ok:
            summary["failed"].append(name)
        if on_end is not None:
            on_end(i, len(todo), summary["sections"][-1])
        md += [f"## {mod.TITLE}", ""] + [_md(b) + "\n" for b in blocks]
        body += [f"<h2>{html.escape(mod.TITLE)}</h2>"] + [_html(b) for b in blocks]
    (outdir / "index.md").write_text("\n".join(md) + "\n")
    (outdir / "index.html").write_text(
        f"<!doctype html><html><head><meta charset='utf-8'><title>sltk report</title>"
        f"<style>{_CSS}</style></head><body>{''.join(body)}</body></html>\n"
    )
    summary["seconds"] = time.perf_counter() - t_all
    return summary
