"""The package stays layered and readable (docs/architecture.md).

- The layers contract in pyproject.toml holds (import-linter's ``lint-imports``).
- Only ``nbcli._native`` imports the compiled core.
- No module over ~450 lines and no function over ~80 lines, unless the module
  says why at its top (the check names the exceptions it allows).
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import nbcli

PACKAGE = Path(nbcli.__file__).resolve().parent
CHECKOUT = Path(__file__).resolve().parent.parent
SOURCES = sorted(PACKAGE.rglob("*.py"))
MAX_MODULE_LINES = 450
MAX_FUNCTION_LINES = 80
# functions allowed to be longer, and why
LONG_FUNCTIONS = {
    ("app.py", "render"): "one Typer declaration per option; the body is a single call",
}


def _lint_imports() -> str | None:
    found = Path(sys.executable).parent / "lint-imports"
    return str(found) if found.exists() else shutil.which("lint-imports")


@pytest.mark.skipif(not (CHECKOUT / "pyproject.toml").exists(), reason="needs the source checkout")
def test_layers_contract_holds():
    exe = _lint_imports()
    if exe is None:
        pytest.skip("import-linter is not installed (it comes with the test extra)")
    # no cache: the checkout may be read-only (the wheel tool's chroots mount it so)
    res = subprocess.run([exe, "--no-cache"], cwd=CHECKOUT, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "0 broken" in res.stdout


def _imports(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            names.update(f"{node.module or ''}.{a.name}".lstrip(".") for a in node.names)
            names.add(node.module or "")
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


def test_only_native_imports_the_core():
    importers = [
        p.relative_to(PACKAGE).as_posix()
        for p in SOURCES
        if any(n.split(".")[-1] == "_core" for n in _imports(ast.parse(p.read_text())))
    ]
    assert importers == ["_native.py"]


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_modules_and_functions_stay_short(path: Path):
    text = path.read_text()
    lines = text.count("\n")
    assert lines <= MAX_MODULE_LINES or "long because" in text[:2000], f"{path.name}: {lines} lines"
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno is not None:
            n = node.end_lineno - node.lineno + 1
            if (path.name, node.name) not in LONG_FUNCTIONS:
                assert n <= MAX_FUNCTION_LINES, f"{path.name}: {node.name} has {n} lines"
