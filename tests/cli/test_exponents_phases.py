"""``sltk exponents`` and ``sltk phases`` through sltk._cli.main, plus report section 10."""

import json

import pytest

from sltk import _cli


def _json(capsys):
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1
    return json.loads(out[0])


def test_exponents_json_in_phase(capsys):
    assert _cli.main(["exponents", "--alpha", "0.7", "--beta", "1.2", "--json"]) == 0
    d = _json(capsys)
    assert d["phase"] == "III" and d["xi"] == 0.5 and d["eta"] == pytest.approx(1 - 1 / 2.8)
    assert d["xi_expr"] == "1/2" and d["eta_expr"] == "(4*alpha - 1)/(4*alpha)"
    assert d["boundary"] is None and d["phases"] == ["III"]
    assert set(d["dominant_terms"]) == {"F_0", "F_ac", "noise"}


def test_exponents_json_phase_II(capsys):
    assert _cli.main(["exponents", "--alpha", "1.0", "--beta", "0.7", "--json"]) == 0
    d = _json(capsys)
    # hand derivation: F_pp = F_ac gives d* ~ f^(b/(a+b)), eta = (2a+2b-1)/(2(a+b))
    assert d["phase"] == "II" and d["xi"] == pytest.approx(0.7 / 1.7) and d["eta"] == pytest.approx(2.4 / 3.4)


def test_exponents_json_on_boundary(capsys):
    assert _cli.main(["exponents", "--alpha", "0.7", "--beta", "0.5", "--json"]) == 0
    d = _json(capsys)
    assert d["phase"] is None and d["boundary"] == "2*beta = 1" and d["phases"] == ["Ia", "II"]
    assert d["eta"] == pytest.approx(1.4 / 2.4)


def test_exponents_text_output(capsys):
    assert _cli.main(["exponents", "--alpha", "0.4", "--beta", "0.7"]) == 0
    out = capsys.readouterr().out
    assert "phase IVa" in out and "eta" in out and "alpha = 0.4" in out.replace("alpha=0.4", "alpha = 0.4")


@pytest.mark.parametrize("a,b,needle", [("0.2", "0.2", "2*alpha + 2*beta > 1"), ("-0.5", "1.5", "alpha > 0"),
                                         ("0", "1.0", "alpha > 0")])
def test_exponents_outside_domain_exit_2(capsys, a, b, needle):
    assert _cli.main(["exponents", "--alpha", a, "--beta", b, "--json"]) == 2
    cap = capsys.readouterr()
    assert cap.out == ""
    err = cap.err.strip().splitlines()
    assert len(err) == 1 and needle in err[0]


def test_exponents_missing_point_exit_2(capsys):
    assert _cli.main(["exponents", "--alpha", "0.7"]) == 2


def test_exponents_table_formats(capsys):
    assert _cli.main(["exponents", "--table"]) == 0
    md = capsys.readouterr().out
    assert md.startswith("| phase") and all(f"| {n} |" in md for n in ("Ia", "Ib", "Ic", "II", "III", "IVa", "IVb"))
    assert _cli.main(["exponents", "--table", "--format", "latex"]) == 0
    tex = capsys.readouterr().out
    assert "\\begin{tabular}" in tex and "\\frac{1}{2}" in tex
    assert _cli.main(["exponents", "--table", "--json"]) == 0
    d = _json(capsys)
    assert len(d["rows"]) == 7


def test_phases_png_and_bad_suffix(tmp_path, capsys):
    out = tmp_path / "ph.png"
    assert _cli.main(["phases", "--out", str(out)]) == 0
    assert out.stat().st_size > 20_000
    assert _cli.main(["phases", "--out", str(tmp_path / "x.txt")]) == 2


@pytest.mark.slow
@pytest.mark.parametrize("q", ["xi", "eta"])
def test_phases_heat_maps(tmp_path, q):
    out = tmp_path / f"{q}.pdf"
    assert _cli.main(["phases", "--out", str(out), "--quantity", q]) == 0
    assert out.read_bytes()[:4] == b"%PDF"


def test_report_section_10(tmp_path):
    from sltk._report import build_report

    summary = build_report(tmp_path, fast=True, only=["10_phase_diagram"])
    assert summary["failed"] == []
    for f in ("phase_diagram/phase_diagram.png", "phase_diagram/phase_diagram.pdf", "phase_diagram/xi_map.png",
              "phase_diagram/eta_map.png", "exponents.md", "exponents.tex"):
        assert (tmp_path / f).exists(), f
    assert "IVa" in (tmp_path / "exponents.md").read_text()
