"""What an optimizer contributes to the theory of PLRF: the rules interface, its table, and the
result types every optimizer returns.

One rules object per optimizer (``theory/plrf/_<optimizer>.py``) answers every question the
public functions of :mod:`theory.plrf` ask -- the compute-optimal exponents at a point, the
phase table, where a point lies, the phase boundaries, a fast numeric path for maps -- and
holds its own caches. It is registered in :data:`RULES` (keyed by optimizer class, MRO
lookup); the public functions resolve ``optimizer=`` once and delegate.

References
----------
E. Paquette, C. Paquette, L. Xiao, J. Pennington, "4+3 Phases of Compute-Optimal Neural
Scaling Laws", NeurIPS 2024 (arXiv:2405.15074), Sec. 4 (SGD); J. Kim, D. Song, C. Yun,
"Scaling Laws of SignSGD in Linear Regression", ICLR 2026 (arXiv:2603.02069) (signSGD).
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from .._dispatch import RulesTable
from .._errors import ParameterError
from ..validate import check_choice, check_real

__all__ = ["RULES", "PLRFTheoryRules", "PhaseLocation", "PhaseRow", "ExponentResult", "Boundary",
           "PartitionCheck", "check_domain", "format_rows"]

#: The PLRF theory rules of every optimizer, keyed by optimizer class.
RULES = RulesTable("PLRF theory")


#: Largest |alpha|, |beta| accepted: the phase conditions are polynomials of degree 2 in
#: (alpha, beta) evaluated in float64, which overflow past about 1e154.
DOMAIN_BOUND = 1e100


def check_domain(alpha_value, beta_value):
    """Validate ``alpha > 0`` and ``2 alpha + 2 beta > 1`` (the PLRF domain); return floats.

    >>> check_domain(0.2, 0.2)
    Traceback (most recent call last):
    ...
    theory.ParameterError: 2*alpha + 2*beta must satisfy 2*alpha + 2*beta > 1; got 2*alpha + 2*beta=0.8 (alpha=0.2, beta=0.2)
    """
    a = check_real("alpha", alpha_value, gt=0, le=DOMAIN_BOUND)
    b = check_real("beta", beta_value, ge=-DOMAIN_BOUND, le=DOMAIN_BOUND)
    if not 2 * a + 2 * b > 1:
        raise ParameterError("2*alpha + 2*beta", "2*alpha + 2*beta > 1", round(2 * a + 2 * b, 12),
                             hint=f"alpha={a:g}, beta={b:g}")
    return a, b


@dataclass(frozen=True)
class PhaseLocation:
    """Where a point lies: ``name`` (None on a boundary), ``boundary`` and ``phases`` meeting there."""

    name: str | None
    boundary: str | None
    phases: tuple


@dataclass(frozen=True)
class PhaseRow:
    """One phase of one optimizer's compute-optimal phase diagram, with exact exponents.

    Attributes
    ----------
    phase : str
        Its name (SGD: Ia ... IVb; signSGD: S-I, S-II, ...).
    region : sympy boolean or None
        The region in ``(alpha, beta)`` where it holds, when it is known in closed form.
    balanced : tuple of str
        The terms (and constraints) that define the optimum in this phase.
    dominant_terms : tuple of str
        Terms on the upper envelope of the loss curve (empty where not derived).
    xi, eta, e : sympy expressions
        ``d* ~ f^xi``, ``P* ~ f^-eta`` and the learning-rate exponent ``gamma* ~ d*^-e``.
    point : tuple
        A representative interior point.
    description : str
    info : dict
        Optimizer-specific details (e.g. the LP vertices of a signSGD phase).
    """

    phase: str
    region: sp.Basic | None
    balanced: tuple
    dominant_terms: tuple
    xi: sp.Expr
    eta: sp.Expr
    e: sp.Expr
    point: tuple
    description: str = ""
    info: dict = field(default_factory=dict, compare=False)

    @property
    def terms(self) -> tuple:
        """Alias of ``balanced`` (the terms that define the phase)."""
        return self.balanced

    def to_dict(self) -> dict:
        return {"phase": self.phase, "region": None if self.region is None else str(self.region),
                "dominant_terms": list(self.dominant_terms), "balanced": list(self.balanced),
                "description": self.description, "xi": str(self.xi), "eta": str(self.eta), "e": str(self.e),
                "alpha": float(self.point[0]), "beta": float(self.point[1]),
                **{k: v for k, v in self.info.items() if isinstance(v, (str, int, float, bool, type(None)))}}


@dataclass(frozen=True)
class ExponentResult:
    """Compute-optimal exponents of one optimizer at one point.

    Attributes
    ----------
    alpha, beta : float
    optimizer : str
        The optimizer's name.
    phase : str or None
        The optimizer's own phase (None on a boundary, where ``boundary`` and ``phases`` say which).
    xi, eta, e : float or None
        ``d* ~ f^xi``, ``P* ~ f^-eta``, ``gamma* ~ d*^-e``; ``xi`` (and ``e``) is None where the
        optimum is not unique (then ``xi_interval`` holds the optimal range).
    xi_expr, eta_expr, e_expr : sympy expressions (exact, valid throughout the phase)
    dominant_terms, balanced : tuple of str
    boundary : str or None
    phases : tuple of str
    xi_interval : tuple or None
    schedule : str
        The schedule's spelling (``"constant"`` for a constant rate).
    info : dict
        Optimizer-specific details (e.g. the SGD phase a signSGD point lies in, the LP vertex).
    """

    alpha: float
    beta: float
    optimizer: str
    phase: str | None
    xi: float | None
    eta: float
    xi_expr: sp.Expr
    eta_expr: sp.Expr
    dominant_terms: tuple
    balanced: tuple
    boundary: str | None
    phases: tuple
    xi_interval: tuple | None = None
    e: float | None = None
    e_expr: sp.Expr = sp.nan
    schedule: str = "constant"
    info: dict = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict:
        """JSON keys: phase, xi, eta, e, the exact forms, dominant/balanced terms, boundary, phases, ..."""
        return {
            "alpha": self.alpha, "beta": self.beta, "optimizer": self.optimizer, "schedule": self.schedule,
            "phase": self.phase, "xi": self.xi, "eta": self.eta, "e": self.e,
            "xi_expr": str(self.xi_expr), "eta_expr": str(self.eta_expr), "e_expr": str(self.e_expr),
            "dominant_terms": list(self.dominant_terms), "balanced": list(self.balanced),
            "boundary": self.boundary, "phases": list(self.phases),
            "xi_interval": None if self.xi_interval is None else list(self.xi_interval),
            **{k: v for k, v in self.info.items() if isinstance(v, (str, int, float, bool, type(None), list))},
        }


@dataclass(frozen=True)
class Boundary:
    """A boundary segment between two phases (or a phase and the domain edge).

    ``eta_continuous`` is decided symbolically where the boundary is known in closed form
    (difference simplifies to 0 on the curve), else from the largest jump met along it;
    ``xi_jump`` is the symbolic difference ``xi_right - xi_left`` on the curve (None if unknown).
    """

    equation: str
    polynomial: sp.Expr | None
    phases: tuple
    extent: str
    eta_continuous: bool | None
    xi_continuous: bool | None
    xi_jump: sp.Expr | None
    eta_jump: sp.Expr | None
    info: dict = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict:
        return {"equation": self.equation, "phases": list(self.phases), "extent": self.extent,
                "eta_continuous": self.eta_continuous, "xi_continuous": self.xi_continuous,
                "xi_jump": None if self.xi_jump is None else str(self.xi_jump)}


@dataclass(frozen=True)
class PartitionCheck:
    """Whether the phases are disjoint and cover the domain, and how that was decided."""

    disjoint: bool
    covers: bool
    overlaps: tuple
    uncovered_witness: dict | None
    method: str
    details: dict = field(default_factory=dict, compare=False)

    @property
    def ok(self) -> bool:
        return self.disjoint and self.covers


class PLRFTheoryRules(abc.ABC):
    """The compute-optimal theory of one optimizer on PLRF (subclass per optimizer).

    ``schedule`` arguments are :class:`theory.Schedule` objects (``None`` for a constant
    rate); what a schedule contributes is read from the schedule (e.g.
    ``Schedule.end_decay_power``), never from its type.
    """

    #: The optimizer's name (for results and messages).
    optimizer_name: str = ""
    #: Grid points along alpha that a map of this optimizer affords by default (its fast path's cost).
    map_grid: int = 80

    @abc.abstractmethod
    def exponents_at(self, a: float, b: float, schedule=None) -> ExponentResult:
        """Exponents at a validated point ``(a, b)`` (on a boundary: the limits from its phases)."""

    @abc.abstractmethod
    def phase_table(self, schedule=None) -> tuple:
        """The :class:`PhaseRow` of every phase, in name order."""

    @abc.abstractmethod
    def phase_of(self, a: float, b: float, schedule=None) -> PhaseLocation:
        """Where a validated point lies."""

    @abc.abstractmethod
    def phase_boundaries(self, schedule=None) -> list:
        """The :class:`Boundary` segments between adjacent phases."""

    @abc.abstractmethod
    def check_phase_partition(self, schedule=None) -> PartitionCheck:
        """Disjointness and coverage of the phase table."""

    @abc.abstractmethod
    def exponents_numeric(self, a: float, b: float, schedule=None) -> tuple:
        """Fast ``(eta, xi, e)`` floats (no SymPy) for maps over many points."""

    @abc.abstractmethod
    def risk_terms(self) -> tuple:
        """The asymptotic risk terms this optimizer's theory is built from."""

    def decay_gain_at(self, a: float, b: float, schedule) -> tuple:
        """``(eta_decay, eta_constant)`` with the learning rate re-optimised per budget under each.

        Default: the optimizer's exponents with and without the schedule (an optimizer whose
        constant-rate table fixes the rate, such as SGD's, overrides with its lr-free LP)."""
        return self.exponents_numeric(a, b, schedule)[0], self.exponents_numeric(a, b, None)[0]

    def exponents_grid(self, A, B, schedule=None) -> tuple:
        """``(eta, xi, e)`` arrays at the points ``(A[i], B[i])`` (rows beta, columns alpha for a
        meshgrid; NaN outside the domain). Default: :meth:`exponents_numeric` point by point;
        an optimizer with a vectorised route overrides."""
        return points_of(lambda a, b: self.exponents_numeric(a, b, schedule), A, B)

    def decay_gain_grid(self, A, B, schedule) -> tuple:
        """``(eta_decay, eta_constant)`` arrays at the points (see :meth:`decay_gain_at`; NaN outside
        the domain). Default: point by point."""
        return points_of(lambda a, b: self.decay_gain_at(a, b, schedule), A, B, n_out=2)

    def noise_slacks(self, a: float, b: float, schedule) -> tuple | None:
        """``(slack_decay, slack_constant)``: the exponent by which the optimizer's (relaxed) noise
        term lies below the compute-optimal loss under the decay and at constant rate
        (``noise / P* ~ f^-slack``; 0 = co-dominant, > 0 = its share dies out along the frontier).
        ``None`` (the default) where the theory does not separate the noise this way."""
        return None

    def decay_gain_expression(self, a: float, b: float, schedule):
        """The exact gain ``eta_decay - eta_constant`` as a SymPy expression valid around ``(a, b)``."""
        raise self._missing("a symbolic decay gain")

    def boundary_curves(self, schedule=None) -> tuple:
        """Polynomials ``p(alpha, beta)`` whose zero sets contain every phase boundary (for figures)."""
        return tuple(b.polynomial for b in self.phase_boundaries(schedule) if b.polynomial is not None)

    def _missing(self, what: str):
        return ParameterError("optimizer", f"an optimizer with {what} on PLRF", self.optimizer_name)

    def asymptotic_terms(self, problem, optimizer) -> list:
        """Numeric asymptotic risk terms at a finite size (optimizers that have them override)."""
        raise self._missing("numeric asymptotic risk terms")

    def asymptotic_risk(self, problem, optimizer, steps, *, combine="max", level="sum"):
        """The risk estimate from the asymptotic terms (optimizers that have them override)."""
        raise self._missing("numeric asymptotic risk terms")

    def piecewise(self):
        """``(xi, eta)`` as SymPy ``Piecewise`` (optimizers whose regions are closed forms override)."""
        raise self._missing("closed-form phase regions")

    @property
    def derived_boundary_polynomials(self) -> tuple:
        """Boundary candidates derived from the terms (optimizers with a term LP override)."""
        raise self._missing("a term-set LP")

    def phase_index_grid(self, A, B, schedule=None):
        """Index (in table order) of the phase of each grid point, -1 outside the domain."""
        raise self._missing("a phase map")

    def format_table(self, fmt: str = "markdown", schedule=None) -> str:
        """The phase table as Markdown, LaTeX or text."""
        check_choice("fmt", fmt, ("markdown", "latex", "text"))
        head = ["phase", "defining terms", "xi (d* ~ f^xi)", "eta (P* ~ f^-eta)", "e (gamma* ~ d*^-e)"]
        rows = []
        for r in self.phase_table(schedule):
            exprs = [r.xi, r.eta, r.e]
            if fmt == "latex":
                cells = ["$" + sp.latex(x) + "$" for x in exprs]
            elif fmt == "markdown":
                cells = [f"`{x}`" for x in exprs]
            else:
                cells = [str(x) for x in exprs]
            rows.append([r.phase, r.description or " = ".join(r.balanced)] + cells)
        return format_rows(head, rows, fmt)


