"""The course's autograder: release, autograde, feedback, export and a student check.

A thin command line (``python -m grader``) over this typed API; every verb is one module.
"""

from .autograde import Outcome, autograde
from .check import check_notebook
from .config import Course
from .course import run_course
from .demo import build_demo
from .export import export
from .feedback import feedback
from .release import release

__all__ = ["Course", "Outcome", "autograde", "build_demo", "check_notebook", "export", "feedback",
           "release", "run_course"]
