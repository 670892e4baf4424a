"""Sums over the ``v`` population modes of PLRF, ``sum_{j=1}^{v} f(j)``, in a cost independent of ``v``.

The deterministic equivalent needs, at each point ``omega`` of the upper half plane,

    S(omega)  = sum_j lambda_j / (lambda_j - omega),      S'(omega) = sum_j lambda_j / (lambda_j - omega)^2,
    T(omega)  = sum_j t_j / (lambda_j - omega),           A(omega)  = sum_j arg(lambda_j - omega),

with ``lambda_j = j^(-p)`` (``p = 2 alpha``) and ``t_j = j^(-p-q)`` (``q = 2 beta``). As functions of a
real variable ``x`` these terms are analytic except at ``x = 0`` (branch point of ``x^p``) and at the
pole ``x_p`` where ``x_p^(-p) = omega``, i.e. ``x_p = |omega|^(-1/p) exp(-i arg(omega)/p)`` (present
on the principal sheet only when ``arg omega < p pi``). Its real part ``j_c`` may sit anywhere in
``[1, v]`` and its distance to the real axis can be tiny (isolated outlier eigenvalues), so the sum
is split (derived here):

* a **head** ``j = 1..H`` and a **window** of ``2W + 1`` indices around ``j_c`` summed term by term;
* the two remaining index ranges ``[a, b]`` by **Gregory's formula** (Euler-Maclaurin with the
  derivatives replaced by end differences of order 1..5)::

      sum_{j=a}^{b} f(j) = int_a^b f(x) dx + (f(a) + f(b))/2 + sum_k G_k (nabla^k f(b) + (-1)^k Delta^k f(a)),

  ``G = 1/12, 1/24, 19/720, 3/160, 863/60480``; the end values are ``>= W`` indices away from the pole
  (or ``>= H`` from 0), where ``f`` varies on a scale ``>= W``, so the truncation is ``O(W^-6)`` relative;
* the integrals by composite Gauss-Legendre (8 nodes a panel) in a variable in which every
  singularity stays at distance ``>= pi/2`` from the real axis: ``s = log(x - j_c)`` to the right of
  the window and the logit ``s = log(x / (j_c - x))`` to its left (panels of length <= 1, so the
  quadrature error is below ``6.4^-16 ~ 1e-13`` relative).

The wrap-around of the principal argument of ``lambda_j m - z`` (the count formula sums principal
arguments) is counted exactly: ``arg(lambda - omega)`` increases with ``lambda``, so the terms that wrap
are those with ``lambda_j`` below one threshold, an integer count.

About ``H + 2W + 1 + 2 * 10 + 8 * (panels)`` (~600) evaluations a point, whatever ``v``; for
``v`` below that the plain sums are used. Checked against the plain sums over ``j = 1..v`` in
``tests/numerics/plrf/test_power_sums.py`` (relative agreement ~1e-12).

References
----------
J. Gregory (1670) / e.g. G. Dahlquist & A. Bjorck, "Numerical Methods in Scientific Computing" Vol. 1
(SIAM 2008), Sec. 5.2 (Gregory's formula, Euler-Maclaurin); L. N. Trefethen, "Approximation Theory and
Approximation Practice" (SIAM 2013), Ch. 19 (Gauss quadrature on a Bernstein ellipse); research note
``plrf_signsgd.md`` Sec. 1.4(b).
"""

from __future__ import annotations

import cmath
import math

import numpy as np

from .. import _jit

__all__ = ["PowerSums"]

_GREGORY = np.array([1.0 / 12, 1.0 / 24, 19.0 / 720, 3.0 / 160, 863.0 / 60480])


def _gregory_weights():
    """Weights on ``f(a), ..., f(a+5)`` (left) and ``f(b-5), ..., f(b)`` (right) of the end terms."""
    K = _GREGORY.size
    left = np.zeros(K + 1)
    right = np.zeros(K + 1)  # index i <-> f(b - K + i)
    left[0] += 0.5
    right[-1] += 0.5
    for k in range(1, K + 1):
        c = np.array([(-1) ** (k - i) * _binom(k, i) for i in range(k + 1)])  # Delta^k f(a) = sum c_i f(a+i)
        left[: k + 1] += _GREGORY[k - 1] * (-1) ** k * c
        # nabla^k f(b) = sum_i (-1)^i C(k,i) f(b-i)
        for i in range(k + 1):
            right[K - i] += _GREGORY[k - 1] * (-1) ** i * _binom(k, i)
    return left, right


