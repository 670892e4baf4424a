"""Optional compiled kernels: numba's ``njit`` when it is installed (the ``fast`` extra), else the NumPy paths.

Why a JIT at all (issue 17): the hot loops of the risk solvers -- the log-grid Volterra march over
chunks, the per-step signSGD recursion -- are sequences of short passes over the modes, each needing
the previous step's scalar risk. In NumPy every pass is a separate call with its own temporaries
(~1-8 us each), so at ``10^3`` modes the solve runs at ~1 % of the core's float64 rate; fusing the
passes needs compiled code. NumPy tuning was taken as far as it goes first (``docs/benchmarks.md``,
issue 17 sections of 2026-12-03). numba is a well-kept JIT (BSD, NumPy's own community) and is an
optional dependency: every kernel has the NumPy path beside it, used when numba is missing or
``SLTK_NO_JIT=1`` is set, and the tests check that the two agree.

Kernels live in their own private modules (``numerics._volterra_jit``, ...), imported only when a
compiled path runs. They are compiled once per machine (``cache=True``: numba's on-disk cache beside the module, or
its per-user cache when that folder is not writable), float64 throughout. ``fastmath`` allows only
contraction (multiply-adds fused: results can differ from the NumPy path in the last bits), not
re-association: with it, a sum's order depended on whether LLVM ran a loop vectorised, which for short
arrays it decided at run time from where the allocator had put them, so the same inputs gave results
differing in the last bit from call to call (caught by a test that compares a Dask run with a serial
one bit for bit). Sums that must be fast are written with fixed partial sums instead. numba keys its
cache by each kernel's own source file, not by these flags: after changing them, delete the kernels'
``__pycache__/*.nbi`` and ``*.nbc`` files, or the old machine code keeps running. NaN and infinity
keep their IEEE meaning, which the divergence checks rely on.

Compilation is serialised across the processes of a machine (:func:`compile_lock`): on a fresh machine
the report's worker and the atlas's Dask workers reached the same kernels at once, and each compiled
them (the two atlas workers spent 20.6 and 23.0 s of CPU compiling the same five kernels, measured with
numba's ``numba:compile`` events). numba's own lock is per process, and its disk cache is read only
before a compile starts. With the lock one process compiles and writes the cache, and the others wait
and then read it.
"""

from __future__ import annotations

import importlib.util
import os
import tempfile
from contextlib import nullcontext

__all__ = ["enabled", "njit", "compile_lock", "ENV_DISABLE"]

#: Environment variable that switches the compiled kernels off (``1``, ``true`` or ``yes``).
ENV_DISABLE = "SLTK_NO_JIT"

_FASTMATH = {"contract"}
_HAVE_NUMBA = importlib.util.find_spec("numba") is not None


def enabled() -> bool:
    """Whether the compiled kernels are used: numba installed and ``SLTK_NO_JIT`` not set (read at
    every call, so a test or a user can switch it per run). Does not import numba (the kernel modules
    do, when first used: importing numba costs ~0.6 s)."""
    return _HAVE_NUMBA and os.environ.get(ENV_DISABLE, "").strip().lower() not in ("1", "true", "yes")


_LOCKS: dict = {}  # lock file -> filelock.FileLock (one object per file: re-entrant within a thread)


def compile_lock():
    """An exclusive file lock held while a kernel is compiled or read from numba's cache, one per user
    and cache folder (``$NUMBA_CACHE_DIR``, else the temporary folder), re-entrant within a thread (a
    kernel's compile compiles the kernels it calls). ``filelock.FileLock``, an OS lock that is released
    when the holder exits, also if it dies. Where the folder is unavailable, no lock: each process
    compiles (numba's behaviour)."""
    import filelock

    folder = os.environ.get("NUMBA_CACHE_DIR") or tempfile.gettempdir()
    uid = os.getuid() if hasattr(os, "getuid") else 0
    path = os.path.join(folder, f"sltk-numba-compile-{uid}.lock")
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError:
        return nullcontext()
    if not os.access(folder, os.W_OK):
        return nullcontext()
    if path not in _LOCKS:
        _LOCKS[path] = filelock.FileLock(path)
    return _LOCKS[path]


def njit(fn):
    """``numba.njit(cache=True, nogil=True, fastmath={contract})`` of ``fn``, whose compilations take
    :func:`compile_lock` (imports numba: call it only in a kernel module, imported when :func:`enabled`).

    The lock wraps the dispatcher's ``compile(sig)``, the one method numba calls both for a call with
    new argument types and for typing a call from another kernel; it first looks in the disk cache, so
    a process that waited finds there what the holder compiled."""
    import numba

    disp = numba.njit(cache=True, nogil=True, fastmath=_FASTMATH)(fn)
    compile_sig = disp.compile

    def compile(sig):
        with compile_lock():
            return compile_sig(sig)

    disp.compile = compile
    return disp
