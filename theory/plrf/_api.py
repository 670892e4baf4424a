"""The public functions of :mod:`theory.plrf`: one function per job, the optimizer resolved once.

Each takes ``optimizer=`` as a name (``"signsgd"``), a class (``theory.SignSGD``) or an
instance, looks up that optimizer's rules in :data:`theory.plrf.RULES` and delegates; a
``schedule=`` (a :class:`theory.Schedule`, ``None`` for a constant rate) is passed to the rules,
which read what they need from it (``Schedule.end_decay_power``).

References
----------
E. Paquette, C. Paquette, L. Xiao, J. Pennington, "4+3 Phases of Compute-Optimal Neural
Scaling Laws", NeurIPS 2024 (arXiv:2405.15074); J. Kim, D. Song, C. Yun, "Scaling Laws of
SignSGD in Linear Regression", ICLR 2026 (arXiv:2603.02069).
"""

from __future__ import annotations

import numpy as np

from .._errors import ParameterError
from .._schedules import as_schedule
from ..validate import check_choice
from ._rules import RULES, ExponentResult, PhaseLocation, check_domain

__all__ = ["compute_optimal_exponents", "exponent_table", "format_exponent_table", "phase_of", "phase_boundaries",
           "check_phase_partition", "exponent_grid", "phase_grid", "boundary_curves", "risk_terms",
           "asymptotic_terms", "asymptotic_risk", "exponents_piecewise", "derived_boundary_polynomials"]


def _schedule(schedule):
    return None if schedule is None else as_schedule(schedule)


def compute_optimal_exponents(alpha, beta, optimizer="sgd", schedule=None) -> ExponentResult:
    """Phase and compute-optimal exponents ``d* ~ f^xi``, ``P* ~ f^-eta``, ``gamma* ~ d*^-e`` at a point.

    Inside a phase the optimizer's LP is solved at the point itself. On a boundary (SGD) the
    exponents are the limits from the adjacent phases: ``eta`` is continuous everywhere; where
    ``xi`` jumps (IVa|IVb) every ``x`` in ``xi_interval`` is optimal and ``xi`` is ``None``.

    Parameters
    ----------
    alpha, beta : float
        PLRF exponents, ``alpha > 0``, ``2 alpha + 2 beta > 1``.
    optimizer : str, class or instance
        ``"sgd"`` (default), ``"signsgd"``, or any optimizer with PLRF theory rules.
    schedule : theory.Schedule, optional
        A learning-rate schedule; its end-of-decay power enters the optimizer's theory where it
        matters (signSGD), ``None`` for a constant rate.

    Raises
    ------
    theory.ParameterError
        Outside the domain, or an optimizer without PLRF theory rules.

    Examples
    --------
    >>> r = compute_optimal_exponents(0.7, 1.2)
    >>> r.phase, r.xi, round(r.eta, 6), r.eta_expr
    ('III', 0.5, 0.642857, (4*alpha - 1)/(4*alpha))
    >>> compute_optimal_exponents(1.0, 0.7).xi_expr
    beta/(alpha + beta)
    >>> s = compute_optimal_exponents(0.7, 1.2, "signsgd")
    >>> s.phase, s.eta_expr, round(s.e, 6)
    ('S-VI', 4*alpha/(4*alpha + 1), 1.083333)

    References
    ----------
    Paquette et al. (2024), arXiv:2405.15074, Sec. 4 and Table 2 (SGD); Kim, Song & Yun (2026),
    arXiv:2603.02069 (signSGD, joint optimisation of d and the learning rate); derived here.
    """
    rules = RULES[optimizer]
    a, b = check_domain(alpha, beta)
    return rules.exponents_at(a, b, _schedule(schedule))


