"""numerics.sweeps: grids, the store, the runner on a LocalCluster and serially, resume, failures."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cloudpickle
import dask
import distributed

from numerics.sweeps import Grid, jobqueue_cluster, open_sweep, parse_axis, run_sweep
from theory import ParameterError

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import _sweep_fns as fns  # noqa: E402

cloudpickle.register_pickle_by_value(fns)  # workers started before this module was importable get it by value

RESULT_VARS = ("top", "spectrum", "label", "n")


@pytest.fixture(scope="module")
def cluster():
    """One LocalCluster of 2 single-threaded workers for the module; a worker death fails its task at once."""
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                      silence_logs=50) as c:
            yield c


# --- grids ----------------------------------------------------------------------------------------

def test_product_grid_points_and_spec_round_trip():
    g = Grid({"a": [1, 2.5], "opt": ["sgd", "signsgd"], "b": [0.1, 0.2, 0.3]}, fixed={"h": 0.05, "spec": {"x": [1]}})
    assert g.dims == ("a", "opt", "b") and g.shape == (2, 2, 3) and g.size == 12
    pts = [p for _, p in g]
    assert pts[0] == {"h": 0.05, "spec": {"x": [1]}, "a": 1.0, "opt": "sgd", "b": 0.1}
    assert pts[-1]["a"] == 2.5 and pts[-1]["opt"] == "signsgd" and pts[-1]["b"] == 0.3
    assert isinstance(pts[0]["a"], float)  # ints mixed with floats become floats
    assert [p for _, p in Grid.from_spec(g.spec())] == pts
    assert g.index(7) == (1, 0, 1)


def test_point_list_grid():
    g = Grid(points=[{"a": 0.5, "b": 1}, {"a": 0.7, "b": 2}, {"a": 0.9, "b": 3}], fixed={"c": "x"})
    assert g.dims == ("point",) and g.shape == (3,)
    assert g.point((2,)) == {"c": "x", "a": 0.9, "b": 3}
    assert [p for _, p in Grid.from_spec(g.spec())] == [p for _, p in g]


@pytest.mark.parametrize("kwargs, name", [
    ({"axes": {"a": []}}, "a"),
    ({"axes": {"a": [1, 1]}}, "a"),
    ({"axes": {"a": [1, "x"]}}, "a"),
    ({"axes": {"sweep_x": [1]}}, "axes"),
    ({"axes": {"a": [float("nan")]}}, "a"),
    ({"axes": {"a": [1]}, "fixed": {"a": 2}}, "fixed"),
    ({"axes": {"a": [1]}, "fixed": {"f": object()}}, "fixed['f']"),
    ({"points": [{"a": 1}, {"b": 2}]}, "points"),
    ({"points": [{"a": 1}, {"a": 1}]}, "points"),
    ({}, "axes/points"),
])
def test_bad_grids_name_the_parameter(kwargs, name):
    with pytest.raises(ParameterError) as exc:
        Grid(**kwargs) if kwargs else Grid()
    assert exc.value.parameter == name


@given(st.integers(-50, 50), st.integers(0, 60), st.sampled_from([0.05, 0.1, 0.25, 1.0]))
def test_parse_axis_range_is_inclusive_and_evenly_spaced(k0, n, step):
    start, stop = k0 * step, (k0 + n) * step
    vals = parse_axis(f"{start!r}:{stop!r}:{step!r}")
    assert len(vals) == n + 1
    assert vals[0] == pytest.approx(start, abs=1e-12) and vals[-1] == pytest.approx(stop, abs=1e-12)
    assert np.allclose(np.diff(vals), step)


def test_parse_axis_lists_and_errors():
    assert parse_axis("0.1:2:0.05")[-1] == 2.0 and len(parse_axis("0.1:2:0.05")) == 39
    assert parse_axis(" 1, 2 ,3") == [1.0, 2.0, 3.0]
    for bad in ("1:0:0.1", "0:1:0", "0:1", "a:b:c", "1,,2", "1,1", ""):
        with pytest.raises(ParameterError):
            parse_axis(bad, "--x")


# --- the runner -----------------------------------------------------------------------------------

def _grid10():
    return Grid({"a": parse_axis("0.1:1:0.1"), "b": parse_axis("1:10:1")})


def _results(ds):
    return {k: ds[k].values for k in RESULT_VARS}


def test_serial_results_are_the_point_function_at_each_point(tmp_path):
    g = Grid({"a": [0.1, 0.2, 0.3], "b": [1.0, 2.0]})
    res = run_sweep(fns.numeric, g, store=tmp_path / "s.zarr", scheduler="serial", progress=False,
                    attrs={"problem": {"model": "toy"}})
    assert res.status == "ok" and res.computed == 6 and res.skipped == 0
    ds = open_sweep(tmp_path / "s.zarr")
    for idx, p in g:
        ref = fns.numeric(p)
        assert ds["top"].values[idx] == ref["top"]
        assert np.array_equal(ds["spectrum"].values[idx], ref["spectrum"][1])
        assert ds["label"].values[idx] == ref["label"] and ds["n"].values[idx] == ref["n"]
    assert ds["spectrum"].dims == ("a", "b", "mode")
    assert list(ds["a"].values) == [0.1, 0.2, 0.3]
    assert ds.attrs["problem"] == {"model": "toy"} and ds.attrs["sltk_version"]
    assert set(ds["sweep_status"].values.ravel()) == {"ok"} and np.all(ds["sweep_seconds"].values >= 0)


def test_serial_and_distributed_results_are_identical(tmp_path, cluster):
    """The same 10 x 10 sweep serially and on 2 workers (by scheduler address): equal bit for bit."""
    g = _grid10()
    a = run_sweep(fns.numeric, g, store=tmp_path / "serial.zarr", scheduler="serial", progress=False)
    b = run_sweep(fns.numeric, g, store=tmp_path / "dist.zarr", scheduler=cluster.scheduler_address, progress=False)
    assert a.status == b.status == "ok" and b.computed == 100
    assert b.scheduler.startswith("scheduler tcp://")
    for k in RESULT_VARS:
        assert np.array_equal(a.dataset[k].values, b.dataset[k].values), k
    assert a.dataset["top"].identical(b.dataset["top"])


def test_failures_are_stored_as_a_status_and_the_sweep_goes_on(tmp_path, cluster):
    g = Grid({"a": [1.0, 2.0, 3.0], "b": [1.5, 2.5]})
    with distributed.Client(cluster) as client:
        res = run_sweep(fns.sometimes_raises, g, store=tmp_path / "f.zarr", scheduler=client, progress=False)
    ds = res.dataset
    bad = ds["a"] > ds["b"]
    assert res.status == "failed_points" and res.failed == int(bad.sum()) == 3 and res.computed == 6
    assert np.all(ds["sweep_status"].values[bad.values] == "failed")
    assert np.all(ds["sweep_status"].values[~bad.values] == "ok")
    err = ds["sweep_error"].sel(a=3.0, b=1.5).item()
    assert err.startswith("ValueError: a=3.0 > b=1.5") and "_sweep_fns.py" in err
    assert ds["y"].sel(a=1.0, b=2.5).item() == 3.5 and np.isnan(ds["y"].sel(a=3.0, b=2.5).item())
    # a second call retries nothing by default, and the failed points with retry_failed
    again = run_sweep(fns.sometimes_raises, g, store=tmp_path / "f.zarr", scheduler="serial", progress=False)
    assert again.computed == 0 and again.skipped == 6
    retry = run_sweep(fns.sometimes_raises, g, store=tmp_path / "f.zarr", scheduler="serial", progress=False,
                      retry_failed=True)
    assert retry.computed == 3 and retry.failed == 3


def test_a_dead_worker_is_a_failed_point(tmp_path, cluster):
    with distributed.Client(cluster) as client:
        res = run_sweep(fns.crashes_worker, Grid({"a": [1.0, 2.0, 3.0]}), store=tmp_path / "k.zarr",
                        scheduler=client, progress=False)
    st_ = dict(zip(res.dataset["a"].values.tolist(), res.dataset["sweep_status"].values.tolist()))
    assert st_ == {1.0: "ok", 2.0: "failed", 3.0: "ok"}
    assert "KilledWorker" in res.dataset["sweep_error"].sel(a=2.0).item()


def test_an_output_that_changes_shape_is_a_failed_point(tmp_path):
    res = run_sweep(fns.shape_changes, Grid({"a": [1.0, 3.0]}), store=tmp_path / "x.zarr", scheduler="serial",
                    progress=False)
    assert res.dataset["sweep_status"].values.tolist() == ["ok", "failed"]
    assert "bad output" in res.dataset["sweep_error"].values[1] and "shape" in res.dataset["sweep_error"].values[1]


def test_workers_run_one_blas_thread(tmp_path):
    """run_sweep's own LocalCluster: single-threaded workers, BLAS limited to one thread per call."""
    res = run_sweep(fns.blas_threads, Grid({"i": [0, 1]}), store=tmp_path / "t.zarr", workers=2, progress=False)
    assert res.scheduler == "LocalCluster(2 workers x 1 thread)"
    assert res.dataset["threads"].values.tolist() == [1, 1]
    assert res.dataset["omp_env"].values.tolist() == ["1", "1"]


