"""A small algebra of asymptotic power-law terms (SymPy).

A :class:`PowerTerm` is an asymptotic statement of the form

.. math::

    \\text{term} \\asymp C(\\alpha, \\beta)\\; \\gamma^{g}\\, (\\gamma B r)^{p}\\, d^{q}
    \\qquad\\text{for } (\\alpha, \\beta) \\in \\text{region},

where ``C``, ``g``, ``p`` and ``q`` are SymPy expressions in the symbols :data:`alpha` and
:data:`beta` and ``region`` is a SymPy boolean (an ``And`` of relations) in the same
symbols. ``T = gamma B r`` is the "optimizer time" in which the PLRF forcing terms are
power laws (Paquette et al. 2024, Sec. 3; :mod:`theory._plrf_terms`).

Terms can be compared (which one dominates, in the sense of exponents), multiplied,
added (an asymptotic sum is the maximum of its parts up to constants) and evaluated
numerically through :func:`sympy.lambdify` with NumPy.

For the compute-optimal analysis a term is read in log-space: with ``d = f^x``, a learning
rate ``gamma ~ d^g`` and ``r = f / (d B)`` at fixed batch ``B``, a term is ``f^{-e(x)}``
with ``e`` affine in ``x`` (:meth:`PowerTerm.loss_exponent`).

References
----------
E. Paquette, C. Paquette, L. Xiao, J. Pennington, "4+3 Phases of Compute-Optimal Neural
Scaling Laws", NeurIPS 2024 (arXiv:2405.15074), Sec. 3 (Table 1) and Sec. 4 (Table 2).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import sympy as sp

from ._errors import ParameterError

__all__ = ["alpha", "beta", "T", "d", "gamma", "PowerTerm", "TermSum"]

#: The PLRF exponents as SymPy symbols (positive reals; ``beta`` may be <= 0 in principle,
#: but every region used in sltk has ``2 alpha + 2 beta > 1``).
alpha = sp.Symbol("alpha", positive=True)
beta = sp.Symbol("beta", real=True)
#: Optimizer time ``T = gamma B r``.
T = sp.Symbol("T", positive=True)
#: Number of parameters.
d = sp.Symbol("d", positive=True)
#: Learning rate (batch-sum convention).
gamma = sp.Symbol("gamma", positive=True)


def _sym(x) -> sp.Expr:
    return sp.sympify(x)


_LOSS_EXPONENTS: dict = {}


@dataclass(frozen=True)
class PowerTerm:
    """``coeff * gamma**gamma_power * T**t_power * d**d_power`` where ``region`` holds.

    Parameters
    ----------
    name : str
        Short name (``"F_pp"``, ``"F_ac"``, ``"F_0"``, ``"noise"``, ...).
    coeff : sympy expression
        Leading constant, a function of ``alpha``, ``beta`` (and possibly other symbols,
        e.g. ``zeta(2 beta)``).
    t_power, d_power, gamma_power : sympy expressions
        Exponents of ``T = gamma B r``, ``d`` and of an extra factor ``gamma``.
    region : sympy boolean
        Where in ``(alpha, beta)`` the asymptotic form holds.
    note : str
        Provenance / validity window in words.

    Examples
    --------
    >>> from theory._power_terms import PowerTerm, alpha, beta
    >>> t = PowerTerm("F_pp", 1, -(2*alpha + 2*beta - 1)/(2*alpha), 0, region=2*alpha + 2*beta > 1)
    >>> t.expr
    T**((-2*alpha - 2*beta + 1)/(2*alpha))
    >>> t.loss_exponent(g=0)   # d = f^x, gamma ~ 1: the term is f^(-e(x))
    -(x - 1)*(2*alpha + 2*beta - 1)/(2*alpha)

    References
    ----------
    Paquette et al. (2024), arXiv:2405.15074, Table 1.
    """

    name: str
    coeff: sp.Expr
    t_power: sp.Expr
    d_power: sp.Expr
    gamma_power: sp.Expr = sp.S.Zero
    region: sp.Basic = sp.true
    note: str = ""
    derivation: tuple = field(default=(), compare=False)

    def __post_init__(self):
        for f in ("coeff", "t_power", "d_power", "gamma_power"):
            object.__setattr__(self, f, _sym(getattr(self, f)))
        object.__setattr__(self, "region", _sym(self.region))

    # ------------------------------------------------------------ symbolic views
    @property
    def expr(self) -> sp.Expr:
        """The term as one SymPy expression in ``T``, ``d``, ``gamma``."""
        return self.coeff * gamma ** self.gamma_power * T ** self.t_power * d ** self.d_power

    def loss_exponent(self, g=0, x: sp.Symbol | None = None) -> sp.Expr:
        """Exponent ``e(x)`` with ``term ~ f^(-e(x))`` when ``d = f^x``, ``gamma ~ d^g``.

        With ``r = f/(d B)`` at fixed ``B``: ``T = gamma B r ~ f^(1 + (g - 1) x)``.
        """
        x = sp.Symbol("x", real=True) if x is None else x
        g = _sym(g)
        key = (self.gamma_power, self.t_power, self.d_power, g, x)
        if key not in _LOSS_EXPONENTS:  # a pure function of these: derived once per process
            log_f = self.gamma_power * g * x + self.t_power * (1 + (g - 1) * x) + self.d_power * x
            _LOSS_EXPONENTS[key] = sp.factor(sp.simplify(-log_f))
        return _LOSS_EXPONENTS[key]

    def curve_exponent(self, g=0, u: sp.Symbol | None = None) -> sp.Expr:
        """Exponent of ``d`` along one loss curve: ``term ~ d^(c(u))`` at ``T = d^u``."""
        u = sp.Symbol("u", real=True) if u is None else u
        g = _sym(g)
        return sp.expand(self.gamma_power * g + self.t_power * u + self.d_power)

    def at(self, alpha_value, beta_value) -> "PowerTerm":
        """The term with ``alpha``, ``beta`` replaced by numbers (exact if given exactly)."""
        s = {alpha: _sym(alpha_value), beta: _sym(beta_value)}
        return replace(
            self,
            coeff=self.coeff.subs(s),
            t_power=self.t_power.subs(s),
            d_power=self.d_power.subs(s),
            gamma_power=self.gamma_power.subs(s),
            region=self.region.subs(s),
        )

    def holds_at(self, alpha_value, beta_value) -> bool:
        """Whether ``region`` contains the point ``(alpha, beta)``."""
        val = self.region.subs({alpha: _sym(alpha_value), beta: _sym(beta_value)})
        return bool(val == sp.true)

    # ------------------------------------------------------------ algebra
    def __mul__(self, other):
        if isinstance(other, PowerTerm):
            return PowerTerm(
                f"{self.name}*{other.name}",
                self.coeff * other.coeff,
                self.t_power + other.t_power,
                self.d_power + other.d_power,
                self.gamma_power + other.gamma_power,
                sp.And(self.region, other.region),
            )
        return replace(self, coeff=self.coeff * _sym(other))

    __rmul__ = __mul__

    def __add__(self, other):
        return TermSum((self,)) + other

    def compare(self, other: "PowerTerm", g=0) -> sp.Expr:
        """``e_other(x) - e_self(x)``: positive where ``self`` dominates at ``d = f^x``."""
        x = sp.Symbol("x", real=True)
        return sp.simplify(other.loss_exponent(g, x) - self.loss_exponent(g, x))

    def dominates(self, other: "PowerTerm", *, at: dict, g=0) -> bool:
        """Whether ``self`` decays strictly slower than ``other`` at a numeric point.

        ``at`` maps ``alpha``, ``beta`` and ``x`` (the exponent of ``d = f^x``) to numbers.
        """
        x = sp.Symbol("x", real=True)
        subs = {alpha: at["alpha"], beta: at["beta"], x: at["x"]}
        diff = self.compare(other, g).subs(subs)
        return bool(sp.N(diff) > 0)

    # ------------------------------------------------------------ numerics
    def lambdify(self, alpha_value, beta_value):
        """NumPy function ``f(T, d, gamma)`` of the term at fixed ``(alpha, beta)``.

        >>> from theory._power_terms import PowerTerm, alpha
        >>> f = PowerTerm("x", 2, -1/(2*alpha), 0).lambdify(0.5, 0.7)
        >>> float(f(4.0, 10.0, 1.0))
        0.5
        """
        t = self.at(alpha_value, beta_value)
        expr = sp.N(t.expr)
        fn = sp.lambdify((T, d, gamma), expr, modules=["numpy", "scipy"])

        def call(T_, d_, gamma_):
            out = np.asarray(fn(np.asarray(T_, dtype=float), float(d_), float(gamma_)), dtype=float)
            out = np.broadcast_to(out, np.broadcast(np.asarray(T_, dtype=float)).shape).copy()
            if not np.all(np.isfinite(out)):
                raise ParameterError(self.name, "a finite value (term evaluated outside its validity)",
                                     "non-finite")
            return out

        return call


@dataclass(frozen=True)
class TermSum:
    """An asymptotic sum of :class:`PowerTerm` (up to constants it is their maximum).

    Examples
    --------
    >>> from theory._power_terms import PowerTerm, alpha
    >>> s = PowerTerm("a", 1, -1, 0) + PowerTerm("b", 1, 0, -2*alpha)
    >>> [t.name for t in s.terms]
    ['a', 'b']
    >>> s.expr
    d**(-2*alpha) + 1/T
    """

    terms: tuple

    def __add__(self, other):
        if isinstance(other, PowerTerm):
            return TermSum(self.terms + (other,))
        if isinstance(other, TermSum):
            return TermSum(self.terms + other.terms)
        return NotImplemented

    __radd__ = __add__

    @property
    def expr(self) -> sp.Expr:
        return sp.Add(*[t.expr for t in self.terms])

    def loss_exponent(self, g=0, x=None) -> sp.Expr:
        """``min_k e_k(x)``: the sum decays like its slowest term."""
        return sp.Min(*[t.loss_exponent(g, x) for t in self.terms])

    def evaluate(self, alpha_value, beta_value, T_, d_, gamma_, how: str = "sum") -> np.ndarray:
        """Numeric value: ``"sum"`` or ``"max"`` of the terms at ``(T, d, gamma)``."""
        vals = np.array([t.lambdify(alpha_value, beta_value)(T_, d_, gamma_) for t in self.terms])
        return vals.sum(axis=0) if how == "sum" else vals.max(axis=0)
