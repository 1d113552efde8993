"""``demo``: build the bundled demo submissions for an assignment.

Four students, in nbgrader's layout ``submitted/<student>/<assignment>/<assignment>.ipynb``:

- ``demo-solution``: every exercise solved (the instructor's solution bodies);
- ``demo-untouched``: the student notebook as released;
- ``demo-half``: the first half of the exercises solved, the rest left as stubs;
- ``demo-mistakes``: every other exercise solved, the others holding a typical mistake,
  the buggy variant marked ``demo=True`` in ``tests/variants/``.

They are built from the current notebooks, so they never go stale.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import nbformat

from . import catalog
from .config import RELEASE_DIR, SOURCE_DIR, Course
from .nb import fill_solution, read, solution_cells, strip_outputs

__all__ = ["DEMO_STUDENTS", "build_demo", "expected_scores", "mistake_source", "solution_submission"]

DEMO_STUDENTS = ("demo-solution", "demo-untouched", "demo-half", "demo-mistakes")

_PRELUDE = "import math\nimport random\n\nimport numpy as np\nimport torch\n\n"


def _plan(assignment: str) -> dict[str, dict[str, str]]:
    """For each demo student, what each exercise holds: 'solution', 'stub' or 'mistake'."""
    ids = [ex.grade_id for ex in catalog.for_assignment(assignment)]
    half = len(ids) // 2
    return {
        "demo-solution": {g: "solution" for g in ids},
        "demo-untouched": {g: "stub" for g in ids},
        "demo-half": {g: ("solution" if i < half else "stub") for i, g in enumerate(ids)},
        "demo-mistakes": {g: ("solution" if i % 2 == 0 else "mistake") for i, g in enumerate(ids)},
    }


def expected_scores(assignment: str) -> dict[str, float]:
    """The total each demo student must score: points of the exercises that hold a solution."""
    points = {ex.grade_id: ex.points for ex in catalog.for_assignment(assignment)}
    return {student: sum(points[g] for g, what in plan.items() if what == "solution")
            for student, plan in _plan(assignment).items()}


def mistake_source(course: Course, exercise_id: str) -> str:
    """Source of the typical mistake for ``exercise_id``, undecorated, ready for a solution cell.

    The mistakes are the buggy variants marked ``demo=True`` in ``tests/variants/``, copied into
    ``grader/demo_mistakes.json`` (``python -m tests.variants``; tests/test_checks.py fails when
    the copy is stale), so that the product never imports the test tree. ``course`` is not read:
    the mistakes belong to the grader, not to a course folder.
    """
    mistakes = json.loads(Path(__file__).with_name("demo_mistakes.json").read_text(encoding="utf-8"))
    if exercise_id not in mistakes:
        raise LookupError(f"no typical mistake for {exercise_id} in grader/demo_mistakes.json: mark one buggy "
                          "variant in tests/variants/ demo=True, then run `python -m tests.variants`")
    mistake = mistakes[exercise_id]
    return f"# a typical mistake: {mistake['description']}\n{_PRELUDE}{mistake['source']}"


def _cells_of(nb: nbformat.NotebookNode, grade_id: str) -> list[nbformat.NotebookNode]:
    return [c for c in solution_cells(nb) if c.metadata["nbgrader"]["grade_id"].startswith(f"{grade_id}_solution")]


def _submission(course: Course, assignment: str, plan: dict[str, str]) -> nbformat.NotebookNode:
    """The released notebook with each exercise holding what ``plan`` says, as a student hands it in."""
    solution = read(course.path(SOURCE_DIR, assignment, f"{assignment}.ipynb"))
    released = read(course.path(RELEASE_DIR, assignment, f"{assignment}.ipynb"))
    solved = {c.metadata["nbgrader"]["grade_id"]: fill_solution(c.source) for c in solution_cells(solution)}
    nb = strip_outputs(copy.deepcopy(released))
    for grade_id, what in plan.items():
        cells = _cells_of(nb, grade_id)
        if not cells:
            raise LookupError(f"{assignment}: no solution cell with grade_id '{grade_id}_solution' "
                              "(each exercise's solution cell must be named so)")
        if what == "solution":
            for cell in cells:
                cell.source = solved[cell.metadata["nbgrader"]["grade_id"]]
        elif what == "mistake":
            cells[0].source = mistake_source(course, f"{assignment}/{grade_id}")
    return nb


def solution_submission(course: Course, assignment: str) -> nbformat.NotebookNode:
    """The instructor's solution handed in as a submission: the released notebook with every
    exercise's solution cells holding the solution code of ``solutions/`` (what ``demo-solution``
    holds, and what the autograder's positive control grades)."""
    return _submission(course, assignment, _plan(assignment)["demo-solution"])


def build_demo(course: Course, assignment: str) -> dict[str, Path]:
    """Write the four demo submissions of ``assignment``; returns their paths by student."""
    written = {}
    for student, plan in _plan(assignment).items():
        nb = _submission(course, assignment, plan)
        out = course.submitted / student / assignment / f"{assignment}.ipynb"
        out.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, str(out))
        written[student] = out
    return written