def format_rows(headers, rows, fmt) -> str:
    """A table as Markdown, LaTeX (booktabs) or aligned text.

    >>> print(format_rows(["a", "b"], [["1", "x|y"]], "markdown"))
    | a | b |
    |---|---|
    | 1 | x\\|y |
    """
    esc = (lambda c: c.replace("|", "\\|")) if fmt == "markdown" else (lambda c: c)
    cells = [[str(c) for c in headers]] + [[esc(str(c)) for c in r] for r in rows]
    if fmt == "markdown":
        lines = ["| " + " | ".join(cells[0]) + " |", "|" + "|".join("---" for _ in cells[0]) + "|"]
        return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in cells[1:]])
    if fmt == "latex":
        lines = [r"\begin{tabular}{" + "l" * len(cells[0]) + "}", r"\toprule", " & ".join(cells[0]) + r" \\",
                 r"\midrule"] + [" & ".join(r) + r" \\" for r in cells[1:]] + [r"\bottomrule", r"\end{tabular}"]
        return "\n".join(lines)
    widths = [max(len(r[i]) for r in cells) for i in range(len(cells[0]))]
    out = ["  ".join(c.ljust(w) for c, w in zip(cells[0], widths)), "  ".join("-" * w for w in widths)]
    return "\n".join(out + ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in cells[1:]])


