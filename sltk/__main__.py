"""``python -m sltk`` is the same as the ``sltk`` command."""

from ._cli import main

raise SystemExit(main())
