"""Report section: loss laws with learning-rate annealing, on real LLM curves and on theory."""

from __future__ import annotations

import time

import numpy as np

from .._report import Code, Figure, Table, Text

ORDER = 50
TITLE = "Loss laws with learning-rate annealing (Tissue momentum law, multi-power law)"

#: Relative build cost (the report's parallel driver starts the costliest sections first).
COST = 4

#: Luo et al. (2025), Table 1 (averages over the six held-out schedules) and the official
#: README's updated MPL numbers -- research note dmft_annealing.md Sec. 3.3, 3.6.
PAPER_ROWS = [
    ("25M", "momentum law (Luo et al. Tab. 1)", 0.9904, 0.0047, 0.0060, 0.0014, 0.0047),
    ("25M", "multi-power law (Tab. 1)", 0.9975, 0.0039, 0.0046, 0.0012, 0.0040),
    ("25M", "multi-power law (README)", 0.9988, 0.00376, 0.00465, 0.00110, 0.00409),
    ("100M", "momentum law (Tab. 1)", 0.9959, 0.0068, 0.0095, 0.0022, 0.0094),
    ("100M", "multi-power law (Tab. 1)", 0.9982, 0.0038, 0.0051, 0.0013, 0.0058),
    ("100M", "multi-power law (README)", 0.9983, 0.00435, 0.00592, 0.00142, 0.00583),
    ("400M", "momentum law (Tab. 1)", 0.9962, 0.0071, 0.0094, 0.0025, 0.0100),
    ("400M", "multi-power law (Tab. 1)", 0.9971, 0.0053, 0.0070, 0.0019, 0.0070),
    ("400M", "multi-power law (README)", 0.9978, 0.00484, 0.00730, 0.00168, 0.00995),
]


def _f(x, nd=4):
    return f"{x:.{nd}f}"


