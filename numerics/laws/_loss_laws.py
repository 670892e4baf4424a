"""Loss laws with learning-rate annealing: one class per law, one common interface.

A law maps a learning-rate history to a predicted loss curve. Every law is a
:class:`LossLaw` with

* ``param_names`` and default ``bounds`` (used by the fitter, overridable);
* ``predict(params, history, steps)``: the loss at the given steps;
* ``prepare(history, steps)`` / ``evaluate(theta, cache, jac)``: the fast path used by the
  fitter (everything that does not depend on the parameters is computed once), returning
  the prediction and, if asked, its Jacobian with respect to the parameters;
* ``initial_grid(caches, losses)``: the multi-start grid (nonlinear parameters on a grid,
  the parameters that enter linearly solved by least squares for each grid point).

A new law is a new class registered in :data:`LAWS`.

Laws
----
:class:`TissueLaw` (Tissue, Wang & Wang 2024, Eq. 1)
    ``L(t) = L0 + A S1(t)^(-alpha) - C S2(t)`` with the annealing momentum decay ``lam``
    (``lambda``) a hyper-parameter; warmup convention ``"peak"`` by default.
:class:`MultiPowerLaw` (Luo et al. 2025, Eq. 1-2)
    ``L(t) = L0 + A (S1(t) + S_W)^(-alpha) - LD(t)``,
    ``LD(t) = B sum_k (eta_{k-1} - eta_k) G(eta_k^(-gamma) S_k(t))``,
    ``G(x) = 1 - (C x + 1)^(-beta)``, ``S_k(t) = sum_{tau=k}^{t} eta_tau``;
    warmup convention ``"half"`` (``S_W = eta_max W / 2``, ``eta_0 = eta_max``) by default.

The MPL loss-drop term is a double sum (O(T^2) if done naively). By default
(``bin_width=None``) it is evaluated on the logged steps only by the treecode of
:mod:`numerics.laws._mpl_sum`: exact kernel values at real updates, the far field of each
step through interpolation weights of well-separated smooth clusters of updates, the near
field pair by pair -- exact to ~1e-11 of ``sum |D_k|`` (measured) at O(log T) terms per step.
``bin_width=1`` is the plain pairwise sum. With ``bin_width >= 2`` the reductions are grouped into sub-bins of at most ``bin_width``
consecutive updates that never straddle a logged step; each sub-bin is represented by its
total reduction placed at its ``|reduction|``-weighted centroid (exact for a single drop,
second-order accurate for smooth decays; kept for comparison). Cost per evaluation: the
number of (step, term) pairs, fully vectorised, with the analytic Jacobian.

References
----------
H. Tissue, V. Wang, L. Wang, "Scaling Law with Learning Rate Annealing", arXiv:2408.11029
v2, Eq. (1), (5), Sec. 3.4. K. Luo, H. Wen, S. Hu, Z. Sun, Z. Liu, M. Sun, K. Lyu, W. Chen,
"A Multi-Power Law for Loss Curve Prediction Across Learning Rate Schedules", ICLR 2025
(arXiv:2503.12811), Eq. (1), (2), App. A (the momentum law as a special case).
"""

from __future__ import annotations

import abc
import hashlib
from collections import OrderedDict
import itertools
from typing import ClassVar

import numpy as np

from theory import ParameterError
from theory.validate import check_choice, check_int, check_real

from ._annealing import WARMUP_CONVENTIONS, LRHistory, _check_steps, annealing_areas, effective_rates
from ._mpl_sum import direct_pairs, tree_pairs

__all__ = ["LossLaw", "TissueLaw", "MultiPowerLaw", "LAWS", "make_law", "law_from_params", "LOSS_LAWS"]


