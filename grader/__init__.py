"""The course's autograder: release, autograde, feedback, export and a student check.

A thin command line (``python -m grader``) over this typed API; every verb is one module.
Names are imported on first use, so that a kernel importing ``grader.checks`` (every notebook
does) does not pay for nbgrader and its dependencies.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

# jsonschema (under nbformat and nbgrader) imports rfc3987_syntax when it is installed, only to check
# the "iri" string format, and that module builds a parser for about 3 s at import: every grading
# process, each worker included, paid for it. No schema this grader validates uses those formats;
# None in sys.modules makes the import fail, which jsonschema expects.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

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
