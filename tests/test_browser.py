"""End to end in a real browser: a student and an instructor in JupyterLab.

Each role's JupyterLab is started by the Makefile's own target (`make lab` for the student,
`make formgrader` for the instructor: the same options and jupyter/ config), on its own copy of
the course (the real notebooks are never touched), on a free loopback port with a token, and
driven in headless Chromium: Debian's `chromium`, through playwright, which downloads no browser.

The two sessions run at the same time (one thread, server and browser each), started by the
module's ``sessions`` fixture; each test then reports its own session. Screenshots of every
step go to test-artifacts/browser/<role>/ (ignored by git) with the server's log; each test
prints their paths and the time of each step (`pytest -rP` shows them for passing tests).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from grader import catalog

from .conftest import ROOT, copy_course

# both sessions run in one worker, at the same time (see `sessions`)
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]

ASSIGNMENT = "01-sgd"
EXERCISES = [ex.grade_id for ex in catalog.for_assignment(ASSIGNMENT)]
ARTIFACTS = ROOT / "test-artifacts" / "browser"

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# The network is closed here: without these, Chromium stalls on refused connections.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

#: How long any one step may take, in ms: a kernel start, a Run All, a validation.
STEP_MS = 180_000

GRADER_FRAME = re.compile(r'grader/checks|File "?[^\n"]*/grader/')


# -- servers ------------------------------------------------------------------------------


@dataclass
class Lab:
    """A JupyterLab server started by a Makefile target, and where its test writes."""

    url: str
    token: str
    course: Path
    artifacts: Path
    shots: list[Path] = field(default_factory=list)
    timings: list[tuple[str, float]] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    def api(self, path: str, method: str = "GET") -> tuple[int, bytes]:
        req = urllib.request.Request(f"{self.url}{path}", method=method,
                                     headers={"Authorization": f"token {self.token}"})
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as err:
            return err.code, err.read()

    def report(self) -> str:
        lines = [f"{self.artifacts.name}: seconds since the server was started, at each step"]
        lines += [f"  {s:6.1f}  {name}" for name, s in self.timings]
        lines += ["screenshots:", *(f"  {p}" for p in self.shots), f"server log: {self.artifacts / 'jupyterlab.log'}"]
        return "\n".join(lines)

    def shot(self, page, name: str) -> None:
        """Screenshot the page as test-artifacts/browser/<role>/<NN>-<name>.png, and time the step."""
        path = self.artifacts / f"{len(self.shots) + 1:02d}-{name}.png"
        page.screenshot(path=str(path))
        self.shots.append(path)
        self.timings.append((name, time.monotonic() - self.started))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_NOT_PASSED = {"JUPYTER_CONFIG_PATH", "JUPYTER_PREFER_ENV_PATH", "COURSE_ROOT", "COURSE_DB_URL",
               "MAKEFLAGS", "MAKELEVEL", "MFLAGS"}


def _isolated_env(home: Path) -> dict[str, str]:
    """The environment, with every per-user Jupyter folder in ``home``: the developer's own
    settings, workspaces and runtime files neither reach the server nor are written to; nor do
    their course settings (a COURSE_DB_URL would point the formgrader at their gradebook) or an
    outer make's flags."""
    env = {k: v for k, v in os.environ.items() if k not in _NOT_PASSED}
    for var, sub in [("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                     ("JUPYTER_RUNTIME_DIR", "runtime"), ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"),
                     ("JUPYTERLAB_SETTINGS_DIR", "settings"), ("IPYTHONDIR", "ipython")]:
        (home / sub).mkdir(parents=True, exist_ok=True)
        env[var] = str(home / sub)
    # as a user who answered "no" to JupyterLab's news prompt, which would cover the screenshots
    news = home / "settings" / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    news.parent.mkdir(parents=True, exist_ok=True)
    news.write_text(json.dumps({"fetchNews": "false"}))
    return env


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM to make, its shell and JupyterLab (which then shuts its kernels down), SIGKILL after 30 s."""
    for sig, wait in [(signal.SIGTERM, 30.0), (signal.SIGKILL, 5.0)]:
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            proc.poll()
            try:
                os.killpg(proc.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.2)


@contextmanager
def _jupyterlab(target: str, lab: Lab, tmp: Path) -> Iterator[Callable[[], None]]:
    """`make <target>` on ``lab.course``, stopped afterwards; yields a function that waits until
    the server answers (the browser starts meanwhile)."""
    options = (f"--no-browser --ServerApp.ip=127.0.0.1 --ServerApp.port={lab.url.rsplit(':', 1)[1]} "
               f"--ServerApp.port_retries=0 --IdentityProvider.token={lab.token}")
    log_path = lab.artifacts / "jupyterlab.log"

    def up() -> None:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                pytest.fail(f"`make {target}` exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}")
            try:
                if lab.api("/api/status")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"`make {target}` did not answer at {lab.url} within 120 s; log: {log_path}")
            time.sleep(0.5)
        lab.timings.append(("server up", time.monotonic() - lab.started))

    with log_path.open("w") as log:
        lab.started = time.monotonic()
        # -o: a test never rebuilds .venv (`make test` has just made it)
        proc = subprocess.Popen(["make", "--no-print-directory", "-C", str(ROOT), "-o", ".venv/.installed", target,
                                 f"COURSE={lab.course}", f"LAB_OPTIONS={options}"],
                                env=_isolated_env(tmp / "home"), stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            yield up
        finally:
            _stop(proc)


@contextmanager
def _chromium(profile: Path) -> Iterator:
    """A page of headless Chromium with a fresh profile."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True,
            viewport={"width": 1400, "height": 900})
        context.set_default_timeout(STEP_MS)
        try:
            yield context.pages[0] if context.pages else context.new_page()
        finally:
            context.close()