def test_a_store_of_another_sweep_is_refused(tmp_path):
    g = Grid({"a": [1.0, 2.0], "b": [1.0]})
    run_sweep(fns.sometimes_raises, g, store=tmp_path / "s.zarr", scheduler="serial", progress=False, attrs={"v": 1})
    for kwargs, word in ((dict(attrs={"v": 2}), "attrs"), (dict(attrs={"v": 1}, grid=Grid({"a": [1.0], "b": [1.0]})),
                                                           "axes")):
        grid = kwargs.pop("grid", g)
        with pytest.raises(ParameterError) as exc:
            run_sweep(fns.sometimes_raises, grid, store=tmp_path / "s.zarr", scheduler="serial", progress=False,
                      **kwargs)
        assert exc.value.parameter == "store" and word in str(exc.value)
    with pytest.raises(ParameterError):
        run_sweep(fns.numeric, g, store=tmp_path / "s.zarr", scheduler="serial", progress=False, attrs={"v": 1})
    # resume=False starts afresh
    res = run_sweep(fns.sometimes_raises, g, store=tmp_path / "s.zarr", scheduler="serial", progress=False,
                    attrs={"v": 2}, resume=False)
    assert res.computed == 2 and res.run == 1
    (tmp_path / "plain").mkdir()
    with pytest.raises(ParameterError):
        run_sweep(fns.sometimes_raises, g, store=tmp_path / "plain", scheduler="serial", progress=False,
                  resume=False)


