"""The course's autograder: release, autograde, feedback, export and a student check.

A thin command line (``python -m grader``) over this typed API; every verb is one module.
Names are imported on first use, so that a kernel importing ``grader.checks`` (every notebook
does) does not pay for nbgrader and its dependencies.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Course": "config",
    "Outcome": "autograde",
    "autograde": "autograde",
    "build_demo": "demo",
    "check_notebook": "check",
    "export": "export",
    "feedback": "feedback",
    "release": "release",
    "run_course": "course",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
