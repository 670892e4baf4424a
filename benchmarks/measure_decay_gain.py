"""Measured gain of a decaying learning rate in the compute-optimal slope, signSGD and SGD on PLRF,
against the derived gain (``theory.plrf.decay_gain``). Prints the table of ``docs/signsgd.md``
(section "Decay schedules: derived vs measured") and writes one JSON per (point, optimizer).

    OMP_NUM_THREADS=1 /work/venv/bin/python benchmarks/measure_decay_gain.py [--points 1.0,0.1;0.7,1.5]
        [--optimizers signsgd,sgd] [--out DIR] [--per-decade 4]

Setup: deterministic-equivalent spectrum, ``v = 4 d``, batch 1, constant rate vs
``WSD(warmup=0, decay=0.2)`` (linear), ``(d, lr)`` optimised per budget for each schedule separately
(:func:`numerics.plrf.measure_decay_gain`), sizes ``2^(1/2)`` apart, lr lattice the optimizer's own.
Local gains over one-decade windows stepped by half a decade; interval
``last +- (2 se + |last - previous disjoint window|)``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

import theory  # noqa: E402
import theory.plrf  # noqa: E402
from numerics.plrf import measure_decay_gain  # noqa: E402

#: (alpha, beta): (log10 f range, d range), chosen so that d* stays inside the lattice.
POINTS = {
    (1.0, 2.0): ((4.0, 7.5), (16, 16384)),    # S-VI: derived signSGD gain +1/30
    (0.7, 1.5): ((4.0, 7.5), (16, 16384)),    # S-VI: derived signSGD gain +0.0251
    (1.0, 0.1): ((5.0, 10.0), (16, 4096)),    # paper's region (Area Aa*): derived gain 0
    (0.75, 0.06): ((5.0, 10.0), (16, 16384)),  # paper's region: derived gain 0
    (1.0, 0.7): ((5.0, 10.0), (16, 16384)),   # control
    (1.5, 0.3): ((5.0, 10.0), (16, 4096)),    # control
    # S-VI, deep inside (added 2026-12-04): off the internal boundary beta = 2 alpha and off alpha = 1,
    # where the decayed relaxed sum is logarithmic for a linear decay (2 alpha (1 - q) = 1)
    (0.8, 1.45): ((4.0, 7.5), (16, 16384)),   # alpha + 1/2 < beta < 2 alpha: derived +1/63
    (1.5, 2.5): ((4.0, 7.5), (16, 16384)),    # alpha + 1/2 < beta < 2 alpha: derived +1/56
    (1.5, 4.0): ((4.0, 7.5), (16, 16384)),    # beta > 2 alpha: derived +2/63
    (0.8, 2.5): ((4.0, 7.5), (16, 16384)),    # beta > 2 alpha: derived +0.0298
}


def _lattice(lo, hi, per_octave=2):
    n = int(round(math.log2(hi / lo) * per_octave)) + 1
    return np.unique(np.round(np.geomspace(lo, hi, n)).astype(int))


ROLE = {(1.0, 2.0): "S-VI", (0.7, 1.5): "S-VI", (1.0, 0.1): "paper's Aa*", (0.75, 0.06): "paper's Aa*",
        (1.0, 0.7): "control", (1.5, 0.3): "control", (0.8, 1.45): "S-VI", (1.5, 2.5): "S-VI", (1.5, 4.0): "S-VI",
        (0.8, 2.5): "S-VI"}


def _records(out):
    """``(point, optimizer, JSON record)`` for every measured row in ``out``, in table order."""
    for ab in POINTS:
        for opt in ("signsgd", "sgd"):
            path = os.path.join(out, f"{opt}_{ab[0]}_{ab[1]}.json")
            if os.path.exists(path):
                with open(path) as fh:
                    yield ab, opt, json.load(fh)


def _table(out):
    print("| (alpha, beta) | region | optimizer | derived gain | measured gain | interval | agree | local gains by window "
          "(centres) | eta const / WSD (fits, upper half) | budgets | d* at largest f |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for ab, opt, r in _records(out):
        loc = " ".join(f"{x:+.3f}+-{e:.3f}" for x, e in zip(r["local_gain"], r["local_se"]))
        c = r["window_centers"]
        print(f"| ({ab[0]}, {ab[1]}) | {ROLE[ab]} | {opt} | {r['derived_gain']:+.4f} | {r['measured_gain']:+.4f} | "
              f"[{r['interval'][0]:+.4f}, {r['interval'][1]:+.4f}] | {'yes' if r['agree'] else '**no**'} | "
              f"{loc} ({c[0]:.0e}..{c[-1]:.0e}) | {r['eta_constant']:.3f} / {r['eta_schedule']:.3f} | "
              f"{r['flops'][0]:.0e}..{r['flops'][-1]:.0e} | {r['d_star_last']:.0f} |")
    # the drift/noise split of every optimum (where the optimizer's equations have one)
    print()
    print("| (alpha, beta) | region | optimizer | schedule | derived eta | derived slack of the relaxed noise | measured "
          "eta: total / without the relaxed noise / drift part / relaxed noise (upper-half slopes; SGD: its whole noise, not "
          "split by mode) | relaxed-noise share (SGD: noise share) first -> last budget | asymptotic gain [interval] "
          "agree (derived) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for ab, opt, r in _records(out):
        comp = r.get("components")
        if not comp:
            continue
        der = theory.plrf.decay_gain(ab[0], ab[1], opt, theory.WSD(warmup=0.0, decay=0.2))
        for name, eta, slack in (("constant", der["eta_constant"], der["noise_slack_constant"]),
                                 ("schedule", der["eta_decay"], der["noise_slack_decay"])):
            c = comp[name]
            sl = dict(c["slopes"])
            if "noise_relaxed" not in sl:  # the noise not split by mode (SGD): the noise part in its place
                sl["without_relaxed_noise"], sl["noise_relaxed"] = float("nan"), sl["noise"]
                c = dict(c, relaxed_noise_share=c["noise_share"])
            asym = ""
            if name == "schedule" and "asymptotic_gain" in r:
                lo, hi = r["asymptotic_interval"]
                asym = (f"{r['asymptotic_gain']:+.4f} [{lo:+.4f}, {hi:+.4f}] "
                        f"{'yes' if r['asymptotic_agree'] else '**no**'} ({r['derived_gain']:+.4f})")
            print(f"| ({ab[0]}, {ab[1]}) | {ROLE[ab]} | {opt} | {'constant' if name == 'constant' else 'WSD'} | "
                  f"{eta:.4f} | {'-' if slack is None else f'{slack:.3f}'} | {sl['total']:.3f} / {sl['without_relaxed_noise']:.3f} / "
                  f"{sl['drift']:.3f} / {sl['noise_relaxed']:.3f} | "
                  f"{c['relaxed_noise_share'][0]:.2f} -> {c['relaxed_noise_share'][1]:.2f} | {asym} |")
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--points", default=None, help="'a,b;a,b' (default: all six)")
    ap.add_argument("--optimizers", default="signsgd,sgd")
    ap.add_argument("--out", default="docs/data/decay_gain")
    ap.add_argument("--per-decade", type=int, default=4)
    ap.add_argument("--fmax", type=float, default=None, help="cap log10 of the largest budget")
    ap.add_argument("--table", action="store_true", help="only print the table from the JSON files in --out")
    args = ap.parse_args(argv)
    if args.table:
        return _table(args.out)
    pts = list(POINTS) if args.points is None else [tuple(float(x) for x in p.split(",")) for p in args.points.split(";")]
    os.makedirs(args.out, exist_ok=True)
    sched = theory.WSD(warmup=0.0, decay=0.2)
    print("| (alpha, beta) | optimizer | derived gain | measured gain | interval | agree | local gains (window centres) "
          "| eta const / WSD (upper-half fits) | budgets | d | s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for ab in pts:
        (f0, f1), (d0, d1) = POINTS.get(ab, ((5.0, 9.0), (16, 8192)))
        if args.fmax is not None:
            f1 = min(f1, args.fmax)
        flops = np.logspace(f0, f1, int(round((f1 - f0) * args.per_decade)) + 1)
        for opt in args.optimizers.split(","):
            t0 = time.perf_counter()
            g = measure_decay_gain(*ab, opt, sched, flops=flops, d_grid=_lattice(d0, d1))
            loc = " ".join(f"{x:+.3f}" for x in g.local_gain)
            cen = f"{g.centers[0]:.0e}..{g.centers[-1]:.0e}" if g.centers.size else "-"
            print(f"| {ab} | {opt} | {g.derived_gain:+.4f} | {g.measured_gain:+.4f} | "
                  f"[{g.interval[0]:+.4f}, {g.interval[1]:+.4f}] | {g.agree} | {loc} ({cen}) | "
                  f"{g.eta_constant:.3f} / {g.eta_schedule:.3f} | {g.flops[0]:.0e}..{g.flops[-1]:.0e} | "
                  f"{d0}..{d1} | {time.perf_counter() - t0:.0f} |", flush=True)
            rec = g.to_dict()
            rec["local_se"] = g.local_se.tolist()
            rec.update({"d_star_constant": g.frontiers[0].d_star.tolist(), "d_star_schedule": g.frontiers[1].d_star.tolist(),
                        "c_star_constant": g.frontiers[0].c_star.tolist(), "c_star_schedule": g.frontiers[1].c_star.tolist(),
                        "flops_constant": g.frontiers[0].flops.tolist(), "flops_schedule": g.frontiers[1].flops.tolist(),
                        "eta_local_constant": g.frontiers[0].eta_local.tolist(),
                        "eta_local_schedule": g.frontiers[1].eta_local.tolist(),
                        "window_centers_constant": g.frontiers[0].window_centers.tolist(),
                        "at_edge_constant": g.frontiers[0].at_edge.tolist(),
                        "at_edge_schedule": g.frontiers[1].at_edge.tolist()})
            with open(os.path.join(args.out, f"{opt}_{ab[0]}_{ab[1]}.json"), "w") as fh:
                json.dump(rec, fh, indent=1, default=float)
    return 0


if __name__ == "__main__":
    sys.exit(main())
