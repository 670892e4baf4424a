"""``sltk gamma-eta``: the JSON keys and values against the closed form, the figure, and bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sltk import _cli
from theory.richness import eta_edge


def _run(capsys, *argv):
    rc = _cli.main(["gamma-eta", *argv])
    cap = capsys.readouterr()
    return rc, cap.out, cap.err


def test_json_keys_and_values(capsys, tmp_path):
    fig = tmp_path / "plane.png"
    rc, out, _ = _run(capsys, "--depth", "3", "--gamma-min", "1e-2", "--gamma-max", "1e2", "--gamma-per-decade", "3",
                      "--eta-per-decade", "10", "--steps", "5000", "--fit-decades", "1.5", "--json", "--out", str(fig))
    assert rc == 0
    d = json.loads(out)
    g = np.array([row["gamma"] for row in d["eta_edge"]])
    assert np.allclose([row["eta_edge"] for row in d["eta_edge"]], eta_edge(g, 3), rtol=1e-12)
    assert len(d["eta_star"]) == g.size and d["boundary_exact_to_grid"] is True
    for side, th in (("small_gamma", 2.0), ("large_gamma", 2 / 3)):
        s = d["slopes"][side]
        assert set(s) >= {"value", "interval"} and s["interval"][0] <= s["value"] <= s["interval"][1]
        assert abs(s["value"] - th) < 0.15
    assert fig.stat().st_size > 10000 and d["written"] == [str(fig)]


@pytest.mark.parametrize("argv,flag", [
    (["--depth", "0"], "--depth"),
    (["--depth", "2", "--gamma-min", "1"], "--gamma-min"),
    (["--depth", "2", "--gamma-max", "2"], "--gamma-max"),
    (["--depth", "2", "--fit-decades", "5"], "--fit-decades"),
    (["--depth", "2", "--steps", "3"], "--steps"),
    (["--depth", "2", "--out", "x.txt"], "--out"),
    (["--depth", "2", "--loss", "xent"], "--loss"),
])
def test_bad_input_is_one_line_exit_2(capsys, argv, flag):
    rc, out, err = _run(capsys, *argv)
    assert rc == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and flag in lines[0]


def test_mlp_without_torch_is_exit_2(capsys, monkeypatch):
    import verification.richness as vr

    monkeypatch.setattr(vr, "torch_available", lambda: False)
    rc, out, err = _run(capsys, "--depth", "2", "--model", "mlp")
    assert rc == 2 and "--model" in err and len(err.strip().splitlines()) == 1


def test_mlp_json(capsys):
    pytest.importorskip("torch")
    import torch

    n = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        rc, out, _ = _run(capsys, "--depth", "2", "--model", "mlp", "--gamma-min", "0.01", "--gamma-max", "10",
                          "--gamma-per-decade", "1", "--fit-decades", "1", "--budget", "40", "--width", "8",
                          "--eta-per-decade", "2", "--json")
    finally:
        torch.set_num_threads(n)
    assert rc == 0
    d = json.loads(out)
    assert d["model"] == "mlp" and len(d["eta_star"]) == len(d["gamma"]) == len(d["eta_edge"]) == 4
    assert set(d["slopes"]) == {"small_gamma", "large_gamma"} and d["theory_slopes"]["small_gamma"] == 2.0


def test_gamma_sweep_on_the_runner_resumes(tmp_path, capsys):
    pytest.importorskip("torch")
    pytest.importorskip("zarr")
    store = tmp_path / "g.zarr"
    argv = ["gamma-sweep", "--depth", "2", "--gamma-min", "0.01", "--gamma-max", "0.1", "--gamma-per-decade", "1",
            "--width", "8", "--steps", "20", "--store", str(store), "--scheduler", "serial"]
    assert _cli.main(argv) == 0
    assert "2 points computed" in capsys.readouterr().out
    assert _cli.main(argv) == 0
    assert "0 points computed" in capsys.readouterr().out
    from numerics.sweeps import open_sweep

    ds = open_sweep(store)
    assert ds.attrs["kind"] == "gamma-eta" and ds["eta_star"].dims == ("depth", "gamma")
    assert np.allclose(ds["eta_edge"].sel(depth=2).values, eta_edge(ds["gamma"].values, 2))
    assert _cli.main(["sweep", "gamma-eta", "--depth", "1", "--store", str(tmp_path / "x.zarr")]) == 2


def test_report_section_65_builds(tmp_path):
    from sltk._report import build_report

    summary = build_report(tmp_path, fast=True, only=["65_richness"])
    assert summary["failed"] == []
    text = (tmp_path / "index.md").read_text()
    assert "eta_edge" in text and "boundary exact to the grid" in text and "catapult" in text
    for fig in ("phase_plane", "eta_star", "ultra_rich_curves", "staircase", "collapse"):
        assert (tmp_path / "richness" / f"{fig}.png").stat().st_size > 10000


def test_gamma_sweep_stores_the_loss_curves_and_resumes_them(tmp_path, capsys):
    """The store holds every eta's loss curve: at step 0 the centred output is 0, so every curve starts at the
    same loss (the mean squared target of the first batch) whatever gamma and eta; with ``--log-every 1`` the
    mean of each curve's last 10 % is the stored tail loss; a point reset to pending is recomputed to the same
    curves, the others kept."""
    pytest.importorskip("torch")
    pytest.importorskip("zarr")
    import zarr

    from numerics.sweeps import open_sweep

    store = tmp_path / "c.zarr"
    argv = ["gamma-sweep", "--depth", "2,3", "--gamma-min", "0.1", "--gamma-max", "100", "--gamma-per-decade", "1",
            "--width", "8", "--steps", "30", "--log-every", "1", "--store", str(store), "--scheduler", "serial",
            "--quiet"]
    assert _cli.main(argv) == 0
    ds = open_sweep(store)
    cur = ds["loss_curve"]
    assert cur.dims == ("depth", "gamma", "eta_index", "log_step")
    assert ds["log_step"].sel(depth=2, gamma=1.0).values.tolist() == list(range(30))
    ok = np.isfinite(ds["eta"].values)
    assert ok.all()  # MSE grids all have 3.5 decades: no padding
    first = cur.values[..., 0]
    assert np.allclose(first, first.flat[0], rtol=1e-12)
    live = ~ds["diverged"].values
    assert live.any() and (~live).any()
    assert np.allclose(cur.values[..., -3:].mean(axis=-1)[live], ds["final_loss"].values[live], rtol=1e-10)
    assert np.all(np.isnan(cur.values[..., -1][ok & ds["diverged"].values]))
    before = cur.values.copy()
    grp = zarr.open_group(str(store), mode="r+")
    st = np.asarray(grp["sweep_status"][...]).astype(object)
    st[1, 2] = "pending"
    grp["sweep_status"][...] = st
    capsys.readouterr()
    assert _cli.main(argv) == 0
    assert "1 points computed" in capsys.readouterr().out
    assert np.array_equal(open_sweep(store)["loss_curve"].values, before, equal_nan=True)
    assert _cli.main(argv[:-1] + ["--log-every", "0"]) == 2


def test_gamma_sweep_pads_the_cross_entropy_grids(tmp_path):
    """Cross-entropy grids reach up to 10^1.5 max(eta_edge, 2 gamma): longer at small gamma. Each point keeps its
    own grid (the eta values of :func:`verification.richness.eta_grid`) and NaN after it."""
    pytest.importorskip("torch")
    pytest.importorskip("zarr")
    from numerics.sweeps import open_sweep
    from verification.richness import eta_grid

    store = tmp_path / "x.zarr"
    assert _cli.main(["gamma-sweep", "--depth", "2", "--loss", "xent", "--gamma-min", "0.01", "--gamma-max", "1",
                      "--gamma-per-decade", "1", "--width", "8", "--steps", "10", "--store", str(store),
                      "--scheduler", "serial", "--quiet"]) == 0
    ds = open_sweep(store).sel(depth=2)
    lengths = []
    for g in ds["gamma"].values:
        want = eta_grid([g], 2, "xent", 4)[0]
        got = ds["eta"].sel(gamma=g).values
        lengths.append(want.size)
        assert np.allclose(got[:want.size], want, rtol=1e-12) and np.isnan(got[want.size:]).all()
        assert np.isnan(ds["loss_curve"].sel(gamma=g).values[want.size:]).all()
    assert len(set(lengths)) > 1 and ds.sizes["eta_index"] == max(lengths)
