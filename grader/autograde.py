"""``autograde``: grade every submission of an assignment, in parallel, into nbgrader's gradebook.

Grading one submission is split in three, so that only the expensive part runs in parallel and
the gradebook is written by one process:

1. sanitize (here, in this process): nbgrader's own sanitize steps -- ClearOutput,
   DeduplicateIds, OverwriteKernelspec, OverwriteCells (locked and grade cells restored from the
   gradebook), CheckCellMetadata -- turn the submitted file into the notebook to run;
2. execute (a process pool of ``jobs`` workers, or one Dask task per submission on a cluster):
   :func:`grader.execute.execute`, a pure function of that notebook and the settings. Each kernel
   runs in a sandbox with limits (:mod:`grader.sandbox`); test cells are judged outside it, from
   the data their probes hand back (:mod:`grader.evidence`); cells tagged ``skip-grading`` are
   not run;
3. record (here again, as results arrive): nbgrader's Autograde with its Execute step replaced
   by :class:`InjectExecuted` writes ``autograded/<student>/<assignment>/`` and the scores into
   the gradebook, exactly as stock nbgrader would.

A submission that cannot be graded (missing or malformed notebook, a kernel that died, an
nbgrader error) gets a recorded outcome with a reason, and the batch goes on: one broken
submission never stops the class or touches another student's grade.

Re-running is idempotent and resumes: once a submission is recorded, a marker
``autograded/<student>/<assignment>/.grader.json`` holds the hash of the file graded, of the
grading settings and of the grader's code; a later run skips students whose marker matches
(``force=True`` regrades).
A batch stopped half-way therefore goes on where it stopped, and a student interrupted while
being recorded has no marker and is graded again from scratch.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import sys
import tempfile
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
from tqdm.auto import tqdm

from .preprocessors import InjectExecuted, InjectSanitized, hand_over
from . import catalog
from .config import RELEASE_DIR, Course
from . import sandbox
from .execute import Executed, execute, probe_calls
from .sandbox import INSTALL_HINT, Limits
from .submission import Submitted, read_submission, stage_submission

__all__ = ["Outcome", "autograde", "submissions", "scores", "sanitize", "InjectExecuted", "ControlFailed",
           "NotReleased", "CONTROL"]


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
    #: graded in an earlier run and unchanged since, so not graded again
    resumed: bool = False
    #: the user id its kernel ran as, when its sandbox had one of its own (grading as root)
    sandbox_uid: int | None = None


def submissions(course: Course, assignment: str) -> list[str]:
    """Student ids with a folder ``submitted/<student>/<assignment>/``, sorted (or a link there,
    which grading then refuses with a reason)."""
    if not course.submitted.is_dir():
        return []
    return sorted(p.name for p in course.submitted.iterdir()
                  if (p / assignment).is_dir() or (p / assignment).is_symlink())


def read_submitted(course: Course, assignment: str, student: str, *, limits: Limits | None = None) -> Submitted:
    """The student's notebook, read once without following links (:func:`grader.submission.read_submission`),
    refused above ``limits.notebook`` bytes."""
    return read_submission(course.submitted, student, assignment, max_bytes=(limits or Limits()).notebook)


def _problem_with(folder: Path, assignment: str, *, data: bytes | None = None, limits: Limits | None = None) -> str:
    """A reason the submission in ``folder`` (``submitted/<student>/<assignment>``) cannot be
    graded, or '' when it looks fine. ``data``: the notebook's bytes as :func:`read_submitted` gave them;
    without, the file is read here the same way (never through a link, never above the limit)."""
    if data is None:
        got = read_submission(folder.parent.parent, folder.parent.name, assignment,
                              max_bytes=(limits or Limits()).notebook)
        if got.problem:
            return got.problem
        data = got.data
    try:
        text = data.decode("utf-8")
        json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        return f"{assignment}.ipynb is not a valid notebook file ({err}); ask the student to re-download it"
    try:
        nb = nbformat.reads(text, as_version=4)
        if not isinstance(nb.get("cells"), list) or not all(isinstance(c, dict) for c in nb.cells):
            raise ValueError("its cells are not a list of cells")
    except Exception as err:  # nbformat raises many kinds of error on a damaged file
        return (f"{assignment}.ipynb is not a valid notebook file ({type(err).__name__}: {str(err)[:200]}); "
                "ask the student to re-download it")
    return ""


def scores(course: Course, assignment: str, student: str) -> Outcome:
    """Read one student's grades for ``assignment`` from the gradebook."""
    with Gradebook(course.gradebook_url, course.course_id) as gb:
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


