"""The bridge to theory: fit the empirical loss laws to exact PLRF risk curves.

The solvable model (power-law random features, one-pass SGD, Paquette et al. 2024) gives
*exact* expected risk curves under any learning-rate schedule: here
:func:`numerics.plrf.risk_curve` with ``method="recursion"`` (the exact per-mode second-moment
recursion ``c_i(r+1) = q_i c_i(r) + g_i P(r)`` of ``theory.SGD.mode_update``, on the exact
spectrum of one sampled ``W``). Those curves are fitted with the two empirical laws exactly
like the LLM runs (fit on some schedules, predict the others), which answers two questions:

1. how well do the laws describe and predict curves of a model whose dynamics is known;
2. which theory exponent does the fitted ``alpha`` (of ``S1^-alpha``) pick up.

The law's time variable is matched to the theory's: the history is built with the peak
rate ``gamma B`` (batch-sum convention), so ``S1 = sum_k gamma B phi_k``, the intrinsic time
``T = gamma B r`` of the theory at constant rate. Theory exponents (of ``T``) are read from
the derived terms of :func:`theory.plrf.risk_terms` at the problem's ``(alpha, beta)``:
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

from theory import Constant, Cosine, ParameterError, Schedule, TwoStage, WSD
from theory.linreg import LinearRegressionProblem
from theory.plrf import PLRF, risk_terms
from theory.validate import check_int, check_real

from ._annealing import lr_history
from ._law_fitting import curve_metrics, fit_loss_law
from ._loss_curve_data import LossCurve

__all__ = ["THEORY_SCHEDULES", "theory_loss_curves", "theory_exponents", "law_theory_bridge", "BridgeResult"]

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


def theory_loss_curves(problem, optimizer, horizon: int, schedules=None, *, n_points: int = 200,
                       start: float = 0.05, spectrum="exact", seed: int = 0) -> list:
    """Exact expected risk curves of ``optimizer`` on ``problem`` as :class:`LossCurve` objects.

    ``problem`` is a :class:`theory.plrf.PLRF` (the optimizer's exact PLRF solver, on the exact
    spectrum of one sampled ``W`` by default) or a :class:`theory.linreg.LinearRegressionProblem`
    (the exact discrete-step recursion of the optimizer's high-dimensional equations, time ``k/d``).
    Risk recorded at ``n_points`` evenly spaced steps from ``start * horizon`` to ``horizon`` (like a
    training log); the history's rate per step is what the optimizer's rules call its law rate
    (SGD: ``gamma B``, so ``S1`` is the theory's time ``T = gamma B r``; signSGD: ``gamma``, a
    distance budget, since its step is not a gradient step).

    Examples
    --------
    >>> from theory import SignSGD
    >>> from theory.linreg import LinearRegressionProblem
    >>> p = LinearRegressionProblem.power_law(1.0, 0.7, 64)
    >>> cs = theory_loss_curves(p, SignSGD(lr=0.5 / 64), 2000, {"constant": Constant()}, n_points=5)
    >>> cs[0].steps.size, int(cs[0].steps[-1]), bool(cs[0].loss[-1] < cs[0].loss[0])
    (5, 2000, True)
    """
    N = check_int("horizon", horizon, ge=10)
    n_points = check_int("n_points", n_points, ge=5)
    start = check_real("start", start, gt=0, lt=1)
    schedules = dict(THEORY_SCHEDULES if schedules is None else schedules)
    for name, sch in schedules.items():
        if not isinstance(sch, Schedule):
            raise ParameterError(f"schedules[{name!r}]", "a theory.Schedule", type(sch).__name__)
    if isinstance(problem, PLRF):
        return _plrf_curves(problem, optimizer, N, schedules, n_points, start, spectrum, seed)
    if isinstance(problem, LinearRegressionProblem):
        return _linreg_curves(problem, optimizer, N, schedules, n_points, start)
    raise ParameterError("problem", "a theory.plrf.PLRF or a theory.linreg.LinearRegressionProblem",
                         type(problem).__name__)


def _plrf_curves(problem, optimizer, N, schedules, n_points, start, spectrum, seed):
    from .. import plrf

    rules = plrf.RULES[optimizer]
    rec = np.unique(np.linspace(max(1, int(start * N)), N, n_points).astype(np.int64))
    rate = rules.law_rate(optimizer)
    # the spectrum once for all schedules (one SVD of the sampled W instead of one per schedule; the
    # same Spectrum object, so the same curves)
    spectrum = plrf.spectrum_of(problem, spectrum, seed=seed)
    out = []
    for name, sch in schedules.items():
        rc = plrf.risk_curve(problem, optimizer, sch, steps=N, spectrum=spectrum, seed=seed, method=rules.exact_method,
                             record=rec)
        if rc.status != "ok":
            raise ParameterError("optimizer.lr", f"a stable learning rate (< {rc.lr_max:.4g})", rc.message)
        steps = np.asarray(rc.steps)
        keep = np.isin(steps, rec)
        out.append(LossCurve(name, steps[keep], np.asarray(rc.risk)[keep], lr_history(sch, N, peak=rate)))
    return out


def _linreg_curves(problem, optimizer, N, schedules, n_points, start):
    from .. import linreg

    d = problem.d
    rate = linreg.RULES[optimizer].law_rate(optimizer)
    out = []
    for name, sch in schedules.items():
        c = linreg.risk_curve(problem, optimizer, N / d, schedule=sch, n_eval=n_points * 4, method="recursion")
        k = np.round(c.t * d).astype(np.int64)
        keep = (k >= max(1, int(start * N))) & (k <= N)
        k, risk = k[keep], np.asarray(c.population_risk)[keep]
        k, idx = np.unique(k, return_index=True)
        sel = np.unique(np.linspace(0, k.size - 1, n_points).astype(int))
        out.append(LossCurve(name, k[sel], risk[idx][sel], lr_history(sch, N, peak=rate)))
    return out


def theory_exponents(problem: PLRF, optimizer="sgd") -> dict:
    """Exponents (of ``T = gamma B r``) of the optimizer's derived PLRF risk terms at ``(alpha, beta)``
    (optimizers whose terms are power laws in ``T``, e.g. SGD).

    Returns ``{"F_pp": s, "F_ac": ..., "noise": ..., "fsl_beta": 1 - 1/(2 alpha)}`` for the
    terms whose region contains the point (decay exponents, positive = decaying).

    >>> e = theory_exponents(PLRF(0.8, 0.6, 800, 200))
    >>> round(e["F_pp"], 6), round(e["F_ac"], 6), round(e["noise"], 6)
    (1.125, 0.375, 1.375)
    """
    import sympy as sp

    out = {}
    terms = risk_terms(optimizer)
    if not all(hasattr(t, "t_power") for t in terms):
        raise ParameterError("optimizer", "an optimizer whose PLRF risk terms are power laws in T = gamma B r",
                             getattr(optimizer, "name", optimizer))
    for t in terms:
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

    problem: object
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


def law_theory_bridge(problem, optimizer, horizon: int, *, laws=("tissue", "mpl"), fit_split=FIT_SPLIT,
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
    exps = theory_exponents(problem, optimizer) if isinstance(problem, PLRF) else {}
    return BridgeResult(problem, optimizer, int(horizon), fits, metrics, exps, curves)