def test_bad_arguments_are_refused_before_work(tmp_path):
    g = Grid({"a": [1.0]})
    with pytest.raises(ParameterError):
        run_sweep(lambda p: {"y": 1.0}, g, store=tmp_path / "l.zarr", scheduler="serial")
    with pytest.raises(ParameterError):
        run_sweep(fns.numeric, {"a": [1.0]}, store=tmp_path / "l.zarr", scheduler="serial")
    with pytest.raises(ParameterError):
        run_sweep(fns.numeric, g, store=tmp_path / "l.zarr", workers=0)
    with pytest.raises(ParameterError):
        run_sweep(fns.numeric, g, store=tmp_path / "l.zarr", scheduler=42)
    assert not (tmp_path / "l.zarr").exists() or open_sweep(tmp_path / "l.zarr")["sweep_status"].values[0] == "pending"


def _markers(calls: Path) -> dict:
    out: dict[int, int] = {}
    for f in calls.iterdir():
        i = int(f.name.split("-")[0])
        out[i] = out.get(i, 0) + 1
    return out


def test_serial_interruption_resumes_without_recomputing(tmp_path):
    calls, stop = tmp_path / "calls", tmp_path / "stop"
    calls.mkdir()
    stop.touch()
    g = Grid({"i": list(range(12))}, fixed={"calls": str(calls), "sleep": 0.0, "stop_at": 6, "stop_file": str(stop)})
    with pytest.raises(KeyboardInterrupt):
        run_sweep(fns.counting, g, store=tmp_path / "c.zarr", scheduler="serial", progress=False)
    ds = open_sweep(tmp_path / "c.zarr")
    assert ds["sweep_status"].values.tolist() == ["ok"] * 6 + ["pending"] * 6
    assert ds.attrs["sweep_runs"][0]["points_computed"] == 6
    assert _markers(calls) == {i: 1 for i in range(7)}  # point 6 was called, interrupted, not stored
    stop.unlink()
    res = run_sweep(fns.counting, g, store=tmp_path / "c.zarr", scheduler="serial", progress=False)
    assert res.computed == 6 and res.skipped == 6 and res.run == 2
    assert _markers(calls) == {**{i: 1 for i in range(12)}, 6: 2}
    assert res.dataset["y"].values.tolist() == [float(i) ** 2 for i in range(12)]


