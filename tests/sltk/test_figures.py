"""Properties of the report's figures that can be asserted (the rest is checked by looking at them):
no empty panel, every text drawn in data coordinates inside its axes, every legend entry with an
artist and a label, each phase name inside its own region, table cells with '|' kept in one column."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")


def _visible_axes(fig):
    return [ax for ax in fig.axes if ax.get_visible() and ax.axison]


def _has_content(ax) -> bool:
    return bool(ax.lines or ax.collections or ax.images or ax.patches or ax.texts)


def assert_sane(fig, *, check_texts=True):
    """No empty panel; data-coordinate texts inside their axes; legend entries with artist and label."""
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    axes = _visible_axes(fig)
    assert axes, "figure without a visible axes"
    for ax in axes:
        if ax.get_label() == "<colorbar>":
            continue
        assert _has_content(ax), f"empty panel: {ax.get_title()!r}"
        if check_texts:
            box = ax.get_window_extent(r)
            for t in ax.texts:
                if not t.get_visible() or not t.get_text() or t.get_transform() != ax.transData:
                    continue
                e = t.get_window_extent(r)
                assert (e.x0 >= box.x0 - 1 and e.x1 <= box.x1 + 1 and e.y0 >= box.y0 - 1 and e.y1 <= box.y1 + 1), \
                    f"text {t.get_text()!r} leaves its axes"
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None] + list(fig.legends)
    for leg in legends:
        handles = leg.legend_handles
        labels = [t.get_text() for t in leg.get_texts()]
        assert len(handles) == len(labels) and all(h is not None for h in handles)
        assert all(lab.strip() for lab in labels), f"empty legend label in {labels}"


def test_sgd_phase_diagram_labels_inside_their_regions():
    from sltk._figures import plrf as pf

    fig = pf.phase_diagram_figure("sgd", n=24)
    assert_sane(fig)
    ax = fig.axes[0]
    aa, bb, A, B, idx, names = pf._fine_phases("sgd", None, 24)
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    found = set()
    for t in ax.texts:
        if t.get_text() in names:
            e = t.get_window_extent(r).transformed(ax.transData.inverted())
            k = names.index(t.get_text())
            for x in np.linspace(e.x0, e.x1, 5):
                for y in np.linspace(e.y0, e.y1, 3):
                    i = int(np.clip(np.searchsorted(bb, y), 0, bb.size - 1))
                    j = int(np.clip(np.searchsorted(aa, x), 0, aa.size - 1))
                    assert idx[i, j] == k, f"label {t.get_text()} leaves its region at ({x:.3f}, {y:.3f})"
            found.add(t.get_text())
    assert found == set(names)
    # seven phases, seven clearly different colours
    leg = ax.get_legend()
    cols = {tuple(np.round(h.get_facecolor(), 3)) for h in leg.legend_handles[:len(names)]}
    assert len(cols) == len(names)
    # legend in math, as the axes
    assert all("$" in t.get_text() for t in leg.get_texts()[:len(names)])
    matplotlib.pyplot.close(fig)


def test_xi_map_annotates_the_jump_and_keeps_contour_labels_inside():
    from sltk._figures import plrf as pf

    fig = pf.exponent_map_figure("xi", "sgd", n=24)
    assert_sane(fig)
    txt = " ".join(t.get_text() for t in fig.axes[0].texts)
    assert "jumps" in txt and "IVa" in txt and "IVb" in txt
    matplotlib.pyplot.close(fig)


def test_fine_phase_map_agrees_with_the_exact_phases():
    import theory.plrf
    from sltk._figures import plrf as pf

    aa, bb, A, B, idx, names = pf._fine_phases("sgd", None, 16, nf=120)
    rng = np.random.default_rng(0)
    for _ in range(40):
        i, j = int(rng.integers(bb.size)), int(rng.integers(aa.size))
        if idx[i, j] < 0:
            continue
        loc = theory.plrf.phase_of(float(A[i, j]), float(B[i, j]), "sgd")
        if loc.name is not None:  # off a boundary
            near = idx[max(i - 1, 0):i + 2, max(j - 1, 0):j + 2]
            assert names[idx[i, j]] == loc.name or names.index(loc.name) in near


def test_signsgd_phase_map_has_no_stray_pixels_at_triple_points():
    """Every phase of the signSGD map is one connected region (as in its exact diagram): no island
    of a few pixels of one phase inside another, as the thin wedges that other boundary polynomials
    cut at the triple points left when they took the coarse map's staircase (issue 11)."""
    from scipy import ndimage

    from sltk._figures import plrf as pf

    aa, bb, A, B, idx, names = pf._fine_phases("signsgd", None, 16, nf=200)
    inside = (A > 0) & (2 * A + 2 * B > 1)
    assert (idx[inside] >= 0).all() and (idx[~inside] == -1).all()
    for k, nm in enumerate(names):
        lab, n = ndimage.label(idx == k)
        if n:
            sizes = np.bincount(lab.ravel())[1:]
            assert n == 1, (nm, sorted(sizes))


