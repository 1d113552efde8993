"""Safe autograding: the attack and fault corpus (tests/attacks.py), graded in one batch.

Every case of the corpus and the honest submissions (the demos: full solution, untouched notebook,
half done, mistakes) are written into one course and graded together with ``autograde(jobs=2)``, in
bubblewrap sandboxes, with small limits so that the faults trip them quickly. The tests then
assert each outcome and what must not have happened: no cheat above its honest work, no file
outside the sandboxes changed, no process left, no byte over the network, no hidden test seen.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import socket
import threading
import time
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from grader import sandbox
from grader.autograde import autograde, submissions
from grader.config import Course
from grader.demo import build_demo, expected_scores
from grader.release import release
from grader.report import score_table
from grader.sandbox import GiB, Limits

from . import attacks
from .attacks import ASSIGNMENT, CASES, FULL, Context
from .conftest import copy_course

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("attacks")]

#: small limits, so that the faults reach them in seconds
LIMITS = Limits(memory=GiB, wall=100.0, cpu=300, processes=128, output=200_000, disk=128 * 2**20,
                message=32 * 2**20)
CELL_TIMEOUT = 30
BY_NAME = {c.name: c for c in CASES}
#: cases that hold a job for long (a limit they must reach): graded first, so that the other job
#: grades the rest meanwhile instead of the batch ending on one of them alone (the wall-time case
#: sleeps for its 100 s to the end; last in alphabetical order, it kept the batch waiting ~90 s)
LONG_FIRST = ("wall-time", "infinite-loop", "huge-output", "memory-hog", "input-call")


class Listener:
    """A TCP server on the grader's loopback that counts connections and bytes received."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.received = b""
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.settimeout(1)
            try:
                self.received += conn.recv(65536)
            except OSError:
                pass
            conn.close()

    def close(self) -> None:
        self.stop.set()
        self.thread.join(5)
        self.sock.close()