def _real_data(ctx, blocks):
    from numerics.laws import fit_and_predict, summarize_metrics
    from numerics.laws import LLM_FIT_SPLIT, LLM_SCHEDULES, LLM_SIZES, load_llm_curve, loss_data_dir
    from theory import ParameterError

    try:
        runs = {z: [load_llm_curve(z, s) for s in LLM_SCHEDULES] for z in LLM_SIZES}
    except ParameterError as exc:
        blocks.append(Text(f"Real LLM loss curves not available ({exc}); this part is skipped."))
        return None
    fast = ctx.fast
    # the CLI's defaults (the law's starts, method and binning) so that the printed commands
    # reproduce every number; fast mode uses fewer starts and says so in the commands
    cfg = {("tissue", "mle"): dict(n_starts=2 if fast else None),
           ("mpl", "mle"): dict(n_starts=1 if fast else None, bin_width=64 if fast else None)}
    if not fast:
        cfg[("mpl", "predictive")] = dict(n_starts=None, bin_width=None)
    test = [s for s in LLM_SCHEDULES if s not in LLM_FIT_SPLIT]
    rows, summary, fits, panels, commands = [], [], {}, [], []
    for z in LLM_SIZES:
        fit_c = [c for c in runs[z] if c.name.split("/")[1] in LLM_FIT_SPLIT]
        test_c = [c for c in runs[z] if c.name.split("/")[1] not in LLM_FIT_SPLIT]
        for (law, mode), kw in cfg.items():
            fit, met = fit_and_predict(fit_c, test_c, law, mode=mode, **kw)
            if mode == "mle" or (z, law) not in fits:
                fits[(z, law)] = fit
            fits[(z, law, mode)] = fit
            tag = f"{law} {mode}"
            for c in runs[z]:
                m = met[c.name]
                short = c.name.split("/")[1]
                rows.append([f"{z}M", tag, short, "fit" if short in LLM_FIT_SPLIT else "predict",
                             _f(m["r2"]), _f(m["mae"]), _f(m["rmse"]), _f(m["mean_rel"]), _f(m["worst_rel"])])
            s = summarize_metrics(met, [f"{z}M/{t}" for t in test])
            flags = ", ".join([f"{a['param']} AT BOUND" for a in fit.at_bound]
                              + [f"{k} flat" for k in fit.identifiability.get("flat", [])
                                 if k not in {a["param"] for a in fit.at_bound}]
                              + [f"{c['params'][0]}-{c['params'][1]} ridge (corr {c['corr']:+.3f})"
                                 for c in fit.identifiability.get("correlated", [])]) or "-"
            summary.append([f"{z}M", f"{tag} (sltk, this fit)", _f(s["r2"]), _f(s["mae"]), _f(s["rmse"]),
                            _f(s["mean_rel"]), _f(s["worst_rel"]),
                            "yes" if fit.converged else "NO", flags, f"{fit.seconds:.1f}"])
            if mode == "mle":
                panels.append((f"{z}M, {'momentum (Tissue)' if law == 'tissue' else 'multi-power'} law",
                               runs[z], fit.law, fit.theta))
            files = " ".join(f"$D/csv_{z}/{t}.csv" for t in LLM_FIT_SPLIT)
            held = " ".join(f"$D/csv_{z}/{t}.csv" for t in test)
            opts = f"--law {law} --mode {mode}" + (f" --starts {kw['n_starts']}" if kw.get("n_starts") else "")
            if kw.get("bin_width"):
                opts += f" --bin-width {kw['bin_width']}"
            commands.append(f"sltk predict --fit " + " --fit ".join(f"$D/csv_{z}/{t}.csv" for t in LLM_FIT_SPLIT)
                            + f" {held} {opts}")
            commands.append(f"sltk fit {files} {opts}")
    paper = [[z, name, *(_f(v) for v in vals), "", "", ""] for z, name, *vals in PAPER_ROWS]
    blocks.append(Text(
        "Real pre-training runs (Luo et al. 2025; 25M/100M/400M Llama-2-style models, nine schedules each, "
        f"data folder {loss_data_dir()}). Both laws are fitted jointly on the paper's split "
        f"({', '.join(LLM_FIT_SPLIT)}) and predict the other six. Warmup: the runs warm up linearly over "
        "2160 updates that are not in the files; the exact per-update history is rebuilt from the run name "
        "(checked against the logged lr column). Conventions: Tissue law 'peak' (warmup counted at the peak "
        "rate, lambda = 0.999 fixed); multi-power law 'half' (S_W = eta_max W / 2, paper Eq. 1). Objective: "
        "Huber (delta = 1e-3) on log loss, summed; multi-start grid; Tissue by L-BFGS-B, MPL by bounded TRF "
        "least squares with the Huber loss (L-BFGS-B alone stalls on MPL's flat valleys)."
        + (" FAST MODE: fewer starts, coarser MPL binning." if fast else "")))
    blocks.append(Table(["size", "law", "R2", "MAE", "RMSE", "PredE (mean rel)", "WorstE", "converged",
                         "bound / identifiability", "fit s"],
                        summary + paper,
                        "Mean metrics over the six held-out schedules: this fit (top) beside the numbers printed "
                        "by Luo et al. (2025) Table 1 and the official README (bottom). Our WorstE is the mean over the "
                        "held-out curves of each curve's worst relative error (all logged points, the first ones "
                        "included). mode mle: the plain summed-Huber fit; predictive: a log-normal prior on the "
                        "multi-power law's beta, gamma, C with its scale chosen by CV on the three fitting curves "
                        "(leave-one-schedule-out plus a fold in time: fit the first halves, score the rest). 'AT BOUND' marks a parameter on its box bound, 'flat' one whose "
                        "quadratic profile is wider than 50 % of its value, 'ridge' a pair of parameters correlated beyond "
                        "0.995 (only a combination of them is determined)."))
    blocks.append(Code("D=$(python -c 'import numerics.laws as l; print(l.loss_data_dir())')\n"
                       + "\n".join(commands), "bash"))
    blocks.append(Text("The commands above reproduce the summary table's fits and held-out metrics (same defaults "
                       "as the API's fit_loss_law; the packaged files get their exact learning-rate history, "
                       "warmup included, without any flag)."))
    blocks.append(Table(["size", "law", "schedule", "role", "R2", "MAE", "RMSE", "mean rel", "worst rel"], rows,
                        "Per-schedule metrics, both laws, all three sizes."))
    fig = ctx.path("loss_laws/llm_pred_vs_obs.png")
    from .._figures.laws import plot_prediction_grid

    panels = [p for law in ("momentum", "multi-power") for p in panels if law in p[0]]  # rows: laws; columns: sizes
    plot_prediction_grid(panels, fig, fit_names=LLM_FIT_SPLIT)
    blocks.append(Figure("loss_laws/llm_pred_vs_obs.png",
                         "Observed training loss (thick light lines) and law predictions (thin lines; dashed = fitted schedules) "
                         "for the nine schedules; rows: momentum law, multi-power law; columns: model sizes."))
    def _pv(fit, k, v):
        hit = [a for a in fit.at_bound if a["param"] == k]
        return f"{k}={v:.4g}" + (f" (AT {hit[0]['bound'].upper()} BOUND)" if hit else "")

    prm = [[f"{key[0]}M", " ".join(key[1:])] + [_pv(fits[key], k, v) for k, v in fits[key].params.items()]
           for key in fits if len(key) == 3]
    width = max(len(r) for r in prm)
    blocks.append(Table(["size", "law"] + [f"p{i}" for i in range(1, width - 1)],
                        [r + [""] * (width - len(r)) for r in prm], "Fitted parameters."))
    return runs, fits


