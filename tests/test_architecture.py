"""The architecture rules of DEVELOPERS.md and docs/architecture.md, checked on the source (ast).

* Layers: ``theory <- numerics <- verification <- sltk``; nothing imports upward.
* No import cycle between modules.
* No module imports a private module (a path component starting with ``_``) of another layer.
* Generic code never branches on an optimizer: outside the files named after an optimizer
  (``_sgd.py``, ``_signsgd_terms.py``, ``40_signsgd.py``, ...) and the optimizer definitions, no code
  compares with an optimizer's name or class, tests an instance against one, keys a dispatch dict by
  one, or registers rules for one.
* No public name of theory, numerics or verification (or their sub-packages) starts with
  ``signsgd_`` or ``sgd_``.
"""

from __future__ import annotations

import ast
import importlib
import pathlib
import pkgutil

import pytest

import theory

ROOT = pathlib.Path(__file__).resolve().parents[1]
LAYERS = ("theory", "numerics", "verification", "sltk")
ORDER = {name: k for k, name in enumerate(LAYERS)}
#: modules that define the optimizers themselves (and the dispatch that resolves names)
OPTIMIZER_DEFINITIONS = {"theory._optimizers", "theory._dispatch"}


def _modules():
    out = {}
    for layer in LAYERS:
        for path in sorted((ROOT / layer).rglob("*.py")):
            rel = path.relative_to(ROOT).with_suffix("")
            parts = list(rel.parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join(parts)] = path
    return out


MODULES = _modules()


