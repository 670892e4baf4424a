"""Monte-Carlo simulator of one-pass minibatch training on a sampled PLRF instance.

``R`` independent runs share one random-features matrix ``W`` and are advanced together:
every step draws fresh data ``x ~ N(0, D)`` for ``R x B`` samples, so the features and
targets of all runs come from **one matrix-matrix product** ``Z @ [D^(1/2) W | D^(1/2) b]``
with ``Z`` of shape ``(R B, v)`` standard normal. The update rule is the optimizer's own
``optimizer.step(theta, grad_sum, lr_factor)`` with the batch-summed gradient, so any
optimizer object (SGD, signSGD, ...) runs unchanged; the learning-rate factor of step ``k``
is ``schedule(k, horizon)``.

The population risk is evaluated exactly, with no sampling, on a log-spaced set of steps::

    P(theta) = E_x[(<W^T x, theta> - <x, b>)^2] = || D^(1/2) (W theta - b) ||^2

(mean squared error without 1/2, :data:`theory.CONVENTIONS`). Memory is bounded: the
simulator holds ``W`` (``v x d``), one ``(R B) x v`` sample buffer and the ``R x n_points``
risk table -- never a per-step history.

References
----------
E. Paquette, C. Paquette, L. Xiao, J. Pennington, "4+3 Phases of Compute-Optimal Neural
Scaling Laws", NeurIPS 2024 (arXiv:2405.15074), Sec. 1.1 (PLRF model, eq. (1)) and eq. (2)
(one-pass SGD); sltk research note ``plrf_signsgd.md`` Sec. 1.2-1.3.
"""

from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass, field

import numpy as np

from theory import Optimizer, ParameterError, Schedule, as_schedule
from theory.plrf import PLRF
from theory.validate import check_choice, check_int

from .._backend import backend_name, default_rng, get_namespace, limit_blas_threads, resolve_dtype, to_numpy

__all__ = ["PLRFInstance", "sample_instance", "log_steps", "SimulationResult", "simulate_plrf", "memory_estimate"]

#: A run counts as diverged when its risk exceeds this multiple of the initial risk.
DIVERGENCE_FACTOR = 1e8


@dataclass(frozen=True, eq=False)
class PLRFInstance:
    """One sampled PLRF instance: the problem and its random-features matrix ``W``.

    Attributes
    ----------
    problem : theory.plrf.PLRF
        The problem (finite ``v``).
    W : numpy.ndarray, shape (v, d)
        Random features, iid ``N(0, 1/d)``.
    seed : int or None
        Seed it was drawn from (``None`` when ``W`` was given).
    """

    problem: PLRF
    W: np.ndarray = field(repr=False)
    seed: int | None = None

    def __post_init__(self):
        p = self.problem
        if not isinstance(p, PLRF):
            raise ParameterError("problem", "a theory.plrf.PLRF", type(p).__name__)
        if p.v_is_infinite:
            raise ParameterError("v", "finite for a sampled instance", p.v)
        W = np.asarray(self.W, dtype=np.float64)
        if W.shape != (int(p.v), p.d):
            raise ParameterError("W", f"an array of shape (v, d) = ({int(p.v)}, {p.d})", W.shape)
        if not np.all(np.isfinite(W)):
            raise ParameterError("W", "finite entries", "a non-finite entry")
        object.__setattr__(self, "W", W)

    def weighted(self) -> tuple[np.ndarray, np.ndarray]:
        """``(D^(1/2) W, D^(1/2) b)``: the risk is ``||D^(1/2) W theta - D^(1/2) b||^2``."""
        s = np.sqrt(self.problem.population_eigenvalues())
        return self.W * s[:, None], s * self.problem.target()

    def risk(self, theta) -> np.ndarray:
        """Closed-form population risk ``||D^(1/2)(W theta - b)||^2`` (last axis of ``theta``).

        >>> inst = sample_instance(PLRF(1.0, 0.5, 8, 4), seed=0)
        >>> float(inst.risk(np.zeros(4))) == inst.problem.initial_risk()
        True
        """
        Wt, bt = self.weighted()
        e = np.asarray(theta, dtype=np.float64) @ Wt.T - bt
        return np.sum(e * e, axis=-1)


