"""The compiled treecode weights (``numerics.laws._mpl_jit``, numba) against the NumPy path.

Reference: ``_mpl_sum._cluster_weights`` with ``SLTK_NO_JIT=1`` (itself checked against the plain
double loop in ``test_fitting.py``, which runs with whichever path is active).
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("numba", reason="the compiled kernels need numba (the 'fast' extra)")

from numerics.laws import MultiPowerLaw, llm_run_history  # noqa: E402


@pytest.mark.parametrize("schedule", ["cosine_24000", "wsdld_20000_24000", "wsdcon_9", "cosine_72000"])
def test_treecode_terms_match_the_numpy_path(schedule, monkeypatch):
    h = llm_run_history(schedule)
    steps = np.linspace(h.warmup + 7, h.horizon, 300).astype(int)
    law = MultiPowerLaw()
    caches = {}
    for flag in ("0", "1"):
        monkeypatch.setenv("SLTK_NO_JIT", flag)
        caches[flag] = law.prepare(h, steps)
    a, b = caches["0"], caches["1"]
    assert a["n_terms"] == b["n_terms"]  # the same clusters are far (the smoothness flags agree)
    th = np.array([3.0, 0.5, 0.5, 1.0, 2.0, 0.6, 0.4])
    pa, pb = law.evaluate(th, a), law.evaluate(th, b)
    np.testing.assert_allclose(pa, pb, rtol=1e-13, atol=0)
