"""``sltk sweep``: a 10 x 10 atlas point set on a LocalCluster from the CLI, with progress, interrupted
and resumed, equal to a serial run; the decay-gain kind on the same runner; ``show``; bad input;
report section 60."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import signal
import struct
import subprocess
import sys
import termios
import time

import numpy as np
import pytest

import theory
from numerics.sweeps import open_sweep
from sltk import _cli

ALPHA, BETA = "0.2:1.55:0.15", "0.2:1.55:0.15"  # 10 x 10; (0.2, 0.2) is outside 2a + 2b > 1
# SGD with a constant rate on a small lattice with the surrogate spectrum, ~0.3 s a point (most of it
# the symbolic exponents): what is tested here is the machinery; the report section draws the atlas
ATLAS = ["sweep", "frontier", "--optimizer", "sgd", "--schedule", "constant", "--preset", "ci", "--spectrum", "surrogate",
         "--d-max", "64", "--n-d", "5", "--f-min", "300", "--f-max", "1e4", "--n-f", "6"]


def _default_sigint():
    """In the child: SIGINT back to its default. A test run launched in the background (``nohup ... &``)
    inherits SIGINT ignored, and so would the sweep this test interrupts with it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _sltk(args, **kw):
    return subprocess.Popen([sys.executable, "-m", "sltk", *args], preexec_fn=_default_sigint, **kw)


def _stored(store) -> int:
    import zarr

    if not (store / "sweep_status" / "zarr.json").exists():
        return 0
    st = np.asarray(zarr.open_group(str(store), mode="r")["sweep_status"][...])
    return int(((st == "ok") | (st == "failed")).sum())


