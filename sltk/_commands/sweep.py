"""``sltk sweep``: run a sweep kind over a grid on Dask into a resumable store, or draw a stored one.

``sltk sweep KIND [kind options] --store STORE [--scheduler ADDRESS] [--workers N]`` runs the point
function of ``KIND`` (``frontier``, ``decay-gain``, ``phase-map``, ...: :mod:`sltk._sweep_kinds`)
at every grid point still pending in ``STORE`` (:func:`numerics.sweeps.run_sweep`), on a
LocalCluster of ``--workers`` single-threaded processes by default, and stores each result as it
finishes; an interrupted run (Ctrl-C, a job's time limit) is resumed by the same command.
``sltk sweep show STORE --out FIG`` draws any stored sweep (the kind's figure, or a generic map)
and prints its summary. Exit status 0 when every point is stored (failed points are reported, they
are results), 2 for bad input, 130 when interrupted.
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path

from theory import ParameterError

from .._args import check_out_dir, integer

COMMAND = "sweep"
QUIET = False  # the kinds' parsers have their own --quiet
OUTPUTS = {"out": "file"}
HELP = "run a grid sweep (frontier atlas, decay gain, phase map, ...) on Dask into a resumable store, or draw one"
DESCRIPTION = __doc__.split("\n\n")[0].replace("``", "")


def _runner_arguments(p) -> None:
    p.add_argument("--store", required=True, metavar="STORE.zarr", help="zarr store: created, or resumed if it holds this sweep")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="where to run: a scheduler address (tcp://host:8786), a scheduler file, 'serial', or "
                        "slurm/pbs/sge/lsf (dask-jobqueue, from the Dask config); default a LocalCluster")
    p.add_argument("--workers", type=integer(ge=1), default=None, metavar="N",
                   help="LocalCluster worker processes (default: the cores), or jobqueue workers to request")
    p.add_argument("--retries", type=integer(ge=0), default=0, help="Dask retries of a raising point (default 0)")
    p.add_argument("--retry-failed", action="store_true", help="also recompute the points stored as failed")
    p.add_argument("--restart", action="store_true", help="delete the store and compute every point again")
    p.add_argument("--quiet", action="store_true", help="no progress bar (it is shown only on a terminal anyway)")
    p.add_argument("--out", default=None, metavar="FIG", help="also draw the finished sweep (.png/.pdf/.svg)")


def add_arguments(p) -> None:
    from .._sweep_kinds import kinds

    sub = p.add_subparsers(dest="kind", metavar="KIND", parser_class=type(p))
    sub.required = True
    for name, mod in kinds().items():
        kp = sub.add_parser(name, help=mod.HELP, description=(mod.__doc__ or mod.HELP).split("\n\n")[0])
        mod.add_arguments(kp)
        _runner_arguments(kp)
    sp = sub.add_parser("show", help="draw a stored sweep and print its summary")
    sp.add_argument("store", metavar="STORE", help="a sweep store")
    sp.add_argument("--out", default=None, metavar="FIG", help="figure (.png/.pdf/.svg)")


def _check_out(out) -> None:
    if out is not None and Path(out).suffix.lower() not in (".png", ".pdf", ".svg"):
        raise ParameterError("--out", "a file name ending in .png, .pdf or .svg", out)


def _check_scheduler(s) -> None:
    from numerics.sweeps import JOBQUEUE_CLUSTERS

    if s is None or s == "serial" or s.lower() in JOBQUEUE_CLUSTERS or "://" in s or Path(s).is_file():
        return
    raise ParameterError("--scheduler", "an address such as tcp://host:8786, an existing scheduler file, 'serial' or "
                         "one of " + ", ".join(JOBQUEUE_CLUSTERS), s)


def _draw(ds, out) -> None:
    from .._output import figure_style, save_figure
    from .._sweep_kinds import kinds

    mod = kinds().get(ds.attrs.get("kind"))
    with figure_style():
        if mod is not None:
            fig = mod.figure(ds)
        else:
            from .._figures.sweeps import generic_figure

            fig = generic_figure(ds)
        save_figure(fig, out)
    print(f"figure written to {out}")


def _summary(ds) -> list[str]:
    from .._sweep_kinds import kinds

    mod = kinds().get(ds.attrs.get("kind"))
    if mod is not None:
        return mod.summary(ds)
    st = ds["sweep_status"].values.reshape(-1).tolist()
    return [f"points: {st.count('ok')} ok, {st.count('failed')} failed, {st.count('pending')} pending"]


def _failures(ds, limit=5) -> list[str]:
    import numpy as np

    st = np.asarray(ds["sweep_status"].values)
    err = np.asarray(ds["sweep_error"].values)
    msgs: dict[str, int] = {}
    for e in err[st == "failed"].tolist():
        key = e.split(" (")[0][:160]
        msgs[key] = msgs.get(key, 0) + 1
    lines = [f"  {n} x {m}" for m, n in sorted(msgs.items(), key=lambda kv: -kv[1])[:limit]]
    return (["failed points (stored with sweep_status='failed', message in sweep_error):"] + lines) if lines else []


def _sigterm(signum, frame):  # a job's time limit or `kill`: stop like Ctrl-C, so the run closes cleanly
    raise KeyboardInterrupt


def run(args) -> int:
    from numerics.sweeps import open_sweep

    if args.kind == "show":
        _check_out(args.out)
        ds = open_sweep(args.store)
        print(f"{args.store}: {ds.attrs.get('kind', 'sweep')} over "
              + " x ".join(f"{d}[{n}]" for d, n in zip(ds['sweep_status'].dims, ds['sweep_status'].shape)))
        print("\n".join(_summary(ds) + _failures(ds)))
        if args.out:
            _draw(ds, args.out)
        return 0
    from numerics.sweeps import run_sweep
    from .._sweep_kinds import kind_of

    mod = kind_of(args.kind)
    _check_out(args.out)
    if not Path(args.store).exists():  # a new store: its folder must be writable (an existing one is resumed)
        check_out_dir("--store", Path(args.store).parent if str(Path(args.store).parent) else ".")
    elif not Path(args.store).is_dir():
        raise ParameterError("--store", "a zarr store folder (not an existing file)", args.store)
    _check_scheduler(args.scheduler)
    if args.workers is not None and args.workers < 1:
        raise ParameterError("--workers", "--workers >= 1", args.workers)
    if args.retries < 0:
        raise ParameterError("--retries", "--retries >= 0", args.retries)
    spec = mod.build(args)
    old = signal.signal(signal.SIGTERM, _sigterm)
    try:
        res = run_sweep(spec.fn, spec.grid, store=args.store, attrs=spec.attrs, scheduler=args.scheduler,
                        workers=args.workers, progress=not args.quiet, resume=not args.restart,
                        retry_failed=args.retry_failed, retries=args.retries)
    except KeyboardInterrupt:
        import numpy as np
        import zarr

        st = np.asarray(zarr.open_group(args.store, mode="r")["sweep_status"][...])
        print(f"sltk: interrupted: {int(((st == 'ok') | (st == 'failed')).sum())} of {st.size} points stored in {args.store}; "
              "run the same command again to resume", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGTERM, old)
    print(f"{args.store}: {res.computed} points computed ({res.scheduler}), {res.skipped} already stored; "
          f"{res.seconds:.1f} s")
    print("\n".join(_summary(res.dataset) + _failures(res.dataset)))
    if args.out:
        _draw(res.dataset, args.out)
    return 0
