"""House rules a newcomer relies on: every module says its job in its first line, IO modules
never import NLP code, pipelines/ only composes, and runtime code does not import dev tooling."""
import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("pipelines", "transforms", "devtools", "schemas")
MODULES = sorted(p for root in PACKAGES for p in (REPO / root).rglob("*.py"))


def imports_of(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(REPO)) for p in MODULES])
def test_every_module_opens_with_a_docstring(path):
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    assert doc and doc.strip().splitlines()[0].strip(), f"{path} has no one-line docstring"


def test_io_never_imports_nlp_and_runtime_never_imports_devtools():
    for path in MODULES:
        rel = path.relative_to(REPO).as_posix()
        deps = imports_of(path)
        if rel.startswith("transforms/io/") or rel.startswith("transforms/core/"):
            assert not any(d.startswith("transforms.nlp") for d in deps), rel
        if rel.startswith(("transforms/", "pipelines/", "schemas/")) and rel != "pipelines/cli.py":
            assert not any(d.startswith("devtools") for d in deps), rel
        if rel.startswith("transforms/") and not rel.startswith("transforms/nlp/training/"):
            assert not any(d.startswith("transforms.nlp.training") for d in deps), rel
        if rel.startswith("transforms/"):
            assert not any(d.startswith("pipelines") for d in deps), rel
