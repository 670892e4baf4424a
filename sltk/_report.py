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
import os
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


def _available_cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


#: The cores a section built in this process may use: set by the parallel driver's worker to its share
#: (``cores // jobs``); ``None`` (a serial report) means all of them.
_SECTION_CORES = None


def section_cores() -> int:
    """The cores the section being built may use (its worker's share in a parallel report)."""
    return _SECTION_CORES or _available_cores()


@dataclass
class ReportContext:
    """What a section gets: the output folder, whether to run the fast variant, and ``cores``, the
    cores it may use (a section that spreads its work, like the atlas's sweep, uses that many
    processes; in a parallel report the other workers own the rest)."""

    outdir: Path
    fast: bool = False
    seed: int = 0
    timings: dict = field(default_factory=dict)
    cores: int = field(default_factory=section_cores)

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


def _section_worker(name: str, fast: bool, seed: int, cache_dir, enabled: bool, use_cache: bool,
                    blas_threads: int = 1):
    """Build (or read from the cache) one section in a report worker process: ``(result, hit, ok,
    seconds)``, ``result`` being ``{"blocks", "files"}`` or, on failure, the traceback text.

    The worker's BLAS/OpenMP pools are capped at ``blas_threads`` (threadpoolctl): ``jobs`` workers
    each running a multi-threaded BLAS on a machine with as many cores oversubscribe it, and the
    small matrices of the sections (loss-law Jacobians, DMFT pair sums) then spend their time in
    thread hand-offs -- on 2 cores the uncapped first build took 218 s wall and 424 s CPU, capped
    169 s and 322 s (docs/benchmarks.md)."""
    from threadpoolctl import threadpool_limits

    global _SECTION_CORES
    from . import _cache, _progress

    _SECTION_CORES = blas_threads  # the worker's share of the cores
    _progress.QUIET = True  # parallel bars would overwrite each other; the driver prints the lines
    _cache.configure(cache_dir, enabled=enabled)
    t0 = time.perf_counter()
    limits = threadpool_limits(limits=blas_threads)
    try:
        mod = importlib.import_module(f"{_report_sections.__name__}.{name}")
        res, hit = _cache.section_result(mod, fast, seed) if use_cache else (None, False)
        if res is None:  # not cached: build into a folder of our own and ship the files back
            res, hit = _cache._build_section(name, fast, seed, None, ""), False
        return res, hit, True, time.perf_counter() - t0
    except Exception:
        return traceback.format_exc(), False, False, time.perf_counter() - t0
    finally:
        limits.restore_original_limits()


def _parallel_ok(todo) -> bool:
    """Workers import the sections by name: only real, importable section modules can go there."""
    import sys

    return all(m.__name__.startswith(f"{_report_sections.__name__}.") and sys.modules.get(m.__name__) is m
               for m in todo)


def _run_parallel(todo, jobs, fast, seed, cache, on_start, record):
    """Run the sections on ``jobs`` worker processes, the costliest first (module ``COST``, default
    1); ``record(mod, blocks, ok, seconds, hit)`` is called in completion order."""
    import multiprocessing as mp
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    from . import _cache

    ctx_mp = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
    blas_threads = max(1, _available_cores() // jobs)
    queue = sorted(enumerate(todo, 1), key=lambda im: -float(getattr(im[1], "COST", 1.0)))
    n = len(todo)
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx_mp) as pool:
        running = {}
        while queue or running:
            while queue and len(running) < jobs:
                i, mod = queue.pop(0)
                if on_start is not None:
                    on_start(i, n, mod.TITLE)
                fut = pool.submit(_section_worker, mod.__name__.rsplit(".", 1)[-1], fast, seed,
                                  _cache.settings["dir"], _cache.settings["enabled"], cache, blas_threads)
                running[fut] = (i, mod)
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for fut in done:
                i, mod = running.pop(fut)
                try:
                    res, hit, ok, dt = fut.result()
                except Exception:  # the worker itself died
                    res, hit, ok, dt = traceback.format_exc(), False, False, 0.0
                if ok:
                    blocks = _cache.write_section_files(res, record.outdir)
                else:
                    blocks = [Text("This section failed to build:"), Code(res)]
                record(i, mod, blocks, ok, dt, hit)


def build_report(outdir, *, fast: bool = False, only: list[str] | None = None, on_start=None,
                 on_end=None, cache: bool = False, jobs: int = 1) -> dict:
    """Build every section into ``outdir``; returns a summary dict.

    A section that raises is reported in the index (with its traceback) and counted as
    failed; the others still run. ``only`` names sections (:func:`section_names`); an unknown
    name raises :class:`theory.ParameterError` before anything is built. ``on_start(i, n, title)``
    and ``on_end(i, n, summary_of_section)`` are called as each section starts and ends.
    ``cache=True`` reads and stores each section's results in the disk cache (:mod:`sltk._cache`,
    settings from :func:`sltk._cache.configure`); a section's summary then says ``cached``.
    ``jobs > 1`` builds that many sections at once in worker processes (the sections are
    independent; each worker computes or reads its section's cached result and the driver writes
    the files), starting with the costliest (a section module's ``COST``, default 1); the index keeps
    the sections' order. Sections that are not importable report modules are built serially.
    """
    from theory import ParameterError

    t_all = time.perf_counter()
    names = section_names()
    if only is not None:
        unknown = [x for x in only if x not in names]
        if unknown or not only:
            raise ParameterError("only", "report sections among " + ", ".join(names),
                                 unknown[0] if unknown else only)
    if not (isinstance(jobs, int) and jobs >= 1):
        raise ParameterError("jobs", "an integer >= 1", jobs)
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    ctx = ReportContext(outdir=outdir, fast=fast)
    summary = {"sections": [], "failed": []}
    todo = [m for m in _sections() if only is None or m.__name__.rsplit(".", 1)[-1] in only]
    built = {}

    def record(i, mod, blocks, ok, dt, hit):
        name = mod.__name__.rsplit(".", 1)[-1]
        built[i] = (mod, blocks)
        summary["sections"].append({"name": name, "title": mod.TITLE, "ok": ok, "seconds": round(dt, 2),
                                    "cached": hit})
        if not ok:
            summary["failed"].append(name)
        if on_end is not None:
            on_end(i, len(todo), summary["sections"][-1])

    record.outdir = outdir
    if jobs > 1 and len(todo) > 1 and _parallel_ok(todo):
        _run_parallel(todo, jobs, fast, ctx.seed, cache, on_start, record)
    else:
        for i, mod in enumerate(todo, 1):
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
            record(i, mod, blocks, ok, time.perf_counter() - t0, hit)
    order = {m.__name__: k for k, m in enumerate(todo)}
    summary["sections"].sort(key=lambda s: order[f"{_report_sections.__name__}.{s['name']}"]
                             if f"{_report_sections.__name__}.{s['name']}" in order else 0)
    md = ["# sltk report", ""]
    body = ["<h1>sltk report</h1>"]
    for i in sorted(built):
        mod, blocks = built[i]
        md += [f"## {mod.TITLE}", ""] + [_md(b) + "\n" for b in blocks]
        body += [f"<h2>{html.escape(mod.TITLE)}</h2>"] + [_html(b) for b in blocks]
    (outdir / "index.md").write_text("\n".join(md) + "\n")
    (outdir / "index.html").write_text(
        f"<!doctype html><html><head><meta charset='utf-8'><title>sltk report</title>"
        f"<style>{_CSS}</style></head><body>{''.join(body)}</body></html>\n"
    )
    summary["seconds"] = time.perf_counter() - t_all
    return summary
