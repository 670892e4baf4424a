"""Subcommands of ``sltk``: one module per command (see :mod:`sltk._cli`)."""
