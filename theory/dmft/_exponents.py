"""Bottleneck laws and compute-optimal exponents of the DMFT random-feature model, derived in SymPy
from its spectral sums.

Every law here comes from one lemma (derived in :func:`power_sum_law`): for ``kappa -> 0``,

    sum_k k^-p / (k^-b + kappa)^n  ~  (1/b) B(n - (p-1)/b, (p-1)/b) kappa^((p-1)/b - n)   if (p-1)/b < n,
                                    ~  zeta(p - n b)                                      if (p-1)/b > n,

i.e. the sum is dominated by the modes near ``k ~ kappa^(-1/b)`` (Euler-Maclaurin: sum -> integral,
then ``u = kappa x^b`` gives a Beta integral) unless that integral diverges at ``x -> 0``, in which case
the top modes dominate; the leading power of ``kappa`` is ``Min((p-1)/b - n, 0)``.

With it, at ``N, P = inf`` the bias is ``sum tau_k exp(-2 lambda_k t)`` -> ``t^-(a-1)/b``; in the static
limit ``df(kappa*) = N`` (or ``P``) gives ``kappa* ~ (c/N)^b`` (``b > 1``) and the loss terms of
:mod:`numerics.dmft` give

* bias (mean predictor, the paper's law): ``N^-min(a-1, 2b)``, ``P^-min(a-1, 2b)``;
* single-model test loss (bias + variance, derived here): ``P^-min(a-1, 2b)`` (noiseless) but
  ``N^-min(a-1, b)``: the width variance ``kappa^2 E U / (N - D2)`` contains
  ``U = sum tau_k lambda_k/(lambda_k+kappa)^2``, dominated by the top modes once ``a - 1 > b``. This
  is the ``F_0 ~ d^(-2 alpha + max(0, 1 - 2 beta))`` term of power-law random features (Paquette et
  al. 2024, with ``b = 2 alpha``, ``a = 2 alpha + 2 beta``) -- an independent check -- and is
  **checked by simulation** in ``tests/verification/dmft``.

The compute-optimal rule (``C = N t``) minimises ``t^-r_t + N^-r_N`` on ``N t = C``; the optimum
balances the two terms (derived by solving the balance equation in SymPy).

References
----------
B. Bordelon, A. Atanasov, C. Pehlevan, ICML 2024 (arXiv:2402.01092), Sec. 4-5 (bottlenecks and the
compute-optimal rule, as stated in the authors' blog post; research note ``dmft_annealing.md``
Sec. 1.3-1.4). E. Paquette, C. Paquette, L. Xiao, J. Pennington, NeurIPS 2024 (arXiv:2405.15074),
Thm. 2.1 (the ``F_0`` term).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sympy as sp

from .._errors import ParameterError
from ..validate import check_choice, check_real

__all__ = ["a_sym", "b_sym", "crossover_time", "power_sum_law", "time_law", "width_law", "data_law", "compute_optimal",
           "ComputeOptimal", "Law", "exponents"]

a_sym, b_sym = sp.symbols("a b", positive=True)
_kappa, _x, _u, _t = sp.symbols("kappa x u t", positive=True)


@dataclass(frozen=True)
class Law:
    """``quantity ~ coefficient * variable^(-exponent)`` (the exponent as a SymPy expression in a, b)."""

    variable: str
    exponent: sp.Expr
    coefficient: sp.Expr | None
    note: str

    def at(self, a: float, b: float) -> float:
        return float(self.exponent.subs({a_sym: a, b_sym: b}))


def power_sum_law(p, n):
    """Leading ``kappa -> 0`` behaviour of ``sum_k k^-p / (k^-b + kappa)^n``: ``(coefficient, power)``.

    Derived: the integral ``int_0^inf x^-p (x^-b + kappa)^-n dx`` is reduced by ``u = kappa x^b`` to a
    Beta integral (SymPy evaluates it), valid when ``0 < (p-1)/b < n``; when ``(p-1)/b > n`` the top
    modes dominate and the sum tends to ``zeta(p - n b)``. Returned as Piecewise expressions.

    >>> c, e = power_sum_law(b_sym, 1)      # df(kappa)
    >>> sp.simplify(c.args[0][0].rewrite(sp.gamma)), e
    (pi/(b*sin(pi/b)), Min(0, -1 + (b - 1)/b))
    >>> c, e = power_sum_law(a_sym, 2)      # the bias sum S
    >>> e
    Min(0, -2 + (a - 1)/b)
    """
    p, n = sp.sympify(p), sp.sympify(n)
    b = b_sym
    q = (p - 1) / b
    # x = (u/kappa)^(1/b): x^-p = (u/kappa)^(-p/b), x^-b + kappa = kappa (1 + u)/u, dx = x du/(b u)
    integrand = sp.simplify(((_u / _kappa) ** (-p / b)) * (_kappa * (1 + _u) / _u) ** (-n)
                            * (_u / _kappa) ** (1 / b) / (b * _u))
    u_part = sp.simplify(integrand * _kappa ** (-(q - n)))
    u_part = sp.powsimp(sp.expand_power_base(u_part, force=True), force=True)
    beta_int = sp.beta(n - q, q) / b  # int_0^inf u^(n-q-1) (1+u)^-n du / b = B(n-q, q)/b
    # check the reduction symbolically at a sample point (keeps the derivation honest)
    sample = {a_sym: sp.Rational(5, 2), b_sym: sp.Rational(3, 2)}
    qs = q.subs(sample)
    if 0 < qs < n:
        import mpmath

        f = sp.lambdify(_u, u_part.subs(sample), "mpmath")
        num = mpmath.quad(f, [0, 1, mpmath.inf])
        ref = beta_int.subs(sample).evalf(20)
        if not abs(num - ref) < 1e-5 * abs(ref):  # pragma: no cover - a wrong substitution above
            raise RuntimeError(f"power_sum_law: u-integral {num} != Beta form {ref}")
    coef = sp.Piecewise((beta_int, q < n), (sp.zeta(p - n * b), True))
    return coef, sp.Min(q - n, 0)


def _n_exponent(kappa_power):
    """Exponent ``e`` in ``N^-e`` of ``kappa^kappa_power`` with ``kappa ~ N^-b``."""
    if isinstance(kappa_power, sp.Min):
        return sp.Min(*[sp.expand(b_sym * x) for x in kappa_power.args])
    return sp.expand(b_sym * kappa_power)


@lru_cache(maxsize=None)
def time_law() -> Law:
    """The time bottleneck at ``N, P = inf``: ``sum_k k^-a exp(-2 k^-b t) ~ (1/b) Gamma((a-1)/b) (2t)^-(a-1)/b``.

    (``Gamma(1 + (a-1)/b)/(a-1) = Gamma((a-1)/b)/b``.)

    >>> L = time_law(); L.exponent, L.coefficient
    ((a - 1)/b, 2**((1 - a)/b)*gamma(a/b + 1 - 1/b)/(a - 1))
    """
    a, b = a_sym, b_sym
    # x = (2t/u)^(1/b): x^-a = (u/2t)^(a/b), dx = -(1/b)(2t)^(1/b) u^(-1/b-1) du
    u_integrand = sp.powsimp(((_u / (2 * _t)) ** (a / b)) * (2 * _t) ** (1 / b) * _u ** (-1 / b - 1) * sp.exp(-_u) / b,
                             force=True)
    res = sp.integrate(sp.expand_power_base(u_integrand, force=True), (_u, 0, sp.oo), conds="none")
    res = sp.powsimp(sp.simplify(res), force=True)
    expo = sp.simplify(-sp.diff(sp.log(res), _t) * _t)
    coef = sp.simplify(res * _t ** expo)
    return Law("t", sp.simplify(expo), coef, "bias = test loss at N = P = inf (derived: Gamma integral)")


def _static_terms():
    """Leading laws of the static sums used by :func:`width_law` / :func:`data_law`."""
    a, b = a_sym, b_sym
    return {"df": power_sum_law(b, 1), "S": power_sum_law(a, 2), "E": power_sum_law(b, 2),
            "U": power_sum_law(a + b, 2), "D2": power_sum_law(2 * b, 2)}


@lru_cache(maxsize=None)
def width_law(kind: str = "bias") -> Law:
    """Width bottleneck (``t, P -> inf``): ``N^-min(a-1, 2b)`` for the bias, ``N^-min(a-1, b)`` single model.

    Needs ``b > 1`` (then ``df(kappa) ~ c kappa^(-1/b)`` and ``kappa* ~ (c/N)^b``).

    >>> width_law("bias").exponent, width_law("single").exponent
    (Min(2*b, a - 1), Min(b, a - 1))
    """
    kind = check_choice("kind", kind, ("bias", "single"))
    T = _static_terms()
    if kind == "bias":
        return Law("N", _n_exponent(sp.Min(*[sp.expand(2 + x) for x in T["S"][1].args])), None,
                   "bias kappa*^2 S at df(kappa*) = N (derived)")
    # variance kappa^2 E U / (N - D2): N and D2 both ~ kappa^(-1/b) (b > 1), E ~ kappa^(-1-1/b)
    e_pow = sp.expand(-1 - 1 / b_sym)                               # E's power for b > 1
    n_pow = -1 / b_sym
    var_pows = [sp.expand(2 + e_pow - n_pow + x) for x in T["U"][1].args]
    all_pows = [sp.expand(2 + x) for x in T["S"][1].args] + var_pows
    return Law("N", _n_exponent(sp.Min(*all_pows)), None,
               "single-model loss kappa*^2 S + kappa*^2 E U/(N - D2) at df(kappa*) = N (derived)")


@lru_cache(maxsize=None)
def data_law() -> Law:
    """Data bottleneck (``t, N -> inf``, noiseless): ``P^-min(a-1, 2b)`` for bias and single model alike
    (the data variance is the factor ``1/(1 - D2/P) -> b``).

    >>> data_law().exponent
    Min(2*b, a - 1)
    """
    T = _static_terms()
    return Law("P", _n_exponent(sp.Min(*[sp.expand(2 + x) for x in T["S"][1].args])), None,
               "kappa*^2 S/(1 - D2/P) at df(kappa*) = P (derived)")


@dataclass(frozen=True)
class ComputeOptimal:
    """``N* ~ C^width``, ``t* ~ C^steps``, ``L* ~ C^-loss`` in each regime of ``a - 1`` vs ``2b``
    (or ``b`` for the single-model loss), with the condition for steps to grow faster than width."""

    kind: str
    width: sp.Expr
    steps: sp.Expr
    loss: sp.Expr
    regimes: dict
    steps_faster_when: sp.Expr

    def at(self, a: float, b: float) -> dict:
        s = {a_sym: a, b_sym: b}
        return {k: float(getattr(self, k).subs(s)) for k in ("width", "steps", "loss")}


def _balance(r_t, r_n):
    """Maximise ``min(r_n x, r_t (1-x))`` over ``x`` (``N = C^x``, ``t = C^(1-x)``): solve the balance."""
    x = sp.Symbol("x", positive=True)
    sol = sp.solve(sp.Eq(r_n * x, r_t * (1 - x)), x)[0]
    return sp.simplify(sol), sp.simplify(1 - sol), sp.simplify(r_n * sol)


@lru_cache(maxsize=None)
def compute_optimal(kind: str = "bias") -> ComputeOptimal:
    """The compute-optimal rule for ``C = N t`` at ``P = inf``, derived from ``t^-(a-1)/b + N^-c`` (bias)
    or from the three terms of the single-model loss.

    >>> co = compute_optimal("bias")
    >>> co.width, co.steps, co.loss
    ((a - 1)/(a + b*Min(2*b, a - 1) - 1), b*Min(2*b, a - 1)/(a + b*Min(2*b, a - 1) - 1), (a - 1)*Min(2*b, a - 1)/(a + b*Min(2*b, a - 1) - 1))
    >>> co.regimes["a-1 < 2b"]
    {'width': 1/(b + 1), 'steps': b/(b + 1), 'loss': (a - 1)/(b + 1)}
    >>> co.regimes["a-1 > 2b"]
    {'width': (a - 1)/(a + 2*b**2 - 1), 'steps': 2*b**2/(a + 2*b**2 - 1), 'loss': 2*b*(a - 1)/(a + 2*b**2 - 1)}
    >>> co.steps_faster_when
    b*Min(2*b, a - 1) > a - 1

    The single-model loss (bias + variance) has a third term ``N^-1 t^-(b-1)/b`` when ``a - 1 > b``
    (derived in ``_compute_optimal_single``):

    >>> compute_optimal("single").regimes["a-1 > b"]
    {'width': (a - b)/a, 'steps': b/a, 'loss': (a - 1)/a}
    """
    kind = check_choice("kind", kind, ("bias", "single"))
    a, b = a_sym, b_sym
    r_t = time_law().exponent
    c = width_law(kind).exponent
    m = sp.Symbol("m", positive=True)
    w, s, l = _balance(r_t, m)
    if kind == "single":
        return _compute_optimal_single(r_t, w, s, l, m)
    regimes = {}
    for label, mv in (("a-1 < 2b", a - 1), ("a-1 > 2b", 2 * b)):
        regimes[label] = {k: sp.factor(sp.simplify(e.subs(m, mv))) for k, e in
                          (("width", w), ("steps", s), ("loss", l))}
    sub = lambda e: sp.simplify(e.subs(m, c))  # noqa: E731
    # steps exponent > width exponent  <=>  b c > a - 1 (both share the positive denominator)
    return ComputeOptimal(kind, sub(w), sub(s), sub(l), regimes, sp.StrictGreaterThan(b * c, a - 1))


def _compute_optimal_single(r_t, w, s, l, m):
    """The single-model rule: three terms when ``a - 1 > b``.

    The first-order width variance (``numerics.dmft.first_order_loss``) contains
    ``(1/N) (sum_k tau_k/lambda_k) sum_l lambda_l exp(-2 lambda_l t)``; when ``a - b > 1`` the first
    factor converges (top modes) and the second is ``~ t^-(b-1)/b`` (:func:`power_sum_law`), a third
    term ``N^-1 t^-(b-1)/b`` of the loss. With ``N = C^x``: maximise
    ``min(r_t (1-x), b x, x + (1-x)(b-1)/b)``; the balance of the first and third terms is optimal
    because the second is then larger (``b x - loss = (b-1)(a-b-1)/a >= 0``, checked below). For
    ``a - 1 < b`` the two-term rule holds (the third term's coefficient grows like ``k^(1+b-a)`` and
    only renormalises the constant: at the two-term optimum it decays like ``C^-b/(1+b)``, faster).
    """
    a, b = a_sym, b_sym
    x = sp.Symbol("x", positive=True)
    third = x + (1 - x) * (b - 1) / b
    x13 = sp.simplify(sp.solve(sp.Eq(r_t * (1 - x), third), x)[0])
    loss13 = sp.simplify(r_t * (1 - x13))
    slack = sp.factor(sp.simplify(b * x13 - loss13))
    if sp.simplify(slack - (b - 1) * (a - b - 1) / a) != 0:  # pragma: no cover - derivation guard
        raise RuntimeError(f"compute_optimal: unexpected slack {slack}")
    low = {k: sp.factor(sp.simplify(e.subs(m, a - 1))) for k, e in (("width", w), ("steps", s), ("loss", l))}
    high = {"width": sp.factor(x13), "steps": sp.factor(sp.simplify(1 - x13)), "loss": sp.factor(loss13)}
    cond = a - 1 < b
    pw = {k: sp.Piecewise((low[k], cond), (high[k], True)) for k in low}
    return ComputeOptimal("single", pw["width"], pw["steps"], pw["loss"], {"a-1 < b": low, "a-1 > b": high},
                          sp.StrictGreaterThan(pw["steps"], pw["width"]))


def exponents(a: float, b: float, kind: str = "bias") -> dict:
    """All exponents at a point: ``{name: (sympy string, float)}`` for time, width, data and the compute rule.

    >>> e = exponents(2.0, 1.5)
    >>> e["time"][1], e["width"][1], round(e["compute_loss"][1], 6), round(e["compute_steps"][1], 6)
    (0.6666666666666666, 1.0, 0.4, 0.6)
    """
    check_real("a", a, gt=1)
    check_real("b", b, gt=0)
    if not b > 1:
        raise ParameterError("b", "b > 1 for the width/data/compute laws (for b <= 1 df(kappa) depends on M)", b)
    kind = check_choice("kind", kind, ("bias", "single"))
    s = {a_sym: a, b_sym: b}
    co = compute_optimal(kind)
    out = {"time": time_law().exponent, "width": width_law(kind).exponent, "data": data_law().exponent,
           "compute_loss": co.loss, "compute_width": co.width, "compute_steps": co.steps}
    return {k: (str(v), float(v.subs(s))) for k, v in out.items()}


@lru_cache(maxsize=None)
def crossover_time() -> sp.Expr:
    """The time ``t_x = 1/kappa*(N) ~ (N / c)^b``, ``c = pi/(b sin(pi/b))`` (``b > 1``), where the early
    universal ``1/N`` correction gives way to the late ``N^-c`` width bottleneck.

    Derived: the first-order correction (``numerics.dmft.first_order_loss``) is an expansion in
    ``df(s)/N`` with ``s ~ 1/t``; it is uniform only while ``df(1/t) << N``, i.e. ``t << 1/kappa*``
    with ``df(kappa*) = N``; ``df(kappa) ~ c kappa^(-1/b)`` (:func:`power_sum_law`) gives the closed form.

    >>> crossover_time()
    (N*b*sin(pi/b)/pi)**b
    """
    N = sp.Symbol("N", positive=True)
    c = sp.simplify(power_sum_law(b_sym, 1)[0].args[0][0].rewrite(sp.gamma))
    return sp.simplify((N / c) ** b_sym)
