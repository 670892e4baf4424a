"""A per-machine disk cache of deterministic-equivalent spectra (computed once per machine, not per process).

The deterministic-equivalent spectrum of a PLRF problem (:func:`deterministic_equivalent`) costs about
a quarter of a second per model size and depends on the problem alone, not on the optimizer or the
schedule. The exponent atlas meets each ``(alpha, beta, d)`` once for every optimizer and schedule, on
whichever Dask worker process the point lands, so an in-process cache alone recomputes it once per
worker. Here the spectrum's arrays are stored under ``$SLTK_CACHE_DIR/spectra`` (else
``~/.cache/sltk/spectra``) as ``.npz``, keyed by a hash of ``repr(problem)`` (every field, floats
exactly), ``rtol``, the source files that compute it and the Python, NumPy and SciPy versions: a value
read back is bit for bit the one computed. ``SLTK_NO_DERIVATION_CACHE=1`` turns it off (as it does the
theory layer's derivation cache); an entry that cannot be read or written is computed afresh.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

from ._spectra import Spectrum

_HERE = Path(__file__).resolve().parent
_SOURCES = (_HERE / "_deterministic_equivalent.py", _HERE / "_deterministic_equivalent_jit.py", _HERE / "_power_sums.py",
            _HERE / "_power_sums_jit.py", _HERE / "_spectra.py", Path(__file__))
_SOURCE_HASH = None


def _source_hash() -> str:
    global _SOURCE_HASH
    if _SOURCE_HASH is None:
        import scipy

        h = hashlib.sha256(f"{sys.version}|{np.__version__}|{scipy.__version__}".encode())
        for src in _SOURCES:
            h.update(src.read_bytes())
        _SOURCE_HASH = h.hexdigest()
    return _SOURCE_HASH


def _path(problem, rtol: float) -> Path:
    root = Path(os.environ.get("SLTK_CACHE_DIR") or Path.home() / ".cache" / "sltk") / "spectra"
    key = hashlib.sha256(f"{_source_hash()}|{problem!r}|{float(rtol)!r}".encode()).hexdigest()[:32]
    return root / f"de-{key}.npz"


def cached_de_spectrum(problem, rtol: float, compute) -> Spectrum:
    """``compute()`` (a deterministic-equivalent :class:`Spectrum` of ``problem`` at ``rtol``), or the
    one stored by an earlier process on this machine."""
    if os.environ.get("SLTK_NO_DERIVATION_CACHE"):
        return compute()
    try:
        path = _path(problem, rtol)
    except OSError:
        return compute()
    try:
        with np.load(path, allow_pickle=False) as z:
            return Spectrum(z["eigenvalues"], z["weights"], float(z["p_inf"]), str(z["kind"]))
    except Exception:  # missing, corrupt or unreadable: compute afresh (and overwrite it)
        pass
    spec = compute()
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp.npz")
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, eigenvalues=spec.eigenvalues, weights=spec.weights, p_inf=np.float64(spec.p_inf),
                     kind=np.str_(spec.kind))
        os.replace(tmp, path)
    except OSError:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
    return spec
