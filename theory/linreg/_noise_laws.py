"""Label-noise laws for linear regression ``y = <x, theta*> + eps`` (``eps`` independent of ``x``).

signSGD sees the label noise only through one scalar function of the excess risk ``R``
(sltk convention: ``R = E[<x, theta - theta*>^2]``, no factor 1/2), the
**Gaussian-smoothed noise statistic**

.. math::  c_\\varepsilon(R) = E_\\varepsilon[\\exp(-\\varepsilon^2 / (2R))]
           = \\sqrt{2\\pi R}\\,(f_\\varepsilon * N(0, R))(0),

which depends only on the law of ``|eps|`` and is finite for every law (even with infinite
variance). SGD sees it only through ``E[eps^2]``. Each law here provides both, the density
``f``, its symmetrised value at 0 (``(f(0+) + f(0-))/2``, the limit ``c(R)/sqrt(2 pi R)`` as
``R -> 0``) and a sampler (for the simulators).

Closed forms of ``c(R)`` (derived here by direct integration; each checked against mpmath
quadrature in ``tests/test_signsgd_noise.py``):

* Gaussian ``N(0, s^2)``: ``(1 + s^2/R)^(-1/2)``
* Laplace(scale b) and Exponential(scale b): ``sqrt(pi R / 2) / b * erfcx(sqrt(R/2) / b)``
* Uniform(-a, a): ``sqrt(pi R / 2) / a * erf(a / sqrt(2 R))``
* Cauchy(scale s): ``erfcx(s / sqrt(2 R))``
* Student-t(nu, scale s): ``z^k Gamma(k+1/2)/Gamma(k) U(k+1/2, k+1, z)``, ``k = nu/2``, ``z = nu s^2/(2R)``
* any user density: adaptive quadrature of ``f(x) exp(-x^2/(2R))``.

References
----------
K. L. Xiao, N. Marshall, A. Agarwala, E. Paquette, "Exact risk curves of signSGD in
High-Dimensions: quantifying preconditioning and noise-compression effects",
arXiv:2411.12135 (2024), Sec. 4.2 (noise compression, heavy tails). The statistic
``c(R)`` is our reconstruction of the drift factor (research note ``signsgd_gamma.md``
Sec. A.3), checked by simulation in :mod:`verification._signsgd_checks`.
"""

from __future__ import annotations

import abc

import math
from dataclasses import dataclass, field
from typing import Callable, ClassVar

import numpy as np
from scipy import integrate, special

from .._errors import ParameterError
from ..validate import check_real

__all__ = [
    "NoiseLaw",
    "NoNoise",
    "GaussianNoise",
    "LaplaceNoise",
    "StudentTNoise",
    "UniformNoise",
    "ExponentialNoise",
    "CauchyNoise",
    "DensityNoise",
    "NOISE_LAWS",
    "parse_noise",
]


def _check_R(R):
    r = np.asarray(R, dtype=np.float64)
    if r.ndim == 0:
        # one R per step in the signSGD recursions (120000 calls in the report's loss-law section):
        # the same test on a Python float, ~10x cheaper than the array reductions below
        v = float(r)
        if not (math.isfinite(v) and v > 0):
            raise ParameterError("R", "finite excess risk R > 0", R)
        return r
    if not np.all(np.isfinite(r)) or np.any(r <= 0):
        raise ParameterError("R", "finite excess risk R > 0", R if np.ndim(R) == 0 else "an array with R <= 0 or non-finite")
    return r


@dataclass(frozen=True)
class NoiseLaw(abc.ABC):
    """A label-noise law. Subclasses give the density, moments, sampler and ``c(R)``."""

    name: ClassVar[str] = "noise"

    # -- every law provides these (abstract: a law missing one cannot be built) --
    @abc.abstractmethod
    def density(self, x):
        """Probability density of the noise at ``x``."""

    @property
    @abc.abstractmethod
    def second_moment(self) -> float:
        """``E[eps^2]`` (``inf`` for heavy tails); enters SGD's noise term."""

    @property
    @abc.abstractmethod
    def density_at_zero(self) -> float:
        """Symmetrised density at 0, ``(f(0+) + f(0-)) / 2``."""

    @abc.abstractmethod
    def sample(self, rng: np.random.Generator, size):
        """``size`` iid draws from the law."""

    def _smoothed(self, r: np.ndarray) -> np.ndarray:
        return _quad_smoothed(self.density, r, self._scale_hint())

    def _scale_hint(self) -> float:
        return 1.0

    # -- shared -----------------------------------------------------------------
    @property
    def variance_is_finite(self) -> bool:
        return math.isfinite(self.second_moment)

    def smoothed(self, R):
        """``c(R) = E[exp(-eps^2 / (2R))]`` for excess risk ``R > 0`` (vectorised).

        >>> round(float(GaussianNoise(1.0).smoothed(1.0)), 12) == round(2 ** -0.5, 12)
        True
        """
        r = _check_R(R)
        out = np.asarray(self._smoothed(np.atleast_1d(r)), dtype=np.float64).reshape(r.shape)
        return out if out.ndim else float(out)

    def spec(self) -> str:
        """CLI spelling ``name[:key=value,...]``, inverse of :func:`parse_noise`."""
        import dataclasses

        parts = [f"{f.name}={getattr(self, f.name)!r}" for f in dataclasses.fields(self)
                 if not callable(getattr(self, f.name))]
        return self.name + (":" + ",".join(parts) if parts else "")


