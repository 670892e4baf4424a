"""Fast exact evaluation of the multi-power law's loss-drop sum: a one-dimensional treecode.

The loss drop at a logged step ``t`` is a sum over every earlier update ``k``,

    ``LD(t) / B = sum_{k <= t} D_k g_t(k)``,   ``g_t(k) = G(eta_k^-gamma (c(t) - c(k-1))),``

with ``D_k = eta_{k-1} - eta_k``, ``c`` the cumulative rate sum and ``G(x) = 1 - (Cx + 1)^-beta``.
Done pair by pair it costs (logged steps) x (updates) -- 6e6 terms for a 500-point curve of
24000 updates, too many for a fit that evaluates the law and its Jacobian hundreds of times.

Here the updates are split into a binary tree of index ranges ("clusters"). For a target step
``t`` and a cluster ``[k0, k1]`` that ends before ``t`` and is *well separated* from it
(``c(t) - c(k1) >= eta_sep * (c(k1) - c(k0 - 1))``: the distance in rate area at least
``eta_sep`` times the cluster's area width) and on which the schedule is *smooth* (the
log-rate ``log eta_k`` and the area ``c(k-1)`` are reproduced to ``smooth_tol`` by their
polynomial interpolants at the cluster's nodes), ``g_t`` is replaced by its polynomial
interpolant at ``p`` integer nodes ``m_j`` of the cluster placed near Chebyshev points:

    ``sum_k D_k g_t(k) ~= sum_j W_j g_t(m_j)``,   ``W_j = sum_{k0 <= k <= k1} D_k L_j(k)``,

``L_j`` the Lagrange basis of the nodes. The weights ``W_j`` depend on the schedule only, not on
the law's parameters, so they are computed once; the proxies ``g_t(m_j)`` are the *exact*
kernel at real updates (rate ``eta_{m_j}``, area ``c(t) - c(m_j - 1)``), so the parameter
dependence -- and the analytic Jacobian -- is exactly that of the direct sum. All remaining
pairs (the near field, the clusters that are small or not smooth, e.g. across the kink at the
start of a WSD decay or a step drop) are summed directly. Clusters with all ``D_k = 0``
(constant phases) are skipped.

Error (derived here, checked numerically in the tests against the plain double loop): on a
separated cluster, ``g_t`` as a function of ``k`` is analytic with its nearest singularity where
``C eta^-gamma (c(t) - c(k-1)) = -1``, at an area distance larger than ``c(t) - c(k1)``; with
the area nearly linear in ``k`` on a smooth cluster, the Chebyshev interpolation error is of order
``rho^-p`` with ``rho = r + sqrt(r^2 - 1)``, ``r = 1 + 2 eta_sep``: ``5.8^-p`` for the default
``eta_sep = 1``, ``~1e-6`` of the cluster's ``sum |D_k|`` for ``p = 8`` as an a-priori bound; the
measured errors are far smaller because the singularity is much farther than the bound assumes
(``1/(C eta^-gamma)`` away in area, and the kernel is smooth): on the packaged schedules the
largest error relative to ``sum_k |D_k|`` is 4e-11 at random parameters over
``C in [1e-3, 1e3]``, ``beta in [0.01, 5]``, ``gamma in [0, 2]`` (tests and
``benchmarks/bench_fitting.py``), i.e. the sum is exact for any fitting purpose (the log-loss
noise of real runs is 1e-3; the 32-update binning it replaces erred by up to 3e-5).

Cost: O(p log(T)) proxies per target instead of O(T) pairs (plus a near field of a few
clusters): 7.2e4 terms instead of 5.5e6 for a 500-point curve of the 24000-update cosine run,
8.1e4 instead of 1.7e7 for the 72000-update one.

References
----------
K. Luo et al., ICLR 2025 (arXiv:2503.12811), Eq. (1)-(2) (the sum). J. Barnes, P. Hut, Nature
324 (1986) (treecodes); L. Greengard, V. Rokhlin, J. Comput. Phys. 73 (1987) (separated
clusters, far-field expansions); L. N. Trefethen, "Approximation Theory and Approximation
Practice" (SIAM 2013), Thm. 8.2 (Chebyshev interpolation error of analytic functions) and
Ch. 5 (barycentric Lagrange interpolation).
"""

