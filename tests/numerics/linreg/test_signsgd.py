"""signSGD in high dimensions: the optimizer object, the four effects, the stationary risk,
the risk ODE, and the ODE against simulation (isotropic, power-law and correlated
covariances; Gaussian, Student-t, Cauchy, Laplace and uniform noise).

Reference values come from closed forms, Monte Carlo with stated error bars, mpmath
quadrature, or the simulator (never from the solver under test)."""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import theory
from numerics.linreg._sgd import _sgd_limit_risk as sgd_limit_risk, _sgd_risk_ode as sgd_risk_ode
from numerics.linreg._signsgd import _signsgd_limit_risk as signsgd_limit_risk, _signsgd_risk_ode as signsgd_risk_ode
from theory.linreg import CauchyNoise, DensityNoise, GaussianNoise, LaplaceNoise, LinearRegressionProblem, NoNoise, StudentTNoise, correlated_covariance, power_law_covariance
from numerics.linreg import effective_lr_factor, noise_compression, preconditioned_matrix, sign_noise_covariance, sign_modes as signsgd_modes
from theory import SGD, ParameterError, SignSGD, StabilityError
from verification.linreg import simulate as simulate_linreg
from verification.linreg import check_highdim as check_signsgd_highdim, error_bar_scaling


# ------------------------------------------------------------------ optimizer
def test_signsgd_registered_and_validated():
    assert theory.OPTIMIZERS["signsgd"] is SignSGD
    assert issubclass(SignSGD, theory.Optimizer)
    o = SignSGD(lr=0.1, batch=3)
    assert o.to_dict() == {"name": "signsgd", "lr": 0.1, "batch": 3}
    with pytest.raises(ParameterError) as exc:
        SignSGD(lr=0.1, batch=0)
    assert exc.value.parameter == "batch"
    with pytest.raises(dataclasses_frozen_error()):
        o.lr = 1.0  # frozen


def dataclasses_frozen_error():
    import dataclasses

    return dataclasses.FrozenInstanceError


def test_signsgd_step_array_generic(xp):
    th = xp.asarray([1.0, -2.0, 0.5, 0.0])
    g = xp.asarray([3.0, -0.1, 0.0, -7.0])
    out = SignSGD(lr=0.5).step(th, g, 0.5)
    np.testing.assert_allclose(np.asarray(out), [0.75, -1.75, 0.5, 0.25])


# ------------------------------------------------------------------ four effects
def test_effective_lr_factor_closed_forms_and_zero_limit():
    assert effective_lr_factor(0.25) == pytest.approx(2 / math.pi / 0.5, rel=1e-14)
    assert effective_lr_factor(1.0, GaussianNoise(2.0)) == pytest.approx(2 / math.pi / math.sqrt(5.0), rel=1e-14)
    # phi(0+) = (2/pi) sqrt(2 pi) f(0): finite for a density regular at 0 (Laplace: f(0) = 1/(2b))
    b = 0.7
    assert effective_lr_factor(1e-9, LaplaceNoise(b)) == pytest.approx(2 / math.pi * math.sqrt(2 * math.pi) / (2 * b), rel=1e-3)


def test_noise_compression_gaussian_one_heavy_tail_infinite_and_kurtosis_expansion():
    assert noise_compression(0.3, GaussianNoise(1.0)) == pytest.approx(1.0, rel=1e-13)
    assert noise_compression(0.3, CauchyNoise(1.0)) == math.inf
    assert noise_compression(0.3, StudentTNoise(2.0)) == math.inf
    # psi = 1 + (kappa - 3) s^4 / (8 R^2) + O(R^-3): Laplace kurtosis 6, s^2 = 2 b^2
    b, R = 1.0, 200.0
    pred = 1 + 3 * (2 * b * b) ** 2 / (8 * R * R)
    assert noise_compression(R, LaplaceNoise(b)) - 1 == pytest.approx(pred - 1, rel=0.05)
    assert noise_compression(R, StudentTNoise(8.0)) > 1  # heavy tails favour signSGD


