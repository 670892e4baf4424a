"""Label-noise laws: the smoothed statistic c(R) = E[exp(-eps^2/(2R))], moments, densities and
samplers, each against an independent route (mpmath quadrature at 30 digits, Monte Carlo
with a stated error bar)."""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from theory.linreg import CauchyNoise, DensityNoise, ExponentialNoise, GaussianNoise, LaplaceNoise, NoNoise, StudentTNoise, UniformNoise, parse_noise
from theory import ParameterError

mp.mp.dps = 30


def _logistic(x):
    e = np.exp(-np.abs(x))
    return e / (1.0 + e) ** 2


def _mp_density(law):
    """mpmath version of each density, written out independently of the module."""
    if isinstance(law, GaussianNoise):
        s = mp.mpf(law.std)
        return lambda x: mp.exp(-x * x / (2 * s * s)) / (s * mp.sqrt(2 * mp.pi))
    if isinstance(law, ExponentialNoise):
        b = mp.mpf(law.scale)
        return lambda x: mp.exp(-x / b) / b if x > 0 else mp.mpf(0)
    if isinstance(law, LaplaceNoise):
        b = mp.mpf(law.scale)
        return lambda x: mp.exp(-abs(x) / b) / (2 * b)
    if isinstance(law, UniformNoise):
        a = mp.mpf(law.half_width)
        return lambda x: 1 / (2 * a) if abs(x) <= a else mp.mpf(0)
    if isinstance(law, CauchyNoise):
        s = mp.mpf(law.scale)
        return lambda x: s / (mp.pi * (s * s + x * x))
    if isinstance(law, StudentTNoise):
        nu, s = mp.mpf(law.nu), mp.mpf(law.scale)
        c = mp.gamma((nu + 1) / 2) / (mp.sqrt(nu * mp.pi) * mp.gamma(nu / 2) * s)
        return lambda x: c * (1 + (x / s) ** 2 / nu) ** (-(nu + 1) / 2)
    raise AssertionError(law)


def _mp_smoothed(law, R):
    f = _mp_density(law)
    R = mp.mpf(R)
    pts = [-mp.inf, -10, -1, 0, 1, 10, mp.inf]
    if isinstance(law, UniformNoise):
        pts = [-law.half_width, 0, law.half_width]
    return float(mp.quad(lambda x: f(x) * mp.exp(-x * x / (2 * R)), pts))


LAWS = [GaussianNoise(0.7), LaplaceNoise(1.3), ExponentialNoise(0.6), UniformNoise(2.0), CauchyNoise(0.5),
        StudentTNoise(2.5, 1.0), StudentTNoise(3.0, 0.5), StudentTNoise(12.0, 2.0)]


@pytest.mark.parametrize("law", LAWS, ids=lambda l: l.spec())
@pytest.mark.parametrize("R", [1e-3, 0.2, 1.0, 30.0])
def test_smoothed_statistic_matches_mpmath_quadrature(law, R):
    assert law.smoothed(R) == pytest.approx(_mp_smoothed(law, R), rel=1e-8)


def test_user_density_matches_mpmath_and_numpy_vectorised():
    logistic = DensityNoise(_logistic)
    for R in (0.05, 1.0, 10.0):
        ref = float(mp.quad(lambda x: mp.mpf(1) / 4 / mp.cosh(x / 2) ** 2 * mp.exp(-x * x / (2 * R)), [-mp.inf, 0, mp.inf]))
        assert logistic.smoothed(R) == pytest.approx(ref, rel=1e-8)
    assert logistic.density_at_zero == pytest.approx(0.25, rel=1e-9)
    assert logistic.second_moment == pytest.approx(math.pi**2 / 3, rel=1e-7)  # logistic variance
    got = logistic.smoothed(np.array([0.05, 1.0]))
    assert got.shape == (2,)


@pytest.mark.parametrize("law", LAWS, ids=lambda l: l.spec())
def test_density_at_zero_is_the_small_R_limit(law):
    # c(R) / sqrt(2 pi R) -> (f(0+) + f(0-)) / 2 as R -> 0 (independent mpmath route)
    R = 1e-10
    assert _mp_smoothed(law, R) / math.sqrt(2 * math.pi * R) == pytest.approx(law.density_at_zero, rel=1e-3)