def _resolve(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    pkg = module.split(".") if MODULES[module].name == "__init__.py" else module.split(".")[:-1]
    base = pkg[: len(pkg) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(module: str):
    """``(target module, lineno)`` of every import in ``module`` (``from x import y`` counts ``x.y``
    when that is a module)."""
    tree = ast.parse(MODULES[module].read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                yield a.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, node)
            yield target, node.lineno
            for a in node.names:
                if f"{target}.{a.name}" in MODULES:
                    yield f"{target}.{a.name}", node.lineno


def _layer(name: str) -> str | None:
    top = name.split(".")[0]
    return top if top in ORDER else None


def test_layers_import_only_downward():
    bad = []
    for mod in MODULES:
        for target, line in _imports(mod):
            lt = _layer(target)
            if lt is not None and ORDER[lt] > ORDER[_layer(mod)]:
                bad.append(f"{mod}:{line} imports {target}")
    assert not bad, "upward imports:\n" + "\n".join(bad)


def test_no_private_module_of_another_layer():
    bad = []
    for mod in MODULES:
        for target, line in _imports(mod):
            lt = _layer(target)
            if lt is None or lt == _layer(mod):
                continue
            if any(p.startswith("_") for p in target.split(".")[1:]):
                bad.append(f"{mod}:{line} imports {target}")
    assert not bad, "imports of another layer's private modules:\n" + "\n".join(bad)


def test_no_import_cycle():
    """Module-level imports between sltk's modules form a DAG (a package imports its children in
    ``__init__``, which is not a cycle with a child importing a sibling)."""
    graph = {}
    for mod in MODULES:
        tree = ast.parse(MODULES[mod].read_text())
        deps = set()
        for node in tree.body:  # module level only: function-local imports cannot cycle at import time
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                         else [_resolve(mod, node)] + [f"{_resolve(mod, node)}.{a.name}" for a in node.names])
                deps.update(n for n in names if n in MODULES and n != mod)
        graph[mod] = {d for d in deps if not (mod.startswith(d + ".") and MODULES[d].name == "__init__.py")}
    state, stack, cycles = {}, [], []

    def visit(m):
        state[m] = 1
        stack.append(m)
        for d in graph[m]:
            if state.get(d) == 1:
                cycles.append(stack[stack.index(d):] + [d])
            elif d not in state:
                visit(d)
        stack.pop()
        state[m] = 2

    for m in graph:
        if m not in state:
            visit(m)
    # a package __init__ re-exporting its children is fine; a child importing its package is not a cycle
    real = [c for c in cycles if not any(MODULES[x].name == "__init__.py" for x in c)]
    assert not real, "import cycles:\n" + "\n".join(" -> ".join(c) for c in real)


def _optimizer_names():
    return {cls.__name__: cls.name for cls in theory.OPTIMIZERS.values()}


def _owned_by(path: pathlib.Path, optimizer_name: str) -> bool:
    """A file is an optimizer's own when its name contains the optimizer's name as a word."""
    stem = path.stem.lstrip("_").lower()
    words = stem.replace("-", "_").split("_")
    return optimizer_name in words or stem.startswith(optimizer_name + "_") or stem.endswith("_" + optimizer_name)


def _names_optimizer(node, classes, names):
    """The optimizer a node refers to (by class name or name string), or None."""
    if isinstance(node, ast.Name) and node.id in classes:
        return classes[node.id]
    if isinstance(node, ast.Attribute) and node.attr in classes:
        return classes[node.attr]
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in names:
        return node.value
    return None


def _violations(mod: str) -> list:
    """Branches on an optimizer: comparisons (``==``, ``in``, ``is``) with an optimizer's name or
    class, ``isinstance``/``issubclass`` with an optimizer class, dict literals keyed by one (a
    dispatch table), and registrations (``.register(SGD, ...)``) -- outside the optimizer's files.
    Using an optimizer (``SGD(lr=0.1)``, ``optimizer="sgd"`` as an argument) is not a branch."""
    path = MODULES[mod]
    classes = _optimizer_names()
    names = set(classes.values())
    tree = ast.parse(path.read_text())
    out = []
    for node in ast.walk(tree):
        hits = []
        if isinstance(node, ast.Compare):
            hits = [_names_optimizer(sub, classes, names) for c in [node.left, *node.comparators] for sub in ast.walk(c)]
        elif isinstance(node, ast.Call):
            fn = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if fn in ("isinstance", "issubclass") and len(node.args) == 2:
                hits = [_names_optimizer(sub, classes, names) for sub in ast.walk(node.args[1])]
            elif fn == "register" and node.args:
                hits = [_names_optimizer(node.args[0], classes, names)]
        elif isinstance(node, ast.Dict):
            hits = [_names_optimizer(k, classes, names) for k in node.keys if k is not None]
        for hit in {h for h in hits if h is not None}:
            if not _owned_by(path, hit):
                out.append(f"{mod}:{node.lineno} branches on optimizer {hit!r}")
    return out


def test_no_branch_on_an_optimizer_outside_its_files():
    bad = []
    for mod, path in MODULES.items():
        if mod in OPTIMIZER_DEFINITIONS or path.name == "__init__.py":
            continue
        bad.extend(_violations(mod))
    assert not bad, "generic code that names an optimizer:\n" + "\n".join(bad)


def test_the_checker_catches_a_branch(tmp_path):
    """The rule above can fail: a generic module comparing with an optimizer name is flagged."""
    fake = ROOT / "numerics" / "_zz_fake_generic.py"
    try:
        fake.write_text('def f(opt):\n    return 1 if opt == "signsgd" else 2\n\n\ndef g(o):\n    return isinstance(o, SGD)\n'
                        '\n\nTABLE = {"sgd": 1}\n\n\ndef h():\n    return SGD(lr=0.1)\n')
        MODULES["numerics._zz_fake_generic"] = fake
        found = sorted(_violations("numerics._zz_fake_generic"), key=lambda x: int(x.split(":")[1].split()[0]))
        assert len(found) == 3, found  # the comparison, the isinstance, the dispatch dict; not the construction
        assert "'signsgd'" in found[0] and "'sgd'" in found[1] and "'sgd'" in found[2]
    finally:
        MODULES.pop("numerics._zz_fake_generic", None)
        fake.unlink(missing_ok=True)


def _public_packages():
    pkgs = []
    for layer in ("theory", "numerics", "verification"):
        mod = importlib.import_module(layer)
        pkgs.append(mod)
        for info in pkgutil.walk_packages(mod.__path__, layer + "."):
            if info.ispkg and not any(p.startswith("_") for p in info.name.split(".")):
                pkgs.append(importlib.import_module(info.name))
    return pkgs


@pytest.mark.parametrize("pkg", _public_packages(), ids=lambda p: p.__name__)
def test_no_public_name_prefixed_by_an_optimizer(pkg):
    bad = [n for n in dir(pkg) if not n.startswith("_") and n.lower().startswith(("signsgd_", "sgd_"))]
    assert not bad, f"{pkg.__name__}: {bad}"


def test_every_subpackage_is_in_the_wheel_by_discovery():
    """pyproject finds packages automatically: every package folder of a layer has an __init__.py."""
    missing = [str(p.relative_to(ROOT)) for layer in LAYERS for p in (ROOT / layer).rglob("*")
               if p.is_dir() and p.name != "__pycache__" and any(p.glob("*.py")) and not (p / "__init__.py").exists()]
    assert not missing, missing


def test_importing_the_packages_does_not_import_numba():
    # the compiled kernels (numerics._jit, the `fast` extra) live in private _*_jit modules imported only
    # when a compiled path runs: importing the packages must not pay numba's import (~0.3-0.6 s)
    import subprocess
    import sys

    code = ("import sys, theory, numerics, numerics.plrf, numerics.laws, numerics.dmft, verification, sltk; "
            "print('numba' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
