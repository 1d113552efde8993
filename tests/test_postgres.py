"""The gradebook on a real PostgreSQL server, started here from Debian's ``postgresql`` package.

A throwaway server (initdb into a temporary folder, trust authentication, listening only on a
Unix socket in that folder) is started once for this module and stopped and removed at the end.
Without the server binaries the tests fail, naming the package to install; they never skip.

- the instructor's pipeline (release, demo, autograde, feedback, export) against PostgreSQL and
  against SQLite gives byte-identical ``grades.csv`` files;
- stock nbgrader commands run from the course folder write to PostgreSQL too (the release of the
  next test);
- two grader processes writing to one PostgreSQL gradebook at once, on overlapping sets of
  students, lose and duplicate no grade.
"""

from __future__ import annotations

import difflib
import glob
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import pytest
from nbgrader.api import Gradebook

from grader import catalog
from grader.autograde import autograde
from grader.config import COURSE_ID, Course
from grader.demo import DEMO_STUDENTS, build_demo, expected_scores
from grader.export import export
from grader.feedback import feedback
from grader.release import release

from .conftest import ROOT, copy_course

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("postgres")]

ASSIGNMENTS = [a for a in catalog.assignments() if (ROOT / "solutions" / a).is_dir()]
#: the assignment graded end to end, and the ones released (grades.csv has a row per student for each)
ASSIGNMENT = ASSIGNMENTS[0]
RELEASED = ASSIGNMENTS[:2]
BIN = Path(sys.executable).parent
#: the database role initdb creates (a superuser; trust authentication)
ROLE = "grader"
INSTALL = ("install the Debian package `postgresql` (sudo apt-get install postgresql; `make test` "
           "installs it)")
#: submission times, as students' timestamp.txt files give them, so the timestamp column is tested
STAMPS = {"demo-solution": "2026-03-01 09:30:00.250000 UTC", "demo-half": "2026-03-02 23:59:59.999999+02:00"}


def server_binaries(path: str | None = None, dirs: list[str] | None = None) -> dict[str, str]:
    """initdb and pg_ctl: from PATH, else from Debian's /usr/lib/postgresql/<version>/bin (the
    newest). Fails the test, naming the package, when they are not there."""
    if dirs is None:
        dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                      key=lambda d: [int(x) if x.isdigit() else 0 for x in Path(d).parent.name.split(".")],
                      reverse=True)
    for search in (path if path is not None else os.environ.get("PATH", ""), *dirs):
        found = {name: shutil.which(name, path=search) for name in ("initdb", "pg_ctl")}
        if all(found.values()):
            return found  # type: ignore[return-value]
    pytest.fail(f"the PostgreSQL server (initdb, pg_ctl) is not installed: not on PATH nor in "
                f"/usr/lib/postgresql/*/bin. These tests run a real PostgreSQL server: {INSTALL}.",
                pytrace=False)


def _server_user() -> tuple[list[str], pwd.struct_passwd | None]:
    """The command prefix that runs the server's programs, and the user they run as: PostgreSQL
    refuses to run as root, so as root they run as the `postgres` user the Debian package creates."""
    if os.geteuid() != 0:
        return [], None
    try:
        user = pwd.getpwnam("postgres")
    except KeyError:
        pytest.fail(f"running as root, and PostgreSQL refuses to run as root; there is no `postgres` "
                    f"user to run it as: {INSTALL}, which creates that user.", pytrace=False)
    if shutil.which("runuser"):
        return ["runuser", "-u", user.pw_name, "--"], user
    return ["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--clear-groups", "--"], user


