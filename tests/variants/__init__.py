"""Buggy and correct versions of every exercise, which the checks must reject / accept.

Each module here (one per assignment, e.g. ``sgd.py`` for 01-sgd) defines functions and
decorates them::

    @buggy("01-sgd/minibatch_indices", "drops the last partial batch", demo=True)
    def minibatch_indices(n, batch_size, *, rng):
        ...

    @correct("01-sgd/minibatch_indices", "argsort of uniform noise instead of permutation")
    def minibatch_indices(n, batch_size, *, rng):
        ...

Name each function as the notebook names the exercise, so that its source can stand in a
student's solution cell: ``python -m grader demo`` builds the "typical mistakes" demo
submission from the variants marked ``demo=True``.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

__all__ = ["Variant", "VARIANTS", "buggy", "correct", "load_all"]


@dataclass(frozen=True)
class Variant:
    exercise_id: str
    kind: Literal["buggy", "correct"]
    description: str
    obj: Any
    demo: bool = False
    #: where the decorator stands: the variant's own source is found from here, because
    #: inspect.getsource finds only the first of several classes with one name
    filename: str = ""
    lineno: int = 0

    def __str__(self) -> str:  # shown as the pytest parameter id
        return f"{self.kind}: {self.description}"

    @property
    def source(self) -> str:
        """The function or class definition, without its decorators, dedented."""
        text = Path(self.filename).read_text(encoding="utf-8")
        for node in ast.walk(_parse(self.filename)):
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and any(
                    d.lineno == self.lineno for d in node.decorator_list):
                lines = text.splitlines()[node.lineno - 1:node.end_lineno]
                return textwrap.dedent("\n".join(lines)) + "\n"
        raise LookupError(f"no definition decorated at {self.filename}:{self.lineno}")


@cache
def _parse(filename: str) -> ast.Module:
    return ast.parse(Path(filename).read_text(encoding="utf-8"))


VARIANTS: dict[str, list[Variant]] = {}


def _add(exercise_id: str, kind: Literal["buggy", "correct"], description: str, demo: bool) -> Callable[[Any], Any]:
    def deco(obj: Any) -> Any:
        caller = sys._getframe(1)  # the module body, at the decorator's first line
        VARIANTS.setdefault(exercise_id, []).append(
            Variant(exercise_id, kind, description, obj, demo, caller.f_code.co_filename, caller.f_lineno))
        return obj

    return deco


def buggy(exercise_id: str, description: str, *, demo: bool = False) -> Callable[[Any], Any]:
    """Register a realistic wrong answer that the check of ``exercise_id`` must reject."""
    return _add(exercise_id, "buggy", description, demo)


def correct(exercise_id: str, description: str) -> Callable[[Any], Any]:
    """Register a right answer, written differently from the solution, that must pass."""
    return _add(exercise_id, "correct", description, False)


def load_all() -> dict[str, list[Variant]]:
    """Import every variant module and return the registry."""
    for mod in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{mod.name}")
    return VARIANTS
