"""The labelled store of a sweep: one zarr group written through xarray's conventions.

Layout (``xarray.open_zarr`` reads it as a Dataset):

* the grid's axes as coordinates (a product grid: one dimension per axis; a list of points: one
  dimension ``point`` with each key a coordinate along it);
* ``sweep_status`` (``"pending"``, ``"ok"`` or ``"failed"``), ``sweep_error`` (the exception of a
  failed point, one line), ``sweep_seconds`` (wall time of the call on its worker),
  ``sweep_finished`` (POSIX time the result reached the store) and ``sweep_run`` (which invocation of
  the sweep computed it, 1, 2, ...; 0 = not yet);
* one variable per output of the point function, created when the first point succeeds (its
  *schema*: dims, shape and dtype, recorded in the attribute ``sweep_schema``); scalars have the
  grid's dimensions, arrays add their own (``name_dim0`` ... unless the point function names them
  by returning ``(dims, array)``). Values at points that are not ``ok`` are fill values (NaN for
  floats, 0 / False / "" otherwise): read them through ``sweep_status``;
* attributes: ``sweep`` (JSON of the grid spec, the point function and the caller's attributes:
  the identity a resumed run must match), ``sltk_version``, ``sweep_runs`` (one record per
  invocation) and the caller's attributes themselves.

Only the process that runs :func:`numerics.sweeps.run_sweep` writes, one batch of finished points at
a time, results first and statuses last, each chunk by an atomic file replace (zarr's local store), so
a killed run leaves every stored point whole.
"""

from __future__ import annotations

import json
import shutil
import time
from importlib import metadata
from pathlib import Path

import numpy as np

from theory import ParameterError

from ._grid import RESERVED_PREFIX, Grid, _check_name

__all__ = ["SweepStore", "STATUSES", "package_version"]

#: The values of ``sweep_status``.
STATUSES = ("pending", "ok", "failed")
_DTYPES = {"float64": np.nan, "complex128": complex(np.nan, np.nan), "int64": 0, "bool": False, "str": ""}


def package_version() -> str:
    """The installed sltk distribution's version (``"unknown"`` when it is not installed)."""
    try:
        return metadata.version("sltk")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "unknown"


def _chunks(shape: tuple) -> tuple:
    """One chunk per row of the grid: 1 along every grid dim but the last, up to 256 along it."""
    return tuple(1 for _ in shape[:-1]) + (min(shape[-1], 256),)


def _normalise(name: str, value) -> tuple[tuple | None, np.ndarray]:
    """``(dims or None, array)`` of one output value; raises ``ValueError`` for what a store cannot hold."""
    dims = None
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], (tuple, list)):
        dims, value = tuple(value[0]), value[1]
    if value is None:
        raise ValueError(f"output {name!r} is None (return NaN with a status output instead)")
    arr = np.asarray(value)
    if arr.dtype.kind in "OUT":
        if not all(isinstance(x, str) for x in arr.reshape(-1).tolist()):
            raise ValueError(f"output {name!r} has values that are neither numbers nor strings")
    elif arr.dtype.kind not in "biufc":
        raise ValueError(f"output {name!r} has dtype {arr.dtype}, not a number, bool or string")
    if dims is not None and len(dims) != arr.ndim:
        raise ValueError(f"output {name!r}: {len(dims)} dims named for an array of {arr.ndim}")
    return dims, arr


def _dtype_name(arr: np.ndarray) -> str:
    return {"b": "bool", "i": "int64", "u": "int64", "f": "float64", "c": "complex128"}.get(arr.dtype.kind, "str")


def schema_of(result, grid_dims: tuple) -> dict:
    """The schema ``{name: {"dims", "shape", "dtype"}}`` of one point's result dict."""
    if not isinstance(result, dict) or not result:
        raise ValueError(f"the point function returned {type(result).__name__}, not a non-empty dict")
    out = {}
    for name, value in result.items():
        try:
            _check_name("output", name)
        except ParameterError as exc:
            raise ValueError(str(exc)) from None
        if name in grid_dims:
            raise ValueError(f"output {name!r} has the name of a grid dimension")
        dims, arr = _normalise(name, value)
        dims = dims or tuple(f"{name}_dim{k}" for k in range(arr.ndim))
        if set(dims) & set(grid_dims):
            raise ValueError(f"output {name!r} uses a grid dimension name among {dims}")
        out[name] = {"dims": list(dims), "shape": list(arr.shape), "dtype": _dtype_name(arr)}
    return out


