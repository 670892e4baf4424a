"""Learning-rate histories and the annealing areas S1 (forward area) and S2 (annealing area).

A *learning-rate history* is the full list of rates ``eta_1..eta_T`` actually used by the
updates ``1..T`` of a run (1-based: ``eta[s-1]`` is the rate of update ``s``; the loss logged
at step ``s`` is the loss after ``s`` updates), together with the number ``W`` of linear
warmup steps at its start and the peak rate ``eta_max`` reached at the end of warmup.

The two loss laws of this package read the history through the areas

* ``S1(t) = S_W + sum_{s=W'+1}^{t} eta_s`` (forward area), and
* ``S2(t) = sum_{i<=t} m_i``, ``m_i = lambda m_{i-1} + (eta_{i-1} - eta_i)`` (annealing area),
  equivalently ``S2(t) = sum_k (eta_{k-1} - eta_k) (1 - lambda^(t-k+1)) / (1 - lambda)``,

and the papers differ in how the warmup enters (``W'`` and ``S_W``). The convention is an
explicit, switchable argument ``warmup=`` everywhere:

``"peak"`` (Tissue et al. 2024, Sec. 3.4, the default of the Tissue law)
    warmup steps are counted **at the peak rate** in S1 (``S_W = W eta_max``) and contribute
    nothing to S2 (the first reduction is ``eta_max - eta_{W+1}``).
``"half"`` (Luo et al. 2025, Eq. 1, the default of the multi-power law)
    ``S_W = eta_max W / 2`` (the exact area of a linear 0 -> eta_max ramp); reductions start
    after warmup with ``eta_0 := eta_max``.
``"actual"`` (the released multi-power-law code)
    S1 is the plain cumulative sum of the actual rates including the ramp, and the warmup
    *increases* enter S2 (and the MPL loss-drop term) as negative reductions, with
    ``eta_0 := 0`` (the rate before training).
``"exclude"``
    the warmup is ignored: ``S_W = 0``; reductions start after warmup with ``eta_0 := eta_max``.

For a history without warmup (``W = 0``) ``eta_0 := eta_max``, the peak of the schedule; for
schedules that start at their peak (constant, WSD, two-stage) this is Tissue's ``m_1 = 0``.
Areas are defined for ``t >= W`` (all conventions) -- the laws do not model the warmup.

S2 is computed in O(T) by the one-pole recursion (``scipy.signal.lfilter``), never by a
double sum.

References
----------
H. Tissue, V. Wang, L. Wang, "Scaling Law with Learning Rate Annealing", arXiv:2408.11029
v2, Eq. (1) and (5), Sec. 3.4 (warmup convention). K. Luo et al., "A Multi-Power Law for
Loss Curve Prediction Across Learning Rate Schedules", ICLR 2025 (arXiv:2503.12811), Eq. (1)
(``S_W``) and App. A (the closed form of S2).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from theory import ParameterError
from theory.validate import check_choice, check_int, check_real, check_table

__all__ = [
    "WARMUP_CONVENTIONS",
    "LRHistory",
    "lr_history",
    "lr_history_from_table",
    "annealing_areas",
    "effective_rates",
]

WARMUP_CONVENTIONS = ("peak", "half", "actual", "exclude")


@dataclass(frozen=True)
class LRHistory:
    """The rates of every update of a run, with its warmup length and peak.

    Parameters
    ----------
    eta : array of float, shape (T,)
        ``eta[s-1]`` is the learning rate of update ``s``; finite and ``>= 0``.
    warmup : int
        Number of linear-warmup steps at the start (``0 <= warmup <= T``).
    peak : float
        The peak rate ``eta_max`` (the rate at the end of warmup); ``> 0``.

    Examples
    --------
    >>> h = LRHistory(np.array([1.0, 2.0, 2.0, 1.0]), warmup=2, peak=2.0)
    >>> h.horizon
    4
    """

    eta: np.ndarray
    warmup: int = 0
    peak: float = 0.0

    def __post_init__(self):
        eta = np.asarray(self.eta, dtype=np.float64)
        if eta.ndim != 1 or eta.size < 1:
            raise ParameterError("eta", "a non-empty 1-d array of learning rates", eta.shape)
        if not np.all(np.isfinite(eta)) or np.any(eta < 0):
            raise ParameterError("eta", "finite learning rates >= 0", "a negative or non-finite rate")
        w = check_int("warmup", self.warmup, ge=0, le=eta.size)
        peak = float(self.peak) if self.peak else float(np.max(eta))
        peak = check_real("peak", peak, gt=0)
        eta.setflags(write=False)
        object.__setattr__(self, "eta", eta)
        object.__setattr__(self, "warmup", w)
        object.__setattr__(self, "peak", peak)

    @property
    def horizon(self) -> int:
        """Number of updates ``T``."""
        return int(self.eta.size)

    def rate_at(self, steps) -> np.ndarray:
        """Rates of the updates ``steps`` (1-based)."""
        s = _check_steps(steps, self.horizon, 1)
        return self.eta[s - 1]


def _check_steps(steps, horizon: int, lo: int) -> np.ndarray:
    s = np.asarray(steps)
    if s.ndim != 1 or s.size == 0:
        raise ParameterError("steps", "a non-empty 1-d array of integer steps", s.shape)
    if not np.all(np.isfinite(s)) or np.any(s != np.round(s)):
        raise ParameterError("steps", "integer steps", "a non-integer value")
    s = s.astype(np.int64)
    if s.min() < lo or s.max() > horizon:
        bad = int(s.min()) if s.min() < lo else int(s.max())
        raise ParameterError("steps", f"{lo} <= step <= horizon = {horizon}", bad)
    return s


def lr_history(schedule, horizon: int, peak: float = 1.0, warmup_steps: int | None = None) -> LRHistory:
    """The history of a :mod:`theory` schedule object over ``horizon`` updates.

    Update ``s`` (1-based) uses ``peak * schedule(s - 1, horizon)`` (the schedule objects are
    0-based). ``warmup_steps`` defaults to ``round(schedule.warmup * horizon)`` when the
    schedule has a ``warmup`` field, else 0.

    >>> from theory import WSD
    >>> h = lr_history(WSD(decay=0.5, shape="linear"), 4, peak=2.0)
    >>> h.eta, h.warmup, h.peak
    (array([2., 2., 1., 0.]), 0, 2.0)
    """
    from theory import Schedule

    if not isinstance(schedule, Schedule):
        raise ParameterError("schedule", "a theory.Schedule object", type(schedule).__name__)
    n = check_int("horizon", horizon, ge=1)
    pk = check_real("peak", peak, gt=0)
    if warmup_steps is None:
        warmup_steps = int(round(getattr(schedule, "warmup", 0.0) * n))
    eta = schedule.lr(np.arange(n), n, pk)
    return LRHistory(eta, warmup=check_int("warmup_steps", warmup_steps, ge=0, le=n), peak=pk)


def lr_history_from_table(steps, lr, *, warmup_steps: int = 0, peak: float | None = None,
                          interpolation: str = "linear") -> LRHistory:
    """Rebuild the per-update history from a logged ``(step, lr)`` table.

    Updates ``1..W`` get the linear warmup ``eta_s = peak * s / W`` (the runs of Luo et al.
    2025 warm up over ``W = 2160`` steps that are *not* in their files); updates
    ``W+1..max(step)`` are interpolated from the table (``"linear"``, or ``"previous"`` for
    piecewise-constant logs), held constant outside the logged range.

    >>> h = lr_history_from_table([2, 4], [1.0, 0.5], warmup_steps=2)
    >>> h.eta
    array([0.5 , 1.  , 0.75, 0.5 ])
    """
    st, v = check_table(steps, lr, values_name="lr")
    check_choice("interpolation", interpolation, ("linear", "previous"))
    w = check_int("warmup_steps", warmup_steps, ge=0)
    T = int(st[-1])
    if T < max(w, 1):
        raise ParameterError("steps", f"last step >= warmup_steps = {w}", T)
    pk = check_real("peak", float(np.max(v)) if peak is None else peak, gt=0)
    s = np.arange(1, T + 1, dtype=np.float64)
    if interpolation == "linear":
        eta = np.interp(s, st, v)
    else:
        idx = np.clip(np.searchsorted(st, s, side="right") - 1, 0, st.size - 1)
        eta = v[idx]
    if w:
        eta[:w] = pk * s[:w] / w
    return LRHistory(eta, warmup=w, peak=pk)


def effective_rates(history: LRHistory, warmup: str) -> tuple[np.ndarray, float, float, int]:
    """The rates a law sees under a warmup convention.

    Returns ``(rates, eta0, offset, first)``: ``rates`` are the rates of updates
    ``first+1..T`` entering the sums, ``eta0`` the rate before the first of them,
    ``offset = S_W`` the warmup area added to S1.

    >>> h = LRHistory(np.array([1.0, 2.0, 2.0, 1.0]), warmup=2, peak=2.0)
    >>> effective_rates(h, "half")
    (array([2., 1.]), 2.0, 2.0, 2)
    >>> effective_rates(h, "peak")
    (array([2., 2., 2., 1.]), 2.0, 0.0, 0)
    """
    check_choice("warmup", warmup, WARMUP_CONVENTIONS)
    if not isinstance(history, LRHistory):
        raise ParameterError("history", "an LRHistory", type(history).__name__)
    W, eta, pk = history.warmup, history.eta, history.peak
    if warmup == "peak":
        r = eta.copy()
        r[:W] = pk
        return r, pk, 0.0, 0
    if warmup == "actual":
        return eta.copy(), (0.0 if W > 0 else pk), 0.0, 0
    off = 0.5 * pk * W if warmup == "half" else 0.0
    return eta[W:].copy(), pk, off, W


def annealing_areas(history: LRHistory, steps=None, *, lam: float = 0.999, warmup: str = "peak"):
    """Forward area ``S1`` and annealing area ``S2`` at the given steps, in O(T).

    Parameters
    ----------
    history : LRHistory
        The rates of every update.
    steps : array of int, optional
        Steps ``t`` (1-based, ``warmup <= t <= T``) at which to return the areas; default
        every step ``W..T``. At ``t = W`` (end of warmup) the sums are empty.
    lam : float in [0, 1)
        Decay factor of the annealing momentum (Tissue et al. use 0.999).
    warmup : {"peak", "half", "actual", "exclude"}
        Warmup convention (see the module docstring).

    Returns
    -------
    S1, S2 : arrays of float, same shape as ``steps``

    Examples
    --------
    Constant rate: ``S1 = eta t`` and ``S2 = 0``; one drop by ``d`` at step ``k`` gives
    ``S2(t) = d (1 - lam^(t-k+1)) / (1 - lam)``:

    >>> h = LRHistory(np.array([1.0, 1.0, 0.5, 0.5]), peak=1.0)
    >>> S1, S2 = annealing_areas(h, [1, 2, 3, 4], lam=0.5)
    >>> S1, S2
    (array([1. , 2. , 2.5, 3. ]), array([0.  , 0.  , 0.5 , 0.75]))

    References
    ----------
    Tissue et al. (2024), arXiv:2408.11029, Eq. (1), (5); Luo et al. (2025), App. A.
    """
    lam = check_real("lam", lam, ge=0.0, lt=1.0)
    r, eta0, off, first = effective_rates(history, warmup)
    T = history.horizon
    lo = history.warmup if warmup in ("half", "exclude") else 0
    s = np.arange(max(lo, 1), T + 1) if steps is None else _check_steps(steps, T, lo)
    # cumulative sums over the effective rates; index i <-> update first+i
    c1 = np.concatenate(([0.0], np.cumsum(r)))
    prev = np.concatenate(([eta0], r[:-1]))
    delta = prev - r
    from scipy.signal import lfilter  # imported here: scipy.signal costs ~0.5 s of every sltk start

    m = lfilter([1.0], [1.0, -lam], delta)
    c2 = np.concatenate(([0.0], np.cumsum(m)))
    idx = s - first
    return off + c1[idx], c2[idx]
