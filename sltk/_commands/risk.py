"""``sltk risk``: the expected-risk curve of an optimizer on PLRF (Volterra equation)."""

from __future__ import annotations

import numpy as np

import numerics
import theory


from .._args import integer, real
from .._output import exit_code, format_table, print_json

COMMAND = "risk"
OUTPUTS = {"out": "file"}
FLAG_NAMES = {"lr": "--gamma", "n_points": "--n-points"}
HELP = "expected risk curve of an optimizer on PLRF (SGD: the Volterra equation; signSGD: its per-mode equations)"
DESCRIPTION = (
    "Solve the optimizer's risk equations on the power-law random-features model on log-spaced steps: for "
    "SGD the discrete Volterra equation P(r) = F(r) + sum_{s<r} K(r-1-s) P(s) (Paquette et al. 2024, "
    "arXiv:2405.15074), for signSGD its per-mode equations (Kim, Song & Yun 2026). --gamma is the raw step "
    "size (batch-sum unless the optimizer says otherwise); without it gamma = 0.5 * the largest stable gamma. "
    "Exit status (the same with --json, whose object has 'status'): 0 ok, 3 the run diverges (the message "
    "names the peak gamma and the largest stable one), 4 the solver did not converge (see sltk --help)."
)


def add_arguments(p):
    p.add_argument("--alpha", type=real(gt=0, le=1e100), required=True, help="data exponent alpha > 0")
    p.add_argument("--beta", type=real(ge=-1e100, le=1e100), required=True, help="target exponent beta (2 alpha + 2 beta > 1)")
    p.add_argument("--d", type=integer(ge=1), required=True, help="number of parameters (random features)")
    p.add_argument("--v", type=integer(ge=1), default=None, help="data dimension v >= d (default 4 d)")
    p.add_argument("--gamma", type=real(gt=0), default=None,
                   help="raw step size (default: the optimizer's natural rate, SGD 0.5 x the largest stable step "
                        "size, signSGD 0.02 / sqrt(d tr D))")
    p.add_argument("--batch", type=integer(ge=1), default=1, help="batch size B (default 1)")
    p.add_argument("--steps", type=integer(ge=1), required=True, help="horizon N (number of SGD steps)")
    p.add_argument("--method", default="auto",
                   help="solver of the optimizer's equations (default auto). SGD: series (exact, short constant-rate "
                        "runs), loggrid, recursion; signSGD: recursion, loggrid, arcsine (exact spectrum)")
    p.add_argument("--schedule", default="constant", help="learning-rate schedule, e.g. wsd:decay=0.2,shape=cosine")
    p.add_argument("--optimizer", default="sgd", choices=numerics.plrf.RULES.names(), help="optimizer (default sgd)")
    p.add_argument("--spectrum", default="deterministic", choices=("deterministic", "exact", "surrogate"),
                   help="deterministic equivalent (default), exact for one W (--seed), or the surrogate j^-2alpha")
    p.add_argument("--seed", type=integer(ge=0), default=0, help="seed of W for --spectrum exact")
    p.add_argument("--n-points", type=integer(ge=2), default=200, help="about this many log-spaced output steps")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--out", default=None, metavar="FIG", help="write a figure (.png/.pdf/.svg)")


def run(args) -> int:
    v = args.v if args.v is not None else 4 * args.d
    if args.spectrum == "exact":  # one sampled W (v x d) and its SVD: refuse what cannot fit, before sampling
        import verification

        verification.check_memory(8 * (3 * v * args.d + 5 * args.d ** 2), "--d", args.d,
                                  f"the exact spectrum of one W: v x d = {v} x {args.d} matrices and their SVD")
    problem = theory.plrf.PLRF(args.alpha, args.beta, v, args.d)
    schedule = theory.parse_schedule(args.schedule)
    cls = theory.optimizer_class(args.optimizer)
    gamma_rule = "given"
    if args.gamma is None:  # the optimizer's natural rate: SGD 0.5 lr_max, signSGD 0.02 / sqrt(d tr D)
        rules = numerics.plrf.RULES[cls]
        template = cls(lr=1.0, batch=args.batch)
        unit = rules.lr_scale(problem, rules.model(problem, args.spectrum, seed=args.seed), template)
        gamma, gamma_rule = rules.lr_factor_start * unit, f"{rules.lr_factor_start:g} * ({rules.lr_rule.split('= ')[-1]})"
    else:
        gamma = args.gamma
    optimizer = cls(lr=gamma, batch=args.batch)
    curve = numerics.plrf.risk_curve(problem, optimizer, schedule, args.steps, spectrum=args.spectrum,
                                seed=args.seed, n_points=args.n_points, method=args.method)
    if curve.status == "diverged":  # the solver's message names the peak rate (gamma x the schedule's peak)
        if args.json:
            print_json({"status": curve.status, "message": curve.message, "lr_max": curve.lr_max, "gamma": gamma,
                        "kernel_norm": curve.kernel_norm, "schedule": schedule.spec()})
        import sys

        print(f"sltk: diverges: {curve.message}", file=sys.stderr)
        return exit_code("diverged")
    est = terms = None
    if schedule.is_constant:  # the asymptotic terms are derived for a constant rate (None without them)
        from .._figures.plrf import theory_terms_on

        terms, est = theory_terms_on(problem, optimizer, curve.steps)
    if args.out:
        from .._figures.plrf import risk_curve_figure

        risk_curve_figure([curve], args.out, terms=[terms], estimates=[est],
                          title=rf"$\alpha={args.alpha:g}, \beta={args.beta:g}, d={args.d}, \gamma={gamma:.3g}$")
    if args.json:
        out = {
            "steps": curve.steps, "risk": curve.risk, "conventions": theory.CONVENTIONS,
            "status": curve.status, "message": curve.message, "method": curve.method,
            "kernel_norm": curve.kernel_norm, "lr_max": curve.lr_max, "gamma": gamma, "gamma_rule": gamma_rule,
            "error_estimate": curve.error_estimate, "flops": curve.flops, "spectrum": curve.spectrum_kind,
            "problem": problem.to_dict(), "optimizer": optimizer.to_dict(), "schedule": schedule.spec(),
        }
        if est is not None:
            r, e = est
            full = np.full(curve.steps.size, np.nan)
            full[curve.steps >= 1] = e
            out["asymptotic_estimate"] = [None if not np.isfinite(x) else float(x) for x in full]
        print_json(out)
        return exit_code(curve.status)
    print(f"PLRF alpha={args.alpha:g} beta={args.beta:g} v={v} d={args.d}; {args.optimizer} gamma={gamma:.6g} "
          f"({gamma_rule}), B={args.batch}, schedule {schedule.spec()}")
    print(f"status {curve.status} (method {curve.method}): {curve.message}")
    print(f"kernel norm {curve.kernel_norm:.4g}; largest stable gamma {curve.lr_max:.6g}; spectrum {curve.spectrum_kind}"
          if np.isfinite(curve.kernel_norm) else
          f"largest stable gamma {curve.lr_max:.6g}; spectrum {curve.spectrum_kind}")
    idx = np.unique(np.linspace(0, curve.steps.size - 1, min(12, curve.steps.size)).round().astype(int))
    rows = [[int(curve.steps[i]), f"{curve.risk[i]:.6e}"] for i in idx]
    print(format_table(["step", "risk"], rows))
    if args.out:
        print(f"figure written to {args.out}")
    return exit_code(curve.status)