def _snapshot(root: Path) -> dict[str, str]:
    """sha256 of every file of the course the grader itself does not write."""
    out = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if rel.split("/")[0] in ("autograded", "feedback") or rel.startswith("gradebook.db") or not path.is_file():
            continue
        out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def _leftover_processes(ctx: Context, uids: set[int]) -> list[str]:
    """Processes this batch's sandboxes started that are still alive: marked by the batch's token,
    or run by one of the user ids its own sandboxes had (``Outcome.sandbox_uid``). Sandboxes of
    another batch grading at the same time (another xdist worker) have other ids and tokens."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            argv = Path(f"/proc/{entry}/cmdline").read_bytes().decode(errors="replace").split("\0")
            uid = os.stat(f"/proc/{entry}").st_uid
        except OSError:
            continue
        cmd = " ".join(argv)
        # the attacks' marker is the whole command `sleep <token_seconds>`: the number alone also turns
        # up inside other programs' arguments (paths, ports), e.g. of another test's sandbox
        marked = len(argv) >= 2 and Path(argv[0]).name == "sleep" and argv[1] == str(ctx.token_seconds)
        if marked or uid in uids:
            found.append(f"pid {entry} uid {uid}: {cmd[:120]}")
    return found


def _batch_uids(outcomes) -> set[int]:
    return {o.sandbox_uid for o in outcomes.values() if o.sandbox_uid is not None}


_BATCH: dict = {}


@pytest.fixture
def batch(tmp_path_factory):
    """The corpus and the honest submissions, graded once in one batch (first use builds it)."""
    if not _BATCH:
        if not sandbox.status().sandboxed:
            pytest.fail(f"the corpus needs bubblewrap: {sandbox.status().reason}; {sandbox.INSTALL_HINT}")
        root = copy_course(tmp_path_factory.mktemp("attacks") / "course")
        course = Course(root=root, cell_timeout=CELL_TIMEOUT)
        release(course, assignments=[ASSIGNMENT])
        build_demo(course, ASSIGNMENT)
        listener = Listener()
        ctx = Context(root=root, victim="demo-half", port=listener.port, token=f"atk{secrets.token_hex(6)}",
                      token_seconds=3000 + secrets.randbelow(5000))
        for case in CASES:
            attacks.build(case, ctx)
        before = _snapshot(root)
        # every submission as the grader finds them (links and pipes included), in the order that
        # keeps both jobs busy: the same set, graded the same way, as without a student list
        found = submissions(course, ASSIGNMENT)
        assert sorted(found) == sorted({c.name for c in CASES} | set(expected_scores(ASSIGNMENT))), found
        order = sorted(found, key=lambda s: LONG_FIRST.index(s) if s in LONG_FIRST else len(LONG_FIRST))
        start = time.perf_counter()
        outcomes = {o.student: o for o in autograde(course, ASSIGNMENT, jobs=2, limits=LIMITS, sandboxed=True,
                                                    progress=False, students=order)}
        seconds = time.perf_counter() - start
        time.sleep(1)
        listener.close()
        _BATCH.update(course=course, ctx=ctx, outcomes=outcomes, before=before, after=_snapshot(root),
                      listener=listener, seconds=seconds, uids=_batch_uids(outcomes),
                      processes=_leftover_processes(ctx, _batch_uids(outcomes)))
        print(f"\ncorpus batch: {len(outcomes)} submissions in {seconds:.1f} s\n" + score_table(list(outcomes.values())))
    return _BATCH


def _outputs(batch, student: str) -> str:
    """All text outputs of a student's autograded notebook. Stream outputs are joined as written: a
    busy kernel may flush one print() in two stream messages ('HIDDEN-BEFORE-TESTS:', ' False')."""
    path = batch["course"].autograded / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    nb = nbformat.read(str(path), as_version=4)
    return "".join(o.get("text", "") if o.output_type == "stream" else
                   "\n" + o.get("ename", "") + ": " + o.get("evalue", "") + "\n" + o.get("text", "")
                   for c in nb.cells if c.cell_type == "code" for o in c.outputs)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_case_gets_the_outcome_its_honest_work_earns(batch, case):
    """Does each attack or fault get exactly its honest score (no more) and a reason the instructor can read?"""
    outcome = batch["outcomes"][case.name]
    if case.score is None:
        assert not outcome.graded, f"{case.name} should not be graded: {outcome}"
    else:
        assert outcome.graded, f"{case.name} was not graded: {outcome.reason}"
        assert outcome.score == case.score, \
            f"{case.name}: scored {outcome.score}, its honest work earns {case.score} ({outcome.reason})"
        assert outcome.max_score == FULL, f"{case.name}: the maximum changed to {outcome.max_score}"
    for text in case.reason:
        assert text in outcome.reason, f"{case.name}: the reason should mention {text!r}: {outcome.reason!r}"


def test_honest_students_in_the_same_batch_keep_their_scores(batch):
    """Do the demo students, graded beside the attacks, get exactly their scores? (demo-solution and
    demo-untouched are the honest bases the cases start from: every exercise solved, full marks, and
    the notebook as released, 0.)"""
    assert expected_scores(ASSIGNMENT)["demo-solution"] == FULL and expected_scores(ASSIGNMENT)["demo-untouched"] == 0
    for student, score in expected_scores(ASSIGNMENT).items():
        outcome = batch["outcomes"][student]
        assert outcome.graded and outcome.score == score, f"{student}: {outcome}"
        assert outcome.max_score == FULL, f"{student}: the maximum changed to {outcome.max_score}"
        assert outcome.reason == "", f"{student}: unexpected notes {outcome.reason!r}"


def test_no_file_outside_the_sandboxes_changes(batch):
    """Are the course's files (solutions, submissions, config) byte for byte what they were, and
    are the gradebook's scores free of any manual score or extra test cell an attack tried to add?"""
    before, after = batch["before"], batch["after"]
    assert after == before, {k: (before.get(k), after.get(k)) for k in set(before) | set(after)
                             if before.get(k) != after.get(k)}
    ctx = batch["ctx"]
    assert not list(ctx.root.rglob(f"*{ctx.token}*")), "an attack left a file in the course folder"
    assert not list(Path("/tmp").glob(f"{ctx.token}*")), "an attack left a file in the host's /tmp"
    assert not (ctx.root.parent / f"{ctx.token}.txt").exists()
    with Gradebook(batch["course"].gradebook_url) as gb:
        nb = gb.find_notebook(ASSIGNMENT, ASSIGNMENT)
        assert sorted(c.name for c in nb.grade_cells) == sorted(g for g, _ in attacks.EXERCISES), \
            "the gradebook's test cells changed"
        manual = [(s.student.id, g.name, g.manual_score) for s in nb.submissions for g in s.grades
                  if g.manual_score is not None]
        assert manual == [], f"manual scores appeared: {manual}"
    # writes that reached a real file: the gradebook, another student, the course, the solutions
    # (the other attempts land in the sandbox's own scratch /tmp and HOME, checked on the host above)
    written = _outputs(batch, "write-files")
    for target in ("gradebook", "victim", "course", "solutions"):
        assert f"'{target}: WROTE'" not in written, written
        assert f"'{target}: " in written, f"the {target} attempt did not run: {written}"


