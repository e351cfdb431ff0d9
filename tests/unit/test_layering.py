"""domain imports only the standard library; application only that and domain.
(import-linter checks the direction between layers; this checks the allow-list.)"""

import ast
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
ALLOWED = {"domain": {"domain"}, "application": {"domain", "application"}}


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_layer_imports_only_the_standard_library_and_inner_layers(layer):
    offenders = {
        f"{path.relative_to(SRC)}: {root}"
        for path in (SRC / layer).rglob("*.py")
        for root in imported_roots(path)
        if root not in sys.stdlib_module_names and root not in ALLOWED[layer]
    }
    assert not offenders