def _bootstrap(ctx, blocks, runs, fits):
    from numerics.laws import bootstrap_fit
    from numerics.laws import LLM_FIT_SPLIT

    n_boot = 8 if ctx.fast else 100
    fit_c = [c for c in runs["400"] if c.name.split("/")[1] in LLM_FIT_SPLIT]
    # the 400M momentum-law fit of the tables (the same call as `sltk fit ... --law tissue`, same starts),
    # bootstrapped without fitting it a second time
    fit = bootstrap_fit(fits[("400", "tissue", "mle")], fit_c, n_boot, seed=ctx.seed)
    rows = [[k, f"{fit.params[k]:.4g}", f"[{lo:.4g}, {hi:.4g}]"] for k, (lo, hi) in fit.ci.items()]
    tgt = next(c for c in runs["400"] if c.name.endswith("cosine_72000"))
    pred, lo, hi = fit.predict(tgt.history, tgt.steps[-1:], ci=True)
    blocks.append(Table(["param", "value", f"{int(fit.level * 100)}% CI"], rows,
                        f"400M momentum law: block wild bootstrap ({n_boot} refits) of the log residuals. "
                        f"Prediction of the final cosine_72000 loss: {pred[0]:.4f} "
                        f"[{lo[0]:.4f}, {hi[0]:.4f}] vs observed {tgt.loss[-1]:.4f}. Reproduce: sltk fit "
                        f"{' '.join('$D/csv_400/' + t + '.csv' for t in LLM_FIT_SPLIT)} --law tissue "
                        f"--bootstrap {n_boot} --seed {ctx.seed}" + (" --starts 2" if ctx.fast else "") + "."))


