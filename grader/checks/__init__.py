"""Checks for every graded exercise, and :func:`run`, which notebooks' grade cells call.

A grade cell in a notebook looks like::

    run("01-sgd/minibatch_indices", minibatch_indices, visible=True)
    ### BEGIN HIDDEN TESTS
    run("01-sgd/minibatch_indices", minibatch_indices)
    ### END HIDDEN TESTS

Each exercise's check lives in a module of its own, ``<notebook>/<exercise>.py`` (e.g.
``sgd/minibatch_indices.py`` for ``01-sgd/minibatch_indices``; a notebook's shared helpers in
``<notebook>/shared.py``); importing this package imports them all, and :func:`register` files
each check in :data:`REGISTRY` under its exercise id. The vocabulary they are written in:

* :mod:`.base`: the protocol -- :class:`Check`, :class:`CheckFailure`, :func:`register`,
  :func:`bind_inputs`, plain :data:`Data`, and ``expect*`` to fail a property;
* :mod:`.probing`: the probe side -- calling student code, reading its arrays and tuples;
* :mod:`.judging`: the judge side -- reading the answers in (possibly forged) probe data;
* :mod:`.stats`: the false-rejection budget and the bands of every randomized check.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import io
import os
import pkgutil
import sys
import tempfile
import warnings
from collections.abc import Iterator
from typing import Any

from ._student_view import shorten
from .base import REGISTRY, Check, CheckFailure, Data, bind_inputs, is_plain, register

__all__ = ["REGISTRY", "Check", "CheckFailure", "Data", "bind_inputs", "register", "get", "is_plain",
           "probe", "judge", "run", "statement", "STATEMENT_PREFIX"]

for _mod in pkgutil.walk_packages(__path__, prefix=f"{__name__}."):
    importlib.import_module(_mod.name)


def get(exercise_id: str) -> Check:
    """The check for ``exercise_id``; a KeyError that lists the known ids otherwise."""
    try:
        return REGISTRY[exercise_id]
    except KeyError:
        known = ", ".join(sorted(REGISTRY))
        raise KeyError(
            f"no check for exercise {exercise_id!r}; known exercises: {known}. "
            "Run `python -m grader exercises` to list them."
        ) from None


#: How the notebook cell that says what an exercise's test checks begins.
STATEMENT_PREFIX = "**What the test checks:** "


def statement(exercise_id: str) -> str:
    """The notebook's "What the test checks" cell of ``exercise_id``: its check's class docstring,
    then the sentence of each property it declares, the one source of that text
    (tests/test_notebooks.py fails when a notebook's cell differs)."""
    check = get(exercise_id)
    doc = type(check).__doc__
    if not doc:
        raise LookupError(f"the check of {exercise_id} has no docstring: write what its test checks there")
    # each declared property adds its sentence (grader/checks/properties/)
    return " ".join([STATEMENT_PREFIX + inspect.cleandoc(doc), *(p.sentence() for p in check.properties)])


@contextlib.contextmanager
def _stderr_to_notes() -> Iterator[list[str]]:
    """Collect warnings and anything written to stderr (Python or C level) as notes.

    nbgrader gives 0 points to a test cell with any stderr output, and torch warns on
    stderr; a correct answer must not lose its points to a library's warning. The notes
    are printed on stdout afterwards, so nothing is hidden from the student.
    """
    notes: list[str] = []
    py_err = io.StringIO()
    with tempfile.TemporaryFile(mode="w+b") as fd_err:
        try:
            sys.stderr.flush()
        except Exception:  # a closed or odd stderr must not stop grading
            pass
        saved_fd = None
        try:
            saved_fd = os.dup(2)
            os.dup2(fd_err.fileno(), 2)
        except OSError:
            saved_fd = None
        try:
            with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stderr(py_err):
                warnings.simplefilter("always")
                yield notes
        finally:
            if saved_fd is not None:
                os.dup2(saved_fd, 2)
                os.close(saved_fd)
            fd_err.seek(0)
            c_level = fd_err.read().decode("utf-8", errors="replace")
            seen: set[str] = set()
            for w in caught:
                text = f"{w.category.__name__}: {w.message}"
                if text not in seen:
                    seen.add(text)
                    notes.append(text)
            for text in (py_err.getvalue(), c_level):
                if text.strip():
                    notes.append(text.strip())


def probe(exercise_id: str, obj: Any, *, visible: bool = False) -> Data:
    """Run the probe of ``exercise_id`` on ``obj``; stderr and warnings become printed notes."""
    check = get(exercise_id)
    notes: list[str] = []
    try:
        with _stderr_to_notes() as notes:
            data = check.probe(obj, visible=visible)
    finally:
        # printed on stdout once stderr is restored, so a library's warning never zeroes a grade
        for note in notes:
            print(f"note (printed while checking, not an error): {note}")
    return data


def judge(exercise_id: str, data: Data) -> int:
    """Run the judge of ``exercise_id`` on probe ``data``; returns the properties checked."""
    return get(exercise_id).judge(data)


def run(exercise_id: str, obj: Any, *, visible: bool = False) -> None:
    """Check a student's answer: probe it, judge the data, print a one-line verdict.

    Raises :class:`CheckFailure` (an ``AssertionError``) naming the first property
    that fails. ``visible=True`` runs the quick checks shown in the student notebook.
    """
    try:
        data = probe(exercise_id, obj, visible=visible)
        n = judge(exercise_id, data)
    except Exception as err:
        # the student sees their own code and the check's message, not the grader's frames
        shorten(err, exercise_id)
        raise
    kind = "visible tests" if visible else "all tests"
    print(f"passed: {exercise_id} ({kind}, {n} properties)")