def test_preconditioned_matrix_diagonal_and_dense():
    np.testing.assert_allclose(preconditioned_matrix(np.array([9.0, 4.0, 1.0])), np.diag([3.0, 2.0, 1.0]))
    K = correlated_covariance(6, 0.4, 1.0)
    M = preconditioned_matrix(K)
    s = np.diag(K) ** -0.25
    np.testing.assert_allclose(M, np.diag(s) @ K @ np.diag(s), rtol=1e-14)
    # M is similar to diag(K)^(-1/2) K, the matrix signSGD's drift applies
    ev1 = np.sort(np.linalg.eigvalsh(M))
    ev2 = np.sort(np.linalg.eigvals(np.diag(np.diag(K) ** -0.5) @ K).real)
    np.testing.assert_allclose(ev1, ev2, rtol=1e-10)


def test_sign_noise_covariance_matches_monte_carlo_for_any_theta_and_noise():
    K = np.array([[2.0, 0.9, -0.3], [0.9, 1.0, 0.2], [-0.3, 0.2, 0.5]])
    Ks = sign_noise_covariance(K)
    rng = np.random.default_rng(0)
    n = 400_000
    x = rng.standard_normal((n, 3)) @ np.linalg.cholesky(K).T
    theta, theta_star = np.array([0.3, -1.0, 2.0]), np.array([1.0, 0.5, -0.5])
    y = x @ theta_star + CauchyNoise(1.0).sample(rng, n)
    s = np.sign((x @ theta - y)[:, None] * x)
    emp = s.T @ s / n
    # each entry is a mean of +-1 values: standard error <= 1/sqrt(n); 5 standard errors
    assert np.max(np.abs(emp - Ks)) < 5 / math.sqrt(n)
    assert np.allclose(np.diag(Ks), 1.0)


def test_exact_gaussian_drift_is_arcsine_by_monte_carlo():
    K = np.array([[1.5, 0.6], [0.6, 0.8]])
    e = np.array([0.4, -0.7])
    s2 = 0.5
    R = e @ K @ e
    pred = 2 / math.pi * np.arcsin((K @ e) / np.sqrt(np.diag(K) * (R + s2)))
    rng = np.random.default_rng(3)
    n = 400_000
    x = rng.standard_normal((n, 2)) @ np.linalg.cholesky(K).T
    g = np.sign(((x @ e) - math.sqrt(s2) * rng.standard_normal(n))[:, None] * x)
    assert np.max(np.abs(g.mean(axis=0) - pred)) < 5 / math.sqrt(n)


@pytest.mark.parametrize("law", [LaplaceNoise(0.8), StudentTNoise(3.0), CauchyNoise(0.5)], ids=lambda l: l.name)
def test_linearised_drift_matches_exact_quadrature_at_small_correlation(law):
    # E[sign(x_i) sign(u - eps)] with corr(x_i, u) = rho, Var u = R, exactly:
    # E_eps E_z[erf(rho z / sqrt(2 (1 - rho^2))) sign(sqrt(R) z - eps)] (nested scipy quadrature of
    # the written-out densities); linearised: (2/pi) rho c(R), error O(rho^3)
    from scipy import integrate, special, stats

    rho, R = 1e-3, 0.6
    f = {"laplace": lambda t: math.exp(-abs(t) / 0.8) / 1.6,
         "student-t": lambda t: stats.t.pdf(t, 3.0),
         "cauchy": lambda t: 0.5 / (math.pi * (0.25 + t * t))}[law.name]
    a = rho / math.sqrt(2 * (1 - rho * rho))

    def inner(eps):  # E_z[erf(a z) sign(sqrt(R) z - eps)] = 2 E_z[erf(a z) 1{z > z0}] (erf odd)
        z0 = eps / math.sqrt(R)
        return 2 * integrate.quad(lambda z: special.erf(a * z) * math.exp(-z * z / 2) / math.sqrt(2 * math.pi),
                                  z0, np.inf, epsabs=1e-16, epsrel=1e-12)[0]

    exact = sum(integrate.quad(lambda t: f(t) * inner(t), lo, hi, epsabs=1e-16, epsrel=1e-10, limit=200)[0]
                for lo, hi in ((-np.inf, -1), (-1, 0), (0, 1), (1, np.inf)))
    lin = 2 / math.pi * rho * law.smoothed(R)
    assert exact == pytest.approx(lin, rel=1e-5)


