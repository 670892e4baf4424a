"""Monte-Carlo simulator of one-pass signSGD / SGD on Gaussian linear regression.

``y = <x, theta*> + eps``, ``x ~ N(0, K)`` (any covariance, dense or diagonal), label noise
``eps`` from any :class:`theory.linreg.NoiseLaw`. ``runs`` independent runs are advanced together
(the data of up to 64 steps drawn at once: one ``(steps*runs*B, d)`` standard normal draw from SFC64
into a reused buffer, mapped to ``N(0, K)`` by :class:`_GaussianFeatures` -- a scaling for diagonal
``K``, a banded triangular solve for a Gauss-Markov ``K`` such as the AR(1) ``correlated_covariance``,
the symmetric square root otherwise) with the optimizer's own
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
import scipy.linalg

from theory.linreg import LinearRegressionProblem, NoiseLaw
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
                    backend="auto", dtype: str = "float64", noises=None):
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
    noises : sequence of theory.linreg.NoiseLaw, optional
        Simulate the same ``runs`` once per label-noise law (instead of ``problem.noise``), all
        laws on one shared stream of features ``x`` (common random numbers) with each law's own
        noise draws: run ``r`` of every law sees the same ``x_k``. The runs of one law are
        independent as before, so each law's mean and standard error are those of a separate
        simulation; only the laws' results are correlated with each other. The features -- the
        Gaussian draws that are this simulator's cost -- are drawn once for all laws.

    Returns
    -------
    LinRegSimulation, or a tuple of them (one per law, in order) when ``noises`` is given

    Examples
    --------
    >>> from theory.linreg import LinearRegressionProblem, GaussianNoise, NoNoise
    >>> from theory import SignSGD
    >>> p = LinearRegressionProblem(np.ones(4), np.ones(4))
    >>> sim = simulate_linreg(p, SignSGD(lr=0.25), [0, 1], runs=2, backend="numpy")
    >>> sim.risk[:, 0].tolist()
    [4.0, 4.0]
    >>> a, b = simulate_linreg(p, SignSGD(lr=0.25), [0, 5], runs=2, noises=[NoNoise(), GaussianNoise(1.0)])
    >>> a.risk.shape, b.risk.shape
    ((2, 2), (2, 2))
    """
    if not isinstance(problem, LinearRegressionProblem):
        raise ParameterError("problem", "a theory.linreg.LinearRegressionProblem", type(problem).__name__)
    if not isinstance(optimizer, Optimizer):
        raise ParameterError("optimizer", "a theory.Optimizer (e.g. theory.SignSGD)", type(optimizer).__name__)
    runs = check_int("runs", runs, ge=1)
    laws = [problem.noise] if noises is None else list(noises)
    if not laws or not all(isinstance(law, NoiseLaw) for law in laws):
        raise ParameterError("noises", "a non-empty sequence of theory.linreg.NoiseLaw", noises)
    st = np.asarray(steps, dtype=np.int64)
    if st.ndim != 1 or st.size == 0 or np.any(st < 0) or np.any(np.diff(st) <= 0):
        raise ParameterError("steps", "a non-empty increasing sequence of integers >= 0", steps)
    n = int(st[-1]) if horizon is None else check_int("horizon", horizon, ge=max(int(st[-1]), 1))
    sched = schedule if schedule is not None else Constant()
    if not isinstance(sched, Schedule):
        raise ParameterError("schedule", "a theory.Schedule", sched)
    factors = sched(np.arange(max(n, 1)), max(n, 1))

    xp = get_namespace(backend)
    rng = default_rng(xp, seed, bit_generator="sfc64")
    nl = len(laws)
    noise_rngs = [np.random.default_rng(np.random.SeedSequence([seed, 7919 + i])) for i in range(nl)]
    d, B = problem.d, optimizer.batch
    features = _GaussianFeatures(problem, xp)
    K = xp.asarray(problem.cov, dtype=xp.float64)
    theta_star = xp.asarray(problem.theta_star, dtype=xp.float64)
    theta = xp.zeros((nl, runs, d), dtype=xp.float64)  # law x run x coordinate

    def risk_of(th):
        e = th - theta_star
        Ke = e * K if problem.is_diagonal else xp.matmul(e, K)
        return to_numpy(xp.sum(e * Ke, axis=-1))

    out = np.empty((nl, runs, st.size))
    r0 = float(risk_of(xp.zeros((1, d), dtype=xp.float64))[0])
    alive = np.ones(nl, dtype=bool)
    k, idx = 0, 0
    if st[0] == 0:
        out[:, :, 0] = r0
        idx = 1
    block = max(1, min(64, 4096 // max(runs * B, 1)))  # steps whose data are drawn in one product
    rows = block * runs * B
    name = backend_name(xp)
    zbuf = xp.zeros((rows, d), dtype=xp.float64) if name in ("numpy", "cupy") else None
    buf_x = buf_y = None
    pos = block
    while idx < st.size:
        target = int(st[idx])
        while k < target:
            if pos == block:  # data do not depend on theta: draw `block` steps at once
                z = rng.standard_normal((rows, d), out=zbuf)
                xb = features(z)
                eps = np.stack([law.sample(g, (rows,)) for law, g in zip(laws, noise_rngs)])
                yb = xp.matmul(xb, theta_star) + xp.asarray(eps, dtype=xp.float64)  # (laws, rows)
                buf_x = xp.reshape(xb, (block, runs, B, d))
                buf_y = xp.reshape(yb, (nl, block, runs, B))
                pos = 0
            x, y = buf_x[pos, ...], buf_y[:, pos, ...]
            pos += 1
            res = xp.vecdot(x, theta[:, :, None, :]) - y  # (laws, runs, B)
            grad = res * x[:, 0, :] if B == 1 else xp.sum(res[..., None] * x, axis=2)
            f = float(factors[k]) if k < factors.size else float(factors[-1])
            theta = optimizer.step(theta, grad, f)
            k += 1
        r_all = risk_of(theta)
        out[alive, :, idx] = r_all[alive]  # a diverged law keeps its inf
        for i in np.nonzero(alive)[0]:
            r = out[i, :, idx]
            if not np.all(np.isfinite(r)) or np.max(r) > 1e8 * max(r0, 1e-300):
                alive[i] = False
                out[i, :, idx + 1:] = np.inf
        if not alive.any():
            break
        if not alive.all():  # a diverged law's runs stop (zeroed, so no overflow spreads); the others go on
            theta = xp.where(xp.asarray(alive[:, None, None]), theta, xp.zeros_like(theta))
        idx += 1
    sims = tuple(LinRegSimulation(steps=st, t=st / d, risk=out[i], backend=backend_name(xp), diverged=not alive[i],
                                  info={"d": d, "runs": runs, "optimizer": optimizer.to_dict(), "seed": seed,
                                        "noise": law.spec(), "shared_features_with": nl - 1})
                 for i, law in enumerate(laws))
    return sims[0] if noises is None else sims


#: Largest entry of ``M_b K M_b^T - I`` accepted for a banded whitening factor ``M_b`` (see :class:`_GaussianFeatures`).
MARKOV_WHITENING_TOL = 1e-12
#: Columns a block of the banded solve covers (a speed setting only: every block size gives the same law).
_MARKOV_CHUNK = 32


class _GaussianFeatures:
    """Map standard normal rows ``z`` (shape ``(n, d)``, overwritten) to rows ``x ~ N(0, K)``.

    * diagonal ``K``: ``x = z * sqrt(K)``;
    * dense ``K`` whose inverse Cholesky factor is banded (a Gauss-Markov covariance, e.g.
      ``theory.linreg.correlated_covariance``: AR(1) correlations make ``K^-1`` tridiagonal):
      ``x^T = M_b^-1 z^T``, a banded triangular solve in blocks of columns, ``O(n d (c + b))``
      work for band ``b`` and blocks of ``c`` columns instead of the ``O(n d^2)`` of a dense factor;
    * any other dense ``K``: ``x = z K^(1/2)`` with the symmetric square root.

    The banded route is derived, not assumed: ``K = L L^T`` (Cholesky), ``M = L^-1`` is lower
    triangular, and ``x^T = L z^T`` has covariance ``L L^T = K``. ``M_b`` keeps the sub-diagonals
    of ``M`` up to the last one holding an entry above ``1e-12 |M_ii|``; it is used only when the
    law it samples, ``Cov x = M_b^-1 M_b^-T``, passes ``max |M_b K M_b^T - I| <= 1e-12`` (the
    whitened covariance error: far below the relative standard error ``>= 1e-3`` of any run mean the
    checks use) and ``b <= d / 8``. Per block ``J`` of columns, with ``P`` the ``b`` columns before it::

        x_J = (z_J - x_P M_b[J, P]^T) (M_b[J, J]^-1)^T

    (the solve's rows in order; ``M_b[J, J]^-1`` is a small dense triangular inverse).
    """

    def __init__(self, problem, xp):
        self.xp = xp
        self.kind = "diagonal"
        self.bandwidth = None
        if problem.is_diagonal:
            self.scale = xp.asarray(np.sqrt(problem.cov), dtype=xp.float64)
            return
        K = problem.cov
        Mb = _banded_whitening(K)
        if Mb is not None:
            self.kind = "markov"
            d, b = K.shape[0], Mb[1]
            M = Mb[0]
            self.bandwidth = b
            self.blocks = []
            for j0 in range(0, d, _MARKOV_CHUNK):
                j1 = min(d, j0 + _MARKOV_CHUNK)
                p0 = max(0, j0 - b)
                inv_t = np.linalg.inv(M[j0:j1, j0:j1]).T
                coupling = M[j0:j1, p0:j0].T if j0 > p0 else None
                self.blocks.append((j0, j1, p0, xp.asarray(np.ascontiguousarray(inv_t), dtype=xp.float64),
                                    None if coupling is None else xp.asarray(np.ascontiguousarray(coupling),
                                                                             dtype=xp.float64)))
            self._out = None
            return
        self.kind = "dense"
        w, Q = np.linalg.eigh(K)
        root = (Q * np.sqrt(np.maximum(w, 0.0))) @ Q.T  # symmetric square root
        self.root = xp.asarray(root, dtype=xp.float64)

    def __call__(self, z):
        xp = self.xp
        if self.kind == "diagonal":
            z *= self.scale  # z is the caller's scratch buffer (or a fresh draw)
            return z
        if self.kind == "dense":
            return xp.matmul(z, self.root)
        if self._out is None or self._out.shape != z.shape:
            self._out = xp.zeros(z.shape, dtype=xp.float64)
        x = self._out
        for j0, j1, p0, inv_t, coupling in self.blocks:
            rhs = z[:, j0:j1] if coupling is None else z[:, j0:j1] - xp.matmul(x[:, p0:j0], coupling)
            x[:, j0:j1] = xp.matmul(rhs, inv_t)
        return x


def _banded_whitening(K: np.ndarray):
    """``(M_b, b)``: the banded inverse Cholesky factor of ``K`` (see :class:`_GaussianFeatures`), or
    ``None`` when ``K`` is singular, its factor is not banded to ``b <= d / 8``, or the band fails the
    whitened-covariance test.

    >>> from theory.linreg import correlated_covariance
    >>> _banded_whitening(correlated_covariance(64, 0.6, 0.5))[1]
    1
    >>> _banded_whitening(np.full((64, 64), 0.5) + 0.5 * np.eye(64)) is None
    True
    """
    d = K.shape[0]
    try:
        L = np.linalg.cholesky(K)
    except np.linalg.LinAlgError:  # singular (PSD, not PD): no triangular whitening
        return None
    M = scipy.linalg.solve_triangular(L, np.eye(d), lower=True)
    diag = np.abs(np.diag(M))
    i, j = np.nonzero(np.abs(np.tril(M, -1)) > 1e-12 * diag[:, None])
    b = int(np.max(i - j)) if i.size else 0
    if b > d // 8:
        return None
    Mb = np.tril(np.triu(M, -b))
    MK = Mb @ K  # dense check, O(d^3) once per problem: ~0.05 s at d = 1000
    err = float(np.max(np.abs(MK @ Mb.T - np.eye(d))))
    if not err <= MARKOV_WHITENING_TOL:
        return None
    return Mb, b
