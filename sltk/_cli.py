"""The ``sltk`` command line.

Each subcommand is a module in :mod:`sltk._commands` that defines

* ``COMMAND``: the subcommand name, ``HELP``: one line of help;
* ``add_arguments(parser)``: its argparse arguments;
* ``run(args) -> int``: the work; returns the exit status.

Modules are discovered automatically, so adding a subcommand means adding a file.

Exit statuses: 0 success; 1 a check failed (``verify``); 2 bad input (one line on stderr
naming the parameter, never a traceback); 3 the requested run diverges (the message names
the largest stable learning rate).
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from theory import ParameterError, StabilityError

from . import __version__, _commands

EXIT_OK, EXIT_CHECK_FAILED, EXIT_BAD_INPUT, EXIT_DIVERGED = 0, 1, 2, 3


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2 (argparse prints usage too; keep it short)
        self.exit(EXIT_BAD_INPUT, f"sltk: error: {message}\n")


def _command_modules():
    mods = []
    for info in pkgutil.iter_modules(_commands.__path__):
        if info.name.startswith("_"):
            continue
        mods.append(importlib.import_module(f"{_commands.__name__}.{info.name}"))
    return sorted(mods, key=lambda m: m.COMMAND)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="sltk", description="Scaling-Law Theory Kit: derive, compute and check scaling laws.")
    parser.add_argument("--version", action="version", version=f"sltk {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for mod in _command_modules():
        p = sub.add_parser(mod.COMMAND, help=mod.HELP, description=getattr(mod, "DESCRIPTION", mod.HELP))
        mod.add_arguments(p)
        p.set_defaults(_run=mod.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return EXIT_BAD_INPUT
    try:
        return int(args._run(args) or 0)
    except StabilityError as exc:
        print(f"sltk: diverges: {exc}", file=sys.stderr)
        return EXIT_DIVERGED
    except ParameterError as exc:
        print(f"sltk: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