def grid_of(fn, alphas, betas, n_out: int = 3) -> tuple:
    """Evaluate ``fn(a, b) -> tuple of floats`` on a grid (rows beta, columns alpha; NaN outside the domain)."""
    A = np.asarray(alphas, dtype=float)
    B = np.asarray(betas, dtype=float)
    out = [np.full((B.size, A.size), np.nan) for _ in range(n_out)]
    for i, b in enumerate(B):
        for j, a in enumerate(A):
            if a > 0 and 2 * a + 2 * b > 1 + 1e-9:
                vals = fn(float(a), float(b))
                for k in range(n_out):
                    out[k][i, j] = np.nan if vals[k] is None else vals[k]
    return tuple(out)


def in_domain(A, B) -> np.ndarray:
    """Mask of the points of ``alpha > 0``, ``2 alpha + 2 beta > 1`` (as :func:`grid_of`)."""
    A = np.asarray(A, dtype=float)
    B = np.asarray(B, dtype=float)
    return (A > 0) & (2 * A + 2 * B > 1 + 1e-9)


def points_of(fn, A, B, n_out: int = 3) -> tuple:
    """Evaluate ``fn(a, b) -> tuple of floats`` at the points ``(A, B)`` (same shape; NaN outside the domain)."""
    A = np.asarray(A, dtype=float)
    B = np.asarray(B, dtype=float)
    out = [np.full(A.shape, np.nan) for _ in range(n_out)]
    ok = in_domain(A, B)
    for ij in zip(*np.nonzero(ok)):
        vals = fn(float(A[ij]), float(B[ij]))
        for k in range(n_out):
            out[k][ij] = np.nan if vals[k] is None else vals[k]
    return tuple(out)


def schedule_spelling(schedule) -> str:
    """``"constant"`` for None or a constant schedule, else the schedule's CLI spelling."""
    if schedule is None or schedule.is_constant:
        return "constant"
    return schedule.spec()


def check_fraction(name, value):
    """Validate a number in (0, 1]."""
    return check_real(name, value, gt=0, le=1)
