"""``release``: generate the student notebooks in notebooks/ from solutions/."""

from __future__ import annotations

import time
from pathlib import Path

from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory

from .config import SOURCE_DIR, Course

__all__ = ["release", "source_assignments", "nbgrader_api", "ReleaseError"]


class ReleaseError(RuntimeError):
    """nbgrader could not generate a student notebook; the message carries its log."""


def nbgrader_api(course: Course) -> NbGraderAPI:
    """nbgrader's Python API, configured for ``course``."""
    config = course.nbgrader_config()
    coursedir = CourseDirectory(config=config)
    return NbGraderAPI(coursedir=coursedir, config=config)


def source_assignments(course: Course) -> list[str]:
    """Assignment ids with a source notebook ``solutions/<id>/<id>.ipynb``, sorted."""
    src = course.path(SOURCE_DIR)
    return sorted(p.name for p in src.iterdir() if (p / f"{p.name}.ipynb").is_file())


def release(course: Course, *, assignments: list[str] | None = None) -> list[Path]:
    """Regenerate ``notebooks/<id>/<id>.ipynb`` for each assignment (all by default).

    Runs nbgrader's generate_assignment: solutions become stubs, hidden tests are
    removed, test cells are locked, outputs cleared. Returns the written notebooks.
    A student notebook that differs from the new one (a student worked in it, say) is
    kept beside it as ``<id>.ipynb.<time>.bak`` first: releasing never loses work.
    """
    api = nbgrader_api(course)
    todo = assignments or source_assignments(course)
    written = []
    for assignment in todo:
        if not course.path(SOURCE_DIR, assignment, f"{assignment}.ipynb").is_file():
            raise ReleaseError(f"no source notebook {SOURCE_DIR}/{assignment}/{assignment}.ipynb; "
                               f"known assignments: {', '.join(source_assignments(course))}")
        out = course.path("notebooks", assignment, f"{assignment}.ipynb")
        before = out.read_bytes() if out.is_file() else None
        result = api.generate_assignment(assignment, force=True, create=True)
        if not result["success"]:
            raise ReleaseError(f"generating {assignment} failed:\n{result.get('error', '')}\n{result.get('log', '')}")
        if before is not None and before != out.read_bytes():
            backup = out.with_name(f"{out.name}.{time.strftime('%Y%m%d-%H%M%S')}.bak")
            backup.write_bytes(before)
            print(f"note: {out.relative_to(course.root)} had changed; the old version is kept as {backup.name}")
        written.append(out)
    return written