def test_no_process_survives_grading(batch):
    """Is every process a submission started (detached children, daemons, fork floods) gone?"""
    if sandbox.status().own_uid:  # as root each kernel had a user id of its own, reported in its outcome
        graded = [o for o in batch["outcomes"].values() if o.graded]
        assert graded and all(o.sandbox_uid is not None for o in graded), graded
        assert len(batch["uids"]) == len(graded)
    assert batch["processes"] == [], batch["processes"]
    assert _leftover_processes(batch["ctx"], batch["uids"]) == []


def test_the_leftover_check_finds_its_own_batch_and_only_it(batch):
    """Would a process left with one of this batch's sandbox user ids be found, and one with
    another batch's (another xdist worker grading at the same time) be left alone?"""
    import subprocess
    import sys

    if not sandbox.status().own_uid:
        pytest.skip("sandbox user ids exist only when grading as root")
    ours = min(batch["uids"])
    other = next(u for u in range(0x10000000 + 12345, 0x11000000, 7919) if u not in batch["uids"])
    sleep = "import os, sys, time; os.setgid(int(sys.argv[1])); os.setuid(int(sys.argv[1])); time.sleep(120)"
    planted = [subprocess.Popen([sys.executable, "-c", sleep, str(uid)]) for uid in (ours, other)]
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not all(os.stat(f"/proc/{p.pid}").st_uid in (ours, other)
                                                      for p in planted):
            time.sleep(0.05)
        found = _leftover_processes(batch["ctx"], batch["uids"])
        assert any(f"pid {planted[0].pid} uid {ours}:" in line for line in found), found
        assert not any(f"pid {planted[1].pid} " in line for line in found), found
    finally:
        for p in planted:
            p.kill()
            p.wait()


def test_no_byte_leaves_over_the_network(batch):
    """Did the listener on the grader's loopback see no connection and no byte?"""
    listener = batch["listener"]
    assert listener.connections == 0 and listener.received == b""
    assert "SENT" not in _outputs(batch, "network")


def test_hidden_tests_and_secrets_stay_hidden(batch):
    """Could a submission see hidden tests before they ran, or read solutions and the gradebook?"""
    peek = _outputs(batch, "peek-hidden-tests")
    assert "HIDDEN-BEFORE: False" in peek and "HIDDEN-BEFORE-TESTS: False" in peek, peek[:2000]
    secrets_out = _outputs(batch, "read-secrets")
    assert "nothing found" in secrets_out and "LEAKED" not in secrets_out, secrets_out[:2000]


def test_feedback_worthy_messages_for_faults(batch):
    """Do the fault cases leave messages in the notebook that say what happened?"""
    assert "CellTimeoutError" in _outputs(batch, "infinite-loop")
    assert "StdinNotImplementedError" in _outputs(batch, "input-call")
    assert "output cut by the grader" in _outputs(batch, "huge-output")
    assert "CheckDidNotRun" in _outputs(batch, "os-exit") or "KernelDied" in _outputs(batch, "os-exit")


def test_links_are_never_followed(batch):
    """Was no linked notebook or folder graded, and did nothing a link points to (the solution)
    reach the autograded folder, from where feedback is published?"""
    course = batch["course"]
    for name in ("link-to-solution", "link-to-student", "link-outside", "linked-folder",
                 "linked-assignment-folder", "fifo-notebook", "oversize-notebook"):
        assert not (course.autograded / name).exists(), f"{name} reached autograded/"
    extra = course.autograded / "extra-link" / ASSIGNMENT
    assert (extra / f"{ASSIGNMENT}.ipynb").is_file()
    assert not (extra / "notes.txt").exists(), "the link's target was copied into autograded/"
    for path in extra.rglob("*"):
        if path.is_file():
            assert b"BEGIN SOLUTION" not in path.read_bytes(), path


