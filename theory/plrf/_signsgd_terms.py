"""signSGD risk terms on PLRF in SymPy: drift-normalised time, the noise term and its
model-size exponent, and the map of drift exponents.

Derivations (done here with SymPy; the mechanisms are those of the research note
``plrf_signsgd.md`` Sec. 2.3, which reconstructs Kim, Song & Yun 2026 -- the paper's own
formulas were not available):

1. **Drift-normalised time.** signSGD's drift is SGD's drift with the rate
   ``gamma_eff = (2/pi) s gamma / sqrt(P)``, ``s = sqrt(d / tr D)`` (diagonal
   preconditioning, ``diag K ~ (tr D / d) I``). With ``tau = sum_k gamma_eff(k)`` and a drift
   term ``P ~ c tau^(-x)`` dominating, ``d tau/dk = G tau^(x/2)`` (``G ~ gamma s c^(-1/2)``);
   :func:`drift_time_exponent` solves this ODE with ``sympy.dsolve``: ``tau ~ (G k)^(2/(2-x))``
   and ``P ~ (G k)^(-2x/(2-x))`` for ``x < 2`` (finite-time extinction for ``x >= 2``).
2. **Noise term.** The per-mode noise injection ``gamma^2 n_j`` has no factor ``P``; the
   stationary balance ``2 gamma phi lam_j r_j = gamma^2 n_j`` summed over modes with
   ``sum_j n_j / lam_j = sum_i sqrt(K_ii) ~ sqrt(d tr D)`` gives
   ``P_noise = (pi^2/16) gamma^2 d tr D`` when the noise dominates (:func:`noise_term`,
   ``sympy.solve``); with ``tr D ~ d^max(0, 1 - 2 alpha)`` (``v ~ d``) its model-size
   exponent is ``2 - min(1, 2 alpha)``.
3. **Preconditioning exponent** ``s ~ d^sigma``, ``sigma = min(alpha, 1/2)``.

Compute-optimal variables: at compute ``f = d N`` (batch 1) write ``d = f^u`` and
``gamma = f^w`` (so ``gamma_0 = d^(-e)`` with ``e = -w/u``); every term is ``f^(-E(u, w))``
with ``E`` **affine** in ``(u, w)`` -- a linear program in log space
(:mod:`theory.plrf._signsgd_lp`).

References
----------
J. Kim, D. Song, C. Yun, "Scaling Laws of SignSGD in Linear Regression: When Does It
Outperform SGD?", ICLR 2026 (arXiv:2603.02069) (four-term risk, drift normalisation, noise
term ``gamma_0^2 M^(2 - min(1, 2 alpha))``); K. L. Xiao et al., arXiv:2411.12135 (the four
effects); E. Paquette et al., arXiv:2405.15074 (the SGD terms ``F_0, F_pp, F_ac``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sympy as sp

from .._power_terms import alpha, beta

__all__ = [
    "u_sym",
    "w_sym",
    "drift_time_exponent",
    "noise_term",
    "preconditioning_exponent",
    "SignSGDTerm",
    "signsgd_terms",
    "t_sym",
    "q_sym",
    "ts_sym",
    "tau_exponent",
    "SignSGDBranch",
    "signsgd_branches",
]

#: log_f d and log_f gamma.
u_sym, w_sym = sp.symbols("u w", real=True)
#: the LP's loss exponent (``P ~ f^-t``) and the decay exponent ``q`` (see :func:`signsgd_branches`).
t_sym = sp.Symbol("t")
q_sym = sp.Symbol("q", positive=True)
#: decay schedules: the loss exponent at the end of the stable (constant-rate) phase.
ts_sym = sp.Symbol("t_s")


@lru_cache(maxsize=None)
def drift_time_exponent():
    """``(tau exponent, loss exponent)`` of ``d tau/dk = G tau^(x/2)``, as SymPy functions of ``x``.

    Solved by ``sympy.dsolve`` with ``tau(0) = 0``: ``tau = ((1 - x/2) G k)^(2/(2-x))``, so
    ``tau ~ k^(2/(2-x))`` and a drift term ``tau^(-x)`` decays like ``k^(-2x/(2-x))``.

    >>> x = sp.Symbol("x", positive=True)
    >>> t_exp, l_exp = drift_time_exponent()
    >>> sp.simplify(t_exp - 2 / (2 - x)), sp.simplify(l_exp - 2 * x / (2 - x))
    (0, 0)
    """
    from pathlib import Path

    from .._derivation_cache import cached_derivation

    # sympy.dsolve costs ~2 s a process: derived once per machine (keyed by this file)
    return cached_derivation("signsgd_drift_time_exponent", [Path(__file__)], _derive_drift_time_exponent)


def _derive_drift_time_exponent():
    x = sp.Symbol("x", positive=True)
    k, G = sp.symbols("k G", positive=True)
    tau = sp.Function("tau")
    sol = sp.dsolve(sp.Eq(tau(k).diff(k), G * tau(k) ** (x / 2)), tau(k))
    sols = sol if isinstance(sol, list) else [sol]
    # the power-law branch (x != 2) with the integration constant C1 = 0, i.e. tau(0) = 0
    C1 = sp.Symbol("C1")
    for s in sols:
        rhs = s.rhs.subs(C1, 0)
        if isinstance(rhs, sp.Piecewise):
            rhs = rhs.args[0][0]
        if rhs.has(k) and not rhs.has(sp.exp):
            break
    else:  # pragma: no cover
        raise RuntimeError("dsolve returned no power-law solution")
    t_exp = sp.simplify(sp.diff(sp.expand_log(sp.log(rhs), force=True), k) * k)
    return sp.simplify(t_exp), sp.simplify(x * t_exp)


def noise_term():
    """Stationary noise-dominated risk ``P`` of signSGD from ``P = (pi gamma / 4) sqrt(P) S``,
    ``S = sum_i sqrt(K_ii)`` (derived by ``sympy.solve``).

    >>> g, S = sp.symbols("gamma S", positive=True)
    >>> noise_term().subs({sp.Symbol("gamma", positive=True): g})
    pi**2*S**2*gamma**2/16
    """
    P, g, S = sp.symbols("P gamma S", positive=True)
    sol = sp.solve(sp.Eq(P, sp.pi * g / 4 * sp.sqrt(P) * S), P)
    return [s for s in sol if s != 0][0]


def preconditioning_exponent():
    """``sigma`` with ``sqrt(d / tr D) ~ d^sigma`` (``v ~ d``): ``min(alpha, 1/2)``.

    ``tr D = sum_{j<=v} j^(-2 alpha) ~ v^max(0, 1 - 2 alpha)`` (the sum converges for
    ``2 alpha > 1``).

    >>> preconditioning_exponent()
    Piecewise((1/2, alpha > 1/2), (alpha, True))
    """
    trd = sp.Piecewise((0, alpha > sp.Rational(1, 2)), (1 - 2 * alpha, True))
    return sp.piecewise_fold((1 - trd) / 2)


@dataclass(frozen=True)
class SignSGDTerm:
    """One term ``f^(-E(u, w))`` with ``E`` affine in ``(u, w)``, valid where ``region`` holds."""

    name: str
    exponent: sp.Expr
    region: sp.Basic
    note: str = ""
    #: "term": the LP constraint is ``exponent - t >= 0`` (``P >~ f^-exponent``);
    #: "condition": the constraint is ``exponent >= 0`` (a branch condition, no ``t``).
    kind: str = "term"

    def holds_at(self, a, b) -> bool:
        return bool(self.region.subs({alpha: a, beta: b}))

    def constraint(self):
        """The affine LP constraint ``g(u, w, t) >= 0``."""
        return self.exponent - t_sym if self.kind == "term" else self.exponent


def _x_pp():
    return (2 * alpha + 2 * beta - 1) / (2 * alpha)


def _x_ac():
    return (2 * alpha - 1) / (2 * alpha)


@lru_cache(maxsize=None)
def signsgd_terms() -> tuple:
    """The signSGD terms on PLRF (batch 1, ``v ~ d``) in the variables ``u = log_f d``,
    ``w = log_f gamma``.

    * ``F_0 = d^-(2 alpha - max(0, 1 - 2 beta))`` (approximation error, as for SGD);
    * ``F_pp``: SGD's pure-point drift ``tau^-x_pp`` with ``x_pp = (2a + 2b - 1)/(2a)`` in the
      drift-normalised time, ``G = gamma s``: ``E = 2x/(2-x) (w + sigma u + 1 - u)``
      (``x_pp < 2``; for ``x_pp >= 2`` the drift ends in finite time and the term drops out);
    * ``F_ac`` (``2 beta > 1``, ``2 alpha > 1``): ``d^-1 tau^-x_ac``, ``G = gamma s d^(1/2)``:
      ``E = u + 2x/(2-x) (w + sigma u + u/2 + 1 - u)``;
    * ``noise = gamma^2 d tr D``: ``E = -(2 w + (2 - min(1, 2 alpha)) u)``.

    >>> [t.name for t in signsgd_terms()]
    ['F_0', 'F_pp', 'F_ac', 'noise']
    """
    _, lmap = drift_time_exponent()
    xs = list(lmap.free_symbols)[0]
    sigma = preconditioning_exponent()
    u, w = u_sym, w_sym
    f0 = sp.Piecewise((2 * alpha, 2 * beta > 1), (2 * alpha + 2 * beta - 1, True)) * u
    xpp, xac = _x_pp(), _x_ac()
    epp = sp.simplify(lmap.subs(xs, xpp)) * (w + sigma * u + 1 - u)
    eac = u + sp.simplify(lmap.subs(xs, xac)) * (w + sigma * u + u / 2 + 1 - u)
    noise = -(2 * w + (2 - sp.Min(1, 2 * alpha)) * u)
    half = sp.Rational(1, 2)
    return (
        SignSGDTerm("F_0", f0, sp.true, "approximation error (as for SGD)"),
        SignSGDTerm("F_pp", epp, sp.StrictLessThan(xpp, 2), "pure-point drift in drift-normalised time"),
        SignSGDTerm("F_ac", eac, sp.And(beta > half, alpha > half), "absolutely-continuous drift"),
        SignSGDTerm("noise", noise, sp.true, "sign-noise floor (pi^2/16) gamma^2 d tr D"),
    )


def tau_exponent(t=t_sym):
    """``log_f tau`` of the drift-normalised time at the end of training.

    ``tau = sum_k gamma_k phi_k s`` with ``phi = (2/pi)/sqrt(P)``; the sum is dominated by the
    last steps (``P`` decreases), so ``tau ~ gamma s N / sqrt(P_final)`` with ``N = f / d``:
    ``T = w + sigma u + 1 - u + t/2``. (With it, ``P >~ tau^-x`` reads
    ``t <= 2x/(2-x) (w + sigma u + 1 - u)``, exactly the drift term ``F_pp``.)

    >>> tau_exponent().subs(alpha, sp.Rational(3, 4))
    t/2 - u/2 + w + 1
    """
    return w_sym + preconditioning_exponent() * u_sym + 1 - u_sym + t / 2


@dataclass(frozen=True)
class SignSGDBranch:
    """One convex piece of the LP's feasible set: the drift terms plus the noise pieces valid
    while ``condition`` (affine, ``>= 0``) holds."""

    name: str
    terms: tuple


def _noise_pieces(iota, eq: bool, schedule: str, T):
    """Noise lower bounds ``P >~ f^-E`` with ``J = f^iota`` relaxed modes (see
    :func:`signsgd_branches`)."""
    u, w = u_sym, w_sym
    half, quarter = sp.Rational(1, 2), sp.Rational(1, 4)
    sigma = preconditioning_exponent()
    q = q_sym
    out = []
    if schedule == "constant":
        # relaxed modes at equilibrium, sqrt(P) >~ gamma s sum_{j<=J} mu_j (anisotropic part)
        a2 = sp.Piecewise((0, alpha > half), ((1 - 2 * alpha) * iota, True))
        out.append(SignSGDTerm("noise", -(2 * w + 2 * sigma * u + 2 * a2), sp.true,
                               "relaxed modes, (2/pi) s^2 mu_j part: gamma^2 s^2 (sum_{j<=J} mu_j)^2"))
        # isotropic part: sqrt(P) >~ (gamma / s) J
        out.append(SignSGDTerm("noise iso", -(2 * w + 2 * iota - 2 * sigma * u), sp.true,
                               "relaxed modes, (1 - 2/pi) part: gamma^2 J^2 / s^2"))
    else:  # decay: a relaxed mode keeps the fraction (mu_j tau)^-q of its stable-phase noise
        if eq:
            a2 = -q * T + sp.Piecewise(((1 - 2 * alpha * (1 - q)) * u, 2 * alpha * (1 - q) < 1), (0, True))
            iso = -q * T + (1 + 2 * alpha * q) * u
        else:
            a2 = sp.Piecewise(((1 - 2 * alpha) * iota, 2 * alpha * (1 - q) < 1), (-q * T, True))
            iso = iota
        out.append(SignSGDTerm("noise", -(2 * w + 2 * sigma * u + 2 * a2), sp.true,
                               "after the decay: gamma^2 s^2 (tau^-q sum_{j<=J} mu_j^(1-q))^2"))
        out.append(SignSGDTerm("noise iso", -(2 * w + 2 * iso - 2 * sigma * u), sp.true,
                               "after the decay: gamma^2 (tau^-q sum_{j<=J} mu_j^-q)^2 / s^2"))
    if not eq:
        # modes not yet relaxed (j > J) keep all their injected noise gamma^2 N n_j
        tail1 = sp.Piecewise(((1 - 2 * alpha) * iota, alpha > half), ((1 - 2 * alpha) * u, True))
        tail2 = sp.Piecewise(((1 - 4 * alpha) * iota, alpha > quarter), ((1 - 4 * alpha) * u, True))
        out.append(SignSGDTerm("noise tail", -(2 * w + 1 - u + tail1), sp.true,
                               "unrelaxed modes: gamma^2 N sum_{j>J} mu_j"))
        out.append(SignSGDTerm("noise tail A2", -(2 * w + 1 - u + 2 * sigma * u + tail2), sp.true,
                               "unrelaxed modes: gamma^2 N s^2 sum_{j>J} mu_j^2"))
    return out


@lru_cache(maxsize=None)
def signsgd_branches(schedule: str = "constant") -> tuple:
    """The LP's feasible set as a union of convex branches, with the time-dependent noise.

    The per-mode equations ``r_j <- r_j (1 - 2 gamma phi lam_j) + gamma^2 n_j``
    (``lam_j = s mu_j``, ``n_j = mu_j ((1 - 2/pi) + (2/pi) s^2 mu_j)``) give, mode by mode, the
    noise ``gamma^2 n_j min(N, N_j)`` with the relaxation time ``N_j = 1 / (2 gamma phi lam_j)``:
    modes with ``tau mu_j >~ 1`` (``j <= J = min(d, tau^(1/(2 alpha)))``) are at equilibrium,
    ``r_j = (pi/4) gamma sqrt(P) n_j / (s mu_j)``, the others hold all their noise
    ``gamma^2 N n_j = (pi/2) gamma sqrt(P) (tau / s) n_j``. Summing with
    ``sum_{j<=J} mu_j ~ J^max(0, 1 - 2 alpha)``, ``sum_{j>J} mu_j^p ~ max(J, d)^(1 - p)``:

    * ``noise``: ``sqrt(P) >~ gamma s sum_{j<=J} mu_j`` -- ``gamma s`` for ``alpha > 1/2``
      (``gamma^2 d tr D``, the old term) and ``gamma s J^(1 - 2 alpha)`` for ``alpha < 1/2``
      (time-dependent while ``J < d``);
    * ``noise iso``: ``sqrt(P) >~ gamma J / s``;
    * ``noise tail`` / ``noise tail A2`` (``J < d`` only): ``P >~ gamma^2 N sum_{j>J} n_j``; for
      ``alpha < 1/4`` this part dominates (``~ gamma sqrt(P) tau tr D / s``, linear in ``tau``).

    ``J = d`` and ``J < d`` are two branches (``T >= 2 alpha u`` resp. ``<=``, ``T`` =
    :func:`tau_exponent`; ``iota = log_f J`` is ``u`` resp. ``T / (2 alpha)``): the LP is solved
    on each and the best is taken.

    ``schedule="decay"``: a decay of the rate over a fixed fraction of the horizon, shaped like
    ``(1 - k/N)^p`` at its end. A relaxed mode freezes when the time left equals its relaxation
    time at the decayed rate, which leaves ``(mu_j tau)^-q`` of its stable-phase noise,
    ``q = p / (p + 1)`` (``1/2`` for a linear decay, ``2/3`` for cosine, ``-> 1`` for a sharp
    drop); the unrelaxed tail keeps its noise. So the relaxed sums become
    ``tau^-q sum_{j<=J} mu_j^(1 - q)`` (``noise``) and ``tau^-q sum_{j<=J} mu_j^-q ~ J``
    (``noise iso``, unchanged for ``J < d``). The symbol ``q`` (:data:`q_sym`) is left free.

    >>> [b.name for b in signsgd_branches()]
    ['J<d', 'J=d']
    >>> [t.name for t in signsgd_branches()[0].terms]
    ['F_0', 'F_pp', 'F_ac', 'J<d', 'noise', 'noise iso', 'noise tail', 'noise tail A2']

    References
    ----------
    Kim, Song & Yun (2026), arXiv:2603.02069 (stable-decay schedules; mechanism re-derived here
    from the per-mode equations of :mod:`numerics._signsgd_plrf`).
    """
    if schedule not in ("constant", "decay"):
        from .._errors import ParameterError

        raise ParameterError("schedule", "'constant' or 'decay'", schedule)
    out = []
    for name, eq in (("J<d", False), ("J=d", True)):
        T = tau_exponent()
        iota = u_sym if eq else T / (2 * alpha)
        cond = SignSGDTerm(name, (T - 2 * alpha * u_sym) if eq else (2 * alpha * u_sym - T), sp.true,
                           "tau >= d^(2 alpha)" if eq else "tau < d^(2 alpha)", kind="condition")
        const = signsgd_terms()[:3] + (cond,) + tuple(_noise_pieces(iota, eq, "constant", T))
        if schedule == "constant":
            out.append(SignSGDBranch(name, const))
            continue
        # decay: the stable phase (loss exponent t_s) obeys the constant-rate constraints; the
        # final loss t obeys the drift terms at the same tau (fixed by the stable phase) and
        # the decayed noise
        stable = tuple(SignSGDTerm(c.name + " @stable", c.constraint().subs(t_sym, ts_sym), c.region, c.note,
                                   kind="condition") for c in const)
        Ts = tau_exponent(ts_sym)
        f0, fpp, fac = signsgd_terms()[:3]
        xpp, xac = _x_pp(), _x_ac()
        # F_pp at a given tau is ~ tau^-x_pp for every x_pp (the x_pp >= 2 exception of the
        # constant-rate LP is about tau(k), which the stable phase fixes here)
        final = (f0, SignSGDTerm("F_pp", xpp * Ts, sp.true, "pure-point drift at the stable phase's tau"),
                 SignSGDTerm("F_ac", u_sym + xac * Ts, fac.region,
                             "absolutely-continuous drift at the stable phase's tau"))
        iota_s = u_sym if eq else Ts / (2 * alpha)
        final += tuple(_noise_pieces(iota_s, eq, "decay", Ts))
        mono = SignSGDTerm("P_end<=P_stable", t_sym - ts_sym, sp.true, "the decay does not raise the risk",
                           kind="condition")
        out.append(SignSGDBranch(name, stable + final + (mono,)))
    return tuple(out)
