"""``feedback``: one HTML file per student and assignment, hidden tests left out."""

from __future__ import annotations

from pathlib import Path

from tqdm.auto import tqdm

from .config import Course
from .release import nbgrader_api

__all__ = ["feedback"]


def feedback(course: Course, assignment: str, *, students: list[str] | None = None,
             progress: bool = True) -> dict[str, Path | str]:
    """Write ``feedback/<student>/<assignment>/<assignment>.html`` for each autograded student.

    Returns, per student, the HTML path, or the reason it could not be written.
    """
    api = nbgrader_api(course)
    if students is None:
        base = course.autograded
        students = sorted(p.name for p in base.iterdir() if (p / assignment).is_dir()) if base.is_dir() else []
    out: dict[str, Path | str] = {}
    for student in tqdm(students, desc=f"feedback {assignment}", unit="nb", disable=not progress):
        result = api.generate_feedback(assignment, student, force=True)
        html = course.feedback / student / assignment / f"{assignment}.html"
        if result["success"] and html.is_file():
            out[student] = html
        else:
            lines = (result.get("error") or result.get("log") or "no HTML written").strip().splitlines()
            out[student] = lines[-1] if lines else "no HTML written"
    return out
