"""A disk cache for SymPy derivations that do not depend on the user's input (derive once per machine).

Some derivations (e.g. SGD's PLRF terms, :func:`theory.plrf._sgd_terms.plrf_sgd_terms`) are symbolic in
``alpha`` and ``beta`` and cost seconds of SymPy at every start of the command line. Their result is
pickled under ``$SLTK_CACHE_DIR/derivations`` (else ``~/.cache/sltk/derivations``), keyed by a hash of
the source files that produce it and of the Python, SymPy, NumPy and SciPy versions, so a changed
derivation, a changed term class or another library version is derived afresh. ``SLTK_NO_DERIVATION_CACHE=1`` turns the cache
off (the derivation then runs every time). A cache that cannot be read or written is skipped: the
result is then derived, never guessed.

Why not ``joblib.Memory`` (which the report's section cache, ``sltk._cache``, uses): joblib keys an
entry by the cached function's own code and arguments, but a derivation's result changes with the
term classes and helper modules it calls, so the key here hashes the named source files; and the
stored SymPy expressions must be unpickled under ``evaluate(False)`` to come back exactly as they
were derived (see :func:`cached_derivation`), which joblib's loader gives no hook for.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from pathlib import Path

__all__ = ["cached_derivation"]


def _cache_dir() -> Path:
    return Path(os.environ.get("SLTK_CACHE_DIR") or Path.home() / ".cache" / "sltk") / "derivations"


def _key(name: str, sources) -> str:
    import numpy
    import scipy
    import sympy

    h = hashlib.sha256()
    h.update(f"{name}|{sys.version}|{sympy.__version__}|{numpy.__version__}|{scipy.__version__}".encode())
    for src in sources:
        h.update(Path(src).read_bytes())
    return h.hexdigest()[:24]


def cached_derivation(name: str, sources, compute):
    """``compute()``, or its pickled value from an earlier run with the same sources and versions.

    Parameters
    ----------
    name : str
        Name of the derivation (part of the file name).
    sources : sequence of path
        The source files whose content determines the result (hashed into the key).
    compute : callable
        The derivation; its result must pickle.
    """
    if os.environ.get("SLTK_NO_DERIVATION_CACHE"):
        return compute()
    try:
        path = _cache_dir() / f"{name}-{_key(name, sources)}.pickle"
    except OSError:
        return compute()
    try:
        from sympy.core.parameters import evaluate

        # unevaluated: the stored (already canonical) expressions are rebuilt as they were, not
        # re-simplified (a re-evaluated (2*alpha - 1)/2 would come back as alpha - 1/2)
        with open(path, "rb") as fh, evaluate(False):
            return pickle.load(fh)
    except FileNotFoundError:
        pass
    except Exception:  # a corrupt or incompatible entry: derive afresh (and overwrite it)
        pass
    value = compute()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        try:
            os.unlink(tmp)
        except (OSError, UnboundLocalError, NameError):
            pass
    return value