def _released_metadata(course: Course, assignment: str) -> dict[str, dict]:
    """grade id -> nbgrader metadata of each cell of the notebook students were given."""
    path = course.path(RELEASE_DIR, assignment, f"{assignment}.ipynb")
    nb = nbformat.read(str(path), as_version=4)
    out = {}
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader")
        if meta and meta.get("grade_id"):
            out[meta["grade_id"]] = dict(meta)
    return out


def repair(nb: NotebookNode, released: dict[str, dict]) -> list[str]:
    """Make a submission's nbgrader metadata the released notebook's again; returns notes.

    A student's file may carry any metadata: a copied test cell (a duplicated grade id), a test
    cell unmarked or given 100 points, a new "graded" cell. nbgrader stops on some of these and
    trusts others. Here every cell whose grade id the released notebook has gets that
    notebook's metadata back (so nbgrader then restores its source when it is a test cell), and
    every other claim to be graded -- a second copy of an id, an unknown id -- is removed.
    """
    notes: list[str] = []
    seen: set[str] = set()
    for cell in nb.cells:
        metadata = cell.setdefault("metadata", {})
        meta = metadata.get("nbgrader")
        if meta is None:
            continue
        gid = meta.get("grade_id") if isinstance(meta, dict) else None
        if not isinstance(gid, str) or gid not in released:
            del metadata["nbgrader"]
            if isinstance(meta, dict) and (meta.get("grade") or meta.get("solution") or meta.get("locked")):
                notes.append(f"a cell marked as graded with an unknown id ({str(gid)[:40]!r}) was not graded")
            continue
        if gid in seen:
            del metadata["nbgrader"]
            notes.append(f"a second copy of cell {gid!r} was not graded")
            continue
        seen.add(gid)
        if meta != released[gid]:
            metadata["nbgrader"] = dict(released[gid])
    return notes


def sanitize(course: Course, assignment: str, student: str, *,
             released: dict[str, dict] | None = None, data: bytes | None = None) -> tuple[str, list[str]]:
    """The submitted notebook after :func:`repair` and nbgrader's sanitize steps (as its
    Autograde runs them), as JSON, with the repair's notes.

    ``data``: the notebook's bytes as :func:`read_submitted` gave them; without, the file is read here the
    same way (ValueError with the reason when it is refused). Reads the gradebook (the
    assignment's source cells and kernelspec); writes nothing.
    """
    from nbgrader.converters import Autograde

    config = course.nbgrader_config()
    if data is None:
        got = read_submitted(course, assignment, student)
        if got.problem:
            raise ValueError(got.problem)
        data = got.data
    nb = nbformat.reads(data.decode("utf-8"), as_version=4)
    notes = repair(nb, released if released is not None else _released_metadata(course, assignment))
    resources = ResourcesDict(nbgrader={"student": student, "assignment": assignment, "notebook": assignment,
                                        "db_url": course.gradebook_url})
    for step in Autograde.sanitize_preprocessors.default():
        nb, resources = step(config=config).preprocess(nb, resources)
    return nbformat.writes(nb), notes


class NotReleased(LookupError):
    """The gradebook does not know the assignment: it was never released there (or does not exist)."""

    def __init__(self, course: Course, assignment: str) -> None:
        from .release import source_assignments

        known = source_assignments(course)
        if assignment not in known:
            text = (f"no assignment {assignment!r} in this course: solutions/ holds "
                    f"{', '.join(known) or 'none'}")
        else:
            text = (f"{assignment} has not been released into this gradebook ({_safe_url(course.gradebook_url)}) "
                    f"yet: run `python -m grader release {assignment}` first, with the same --db")
        super().__init__(text)


