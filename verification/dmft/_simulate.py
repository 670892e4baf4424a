"""Direct simulation of the DMFT random-feature model: sampled Gaussian features and projection ``A``,
exact gradient flow (or discrete GD) through one eigendecomposition per draw, many draws.

Per draw: ``A in R^(N x M)`` iid ``N(0,1)``, ``Psi in R^(P x M)`` with rows ``N(0, Lambda)``, labels
``y = Psi w* + sigma eps``. With ``At = A / sqrt N``, ``Z = At Psi^T`` (``N x P``), the flow
``dw/dt = -(Z Z^T/P) w + Z y / P`` (the factor ``2 eta`` absorbed into ``t``) from ``w(0) = 0`` is
``w(t) = U diag((1 - exp(-t e))/e) U^T h`` with ``Z Z^T / P = U diag(e) U^T`` and ``h = Z y / P``;
discrete GD with rate ``lr`` on the mean-squared train loss advances ``t`` by ``2 lr`` per step and
replaces ``exp(-t e)`` by ``(1 - 2 lr e)^steps``. ``P = inf``: population flow with ``F = Lambda``.

Recorded per draw and time: the test loss ``v^T Lambda v`` (``v = w* - At^T w``), the train loss
``|Psi At^T w - y|^2 / P``, and ``v`` itself, from which the bias ``|E v|^2_Lambda`` (the loss of
the mean predictor) is estimated without the ``1/R`` upward bias and with a jackknife error bar, and
the per-mode transfer function ``H_k(t) = E[v_k] / w*_k``.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from theory import ParameterError
from theory.dmft import DMFT
from theory.validate import check_int, check_real

from .._backend import backend_name, default_rng, get_namespace, to_numpy

__all__ = ["DMFTSimulation", "simulate_dmft", "simulate_online_sgd", "simulate_shared_data_ensemble"]


@dataclass
class DMFTSimulation:
    """Simulated means and standard errors over ``runs`` draws at times ``t``; ``status`` ``"ok"``."""

    t: np.ndarray
    test_loss: np.ndarray
    test_stderr: np.ndarray
    train_loss: np.ndarray
    train_stderr: np.ndarray
    bias: np.ndarray
    bias_stderr: np.ndarray
    transfer: np.ndarray
    transfer_stderr: np.ndarray
    runs: int
    seed: int
    backend: str
    dtype: str = "float64"
    status: str = "ok"
    seconds: float = 0.0
    info: dict = field(default_factory=dict)

    # the generic result type reads .mean / .stderr
    @property
    def mean(self) -> np.ndarray:
        return self.test_loss

    @property
    def stderr(self) -> np.ndarray:
        return self.test_stderr


def _jackknife_bias(V, lam):
    """Unbiased ``|E v|^2_Lambda`` from draws ``V`` (R, T, M) and its jackknife standard error."""
    R = V.shape[0]
    tot = V.sum(0)

    def est(S, n, Q):
        mean = S / n
        # tr Cov / n with Cov the unbiased sample covariance in the Lambda metric
        sq = (Q - n * np.einsum("tm,tm,m->t", mean, mean, lam)) / (n - 1)
        return np.einsum("tm,tm,m->t", mean, mean, lam) - sq / n

    Qtot = np.einsum("rtm,rtm,m->t", V, V, lam)
    full = est(tot, R, Qtot)
    loo = np.empty((R, V.shape[1]))
    for r in range(R):
        loo[r] = est(tot - V[r], R - 1, Qtot - np.einsum("tm,tm,m->t", V[r], V[r], lam))
    se = np.sqrt((R - 1) / R * np.sum((loo - loo.mean(0)) ** 2, axis=0))
    return full, se


def _heavy_ball_poly(e, eta, beta, steps):
    """``p_n(e)`` of heavy ball (``p_0 = 1``, ``p_1 = 1 - eta e``, ``p_{n+1} = (1 + beta - eta e) p_n - beta
    p_{n-1}``) at the requested ``steps``: the solution of the linear recursion through its characteristic
    roots ``r1, r2`` (``p_n = [(p_1 - r2) r1^n - (p_1 - r1) r2^n] / (r1 - r2)``, the double-root limit
    ``r^n + n r^(n-1) (p_1 - r)``), checked against running the recursion in the tests."""
    e = np.asarray(e, dtype=np.float64)
    c = 1.0 + beta - eta * e
    sq = np.sqrt(c * c - 4.0 * beta + 0j)
    r1, r2 = 0.5 * (c + sq), 0.5 * (c - sq)
    p1 = 1.0 - eta * e
    close = np.abs(r1 - r2) < 1e-7
    out = {}
    for n in {int(x) for x in steps}:
        with np.errstate(divide="ignore", invalid="ignore"):
            gen = ((p1 - r2) * r1**n - (p1 - r1) * r2**n) / np.where(close, 1.0, r1 - r2)
            r = 0.5 * c
            deg = r**n + n * r ** (n - 1) * (p1 - r) if n > 0 else np.ones_like(r)
        out[n] = np.real(np.where(close, deg, gen))
    return out


def simulate_dmft(problem: DMFT, t, *, runs: int = 32, seed: int = 0, lr: float | None = None,
                  momentum: float = 0.0, modes=(1, 2, 5, 10), backend="numpy") -> DMFTSimulation:
    """Simulate ``runs`` independent draws of ``(A, Psi, eps)`` and record the losses at times ``t``.

    Parameters
    ----------
    problem : theory.dmft.DMFT
        Needs a finite ``M``.
    t : array_like
        Times ``> 0``; ``inf`` (gradient flow only) is the flow's limit, the minimum-norm fit.
    runs : int
        Draws (``>= 2``).
    lr : float, optional
        Discrete GD with this rate (``t / (2 lr)`` steps, rounded); gradient flow when omitted.
    momentum : float
        Heavy-ball momentum ``0 <= beta < 1`` with ``lr`` (``w_{n+1} = w_n - lr grad + beta (w_n -
        w_{n-1})``, ``w_{-1} = w_0``): the error polynomial of each eigen-direction by its recursion.
    modes : sequence of int
        Modes whose transfer function ``H_k(t)`` is recorded.
    backend : "numpy", "cupy", "auto" or a namespace

    Examples
    --------
    >>> sim = simulate_dmft(DMFT(2.0, 1.5, N=16, P=32, M=60), [1.0, 100.0], runs=4)
    >>> sim.test_loss.shape, bool(np.all(sim.train_loss <= sim.test_loss + 1))
    ((2,), True)

    References
    ----------
    B. Bordelon, A. Atanasov, C. Pehlevan, ICML 2024 (arXiv:2402.01092), Sec. 2 (the model and its
    simulations).
    """
    if not isinstance(problem, DMFT):
        raise ParameterError("problem", "a theory.dmft.DMFT", type(problem).__name__)
    if problem.M_is_infinite:
        raise ParameterError("M", "finite for a simulation", problem.M)
    t = np.atleast_1d(np.asarray(t, dtype=np.float64))
    if t.ndim != 1 or np.any(np.isnan(t)) or np.any(t <= 0) or (lr is not None and np.any(np.isinf(t))):
        raise ParameterError("t", "a 1-D array of times > 0 (inf: the flow's limit, the minimum-norm fit)", t)
    runs = check_int("runs", runs, ge=2)
    if lr is not None:
        lr = check_real("lr", lr, gt=0)
    momentum = check_real("momentum", momentum, ge=0, lt=1)
    if momentum > 0 and lr is None:
        raise ParameterError("lr", "a rate > 0 with momentum", lr)
    modes = np.asarray(modes, dtype=int)
    M, N = int(problem.M), problem.N
    if modes.size and (modes.min() < 1 or modes.max() > M):
        raise ParameterError("modes", f"indices in 1..{M}", modes)
    xp = get_namespace(backend)
    rng = default_rng(xp, seed)
    k = np.arange(1, M + 1, dtype=np.float64)
    lam_h = k ** -problem.b
    ws_h = np.sqrt(k ** -problem.a / lam_h)
    lam, ws = xp.asarray(lam_h), xp.asarray(ws_h)
    sig = math.sqrt(problem.sigma2)
    T = t.size
    test = np.empty((runs, T))
    train = np.empty((runs, T))
    V = np.empty((runs, T, M))
    t0 = time.perf_counter()
    for r in range(runs):
        At = rng.standard_normal((N, M)) / math.sqrt(N)
        if problem.P_is_infinite:
            Sm = (At * lam) @ At.T
            h = At @ (lam * ws)
            Z = y = None
        else:
            P = int(problem.P)
            Psi = rng.standard_normal((P, M)) * xp.sqrt(lam)
            y = Psi @ ws
            if sig > 0:
                y = y + sig * rng.standard_normal((P,))
            Z = At @ Psi.T
            Sm = (Z @ Z.T) / P
            h = (Z @ y) / P
        e, U = xp.linalg.eigh(0.5 * (Sm + Sm.T))
        e = xp.where(e > 0, e, xp.zeros_like(e))
        b = U.T @ h
        hb = (_heavy_ball_poly(to_numpy(e), 2.0 * lr, momentum, [round(x / (2.0 * lr)) for x in t])
              if momentum > 0 else None)
        for i, ti in enumerate(t):
            if lr is None and math.isinf(ti):  # t = inf: w = S^+ h (h lies in the range of S)
                pos = e > 1e-12 * float(xp.max(e))
                w = U @ (xp.where(pos, 1.0 / xp.where(pos, e, xp.ones_like(e)), xp.zeros_like(e)) * b)
                decay = None
            elif lr is None:
                decay = xp.exp(-ti * e)
            elif hb is not None:
                decay = xp.asarray(hb[int(round(ti / (2.0 * lr)))])
            else:
                decay = (1.0 - 2.0 * lr * e) ** int(round(ti / (2.0 * lr)))
            if decay is not None:
                small = e < 1e-12
                phi = xp.where(small, xp.full_like(e, ti), (1.0 - decay) / xp.where(small, xp.ones_like(e), e))
                w = U @ (phi * b)
            beta = At.T @ w
            v = ws - beta
            test[r, i] = float(xp.sum(lam * v * v))
            if problem.P_is_infinite:  # population train loss E (f - y)^2
                train[r, i] = test[r, i] + problem.sigma2
            else:
                res = Z.T @ w - y
                train[r, i] = float(xp.sum(res * res)) / int(problem.P)
            V[r, i] = to_numpy(v)
    bias, bias_se = _jackknife_bias(V, lam_h)
    Hm = V[:, :, modes - 1] / ws_h[modes - 1] if modes.size else np.zeros((runs, T, 0))
    sq = math.sqrt(runs)
    return DMFTSimulation(t=t, test_loss=test.mean(0), test_stderr=test.std(0, ddof=1) / sq,
                          train_loss=train.mean(0), train_stderr=train.std(0, ddof=1) / sq,
                          bias=bias, bias_stderr=bias_se, transfer=Hm.mean(0),
                          transfer_stderr=Hm.std(0, ddof=1) / sq, runs=runs, seed=int(seed),
                          backend=backend_name(xp), seconds=time.perf_counter() - t0,
                          info={"modes": modes.tolist(), "lr": lr, "momentum": momentum,
                                "gradient_flow": lr is None})


def simulate_online_sgd(problem: DMFT, steps, *, lr_sum: float, batch: int, runs: int = 32, seed: int = 0,
                        backend="numpy") -> DMFTSimulation:
    """One-pass SGD on the DMFT model (``P = inf``): fresh Gaussian batches every step, many draws.

    Per draw ``A`` is sampled once; each step draws ``B`` features ``psi ~ N(0, Lambda)`` and labels
    ``y = <psi, w*> + sigma eps`` and updates ``w <- w + lr_sum sum_b x_b (y_b - <x_b, w>)``,
    ``x_b = At psi_b`` (the batch-sum convention of :class:`theory.SGD`; the model time per step is
    ``B lr_sum``). Recorded at ``steps``: the test loss ``v^T Lambda v`` and ``v`` (bias by the
    jackknife, as :func:`simulate_dmft`). ``t`` of the result is ``steps x B lr_sum``.

    >>> sim = simulate_online_sgd(DMFT(2.0, 1.5, N=8, M=30), [0, 5], lr_sum=0.05, batch=2, runs=3)
    >>> bool(abs(sim.test_loss[0] - np.sum(np.arange(1, 31.0) ** -2.0)) < 1e-12)
    True

    References
    ----------
    B. Bordelon, A. Atanasov, C. Pehlevan, ICML 2024 (arXiv:2402.01092), Sec. 2 (the model); the
    online-SGD dynamics simulated directly, no theory used.
    """
    if not isinstance(problem, DMFT):
        raise ParameterError("problem", "a theory.dmft.DMFT", type(problem).__name__)
    if problem.M_is_infinite or not problem.P_is_infinite:
        raise ParameterError("problem", "finite M and P = inf (online SGD)", problem.to_dict())
    steps = np.asarray(steps, dtype=np.int64)
    if steps.ndim != 1 or steps.size == 0 or steps.min() < 0:
        raise ParameterError("steps", "a 1-D array of step counts >= 0", steps)
    lr_sum = check_real("lr_sum", lr_sum, gt=0)
    B = check_int("batch", batch, ge=1)
    runs = check_int("runs", runs, ge=2)
    xp = get_namespace(backend)
    rng = default_rng(xp, seed, "sfc64")  # SFC64: ~20 % cheaper a normal than PCG64 here
    M, N = int(problem.M), problem.N
    k = np.arange(1, M + 1, dtype=np.float64)
    lam_h = k ** -problem.b
    ws_h = np.sqrt(k ** -problem.a / lam_h)
    lam, ws, sq = xp.asarray(lam_h), xp.asarray(ws_h), xp.asarray(np.sqrt(lam_h))
    sig = math.sqrt(problem.sigma2)
    order = {int(n): i for i, n in enumerate(steps)}
    T = steps.size
    test = np.empty((runs, T))
    V = np.empty((runs, T, M))
    t0 = time.perf_counter()
    nmax = int(steps.max())
    blk = max(1, min(nmax, 2**16 // max(B * M, 1)))  # steps whose features are drawn in one call
    for r in range(runs):
        At = rng.standard_normal((N, M)) / math.sqrt(N)
        w = xp.zeros(N)
        for n in range(nmax + 1):
            v = ws - At.T @ w
            if n in order:
                i = order[n]
                test[r, i] = float(xp.sum(lam * v * v))
                V[r, i] = to_numpy(v)
            if n == nmax:
                break
            j = n % blk
            if j == 0:  # the next blk steps' batches at once (one call instead of one a step)
                Z = rng.standard_normal((min(blk, nmax - n), B, M)) * sq
                E = rng.standard_normal((Z.shape[0], B)) if sig > 0 else None
            psi = Z[j]
            res = psi @ v
            if sig > 0:
                res = res + sig * E[j]
            w = w + lr_sum * (At @ (psi.T @ res))
    bias, bias_se = _jackknife_bias(V, lam_h)
    srt = math.sqrt(runs)
    te, tse = test.mean(0), test.std(0, ddof=1) / srt
    return DMFTSimulation(t=steps * B * lr_sum, test_loss=te, test_stderr=tse, train_loss=te + problem.sigma2,
                          train_stderr=tse,
                          bias=bias, bias_stderr=bias_se, transfer=np.zeros((T, 0)), transfer_stderr=np.zeros((T, 0)),
                          runs=runs, seed=int(seed), backend=backend_name(xp), seconds=time.perf_counter() - t0,
                          info={"lr_sum": lr_sum, "batch": B, "steps": steps.tolist(), "online_sgd": True})


def simulate_shared_data_ensemble(problem: DMFT, t, *, members: int = 4, runs: int = 16, seed: int = 0) -> dict:
    """Gradient-flow ensembles whose ``members`` share one data set (and its noise), ``runs`` data draws.

    Per run: one ``Psi, y``; per member an independent ``A``; exact flow by eigendecomposition. Returns
    means and standard errors over runs of the ensemble's loss ``|mean_e v_e|^2_Lambda`` (``"ensemble"``)
    and of the pair term ``mean_{e != e'} v_e^T Lambda v_e'`` (``"pair"``: the ``E -> inf`` limit's
    estimate, unbiased), and of the single-member loss (``"single"``).

    >>> out = simulate_shared_data_ensemble(DMFT(2.0, 1.5, N=8, P=16, M=30), [10.0], members=2, runs=2)
    >>> sorted(out)[:3], out["ensemble"].shape
    (['ensemble', 'ensemble_stderr', 'pair'], (1,))

    References
    ----------
    B. Bordelon, A. Atanasov, C. Pehlevan, ICML 2024 (arXiv:2402.01092), Sec. 5 (ensembles); simulated
    directly, no theory used.
    """
    if not isinstance(problem, DMFT) or problem.M_is_infinite or problem.P_is_infinite:
        raise ParameterError("problem", "a DMFT with finite M and P (shared data)", problem)
    E = check_int("members", members, ge=2)
    runs = check_int("runs", runs, ge=2)
    t = np.atleast_1d(np.asarray(t, dtype=np.float64))
    rng = np.random.default_rng(seed)
    M, N, P = int(problem.M), problem.N, int(problem.P)
    k = np.arange(1, M + 1, dtype=np.float64)
    lam = k ** -problem.b
    ws = np.sqrt(k ** -problem.a / lam)
    ens, pair, single = (np.empty((runs, t.size)) for _ in range(3))
    for r in range(runs):
        Psi = rng.standard_normal((P, M)) * np.sqrt(lam)
        y = Psi @ ws + math.sqrt(problem.sigma2) * rng.standard_normal(P)
        Vs = np.empty((E, t.size, M))
        for e_ in range(E):
            At = rng.standard_normal((N, M)) / math.sqrt(N)
            Z = At @ Psi.T
            ev, U = np.linalg.eigh(Z @ Z.T / P)
            ev = np.maximum(ev, 0.0)
            b = U.T @ (Z @ y / P)
            for i, ti in enumerate(t):
                small = ev < 1e-12
                phi = np.where(small, ti, -np.expm1(-ti * ev) / np.where(small, 1.0, ev))
                Vs[e_, i] = ws - At.T @ (U @ (phi * b))
        tot = Vs.sum(0)
        sq = np.einsum("etm,etm,m->t", Vs, Vs, lam)
        ens[r] = np.einsum("tm,tm,m->t", tot, tot, lam) / E**2
        pair[r] = (np.einsum("tm,tm,m->t", tot, tot, lam) - sq) / (E * (E - 1))
        single[r] = sq / E
    s = math.sqrt(runs)
    out = {}
    for name, arr in (("ensemble", ens), ("pair", pair), ("single", single)):
        out[name], out[name + "_stderr"] = arr.mean(0), arr.std(0, ddof=1) / s
    return out