from __future__ import annotations

import numpy as np

from .. import _jit

__all__ = ["tree_pairs", "direct_pairs"]


def direct_pairs(idx: np.ndarray, delta: np.ndarray, c1: np.ndarray, log_eta: np.ndarray):
    """Every pair (target i, update k <= idx[i]) with ``D_k != 0``: ``(ti, X, weight, log_eta)``."""
    nz = np.flatnonzero(delta != 0.0) + 1                      # 1-based updates with a drop
    cnt = np.searchsorted(nz, idx, side="right")               # drops with k <= idx[i]
    ti = np.repeat(np.arange(idx.size), cnt)
    if ti.size == 0:
        e = np.zeros(0)
        return ti, e, e, e
    start = np.concatenate(([0], np.cumsum(cnt)[:-1]))
    pos = np.arange(ti.size) - np.repeat(start, cnt)
    k = nz[pos]
    return ti, c1[idx[ti]] - c1[k - 1], delta[k - 1], log_eta[k - 1]


def _expand_ranges(ti, lo, hi):
    """Pairs (ti, k) for k in [lo, hi] (inclusive) per row."""
    cnt = np.maximum(hi - lo + 1, 0)
    rep = np.repeat(np.arange(ti.size), cnt)
    start = np.concatenate(([0], np.cumsum(cnt)[:-1]))
    k = lo[rep] + (np.arange(rep.size) - np.repeat(start, cnt))
    return ti[rep], k


def _level_nodes(k0, k1, p):
    """Integer nodes near the Chebyshev points of each cluster [k0, k1] (rows), and validity."""
    j = np.arange(p)
    u = 0.5 * (1.0 - np.cos(np.pi * (j + 0.5) / p))            # in (0, 1), increasing
    m = k0[:, None] + np.rint(u[None, :] * (k1 - k0)[:, None]).astype(np.int64)
    ok = np.all(np.diff(m, axis=1) > 0, axis=1)
    return m, ok


def _lagrange(m, k0, size, kk_rel):
    """Lagrange basis of the nodes ``m`` (rows) evaluated at ``k0 + kk_rel`` (padded columns).

    Returns ``L`` of shape (clusters, width, p). Barycentric form on the nodes scaled to [-1, 1].
    """
    scale = np.maximum(size - 1, 1).astype(np.float64)[:, None]
    xn = 2.0 * (m - k0[:, None]) / scale - 1.0                # (c, p)
    diff = xn[:, :, None] - xn[:, None, :]
    np.einsum("cii->ci", diff)[:] = 1.0
    bw = 1.0 / np.prod(diff, axis=2)                          # barycentric weights (c, p)
    xk = 2.0 * kk_rel[None, :] / scale - 1.0                  # (c, width)
    d = xk[:, :, None] - xn[:, None, :]                       # (c, width, p)
    hit = d == 0.0
    d = np.where(hit, 1.0, d)
    t = bw[:, None, :] / d
    L = t / t.sum(axis=2, keepdims=True)
    anyhit = hit.any(axis=2)
    L = np.where(anyhit[:, :, None], hit.astype(np.float64), L)
    return L


