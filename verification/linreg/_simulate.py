"""Monte-Carlo simulator of one-pass signSGD / SGD on Gaussian linear regression.

``y = <x, theta*> + eps``, ``x ~ N(0, K)`` (any covariance, dense or diagonal), label noise
``eps`` from any :class:`theory.linreg.NoiseLaw`. ``runs`` independent runs are advanced together
(one ``(runs*B, d)`` Gaussian draw and one matrix product per step) with the optimizer's own
``optimizer.step(theta, grad_sum, lr_factor)``, so :class:`theory.SignSGD` and
:class:`theory.SGD` run through the same code path, on NumPy or CuPy
(:mod:`verification._backend`). The excess risk ``R = e^T K e`` (no 1/2) is evaluated
exactly (no sampling) at the requested steps.

References
----------
K. L. Xiao, N. Marshall, A. Agarwala, E. Paquette, "Exact risk curves of signSGD in
High-Dimensions", arXiv:2411.12135 (2024), Sec. 2 (setting) and Fig. 1 (ODE vs simulation).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from theory.linreg import LinearRegressionProblem
from theory import Constant, Optimizer, ParameterError, Schedule
from theory.validate import check_int

from .._backend import backend_name, default_rng, get_namespace, to_numpy

__all__ = ["LinRegSimulation", "simulate_linreg"]


@dataclass(frozen=True)
class LinRegSimulation:
    """Simulated excess-risk curves.

    Attributes
    ----------
    steps : (n,) int steps at which the risk was recorded; t : ``steps / d``.
    risk : (runs, n) excess risk of every run. backend : the array backend used.
    diverged : True when a run's risk became non-finite or exceeded 1e8 x its start.
    """

    steps: np.ndarray
    t: np.ndarray
    risk: np.ndarray
    backend: str
    diverged: bool
    info: dict = field(default_factory=dict)

    @property
    def mean(self) -> np.ndarray:
        return np.mean(self.risk, axis=0)

    @property
    def stderr(self) -> np.ndarray:
        """Standard error of the run mean (``std / sqrt(runs)``, ``ddof = 1``)."""
        n = self.risk.shape[0]
        return np.std(self.risk, axis=0, ddof=1) / math.sqrt(n) if n > 1 else np.full(self.risk.shape[1], np.inf)


def simulate_linreg(problem: LinearRegressionProblem, optimizer: Optimizer, steps, *, runs: int = 8,
                    schedule: Schedule | None = None, horizon: int | None = None, seed: int = 0,
                    backend="auto", dtype: str = "float64") -> LinRegSimulation:
    """Run ``runs`` independent one-pass trajectories from ``theta_0 = 0``.

    Parameters
    ----------
    problem : theory.linreg.LinearRegressionProblem
    optimizer : theory.Optimizer
        Its ``lr`` is the raw step (use ``eta / d`` for the high-dimensional normalisation).
    steps : sequence of int
        Steps at which to record the excess risk (0 = initial point); sorted, unique.
    runs : int
        Independent runs (different data streams, same problem).
    schedule : theory.Schedule, optional
        Learning-rate factor of step ``k`` is ``schedule(k, horizon)``.
    horizon : int, optional
        The schedule's horizon (default: the last recorded step).
    backend : "auto", "numpy", "cupy" or a namespace module

    Returns
    -------
    LinRegSimulation

    Examples
    --------
    >>> from theory.linreg import LinearRegressionProblem
    >>> from theory import SignSGD
    >>> p = LinearRegressionProblem(np.ones(4), np.ones(4))
    >>> sim = simulate_linreg(p, SignSGD(lr=0.25), [0, 1], runs=2, backend="numpy")
    >>> sim.risk[:, 0].tolist()
    [4.0, 4.0]
    """
    if not isinstance(problem, LinearRegressionProblem):
        raise ParameterError("problem", "a theory.linreg.LinearRegressionProblem", type(problem).__name__)
    if not isinstance(optimizer, Optimizer):
        raise ParameterError("optimizer", "a theory.Optimizer (e.g. theory.SignSGD)", type(optimizer).__name__)
    runs = check_int("runs", runs, ge=1)
    st = np.asarray(steps, dtype=np.int64)
    if st.ndim != 1 or st.size == 0 or np.any(st < 0) or np.any(np.diff(st) <= 0):
        raise ParameterError("steps", "a non-empty increasing sequence of integers >= 0", steps)
    n = int(st[-1]) if horizon is None else check_int("horizon", horizon, ge=max(int(st[-1]), 1))
    sched = schedule if schedule is not None else Constant()
    if not isinstance(sched, Schedule):
        raise ParameterError("schedule", "a theory.Schedule", sched)
    factors = sched(np.arange(max(n, 1)), max(n, 1))

    xp = get_namespace(backend)
    rng = default_rng(xp, seed)
    noise_rng = np.random.default_rng(np.random.SeedSequence([seed, 7919]))
    d, B = problem.d, optimizer.batch
    if problem.is_diagonal:
        sqrtK = xp.asarray(np.sqrt(problem.cov), dtype=xp.float64)
        K = xp.asarray(problem.cov, dtype=xp.float64)
    else:
        w, Q = np.linalg.eigh(problem.cov)
        root = (Q * np.sqrt(np.maximum(w, 0.0))) @ Q.T  # symmetric square root
        sqrtK = xp.asarray(root, dtype=xp.float64)
        K = xp.asarray(problem.cov, dtype=xp.float64)
    theta_star = xp.asarray(problem.theta_star, dtype=xp.float64)
    theta = xp.zeros((runs, d), dtype=xp.float64)

    def risk_of(th):
        e = th - theta_star
        Ke = e * K if problem.is_diagonal else xp.matmul(e, K)
        return to_numpy(xp.sum(e * Ke, axis=-1))

    out = np.empty((runs, st.size))
    r0 = float(risk_of(xp.zeros((1, d), dtype=xp.float64))[0])
    diverged = False
    k, idx = 0, 0
    if st[0] == 0:
        out[:, 0] = r0
        idx = 1
    block = max(1, min(64, 4096 // max(runs * B, 1)))  # steps whose data are drawn in one product
    buf_x = buf_y = None
    pos = block
    while idx < st.size:
        target = int(st[idx])
        while k < target:
            if pos == block:  # data do not depend on theta: draw `block` steps at once
                z = rng.standard_normal((block * runs * B, d))
                xb = z * sqrtK if problem.is_diagonal else xp.matmul(z, sqrtK)
                eps = xp.asarray(problem.noise.sample(noise_rng, (block * runs * B,)), dtype=xp.float64)
                yb = xp.sum(xb * theta_star, axis=-1) + eps
                buf_x = xp.reshape(xb, (block, runs, B, d))
                buf_y = xp.reshape(yb, (block, runs, B))
                pos = 0
            x, y = buf_x[pos, ...], buf_y[pos, ...]
            pos += 1
            res = xp.sum(x * theta[:, None, :], axis=-1) - y  # (runs, B)
            grad = xp.sum(res[:, :, None] * x, axis=1)
            f = float(factors[k]) if k < factors.size else float(factors[-1])
            theta = optimizer.step(theta, grad, f)
            k += 1
        out[:, idx] = risk_of(theta)
        if not np.all(np.isfinite(out[:, idx])) or np.max(out[:, idx]) > 1e8 * max(r0, 1e-300):
            diverged = True
            out[:, idx + 1:] = np.inf
            break
        idx += 1
    return LinRegSimulation(steps=st, t=st / d, risk=out, backend=backend_name(xp), diverged=diverged,
                            info={"d": d, "runs": runs, "optimizer": optimizer.to_dict(), "seed": seed})
