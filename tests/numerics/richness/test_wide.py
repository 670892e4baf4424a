"""The wide muP linear network: one GD step against an independent forward pass with finite-difference
gradients (weights rebuilt from the seed), and the catapult window (present at small gamma, absent at
large gamma) against the note's measurements."""

from __future__ import annotations

import math

import numpy as np
import pytest

from numerics.richness import wide_linear_gd, wide_max_stable_eta


def _init(L, N, seed):
    rng = np.random.default_rng(seed)
    W1 = rng.standard_normal(N)
    Ws = [rng.standard_normal((N, N)) for _ in range(L - 2)]
    a = rng.standard_normal(N)
    return [W1] + Ws + [a]


def _g(params, N):
    h = params[0]
    for W in params[1:-1]:
        h = W @ h / math.sqrt(N)
    return params[-1] @ h / N


@pytest.mark.parametrize("depth", [2, 3])
def test_first_step_matches_finite_difference_gd(depth):
    N, gamma, eta, seed = 12, 0.7, 0.05, 3
    p0 = _init(depth, N, seed)
    g0 = _g(p0, N)
    loss = lambda ps: 0.5 * ((_g(ps, N) - g0) / gamma - 1.0) ** 2
    new, h = [], 1e-6
    for k, P in enumerate(p0):
        grad = np.zeros_like(P)
        for idx in np.ndindex(P.shape):
            up = [q.copy() for q in p0]
            dn = [q.copy() for q in p0]
            up[k][idx] += h
            dn[k][idx] -= h
            grad[idx] = (loss(up) - loss(dn)) / (2 * h)
        new.append(P - N * eta * grad)
    expected = loss(new)
    run = wide_linear_gd(depth, N, [gamma], [eta], 1, seed=seed)
    assert math.isclose(run.loss[0, 0], 0.5, rel_tol=1e-12)
    assert math.isclose(run.loss[0, 1], expected, rel_tol=1e-6)


def test_catapult_window_at_small_gamma_only():
    ratios = 10 ** np.arange(-0.1, 0.45, 0.05)
    s = wide_max_stable_eta(2, 48, [0.05, 50.0], ratios, steps=2500)
    assert 1.5 < s.ratio_max[0] <= 2.3   # Lewkowycz: up to 4/lambda_0 = 2 eta_edge at small gamma
    assert 0.85 < s.ratio_max[1] < 1.15  # no window at large gamma
    assert s.catapult[0] and not s.catapult[1]


@pytest.mark.parametrize("depth", [2, 3, 4])
def test_batched_scan_equals_each_configuration_alone(depth):
    """The batch drops finished runs; every configuration's run (status, steps, peak, loss history) is bit
    for bit the one :func:`wide_linear_gd` computes for that configuration alone (a batch of one)."""
    from theory.richness import eta_edge

    gammas = np.array([0.05, 0.05, 0.05, 1.0, 50.0, 50.0])
    ratios = np.array([0.5, 1.5, 4.0, 1.2, 0.9, 1.3])  # converging early and late, diverging, catapulting
    etas = ratios * eta_edge(gammas, depth)
    steps = 600
    batch = wide_linear_gd(depth, 24, gammas, etas, steps, seed=3)
    assert set(batch.status.tolist()) >= {1, -1}
    for k in range(gammas.size):
        one = wide_linear_gd(depth, 24, gammas[k:k + 1], etas[k:k + 1], steps, seed=3)
        assert batch.status[k] == one.status[0] and batch.steps_taken[k] == one.steps_taken[0]
        assert batch.max_loss[k] == one.max_loss[0]
        np.testing.assert_array_equal(batch.loss[k], one.loss[0])
