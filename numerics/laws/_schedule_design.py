"""Schedule design from a fitted loss law: WSD decay fraction and shape, optimal schedules.

* :func:`wsd_final_loss` -- the predicted final loss of WSD schedules as a function of the
  decay fraction and the decay shape;
* :func:`best_wsd_decay` -- the best decay fraction for each horizon (grid, then Brent's
  bounded method on the fraction);
* :func:`optimal_schedule` -- the non-increasing schedule ``peak >= eta_1 >= ... >= 0`` that
  minimises the predicted final loss, piecewise constant on ``n_blocks`` blocks,
  parametrised by non-negative decrements (SLSQP with the analytic gradient of the law's
  final loss, several starts). The optimum of the momentum (Tissue) law is known to be
  degenerate (Luo et al. 2025, App. F, Theorem 2: hold the peak, then drop to zero within
  two steps); :func:`optimal_schedule` detects such a collapse and reports it
  (``degenerate=True``) instead of presenting it as a schedule recommendation.

References
----------
H. Tissue, V. Wang, L. Wang, arXiv:2408.11029 v2, Sec. 4 (optimal WSD annealing ratio
10-20 %); K. Luo et al., ICLR 2025 (arXiv:2503.12811), Sec. 6, App. E (optimised schedules,
WSD-like, decay ``eta_max (1 - tau)^1.5``) and App. F, Theorem 2 (collapse of the momentum
law's optimum).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import minimize, minimize_scalar

from theory import DECAY_SHAPES, WSD, Constant, Cosine, ParameterError
from theory.validate import check_int, check_real

from ._annealing import LRHistory
from ._loss_laws import LossLaw

__all__ = ["wsd_final_loss", "best_wsd_decay", "optimal_schedule", "OptimalSchedule"]


def _full_history(post: np.ndarray, peak: float, warmup_steps: int) -> LRHistory:
    W = warmup_steps
    ramp = peak * np.arange(1, W + 1) / W if W else np.empty(0)
    return LRHistory(np.concatenate((ramp, post)), warmup=W, peak=peak)


def _post(schedule, horizon, peak, warmup_steps):
    n = horizon - warmup_steps
    return peak * schedule(np.arange(n), n)


def _check(law, params, horizon, peak, warmup_steps):
    if not isinstance(law, LossLaw):
        raise ParameterError("law", "a LossLaw object", type(law).__name__)
    th = law.theta(params)
    T = check_int("horizon", horizon, ge=2)
    pk = check_real("peak", peak, gt=0)
    W = check_int("warmup_steps", warmup_steps, ge=0, le=T - 1)
    return th, T, pk, W


#: memo of :func:`_final`, keyed by the full inputs (the law's class, warmup and hyper-parameters, the
#: parameters, a digest of the post-warmup rates, the peak and the warmup length). The scan, the best-decay
#: search and the optimiser's baselines ask for many of the same schedules (the same WSD fractions on
#: their grids, the constant and cosine baselines of every call); each one costs a ``prepare`` of the
#: whole history (for the multi-power law a treecode over every update).
_FINAL_MEMO: dict = {}
_FINAL_MEMO_SIZE = 4096


def _final_key(law, th, post, pk, W):
    post = np.ascontiguousarray(post, dtype=np.float64)
    hyper = tuple(sorted((k, float(v)) for k, v in law.hyper().items()))
    return (type(law).__qualname__, law.warmup, hyper, getattr(law, "bin_width", None),
            np.asarray(th, dtype=np.float64).tobytes(), post.size, hashlib.sha256(post.tobytes()).digest(),
            float(pk), int(W))


def _final(law, th, post, pk, W):
    key = _final_key(law, th, post, pk, W)
    hit = _FINAL_MEMO.get(key)
    if hit is not None:
        return hit
    h = _full_history(post, pk, W)
    val = float(law.evaluate(th, law.prepare(h, [h.horizon]))[0])
    if len(_FINAL_MEMO) >= _FINAL_MEMO_SIZE:
        _FINAL_MEMO.clear()
    _FINAL_MEMO[key] = val
    return val


def wsd_final_loss(law: LossLaw, params, horizon: int, fractions, *, shape: str = "linear", peak: float = 1.0,
                   warmup_steps: int = 0, floor: float = 0.0) -> np.ndarray:
    """Predicted final loss of WSD schedules with the given decay fractions.

    The run is ``warmup_steps`` of linear warmup then ``WSD(decay=fraction, shape=shape,
    floor=floor)`` over the remaining ``horizon - warmup_steps`` updates.

    >>> from numerics.laws._loss_laws import TissueLaw
    >>> law = TissueLaw(0.99)
    >>> p = dict(L0=2.0, A=0.5, alpha=0.5, C=3.0)
    >>> L = wsd_final_loss(law, p, 1000, [0.0, 0.2], peak=1e-3)
    >>> bool(L[1] < L[0])      # annealing helps
    True
    """
    th, T, pk, W = _check(law, params, horizon, peak, warmup_steps)
    if shape not in DECAY_SHAPES:
        raise ParameterError("shape", "one of " + ", ".join(DECAY_SHAPES), shape)
    fr = np.atleast_1d(np.asarray(fractions, dtype=float))
    if np.any(~np.isfinite(fr)) or np.any(fr < 0) or np.any(fr > 1):
        raise ParameterError("fractions", "values in [0, 1]", fractions)
    return np.array([_final(law, th, _post(WSD(decay=float(x), shape=shape, floor=floor), T, pk, W), pk, W)
                     for x in fr])


def best_wsd_decay(law: LossLaw, params, horizons, *, shape: str = "linear", peak: float = 1.0,
                   warmup_steps: int = 0, floor: float = 0.0, grid: int = 41) -> list:
    """Best WSD decay fraction per horizon (grid of ``grid`` fractions, then bounded Brent).

    Returns a list of dicts ``horizon, fraction, final_loss, constant_loss, cosine_loss``.
    """
    out = []
    for T in np.atleast_1d(horizons):
        th, T, pk, W = _check(law, params, int(T), peak, warmup_steps)
        xs = np.linspace(0.0, 1.0, check_int("grid", grid, ge=3))
        Ls = wsd_final_loss(law, th, T, xs, shape=shape, peak=pk, warmup_steps=W, floor=floor)
        i = int(np.argmin(Ls))
        lo, hi = xs[max(i - 1, 0)], xs[min(i + 1, xs.size - 1)]
        res = minimize_scalar(lambda x: float(wsd_final_loss(law, th, T, [x], shape=shape, peak=pk,
                                                              warmup_steps=W, floor=floor)[0]),
                              bounds=(lo, hi), method="bounded", options={"xatol": 1.0 / T})
        x, L = (float(res.x), float(res.fun)) if res.fun < Ls[i] else (float(xs[i]), float(Ls[i]))
        out.append({
            "horizon": T, "fraction": x, "final_loss": L, "shape": shape,
            "constant_loss": _final(law, th, _post(Constant(), T, pk, W), pk, W),
            "cosine_loss": _final(law, th, _post(Cosine(floor=floor), T, pk, W), pk, W),
        })
    return out


@dataclass
class OptimalSchedule:
    """Result of :func:`optimal_schedule`.

    ``eta`` is the full per-update history (warmup included); ``degenerate`` is True when
    the optimum collapsed to "hold the peak, then drop to ~0 within one block" (the known
    degenerate optimum of the momentum law).
    """

    eta: np.ndarray
    warmup_steps: int
    final_loss: float
    baselines: dict
    degenerate: bool
    converged: bool
    message: str
    decay_start: int
    final_rate: float
    block_values: np.ndarray = field(repr=False, default=None)

    def to_dict(self, n_points: int = 200) -> dict:
        idx = np.unique(np.linspace(0, self.eta.size - 1, n_points).astype(int))
        return {"final_loss": self.final_loss, "baselines": self.baselines, "degenerate": self.degenerate,
                "converged": self.converged, "message": self.message, "decay_start": self.decay_start,
                "final_rate": self.final_rate, "warmup_steps": self.warmup_steps,
                "steps": (idx + 1).tolist(), "lr": self.eta[idx].tolist()}


def optimal_schedule(law: LossLaw, params, horizon: int, *, peak: float = 1.0, warmup_steps: int = 0,
                     n_blocks: int = 100, maxiter: int = 300) -> OptimalSchedule:
    """The non-increasing schedule minimising the law's predicted final loss.

    Post-warmup rates are piecewise constant on ``n_blocks`` equal blocks with values
    ``v_j = peak - sum_{i<=j} d_i``, ``d_i >= 0``, ``sum d_i <= peak`` (so
    ``peak >= v_1 >= ... >= v_K >= 0``), optimised by SLSQP with the analytic gradient
    from ``law.final_loss_and_grad`` (O(T) per call) from three starts (constant, linear
    decay, WSD 20 %). Warmup conventions ``peak``, ``half``, ``exclude`` are supported.

    Examples
    --------
    The momentum law's optimum collapses (Luo et al. 2025, Theorem 2):

    >>> from numerics.laws._loss_laws import TissueLaw
    >>> res = optimal_schedule(TissueLaw(0.99), dict(L0=2.0, A=0.5, alpha=0.5, C=0.3), 2000,
    ...                        peak=1e-3, n_blocks=50, maxiter=60)
    >>> res.degenerate
    True
    """
    th, T, pk, W = _check(law, params, horizon, peak, warmup_steps)
    K = check_int("n_blocks", n_blocks, ge=2)
    if law.warmup == "actual":
        raise ParameterError("law.warmup", "'peak', 'half' or 'exclude' for schedule optimisation", law.warmup)
    n = T - W
    if K > n:
        raise ParameterError("n_blocks", f"n_blocks <= horizon - warmup_steps = {n}", K)
    area = {"peak": W * pk, "half": 0.5 * W * pk, "exclude": 0.0}[law.warmup]
    edges = np.linspace(0, n, K + 1).round().astype(int)
    which = np.repeat(np.arange(K), np.diff(edges))

    # variables x = decrements / peak in [0, 1], sum(x) <= 1 (well scaled for SLSQP)
    def expand(x):
        v = pk * (1.0 - np.cumsum(x))
        return np.maximum(v, 0.0)[which], v

    def fun(x):
        eta, _ = expand(x)
        L, g = law.final_loss_and_grad(th, eta, area, pk)
        gv = np.bincount(which, weights=g, minlength=K)
        return L, -pk * np.cumsum(gv[::-1])[::-1]

    cons = [{"type": "ineq", "fun": lambda x: 1.0 - np.sum(x), "jac": lambda x: -np.ones_like(x)}]
    bw = best_wsd_decay(law, th, [T], peak=pk, warmup_steps=W, grid=21)[0]
    # the best linear WSD, projected on the blocks, is one of the starts
    wsd_blocks = WSD(decay=bw["fraction"])(np.clip((edges[:-1] + edges[1:]) // 2, 0, n - 1), n)
    starts = {
        "constant": np.zeros(K),
        "linear": np.full(K, 1.0 / K),
        "wsd20": np.where(np.arange(K) >= int(0.8 * K), 1.0 / max(K - int(0.8 * K), 1), 0.0),
        "best-wsd": -np.diff(np.concatenate(([1.0], wsd_blocks))),
    }
    best = None
    for name, x0 in starts.items():
        L0, _ = fun(x0)
        sc = 1.0 / max(abs(L0), 1e-12)   # objective scaled to O(1)

        def scaled(x, sc=sc):
            L, g = fun(x)
            return L * sc, g * sc

        res = minimize(scaled, x0, jac=True, method="SLSQP", bounds=[(0.0, 1.0)] * K, constraints=cons,
                       options={"maxiter": maxiter, "ftol": 1e-14})
        x = np.clip(res.x, 0.0, 1.0)
        if x.sum() > 1.0:
            x = x / x.sum()
        val = fun(x)[0]
        if best is None or val < best[0]:
            best = (val, x, res)
    val, d, res = best
    post, v = expand(d)
    v = np.maximum(v, 0.0)
    mid = np.sum((v > 0.05 * pk) & (v < 0.95 * pk))
    degenerate = bool(v[-1] <= 0.05 * pk and mid <= 1)
    below = np.nonzero(post < 0.95 * pk)[0]
    start = int(W + below[0] + 1) if below.size else T
    baselines = {"constant": _final(law, th, _post(Constant(), T, pk, W), pk, W),
                 "cosine": _final(law, th, _post(Cosine(), T, pk, W), pk, W)}
    baselines["best_wsd_linear"] = bw["final_loss"]
    baselines["best_wsd_fraction"] = bw["fraction"]
    if degenerate:
        msg = (f"degenerate optimum: holds the peak until update {start}, then drops to "
               f"{v[-1] / pk:.3g} x peak within one block of {n // K} updates -- the collapse the momentum law "
               "predicts (Luo et al. 2025, Theorem 2); not a usable schedule")
    else:
        msg = f"WSD-like optimum: decay starts at update {start} ({(T - start) / T:.1%} of the run), ends at {v[-1] / pk:.3g} x peak"
    return OptimalSchedule(eta=_full_history(post, pk, W).eta, warmup_steps=W, final_loss=float(val),
                           baselines=baselines, degenerate=degenerate, converged=bool(res.success),
                           message=f"{msg}; SLSQP: {res.message}", decay_start=start, final_rate=float(v[-1]),
                           block_values=v)
