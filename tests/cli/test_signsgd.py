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
    assert set(data) >= {"optimizers", "quantity", "summary", "table", "figure"}
    assert data["optimizers"] == ["sgd", "signsgd"] and out.exists() and out.stat().st_size > 1000
    rows = {r["phase_sgd"]: r for r in data["table"]}
    assert rows["III"]["verdict"] == "steeper" and rows["II"]["verdict"] == "equal"
    # independent check of one row: Phase III closed forms 4a/(4a+1) (signSGD) and (4a-1)/(4a) (SGD)
    a = rows["III"]["alpha"]
    assert abs(rows["III"]["eta_signsgd"] - 4 * a / (4 * a + 1)) < 1e-12
    assert abs(rows["III"]["eta_sgd"] - (4 * a - 1) / (4 * a)) < 1e-12
    assert sum(data["summary"].values()) > 0


def test_compare_text_and_reverse_order(capsys):
    assert main(["compare", "--optimizers", "signsgd,sgd", "--grid", "3"]) == 0
    txt = capsys.readouterr().out
    assert "sgd minus signsgd" in txt and "flatter" in txt


def test_compare_bad_input_exit_2(capsys):
    assert main(["compare", "--optimizers", "sgd,adam"]) == 2
    assert "--optimizers" in capsys.readouterr().err
    assert main(["compare", "--grid", "1"]) == 2
    assert main(["compare", "--out", "x.jpg", "--grid", "3"]) == 2