def _session(target: str, flow: Callable[[Lab, object], None], lab: Lab, tmp: Path) -> None:
    with _jupyterlab(target, lab, tmp) as server_up, _chromium(tmp / "chromium-profile") as page:
        server_up()
        flow(lab, page)


@dataclass
class Session:
    lab: Lab
    done: Future


@pytest.fixture(scope="module")
def sessions(tmp_path_factory, real_notebooks) -> Iterator[dict[str, Session]]:
    """The student's and the instructor's sessions, running at the same time."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail("Chromium is not installed: the browser tests need Debian's `chromium` package "
                    "(`make test` installs it; or: sudo apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.fail("playwright is not installed: the browser tests need the `playwright` package "
                    "(pinned in requirements.txt: `make venv`)")
    roles = {"student": ("lab", _student_session), "instructor": ("formgrader", _instructor_session)}
    with ThreadPoolExecutor(max_workers=len(roles)) as pool:
        running = {}
        for role, (target, flow) in roles.items():
            tmp = tmp_path_factory.mktemp(role)
            artifacts = ARTIFACTS / role
            shutil.rmtree(artifacts, ignore_errors=True)
            artifacts.mkdir(parents=True)
            lab = Lab(url=f"http://127.0.0.1:{_free_port()}", token=secrets.token_hex(16),
                      course=copy_course(tmp / "course"), artifacts=artifacts)
            running[role] = Session(lab, pool.submit(_session, target, flow, lab, tmp))
        yield running


@pytest.fixture(scope="module")
def real_notebooks() -> dict[Path, bytes]:
    """The repository's own notebooks, before the sessions start."""
    return {p: p.read_bytes() for p in sorted([*ROOT.glob("solutions/*/*.ipynb"), *ROOT.glob("notebooks/*/*.ipynb")])}


def _finished(session: Session, real_notebooks: dict[Path, bytes]) -> None:
    """Wait for the session; print its steps and screenshots; fail as it failed."""
    try:
        session.done.result()
    finally:
        print(session.lab.report())
    changed = [str(p.relative_to(ROOT)) for p, data in real_notebooks.items() if p.read_bytes() != data]
    assert not changed, f"the browser session changed the repository's notebooks: {changed}"


# -- what a person does ----------------------------------------------------------------------


def _open_notebook(page, lab: Lab, path: str) -> None:
    page.goto(f"{lab.url}/lab/tree/{path}?token={lab.token}")
    page.locator(".jp-Notebook .jp-Cell").first.wait_for()


def _wait_kernel_idle(page) -> None:
    page.locator("#jp-main-statusbar").get_by_text("Python 3 (ipykernel) | Idle").wait_for()


def _menu(page, menu: str, item: str | None = None) -> list[str]:
    """Open a menu of the menu bar; click ``item`` in it, or return its visible items."""
    page.locator(".lm-MenuBar-item").filter(has_text=re.compile(f"^{re.escape(menu)}$")).click()
    labels = page.locator(".lm-Menu-content .lm-Menu-item:not(.lm-mod-hidden) .lm-Menu-itemLabel")
    labels.first.wait_for()
    if item is None:
        return [t for t in labels.all_inner_texts() if t.strip()]
    labels.filter(has_text=re.compile(f"^{re.escape(item)}$")).click()
    return []


