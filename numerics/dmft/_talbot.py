"""Inverse Laplace transforms for the DMFT model: a fixed-Talbot rule evaluated in NumPy for all modes
and times at once (the fast route), its two-dimensional product form for the two-time kernels of the
loss, and mpmath's ``invertlaplace`` (``talbot``/``dehoog``) as the reference.

Fixed Talbot (Abate & Valko 2004): ``f(t) ~= (1/t) Re sum_{j=0}^{n-1} g_j F(d_j / t)`` with contour
nodes ``d_j = r theta_j (cot theta_j + i)``, ``theta_j = j pi / n``, ``r = 2n/5``, and weights
``g_0 = (r/2n) e^r``, ``g_j = (r/n) e^{d_j} (1 + i sigma_j)``,
``sigma_j = theta_j + (theta_j cot theta_j - 1) cot theta_j``. For a real function of two Laplace
variables with ``F(conj s1, conj s2) = conj F(s1, s2)`` the diagonal ``q(t) = f(t, t)`` of its
inverse is ``(1/t^2) Re sum_j g_j sum_l c_l F(d_j/t, d_l/t)``, with ``c_l`` the weights of the
full (both halves) contour: derived here from the 1-D rule applied in each variable.

References
----------
J. Abate, P. P. Valko, "Multi-precision Laplace transform inversion", Int. J. Numer. Meth. Eng. 60
(2004) 979-993, eq. (2.7)-(2.8).
"""

from __future__ import annotations

import numpy as np

__all__ = ["talbot_nodes", "full_contour"]


def talbot_nodes(n: int):
    """Dimensionless fixed-Talbot nodes ``d`` (``d[0] = r`` real) and weights ``g`` (upper half).

    >>> d, g = talbot_nodes(24)
    >>> t = 2.0; bool(abs(np.real(np.sum(g / (d / t + 1.0))) / t - np.exp(-t)) < 1e-10)
    True
    """
    theta = np.arange(n) * np.pi / n
    r = 2.0 * n / 5.0
    cot = np.zeros(n)
    cot[1:] = 1.0 / np.tan(theta[1:])
    d = r * theta * (cot + 1j)
    d[0] = r
    sigma = theta + (theta * cot - 1.0) * cot
    g = (r / n) * np.exp(d) * (1.0 + 1j * sigma)
    g[0] = 0.5 * (r / n) * np.exp(r)
    return d.astype(np.complex128), g.astype(np.complex128)


def full_contour(d, g):
    """Nodes and weights of the whole contour (upper half, then the conjugates of ``j >= 1``)."""
    df = np.concatenate([d, np.conj(d[1:])])
    cf = np.concatenate([g[:1], 0.5 * g[1:], 0.5 * np.conj(g[1:])])
    return df, cf
