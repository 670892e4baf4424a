"""Sweeps of small real networks across the feature-learning strength: ReLU MLPs of depth ``L`` in the
parameterisation of the authors' ``Richness_Sweep`` code, trained online on a teacher task, every
(gamma, eta) configuration of a sweep trained at once as one batched network.

Parameterisation (research note ``signsgd_gamma.md`` Sec. B.2, from the authors' public code):

* hidden layers ``h_l = phi(W_l h_(l-1) / sqrt(fan_in))``, ``W_l ~ N(0, 1)``, no bias, ReLU;
* readout ``g = w_L . h_(L-1) / N`` (``w_L ~ N(0, 1)``, ``1/fan_in``: the muP readout);
* output ``f = (g(x; theta) - g(x; theta_0)) / gamma`` (centred by a frozen copy at init);
* SGD with learning rate ``N eta`` (``eta`` the swept variable), loss ``torch.nn.MSELoss`` (mean, no
  1/2) on a scalar target or ``torch.nn.CrossEntropyLoss`` on ``n_classes`` logits;
* online data: a fresh batch ``x ~ N(0, I_d)`` every step, the same batch for every configuration;
  MSE targets are a fixed random ReLU teacher of the same form (width ``N``, depth 2, output
  normalised to unit variance), cross-entropy labels the argmax of a random linear teacher.

Why PyTorch (the optional ``networks`` extra, CPU build): the issue asks for a well-kept autodiff library;
the CPU wheel is on this machine's disk and batched matrix products (``torch.bmm``) train a whole
(gamma, eta) grid as one network, the analogue of JAX's ``vmap``; the same code runs on a GPU
(``device="cuda"``). Everything here is *measured by simulation*; it checks the slopes ``2`` and
``2/L`` (MSE) and ``1`` (cross-entropy, small gamma) and the plateau scaling of :mod:`theory.richness`.

References
----------
A. Atanasov, A. Meterez, J. B. Simon, C. Pehlevan, "The Optimization Landscape of SGD Across the
Feature Learning Strength", ICLR 2025 (arXiv:2410.04642), Fig. 1 and Fig. 2 (eta* against gamma),
and the code ``Pehlevan-Group/Richness_Sweep`` (``StdLinear``, ``FinalLinear``, ``CenteredModel``).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from theory import ParameterError
from theory.validate import check_choice, check_int, check_real
from theory.richness import LOSSES

__all__ = ["torch_available", "MLPTask", "MLPSweep", "mlp_sweep", "eta_star_from_sweep", "RefinedEtaStar",
           "refine_eta_star", "eta_grid",
           "NetworkEtaStar", "measure_eta_star", "NetworkPlateaus", "network_plateaus"]


def torch_available() -> bool:
    """Whether the optional PyTorch extra is importable.

    >>> isinstance(torch_available(), bool)
    True
    """
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def _torch():
    try:
        import torch
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ParameterError("torch", "installed for the network sweeps (pip install 'sltk[networks]')",
                             "missing") from exc
    return torch


@dataclass(frozen=True)
class MLPTask:
    """The online task and the network shape of a sweep (validated).

    Parameters
    ----------
    depth : int
        ``L`` (number of weight layers, readout included), ``2..8``.
    loss : {"mse", "xent"}
    width : int
        Hidden width ``N``, ``>= 4``.
    d_in : int
        Input dimension, ``>= 1``.
    batch : int
        Online batch size, ``>= 1``.
    n_classes : int
        Classes of the cross-entropy task, ``>= 2``.
    seed : int
        Seed of the teacher, the initialisation (shared by every configuration) and the data.
    """

    depth: int = 3
    loss: str = "mse"
    width: int = 64
    d_in: int = 16
    batch: int = 32
    n_classes: int = 4
    seed: int = 0

    def __post_init__(self):
        object.__setattr__(self, "depth", check_int("depth", self.depth, ge=2, le=8))
        object.__setattr__(self, "loss", check_choice("loss", self.loss, LOSSES))
        object.__setattr__(self, "width", check_int("width", self.width, ge=4))
        object.__setattr__(self, "d_in", check_int("d_in", self.d_in, ge=1))
        object.__setattr__(self, "batch", check_int("batch", self.batch, ge=1))
        object.__setattr__(self, "n_classes", check_int("n_classes", self.n_classes, ge=2))
        object.__setattr__(self, "seed", check_int("seed", self.seed, ge=0))

    @property
    def n_out(self) -> int:
        return 1 if self.loss == "mse" else self.n_classes


@dataclass
class MLPSweep:
    """Train losses of a (gamma, eta) sweep: ``loss[i, j, k]`` at ``gammas[i]``, ``etas[i, j]`` (a grid per
    gamma), logged step ``log_steps[k]`` (NaN after divergence); ``diverged[i, j]``; ``final[i, j]`` the mean
    train loss over the last ``tail`` fraction of steps (``inf`` if diverged)."""

    task: MLPTask
    gammas: np.ndarray
    etas: np.ndarray
    steps: int
    log_steps: np.ndarray
    loss: np.ndarray
    diverged: np.ndarray
    final: np.ndarray
    seconds: float
    diagnostics: dict = field(default_factory=dict)


def _teacher(torch, task, gen, dtype, device):
    if task.loss == "mse":
        W1 = torch.randn(task.width, task.d_in, generator=gen, dtype=dtype).to(device)
        a = torch.randn(task.width, generator=gen, dtype=dtype).to(device)
        xs = torch.randn(4096, task.d_in, generator=gen, dtype=dtype).to(device)
        scale = float(torch.std(torch.relu(xs @ W1.T / math.sqrt(task.d_in)) @ a / math.sqrt(task.width)))
        return lambda x: (torch.relu(x @ W1.T / math.sqrt(task.d_in)) @ a / math.sqrt(task.width) / scale)[:, None]
    V = torch.randn(task.n_classes, task.d_in, generator=gen, dtype=dtype).to(device)
    return lambda x: torch.argmax(x @ V.T, dim=1)


def mlp_sweep(task: MLPTask, gammas, etas, steps: int, *, log_every: int = 1, tail: float = 0.1,
              dtype: str = "float64", device: str = "cpu", max_batch: int = 512, progress=None) -> MLPSweep:
    """Train every ``(gamma, eta)`` configuration of a sweep online with SGD, as one batched network.

    Parameters
    ----------
    task : MLPTask
    gammas : array, shape (G,)
    etas : array, shape (E,) or (G, E)
        The swept ``eta`` (the SGD learning rate is ``N eta``); a 2-d array gives one grid per gamma.
    steps : int
    log_every : int
        Store the train loss every ``log_every`` steps (and at the last).
    tail : float
        Fraction of the last steps averaged into ``final``.
    max_batch : int
        Configurations trained at once (memory: ``max_batch * N^2`` numbers per hidden layer).
    progress : callable, optional
        Called as ``progress(done_configs, total_configs)``.

    Every configuration starts from the same initial weights and sees the same data, so differences
    between them are due to ``(gamma, eta)`` alone. For the same reason the frozen copy's output is
    computed once a step for all of them, and a configuration whose loss is non-finite or above ``1e8``
    is marked diverged and dropped from the batch (later steps cost less).
    """
    torch = _torch()
    if not isinstance(task, MLPTask):
        raise ParameterError("task", "an MLPTask", type(task).__name__)
    T = check_int("steps", steps, ge=1)
    log_every = check_int("log_every", log_every, ge=1)
    tail = check_real("tail", tail, gt=0, le=1)
    check_choice("dtype", dtype, ("float64", "float32"))
    g = np.atleast_1d(np.asarray(gammas, dtype=np.float64))
    e = np.asarray(etas, dtype=np.float64)
    if e.ndim == 1:
        e = np.broadcast_to(e, (g.size, e.size)).copy()
    if g.ndim != 1 or e.shape[0] != g.size or not (np.all(g > 0) and np.all(e > 0)
                                                   and np.all(np.isfinite(g)) and np.all(np.isfinite(e))):
        raise ParameterError("gammas/etas", "positive finite values, etas of shape (E,) or (len(gammas), E)",
                             (g.shape, e.shape))
    tdt = torch.float64 if dtype == "float64" else torch.float32
    G, E = np.broadcast_arrays(g[:, None], e)
    cfg_g, cfg_e = G.ravel(), E.ravel()
    n_cfg = cfg_g.size
    log_steps = np.unique(np.r_[np.arange(0, T, log_every), T - 1])
    out = np.full((n_cfg, log_steps.size), np.nan)
    final = np.full(n_cfg, np.inf)
    diverged = np.zeros(n_cfg, dtype=bool)
    t0 = time.perf_counter()
    L, N, d = task.depth, task.width, task.d_in
    n_tail = max(1, int(round(tail * T)))
    for start in range(0, n_cfg, max_batch):
        sl = slice(start, min(n_cfg, start + max_batch))
        B = sl.stop - sl.start
        gen = torch.Generator().manual_seed(task.seed)
        teacher = _teacher(torch, task, gen, tdt, device)
        # the same student init for every configuration (seeded after the teacher)
        shapes = [(N, d)] + [(N, N)] * (L - 2) + [(task.n_out, N)]
        init = [torch.randn(*s, generator=gen, dtype=tdt).to(device) for s in shapes]
        params = [p.unsqueeze(0).repeat(B, 1, 1).requires_grad_(True) for p in init]
        fans = [d] + [N] * (L - 2) + [N]
        gam = torch.tensor(cfg_g[sl], dtype=tdt, device=device)
        lr = torch.tensor(N * cfg_e[sl], dtype=tdt, device=device)
        # positions (in this chunk) of the configurations still training: a diverged one is dropped from
        # the batch (its log is NaN from then on, its ``final`` inf), so later steps cost less
        idx = np.arange(B)
        data_gen = torch.Generator().manual_seed(task.seed + 1)

        # ReLU is positively homogeneous, relu(z / s) = relu(z) / s, so the 1/sqrt(fan_in) of the hidden
        # layers, the readout's 1/N and the output's 1/gamma are applied once, to the (B, batch, n_out)
        # output, instead of to every hidden activation (forward and backward)
        out_scale = 1.0 / fans[-1] / math.prod(math.sqrt(f) for f in fans[1:-1])

        def g_raw(x, ps):
            h = (x / math.sqrt(fans[0])).unsqueeze(0).expand(ps[0].shape[0], -1, -1)
            for p in ps[:-1]:
                h = torch.relu(torch.bmm(h, p.transpose(1, 2)))
            return torch.bmm(h, ps[-1].transpose(1, 2))  # (B, batch, n_out), times out_scale = g

        def g_init(x):
            # the frozen copy: every configuration starts from the same ``init``, so its output is one
            # network's, computed once a step and broadcast (not once per configuration)
            h = x
            for k, p in enumerate(init[:-1]):
                h = torch.relu(h @ p.T / math.sqrt(fans[k]))
            return h @ init[-1].T / fans[-1]  # (batch, n_out)

        tail_sum = torch.zeros(B, dtype=tdt, device=device)
        li = 0
        for t in range(T):
            x = torch.randn(task.batch, d, generator=data_gen, dtype=tdt).to(device)
            y = teacher(x)
            with torch.no_grad():
                g0 = g_init(x)
            f = g_raw(x, params) * (out_scale / gam)[:, None, None] - g0 / gam[:, None, None]
            if task.loss == "mse":
                per = ((f - y.unsqueeze(0)) ** 2).mean(dim=(1, 2))
            else:
                logp = torch.log_softmax(f, dim=2)
                per = -logp.gather(2, y.view(1, -1, 1).expand(f.shape[0], -1, 1)).squeeze(2).mean(dim=1)
            bad = ~torch.isfinite(per) | (per > 1e8)
            any_bad = bool(bad.any())
            if any_bad:
                keep = ~bad
                keep_np = keep.cpu().numpy()
                diverged[sl.start + idx[~keep_np]] = True
                # the dropped rows get no gradient; the rows of a batched product are independent, so
                # a non-finite dropped row cannot reach a kept one
                grads = torch.autograd.grad(per[keep].sum(), params) if keep_np.any() else None
                per = per[keep]
            else:
                grads = torch.autograd.grad(per.sum(), params)
            with torch.no_grad():
                if grads is not None:
                    step = lr[:, None, None]
                    for p, gr in zip(params, grads):
                        p.addcmul_(gr, step, value=-1.0)  # p -= step * gr in one pass
                if any_bad:
                    idx = idx[keep_np]
                    params = [p.detach()[keep].requires_grad_(True) for p in params]
                    gam, lr, tail_sum = gam[keep], lr[keep], tail_sum[keep]
                if li < log_steps.size and log_steps[li] == t:
                    out[sl.start + idx, li] = per.detach().cpu().numpy()
                    li += 1
                if t >= T - n_tail:
                    tail_sum += per.detach()
            if idx.size == 0:
                break
        final[sl.start + idx] = (tail_sum / n_tail).cpu().numpy()
        if progress is not None:
            progress(sl.stop, n_cfg)
    shape = G.shape
    return MLPSweep(task, g, e, T, log_steps, out.reshape(shape + (log_steps.size,)), diverged.reshape(shape),
                    final.reshape(shape), time.perf_counter() - t0,
                    {"dtype": dtype, "device": device, "tail": tail, "tail_steps": n_tail})


def eta_star_from_sweep(sweep: MLPSweep):
    """``eta*`` per gamma: the ``eta`` of the lowest tail loss, refined by a parabola in ``log eta`` through
    its neighbours when both are finite (:func:`numerics.richness.sub_grid_min`); returns
    ``(eta_star, interior)``. ``interior`` is False where the minimum is at an end of that gamma's grid (not
    located). A minimum next to a diverged run (the best loss at the largest stable eta) is located to one
    grid step and counts as interior; :func:`refine_eta_star` narrows it with a finer second pass."""
    from numerics.richness import sub_grid_min

    star = np.full(sweep.gammas.size, np.nan)
    interior = np.zeros(sweep.gammas.size, dtype=bool)
    for i in range(sweep.gammas.size):
        r = sub_grid_min(sweep.etas[i], sweep.final[i])
        star[i], interior[i] = r.x, r.located
    return star, interior


@dataclass
class RefinedEtaStar:
    """``eta*`` per gamma from a coarse sweep and a finer second pass inside the bracket of its minimum.

    ``eta_star[i]`` is :func:`numerics.richness.sub_grid_min` on the merged grid (coarse and fine points),
    ``method[i]`` how it was located there (``"parabola"``, ``"edge"``, ...), ``located[i]`` whether it was
    (False where the coarse minimum is at a grid end: no second pass); ``eta_star_coarse`` the coarse sweep's
    own estimate; ``etas[i]`` / ``final[i]`` the merged grid and its tail losses (sorted); ``fine_step`` the
    second pass's spacing in decades; ``seconds`` the wall time of the second pass.
    """

    gammas: np.ndarray
    eta_star: np.ndarray
    located: np.ndarray
    method: list
    eta_star_coarse: np.ndarray
    etas: list
    final: list
    fine_step: float
    seconds: float


def refine_eta_star(sweep: MLPSweep, *, per_decade: int = 16, **sweep_options) -> RefinedEtaStar:
    """Refine each gamma's ``eta*`` of a coarse sweep by a second pass on a finer grid.

    For every gamma whose coarse minimum is located, the points of :func:`numerics.richness.refine_grid`
    (``per_decade`` a decade, strictly between the coarse minimum's neighbours, coarse points left out) are
    trained with the same task, budget and tail as the coarse sweep, merged with the coarse points, and
    ``eta*`` is located on the merged grid by :func:`numerics.richness.sub_grid_min`. Every configuration
    starts from the same initial weights and sees the same data, so a fine point's run is the run the coarse
    sweep would have made at that ``eta`` (the merged curve is one sweep's).

    Parameters
    ----------
    sweep : MLPSweep
        The coarse pass.
    per_decade : int
        Spacing of the second pass (4 times the usual coarse 4 a decade by default).
    **sweep_options
        Passed to :func:`mlp_sweep` (``dtype``, ``device``, ...).
    """
    from numerics.richness import refine_grid, sub_grid_min

    if not isinstance(sweep, MLPSweep):
        raise ParameterError("sweep", "an MLPSweep", type(sweep).__name__)
    n = check_int("per_decade", per_decade, ge=1)
    tail = sweep.diagnostics.get("tail", 0.1)
    opts = {k: v for k, v in sweep_options.items() if k != "tail"}  # the coarse sweep's tail is used
    G = sweep.gammas.size
    star, coarse = np.full(G, np.nan), np.full(G, np.nan)
    located = np.zeros(G, dtype=bool)
    method, etas, finals = [], [], []
    t0 = time.perf_counter()
    for i, g in enumerate(sweep.gammas):
        c = sub_grid_min(sweep.etas[i], sweep.final[i])
        coarse[i] = c.x
        e, v = np.asarray(sweep.etas[i], dtype=np.float64), np.asarray(sweep.final[i], dtype=np.float64)
        pts = refine_grid(e, v, n)
        if pts.size:
            fine = mlp_sweep(sweep.task, [g], pts[None, :], sweep.steps, tail=tail, **opts)
            e, v = np.r_[e, pts], np.r_[v, fine.final[0]]
        order = np.argsort(e)
        e, v = e[order], v[order]
        r = sub_grid_min(e, v)
        star[i], located[i] = r.x, r.located and c.located
        method.append(r.method if c.located else c.method)
        etas.append(e)
        finals.append(v)
    return RefinedEtaStar(sweep.gammas.copy(), star, located, method, coarse, etas, finals, 1.0 / n,
                          time.perf_counter() - t0)


@dataclass
class NetworkEtaStar:
    """``eta*`` over gamma measured on a network sweep, with the fitted slopes on each side.

    ``slopes`` maps ``"small_gamma"`` / ``"large_gamma"`` to :class:`numerics.richness.SlopeFit` (or
    ``None`` when the gamma range does not reach that side); ``interior`` flags gammas whose minimum is
    inside their eta grid (only those enter the fits).
    """

    task: MLPTask
    gammas: np.ndarray
    eta_star: np.ndarray
    interior: np.ndarray
    slopes: dict
    sweep: MLPSweep

    def to_dict(self) -> dict:
        return {"model": "mlp", "depth": self.task.depth, "loss": self.task.loss, "width": self.task.width,
                "gamma": self.gammas.tolist(), "eta_star": self.eta_star.tolist(),
                "interior": self.interior.tolist(), "steps": self.sweep.steps, "seconds": self.sweep.seconds,
                "slopes": {k: (None if v is None else v.to_dict()) for k, v in self.slopes.items()}}


def eta_grid(gammas, depth: int, loss: str = "mse", per_decade: int = 4, below: float = 2.0, above: float = 1.5):
    """Per-gamma eta grids for a sweep, placed from the chain's closed forms: from ``10^-below eta_edge``
    to ``10^above`` times the larger of ``eta_edge`` and (cross-entropy) the weight edge ``2 gamma``,
    ``per_decade`` points a decade, all gammas padded to the longest grid (by extending upwards).

    Where the grid sits does not decide ``eta*``: :func:`eta_star_from_sweep` flags a minimum at a grid
    end, and such gammas are left out of the fits.
    """
    from theory.richness import eta_edge, xent_weight_edge

    g = np.atleast_1d(np.asarray(gammas, dtype=np.float64))
    n = check_int("per_decade", per_decade, ge=1)
    lo = np.log10(eta_edge(g, depth)) - below
    top = eta_edge(g, depth) if loss == "mse" else np.maximum(eta_edge(g, depth), xent_weight_edge(g))
    hi = np.log10(top) + above
    k = int(math.ceil(float(np.max(hi - lo)) * n - 1e-9)) + 1  # no extra point from rounding in hi - lo
    return 10.0 ** (lo[:, None] + np.arange(k)[None, :] / n)


def measure_eta_star(task: MLPTask, gammas, steps: int, *, per_decade: int = 4, small_range=None,
                     large_range=None, refine: int | None = None, **sweep_options) -> NetworkEtaStar:
    """Sweep ``task`` over ``gammas`` (grids of :func:`eta_grid`), locate ``eta*`` and fit the slopes
    (``small_range`` / ``large_range`` default to the gammas ``<= 0.1`` and ``>= 10``).

    With ``refine`` (points a decade, e.g. 16) each located minimum is retrained on a finer grid inside its
    bracket (:func:`refine_eta_star`) and the fits use the refined ``eta*`` with that grid's quantisation."""
    from numerics.richness import fit_slope

    g = np.sort(np.atleast_1d(np.asarray(gammas, dtype=np.float64)))
    grid = eta_grid(g, task.depth, task.loss, per_decade)
    sweep = mlp_sweep(task, g, grid, steps, **sweep_options)
    star, interior = eta_star_from_sweep(sweep)
    step = 1.0 / per_decade
    if refine is not None:
        r = refine_eta_star(sweep, per_decade=refine, **sweep_options)
        star, interior, step = r.eta_star, r.located, r.fine_step
    slopes = {}
    for side, rng_, default in (("small_gamma", small_range, (g.min(), 0.1)), ("large_gamma", large_range, (10.0, g.max()))):
        lo, hi = rng_ if rng_ is not None else default
        sel = interior & (g >= lo * (1 - 1e-12)) & (g <= hi * (1 + 1e-12))
        slopes[side] = fit_slope(g[sel], star[sel], lo, hi, grid_step=step) if sel.sum() >= 3 else None
    return NetworkEtaStar(task, g, star, interior, slopes, sweep)


@dataclass
class NetworkPlateaus:
    """Plateau lengths of a network at ``eta = rho eta_edge(gamma, L)`` (the chain's edge), per gamma.

    ``plateau[i]`` is the first logged step at which the running mean of the train loss (``window``
    logged values) is below ``level`` times its initial value (``inf`` if never). ``exponent`` is the
    log-log slope of ``plateau`` on ``gamma`` (:class:`numerics.richness.SlopeFit`), to compare with the
    chain's ``1 - 2/L`` (``L >= 3``); ``log_slope`` is the slope of ``plateau`` on ``ln gamma`` (for
    ``L = 2``, the chain's ``1/(2c)``). ``predicted`` is the chain's escape time at the same ``c``.
    """

    task: MLPTask
    gammas: np.ndarray
    rho: float
    plateau: np.ndarray
    predicted: np.ndarray
    exponent: object
    log_slope: float
    sweep: MLPSweep


def network_plateaus(task: MLPTask, gammas, steps: int, *, rho: float = 0.3, level: float = 0.5, window: int = 5,
                     **sweep_options) -> NetworkPlateaus:
    """Measure the ultra-rich plateau of a network across large gammas (MSE)."""
    from numerics.richness import fit_slope
    from theory.richness import escape_time, eta_edge

    if task.loss != "mse":
        raise ParameterError("task.loss", "'mse' for plateau lengths", task.loss)
    r = check_real("rho", rho, gt=0)
    w = check_int("window", window, ge=1)
    g = np.sort(np.atleast_1d(np.asarray(gammas, dtype=np.float64)))
    etas = r * eta_edge(g, task.depth)
    sweep = mlp_sweep(task, g, etas[:, None], steps, **sweep_options)
    h = sweep.loss[:, 0, :]
    kern = np.ones(w) / w
    plateau = np.full(g.size, np.inf)
    for i in range(g.size):
        sm = np.convolve(h[i], kern, mode="valid")
        below = np.flatnonzero(sm <= level * sm[0])
        if below.size:
            plateau[i] = float(sweep.log_steps[below[0]])
    c = etas * g ** (-2.0 / task.depth)  # the reduced rate; tends to rho (2/L) at large gamma
    pred = np.array([float(escape_time(gi, task.depth, ci, "discrete")) for gi, ci in zip(g, c)]) \
        if task.depth >= 2 else np.full(g.size, np.nan)
    ok = np.isfinite(plateau) & (plateau > 0)
    exponent = fit_slope(g[ok], plateau[ok], g.min(), g.max()) if ok.sum() >= 3 else None
    log_slope = float(np.polyfit(np.log(g[ok]), plateau[ok], 1)[0]) if ok.sum() >= 2 else float("nan")
    return NetworkPlateaus(task, g, r, plateau, pred, exponent, log_slope, sweep)