def _validate(page) -> dict[str, object]:
    """Press the notebook's Validate button; the dialog's verdict and each failed cell's
    (source, error) as shown. The dialog stays open."""
    page.locator(".jp-Toolbar-item", has_text="Validate").click()
    message = page.locator(".jp-Dialog #validation-message")
    message.wait_for()
    blocks = message.locator(".jp-RenderedText pre").all_inner_texts()
    return {"text": message.inner_text(), "classes": message.get_attribute("class") or "",
            "failed": list(zip(blocks[0::2], blocks[1::2]))}


def _code_cell(page, source_start: str):
    return page.locator(".jp-CodeCell").filter(has=page.locator(".jp-InputArea", has_text=source_start))


# -- the two sessions ----------------------------------------------------------------------


def _student_session(lab: Lab, page) -> None:
    """What test_student_runs_and_validates_a_notebook checks, in `make lab`."""
    # nbgrader's other server extensions are off: their pages and APIs do not exist
    for path in ["/formgrader", "/assignments", "/courses"]:
        assert lab.api(path)[0] == 404, f"{path} answers in `make lab`; only Validate should"

    _open_notebook(page, lab, f"{ASSIGNMENT}/{ASSIGNMENT}.ipynb")
    _wait_kernel_idle(page)
    menus = page.locator(".lm-MenuBar-item").all_inner_texts()
    assert "Nbgrader" not in menus, f"students get no Nbgrader menu: {menus}"
    shell = page.locator(".jp-LabShell")
    for absent in ["Create Assignment", "Formgrader", "Assignment List", "Course List"]:
        assert shell.get_by_text(absent).count() == 0, f"'{absent}' shows in `make lab`"
    assert page.locator(".jp-NotebookPanel-toolbar").get_by_text("Validate", exact=True).is_visible()
    lab.shot(page, "kernel-started")

    _menu(page, "Run", "Run All Cells")
    first_test = _code_cell(page, f'run("{ASSIGNMENT}/{EXERCISES[0]}"')
    error = first_test.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    error.wait_for()
    _wait_kernel_idle(page)
    # text_content: an output out of view has no rendered text (content-visibility)
    assert "NotImplementedError" in error.text_content(), error.text_content()[:2000]
    assert not GRADER_FRAME.search(error.text_content()), f"the test cell shows grader frames:\n{error.text_content()}"

    figures = page.locator(".jp-OutputArea-output img")
    assert figures.count() >= 1, "Run All drew no figure"
    figures.first.scroll_into_view_if_needed()
    drawn = figures.first.evaluate("img => img.complete && img.naturalWidth > 100 && img.naturalHeight > 100")
    assert drawn, "the first figure did not render"
    lab.shot(page, "run-all-figure")
    first_test.locator(".jp-InputArea").evaluate("area => area.scrollIntoView({block: 'center'})")
    lab.shot(page, "run-all-stub-not-done")

    result = _validate(page)
    lab.shot(page, "validate")
    failed = result["failed"]
    assert "validation-failed" in result["classes"], result["text"][:2000]
    assert len(failed) == len(EXERCISES), (
        f"Validate shows {len(failed)} failed cells, expected one per unfinished exercise {EXERCISES}:\n"
        + "\n".join(source for source, _ in failed))
    for exercise, (source, error_text) in zip(EXERCISES, failed):
        assert f'"{ASSIGNMENT}/{exercise}"' in source, (exercise, source)
        assert "NotImplementedError" in error_text, (exercise, error_text[-1500:])
        assert f"Not done yet: {ASSIGNMENT}/{exercise}" in error_text, (exercise, error_text[-1500:])
        assert len(error_text.strip().splitlines()) <= 8, f"not a short message:\n{error_text}"
    shown = [m.group(0) for m in GRADER_FRAME.finditer(result["text"])]
    assert not shown, f"Validate shows the grader's own frames: {shown[:5]}"
    page.locator(".jp-Dialog").get_by_role("button", name="Ok").click()


