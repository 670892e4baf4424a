"""``sltk verify``: table, JSON, figure, and exit codes (0 pass, 1 check failed, 2 bad input, 3 unstable)."""

import json
from dataclasses import dataclass

import pytest

import theory
from sltk import _cli
from theory import SGD
from verification import cupy_available

FAST = ["--d", "64", "--steps", "1000", "--runs", "16", "--points", "25", "--instances", "8"]


@dataclass(frozen=True)
class WrongNoiseSGD(SGD):
    """A deliberately wrong exact kernel: factor 2 in the SGD-noise term."""

    def mode_update(self, lam, lr_factor=1.0):
        q, g = super().mode_update(lam, lr_factor)
        return q, 2.0 * g


def test_json_object_and_figure(capsys, tmp_path):
    code = _cli.main(["verify", "--alpha", "1.0", "--beta", "0.7", *FAST, "--json", "--out", str(tmp_path)])
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1
    obj = json.loads(out[0])
    assert code == 0 and obj["passed"] is True
    for key in ("checks", "steps", "risk_simulated", "risk_stderr", "risk_volterra", "backend"):
        assert key in obj
    assert all({"name", "passed"} <= set(c) for c in obj["checks"])
    n = len(obj["steps"])
    assert len(obj["risk_simulated"]) == len(obj["risk_stderr"]) == len(obj["risk_volterra"]) == n
    assert obj["backend"] == ("cupy" if cupy_available() else "numpy")
    assert obj["phase"] == "II" and obj["problem"]["v"] == 256
    assert (tmp_path / "verify.png").stat().st_size > 10_000
    assert json.loads((tmp_path / "verify.json").read_text())["passed"] is True


def test_text_table(capsys):
    code = _cli.main(["verify", "--alpha", "0.7", "--beta", "1.2", *FAST])
    out = capsys.readouterr().out
    assert code == 0
    assert "phase III" in out and "simulation_vs_exact" in out and "all checks passed" in out
    header = [line for line in out.splitlines() if line.startswith("check")][0]
    for col in ("theory", "numerics", "simulation", "error bar", "tolerance", "result"):
        assert col in header


def test_wrong_kernel_exits_1(capsys, monkeypatch):
    monkeypatch.setitem(theory.OPTIMIZERS, "sgd", WrongNoiseSGD)
    code = _cli.main(["verify", "--alpha", "0.7", "--beta", "1.2", *FAST, "--json"])
    obj = json.loads(capsys.readouterr().out)
    assert code == 1 and obj["passed"] is False
    failed = {c["name"] for c in obj["checks"] if not c["passed"]}
    assert "simulation_vs_exact" in failed


def test_unstable_gamma_exits_3_naming_the_limit(capsys):
    code = _cli.main(["verify", "--alpha", "1.0", "--beta", "0.7", "--d", "32", "--steps", "10", "--gamma", "5"])
    err = capsys.readouterr().err
    assert code == 3 and "largest stable gamma" in err


@pytest.mark.parametrize("argv, param", [
    (["--alpha", "-1", "--beta", "0.7"], "alpha"),
    (["--alpha", "0.7", "--beta", "0.7", "--d", "0"], "d"),
    (["--alpha", "0.7", "--beta", "0.7", "--d", "32", "--v", "16"], "v"),
    (["--alpha", "0.7", "--beta", "0.7", "--runs", "0"], "--runs"),
    (["--alpha", "0.7", "--beta", "0.7", "--schedule", "linear"], "schedule"),
    (["--alpha", "0.7", "--beta", "0.7", "--gamma-fraction", "1.5"], "fraction"),
])
def test_bad_input_exits_2_with_one_line(capsys, argv, param):
    code = _cli.main(["verify", *argv])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and param in err[0]


def test_cupy_backend_without_gpu_exits_2(capsys):
    if cupy_available():
        pytest.skip("a GPU is usable here")
    code = _cli.main(["verify", "--alpha", "1.0", "--beta", "0.7", "--d", "16", "--steps", "10", "--runs", "2",
                      "--backend", "cupy"])
    assert code == 2 and "cupy.is_available()" in capsys.readouterr().err


def test_optimizer_without_verification_rules_is_refused(capsys):
    """Only optimizers with PLRF verification rules are offered; another name is bad input (exit 2)."""
    assert _cli.main(["verify", "--alpha", "1.0", "--beta", "0.7", "--optimizer", "gd"]) == 2
    assert "--optimizer" in capsys.readouterr().err


@pytest.mark.slow
def test_report_section_builds_fast_with_every_check_passing(tmp_path):
    from sltk._report import build_report

    summary = build_report(tmp_path, fast=True, only=["30_verification"])
    assert summary["failed"] == []
    text = (tmp_path / "index.md").read_text()
    assert "FAIL" not in text and "(0 failed)" in text
    assert (tmp_path / "verification" / "verification.png").stat().st_size > 10_000
    data = json.loads((tmp_path / "verification" / "verification.json").read_text())
    assert [d["phase"] for d in data] == ["Ia", "II", "III", "IVa"]
