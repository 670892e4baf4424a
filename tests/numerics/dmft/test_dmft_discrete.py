"""numerics.dmft: discrete GD, heavy-ball momentum and online SGD predictions -- against exact per-mode
recursions at (nearly) infinite width, and (slow) against direct simulation with error bars."""

import math

import numpy as np
import pytest

import numerics.dmft as nd
from theory import GD, SGD, ParameterError
from theory.dmft import DMFT, HeavyBall
from verification.dmft import check_curve, simulate, simulate_online_sgd

K = np.arange(1, 301.0)
LAM = K**-1.5
TAU = K**-2.0
WIDE = DMFT(2.0, 1.5, N=10**8, P=math.inf, M=300)


def test_gd_at_infinite_width_is_the_per_mode_power():
    c = nd.loss_curve(WIDE, [5.0, 50.0, 500.0], optimizer=GD(lr=0.25))
    exact = [np.sum(TAU * (1 - 0.5 * LAM) ** (2 * n)) for n in c.diagnostics["steps"]]
    assert c.bias == pytest.approx(exact, rel=1e-6) and c.test_loss == pytest.approx(exact, rel=1e-5)
    assert c.status == "ok"


def test_heavy_ball_at_infinite_width_is_the_recursion():
    eta, beta = 0.04, 0.5
    c = nd.loss_curve(WIDE, [0.4, 4.0, 40.0], optimizer=HeavyBall(lr=eta / 2, momentum=beta))
    v = [np.ones_like(LAM), 1 - eta * LAM]
    for _ in range(2, 1100):
        v.append((1 + beta - eta * LAM) * v[-1] - beta * v[-2])
    exact = [np.sum(TAU * v[n] ** 2) for n in c.diagnostics["steps"]]
    assert c.bias == pytest.approx(exact, rel=1e-6)


# (3, 1024): L ~ 1e-9 L(0), below the check. (3, 400): L ~ 2e-6 L(0), where the Talbot rows' round-off (~3e-11
# L(0)) is up to 1.5e-5 of the loss depending on the machine's libm/BLAS, at the status rule's 1e-5 edge; 330 steps
# (L ~ 6e-6 L(0)) keeps a 4x margin on every machine measured
@pytest.mark.parametrize("eta,last", [(1.0, 1024), (3.0, 330)])
def test_underdamped_heavy_ball_at_infinite_width_is_the_recursion(eta, last):
    # beta = 0.9: every mode with eta lambda > (1 - sqrt 0.9)^2 = 0.0026 has complex roots |z| = sqrt(0.9);
    # eta = 3 is near the stability edge eta q_max < 2 (1 + beta) = 3.8. Steps < 263 on the circle |z| = R,
    # the rest by Talbot; the per-mode recursion is exact at N = inf (N = 1e12: 1/N effects ~ 1e-10)
    beta = 0.9
    p = WIDE.replace(N=10**12)
    steps = np.array([last, 8, 16, 40, 64, 128, 262, 263, 300])
    c = nd.loss_curve(p, steps * eta, optimizer=HeavyBall(lr=eta / 2, momentum=beta))
    v = [np.ones_like(LAM), 1 - eta * LAM]
    for _ in range(2, 1025):
        v.append((1 + beta - eta * LAM) * v[-1] - beta * v[-2])
    exact = np.array([np.sum(TAU * v[n] ** 2) for n in steps])
    assert c.diagnostics["circle"]["steps_below"] == 263
    # abs 1e-10: the Talbot rows' round-off is relative to L(0) ~ 1.6 (at 1024 steps L ~ 1e-5)
    assert c.bias == pytest.approx(exact, rel=1e-6, abs=1e-10)
    assert c.test_loss == pytest.approx(exact, rel=1e-6, abs=1e-10)
    assert c.status == "ok"


@pytest.mark.parametrize("sigma2", [0.0, 0.1])
def test_online_sgd_at_infinite_width_is_the_exact_moment_recursion(sigma2):
    # at N = inf, S = Lambda: c_k(n+1) = rho_k c_k(n) + (eta^2/B) lambda_k (L_n + sigma^2), L = sum lambda c
    eta, B = 0.4, 4
    p = WIDE.replace(sigma2=sigma2)
    steps = np.array([1, 3, 16, 17, 100, 256, 700])
    c = nd.loss_curve(p, steps * eta, optimizer=SGD(lr=eta, batch=B, batch_reduction="mean"))
    rho = 1 - 2 * eta * LAM + (1 + 1 / B) * eta**2 * LAM**2
    cm = TAU / LAM
    L = []
    for n in range(701):
        L.append(np.sum(LAM * cm))
        cm = rho * cm + eta**2 / B * LAM * (L[-1] + sigma2)
    assert c.test_loss == pytest.approx(np.array(L)[steps], rel=2e-3)  # 700 > 256: spline interpolation