def _conform(name: str, value, entry: dict) -> np.ndarray:
    """One output value cast to its schema entry; ``ValueError`` if it does not fit."""
    dims, arr = _normalise(name, value)
    if dims is not None and list(dims) != entry["dims"]:
        raise ValueError(f"output {name!r} has dims {list(dims)}, the store has {entry['dims']}")
    if list(arr.shape) != entry["shape"]:
        raise ValueError(f"output {name!r} has shape {arr.shape}, the store has {tuple(entry['shape'])}")
    want, got = entry["dtype"], _dtype_name(arr)
    allowed = {"float64": ("float64", "int64", "bool"), "complex128": ("complex128", "float64", "int64"),
               "int64": ("int64", "bool"), "bool": ("bool",), "str": ("str",)}[want]
    if got not in allowed:
        raise ValueError(f"output {name!r} is {got}, the store holds {want}")
    return arr.astype(object if want == "str" else want)


class SweepStore:
    """Open (resume) or create the store of one sweep; the writer used by the runner.

    Parameters
    ----------
    path : str or Path
        A ``.zarr`` folder.
    grid : Grid
    identity : dict
        JSON-able description of the sweep (grid spec, point function, attributes); a store at
        ``path`` is resumed only when its identity is the same.
    attrs : dict
        Attributes written on creation (the caller's spec, flattened into the Dataset's attrs).
    resume : bool
        False: an existing store at ``path`` is deleted and the sweep starts afresh.
    """

    def __init__(self, path, grid: Grid, identity: dict, attrs: dict, *, resume: bool = True):
        import zarr

        self.path = Path(path)
        self.grid = grid
        self.identity = json.dumps(identity, sort_keys=True, allow_nan=False)
        self.version = package_version()
        if self.path.exists() and not resume:
            if not (self.path / "zarr.json").is_file() and not (self.path / ".zgroup").is_file():
                raise ParameterError("store", "a zarr store or a new path (refusing to delete another folder)",
                                     str(self.path))
            shutil.rmtree(self.path)
        if self.path.exists():
            self._open_existing()
        else:
            self._create(attrs)
        self._group = zarr.open_group(str(self.path), mode="r+")
        self._mem: dict = {}
        self.status = np.asarray(self._group["sweep_status"][...]).astype(object)

    # -- creation and opening ------------------------------------------------------------------
    def _create(self, attrs: dict) -> None:
        import xarray as xr

        g = self.grid
        data = {"sweep_status": (g.dims, np.full(g.shape, "pending", dtype=object)),
                "sweep_error": (g.dims, np.full(g.shape, "", dtype=object)),
                "sweep_seconds": (g.dims, np.full(g.shape, np.nan)),
                "sweep_finished": (g.dims, np.full(g.shape, np.nan)),
                "sweep_run": (g.dims, np.zeros(g.shape, dtype=np.int64))}
        ds = xr.Dataset(data, coords=g.coords())
        ds["sweep_seconds"].attrs["units"] = "s"
        ds["sweep_finished"].attrs["long_name"] = "when the result was stored (POSIX time, s)"
        ds["sweep_status"].attrs["values"] = list(STATUSES)
        ds.attrs.update({k: v for k, v in attrs.items() if not k.startswith(RESERVED_PREFIX)})
        ds.attrs.update({"sweep": self.identity, "sltk_version": self.version, "sweep_runs": [],
                         "sweep_schema": {}, "sweep_created": time.strftime("%Y-%m-%dT%H:%M:%S%z")})
        enc = {v: {"chunks": _chunks(g.shape)} for v in data}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        ds.to_zarr(str(self.path), mode="w-", encoding=enc, consolidated=False)
        self.schema = None

    def _open_existing(self) -> None:
        import zarr

        try:
            grp = zarr.open_group(str(self.path), mode="r")
            attrs = dict(grp.attrs)
            stored = attrs["sweep"]
        except Exception:
            raise ParameterError("store", "a sweep store written by numerics.sweeps, or a new path",
                                 str(self.path)) from None
        if stored != self.identity:
            raise ParameterError("store", "the store of this same sweep (grid, point function and attributes) "
                                 "to resume, or a new path", str(self.path),
                                 hint=_difference(json.loads(stored), json.loads(self.identity)))
        if attrs.get("sltk_version") != self.version:
            raise ParameterError("store", f"a store written by sltk {self.version} (this one was written by "
                                 f"{attrs.get('sltk_version')}; results of two versions are not mixed)", str(self.path))
        self.schema = attrs.get("sweep_schema") or None

    # -- bookkeeping ---------------------------------------------------------------------------
    def todo(self, retry_failed: bool = False) -> list[int]:
        """Flat indices of the points still to compute."""
        flat = self.status.reshape(-1)
        want = ("pending", "failed") if retry_failed else ("pending",)
        return [int(i) for i in np.flatnonzero(np.isin(flat, want))]

    def start_run(self, info: dict) -> int:
        """Record one invocation; returns its number (1, 2, ...)."""
        runs = list(self._group.attrs.get("sweep_runs", []))
        run = len(runs) + 1
        runs.append({"run": run, "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "sltk_version": self.version,
                     **info})
        self._group.attrs["sweep_runs"] = runs
        return run

    def finish_run(self, run: int, info: dict) -> None:
        runs = list(self._group.attrs.get("sweep_runs", []))
        runs[run - 1] = {**runs[run - 1], **info}
        self._group.attrs["sweep_runs"] = runs

    # -- writing -------------------------------------------------------------------------------
    def _ensure_schema(self, result) -> None:
        import xarray as xr

        schema = schema_of(result, self.grid.dims)
        g = self.grid
        data, enc = {}, {}
        for name, e in schema.items():
            shape = tuple(g.shape) + tuple(e["shape"])
            fill = _DTYPES[e["dtype"]]
            dtype = object if e["dtype"] == "str" else e["dtype"]
            data[name] = (g.dims + tuple(e["dims"]), np.full(shape, fill, dtype=dtype))
            enc[name] = {"chunks": _chunks(g.shape) + tuple(e["shape"])}
        try:
            xr.Dataset(data).to_zarr(str(self.path), mode="a", encoding=enc, consolidated=False)
        except ValueError as exc:  # e.g. an output dim whose length clashes with another's
            raise ValueError(f"outputs cannot be stored together: {exc}") from None
        self._group.attrs["sweep_schema"] = schema
        self.schema = schema

    def write(self, records: list[dict], run: int) -> list[dict]:
        """Store one batch of finished points.

        Each record has ``flat``, ``result`` (a dict, or None for a failure), ``error`` (str),
        ``seconds``. A result that does not fit the schema is stored as a failure. Values are put
        into an in-memory copy of the store and each touched chunk (a row of the grid) is written
        once per batch, results first and ``sweep_status`` last. Returns the records as stored
        (``status`` added).
        """
        now = time.time()
        done, rows = [], set()
        for rec in records:
            rec = dict(rec)
            idx = self.grid.index(rec["flat"])
            if rec.get("result") is not None:
                try:
                    if self.schema is None:
                        self._ensure_schema(rec["result"])
                    res = rec["result"]
                    missing = sorted(set(self.schema) - set(res))
                    extra = sorted(set(res) - set(self.schema))
                    if missing or extra:
                        raise ValueError(f"outputs differ from the store's: missing {missing}, extra {extra}")
                    vals = {k: _conform(k, res[k], e) for k, e in self.schema.items()}
                    for k, v in vals.items():
                        self._mirror(k)[idx] = v
                    rec["status"] = "ok"
                except ValueError as exc:
                    rec.update(status="failed", error=f"bad output: {exc}")
            else:
                rec["status"] = "failed"
            m = self._mirror
            m("sweep_error")[idx] = str(rec.get("error", ""))[:2000]
            m("sweep_seconds")[idx] = float(rec.get("seconds", np.nan))
            m("sweep_finished")[idx] = now
            m("sweep_run")[idx] = run
            m("sweep_status")[idx] = rec["status"]
            self.status[idx] = rec["status"]
            rows.add(self._row(idx))
            done.append(rec)
        names = [k for k in self._mem if k != "sweep_status"] + ["sweep_status"]
        for name in names:
            arr, mem = self._group[name], self._mem[name]
            for key in sorted(rows):
                region = self._region(key)
                arr[region] = mem[region]
        return done

    def _mirror(self, name: str) -> np.ndarray:
        """The in-memory copy of a variable (read from the store on first use)."""
        if name not in self._mem:
            a = np.asarray(self._group[name][...])
            self._mem[name] = a.astype(object) if a.dtype.kind in "OUT" or "String" in str(a.dtype) else a.copy()
        return self._mem[name]

    def _row(self, idx: tuple) -> tuple:
        """The key of the chunk holding grid index ``idx``: the row and the chunk along it."""
        return tuple(idx[:-1]) + (idx[-1] // _chunks(self.grid.shape)[-1],)

    def _region(self, key: tuple) -> tuple:
        """The index region of a chunk key (a row of the grid, or a part of it)."""
        c = _chunks(self.grid.shape)[-1]
        return tuple(key[:-1]) + (slice(key[-1] * c, min((key[-1] + 1) * c, self.grid.shape[-1])),)


def _difference(old: dict, new: dict) -> str:
    """A short account of how two identities differ (for the error message)."""
    parts = []
    for key in ("function", "grid", "attrs"):
        if old.get(key) != new.get(key):
            if key == "grid":
                og, ng = old["grid"], new["grid"]
                for sub in ("kind", "axes", "fixed"):
                    if og.get(sub) != ng.get(sub):
                        if isinstance(og.get(sub), dict) and isinstance(ng.get(sub), dict):
                            keys = sorted(k for k in set(og[sub]) | set(ng[sub]) if og[sub].get(k) != ng[sub].get(k))
                            parts.append(f"grid {sub} differ in {keys}")
                        else:
                            parts.append(f"grid {sub} differ")
            else:
                parts.append(f"{key} differs")
    return "; ".join(parts) or "identity differs"


def open_sweep(store) -> "xarray.Dataset":  # noqa: F821 - xarray is an optional dependency
    """Read a sweep store back as an ``xarray.Dataset`` (loaded into memory; nothing is recomputed).

    The coordinates are the grid's axes; ``sweep_status`` says which points hold results. The
    attributes carry the sweep's spec (``sweep``, JSON), the package version and every run.

    Examples
    --------
    >>> import tempfile, os
    >>> from numerics.sweeps import Grid, run_sweep
    >>> path = os.path.join(tempfile.mkdtemp(), "demo.zarr")
    >>> _ = run_sweep(_demo_square, Grid({"x": [1.0, 2.0, 3.0]}), store=path, scheduler="serial", progress=False)
    >>> ds = open_sweep(path)
    >>> ds["y"].values.tolist(), ds["sweep_status"].values.tolist()
    ([1.0, 4.0, 9.0], ['ok', 'ok', 'ok'])
    """
    import xarray as xr

    path = Path(store)
    if not path.exists():
        raise ParameterError("store", "an existing sweep store", str(path))
    try:
        ds = xr.open_zarr(str(path), consolidated=False).load()
    except Exception as exc:
        raise ParameterError("store", "a sweep store written by numerics.sweeps", str(path), hint=str(exc)) from None
    if "sweep_status" not in ds or "sweep" not in ds.attrs:
        raise ParameterError("store", "a sweep store written by numerics.sweeps", str(path))
    for name in ds.variables:  # fixed-width/StringDType strings -> plain Python str objects
        if ds[name].dtype.kind in "OUT" or str(ds[name].dtype).startswith("StringDType"):
            ds[name] = ds[name].astype(object)
    return ds


def _demo_square(point: dict) -> dict:
    """Point function of the doctest above (module level, so it can be pickled by reference)."""
    return {"y": point["x"] ** 2}
