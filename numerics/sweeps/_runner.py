"""The sweep runner: a point function over a grid, on Dask, into a store that resumes.

``run_sweep(fn, grid, store=...)`` submits one Dask task per point still ``pending`` in the store
and writes each batch of results as it arrives (``distributed.as_completed(...).batches()``), so
an interrupted sweep keeps everything that finished and the next call with the same arguments
computes only the rest. Where the work runs:

* ``scheduler=None`` (default): a ``distributed.LocalCluster`` started for the sweep, one
  single-threaded worker process per core (``workers=`` to choose), closed at the end;
* ``"tcp://host:8786"`` (any address a ``distributed.Client`` takes) or the path of a scheduler
  file (``dask scheduler --scheduler-file``): a running cluster, e.g. one started by a SLURM job;
* ``"slurm"``, ``"pbs"``, ``"sge"``, ``"lsf"``: a dask-jobqueue cluster configured from the
  ``jobqueue`` section of the Dask configuration (``~/.config/dask/jobqueue.yaml``), scaled to
  ``workers`` workers, closed at the end;
* a ``distributed.Client`` or a cluster object (``SLURMCluster(...)``): used as it is;
* ``"serial"``: every point in this process, one after the other (the reference for the
  distributed runs, and the way to debug a point function).

Each call runs under ``threadpoolctl.threadpool_limits(blas_threads)`` (default 1) on its worker,
and LocalCluster workers also get ``OMP/MKL/OPENBLAS_NUM_THREADS=1``, so that one process per core
does not oversubscribe the cores and the numbers are the same bit for bit whatever runs them.
A point that raises -- or whose worker dies, after Dask's own ``allowed-failures`` re-runs -- is
stored with ``sweep_status = "failed"`` and its exception in ``sweep_error``; the sweep goes on.
Dask's ``retries=`` re-run a raising point before it counts as failed. There is no scheduler, process
pool or retry logic here beyond Dask's.

References
----------
Dask distributed: futures, ``as_completed``, ``LocalCluster`` (https://distributed.dask.org);
dask-jobqueue (https://jobqueue.dask.org); xarray + zarr stores (https://docs.xarray.dev).
"""

from __future__ import annotations

import logging
import os
import sys
import time
import traceback
import uuid
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from theory import ParameterError
from theory.validate import check_int, check_real

from ._grid import Grid
from ._store import STATUSES, SweepStore, open_sweep

__all__ = ["SweepResult", "run_sweep", "JOBQUEUE_CLUSTERS", "describe_function", "call_point"]

#: ``scheduler=`` names that start a dask-jobqueue cluster (class name in dask_jobqueue).
JOBQUEUE_CLUSTERS = {"slurm": "SLURMCluster", "pbs": "PBSCluster", "sge": "SGECluster", "lsf": "LSFCluster"}


@dataclass
class SweepResult:
    """What one call of :func:`run_sweep` did, and the store's content.

    Attributes
    ----------
    store : Path
    dataset : xarray.Dataset
        The whole store, read back after the run (:func:`open_sweep`).
    status : str
        ``"ok"`` (every point ok), ``"failed_points"`` (some are stored as failed; see
        ``dataset.sweep_error``).
    computed : int
        Points computed by this call (stored as ok or failed).
    skipped : int
        Points already in the store (ok, or failed and not retried) that were not recomputed.
    failed : int
        Points of the store whose status is ``failed``.
    seconds : float
        Wall time of the call (cluster start-up included).
    scheduler : str
        Where the points ran.
    run : int
        This call's number among the store's runs (0 if there was nothing to compute).
    """

    store: Path
    dataset: object
    status: str
    computed: int
    skipped: int
    failed: int
    seconds: float
    scheduler: str
    run: int
    diagnostics: dict = field(default_factory=dict)

    def counts(self) -> dict:
        """``{status: number of points}`` over the store."""
        s = np.asarray(self.dataset["sweep_status"].values).reshape(-1).tolist()
        return {k: s.count(k) for k in STATUSES}


