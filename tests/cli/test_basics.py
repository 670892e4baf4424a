"""The CLI driver: discovery, help, bad input, and the report driver's robustness."""

import json

import pytest

from sltk import _cli
from sltk._report import build_report


def test_help_lists_every_command(capsys):
    with pytest.raises(SystemExit) as exc:
        _cli.main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for mod in _cli._command_modules():
        assert mod.COMMAND in out


def test_no_command_prints_help_and_exits_2(capsys):
    assert _cli.main([]) == 2


def test_unknown_option_is_one_line_exit_2(capsys):
    assert _cli.main(["report", "--no-such-option"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("sltk: error:")


def test_report_overview_section(tmp_path):
    summary = build_report(tmp_path, fast=True, only=["00_overview"])
    assert summary["failed"] == []
    text = (tmp_path / "index.md").read_text()
    assert "Conventions" in text and "no factor 1/2" in text
    assert (tmp_path / "index.html").read_text().startswith("<!doctype html>")


def test_report_survives_a_failing_section(tmp_path, monkeypatch):
    import types

    from sltk import _report

    bad = types.ModuleType("sltk._report_sections.99_bad")
    bad.ORDER, bad.TITLE = 99, "Broken"

    def build(ctx):
        raise RuntimeError("boom")

    bad.build = build
    monkeypatch.setattr(_report, "_sections", lambda: [bad])
    summary = build_report(tmp_path, fast=True)
    assert summary["failed"] == ["99_bad"]
    assert "boom" in (tmp_path / "index.md").read_text()


def test_print_json_maps_nonfinite_to_null(capsys):
    import numpy as np

    from sltk._output import print_json

    print_json({"x": np.float64("nan"), "y": np.arange(2), "z": 1.5})
    assert json.loads(capsys.readouterr().out) == {"x": None, "y": [0, 1], "z": 1.5}
