"""Reading ``submitted/`` without following links (grader/submission.py), at every place the grader
reads a submission: the checks before grading, the fingerprint of the resume marker, sanitize,
and the copy nbgrader records from. No kernel runs here; the corpus batch (tests/test_attacks.py)
grades the same cases end to end."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from grader.autograde import _fingerprint, _problem_with, sanitize, submissions
from grader.config import Course
from grader.sandbox import Limits
from grader.submission import read_submission, stage_submission

A = "01-sgd"
NOTEBOOK = b'{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'


@pytest.fixture
def course(tmp_path: Path) -> Course:
    """A course folder with one honest student and a solution the links point to."""
    root = tmp_path / "course"
    (root / "solutions" / A).mkdir(parents=True)
    (root / "solutions" / A / f"{A}.ipynb").write_bytes(NOTEBOOK.replace(b"[]", b'[{"cell_type": "markdown", '
                                                                         b'"metadata": {}, "source": "SOLUTION"}]'))
    honest = root / "submitted" / "honest" / A
    honest.mkdir(parents=True)
    (honest / f"{A}.ipynb").write_bytes(NOTEBOOK)
    return Course(root=root)


def _student(course: Course, name: str) -> Path:
    folder = course.submitted / name / A
    folder.mkdir(parents=True)
    return folder


def test_a_regular_notebook_is_read(course):
    got = read_submission(course.submitted, "honest", A)
    assert got.problem == "" and got.data == NOTEBOOK


@pytest.mark.parametrize("target", ["solution", "student", "outside"])
def test_a_linked_notebook_is_refused_wherever_it_points(course, tmp_path, target):
    outside = tmp_path / "outside.ipynb"
    outside.write_bytes(NOTEBOOK)
    to = {"solution": course.root / "solutions" / A / f"{A}.ipynb",
          "student": Path("..", "..", "honest", A, f"{A}.ipynb"), "outside": outside}[target]
    (_student(course, "linker") / f"{A}.ipynb").symlink_to(to)
    got = read_submission(course.submitted, "linker", A)
    assert got.data is None and "is a symbolic link" in got.problem, got
    assert "symbolic link" in _problem_with(course.submitted / "linker" / A, A)
    with pytest.raises(ValueError, match="symbolic link"):
        sanitize(course, A, "linker", released={})


def test_linked_folders_are_refused(course):
    (course.submitted / "copycat").symlink_to("honest")
    (course.submitted / "copycat2").mkdir()
    (course.submitted / "copycat2" / A).symlink_to(Path("..", "honest", A))
    assert {"copycat", "copycat2"} <= set(submissions(course, A))
    assert "submitted/copycat is a symbolic link" in read_submission(course.submitted, "copycat", A).problem
    assert "submitted/copycat2/01-sgd is a symbolic link" in read_submission(course.submitted, "copycat2", A).problem
    assert "symbolic link" in _problem_with(course.submitted / "copycat" / A, A)


def test_a_dangling_link_in_place_of_the_assignment_folder_is_listed_and_refused(course):
    (course.submitted / "ghost").mkdir()
    (course.submitted / "ghost" / A).symlink_to("/nonexistent/folder")
    assert "ghost" in submissions(course, A)
    assert "is a symbolic link" in read_submission(course.submitted, "ghost", A).problem


def test_pipes_and_folders_in_place_of_the_notebook_are_refused(course):
    os.mkfifo(_student(course, "pipe") / f"{A}.ipynb")  # opening it to read would wait for ever
    (_student(course, "folder") / f"{A}.ipynb").mkdir()
    assert "named pipe" in read_submission(course.submitted, "pipe", A).problem
    assert "a folder, not a regular file" in read_submission(course.submitted, "folder", A).problem


def test_a_notebook_over_the_limit_is_refused_before_it_is_read(course):
    (_student(course, "big") / f"{A}.ipynb").write_bytes(NOTEBOOK + b" " * 5000)
    got = read_submission(course.submitted, "big", A, max_bytes=4096)
    assert got.data is None and "over the limit of 4 KiB" in got.problem
    assert "over the limit" in _problem_with(course.submitted / "big" / A, A, limits=Limits(notebook=4096))
    assert _problem_with(course.submitted / "big" / A, A) == ""  # the default limit is 50 MiB
    assert read_submission(course.submitted, "big", A).data is not None


def test_a_hard_link_is_read_as_the_file_it_is(course):
    os.link(course.submitted / "honest" / A / f"{A}.ipynb", _student(course, "hard") / f"{A}.ipynb")
    assert read_submission(course.submitted, "hard", A).data == NOTEBOOK


def test_the_fingerprint_never_reads_through_a_link(course):
    """A link to the solution must not get the solution's fingerprint (its resume marker)."""
    solution = course.root / "solutions" / A / f"{A}.ipynb"
    (_student(course, "linker") / f"{A}.ipynb").symlink_to(solution)
    (_student(course, "copier") / f"{A}.ipynb").write_bytes(solution.read_bytes())
    settings = {"limits": Limits()}
    assert _fingerprint(course, A, "linker", settings) != _fingerprint(course, A, "copier", settings)
    assert _fingerprint(course, A, "copier", settings) == _fingerprint(course, A, "copier", settings,
                                                                       data=solution.read_bytes())


def test_nbgrader_records_from_a_copy_without_links(course, tmp_path):
    folder = course.submitted / "honest" / A
    (folder / "data.csv").write_text("1,2\n")
    (folder / "notes.txt").symlink_to(course.root / "solutions" / A / f"{A}.ipynb")
    (folder / "sub").mkdir()
    (folder / "sub" / "kept.txt").write_text("kept")
    (folder / "sub" / "secret").symlink_to("/etc/hostname")
    (folder / "linked-dir").symlink_to(course.root / "solutions")
    (folder / "other.ipynb").write_bytes(NOTEBOOK)
    os.mkfifo(folder / "pipe")
    dest = tmp_path / "staged" / "honest" / A
    notes = stage_submission(course.submitted, "honest", A, dest, notebook="GRADED")
    files = sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*") if not p.is_dir())
    assert files == [f"{A}.ipynb", "data.csv", "sub/kept.txt"], files
    assert (dest / f"{A}.ipynb").read_text() == "GRADED"
    assert not any(p.is_symlink() for p in dest.rglob("*"))
    text = "; ".join(notes)
    for name in ("notes.txt", "sub/secret", "linked-dir", "pipe"):
        assert name in text, text
