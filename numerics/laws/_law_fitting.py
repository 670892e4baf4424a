"""Fitting loss laws to loss curves, the way that avoids the known failures of such fits.

One entry point, :func:`fit_loss_law`, returning a :class:`LawFit`:

* objective: Huber loss (``delta = 1e-3``) of the **log** loss residuals, **summed** over all
  points of all curves (a mean makes the objective tiny and stops L-BFGS early; marin PR
  #749, Besiroglu et al. 2024);
* optimiser (``method=``): ``"hybrid"`` (L-BFGS-B then a TRF polish), ``"lbfgsb"`` (L-BFGS-B with box bounds and the analytic gradient,
  tight tolerances, parameters rescaled to O(1)) or ``"trf"`` (SciPy's trust-region
  reflective ``least_squares`` with ``loss="huber"``, ``f_scale = delta`` -- the same
  objective);
* multi-start: the law's grid of nonlinear parameters with the linear ones solved by least
  squares; the best ``n_starts`` of them are refined (for the multi-power law, whose
  evaluations are costly, each gets 40 iterations and the best two are refined to
  convergence -- successive halving); the fit is called converged
  when two starts reached the best objective (relative 1e-6) and one of them reported
  success -- or, with one start, when it reported success;
* ``lambda`` of the Tissue law fixed, or fitted by an outer bounded search over
  ``log10(1 - lambda)``;
* several curves fitted jointly with one parameter vector;
* bootstrap: block wild bootstrap of the log residuals of each curve -- every residual stays
  at its step and is multiplied by a Rademacher sign shared by its block of consecutive points
  (blocks keep the strong autocorrelation of training-loss noise; keeping residuals in place
  respects their non-stationarity: large early residuals are not moved into the annealing
  phase, which biased a moving-block resampling); refit from the best point; percentile
  intervals for the parameters and, via :meth:`LawFit.predict`, for predictions.

* modes (``mode=``): ``"mle"``, the objective above; ``"predictive"`` (the default of
  :func:`fit_and_predict` and ``sltk predict --fit``), the objective plus a log-normal prior
  on the law's shape parameters (:attr:`LossLaw.shape_prior`), its scale chosen by
  leave-one-schedule-out cross-validation on the fitting curves only. Designed here (not from
  the papers): the prior is a soft form of the constraint ``beta, gamma in (0, 1)`` that Luo
  et al. (App. D.2) suggest against degenerate fits. Measured on the real runs in
  ``benchmarks/bench_loss_law_prediction.py``;
* diagnostics in every result: parameters on a bound (``at_bound``, also in the message) and
  the local identifiability (``identifiability``: condition number and quadratic-profile
  width of each parameter; derived here from the Gauss-Newton curvature);
* predictive intervals (:meth:`LawFit.predict_interval`): the bootstrap draws' predictions
  combined with the residual scatter (leave-one-schedule-out residuals in the predictive
  mode: a cross-validation residual interval in the spirit of jackknife+/conformal
  prediction, Barber et al. 2021; its coverage on held-out runs is measured, not assumed).

Metrics (:func:`curve_metrics`): R^2, MAE, RMSE, mean relative error (PredE) and worst
relative error (WorstE), as defined in Luo et al. (2025), Sec. 4.

References
----------
H. Tissue, V. Wang, L. Wang, arXiv:2408.11029 v2, Sec. 3.4 and Eq. (6); K. Luo et al., ICLR
2025 (arXiv:2503.12811), App. D.2 and Table 1 (metrics); T. Besiroglu et al., "Chinchilla
Scaling: A replication attempt", arXiv:2404.10102 (Huber on log loss, L-BFGS-B, grid of
starts, bootstrap); R. Y. Liu, "Bootstrap procedures under some non-i.i.d. models", Ann. Statist.
16 (1988) (wild bootstrap); H. R. Kunsch, Ann. Statist. 17 (1989) (blocks for dependent data);
T. Hastie, R. Tibshirani, J. Friedman, "The Elements of Statistical Learning", 2nd ed. (2009),
Sec. 7.10 (cross-validation); R. F. Barber, E. J. Candes, A. Ramdas, R. J. Tibshirani,
"Predictive inference with the jackknife+", Ann. Statist. 49 (2021).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import least_squares, minimize, minimize_scalar

from theory import ParameterError
from theory.validate import check_choice, check_int, check_real

from ._loss_curve_data import LossCurve
from ._loss_laws import LossLaw, TissueLaw, make_law

__all__ = ["LawFit", "fit_loss_law", "bootstrap_fit", "fit_and_predict", "summarize_metrics", "curve_metrics", "huber_objective",
           "FIT_METHODS", "FIT_MODES", "PRIOR_GRID", "CV_SCHEMES", "TIME_FRACTION", "predictive_interval", "interval_coverage",
           "calibrate_interval", "extrapolation_distance", "INTERVAL_KINDS"]

FIT_METHODS = ("hybrid", "lbfgsb", "trf")


def curve_metrics(observed, predicted) -> dict:
    """R^2, MAE, RMSE, mean and worst relative error of a predicted curve.

    >>> m = curve_metrics([1.0, 2.0, 3.0], [1.0, 2.0, 3.3])
    >>> round(m["r2"], 6), round(m["mae"], 6), round(m["worst_rel"], 6)
    (0.955, 0.1, 0.1)
    """
    y = np.asarray(observed, dtype=np.float64)
    p = np.asarray(predicted, dtype=np.float64)
    if y.shape != p.shape or y.size < 2:
        raise ParameterError("observed/predicted", "arrays of equal shape with >= 2 points", (y.shape, p.shape))
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(p))):
        raise ParameterError("observed/predicted", "finite values", "a non-finite value")
    r = p - y
    sst = float(np.sum((y - y.mean()) ** 2))
    if not sst > 0:
        raise ParameterError("observed", "a non-constant curve (R^2 is undefined otherwise)", "constant values")
    rel = np.abs(r) / np.abs(y)
    return {
        "r2": 1.0 - float(np.sum(r**2)) / sst,
        "mae": float(np.mean(np.abs(r))),
        "rmse": float(np.sqrt(np.mean(r**2))),
        "mean_rel": float(np.mean(rel)),
        "worst_rel": float(np.max(rel)),
        "n": int(y.size),
    }


def _huber(r, delta):
    a = np.abs(r)
    quad = a <= delta
    val = np.where(quad, 0.5 * r * r, delta * (a - 0.5 * delta))
    dval = np.where(quad, r, delta * np.sign(r))
    return val, dval


class _Prior:
    """Gaussian prior on the logs of some parameters, as extra least-squares residuals.

    ``e_j = (delta / tau) (log theta_j - log mu_j)``: with the data term in its quadratic
    (Huber) regime ``sum r^2 / 2`` this is the negative log posterior times ``delta^2`` for
    log-residual noise of standard deviation ``delta`` and a prior of standard deviation
    ``tau`` on ``log theta_j``.
    """

    def __init__(self, law: LossLaw, center: dict, tau: float, delta: float):
        self.idx = np.array([law.param_names.index(k) for k in center], dtype=int)
        self.logmu = np.log(np.array(list(center.values()), dtype=np.float64))
        self.tau = float(tau)
        self.w = delta / self.tau
        self.center = dict(center)

    def residuals(self, theta, jac=False):
        t = np.maximum(np.asarray(theta, dtype=np.float64)[self.idx], 1e-4)
        e = self.w * (np.log(t) - self.logmu)
        if not jac:
            return e
        J = np.zeros((self.idx.size, np.size(theta)))
        J[np.arange(self.idx.size), self.idx] = self.w / t
        return e, J


class _Objective:
    """Summed Huber loss of log residuals over several prepared curves (with gradient),
    plus an optional :class:`_Prior` (``0.5 sum e^2``)."""

    def __init__(self, law: LossLaw, caches, losses, delta, prior: _Prior | None = None):
        self.law, self.caches, self.delta = law, caches, delta
        self.logy = [np.log(y) for y in losses]
        self.n = sum(y.size for y in losses)
        self.prior = prior
        self.jac_always = False

    def residuals(self, theta, jac=False):
        """Log residuals (and their Jacobian). The last evaluation with the Jacobian is kept:
        a trust-region step asks for the residuals and then the Jacobian at the same point."""
        key = np.asarray(theta, dtype=np.float64).tobytes()
        memo = getattr(self, "_memo", None)
        if memo is not None and memo[0] == key:
            return (memo[1], memo[2]) if jac else memo[1]
        if self.jac_always:
            jac_out = True
        else:
            jac_out = jac
        out = self._residuals(theta, jac_out)
        if jac_out:
            self._memo = (key, out[0], out[1])
            return out if jac else out[0]
        return out

    def _residuals(self, theta, jac=False):
        rs, Js = [], []
        for c, ly in zip(self.caches, self.logy):
            if jac:
                p, J = self.law.evaluate(theta, c, jac=True)
            else:
                p = self.law.evaluate(theta, c)
            bad = ~(p > 1e-12)
            pc = np.where(bad, 1e-12, p)
            rs.append(np.log(pc) - ly)
            if jac:
                Js.append(np.where(bad[:, None], 0.0, J / pc[:, None]))
        r = np.concatenate(rs)
        return (r, np.vstack(Js)) if jac else r

    def __call__(self, theta):
        r, J = self.residuals(theta, jac=True)
        val, dval = _huber(r, self.delta)
        v, g = float(np.sum(val)), J.T @ dval
        if self.prior is not None:
            e, Je = self.prior.residuals(theta, jac=True)
            v, g = v + 0.5 * float(e @ e), g + Je.T @ e
        return v, g

    def data_value(self, theta):
        val, _ = _huber(self.residuals(theta), self.delta)
        return float(np.sum(val))

    def value(self, theta):
        v = self.data_value(theta)
        if self.prior is not None:
            e = self.prior.residuals(theta)
            v += 0.5 * float(e @ e)
        return v

    def with_losses(self, losses):
        return _Objective(self.law, self.caches, losses, self.delta, self.prior)


def huber_objective(law, curves, params, delta: float = 1e-3) -> float:
    """The summed Huber loss of log residuals of ``law`` with ``params`` on ``curves``."""
    law = make_law(law)
    curves = _check_curves(curves)
    caches = [law.prepare(c.history, c.steps) for c in curves]
    return _Objective(law, caches, [c.loss for c in curves], check_real("delta", delta, gt=0)).value(law.theta(params))


@dataclass
class LawFit:
    """Result of :func:`fit_loss_law`.

    Attributes
    ----------
    law : LossLaw
        The fitted law (for the Tissue law, with the fitted/fixed ``lambda``).
    params : dict
        Named parameters (plus hyper-parameters such as ``lambda``).
    huber : float
        Summed Huber objective at the optimum.
    r2 : float
        R^2 over all fitted points pooled.
    converged : bool
        Two starts reached the best objective (relative 1e-6) and one of them reported
        success (one start: the optimiser's success flag).
    n_starts, n_agree : int
        Starts refined; starts within relative 1e-6 of the best objective.
    message : str
        Optimiser message of the best start plus the convergence verdict.
    per_curve : dict
        :func:`curve_metrics` of each fitted curve.
    ci : dict or None
        ``name -> (lo, hi)`` percentile bootstrap intervals (``level``).
    bootstrap_params : array or None
        Bootstrap parameter draws, shape ``(n_boot, p)``.
    """

    law: LossLaw
    theta: np.ndarray
    params: dict
    huber: float
    r2: float
    converged: bool
    n_starts: int
    n_agree: int
    message: str
    method: str
    per_curve: dict = field(default_factory=dict)
    starts: list = field(default_factory=list)
    ci: dict | None = None
    level: float = 0.95
    bootstrap_params: np.ndarray | None = None
    lambda_search: list | None = None
    seconds: float = 0.0
    mode: str = "mle"
    prior: dict | None = None
    cv: list | None = None
    at_bound: list = field(default_factory=list)
    identifiability: dict = field(default_factory=dict)
    residual_pool: np.ndarray | None = None
    residual_source: str = "in-sample"
    interval: dict | None = None
    timing: dict = field(default_factory=dict)
    #: the objective's Huber threshold, the iteration limit and the box bounds of the fit (what a
    #: later :func:`bootstrap_fit` refits with)
    huber_delta: float = 1e-3
    maxiter: int = 3000
    bounds: list | None = None

    @property
    def interval_kind(self) -> str:
        """``"cv+"`` (cross-validated, widening with extrapolation; the predictive mode) or
        ``"bootstrap"`` (bootstrap draws plus in-sample residuals; the mle mode)."""
        return "bootstrap" if self.interval is None else self.interval["kind"]

    def predict(self, history, steps, *, ci: bool = False):
        """Predicted loss; with ``ci=True`` also the bootstrap percentile band ``(lo, hi)``."""
        pred = self.law.predict(self.theta, history, steps)
        if not ci:
            return pred
        if self.bootstrap_params is None or len(self.bootstrap_params) < 2:
            raise ParameterError("ci", "a fit made with bootstrap >= 2", "no bootstrap draws")
        cache = self.law.prepare(history, steps)
        draws = np.array([self.law.evaluate(th, cache) for th in self.bootstrap_params])
        q = 100 * (1 - self.level) / 2
        return pred, np.percentile(draws, q, axis=0), np.percentile(draws, 100 - q, axis=0)

    def predict_interval(self, history, steps, *, level: float | None = None):
        """Pointwise predictive interval for the *observed* loss at ``steps``.

        Two kinds (:attr:`interval_kind`):

        * ``"cv+"`` (the predictive mode, the default of ``sltk predict --fit``): the held-out log
          residuals of the CV folds (each point predicted by a fit that did not see it: the
          left-out schedule, and with the time fold the second halves predicted from the first
          halves), normalised by the error scale ``s(e) = a + b e`` at their distance ``e`` past
          their fold's longest run (:func:`calibrate_interval`); a new point at distance ``e``
          from the longest fitted run gets ``log L_b +- s(e) z`` over all bootstrap draws ``b``
          (none: the point prediction) and pooled scores ``z``. The interval widens with
          extrapolation as far as the CV's errors did.
        * ``"bootstrap"`` (the mle mode): every bootstrap draw's prediction combined with every
          in-sample log residual (``log y = log L_b + r``): parameter noise and the scatter of
          logged losses about the fit, no model error.

        Returns ``(pred, lo, hi)`` at ``level`` (default the fit's ``level``). The coverage on
        held-out runs is measured in ``benchmarks/bench_loss_law_prediction.py``, not assumed;
        the calibration is checked on synthetic data in ``tests/numerics/laws/test_fitting.py``.
        """
        return predictive_interval(self.law, self.theta, self.bootstrap_params, self.residual_pool, history, steps,
                                   level=self.level if level is None else level, calibration=self.interval)

    def describe_mode(self) -> str:
        """One line saying which fit this is (maximum likelihood or predictive, with its prior)."""
        if self.mode == "mle":
            return "mode: mle (plain summed-Huber maximum likelihood, no prior)"
        tau = self.prior["tau"] if self.prior else None
        cen = ", ".join(f"{k}={v:g}" for k, v in (self.prior or {}).get("center", {}).items())
        how = (f"chosen by {(self.prior or {}).get('chosen_by', 'CV')} on the fitting curves" if self.cv
               else "given")
        if tau is None:
            return f"mode: predictive (prior scale {how}: none, i.e. the mle fit)"
        return f"mode: predictive (log-normal prior on {cen}, std tau = {tau:g} in log, {how})"

    def to_dict(self) -> dict:
        d = {
            "law": self.law.name, "warmup": self.law.warmup, "method": self.method, "mode": self.mode,
            "params": self.params,
            "huber": self.huber, "r2": self.r2, "converged": self.converged, "n_starts": self.n_starts,
            "n_agree": self.n_agree, "message": self.message, "per_curve": self.per_curve,
            "at_bound": self.at_bound, "identifiability": self.identifiability,
            "seconds": round(self.seconds, 3), "timing": {k: round(v, 3) for k, v in self.timing.items()},
        }
        if self.prior is not None:
            d["prior"] = self.prior
        if self.cv is not None:
            d["cv"] = self.cv
        if getattr(self.law, "summation", None) is not None:
            d["summation"] = self.law.summation      # "tree"/"direct": exact sum; "binned": bin_width
        if getattr(self.law, "bin_width", None) is not None:
            d["bin_width"] = self.law.bin_width
        if self.ci is not None:
            d["ci"] = {k: list(v) for k, v in self.ci.items()}
            d["ci_level"] = self.level
            d["n_bootstrap"] = int(len(self.bootstrap_params))
            d["bootstrap_params"] = np.asarray(self.bootstrap_params).tolist()
        if self.residual_pool is not None and (self.ci is not None or self.interval is not None):
            d["residual_pool"] = np.asarray(self.residual_pool).tolist()
            d["residual_source"] = self.residual_source
            d["interval_kind"] = self.interval_kind
            d["ci_level"] = self.level
            if self.interval is not None:
                d["interval"] = self.interval
        if self.lambda_search is not None:
            d["lambda_search"] = self.lambda_search
        return d


def extrapolation_distance(steps, horizon) -> np.ndarray:
    """How far a logged step lies past the longest fitted run: ``log(step / horizon)``, 0 inside.

    >>> extrapolation_distance([100, 200, 400], 200).round(4).tolist()
    [0.0, 0.0, 0.6931]
    """
    h = check_real("horizon", horizon, gt=0)
    return np.log(np.maximum(np.asarray(steps, dtype=np.float64) / h, 1.0))


INTERVAL_KINDS = ("cv+", "bootstrap")


def calibrate_interval(residuals, distances, horizon) -> tuple[np.ndarray, dict]:
    """Calibration of the cross-validated predictive interval from held-out CV residuals.

    ``residuals``: log residuals of held-out points (each predicted by a fit that did not see
    it); ``distances``: their :func:`extrapolation_distance` from the longest run of *their*
    fold's fit. The scale of the prediction error is modelled as ``s(e) = a + b e``: ``a`` the
    mean ``|r|`` of the points inside a fitted horizon (``e = 0``), ``b >= 0`` the least-squares
    slope of ``|r| - a`` on ``e`` through ``(0, a)`` over the points past it. Returns the
    normalised scores ``z = |r| / s(e)`` (the pool) and the calibration dict (``horizon`` is the
    longest fitted step of the final fit, from which new points' distances are measured).

    Linear in the *log* distance because a misestimated exponent makes the log-loss error grow
    like ``log(t / T)`` (``d log L / d alpha = -(A S^-alpha / L) log S``): derived here; the rest is
    the locally weighted split-conformal interval of Lei et al. (2018, Sec. 5.2) with the CV+
    residuals of Barber et al. (2021) in place of a split. Exchangeability, which the conformal
    guarantee needs, does not hold for points further out than any calibration point (``e``
    beyond ``max_distance``): there the width is the linear model extrapolated, not guaranteed.

    References
    ----------
    J. Lei, M. G'Sell, A. Rinaldo, R. J. Tibshirani, L. Wasserman, "Distribution-free predictive
    inference for regression", J. Am. Stat. Assoc. 113 (2018), Sec. 5.2; R. F. Barber et al.,
    Ann. Statist. 49 (2021), Sec. 3 (CV+).
    """
    r = np.abs(np.asarray(residuals, dtype=np.float64).ravel())
    e = np.asarray(distances, dtype=np.float64).ravel()
    if r.size != e.size or r.size < 2 or not (np.all(np.isfinite(r)) and np.all(e >= 0)):
        raise ParameterError("residuals/distances", "equal-length finite arrays (>= 2), distances >= 0",
                             (r.size, e.size))
    inside, out = e == 0, e > 0
    if inside.any():
        a = float(np.mean(r[inside]))
        b = float(max(0.0, np.sum(e[out] * (r[out] - a)) / np.sum(e[out] ** 2))) if out.any() else 0.0
    else:
        A = np.column_stack([np.ones_like(e), e])
        from scipy.optimize import nnls
        a, b = (float(v) for v in nnls(A, r)[0])
    a = max(a, 1e-12)
    z = r / (a + b * e)
    cal = {"kind": "cv+", "a": a, "b": b, "horizon": float(horizon), "n": int(r.size),
           "n_past_horizon": int(out.sum()), "max_distance": float(e.max()),
           "scale": "s(e) = a + b e, e = log(step / horizon) past the longest fitted run (0 inside)"}
    if not out.any():
        cal["note"] = "no held-out CV point lay past its fit's horizon: the width does not grow with extrapolation"
    return z, cal


def predictive_interval(law, theta, draws, residuals, history, steps, *, level: float = 0.95, calibration=None):
    """Pointwise predictive interval ``(pred, lo, hi)`` for observed losses at ``steps``.

    ``draws``: bootstrap parameter vectors (>= 2; ``None`` allowed with a ``calibration``: the
    CV residuals alone). Without ``calibration`` (the bootstrap kind), ``residuals`` are fitted
    log residuals of the fitting curves (``None``: parameter uncertainty only) and the interval
    is the quantiles at ``(1 -+ level)/2`` of ``log L(draw) + residual`` over all pairs. With a
    ``calibration`` from :func:`calibrate_interval` (the ``cv+`` kind), ``residuals`` are its
    normalised scores ``z`` and each pair contributes ``log L(draw) +- s(e) z`` with ``e`` the
    point's :func:`extrapolation_distance` from ``calibration["horizon"]``: the interval widens
    with extrapolation as the CV's held-out errors did. Used by :meth:`LawFit.predict_interval`
    and by ``sltk predict`` (from the draws and calibration stored in the fit JSON).
    """
    law = make_law(law)
    lev = check_real("level", level, gt=0, lt=1)
    pred = law.predict(theta, history, steps)
    if draws is None and calibration is not None:
        logd = np.log(np.maximum(pred, 1e-12))[None, :]
    else:
        draws = np.atleast_2d(np.asarray(draws, dtype=np.float64))
        if draws.shape[0] < 2 or draws.shape[1] != len(law.param_names):
            raise ParameterError("bootstrap", "a fit made with bootstrap >= 2", f"{draws.shape[0]} draws")
        cache = law.prepare(history, steps)
        logd = np.log(np.maximum([law.evaluate(th, cache) for th in draws], 1e-12))
    res = np.zeros(1) if residuals is None else np.asarray(residuals, dtype=np.float64).ravel()
    if calibration is not None:
        res = np.concatenate([res, -res])        # |r| scores: a symmetric interval
        s = calibration["a"] + calibration["b"] * extrapolation_distance(steps, calibration["horizon"])
    else:
        s = np.ones(pred.size)
    q = (1 - lev) / 2
    lo, hi = np.empty(pred.size), np.empty(pred.size)
    for i in range(pred.size):
        lo[i], hi[i] = np.quantile((logd[:, i][:, None] + s[i] * res[None, :]).ravel(), [q, 1 - q])
    return pred, np.exp(lo), np.exp(hi)


def interval_coverage(observed, lo, hi) -> float:
    """Fraction of observed points inside ``[lo, hi]``."""
    y = np.asarray(observed, dtype=np.float64)
    return float(np.mean((y >= np.asarray(lo)) & (y <= np.asarray(hi))))


def _check_curves(curves):
    if isinstance(curves, LossCurve):
        curves = [curves]
    curves = list(curves)
    if not curves or not all(isinstance(c, LossCurve) for c in curves):
        raise ParameterError("curves", "a non-empty list of LossCurve objects", curves)
    return curves


def _scale(theta, bounds):
    s = np.maximum(np.abs(theta), 1e-2)
    for i, (lo, hi) in enumerate(bounds):
        span = hi - lo
        s[i] = min(s[i], span) if np.isfinite(span) and span > 0 else s[i]
    return s


def _local_fit(obj: _Objective, theta0, bounds, method, maxiter):
    if method == "hybrid":
        th, _, _, msg1 = _local_fit(obj, theta0, bounds, "lbfgsb", min(maxiter, 300))
        th, val, ok, msg = _local_fit(obj, th, bounds, "trf", maxiter)
        return th, val, ok, f"L-BFGS-B: {msg1}; TRF polish: {msg}"
    lo = np.array([b[0] for b in bounds], dtype=float)
    hi = np.array([b[1] for b in bounds], dtype=float)
    th0 = np.clip(theta0, lo, hi)
    s = _scale(th0, bounds)
    if method == "lbfgsb":
        inv = 1.0 / obj.delta                      # O(1) objective per point: no early stop from scale

        def f(x):
            v, g = obj(x * s)
            return v * inv, g * s * inv

        res = minimize(f, th0 / s, jac=True, method="L-BFGS-B", bounds=list(zip(lo / s, hi / s)),
                       options={"maxiter": maxiter, "ftol": 1e-15, "gtol": 1e-10, "maxcor": 30})
        th = res.x * s
        ok = bool(res.success)
        msg = res.message if isinstance(res.message, str) else res.message.decode()
    else:
        prior = obj.prior
        loss = "huber"
        if prior is None:
            def fun(x):
                return obj.residuals(x * s)

            def jac(x):
                return obj.residuals(x * s, jac=True)[1] * s[None, :]
        else:
            n = obj.n

            def fun(x):
                return np.concatenate([obj.residuals(x * s), prior.residuals(x * s)])

            def jac(x):
                J = obj.residuals(x * s, jac=True)[1]
                Je = prior.residuals(x * s, jac=True)[1]
                return np.vstack([J, Je]) * s[None, :]

            def loss(z):
                # Huber on the n data residuals, plain squares on the prior residuals
                out = np.empty((3, z.size))
                out[0], out[1], out[2] = z, 1.0, 0.0
                d = z[:n]
                big = d > 1.0
                sq = np.sqrt(np.where(big, d, 1.0))
                out[0, :n] = np.where(big, 2.0 * sq - 1.0, d)
                out[1, :n] = np.where(big, 1.0 / sq, 1.0)
                out[2, :n] = np.where(big, -0.5 / (sq * np.where(big, d, 1.0)), 0.0)
                return out

        lo_s, hi_s = lo / s, hi / s
        x0 = np.clip(th0 / s, lo_s + 1e-12 * (hi_s - lo_s), hi_s - 1e-12 * (hi_s - lo_s))
        obj.jac_always = True     # most trust-region steps are accepted and then need the Jacobian
        try:
            res = least_squares(fun, x0, jac=jac, bounds=(lo_s, hi_s), loss=loss, f_scale=obj.delta,
                                method="trf", xtol=1e-9, ftol=1e-9, gtol=1e-9, max_nfev=maxiter)
        finally:
            obj.jac_always = False
        th = res.x * s
        ok = res.status > 0
        msg = res.message
    return th, obj.value(th), ok, msg


def _fit_fixed(law, curves, method, n_starts, delta, bounds, maxiter, extra_starts=(), prior=None, caches=None,
               use_grid=True):
    caches = [law.prepare(c.history, c.steps) for c in curves] if caches is None else caches
    losses = [c.loss for c in curves]
    obj = _Objective(law, caches, losses, delta, prior)
    grid = list(extra_starts) + (list(law.initial_grid(caches, losses)) if use_grid or not extra_starts else [])
    vals = np.array([obj.value(th) for th in grid])
    order = np.argsort(vals)[:n_starts]
    if len(order) > 2 and law.screen_starts:
        # successive halving: every start gets a short budget, the best two run to convergence
        short = [_local_fit(obj, grid[i], bounds, method, 40) for i in order]
        keep = np.argsort([r[1] for r in short])[:2]
        results = [r for j, r in enumerate(short) if j not in keep]
        results = [(th, v, False, "screened out after 40 iterations") for th, v, _, _ in results]
        results += [_local_fit(obj, short[j][0], bounds, method, maxiter) for j in keep]
    else:
        results = [_local_fit(obj, grid[i], bounds, method, maxiter) for i in order]
    best = min(range(len(results)), key=lambda i: results[i][1])
    th, val, ok, msg = results[best]
    close = [r for r in results if abs(r[1] - val) <= 1e-6 * max(abs(val), 1e-300) + 1e-14]
    agree = len(close)
    # converged: two starts reach the best objective and at least one of them reports success
    # (L-BFGS-B may end 'ABNORMAL' in its line search exactly at an optimum the others confirm)
    converged = bool(ok) if len(results) == 1 else bool(agree >= 2 and any(r[2] for r in close))
    if converged and not ok:
        msg = f"{msg} (at an optimum confirmed by a successful start)"
    starts = [{"huber": float(r[1]), "success": bool(r[2])} for r in results]
    return th, val, converged, agree, msg, starts, obj


FIT_MODES = ("mle", "predictive")
#: prior scales tau (std of the log-normal prior on the shape parameters) tried by the CV of
#: the predictive mode; inf = no prior (the mle fit)
PRIOR_GRID = (np.inf, 2.0, 1.0, 0.5, 0.25, 0.125, 0.0625)


def _identifiability(obj: _Objective, theta, bounds, names) -> tuple[list, dict]:
    """Bound hits and the local identifiability of each parameter (quadratic profile).

    Gauss-Newton curvature ``H = J^T J`` of the log residuals (plus the prior's), in relative
    coordinates ``theta_i (1 + u_i)`` (absolute ones for parameters within 1e-2 of zero);
    ``rel_width_i = sqrt(s^2 (H^-1)_ii)``, ``s^2`` the residual variance: the half-width of the
    quadratic approximation of the profile likelihood's 1-sigma interval, relative to the
    value. It assumes independent residuals, so it is a *lower* bound on the real width for
    autocorrelated training-loss noise. ``flat`` lists parameters with ``rel_width > 0.5``
    or at a bound; ``condition`` is the condition number of the relative-coordinate curvature.
    """
    th = np.asarray(theta, dtype=np.float64)
    at = []
    for n, v, (lo, hi) in zip(names, th, bounds):
        span = hi - lo
        # within 1e-9 of the span plus 1e-7 of the bound itself (a wide box such as C in
        # [1e-6, 1e4] must not flag C = 0.007 as being on its lower bound)
        base = 1e-9 * span if np.isfinite(span) else 0.0
        if v - lo <= base + 1e-7 * abs(lo) + 1e-12:
            at.append({"param": n, "bound": "lower", "value": float(lo)})
        elif hi - v <= base + 1e-7 * abs(hi) + 1e-12:
            at.append({"param": n, "bound": "upper", "value": float(hi)})
    r, J = obj.residuals(th, jac=True)
    D = np.where(np.abs(th) > 1e-2, np.abs(th), 1.0)
    Js = J * D[None, :]
    H = Js.T @ Js
    if obj.prior is not None:
        _, Je = obj.prior.residuals(th, jac=True)
        Jes = Je * D[None, :]
        H = H + Jes.T @ Jes / max(obj.delta, 1e-300) ** 2 * float(np.mean(r ** 2))
    dof = max(r.size - th.size, 1)
    s2 = float(r @ r) / dof
    ev = np.linalg.eigvalsh(H)
    cond = float(ev[-1] / ev[0]) if ev[0] > 0 else float("inf")
    try:
        cov = np.linalg.inv(H) * s2
        width = np.sqrt(np.maximum(np.diag(cov), 0.0))
    except np.linalg.LinAlgError:
        width = np.full(th.size, np.inf)
    rel = {n: float(w) for n, w in zip(names, width)}
    flat = sorted({n for n, w in rel.items() if not w <= 0.5} | {a["param"] for a in at}, key=list(names).index)
    corr = []
    if np.all(np.isfinite(width)) and np.all(width > 0):
        R = cov / np.outer(width, width)
        for i in range(th.size):
            for j in range(i + 1, th.size):
                if abs(R[i, j]) > 0.995:
                    corr.append({"params": [names[i], names[j]], "corr": float(R[i, j])})
    return at, {"condition": cond, "rel_width": rel, "flat": flat, "correlated": corr,
                "note": "quadratic profile, independent-residual approximation (a lower bound on the width); "
                        "correlated: pairs with |correlation| > 0.995 (a ridge: only a combination is determined)"}


def _log_resid(law, theta, cache, y):
    return np.log(y) - np.log(np.maximum(law.evaluate(theta, cache), 1e-12))


CV_SCHEMES = ("schedule", "schedule+time")
#: forward-chaining fold of ``cv="schedule+time"``: fit every curve's first TIME_FRACTION of its
#: horizon, score its remaining points (an extrapolation in time by 1 / TIME_FRACTION = 2x)
TIME_FRACTION = 0.5


def _choose_prior_scale(law, curves, method, n_starts, delta, bounds, maxiter, grid, cv="schedule", caches=None):
    """Cross-validation of the prior scale on the fitting curves only.

    Folds (``cv="schedule"``): leave-one-schedule-out -- for every curve ``i`` the law is
    fitted on the other curves and scored by the RMSE of the log residuals of curve ``i``.
    ``cv="schedule+time"`` adds one forward-chaining fold that tests extrapolation in *time*:
    every curve is fitted on its points with ``step <= TIME_FRACTION * horizon`` and scored on
    its later points (one fold, weighted like a schedule fold). In each fold the law is fitted
    with each ``tau`` of ``grid``, from the strongest prior to the weakest: the first ``tau`` by
    the full multi-start, every further one by continuation (one start: the previous ``tau``'s
    optimum; the prior changes little between neighbouring grid points, so the optimum moves
    little -- a stated cost rule, not a search). The ``tau`` with the smallest mean fold score
    wins; the held-out residuals of all folds at that ``tau`` are returned (the interval's pool).
    """
    grid = tuple(sorted(grid))
    check_choice("cv", cv, CV_SCHEMES)
    if len(curves) < 2:
        raise ParameterError("curves", "at least 2 fitting curves for the leave-one-schedule-out CV of "
                             "mode='predictive' (or give prior_scale, or use mode='mle')", len(curves))
    caches = [law.prepare(c.history, c.steps) for c in curves] if caches is None else caches
    center = law.shape_prior
    folds = []          # (name, train curves, train caches, [(held cache, held loss, held steps)])
    for i, held in enumerate(curves):
        folds.append((held.name, [c for j, c in enumerate(curves) if j != i],
                      [caches[j] for j in range(len(curves)) if j != i], [(caches[i], held.loss, held.steps)]))
    if cv == "schedule+time":
        tr, trc, ho = [], [], []
        for c in curves:
            cut = TIME_FRACTION * c.history.horizon
            early, late = c.steps <= cut, c.steps > cut
            if early.sum() < 3 or late.sum() < 1:
                raise ParameterError("curves", f"curves with >= 3 logged points before and >= 1 after "
                                     f"{TIME_FRACTION:g} of their horizon (cv='schedule+time')", c.name)
            ce, cl = c.subset(early), c.subset(late)
            tr.append(ce)
            trc.append(law.prepare(ce.history, ce.steps))
            ho.append((law.prepare(cl.history, cl.steps), cl.loss, cl.steps))
        folds.append((f"time (first {TIME_FRACTION:g} of each horizon -> rest)", tr, trc, ho))
    scores = np.zeros((len(grid), len(folds)))
    held_res = [[None] * len(folds) for _ in grid]
    # extrapolation distance of every held-out point from its fold's longest fitted run
    held_dist = [np.concatenate([extrapolation_distance(hs, max(float(c.steps.max()) for c in tr))
                                 for _, _, hs in ho]) for _, tr, _, ho in folds]
    for i, (_, tr, trc, ho) in enumerate(folds):
        prev = None
        for g, tau in enumerate(grid):
            prior = None if not np.isfinite(tau) else _Prior(law, center, tau, delta)
            extra = [] if prev is None else [prev]
            ns = n_starts if prev is None else 1
            th = _fit_fixed(law, tr, method, ns, delta, bounds, maxiter, extra, prior, trc, use_grid=prev is None)[0]
            prev = th
            held_res[g][i] = np.concatenate([_log_resid(law, th, hc, hy) for hc, hy, _ in ho])
            scores[g, i] = float(np.sqrt(np.mean(held_res[g][i] ** 2)))
    mean = scores.mean(axis=1)
    best = int(np.argmin(mean))
    table = [{"tau": (None if not np.isfinite(t) else float(t)), "mean_rmse_log": float(m),
              "per_curve": {f[0]: float(v) for f, v in zip(folds, row)}}
             for t, m, row in zip(grid, mean, scores)]
    return float(grid[best]), table, np.concatenate(held_res[best]), np.concatenate(held_dist)


def fit_loss_law(curves, law="tissue", method: str | None = None, *, lam: float | None = 0.999,
                 fit_lambda: bool = False, warmup: str | None = None, bin_width: int | None = None,
                 n_starts: int | None = None, huber_delta: float = 1e-3, bounds=None, bootstrap: int = 0,
                 level: float = 0.95, block: int | None = None, seed: int = 0, maxiter: int = 3000,
                 mode: str = "mle", prior_scale: float | None = None, prior_grid=None,
                 cv: str = "schedule+time") -> LawFit:
    """Fit a loss law jointly to one or more curves.

    Parameters
    ----------
    curves : LossCurve or list of LossCurve
        The runs to fit (one parameter vector for all).
    law : {"tissue", "mpl"} or LossLaw
        The law; a name builds it with ``lam``, ``warmup``, ``bin_width``.
    method : {"hybrid", "lbfgsb", "trf"}
        Local optimiser (all minimise the same summed Huber objective): ``"lbfgsb"``
        L-BFGS-B with bounds; ``"trf"`` trust-region reflective least squares with the Huber
        loss; ``"hybrid"`` L-BFGS-B (at most 300 iterations) polished by TRF. Default: the
        law's ``default_method`` (``"lbfgsb"`` for the Tissue law, ``"trf"`` for the
        multi-power law, where L-BFGS-B alone stalls in flat valleys and is slower).
    lam : float, optional
        ``lambda`` of the Tissue law (fixed unless ``fit_lambda``).
    fit_lambda : bool
        Fit ``lambda`` of the Tissue law by an outer bounded search on ``log10(1 - lambda)``
        in ``[-4, -1]`` (grid of 7 then Brent's bounded method).
    n_starts : int, optional
        Number of grid starts refined by the local optimiser (default: the law's
        ``default_starts``, 4 for the Tissue law, 3 for the multi-power law).
    huber_delta : float
        Huber threshold on log-loss residuals (1e-3 as in all three papers).
    bounds : list of (lo, hi), optional
        Box bounds (default: the law's).
    bootstrap : int
        Number of block-wild-bootstrap refits (0 = none).
    level : float
        Confidence level of the percentile intervals.
    block : int, optional
        Block length in logged points (default ``ceil(n^(1/3))`` per curve).
    seed : int
        Seed of the bootstrap resampling.
    mode : {"mle", "predictive"}
        ``"mle"``: the summed Huber objective alone. ``"predictive"``: plus a log-normal prior
        of standard deviation ``tau`` (in log) on the law's shape parameters
        (:attr:`LossLaw.shape_prior`: beta and gamma of the multi-power law, centred at 0.5;
        alpha of the Tissue law), with ``tau`` chosen by leave-one-schedule-out
        cross-validation on ``curves`` only (needs >= 2 curves; the held-out runs one wants to
        predict never enter). The result says which mode it is (``mode``, ``prior``, ``cv``).
    prior_scale : float, optional
        ``tau`` of the predictive mode, skipping the CV (``inf`` = no prior).
    prior_grid : sequence of float, optional
        The ``tau`` values the CV tries (default :data:`PRIOR_GRID`).
    cv : {"schedule", "schedule+time"}
        Folds of the predictive mode's CV: leave-one-schedule-out (default), or that plus one
        forward-chaining fold in time (fit the first :data:`TIME_FRACTION` of every curve,
        score the rest), which tests extrapolation to longer horizons.

    Returns
    -------
    LawFit

    Examples
    --------
    Noise-free data from known parameters are recovered:

    >>> from numerics.laws._annealing import LRHistory
    >>> from numerics.laws._loss_curve_data import LossCurve
    >>> from theory import Cosine, Constant
    >>> from numerics.laws._annealing import lr_history
    >>> law = TissueLaw(0.99)
    >>> true = dict(L0=2.0, A=0.6, alpha=0.5, C=0.4)
    >>> cs = []
    >>> for sch in (Constant(), Cosine(floor=0.1)):
    ...     h = lr_history(sch, 2000, peak=1e-3); st = np.arange(20, 2001, 20)
    ...     cs.append(LossCurve(sch.name, st, law.predict(true, h, st), h))
    >>> fit = fit_loss_law(cs, law)
    >>> fit.converged, {k: round(v, 4) for k, v in fit.params.items()}
    (True, {'L0': 2.0, 'A': 0.6, 'alpha': 0.5, 'C': 0.4, 'lambda': 0.99})

    References
    ----------
    Tissue et al. (2024) Sec. 3.4; Luo et al. (2025) App. D.2; Besiroglu et al. (2024).
    """
    t0, c0 = time.perf_counter(), time.process_time()
    curves = _check_curves(curves)
    delta = check_real("huber_delta", huber_delta, gt=0)
    bootstrap = check_int("bootstrap", bootstrap, ge=0)
    level = check_real("level", level, gt=0, lt=1)
    maxiter = check_int("maxiter", maxiter, ge=10)
    if isinstance(law, str):
        kw = {"warmup": warmup}
        if law == "tissue":
            kw["lam"] = 0.999 if lam is None else lam
        elif law == "mpl":
            kw["bin_width"] = bin_width
        law = make_law(law, **kw)
    elif not isinstance(law, LossLaw):
        raise ParameterError("law", "'tissue', 'mpl' or a LossLaw", law)
    method = law.default_method if method is None else check_choice("method", method, FIT_METHODS)
    n_starts = check_int("n_starts", law.default_starts if n_starts is None else n_starts, ge=1)
    if fit_lambda and not isinstance(law, TissueLaw):
        raise ParameterError("fit_lambda", "only for the tissue law", law.name)
    bnds = list(bounds) if bounds is not None else law.bounds()
    if len(bnds) != len(law.param_names) or any(not lo < hi for lo, hi in bnds):
        raise ParameterError("bounds", f"{len(law.param_names)} pairs lo < hi", bnds)
    mode = check_choice("mode", mode, FIT_MODES)
    cv = check_choice("cv", cv, CV_SCHEMES)
    prior, cv_table, prior_info, loso_res = None, None, None, None
    caches = None      # the prepared curves, shared by the CV and the final fit
    t_cv = c_cv = 0.0
    if mode == "predictive":
        if fit_lambda:
            raise ParameterError("fit_lambda", "False with mode='predictive'", True)
        grid = tuple(PRIOR_GRID if prior_grid is None else prior_grid)
        if not grid or any(not (t > 0) for t in grid):
            raise ParameterError("prior_grid", "a non-empty list of prior scales > 0 (inf allowed)", grid)
        if prior_scale is None:
            caches = [law.prepare(c.history, c.steps) for c in curves]
            prior_scale, cv_table, loso_res, loso_dist = _choose_prior_scale(law, curves, method, n_starts, delta,
                                                                             bnds, maxiter, grid, cv, caches)
        else:
            try:
                prior_scale = float(prior_scale)
            except (TypeError, ValueError):
                raise ParameterError("prior_scale", "a number > 0 (inf = no prior)", prior_scale) from None
            if not prior_scale > 0:
                raise ParameterError("prior_scale", "> 0 (inf = no prior)", prior_scale)
        t_cv, c_cv = time.perf_counter() - t0, time.process_time() - c0
        if np.isfinite(prior_scale):
            prior = _Prior(law, law.shape_prior, prior_scale, delta)
        prior_info = {"center": dict(law.shape_prior), "tau": float(prior_scale) if np.isfinite(prior_scale) else None,
                      "on": "log of the parameters", "chosen_by": ("loo-schedule CV" if cv == "schedule" else "loo-schedule + time-tail CV")
                      if cv_table else "given"}
    elif prior_scale is not None or prior_grid is not None:
        raise ParameterError("prior_scale", "only with mode='predictive'", prior_scale)

    search = None
    if fit_lambda:
        cache_fits = {}

        def inner(x):
            key = round(float(x), 10)
            if key not in cache_fits:
                lw = law.with_lambda(1.0 - 10.0**x)
                extra = [cache_fits[k][0] for k in sorted(cache_fits, key=lambda k: cache_fits[k][1])[:1]]
                cache_fits[key] = _fit_fixed(lw, curves, method, max(2, n_starts // 2), delta, bnds, maxiter, extra)
            return cache_fits[key][1]

        xs = np.linspace(-4.0, -1.0, 7)
        vals = [inner(x) for x in xs]
        i = int(np.argmin(vals))
        lo_x, hi_x = xs[max(i - 1, 0)], xs[min(i + 1, len(xs) - 1)]
        res = minimize_scalar(inner, bounds=(lo_x, hi_x), method="bounded", options={"xatol": 1e-3})
        best_x = min(cache_fits, key=lambda k: cache_fits[k][1])
        law = law.with_lambda(1.0 - 10.0**best_x)
        search = [{"lambda": 1.0 - 10.0**k, "huber": float(cache_fits[k][1])} for k in sorted(cache_fits)]
        th, val, conv, agree, msg, starts, obj = _fit_fixed(law, curves, method, n_starts, delta, bnds, maxiter,
                                                           [cache_fits[best_x][0]])
        conv = bool(conv and res.success)
    else:
        th, val, conv, agree, msg, starts, obj = _fit_fixed(law, curves, method, n_starts, delta, bnds, maxiter,
                                                           prior=prior, caches=caches)
    val = obj.data_value(th)
    at_bound, ident = _identifiability(obj, th, bnds, law.param_names)
    if at_bound:
        msg = msg + "; AT A BOUND: " + ", ".join(f"{a['param']} at its {a['bound']} bound {a['value']:g}"
                                                  for a in at_bound)

    per_curve, ys, ps = {}, [], []
    for c, cache in zip(curves, obj.caches):
        p = law.evaluate(th, cache)
        per_curve[c.name] = curve_metrics(c.loss, p)
        ys.append(c.loss)
        ps.append(p)
    pooled = curve_metrics(np.concatenate(ys), np.concatenate(ps))
    verdict = "converged" if conv else ("NOT converged: " + ("the optimiser reported failure" if agree >= 2 or len(starts) == 1
                                                             else "no second start reached the best objective"))
    fit = LawFit(law=law, theta=th, params=law.params_dict(th), huber=val, r2=pooled["r2"], converged=conv,
                 n_starts=len(starts), n_agree=agree, message=f"{msg}; {verdict}", method=method,
                 per_curve=per_curve, starts=starts, level=level, lambda_search=search, mode=mode,
                 prior=prior_info, cv=cv_table, at_bound=at_bound, identifiability=ident)
    if loso_res is not None:
        # the error of predicting a *new schedule* (or a longer run): log residuals of each
        # held-out CV point (at the chosen prior scale), scaled by its extrapolation distance
        horizon = max(float(c.steps.max()) for c in curves)
        fit.residual_pool, fit.interval = calibrate_interval(loso_res, loso_dist, horizon)
        fit.residual_source = "leave-one-schedule-out" + ("" if cv == "schedule" else " + time-tail")
    else:
        fit.residual_pool = np.concatenate([np.log(y) - np.log(p) for y, p in zip(ys, ps)])
        fit.residual_source = "in-sample"
    fit.huber_delta, fit.maxiter, fit.bounds = delta, maxiter, bnds
    t_b, c_b = time.perf_counter(), time.process_time()
    if bootstrap:
        _bootstrap(fit, curves, obj, bnds, bootstrap, block, seed, maxiter)
    fit.seconds = time.perf_counter() - t0
    # wall seconds, and CPU seconds of this process (user + sys) for loaded machines
    fit.timing = {"cv": t_cv, "fit": t_b - t0 - t_cv, "bootstrap": time.perf_counter() - t_b,
                  "cpu_cv": c_cv, "cpu_fit": c_b - c0 - c_cv, "cpu_bootstrap": time.process_time() - c_b}
    return fit


def _bootstrap(fit: LawFit, curves, obj: _Objective, bnds, n_boot, block, seed, maxiter):
    rng = np.random.default_rng(seed)
    law = fit.law
    fitted_log = [np.log(law.evaluate(fit.theta, c)) for c in obj.caches]
    resid = [ly - fl for ly, fl in zip(obj.logy, fitted_log)]
    draws = []
    for _ in range(n_boot):
        new_logy = []
        for fl, r in zip(fitted_log, resid):
            n = r.size
            b = block or max(1, int(np.ceil(n ** (1 / 3))))
            nb = int(np.ceil(n / b))
            signs = np.repeat(rng.choice([-1.0, 1.0], size=nb), b)[:n]   # one Rademacher sign per block
            new_logy.append(fl + r * signs)
        o = obj.with_losses([np.exp(v) for v in new_logy])
        th, _, _, _ = _local_fit(o, fit.theta, bnds, fit.method, maxiter)
        draws.append(th)
    draws = np.array(draws)
    q = 100 * (1 - fit.level) / 2
    fit.bootstrap_params = draws
    fit.ci = {n: (float(np.percentile(draws[:, i], q)), float(np.percentile(draws[:, i], 100 - q)))
              for i, n in enumerate(law.param_names)}


def bootstrap_fit(fit: LawFit, curves, bootstrap: int, *, block: int | None = None, seed: int = 0) -> LawFit:
    """The block wild bootstrap of a finished fit, without fitting it again.

    ``fit_loss_law(curves, ..., bootstrap=n, seed=s)`` is ``bootstrap_fit(fit_loss_law(curves, ...), curves,
    n, seed=s)``: the same refits from the same optimum with the same objective (the fit's Huber
    threshold, bounds, iteration limit and, in the predictive mode, its prior), so the same draws and
    intervals. For a caller that already has the plain fit (the report's tables and its bootstrap
    table share the 400M momentum-law fit). ``curves`` must be the curves ``fit`` was made on.
    Returns a copy of ``fit`` with ``ci`` and ``bootstrap_params`` set.
    """
    import copy

    curves = _check_curves(curves)
    bootstrap = check_int("bootstrap", bootstrap, ge=1)
    if [c.name for c in curves] != list(fit.per_curve):
        raise ParameterError("curves", "the curves the fit was made on: " + ", ".join(fit.per_curve),
                             [c.name for c in curves])
    law, delta = fit.law, fit.huber_delta
    prior = None
    if fit.prior is not None and fit.prior.get("tau") is not None:
        prior = _Prior(law, fit.prior["center"], fit.prior["tau"], delta)
    obj = _Objective(law, [law.prepare(c.history, c.steps) for c in curves], [c.loss for c in curves], delta, prior)
    out = copy.copy(fit)
    t_b, c_b = time.perf_counter(), time.process_time()
    _bootstrap(out, curves, obj, fit.bounds, bootstrap, block, seed, fit.maxiter)
    out.timing = dict(fit.timing, bootstrap=time.perf_counter() - t_b, cpu_bootstrap=time.process_time() - c_b)
    out.seconds = fit.seconds + out.timing["bootstrap"]
    return out


def fit_and_predict(fit_curves, test_curves, law="tissue", mode: str = "predictive", **fit_kwargs):
    """Fit ``law`` on ``fit_curves`` and evaluate it on ``test_curves``.

    The fit is in ``mode="predictive"`` by default (the prior scale chosen by
    leave-one-schedule-out CV on ``fit_curves`` only), ``mode="mle"`` for the plain fit.
    Returns ``(fit, metrics)`` with ``metrics[name] = curve_metrics(...)`` for every curve of
    both lists (fitted ones included, flagged by ``fit.per_curve``); with a bootstrap or a
    cross-validated (``cv+``) interval, each test curve's metrics also hold ``coverage``, the
    fraction of its points inside the predictive interval (:meth:`LawFit.predict_interval`).
    """
    fit_curves = _check_curves(fit_curves)
    test_curves = _check_curves(test_curves) if test_curves else []
    fit = fit_loss_law(fit_curves, law, mode=mode, **fit_kwargs)
    metrics = {}
    for c in list(fit_curves) + list(test_curves):
        metrics[c.name] = curve_metrics(c.loss, fit.predict(c.history, c.steps))
        if ((fit.bootstrap_params is not None and len(fit.bootstrap_params) >= 2) or fit.interval is not None) \
                and any(c is t for t in test_curves):
            _, lo, hi = fit.predict_interval(c.history, c.steps)
            metrics[c.name]["coverage"] = interval_coverage(c.loss, lo, hi)
    return fit, metrics


def summarize_metrics(metrics: dict, names) -> dict:
    """Mean of each metric over the curves ``names`` (as in Luo et al. 2025, Table 1)."""
    sel = [metrics[n] for n in names]
    if not sel:
        raise ParameterError("names", "at least one curve name present in metrics", list(names))
    return {k: float(np.mean([m[k] for m in sel])) for k in ("r2", "mae", "rmse", "mean_rel", "worst_rel")}
