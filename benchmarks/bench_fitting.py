"""Benchmark: loss-law fitting speed (Tissue momentum law, multi-power law) and MPL binning.

Run by hand: ``.venv/bin/python benchmarks/bench_fitting.py``. Prints tables; the numbers go to
docs/benchmarks.md with the machine description.

Targets: issue 6, a 500-point curve pair fitted in < 2 s (tissue) and < 20 s (mpl); issue 17,
the mpl pair in < 2 s with the exact loss-drop sum (the default treecode, ``bin_width=None``).
Wall and CPU (user+sys of this process) seconds are printed: on a shared machine the CPU time is
the figure to judge.
"""

from __future__ import annotations

import time

import numpy as np

import numerics
from numerics.laws import LossCurve, MultiPowerLaw, TissueLaw, fit_loss_law, lr_history
from sltk._output import format_table
from theory import Constant, Cosine


def synthetic_pair(law, params, n_points=500, horizon=24000, noise=1e-3, seed=0):
    rng = np.random.default_rng(seed)
    out = []
    for name, sch in (("constant", Constant()), ("cosine", Cosine(warmup=0.09, floor=0.1))):
        h = lr_history(sch, horizon, peak=3e-4, warmup_steps=2160)
        st = np.linspace(2200, horizon, n_points).astype(int)
        y = law.predict(params, h, st) * np.exp(rng.normal(0, noise, st.size))
        out.append(LossCurve(name, st, y, h))
    return out


def timed(fn, repeat=3):
    best, best_cpu = np.inf, np.inf
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        res = fn()
        best = min(best, time.perf_counter() - t0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    timed.cpu = best_cpu
    return best, res


def main():
    rows = []
    tis = dict(L0=2.67, A=0.63, alpha=0.73, C=0.56)
    mpl = dict(zip(MultiPowerLaw.param_names, [2.52, 0.66, 0.42, 770.0, 0.52, 0.27, 0.65]))
    for label, law, p, kw in (("tissue", TissueLaw(0.999), tis, {}), ("mpl", MultiPowerLaw(bin_width=1), mpl, {}),
                              ("mpl", MultiPowerLaw(bin_width=1), mpl, {"bin_width": 32})):
        curves = synthetic_pair(law, p)
        for n_starts in (1, None):
            sec, fit = timed(lambda: fit_loss_law(curves, label, n_starts=n_starts, **kw), repeat=2)
            sumk = "" if label == "tissue" else fit.law.summation + (f" {fit.law.bin_width}" if kw else "")
            rows.append([f"synthetic pair 2x500 pts ({label} data)", label, sumk, fit.method, fit.n_starts, 1000,
                         f"{sec:.2f}", f"{timed.cpu:.2f}", fit.converged, f"{fit.r2:.5f}"])
    d = numerics.laws.loss_data_dir()
    if (d / "csv_400" / "cosine_24000.csv").is_file():
        for size in ("25", "400"):
            cs = [numerics.laws.load_llm_curve(size, s) for s in numerics.laws.LLM_FIT_SPLIT]
            n = sum(c.steps.size for c in cs)
            for label in ("tissue", "mpl"):
                for method in ((None, "lbfgsb") if label == "mpl" else (None,)):
                    sec, fit = timed(lambda: fit_loss_law(cs, label, method=method), repeat=1)
                    sumk = "" if label == "tissue" else fit.law.summation
                    rows.append([f"real {size}M paper split (3 curves)", label, sumk, fit.method, fit.n_starts, n,
                                 f"{sec:.2f}", f"{timed.cpu:.2f}", fit.converged, f"{fit.r2:.5f}"])
    print(format_table(["case", "law", "mpl sum", "method", "starts", "points", "wall s", "cpu s", "converged", "R2"],
                       rows))
    print()
    # MPL evaluation: exact (bin_width=1) vs binned, cost per evaluation with Jacobian
    h = numerics.laws.llm_run_history("cosine_72000")
    st = np.arange(2176, 72001, 128)
    th = np.array(list(mpl.values()))
    ref = MultiPowerLaw(bin_width=1).predict(th, h, st)
    rows = []
    for bw in (None, 1, 8, 32, 64, 128):
        law = MultiPowerLaw(bin_width=bw)
        t0 = time.perf_counter()
        cache = law.prepare(h, st)
        t_prep = time.perf_counter() - t0
        sec, _ = timed(lambda: law.evaluate(th, cache, jac=True), repeat=3)
        err = np.max(np.abs(law.evaluate(th, cache) - ref))
        rows.append(["tree (default)" if bw is None else bw, law.summation, cache["n_terms"], st.size,
                     f"{t_prep * 1e3:.0f}", f"{sec * 1e3:.2f}", f"{err:.2e}"])
    print(format_table(["bin_width", "sum", "terms", "logged steps", "ms prepare", "ms per eval+jac",
                        "max |error| vs exact pairwise"], rows))
    print("(cosine_72000 schedule, 70k updates, 547 logged steps)")


if __name__ == "__main__":
    main()
