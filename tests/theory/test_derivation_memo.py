"""The on-disk table of symbolic derivations (theory._derivation_cache.DerivationMemo)."""

from __future__ import annotations

import sympy as sp

from theory._derivation_cache import DerivationMemo


def test_memo_round_trip(tmp_path, monkeypatch):
    monkeypatch.setenv("SLTK_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("SLTK_NO_DERIVATION_CACHE", raising=False)
    src = tmp_path / "src.py"
    src.write_text("a = 1\n")
    x = sp.Symbol("x")
    calls = []

    def derive():
        calls.append(1)
        return sp.factor(x**2 - 1)

    m = DerivationMemo("t", [src])
    assert m.get("k", derive) == (x - 1) * (x + 1)
    assert m.get("k", derive) == (x - 1) * (x + 1) and len(calls) == 1
    # a new process (a new object) reads the stored value
    assert DerivationMemo("t", [src]).get("k", derive) == (x - 1) * (x + 1) and len(calls) == 1
    # a changed source is a different table: derived again
    src.write_text("a = 2\n")
    assert DerivationMemo("t", [src]).get("k", derive) == (x - 1) * (x + 1) and len(calls) == 2


def test_memo_off(tmp_path, monkeypatch):
    monkeypatch.setenv("SLTK_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("SLTK_NO_DERIVATION_CACHE", "1")
    src = tmp_path / "src.py"
    src.write_text("a = 1\n")
    calls = []
    assert DerivationMemo("t", [src]).get("k", lambda: calls.append(1) or 3) == 3
    assert DerivationMemo("t", [src]).get("k", lambda: calls.append(1) or 3) == 3
    assert len(calls) == 2 and not list(tmp_path.rglob("*.pickle"))
