"""``sltk compare`` through ``sltk._cli.main`` (exit codes, JSON keys, figure)."""

from __future__ import annotations

import json

import numpy as np

from sltk._cli import main


def test_compare_json_and_figure(capsys, tmp_path):
    out = tmp_path / "cmp.png"
    rc = main(["compare", "--optimizers", "sgd,signsgd", "--grid", "7", "--out", str(out), "--json"])
    assert rc == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= {"optimizers", "quantity", "alpha", "beta", "difference", "summary", "table", "figure"}
    assert data["optimizers"] == ["sgd", "signsgd"] and out.exists() and out.stat().st_size > 1000
    rows = {r["sgd_phase"]: r for r in data["table"]}
    assert rows["III"]["verdict"] == "steeper" and rows["II"]["verdict"] == "equal"
    # independent check of one row: Phase III closed forms 4a/(4a+1) (signSGD) and (4a-1)/(4a) (SGD)
    a = rows["III"]["alpha"]
    assert abs(rows["III"]["eta_signsgd"] - 4 * a / (4 * a + 1)) < 1e-12
    assert abs(rows["III"]["eta_sgd"] - (4 * a - 1) / (4 * a)) < 1e-12
    d = np.array(data["difference"], dtype=float)
    assert d.shape == (7, 7)


def test_compare_text_and_reverse_order(capsys):
    assert main(["compare", "--optimizers", "signsgd,sgd", "--grid", "3"]) == 0
    txt = capsys.readouterr().out
    assert "sgd minus signsgd" in txt and "flatter" in txt


def test_compare_bad_input_exit_2(capsys):
    assert main(["compare", "--optimizers", "sgd,adam"]) == 2
    assert "--optimizers" in capsys.readouterr().err
    assert main(["compare", "--alpha-range", "1,0"]) == 2
    assert main(["compare", "--grid", "1"]) == 2
    assert main(["compare", "--out", "x.jpg", "--grid", "3"]) == 2


def test_exponents_cli_dispatches_signsgd_to_its_joint_lp(capsys):
    """`sltk exponents --optimizer signsgd` reports the signSGD LP, not SGD's table."""
    assert main(["exponents", "--alpha", "0.7", "--beta", "1.2", "--optimizer", "signsgd", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    a = 0.7
    assert data["optimizer"] == "signsgd" and data["phase"] == "III"
    assert abs(data["eta"] - 4 * a / (4 * a + 1)) < 1e-12  # steeper than SGD's (4a-1)/(4a)
    assert data["eta"] > (4 * a - 1) / (4 * a)
