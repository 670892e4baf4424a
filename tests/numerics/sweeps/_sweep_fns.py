"""Point functions for the sweep-runner tests (module level, so Dask can ship them to workers)."""

import os
import time
import uuid

import numpy as np


def numeric(point):
    """Deterministic float work that goes through BLAS/LAPACK (eigenvalues of a seeded matrix)."""
    rng = np.random.default_rng([int(round(point["a"] * 1000)), int(round(point["b"] * 1000))])
    m = rng.standard_normal((40, 40))
    ev = np.linalg.eigvalsh(m @ m.T + point["a"] * np.eye(40))
    return {"top": float(ev[-1]), "spectrum": (("mode",), ev[:5]), "label": f"{point['a']:g}/{point['b']:g}",
            "n": int(point["a"] * 10)}


def sometimes_raises(point):
    if point["a"] > point["b"]:
        raise ValueError(f"a={point['a']} > b={point['b']}")
    return {"y": point["a"] + point["b"]}


def shape_changes(point):
    return {"v": np.zeros(2 if point["a"] < 2 else 3)}


def crashes_worker(point):
    if point["a"] == 2.0:
        os._exit(3)  # the worker process dies: Dask reports KilledWorker
    return {"y": point["a"]}


def counting(point):
    """Leaves one marker file per call in ``point['calls']``, then sleeps ``point['sleep']``."""
    open(os.path.join(point["calls"], f"{point['i']}-{uuid.uuid4().hex}"), "w").close()
    if point.get("stop_at") == point["i"] and os.path.exists(point["stop_file"]):
        raise KeyboardInterrupt  # what Ctrl-C does in the middle of a serial sweep
    time.sleep(point["sleep"])
    return {"y": float(point["i"]) ** 2}


def blas_threads(point):
    from threadpoolctl import threadpool_info

    return {"threads": max([i["num_threads"] for i in threadpool_info()] or [1]),
            "omp_env": os.environ.get("OMP_NUM_THREADS", "")}
