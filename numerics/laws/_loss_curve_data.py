"""Loss curves on disk: CSV reading with clear errors, and the real LLM runs of Luo et al.

A loss curve is a :class:`LossCurve`: logged ``steps``, observed ``loss`` and the full
learning-rate history of the run (:class:`~numerics.laws._annealing.LRHistory`).

The real data (25M/100M/400M Llama-2-style models, nine schedules each; MIT licence, from
github.com/thu-yao-01-luo/MultiPowerLaw) ships inside the package, in ``numerics/laws/data/``
with its licence and README, so every install loads it by name
(``load_llm_curve(400, "cosine_24000")``); the environment variable ``SLTK_DATA_DIR`` (or the
``data_dir=`` argument, ``--data-dir`` on the command line) points at another copy. Every run warms up linearly from 0 to ``3e-4`` over the first
2160 updates, which are *not* in the files: :func:`llm_run_history` rebuilds the exact
per-update history from the run name (checked against the logged ``lr`` column to 1e-9), and
:func:`read_loss_csv` -- so ``sltk fit``/``sltk predict`` too -- uses it for any file named
after a packaged run whose ``lr`` column matches; other files get an interpolated history.

References
----------
K. Luo et al., "A Multi-Power Law for Loss Curve Prediction Across Learning Rate
Schedules", ICLR 2025 (arXiv:2503.12811), Sec. 4 and App. C (runs and schedules).
"""

from __future__ import annotations

import csv
import os
from importlib import resources
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from theory import ParameterError
from theory.validate import check_choice, check_int

from ._annealing import LRHistory, lr_history_from_table

__all__ = [
    "LossCurve",
    "read_loss_csv",
    "loss_data_dir",
    "llm_run_history",
    "load_llm_curve",
    "LLM_SIZES",
    "LLM_SCHEDULES",
    "LLM_FIT_SPLIT",
    "LLM_PEAK",
    "LLM_WARMUP",
]

LLM_SIZES = ("25", "100", "400")
LLM_SCHEDULES = ("constant_24000", "constant_72000", "cosine_24000", "cosine_72000", "wsd_20000_24000",
                 "wsdld_20000_24000", "wsdcon_3", "wsdcon_9", "wsdcon_18")
LLM_FIT_SPLIT = ("cosine_24000", "constant_24000", "wsdcon_9")
LLM_PEAK = 3e-4
LLM_WARMUP = 2160
_LLM_FLOOR = 3e-5


@dataclass(frozen=True)
class LossCurve:
    """One run: logged steps, observed loss and the learning-rate history.

    ``steps`` are 1-based update counts (the loss after ``steps`` updates), strictly
    increasing, within ``warmup..T`` of ``history``; ``loss > 0``.
    """

    name: str
    steps: np.ndarray
    loss: np.ndarray
    history: LRHistory
    history_source: str = "given"

    def __post_init__(self):
        s = np.asarray(self.steps)
        y = np.asarray(self.loss, dtype=np.float64)
        if s.ndim != 1 or s.size < 2 or s.shape != y.shape:
            raise ParameterError("steps/loss", "1-d arrays of equal length >= 2", (s.shape, y.shape))
        if np.any(np.diff(s) <= 0):
            raise ParameterError("steps", "strictly increasing", f"non-increasing steps in {self.name}")
        if not np.all(np.isfinite(y)) or np.any(y <= 0):
            raise ParameterError("loss", "finite and > 0", f"a non-positive or non-finite loss in {self.name}")
        if not isinstance(self.history, LRHistory):
            raise ParameterError("history", "an LRHistory", type(self.history).__name__)
        if s.min() < self.history.warmup or s.max() > self.history.horizon:
            raise ParameterError("steps", f"warmup = {self.history.warmup} <= step <= T = {self.history.horizon}",
                                 f"[{s.min()}, {s.max()}] in {self.name}")
        object.__setattr__(self, "steps", s.astype(np.int64))
        object.__setattr__(self, "loss", y)

    def subset(self, mask) -> "LossCurve":
        """The same run restricted to some logged points."""
        m = np.asarray(mask)
        return LossCurve(self.name, self.steps[m], self.loss[m], self.history, self.history_source)