def _safe_url(url: str) -> str:
    """A database URL without its password, to print."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "the configured database"


def test_sources(course: Course, assignment: str) -> dict[str, str]:
    """grade id -> source of each autograder test cell, as the gradebook has it (hidden tests included).

    Raises ValueError naming the cell when a test cell holds anything but ``run(...)`` calls,
    which the autograder could not judge outside the student's kernel.
    """
    with Gradebook(course.gradebook_url, course.course_id) as gb:
        try:
            nb = gb.find_notebook(assignment, assignment)
        except MissingEntry:
            raise NotReleased(course, assignment) from None
        out = {}
        for cell in nb.grade_cells:
            if cell.cell_type != "code":
                continue
            try:
                source = gb.find_source_cell(cell.name, assignment, assignment).source
            except MissingEntry:
                continue
            if "BEGIN SOLUTION" in source:  # a solution cell that is also graded: nbgrader's "autograded answer"
                continue
            try:
                probe_calls(source)
            except (SyntaxError, ValueError) as err:
                raise ValueError(f"{assignment}: test cell {cell.name!r}: {err}") from None
            out[cell.name] = source
        return out


@functools.cache
def _grader_hash() -> str:
    """Hash of the grader's own code (checks, catalog, execution): a fix there regrades everyone."""
    h = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for path in sorted([*here.rglob("*.py"), *here.rglob("*.toml")]):
        h.update(path.relative_to(here).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def _fingerprint(course: Course, assignment: str, student: str, settings: dict, *,
                 data: bytes | None = None) -> str:
    """Hash of the submitted file, the test cells, the settings and the grader's code: what decides
    the grade. ``data``: the file's bytes as :func:`read_submitted` gave them; without, it is read here the
    same way (a refused file hashes as its reason, which no graded submission's marker holds)."""
    h = hashlib.sha256()
    h.update(_grader_hash().encode())
    if data is None:
        got = read_submitted(course, assignment, student, limits=settings.get("limits"))
        data = got.data if got.data is not None else b"\0refused\0" + got.problem.encode()
    h.update(data)
    h.update(json.dumps({k: (repr(v) if k == "limits" else v) for k, v in sorted(settings.items())},
                        sort_keys=True, default=str).encode())
    return h.hexdigest()


def _marker(course: Course, assignment: str, student: str) -> Path:
    return course.autograded / student / assignment / ".grader.json"


def _already_graded(course: Course, assignment: str, student: str, fingerprint: str) -> Outcome | None:
    try:
        mark = json.loads(_marker(course, assignment, student).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if mark.get("fingerprint") != fingerprint:
        return None
    outcome = scores(course, assignment, student)
    if not outcome.graded:
        return None
    outcome.reason = mark.get("reason", "")
    outcome.resumed = True
    return outcome


def _recording_api(course: Course) -> NbGraderAPI:
    """nbgrader's API whose autograde records already-executed notebooks instead of running them."""
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import Execute

    config = course.nbgrader_config()
    config.Autograde.sanitize_preprocessors = [InjectSanitized]
    config.Autograde.autograde_preprocessors = [
        InjectExecuted if step is Execute else step for step in Autograde.autograde_preprocessors.default()]
    return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)


def record(course: Course, assignment: str, student: str, executed: Executed, *,
           api: NbGraderAPI | None = None) -> Outcome:
    """Write one executed submission into ``autograded/`` and the gradebook; its Outcome.

    Call from one process only: this is where the gradebook is written.
    """
    if executed.error:
        return Outcome(student, assignment, graded=False, reason=f"could not execute it: {executed.error}",
                       sandbox_uid=executed.sandbox_uid)
    api = api or _recording_api(course)
    key = (assignment, student, assignment)
    hand_over(api.config, key, executed.notebook)
    # nbgrader's Autograde reads the submission folder itself (it parses the notebook and copies
    # every other file, following links, into autograded/): it is given a copy made without
    # following links, holding the notebook that was graded
    staging = Path(tempfile.mkdtemp(prefix="grader-record-"))
    submitted_dir = api.coursedir.submitted_directory
    try:
        copied = stage_submission(course.submitted, student, assignment, staging / student / assignment,
                                  notebook=executed.notebook, ignore=list(api.coursedir.ignore))
        api.coursedir.submitted_directory = str(staging)
        with warnings.catch_warnings():
            # nbgrader's own gradebook code trips SQLAlchemy's autoflush warnings; they are harmless
            warnings.filterwarnings("ignore", message=".*not in session.*")
            result = api.autograde(assignment, student, force=True, create=True)
    finally:
        hand_over(api.config, key, None)
        api.coursedir.submitted_directory = submitted_dir
        shutil.rmtree(staging, ignore_errors=True)
    if not result["success"]:
        last = (result.get("error") or result.get("log") or "").strip().splitlines()
        return Outcome(student, assignment, graded=False, sandbox_uid=executed.sandbox_uid,
                       reason="nbgrader could not grade it: " + (last[-1] if last else "unknown error"))
    outcome = scores(course, assignment, student)
    outcome.reason = "; ".join([*executed.notes, *copied])
    outcome.sandbox_uid = executed.sandbox_uid
    return outcome


#: the positive control's key among the notebooks a batch executes: no student folder has this name
CONTROL = "/control"


class ControlFailed(RuntimeError):
    """The instructor's own solution, graded as a control, did not reach full marks: the grading
    environment is broken, and the batch stopped before any student was scored."""


def control_notebook(course: Course, assignment: str, released: dict[str, dict]) -> str:
    """The positive control: the instructor's solution (``solutions/``) handed in as a submission,
    sanitized as every submission is, as JSON."""
    from nbgrader.converters import Autograde

    from .demo import solution_submission

    nb = solution_submission(course, assignment)
    repair(nb, released)
    config = course.nbgrader_config()
    resources = ResourcesDict(nbgrader={"student": CONTROL, "assignment": assignment, "notebook": assignment,
                                        "db_url": course.gradebook_url})
    for step in Autograde.sanitize_preprocessors.default():
        nb, resources = step(config=config).preprocess(nb, resources)
    return nbformat.writes(nb)


def control_failure(assignment: str, executed: Executed, tests: dict[str, str]) -> str:
    """Why the control did not reach full marks ('' when it did): its score and first failure."""
    from nbgrader.utils import determine_grade

    where = f"solutions/{assignment}/{assignment}.ipynb"
    if executed.error:
        return f"the instructor's solution ({where}) could not be executed: {executed.error}"
    nb = nbformat.reads(executed.notebook, as_version=4)
    points = {ex.grade_id: float(ex.points) for ex in catalog.for_assignment(assignment)}
    scored: dict[str, float] = {}
    first = ""
    for cell in nb.cells:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if cell.cell_type != "code" or gid not in tests:
            continue
        score, _ = determine_grade(cell, None)
        scored[gid] = float(score or 0.0)
        if not first and scored[gid] < points.get(gid, 0.0):
            errors = [o for o in cell.outputs if o.get("output_type") == "error"]
            why = (f"{errors[0].get('ename', '')}: {errors[0].get('evalue', '')}" if errors
                   else "the test cell did not pass")
            first = f"exercise {gid!r}: {why.strip()[:1500]}"
    total, full = sum(scored.values()), sum(points.values())
    if total >= full:
        return ""
    if not first:
        missing = sorted(set(points) - set(scored))
        first = f"no test cell graded for {', '.join(missing)}" if missing else "a test cell lost points"
    notes = f" ({'; '.join(executed.notes)})" if executed.notes else ""
    # the cause is often earlier than the first failed test: an import cell that raised, say
    cause = ""
    for index, cell in enumerate(nb.cells):
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if cell.cell_type == "code" and errors:
            if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") not in tests:
                cause = (f". The first error in the notebook, in cell {index}, was "
                         f"{errors[0].get('ename', '')}: {str(errors[0].get('evalue', ''))[:500]}")
            break
    return (f"the instructor's solution ({where}), graded first as a control in the same sandbox and "
            f"settings as the students, scored {total:g}/{full:g}{notes}. First failure: {first}{cause}")


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
            try:
                for fut in as_completed(futures):
                    yield futures[fut], _result(fut)
            finally:  # stopped early (a failed control): what has not started never starts
                pool.shutdown(wait=False, cancel_futures=True)

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
                    client.cancel(list(futures))  # stopped early: nothing more is graded
                    client.run(shutdown_prestarted)
                except Exception:
                    pass

    return run


_WARNED: set[str] = set()


def _warn_once(text: str) -> None:
    """Print ``text`` on stderr the first time only (per process)."""
    if text and text not in _WARNED:
        _WARNED.add(text)
        print(text, file=sys.stderr)


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
    limits: Limits | None = None,
    sandboxed: bool | None = None,
    force: bool = False,
    control: bool = True,
) -> list[Outcome]:
    """Autograde ``submitted/<student>/<assignment>/`` for each student (all by default).

    Graded notebooks go to ``autograded/<student>/<assignment>/``; scores to the gradebook.
    Execution runs in ``jobs`` local processes (default: the number of cores), or, with
    ``scheduler`` (a Dask scheduler address such as ``tcp://10.0.0.5:8786``), on that cluster;
    either way the gradebook is written by this process only. ``skip=False`` also runs the
    cells tagged ``skip-grading``. ``limits`` bounds each submission's memory, time and processes;
    ``sandboxed=None`` uses bubblewrap where it works (and warns once where it does not).
    Students graded before with the same file and settings are not graded again unless ``force``.

    Before any student is scored, the instructor's solution is graded as a positive control in
    the same way (``control``; never recorded): when it does not reach full marks the grading
    environment is broken, and :class:`ControlFailed` is raised before anything is written.
    Raises :class:`NotReleased` for an assignment the gradebook does not know.
    Returns one :class:`Outcome` per student, in order.
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

    limits = limits or Limits()
    if sandboxed is None:
        sandboxed = sandbox.status().sandboxed
        if not sandboxed:
            _warn_once(sandbox.status().warning())
    tests = test_sources(course, assignment)
    # on a cluster each worker decides for itself whether bubblewrap works there
    settings = {"timeout": course.cell_timeout, "skip": skip, "tests": tests, "limits": limits,
                "sandboxed": None if scheduler and sandboxed else sandboxed}
    fingerprints: dict[str, str] = {}
    notebooks: dict[str, str] = {}
    repairs: dict[str, list[str]] = {}
    released = _released_metadata(course, assignment)
    for student in todo:
        got = read_submitted(course, assignment, student, limits=limits)  # once: no link, no file over the limit
        if got.data is not None:
            fingerprints[student] = _fingerprint(course, assignment, student, settings, data=got.data)
            if not force:
                earlier = _already_graded(course, assignment, student, fingerprints[student])
                if earlier is not None:
                    done(earlier)
                    continue
        problem = got.problem or _problem_with(course.submitted / student / assignment, assignment, data=got.data)
        if not problem:
            try:
                notebooks[student], repairs[student] = sanitize(course, assignment, student, released=released,
                                                                data=got.data)
            except Exception as err:
                problem = f"nbgrader could not sanitize it: {type(err).__name__}: {err}"
        if problem:
            done(Outcome(student, assignment, graded=False, reason=problem))
    if notebooks:
        runner = _dask_runner(scheduler) if scheduler else _local_runner(jobs or os.cpu_count() or 1)
        api = _recording_api(course)

        def record_one(student: str, executed: Executed) -> None:
            _marker(course, assignment, student).unlink(missing_ok=True)
            outcome = record(course, assignment, student, executed, api=api)
            outcome.reason = "; ".join(x for x in (*repairs.get(student, []), outcome.reason) if x)
            if outcome.graded and student in fingerprints:
                mark = _marker(course, assignment, student)
                mark.parent.mkdir(parents=True, exist_ok=True)
                tmp = mark.with_suffix(".tmp")
                tmp.write_text(json.dumps({"fingerprint": fingerprints[student], "reason": outcome.reason}),
                               encoding="utf-8")
                os.replace(tmp, mark)
            done(outcome)

        # the control goes first, so it runs alongside the first submissions; until it has
        # passed, what arrives waits here, unrecorded
        waiting: dict[str, Executed] | None = {} if control else None
        if control:
            notebooks = {CONTROL: control_notebook(course, assignment, released), **notebooks}
        try:
            for student, executed in runner(notebooks, settings):
                if sandboxed and not executed.error and not executed.sandboxed:
                    _warn_once(f"WARNING: the worker on {executed.host or 'another machine'} graded without a "
                               f"sandbox ({INSTALL_HINT} there). Until then, {sandbox.LOST}")
                if student == CONTROL:
                    why = control_failure(assignment, executed, tests)
                    if why:
                        raise ControlFailed(
                            f"{assignment}: stopped before scoring anyone, because this grading environment is "
                            f"broken: {why.rstrip('.')}. Nothing was written to the gradebook. Fix the environment, then "
                            f"grade again: e.g. a .venv installed from another checkout (rebuild it here: "
                            f"rm -rf .venv && make venv), a package missing, or a check that rejects the "
                            f"reference solution (python -m grader check solutions/{assignment}/{assignment}.ipynb).")
                    for early, result in waiting.items():
                        record_one(early, result)
                    waiting = None
                elif waiting is not None:
                    waiting[student] = executed
                else:
                    record_one(student, executed)
        finally:
            bar.close()
    bar.close()
    return [outcomes[s] for s in todo]
