"""Parse-time validation of the CLI's options: argparse ``type=`` factories and output-path checks.

Every numeric option of a subcommand uses one of :func:`real` / :func:`integer` as its argparse
``type``, so a value outside its range is refused while the command line is parsed -- before any
work -- with exit status 2 and one line naming the flag and its valid range (argparse prints
``sltk <command>: error: argument --window: --window must satisfy --window > 0; got --window=0``).

Output paths are declared by each subcommand module as ``OUTPUTS = {"out": "file" | "dir", ...}``
(keys are argparse ``dest`` names); :func:`check_outputs` checks each one before the command runs:
its folder exists or can be created and a file can be written there, a file path is not a folder and
a folder path is not a file. A path that cannot be written is bad input (exit 2), not a failed check.
"""

from __future__ import annotations

import argparse
import math
import os
import tempfile
from pathlib import Path

from theory import ParameterError

__all__ = ["real", "integer", "csv_reals", "check_outputs", "check_out_file", "check_out_dir", "FIGURE_SUFFIXES"]

FIGURE_SUFFIXES = (".png", ".pdf", ".svg")


def _range_text(flag: str, gt=None, ge=None, lt=None, le=None) -> str:
    parts = []
    if gt is not None:
        parts.append(f"{flag} > {gt:g}")
    if ge is not None:
        parts.append(f"{flag} >= {ge:g}")
    if lt is not None:
        parts.append(f"{flag} < {lt:g}")
    if le is not None:
        parts.append(f"{flag} <= {le:g}")
    return " and ".join(parts) if parts else "a number"


class _Typed:
    """An argparse ``type`` that knows its flag name once argparse has bound it (see :func:`_bind`)."""

    def __init__(self, kind: str, **bounds):
        self.kind = kind
        self.bounds = bounds
        self.flag = "value"
        self.__name__ = kind  # argparse's fallback message uses it

    def __call__(self, text: str):
        flag = self.flag
        what = "an integer" if self.kind == "integer" else "a finite real number"
        try:
            x = float(text)
        except (TypeError, ValueError):
            raise argparse.ArgumentTypeError(f"{flag} must be {what} ({_range_text(flag, **self.bounds)}); "
                                             f"got {flag}={text!r}") from None
        if not math.isfinite(x) or (self.kind == "integer" and not x.is_integer()):
            raise argparse.ArgumentTypeError(f"{flag} must be {what} ({_range_text(flag, **self.bounds)}); "
                                             f"got {flag}={text!r}")
        b = self.bounds
        bad = ((b.get("gt") is not None and not x > b["gt"]) or (b.get("ge") is not None and not x >= b["ge"])
               or (b.get("lt") is not None and not x < b["lt"]) or (b.get("le") is not None and not x <= b["le"]))
        if bad:
            raise argparse.ArgumentTypeError(f"{flag} must satisfy {_range_text(flag, **b)}; got {flag}={text}")
        return int(x) if self.kind == "integer" else x


def real(*, gt=None, ge=None, lt=None, le=None) -> _Typed:
    """argparse ``type`` for a finite real option in a range (refused at parse time otherwise)."""
    return _Typed("real", gt=gt, ge=ge, lt=lt, le=le)


def integer(*, ge=None, le=None) -> _Typed:
    """argparse ``type`` for an integer option in a range (refused at parse time otherwise)."""
    return _Typed("integer", ge=ge, le=le)


class _CsvReals:
    def __init__(self, gt=None):
        self.gt = gt
        self.flag = "value"
        self.__name__ = "csv_reals"

    def __call__(self, text: str):
        items = [x.strip() for x in str(text).split(",")]
        try:
            vals = [float(x) for x in items]
        except ValueError:
            vals = []
        if not vals or any(x == "" for x in items) or any(not math.isfinite(v) for v in vals) or (
                self.gt is not None and any(not v > self.gt for v in vals)):
            cond = f" each > {self.gt:g}" if self.gt is not None else ""
            raise argparse.ArgumentTypeError(f"{self.flag} must be a comma-separated list of finite numbers{cond} "
                                             f"with no empty field; got {self.flag}={text!r}")
        return vals


def csv_reals(*, gt=None) -> _CsvReals:
    """argparse ``type`` for ``C1,C2,...`` (no empty fields)."""
    return _CsvReals(gt=gt)


def bind_flags(parser: argparse.ArgumentParser) -> None:
    """Tell every typed option of ``parser`` (and its sub-parsers) the flag it is bound to."""
    for action in parser._actions:
        if isinstance(action.type, (_Typed, _CsvReals)):
            action.type.flag = action.option_strings[-1] if action.option_strings else action.dest
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                bind_flags(sub)


# ------------------------------------------------------------------------ output paths
def _probe_folder(flag: str, folder: Path, given) -> None:
    """Create ``folder`` (and parents) if needed and write a probe file in it, or refuse ``flag``."""
    try:
        if folder.exists() and not folder.is_dir():
            raise ParameterError(flag, "a path whose folder is not an existing file", str(given),
                                 hint=f"{folder} is a file")
        folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=".sltk-write-probe-", dir=folder)
        os.close(fd)
        os.unlink(name)
    except ParameterError:
        raise
    except OSError as exc:
        raise ParameterError(flag, "a writable path", str(given), hint=exc.strerror or type(exc).__name__) from None


def check_out_file(flag: str, path, suffixes=FIGURE_SUFFIXES) -> Path:
    """Check that ``path`` can be written as a file (suffix among ``suffixes`` when given)."""
    p = Path(path)
    if suffixes and p.suffix.lower() not in suffixes:
        raise ParameterError(flag, "a file name ending in " + ", ".join(suffixes[:-1]) + f" or {suffixes[-1]}",
                             str(path))
    if p.is_dir():
        raise ParameterError(flag, "a file path (not an existing folder)", str(path))
    if p.exists() and not os.access(p, os.W_OK):
        raise ParameterError(flag, "a writable path", str(path), hint="the file is read-only")
    _probe_folder(flag, p.parent if str(p.parent) else Path("."), path)
    return p


def check_out_dir(flag: str, path) -> Path:
    """Check that ``path`` is (or can be made) a folder that files can be written into."""
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise ParameterError(flag, "a folder (not an existing file)", str(path))
    _probe_folder(flag, p, path)
    return p


def check_outputs(module, args) -> None:
    """Check every output path the subcommand ``module`` declares in ``OUTPUTS`` (before its work)."""
    for dest, kind in getattr(module, "OUTPUTS", {}).items():
        value = getattr(args, dest, None)
        if value is None:
            continue
        flag = "--" + dest.replace("_", "-")
        if kind == "dir":
            check_out_dir(flag, value)
        elif kind == "file":
            check_out_file(flag, value)
        else:  # a (suffix tuple) declared by the module
            check_out_file(flag, value, tuple(kind))
