"""The measured compute-optimal frontier of the DMFT model (``C = N t``, online ``P = inf``): loss
curves on a grid of widths, the lower envelope over widths at each budget, and its local slopes
beside the symbolic exponents of :func:`theory.dmft.compute_optimal`.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from theory import ParameterError
from theory.dmft import DMFT, compute_optimal
from theory.validate import check_choice, check_int

from ._curve import loss_curve

__all__ = ["DMFTFrontier", "frontier"]


@dataclass
class DMFTFrontier:
    """Budgets ``C``, the optimal width ``N*``, steps ``t* = C/N*`` and loss ``L*``; local slopes
    (``slopes[name]`` over ``slope_C``) and the symbolic exponents; ``interior`` marks budgets whose
    optimum is inside the width grid (others are not used for slopes)."""

    a: float
    b: float
    loss: str
    C: np.ndarray
    N_star: np.ndarray
    t_star: np.ndarray
    L_star: np.ndarray
    interior: np.ndarray
    slope_C: np.ndarray
    slopes: dict
    theory: dict
    N_grid: np.ndarray
    curves: np.ndarray
    t_grid: np.ndarray
    status: str
    diagnostics: dict = field(default_factory=dict)

    def final_slopes(self) -> dict:
        """Local slopes at the largest interior budget: ``{"loss", "width", "steps"}`` (loss as ``-d log L / d log C``)."""
        return {k: float(v[-1]) if v.size else math.nan for k, v in self.slopes.items()}

    def to_dict(self) -> dict:
        return {"a": self.a, "b": self.b, "loss": self.loss, "C": self.C, "N_star": self.N_star,
                "t_star": self.t_star, "L_star": self.L_star, "interior": self.interior, "slope_C": self.slope_C,
                "slopes": self.slopes, "final_slopes": self.final_slopes(), "theory": self.theory,
                "status": self.status, "diagnostics": self.diagnostics}


def _envelope(lN, lt_grid, lcurves, lC):
    """For each log-budget, minimise the interpolated log-loss over log-width (parabola refined)."""
    out = []
    for c in lC:
        lt = c - lN
        vals = np.array([np.interp(x, lt_grid, lc, left=np.nan, right=np.nan) for x, lc in zip(lt, lcurves)])
        if np.all(np.isnan(vals)):
            out.append((np.nan, np.nan, False))
            continue
        i = int(np.nanargmin(vals))
        inside = 0 < i < len(lN) - 1 and np.isfinite(vals[i - 1]) and np.isfinite(vals[i + 1])
        if inside:
            x, y = lN[i - 1:i + 2], vals[i - 1:i + 2]
            c2, c1, c0 = np.polyfit(x, y, 2)
            xv = float(np.clip(-c1 / (2 * c2), x[0], x[2])) if c2 > 0 else lN[i]
            out.append((xv, float(np.polyval([c2, c1, c0], xv)), True))
        else:
            out.append((lN[i], vals[i], False))
    return out


def frontier(a: float, b: float, *, N_grid=None, C=None, loss: str = "test", M: float = math.inf,
             n_times: int = 160, window: float = 1.0) -> DMFTFrontier:
    """Measure the compute-optimal frontier of the online (``P = inf``) DMFT model.

    Parameters
    ----------
    a, b : float
        Exponents (``b > 1`` for ``M = inf``).
    N_grid : array_like, optional
        Widths (default 20 sizes, ``2^4 .. 2^17`` log-spaced).
    C : array_like, optional
        Budgets ``N t`` (default 40 log-spaced inside the grid's reach).
    loss : "test" or "bias"
        The single-model test loss or the bias (mean predictor, the paper's law).
    n_times : int
        Times per width curve (log grid).
    window : float
        Width in decades of ``C`` of the local-slope fits.

    Examples
    --------
    >>> fr = frontier(2.0, 1.5, N_grid=np.logspace(1, 2.5, 5), n_times=40, M=2000)
    >>> fr.status in ("ok", "boundary"), bool(np.all(np.diff(fr.L_star[fr.interior]) < 0))
    (True, True)
    """
    loss = check_choice("loss", loss, ("test", "bias"))
    n_times = check_int("n_times", n_times, ge=10)
    t0 = time.perf_counter()
    Ns = np.unique(np.round(np.logspace(4 * math.log10(2), 17 * math.log10(2), 20) if N_grid is None
                            else np.asarray(N_grid, float)).astype(int))
    if Ns.size < 3 or Ns.min() < 1:
        raise ParameterError("N_grid", "at least 3 distinct widths >= 1", N_grid)
    # times: from well before the first mode is learnt to past the width bottleneck of the widest model
    t_lo, t_hi = 1e-1, 10.0 * float(Ns.max()) ** (b * 1.0) * 10.0
    tg = np.logspace(math.log10(t_lo), math.log10(t_hi), n_times)
    curves, statuses = [], []
    for n in Ns:
        cu = loss_curve(DMFT(a, b, N=int(n), P=math.inf, M=M), tg, check_nodes=None)
        curves.append(cu.test_loss if loss == "test" else cu.bias)
        statuses.append(cu.status)
    curves = np.array(curves)
    lN, ltg, lcur = np.log10(Ns), np.log10(tg), np.log10(curves)
    if C is None:
        lC = np.linspace(lN[0] + ltg[0] + 1.0, lN[-1] + math.log10(float(Ns.max()) ** b) , 40)
    else:
        C = np.asarray(C, float)
        if C.ndim != 1 or C.size < 2 or np.any(C <= 0):
            raise ParameterError("C", "a 1-D array of at least 2 budgets > 0", C)
        lC = np.log10(C)
    env = _envelope(lN, ltg, lcur, lC)
    lNs = np.array([e[0] for e in env])
    lLs = np.array([e[1] for e in env])
    inside = np.array([e[2] for e in env])
    Cv = 10.0 ** lC
    sel = inside & np.isfinite(lLs)
    slopes: dict = {"loss": np.array([]), "width": np.array([]), "steps": np.array([])}
    centers = np.array([])
    if sel.sum() >= 3:
        from .._slopes import local_slopes

        cx = Cv[sel]
        centers, sl = local_slopes(cx, 10.0 ** lLs[sel], window=window)
        _, sn = local_slopes(cx, 10.0 ** lNs[sel], window=window)
        slopes = {"loss": -sl, "width": sn, "steps": 1.0 - sn}
    kind = "single" if loss == "test" else "bias"
    co = compute_optimal(kind)
    theory = {"loss": (str(co.loss), co.at(a, b)["loss"]), "width": (str(co.width), co.at(a, b)["width"]),
              "steps": (str(co.steps), co.at(a, b)["steps"])} if b > 1 else {}
    status = "ok" if all(s == "ok" for s in statuses) and sel.all() else ("boundary" if sel.any() else "failed")
    return DMFTFrontier(a=float(a), b=float(b), loss=loss, C=Cv, N_star=10.0 ** lNs, t_star=Cv / 10.0 ** lNs,
                        L_star=10.0 ** lLs, interior=inside, slope_C=centers, slopes=slopes, theory=theory,
                        N_grid=Ns, curves=curves, t_grid=tg, status=status,
                        diagnostics={"seconds": time.perf_counter() - t0, "curve_status": statuses,
                                     "n_times": n_times, "M": "inf" if math.isinf(M) else int(M)})
