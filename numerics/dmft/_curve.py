"""Loss curves of the DMFT random-feature model: transfer function, bias, full single-model test
loss (bias + variance from the random features, the finite data and the label noise), train loss,
and the static ``t -> inf`` limit.

Derivation (done here; the research note, Sec. 1.5, has only the bias). Write ``v(t) = w* - beta(t)``
(``beta = A^T w / sqrt N``), ``G = A^T A / N``, ``F = Psi^T Psi / P``. Gradient flow gives
``v(t) = exp(-t G F) w* + (noise part)``; the test loss is ``v^T Lambda v`` and the noiseless train
loss ``v^T F v``. Their double Laplace transforms are quadratic forms in two resolvents,
``w*^T (s1 + F G)^(-1) Lambda (s2 + G F)^(-1) w*``. Conditioning on ``F`` (see
:mod:`numerics.dmft._fixed_point`) turns each into a product of two sample-covariance resolvents
of ``F^(1/2) G F^(1/2)`` (``N`` samples), then of ``F`` (``P`` samples); each average uses the
two-resolvent deterministic equivalent

    z1 z2 (S^ + z1)^-1 B (S^ + z2)^-1 ~ m1 m2 (S+m1)^-1 B (S+m2)^-1
        + m1 m2 tr(B S (S+m1)^-1 (S+m2)^-1) / (n - tr(S^2 (S+m1)^-1 (S+m2)^-1)) S (S+m1)^-1 (S+m2)^-1

(Bach 2023, Sec. 3; the two-point version follows from the same leave-one-out argument). With
``g_i = 1/(lambda + kappa_i)`` and the mode sums ``S = sum tau g1 g2``, ``U = sum tau lambda g1 g2``,
``E = sum lambda g1 g2``, ``D2 = sum lambda^2 g1 g2``, ``d_i = df(kappa_i)``, ``q = 1 - D2/P``:

    test(s1, s2)  = [k1 k2 S / q + T2 T4 / (N - D2F)] / (s1 s2)
    train(s1, s2) = [k1 k2 S rho + T2' T4 / (N - D2F)] / (s1 s2)
    noise(s1, s2) = sigma^2 / P [D2/q + T2 T2' / (mu1 mu2 (N - D2F))] / (s1 s2)
    T2 = k1 k2 E / q,  T2' = k1 k2 E rho,  rho = (1 - d1/P)(1 - d2/P)/q,
    D2F = D2 + k1 k2 E^2 / (P q),  T4 = U + k1 k2 E S / (P q),  mu_i = k_i (1 - d_i/P).

The bias (the loss of the mean predictor) is ``k1 k2 S / (s1 s2)``, i.e. ``sum_k tau_k H_k(t)^2``.
Limits checked: ``N = inf`` gives ridgeless/gradient-flow linear regression (``1/(1 - df2/P)``
factor), ``P = inf`` gives train = test. The noiseless test and train losses are **checked by
simulation** (``verification.dmft``); the noise term is derived the same way and simulation-checked
in the tests at one point.

Train loss with label noise (derived here, checked by simulation in
``tests/numerics/dmft/test_dmft_discrete.py``): on the training set ``f - y = -exp(-t K) y`` with
``K = Z^T Z / P``, so the noise adds ``sigma^2 tr exp(-2 t K) / P = sigma^2 [1 - tr(I - exp(-2 t Q))/P]``
(``Q = G F`` has the nonzero spectrum of ``K``) and no cross term. Its double transform is
``sigma^2 [1/(s1 s2) - (T1/s1 - T2/s2) / (P (s2 - s1))]`` with ``T = tr Q (s + Q)^-1 ~ df(kappa(s))``
(the conditioning of :mod:`numerics.dmft._fixed_point`); at ``t = inf`` it is
``sigma^2 (1 - df(kappa*)/P) = sigma^2 (1 - min(N, P)/P)``.

Numerics: ``1/((lambda+k1)(lambda+k2)) = (g1 - g2)/(k2 - k1)`` turns every two-point sum into
one-point sums at the contour nodes, so a curve costs ``O(times x nodes x modes)``.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from theory import GD, ParameterError
from theory.dmft import DMFT, DMFT_CONVENTIONS
from theory.validate import check_int

from ._fixed_point import df as _df, kappa_star, solve_kappa_contour
from ._spectrum import ModeNodes, mode_nodes
from ._talbot import full_contour, talbot_nodes

__all__ = ["DMFTCurve", "StaticLimit", "loss_curve", "transfer_function", "static_limit", "nodes_of",
           "ensemble_loss"]


def _inv(n):
    return 0.0 if math.isinf(n) else 1.0 / n


def nodes_of(problem: DMFT, n_exact: int = 512) -> ModeNodes:
    """The weighted spectral nodes of a problem (all modes exactly when ``M <= 2 n_exact``)."""
    return mode_nodes(problem.a, problem.b, problem.M, n_exact=n_exact)


def _times(t) -> np.ndarray:
    t = np.atleast_1d(np.asarray(t, dtype=np.float64))
    if t.ndim != 1 or t.size == 0 or not np.all(np.isfinite(t)) or np.any(t <= 0):
        raise ParameterError("t", "a non-empty 1-D array of finite times > 0", t)
    return t


@dataclass
class StaticLimit:
    """The ``t -> inf`` limit (ridgeless random-feature regression): ``kappa*`` with
    ``df(kappa*) = min(N, P)``, ``H_k(inf) = kappa*/(kappa* + lambda_k)``, the bias, test and train
    losses there (``inf`` at the interpolation threshold ``N = P`` when the variance diverges)."""

    kappa_star: float
    bias: float
    test_loss: float
    train_loss: float | None


@dataclass
class DMFTCurve:
    """A predicted loss curve: data, diagnostics and a ``status`` (``"ok"`` or ``"inaccurate"``).

    ``variance = test_loss - bias`` (finite width, finite data and label noise together);
    ``train_loss`` includes the label noise (``(1/P) sum (f - y)^2``; at ``P = inf`` it is
    ``test_loss + sigma^2``).
    """

    problem: DMFT
    t: np.ndarray
    test_loss: np.ndarray
    train_loss: np.ndarray | None
    bias: np.ndarray
    static: StaticLimit
    status: str
    diagnostics: dict = field(default_factory=dict)
    #: loss of the mean over projections ``A`` at fixed data (the shared-data ensemble's ``E -> inf``
    #: limit); ``None`` where not derived (online SGD)
    data_mean: np.ndarray | None = None

    @property
    def variance(self) -> np.ndarray:
        return self.test_loss - self.bias

    def to_dict(self) -> dict:
        return {"problem": self.problem.to_dict(), "t": self.t, "test_loss": self.test_loss,
                "train_loss": self.train_loss, "bias": self.bias, "variance": self.variance,
                "static": vars(self.static), "status": self.status, "diagnostics": self.diagnostics,
                "conventions": dict(DMFT_CONVENTIONS)}


def _one_point(nodes: ModeNodes, kap):
    """``Phi_f(kappa) = sum w f/(lambda+kappa)`` and ``Psi_f = sum w f/(lambda+kappa)^2`` for the four f."""
    lam, tau, w = nodes.lam, nodes.tau, nodes.weight
    V = np.stack([w * tau, w * tau * lam, w * lam, w * lam * lam], axis=-1).astype(np.complex128)  # (M, 4)
    shape = kap.shape
    g = 1.0 / (lam + kap.reshape(-1)[:, None])
    # complex @ complex on 2-D arrays: BLAS (a mixed-dtype or stacked matmul is much slower)
    return (g @ V).reshape(shape + (4,)), ((g * g) @ V).reshape(shape + (4,))


def _pair_sums(phi, psi, kap_up, kap_full, n, nodes: ModeNodes, close: float = 0.05):
    """Two-point sums ``sum f g1 g2`` for upper nodes x full contour.

    Far-apart pairs from one-point sums, ``(Phi(k1) - Phi(k2))/(k2 - k1)``; the diagonal from
    ``Psi = sum f g^2``; pairs closer than ``close |k1|`` (late times, where every node's kappa
    clusters at kappa*, and the partial fraction would cancel catastrophically) by the Taylor series
    ``g1 g2 = sum_m (-delta)^m g1^(m+2)`` (14 moments per node; direct sums where ``|delta g1| > 1/20``).
    """
    phi_up, phi_full = phi[:, :n, None, :], phi[:, None, :, :]
    dk = kap_full[:, None, :] - kap_up[:, :, None]
    same = np.zeros((n, 2 * n - 1), dtype=bool)
    same[np.arange(n), np.arange(n)] = True
    with np.errstate(divide="ignore", invalid="ignore"):
        X = (phi_up - phi_full) / dk[..., None]
    X[:, same, :] = psi[:, :n, :]
    near = (np.abs(dk) < close * np.abs(kap_up[:, :, None])) & ~same[None]
    if np.any(near):
        lam, tau, w = nodes.lam, nodes.tau, nodes.weight
        V = np.stack([w * tau, w * tau * lam, w * lam, w * lam * lam], axis=-1).astype(np.complex128)
        # Taylor in delta = k2 - k1 about k1: g1 g2 = sum_m (-delta)^m g1^(m+2), |delta g1| <= 1/20
        tu = np.flatnonzero(np.any(near, axis=(1, 2)))
        g = 1.0 / (lam + kap_up[tu][..., None])                      # (Tn, n, M)
        gmax = np.max(np.abs(g), axis=-1)                             # (Tn, n)
        K = 14
        mom = np.empty(g.shape[:2] + (K, 4), dtype=np.complex128)
        gp = g * g
        for m in range(K):
            mom[:, :, m, :] = (gp.reshape(-1, lam.size) @ V).reshape(g.shape[:2] + (4,))
            gp = gp * g
        ti, ji, li = np.nonzero(near[tu])
        delta = dk[tu][ti, ji, li]
        ok = np.abs(delta) * gmax[ti, ji] <= 0.05
        powers = (-delta[ok])[:, None] ** np.arange(K)[None, :]      # (pairs, K)
        X[tu[ti[ok]], ji[ok], li[ok], :] = np.einsum("pk,pkf->pf", powers, mom[ti[ok], ji[ok]])
        bad = ~ok
        if np.any(bad):  # direct sums where the series would converge slowly
            tb, jb, lb = tu[ti[bad]], ji[bad], li[bad]
            for start in range(0, tb.size, 256):
                sl = slice(start, start + 256)
                g1 = 1.0 / (lam + kap_up[tb[sl], jb[sl]][:, None])
                g2 = 1.0 / (lam + kap_full[tb[sl], lb[sl]][:, None])
                X[tb[sl], jb[sl], lb[sl], :] = (g1 * g2) @ V
    return X


def _kernels(problem: DMFT, nodes: ModeNodes, t: np.ndarray, n: int, stepmap=None, circle=None):
    """The loss kernels at times ``t`` by the fixed-Talbot rule in ``sigma``.

    ``stepmap(sigma) -> (s, phi)``: a discrete optimizer's kernel in ``sigma`` is the gradient-flow
    kernel at ``s(sigma)`` times ``phi(sigma)`` per Laplace variable
    (:mod:`numerics.dmft._discrete`); ``None`` is gradient flow (``s = sigma``, ``phi = 1``).
    ``circle = (m, R, eta)``: instead, ``t`` holds integer steps and the kernels are inverted by the
    trapezoidal rule on ``|z| = R`` (``m`` odd points, ``z = exp(eta sigma)``), for every step at once.
    """
    if circle is None:
        d, g = talbot_nodes(n)
        dfull, cfull = full_contour(d, g)
        sig = d[None, :] / t[:, None]                             # (T, n)
    else:
        m, R, eta_c = circle
        n = (m + 1) // 2
        zu = R * np.exp(2j * np.pi * np.arange(n) / m)
        sig = (np.log(zu) / eta_c)[None, :]                       # (1, n)
        zf = np.concatenate([zu, np.conj(zu[1:])])
        steps = np.asarray(t, dtype=float)
        wj = np.full(n, 2.0 / m)
        wj[0] = 1.0 / m
        W1 = wj[None, :] * zu[None, :] ** steps[:, None]             # (S, n); Re of the half sum
        W2 = zf[None, :] ** steps[:, None] / m                     # (S, 2n - 1)
    if stepmap is None:
        s, ph = sig, np.ones_like(sig)
    else:
        s, ph = stepmap(sig)
    kap, resid = solve_kappa_contour(nodes, s, problem.N, problem.P)
    kfull = np.concatenate([kap, np.conj(kap[:, 1:])], axis=1)
    sfull = np.concatenate([s, np.conj(s[:, 1:])], axis=1)
    phfull = np.concatenate([ph, np.conj(ph[:, 1:])], axis=1)
    phi_u, psi_u = _one_point(nodes, kap)                      # (T, n, 4) on the upper half
    phi = np.concatenate([phi_u, np.conj(phi_u[:, 1:])], axis=1)  # f real: Phi(conj k) = conj Phi(k)
    psi = psi_u
    iN, iP = _inv(problem.N), _inv(problem.P)
    X = _pair_sums(phi, psi, kap, kfull, n, nodes)                    # (T, n, 2n-1, 4)
    S, U, E, D2 = X[..., 0], X[..., 1], X[..., 2], X[..., 3]
    k1, k2 = kap[:, :, None], kfull[:, None, :]
    d1 = phi[:, :n, 2][:, :, None]
    d2 = phi[:, None, :, 2]
    kk = k1 * k2
    q = 1.0 - D2 * iP
    T1, T2 = kk * S / q, kk * E / q
    D2F = D2 + kk * E * E * iP / q
    T4 = U + kk * E * S * iP / q
    rho = (1 - d1 * iP) * (1 - d2 * iP) / q
    T2p = kk * E * rho
    den = 1.0 - D2F * iN
    ss = s[:, :, None] * sfull[:, None, :] / (ph[:, :, None] * phfull[:, None, :])
    test = (T1 + iN * T2 * T4 / den) / ss
    train = (kk * S * rho + iN * T2p * T4 / den) / ss
    noise = None
    if problem.sigma2 > 0 and iP > 0:
        mu12 = k1 * (1 - d1 * iP) * k2 * (1 - d2 * iP)
        noise = problem.sigma2 * iP * (D2 / q + iN * T2 * T2p / (mu12 * den)) / ss
        # train: sigma^2 [1 - tr(I - p1(Q) p2(Q))/P], Laplace (T1/s1 - T2/s2)/(s2 - s1), T = df(kappa(s));
        # on the diagonal j = l the limit -(d/ds)(T/s) with dT/ds = -Psi_lambda / (ds/dkappa)
        s1, s2 = s[:, :, None], sfull[:, None, :]
        with np.errstate(divide="ignore", invalid="ignore"):
            tr2 = (d1 / s1 - d2 / s2) / (s2 - s1)
        dd = -psi[:, :n, 2]
        a1, a2 = 1 - phi[:, :n, 2] * iP, 1 - phi[:, :n, 2] * iN
        dsdk = a1 * a2 - kap * dd * (iP * a2 + iN * a1)
        dT = dd / dsdk
        diag = -(dT / s - phi[:, :n, 2] / s**2)
        idx = np.arange(n)
        tr2[:, idx, idx] = diag
        train_noise = problem.sigma2 * (1.0 - iP * s1 * s2 * tr2) / ss
    # invert: (1/t^2) Re sum_j g_j sum_l c_l K(j, l)
    def inv2(K):
        if circle is not None:
            return np.real(np.einsum("sj,jl,sl->s", W1, K[0], W2)) / eta_c**2
        return np.real(np.einsum("j,tjl,l->t", g, K, cfull)) / t**2
    # the data-conditional mean over A (shared-data ensemble, E -> inf): the terms without 1/N
    cm = T1 / ss if noise is None else (T1 + problem.sigma2 * iP * D2 / q) / ss
    out = {"cond_mean": inv2(cm),
           "test": inv2(test), "train": inv2(train), "noise": None if noise is None else inv2(noise),
           "train_noise": None if noise is None else inv2(train_noise)}
    # transfer function of every node and the bias (1-D rule)
    Hs = ph[:, :, None] * kap[:, :, None] / (s[:, :, None] * (nodes.lam + kap[:, :, None]))
    if circle is not None:
        H = np.real(np.einsum("sj,jm->sm", W1, Hs[0])) / eta_c
    else:
        H = np.real(np.einsum("j,tjm->tm", g, Hs)) / t[:, None]
    out["H"] = H
    out["bias"] = H**2 @ (nodes.weight * nodes.tau)
    out["residual"] = resid
    return out


def static_limit(problem: DMFT, nodes: ModeNodes | None = None) -> StaticLimit:
    """The ``t -> inf`` limit, from the kernels at ``s1, s2 -> 0`` (``kappa -> kappa*``).

    >>> p = DMFT(2.0, 1.5, N=64, P=math.inf, M=400)
    >>> st = static_limit(p)
    >>> bool(abs(_df(nodes_of(p), st.kappa_star) - 64) < 1e-8), st.test_loss > st.bias
    (True, True)
    """
    nodes = nodes_of(problem) if nodes is None else nodes
    ks = kappa_star(nodes, problem.N, problem.P)
    lam, tau, w = nodes.lam, nodes.tau, nodes.weight
    g = 1.0 / (lam + ks)
    S, U, E, D2 = (np.sum(w * f * g * g) for f in (tau, tau * lam, lam, lam * lam))
    d = float(np.sum(w * lam * g))
    iN, iP = _inv(problem.N), _inv(problem.P)
    kk = ks * ks
    bias = kk * S
    q = 1 - D2 * iP
    D2F = D2 + kk * E * E * iP / q
    den = 1 - D2F * iN
    T4 = U + kk * E * S * iP / q
    rho = (1 - d * iP) ** 2 / q
    if den <= 1e-12 or q <= 1e-12:
        return StaticLimit(ks, float(bias), math.inf, None)
    test = kk * S / q + iN * (kk * E / q) * T4 / den
    train = kk * S * rho + iN * kk * E * rho * T4 / den
    if problem.sigma2 > 0 and iP > 0:
        mu2 = (ks * (1 - d * iP)) ** 2
        noise = problem.sigma2 * iP * (D2 / q + (iN * (kk * E / q) * (kk * E * rho) / (mu2 * den)
                                               if mu2 > 0 else 0.0))
        test += noise
        train += problem.sigma2 * (1.0 - d * iP)  # 1 - rank/P of the label-noise residual
    elif problem.sigma2 > 0:  # P = inf: population train loss = test + sigma^2
        train += problem.sigma2
    return StaticLimit(ks, float(bias), float(test), None if train is None else float(train))


def loss_curve(problem: DMFT, t, *, optimizer=None, talbot_nodes: int = 24, n_exact: int = 512, chunk: int = 64,
               check_nodes: int | None = 18) -> DMFTCurve:
    """The predicted bias, single-model test loss and train loss at times ``t``.

    Parameters
    ----------
    problem : theory.dmft.DMFT
    t : array_like
        Times ``> 0`` (gradient-flow time, ``2 eta`` absorbed; see ``DMFT_CONVENTIONS``). For a
        discrete ``optimizer`` each time is rounded to a whole number of steps ``n = round(t / dt)``
        (``dt`` = 2 lr for GD and heavy ball, ``B lr_sum`` for SGD) and the curve's ``t`` is ``n dt``;
        GD and heavy ball need ``n >= 8`` (:data:`numerics.dmft._discrete.MIN_STEPS`).
    optimizer : None, theory.GD, theory.dmft.HeavyBall or theory.SGD
        ``None``: gradient flow (the model's definition). ``GD``/``HeavyBall``: full-batch discrete
        steps on the ``P`` data (z-transform of the same kernels); ``SGD``: one-pass SGD with batch
        ``B`` on fresh samples (``P = inf`` only; the Volterra equation). Dispatched through
        :data:`numerics.dmft._discrete.RULES`; derivations in :mod:`numerics.dmft._discrete`.
    talbot_nodes : int
        Fixed-Talbot nodes per Laplace variable (24: about 9 digits where the kernel is smooth).
    n_exact : int
        Modes summed exactly; the tail by quadrature (:func:`numerics.dmft.mode_nodes`).
    chunk : int
        Times per vectorised block.
    check_nodes : int or None
        A second, coarser rule whose disagreement is reported as ``talbot_error`` (the status is
        ``"inaccurate"`` past ``1e-5`` of the loss); ``None`` skips it.

    Returns
    -------
    DMFTCurve

    Examples
    --------
    >>> c = loss_curve(DMFT(2.0, 1.5, N=10**6, P=math.inf, M=300), [1.0, 10.0])
    >>> k = np.arange(1, 301.0)
    >>> bool(np.allclose(c.bias, [np.sum(k**-2.0 * np.exp(-2 * k**-1.5 * t)) for t in (1, 10)], rtol=1e-4))
    True
    >>> c.status, bool(np.all(c.test_loss >= c.bias))
    ('ok', True)

    References
    ----------
    B. Bordelon, A. Atanasov, C. Pehlevan, ICML 2024 (arXiv:2402.01092): transfer function
    ("Eq. 10-11" as cited in secondary notes; reconstructed), bias ("Eq. 19"); F. Bach, "High-dimensional
    analysis of double descent for linear regression with random projections", SIAM J. Math. Data
    Sci. (2024), arXiv:2303.01372, Sec. 3 (deterministic equivalents used in the derivation).
    """
    if not isinstance(problem, DMFT):
        raise ParameterError("problem", "a theory.dmft.DMFT", type(problem).__name__)
    t = _times(t)
    n = check_int("talbot_nodes", talbot_nodes, ge=8, le=48)
    check_int("chunk", chunk, ge=1)
    t0 = time.perf_counter()
    nodes = nodes_of(problem, n_exact)
    stepmap = None
    extra = {}
    if optimizer is not None:
        from . import _discrete

        dt = _discrete.time_step(optimizer)
        steps = np.round(t / dt).astype(np.int64)
        stepmap = _discrete.step_map(problem, nodes, optimizer)
        if stepmap is None:  # online SGD: its own equation
            return _sgd_curve(problem, nodes, steps, optimizer, t0)
        if steps.min() < _discrete.MIN_STEPS:
            raise ParameterError("t", f">= {_discrete.MIN_STEPS} steps = {_discrete.MIN_STEPS * dt:.6g} for "
                                 f"{type(optimizer).__name__} at this rate", float(t.min()))
        t = steps * dt
        extra = {"optimizer": optimizer.to_dict(), "time_step": dt, "steps": steps}
    outs = []
    circ = np.zeros(t.size, dtype=bool)
    if stepmap is not None:
        nc, m_c, R_c = _discrete.circle_plan(problem, nodes, optimizer)
        circ = steps < nc
        if np.any(circ):  # complex roots: the first nc steps on the circle |z| = R (all at once)
            outs.append(_kernels(problem, nodes, steps[circ], n, stepmap, circle=(m_c, R_c, dt)))
            extra["circle"] = {"steps_below": nc, "points": m_c, "radius": R_c}
    tt = t[~circ]
    for i in range(0, tt.size, chunk):
        outs.append(_kernels(problem, nodes, tt[i:i + chunk], n, stepmap))
    order = np.concatenate([np.nonzero(circ)[0], np.nonzero(~circ)[0]])
    inv = np.empty_like(order)
    inv[order] = np.arange(order.size)
    cat = lambda key: np.concatenate([o[key] for o in outs])[inv]  # noqa: E731
    test, train, bias = cat("test"), cat("train"), cat("bias")
    # an interpolating model (P < N) drives the train loss to 0; the rule's round-off (~1e-12 of
    # L(0)) may then dip below it
    train = np.maximum(train, 0.0)
    if outs[0]["noise"] is not None:
        test = test + cat("noise")
        train_out = train + cat("train_noise")
    else:  # P = inf: the population train loss E (f - y)^2 = test + sigma^2
        train_out = train + (problem.sigma2 if problem.P_is_infinite else 0.0)
    resid = max(float(np.max(o["residual"])) for o in outs) if outs else 0.0
    diag = {"talbot_nodes": n, "mode_nodes": nodes.size, "modes_exact": nodes.n_exact, "x_max": nodes.x_max,
            "truncation": nodes.truncation, "newton_residual": resid}
    status = "ok"
    if check_nodes is not None:
        alt = [_kernels(problem, nodes, tt[i:i + chunk], int(check_nodes), stepmap) for i in range(0, tt.size, chunk)]
        err = 0.0
        if alt:  # the Talbot rows against fewer nodes; the circle rows carry their aliasing bound
            alt_test = np.concatenate([o["test"] for o in alt])
            if alt[0]["noise"] is not None:
                alt_test = alt_test + np.concatenate([o["noise"] for o in alt])
            err = float(np.max(np.abs(alt_test - test[~circ]) / np.abs(test[~circ])))
        diag["talbot_error"] = err
        if not err < 1e-5:
            status = "inaccurate"
    if not (np.all(np.isfinite(test)) and np.all(np.isfinite(bias))) or resid > 1e-8:
        status = "inaccurate"
    diag.update(extra)
    diag["seconds"] = time.perf_counter() - t0
    return DMFTCurve(problem, t, test, train_out, bias, static_limit(problem, nodes), status, diag,
                     data_mean=cat("cond_mean"))


def _sgd_curve(problem, nodes, steps, optimizer, t0) -> DMFTCurve:
    """One-pass SGD (``P = inf``): test loss from the Volterra equation, bias = population GD's."""
    from . import _discrete

    dt = _discrete.time_step(optimizer)
    loss, info = _discrete.online_sgd_curve(problem, nodes, steps, optimizer)
    t = steps * dt
    # the mean predictor follows population GD with the same step: its loss is the bias
    gd_map = _discrete.RULES.lookup(GD).step_map(GD(lr=dt / 2.0))
    ok = steps >= _discrete.MIN_STEPS
    bias = np.full(t.size, np.nan)
    if np.any(ok):
        bias[ok] = _kernels(problem.replace(sigma2=0.0), nodes, t[ok], 24, gd_map)["bias"]
    if np.any(~ok):  # few steps: the circle rule of the z-transform
        bias[~ok] = _discrete.gd_bias_circle(problem, nodes, steps[~ok], dt)
    status = "ok" if np.all(np.isfinite(loss)) and info["newton_residual"] < 1e-8 else "inaccurate"
    diag = {"optimizer": optimizer.to_dict(), "time_step": dt, "steps": steps, "q_max": info["q_max"],
            "newton_residual": info["newton_residual"], "mode_nodes": nodes.size, "truncation": nodes.truncation,
            "method": "discrete Volterra equation (numerics.dmft._discrete)", "seconds": time.perf_counter() - t0}
    if problem.sigma2 > 0:
        diag["static_note"] = ("static is gradient flow's t -> inf limit; constant-rate SGD with label noise "
                               "has a noise floor above it")
    train = loss + problem.sigma2  # a fresh batch's expected loss E (f - y)^2
    return DMFTCurve(problem, t.astype(float), loss, train, bias, static_limit(problem, nodes), status, diag)


def transfer_function(problem: DMFT, t, modes, *, method: str = "talbot", talbot_nodes: int = 24,
                      dps: int = 20) -> np.ndarray:
    """``H_k(t)`` for the given modes ``k`` (1-based), shape ``(len(t), len(modes))``.

    ``method="talbot"``: the vectorised fixed-Talbot rule; ``"mpmath-talbot"`` / ``"mpmath-dehoog"``:
    the reference, ``mpmath.invertlaplace`` at ``dps`` digits with ``kappa(s)`` from
    ``mpmath.findroot`` started at ``kappa = s`` (the ``N, P = inf`` solution) -- only for a finite
    ``M <= 2000`` summed exactly.

    >>> p = DMFT(2.0, 1.5, N=20, P=40, M=50)
    >>> fast = transfer_function(p, [3.0], [1, 10])
    >>> ref = transfer_function(p, [3.0], [1, 10], method="mpmath-talbot")
    >>> bool(np.allclose(fast, ref, rtol=1e-8, atol=1e-12))
    True
    """
    t = _times(t)
    modes = np.atleast_1d(np.asarray(modes))
    if modes.ndim != 1 or modes.size == 0 or not np.issubdtype(modes.dtype, np.integer) or modes.min() < 1:
        raise ParameterError("modes", "1-based integer mode indices", modes)
    if method == "talbot":
        nodes = nodes_of(problem)
        if modes.max() > nodes.n_exact:
            raise ParameterError("modes", f"<= {nodes.n_exact} (the modes summed exactly)", int(modes.max()))
        out = _kernels(problem.replace(sigma2=0.0), nodes, t, check_int("talbot_nodes", talbot_nodes, ge=8))
        return out["H"][:, modes - 1]
    if method not in ("mpmath-talbot", "mpmath-dehoog"):
        raise ParameterError("method", "one of 'talbot', 'mpmath-talbot', 'mpmath-dehoog'", method)
    if problem.M_is_infinite or problem.M > 2000:
        raise ParameterError("M", "a finite M <= 2000 for the mpmath reference", problem.M)
    import mpmath

    with mpmath.workdps(dps):
        lam = [mpmath.mpf(k) ** (-mpmath.mpf(problem.b)) for k in range(1, int(problem.M) + 1)]
        iN = mpmath.mpf(1) / problem.N
        iP = mpmath.mpf(0) if problem.P_is_infinite else mpmath.mpf(1) / problem.P
        cache: dict = {}

        def kappa(s):
            key = complex(s)
            if key not in cache:
                def f(k):
                    d = mpmath.fsum(x / (x + k) for x in lam)
                    return k * (1 - d * iP) * (1 - d * iN) - s
                cache[key] = mpmath.findroot(f, s)
            return cache[key]

        res = np.empty((t.size, modes.size))
        for j, k in enumerate(modes):
            lk = lam[int(k) - 1]
            for i, ti in enumerate(t):
                res[i, j] = float(mpmath.invertlaplace(lambda s: kappa(s) / (s * (lk + kappa(s))), ti,
                                                       method=method.split("-")[1]))
    return res


def ensemble_loss(curve: DMFTCurve, members: int, *, shared_data: bool = False) -> np.ndarray:
    """Test loss of the average of ``members`` models with independent projections ``A_e``.

    ``shared_data=False``: each member has its own data set (size ``P``): ``bias + variance / E``.
    Exact given the decomposition (the members' errors ``v_e`` are iid with mean ``E v``, so
    ``E |mean_e v_e - E v|^2 = tr Cov / E``) -- derived here.

    ``shared_data=True``: one data set (and its label noise) for all members:
    ``L_E = C + (L_1 - C) / E`` with ``C = E v_1^T Lambda v_2`` the loss of the data-conditional mean
    (two members, same data, independent ``A``). Derived here: given the data ``F``,
    ``E_A (s + G F)^-1 = (mu/s)(F + mu)^-1`` (and ``E_A (s + G F)^-1 G = (F + mu)^-1`` for the noise
    forcing), whose two-resolvent average over the data is the part of the test kernel without the
    ``1/N`` term: ``C(s1, s2) = [k1 k2 S / q + sigma^2 D2 / (P q)] / (s1 s2)`` (notation of the module
    docstring). Checked by simulation (``tests/verification/dmft/test_dmft_ensembles.py``).

    >>> c = loss_curve(DMFT(2.0, 1.5, N=32, P=math.inf, M=200), [10.0, 1e3])
    >>> bool(np.all(ensemble_loss(c, 4) < c.test_loss)), bool(np.allclose(ensemble_loss(c, 1), c.test_loss))
    (True, True)
    >>> c = loss_curve(DMFT(2.0, 1.5, N=32, P=64, M=200), [10.0, 1e3])
    >>> bool(np.all(ensemble_loss(c, 4) < ensemble_loss(c, 4, shared_data=True)))
    True

    References
    ----------
    B. Bordelon, A. Atanasov, C. Pehlevan, ICML 2024 (arXiv:2402.01092), Sec. 5 (ensembles at fixed
    compute; the shared- and independent-data formulas here are derived from the kernels of
    :func:`loss_curve`).
    """
    E = check_int("members", members, ge=1)
    if not shared_data:
        return curve.bias + (curve.test_loss - curve.bias) / E
    if curve.data_mean is None:
        raise ParameterError("shared_data", "False for this curve (its data-conditional mean is not derived)",
                             shared_data)
    return curve.data_mean + (curve.test_loss - curve.data_mean) / E