def test_discrete_rates_outside_the_derived_range_are_refused():
    p = DMFT(2.0, 1.5, N=64, P=128, M=400)
    q = nd.spectral_edge(nd.nodes_of(p), p.N, p.P)[0]
    with pytest.raises(ParameterError, match="lr"):
        nd.loss_curve(p, [10.0], optimizer=GD(lr=0.51 / q))
    with pytest.raises(ParameterError, match="lr"):  # heavy ball is unstable for lr q_max >= 1 + momentum
        nd.loss_curve(p, [10.0], optimizer=HeavyBall(lr=1.01 * 1.5 / q, momentum=0.5))
    with pytest.raises(ParameterError, match="momentum"):  # underdamped modes decaying too slowly for the circle
        nd.loss_curve(p, [10.0], optimizer=HeavyBall(lr=0.1 / q, momentum=0.99))
    assert nd.loss_curve(p, [10.0], optimizer=HeavyBall(lr=0.1 / q, momentum=0.5)).status == "ok"
    with pytest.raises(ParameterError, match="P"):
        nd.loss_curve(p, [10.0], optimizer=SGD(lr=0.01))
    with pytest.raises(ParameterError, match="t"):  # fewer than MIN_STEPS steps
        nd.loss_curve(p, [0.5], optimizer=GD(lr=0.1))


def test_spectral_edge_bounds_the_sampled_top_eigenvalue():
    p = DMFT(2.0, 1.5, N=64, P=math.inf, M=1000)
    q = nd.spectral_edge(nd.nodes_of(p), p.N, p.P)[0]
    rng = np.random.default_rng(3)
    lam = np.arange(1, 1001.0) ** -1.5
    tops = [np.linalg.eigvalsh(((A := rng.standard_normal((64, 1000)) / 8.0) * lam) @ A.T).max() for _ in range(4)]
    assert 1.0 < q and np.mean(tops) < q


@pytest.mark.slow
@pytest.mark.parametrize("opt", [GD(lr=0.3), HeavyBall(lr=0.05, momentum=0.4)])
def test_gd_and_momentum_match_simulation(opt):
    p = DMFT(2.0, 1.5, N=128, P=256, M=1000)
    c = nd.loss_curve(p, np.logspace(1, 4, 6), optimizer=opt)
    sim = simulate(p, c.t, runs=24, seed=5, lr=opt.lr, momentum=getattr(opt, "momentum", 0.0))
    for name, pred, mean, se in (("test", c.test_loss, sim.test_loss, sim.test_stderr),
                                 ("train", c.train_loss, sim.train_loss, sim.train_stderr),
                                 ("bias", c.bias, sim.bias, sim.bias_stderr)):
        assert check_curve(name, name, pred, mean, se, 128.0).passed, (name, pred, mean, se)


@pytest.mark.slow
def test_online_sgd_matches_simulation():
    p = DMFT(2.0, 1.5, N=128, P=math.inf, M=1000, sigma2=0.05)
    opt = SGD(lr=0.1, batch=4, batch_reduction="mean")
    steps = np.array([10, 30, 100, 300, 1000, 2000])
    c = nd.loss_curve(p, steps * 0.1, optimizer=opt)
    sim = simulate_online_sgd(p, steps, lr_sum=opt.lr_sum, batch=4, runs=24, seed=2)
    assert check_curve("sgd", "test", c.test_loss, sim.test_loss, sim.test_stderr, 128.0).passed
    assert check_curve("sgd-bias", "bias", c.bias, sim.bias, sim.bias_stderr, 128.0).passed


@pytest.mark.slow
def test_underdamped_heavy_ball_matches_simulation():
    # beta = 0.9, 2 lr q_max ~ 0.6 >> (1 - sqrt beta)^2: most of the spectrum underdamped; label noise on
    p = DMFT(2.0, 1.5, N=128, P=256, M=1000, sigma2=0.1)
    opt = HeavyBall(lr=0.1, momentum=0.9)
    c = nd.loss_curve(p, np.array([8, 20, 50, 150, 400, 2000]) * 0.2, optimizer=opt)
    sim = simulate(p, c.t, runs=24, seed=7, lr=opt.lr, momentum=opt.momentum)
    for name, pred, mean, se in (("test", c.test_loss, sim.test_loss, sim.test_stderr),
                                 ("train", c.train_loss, sim.train_loss, sim.train_stderr),
                                 ("bias", c.bias, sim.bias, sim.bias_stderr)):
        assert check_curve(name, name, pred, mean, se, 128.0).passed, (name, pred, mean, se)


