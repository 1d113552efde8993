"""Parallel and distributed grading: two demo submissions of the first assignment graded with
one local job, with two, and on a real Dask cluster (a LocalCluster on loopback with two
worker processes) give the same scores, and the gradebook stays consistent.

All tests share one graded course (one xdist group): each grading runs once.
"""

from __future__ import annotations

import pytest
from nbgrader.api import Gradebook

from grader import catalog
from grader.autograde import autograde
from grader.config import Course
from grader.demo import build_demo, expected_scores
from grader.release import release

from .conftest import ROOT, copy_course

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("parallel")]

ASSIGNMENT = [a for a in catalog.assignments() if (ROOT / "solutions" / a).is_dir()][0]

_RUNS: dict[str, tuple[Course, dict]] = {}

#: the demos graded three ways: every exercise right, and right and wrong in turn (the other two
#: hold stubs, which score 0 however they are run; test_e2e.py holds all four to their totals)
AGAIN = ("demo-solution", "demo-mistakes")


def _scores(outcomes) -> dict:
    return {o.student: (o.graded, o.score, o.exercises) for o in outcomes}


@pytest.fixture
def runs(tmp_path_factory):
    """Two demos graded three ways, in one course: with jobs=1, with jobs=2 and on a Dask cluster
    (the first and the last with the positive control first)."""
    if not _RUNS:
        from distributed import LocalCluster

        course = Course(root=copy_course(tmp_path_factory.mktemp("parallel") / "course"))
        release(course, assignments=[ASSIGNMENT])
        build_demo(course, ASSIGNMENT)
        _RUNS["jobs1"] = (course, _scores(autograde(course, ASSIGNMENT, students=list(AGAIN), jobs=1, progress=False,
                                                    force=True)))
        # no positive control here: with jobs=2 it runs in the attacks batch, test_postgres.py and
        # test_control.py; the jobs=1 and the Dask runs grade theirs
        _RUNS["jobs2"] = (course, _scores(autograde(course, ASSIGNMENT, students=list(AGAIN), jobs=2, progress=False,
                                                    force=True, control=False)))
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                          dashboard_address=None) as cluster:
            outcomes = autograde(course, ASSIGNMENT, students=list(AGAIN), scheduler=cluster.scheduler_address,
                                 progress=False, force=True)
        _RUNS["dask"] = (course, _scores(outcomes))
    return _RUNS


def test_one_job_scores_what_the_demos_should(runs):
    """Does grading with one job give each demo its expected total (full marks, and part of them)?"""
    _, got = runs["jobs1"]
    want = expected_scores(ASSIGNMENT)
    assert {s: got[s][1] for s in AGAIN} == {s: want[s] for s in AGAIN}
    assert 0 < want["demo-mistakes"] < want["demo-solution"]


def test_two_jobs_give_the_same_outcomes_as_one(runs):
    """Do two local jobs give exactly the scores per exercise of one job?"""
    assert runs["jobs2"][1] == {s: runs["jobs1"][1][s] for s in AGAIN}


def test_a_dask_cluster_gives_the_same_outcomes_as_local(runs):
    """Does grading through a real Dask cluster (two worker processes on loopback) give exactly
    the local run's scores per exercise?"""
    assert runs["dask"][1] == {s: runs["jobs1"][1][s] for s in AGAIN}


def test_gradebook_has_one_submission_per_student_after_parallel_runs(runs):
    """After three gradings of the same students, one of them parallel and one distributed, does the
    gradebook hold exactly one student row and one submission per student, with the last run's scores
    (and no row for the positive controls graded first)?"""
    course, _ = runs["dask"]
    last = runs["dask"][1]
    with Gradebook(course.gradebook_url) as gb:
        assert sorted(s.id for s in gb.students) == sorted(AGAIN)
        subs = gb.assignment_submissions(ASSIGNMENT)
        assert sorted(s.student.id for s in subs) == sorted(AGAIN)
        assert {s.student.id: s.score for s in subs} == {s: last[s][1] for s in AGAIN}


def test_skipped_cells_stay_in_the_autograded_notebook(runs):
    """Does the autograded notebook keep every cell, the skipped ones unexecuted, for feedback?"""
    import nbformat

    from grader.skip import is_skipped

    course, _ = runs["dask"]
    graded = nbformat.read(str(course.autograded / "demo-solution" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"), as_version=4)
    released = nbformat.read(str(course.root / "notebooks" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"), as_version=4)
    assert [c.get("id") for c in graded.cells] == [c.get("id") for c in released.cells]
    skipped = [c for c in graded.cells if is_skipped(c)]
    assert skipped and all(not c.outputs and c.execution_count is None for c in skipped)


def test_invalid_job_count_is_refused(tmp_path):
    """Is --jobs 0 refused with a message naming the value?"""
    with pytest.raises(ValueError, match="Invalid number of jobs: 0"):
        autograde(Course(root=tmp_path), ASSIGNMENT, jobs=0, students=[])
