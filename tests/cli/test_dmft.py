"""The DMFT subcommands: JSON keys, bad input (exit 2, one line naming the flag), the frontier and the check."""

import json

import pytest

from sltk import _cli


def _run(capsys, argv):
    rc = _cli.main(argv)
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_dmft_json_has_the_issue_keys(capsys, tmp_path):
    fig = tmp_path / "c.png"
    rc, out, _ = _run(capsys, ["dmft", "--a", "2", "--b", "1.5", "--N", "64", "--P", "256", "--t", "1e4",
                               "--M", "800", "--points", "30", "--json", "--out", str(fig)])
    assert rc == 0 and fig.exists()
    obj = json.loads(out)
    for key in ("t", "test_loss", "train_loss", "bias", "status", "exponents", "conventions"):
        assert key in obj
    assert len(obj["t"]) == 30 and obj["status"] == "ok"
    ex = obj["exponents"]
    assert set(ex) == {"time", "width", "data", "compute_loss", "compute_width", "compute_steps"}
    assert ex["width"] == {"expr": "Min(2*b, a - 1)", "value": 1.0}
    assert ex["compute_steps"]["value"] == pytest.approx(0.6)
    assert "2*eta" in obj["conventions"]["time"]
    assert all(te >= b for te, b in zip(obj["test_loss"], obj["bias"]))


@pytest.mark.parametrize("argv, flag", [
    (["--a", "1", "--b", "1.5", "--N", "8", "--t", "10"], "--a"),
    (["--a", "2", "--b", "-1", "--N", "8", "--t", "10"], "--b"),
    (["--a", "2", "--b", "1.5", "--N", "0", "--t", "10"], "--N"),
    (["--a", "2", "--b", "1.5", "--N", "8", "--P", "x", "--t", "10"], "--P"),
    (["--a", "2", "--b", "0.8", "--N", "8", "--t", "10"], "--M"),
    (["--a", "2", "--b", "1.5", "--N", "8", "--t", "0"], "--t"),
])
def test_dmft_bad_input_is_one_line_exit_2(capsys, argv, flag):
    rc, _, err = _run(capsys, ["dmft"] + argv)
    lines = err.strip().splitlines()
    assert rc == 2 and len(lines) == 1 and flag in lines[0]


def test_dmft_frontier_json(capsys):
    rc, out, _ = _run(capsys, ["dmft-frontier", "--a", "2", "--b", "1.5", "--n-min", "10", "--n-max", "1000",
                               "--sizes", "6", "--times", "40", "--M", "3000", "--json"])
    obj = json.loads(out)
    assert rc == 0 and obj["theory"]["loss"][1] == pytest.approx(0.4)
    assert set(obj["final_slopes"]) == {"loss", "width", "steps"}


def test_dmft_frontier_refuses_b_at_most_1(capsys):
    rc, _, err = _run(capsys, ["dmft-frontier", "--a", "2", "--b", "1.0"])
    assert rc == 2 and "--b" in err


def test_dmft_verify_passes(capsys):
    rc, out, _ = _run(capsys, ["dmft-verify", "--a", "2", "--b", "1.5", "--N", "32", "--P", "64", "--M", "200",
                               "--t", "1e3", "--points", "5", "--runs", "12", "--json"])
    obj = json.loads(out)
    assert rc == 0 and obj["passed"] and len(obj["checks"]) == 4


@pytest.mark.slow
def test_report_section_builds(tmp_path):
    from sltk._report import build_report

    summary = build_report(tmp_path, fast=True, only=["70_dmft"])
    assert summary["failed"] == []
    for name in ("loss_vs_time", "train_test", "finite_width", "frontier", "ensembles", "verification", "optimizers"):
        assert (tmp_path / "dmft" / f"{name}.png").exists()


@pytest.mark.parametrize("opt", [["--optimizer", "gd", "--lr", "0.2"],
                                 ["--optimizer", "heavyball", "--lr", "0.02", "--momentum", "0.5"],
                                 ["--optimizer", "sgd", "--lr", "0.1", "--batch", "4"]])
def test_dmft_discrete_optimizers(capsys, opt):
    rc, out, _ = _run(capsys, ["dmft", "--a", "2", "--b", "1.5", "--N", "64", "--t", "300", "--M", "400",
                               "--points", "12", "--json"] + opt)
    obj = json.loads(out)
    assert rc == 0 and obj["status"] == "ok" and obj["diagnostics"]["optimizer"]["name"] == opt[1]
    assert obj["test_loss"][-1] < obj["test_loss"][0]
    assert all(te >= b - 1e-12 for te, b in zip(obj["test_loss"], obj["bias"]))


@pytest.mark.parametrize("argv, flag", [
    (["--optimizer", "gd"], "--lr"),                     # a discrete method needs a rate
    (["--optimizer", "gd", "--lr", "5"], "--lr"),        # past 1/(2 q_max)
    (["--optimizer", "sgd", "--lr", "0.1", "--P", "64"], "--P"),  # one-pass SGD is online only
    (["--optimizer", "heavyball", "--lr", "0.01", "--momentum", "1"], "--momentum"),
])
def test_dmft_discrete_bad_input(capsys, argv, flag):
    rc, _, err = _run(capsys, ["dmft", "--a", "2", "--b", "1.5", "--N", "64", "--t", "100", "--M", "400"] + argv)
    assert rc == 2 and flag in err and len(err.strip().splitlines()) == 1


def test_verify_model_dmft(capsys):
    base = ["verify", "--model", "dmft", "--a", "2", "--b", "1.5", "--N", "32", "--M", "200", "--runs", "16",
            "--t", "300", "--points", "5", "--json"]
    rc, out, _ = _run(capsys, base + ["--P", "64"])
    obj = json.loads(out)
    assert rc == 0 and obj["status"] == "ok" and {c["name"] for c in obj["checks"]} >= {"test_loss_vs_simulation"}
    rc, out, _ = _run(capsys, base + ["--P", "inf", "--optimizer", "sgd", "--batch", "2"])
    assert rc == 0 and json.loads(out)["status"] == "ok"
    rc, out, _ = _run(capsys, base + ["--P", "64", "--optimizer", "heavyball", "--momentum", "0"])  # discrete GD
    assert rc == 0 and json.loads(out)["status"] == "ok"
    rc, _, err = _run(capsys, ["verify", "--model", "dmft", "--b", "1.5"])
    assert rc == 2 and "--a" in err
    rc, _, err = _run(capsys, ["verify", "--alpha", "1.0", "--beta", "0.7", "--optimizer", "heavyball"])
    assert rc == 2 and "--optimizer" in err