def _design(ctx, blocks, fits):
    from numerics.laws import best_wsd_decay, optimal_schedule, wsd_final_loss
    from numerics.laws import LLM_PEAK, LLM_WARMUP

    from .._figures.laws import plot_schedule_design

    N = 24000
    fr = np.linspace(0.0, 0.8, 9 if ctx.fast else 33)
    scan, opt, rows = {}, {}, []
    for law in ("tissue", "mpl"):
        fit = fits[("400", law)]
        shapes = ("linear", "cosine", "1-sqrt")
        scan[law] = (fr, {s: wsd_final_loss(fit.law, fit.theta, N, fr, shape=s, peak=LLM_PEAK,
                                             warmup_steps=LLM_WARMUP) for s in shapes})
        for H in ((24000,) if ctx.fast else (24000, 72000)):
            for s in (("linear",) if ctx.fast else shapes):
                b = best_wsd_decay(fit.law, fit.theta, [H], shape=s, peak=LLM_PEAK, warmup_steps=LLM_WARMUP,
                                   grid=11 if ctx.fast else 41)[0]
                rows.append([law, H, s, f"{b['fraction']:.3f}", f"{b['final_loss']:.4f}",
                             f"{b['cosine_loss']:.4f}", f"{b['constant_loss']:.4f}"])
        opt[law] = optimal_schedule(fit.law, fit.theta, N, peak=LLM_PEAK, warmup_steps=LLM_WARMUP,
                                    n_blocks=30 if ctx.fast else 100, maxiter=60 if ctx.fast else 300)
    blocks.append(Table(["law", "horizon", "decay shape", "best decay fraction", "final loss", "cosine", "constant"],
                        rows, "Best WSD decay fraction per horizon (400M fits; warmup 2160, peak 3e-4, decay to 0)."))
    plot_schedule_design(scan, opt, ctx.path("loss_laws/schedule_design.png"), horizon=N,
                         title="400M: schedule design from the fitted laws")
    blocks.append(Figure("loss_laws/schedule_design.png",
                         "Left: predicted final loss at 24000 steps vs WSD decay fraction and shape. Right: the "
                         "optimal non-increasing schedule under each law."))
    for law, o in opt.items():
        blocks.append(Text(f"Optimal schedule under the {law} law: final loss {o.final_loss:.4f} "
                           f"(best linear WSD {o.baselines['best_wsd_linear']:.4f}, cosine "
                           f"{o.baselines['cosine']:.4f}); degenerate = {o.degenerate}. {o.message}"))


def _al(fit, name="alpha"):
    """A fitted parameter for a table, marked when it sits on its bound."""
    hit = any(a["param"] == name for a in fit.at_bound)
    return f"{fit.params[name]:.3f}" + (" (AT BOUND)" if hit else "")