class PostgresServer:
    """A throwaway PostgreSQL cluster in a temporary folder, reachable on a Unix socket there."""

    def __init__(self) -> None:
        self.bins = server_binaries()
        self.prefix, user = _server_user()
        # short path: a Unix socket's path must stay under ~100 characters
        self.dir = Path(tempfile.mkdtemp(prefix="tnn-pg-"))
        if user is not None:
            os.chown(self.dir, user.pw_uid, user.pw_gid)
        self.data = self.dir / "data"
        self.log = self.dir / "server.log"
        self.started = False

    def _run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run([*self.prefix, *args], cwd=self.dir, capture_output=True, text=True,
                              timeout=timeout)

    def start(self) -> "PostgresServer":
        done = self._run(self.bins["initdb"], "-D", str(self.data), "-U", ROLE, "--auth=trust",
                         "--encoding=UTF8", "--no-locale", "--no-sync")
        if done.returncode:
            raise RuntimeError(f"initdb failed:\n{done.stdout}\n{done.stderr}")
        with open(self.data / "postgresql.conf", "a") as conf:
            # no TCP port at all (nothing to collide with another test run); durability is not needed
            conf.write(f"\nlisten_addresses = ''\nunix_socket_directories = '{self.dir}'\n"
                       "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n")
        done = self._run(self.bins["pg_ctl"], "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60",
                         "start")
        self.started = True
        if done.returncode:
            raise RuntimeError(f"pg_ctl start failed:\n{done.stdout}\n{done.stderr}\n{self.server_log()}")
        return self

    def server_log(self) -> str:
        try:
            return self.log.read_text()[-4000:]
        except OSError:
            return ""

    def stop(self) -> None:
        try:
            if self.started:  # nothing here needs to survive: no clean shutdown
                self._run(self.bins["pg_ctl"], "-D", str(self.data), "-m", "immediate", "-w", "-t", "60", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def connect(self, dbname: str = "postgres", **kwargs) -> psycopg.Connection:
        return psycopg.connect(host=str(self.dir), user=ROLE, dbname=dbname, **kwargs)

    def create_database(self, name: str) -> str:
        """A new, empty database; its URL as an instructor writes it (plain ``postgresql://``)."""
        with self.connect(autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql://{ROLE}@/{name}?host={self.dir}"


@pytest.fixture(scope="module")
def postgres():
    server = PostgresServer()
    try:
        yield server.start()
    finally:
        server.stop()


def test_missing_server_fails_naming_the_package():
    """Without initdb and pg_ctl anywhere, does the fixture fail (not skip), naming the package?"""
    with pytest.raises(pytest.fail.Exception, match="install the Debian package `postgresql`"):
        server_binaries(path="", dirs=[])


def _pipeline(root: Path, db_url: str | None, *, control: bool = True) -> tuple[Course, dict]:
    """release (``RELEASED``), demo, autograde, feedback and export of ``ASSIGNMENT``. ``control``:
    grade the positive control first (it is never recorded, so grades.csv does not depend on it)."""
    course = Course(root=root, db_url=db_url)
    release(course, assignments=RELEASED)
    build_demo(course, ASSIGNMENT)
    for student, stamp in STAMPS.items():
        (course.submitted / student / ASSIGNMENT / "timestamp.txt").write_text(stamp)
    outcomes = {o.student: o for o in autograde(course, ASSIGNMENT, progress=False, jobs=2, control=control)}
    notes = feedback(course, ASSIGNMENT, progress=False)
    assert all(isinstance(notes[s], Path) and notes[s].is_file() for s in DEMO_STUDENTS), notes
    export(course)
    return course, outcomes


def test_pipeline_on_postgres_matches_sqlite(postgres, tmp_path):
    """Do release, demo, autograde, feedback and export work against PostgreSQL (which enforces
    foreign keys), score the demos as expected, and write the same grades.csv, byte for byte, as
    the same pipeline against SQLite?"""
    url = postgres.create_database("pipeline")
    pg, pg_outcomes = _pipeline(copy_course(tmp_path / "pg"), url)
    # the SQLite twin is only there to compare with: its positive control would run the same
    # solution again, as the e2e tests of this assignment already do against SQLite
    lite, lite_outcomes = _pipeline(copy_course(tmp_path / "sqlite"), None, control=False)
    assert pg.gradebook_url.startswith("postgresql+psycopg://") and lite.gradebook_url.startswith("sqlite:")

    want = expected_scores(ASSIGNMENT)
    assert {s: pg_outcomes[s].score for s in DEMO_STUDENTS} == want
    assert {s: (o.graded, o.score, o.exercises) for s, o in pg_outcomes.items()} == \
        {s: (o.graded, o.score, o.exercises) for s, o in lite_outcomes.items()}

    pg_csv, lite_csv = pg.path("grades.csv").read_text(), lite.path("grades.csv").read_text()
    assert pg_csv == lite_csv, "grades.csv differs between PostgreSQL and SQLite:\n" + "".join(
        difflib.unified_diff(lite_csv.splitlines(True), pg_csv.splitlines(True), "sqlite", "postgresql"))
    rows = pg_csv.splitlines()
    assert len(rows) == 1 + len(RELEASED) * len(DEMO_STUDENTS)
    assert "2026-03-01 09:30:00.250000" in pg_csv and "2026-03-02 21:59:59.999999" in pg_csv

    # the database really enforces the foreign key that an empty course id broke, and every
    # assignment names the one course
    with postgres.connect("pipeline") as conn:
        fks = conn.execute("SELECT count(*) FROM information_schema.table_constraints "
                           "WHERE table_name = 'assignment' AND constraint_type = 'FOREIGN KEY'").fetchone()[0]
        assert fks == 1
        assert conn.execute("SELECT id FROM course").fetchall() == [(COURSE_ID,)]
        assert sorted(conn.execute("SELECT name, course_id FROM assignment").fetchall()) == \
            [(a, COURSE_ID) for a in RELEASED]


def _waiting_on(conn: psycopg.Connection, table: str) -> int:
    """How many sessions wait for a lock on ``table``."""
    return conn.execute("SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                        "WHERE NOT l.granted AND c.relname = %s", (table,)).fetchone()[0]


def _stock_release(postgres, root: Path, url: str, dbname: str) -> None:
    """Stock `nbgrader generate_assignment`, run from the course folder (so nbgrader_config.py
    applies) with COURSE_DB_URL set to a plain postgresql:// URL: does it write the assignment
    and its test cells into PostgreSQL, under the course id?"""
    env = {**os.environ, "COURSE_ROOT": str(root), "COURSE_DB_URL": url}
    proc = subprocess.run([str(BIN / "nbgrader"), "generate_assignment", ASSIGNMENT, "--force"], cwd=root,
                          env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"stock nbgrader generate_assignment failed on PostgreSQL:\n{proc.stderr[-3000:]}"
    with postgres.connect(dbname) as conn:
        assert conn.execute("SELECT name, course_id FROM assignment").fetchall() == [(ASSIGNMENT, COURSE_ID)]
        cells = conn.execute("SELECT count(*) FROM grade_cells").fetchone()[0]
    assert cells == len(catalog.for_assignment(ASSIGNMENT))


def test_two_graders_share_one_postgres_gradebook(postgres, tmp_path):
    """The instructor releases with stock nbgrader; then two `python -m grader autograde`
    processes, each from its own copy of the course (two graders' machines), write to one
    PostgreSQL gradebook at once, on overlapping sets of students: does each grade all of its
    students, and does the gradebook end with exactly one submission per student, with the
    right score?

    Both are made to create their first (shared) student at the same moment: this test holds a
    lock on the student table until both graders wait for it, then lets them go together."""
    url = postgres.create_database("shared")
    a = Course(root=copy_course(tmp_path / "a"), db_url=url)
    b = Course(root=copy_course(tmp_path / "b"), db_url=url)
    _stock_release(postgres, a.root, url, "shared")
    shutil.copytree(a.path("notebooks"), b.path("notebooks"), dirs_exist_ok=True)
    for course in (a, b):
        build_demo(course, ASSIGNMENT)
    # each grader's first student is the shared one; then one of its own
    sets = {"a": (a, ["demo-solution", "demo-untouched"]), "b": (b, ["demo-solution", "demo-half"])}
    everyone = sorted({s for _, students in sets.values() for s in students})
    want = expected_scores(ASSIGNMENT)
    full = sum(ex.points for ex in catalog.for_assignment(ASSIGNMENT))

    procs = {}
    with postgres.connect("shared") as hold, postgres.connect("shared", autocommit=True) as watch:
        hold.execute("LOCK TABLE student IN EXCLUSIVE MODE")  # reads go on; inserts wait
        for name, (course, students) in sets.items():
            out = (tmp_path / f"{name}.out").open("w")
            cmd = [sys.executable, "-m", "grader", "--no-progress", "--db", url, "autograde", ASSIGNMENT,
                   "--jobs", "1", *(x for s in students for x in ("--student", s))]
            procs[name] = (subprocess.Popen(cmd, cwd=course.root, stdout=out, stderr=subprocess.STDOUT), out)
        deadline = time.monotonic() + 600
        while _waiting_on(watch, "student") < 2:
            ended = {n: p.poll() for n, (p, _) in procs.items() if p.poll() is not None}
            if ended or time.monotonic() > deadline:
                for p, _ in procs.values():
                    p.kill()
                pytest.fail(f"the graders did not both reach the gradebook (exited: {ended}):\n" +
                            "\n".join((tmp_path / f"{n}.out").read_text()[-3000:] for n in procs))
            time.sleep(0.2)
        hold.commit()  # both graders now create the same student at once
    for name, (proc, out) in procs.items():
        try:
            proc.wait(timeout=600)
        finally:
            out.close()
    logs = {name: (tmp_path / f"{name}.out").read_text() for name in procs}

    for name, (course, students) in sets.items():
        assert procs[name][0].returncode == 0, logs[name][-3000:]
        assert "not graded:" not in logs[name], f"grader {name} lost a student:\n{logs[name][-3000:]}"
        assert "Rolling back session" not in logs[name], logs[name][-3000:]  # the retry is quiet
        lines = {ln.split()[0]: ln.split()[-1] for ln in logs[name].splitlines() if ln.startswith("demo-")}
        assert {s: lines.get(s) for s in students} == {s: f"{want[s]:g}/{full:g}" for s in students}, logs[name]
        for s in students:
            assert (course.autograded / s / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file()

    with postgres.connect("shared") as conn:
        subs = conn.execute("SELECT s.student_id, count(*) FROM submitted_assignment s "
                            "JOIN assignment a ON a.id = s.assignment_id WHERE a.name = %s "
                            "GROUP BY s.student_id ORDER BY s.student_id", (ASSIGNMENT,)).fetchall()
        grades = conn.execute("SELECT count(*), count(DISTINCT (g.notebook_id, g.cell_id)) FROM grade g").fetchone()
        students = conn.execute("SELECT id FROM student ORDER BY id").fetchall()
    assert subs == [(s, 1) for s in everyone]
    assert students == [(s,) for s in everyone]
    assert grades == (len(everyone) * len(catalog.for_assignment(ASSIGNMENT)),) * 2
    with Gradebook(a.gradebook_url, a.course_id) as gb:
        assert {s: gb.find_submission(ASSIGNMENT, s).score for s in everyone} == {s: want[s] for s in everyone}
