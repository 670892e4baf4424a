"""Frontier search on a lattice of (model size, learning-rate factor): a pattern search that grows
the evaluated window around the minimum at each budget, then a parabola-refined minimum (per size
over ``log c``, then over ``log d``). Generic over what is evaluated.

A *lattice* object provides ``ds`` (sizes, int array), ``cs`` (factors), ``P`` (a
``(budgets, sizes, factors)`` array, NaN where not evaluated yet), ``diverged`` (bool, same shape;
a largest factor whose next one up diverged is the stability limit, not an edge) and
``get(i, j, k)`` (evaluates on demand).
"""

from __future__ import annotations

import math

import numpy as np

from ._slopes import parabola_min

__all__ = ["lattice_search", "lattice_refine"]


def lattice_search(lat, i, j0, k0, max_iter):
    """Pattern search at budget ``i`` from ``(j0, k0)``; returns the evaluated index sets."""
    nd, nc = lat.ds.size, lat.cs.size
    J = {j for j in (j0 - 1, j0, j0 + 1) if 0 <= j < nd}
    K = {k for k in (k0 - 1, k0, k0 + 1) if 0 <= k < nc}
    for _ in range(max_iter):
        vals = {(j, k): lat.get(i, j, k) for j in J for k in K}
        fin = {key: v for key, v in vals.items() if np.isfinite(v)}
        grow = set(), set()
        if not fin:  # nothing reachable or everything diverged: smaller sizes and rates
            if min(J) > 0:
                grow[0].add(min(J) - 1)
            if min(K) > 0:
                grow[1].add(min(K) - 1)
            if not grow[0] and not grow[1]:
                break
        else:
            jb, _ = min(fin, key=fin.get)
            if jb == min(J) and jb > 0:
                grow[0].add(jb - 1)
            if jb == max(J) and jb < nd - 1:
                grow[0].add(jb + 1)
            for j in (jb - 1, jb, jb + 1):  # each size around the best needs its own interior c-minimum
                if j not in J:
                    continue
                row = {k: vals[(j, k)] for k in K if np.isfinite(vals[(j, k)])}
                if not row:
                    continue
                kb = min(row, key=row.get)
                if kb == min(K) and kb > 0:
                    grow[1].add(kb - 1)
                if kb == max(K) and kb < nc - 1 and not lat.diverged[i, j, kb]:
                    grow[1].add(kb + 1)
        if grow[0] <= J and grow[1] <= K:
            break
        J |= grow[0]
        K |= grow[1]
    return sorted(J), sorted(K)


def lattice_refine(lat, i, J, K):
    """Parabola-refined minimum: per size over ``log c``, then over ``log d``."""
    lc = np.log(lat.cs)
    rows = {}
    for j in J:
        v = np.array([lat.P[i, j, k] for k in K])
        fin = np.isfinite(v)
        if not fin.any():
            continue
        m = int(np.argmin(np.where(fin, v, np.inf)))
        k = K[m]
        inner_c = 0 < m < len(K) - 1 and fin[m - 1] and fin[m + 1]
        if inner_c:
            x, y = parabola_min(lc[K], np.log(np.where(fin, v, 1.0)), m)
            c_val = math.exp(x)
        else:
            x, y, c_val = lc[k], math.log(v[m]), float(lat.cs[k])  # the lattice value exactly
        edge_c = (k == 0) or (k == lat.cs.size - 1 and not lat.diverged[i, j, k])
        rows[j] = (y, x, edge_c, c_val)
    if not rows:
        return None
    js = sorted(rows)
    jb = min(js, key=lambda j: rows[j][0])
    ld = np.log(lat.ds.astype(float))
    pos = js.index(jb)
    if 0 < pos < len(js) - 1 and js[pos - 1] == jb - 1 and js[pos + 1] == jb + 1:
        trio = [jb - 1, jb, jb + 1]
        xd, yv = parabola_min(ld[trio], np.array([rows[j][0] for j in trio]), 1)
        xc = float(np.interp(xd, ld[trio], [rows[j][1] for j in trio]))
        p_val, d_val, c_val = math.exp(yv), math.exp(xd), math.exp(xc)
    else:  # no bracket in d: the best size of the lattice, exactly
        p_val, d_val, c_val = math.exp(rows[jb][0]), float(lat.ds[jb]), rows[jb][3]
    edge_d = jb == 0 or jb == lat.ds.size - 1
    return p_val, d_val, c_val, edge_d, rows[jb][2], jb, int(np.argmin(np.abs(lc - rows[jb][1])))
