"""``autograde``: grade every submission of an assignment with nbgrader, one student at a time.

A submission that cannot be graded (missing or malformed notebook, nbgrader error) gets a
recorded outcome with a reason, and the batch goes on: one broken submission never stops
the class or touches another student's grade.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from tqdm.auto import tqdm

from . import catalog
from .config import Course
from .release import nbgrader_api

__all__ = ["Outcome", "autograde", "submissions", "scores"]


@dataclass
class Outcome:
    """What grading one student's submission produced."""

    student: str
    assignment: str
    graded: bool
    score: float = 0.0
    max_score: float = 0.0
    #: points per exercise grade_id
    exercises: dict[str, float] = field(default_factory=dict)
    #: why the submission was not graded, or notes the instructor should read
    reason: str = ""


def submissions(course: Course, assignment: str) -> list[str]:
    """Student ids with a folder ``submitted/<student>/<assignment>/``, sorted."""
    if not course.submitted.is_dir():
        return []
    return sorted(p.name for p in course.submitted.iterdir() if (p / assignment).is_dir())


def _problem_with(folder: Path, assignment: str) -> str:
    """A reason the submission in ``folder`` cannot be graded, or '' when it looks fine."""
    expected = folder / f"{assignment}.ipynb"
    if not expected.is_file():
        found = sorted(p.name for p in folder.glob("*.ipynb"))
        return (f"missing {assignment}.ipynb (found: {', '.join(found) or 'no notebook'}); "
                f"the notebook must keep the name {assignment}.ipynb")
    try:
        json.loads(expected.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        return f"{assignment}.ipynb is not a valid notebook file ({err}); ask the student to re-download it"
    return ""


def scores(course: Course, assignment: str, student: str) -> Outcome:
    """Read one student's grades for ``assignment`` from the gradebook."""
    with Gradebook(course.gradebook_url) as gb:
        try:
            sub = gb.find_submission_notebook(assignment, assignment, student)
        except MissingEntry:
            return Outcome(student, assignment, graded=False, reason="not in the gradebook")
        per = {g.name: float(g.score or 0.0) for g in sub.grades if g.auto_score is not None or g.manual_score is not None}
        max_by_id = {ex.grade_id: ex.points for ex in catalog.for_assignment(assignment)}
        for gid in max_by_id:
            per.setdefault(gid, 0.0)
        return Outcome(student, assignment, graded=True, score=float(sub.score), max_score=float(sub.max_score),
                       exercises=per)


def autograde(
    course: Course,
    assignment: str,
    *,
    students: list[str] | None = None,
    progress: bool = True,
) -> list[Outcome]:
    """Autograde ``submitted/<student>/<assignment>/`` for each student (all by default).

    Graded notebooks go to ``autograded/<student>/<assignment>/``; scores to the
    gradebook. Returns one :class:`Outcome` per student, in order.
    """
    api = nbgrader_api(course)
    todo = students if students is not None else submissions(course, assignment)
    outcomes: list[Outcome] = []
    bar = tqdm(todo, desc=f"autograde {assignment}", unit="nb", disable=not progress)
    for student in bar:
        bar.set_postfix_str(student)
        folder = course.submitted / student / assignment
        problem = _problem_with(folder, assignment) if folder.is_dir() else f"no folder submitted/{student}/{assignment}/"
        if problem:
            outcomes.append(Outcome(student, assignment, graded=False, reason=problem))
            continue
        with warnings.catch_warnings():
            # nbgrader's own gradebook code trips SQLAlchemy's autoflush warnings; they are harmless
            warnings.filterwarnings("ignore", message=".*not in session.*")
            result = api.autograde(assignment, student, force=True, create=True)
        if not result["success"]:
            last = (result.get("error") or result.get("log") or "").strip().splitlines()
            outcomes.append(Outcome(student, assignment, graded=False,
                                    reason="nbgrader could not grade it: " + (last[-1] if last else "unknown error")))
            continue
        outcomes.append(scores(course, assignment, student))
    return outcomes
