"""Measured compute-optimal frontiers of signSGD and SGD on PLRF against the symbolic exponents,
and constant vs WSD vs cosine schedules at equal compute. Prints the tables of
``docs/signsgd_frontier.md``.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/measure_signsgd_frontiers.py [--fast] [--part diag,const,sched]

Setup (full run): deterministic-equivalent spectrum, ``v = 4 d``, batch 1, model sizes on a
``2^(1/4)`` lattice (``2^(1/2)`` for the schedules), learning rates on a lattice of 8 per decade
(signSGD, ``gamma = c / sqrt(d tr D)``) or 4 per octave (SGD, ``gamma = c lr_max(d)``), both optimised per budget with parabola refinement
(:func:`numerics.plrf.frontier` with ``lr="optimise"``). ``--fast`` uses smaller lattices and
fewer budgets (minutes instead of tens of minutes; the numbers then differ in the second digit).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

import theory  # noqa: E402
from numerics.plrf import frontier  # noqa: E402

CONST_POINTS = {  # (alpha, beta): (log10 f range, d range) chosen so that d* stays inside the lattice
    (0.7, 1.2): ((3.0, 8.0), (16, 32768)),
    (1.0, 0.7): ((4.0, 10.0), (32, 16384)),
    (0.7, 0.05): ((4.0, 10.0), (32, 16384)),
    (0.4, 0.7): ((4.0, 8.0), (32, 32768)),
    (0.3, 0.3): ((5.0, 10.0), (32, 32768)),
}
SCHED_POINTS = {
    (0.7, 1.2): ((4.0, 8.0), (32, 32768)),
    (0.7, 0.05): ((5.0, 9.0), (32, 8192)),
    (1.0, 0.1): ((5.0, 9.0), (32, 8192)),
    (0.4, 0.7): ((5.0, 8.0), (32, 32768)),
}
SCHEDULES = {"constant": theory.Constant(), "WSD-lin": theory.WSD(warmup=0.0, decay=0.2),
             "WSD-cos": theory.WSD(warmup=0.0, decay=0.2, shape="cosine"), "cosine": theory.Cosine()}
DECAY_Q = {"WSD-lin": 0.5, "WSD-cos": 2 / 3, "cosine": 2 / 3}  # decay ending like (1-k/N)^p: q = p/(p+1)


def _lattice(rng, per_octave):
    lo, hi = rng
    n = int(round(math.log2(hi / lo) * per_octave)) + 1
    return np.unique(np.round(np.geomspace(lo, hi, n)).astype(int))


def _fmt(x, nd=3):
    return "n/a" if x is None or not np.isfinite(x) else f"{x:.{nd}f}"


def _table(head, rows):
    w = [max(len(str(h)), *(len(str(r[i])) for r in rows)) for i, h in enumerate(head)]
    print("| " + " | ".join(str(h).ljust(w[i]) for i, h in enumerate(head)) + " |")
    print("|" + "|".join("-" * (x + 2) for x in w) + "|")
    for r in rows:
        print("| " + " | ".join(str(c).ljust(w[i]) for i, c in enumerate(r)) + " |")
    print()


def _sym(a, b):
    s = theory.plrf.compute_optimal_exponents(a, b, "signsgd")
    g = theory.plrf.compute_optimal_exponents(a, b, "sgd")
    return s, g


def _sym_decay(a, b, name):
    """signSGD's derived exponent under the schedule ``name`` (its end-of-decay power enters the theory)."""
    return theory.plrf.compute_optimal_exponents(a, b, "signsgd", SCHEDULES[name]).eta


def _window_rows(fr, every):
    idx = range(0, fr.window_centers.size, every)
    return [(f"{fr.window_centers[i]:.2g}", _fmt(fr.eta_local[i]), _fmt(fr.xi_local[i])) for i in idx]


def part_diag(fast):
    print("## Diagnosis: surrogate vs deterministic spectrum at (0.7, 1.2) [Phase III]\n")
    F = np.logspace(4, 7, 7 if fast else 13)
    ds = _lattice((32, 4096 if fast else 8192), 1 if fast else 4)
    s, g = _sym(0.7, 1.2)
    rows = []
    for opt, sym in (("signsgd", s.eta), ("sgd", g.eta)):
        for spec in ("surrogate", "deterministic"):
            fr = frontier(0.7, 1.2, opt, lr="optimise", flops=F, spectrum=spec, d_grid=ds)
            i6 = int(np.argmin(np.abs(np.log(fr.flops / 1e6))))
            rows.append((opt, spec, _fmt(fr.eta_fit), _fmt(sym), f"{fr.p_star[i6]:.3g}", f"{fr.d_star[i6]:.0f}",
                         f"{fr.lr_star[i6]:.3g}", int(fr.at_edge.sum()), fr.diagnostics["runs"], f"{fr.diagnostics['seconds']:.0f}"))
    _table(["optimizer", "spectrum", "eta fit (upper half)", "eta symbolic", "P* at f=1e6", "d* at 1e6",
            "gamma* at 1e6", "budgets at edge", "runs", "s"], rows)


