"""``export``: the gradebook as an nbgrader-compatible ``grades.csv``."""

from __future__ import annotations

from pathlib import Path

from nbgrader.api import Gradebook
from nbgrader.plugins import CsvExportPlugin

from .config import Course

__all__ = ["export"]


def export(course: Course, *, to: Path | None = None) -> Path:
    """Write every grade in the gradebook with nbgrader's CSV exporter; returns the path.

    Columns are nbgrader's: assignment, duedate, timestamp, student_id, last_name,
    first_name, email, raw_score, late_submission_penalty, score, max_score.
    """
    path = Path(to) if to is not None else course.path("grades.csv")
    plugin = CsvExportPlugin(config=course.nbgrader_config())
    plugin.to = str(path)
    with Gradebook(course.gradebook_url) as gb:
        plugin.export(gb)
    return path
