"""``export``: the gradebook as an nbgrader-compatible ``grades.csv``."""

from __future__ import annotations

import datetime
from pathlib import Path

from nbgrader.api import Gradebook
from nbgrader.plugins import CsvExportPlugin

from .config import Course

__all__ = ["export"]


class _Ordered:
    """The gradebook as nbgrader's CSV exporter reads it, with assignments and students in one
    order whatever the database and whoever recorded first.

    nbgrader sorts them in SQL (assignments by due date then name, students by last then first
    name), so ties -- every student without a name -- come in the order the rows were inserted,
    which is the order grading finished; and databases differ on where NULLs go and how names
    collate. Here the same keys are applied in Python (no due date or name first, as SQLite
    sorts them; code-point order), ties broken by the student id.
    """

    def __init__(self, gradebook: Gradebook) -> None:
        self._gradebook = gradebook

    def __getattr__(self, name: str):
        return getattr(self._gradebook, name)

    @property
    def assignments(self) -> list:
        return sorted(self._gradebook.assignments,
                      key=lambda a: (a.duedate is not None, a.duedate or datetime.datetime.min, a.name))

    @property
    def students(self) -> list:
        return sorted(self._gradebook.students,
                      key=lambda s: (s.last_name is not None, s.last_name or "",
                                     s.first_name is not None, s.first_name or "", s.id))


def export(course: Course, *, to: Path | None = None) -> Path:
    """Write every grade in the gradebook with nbgrader's CSV exporter; returns the path.

    Columns are nbgrader's: assignment, duedate, timestamp, student_id, last_name,
    first_name, email, raw_score, late_submission_penalty, score, max_score. Rows go by
    assignment (due date, then name), then student (last name, first name, id), the same on
    every database.
    """
    path = Path(to) if to is not None else course.path("grades.csv")
    plugin = CsvExportPlugin(config=course.nbgrader_config())
    plugin.to = str(path)
    with Gradebook(course.gradebook_url, course.course_id) as gb:
        plugin.export(_Ordered(gb))
    return path
