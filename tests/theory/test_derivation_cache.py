"""The disk cache of input-independent SymPy derivations (theory._derivation_cache)."""

import sympy as sp

from theory._derivation_cache import cached_derivation
from theory.plrf._sgd_terms import _derive_plrf_sgd_terms, plrf_sgd_terms


def test_cache_reuses_and_invalidates(tmp_path, monkeypatch):
    monkeypatch.setenv("SLTK_CACHE_DIR", str(tmp_path / "c"))
    monkeypatch.delenv("SLTK_NO_DERIVATION_CACHE", raising=False)
    src = tmp_path / "src.py"
    src.write_text("x = 1\n")
    calls = []

    def compute():
        calls.append(1)
        return (sp.Symbol("alpha") ** 2, len(calls))

    a = cached_derivation("demo", [src], compute)
    b = cached_derivation("demo", [src], compute)
    assert a == b and len(calls) == 1  # the second came from disk
    src.write_text("x = 2\n")  # a changed source is derived afresh
    c = cached_derivation("demo", [src], compute)
    assert len(calls) == 2 and c[1] == 2
    for f in (tmp_path / "c" / "derivations").glob("demo-*.pickle"):
        f.write_bytes(b"not a pickle")  # a corrupt entry is derived afresh, not trusted
    d = cached_derivation("demo", [src], compute)
    assert len(calls) == 3 and d[1] == 3
    monkeypatch.setenv("SLTK_NO_DERIVATION_CACHE", "1")
    cached_derivation("demo", [src], compute)
    assert len(calls) == 4


def test_sgd_terms_from_cache_equal_the_derivation(tmp_path, monkeypatch):
    monkeypatch.setenv("SLTK_CACHE_DIR", str(tmp_path))
    plrf_sgd_terms.cache_clear()
    try:
        first = plrf_sgd_terms()
        plrf_sgd_terms.cache_clear()
        again = plrf_sgd_terms()  # read from disk
        assert list(tmp_path.glob("derivations/plrf_sgd_terms-*.pickle"))
        assert again == first == _derive_plrf_sgd_terms()
    finally:
        plrf_sgd_terms.cache_clear()


def _derive_slowly(args):
    import os
    import time

    from theory._derivation_cache import cached_derivation as cd

    cache, src, log = args
    os.environ["SLTK_CACHE_DIR"] = cache
    os.environ.pop("SLTK_NO_DERIVATION_CACHE", None)

    def compute():
        with open(log, "a") as fh:
            fh.write("derived\n")
        time.sleep(1.0)
        return 42

    return cd("slow", [src], compute)


def test_concurrent_processes_derive_an_entry_once(tmp_path):
    # three processes miss the same entry at once (a fresh machine's parallel report): one derives it,
    # the others wait on its lock and read what it wrote
    import multiprocessing as mp

    src = tmp_path / "src.py"
    src.write_text("y = 1\n")
    log = tmp_path / "log.txt"
    args = (str(tmp_path / "c"), str(src), str(log))
    with mp.get_context("spawn").Pool(3) as pool:
        out = pool.map(_derive_slowly, [args] * 3)
    assert out == [42, 42, 42]
    assert log.read_text().count("derived") == 1