def read_loss_csv(path, *, warmup_steps: int | None = None, peak: float | None = None,
                  interpolation: str = "linear", name: str | None = None, history: str = "auto") -> LossCurve:
    """Read a ``step,lr,loss`` CSV (extra columns ignored) into a :class:`LossCurve`.

    The per-update history is, with ``history="auto"`` (default):

    * **exact** for a packaged run of Luo et al. (2025): a file named after one of
      :data:`LLM_SCHEDULES` whose logged ``lr`` column matches :func:`llm_run_history` to
      relative 1e-9 at every logged step gets that exact per-update history, including the
      2160-step linear warmup that the files do not contain (``warmup_steps`` must then be
      ``None`` or 2160);
    * otherwise **interpolated** from the ``lr`` column by
      :func:`~numerics.laws._annealing.lr_history_from_table` (linear warmup over
      ``warmup_steps`` updates prepended, default 0).

    ``history="interpolate"`` forces the second route. The route taken is recorded in
    :attr:`LossCurve.history_source` (``"exact: ..."`` or ``"interpolated: ..."``), and
    ``sltk fit``/``sltk predict`` print it. A missing file or column, or a non-numeric value,
    raises :class:`theory.ParameterError` naming the file and the line.
    """
    p = Path(path)
    if not p.is_file():
        raise ParameterError("curve file", "an existing CSV file", str(p))
    rows = []
    with p.open(newline="") as fh:
        reader = csv.reader(fh)
        try:
            header = [h.strip().lower() for h in next(reader)]
        except StopIteration:
            raise ParameterError("curve file", "a header line with columns step,lr,loss", f"{p}: empty file") from None
        missing = [c for c in ("step", "lr", "loss") if c not in header]
        if missing:
            raise ParameterError("curve file", "columns step, lr, loss in the header (line 1)",
                                 f"{p}: line 1 lacks {', '.join(missing)}")
        cols = [header.index(c) for c in ("step", "lr", "loss")]
        for lineno, row in enumerate(reader, start=2):
            if not row or all(not c.strip() for c in row):
                continue
            vals = []
            for c, cname in zip(cols, ("step", "lr", "loss")):
                cell = row[c].strip() if c < len(row) else ""
                try:
                    x = float(cell)
                except ValueError:
                    raise ParameterError(f"{cname} in {p} line {lineno}", "a number", cell) from None
                if not np.isfinite(x):
                    raise ParameterError(f"{cname} in {p} line {lineno}", "a finite number", cell)
                vals.append(x)
            step, lr, loss = vals
            where = f"{p} line {lineno}"
            if step != round(step) or step < 1:
                raise ParameterError(f"step in {where}", "an integer >= 1", row[cols[0]].strip())
            if rows and step <= rows[-1][0]:
                raise ParameterError(f"step in {where}", f"steps strictly increasing (previous {int(rows[-1][0])})",
                                     row[cols[0]].strip())
            if lr < 0:
                raise ParameterError(f"lr in {where}", "lr >= 0", row[cols[1]].strip())
            if loss <= 0:
                raise ParameterError(f"loss in {where}", "loss > 0", row[cols[2]].strip())
            rows.append(vals)
    if len(rows) < 2:
        raise ParameterError("curve file", "at least two data lines", f"{p}: {len(rows)}")
    a = np.asarray(rows)
    if np.any(a[:, 0] != np.round(a[:, 0])) or np.any(a[:, 0] < 1):
        raise ParameterError(f"step in {p}", "integers >= 1", "a non-integer or non-positive step")
    check_choice("history", history, ("auto", "interpolate"))
    steps = a[:, 0].astype(np.int64)
    if warmup_steps is not None:
        check_int("warmup_steps", warmup_steps, ge=0)
    if history == "auto" and warmup_steps in (None, LLM_WARMUP) and peak in (None, LLM_PEAK):
        exact = _exact_packaged_history(p.stem, steps, a[:, 1])
        if exact is not None:
            src = (f"exact: packaged run schedule {p.stem} (Luo et al. 2025), linear warmup 0 -> {LLM_PEAK:g} "
                   f"over {LLM_WARMUP} updates, matches the logged lr column")
            return LossCurve(name or p.stem, steps, a[:, 2], exact, src)
    w = 0 if warmup_steps is None else warmup_steps
    hist = lr_history_from_table(a[:, 0], a[:, 1], warmup_steps=w, peak=peak, interpolation=interpolation)
    src = (f"interpolated: {interpolation} interpolation of the logged lr column between logged steps, "
           f"linear warmup over {w} updates prepended")
    return LossCurve(name or p.stem, steps, a[:, 2], hist, src)