@pytest.mark.parametrize("law", LAWS, ids=lambda l: l.spec())
def test_second_moment_matches_quadrature(law):
    f = _mp_density(law)
    if isinstance(law, CauchyNoise) or (isinstance(law, StudentTNoise) and law.nu <= 2):
        assert law.second_moment == math.inf and not law.variance_is_finite
        return
    pts = [-law.half_width, 0, law.half_width] if isinstance(law, UniformNoise) else [-mp.inf, 0, mp.inf]
    ref = float(mp.quad(lambda x: x * x * f(x), pts))
    assert law.second_moment == pytest.approx(ref, rel=1e-9)


@pytest.mark.parametrize("law", LAWS + [DensityNoise(_logistic)], ids=lambda l: l.name)
def test_sampler_reproduces_the_statistic(law):
    # Monte Carlo of E[exp(-eps^2/(2R))] with n = 200_000 samples; 5 standard errors
    rng = np.random.default_rng(1)
    eps = law.sample(rng, 200_000)
    R = 0.8
    g = np.exp(-eps**2 / (2 * R))
    assert abs(g.mean() - law.smoothed(R)) < 5 * g.std() / math.sqrt(g.size)


def test_signsgd_symmetrises_noise_exponential_equals_laplace():
    for R in (0.01, 0.5, 20.0):
        assert ExponentialNoise(0.8).smoothed(R) == LaplaceNoise(0.8).smoothed(R)
    assert ExponentialNoise(0.8).second_moment == LaplaceNoise(0.8).second_moment


def test_student_t_one_degree_is_cauchy():
    R = np.array([1e-4, 0.3, 3.0, 300.0])
    np.testing.assert_allclose(StudentTNoise(1.0, 0.5).smoothed(R), CauchyNoise(0.5).smoothed(R), rtol=1e-10)


@given(R1=st.floats(1e-6, 1e6), R2=st.floats(1e-6, 1e6),
       law=st.sampled_from([GaussianNoise(1.0), LaplaceNoise(0.5), UniformNoise(1.0), CauchyNoise(2.0), StudentTNoise(3.0)]))
def test_property_statistic_in_unit_interval_and_increasing(R1, R2, law):
    lo, hi = sorted((R1, R2))
    c_lo, c_hi = law.smoothed(lo), law.smoothed(hi)
    assert 0 < c_lo <= 1 and 0 < c_hi <= 1
    assert c_lo <= c_hi * (1 + 1e-12)


def test_no_noise():
    assert NoNoise().smoothed(1e-9) == 1.0 and NoNoise().second_moment == 0.0
    assert np.all(NoNoise().sample(np.random.default_rng(0), 3) == 0)


@pytest.mark.parametrize(
    "make, param",
    [
        (lambda: GaussianNoise(0.0), "std"),
        (lambda: LaplaceNoise(-1.0), "scale"),
        (lambda: StudentTNoise(nu=0.0), "nu"),
        (lambda: UniformNoise(float("inf")), "half_width"),
        (lambda: DensityNoise(lambda x: np.exp(-np.abs(x))), "fn"),  # integrates to 2
        (lambda: DensityNoise("gauss"), "fn"),
        (lambda: GaussianNoise(1.0).smoothed(0.0), "R"),
        (lambda: GaussianNoise(1.0).smoothed(-1.0), "R"),
        (lambda: parse_noise("poisson"), "noise"),
        (lambda: parse_noise("gaussian:sigma=2"), "noise 'gaussian' option"),
        (lambda: parse_noise("gaussian:std=abc"), "std"),
    ],
)
def test_bad_input(make, param):
    with pytest.raises(ParameterError) as exc:
        make()
    assert exc.value.parameter == param


@pytest.mark.parametrize("law", LAWS, ids=lambda l: l.spec())
def test_spec_round_trip(law):
    assert parse_noise(law.spec()) == law


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan"), float("inf"), np.float64(-2.0), np.array(0.0)])
def test_smoothed_rejects_bad_scalar_R(bad):
    """The scalar fast path of the R check rejects what the array path rejects."""
    with pytest.raises(ParameterError):
        GaussianNoise(1.0).smoothed(bad)
    with pytest.raises(ParameterError):
        GaussianNoise(1.0).smoothed(np.array([1.0, bad]))