def test_atlas_10x10_on_a_local_cluster_interrupted_resumed_and_equal_to_serial(tmp_path, capsys):
    store = tmp_path / "atlas.zarr"
    cmd = ATLAS + ["--alpha", ALPHA, "--beta", BETA, "--store", str(store), "--workers", "2"]
    # 1. on a terminal (a pty) with a progress bar; Ctrl-C once 15 points are stored
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))  # a terminal 120 columns wide
    proc = _sltk(cmd, stdout=subprocess.PIPE, stderr=slave, cwd=tmp_path)
    os.close(slave)
    seen = b""
    try:
        deadline = time.time() + 120
        while time.time() < deadline and _stored(store) < 15:
            time.sleep(0.1)
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    text = seen.decode(errors="replace")
    assert proc.returncode == 130, text[-2000:]
    assert re.search(r"atlas\.zarr: +\d+%\|", text), "no progress bar on the terminal"
    assert "interrupted" in text and "run the same command again to resume" in text
    first = open_sweep(store)
    done1 = first["sweep_status"].values != "pending"
    assert 15 <= done1.sum() < 100
    # 2. the same command again, not on a terminal: no bar, only the pending points are computed
    out = subprocess.run([sys.executable, "-m", "sltk", *cmd], capture_output=True, text=True, cwd=tmp_path,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "%|" not in out.stderr
    m = re.search(r"(\d+) points computed \(LocalCluster\(2 workers x 1 thread\)\), (\d+) already stored", out.stdout)
    assert m and int(m.group(1)) == 100 - done1.sum() and int(m.group(2)) == done1.sum(), out.stdout
    n = re.search(r"points: (\d+) ok, (\d+) failed, 0 pending", out.stdout)
    assert n and int(n.group(1)) + int(n.group(2)) == 100 and int(n.group(2)) >= 1
    assert "2*alpha + 2*beta must satisfy 2*alpha + 2*beta > 1" in out.stdout
    ds = open_sweep(store)
    assert np.array_equal(ds["sweep_finished"].values[done1], first["sweep_finished"].values[done1])
    assert set(ds["sweep_run"].values[done1]) == {1} and set(ds["sweep_run"].values[~done1]) == {2}
    assert ds.attrs["schedules"] == {"constant": "constant"} and ds.attrs["problem"]["spectrum"] == "surrogate"
    assert ds["sweep_status"].sel(alpha=0.2, beta=0.2).item() == "failed"
    # 3. a serial run of a 3 x 3 sub-grid gives the same numbers bit for bit
    sub = ["--alpha", "0.2,0.95,1.55", "--beta", "0.35,1.1,1.55"]
    assert _cli.main(ATLAS + sub + ["--store", str(tmp_path / "serial.zarr"), "--scheduler", "serial"]) == 0
    ser = open_sweep(tmp_path / "serial.zarr")
    dist = ds.sel(alpha=ser["alpha"], beta=ser["beta"])
    for k in ("eta", "eta_lo", "eta_hi", "xi", "xi_lo", "xi_hi", "eta_derived", "risk", "d_opt", "lr_opt", "inner",
              "n_inner", "runs", "regime"):
        assert ser[k].equals(dist[k]), k  # NaN where no slope, in both
    # 4. read back and drawn; derived values are theory's at every point
    capsys.readouterr()
    assert _cli.main(["sweep", "show", str(store), "--out", str(tmp_path / "atlas.png")]) == 0
    shown = capsys.readouterr().out
    assert "frontier over optimizer[1] x schedule[1] x alpha[10] x beta[10]" in shown
    assert "eta: derived value outside the measured interval at" in shown
    assert (tmp_path / "atlas.png").stat().st_size > 20_000
    for a, b in ((0.95, 1.1), (1.55, 0.35)):
        assert ds["eta_derived"].sel(alpha=a, beta=b).item() == pytest.approx(
            theory.plrf.compute_optimal_exponents(a, b, "sgd").eta, abs=1e-12)
    ok = ds["frontier_status"].values == "ok"
    assert np.all(ds["eta_lo"].values[ok] <= ds["eta"].values[ok]) and np.all(ds["eta"].values[ok] <= ds["eta_hi"].values[ok])


def test_decay_gain_kind_runs_on_the_same_runner(tmp_path, capsys):
    store = tmp_path / "gain.zarr"
    assert _cli.main(["sweep", "decay-gain", "--alpha", "0.6:1.2:0.3", "--beta", "0.1,0.8,1.5", "--store", str(store),
                      "--scheduler", "serial", "--out", str(tmp_path / "gain.png")]) == 0
    out = capsys.readouterr().out
    assert "9 points computed (serial (this process)), 0 already stored" in out and "wsd: gain > 5e-5 at" in out
    ds = open_sweep(store)
    assert ds.attrs["kind"] == "decay-gain" and ds["gain"].dims == ("schedule", "alpha", "beta")
    for a, b in ((0.6, 0.1), (0.9, 1.5), (1.2, 0.8)):
        c = theory.plrf._signsgd_lp.signsgd_exponents_at(a, b, "constant").eta  # the LP, solved symbolically
        d = theory.plrf._signsgd_lp.signsgd_exponents_at(a, b, "decay", 0.5).eta
        assert ds["gain"].sel(schedule="wsd", alpha=a, beta=b).item() == pytest.approx(d - c, abs=1e-7)
    assert (tmp_path / "gain.png").exists()
    # the same command finds everything stored
    assert _cli.main(["sweep", "decay-gain", "--alpha", "0.6:1.2:0.3", "--beta", "0.1,0.8,1.5", "--store", str(store),
                      "--scheduler", "serial"]) == 0
    assert "0 points computed" in capsys.readouterr().out


def test_show_draws_any_store(tmp_path, capsys):
    from numerics.sweeps import Grid, run_sweep
    from numerics.sweeps._store import _demo_square

    run_sweep(_demo_square, Grid({"x": [1.0, 2.0, 3.0]}), store=tmp_path / "g.zarr", scheduler="serial", progress=False)
    assert _cli.main(["sweep", "show", str(tmp_path / "g.zarr"), "--out", str(tmp_path / "g.png")]) == 0
    assert "points: 3 ok, 0 failed, 0 pending" in capsys.readouterr().out and (tmp_path / "g.png").exists()


@pytest.mark.parametrize("args, flag", [
    (["--alpha", "1:0:0.1", "--beta", "0.5"], "--alpha"),
    (["--alpha=-0.5,1", "--beta", "0.5"], "--alpha"),
    (["--alpha", "0.5", "--beta", "x"], "--beta"),
    (["--alpha", "0.5", "--beta", "0.5", "--optimizer", "adam"], "--optimizer"),
    (["--alpha", "0.5", "--beta", "0.5", "--schedule", "linear"], "--schedule"),
    (["--alpha", "0.5", "--beta", "0.5", "--scheduler", "nowhere"], "--scheduler"),
    (["--alpha", "0.5", "--beta", "0.5", "--workers", "0"], "--workers"),
    (["--alpha", "0.5", "--beta", "0.5", "--n-f", "2"], "--n-f"),
    (["--alpha", "0.5", "--beta", "0.5", "--out", "x.txt"], "--out"),
])
def test_bad_input_is_one_line_naming_the_flag_before_any_work(tmp_path, capsys, args, flag):
    store = tmp_path / "s.zarr"
    assert _cli.main(["sweep", "frontier", *args, "--store", str(store)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("sltk: error:") and flag in err[0]
    assert not store.exists()


def test_resuming_with_other_options_is_refused(tmp_path, capsys):
    store = tmp_path / "g.zarr"
    base = ["sweep", "decay-gain", "--alpha", "0.7", "--beta", "0.5", "--store", str(store), "--scheduler", "serial"]
    assert _cli.main(base) == 0
    assert _cli.main(base[:-2] + ["--schedule", "cosine", "--scheduler", "serial"]) == 2
    err = capsys.readouterr().err
    assert "store must satisfy" in err and "grid axes differ in ['schedule']" in err


def test_report_section_60_builds_from_a_given_store(tmp_path, monkeypatch):
    """The report's atlas figure reads a store back (SLTK_ATLAS_STORE) without computing."""
    from sltk._report import build_report

    store = tmp_path / "a.zarr"
    assert _cli.main(ATLAS + ["--optimizer", "sgd,signsgd", "--alpha", "0.7,1.3", "--beta", "0.4,1.3", "--store",
                              str(store), "--scheduler", "serial", "--quiet"]) == 0
    monkeypatch.setenv("SLTK_ATLAS_STORE", str(store))
    t0 = time.perf_counter()
    summary = build_report(tmp_path / "rep", fast=True, only=["60_sweeps"])
    assert summary["failed"] == [] and time.perf_counter() - t0 < 30
    md = (tmp_path / "rep" / "index.md").read_text()
    assert "read from SLTK_ATLAS_STORE" in md and (tmp_path / "rep" / "sweeps" / "atlas.png").exists()
    assert re.search(r"\| sgd \| constant \| \d \|", md) and re.search(r"\| signsgd \| constant \| \d \|", md)


@pytest.mark.parametrize("cores, scheduler, workers", [(1, "serial", None), (3, None, 3)])
def test_report_atlas_runs_on_the_cores_its_worker_owns(tmp_path, monkeypatch, cores, scheduler, workers):
    """A parallel report's worker owns cores // jobs cores: with one, the atlas runs in that worker
    (a one-worker LocalCluster beside the other report worker put three busy processes on 2 cores);
    with more, on a LocalCluster of that many workers."""
    import importlib

    import numerics.sweeps
    from sltk._report import ReportContext

    seen = {}

    class Stop(Exception):
        pass

    def fake_run_sweep(fn, grid, **kw):
        seen.update(kw)
        raise Stop

    monkeypatch.delenv("SLTK_ATLAS_STORE", raising=False)
    monkeypatch.setenv("SLTK_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(numerics.sweeps, "run_sweep", fake_run_sweep)
    sec = importlib.import_module("sltk._report_sections.60_sweeps")
    with pytest.raises(Stop):
        sec.build(ReportContext(outdir=tmp_path, fast=True, cores=cores))
    assert seen["scheduler"] == scheduler and seen["workers"] == workers


def test_report_worker_gives_its_sections_its_share_of_the_cores(monkeypatch):
    from sltk import _report

    monkeypatch.setattr(_report, "_SECTION_CORES", None)
    assert _report.ReportContext(outdir=".").cores == _report._available_cores()
    monkeypatch.setattr(_report, "_SECTION_CORES", 1)
    assert _report.ReportContext(outdir=".").cores == 1