def describe_function(fn) -> str:
    """``module:qualname`` of a module-level function (a sweep's point function must be one)."""
    name = getattr(fn, "__qualname__", None)
    mod = getattr(fn, "__module__", None)
    if not callable(fn) or not name or not mod or "<locals>" in name or "<lambda>" in name:
        raise ParameterError("fn", "a module-level function of one point (dict -> dict)", fn)
    return f"{mod}:{name}"


def call_point(fn: Callable, point: dict, blas_threads: int = 1) -> tuple[dict, float]:
    """Run ``fn(point)`` with ``blas_threads`` BLAS/OpenMP threads; returns ``(result, seconds)``.

    This is the task each worker runs; exceptions propagate to Dask (which may retry them).
    """
    from threadpoolctl import threadpool_limits

    t0 = time.perf_counter()
    with threadpool_limits(limits=blas_threads):
        out = fn(dict(point))
    return out, time.perf_counter() - t0


def _error_text(exc: BaseException, tb=None) -> str:
    """``Type: message (file:line in function)`` of the innermost frame."""
    msg = "".join(traceback.format_exception_only(type(exc), exc)).strip().replace("\n", " | ")
    frames = traceback.extract_tb(tb if tb is not None else exc.__traceback__)
    if frames:
        f = frames[-1]
        msg += f" ({Path(f.filename).name}:{f.lineno} in {f.name})"
    return msg


def _default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


@contextmanager
def _client(scheduler, workers, n_todo):
    """A ``distributed.Client`` for ``scheduler`` (and a description), closed on exit if made here."""
    import distributed

    if isinstance(scheduler, distributed.Client):
        yield scheduler, f"client {scheduler.scheduler.address}"
        return
    with ExitStack() as stack:
        if scheduler is None:
            n = min(workers or _default_workers(), max(n_todo, 1))
            env = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
            cluster = stack.enter_context(distributed.LocalCluster(
                n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None,
                silence_logs=logging.CRITICAL, env=env))
            desc = f"LocalCluster({n} workers x 1 thread)"
        elif isinstance(scheduler, str) and scheduler.lower() in JOBQUEUE_CLUSTERS:
            if workers is None:
                raise ParameterError("workers", f"the number of workers to request from {scheduler}", workers)
            cluster = stack.enter_context(jobqueue_cluster(scheduler.lower()))
            cluster.scale(n=workers)
            desc = f"{type(cluster).__name__}({workers} workers)"
        elif isinstance(scheduler, str):
            cluster = None
            if Path(scheduler).is_file():
                client = stack.enter_context(distributed.Client(scheduler_file=scheduler, timeout="30s"))
            else:
                client = stack.enter_context(distributed.Client(scheduler, timeout="30s"))
            desc = f"scheduler {client.scheduler.address}"
            yield client, desc
            return
        elif hasattr(scheduler, "scheduler_address"):
            cluster = scheduler
            desc = f"{type(cluster).__name__} at {cluster.scheduler_address}"
        else:
            raise ParameterError("scheduler", "None, 'serial', an address, a scheduler file, one of "
                                 + ", ".join(JOBQUEUE_CLUSTERS) + ", a distributed.Client or a cluster", scheduler)
        client = stack.enter_context(distributed.Client(cluster))
        yield client, desc


