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
    # the smoothness test compares interpolation errors of ~1e-12 with its tolerance 1e-11, so a cluster at
    # the threshold can go either way when the two paths sum in a different order (the compiled one in
    # sequence, NumPy's einsum pairwise): the term counts agree to 0.1 %, and either choice is exact to the
    # treecode's 1e-10 of sum |D_k| (test_fitting.py), which bounds the predictions' difference
    assert abs(a["n_terms"] - b["n_terms"]) <= 1e-3 * b["n_terms"]
    th = np.array([3.0, 0.5, 0.5, 1.0, 2.0, 0.6, 0.4])
    pa, pb = law.evaluate(th, a), law.evaluate(th, b)
    np.testing.assert_allclose(pa, pb, rtol=1e-9, atol=0)
