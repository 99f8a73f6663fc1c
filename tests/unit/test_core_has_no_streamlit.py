"""`core` must stay usable without Streamlit (scripts, benchmarks, CLI)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

CORE = Path(__file__).resolve().parents[2] / "core"


def test_no_core_module_imports_streamlit():
    offenders = []
    for path in sorted(CORE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.relative_to(CORE)}: {n}" for n in names
                          if n.split(".")[0] == "streamlit"]
    assert offenders == []


def test_importing_all_of_core_loads_no_streamlit():
    modules = ", ".join(".".join(p.relative_to(CORE.parent).with_suffix("").parts)
                        for p in CORE.rglob("*.py") if p.stem not in ("__main__", "__init__"))
    code = f"import sys, {modules}; print('streamlit' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=CORE.parent, check=True)
    assert done.stdout.strip() == "False"