def _binom(n, k):
    from math import comb

    return float(comb(n, k))


_GL_X, _GL_W = np.polynomial.legendre.leggauss(8)
_TABLE_MAX = 1 << 21  # tables of j^-e for v up to 2^21 modes (16 MiB each); above, pow
_GW_LEFT, _GW_RIGHT = _gregory_weights()


class PowerSums:
    """Vectorised sums over ``j = 1..v`` of ``lambda_j = j^-p`` and ``t_j = j^(-p-q)`` terms.

    Parameters
    ----------
    p, q : float
        ``lambda_j = j^-p``, ``t_j = lambda_j j^-q``.
    v : int
        Number of modes.
    head, window : int
        ``H`` and ``W`` above.
    exact_below : int
        Use plain sums for ``v <= exact_below``.
    """

    def __init__(self, p: float, q: float, v: int, *, head: int = 64, window: int = 64, panel: float = 1.0,
                 exact_below: int = 600, block: int = 256):
        self.p, self.q, self.v = float(p), float(q), int(v)
        self.H, self.W = int(head), int(window)
        self.panel = float(panel)
        self.block = int(block)
        self.exact = self.v <= max(exact_below, self.H + 2 * self.W + 40)
        if self.exact:
            j = np.arange(1, self.v + 1, dtype=np.float64)
            self._xe = j[None, :]
            self._we = np.ones((1, self.v))
            self._lam_e = j ** (-self.p)
            self._t_e = self._lam_e * j ** (-self.q)
        else:
            # panels: right range log(v / W) at most, left logit range <= log(v/H) + log(v/W)
            self.n_right = max(1, int(np.ceil(np.log(self.v / (self.W + 1.0)) / self.panel)) + 1)
            self.n_left = max(1, int(np.ceil((np.log(self.v / self.H) + np.log(self.v / (self.W + 1.0))) / self.panel)) + 1)

    # ------------------------------------------------------------------ nodes
    def pole_centre(self, w):
        """Real part of the pole ``x_p`` of ``1/(x^-p - omega)`` (1 when it is not near ``x > 0``)."""
        w = np.asarray(w, np.complex128)
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            ang = np.angle(w) * (1.0 / self.p)
            jc = np.abs(w) ** (-1.0 / self.p) * np.cos(np.minimum(ang, 0.5 * np.pi))
        jc[~(jc >= 1.0)] = 1.0  # also NaN
        return np.minimum(jc, float(self.v))

    def _layout(self):
        if hasattr(self, "_lay"):
            return self._lay
        H, W, K = self.H, self.W, _GREGORY.size
        nl, nr = 8 * self.n_left, 8 * self.n_right
        sizes = [H, 2 * W + 1, K + 1, K + 1, nl, K + 1, K + 1, nr]
        cuts = np.concatenate([[0], np.cumsum(sizes)])
        sl = [slice(int(a), int(b)) for a, b in zip(cuts[:-1], cuts[1:])]
        tl = (np.arange(self.n_left)[:, None] + 0.5 * (_GL_X[None, :] + 1.0)).ravel() / self.n_left
        wl = np.tile(0.5 * _GL_W, self.n_left) / self.n_left
        tr = (np.arange(self.n_right)[:, None] + 0.5 * (_GL_X[None, :] + 1.0)).ravel() / self.n_right
        wr = np.tile(0.5 * _GL_W, self.n_right) / self.n_right
        x0 = np.zeros(int(cuts[-1]))
        w0 = np.zeros(int(cuts[-1]))
        x0[sl[0]] = np.arange(1, H + 1)
        w0[sl[0]] = 1.0
        x0[sl[2]] = H + 1.0 + np.arange(K + 1)
        x0[sl[6]] = self.v - K + np.arange(K + 1.0)
        self._lay = (sl, tl, wl, tr, wr, x0, w0)
        return self._lay

    def nodes(self, w):
        """``(x, weight)`` arrays (points x nodes) with ``sum_j f(j) ~ sum_k weight_k f(x_k)``."""
        w = np.atleast_1d(np.asarray(w, np.complex128))
        n = w.size
        if self.exact:
            return np.broadcast_to(self._xe, (n, self.v)), np.broadcast_to(self._we, (n, self.v))
        if n == 1:
            return self._nodes_one(complex(w[0]))
        H, W, v, K = self.H, self.W, self.v, _GREGORY.size
        sl, tl, wl, tr, wr, x0, w0 = self._layout()
        jc = self.pole_centre(w)
        lo = np.clip(np.rint(jc) - W, H + 1, v - 2 * W)  # window lo .. lo + 2W
        X = np.repeat(x0[None, :], n, axis=0)
        Wt = np.repeat(w0[None, :], n, axis=0)
        X[:, sl[1]] = lo[:, None] + np.arange(2 * W + 1.0)
        Wt[:, sl[1]] = 1.0
        off = np.arange(K + 1.0)
        # left segment [H + 1, lo - 1] (present when lo - 1 >= H + 1): Gregory ends + logit-variable integral
        has_l = (lo >= H + 2)[:, None]
        b_l = lo - 1.0
        X[:, sl[3]] = b_l[:, None] - K + off
        Wt[:, sl[2]] = np.where(has_l, _GW_LEFT, 0.0)
        Wt[:, sl[3]] = np.where(has_l, _GW_RIGHT, 0.0)
        c = np.maximum(jc, lo + W)  # c - b_l >= W + 1
        a_l = H + 1.0
        s0 = np.log(a_l / (c - a_l))
        bl = np.maximum(b_l, a_l)
        L = np.log(bl / (c - bl)) - s0
        e = 1.0 / (1.0 + np.exp(-(s0[:, None] + L[:, None] * tl)))  # sigma(s)
        X[:, sl[4]] = c[:, None] * e
        Wt[:, sl[4]] = np.where(has_l, (L * c)[:, None] * wl * e * (1.0 - e), 0.0)
        # right segment [lo + 2W + 1, v]: Gregory ends + integral in s = log(x - centre)
        a_r = lo + 2 * W + 1.0
        has_r = (a_r <= v)[:, None]
        X[:, sl[5]] = a_r[:, None] + off
        Wt[:, sl[5]] = np.where(has_r, _GW_LEFT, 0.0)
        Wt[:, sl[6]] = np.where(has_r, _GW_RIGHT, 0.0)
        cr = lo + W
        s0 = np.log(np.minimum(a_r, v) - cr)
        L = np.log(v - cr) - s0
        es = np.exp(s0[:, None] + L[:, None] * tr)
        X[:, sl[7]] = cr[:, None] + es
        Wt[:, sl[7]] = np.where(has_r, L[:, None] * wr * es, 0.0)
        np.maximum(X, 1.0, out=X)  # masked-out nodes may fall below 1; their weight is 0
        return X, Wt

    def _nodes_one(self, w: complex):
        """:meth:`nodes` for one point, the per-point constants in Python floats (same formulas;
        the sequential continuation calls this thousands of times, where NumPy's per-call cost
        on length-1 arrays dominated)."""
        H, W, v, K = self.H, self.W, self.v, _GREGORY.size
        sl, tl, wl, tr, wr, x0, w0 = self._layout()
        r, ang = abs(w), cmath.phase(w) / self.p
        try:
            rp = r ** (-1.0 / self.p) if r > 0 else math.inf
        except OverflowError:
            rp = math.inf
        jc = rp * math.cos(min(ang, 0.5 * math.pi))  # NaN for a NaN omega
        jc = min(jc if jc >= 1.0 else 1.0, float(v))
        lo = float(min(max(round(jc) - W, H + 1), v - 2 * W))
        X = x0.copy()
        Wt = w0.copy()
        X[sl[1]] = lo + np.arange(2 * W + 1.0)
        Wt[sl[1]] = 1.0
        off = np.arange(K + 1.0)
        has_l = lo >= H + 2
        b_l = lo - 1.0
        X[sl[3]] = b_l - K + off
        if has_l:
            Wt[sl[2]] = _GW_LEFT
            Wt[sl[3]] = _GW_RIGHT
        c = max(jc, lo + W)
        a_l = H + 1.0
        s0 = math.log(a_l / (c - a_l))
        bl = max(b_l, a_l)
        L = math.log(bl / (c - bl)) - s0
        e = 1.0 / (1.0 + np.exp(-(s0 + L * tl)))
        X[sl[4]] = c * e
        if has_l:
            Wt[sl[4]] = (L * c) * wl * e * (1.0 - e)
        a_r = lo + 2 * W + 1.0
        has_r = a_r <= v
        X[sl[5]] = a_r + off
        if has_r:
            Wt[sl[5]] = _GW_LEFT
            Wt[sl[6]] = _GW_RIGHT
        cr = lo + W
        s0 = math.log(min(a_r, v) - cr)
        L = math.log(v - cr) - s0
        es = np.exp(s0 + L * tr)
        X[sl[7]] = cr + es
        if has_r:
            Wt[sl[7]] = L * wr * es
        np.maximum(X, 1.0, out=X)
        return X[None, :], Wt[None, :]

    def newton_args(self):
        """The arrays and constants the compiled Newton solve needs
        (:func:`numerics.plrf._deterministic_equivalent_jit.newton_points`): ``(exact, lam_e, tab, x0,
        w0, tl, wl, tr, wr, cuts, gwl, gwr, H, W, v, p)``, built once per instance."""
        if "_nargs" not in self.__dict__:
            empty = np.empty(0)
            if self.exact:
                self._nargs = (True, np.ascontiguousarray(self._lam_e), empty, empty, empty, empty, empty, empty,
                               empty, np.zeros(9, np.int64), _GW_LEFT, _GW_RIGHT, self.H, self.W, self.v, self.p)
            else:
                sl, tl, wl, tr, wr, x0, w0 = self._layout()
                cuts = np.array([s.start for s in sl] + [sl[-1].stop], np.int64)
                tab = self._table(self.p)
                self._nargs = (False, empty, empty if tab is None else tab, x0, w0, tl, wl, tr, wr, cuts,
                               _GW_LEFT, _GW_RIGHT, self.H, self.W, self.v, self.p)
        return self._nargs

    # ------------------------------------------------------------------ sums
    def _blocks(self, n):
        step = self.block if not self.exact else max(1, int(2**21 // max(self.v, 1)))
        for i in range(0, n, step):
            yield slice(i, min(i + step, n))

    def _table(self, e):
        """``j^-e`` for ``j = 0..v+15`` (None above ``_TABLE_MAX`` modes), built once per exponent."""
        tabs = self.__dict__.setdefault("_tabs", {})
        if e not in tabs:
            with np.errstate(divide="ignore"):
                tabs[e] = np.arange(self.v + 16, dtype=np.float64) ** (-e) if self.v <= _TABLE_MAX else None
        return tabs[e]

    def _power(self, X, e):
        """``X ** -e`` on a node array: the integer nodes (head, window, Gregory ends; all of them for the
        plain sums) from a table of ``j^-e`` (``pow`` dominated the cost of a sum), the quadrature nodes
        by ``pow``. The same values as ``X ** -e``, element by element."""
        tab = self._table(e)
        if tab is None:
            return X ** (-e)
        if self.exact:
            return tab[X.astype(np.intp)]
        sl = self._layout()[0]
        c4, c5, c7 = sl[4].start, sl[4].stop, sl[7].start
        out = np.empty(X.shape)
        out[:, :c4] = tab[X[:, :c4].astype(np.intp)]
        out[:, c4:c5] = X[:, c4:c5] ** (-e)
        out[:, c5:c7] = tab[X[:, c5:c7].astype(np.intp)]
        out[:, c7:] = X[:, c7:] ** (-e)
        return out

    def s_and_ds(self, w):
        """``S(omega)`` and ``S'(omega)`` for an array of ``omega``."""
        w = np.atleast_1d(np.asarray(w, np.complex128))
        S = np.empty(w.shape, np.complex128)
        dS = np.empty(w.shape, np.complex128)
        if _jit.enabled():  # one pass over the nodes a point, compiled (numerics.plrf._power_sums_jit)
            from ._power_sums_jit import sums_nodes

            wf, Sf, dSf = w.reshape(-1), S.reshape(-1), dS.reshape(-1)
            for sl in self._blocks(wf.size):
                if self.exact:
                    sums_nodes(self._lam_e[None, :], self._we, np.ascontiguousarray(wf[sl]), Sf[sl], dSf[sl])
                    continue
                X, Wt = self.nodes(wf[sl])
                sums_nodes(np.ascontiguousarray(self._power(X, self.p)), np.ascontiguousarray(Wt),
                           np.ascontiguousarray(wf[sl]), Sf[sl], dSf[sl])
            return S, dS
        for sl in self._blocks(w.size):
            if self.exact:
                lam = self._lam_e
                g = 1.0 / (lam - w[sl, None])
                lg = lam * g
                S[sl] = lg.sum(axis=1)
                dS[sl] = (lg * g).sum(axis=1)
                continue
            X, Wt = self.nodes(w[sl])
            lam = self._power(X, self.p)
            g = 1.0 / (lam - w[sl, None])
            lg = lam * g
            S[sl] = np.einsum("ij,ij->i", Wt, lg)
            dS[sl] = np.einsum("ij,ij->i", Wt, lg * g)
        return S, dS

    def s_and_ds_one(self, w: complex):
        """:meth:`s_and_ds` for one point, as Python complex numbers (same arithmetic, less overhead)."""
        if _jit.enabled():
            from ._power_sums_jit import sums_nodes

            wv, S, dS = np.array([w], np.complex128), np.empty(1, np.complex128), np.empty(1, np.complex128)
            if self.exact:
                sums_nodes(self._lam_e[None, :], self._we, wv, S, dS)
            else:
                X, Wt = self._nodes_one(complex(w))
                sums_nodes(np.ascontiguousarray(self._power(X, self.p)), np.ascontiguousarray(Wt), wv, S, dS)
            return complex(S[0]), complex(dS[0])
        wa = np.array([[w]], np.complex128)
        if self.exact:
            lam = self._lam_e
            g = 1.0 / (lam - wa)
            lg = lam * g
            return complex(lg.sum(axis=1)[0]), complex((lg * g).sum(axis=1)[0])
        X, Wt = self._nodes_one(complex(w))
        lam = self._power(X, self.p)
        g = 1.0 / (lam - wa)
        lg = lam * g
        return complex(np.einsum("ij,ij->i", Wt, lg)[0]), complex(np.einsum("ij,ij->i", Wt, lg * g)[0])

    def measures(self, w, m):
        """``(sum_j Arg(lambda_j m - z), T(omega))`` with ``z = omega m``; principal arguments."""
        w = np.atleast_1d(np.asarray(w, np.complex128))
        m = np.atleast_1d(np.asarray(m, np.complex128))
        args = np.empty(w.shape)
        T = np.empty(w.shape, np.complex128)
        jit = _jit.enabled()
        if jit:
            from ._power_sums_jit import measures_sums
        for sl in self._blocks(w.size):
            X, Wt = self.nodes(w[sl])
            if jit:  # one pass over the nodes a point, compiled
                measures_sums(np.ascontiguousarray(self._power(X[:1] if self.exact else X, self.p)),
                              np.ascontiguousarray(self._power(X[:1] if self.exact else X, self.q)),
                              np.ascontiguousarray(Wt[:1] if self.exact else Wt), np.ascontiguousarray(w[sl]),
                              args[sl], T[sl])
                continue
            lam = self._power(X, self.p)
            ws = w[sl, None]
            den = lam - ws
            T[sl] = np.einsum("ij,ij->i", Wt, lam * self._power(X, self.q) / den)
            args[sl] = np.einsum("ij,ij->i", Wt, np.arctan2(-ws.imag, lam - ws.real))
        am = np.angle(m)
        args = args + self.v * am + 2.0 * np.pi * self._wrap_count(w, am)
        return args, T

    def _wrap_count(self, w, am):
        """``#{j : arg(lambda_j - omega) < -pi - arg m}`` (those terms' principal value wraps)."""
        phi = -np.pi - am  # in (-2 pi, 0)
        a, b = w.real, w.imag
        theta = np.angle(w)
        out = np.zeros(w.shape)
        act = (phi > theta - np.pi) & (phi < 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            lam_w = a - b * np.cos(phi) / np.sin(phi)
            jw = np.where(lam_w > 0, lam_w ** (-1.0 / self.p), np.inf)
        cnt = self.v - np.minimum(np.floor(np.minimum(jw, 1e300)), self.v)
        out[act] = cnt[act]
        return out

    def plain(self, f_of_j):
        """Reference: ``sum_{j=1}^v f(j)`` term by term (for tests)."""
        j = np.arange(1, self.v + 1, dtype=np.float64)
        return f_of_j(j).sum(axis=-1)
