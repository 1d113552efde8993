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
    """Copy what a course needs (sources, released notebooks, config, variants) to ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("solutions", "notebooks"):
        shutil.copytree(ROOT / name, dest / name, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    shutil.copy2(ROOT / "nbgrader_config.py", dest / "nbgrader_config.py")
    # the demo builder reads the typical mistakes from tests/variants
    shutil.copytree(ROOT / "tests" / "variants", dest / "tests" / "variants",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (dest / "tests" / "__init__.py").write_text("")
    return dest


@pytest.fixture
def course_copy(tmp_path: Path) -> Path:
    return copy_course(tmp_path / "course")
