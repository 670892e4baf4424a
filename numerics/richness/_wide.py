"""Full-batch GD on the wide muP deep *linear* network of the authors' parameterisation (hand-written
gradients, NumPy), vectorised over configurations: the measured largest stable learning rate against
the chain's ``eta_edge`` -- the catapult window at small gamma and its absence at large gamma.

Network (``Richness_Sweep`` with the identity activation; research note ``signsgd_gamma.md`` B.2, B.4):
one example ``x = 1`` (input dimension 1), target ``y = 1``; ``h_1 = W_1 x`` (``W_1 ~ N(0, 1)^N``, fan-in 1),
``h_l = W_l h_(l-1) / sqrt(N)`` (``W_l ~ N(0, 1)^(N x N)``), readout ``g = a . h_(L-1) / N``; output
``f = (g - g_0)/gamma`` (centred); loss ``(f - 1)^2 / 2``; GD with learning rate ``N eta``. Its NTK at init
is about ``L/gamma^2`` (so the lazy edge ``2 gamma^2/L`` does not depend on ``N``).

*Measured by simulation*: the note reports (N = 256) convergence up to about 1.8-2.0 ``eta_edge`` for
``L = 2`` and 2.2-2.5 for ``L = 3`` at ``gamma <= 1`` (the catapult window, Lewkowycz et al. 2020: up to
``4/lambda_0`` for ``L = 2``), and about 1.00 at ``gamma >= 10``; :func:`wide_max_stable_eta` measures it.

References
----------
A. Atanasov, A. Meterez, J. B. Simon, C. Pehlevan, arXiv:2410.04642 (2025), Sec. on the catapult effect;
A. Lewkowycz, Y. Bahri, E. Dyer, J. Sohl-Dickstein, G. Gur-Ari, arXiv:2003.02218 (2020), Sec. 2.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from theory import ParameterError
from theory.richness import eta_edge
from theory.validate import check_int, check_real

__all__ = ["WideRun", "wide_linear_gd", "WideStability", "wide_max_stable_eta"]


@dataclass
class WideRun:
    """``status`` per configuration (1 converged: loss < 1e-12; -1 diverged: loss > 1e8 or not finite;
    0 neither), ``loss`` history at every step (NaN after divergence), ``max_loss`` (the catapult's peak)."""

    depth: int
    width: int
    gammas: np.ndarray
    etas: np.ndarray
    status: np.ndarray
    steps_taken: np.ndarray
    max_loss: np.ndarray
    loss: np.ndarray


def wide_linear_gd(depth: int, width: int, gammas, etas, steps: int, *, seed: int = 0, tol: float = 1e-12) -> WideRun:
    """Run GD on the wide muP linear network for each ``(gammas[k], etas[k])`` pair (same init for all).

    >>> r = wide_linear_gd(2, 64, [0.1, 0.1], [0.5 * 0.1**2 / 1.1, 3 * 0.1**2 / 1.1], 3000)
    >>> r.status.tolist()   # half the chain's edge converges; three times it diverges
    [1, -1]
    """
    L = check_int("depth", depth, ge=2, le=8)
    N = check_int("width", width, ge=2)
    T = check_int("steps", steps, ge=1)
    g = np.atleast_1d(np.asarray(gammas, dtype=np.float64))
    e = np.atleast_1d(np.asarray(etas, dtype=np.float64))
    if g.shape != e.shape or g.ndim != 1 or not (np.all(g > 0) and np.all(e > 0)):
        raise ParameterError("gammas/etas", "1-d arrays of equal length with values > 0", (g.shape, e.shape))
    rng = np.random.default_rng(check_int("seed", seed, ge=0))
    B = g.size
    # one array computation for all configurations still running: finished runs (converged or
    # diverged) are dropped from the batch (``idx`` maps its rows to configurations), so each step
    # costs what the live runs cost. Every row's arithmetic is its own (per-row einsum contractions),
    # so a configuration's run is bit for bit the one it has alone (tests/numerics/richness/test_wide.py).
    W1 = np.repeat(rng.standard_normal(N)[None, :], B, axis=0)
    Ws = [np.repeat(rng.standard_normal((N, N))[None], B, axis=0) for _ in range(L - 2)]
    a = np.repeat(rng.standard_normal(N)[None, :], B, axis=0)
    sq = math.sqrt(N)

    def forward(W1, Ws, a):
        hs = [W1]
        for W in Ws:
            hs.append(np.einsum("bij,bj->bi", W, hs[-1]) / sq)
        return hs, np.einsum("bi,bi->b", a, hs[-1]) / N

    _, g0 = forward(W1, Ws, a)
    status = np.zeros(B, dtype=np.int64)
    taken = np.full(B, T, dtype=np.int64)
    max_loss = np.zeros(B)
    hist = np.full((B, T + 1), np.nan)
    idx = np.arange(B)
    gi, g0i, lr = g, g0, N * e
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(T + 1):
            hs, gv = forward(W1, Ws, a)
            r = (gv - g0i) / gi - 1.0
            loss = 0.5 * r * r
            hist[idx, t] = loss
            max_loss[idx] = np.maximum(max_loss[idx], np.nan_to_num(loss, nan=np.inf))
            div = ~np.isfinite(loss) | (loss > 1e8)
            conv = loss < tol
            status[idx[div]], status[idx[conv]] = -1, 1
            done = div | conv
            taken[idx[done]] = t
            if t == T or done.all():
                break
            s = lr * r / gi  # lr * dl/dg
            delta = s[:, None] * a / N
            da = s[:, None] * hs[-1] / N
            for k in range(L - 2, 0, -1):
                W = Ws[k - 1]
                dW = delta[:, :, None] * hs[k - 1][:, None, :] / sq
                delta = np.einsum("bij,bi->bj", W, delta) / sq
                Ws[k - 1] = W - dW
            W1 = W1 - delta
            a = a - da
            if done.any():  # drop the finished runs from the batch
                keep = ~done
                idx, gi, g0i, lr = idx[keep], gi[keep], g0i[keep], lr[keep]
                W1, a, Ws = W1[keep], a[keep], [W[keep] for W in Ws]
    return WideRun(L, N, g, e, status, taken, max_loss, hist)


@dataclass
class WideStability:
    """Largest convergent ``eta / eta_edge`` of the wide network per gamma (``ratio_max``), on the grid of
    ratios ``ratios``; ``catapult[i]`` says a convergent run above ``eta_edge`` had a loss spike above its
    start (a catapult)."""

    depth: int
    width: int
    gammas: np.ndarray
    ratios: np.ndarray
    ratio_max: np.ndarray
    catapult: np.ndarray
    run: WideRun


def wide_max_stable_eta(depth: int, width: int, gammas, ratios=None, *, steps: int = 4000, seed: int = 0) -> WideStability:
    """Scan ``eta = ratio * eta_edge(gamma, L)`` (the chain's edge) and return the largest convergent ratio.

    >>> s = wide_max_stable_eta(2, 64, [0.1, 100.0], 10 ** np.arange(-0.2, 0.45, 0.05))
    >>> bool(s.ratio_max[0] > 1.5), bool(abs(s.ratio_max[1] - 1) < 0.15)   # window at small gamma only
    (True, True)
    """
    L = check_int("depth", depth, ge=2, le=8)
    g = np.atleast_1d(np.asarray(gammas, dtype=np.float64))
    rt = 10 ** np.arange(-0.2, 0.65, 0.05) if ratios is None else np.asarray(ratios, dtype=np.float64)
    check_real("ratios", float(np.min(rt)), gt=0)
    G, R = np.meshgrid(g, rt, indexing="ij")
    run = wide_linear_gd(L, width, G.ravel(), (R * eta_edge(G, L)).ravel(), steps, seed=seed)
    st = run.status.reshape(G.shape)
    peak = run.max_loss.reshape(G.shape)
    rmax = np.array([rt[st[i] == 1].max() if np.any(st[i] == 1) else np.nan for i in range(g.size)])
    cat = np.array([bool(np.any((st[i] == 1) & (rt > 1) & (peak[i] > 0.5 + 1e-9))) for i in range(g.size)])
    return WideStability(L, run.width, g, rt, rmax, cat, run)
