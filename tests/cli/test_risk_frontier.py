"""``sltk risk`` and ``sltk frontier`` through the CLI entry point."""

import json

import numpy as np
import pytest

import numerics
import theory
from sltk import _cli


def test_risk_json(capsys):
    rc = _cli.main(["risk", "--alpha", "1.0", "--beta", "0.8", "--d", "50", "--v", "200", "--gamma", "0.3",
                    "--steps", "2000", "--spectrum", "surrogate", "--json"])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    assert out["steps"][0] == 0 and out["steps"][-1] == 2000 and len(out["steps"]) == len(out["risk"])
    assert out["conventions"] == theory.CONVENTIONS
    assert out["status"] == "ok" and out["method"] == "series" and 0 < out["kernel_norm"] < 1
    # independent reference: the exact recursion on the same spectrum
    spec = numerics.plrf.surrogate_spectrum(theory.plrf.PLRF(1.0, 0.8, 200, 50))
    ref = numerics.plrf.exact_recursion(spec, theory.SGD(lr=0.3), steps=2000, record=out["steps"])
    np.testing.assert_allclose(out["risk"], ref, rtol=1e-12)
    assert out["lr_max"] == pytest.approx(numerics.plrf.max_stable_lr(spec, theory.SGD(lr=1.0)))


def test_risk_diverges_exit_3(capsys):
    rc = _cli.main(["risk", "--alpha", "1.0", "--beta", "0.8", "--d", "50", "--gamma", "5", "--steps", "100",
                    "--spectrum", "surrogate"])
    assert rc == 3
    err = capsys.readouterr().err
    assert "diverges" in err and "largest stable gamma" in err


def test_risk_bad_input_exit_2(capsys):
    assert _cli.main(["risk", "--alpha", "-1", "--beta", "0.8", "--d", "50", "--steps", "10"]) == 2
    assert "alpha" in capsys.readouterr().err
    assert _cli.main(["risk", "--alpha", "1", "--beta", "0.8", "--d", "50", "--steps", "10",
                      "--schedule", "linear"]) == 2


def test_risk_text_schedule_and_figure(tmp_path, capsys):
    fig = tmp_path / "r.png"
    rc = _cli.main(["risk", "--alpha", "0.7", "--beta", "1.2", "--d", "100", "--steps", "20000",
                    "--schedule", "wsd:decay=0.2,shape=cosine", "--out", str(fig)])
    assert rc == 0 and fig.stat().st_size > 0
    out = capsys.readouterr().out
    assert "0.5 * (c * lr_max(d))" in out and "loggrid" in out


def test_frontier_json_and_figure(tmp_path, capsys):
    fig = tmp_path / "f.png"
    rc = _cli.main(["frontier", "--alpha", "1.0", "--beta", "0.7", "--spectrum", "surrogate", "--d-min", "40",
                    "--d-max", "640", "--n-d", "7", "--f-min", "3e4", "--f-max", "3e6", "--n-f", "12",
                    "--json", "--out", str(fig)])
    assert rc == 0 and fig.stat().st_size > 0
    out = json.loads(capsys.readouterr().out)
    for key in ("flops", "p_star", "d_star", "eta_local", "xi_local", "eta_theory", "xi_theory", "phase"):
        assert key in out
    assert out["phase"] == "II" and out["eta_theory"] == pytest.approx(12 / 17)
    assert len(out["flops"]) == len(out["p_star"])


def test_frontier_bad_input(capsys):
    assert _cli.main(["frontier", "--alpha", "1.0", "--beta", "0.7", "--n-d", "2"]) == 2
