"""Shared test configuration.

* hypothesis: profile ``ci`` (derandomized, no example database) whenever ``CI`` is set,
  so CI runs are deterministic; ``dev`` otherwise.
* ``gpu`` tests are skipped unless CuPy is importable *and* usable (``cupy.is_available()``).
* ``xp`` fixture: the array namespaces the backend-generic code is tested on (NumPy and
  array-api-strict; CuPy under the ``gpu`` marker).
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", derandomize=True, database=None, deadline=None, max_examples=40,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=None, max_examples=40, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") else os.environ.get("SLTK_HYPOTHESIS_PROFILE", "dev"))


def cupy_usable() -> bool:
    """A usable GPU, by the library's own probe (cupy importable *and* cupy.is_available())."""
    from verification import cupy_available

    return cupy_available()


def pytest_collection_modifyitems(config, items):
    if cupy_usable():
        return
    skip = pytest.mark.skip(reason="needs a usable CUDA GPU (cupy.is_available() is False)")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)


def _namespaces():
    out = [pytest.param(np, id="numpy")]
    try:
        import array_api_strict

        out.append(pytest.param(array_api_strict, id="array_api_strict"))
    except ImportError:
        pass
    return out


@pytest.fixture(params=_namespaces())
def xp(request):
    """An array namespace to run backend-generic code on."""
    return request.param


@pytest.fixture
def llm_data():
    """Folder of the real LLM loss curves (``numerics.laws.loss_data_dir()``).

    Missing data fails under CI (where ``../shared/data`` is always beside the clone) and
    skips elsewhere, with the path and the ``SLTK_DATA_DIR`` override in the message.
    """
    from numerics.laws import loss_data_dir

    d = loss_data_dir()
    if not all((d / f"csv_{n}").is_dir() for n in (25, 100, 400)):
        msg = f"real LLM loss curves missing at {d} (set SLTK_DATA_DIR to the llm-loss-curves folder)"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    return d


@pytest.fixture(scope="session")
def signsgd_linprog_eta():
    """Independent solve of signSGD's compute-optimal LP: scipy's HiGHS on each branch of the
    constraints built by ``theory.plrf._signsgd_lp._constraints``, the best branch."""
    import numpy as np
    import sympy as sp
    from scipy.optimize import linprog

    from theory.plrf._signsgd_lp import _constraints, _num_rows

    def eta(a, b, schedule="constant", q=sp.Rational(1, 2)):
        ar, br = sp.Rational(repr(a)), sp.Rational(repr(b))
        branches, vars_ = _constraints(ar, br, schedule, q)
        nv = len(vars_)
        best = -np.inf
        for _, cons in branches:
            rows = _num_rows(cons, vars_, ar, br)
            A = np.array([-r[:nv] for r in rows.values()])
            c = np.array([r[nv] for r in rows.values()])
            obj = np.zeros(nv)
            obj[2] = -1
            res = linprog(obj, A_ub=A, b_ub=c, bounds=[(None, None)] * nv, method="highs")
            if res.status == 0:
                best = max(best, -res.fun)
        assert np.isfinite(best)
        return best

    return eta