def memory_estimate(problem: PLRF, runs: int = 32, batch: int = 1, dtype: str = "float64") -> int:
    """Estimated peak bytes of a PLRF verification of ``problem`` (host memory).

    Counted (derived from the code paths, not measured to the byte): ``W`` in float64 and its
    weighted copy, the SVD of ``D^(1/2) W`` (a copy and ``U``, each ``v x d``; ``~5 d^2`` of
    workspace), the ``v x (d + 1)`` stepping matrix and the ``R B x v`` Gaussian buffer in ``dtype``.

    >>> memory_estimate(PLRF(1.0, 0.7, 240_000, 60_000)) > 100 * 2**30
    True
    """
    v, d = int(problem.v), int(problem.d)
    item = 4 if dtype == "float32" else 8
    return int(8 * (4 * v * d + 5 * d * d) + item * (v * (d + 1) + 2 * runs * batch * v + runs * d))


def sample_instance(problem: PLRF, seed: int = 0) -> PLRFInstance:
    """Draw ``W`` with iid ``N(0, 1/d)`` entries from ``seed`` (NumPy, float64, any backend).

    The same seed gives the same ``W`` on every backend, so the exact expected risk of the
    instance is computed once on the host.

    >>> sample_instance(PLRF(1.0, 0.5, 8, 4), seed=1).W.shape
    (8, 4)
    """
    if not isinstance(problem, PLRF):
        raise ParameterError("problem", "a theory.plrf.PLRF", type(problem).__name__)
    if problem.v_is_infinite:
        raise ParameterError("v", "finite for a sampled instance", problem.v)
    seed = check_int("seed", seed, ge=0)
    w_ss, _ = np.random.SeedSequence(seed).spawn(2)
    rng = np.random.Generator(np.random.PCG64(w_ss))
    W = rng.standard_normal((int(problem.v), problem.d)) / math.sqrt(problem.d)
    return PLRFInstance(problem, W, seed)


def log_steps(steps: int, n_points: int = 60) -> np.ndarray:
    """Step 0 and about ``n_points`` log-spaced integer steps in ``[1, steps]`` (unique).

    >>> log_steps(1000, 4).tolist()
    [0, 1, 10, 100, 1000]
    """
    n = check_int("steps", steps, ge=1)
    m = check_int("n_points", n_points, ge=2)
    k = np.unique(np.round(np.geomspace(1, n, m)).astype(np.int64))
    return np.concatenate([[0], k])


def eval_grid(steps: int, n_points: int, eval_steps=None) -> np.ndarray:
    """The steps to record: ``eval_steps`` validated (sorted, unique, in ``[0, steps]``) or,
    when ``None``, :func:`log_steps`.

    >>> eval_grid(10, 2, [5, 0, 5]).tolist()
    [0, 5]
    """
    if eval_steps is None:
        return log_steps(steps, n_points)
    grid = np.unique(np.asarray(eval_steps, dtype=np.int64))
    if grid.size == 0 or grid[0] < 0 or grid[-1] > steps:
        raise ParameterError("eval_steps", f"integers in [0, steps={steps}]", eval_steps)
    return grid


@dataclass
class SimulationResult:
    """Result of :func:`simulate_plrf`.

    Attributes
    ----------
    steps : ndarray of int, shape (n,)
        Steps at which the risk was evaluated (0 = initialisation).
    risk : ndarray, shape (runs, n)
        Exact population risk of every run at those steps (float64 on the host).
    status : {"ok", "diverged"}
        ``"diverged"`` if a run's risk became non-finite or exceeded
        ``DIVERGENCE_FACTOR`` times the initial risk; ``steps``/``risk`` then stop there.
    diverged_at : int or None
        The first step where divergence was detected.
    backend, dtype : str
        Where and in which precision it ran.
    seconds : float
        Wall time of the stepping loop.
    """

    steps: np.ndarray
    risk: np.ndarray
    status: str
    instance: PLRFInstance
    optimizer: Optimizer
    schedule: Schedule
    horizon: int
    runs: int
    seed: int
    backend: str
    dtype: str
    seconds: float
    diverged_at: int | None = None

    @property
    def mean(self) -> np.ndarray:
        """Mean risk over runs at each step."""
        return np.mean(self.risk, axis=0)

    @property
    def stderr(self) -> np.ndarray:
        """Standard error of :attr:`mean` (sample std over runs / sqrt(runs); 0 for one run)."""
        if self.runs < 2:
            return np.zeros(self.risk.shape[1])
        return np.std(self.risk, axis=0, ddof=1) / math.sqrt(self.runs)