def exponent_table(optimizer="sgd", schedule=None) -> list:
    """The optimizer's phases with exact exponents (:class:`theory.plrf.PhaseRow` per phase).

    Examples
    --------
    >>> for r in exponent_table():
    ...     print(r.phase, r.balanced, r.xi, '|', r.eta)
    Ia ('F_0', 'F_pp') 1/(2*alpha + 1) | (2*alpha + 2*beta - 1)/(2*alpha + 1)
    Ib ('F_0', 'F_pp') 1/2 | (2*alpha + 2*beta - 1)/2
    Ic ('F_0', 'F_pp') -(2*alpha + 2*beta - 1)/(2*(2*alpha*beta - 3*alpha - 2*beta + 1)) | -alpha*(2*alpha + 2*beta - 1)/(2*alpha*beta - 3*alpha - 2*beta + 1)
    II ('F_pp', 'F_ac') beta/(alpha + beta) | (2*alpha + 2*beta - 1)/(2*(alpha + beta))
    III ('F_ac', 'noise') 1/2 | (4*alpha - 1)/(4*alpha)
    IVa ('F_0', 'noise') 1/2 | alpha
    IVb ('F_pp', 'noise') (alpha - beta)/(2*alpha*beta + alpha - 2*beta) | (2*alpha - 1)*(2*alpha + 2*beta - 1)/(2*(2*alpha*beta + alpha - 2*beta))

    References
    ----------
    Paquette et al. (2024), arXiv:2405.15074, Table 2 (derived here, not copied).
    """
    return list(RULES[optimizer].phase_table(_schedule(schedule)))


def format_exponent_table(optimizer="sgd", fmt: str = "markdown", schedule=None) -> str:
    """The optimizer's phase table as Markdown, LaTeX or text."""
    check_choice("fmt", fmt, ("markdown", "latex", "text"))
    return RULES[optimizer].format_table(fmt, _schedule(schedule))


def phase_of(alpha, beta, optimizer="sgd", schedule=None) -> PhaseLocation:
    """The optimizer's phase at a point, or the boundary it lies on and the phases meeting there.

    Examples
    --------
    >>> phase_of(0.7, 1.2)
    PhaseLocation(name='III', boundary=None, phases=('III',))
    >>> phase_of(0.7, 0.5)
    PhaseLocation(name=None, boundary='2*beta = 1', phases=('Ia', 'II'))

    References
    ----------
    Paquette et al. (2024), arXiv:2405.15074, Fig. 2.
    """
    rules = RULES[optimizer]
    a, b = check_domain(alpha, beta)
    return rules.phase_of(a, b, _schedule(schedule))


def phase_boundaries(optimizer="sgd", schedule=None) -> list:
    """The boundary segments between adjacent phases (:class:`theory.plrf.Boundary`).

    >>> [(b.equation, b.phases, b.eta_continuous, b.xi_continuous) for b in phase_boundaries()
    ...  if b.phases == ('IVa', 'IVb')]
    [('2*alpha**2 - 4*alpha + 1 = 0', ('IVa', 'IVb'), True, False)]
    """
    return RULES[optimizer].phase_boundaries(_schedule(schedule))


def boundary_curves(optimizer="sgd", schedule=None) -> tuple:
    """Polynomials ``p(alpha, beta)`` whose zero sets hold every phase boundary (for figures)."""
    return RULES[optimizer].boundary_curves(_schedule(schedule))


def check_phase_partition(optimizer="sgd", schedule=None):
    """Whether the optimizer's phases are disjoint and cover the domain (:class:`theory.plrf.PartitionCheck`).

    SGD's check is symbolic (SymPy's linear-real-arithmetic satisfiability with root symbols for
    the one nonlinear boundary); signSGD's, whose regions are derived on a grid, checks every point
    of a fine grid against the LP.

    >>> check_phase_partition().ok
    True
    """
    return RULES[optimizer].check_phase_partition(_schedule(schedule))