def jobqueue_cluster(kind: str, **kwargs):
    """A dask-jobqueue cluster (``"slurm"``, ``"pbs"``, ``"sge"``, ``"lsf"``) from the Dask config.

    ``kwargs`` override the ``jobqueue.<kind>`` configuration (``cores``, ``memory``, ``queue``,
    ``account``, ``walltime``, ``job_extra_directives``, ...). Each job runs one single-threaded
    worker per core (``processes = cores``) unless the configuration says otherwise.
    """
    try:
        import dask_jobqueue
    except ImportError:
        raise ParameterError("scheduler", "dask-jobqueue installed (pip install 'sltk[sweeps]')", kind) from None
    cls = getattr(dask_jobqueue, JOBQUEUE_CLUSTERS[kind])
    import dask

    conf = dask.config.get(f"jobqueue.{kind}", {})
    if kwargs.get("processes") is None and conf.get("processes") is None and (kwargs.get("cores") or conf.get("cores")):
        kwargs["processes"] = kwargs.get("cores") or conf.get("cores")
    return cls(**kwargs)


def _progress_bar(total, done, desc, progress):
    from tqdm.auto import tqdm

    # progress=True: shown on a terminal only (tqdm's disable=None); False: never
    return tqdm(total=total, initial=done, desc=desc, unit="pt", dynamic_ncols=True, file=sys.stderr,
                disable=None if progress else True, smoothing=0.1)


def run_sweep(fn: Callable[[dict], dict], grid: Grid, *, store, attrs: dict | None = None, scheduler=None,
              workers: int | None = None, progress: bool = True, resume: bool = True, retry_failed: bool = False,
              retries: int = 0, blas_threads: int = 1, flush_seconds: float = 0.5) -> SweepResult:
    """Evaluate ``fn`` at every point of ``grid`` not yet in ``store``; store each result as it finishes.

    Parameters
    ----------
    fn : callable
        A module-level pure function ``fn(point: dict) -> dict`` of one grid point (the point's axis
        values and the grid's fixed parameters). The dict maps output names to scalars (float, int,
        bool, str), arrays, or ``(dims, array)`` to name the array's dimensions; every point must
        return the same names and shapes. Dask pickles it by reference, so workers import its module.
    grid : Grid
    store : str or Path
        The zarr folder. If it exists and holds this same sweep (grid, ``fn`` and ``attrs``), only
        the points still pending are computed; a different sweep there is refused.
    attrs : dict, optional
        JSON-able attributes of the sweep (the problem, optimizer, schedule and solver spec); stored
        and part of the sweep's identity.
    scheduler : None, "serial", str, distributed.Client or cluster
        Where to run (see the module docstring); default a LocalCluster with ``workers`` processes.
    workers : int, optional
        LocalCluster workers (default: the cores this process may use); jobqueue: workers to request.
    progress : bool
        A progress bar on stderr when it is a terminal (tqdm); never when False.
    resume : bool
        False: delete an existing store at ``store`` and compute everything.
    retry_failed : bool
        Also recompute the points stored as failed.
    retries : int
        Dask retries of a raising point before it is stored as failed.
    blas_threads : int
        BLAS/OpenMP threads per call (threadpoolctl), 1 by default.
    flush_seconds : float
        Finished points are written at most this long after they arrive (one write per touched
        chunk for all of them; 0 writes every batch at once).

    Returns
    -------
    SweepResult

    Examples
    --------
    >>> import tempfile, os
    >>> from numerics.sweeps import Grid
    >>> from numerics.sweeps._store import _demo_square
    >>> path = os.path.join(tempfile.mkdtemp(), "sq.zarr")
    >>> res = run_sweep(_demo_square, Grid({"x": [1.0, 2.0]}), store=path, scheduler="serial", progress=False)
    >>> res.status, res.computed, res.dataset["y"].values.tolist()
    ('ok', 2, [1.0, 4.0])
    >>> run_sweep(_demo_square, Grid({"x": [1.0, 2.0]}), store=path, scheduler="serial", progress=False).computed
    0

    References
    ----------
    Dask distributed futures and ``as_completed`` (https://distributed.dask.org/en/stable/api.html).
    """
    t0 = time.perf_counter()
    if not isinstance(grid, Grid):
        raise ParameterError("grid", "a numerics.sweeps.Grid", type(grid).__name__)
    fname = describe_function(fn)
    attrs = dict(attrs or {})
    if workers is not None:
        workers = check_int("workers", workers, ge=1)
    retries = check_int("retries", retries, ge=0)
    blas_threads = check_int("blas_threads", blas_threads, ge=1)
    flush_seconds = check_real("flush_seconds", flush_seconds, ge=0)
    identity = {"function": fname, "grid": grid.spec(), "attrs": attrs}
    try:
        st = SweepStore(store, grid, identity, attrs, resume=resume)
    except (TypeError, ValueError) as exc:
        if isinstance(exc, ParameterError):
            raise
        raise ParameterError("attrs", "JSON-able attributes", attrs, hint=str(exc)) from None
    todo = st.todo(retry_failed)
    skipped = grid.size - len(todo)
    run, computed, desc = 0, 0, "nothing to compute"
    if todo:
        serial = isinstance(scheduler, str) and scheduler == "serial"
        with ExitStack() as stack:
            if serial:
                client, desc = None, "serial (this process)"
            else:
                client, desc = stack.enter_context(_client(scheduler, workers, len(todo)))
            run = st.start_run({"scheduler": desc, "points_to_compute": len(todo), "retries": retries})
            bar = stack.enter_context(_progress_bar(grid.size, skipped, Path(store).name, progress))
            buf, last = [], time.monotonic()
            try:
                batches = _serial_batches(fn, grid, todo, blas_threads) if serial else \
                    _dask_batches(client, fn, grid, todo, retries, blas_threads)
                for batch in batches:
                    buf += batch
                    bar.update(len(batch))
                    if time.monotonic() - last >= flush_seconds:
                        st.write(buf, run)
                        computed += len(buf)
                        buf, last = [], time.monotonic()
            finally:  # also on an interruption: what has finished is stored
                if buf:
                    st.write(buf, run)
                    computed += len(buf)
                st.finish_run(run, {"points_computed": computed, "seconds": round(time.perf_counter() - t0, 3)})
    ds = open_sweep(st.path)
    failed = int((np.asarray(ds["sweep_status"].values) == "failed").sum())
    pending = int((np.asarray(ds["sweep_status"].values) == "pending").sum())
    status = "ok" if failed == 0 and pending == 0 else "failed_points"
    return SweepResult(st.path, ds, status, computed, skipped, failed, time.perf_counter() - t0, desc, run,
                       {"function": fname, "pending": pending})