# ------------------------------------------------------------------ stationary risk
def test_limit_risk_closed_forms_and_root_finding_agree():
    K = power_law_covariance(50, 1.0)
    eta = 0.3
    c = math.pi * eta * np.mean(np.sqrt(K)) / 4
    assert signsgd_limit_risk(K, NoNoise(), eta) == pytest.approx(c * c, rel=1e-14)
    assert signsgd_limit_risk(K, GaussianNoise(1.2), eta) == pytest.approx(c * (c + math.sqrt(c * c + 4 * 1.44)) / 2, rel=1e-14)
    # generic route (Brent on a user density) against the Gaussian closed form
    gauss_as_density = DensityNoise(lambda x: np.exp(-x * x / (2 * 1.44)) / math.sqrt(2 * math.pi * 1.44))
    assert signsgd_limit_risk(K, gauss_as_density, eta) == pytest.approx(c * (c + math.sqrt(c * c + 4 * 1.44)) / 2, rel=1e-8)


@given(eta=st.floats(1e-3, 5.0), scale=st.floats(0.05, 5.0))
def test_property_limit_risk_solves_the_balance(eta, scale):
    K = np.array([1.0, 0.25, 4.0])
    for law in (CauchyNoise(scale), LaplaceNoise(scale), StudentTNoise(2.5, scale)):
        R = signsgd_limit_risk(K, law, eta)
        assert R > 0 and math.isfinite(R)
        assert R * effective_lr_factor(R, law) == pytest.approx(eta / 2 * np.mean(np.sqrt(K)), rel=1e-9)


def test_limit_depends_on_diagonal_only_and_ode_reaches_it():
    d = 80
    K = correlated_covariance(d, 0.7, 0.8)
    p_dense = LinearRegressionProblem.with_random_target(K, GaussianNoise(0.5), seed=4)
    p_diag = LinearRegressionProblem(np.diag(K).copy(), p_dense.theta_star, GaussianNoise(0.5))
    lim = signsgd_limit_risk(np.diag(K), GaussianNoise(0.5), 0.4)
    for p in (p_dense, p_diag):
        c = signsgd_risk_ode(p, 0.4, 400.0, n_eval=3)
        assert c.limit_risk == pytest.approx(lim, rel=1e-12)
        assert c.risk[-1] == pytest.approx(lim, rel=1e-5)


def test_sgd_limit_and_stability_and_heavy_tails():
    K = np.array([1.0, 2.0, 3.0])  # kbar = 2
    assert sgd_limit_risk(K, GaussianNoise(1.0), 0.5) == pytest.approx(0.5 * 2 / (2 - 1.0))
    with pytest.raises(StabilityError) as exc:
        sgd_limit_risk(K, GaussianNoise(1.0), 1.0)
    assert exc.value.lr_max == pytest.approx(1.0)
    assert sgd_limit_risk(K, CauchyNoise(1.0), 0.5) == math.inf
    p = LinearRegressionProblem(K, np.zeros(3), CauchyNoise(1.0))
    with pytest.raises(ParameterError) as e2:
        sgd_risk_ode(p, 0.5, 1.0)
    assert e2.value.parameter == "noise"
    # signSGD has a finite limit under the same law
    assert math.isfinite(signsgd_limit_risk(K, CauchyNoise(1.0), 0.5))
    c = sgd_risk_ode(LinearRegressionProblem(K, np.zeros(3) + 0.3, GaussianNoise(1.0)), 0.5, 200.0, n_eval=3)
    assert c.risk[-1] == pytest.approx(1.0, rel=1e-5)


# ------------------------------------------------------------------ ODE internals
def test_modes_noise_coefficients_sum_rule():
    K = correlated_covariance(40, 0.5, 1.0)
    p = LinearRegressionProblem.with_random_target(K, seed=2)
    m = signsgd_modes(p)
    # sum_j n_j / lam_j = sum_j v_j^T K_sigma v_j = tr(S K_sigma) = sum_i sqrt(K_ii)
    assert np.sum(m.n / m.lam) == pytest.approx(np.sum(np.sqrt(np.diag(K))), rel=1e-10)
    # initial risk: sum_j r0_j = theta*^T K theta*
    assert np.sum(m.r0) == pytest.approx(p.theta_star @ K @ p.theta_star, rel=1e-12)


