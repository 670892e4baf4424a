"""The ``sltk`` command line.

Each subcommand is a module in :mod:`sltk._commands` that defines

* ``COMMAND``: the subcommand name, ``HELP``: one line of help;
* ``add_arguments(parser)``: its argparse arguments;
* ``run(args) -> int``: the work; returns the exit status.

Optionally also ``OUTPUTS`` (``{dest: "file" | "dir"}``: output paths, checked before ``run``),
``FLAG_NAMES`` (``{library parameter: "--flag"}``: what an error from the library is re-worded
with, e.g. ``{"lr": "--gamma"}``; a parameter that is also an option's ``dest`` is named by its flag
without an entry) and ``QUIET`` (the command takes ``--quiet``).

Modules are discovered automatically, so adding a subcommand means adding a file.

Exit statuses: one mapping from result status to code, :data:`sltk._output.EXIT_CODES`, the same
with and without ``--json``, printed by ``sltk --help``.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import re
import sys

from theory import ParameterError, StabilityError

from . import __version__, _commands
from ._args import bind_flags, check_outputs
from ._output import exit_code, exit_codes_text

EXIT_OK, EXIT_CHECK_FAILED, EXIT_BAD_INPUT, EXIT_DIVERGED = (exit_code(s) for s in ("ok", "failed", "bad_input",
                                                                                    "diverged"))


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2 (argparse prints usage too; keep it short)
        # "argument --window: --window must satisfy ..." -> "--window must satisfy ..."
        m = re.match(r"argument ([^:]+): (.*)$", message, re.S)
        if m and m.group(2).startswith(m.group(1).split("/")[-1]):
            message = m.group(2)
        self.exit(EXIT_BAD_INPUT, f"sltk: error: {' '.join(message.split())}\n")


def _command_modules():
    mods = []
    for info in pkgutil.iter_modules(_commands.__path__):
        if info.name.startswith("_"):
            continue
        mods.append(importlib.import_module(f"{_commands.__name__}.{info.name}"))
    return sorted(mods, key=lambda m: m.COMMAND)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="sltk", description="Scaling-Law Theory Kit: derive, compute and check scaling laws.",
                     epilog="exit statuses (the same with and without --json):\n" + exit_codes_text(),
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"sltk {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for mod in _command_modules():
        p = sub.add_parser(mod.COMMAND, help=mod.HELP, description=getattr(mod, "DESCRIPTION", mod.HELP))
        mod.add_arguments(p)
        if not any("--quiet" in a.option_strings for a in p._actions) and getattr(mod, "QUIET", True):
            p.add_argument("--quiet", action="store_true",
                           help="no progress bars or status lines on stderr (they show only on a terminal anyway)")
        p.set_defaults(_run=mod.run, _module=mod)
    bind_flags(parser)
    return parser


def user_error(exc: ParameterError, module, args) -> ParameterError:
    """``exc`` re-worded with the flag the user typed instead of the library's parameter name.

    The flag is ``module.FLAG_NAMES[parameter]``, else ``--parameter`` when the subcommand has an
    option of that ``dest``; otherwise ``exc`` is returned unchanged.
    """
    name = exc.parameter
    flag = getattr(module, "FLAG_NAMES", {}).get(name)
    if flag is None and isinstance(name, str) and name.isidentifier() and hasattr(args, name) \
            and not name.startswith("_"):
        flag = "--" + name.replace("_", "-")
    if flag is None:
        return exc
    constraint = re.sub(rf"(?<![\w-]){re.escape(name)}(?!\w)", flag, str(exc.constraint))
    hint = re.sub(rf"(?<![\w-]){re.escape(name)}(?!\w)", flag, getattr(exc, "hint", "") or "")
    return ParameterError(flag, constraint, exc.value, hint=hint)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # a parse-time refusal is returned like any other bad input (--help: 0, raised)
        if exc.code == EXIT_BAD_INPUT:
            return EXIT_BAD_INPUT
        raise
    if not getattr(args, "_run", None):
        parser.print_help()
        return EXIT_BAD_INPUT
    from . import _progress

    _progress.QUIET = bool(getattr(args, "quiet", False))
    try:
        check_outputs(args._module, args)  # before any work: a path that cannot be written is bad input
        return int(args._run(args) or 0)
    except StabilityError as exc:
        print(f"sltk: diverges: {exc}", file=sys.stderr)
        return EXIT_DIVERGED
    except ParameterError as exc:
        print(f"sltk: error: {user_error(exc, args._module, args)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
