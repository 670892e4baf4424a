"""What a user meets first: bad input refused before any work (exit 2, one line naming the flag), and
one mapping from result status to exit code, the same with and without ``--json``."""

import json
import re
from pathlib import Path

import numpy as np
import pytest

from sltk import _cli
from sltk._output import EXIT_CODES

ROOT = Path(__file__).resolve().parents[2]


def one_line_error(capsys, needle):
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("sltk: error:"), err
    assert needle in err[0], err[0]
    assert "Traceback" not in err[0]
    return err[0]


# ------------------------------------------------------------------ output paths, before any work
#: every subcommand with an output path, with the smallest valid arguments (the work is never reached)
OUT_COMMANDS = {
    "compare": ["compare", "--grid", "3"],
    "phases": ["phases"],
    "risk": ["risk", "--alpha", "1", "--beta", "0.7", "--d", "10", "--steps", "10"],
    "frontier": ["frontier", "--alpha", "1", "--beta", "0.7"],
    "verify": ["verify", "--alpha", "1", "--beta", "0.7"],
    "fit": ["fit", str(ROOT / "numerics/laws/data/csv_400/cosine_24000.csv")],
    "report": ["report"],
}


def test_every_command_with_an_output_declares_it():
    import argparse

    parser = _cli.build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for mod in _cli._command_modules():
        if any(a.dest == "out" for a in sub.choices[mod.COMMAND]._actions):
            assert "out" in getattr(mod, "OUTPUTS", {}), mod.COMMAND


@pytest.mark.parametrize("command", sorted(OUT_COMMANDS))
@pytest.mark.parametrize("where", ["under_a_file", "impossible"])
def test_unwritable_output_is_refused_before_any_work(tmp_path, capsys, monkeypatch, command, where):
    mod = {m.COMMAND: m for m in _cli._command_modules()}[command]
    monkeypatch.setattr(mod, "run", lambda args: pytest.fail("the work started before --out was checked"))
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    suffix = "" if getattr(mod, "OUTPUTS")["out"] == "dir" else ".png"
    out = (blocker / f"sub{suffix}") if where == "under_a_file" else Path(f"/proc/sltk-no-such/x{suffix}")
    assert _cli.main([*OUT_COMMANDS[command], "--out", str(out)]) == 2
    one_line_error(capsys, "--out")


def test_output_folder_that_is_a_file_is_refused(tmp_path, capsys):
    f = tmp_path / "report"
    f.write_text("x")
    assert _cli.main(["report", "--out", str(f), "--only", "00_overview"]) == 2
    one_line_error(capsys, "a folder (not an existing file)")


# ------------------------------------------------------------------ parse-time validation
@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "x"])
def test_frontier_window_refused_at_parse_time(capsys, monkeypatch, value):
    import numerics

    monkeypatch.setattr(numerics.plrf, "frontier", lambda *a, **k: pytest.fail("computed before refusing --window"))
    assert _cli.main(["frontier", "--alpha", "0.7", "--beta", "1.2", "--window", value]) == 2
    line = one_line_error(capsys, "--window")
    assert "--window > 0" in line


@pytest.mark.parametrize("argv, flag", [
    (["frontier", "--alpha", "0.7", "--beta", "1.2", "--n-f", "2"], "--n-f >= 3"),
    (["frontier", "--alpha", "0.7", "--beta", "1.2", "--lr", "optimise", "--lr-factors", "0.1,,0.2"], "--lr-factors"),
    (["verify", "--alpha", "0.7", "--beta", "1.2", "--instances", "0"], "--instances >= 2"),
    (["verify", "--alpha", "0.7", "--beta", "1.2", "--runs", "1"], "--runs >= 2"),
    (["verify", "--alpha", "0.7", "--beta", "1.2", "--gamma-fraction", "1"], "--gamma-fraction < 1"),
    (["risk", "--alpha", "0.7", "--beta", "1.2", "--d", "10", "--steps", "0"], "--steps >= 1"),
    (["risk", "--alpha", "0.7", "--beta", "1.2", "--d", "10", "--steps", "10", "--gamma", "-1"], "--gamma > 0"),
    (["fit", "x.csv", "--starts", "0"], "--starts >= 1"),
    (["fit", "x.csv", "--lambda", "1"], "--lambda < 1"),
    (["schedule-opt", "--params", "x.json", "--steps", "100", "--blocks", "1"], "--blocks >= 2"),
    (["sweep", "frontier", "--alpha", "0.7:0.8:0.1", "--beta", "1.2:1.3:0.1", "--store", "s.zarr", "--workers", "0"],
     "--workers >= 1"),
    (["sweep", "frontier", "--alpha", "0.7:0.8:0.1", "--beta", "1.2:1.3:0.1", "--store", "s.zarr", "--window", "0"],
     "--window > 0"),
])
def test_option_ranges_refused_at_parse_time(capsys, argv, flag):
    assert _cli.main(argv) == 2
    one_line_error(capsys, flag)