def test_isotropic_noiseless_ode_closed_form():
    # K = I, no noise: dR/dt = -(4 eta / pi) sqrt(R) + eta^2, solved implicitly:
    # t = int_R^R0 dr / ((4 eta/pi) sqrt(r) - eta^2) (quadrature, independent of the solver)
    d, eta = 300, 0.2
    p = LinearRegressionProblem(np.ones(d), np.full(d, d ** -0.5))
    c = signsgd_risk_ode(p, eta, 2.0, n_eval=5)
    for t, R in zip(c.t[1:], c.risk[1:]):
        tt = mp.quad(lambda r: 1 / (4 * eta / mp.pi * mp.sqrt(r) - eta**2), [R, 1.0])
        assert float(tt) == pytest.approx(t, rel=1e-6)


def test_ode_and_discrete_recursion_agree_to_order_one_over_d():
    p = LinearRegressionProblem.with_random_target(power_law_covariance(400, 1.0), StudentTNoise(3.0), seed=0)
    a = signsgd_risk_ode(p, 0.5, 5.0, n_eval=6)
    b = signsgd_risk_ode(p, 0.5, 5.0, n_eval=6, method="recursion")
    assert np.max(np.abs(a.risk - b.risk) / a.risk) < 5.0 / p.d


def test_schedule_is_honoured_by_ode():
    # K = I, Gaussian noise: all modes are equal, so R obeys the scalar ODE
    # dR/dt = -(4 eta(t)/pi) R / sqrt(R + s^2) + eta(t)^2, integrated here independently
    from scipy.integrate import solve_ivp

    d, T, eta0 = 200, 100.0, 0.5
    p = LinearRegressionProblem(np.ones(d), np.full(d, d ** -0.5), GaussianNoise(1.0))
    sched = theory.WSD(decay=0.5, shape="cosine")
    wsd = signsgd_risk_ode(p, eta0, T, n_eval=5, schedule=sched)
    n = int(T * d)

    def rhs(t, R):
        e = eta0 * sched([min(t * d, n - 1)], n)[0]
        return [-(4 * e / math.pi) * R[0] / math.sqrt(R[0] + 1.0) + e * e]

    ref = solve_ivp(rhs, (0, T), [1.0], t_eval=wsd.t, rtol=1e-10, atol=1e-13, max_step=0.05).y[0]
    np.testing.assert_allclose(wsd.risk, ref, rtol=1e-5)
    const = signsgd_risk_ode(p, eta0, T, n_eval=5)
    assert wsd.risk[-1] < 0.25 * const.risk[-1]  # decaying the rate lowers signSGD's floor


@pytest.mark.parametrize(
    "call, param",
    [
        (lambda: LinearRegressionProblem(np.array([[1.0, 0.5], [0.4, 1.0]]), np.zeros(2)), "cov"),
        (lambda: LinearRegressionProblem(np.array([1.0, -1.0]), np.zeros(2)), "cov"),
        (lambda: LinearRegressionProblem(np.array([[1.0, 2.0], [2.0, 1.0]]), np.zeros(2)), "cov"),
        (lambda: LinearRegressionProblem(np.ones(3), np.zeros(2)), "theta_star"),
        (lambda: LinearRegressionProblem(np.ones(2), np.zeros(2), noise="gaussian"), "noise"),
        (lambda: signsgd_risk_ode(LinearRegressionProblem(np.ones(2), np.zeros(2)), 0.0, 1.0), "lr"),
        (lambda: signsgd_risk_ode(LinearRegressionProblem(np.ones(2), np.zeros(2)), 0.1, -1.0), "T"),
        (lambda: signsgd_risk_ode(LinearRegressionProblem(np.ones(2), np.zeros(2)), 0.1, 1.0, method="euler"), "method"),
        (lambda: signsgd_limit_risk(np.ones(2), "cauchy", 0.1), "noise"),
    ],
)
def test_bad_input(call, param):
    with pytest.raises(ParameterError) as exc:
        call()
    assert exc.value.parameter == param