def _quad_smoothed(f: Callable, r: np.ndarray, scale: float) -> np.ndarray:
    out = np.empty_like(r)
    for i, ri in enumerate(r):
        s = math.sqrt(ri)

        def g(x, s=s):
            return float(f(x)) * math.exp(-0.5 * (x / s) ** 2)

        pts = sorted({0.0, s, scale, 10 * s})
        total = 0.0
        for lo, hi in ((-math.inf, -pts[-1]), (pts[-1], math.inf)):
            total += integrate.quad(g, lo, hi, limit=200, epsabs=1e-14, epsrel=1e-11)[0]
        edges = [-p for p in reversed(pts)] + pts[1:]
        for lo, hi in zip(edges[:-1], edges[1:]):
            total += integrate.quad(g, lo, hi, limit=200, epsabs=1e-14, epsrel=1e-11)[0]
        out[i] = total
    return out


@dataclass(frozen=True)
class NoNoise(NoiseLaw):
    """No label noise: ``c(R) = 1``.

    >>> NoNoise().smoothed(0.3)
    1.0
    """

    name: ClassVar[str] = "none"

    def density(self, x):
        raise ParameterError("noise", "a law with a density (no-noise has none)", "none")

    @property
    def second_moment(self):
        return 0.0

    @property
    def density_at_zero(self):
        return math.inf

    def sample(self, rng, size):
        return np.zeros(size)

    def _smoothed(self, r):
        return np.ones_like(r)


@dataclass(frozen=True)
class GaussianNoise(NoiseLaw):
    """``eps ~ N(0, std^2)``; ``c(R) = (1 + std^2/R)^(-1/2)``.

    >>> round(GaussianNoise(std=2.0).smoothed(4.0), 12) == round(2 ** -0.5, 12)
    True
    """

    name: ClassVar[str] = "gaussian"
    std: float = 1.0

    def __post_init__(self):
        object.__setattr__(self, "std", check_real("std", self.std, gt=0))

    def density(self, x):
        return np.exp(-0.5 * (np.asarray(x) / self.std) ** 2) / (self.std * math.sqrt(2 * math.pi))

    @property
    def second_moment(self):
        return self.std**2

    @property
    def density_at_zero(self):
        return 1.0 / (self.std * math.sqrt(2 * math.pi))

    def sample(self, rng, size):
        return self.std * rng.standard_normal(size)

    def _smoothed(self, r):
        return 1.0 / np.sqrt(1.0 + self.std**2 / r)


@dataclass(frozen=True)
class LaplaceNoise(NoiseLaw):
    """Laplace, density ``exp(-|x|/scale) / (2 scale)``; ``E eps^2 = 2 scale^2``.

    ``c(R) = sqrt(pi R/2)/scale * erfcx(sqrt(R/2)/scale)``.

    >>> round(LaplaceNoise(1.0).smoothed(2.0), 12) == round(math.sqrt(math.pi) * float(special.erfcx(1.0)), 12)
    True
    """

    name: ClassVar[str] = "laplace"
    scale: float = 1.0

    def __post_init__(self):
        object.__setattr__(self, "scale", check_real("scale", self.scale, gt=0))

    def density(self, x):
        return np.exp(-np.abs(np.asarray(x)) / self.scale) / (2 * self.scale)

    @property
    def second_moment(self):
        return 2.0 * self.scale**2

    @property
    def density_at_zero(self):
        return 0.5 / self.scale

    def sample(self, rng, size):
        return rng.laplace(0.0, self.scale, size)

    def _smoothed(self, r):
        a = np.sqrt(r / 2.0) / self.scale
        return np.sqrt(np.pi * r / 2.0) / self.scale * special.erfcx(a)

    def _scale_hint(self):
        return self.scale


