"""The disk cache of computed report results (joblib.Memory), keyed by their inputs and the package.

A report section's output -- its blocks and every file it wrote (figures, tables) -- is a function
of the section, ``fast``, ``seed``, the section's own ``cache_key(ctx)`` when it defines one (e.g.
an external store it reads), and the code and data of the package. The cache key is therefore
``(section, fast, seed, extra key, package key)``, where the package key is the sltk version and a
SHA-256 of every source and data file of ``theory``, ``numerics``, ``verification`` and ``sltk``
(so an edit in a working tree invalidates the results it could change, not only a release).
joblib.Memory stores the results under ``<cache dir>/report/`` (cache dir: ``--cache-dir``, else
``$SLTK_CACHE_DIR``, else ``~/.cache/sltk``); ``--no-cache`` recomputes and refreshes the entry.

A section that raises is not cached. A section whose ``cache_key(ctx)`` returns ``None`` is never
cached. Without joblib (it is a dependency), everything is computed.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import os
import sys
import tempfile
from functools import lru_cache
from pathlib import Path

__all__ = ["default_cache_dir", "configure", "package_key", "build_section_cached", "section_result",
           "write_section_files", "settings"]

#: Current settings: ``dir`` (Path or None for the default) and ``enabled``.
settings = {"dir": None, "enabled": True}

_PACKAGES = ("theory", "numerics", "verification", "sltk")
_SUFFIXES = (".py", ".csv", ".json", ".mplstyle", ".txt", ".md")


def default_cache_dir() -> Path:
    """``$SLTK_CACHE_DIR`` or ``~/.cache/sltk``."""
    return Path(os.environ.get("SLTK_CACHE_DIR") or Path.home() / ".cache" / "sltk")


def configure(cache_dir=None, *, enabled: bool = True) -> None:
    """Set the cache folder (None: the default) and whether cached results are read."""
    settings["dir"] = None if cache_dir is None else Path(cache_dir)
    settings["enabled"] = bool(enabled)


@lru_cache(maxsize=1)
def package_key() -> str:
    """sltk's version and a SHA-256 over the source and data files of its four packages."""
    from . import __version__

    h = hashlib.sha256(__version__.encode())
    for pkg in _PACKAGES:
        spec = importlib.util.find_spec(pkg)  # no import: the key must not cost the imports it saves
        root = Path(spec.origin).parent
        for p in sorted(root.rglob("*")):
            if p.is_file() and p.suffix in _SUFFIXES and "__pycache__" not in p.parts:
                h.update(str(p.relative_to(root.parent)).encode())
                h.update(p.read_bytes())
    return f"{__version__}-{h.hexdigest()[:20]}"


def _build_section(name: str, fast: bool, seed: int, extra, package: str):
    """Build section ``name`` into a fresh folder; return its blocks and ``{relative path: bytes}``.

    ``extra`` and ``package`` only enter the cache key (the function's arguments).
    """
    from . import _report, _report_sections

    mod = importlib.import_module(f"{_report_sections.__name__}.{name}")
    with tempfile.TemporaryDirectory(prefix=f"sltk-{name}-") as tmp:
        ctx = _report.ReportContext(outdir=Path(tmp), fast=fast, seed=seed)
        blocks = mod.build(ctx)
        files = {str(p.relative_to(tmp)): p.read_bytes() for p in sorted(Path(tmp).rglob("*")) if p.is_file()}
    return {"blocks": blocks, "files": files}


def _memory():
    try:
        import joblib
    except ImportError:  # pragma: no cover - joblib is a dependency
        return None
    location = (settings["dir"] or default_cache_dir()) / "report"
    try:
        location.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return joblib.Memory(location=str(location), verbose=0)


def section_result(mod, fast: bool, seed: int):
    """The cached (or freshly computed and stored) result of section ``mod``: ``({"blocks", "files"},
    hit)``, or ``(None, False)`` when the section is not cached (``cache_key`` None, a module that is
    not a real report section, or no usable cache folder). Runs in any process: the driver's, or a
    report worker's (:func:`sltk._report.build_report` with ``jobs > 1``)."""
    name = mod.__name__.rsplit(".", 1)[-1]
    ctx = None
    if hasattr(mod, "cache_key"):
        from ._report import ReportContext

        ctx = ReportContext(outdir=Path(tempfile.gettempdir()), fast=fast, seed=seed)
    extra = mod.cache_key(ctx) if ctx is not None else ()
    real = mod.__name__.startswith("sltk._report_sections.") and sys.modules.get(mod.__name__) is mod
    mem = _memory() if extra is not None and real else None
    if mem is None:
        return None, False
    fn = mem.cache(_build_section)
    args = (name, bool(fast), int(seed), extra, package_key())
    hit = settings["enabled"] and fn.check_call_in_cache(*args)
    if settings["enabled"]:
        res = fn(*args)
    else:  # recompute, and refresh the stored entry
        res = fn.call(*args)
        res = res[0] if isinstance(res, tuple) else res  # joblib >= 1.3 returns (output, metadata)
    return res, bool(hit)


def write_section_files(res, outdir) -> list:
    """Write a section result's files into ``outdir``; return its blocks."""
    for rel, data in res["files"].items():
        out = Path(outdir) / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
    return res["blocks"]


def build_section_cached(mod, ctx) -> tuple[list, bool]:
    """The blocks of section ``mod`` with its files written into ``ctx.outdir``; and whether they
    came from the cache."""
    res, hit = section_result(mod, ctx.fast, ctx.seed)
    if res is None:
        return mod.build(ctx), False
    return write_section_files(res, ctx.outdir), hit
