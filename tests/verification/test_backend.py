"""The array backend: namespace selection, the RNG shim, and the simulator on every namespace."""

import math

import numpy as np
import pytest

from theory import SGD, ParameterError
from theory.plrf import PLRF
from verification import backend_name, cupy_available, default_rng, get_namespace, limit_blas_threads, to_numpy
from verification.plrf import sample_instance, simulate as simulate_plrf
from verification.plrf._exact_risk import exact_expected_risk, instance_spectrum


def test_auto_takes_numpy_without_a_usable_gpu():
    xp = get_namespace("auto")
    assert backend_name(xp) == ("cupy" if cupy_available() else "numpy")


def test_cupy_without_a_gpu_is_a_clear_error():
    if cupy_available():
        pytest.skip("a GPU is usable here")
    with pytest.raises(ParameterError) as exc:
        get_namespace("cupy")
    assert exc.value.parameter == "backend" and "cupy.is_available()" in str(exc.value)


def test_cupy_available_is_a_usability_probe_not_an_import_check(monkeypatch):
    import sys
    import types

    fake = types.ModuleType("cupy")
    fake.is_available = lambda: False  # installed but no GPU
    monkeypatch.setitem(sys.modules, "cupy", fake)
    assert cupy_available() is False
    assert backend_name(get_namespace("auto")) == "numpy"


@pytest.mark.parametrize("bad", ["jax", "", None, 3])
def test_unknown_backend_names_the_parameter(bad):
    with pytest.raises(ParameterError) as exc:
        get_namespace(bad)
    assert exc.value.parameter == "backend"


def test_rng_shim_is_seeded_and_standard_normal(xp):
    a = to_numpy(default_rng(xp, 5).standard_normal((20000,)))
    b = to_numpy(default_rng(xp, 5).standard_normal((20000,)))
    np.testing.assert_array_equal(a, b)
    # mean 0 and variance 1 within 5 standard errors (se = 1/sqrt(n), sqrt(2/n))
    assert abs(a.mean()) < 5 / math.sqrt(a.size)
    assert abs(a.var() - 1) < 5 * math.sqrt(2 / a.size)
    with pytest.raises(ParameterError):
        default_rng(xp, -1)


def test_blas_thread_limit_validates():
    with limit_blas_threads(None):
        pass
    with pytest.raises(ParameterError):
        limit_blas_threads(0)


def test_simulator_runs_on_every_namespace_and_agrees_with_exact_risk(xp):
    """Same code path on numpy and array-api-strict; each run's mean within its error bar."""
    p = PLRF(alpha=1.0, beta=0.8, v=64, d=16)
    opt = SGD(lr=0.2)
    inst = sample_instance(p, seed=3)
    res = simulate_plrf(p, opt, steps=200, runs=200, seed=1, instance=inst, backend=xp, n_points=8)
    ex = exact_expected_risk(instance_spectrum(inst), opt, steps=200, eval_steps=res.steps)
    assert res.status == "ok" and res.risk.shape == (200, res.steps.size)
    z = np.abs(res.mean - ex.risk)[1:] / res.stderr[1:]
    assert np.max(z) < 4.5  # Bonferroni over 8 steps at family-wise 1e-4
    np.testing.assert_allclose(res.risk[:, 0], p.initial_risk(), rtol=1e-13)


def test_numpy_and_strict_backends_give_the_same_statistics(xp):
    p = PLRF(alpha=0.8, beta=0.6, v=48, d=12)
    a = simulate_plrf(p, SGD(lr=0.2), steps=100, runs=100, seed=2, backend="numpy", n_points=5)
    b = simulate_plrf(p, SGD(lr=0.2), steps=100, runs=100, seed=2, backend=xp, n_points=5)
    # same seed and both draw from NumPy's PCG64 here, so identical up to float rounding order
    np.testing.assert_allclose(a.mean, b.mean, rtol=1e-10)


@pytest.mark.gpu
def test_simulator_on_cupy_matches_exact_risk_statistically():
    p = PLRF(alpha=1.0, beta=0.8, v=256, d=64)
    opt = SGD(lr=0.2)
    inst = sample_instance(p, seed=0)
    for dtype, rtol_floor in (("float64", 0.0), ("float32", 1e-4)):
        res = simulate_plrf(p, opt, steps=500, runs=256, seed=1, instance=inst, backend="cupy", dtype=dtype,
                            n_points=10)
        assert res.backend == "cupy" and res.status == "ok"
        ex = exact_expected_risk(instance_spectrum(inst), opt, steps=500, eval_steps=res.steps)
        band = 5.0 * res.stderr[1:] + rtol_floor * ex.risk[1:]
        assert np.all(np.abs(res.mean - ex.risk)[1:] <= band)


@pytest.mark.gpu
def test_auto_backend_takes_cupy_on_a_gpu_machine():
    assert backend_name(get_namespace("auto")) == "cupy"
