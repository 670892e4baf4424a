"""Live progress (tqdm on stderr, quiet off a terminal or with --quiet), the report's section lines as
they happen, and the report's disk cache (joblib.Memory keyed by inputs and package)."""

import io

import numpy as np
import pytest

from sltk import _cli, _progress


class _TTY(io.StringIO):
    def isatty(self):
        return True


def test_progress_is_quiet_off_a_terminal_and_with_quiet(monkeypatch):
    monkeypatch.setattr("sys.stderr", io.StringIO())
    monkeypatch.setattr(_progress, "QUIET", False)
    assert _progress.progress_callback("x") is None
    monkeypatch.setattr("sys.stderr", _TTY())
    assert _progress.progress_callback("x") is not None
    monkeypatch.setattr(_progress, "QUIET", True)
    assert _progress.progress_callback("x") is None


def test_progress_bar_draws_on_stderr_of_a_terminal(monkeypatch):
    tty = _TTY()
    monkeypatch.setattr("sys.stderr", tty)
    monkeypatch.setattr(_progress, "QUIET", False)
    cb = _progress.progress_callback("frontier")
    for k in range(1, 6):
        cb(k, 5)
    assert "frontier" in tty.getvalue() and "/5 " in tty.getvalue()


def test_frontier_reports_progress_per_size():
    import numerics

    calls = []
    numerics.plrf.frontier(1.0, 0.75, lr=0.5, spectrum="surrogate", d_grid=[50, 100, 200, 400],
                           flops=np.logspace(4, 6, 9), progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (4, 4) and all(t == 4 for _, t in calls) and [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_cli_quiet_flag_is_offered_by_every_command():
    import argparse

    parser = _cli.build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, p in sub.choices.items():
        if name != "sweep":  # the sweep kinds have their own --quiet
            assert any("--quiet" in a.option_strings for a in p._actions), name


def test_report_prints_each_section_as_it_starts_and_ends(tmp_path, monkeypatch, capsys):
    import types

    from sltk import _report

    events = []

    def make(order, title):
        m = types.ModuleType(f"fake_{order}")
        m.ORDER, m.TITLE = order, title
        m.build = lambda ctx: (events.append(("build", title)), [_report.Text(title)])[1]
        return m

    monkeypatch.setattr(_report, "_sections", lambda: [make(1, "A"), make(2, "B")])
    _report.build_report(tmp_path, on_start=lambda i, n, t: events.append(("start", t, i, n)),
                         on_end=lambda i, n, s: events.append(("end", s["title"], i, n)))
    assert events == [("start", "A", 1, 2), ("build", "A"), ("end", "A", 1, 2),
                      ("start", "B", 2, 2), ("build", "B"), ("end", "B", 2, 2)]


def test_report_cache_hit_rewrites_the_same_files_and_no_cache_recomputes(tmp_path, capsys, monkeypatch):
    from sltk import _cache

    cache = tmp_path / "cache"
    monkeypatch.setenv("SLTK_CACHE_DIR", str(cache))  # restored afterwards (--cache-dir sets it)
    argv = ["report", "--only", "00_overview", "--cache-dir", str(cache), "--quiet"]
    assert _cli.main([*argv, "--out", str(tmp_path / "a")]) == 0
    first = capsys.readouterr().out
    assert "[1/1]" in first and "from the cache" not in first
    assert _cli.main([*argv, "--out", str(tmp_path / "b")]) == 0
    assert "from the cache" in capsys.readouterr().out
    assert (tmp_path / "a" / "index.md").read_text() == (tmp_path / "b" / "index.md").read_text()
    assert _cli.main([*argv, "--out", str(tmp_path / "c"), "--no-cache"]) == 0
    assert "from the cache" not in capsys.readouterr().out
    # a different package (version or source) is a different key: nothing is read back
    monkeypatch.setattr(_cache, "package_key", lambda: "0.0.0-other")
    assert _cli.main([*argv, "--out", str(tmp_path / "d")]) == 0
    assert "from the cache" not in capsys.readouterr().out


def test_package_key_follows_the_version(monkeypatch):
    import sltk
    from sltk import _cache

    _cache.package_key.cache_clear()
    k1 = _cache.package_key()
    monkeypatch.setattr(sltk, "__version__", "9.9.9")
    _cache.package_key.cache_clear()
    k2 = _cache.package_key()
    _cache.package_key.cache_clear()
    assert k1 != k2 and k2.startswith("9.9.9-")


def test_report_section_that_raises_is_not_cached(tmp_path, monkeypatch):
    """A failed section is reported, never stored: the next build runs it again."""
    import sys
    import types

    from sltk import _cache, _report

    calls = []
    mod = types.ModuleType("sltk._report_sections.98_flaky")
    mod.ORDER, mod.TITLE = 98, "Flaky"

    def build(ctx):
        calls.append(1)
        raise RuntimeError("boom")

    mod.build = build
    monkeypatch.setitem(sys.modules, mod.__name__, mod)
    monkeypatch.setattr(_report, "_sections", lambda: [mod])
    _cache.configure(tmp_path / "cache")
    try:
        for _ in range(2):
            assert _report.build_report(tmp_path / "r", cache=True)["failed"] == ["98_flaky"]
    finally:
        _cache.configure(None)
    assert len(calls) == 2


def test_report_jobs_builds_sections_in_worker_processes_with_the_serial_result(tmp_path, monkeypatch):
    """``jobs=2``: each section is built in a worker process; the index is the serial build's, in
    section order, and a section that raises in a worker is reported as failed, the other kept."""
    import os
    import sys
    import types

    from sltk import _cache, _report

    real = [m for m in _report._sections() if m.__name__.endswith("00_overview")]
    mod = types.ModuleType("sltk._report_sections.98_flaky")
    mod.ORDER, mod.TITLE, mod.COST = 98, "Flaky", 5.0

    def build(ctx):
        raise RuntimeError(f"boom in process {os.getpid()}")

    mod.build = build
    monkeypatch.setitem(sys.modules, mod.__name__, mod)
    monkeypatch.setattr(_report, "_sections", lambda: real + [mod])
    _cache.configure(tmp_path / "cache")
    events = []
    try:
        serial = _report.build_report(tmp_path / "s", cache=True, jobs=1)
        par = _report.build_report(tmp_path / "p", cache=True, jobs=2,
                                   on_start=lambda i, n, t: events.append(t))
    finally:
        _cache.configure(None)
    assert serial["failed"] == par["failed"] == ["98_flaky"]
    assert [s["name"] for s in par["sections"]] == ["00_overview", "98_flaky"]
    assert events == ["Flaky", "About this report"]  # the costliest first
    s_md, p_md = ((tmp_path / d / "index.md").read_text() for d in ("s", "p"))
    assert f"boom in process {os.getpid()}" in s_md and "boom in process" in p_md
    assert f"boom in process {os.getpid()}" not in p_md  # it ran in a worker
    overview = lambda md: md.split("## Flaky")[0]
    assert overview(s_md) == overview(p_md) and "## About this report" in p_md
    assert p_md.index("## About this report") < p_md.index("## Flaky")


def test_report_jobs_is_validated():
    from sltk import _report
    from theory import ParameterError

    with pytest.raises(ParameterError, match="jobs"):
        _report.build_report("unused", jobs=0)