class LossLaw(abc.ABC):
    """Common interface of the loss laws (see the module docstring)."""

    name: ClassVar[str] = "law"
    param_names: ClassVar[tuple] = ()
    default_method: ClassVar[str] = "lbfgsb"
    default_starts: ClassVar[int] = 4
    screen_starts: ClassVar[bool] = False   # successive halving of the starts (for costly laws)
    #: centre of the log-normal prior of the predictive fitting mode (shape parameters only)
    shape_prior: ClassVar[dict] = {}
    warmup: str = "peak"

    # ------------------------------------------------------------ parameters
    def theta(self, params) -> np.ndarray:
        """Parameter vector from a dict (by name) or a sequence (in ``param_names`` order)."""
        if isinstance(params, dict):
            missing = [n for n in self.param_names if n not in params]
            if missing:
                raise ParameterError("params", "a value for each of " + ", ".join(self.param_names),
                                     "missing " + ", ".join(missing))
            th = np.array([params[n] for n in self.param_names], dtype=np.float64)
        else:
            th = np.asarray(params, dtype=np.float64).ravel()
            if th.size != len(self.param_names):
                raise ParameterError("params", f"{len(self.param_names)} values ({', '.join(self.param_names)})", th.size)
        if not np.all(np.isfinite(th)):
            raise ParameterError("params", "finite values", th.tolist())
        return th

    def params_dict(self, theta) -> dict:
        """Named parameters plus this law's hyper-parameters."""
        d = {n: float(v) for n, v in zip(self.param_names, np.asarray(theta, dtype=float))}
        d.update(self.hyper())
        return d

    def hyper(self) -> dict:
        """Hyper-parameters that are part of the fitted law (e.g. ``lambda``)."""
        return {}

    @abc.abstractmethod
    def bounds(self) -> list:
        """Default box bounds ``[(lo, hi), ...]`` in ``param_names`` order."""

    # ------------------------------------------------------------ evaluation
    @abc.abstractmethod
    def prepare(self, history: LRHistory, steps):
        """Everything parameter-independent needed to evaluate the law at ``steps``."""

    @abc.abstractmethod
    def evaluate(self, theta, cache, jac: bool = False):
        """Prediction at the prepared steps (and its Jacobian, shape (n, p), if ``jac``)."""

    @abc.abstractmethod
    def initial_grid(self, caches, losses) -> list:
        """Starting points for the multi-start fit."""

    def predict(self, params, history: LRHistory, steps) -> np.ndarray:
        """Predicted loss at ``steps`` (1-based update counts) of ``history``."""
        if not isinstance(history, LRHistory):
            raise ParameterError("history", "an LRHistory", type(history).__name__)
        th = self.theta(params)
        pred = self.evaluate(th, self.prepare(history, steps))
        if not np.all(np.isfinite(pred)):
            raise ParameterError("params", "values giving a finite prediction", self.params_dict(th))
        return pred

    @abc.abstractmethod
    def final_loss_and_grad(self, theta, eta: np.ndarray, warmup_area: float, eta0: float):
        """Final loss of a post-warmup rate sequence ``eta`` and its gradient w.r.t. ``eta``.

        Used by the schedule optimiser (O(T) per call).
        """

    def __repr__(self):
        hp = ", ".join(f"{k}={v!r}" for k, v in self.hyper().items())
        return f"{type(self).__name__}(warmup={self.warmup!r}{', ' + hp if hp else ''})"


