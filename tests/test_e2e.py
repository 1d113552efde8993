"""End to end: real Jupyter kernels, nbgrader's real gradebook, the demo submissions.

Each assignment is graded once per test process (``graded``) and the tests read the result.
Every assignment's tests form one xdist group, so assignments are graded in parallel under
``pytest -n``. Properties of the grader itself (warnings on stderr, broken files, the student
check, stock nbgrader) are tested on the first assignment only.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from grader import catalog
from grader.autograde import autograde
from grader.check import check_notebook
from grader.config import Course
from grader.demo import DEMO_STUDENTS, build_demo, expected_scores
from grader.export import export
from grader.feedback import feedback
from grader.nb import solution_cells
from grader.release import release

from .conftest import ROOT, copy_course

pytestmark = [pytest.mark.e2e]

ASSIGNMENTS = [a for a in catalog.assignments() if (ROOT / "solutions" / a).is_dir()]
FIRST = ASSIGNMENTS[0]
BIN = Path(sys.executable).parent

#: one xdist group per assignment: its grading runs once, in one worker
EACH = pytest.mark.parametrize(
    "assignment", [pytest.param(a, marks=pytest.mark.xdist_group(f"e2e-{a}")) for a in ASSIGNMENTS])
ON_FIRST = pytest.mark.xdist_group(f"e2e-{FIRST}")

WARN_PRELUDE = (
    "    import os, sys, warnings\n"
    "    warnings.warn('a library warning, printed on stderr', UserWarning)\n"
    "    print('a note on stderr', file=sys.stderr)\n"
    "    os.write(2, b'a C-level write to fd 2\\n')\n"
)


def _warning_submission(course: Course, assignment: str, student: str) -> None:
    """The full solution, where every exercise function first writes to stderr in three ways."""
    src = course.submitted / "demo-solution" / assignment / f"{assignment}.ipynb"
    nb = nbformat.read(str(src), as_version=4)
    for cell in solution_cells(nb):
        lines = cell.source.splitlines(keepends=True)
        # after the docstring's closing quotes, or after the def line when there is none
        at = next((i for i, ln in enumerate(lines) if ln.strip().endswith('"""') and i > 0
                   and any('"""' in x for x in lines[:i])), None)
        if at is None:
            at = next(i for i, ln in enumerate(lines) if ln.lstrip().startswith("def "))
        lines.insert(at + 1, WARN_PRELUDE)
        cell.source = "".join(lines)
    out = course.submitted / student / assignment / f"{assignment}.ipynb"
    out.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(out))


def _broken_submissions(course: Course, assignment: str) -> None:
    bad = course.submitted / "broken-json" / assignment
    bad.mkdir(parents=True)
    (bad / f"{assignment}.ipynb").write_text('{"cells": [ this is not json')
    renamed = course.submitted / "wrong-name" / assignment
    renamed.mkdir(parents=True)
    (renamed / f"{assignment} (1).ipynb").write_text(
        (course.root / "notebooks" / assignment / f"{assignment}.ipynb").read_text())


_GRADED: dict[str, tuple[Course, dict]] = {}
#: each assignment's course as released, with the demos and nothing graded: what the grading
#: without skipping starts from (a copy, so that it needs no release and demo build of its own)
_RELEASED: dict[str, Path] = {}


def _grade(assignment: str, tmp_path_factory) -> tuple[Course, dict]:
    """Release, build the demos (plus, for the first assignment, the grader's own test
    submissions), autograde, write feedback and export, once per assignment."""
    if assignment not in _GRADED:
        root = copy_course(tmp_path_factory.mktemp(f"e2e-{assignment}") / "course")
        course = Course(root=root)
        release(course, assignments=[assignment])
        build_demo(course, assignment)
        _RELEASED[assignment] = tmp_path_factory.mktemp(f"e2e-released-{assignment}") / "course"
        shutil.copytree(root, _RELEASED[assignment], symlinks=True)
        if assignment == FIRST:
            _warning_submission(course, assignment, "stderr-warnings")
            _broken_submissions(course, assignment)
        outcomes = {o.student: o for o in autograde(course, assignment, progress=False)}
        feedback(course, assignment, progress=False)
        export(course)
        _GRADED[assignment] = (course, outcomes)
    return _GRADED[assignment]


