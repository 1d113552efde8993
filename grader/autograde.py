"""``autograde``: grade every submission of an assignment, in parallel, into nbgrader's gradebook.

Grading one submission is split in three, so that only the expensive part runs in parallel and
the gradebook is written by one process:

1. sanitize (here, in this process): nbgrader's own sanitize steps -- ClearOutput,
   DeduplicateIds, OverwriteKernelspec, OverwriteCells (locked and grade cells restored from the
   gradebook), CheckCellMetadata -- turn the submitted file into the notebook to run;
2. execute (a process pool of ``jobs`` workers, or one Dask task per submission on a cluster):
   :func:`grader.execute.execute`, a pure function of that notebook and the settings; cells
   tagged ``skip-grading`` are not run;
3. record (here again, as results arrive): nbgrader's Autograde with its Execute step replaced
   by :class:`InjectExecuted` writes ``autograded/<student>/<assignment>/`` and the scores into
   the gradebook, exactly as stock nbgrader would.

A submission that cannot be graded (missing or malformed notebook, a kernel that died, an
nbgrader error) gets a recorded outcome with a reason, and the batch goes on: one broken
submission never stops the class or touches another student's grade.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbconvert.exporters.exporter import ResourcesDict
from nbformat import NotebookNode
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import NbGraderPreprocessor
from tqdm.auto import tqdm

from . import catalog
from .config import Course
from .execute import Executed, execute

__all__ = ["Outcome", "autograde", "submissions", "scores", "sanitize", "InjectExecuted"]


@dataclass
class Outcome:
    """What grading one student's submission produced."""

    student: str
    assignment: str
    graded: bool
    score: float = 0.0
    max_score: float = 0.0
    #: points per exercise grade_id
    exercises: dict[str, float] = field(default_factory=dict)
    #: why the submission was not graded, or notes the instructor should read
    reason: str = ""


def submissions(course: Course, assignment: str) -> list[str]:
    """Student ids with a folder ``submitted/<student>/<assignment>/``, sorted."""
    if not course.submitted.is_dir():
        return []
    return sorted(p.name for p in course.submitted.iterdir() if (p / assignment).is_dir())


def _problem_with(folder: Path, assignment: str) -> str:
    """A reason the submission in ``folder`` cannot be graded, or '' when it looks fine."""
    expected = folder / f"{assignment}.ipynb"
    if not expected.is_file():
        found = sorted(p.name for p in folder.glob("*.ipynb"))
        return (f"missing {assignment}.ipynb (found: {', '.join(found) or 'no notebook'}); "
                f"the notebook must keep the name {assignment}.ipynb")
    try:
        json.loads(expected.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        return f"{assignment}.ipynb is not a valid notebook file ({err}); ask the student to re-download it"
    return ""


def scores(course: Course, assignment: str, student: str) -> Outcome:
    """Read one student's grades for ``assignment`` from the gradebook."""
    with Gradebook(course.gradebook_url) as gb:
        try:
            sub = gb.find_submission_notebook(assignment, assignment, student)
        except MissingEntry:
            return Outcome(student, assignment, graded=False, reason="not in the gradebook")
        per = {g.name: float(g.score or 0.0) for g in sub.grades if g.auto_score is not None or g.manual_score is not None}
        max_by_id = {ex.grade_id: ex.points for ex in catalog.for_assignment(assignment)}
        for gid in max_by_id:
            per.setdefault(gid, 0.0)
        return Outcome(student, assignment, graded=True, score=float(sub.score), max_score=float(sub.max_score),
                       exercises=per)


def sanitize(course: Course, assignment: str, student: str) -> str:
    """The submitted notebook after nbgrader's sanitize steps (as its Autograde runs them), as JSON.

    Reads the gradebook (the assignment's source cells and kernelspec); writes nothing.
    """
    from nbgrader.converters import Autograde

    config = course.nbgrader_config()
    path = course.submitted / student / assignment / f"{assignment}.ipynb"
    nb = nbformat.read(str(path), as_version=4)
    resources = ResourcesDict(nbgrader={"student": student, "assignment": assignment, "notebook": assignment,
                                        "db_url": course.gradebook_url})
    for step in Autograde.sanitize_preprocessors.default():
        nb, resources = step(config=config).preprocess(nb, resources)
    return nbformat.writes(nb)


#: executed notebooks waiting to be recorded, by (assignment, student, notebook)
_EXECUTED: dict[tuple[str, str, str], NotebookNode] = {}


class InjectExecuted(NbGraderPreprocessor):
    """Stands in for nbgrader's Execute: takes the outputs of the same notebook, executed
    elsewhere by :func:`grader.execute.execute`, and puts them in place, cell by cell."""

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict) -> tuple[NotebookNode, ResourcesDict]:
        info = resources["nbgrader"]
        key = (info["assignment"], info["student"], info["notebook"])
        done = _EXECUTED.get(key)
        if done is None:
            raise RuntimeError(f"no executed notebook for {key}; grade with grader.autograde, not this step alone")
        if len(done.cells) != len(nb.cells) or any(
                (a.cell_type, a.source) != (b.cell_type, b.source) for a, b in zip(nb.cells, done.cells)):
            raise RuntimeError(f"the executed notebook of {key} does not match its sanitized submission")
        for cell, ran in zip(nb.cells, done.cells):
            if cell.cell_type == "code":
                cell.outputs = ran.outputs
                cell.execution_count = ran.execution_count
        nb.metadata = done.metadata
        return nb, resources