class _Progress:
    """A minimal stderr progress bar (updates at most every 0.5 s)."""

    def __init__(self, total: int, enabled: bool, label: str = "simulate"):
        self.total, self.enabled, self.label = total, enabled, label
        self.t0 = self.last = time.perf_counter()

    def update(self, done: int, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.perf_counter()
        if not force and now - self.last < 0.5:
            return
        self.last = now
        frac = done / self.total
        bar = "#" * int(30 * frac) + "." * (30 - int(30 * frac))
        eta = (now - self.t0) * (1 - frac) / frac if frac > 0 else float("nan")
        sys.stderr.write(f"\r{self.label} [{bar}] {100 * frac:5.1f}% {done}/{self.total} steps, eta {eta:6.1f} s")
        if done >= self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def simulate_plrf(
    problem: PLRF,
    optimizer: Optimizer,
    schedule: Schedule | None = None,
    *,
    steps: int,
    runs: int = 32,
    seed: int = 0,
    instance: PLRFInstance | None = None,
    backend="auto",
    dtype: str = "float64",
    n_points: int = 60,
    eval_steps=None,
    progress: bool = False,
    blas_threads: int | None = None,
    sampler: str = "inputs",
) -> SimulationResult:
    """Simulate ``runs`` independent one-pass training runs on one PLRF instance.

    Parameters
    ----------
    problem : theory.plrf.PLRF
        The problem (finite ``v``).
    optimizer : theory.Optimizer
        Provides ``batch`` and the update ``step(theta, grad_sum, lr_factor)``.
    schedule : theory.Schedule, optional
        Learning-rate factors ``schedule(k, steps)``; constant 1 when omitted.
    steps : int
        Horizon ``N`` (number of optimizer steps).
    runs : int
        Number of independent runs ``R`` (advanced together).
    seed : int
        Seeds ``W`` (unless ``instance`` is given) and the data stream.
    instance : PLRFInstance, optional
        A given ``W`` (must match ``problem``).
    backend : {"auto", "numpy", "cupy"} or module
        See :func:`verification.get_namespace`.
    dtype : {"float64", "float32"}
        Working precision of the stepping (the risk table is returned in float64).
    n_points : int
        About how many log-spaced steps to evaluate the risk at (see :func:`log_steps`).
    eval_steps : array of int, optional
        Explicit evaluation steps (sorted, in ``[0, steps]``) instead of the log grid.
    progress : bool
        Show a progress bar on stderr.
    blas_threads : int, optional
        Cap the host BLAS threads while stepping (see :func:`verification.limit_blas_threads`).
    sampler : {"inputs", "features"}
        ``"inputs"``: each sample draws ``x ~ N(0, D)`` in ``v`` dimensions and forms its features
        ``W^T x`` and target ``b^T x`` (the paper's data model, eq. (1)). ``"features"``: the
        ``(d + 1)``-vector ``(W^T x, b^T x)`` is drawn directly from its Gaussian law
        ``N(0, A^T A)``, ``A = [D^(1/2) W, D^(1/2) b]``, as ``g R`` with ``g ~ N(0, I_(d+1))`` and
        ``R`` the triangular factor of a QR decomposition of ``A`` (``R^T R = A^T A``; derived here).
        The runs then have the same law -- SGD only sees the features and targets -- at about
        ``(d + 1)/v`` of the cost per step; the random stream differs, so the runs are not the
        ``"inputs"`` runs sample for sample.

    Returns
    -------
    SimulationResult

    Examples
    --------
    >>> from theory import SGD
    >>> p = PLRF(alpha=1.0, beta=0.7, v=64, d=16)
    >>> res = simulate_plrf(p, SGD(lr=0.2), steps=100, runs=4, seed=0, backend="numpy", n_points=3)
    >>> res.steps.tolist(), res.risk.shape, res.status
    ([0, 1, 10, 100], (4, 4), 'ok')
    >>> bool(np.allclose(res.risk[:, 0], p.initial_risk(), rtol=1e-13))
    True

    References
    ----------
    Paquette et al., "4+3 Phases of Compute-Optimal Neural Scaling Laws", NeurIPS 2024
    (arXiv:2405.15074), eq. (1)-(2).
    """
    if not isinstance(problem, PLRF):
        raise ParameterError("problem", "a theory.plrf.PLRF", type(problem).__name__)
    if not isinstance(optimizer, Optimizer):
        raise ParameterError("optimizer", "a theory.Optimizer instance", type(optimizer).__name__)
    schedule = as_schedule(schedule)
    N = check_int("steps", steps, ge=1)
    R = check_int("runs", runs, ge=1)
    seed = check_int("seed", seed, ge=0)
    check_choice("dtype", dtype, ("float64", "float32"))
    check_choice("sampler", sampler, ("inputs", "features"))
    if instance is None:
        instance = sample_instance(problem, seed)
    elif instance.problem != problem:
        raise ParameterError("instance", f"an instance of the same problem {problem}", instance.problem)
    grid = eval_grid(N, n_points, eval_steps)

    xp = get_namespace(backend)
    dt = resolve_dtype(xp, dtype)
    B = int(optimizer.batch)
    d = problem.d
    v = int(problem.v)
    Wt_np, bt_np = instance.weighted()
    A_np = np.concatenate([Wt_np, bt_np[:, None]], axis=1)  # v x (d+1)
    A = xp.asarray(A_np.astype(dtype), dtype=dt)
    Wt = A[:, :d]
    bt = A[:, d]
    if sampler == "features":  # (features, target) = g R with R^T R = A^T A: the same Gaussian law
        R_np = np.linalg.qr(A_np, mode="r")
        M, width = xp.asarray(R_np.astype(dtype), dtype=dt), R_np.shape[0]
    else:
        M, width = A, v
    _, data_ss = np.random.SeedSequence(seed).spawn(2)
    rng = default_rng(xp, data_ss)
    name = backend_name(xp)
    buf = xp.zeros((R * B, width), dtype=dt) if name in ("numpy", "cupy") else None

    theta = xp.zeros((R, d), dtype=dt)
    p0 = problem.initial_risk()
    limit = DIVERGENCE_FACTOR * p0

    def risk_of(th):
        e = xp.matmul(th, xp.matrix_transpose(Wt)) - bt
        return to_numpy(xp.sum(e * e, axis=1)).astype(np.float64)

    out = np.empty((R, grid.size))
    filled = 0
    if grid[0] == 0:
        out[:, 0] = risk_of(theta)
        filled = 1
    status, diverged_at = "ok", None
    bar = _Progress(N, progress)
    chunk = 4096
    t0 = time.perf_counter()
    with np.errstate(over="ignore", invalid="ignore"), limit_blas_threads(blas_threads):
        for k0 in range(0, N, chunk):
            k1 = min(N, k0 + chunk)
            factors = schedule(np.arange(k0, k1), N).tolist()
            for k in range(k0, k1):
                Z = rng.standard_normal((R * B, width), dtype=dtype, out=buf)
                FY = xp.matmul(Z, M)  # (R B) x (d + 1): features and targets of every sample
                if B == 1:
                    F = FY[:, :d]
                    resid = xp.vecdot(F, theta) - FY[:, d]  # one fused pass, no (R, d) temporary
                    grad = F * resid[:, None]
                else:
                    F = xp.reshape(FY[:, :d], (R, B, d))
                    y = xp.reshape(FY[:, d], (R, B))
                    resid = xp.sum(F * theta[:, None, :], axis=2) - y
                    grad = xp.sum(F * resid[:, :, None], axis=1)
                theta = optimizer.step(theta, grad, factors[k - k0])
                step = k + 1
                if filled < grid.size and step == grid[filled]:
                    r = risk_of(theta)
                    out[:, filled] = r
                    filled += 1
                    if not np.all(np.isfinite(r)) or np.max(r) > limit:
                        status, diverged_at = "diverged", step
                        break
                elif step % 64 == 0 and not bool(xp.all(xp.isfinite(theta))):
                    status, diverged_at = "diverged", step
                    break
            bar.update(k1 if status == "ok" else diverged_at, force=k1 == N)
            if status != "ok":
                break
    seconds = time.perf_counter() - t0
    if status == "ok" and filled != grid.size:  # pragma: no cover - grid is within [0, N]
        raise RuntimeError("internal error: evaluation grid not filled")
    return SimulationResult(
        steps=grid[:filled].copy(), risk=out[:, :filled], status=status, instance=instance,
        optimizer=optimizer, schedule=schedule, horizon=N, runs=R, seed=seed, backend=name,
        dtype=dtype, seconds=seconds, diverged_at=diverged_at,
    )