def part_const(fast):
    print("## Constant learning rate: local slopes vs symbolic exponents (deterministic spectrum)\n")
    summary = []
    for (a, b), (lf, dr) in CONST_POINTS.items():
        if fast and (a, b) not in ((0.7, 1.2), (0.7, 0.05)):
            continue
        F = np.logspace(lf[0], lf[1] if not fast else min(lf[1], lf[0] + 4), int(4 * (lf[1] - lf[0])) + 1
                        if not fast else 9)
        ds = _lattice((dr[0], dr[1] if not fast else 4096), 4 if not fast else 1)
        s, g = _sym(a, b)
        for opt in ("signsgd", "sgd"):
            fr = frontier(a, b, opt, lr="optimise", flops=F, d_grid=ds)
            sym_eta, sym_xi = (s.eta, s.xi) if opt == "signsgd" else (g.eta, g.xi)
            print(f"### ({a}, {b}) {opt}: symbolic eta={_fmt(sym_eta)}, xi={_fmt(sym_xi)}"
                  + (f", e={_fmt(s.e)}" if opt == "signsgd" else "")
                  + f"; e measured={_fmt(fr.e_fit)}; {int(fr.at_edge.sum())}/{fr.flops.size} budgets at an "
                  f"edge; {fr.diagnostics['runs']} runs, {fr.diagnostics['seconds']:.0f} s\n")
            _table(["f (window centre)", "local eta", "local xi"], _window_rows(fr, 2))
            last = fr.eta_local[-1] if fr.eta_local.size else np.nan
            summary.append((f"({a}, {b})", opt, _fmt(fr.eta_local[0] if fr.eta_local.size else np.nan), _fmt(last),
                            _fmt(fr.eta_fit), _fmt(sym_eta), _fmt(fr.xi_fit), _fmt(sym_xi),
                            _fmt(fr.e_fit) if opt == "signsgd" else "-",
                            _fmt(s.e) if opt == "signsgd" else "-",
                            f"{fr.flops[fr.inner][0]:.0e}..{fr.flops[fr.inner][-1]:.0e}" if fr.inner.any() else "-"))
            sys.stdout.flush()
    print("### Summary (constant rate)\n")
    _table(["(alpha, beta)", "optimizer", "first local eta", "last local eta", "eta fit (upper half)",
            "eta symbolic", "xi fit", "xi symbolic", "e measured", "e symbolic", "inner budgets"], summary)


def part_sched(fast, points=None, optimizers=("signsgd", "sgd")):
    print("## Schedules at equal compute (deterministic spectrum; every budget its own run)\n")
    has_decay = True
    rows = []
    for (a, b), (lf, dr) in SCHED_POINTS.items():
        if (fast and (a, b) not in ((0.7, 1.2), (0.7, 0.05))) or (points and (a, b) not in points):
            continue
        F = np.logspace(lf[0], lf[1] if not fast else lf[0] + 2, int(2 * (lf[1] - lf[0])) + 1 if not fast else 5)
        ds = _lattice(dr if not fast else (dr[0], 2048), 2 if not fast else 1)
        s, g = _sym(a, b)
        for opt in optimizers:
            base = None
            for name, sch in SCHEDULES.items():
                fr = frontier(a, b, opt, lr="optimise", flops=F, d_grid=ds, schedule=sch)
                if base is None:
                    base = fr
                common = np.intersect1d(fr.flops, base.flops)
                ratio = np.array([fr.p_star[fr.flops == f][0] / base.p_star[base.flops == f][0] for f in common])
                up = common >= np.sqrt(common[0] * common[-1])
                sym = (_sym_decay(a, b, name) if has_decay else None) if opt == "signsgd" else g.eta
                rows.append((f"({a}, {b})", opt, name, _fmt(fr.eta_fit),
                             _fmt(fr.eta_local[-1] if fr.eta_local.size else np.nan), _fmt(sym),
                             f"{np.exp(np.mean(np.log(ratio[up]))):.3f}", f"{ratio[-1]:.3f}",
                             f"{fr.c_opt[-1]:.3g}", int(fr.at_edge.sum()), fr.diagnostics["runs"],
                             f"{fr.diagnostics['seconds']:.0f}"))
                print("| " + " | ".join(str(c) for c in rows[-1]) + " |", file=sys.stderr)
    head = ["(alpha, beta)", "optimizer", "schedule", "eta fit (upper half)", "last local eta",
            "eta symbolic" + ("" if has_decay else " (constant only)"), "P*/P*_const (upper half, geo-mean)",
            "P*/P*_const (largest f)", "c* (largest f)", "budgets at edge", "runs", "s"]
    _table(head, rows)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fast", action="store_true", help="small lattices, few budgets")
    ap.add_argument("--part", default="diag,const,sched", help="comma list of diag, const, sched")
    ap.add_argument("--sched-points", default=None, metavar="A:B,...", help="sched: only these points")
    ap.add_argument("--sched-optimizers", default="signsgd,sgd", help="sched: these optimizers")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    pts = None if args.sched_points is None else [tuple(float(x) for x in p.split(":"))
                                                  for p in args.sched_points.split(",")]
    opts = tuple(args.sched_optimizers.split(","))
    parts = {"diag": part_diag, "const": part_const,
             "sched": lambda fast: part_sched(fast, pts, opts)}
    for p in args.part.split(","):
        parts[p.strip()](args.fast)
    print(f"total {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