def exponent_grid(alphas, betas, optimizer="sgd", schedule=None) -> dict:
    """``eta``, ``xi``, ``e`` on a grid by the optimizer's fast numeric path (rows beta, columns alpha;
    NaN outside ``2 alpha + 2 beta > 1``), for maps.

    >>> g = exponent_grid([0.7], [1.2, -0.4])
    >>> round(float(g["eta"][0, 0]), 6), bool(np.isnan(g["eta"][1, 0]))
    (0.642857, True)
    """
    rules = RULES[optimizer]
    sch = _schedule(schedule)
    A, B = np.meshgrid(np.asarray(alphas, float), np.asarray(betas, float))
    eta, xi, e = rules.exponents_grid(A, B, sch)
    return {"alpha": np.asarray(alphas, float), "beta": np.asarray(betas, float), "eta": eta, "xi": xi, "e": e}


def phase_grid(alphas, betas, optimizer="sgd", schedule=None) -> dict:
    """The phase of every grid point: ``{"index": int array (rows beta; -1 outside), "names": tuple}``."""
    rules = RULES[optimizer]
    sch = _schedule(schedule)
    A, B = np.meshgrid(np.asarray(alphas, float), np.asarray(betas, float))
    names = tuple(r.phase for r in rules.phase_table(sch))
    return {"alpha": np.asarray(alphas, float), "beta": np.asarray(betas, float),
            "index": rules.phase_index_grid(A, B, sch), "names": names}


def phases_at(alphas, betas, optimizer="sgd", schedule=None) -> dict:
    """The phase at each of the points ``(alphas[i], betas[i])`` (not a grid): ``{"index": int array
    (-1 outside the domain or on a boundary), "names": tuple}`` -- :func:`phase_of` for many points
    at once, by the optimizer's vectorised phase map.

    >>> r = phases_at([0.7, 0.3, 0.2], [1.2, 0.6, 0.1])  # the last point is outside the domain
    >>> [r["names"][k] if k >= 0 else None for k in r["index"]]
    ['III', 'IVa', None]
    """
    rules = RULES[optimizer]
    sch = _schedule(schedule)
    A = np.asarray(alphas, float).ravel()
    B = np.asarray(betas, float).ravel()
    if A.shape != B.shape:
        raise ParameterError("betas", f"as many values as alphas ({A.size})", B.size)
    names = tuple(r.phase for r in rules.phase_table(sch))
    return {"index": np.asarray(rules.phase_index_grid(A, B, sch), dtype=int), "names": names}


def risk_terms(optimizer="sgd") -> tuple:
    """The asymptotic risk terms (:class:`theory.PowerTerm`-like, with regions) of the optimizer on PLRF."""
    return RULES[optimizer].risk_terms()


def asymptotic_terms(problem, optimizer) -> list:
    """The asymptotic risk terms at a finite size, callable on step counts (optimizers that have them).

    >>> from theory import SGD
    >>> from theory.plrf import PLRF
    >>> [(t.name, t.applies) for t in asymptotic_terms(PLRF(0.7, 1.2, 4000, 1000), SGD(lr=0.2))]
    [('F_0', True), ('F_pp', True), ('F_ac', True), ('noise', True)]
    """
    return RULES[optimizer].asymptotic_terms(problem, optimizer)


def asymptotic_risk(problem, optimizer, steps, *, combine: str = "max", level: str = "sum") -> np.ndarray:
    """Paper-style estimate of the risk curve from the asymptotic terms (optimizers that have them)."""
    return RULES[optimizer].asymptotic_risk(problem, optimizer, steps, combine=combine, level=level)


def exponents_piecewise(optimizer="sgd"):
    """``(xi, eta)`` as SymPy ``Piecewise`` over the plane (optimizers with closed-form regions).

    >>> import sympy as sp
    >>> from theory import alpha_symbol, beta_symbol
    >>> xi, eta = exponents_piecewise()
    >>> eta.subs({alpha_symbol: sp.Rational(7, 10), beta_symbol: sp.Rational(6, 5)})
    9/14
    """
    return RULES[optimizer].piecewise()


def derived_boundary_polynomials(optimizer="sgd") -> tuple:
    """Candidate boundary polynomials derived from the optimizer's terms and LP (SGD)."""
    return RULES[optimizer].derived_boundary_polynomials
