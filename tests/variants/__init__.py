"""Buggy and correct versions of every exercise, which the checks must reject / accept.

Each exercise has one module here, ``<notebook>/<exercise>.py`` beside its check
``grader/checks/<notebook>/<exercise>.py`` (e.g. ``sgd/minibatch_indices.py`` for
``01-sgd/minibatch_indices``), which defines functions and decorates them::

    @buggy("01-sgd/minibatch_indices", "drops the last partial batch", demo=True)
    def minibatch_indices(n, batch_size, *, rng):
        ...

    @correct("01-sgd/minibatch_indices", "argsort of uniform noise instead of permutation")
    def minibatch_indices(n, batch_size, *, rng):
        ...

Name each function as the notebook names the exercise, and make it self-contained (imports inside
the body, or ``np``, ``torch``, ``math``, ``random`` from the top of its module), so that its source
can stand in a student's solution cell. The variant marked ``demo=True`` is the typical mistake of the
"demo-mistakes" submission: ``python -m tests.variants`` copies those into
``grader/demo_mistakes.json``, where ``python -m grader demo`` reads them (the product never
imports this test tree), and tests/test_checks.py fails when the copy is stale.
"""

from __future__ import annotations

import ast
import importlib
import json
import pkgutil
import re
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

__all__ = ["Variant", "VARIANTS", "buggy", "correct", "load_all", "demo_mistakes", "DEMO_MISTAKES",
           "write_demo_mistakes"]


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
    #: the classes of hole of issue 12 (1-10) that this wrong answer exercises, 0 for an ordinary
    #: mistake in the formula or algorithm; see :attr:`hole_classes` and tests/variants/classes.py
    classes: tuple[int, ...] = ()

    def __str__(self) -> str:  # shown as the pytest parameter id
        return f"{self.kind}: {self.description}"

    @property
    def hole_classes(self) -> tuple[int, ...]:
        """The explicit ``classes``, else those of a leading "[n]" / "[n,m]" of the description ("[other]"
        is 0, an ordinary mistake), else ()."""
        if self.classes:
            return tuple(self.classes)
        if self.description.startswith("[other]"):
            return (0,)
        m = _CLASSES_PREFIX.match(self.description)
        return tuple(int(n) for n in m.group(1).split(",")) if m else ()

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


_CLASSES_PREFIX = re.compile(r"\s*\[\s*(\d+(?:\s*,\s*\d+)*)\s*\]")


@cache
def _parse(filename: str) -> ast.Module:
    return ast.parse(Path(filename).read_text(encoding="utf-8"))


VARIANTS: dict[str, list[Variant]] = {}


def _add(exercise_id: str, kind: Literal["buggy", "correct"], description: str, demo: bool,
         classes: tuple[int, ...] = ()) -> Callable[[Any], Any]:
    def deco(obj: Any) -> Any:
        caller = sys._getframe(1)  # the module body, at the decorator's first line
        VARIANTS.setdefault(exercise_id, []).append(
            Variant(exercise_id, kind, description, obj, demo, caller.f_code.co_filename, caller.f_lineno,
                    tuple(classes)))
        return obj

    return deco


def buggy(exercise_id: str, description: str, *, demo: bool = False,
          classes: tuple[int, ...] = ()) -> Callable[[Any], Any]:
    """Register a realistic wrong answer that the check of ``exercise_id`` must reject.

    ``classes`` names the classes of hole (issue 12, 1-10; 0 for an ordinary mistake in the formula)
    that it exercises, when its description does not start with them ("[7] ...").
    """
    return _add(exercise_id, "buggy", description, demo, classes)


def correct(exercise_id: str, description: str) -> Callable[[Any], Any]:
    """Register a right answer, written differently from the solution, that must pass."""
    return _add(exercise_id, "correct", description, False)


def load_all() -> dict[str, list[Variant]]:
    """Import every variant module and return the registry."""
    for mod in pkgutil.walk_packages(__path__, prefix=f"{__name__}."):
        if mod.name != f"{__name__}.__main__":
            importlib.import_module(mod.name)
    return VARIANTS


#: Where the demo builder (grader.demo.mistake_source) reads the typical mistakes.
DEMO_MISTAKES = Path(__file__).resolve().parents[2] / "grader" / "demo_mistakes.json"


def demo_mistakes() -> dict[str, dict[str, str]]:
    """exercise id -> {"description", "source"} of its buggy variant marked ``demo=True``."""
    return {ex_id: {"description": v.description, "source": v.source}
            for ex_id, vs in sorted(load_all().items()) for v in vs if v.kind == "buggy" and v.demo}


def write_demo_mistakes(path: Path = DEMO_MISTAKES) -> Path:
    """Write :func:`demo_mistakes` where the demo builder reads them; returns the path."""
    path.write_text(json.dumps(demo_mistakes(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