#: the demo graded again with every cell run: the solution, every exercise right, so that a
#: skipped cell a kept one needs, or one whose state a grade cell reads, costs points (which
#: names a kept cell needs from a skipped one is also checked statically: tests/test_skip.py)
UNSKIPPED = ("demo-solution",)


def _grade_without_skipping(assignment: str, tmp_path_factory) -> dict:
    """The solution demo graded in a fresh course with every cell run, skip-grading ones too: a copy
    of the assignment's course as ``_grade`` released it, with the demos, before anything was graded.
    No positive control: it would run the solution that demo-solution already is."""
    _grade(assignment, tmp_path_factory)
    root = tmp_path_factory.mktemp(f"e2e-noskip-{assignment}") / "course"
    shutil.copytree(_RELEASED[assignment], root, symlinks=True)
    course = Course(root=root)
    assert not course.autograded.exists() and (course.submitted / "demo-solution").is_dir()
    return {o.student: o for o in autograde(course, assignment, students=list(UNSKIPPED), progress=False,
                                            skip=False, control=False)}


@pytest.fixture
def graded(request, tmp_path_factory):
    return _grade(request.getfixturevalue("assignment"), tmp_path_factory)


@pytest.fixture
def first(tmp_path_factory):
    return _grade(FIRST, tmp_path_factory)


@EACH
def test_demo_submissions_score_what_they_should(graded, assignment):
    """Do the solution, untouched, half-done and mistakes demos score exactly their expected totals,
    with the solution at full marks and the untouched notebook at 0?"""
    _, outcomes = graded
    want = expected_scores(assignment)
    got = {s: outcomes[s].score for s in DEMO_STUDENTS}
    assert got == want
    full = sum(ex.points for ex in catalog.for_assignment(assignment))
    assert want["demo-solution"] == full and want["demo-untouched"] == 0
    assert 0 < want["demo-half"] < full and 0 < want["demo-mistakes"] < full


@ON_FIRST
def test_skipping_tagged_cells_never_changes_a_score(first, tmp_path_factory):
    """Does the solution demo score the same per exercise when the cells tagged skip-grading are
    skipped as when every cell runs, as stock nbgrader does? Graded through the whole pipeline on the
    first assignment. For every other one the same follows from two tests that run anyway: the
    solution demo scores full marks with the cells skipped (test_demo_submissions_score_what_they_should),
    and nbval runs the solution notebook with every cell, hidden tests included, where a grade cell
    that fails is an error; tests/test_skip.py checks every notebook's tags statically."""
    _, skipping = first
    everything = _grade_without_skipping(FIRST, tmp_path_factory)
    got = {s: (skipping[s].graded, skipping[s].score, skipping[s].exercises) for s in UNSKIPPED}
    want = {s: (everything[s].graded, everything[s].score, everything[s].exercises) for s in UNSKIPPED}
    assert got == want


@EACH
def test_per_exercise_scores_of_the_solution(graded, assignment):
    """Does every exercise of the solution get its full points, as the catalog lists them?"""
    _, outcomes = graded
    o = outcomes["demo-solution"]
    assert o.exercises == {ex.grade_id: ex.points for ex in catalog.for_assignment(assignment)}


@EACH
def test_untouched_notebook_fails_only_on_stubs(graded, assignment):
    """In the autograded untouched notebook, is every error a NotImplementedError from a stub
    (no NameError, ImportError or anything else), and does every grade cell fail?"""
    course, _ = graded
    nb = nbformat.read(str(course.autograded / "demo-untouched" / assignment / f"{assignment}.ipynb"), as_version=4)
    errors = [(i, o.ename) for i, c in enumerate(nb.cells) if c.cell_type == "code"
              for o in c.outputs if o.output_type == "error"]
    assert errors, "the untouched notebook raised nothing"
    assert {e for _, e in errors} == {"NotImplementedError"}, f"errors other than the stubs': {errors}"


@EACH
def test_solution_notebook_raises_nothing(graded, assignment):
    """Does the autograded solution run every cell without an error output?"""
    course, _ = graded
    nb = nbformat.read(str(course.autograded / "demo-solution" / assignment / f"{assignment}.ipynb"), as_version=4)
    errors = [(i, o.ename, o.evalue[:200]) for i, c in enumerate(nb.cells) if c.cell_type == "code"
              for o in c.outputs if o.output_type == "error"]
    assert not errors