# ------------------------------------------------------------------ simulator
def test_simulator_one_step_exact_and_array_api(xp):
    # one SGD step from theta = 0 with a known draw is checked through the risk formula:
    # with runs=1 and lr tiny the risk moves by O(lr); with signSGD the move is exactly lr per coordinate
    p = LinearRegressionProblem(np.array([1.0, 4.0]), np.array([1.0, -1.0]))
    sim = simulate_linreg(p, SignSGD(lr=0.25), [0, 1], runs=3, backend=xp)
    # after one step each coordinate of theta is +-0.25, so e_i in {-1 +- 0.25} x {1 +- 0.25}
    possible = {(1 - s1 * 0.25) ** 2 * 1.0 + (1 - s2 * 0.25) ** 2 * 4.0 for s1 in (-1, 1) for s2 in (-1, 1)}
    for r in sim.risk[:, 1]:
        assert min(abs(r - q) for q in possible) < 1e-12
    assert np.all(sim.risk[:, 0] == 5.0)


def test_simulator_rejects_bad_input():
    p = LinearRegressionProblem(np.ones(2), np.zeros(2))
    with pytest.raises(ParameterError):
        simulate_linreg(p, SignSGD(0.1), [3, 1])
    with pytest.raises(ParameterError):
        simulate_linreg(p, "signsgd", [1])


# ------------------------------------------------------------------ ODE vs simulation
@pytest.mark.parametrize(
    "cov, noise",
    [("isotropic", "gaussian:std=1.0"), ("power-law", "student-t:nu=2.5"), ("correlated", "cauchy:scale=0.5")],
)
def test_ode_matches_simulation_d500(cov, noise):
    # T = 4 for every covariance: the correlated (AR(1)) one is sampled by a banded solve, O(d) a sample
    c = check_signsgd_highdim(cov, noise, d=500, lr=0.5, T=4.0, runs=12, n_eval=5, seed=0, backend="numpy")
    assert c.passed, c.to_dict()
    assert c.max_rel_error < 0.1


def test_sgd_ode_matches_simulation_d500():
    c = check_signsgd_highdim("power-law", "laplace:scale=0.5", d=500, lr=0.5, T=4.0, runs=12, n_eval=5,
                              optimizer="sgd", backend="numpy")
    assert c.passed, c.to_dict()


def test_error_bars_shrink_like_inverse_sqrt_d_fast():
    s = error_bar_scaling("isotropic", "gaussian", ds=(64, 256, 1024), runs=16, T=2.0, backend="numpy")
    # theory: relative spread ~ r_eff^(-1/2) = d^(-1/2) for isotropic K; accept 3 standard errors
    assert s.expected_slope == pytest.approx(-0.5, abs=1e-12)
    assert abs(s.slope + 0.5) < 3 * s.slope_stderr + 0.05, (s.slope, s.slope_stderr)


@pytest.mark.slow
@pytest.mark.parametrize("cov", ["isotropic", "power-law", "correlated"])
@pytest.mark.parametrize("noise", ["gaussian:std=1.0", "student-t:nu=2.5", "cauchy:scale=0.5", "uniform:half_width=1.5"])
def test_ode_matches_simulation_full_matrix(cov, noise):
    c = check_signsgd_highdim(cov, noise, d=1000, lr=0.5, T=8.0, runs=16, n_eval=9, seed=3, backend="auto")
    assert c.passed, c.to_dict()


@pytest.mark.slow
def test_error_bars_shrink_like_inverse_sqrt_d():
    # anisotropic K: the relative spread follows the effective rank (tr K)^2/tr K^2, not d itself
    s = error_bar_scaling("correlated", "student-t:nu=2.5", ds=(64, 128, 256, 512, 1024), runs=32, T=3.0)
    assert -0.5 <= s.expected_slope < -0.3
    assert abs(s.slope - s.expected_slope) < 3 * s.slope_stderr + 0.05, (s.slope, s.expected_slope, s.slope_stderr)