def _exact_packaged_history(stem: str, steps, lr_logged):
    """The exact history of a packaged run if the file is one (name and lr column agree), else None."""
    if stem not in LLM_SCHEDULES or steps.min() < LLM_WARMUP:
        return None
    hist = llm_run_history(stem)
    if steps.max() > hist.horizon:
        return None
    rel = np.max(np.abs(hist.rate_at(steps) - lr_logged) / np.maximum(np.abs(lr_logged), 1e-300))
    return hist if rel <= 1e-9 else None


def loss_data_dir() -> Path:
    """Folder of the real LLM loss curves: ``$SLTK_DATA_DIR`` if set, else the packaged copy.

    >>> (loss_data_dir() / "csv_400" / "cosine_24000.csv").is_file()
    True
    """
    env = os.environ.get("SLTK_DATA_DIR")
    if env:
        return Path(env)
    return Path(str(resources.files("numerics.laws").joinpath("data")))


def llm_run_history(schedule: str, *, peak: float = LLM_PEAK, warmup: int = LLM_WARMUP,
                    floor: float = _LLM_FLOOR) -> LRHistory:
    """Exact per-update history of a named run of Luo et al. (2025).

    Update ``s <= W`` uses ``peak * s / W``; afterwards ``constant_T``: ``peak``;
    ``cosine_T``: ``floor + (peak - floor)(1 + cos(pi (s - W)/(T - W)))/2``;
    ``wsd_S_T``: peak until ``S``, then ``peak * (floor/peak)^((s - S)/(T - S))``
    (exponential decay); ``wsdld_S_T``: linear from peak to floor over ``S..T``;
    ``wsdcon_x``: peak until 8000, then ``x * 1e-5`` up to ``T = 16000``.

    >>> h = llm_run_history("wsdcon_9")
    >>> h.horizon, h.warmup, float(h.rate_at([8000])[0])
    (16000, 2160, 9e-05)
    """
    m = re.fullmatch(r"(constant|cosine)_(\d+)|(wsd|wsdld)_(\d+)_(\d+)|wsdcon_(\d+)", str(schedule))
    if not m:
        raise ParameterError("schedule", "a run name like " + ", ".join(LLM_SCHEDULES), schedule)
    W = check_int("warmup", warmup, ge=1)
    if m.group(1):
        T, kind = int(m.group(2)), m.group(1)
    elif m.group(3):
        S, T, kind = int(m.group(4)), int(m.group(5)), m.group(3)
    else:
        T, kind, S = 16000, "wsdcon", 8000
    if T <= W:
        raise ParameterError("schedule", f"horizon > warmup = {W}", schedule)
    s = np.arange(1, T + 1, dtype=np.float64)
    eta = np.full(T, float(peak))
    if kind == "cosine":
        eta = floor + 0.5 * (peak - floor) * (1 + np.cos(np.pi * (s - W) / (T - W)))
    elif kind == "wsd":
        eta = np.where(s <= S, peak, peak * (floor / peak) ** ((s - S) / (T - S)))
    elif kind == "wsdld":
        eta = np.where(s <= S, peak, peak - (peak - floor) * (s - S) / (T - S))
    elif kind == "wsdcon":
        eta = np.where(s < S, peak, int(m.group(6)) * 1e-5)
    eta[:W] = peak * s[:W] / W
    return LRHistory(eta, warmup=W, peak=peak)


def load_llm_curve(size, schedule: str, *, data_dir=None, check_lr: bool = True) -> LossCurve:
    """One real run (``size`` in 25/100/400, ``schedule`` a run name) with its exact history.

    Raises :class:`theory.ParameterError` with the path when the data is missing, and when
    the logged ``lr`` column disagrees with the rebuilt history (``check_lr``).
    """
    size = check_choice("size", str(size), LLM_SIZES)
    check_choice("schedule", schedule, LLM_SCHEDULES)
    root = Path(data_dir) if data_dir is not None else loss_data_dir()
    path = root / f"csv_{size}" / f"{schedule}.csv"
    if not path.is_file():
        raise ParameterError("data", f"the file {path} (set SLTK_DATA_DIR to the llm-loss-curves folder)", "missing")
    raw = read_loss_csv(path, name=f"{size}M/{schedule}")
    if raw.history_source.startswith("exact"):
        return raw
    if check_lr:
        raise ParameterError("schedule", f"a history matching the logged lr column of {path}",
                             "the logged lr column differs from the run's schedule")
    src = f"exact: run schedule {schedule} (Luo et al. 2025), NOT checked against the logged lr column"
    return LossCurve(raw.name, raw.steps, raw.loss, llm_run_history(schedule), src)
