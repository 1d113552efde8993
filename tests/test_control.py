"""A broken grading environment stops the batch before anyone is scored (the positive control),
and the command line takes its options where people type them.

Real components: the grader's CLI in a subprocess, real sandboxed kernels, nbgrader's gradebook.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from grader import sandbox
from grader.autograde import CONTROL, ControlFailed, autograde
from grader.cli import build_parser
from grader.config import Course
from grader.demo import build_demo
from grader.release import release

from .conftest import ROOT, copy_course

ASSIGNMENT = "01-sgd"


def _grader(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", "--no-progress", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=600)


def _nothing_scored(root: Path) -> None:
    assert not (root / "autograded").exists(), "a submission was written to autograded/"
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        assert gb.assignment_submissions(ASSIGNMENT) == [], "a student was scored"
        assert [s.id for s in gb.students] == [], "the gradebook gained a student"


@pytest.mark.e2e
def test_a_second_checkout_graded_with_another_checkouts_venv_stops_before_scoring(tmp_path: Path):
    """The .venv's editable install points at this checkout; a second checkout imports its own
    packages here, but the sandboxed kernel follows the .venv to a folder it cannot see."""
    assert sandbox.status().sandboxed, "this case needs the bubblewrap sandbox: run `make test`"
    second = tmp_path / "second"
    second.mkdir()
    for name in ("grader", "course_utils", "solutions", "notebooks"):
        shutil.copytree(ROOT / name, second / name, ignore=shutil.ignore_patterns("__pycache__", "*.bak"))
    shutil.copytree(ROOT / "tests" / "variants", second / "tests" / "variants",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (second / "tests" / "__init__.py").write_text("")
    for name in ("nbgrader_config.py", "pyproject.toml"):
        shutil.copy2(ROOT / name, second / name)
    assert _grader(second, "release", ASSIGNMENT).returncode == 0
    assert _grader(second, "demo", ASSIGNMENT).returncode == 0

    done = _grader(second, "autograde", ASSIGNMENT, "--jobs", "2")
    assert done.returncode == 3, (done.returncode, done.stdout, done.stderr)
    err = " ".join(done.stderr.split())
    assert "stopped before scoring anyone" in err
    assert "graded first as a control" in err and "scored 0/" in err, err
    assert "No module named 'course_utils'" in err, "the message should give the cause, not only the symptom"
    assert "Nothing was written to the gradebook" in err
    assert "Traceback" not in done.stderr
    _nothing_scored(second)


@pytest.mark.e2e
def test_a_reference_solution_the_checks_reject_stops_the_batch_naming_the_exercise(tmp_path: Path):
    root = copy_course(tmp_path / "course")
    path = root / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    nb = nbformat.read(str(path), as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "minibatch_indices_solution")
    assert "### BEGIN SOLUTION\n" in cell.source
    # the instructor's solution now returns the wrong thing: every index once, unshuffled and unbatched
    cell.source = cell.source.replace("### BEGIN SOLUTION\n", "### BEGIN SOLUTION\n    return [np.arange(n)]\n", 1)
    nbformat.write(nb, str(path))
    course = Course.find(root=root)
    release(course, assignments=[ASSIGNMENT])
    build_demo(course, ASSIGNMENT)

    with pytest.raises(ControlFailed) as failed:
        autograde(course, ASSIGNMENT, progress=False, jobs=2)
    text = str(failed.value)
    assert "First failure: exercise 'minibatch_indices'" in text, text
    assert "scored 8/10" in text, text
    _nothing_scored(root)

    # with the reference fixed the same batch grades, and the control is no student
    release_nb = nbformat.read(str(ROOT / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"), as_version=4)
    nbformat.write(release_nb, str(path))
    release(course, assignments=[ASSIGNMENT])
    build_demo(course, ASSIGNMENT)
    outcomes = autograde(course, ASSIGNMENT, students=["demo-solution"], progress=False, jobs=2)
    assert {o.student: o.score for o in outcomes} == {"demo-solution": 10}
    with Gradebook(course.gradebook_url) as gb:
        assert CONTROL not in {s.id for s in gb.students}
        assert len(gb.assignment_submissions(ASSIGNMENT)) == len(outcomes)


def test_autograde_before_release_says_to_release(tmp_path: Path):
    root = copy_course(tmp_path / "course")
    done = _grader(root, "autograde", ASSIGNMENT)
    assert done.returncode == 2, done.stderr
    assert f"run `python -m grader release {ASSIGNMENT}` first" in done.stderr, done.stderr
    assert "No such notebook" not in done.stderr and "Traceback" not in done.stderr

    done = _grader(root, "autograde", "01-sdg")
    assert done.returncode == 2, done.stderr
    assert "no assignment '01-sdg'" in done.stderr and ASSIGNMENT in done.stderr, done.stderr


def test_a_bad_release_id_is_a_message_not_a_traceback(tmp_path: Path):
    root = copy_course(tmp_path / "course")
    done = _grader(root, "release", "01-sdg")
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert "no source notebook solutions/01-sdg/01-sdg.ipynb" in done.stderr, done.stderr


@pytest.mark.parametrize("argv", [
    ["--db", "sqlite:////x.db", "--no-progress", "--root", "/c", "autograde", "01-sgd"],
    ["autograde", "01-sgd", "--db", "sqlite:////x.db", "--no-progress", "--root", "/c"],
    ["--root", "/c", "autograde", "--no-progress", "01-sgd", "--db", "sqlite:////x.db"],
    ["--root", "/elsewhere", "--db", "sqlite:////y.db", "autograde", "01-sgd", "--root", "/c",
     "--db", "sqlite:////x.db", "--no-progress"],
])
def test_global_options_go_before_or_after_the_verb(argv):
    args = build_parser().parse_args(argv)
    assert (args.db, args.root, args.no_progress, args.assignment) == ("sqlite:////x.db", Path("/c"), True, "01-sgd")


def test_global_options_keep_their_defaults_and_a_value_given_before_the_verb():
    args = build_parser().parse_args(["export"])
    assert (args.db, args.root, args.no_progress) == (None, None, False)
    args = build_parser().parse_args(["--db", "sqlite:////x.db", "--no-progress", "export", "--to", "g.csv"])
    assert (args.db, args.no_progress, args.to) == ("sqlite:////x.db", True, Path("g.csv"))
    for verb in ("exercises", "release", "demo", "autograde", "feedback", "export", "check", "course"):
        sub = build_parser()._subparsers._group_actions[0].choices[verb]
        assert {"--db", "--root", "--no-progress"} <= set(sub._option_string_actions), verb
