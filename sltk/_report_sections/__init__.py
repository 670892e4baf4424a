"""Sections of ``sltk report``: one module per section (see :mod:`sltk._report`)."""
