"""scoring.py is a pure core (DESIGN.md "Where logic lives"): stdlib only, importable without Django."""

import ast
import subprocess
import sys
from pathlib import Path

import okno.priority.scoring as scoring


def test_imports_only_the_standard_library():
    tree = ast.parse(Path(scoring.__file__).read_text())
    modules = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    modules |= {
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    }
    top_level = {name.split(".")[0] for name in modules}
    assert top_level <= set(sys.stdlib_module_names) | {"__future__"}, top_level


def test_importing_it_does_not_load_django():
    code = (
        "import sys, okno.priority.scoring; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'django', 'numpy'}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=30
    )
    assert out.stdout.strip() == "[]"