def _lin_init(design: np.ndarray, y: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Least squares for the linearly entering parameters, clipped into their bounds."""
    from scipy.optimize import lsq_linear

    sol = lsq_linear(design, y, bounds=(lo, hi), method="bvls")
    return sol.x


# =====================================================================================
class TissueLaw(LossLaw):
    r"""The momentum law of Tissue et al.: ``L = L0 + A S1^-alpha - C S2``.

    Parameters
    ----------
    lam : float in [0, 1)
        Decay factor ``lambda`` of the annealing momentum (the paper uses 0.999).
    warmup : {"peak", "half", "actual", "exclude"}
        Warmup convention of the areas (default ``"peak"``, the paper's, Sec. 3.4).

    Examples
    --------
    Constant rate ``eta``: ``S2 = 0`` and ``L(t) = L0 + A (eta t)^-alpha``:

    >>> from numerics.laws._annealing import LRHistory
    >>> law = TissueLaw(lam=0.999)
    >>> h = LRHistory(np.full(100, 0.01), peak=0.01)
    >>> p = dict(L0=2.0, A=0.5, alpha=0.5, C=1.0)
    >>> float(law.predict(p, h, [100])[0])    # 2 + 0.5 * (0.01 * 100)^-0.5
    2.5

    References
    ----------
    Tissue, Wang & Wang, arXiv:2408.11029 v2, Eq. (1), (5), Sec. 3.4 (fitting: Huber on
    log loss, L-BFGS, multiple starts, ``lambda = 0.999``).
    """

    name: ClassVar[str] = "tissue"
    param_names: ClassVar[tuple] = ("L0", "A", "alpha", "C")
    shape_prior: ClassVar[dict] = {"alpha": 0.5}

    def __init__(self, lam: float = 0.999, warmup: str = "peak"):
        self.lam = check_real("lambda", lam, ge=0.0, lt=1.0)
        self.warmup = check_choice("warmup", warmup, WARMUP_CONVENTIONS)

    def hyper(self):
        return {"lambda": self.lam}

    def with_lambda(self, lam: float) -> "TissueLaw":
        return TissueLaw(lam, self.warmup)

    def bounds(self):
        return [(0.0, 50.0), (0.0, 1e3), (1e-4, 5.0), (-1e4, 1e4)]

    def prepare(self, history, steps):
        S1, S2 = annealing_areas(history, steps, lam=self.lam, warmup=self.warmup)
        if np.any(S1 <= 0):
            raise ParameterError("steps", "steps with a positive forward area S1", "S1 = 0 at the first step")
        return {"S1": S1, "S2": S2, "logS1": np.log(S1)}

    def evaluate(self, theta, cache, jac=False):
        L0, A, alpha, C = theta
        p = np.exp(-alpha * cache["logS1"])
        pred = L0 + A * p - C * cache["S2"]
        if not jac:
            return pred
        J = np.column_stack([np.ones_like(p), p, -A * p * cache["logS1"], -cache["S2"]])
        return pred, J

    def initial_grid(self, caches, losses):
        S1 = np.concatenate([c["S1"] for c in caches])
        S2 = np.concatenate([c["S2"] for c in caches])
        y = np.concatenate(losses)
        out = []
        for alpha in (0.1, 0.25, 0.4, 0.55, 0.7, 0.9, 1.2, 1.6):
            X = np.column_stack([np.ones_like(S1), S1 ** -alpha, -S2])
            L0, A, C = _lin_init(X, y, np.array([0.0, 0.0, -1e4]), np.array([float(y.min()), 1e3, 1e4]))
            out.append(np.array([L0, max(A, 1e-3), alpha, C]))
        return out

    def final_loss_and_grad(self, theta, eta, warmup_area, eta0):
        L0, A, alpha, C = theta
        T = eta.size
        S1 = warmup_area + eta.sum()
        w = (1.0 - self.lam ** (T - np.arange(1, T + 1) + 1.0)) / (1.0 - self.lam)
        delta = np.concatenate(([eta0], eta[:-1])) - eta
        S2 = float(np.sum(delta * w))  # (np.dot on long vectors is slow under BLAS thread contention)
        L = L0 + A * S1 ** -alpha - C * S2
        # d S2 / d eta_j = w_{j+1} - w_j  (eta_j enters delta_j with -1 and delta_{j+1} with +1)
        dS2 = np.concatenate((w[1:], [0.0])) - w
        g = -alpha * A * S1 ** (-alpha - 1.0) - C * dS2
        return L, g


# =====================================================================================
class MultiPowerLaw(LossLaw):
    r"""The multi-power law of Luo et al. (2025), evaluated without O(T^2) loops.

    ``L(t) = L0 + A (S1 + S_W)^-alpha - B sum_k (eta_{k-1} - eta_k) G(eta_k^-gamma S_k(t))``,
    ``G(x) = 1 - (C x + 1)^-beta``.

    Parameters
    ----------
    warmup : {"half", "peak", "actual", "exclude"}
        Warmup convention (default ``"half"``: paper Eq. 1, ``S_W = eta_max W / 2``,
        ``eta_0 = eta_max``; ``"actual"`` reproduces the released code, whose fitted ``L0``
        is not the paper's).
    bin_width : int >= 1 or None
        ``None`` (default): the exact sum by the treecode (:func:`numerics.laws._mpl_sum.tree_pairs`);
        ``1``: the exact sum pair by pair (the slow reference); ``>= 2``: the largest number of
        consecutive updates grouped into one reduction sub-bin (an approximation).

    Examples
    --------
    A single drop ``eta_A -> eta_B`` at update ``k``: ``LD(t) = B (eta_A - eta_B)
    [1 - (C eta_B^(1-gamma) (t - k + 1) + 1)^-beta]`` (paper Eq. 11, exact here):

    >>> from numerics.laws._annealing import LRHistory
    >>> h = LRHistory(np.r_[np.full(10, 1.0), np.full(10, 0.25)], peak=1.0)
    >>> law = MultiPowerLaw(warmup="exclude")
    >>> p = dict(L0=1.0, A=0.0, alpha=0.5, B=2.0, C=1.0, beta=1.0, gamma=0.5)
    >>> round(float(law.predict(p, h, [20])[0]), 12)   # 1 - 2*0.75*(1 - 1/(0.25**0.5 * 10 + 1))
    -0.25

    References
    ----------
    Luo et al., ICLR 2025 (arXiv:2503.12811), Eq. (1), (2), (11); App. D.2 (fitting).
    """

    name: ClassVar[str] = "mpl"
    param_names: ClassVar[tuple] = ("L0", "A", "alpha", "B", "C", "beta", "gamma")
    default_method: ClassVar[str] = "trf"
    default_starts: ClassVar[int] = 3
    screen_starts: ClassVar[bool] = True
    #: beta, gamma: the middle of (0, 1), the range to which Luo et al. (App. D.2) suggest
    #: constraining them against the collapse of fits to degenerate corners; C: 1, i.e. G
    #: half-saturates after O(1) in ``eta^-gamma S_k`` units. The degenerate corners seen on the
    #: real runs (beta -> 0 with B -> large; C -> 0 with gamma > 1) are far out in this prior.
    shape_prior: ClassVar[dict] = {"beta": 0.5, "gamma": 0.5, "C": 1.0}

    def __init__(self, warmup: str = "half", bin_width: int | None = None):
        self.warmup = check_choice("warmup", warmup, WARMUP_CONVENTIONS)
        self.bin_width = None if bin_width is None else check_int("bin_width", bin_width, ge=1)

    @property
    def summation(self) -> str:
        """How the loss-drop sum is done: ``"tree"`` (exact, default), ``"direct"`` (exact) or ``"binned"``."""
        return "tree" if self.bin_width is None else ("direct" if self.bin_width == 1 else "binned")

    def bounds(self):
        return [(0.0, 50.0), (0.0, 1e3), (1e-4, 5.0), (0.0, 1e6), (1e-6, 1e4), (1e-3, 5.0), (0.0, 2.0)]

    def prepare(self, history, steps):
        """The loss-drop terms at ``steps`` (treecode, direct or binned), memoised per run and steps.

        One fit, its predictions, its predictive intervals, the CV of the predictive mode and the
        figures prepare the same (history, steps) again and again (a treecode over every update
        each time); the prepared terms depend on nothing else than the key (the summation, the
        warmup convention, the rates, warmup length and peak of the history, the steps), so the
        most recent ones are kept (:data:`_PREPARED`, an LRU of :data:`_PREPARED_SIZE`). The
        entries are shared: their only mutable part is the evaluation's memo of loss drops, whose
        values are exactly the recomputed ones.
        """
        if not isinstance(history, LRHistory):
            raise ParameterError("history", "an LRHistory", type(history).__name__)
        st = np.asarray(steps)
        key = (self.warmup, self.bin_width, history.warmup, history.peak, history.eta.size,
               hashlib.sha256(history.eta.tobytes()).digest(), st.dtype.str, st.shape,
               hashlib.sha256(np.ascontiguousarray(st).tobytes()).digest())
        hit = _PREPARED.get(key)
        if hit is not None:
            _PREPARED.move_to_end(key)
            return hit
        c = self._prepare(history, steps)
        _PREPARED[key] = c
        while len(_PREPARED) > _PREPARED_SIZE:
            _PREPARED.popitem(last=False)
        return c

    def _prepare(self, history, steps):
        r, eta0, off, first = effective_rates(history, self.warmup)
        lo = history.warmup if self.warmup in ("half", "exclude") else 0
        s = _check_steps(steps, history.horizon, lo)
        idx = s - first                                  # number of effective updates at each step
        c1 = np.concatenate(([0.0], np.cumsum(r)))
        S1 = off + c1[idx]
        if np.any(S1 <= 0):
            raise ParameterError("steps", "steps with a positive forward area S1 + S_W", "S1 = 0")
        K = int(idx.max())
        delta = np.concatenate(([eta0], r[:-1]))[:K] - r[:K]     # delta[k-1] = eta_{k-1} - eta_k
        if self.bin_width in (None, 1):
            le = np.log(np.maximum(r[:K], 1e-12 * history.peak))
            if self.bin_width is None:
                ti, X, Df, lf = tree_pairs(idx, delta, c1, le)[:4]
            else:
                ti, X, Df, lf = direct_pairs(idx, delta, c1, le)
            return _term_cache({"S1": S1, "logS1": np.log(S1), "X": X, "ti": ti, "n": int(idx.size), "Df": Df,
                                "log_eta_f": lf, "n_bins": int(np.count_nonzero(delta)), "n_terms": int(ti.size)})
        # sub-bin boundaries: every logged index is a bin end, and bins are at most bin_width long
        ends = np.union1d(np.unique(idx[idx > 0]), np.arange(self.bin_width, K + 1, self.bin_width))
        ends = ends[ends >= 1]
        starts = np.concatenate(([1], ends[:-1] + 1))
        k = np.arange(1, K + 1, dtype=np.float64)
        ad = np.abs(delta)
        cabs = np.concatenate(([0.0], np.cumsum(ad)))
        cd = np.concatenate(([0.0], np.cumsum(delta)))
        ckd = np.concatenate(([0.0], np.cumsum(ad * k)))
        wsum = cabs[ends] - cabs[starts - 1]
        keep = wsum > 0
        starts, ends, wsum = starts[keep], ends[keep], wsum[keep]
        D = cd[ends] - cd[starts - 1]
        kbar = (ckd[ends] - ckd[starts - 1]) / wsum
        kk = np.arange(0, K + 1, dtype=np.float64)
        eta_bar = np.interp(kbar, k, r[:K])
        # S_k(t) = c1[t] - c1[k-1]; at the centroid interpolate c1 at kbar - 1
        c1_bar = np.interp(kbar - 1.0, kk, c1[: K + 1])
        # only the pairs (logged step i, sub-bin b) with the sub-bin ended by step i are stored
        ti, bi = np.nonzero(ends[None, :] <= idx[:, None])
        X = np.maximum(c1[idx][ti] - c1_bar[bi], 0.0)
        eta_bar = np.maximum(eta_bar, 1e-12 * history.peak)
        log_eta = np.log(eta_bar)
        return _term_cache({"S1": S1, "logS1": np.log(S1), "X": X, "ti": ti, "n": int(idx.size), "Df": D[bi],
                            "log_eta_f": log_eta[bi], "n_bins": int(D.size), "n_terms": int(ti.size)})

    def evaluate(self, theta, cache, jac=False):
        L0, A, alpha, B, C, beta, gamma = theta
        p = np.exp(-alpha * cache["logS1"])
        n, ti = cache["n"], cache["ti"]
        if cache["n_bins"] == 0 or ti.size == 0:
            pred = L0 + A * p
            if not jac:
                return pred
            z = np.zeros_like(p)
            return pred, np.column_stack([np.ones_like(p), p, -A * p * cache["logS1"], z, z, z, z])
        memo = cache.setdefault("_ld_memo", {})
        key = (float(C), float(beta), float(gamma))
        if not jac and key in memo:
            # LD depends on (C, beta, gamma) only: the multi-start grid evaluates each point twice
            # (once for its linear solve with B = 1, once for its objective with the solved L0, A, B)
            return L0 + A * p - B * memo[key]
        le = cache["log_eta_f"]
        # eta^-gamma on the distinct rates only (many terms share an update)
        x = np.exp(-gamma * cache["le_u"])[cache["le_inv"]]
        x *= cache["X"]                                           # eta_k^-gamma S_k(t)
        cx = np.multiply(x, C)
        logz = np.log1p(cx)
        w = np.multiply(logz, -beta)
        np.exp(w, out=w)                                          # (Cx+1)^-beta
        Df = cache["Df"]
        w *= Df
        seg = cache["seg"]
        LDs = cache["Dsum"] - seg(w)                              # sum_k D_k G
        pred = L0 + A * p - B * LDs
        if not jac:
            if len(memo) >= 256:
                memo.clear()
            memo[key] = LDs
            return pred
        cx += 1.0
        wxz = np.divide(w, cx, out=cx)
        wxz *= x                                                  # D (Cx+1)^(-beta-1) x
        logz *= w
        x = np.multiply(wxz, le, out=x)
        J = np.column_stack([
            np.ones_like(p), p, -A * p * cache["logS1"], -LDs,
            -B * beta * seg(wxz),                                                   # dG/dC
            -B * seg(logz),                                                         # dG/dbeta
            B * beta * C * seg(x),                                                  # dG/dgamma
        ])
        return pred, J

    def initial_grid(self, caches, losses):
        y = np.concatenate(losses)
        grid = []
        for alpha, beta, gamma, C in itertools.product((0.3, 0.5, 0.8), (0.4, 0.7, 1.0), (0.3, 0.6), (0.5, 2.0, 8.0)):
            cols = []
            for c in caches:
                th = np.array([0.0, 1.0, alpha, 1.0, C, beta, gamma])
                pred = self.evaluate(th, c)                 # = S1^-alpha - LD(B=1)
                p = np.exp(-alpha * c["logS1"])
                cols.append(np.column_stack([np.ones_like(p), p, p - pred]))
            X = np.vstack(cols)
            L0, A, B = _lin_init(X, y, np.array([0.0, 0.0, 0.0]), np.array([float(y.min()), 1e3, 1e6]))
            grid.append(np.array([L0, max(A, 1e-3), alpha, max(B, 1e-6), C, beta, gamma]))
        return grid

    def final_loss_and_grad(self, theta, eta, warmup_area, eta0):
        L0, A, alpha, B, C, beta, gamma = theta
        S1 = warmup_area + eta.sum()
        delta = np.concatenate(([eta0], eta[:-1])) - eta
        Sk = np.cumsum(eta[::-1])[::-1]                   # S_k(T) = sum_{tau=k}^{T} eta_tau
        e = np.maximum(eta, 1e-300)
        u = e ** -gamma
        x = u * Sk
        z = 1.0 + C * x
        zb = z ** -beta
        G = 1.0 - zb
        Gp = beta * C * zb / z                           # G'(x)
        LD = B * float(np.sum(delta * G))
        L = L0 + A * S1 ** -alpha - LD
        # dLD/deta_j = B[-G_j + G_{j+1} + delta_j G'_j x_j (-gamma/eta_j) + sum_{k<=j} delta_k G'_k u_k]
        dLD = -G + np.concatenate((G[1:], [0.0])) - delta * Gp * x * gamma / e + np.cumsum(delta * Gp * u)
        g = -alpha * A * S1 ** (-alpha - 1.0) - B * dLD
        return L, g


#: the most recently prepared multi-power-law term caches (:meth:`MultiPowerLaw.prepare`), keyed by
#: their full inputs; a few MB each for a 500-point curve of a 72000-update run
_PREPARED: "OrderedDict" = OrderedDict()
_PREPARED_SIZE = 24


class _SegmentSum:
    """Per-target sums of a term vector sorted by target (``np.add.reduceat``, 10x faster than
    ``np.bincount`` with weights); targets without terms get 0."""

    def __init__(self, ti: np.ndarray, n: int):
        self.n = n
        self.first = np.flatnonzero(np.r_[True, ti[1:] != ti[:-1]]) if ti.size else np.zeros(0, dtype=np.int64)
        self.tgt = ti[self.first] if ti.size else np.zeros(0, dtype=np.int64)

    def __call__(self, v):
        out = np.zeros(self.n)
        if self.first.size:
            out[self.tgt] = np.add.reduceat(v, self.first)
        return out


def _term_cache(c: dict) -> dict:
    """Sort the MPL terms by target and add what the evaluation reuses at every call."""
    order = np.argsort(c["ti"], kind="stable")
    for k in ("X", "ti", "Df", "log_eta_f"):
        c[k] = c[k][order]
    c["le_u"], c["le_inv"] = np.unique(c["log_eta_f"], return_inverse=True)
    c["le_inv"] = np.asarray(c["le_inv"]).ravel()
    c["seg"] = _SegmentSum(c["ti"], c["n"])
    c["Dsum"] = c["seg"](c["Df"])
    return c


LAWS = {TissueLaw.name: TissueLaw, MultiPowerLaw.name: MultiPowerLaw}


def make_law(law, **kwargs) -> LossLaw:
    """A law object from its name (``"tissue"``, ``"mpl"``) or an instance (returned as is).

    >>> make_law("tissue", lam=0.99)
    TissueLaw(warmup='peak', lambda=0.99)
    """
    if isinstance(law, LossLaw):
        return law
    check_choice("law", law, tuple(LAWS))
    kwargs = {k: v for k, v in kwargs.items() if v is not None}
    return LAWS[law](**kwargs)


def law_from_params(obj: dict):
    """Rebuild ``(law, theta)`` from a fit's JSON object (``law``, ``params``, ``warmup``, ...).

    >>> law, th = law_from_params({"law": "tissue", "params": {"L0": 2, "A": 1, "alpha": 0.5, "C": 0.1,
    ...                                                         "lambda": 0.99}})
    >>> law, th.tolist()
    (TissueLaw(warmup='peak', lambda=0.99), [2.0, 1.0, 0.5, 0.1])
    """
    if not isinstance(obj, dict) or "law" not in obj or not isinstance(obj.get("params"), dict):
        raise ParameterError("params file", "a JSON object with 'law' and 'params' (as written by sltk fit --json)",
                             type(obj).__name__ if not isinstance(obj, dict) else sorted(obj))
    name = obj["law"]
    check_choice("law", name, tuple(LAWS))
    p = obj["params"]
    kw = {}
    if obj.get("warmup") is not None:
        kw["warmup"] = obj["warmup"]
    if name == "tissue":
        kw["lam"] = p.get("lambda", 0.999)
    elif obj.get("bin_width") is not None:
        kw["bin_width"] = obj["bin_width"]
    law = make_law(name, **kw)
    return law, law.theta(p)
LOSS_LAWS = LAWS