def test_the_disk_cap_holds_and_costs_the_writer_only(batch):
    """Did the writer stop at the scratch space's cap (no space left) rather than write 4 GiB?"""
    text = _outputs(batch, "disk-writer")
    line = next((ln for ln in text.splitlines() if ln.startswith("DISK: wrote")), text[-2000:])
    written = int(line.split()[2])
    assert "errno 28" in line, line  # ENOSPC: the tmpfs is full
    assert written <= LIMITS.disk // 2**20, line


def test_a_huge_kernel_message_is_refused_and_the_notebook_goes_on(batch):
    """Was the 40 MB message refused at the socket (not kept, not cut), and did the cells after it run?"""
    text = _outputs(batch, "huge-message")
    assert "x" * 1000 not in text
    assert "after the huge message" in text, text[-2000:]


def test_rerun_resumes_and_regrading_is_idempotent(batch):
    """Does a second run skip what was graded (an interrupted batch goes on where it stopped), and
    does a forced regrade give the same scores?"""
    course = batch["course"]
    graded = {s: o for s, o in batch["outcomes"].items() if o.graded}
    start = time.perf_counter()
    again = {o.student: o for o in autograde(course, ASSIGNMENT, jobs=2, limits=LIMITS, sandboxed=True,
                                             progress=False, students=sorted(graded))}
    assert time.perf_counter() - start < 60
    assert all(o.resumed for o in again.values()), [s for s, o in again.items() if not o.resumed]
    assert {s: o.score for s, o in again.items()} == {s: o.score for s, o in graded.items()}
    some = ["demo-solution", "patch-grader", "forge-evidence"]
    forced = {o.student: o for o in autograde(course, ASSIGNMENT, jobs=2, limits=LIMITS, sandboxed=True,
                                              progress=False, students=some, force=True)}
    assert not any(o.resumed for o in forced.values())
    assert {s: o.score for s, o in forced.items()} == {s: graded[s].score for s in some}


@pytest.mark.xdist_group("no-bwrap")
def test_without_bubblewrap_grading_runs_and_says_once_what_is_lost(tmp_path):
    """With no bwrap on PATH, does `python -m grader autograde` still grade right, and warn once?"""
    import subprocess
    import sys

    root = copy_course(tmp_path / "course")
    course = Course(root=root)
    release(course, assignments=[ASSIGNMENT])
    build_demo(course, ASSIGNMENT)
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bin_dir}
    assert subprocess.run([sys.executable, "-c", "import shutil; assert shutil.which('bwrap') is None"],
                          env=env).returncode == 0
    # full marks and part of them, and the control first: three notebooks over the two jobs (the
    # demos that hold stubs score 0 however they are run; the attacks batch grades all four)
    students = ("demo-solution", "demo-mistakes")
    done = subprocess.run([sys.executable, "-m", "grader", "--root", str(root), "--no-progress", "autograde",
                           ASSIGNMENT, "--jobs", "2", *(x for s in students for x in ("--student", s))],
                          env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stderr.count("WITHOUT a sandbox") == 1, done.stderr[-3000:]
    assert "bubblewrap (bwrap) is not installed" in done.stderr
    for student in students:
        score = expected_scores(ASSIGNMENT)[student]
        row = next(line for line in done.stdout.splitlines() if line.startswith(student + " "))
        assert row.rstrip().endswith(f"{score:g}/{FULL}"), row


def test_without_a_sandbox_the_disk_cap_stops_the_writer():
    """With no tmpfs to fill, is a notebook writing past --max-disk into its scratch folder stopped, with a reason?"""
    from grader.execute import execute

    writer = ("w = 0\nfor i in range(64):\n    with open(f'fill-{i}.bin', 'wb') as f:\n"
              "        for _ in range(16):\n            f.write(b'x' * 2**20)\n            w += 1\n"
              "    print(w, flush=True)\n")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(writer), nbformat.v4.new_code_cell("print('after')")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    done = execute(nbformat.writes(nb), timeout=60, prestart=False, sandboxed=False,
                   limits=Limits(disk=32 * 2**20, wall=120))
    assert done.error == "", done.error
    assert any("wrote more than its limit of 32 MiB" in n for n in done.notes), done.notes
    out = nbformat.reads(done.notebook, as_version=4)
    written = [int(x) for x in out.cells[0].outputs[0].get("text", "0").split()]
    assert max(written) < 1024, written  # stopped long before all of it (16 MiB files, 1 GiB in all)
