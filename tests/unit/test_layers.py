"""`core`'s layout stays true: every import points down the layers that core/__init__.py
names, no module reaches a private name of another, and no module outgrows a sitting."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "core"
GROUND = {"settings", "file_lock", "device", "store", "model_quality", "classroom", "trash"}
# What each layer may import; the shared ground is the top-level modules but __main__.
ALLOWED = {
    "scratch": {"scratch"},
    "ground": {"ground"},
    "data": {"ground", "data"},
    "models": {"ground", "data", "models"},
    "inference": {"ground", "scratch", "data", "models", "inference"},
    "training": {"ground", "scratch", "data", "models", "inference", "training"},
    "figures": {"scratch", "figures"},
    "cli": {"ground", "scratch", "data", "models", "inference", "training", "figures", "cli"},
}
MAX_LINES = 400


def layer_of(path: Path) -> str:
    """The layer a module of core belongs to: its package, or the ground (`__main__` runs
    the command line)."""
    parts = path.relative_to(CORE).parts
    if len(parts) > 1:
        return parts[0]
    return "cli" if path.stem == "__main__" else "ground"


def imported_layers(node: ast.AST) -> list[tuple[str, str]]:
    """(layer, what was written) of each part of core an import statement names."""
    if isinstance(node, ast.Import):
        modules = [alias.name for alias in node.names]
    elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        modules = ([f"core.{alias.name}" for alias in node.names] if node.module == "core"
                   else [node.module])
    else:
        return []
    found = []
    for module in modules:
        parts = module.split(".")
        if parts[0] == "core" and len(parts) > 1:
            found.append(("ground" if parts[1] in GROUND else parts[1], module))
    return found


def core_modules() -> list[Path]:
    return sorted(CORE.rglob("*.py"))


def test_every_import_points_down_the_layers():
    upward = []
    for path in core_modules():
        layer = layer_of(path)
        for node in ast.walk(ast.parse(path.read_text())):
            for target, module in imported_layers(node):
                if target not in ALLOWED[layer]:
                    upward.append(f"{path.relative_to(ROOT)} ({layer}) imports {module}")
    assert upward == []


def test_the_layer_rule_catches_an_upward_import():
    node = ast.parse("from core.training import fit").body[0]
    assert imported_layers(node) == [("training", "core.training")]
    assert "training" not in ALLOWED["models"]
    assert imported_layers(ast.parse("from core import store").body[0]) == [("ground",
                                                                           "core.store")]


def test_the_top_level_holds_only_the_shared_ground():
    """Old module paths do not linger as shims beside the packages."""
    top = {path.stem for path in CORE.glob("*.py")} - {"__init__", "__main__"}
    assert top == GROUND
    packages = {path.name for path in CORE.iterdir() if (path / "__init__.py").exists()}
    assert packages == set(ALLOWED) - {"ground"}
    for package in packages:
        assert ast.get_docstring(ast.parse((CORE / package / "__init__.py").read_text()))


def test_no_module_imports_a_private_name_of_another():
    sources = [*core_modules(), *ROOT.glob("ui/*.py"), *ROOT.glob("views/*.py"),
               *ROOT.glob("bench/*.py"), ROOT / "app.py"]
    private = []
    for path in sources:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("core"):
                private += [f"{path.relative_to(ROOT)}: {node.module}.{alias.name}"
                            for alias in node.names if alias.name.startswith("_")]
    assert private == []


def test_no_module_of_core_outgrows_a_sitting():
    long = {str(path.relative_to(ROOT)): count for path in core_modules()
            if (count := len(path.read_text().splitlines())) > MAX_LINES}
    assert long == {}
