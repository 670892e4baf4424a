"""The bridge to theory: fit the empirical loss laws to exact PLRF risk curves.

The solvable model (power-law random features, one-pass SGD, Paquette et al. 2024) gives
*exact* expected risk curves under any learning-rate schedule: here
:func:`numerics.risk_curve` with ``method="recursion"`` (the exact per-mode second-moment
recursion ``c_i(r+1) = q_i c_i(r) + g_i P(r)`` of ``theory.SGD.mode_update``, on the exact
spectrum of one sampled ``W``). Those curves are fitted with the two empirical laws exactly
like the LLM runs (fit on some schedules, predict the others), which answers two questions:

1. how well do the laws describe and predict curves of a model whose dynamics is known;
2. which theory exponent does the fitted ``alpha`` (of ``S1^-alpha``) pick up.

The law's time variable is matched to the theory's: the history is built with the peak
rate ``gamma B`` (batch-sum convention), so ``S1 = sum_k gamma B phi_k``, the intrinsic time
``T = gamma B r`` of the theory at constant rate. Theory exponents (of ``T``) are read from
the derived terms of :func:`theory.plrf_sgd_terms` at the problem's ``(alpha, beta)``:
``F_pp`` (signal), ``F_ac`` (embedding, ``1/d``), ``noise`` (SGD noise); the multi-power law's
``beta`` (saturation of the loss drop) is compared with the functional-scaling-law value
``1 - 1/(2 alpha)`` (kernel exponent ``2 - 1/b`` with spectrum exponent ``b = 2 alpha``).

References
----------
E. Paquette, C. Paquette, L. Xiao, J. Pennington, "4+3 Phases of Compute-Optimal Neural
Scaling Laws", NeurIPS 2024 (arXiv:2405.15074), Table 1; B. Li et al., "Functional Scaling
Laws in Kernel Regression", NeurIPS 2025 (arXiv:2509.19189), Thm 4.2, App. A.1;
Tissue et al. (2024); Luo et al. (2025).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from theory import PLRF, SGD, Constant, Cosine, ParameterError, Schedule, TwoStage, WSD
from theory.validate import check_int, check_real

from ._annealing import lr_history
from ._law_fitting import curve_metrics, fit_loss_law
from ._loss_curve_data import LossCurve

__all__ = ["THEORY_SCHEDULES", "theory_loss_curves", "signsgd_loss_curves", "theory_exponents", "law_theory_bridge",
           "BridgeResult"]

#: Schedules of the bridge experiment (fractions of the horizon), mirroring the LLM runs.
THEORY_SCHEDULES = {
    "constant": Constant(),
    "cosine": Cosine(floor=0.1),
    "two-stage": TwoStage(switch=0.5, second=0.3),
    "wsd-linear": WSD(decay=0.2, shape="linear", floor=0.1),
    "wsd-cosine": WSD(decay=0.4, shape="cosine", floor=0.0),
    "two-stage-0.1": TwoStage(switch=0.5, second=0.1),
}
FIT_SPLIT = ("constant", "cosine", "two-stage")


def theory_loss_curves(problem: PLRF, optimizer, horizon: int, schedules=None, *, n_points: int = 200,
                       start: float = 0.05, spectrum="exact", seed: int = 0) -> list:
    """Exact expected risk curves of ``optimizer`` on ``problem`` as :class:`LossCurve` objects.

    Risk recorded at ``n_points`` evenly spaced steps from ``start * horizon`` to
    ``horizon`` (like a training log); the history's peak rate is ``gamma B``.
    Optimizers other than SGD go through whatever solver :func:`numerics.risk_curve` has
    registered for them (a :class:`theory.ParameterError` says when there is none).
    """
    from .._risk_curve import risk_curve

    if not isinstance(problem, PLRF):
        raise ParameterError("problem", "a theory.PLRF", type(problem).__name__)
    N = check_int("horizon", horizon, ge=10)
    n_points = check_int("n_points", n_points, ge=5)
    start = check_real("start", start, gt=0, lt=1)
    schedules = dict(THEORY_SCHEDULES if schedules is None else schedules)
    rec = np.unique(np.linspace(max(1, int(start * N)), N, n_points).astype(np.int64))
    lr_eff = optimizer.lr_sum * optimizer.batch if isinstance(optimizer, SGD) else optimizer.lr
    out = []
    for name, sch in schedules.items():
        if not isinstance(sch, Schedule):
            raise ParameterError(f"schedules[{name!r}]", "a theory.Schedule", type(sch).__name__)
        opts = {"method": "recursion", "record": rec} if isinstance(optimizer, SGD) else {}
        rc = risk_curve(problem, optimizer, sch, steps=N, spectrum=spectrum, seed=seed, **opts)
        if rc.status != "ok":
            raise ParameterError("optimizer.lr", f"a stable learning rate (< {rc.lr_max:.4g})", rc.message)
        steps = np.asarray(rc.steps)
        keep = np.isin(steps, rec) if steps.size != rec.size else np.ones(steps.size, bool)
        out.append(LossCurve(name, steps[keep], np.asarray(rc.risk)[keep], lr_history(sch, N, peak=lr_eff)))
    return out


def signsgd_loss_curves(alpha: float, beta: float, d: int, lr: float, horizon: int, schedules=None, *,
                        n_points: int = 200, start: float = 0.05, noise_std: float = 0.0) -> list:
    """Expected risk curves of one-pass signSGD on power-law Gaussian linear regression.

    ``x ~ N(0, diag(j^(-2 alpha)))``, ``theta*_j = j^(-beta)``, ``j = 1..d`` (the PLRF data model
    without the random-feature embedding, ``v = d``), Gaussian label noise of standard deviation
    ``noise_std`` (the loss is the population risk ``R + noise_std^2``), step ``lr/d`` times the
    schedule, computed by the exact discrete-step mode recursion of
    :func:`numerics.signsgd_risk_ode` (``method="recursion"``; Xiao et al. 2024). The history's
    rates are the per-step rates ``lr/d * phi_k`` (the signSGD step is not a gradient step, so S1
    is "distance budget", not intrinsic time).
    """
    from .._noise_laws import GaussianNoise, NoNoise
    from .._signsgd_highdim import LinearRegressionProblem, signsgd_risk_ode

    a = check_real("alpha", alpha, gt=0)
    b = check_real("beta", beta)
    d = check_int("d", d, ge=2)
    lr = check_real("lr", lr, gt=0)
    N = check_int("horizon", horizon, ge=10)
    n_points = check_int("n_points", n_points, ge=5)
    start = check_real("start", start, gt=0, lt=1)
    j = np.arange(1, d + 1, dtype=np.float64)
    sd = check_real("noise_std", noise_std, ge=0)
    prob = LinearRegressionProblem(j ** (-2 * a), j ** (-b), GaussianNoise(sd) if sd > 0 else NoNoise())
    T = N / d
    out = []
    for name, sch in dict(THEORY_SCHEDULES if schedules is None else schedules).items():
        c = signsgd_risk_ode(prob, lr, T, schedule=sch, n_eval=n_points * 4, method="recursion")
        k = np.round(c.t * d).astype(np.int64)
        keep = (k >= max(1, int(start * N))) & (k <= N)
        k, risk = k[keep], np.asarray(c.population_risk)[keep]
        k, idx = np.unique(k, return_index=True)
        sel = np.unique(np.linspace(0, k.size - 1, n_points).astype(int))
        out.append(LossCurve(name, k[sel], risk[idx][sel], lr_history(sch, N, peak=lr / d)))
    return out


def theory_exponents(problem: PLRF) -> dict:
    """Exponents (of ``T = gamma B r``) of the derived PLRF risk terms at ``(alpha, beta)``.

    Returns ``{"F_pp": s, "F_ac": ..., "noise": ..., "fsl_beta": 1 - 1/(2 alpha)}`` for the
    terms whose region contains the point (decay exponents, positive = decaying).

    >>> e = theory_exponents(PLRF(0.8, 0.6, 800, 200))
    >>> round(e["F_pp"], 6), round(e["F_ac"], 6), round(e["noise"], 6)
    (1.125, 0.375, 1.375)
    """
    import sympy as sp

    from theory import plrf_sgd_terms

    out = {}
    for t in plrf_sgd_terms():
        syms = {s.name: s for s in t.region.free_symbols | t.t_power.free_symbols}
        sub = {syms[k]: sp.nsimplify(v) for k, v in (("alpha", problem.alpha), ("beta", problem.beta)) if k in syms}
        if t.name in out or not bool(t.region.subs(sub)):
            continue
        tp = float(t.t_power.subs(sub))
        if tp < 0:
            out[t.name] = -tp
    out["fsl_beta"] = 1.0 - 1.0 / (2.0 * problem.alpha)
    return out


@dataclass
class BridgeResult:
    """Fits of both laws to theory curves: per-law fit, per-schedule metrics, exponents."""

    problem: PLRF
    optimizer: object
    horizon: int
    fits: dict
    metrics: dict
    exponents: dict
    curves: list = field(repr=False, default_factory=list)

    def rows(self) -> list:
        """Table rows ``law, schedule, role, R2, MAE, RMSE, mean rel, worst rel``."""
        out = []
        for law, per in self.metrics.items():
            for name, m in per.items():
                out.append([law, name, "fit" if name in FIT_SPLIT else "predict", m["r2"], m["mae"], m["rmse"],
                            m["mean_rel"], m["worst_rel"]])
        return out


def law_theory_bridge(problem: PLRF, optimizer, horizon: int, *, laws=("tissue", "mpl"), fit_split=FIT_SPLIT,
                      n_points: int = 150, n_starts: int = 4, lam: float = 0.999, fit_lambda: bool = False,
                      spectrum="exact", seed: int = 0, curves=None) -> BridgeResult:
    """Fit each law on the ``fit_split`` theory curves and predict all of them.

    ``laws`` may contain ``"tissue"``, ``"mpl"`` and ``"tissue-fit-lambda"`` (the momentum law
    with ``lambda`` fitted by the outer search instead of fixed at ``lam``).

    Returns a :class:`BridgeResult` with the fits, the metrics of every curve under every
    law, and :func:`theory_exponents` beside the fitted exponents.
    """
    curves = curves or theory_loss_curves(problem, optimizer, horizon, n_points=n_points, spectrum=spectrum, seed=seed)
    fit_set = [c for c in curves if c.name in fit_split]
    if not fit_set:
        raise ParameterError("fit_split", "names of some theory curves: " + ", ".join(c.name for c in curves), fit_split)
    fits, metrics = {}, {}
    for law in laws:
        if law == "tissue-fit-lambda":       # the momentum law with lambda fitted by the outer search
            fit = fit_loss_law(fit_set, "tissue", fit_lambda=True, n_starts=n_starts)
        else:
            fit = fit_loss_law(fit_set, law, lam=lam, fit_lambda=fit_lambda and law == "tissue", n_starts=n_starts)
        fits[law] = fit
        metrics[law] = {c.name: curve_metrics(c.loss, fit.predict(c.history, c.steps)) for c in curves}
    return BridgeResult(problem, optimizer, int(horizon), fits, metrics, theory_exponents(problem), curves)
