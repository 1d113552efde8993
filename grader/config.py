"""Where the course lives, and the nbgrader configuration every verb shares.

``nbgrader_config.py`` at the repository root calls :func:`apply`, so stock
``nbgrader`` commands and ``python -m grader`` see the same settings.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from traitlets.config import Config

__all__ = ["Course", "apply", "find_root", "sqlalchemy_url", "COURSE_ID", "DEFAULT_CELL_TIMEOUT"]

#: Seconds one cell may run while autograding before it is interrupted.
DEFAULT_CELL_TIMEOUT = 300

# nbgrader creates a new gradebook by running the `alembic` script found on PATH; put this
# interpreter's scripts first so that `.venv/bin/python -m grader` works without activating .venv.
_SCRIPTS = str(Path(sys.executable).parent)
if _SCRIPTS not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _SCRIPTS + os.pathsep + os.environ.get("PATH", "")

SOURCE_DIR = "solutions"
RELEASE_DIR = "notebooks"

#: The course id in the gradebook. Every assignment row names its course, a foreign key into
#: the ``course`` table. nbgrader's ``CourseDirectory.course_id`` defaults to '', a course that
#: has no row: SQLite lets that through (it does not enforce foreign keys), PostgreSQL refuses
#: it. nbgrader's own preprocessors open the gradebook with ``Gradebook(db_url)``, whose default
#: course id is "default_course" and which creates that row; using the same id everywhere
#: (apply() below, and every ``Gradebook(url, course.course_id)`` in grader/) keeps one course.
COURSE_ID = "default_course"


def sqlalchemy_url(url: str) -> str:
    """``url`` with the installed PostgreSQL driver named: a plain ``postgresql://`` (or
    ``postgres://``) URL means psycopg2 to SQLAlchemy, which is not installed; the pinned
    driver is psycopg 3, ``postgresql+psycopg://``. Other URLs are returned unchanged."""
    scheme, sep, rest = url.partition("://")
    if sep and scheme.lower() in ("postgresql", "postgres"):
        return f"postgresql+psycopg://{rest}"
    return url


def find_root(start: Path | None = None) -> Path:
    """The course root: the nearest folder upwards holding ``nbgrader_config.py``
    and ``solutions/``. ``COURSE_ROOT`` overrides the search."""
    env = os.environ.get("COURSE_ROOT")
    if env:
        return Path(env).resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "nbgrader_config.py").is_file() and (folder / SOURCE_DIR).is_dir():
            return folder
    raise FileNotFoundError(
        f"no course found at or above {here}: expected a folder with nbgrader_config.py "
        f"and {SOURCE_DIR}/. Run from the course folder or set COURSE_ROOT."
    )


@dataclass(frozen=True)
class Course:
    """A course folder in nbgrader's layout.

    ``db_url`` is the gradebook's SQLAlchemy URL; by default a SQLite file
    ``gradebook.db`` in the root. ``COURSE_DB_URL`` in the environment overrides it.
    A plain ``postgresql://`` URL uses the pinned psycopg 3 driver (see :func:`sqlalchemy_url`).
    """

    root: Path
    db_url: str | None = None
    cell_timeout: int = DEFAULT_CELL_TIMEOUT

    @classmethod
    def find(cls, *, root: Path | str | None = None, db_url: str | None = None) -> "Course":
        base = Path(root).resolve() if root is not None else find_root()
        return cls(root=base, db_url=db_url or os.environ.get("COURSE_DB_URL"))

    @property
    def gradebook_url(self) -> str:
        return sqlalchemy_url(self.db_url) if self.db_url else f"sqlite:///{self.root / 'gradebook.db'}"

    @property
    def course_id(self) -> str:
        """The course id to open the gradebook with: ``Gradebook(course.gradebook_url, course.course_id)``."""
        return COURSE_ID

    def path(self, *parts: str) -> Path:
        return self.root.joinpath(*parts)

    @property
    def submitted(self) -> Path:
        return self.root / "submitted"

    @property
    def autograded(self) -> Path:
        return self.root / "autograded"

    @property
    def feedback(self) -> Path:
        return self.root / "feedback"

    def nbgrader_config(self) -> Config:
        c = Config()
        apply(c, root=self.root)
        c.CourseDirectory.db_url = self.gradebook_url
        c.Execute.timeout = self.cell_timeout
        return c


def apply(c: Config, *, root: Path | None = None) -> Config:
    """Fill ``c`` with the course's nbgrader settings (used by nbgrader_config.py too)."""
    if root is not None:
        c.CourseDirectory.root = str(root)
    # a course that exists in the gradebook (see COURSE_ID), so that databases enforcing
    # foreign keys (PostgreSQL) accept the assignments stock nbgrader and the grader write
    c.CourseDirectory.course_id = COURSE_ID
    # stock nbgrader commands follow COURSE_DB_URL too (`--db` on their command line still wins)
    if os.environ.get("COURSE_DB_URL"):
        c.CourseDirectory.db_url = sqlalchemy_url(os.environ["COURSE_DB_URL"])
    # graders sharing one gradebook (PostgreSQL) may create the same student at once
    from .gradebook import install

    install()
    # One assignment per notebook: solutions/<id>/<id>.ipynb -> notebooks/<id>/<id>.ipynb
    c.CourseDirectory.source_directory = SOURCE_DIR
    c.CourseDirectory.release_directory = RELEASE_DIR
    c.CourseDirectory.submitted_directory = "submitted"
    c.CourseDirectory.autograded_directory = "autograded"
    c.CourseDirectory.feedback_directory = "feedback"
    # Never copy instructor-side or working files into a release.
    c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".*"]
    c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
    c.Execute.timeout = DEFAULT_CELL_TIMEOUT
    # A warning a library prints on stderr must not cost a correct answer its points:
    # nbgrader counts any stderr output of a test cell as a failure. grader.checks.run
    # already turns stderr into printed notes; this catches warnings raised outside it.
    c.IgnorePattern.enabled = True
    c.IgnorePattern.pattern = r"Warning"
    # Hidden tests never appear in feedback: neither in the cells nor quoted by a traceback.
    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
    from nbgrader.preprocessors import ClearHiddenTests, GetGrades

    from .preprocessors import ShortenTestTracebacks

    c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, ShortenTestTracebacks,
                                        CSSHTMLHeaderPreprocessor]
    return c
