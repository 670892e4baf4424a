"""The main job's time: the first ``sltk report`` (empty cache) and a rebuild with nothing changed.

Runs ``python -m sltk report --out OUT --cache-dir CACHE --quiet`` in a fresh interpreter, twice on
the same fresh cache folder (first build, then rebuild), and once more with ``--no-cache``
(optional), and prints wall-clock and CPU seconds (user + system of the child) for each, with the
per-section seconds of the first build. CPU seconds are the fairer figure on a shared machine: they
do not grow with other jobs' load the way wall-clock time does.

Usage::

    .venv/bin/python benchmarks/bench_report.py            # the full report
    .venv/bin/python benchmarks/bench_report.py --fast     # the CI variant (sltk report --fast)

Prints a table; the numbers go to docs/benchmarks.md with the machine description and its load.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(argv, env) -> tuple[float, float, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode not in (0, 1):
        sys.exit(f"sltk report exited {proc.returncode}:\n{proc.stderr[-2000:]}")
    return wall, cpu, proc.stdout


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--fast", action="store_true", help="time sltk report --fast")
    ap.add_argument("--no-cache-run", action="store_true", help="also time a third build with --no-cache")
    args = ap.parse_args()
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    with tempfile.TemporaryDirectory(prefix="sltk-bench-report-") as tmp:
        cache = Path(tmp) / "cache"
        env["SLTK_CACHE_DIR"] = str(cache)
        base = [sys.executable, "-m", "sltk", "report", "--cache-dir", str(cache), "--quiet"]
        base += ["--fast"] if args.fast else []
        rows = []
        w1, c1, out1 = _run(base + ["--out", str(Path(tmp) / "r1")], env)
        rows.append(("first build (empty cache)", w1, c1))
        w2, c2, out2 = _run(base + ["--out", str(Path(tmp) / "r2")], env)
        rows.append(("rebuild, nothing changed", w2, c2))
        if args.no_cache_run:
            w3, c3, _ = _run(base + ["--out", str(Path(tmp) / "r3"), "--no-cache"], env)
            rows.append(("--no-cache", w3, c3))
    try:
        load = os.getloadavg()
    except OSError:
        load = (float("nan"),) * 3
    print(f"# sltk report{' --fast' if args.fast else ''}: {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} CPUs, Python {platform.python_version()}, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    print("| build | wall s | CPU s (user+sys) |")
    print("|---|---|---|")
    for name, w, c in rows:
        print(f"| {name} | {w:.1f} | {c:.1f} |")
    print()
    print("| section (first build) | s |")
    print("|---|---|")
    for line in out1.splitlines():
        m = re.match(r"(ok  |FAIL) \[\d+/\d+\] (.*) \(([\d.]+) s", line)
        if m:
            print(f"| {m.group(2)}{' (FAILED)' if m.group(1) == 'FAIL' else ''} | {m.group(3)} |")
    hits = sum("from the cache" in line for line in out2.splitlines())
    print(f"\nrebuild: {hits} sections read from the cache")


if __name__ == "__main__":
    main()