@ON_FIRST
def test_warnings_on_stderr_keep_the_points(first):
    """Does a correct answer that writes warnings to stderr (Python warnings, sys.stderr, fd 2) keep full marks?"""
    _, outcomes = first
    o = outcomes["stderr-warnings"]
    assert o.graded and o.score == o.max_score > 0, o


@ON_FIRST
def test_broken_submissions_are_recorded_and_the_batch_goes_on(first):
    """Do a malformed notebook and a wrongly named one each get a readable reason, without
    stopping the batch (the demos after them in alphabetical order are graded)?"""
    _, outcomes = first
    broken, renamed = outcomes["broken-json"], outcomes["wrong-name"]
    assert not broken.graded and "not a valid notebook" in broken.reason
    assert not renamed.graded and f"must keep the name {FIRST}.ipynb" in renamed.reason
    assert all(outcomes[s].graded for s in DEMO_STUDENTS)


@EACH
def test_grades_csv_is_nbgraders_format(graded, assignment):
    """Does grades.csv have nbgrader's columns and one row per graded student?"""
    course, outcomes = graded
    with open(course.path("grades.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["assignment", "duedate", "timestamp", "student_id", "last_name", "first_name",
                             "email", "raw_score", "late_submission_penalty", "score", "max_score"]
    by = {(r["assignment"], r["student_id"]): float(r["score"]) for r in rows}
    graded_here = {s: o.score for s, o in outcomes.items() if o.graded}
    assert {s: by[(assignment, s)] for s in graded_here} == graded_here


@EACH
def test_feedback_has_no_hidden_tests(graded, assignment):
    """Is there an HTML feedback file per graded student, free of the hidden tests?"""
    course, outcomes = graded
    for student, o in outcomes.items():
        if not o.graded:
            continue
        html = (course.feedback / student / assignment / f"{assignment}.html").read_text()
        assert "HIDDEN TESTS" not in html
        for ex in catalog.for_assignment(assignment):
            assert f"run(&quot;{ex.id}&quot;, {ex.grade_id})" not in html and f'run("{ex.id}", {ex.grade_id})' not in html


@EACH
def test_gradebook_scores_match_outcomes(graded, assignment):
    """Does nbgrader's gradebook hold exactly the scores autograde reported?"""
    course, outcomes = graded
    with Gradebook(course.gradebook_url) as gb:
        for s, o in outcomes.items():
            if o.graded:
                assert gb.find_submission(assignment, s).score == o.score


@ON_FIRST
def test_student_check_reports_each_exercise(first):
    """Does `check` pass every exercise of a solved notebook and fail every one of the untouched notebook?"""
    course, _ = first
    solved = check_notebook(course.submitted / "demo-solution" / FIRST / f"{FIRST}.ipynb", progress=False)
    assert [r.grade_id for r in solved] == [ex.grade_id for ex in catalog.for_assignment(FIRST)]
    assert all(r.passed for r in solved), solved
    proc = subprocess.run([sys.executable, "-m", "grader", "--no-progress", "check",
                           str(course.root / "notebooks" / FIRST / f"{FIRST}.ipynb")],
                          capture_output=True, text=True, cwd=course.root, timeout=600)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.count("not done yet") == len(catalog.for_assignment(FIRST)), proc.stdout


# no xdist group: it shares nothing with the graded course (a course of its own, released by stock
# nbgrader), so the scheduler may run it beside that group instead of after it in the same worker
def test_stock_nbgrader_autograde_works(tmp_path):
    """Does stock `nbgrader autograde` grade these notebooks too: the solution, every exercise of
    which also warns on stderr, at full marks?"""
    assignment = FIRST
    root = copy_course(tmp_path / "course")
    course = Course(root=root)
    env = {**os.environ, "COURSE_ROOT": str(root)}
    nbg = str(BIN / "nbgrader")
    subprocess.run([nbg, "generate_assignment", assignment, "--force"], cwd=root, env=env, check=True,
                   capture_output=True, timeout=300)
    build_demo(course, assignment)
    _warning_submission(course, assignment, "stderr-warnings")
    proc = subprocess.run([nbg, "autograde", assignment, "--student", "stderr-warnings", "--force"],
                          cwd=root, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    full = sum(ex.points for ex in catalog.for_assignment(assignment))
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        assert gb.find_submission(assignment, "stderr-warnings").score == full
