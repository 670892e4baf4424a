"""numerics._jit: processes that reach the same kernel at once compile it once (the others read numba's
disk cache after waiting on the machine's compile lock)."""

import importlib.util
import multiprocessing as mp
import os
import sys
import time

import pytest

pytest.importorskip("numba")

KERNEL = '''
import numpy as np
from numerics._jit import njit


@njit
def inner(x, k):
    s = 0.0
    for i in range(x.shape[0]):
        s += np.sin(x[i] * k) * np.exp(-x[i])
    return s


@njit
def kernel(x):
    t = 0.0
    for k in range(3):
        t += inner(x, k)
        for j in range(x.shape[0] - 1):
            t += np.log1p(abs(x[j + 1] - x[j])) / (1.0 + k)
    return t
'''


def _call_at(args):
    path, cache, start = args
    os.environ["NUMBA_CACHE_DIR"] = cache
    spec = importlib.util.spec_from_file_location("sltk_lock_demo_kernels", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    import numpy as np

    time.sleep(max(0.0, start - time.time()))  # all three call at the same moment
    value = mod.kernel(np.linspace(0.0, 1.0, 7))
    misses = sum(mod.kernel.stats.cache_misses.values()) + sum(mod.inner.stats.cache_misses.values())
    return value, misses


def test_concurrent_processes_compile_a_kernel_once(tmp_path):
    path = tmp_path / "sltk_lock_demo_kernels.py"
    path.write_text(KERNEL)
    args = (str(path), str(tmp_path / "nb"), time.time() + 6.0)
    with mp.get_context("spawn").Pool(3) as pool:
        out = pool.map(_call_at, [args] * 3)
    values = [v for v, _ in out]
    assert values[0] == values[1] == values[2]
    # one process compiled both kernels (2 misses); the others found them in the cache after the lock
    assert sorted(m for _, m in out) == [0, 0, 2]


def test_lock_is_reentrant_within_a_thread(tmp_path, monkeypatch):
    from numerics._jit import compile_lock

    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    with compile_lock(), compile_lock():  # a nested flock on a second descriptor would block forever
        pass
    assert (tmp_path / f"sltk-numba-compile-{os.getuid()}.lock").exists()