def test_exponents_huge_alpha_is_refused_cleanly(capsys):
    assert _cli.main(["exponents", "--alpha", "1e308", "--beta", "1"]) == 2
    one_line_error(capsys, "--alpha <= 1e+100")


def test_theory_refuses_overflowing_exponents():
    import theory

    with pytest.raises(theory.ParameterError, match="alpha <= 1e"):
        theory.plrf.compute_optimal_exponents(1e200, 1.0)


def test_report_only_unknown_section_exits_2_and_help_lists_sections(capsys, tmp_path):
    from sltk._report import section_names

    assert _cli.main(["report", "--out", str(tmp_path / "r"), "--only", "no_such_section"]) == 2
    one_line_error(capsys, "00_overview")
    assert not (tmp_path / "r" / "index.md").exists()
    with pytest.raises(SystemExit):
        _cli.main(["report", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    for name in section_names():
        assert name in help_text


def test_report_only_accepts_the_name_without_its_number(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SLTK_CACHE_DIR", str(tmp_path / "cache"))
    assert _cli.main(["report", "--out", str(tmp_path / "r") + "/", "--only", "overview", "--quiet"]) == 0
    assert "Conventions" in (tmp_path / "r" / "index.md").read_text()
    out = capsys.readouterr().out
    assert f"{tmp_path / 'r'}/index.html" in out and "//index" not in out


def test_verify_that_cannot_fit_in_memory_is_refused_with_estimate_and_limit(capsys, monkeypatch):
    import verification.plrf as vp

    monkeypatch.setattr(vp, "sample_instance", lambda *a, **k: pytest.fail("sampled W before the memory check"))
    assert _cli.main(["verify", "--alpha", "1", "--beta", "0.7", "--d", "60000"]) == 2
    line = one_line_error(capsys, "--d must satisfy an estimated peak memory within the limit")
    assert re.search(r"about [\d.]+ GiB", line) and "available" in line


def test_schedule_with_empty_fields_is_refused(capsys):
    assert _cli.main(["risk", "--alpha", "1", "--beta", "0.7", "--d", "10", "--steps", "10",
                      "--schedule", "wsd:decay=0.2,,"]) == 2
    one_line_error(capsys, "no empty field")


@pytest.mark.parametrize("text", ["wsd:decay=0.2,,", "wsd:", "wsd:decay=", "wsd:decay=0.2,decay=0.3",
                                  "step:milestones=0.5;;0.8"])
def test_parse_schedule_refuses_empty_and_repeated_fields(text):
    import theory

    with pytest.raises(theory.ParameterError):
        theory.parse_schedule(text)


# ------------------------------------------------------------------ messages name the user's flags
def test_library_errors_are_reworded_with_the_flags_typed():
    from theory import ParameterError

    from sltk._commands import fit, schedule_opt, verify

    args = _cli.build_parser().parse_args(["verify", "--alpha", "1", "--beta", "0.7"])
    e = _cli.user_error(ParameterError("lr", "lr > 0", -1.0), verify, args)
    assert str(e) == "--gamma must satisfy --gamma > 0; got --gamma=-1.0"
    e = _cli.user_error(ParameterError("n_instances", "n_instances >= 2", 1), verify, args)
    assert str(e).startswith("--instances must satisfy --instances >= 2")
    e = _cli.user_error(ParameterError("fraction", "fraction < 1", 2), verify, args)
    assert str(e).startswith("--gamma-fraction")
    assert str(_cli.user_error(ParameterError("n_blocks", "n_blocks <= 5", 9), schedule_opt, args)).startswith(
        "--blocks must satisfy --blocks <= 5")
    assert str(_cli.user_error(ParameterError("n_starts", "n_starts >= 1", 0), fit, args)).startswith("--starts")
    # a parameter that is also an option's dest is named by its flag
    assert str(_cli.user_error(ParameterError("seed", "seed >= 0", -1), verify, args)).startswith("--seed")


@pytest.mark.parametrize("rows, needle", [
    ("1,0.1,3\n2,-0.1,2.9\n3,0.1,2.8\n", "lr in {f} line 3"),
    ("3,0.1,3\n2,0.1,2.9\n4,0.1,2.8\n", "step in {f} line 3"),
    ("1,0.1,3\n2.5,0.1,2.9\n4,0.1,2.8\n", "step in {f} line 3"),
    ("1,0.1,3\n2,0.1,-2.9\n4,0.1,2.8\n", "loss in {f} line 3"),
    ("1,0.1,3\n2,abc,2.9\n", "lr in {f} line 3"),
])
def test_csv_messages_name_file_and_line(tmp_path, capsys, rows, needle):
    f = tmp_path / "curve.csv"
    f.write_text("step,lr,loss\n" + rows)
    assert _cli.main(["fit", str(f)]) == 2
    one_line_error(capsys, needle.format(f=f))


# ------------------------------------------------------------------ one status -> exit-code mapping
def test_help_and_readme_document_every_exit_status(capsys):
    with pytest.raises(SystemExit):
        _cli.main(["--help"])
    out = capsys.readouterr().out
    readme = (ROOT / "README.md").read_text()
    for name, (code, _) in EXIT_CODES.items():
        assert re.search(rf"^\s+{code}\s+{name}\b", out, re.M), (code, name)
        assert re.search(rf"\|\s*{code}\s*\|\s*`{name}`", readme), (code, name)


def _fake_curve(status):
    from numerics.plrf import RiskCurve

    steps = np.array([0, 1, 10])
    return RiskCurve(steps, np.array([1.0, 0.5, 0.1]), status, f"solver says {status}", "loggrid", 0.3, 1.0, 0.1,
                     "deterministic", steps * 10)


@pytest.mark.parametrize("status", ["ok", "not_converged"])
def test_risk_exit_status_is_the_same_with_and_without_json(capsys, monkeypatch, status):
    import numerics

    monkeypatch.setattr(numerics.plrf, "risk_curve", lambda *a, **k: _fake_curve(status))
    base = ["risk", "--alpha", "1", "--beta", "0.7", "--d", "10", "--steps", "10", "--gamma", "0.1",
            "--schedule", "wsd:decay=0.2"]
    text_code = _cli.main(base)
    capsys.readouterr()
    json_code = _cli.main(base + ["--json"])
    obj = json.loads(capsys.readouterr().out)
    assert text_code == json_code == EXIT_CODES[status][0] and obj["status"] == status


def test_divergence_message_names_the_peak_rate(capsys):
    """two-stage with second=5: the rate that diverges is 5 gamma, above the limit the message quotes."""
    code = _cli.main(["risk", "--alpha", "1", "--beta", "0.7", "--d", "50", "--steps", "100", "--gamma", "0.2",
                      "--schedule", "two-stage:switch=0.5,second=5"])
    err = capsys.readouterr().err
    assert code == EXIT_CODES["diverged"][0]
    peak = float(re.search(r"peak gamma=([\d.e+-]+)", err).group(1))
    limit = float(re.search(r"largest stable gamma is ([\d.e+-]+)", err).group(1))
    assert peak == pytest.approx(1.0) and peak > limit and "peak factor 5" in err


def test_risk_curve_unknown_option_is_a_parameter_error():
    import numerics
    import theory

    with pytest.raises(theory.ParameterError, match="foo must satisfy an option of the sgd risk solver"):
        numerics.plrf.risk_curve(theory.plrf.PLRF(1.0, 0.75, 200, 50), theory.SGD(lr=0.4), steps=10, foo=1)


def test_verify_divergence_is_exit_3_with_and_without_json(capsys):
    base = ["verify", "--alpha", "1.0", "--beta", "0.7", "--d", "32", "--steps", "10", "--gamma", "5",
            "--backend", "numpy"]
    assert _cli.main(base) == EXIT_CODES["diverged"][0]
    assert "largest stable gamma" in capsys.readouterr().err
    assert _cli.main(base + ["--json"]) == EXIT_CODES["diverged"][0]
    obj = json.loads(capsys.readouterr().out)
    assert obj["status"] == "diverged" and obj["passed"] is False and obj["lr_max"] < 5


def test_risk_exact_spectrum_that_cannot_fit_is_refused(capsys, monkeypatch):
    import numerics

    monkeypatch.setattr(numerics.plrf, "risk_curve", lambda *a, **k: pytest.fail("work started"))
    assert _cli.main(["risk", "--alpha", "1", "--beta", "0.7", "--d", "100000", "--steps", "10",
                      "--spectrum", "exact", "--gamma", "0.1"]) == 2
    one_line_error(capsys, "--d must satisfy an estimated peak memory within the limit")


@pytest.mark.parametrize("argv, flag", [(["verify"], "--alpha"), (["verify", "--model", "dmft"], "--a")])
def test_verify_names_the_missing_required_flag(capsys, argv, flag):
    assert _cli.main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"sltk: error: {flag} is required with --model")
    assert "None" not in err[0]