@dataclass(frozen=True)
class ExponentialNoise(LaplaceNoise):
    """One-sided (not centred) ``Exp`` noise, density ``exp(-x/scale)/scale`` on ``x > 0``.

    Same ``c(R)`` as Laplace(scale): signSGD symmetrises the noise. ``E eps^2 = 2 scale^2``.

    >>> ExponentialNoise(0.5).smoothed(1.0) == LaplaceNoise(0.5).smoothed(1.0)
    True
    """

    name: ClassVar[str] = "exponential"

    def density(self, x):
        x = np.asarray(x, dtype=float)
        return np.where(x > 0, np.exp(-np.maximum(x, 0) / self.scale) / self.scale, 0.0)

    def sample(self, rng, size):
        return rng.exponential(self.scale, size)


@dataclass(frozen=True)
class UniformNoise(NoiseLaw):
    """``eps ~ U(-half_width, half_width)``; ``c(R) = sqrt(pi R/2)/a * erf(a/sqrt(2R))``.

    >>> round(UniformNoise(1.0).smoothed(0.5), 12) == round(math.sqrt(math.pi) / 2 * math.erf(1.0), 12)
    True
    """

    name: ClassVar[str] = "uniform"
    half_width: float = 1.0

    def __post_init__(self):
        object.__setattr__(self, "half_width", check_real("half_width", self.half_width, gt=0))

    def density(self, x):
        return np.where(np.abs(np.asarray(x)) <= self.half_width, 0.5 / self.half_width, 0.0)

    @property
    def second_moment(self):
        return self.half_width**2 / 3.0

    @property
    def density_at_zero(self):
        return 0.5 / self.half_width

    def sample(self, rng, size):
        return rng.uniform(-self.half_width, self.half_width, size)

    def _smoothed(self, r):
        a = self.half_width
        return np.sqrt(np.pi * r / 2.0) / a * special.erf(a / np.sqrt(2.0 * r))


@dataclass(frozen=True)
class CauchyNoise(NoiseLaw):
    """Cauchy(scale): infinite variance; ``c(R) = erfcx(scale / sqrt(2R))``.

    >>> CauchyNoise(1.0).second_moment
    inf
    """

    name: ClassVar[str] = "cauchy"
    scale: float = 1.0

    def __post_init__(self):
        object.__setattr__(self, "scale", check_real("scale", self.scale, gt=0))

    def density(self, x):
        return self.scale / (np.pi * (self.scale**2 + np.asarray(x) ** 2))

    @property
    def second_moment(self):
        return math.inf

    @property
    def density_at_zero(self):
        return 1.0 / (math.pi * self.scale)

    def sample(self, rng, size):
        return self.scale * rng.standard_cauchy(size)

    def _smoothed(self, r):
        return special.erfcx(self.scale / np.sqrt(2.0 * r))


@dataclass(frozen=True)
class StudentTNoise(NoiseLaw):
    """Student-t with ``nu > 0`` degrees of freedom and ``scale``; variance infinite for ``nu <= 2``.

    ``c(R) = z^k Gamma(k+1/2)/Gamma(k) U(k+1/2, k+1, z)`` with ``k = nu/2``,
    ``z = nu scale^2/(2R)`` and Tricomi's ``U`` (from the Gaussian scale mixture; adaptive
    quadrature where ``U`` under/overflows).

    >>> StudentTNoise(nu=3.0).second_moment
    3.0
    """

    name: ClassVar[str] = "student-t"
    nu: float = 3.0
    scale: float = 1.0

    def __post_init__(self):
        object.__setattr__(self, "nu", check_real("nu", self.nu, gt=0))
        object.__setattr__(self, "scale", check_real("scale", self.scale, gt=0))

    def density(self, x):
        from scipy import stats

        return stats.t.pdf(np.asarray(x, dtype=float), self.nu, scale=self.scale)

    @property
    def second_moment(self):
        return self.scale**2 * self.nu / (self.nu - 2.0) if self.nu > 2 else math.inf

    @property
    def density_at_zero(self):
        nu = self.nu
        return math.exp(math.lgamma((nu + 1) / 2) - math.lgamma(nu / 2)) / (math.sqrt(nu * math.pi) * self.scale)

    def sample(self, rng, size):
        return self.scale * rng.standard_t(self.nu, size)

    def _scale_hint(self):
        return self.scale

    def _smoothed(self, r):
        # eps | w ~ N(0, s^2/w), w ~ Gamma(nu/2, rate nu/2) gives
        # c(R) = z^k Gamma(k+1/2)/Gamma(k) U(k+1/2, k+1, z), k = nu/2, z = nu s^2/(2R)
        # (Tricomi U; derived here, checked against mpmath quadrature in the tests).
        k = 0.5 * self.nu
        z = self.nu * self.scale**2 / (2.0 * r)
        with np.errstate(all="ignore"):
            out = np.exp(k * np.log(z) + special.gammaln(k + 0.5) - special.gammaln(k)) * special.hyperu(k + 0.5, k + 1.0, z)
        bad = ~np.isfinite(out) | (out <= 0) | (out > 1)
        if np.any(bad):
            out[bad] = _quad_smoothed(self.density, r[bad], self.scale)
        return out


