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
from contextlib import nullcontext
from pathlib import Path

__all__ = ["cached_derivation", "DerivationMemo", "solve_cached"]


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
    with _entry_lock(path):  # one process derives, the others wait and read (fresh machine, parallel report)
        try:
            from sympy.core.parameters import evaluate

            with open(path, "rb") as fh, evaluate(False):
                return pickle.load(fh)
        except Exception:
            pass
        value = compute()
        _store(path, value)
    return value


def _entry_lock(path: Path):
    """An exclusive file lock on ``<entry>.lock`` while one process derives an entry: the report's workers
    and the exponent atlas's Dask workers start at once on a fresh machine and would each derive the same
    tables (seconds of SymPy each). ``filelock.FileLock``: an OS lock, released when the holder exits, also
    if it dies. Where the folder is unavailable, no lock: each process derives (the old behaviour)."""
    from filelock import FileLock

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        return nullcontext()
    return FileLock(str(path) + ".lock") if os.access(path.parent, os.W_OK) else nullcontext()


def _store(path: Path, value) -> None:
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        try:
            if tmp is not None:
                os.unlink(tmp)
        except OSError:
            pass


class DerivationMemo:
    """A table of derivations keyed by their symbolic input, kept on disk like :func:`cached_derivation`.

    For derivations that run once per distinct *symbolic* problem (e.g. the closed form of one LP vertex,
    keyed by ``sympy.srepr`` of its linear system), not per numeric input: the key names the problem
    completely, so a stored value is what the derivation returns. The table is read on first use and
    rewritten (atomically) after each new entry; ``SLTK_NO_DERIVATION_CACHE=1`` keeps it in memory only.

    Parameters
    ----------
    name : str
        Name of the table (part of the file name).
    sources : sequence of path
        Source files whose content determines the values (hashed into the file name).
    """

    def __init__(self, name: str, sources):
        self._name = name
        self._sources = list(sources)
        self._table = None
        self._path = None

    def _load(self):
        if self._table is not None:
            return
        self._table = {}
        if os.environ.get("SLTK_NO_DERIVATION_CACHE"):
            return
        try:
            self._path = _cache_dir() / f"{self._name}-{_key(self._name, self._sources)}.pickle"
            from sympy.core.parameters import evaluate

            with open(self._path, "rb") as fh, evaluate(False):
                table = pickle.load(fh)
            if isinstance(table, dict):
                self._table = table
        except Exception:  # missing, corrupt or unreadable: start empty (values are derived, never guessed)
            pass

    def get(self, key: str, compute):
        """The stored value for ``key``, else ``compute()`` (then stored)."""
        self._load()
        if key in self._table:
            return self._table[key]
        value = compute()
        self._table[key] = value
        if self._path is not None:
            tmp = None
            try:
                self._path.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(dir=self._path.parent, suffix=".tmp")
                with os.fdopen(fd, "wb") as fh:
                    pickle.dump(self._table, fh, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(tmp, self._path)
            except (OSError, pickle.PicklingError, TypeError, AttributeError):
                if tmp is not None:
                    try:
                        os.unlink(tmp)
                    except OSError:
                        pass
        return value


_SOLVE_MEMO = DerivationMemo("sympy_solve", [__file__])


def solve_cached(expr, symbol) -> tuple:
    """``tuple(sympy.solve(expr, symbol))``, kept on disk (:class:`DerivationMemo`) keyed by
    ``sympy.srepr`` of both: e.g. the branches ``beta(alpha)`` of a boundary polynomial, which the
    figures solve for every curve at every start.

    >>> import sympy as sp
    >>> a, b = sp.symbols("alpha beta")
    >>> solve_cached(2 * a + 2 * b - 1, b)
    (1/2 - alpha,)
    """
    import sympy as sp

    return _SOLVE_MEMO.get(sp.srepr((expr, symbol)), lambda: tuple(sp.solve(expr, symbol)))