def test_exponents_cli_dispatches_signsgd_to_its_joint_lp(capsys):
    """`sltk exponents --optimizer signsgd` reports the signSGD LP, not SGD's table."""
    assert main(["exponents", "--alpha", "0.7", "--beta", "1.2", "--optimizer", "signsgd", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    a = 0.7
    assert data["optimizer"] == "signsgd" and data["phase"] == "S-VI" and data["sgd_phase"] == "III"
    assert abs(data["eta"] - 4 * a / (4 * a + 1)) < 1e-12  # steeper than SGD's (4a-1)/(4a)
    assert data["eta"] > (4 * a - 1) / (4 * a)


# ----------------------------------------------------------------------------- verify / frontier / phases
def test_verify_cli_signsgd_runs_the_plrf_check(capsys, tmp_path):
    """`sltk verify --optimizer signsgd` dispatches to check_signsgd_plrf (no more NO CHECK APPLICABLE)."""
    import theory
    import verification

    out = tmp_path / "v"
    rc = main(["verify", "--alpha", "1.0", "--beta", "0.7", "--d", "48", "--steps", "600", "--runs", "8",
               "--optimizer", "signsgd", "--backend", "numpy", "--points", "12", "--out", str(out), "--json"])
    assert rc == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= {"checks", "steps", "risk_simulated", "risk_stderr", "risk_volterra", "backend"}
    assert [c["name"] for c in data["checks"]] == ["signsgd_equations_vs_simulation"]
    assert data["checks"][0]["passed"] is True and data["backend"] == "numpy"
    n = len(data["steps"])
    assert len(data["risk_simulated"]) == len(data["risk_stderr"]) == len(data["risk_volterra"]) == n
    # default rate: noise floor (pi^2/16) gamma^2 d tr D = 1e-3, computed here from its closed form
    p = theory.plrf.PLRF(1.0, 0.7, 4 * 48, 48)
    lr = data["optimizer"]["lr"]
    assert abs(np.pi**2 / 16 * lr**2 * p.d * p.trace_D() - 1e-3) < 1e-12
    # the risk starts at the initial risk (exact at step 0) and falls
    assert data["steps"][0] == 0 and abs(data["risk_volterra"][0] - p.initial_risk()) < 1e-9 * p.initial_risk()
    assert data["risk_simulated"][-1] < 0.1 * data["risk_simulated"][0]
    assert (out / "verify.png").stat().st_size > 10_000 and (out / "verify.json").exists()
    # the same thing through the Python entry point
    res = verification.verify(p, theory.SignSGD(lr=lr), steps=600, runs=8, n_points=12, backend="numpy")
    np.testing.assert_allclose(res.risk_volterra, data["risk_volterra"], rtol=1e-12)


def test_verify_cli_signsgd_text_and_failure_exit_1(capsys, monkeypatch):
    import verification.plrf._signsgd as sc

    args = ["verify", "--alpha", "1.0", "--beta", "0.7", "--d", "32", "--steps", "300", "--runs", "4",
            "--optimizer", "signsgd", "--backend", "numpy", "--points", "10"]
    assert main(args) == 0
    txt = capsys.readouterr().out
    assert "signsgd_equations_vs_simulation" in txt and "all checks passed" in txt and "NO CHECK" not in txt
    # a wrong tolerance model (no model allowance, no error bars) must make the check fail -> exit 1
    original = sc.check_signsgd_plrf
    monkeypatch.setattr(sc, "Z_FAMILY", 0.0)
    monkeypatch.setattr(sc, "check_signsgd_plrf", lambda *a, **k: original(*a, **{**k, "model_rtol": 0.0}))
    assert main(args) == 1
    assert "SOME CHECKS FAILED" in capsys.readouterr().out
    assert main(args[:-2] + ["--batch", "2"]) == 2


def test_frontier_cli_signsgd(capsys, tmp_path):
    fig = tmp_path / "f.png"
    rc = main(["frontier", "--alpha", "0.7", "--beta", "1.2", "--optimizer", "signsgd", "--spectrum", "surrogate",
               "--d-min", "16", "--d-max", "128", "--n-d", "4", "--f-min", "1e4", "--f-max", "3e5", "--n-f", "8",
               "--lr-factors", "0.01,0.03,0.1", "--json", "--out", str(fig)])
    assert rc == 0 and fig.stat().st_size > 10_000
    out = json.loads(capsys.readouterr().out)
    for key in ("flops", "p_star", "d_star", "eta_local", "xi_local", "eta_theory", "xi_theory", "phase", "lr_star",
                "optimizer", "eta_fit", "xi_fit"):
        assert key in out
    a = 0.7
    assert out["optimizer"] == "signsgd" and out["phase"] == "S-VI"
    assert abs(out["eta_theory"] - 4 * a / (4 * a + 1)) < 1e-12  # signSGD's closed form, not SGD's
    assert abs(out["xi_theory"] - (2 * a + 1) / (4 * a + 1)) < 1e-12
    p = np.array(out["p_star"])
    assert p.shape == (8,) and np.all(np.diff(p) < 0)
    d_star, c_opt = np.array(out["d_star"]), np.array(out["c_star"])
    assert np.all((d_star >= 16 * (1 - 1e-12)) & (d_star <= 128 * (1 + 1e-12)))  # refined inside the lattice
    assert np.all((c_opt >= 0.01 * (1 - 1e-12)) & (c_opt <= 0.1 * (1 + 1e-12)))
    assert len(out["at_edge_d"]) == len(out["at_edge_lr"]) == 8
    # each gamma* is c* / sqrt(d* tr D) (the closed form of the learning-rate scale)
    import theory

    for d, g, c in zip(out["d_star"], out["lr_star"], out["c_star"]):
        tr = theory.plrf.PLRF(a, 1.2, int(round(4 * d)), int(round(d))).trace_D()
        assert abs(g * np.sqrt(d * tr) - c) < 1e-9 * c
    assert main(["frontier", "--alpha", "0.7", "--beta", "1.2", "--optimizer", "signsgd", "--batch", "2"]) == 2
    assert main(["frontier", "--alpha", "0.7", "--beta", "1.2", "--optimizer", "signsgd",
                 "--lr-factors", "0.1,-1"]) == 2


def test_phases_cli_signsgd_heat_map(capsys, tmp_path):
    from sltk._figures import plrf as pf

    out = tmp_path / "eta.png"
    assert main(["phases", "--optimizer", "signsgd", "--quantity", "eta", "--grid", "12", "--out", str(out)]) == 0
    assert out.stat().st_size > 20_000
    assert main(["phases", "--optimizer", "signsgd", "--quantity", "phase", "--grid", "4", "--out", str(tmp_path / "p.png")]) == 0
    assert (tmp_path / "p.png").stat().st_size > 20_000
    aa, bb, A, B = pf._grid(12)
    import theory

    Z = theory.plrf.exponent_grid(aa, bb, "signsgd")["eta"]

    inside = 2 * A + 2 * B > 1 + 1e-9
    assert np.all(np.isnan(Z[~inside])) and np.all(np.isfinite(Z[inside]))
    # a few cells against the symbolic LP (SymPy, re-solved exactly on the active set)
    for i, j in [(2, 3), (7, 9), (12, 11), (4, 6), (13, 2)]:
        a, b = A[i, j], B[i, j]
        assert inside[i, j] and abs(Z[i, j] - theory.plrf._signsgd_lp.signsgd_exponents_at(a, b).eta) < 1e-9
