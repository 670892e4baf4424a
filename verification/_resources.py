"""Memory a run will need, and the refusal of work that cannot fit (before any work).

:func:`available_memory` reads ``MemAvailable`` from ``/proc/meminfo`` (Linux), else the physical
memory from ``os.sysconf``; :func:`check_memory` raises :class:`theory.ParameterError` naming the
parameter that sets the size, with the estimate and the limit, when an estimate is above
:data:`MEMORY_FRACTION` of what is available.
"""

from __future__ import annotations

import os

from theory import ParameterError

__all__ = ["available_memory", "check_memory", "MEMORY_FRACTION", "format_bytes"]

#: The largest fraction of the available memory a run may plan to use.
MEMORY_FRACTION = 0.8


def available_memory() -> int | None:
    """Bytes of memory available to a new allocation now (None if unknown).

    >>> m = available_memory(); m is None or m > 0
    True
    """
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return int(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return None


def format_bytes(n: float) -> str:
    """``n`` bytes as KiB/MiB/GiB/TiB.

    >>> format_bytes(3 * 2**30)
    '3.0 GiB'
    """
    for unit, k in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= k:
            return f"{n / k:.1f} {unit}"
    return f"{int(n)} B"


def check_memory(needed: int, parameter: str, value, what: str, limit: int | None = None) -> None:
    """Refuse (``ParameterError`` naming ``parameter``) work whose estimate ``needed`` exceeds ``limit``.

    ``limit`` defaults to :data:`MEMORY_FRACTION` of :func:`available_memory` (no check when unknown).

    >>> check_memory(2**40, "d", 60000, "W matrices", limit=2**30)
    Traceback (most recent call last):
    ...
    theory.ParameterError: d must satisfy an estimated peak memory within the limit 1.0 GiB; got d=60000 (W matrices: about 1.0 TiB)
    """
    if limit is None:
        avail = available_memory()
        if avail is None:
            return
        limit = int(MEMORY_FRACTION * avail)
        limit_text = f"{format_bytes(limit)} ({MEMORY_FRACTION:.0%} of the {format_bytes(avail)} available)"
    else:
        limit_text = format_bytes(limit)
    if needed > limit:
        raise ParameterError(parameter, f"an estimated peak memory within the limit {limit_text}", value,
                             hint=f"{what}: about {format_bytes(needed)}")