def test_interrupted_distributed_sweep_resumes_without_recomputing(tmp_path, cluster):
    """Ctrl-C (SIGINT) a sweep whose client runs in another process, after some points are stored;
    the resumed run computes only the rest (one marker file per call counts the calls). (The CLI
    test interrupts a sweep on its own LocalCluster.)"""
    calls = tmp_path / "calls"
    calls.mkdir()
    store = tmp_path / "c.zarr"
    script = tmp_path / "run.py"
    script.write_text(textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(HERE)!r})
        import _sweep_fns
        from numerics.sweeps import Grid, run_sweep

        if __name__ == "__main__":
            g = Grid({{"i": list(range(30))}}, fixed={{"calls": {str(calls)!r}, "sleep": 0.1}})
            run_sweep(_sweep_fns.counting, g, store={str(store)!r}, scheduler={cluster.scheduler_address!r},
                      progress=False, flush_seconds=0)
    """))
    # SIGINT back to its default in the child: a test run launched in the background inherits it ignored
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.time() + 90
        import zarr

        while time.time() < deadline:
            if (store / "sweep_status" / "zarr.json").exists():
                stored = int((np.asarray(zarr.open_group(str(store), mode="r")["sweep_status"][...]) == "ok").sum())
                if stored >= 8:
                    break
            time.sleep(0.1)
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    first = open_sweep(store)
    ok1 = first["sweep_status"].values == "ok"
    assert 8 <= ok1.sum() < 30, "the run was not interrupted mid-way"
    before = _markers(calls)
    assert all(before[i] == 1 for i in np.flatnonzero(ok1))
    g = Grid({"i": list(range(30))}, fixed={"calls": str(calls), "sleep": 0.1})
    res = run_sweep(fns.counting, g, store=store, scheduler=cluster.scheduler_address, progress=False)
    assert res.status == "ok" and res.computed == 30 - ok1.sum() and res.skipped == ok1.sum()
    after = _markers(calls)
    for i in np.flatnonzero(ok1):  # stored before the interruption: computed exactly once
        assert after[i] == 1
    assert all(after[i] >= 1 for i in range(30))
    assert res.dataset["y"].values.tolist() == [float(i) ** 2 for i in range(30)]
    assert np.array_equal(res.dataset["sweep_finished"].values[ok1], first["sweep_finished"].values[ok1])
    assert set(res.dataset["sweep_run"].values[ok1]) == {1} and set(res.dataset["sweep_run"].values[~ok1]) == {2}


def test_jobqueue_cluster_writes_a_slurm_job_script_without_submitting():
    """dask-jobqueue builds the job (one single-threaded worker per core); nothing is submitted."""
    cluster = jobqueue_cluster("slurm", cores=4, memory="8GB", queue="short", walltime="01:00:00",
                               account="proj", scheduler_options={"dashboard_address": None})
    try:
        script = cluster.job_script()
    finally:
        cluster.close()
    assert "#SBATCH -p short" in script and "#SBATCH -A proj" in script and "#SBATCH -t 01:00:00" in script
    assert "--nworkers 4" in script and "--nthreads 1" in script
    with pytest.raises(ParameterError):
        run_sweep(fns.numeric, Grid({"a": [1.0], "b": [1.0]}), store="/nonexistent/x.zarr", scheduler="slurm")