def _recording_api(course: Course) -> NbGraderAPI:
    """nbgrader's API whose autograde records already-executed notebooks instead of running them."""
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import Execute

    config = course.nbgrader_config()
    config.Autograde.autograde_preprocessors = [
        InjectExecuted if step is Execute else step for step in Autograde.autograde_preprocessors.default()]
    return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)


def record(course: Course, assignment: str, student: str, executed: Executed, *,
           api: NbGraderAPI | None = None) -> Outcome:
    """Write one executed submission into ``autograded/`` and the gradebook; its Outcome.

    Call from one process only: this is where the gradebook is written.
    """
    if executed.error:
        return Outcome(student, assignment, graded=False, reason=f"could not execute it: {executed.error}")
    api = api or _recording_api(course)
    key = (assignment, student, assignment)
    _EXECUTED[key] = nbformat.reads(executed.notebook, as_version=4)
    try:
        with warnings.catch_warnings():
            # nbgrader's own gradebook code trips SQLAlchemy's autoflush warnings; they are harmless
            warnings.filterwarnings("ignore", message=".*not in session.*")
            result = api.autograde(assignment, student, force=True, create=True)
    finally:
        _EXECUTED.pop(key, None)
    if not result["success"]:
        last = (result.get("error") or result.get("log") or "").strip().splitlines()
        return Outcome(student, assignment, graded=False,
                       reason="nbgrader could not grade it: " + (last[-1] if last else "unknown error"))
    return scores(course, assignment, student)


Runner = Callable[[dict[str, str], dict], Iterator[tuple[str, Executed]]]


def _local_runner(jobs: int) -> Runner:
    """Run :func:`execute` in ``jobs`` spawned worker processes; yield results as they finish."""

    def run(notebooks: dict[str, str], settings: dict) -> Iterator[tuple[str, Executed]]:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed

        workers = max(1, min(jobs, len(notebooks)))
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            futures = {pool.submit(execute, nb, **settings, prestart=i < len(notebooks) - workers): student
                       for i, (student, nb) in enumerate(notebooks.items())}
            for fut in as_completed(futures):
                yield futures[fut], _result(fut)

    return run


def _dask_runner(scheduler: str) -> Runner:
    """One Dask task per submission on the cluster at ``scheduler``; results come back as data."""

    def run(notebooks: dict[str, str], settings: dict) -> Iterator[tuple[str, Executed]]:
        from distributed import Client, as_completed

        from .execute import shutdown_prestarted

        with Client(scheduler) as client:
            slots = max(1, sum(client.nthreads().values()))
            futures = {client.submit(execute, nb, **settings, prestart=i < len(notebooks) - slots,
                                     pure=False, key=f"grade-{student}-{os.urandom(4).hex()}"): student
                       for i, (student, nb) in enumerate(notebooks.items())}
            try:
                for fut in as_completed(futures):
                    yield futures[fut], _result(fut)
            finally:
                try:
                    client.run(shutdown_prestarted)
                except Exception:
                    pass

    return run


def _result(fut) -> Executed:
    try:
        return fut.result()
    except Exception as err:  # the worker itself died or could not run the task
        return Executed("", 0.0, 0.0, error=f"worker failed: {type(err).__name__}: {err}"[:2000])


def autograde(
    course: Course,
    assignment: str,
    *,
    students: list[str] | None = None,
    progress: bool = True,
    jobs: int | None = None,
    scheduler: str | None = None,
    skip: bool = True,
) -> list[Outcome]:
    """Autograde ``submitted/<student>/<assignment>/`` for each student (all by default).

    Graded notebooks go to ``autograded/<student>/<assignment>/``; scores to the gradebook.
    Execution runs in ``jobs`` local processes (default: the number of cores), or, with
    ``scheduler`` (a Dask scheduler address such as ``tcp://10.0.0.5:8786``), on that cluster;
    either way the gradebook is written by this process only. ``skip=False`` also runs the
    cells tagged ``skip-grading``. Returns one :class:`Outcome` per student, in order.
    """
    if jobs is not None and jobs < 1:
        raise ValueError(f"Invalid number of jobs: {jobs}; give 1 or more")
    todo = students if students is not None else submissions(course, assignment)
    outcomes: dict[str, Outcome] = {}
    bar = tqdm(total=len(todo), desc=f"autograde {assignment}", unit="nb", disable=not progress)

    def done(outcome: Outcome) -> None:
        outcomes[outcome.student] = outcome
        failed = sum(not o.graded for o in outcomes.values())
        bar.update(1)
        bar.set_postfix(done=len(outcomes) - failed, failed=failed, remaining=len(todo) - len(outcomes))

    notebooks: dict[str, str] = {}
    for student in todo:
        folder = course.submitted / student / assignment
        problem = _problem_with(folder, assignment) if folder.is_dir() else f"no folder submitted/{student}/{assignment}/"
        if not problem:
            try:
                notebooks[student] = sanitize(course, assignment, student)
            except Exception as err:
                problem = f"nbgrader could not sanitize it: {type(err).__name__}: {err}"
        if problem:
            done(Outcome(student, assignment, graded=False, reason=problem))
    if notebooks:
        runner = _dask_runner(scheduler) if scheduler else _local_runner(jobs or os.cpu_count() or 1)
        api = _recording_api(course)
        settings = {"timeout": course.cell_timeout, "skip": skip}
        for student, executed in runner(notebooks, settings):
            done(record(course, assignment, student, executed, api=api))
    bar.close()
    return [outcomes[s] for s in todo]
