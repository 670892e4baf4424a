"""``sltk decay-gain`` through ``sltk._cli.main``: exit codes, JSON keys, map and point modes."""

from __future__ import annotations

import json

import pytest

from sltk._cli import main


@pytest.mark.parametrize("argv, flag", [
    (["--alpha", "1.0"], "--alpha/--beta"),
    (["--alpha", "0.1", "--beta", "0.1"], "2*alpha"),
    (["--schedule", "constant"], "--schedule"),
    (["--schedule", "wsd:floor=0.1"], "--schedule"),
    (["--schedule", "nonsense"], "--schedule"),
    (["--grid", "2"], "--grid"),
    (["--alpha", "1", "--beta", "0.7", "--f-min", "1e6", "--f-max", "1e6"], "--f-min"),
    (["--measured", "/nonexistent.json", "--grid", "4"], "--measured"),
])
def test_bad_input_exit_2_one_line(capsys, argv, flag):
    assert main(["decay-gain"] + argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert any(flag in line for line in err)


def test_unknown_optimizer_is_an_argparse_error(capsys):
    assert main(["decay-gain", "--optimizer", "adam"]) == 2  # main returns the parser's exit 2
    assert "--optimizer" in capsys.readouterr().err


def test_map_mode_json_and_measured_overlay(capsys, tmp_path):
    m = tmp_path / "m.json"
    m.write_text(json.dumps({"alpha": 0.7, "beta": 1.5, "measured_gain": 0.02, "interval": [0.0, 0.04],
                             "derived_gain": 0.0251, "agree": True}))
    out = tmp_path / "map.png"
    rc = main(["decay-gain", "--optimizer", "signsgd", "--grid", "4", "--measured", str(m), "--out", str(out), "--json"])
    assert rc == 0
    data = json.loads(capsys.readouterr().out)
    assert {r["gain_expr"] for r in data["regions"]} >= {"0"} and data["measured"][0]["alpha"] == 0.7
    assert out.exists() and out.stat().st_size > 1000
    assert main(["decay-gain", "--optimizer", "sgd", "--grid", "4", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [r["gain_expr"] for r in data["regions"]] == ["0"]


def test_point_mode_json_keys(capsys):
    rc = main(["decay-gain", "--optimizer", "sgd", "--alpha", "1.0", "--beta", "0.7", "--f-min", "1e3",
               "--f-max", "1e6", "--per-decade", "3", "--d-min", "8", "--d-max", "128", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= {"derived_gain", "measured_gain", "interval", "agree", "local_gain", "local_se"}
    assert data["derived_gain"] == 0.0 and data["interval"][0] <= data["measured_gain"] <= data["interval"][1]
    assert rc == (0 if data["agree"] else 1)
    assert set(data["components"]) == {"constant", "schedule"} and "asymptotic_gain" not in data  # SGD: no slack


def test_point_mode_text_shows_the_split_and_the_asymptotic_gain(capsys):
    rc = main(["decay-gain", "--optimizer", "signsgd", "--alpha", "1.0", "--beta", "2.0", "--f-min", "1e4",
               "--f-max", "1e6", "--per-decade", "3", "--d-max", "1024", "--quiet"])
    out = capsys.readouterr().out
    assert "constant  optima: loss exponents total" in out and "relaxed-noise share" in out
    assert "asymptotic" in out and "the exit code follows 'agree'" in out
    assert rc == (0 if "agree: True" in out.splitlines()[2] else 1)
