"""The machine-readable catalog of graded exercises (``grader/catalog.toml``)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

__all__ = ["Exercise", "exercises", "for_assignment", "assignments"]

CATALOG_PATH = Path(__file__).with_name("catalog.toml")


@dataclass(frozen=True)
class Exercise:
    """One graded exercise: ``id`` is ``"<assignment>/<grade_id>"``."""

    id: str
    points: float
    title: str

    @property
    def assignment(self) -> str:
        return self.id.split("/", 1)[0]

    @property
    def grade_id(self) -> str:
        return self.id.split("/", 1)[1]


@cache
def exercises() -> tuple[Exercise, ...]:
    """Every exercise in catalog order. Raises ValueError on a malformed entry."""
    raw = tomllib.loads(CATALOG_PATH.read_text(encoding="utf-8"))
    out = []
    seen = set()
    for i, entry in enumerate(raw.get("exercise", [])):
        try:
            ex = Exercise(id=str(entry["id"]), points=float(entry["points"]), title=str(entry["title"]))
        except KeyError as err:
            raise ValueError(f"{CATALOG_PATH}: exercise #{i + 1} lacks the key {err}; "
                             "every entry needs id, points and title") from None
        if ex.id.count("/") != 1 or ex.points <= 0:
            raise ValueError(f"{CATALOG_PATH}: bad entry {ex}: the id must be "
                             "'<assignment>/<grade_id>' and points positive")
        if ex.id in seen:
            raise ValueError(f"{CATALOG_PATH}: the id {ex.id!r} appears twice")
        seen.add(ex.id)
        out.append(ex)
    return tuple(out)


def assignments() -> list[str]:
    """Assignment ids that have exercises, in catalog order."""
    return list(dict.fromkeys(ex.assignment for ex in exercises()))


def for_assignment(assignment: str) -> list[Exercise]:
    """The exercises of one assignment, in notebook order."""
    return [ex for ex in exercises() if ex.assignment == assignment]
