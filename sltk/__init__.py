"""sltk -- the Scaling-Law Theory Kit application layer: the ``sltk`` command, figure
recipes and the report. The science lives in the ``theory``, ``numerics`` and
``verification`` packages, which this one imports (never the other way round).
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
