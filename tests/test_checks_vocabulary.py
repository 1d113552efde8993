"""The vocabulary checks are written in: small modules split by role, imported by their real names.

``grader/checks/base.py`` (the protocol), ``probing.py`` (the probe side), ``judging.py`` (the judge
side) and ``stats.py`` (the statistics of randomized checks), then one ``shared.py`` per notebook:
every module says what it offers in ``__all__``, every check imports those names as they are, and
no module imports a name another does not offer.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHECKS = ROOT / "grader" / "checks"
MODULES = sorted(p for p in CHECKS.rglob("*.py"))


def _name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _defined(tree: ast.Module) -> set[str]:
    """Public names a module defines at its top level (not those it imports)."""
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                elts = target.elts if isinstance(target, ast.Tuple) else [target]
                names |= {t.id for t in elts if isinstance(t, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return {n for n in names if not n.startswith("_")}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(CHECKS)))
def test_every_module_says_what_it_offers_in_all(path):
    """Does every module of grader/checks/ list in ``__all__`` exactly the public names it defines
    (and nothing it does not have)?"""
    module = importlib.import_module(_name(path))
    if path.name == "__init__.py" and path.parent != CHECKS:
        return  # a notebook's package: only a docstring
    exported = set(getattr(module, "__all__", ()))
    assert exported, f"{_name(path)} has no __all__"
    missing = _defined(ast.parse(path.read_text())) - exported
    assert not missing, f"{_name(path)}: public names missing from __all__: {sorted(missing)}"
    absent = {n for n in exported if not hasattr(module, n)}
    assert not absent, f"{_name(path)}: __all__ names what it does not have: {sorted(absent)}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(CHECKS)))
def test_checks_import_the_vocabulary_by_its_real_names(path):
    """Does every import inside grader/checks/ use a name the module it imports from offers in its
    ``__all__``, under that name (no private aliases such as ``data_array as _answer``)?"""
    tree = ast.parse(path.read_text())
    package = _name(path) if path.name == "__init__.py" else _name(path).rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if not (isinstance(node, ast.ImportFrom) and node.level):
            continue
        base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
        source = importlib.import_module(f"{base}.{node.module}" if node.module else base)
        for alias in node.names:
            assert alias.asname is None, f"{_name(path)}: imports {alias.name} as {alias.asname}; use its real name"
            assert alias.name in getattr(source, "__all__", ()), \
                f"{_name(path)}: imports {alias.name}, which {source.__name__}.__all__ does not offer"