def _instructor_session(lab: Lab, page) -> None:
    """What test_instructor_uses_formgrader_and_validates_a_solution checks, in `make formgrader`."""
    solution = lab.course / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    committed = solution.read_bytes()

    for path in ["/assignments", "/courses"]:
        assert lab.api(path)[0] == 404, f"{path} answers in `make formgrader`: it needs an exchange"

    page.goto(f"{lab.url}/lab?token={lab.token}")
    page.locator(".jp-DirListing-item").first.wait_for()
    items = _menu(page, "Nbgrader")
    assert "Formgrader" in items and "Create assignment" in items, items
    assert not {"Assignment List", "Course List"} & set(items), items
    lab.shot(page, "nbgrader-menu")
    page.locator(".lm-Menu-content .lm-Menu-itemLabel").filter(has_text=re.compile("^Formgrader$")).click()

    formgrader = page.frame_locator("iframe[src*='formgrader']")
    formgrader.locator("#main-table a", has_text=ASSIGNMENT).first.wait_for()
    assert formgrader.get_by_text("Manage Assignments").first.is_visible()
    lab.shot(page, "formgrader")

    # the assignment's name links to its source folder, relative to the server's root
    formgrader.locator("#main-table a", has_text=ASSIGNMENT).first.click()
    page.locator(".jp-FileBrowser .jp-BreadCrumbs").filter(
        has_text=re.compile(rf"solutions\s*/\s*{ASSIGNMENT}")).wait_for()
    listing = page.locator(".jp-FileBrowser .jp-DirListing-itemText", has_text=f"{ASSIGNMENT}.ipynb")
    listing.wait_for()
    assert page.locator(".jp-Dialog").count() == 0, page.locator(".jp-Dialog").inner_text()
    lab.shot(page, "formgrader-link-source-folder")

    formgrader.get_by_role("link", name="Manual Grading").click()
    formgrader.locator("h1", has_text="Manual Grading").wait_for()
    formgrader.locator("#main-table", has_text=ASSIGNMENT).wait_for()
    body = formgrader.locator("body").inner_text()
    assert not re.search(r"\b404\b|Not Found|Traceback", body), body[:2000]
    lab.shot(page, "formgrader-manual-grading")

    listing.dblclick()
    page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for()
    _wait_kernel_idle(page)
    result = _validate(page)
    lab.shot(page, "solution-validated")
    assert "Success! Your notebook passes all the tests." in result["text"], result["text"][:3000]
    page.locator(".jp-Dialog").get_by_role("button", name="Ok").click()

    # Validate saved the notebook first: nothing but JupyterLab's kernel details changed...
    saved = solution.read_bytes()
    before, after = json.loads(committed), json.loads(saved)
    assert after["cells"] == before["cells"], "Validate wrote outputs or edits into the solution"
    changed = {k for k in set(before["metadata"]) | set(after["metadata"])
               if before["metadata"].get(k) != after["metadata"].get(k)}
    assert changed <= {"language_info"}, f"notebook metadata changed: {changed}"
    # ...and through the Makefile's nbstripout filter git stages the very bytes it had
    repo = lab.course.parent / "repo"
    (repo / "solutions").mkdir(parents=True)
    shutil.copy2(ROOT / ".gitattributes", repo / ".gitattributes")
    shutil.copy2(solution, repo / "solutions" / solution.name)
    (repo / ".venv").symlink_to(ROOT / ".venv")  # the filter runs the working tree's own .venv
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(["make", "-s", "-C", str(ROOT), "git-filter"], check=True,
                   env={**_isolated_env(lab.course.parent / "home"), "GIT_DIR": str(repo / ".git")})
    staged = subprocess.run(["git", "-C", str(repo), "hash-object", f"solutions/{solution.name}"],
                            check=True, capture_output=True, text=True).stdout.strip()
    original = subprocess.run(["git", "hash-object", "--stdin", "--no-filters"], input=committed,
                              check=True, capture_output=True).stdout.decode().strip()
    assert staged == original, "the nbstripout filter does not give back the committed solution"


# -- the tests -------------------------------------------------------------------------------


def test_student_runs_and_validates_a_notebook(sessions, real_notebooks):
    """In `make lab`, does a student see nbgrader's Validate and no other nbgrader menu; does Run
    All start the kernel, draw the figures and stop at the first stub's NotImplementedError; and
    does Validate give one message per unfinished exercise?"""
    _finished(sessions["student"], real_notebooks)


def test_instructor_uses_formgrader_and_validates_a_solution(sessions, real_notebooks):
    """In `make formgrader`, do the formgrader's links lead to the course's own folders and pages,
    does the solution pass Validate, and does git see the solution unchanged afterwards?"""
    _finished(sessions["instructor"], real_notebooks)