def tree_pairs(idx: np.ndarray, delta: np.ndarray, c1: np.ndarray, log_eta: np.ndarray, *, p: int = 8,
               eta_sep: float = 1.0, leaf: int = 16, smooth_tol: float = 1e-11):
    """The treecode's terms for the targets ``idx`` (numbers of updates at the logged steps).

    Parameters
    ----------
    idx : int array
        Number of effective updates at each logged step (target ``i`` sums over ``k <= idx[i]``).
    delta : array, shape (K,)
        ``delta[k-1] = D_k = eta_{k-1} - eta_k`` for ``k = 1..K``, ``K = max(idx)``.
    c1 : array, shape (>= K+1,)
        ``c1[j]`` = sum of the first ``j`` effective rates (``c1[0] = 0``).
    log_eta : array, shape (K,)
        ``log eta_k`` (floored) for ``k = 1..K``.
    p, eta_sep, leaf, smooth_tol
        Nodes per cluster, separation ratio, largest cluster summed directly, and the
        smoothness tolerance (on ``log eta`` absolutely, on the area relative to the cluster's
        area width).

    Returns
    -------
    ti, X, weight, log_eta_t, n_far, n_near : arrays and counts
        One term per row: target index, area ``c(t) - c(k-1)``, weight (``D_k`` or ``W_j``),
        ``log eta`` at the (node) update; the loss drop is ``sum weight * G(exp(-gamma log_eta) X)``
        per target.
    """
    idx = np.asarray(idx, dtype=np.int64)
    K = int(delta.size)
    absd = np.concatenate(([0.0], np.cumsum(np.abs(delta))))
    nnz = np.concatenate(([0], np.cumsum(delta != 0.0)))
    out_t, out_k, out_w = [], [], []      # far proxies: target, node update k, weight
    near_t, near_lo, near_hi = [], [], []
    # frontier of (target, cluster) pairs, clusters as [k0, k1] (1-based, inclusive)
    ft = np.arange(idx.size)
    f0 = np.ones(idx.size, dtype=np.int64)
    f1 = np.full(idx.size, K, dtype=np.int64)
    # cluster data cache per (k0, k1): nodes, weights, smooth flag -- computed per level
    while ft.size:
        # drop clusters after the target or without drops
        keep = (f0 <= idx[ft]) & (absd[np.minimum(f1, idx[ft])] - absd[f0 - 1] > 0)
        ft, f0, f1 = ft[keep], f0[keep], f1[keep]
        if not ft.size:
            break
        size = f1 - f0 + 1
        # summed directly: small clusters, and clusters with no more drops than proxies
        small = (size <= leaf) | (nnz[np.minimum(f1, idx[ft])] - nnz[f0 - 1] <= p)
        # unique clusters of this level that are large enough for proxies
        big = ~small
        uk, inv = np.unique(np.stack([f0[big], f1[big]], axis=1), axis=0, return_inverse=True) \
            if big.any() else (np.zeros((0, 2), dtype=np.int64), np.zeros(0, dtype=np.int64))
        inv = np.asarray(inv).ravel()
        far = np.zeros(ft.size, dtype=bool)
        if uk.shape[0]:
            k0u, k1u = uk[:, 0], uk[:, 1]
            m, okn = _level_nodes(k0u, k1u, p)
            sep_ok = (c1[idx[ft[big]]] - c1[f1[big]]) >= eta_sep * (c1[f1[big]] - c1[f0[big] - 1])
            cand = sep_ok & (f1[big] <= idx[ft[big]])
            # proxy weights only for the clusters that are far from some target (the others, e.g. every
            # cluster that holds a target, are split whatever their weights; a single target -- the
            # schedule design's final loss -- has many of them): the same terms, less work
            need = np.zeros(uk.shape[0], dtype=bool)
            need[inv[cand]] = True
            smooth, W = np.zeros(uk.shape[0], dtype=bool), np.zeros((uk.shape[0], p))
            if need.any():
                smooth[need], W[need] = _cluster_weights(k0u[need], k1u[need], m[need], okn[need], delta, c1,
                                                         log_eta, smooth_tol)
            fb = smooth[inv] & cand
            far[np.flatnonzero(big)[fb]] = True
            sel = inv[fb]
            out_t.append(np.repeat(ft[big][fb], p))
            out_k.append(m[sel].ravel())
            out_w.append(W[sel].ravel())
        # leaves: direct
        near_t.append(ft[small])
        near_lo.append(f0[small])
        near_hi.append(np.minimum(f1[small], idx[ft[small]]))
        # the rest: split in halves
        rest = big & ~far
        mid = (f0[rest] + f1[rest]) // 2
        ft = np.concatenate([ft[rest], ft[rest]])
        f0, f1 = np.concatenate([f0[rest], mid + 1]), np.concatenate([mid, f1[rest]])
    # far terms
    tf = np.concatenate(out_t) if out_t else np.zeros(0, dtype=np.int64)
    kf = np.concatenate(out_k) if out_k else np.zeros(0, dtype=np.int64)
    wf = np.concatenate(out_w) if out_w else np.zeros(0)
    nzw = wf != 0.0
    tf, kf, wf = tf[nzw], kf[nzw], wf[nzw]
    # near terms (only updates with a drop)
    tn, kn = _expand_ranges(np.concatenate(near_t), np.concatenate(near_lo), np.concatenate(near_hi)) \
        if near_t else (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    dn = delta[kn - 1]
    nz = dn != 0.0
    tn, kn, dn = tn[nz], kn[nz], dn[nz]
    ti = np.concatenate([tf, tn])
    k = np.concatenate([kf, kn])
    w = np.concatenate([wf, dn])
    order = np.argsort(ti, kind="stable")
    ti, k, w = ti[order], k[order], w[order]
    return ti, c1[idx[ti]] - c1[k - 1], w, log_eta[k - 1], int(tf.size), int(tn.size)


def _cluster_weights(k0, k1, m, okn, delta, c1, log_eta, tol):
    """Proxy weights ``W_j = sum_k D_k L_j(k)`` and the smoothness flag of each cluster.

    Clusters are processed in groups of equal width (padded) to keep the work vectorised; with numba
    (:func:`numerics._jit.enabled`) one cluster at a time in compiled code (``_mpl_jit.cluster_weights``).
    """
    if _jit.enabled():
        from ._mpl_jit import cluster_weights

        return cluster_weights(np.ascontiguousarray(k0, dtype=np.int64), np.ascontiguousarray(k1, dtype=np.int64),
                               np.ascontiguousarray(m, dtype=np.int64), np.ascontiguousarray(okn, dtype=np.bool_),
                               np.ascontiguousarray(delta, dtype=np.float64), np.ascontiguousarray(c1, dtype=np.float64),
                               np.ascontiguousarray(log_eta, dtype=np.float64), float(tol))
    nc, p = m.shape
    W = np.zeros((nc, p))
    smooth = np.zeros(nc, dtype=bool)
    size = k1 - k0 + 1
    for s in np.unique(size):
        g = np.flatnonzero((size == s) & okn)
        if not g.size:
            continue
        # chunk to bound memory (clusters x width x p)
        step = max(1, int(4e6 // (s * p)))
        for a in range(0, g.size, step):
            gg = g[a:a + step]
            rel = np.arange(s)
            L = _lagrange(m[gg], k0[gg], size[gg], rel)            # (c, s, p)
            kk = k0[gg][:, None] + rel[None, :]                     # (c, s) 1-based updates
            D = delta[kk - 1]
            W[gg] = np.einsum("cs,csp->cp", D, L)
            # smoothness: interpolants of log eta and of the area reproduce them on the cluster
            le = log_eta[kk - 1]
            ar = c1[kk - 1]
            le_n = log_eta[m[gg] - 1]
            ar_n = c1[m[gg] - 1]
            err_l = np.max(np.abs(np.einsum("csp,cp->cs", L, le_n) - le), axis=1)
            width = np.maximum(c1[k1[gg]] - c1[k0[gg] - 1], 1e-300)
            err_a = np.max(np.abs(np.einsum("csp,cp->cs", L, ar_n) - ar), axis=1) / width
            smooth[gg] = (err_l <= tol) & (err_a <= tol)
    return smooth, W
