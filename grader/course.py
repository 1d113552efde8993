"""``course``: the whole instructor pipeline on the bundled demo submissions.

Ordered steps (each needs the one before it):
1. release   -- student notebooks from solutions/ (the autograder's reference cells too);
2. demo      -- demo submissions built from those notebooks;
3. autograde -- every submission of every assignment, into the gradebook;
4. feedback  -- one HTML file per student and assignment;
5. export    -- grades.csv, a score table and the score-distribution PNG.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import catalog
from .autograde import Outcome, autograde
from .config import Course
from .demo import build_demo
from .export import export
from .feedback import feedback
from .release import release, source_assignments
from .report import plot_distribution, score_table

__all__ = ["CourseRun", "run_course"]


@dataclass
class CourseRun:
    outcomes: list[Outcome]
    table: str
    grades_csv: Path
    feedback: dict[str, dict[str, Path | str]]
    distribution_png: Path


def run_course(course: Course, *, progress: bool = True) -> CourseRun:
    """Release, build demos, autograde, write feedback, export; see the module docstring."""
    release(course)
    graded = [a for a in source_assignments(course) if catalog.for_assignment(a)]
    outcomes: list[Outcome] = []
    notes: dict[str, dict[str, Path | str]] = {}
    for assignment in graded:
        build_demo(course, assignment)
        outcomes += autograde(course, assignment, progress=progress)
        notes[assignment] = feedback(course, assignment, progress=progress)
    csv = export(course)
    png = plot_distribution(outcomes, course.path("score_distribution.png"))
    return CourseRun(outcomes, score_table(outcomes), csv, notes, png)