def _serial_batches(fn, grid, todo, blas_threads):
    for flat in todo:
        try:
            out, sec = call_point(fn, grid.point(grid.index(flat)), blas_threads)
            yield [{"flat": flat, "result": out, "seconds": sec}]
        except Exception as exc:  # recorded as the point's status, not a crash of the sweep
            yield [{"flat": flat, "result": None, "error": _error_text(exc), "seconds": np.nan}]


def _dask_batches(client, fn, grid, todo, retries, blas_threads):
    import distributed

    token = uuid.uuid4().hex[:8]
    futures = {}
    try:
        for flat in todo:
            fut = client.submit(call_point, fn, grid.point(grid.index(flat)), blas_threads,
                                key=f"sweep-{token}-{flat}", pure=False, retries=retries)
            futures[fut.key] = (flat, fut)
        for batch in distributed.as_completed([f for _, f in futures.values()], with_results=True,
                                              raise_errors=False).batches():
            recs = []
            for fut, res in batch:
                flat = futures[fut.key][0]
                if fut.status == "error":
                    _, exc, tb = res
                    recs.append({"flat": flat, "result": None, "error": _error_text(exc, tb), "seconds": np.nan})
                else:
                    recs.append({"flat": flat, "result": res[0], "seconds": res[1]})
                fut.release()
            yield recs
    finally:  # interrupted (KeyboardInterrupt, or the caller stopped iterating): drop what is queued
        left = [f for _, f in futures.values() if not f.done()]
        if left:
            client.cancel(left)