def _capture(monkeypatch, module):
    got = []
    monkeypatch.setattr(module, "save_figure", lambda fig, path: got.append(fig) or [path])
    return got


def test_schedule_design_draws_the_optimum_after_warmup_and_marks_a_degenerate_one(monkeypatch, tmp_path):
    from sltk._figures import laws

    got = _capture(monkeypatch, laws)
    n, w = 200, 20
    eta = np.r_[np.linspace(0.05, 1.0, w), np.ones(150 - w), np.full(50, 1e-4)]
    opt = SimpleNamespace(eta=eta, warmup_steps=w, degenerate=True, decay_start=150)
    ok = SimpleNamespace(eta=np.r_[np.linspace(0.05, 1.0, w), np.linspace(1.0, 0.1, n - w)], warmup_steps=w,
                         degenerate=False, decay_start=w)
    fr = np.linspace(0, 0.8, 5)
    laws.plot_schedule_design({"a": (fr, {"linear": fr + 1})}, {"deg": opt, "fine": ok}, tmp_path / "x.png",
                              horizon=n)
    fig = got[0]
    assert_sane(fig)
    right = fig.axes[1]
    for line in right.lines:
        assert np.min(line.get_xdata()) > w  # the warmup is not part of the optimised schedule
        assert np.all(np.diff(line.get_ydata()) <= 1e-12)  # non-increasing
    assert any("degenerate" in t.get_text() for t in right.get_legend().get_texts())


def test_markdown_tables_keep_a_bar_inside_one_cell(tmp_path):
    from sltk._output import format_table
    from sltk._report import Table, _md

    md = format_table(["boundary", "phases"], [["2*beta = 1", "Ia | Ib"]], "markdown")
    row = md.splitlines()[2]
    cells = [c for c in __import__("re").split(r"(?<!\\)\|", row)[1:-1]]
    assert len(cells) == 2 and "Ia \\| Ib" in cells[1]
    assert _md(Table(["a", "b"], [["x|y", "z"]])).splitlines()[-1].count("\\|") == 1


def test_report_message_has_no_double_slash(tmp_path, capsys, monkeypatch):
    from sltk._commands import report

    monkeypatch.setattr(report, "build_report", lambda out, **kw: {"sections": [], "failed": []})
    out = str(tmp_path) + "/"
    report.run(SimpleNamespace(out=out, fast=True, only=None, cache_dir=None, no_cache=True, jobs=None))
    msg = capsys.readouterr().out
    assert "//" not in msg and "index.html" in msg


def test_theory_bridge_has_no_empty_panel_and_names_the_optimizer(monkeypatch, tmp_path):
    from sltk._figures import laws

    got = _capture(monkeypatch, laws)
    steps = np.geomspace(10, 1000, 20)

    class Law:
        param_names = ("alpha", "beta")

        def bounds(self):
            return [(0.0, 5.0), (0.0, 5.0)]

    def fit(a):
        return SimpleNamespace(params={"alpha": a}, law=Law(), theta=np.array([a, 1.0]),
                               predict=lambda h, s: s ** -0.3)

    curve = SimpleNamespace(name="constant", steps=steps, loss=steps ** -0.3, history=None)
    results = {"SGD case": SimpleNamespace(optimizer="sgd", fits={"x": fit(1.0), "y": fit(1.0), "z": fit(5.0)},
                                           curves=[curve]),
               "signSGD case": SimpleNamespace(optimizer="signsgd", fits={"x": fit(1.0), "y": fit(2.0)},
                                               curves=[curve])}
    laws.plot_theory_bridge(results, tmp_path / "b.png")
    fig = got[0]
    assert_sane(fig, check_texts=False)
    labels = [ax.get_xlabel() for ax in fig.axes if ax.axison]
    assert any(lab.startswith("SGD") for lab in labels) and any(lab.startswith("SignSGD") for lab in labels)
    titles = [ax.get_title() for ax in fig.axes if ax.axison]
    assert sum("at its upper bound" in t for t in titles) == 1
    # the spare panel of the signSGD row holds the legend instead of staying empty
    spare = [ax for ax in fig.axes if not ax.axison]
    assert len(spare) == 1 and spare[0].get_legend() is not None
