"""The wheel carries every sub-package and the packaged data: installed in a fresh virtual
environment outside the checkout (no folder beside it), it loads the LLM loss curves by name and
builds the report's real-data section."""

from __future__ import annotations

import subprocess
import sys
import venv

import pytest

import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_installs_and_builds_the_real_data_section(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(ROOT)],
                   check=True)
    env_dir = tmp_path / "env"
    venv.create(env_dir, with_pip=True)
    py = env_dir / "bin" / "python"
    whl = next(wheels.glob("sltk-*.whl"))
    subprocess.run([str(py), "-m", "pip", "install", "-q", str(whl)], check=True)
    run = tmp_path / "elsewhere"
    run.mkdir()
    out = subprocess.run([str(py), "-c", "import numerics.laws as l; c = l.load_llm_curve(400, 'cosine_24000'); "
                          "print(c.steps.size, l.loss_data_dir())"], cwd=run, capture_output=True, text=True, check=True)
    n, where = out.stdout.split()
    assert int(n) > 100 and "site-packages" in where
    rep = subprocess.run([str(env_dir / "bin" / "sltk"), "report", "--fast", "--out", "rep", "--only", "50_loss_laws"],
                         cwd=run, capture_output=True, text=True)
    assert rep.returncode == 0, rep.stdout + rep.stderr
    assert "cosine_24000" in (run / "rep" / "index.md").read_text()