@dataclass(frozen=True)
class DensityNoise(NoiseLaw):
    """Any user density ``fn(x)`` (vectorised, integrating to 1).

    The second moment and the sampler (inverse CDF on a tabulated grid) are computed
    numerically; ``c(R)`` by adaptive quadrature.

    >>> law = DensityNoise(lambda x: np.exp(-np.abs(x)) / 2)
    >>> round(law.smoothed(2.0), 9) == round(LaplaceNoise(1.0).smoothed(2.0), 9)
    True
    >>> DensityNoise(lambda x: np.exp(-np.abs(x)))
    Traceback (most recent call last):
    ...
    theory.ParameterError: fn must satisfy a density integrating to 1; got fn=2.0...
    """

    name: ClassVar[str] = "density"
    fn: Callable = field(default=None)
    scale: float = 1.0
    _table: tuple = field(default=(), repr=False, compare=False)

    def __post_init__(self):
        if not callable(self.fn):
            raise ParameterError("fn", "a callable density fn(x)", self.fn)
        object.__setattr__(self, "scale", check_real("scale", self.scale, gt=0))
        f0 = self._f(0.0)
        if not math.isfinite(f0) or f0 < 0:
            raise ParameterError("fn", "a finite, non-negative density at 0", f0)
        mass = sum(integrate.quad(self._f, lo, hi, limit=200)[0]
                   for lo, hi in ((-math.inf, -self.scale), (-self.scale, 0), (0, self.scale), (self.scale, math.inf)))
        if not abs(mass - 1.0) < 1e-6:
            raise ParameterError("fn", "a density integrating to 1", round(mass, 9))

    def _f(self, x):
        return float(self.fn(np.float64(x)))

    def density(self, x):
        return np.asarray(self.fn(np.asarray(x, dtype=float)), dtype=float)

    @property
    def second_moment(self):
        val, _ = integrate.quad(lambda x: x * x * self._f(x), -math.inf, math.inf, limit=400)
        return val if math.isfinite(val) and val < 1e300 else math.inf

    @property
    def density_at_zero(self):
        h = 1e-9 * self.scale
        return 0.5 * (self._f(h) + self._f(-h))

    def _scale_hint(self):
        return self.scale

    def sample(self, rng, size):
        if not self._table:
            X = 50.0 * self.scale
            while integrate.quad(self._f, X, math.inf)[0] + integrate.quad(self._f, -math.inf, -X)[0] > 1e-7 and X < 1e12:
                X *= 4
            x = np.linspace(-X, X, 400_001)
            pdf = np.maximum(self.density(x), 0)
            cdf = np.concatenate([[0.0], np.cumsum(0.5 * (pdf[1:] + pdf[:-1]) * np.diff(x))])
            cdf /= cdf[-1]
            object.__setattr__(self, "_table", (x, cdf))
        x, cdf = self._table
        return np.interp(rng.random(size), cdf, x)


NOISE_LAWS: dict[str, type[NoiseLaw]] = {
    c.name: c for c in (NoNoise, GaussianNoise, LaplaceNoise, StudentTNoise, UniformNoise, ExponentialNoise, CauchyNoise)
}


def parse_noise(text: str) -> NoiseLaw:
    """Build a noise law from ``name[:key=value,...]``.

    >>> parse_noise("student-t:nu=3,scale=0.5")
    StudentTNoise(nu=3.0, scale=0.5)
    >>> parse_noise("gaussian")
    GaussianNoise(std=1.0)
    """
    import dataclasses

    name, _, rest = str(text).strip().partition(":")
    name = name.strip().lower()
    if name not in NOISE_LAWS:
        raise ParameterError("noise", "one of " + ", ".join(repr(c) for c in NOISE_LAWS), name)
    cls = NOISE_LAWS[name]
    keys = {f.name for f in dataclasses.fields(cls)}
    kwargs = {}
    for item in filter(None, (p.strip() for p in rest.split(","))):
        k, eq, v = item.partition("=")
        if not eq or k.strip() not in keys:
            raise ParameterError(f"noise {name!r} option", "one of " + ", ".join(sorted(keys)) + " as key=value", item)
        try:
            kwargs[k.strip()] = float(v)
        except ValueError:
            raise ParameterError(k.strip(), "a number", v) from None
    return cls(**kwargs)