def test_train_loss_with_label_noise_at_infinite_width_is_linear_regression():
    # N = inf, P > M: least squares on M modes; the noisy train loss tends to sigma^2 (1 - M/P)
    # and, at every t, the noise part is sigma^2 (1/P) E tr exp(-2 t F), F the sample covariance
    p = DMFT(2.0, 1.5, N=10**8, P=400, M=100, sigma2=0.3)
    c = nd.loss_curve(p, [1e9])
    assert c.static.train_loss == pytest.approx(0.3 * (1 - 100 / 400), rel=1e-6)
    assert c.train_loss[-1] == pytest.approx(0.3 * 0.75, rel=1e-4)
    c0 = nd.loss_curve(p.replace(sigma2=0.0), [3.0, 30.0])
    c1 = nd.loss_curve(p, [3.0, 30.0])
    lam = np.arange(1, 101.0) ** -1.5
    rng = np.random.default_rng(0)
    tr = np.mean([np.sum(np.exp(-2 * np.array([3.0, 30.0])[:, None] * np.linalg.eigvalsh(
        (X := rng.standard_normal((400, 100)) * np.sqrt(lam)).T @ X / 400)[None, :]), axis=1) for _ in range(20)], 0)
    noise_part = 0.3 * (1 - (100 - tr) / 400)
    assert c1.train_loss - c0.train_loss == pytest.approx(noise_part, rel=1e-2)


@pytest.mark.slow
@pytest.mark.parametrize("N,P", [(128, 256), (256, 128)])
def test_train_loss_with_label_noise_matches_simulation(N, P):
    p = DMFT(2.0, 1.5, N=N, P=P, M=1000, sigma2=0.2)
    t = np.logspace(0, 4, 5)
    c = nd.loss_curve(p, t)
    sim = simulate(p, t, runs=24, seed=3)
    assert check_curve("train", "train", c.train_loss, sim.train_loss, sim.train_stderr, 128.0).passed
    assert check_curve("test", "test", c.test_loss, sim.test_loss, sim.test_stderr, 128.0).passed
    opt = HeavyBall(lr=0.05, momentum=0.4)
    c = nd.loss_curve(p, t[1:], optimizer=opt)
    sim = simulate(p, c.t, runs=24, seed=4, lr=opt.lr, momentum=opt.momentum)
    assert check_curve("train-hb", "train", c.train_loss, sim.train_loss, sim.train_stderr, 128.0).passed


def test_simulator_heavy_ball_polynomial_is_the_recursion():
    from verification.dmft._simulate import _heavy_ball_poly

    e = np.array([0.0, 1e-3, 0.05, 0.3, 1.0, 1.9])  # over-, critically- and under-damped for beta = 0.49
    eta, beta = 1.0, 0.49
    e = np.append(e, (1 - np.sqrt(beta)) ** 2)  # the double root
    got = _heavy_ball_poly(e, eta, beta, [0, 1, 2, 7, 50])
    prev, cur = np.ones_like(e), 1 - eta * e
    ref = {0: prev, 1: cur}
    for n in range(2, 51):
        prev, cur = cur, (1 + beta - eta * e) * cur - beta * prev
        ref[n] = cur
    for n in (0, 1, 2, 7, 50):
        assert got[n] == pytest.approx(ref[n], rel=1e-9, abs=1e-12)


def test_circle_rule_agrees_with_talbot_where_every_mode_is_overdamped():
    # the overdamped fast path (Talbot in sigma) against the circle rule forced on the same steps, at finite
    # N, P with label noise: every kernel (test, train, their noise parts, bias) through both inversions
    from numerics.dmft import _curve, _discrete

    p = DMFT(2.0, 1.5, N=64, P=128, M=400, sigma2=0.1)
    nodes = nd.nodes_of(p)
    q = nd.spectral_edge(nodes, p.N, p.P)[0]
    beta = 0.5
    opt = HeavyBall(lr=0.5 * (1 - math.sqrt(beta)) ** 2 / (2 * q), momentum=beta)
    assert _discrete.circle_plan(p, nodes, opt)[0] == 0  # overdamped: Talbot only
    eta = 2 * opt.lr
    steps = np.array([8.0, 30.0, 120.0])
    stepmap = _discrete.step_map(p, nodes, opt)
    tal = _curve._kernels(p, nodes, steps * eta, 24, stepmap)
    m = 4 * 160 + 1
    cir = _curve._kernels(p, nodes, steps, 24, stepmap, circle=(m, 10.0 ** (12.0 / m), eta))
    for key in ("test", "train", "noise", "train_noise", "bias"):
        assert cir[key] == pytest.approx(tal[key], rel=1e-7, abs=1e-11), key