def _theory(ctx, blocks):
    import numerics
    from numerics.laws import law_theory_bridge, theory_loss_curves
    from theory import SGD, SignSGD
    from theory.linreg import GaussianNoise, LinearRegressionProblem
    from theory.plrf import PLRF

    from .._figures.laws import plot_theory_bridge

    d = 64 if ctx.fast else 200
    N = 3000 if ctx.fast else 20000
    cases = {"phase II (alpha=0.8, beta=0.6)": (0.8, 0.6), "phase III (alpha=0.7, beta=1.0)": (0.7, 1.0)}
    results, rows, exps, notes = {}, [], [], []
    for label, (a, b) in cases.items():
        prob = PLRF(a, b, 4 * d, d)
        # the exact spectrum of the one sampled W, computed once for lr_max and the six theory curves
        spec = numerics.plrf.spectrum_of(prob, "exact", seed=ctx.seed)
        lr_max = numerics.plrf.risk_curve(prob, SGD(lr=1e-3), steps=2, spectrum=spec, seed=ctx.seed).lr_max
        res = law_theory_bridge(prob, SGD(lr=0.5 * lr_max), N, spectrum=spec, n_points=40 if ctx.fast else 150,
                                n_starts=1 if ctx.fast else 4, seed=ctx.seed,
                                laws=("tissue", "mpl") if ctx.fast else ("tissue", "tissue-fit-lambda", "mpl"))
        results[label] = res
        for r in res.rows():
            rows.append([label.split(" (")[0], "SGD", r[0], r[1], r[2]] + [f"{x:.4g}" for x in r[3:]])
        e = res.exponents
        lam_fit = res.fits.get("tissue-fit-lambda")
        notes.append(f"{label}: momentum law with lambda fitted: lambda = {lam_fit.params['lambda']:.5f}, "
                     f"alpha = {lam_fit.params['alpha']:.3f}." if lam_fit else "")
        exps.append([label, "SGD", _al(res.fits['tissue']), _al(res.fits['mpl']),
                     f"{e.get('F_pp', float('nan')):.3f}", f"{e.get('F_ac', float('nan')):.3f}",
                     f"{e.get('noise', float('nan')):.3f}", _al(res.fits['mpl'], 'beta'),
                     f"{e['fsl_beta']:.3f}"])
    notes = [x for x in notes if x]
    # signSGD on the PLRF data model without the random-feature embedding (power-law Gaussian regression,
    # v = d, label noise std 0.1), exact mode recursion of its high-dimensional equations (Xiao et al. 2024)
    ds, Ns = (100, 6000) if ctx.fast else (200, 20000)
    a, b, lr_s = 0.8, 0.6, 0.05
    reg = LinearRegressionProblem.power_law(a, b, ds, GaussianNoise(0.1))
    cs = theory_loss_curves(reg, SignSGD(lr=lr_s / ds), Ns, n_points=40 if ctx.fast else 100, start=0.3)
    res = law_theory_bridge(reg, SignSGD(lr=lr_s / ds), Ns, curves=cs, n_starts=1 if ctx.fast else 2)
    label = f"signSGD regression (alpha={a}, beta={b}, d={ds})"
    results[label] = res
    for r in res.rows():
        rows.append(["signSGD (no RF)", "signSGD", r[0], r[1], r[2]] + [f"{x:.4g}" for x in r[3:]])
    exps.append([label, "signSGD", _al(res.fits['tissue']),
                 _al(res.fits['mpl']), "n/a", "n/a", "n/a",
                 _al(res.fits['mpl'], 'beta'), f"{1 - 1 / (2 * a):.3f}"])
    fin = {c.name: c.loss[-1] for c in cs}
    notes.append(f"signSGD (on power-law Gaussian regression, v = d, label noise std 0.1, exact mode recursion "
                 f"of numerics.linreg.risk_curve) final losses: constant {fin['constant']:.4g}, cosine "
                 f"{fin['cosine']:.4g}, WSD-linear {fin['wsd-linear']:.4g} (annealing does not lower the signSGD "
                 "loss here).")
    blocks.append(Text(
        "Bridge to theory: exact expected risk curves of one-pass SGD on power-law random features "
        f"(v = 4d, d = {d}, exact spectrum of one sampled W, exact per-mode recursion through "
        f"numerics.plrf.risk_curve(method='recursion'), lr = 0.5 lr_max, horizon {N}) under six schedules; both laws "
        "fitted on constant, cosine and two-stage (0.3) and used to predict WSD (linear 20 %, cosine 40 %) and "
        "two-stage (0.1). The law's S1 is the theory's intrinsic time T = gamma B r." + (" " + " ".join(notes) if notes else "")))
    blocks.append(Table(["phase", "optimizer", "law", "schedule", "role", "R2", "MAE", "RMSE", "mean rel", "worst rel"],
                        rows, "How well the empirical laws describe (fit) and predict exact theory curves."))
    blocks.append(Table(["case", "optimizer", "alpha (Tissue fit)", "alpha (MPL fit)", "theory F_pp", "theory F_ac",
                         "theory noise", "beta (MPL fit)", "FSL 1-1/(2alpha)"], exps,
                        "Fitted exponents beside the derived exponents of T (theory.plrf.risk_terms('sgd')): F_pp = "
                        "(2alpha+2beta-1)/(2alpha), F_ac = 1-1/(2alpha), noise = 2-1/(2alpha)."))
    plot_theory_bridge(results, ctx.path("loss_laws/theory_bridge.png"))
    blocks.append(Figure("loss_laws/theory_bridge.png",
                         "Exact PLRF risk (dots) vs the fitted laws (dashed: fitted schedules; solid: predicted)."))
    return results


def build(ctx):
    t0 = time.perf_counter()
    blocks = []
    got = _real_data(ctx, blocks)
    if got is not None:
        runs, fits = got
        _bootstrap(ctx, blocks, runs, fits)
        _design(ctx, blocks, fits)
    _theory(ctx, blocks)
    blocks.append(Code(f"sltk fit $D/csv_400/cosine_24000.csv $D/csv_400/constant_24000.csv $D/csv_400/wsdcon_9.csv "
                       f"--law mpl --mode predictive --bootstrap 20 --json --out fit400\n"
                       f"sltk predict --params fit400/fit.json $D/csv_400/wsd_20000_24000.csv\n"
                       f"sltk schedule-opt --params fit400/fit.json --steps 24000\n"
                       f"# section built in {time.perf_counter() - t0:.1f} s", "bash"))
    return blocks
