"""PowerSums (quadrature of the power-law sums over v modes) against the plain term-by-term sums."""

import numpy as np
import pytest

from numerics.plrf._power_sums import PowerSums


def _omegas(p, v, rng):
    """Points where the sums are hard: next to a population eigenvalue (Im ~ 1e-9 and 1e-12 relative),
    in the bulk, on the negative side, far off the axis, and real negative (the F_0 fixed point)."""
    lamc = np.exp(-p * rng.uniform(0, np.log(v), 12))
    return np.concatenate([lamc * (1 + 1e-9j), lamc[:4] * (1 + 1e-12j), lamc * (1 + 0.3j), lamc * (-1 + 0.01j),
                           lamc * (0.2 + 1j) * 3, -lamc[:4] + 0j])


@pytest.mark.parametrize("p,q,v", [(2.0, 1.6, 40_000), (0.8, 2.0, 50_000), (1.4, 0.6, 50_000),
                                   (1.0, 1.0, 1000)])
def test_sums_match_plain_sums(p, q, v):
    rng = np.random.default_rng(0)
    ps = PowerSums(p, q, v)
    j = np.arange(1, v + 1, dtype=np.float64)
    lam, t = j**-p, j ** (-p - q)
    ws = _omegas(p, v, rng)
    m = 0.5 * np.exp(1j * rng.uniform(-3, 3, ws.size))
    S, dS = ps.s_and_ds(ws)
    args, T = ps.measures(ws, m)
    for k, w in enumerate(ws):
        g = 1.0 / (lam - w)
        # relative to the sum of the absolute terms (the scale any summation works at)
        assert abs(S[k] - np.sum(lam * g)) <= 1e-12 * np.sum(np.abs(lam * g))
        assert abs(dS[k] - np.sum(lam * g * g)) <= 1e-11 * np.sum(np.abs(lam * g * g))
        assert abs(T[k] - np.sum(t * g)) <= 1e-12 * np.sum(np.abs(t * g))
        u = lam * m[k] - w * m[k]
        assert abs(args[k] - np.sum(np.arctan2(u.imag, u.real))) <= 1e-13 * v * np.pi


def test_cost_does_not_grow_with_v():
    n = [PowerSums(1.6, 1.0, v).nodes(np.array([1e-3 + 1e-6j]))[0].shape[1] for v in (10**4, 10**6, 10**8)]
    assert n[0] < 700 and n[2] < 2 * n[0]
