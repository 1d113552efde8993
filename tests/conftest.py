"""Shared fixtures: a throw-away copy of the course, so tests never touch the real one."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")


def copy_course(dest: Path) -> Path:
    """Copy what a course needs (sources, released notebooks, config) to ``dest``: not the tests,
    which the product never reads (the demo's typical mistakes are in grader/demo_mistakes.json)."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("solutions", "notebooks"):
        shutil.copytree(ROOT / name, dest / name, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    shutil.copy2(ROOT / "nbgrader_config.py", dest / "nbgrader_config.py")
    return dest


@pytest.fixture
def course_copy(tmp_path: Path) -> Path:
    return copy_course(tmp_path / "course")
