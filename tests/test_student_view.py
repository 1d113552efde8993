"""What a student sees when a visible test fails: their own code and the check's message, no
grader frame (in a real Jupyter kernel, as JupyterLab and nbgrader's Validate show it), and
mismatch messages in a student's words."""

from __future__ import annotations

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

from grader.checks._student_view import describe_mismatch
from grader.nb import grade_cells, solution_cells

from .conftest import ROOT


CELLS = {
    "stub": '''
def minibatch_indices(n, batch_size, *, rng):
    # YOUR CODE HERE
    raise NotImplementedError()
''',
    "raises": '''
def _chunks(order, batch_size):
    return np.split(order, batch_size)   # the student's bug: a count where a size is meant

def minibatch_indices(n, batch_size, *, rng):
    order = rng.permutation(n)
    return _chunks(order, batch_size)
''',
    "wrong": '''
def minibatch_indices(n, batch_size, *, rng):
    order = np.arange(n)                 # never shuffled
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]
''',
}


@pytest.fixture(scope="module")
def shown() -> dict[str, dict]:
    """Each answer's visible test run in one real kernel: the error output IPython stored."""
    cells = [nbformat.v4.new_code_cell("import numpy as np\nfrom grader.checks import run")]
    for source in CELLS.values():
        cells += [nbformat.v4.new_code_cell(source),
                  nbformat.v4.new_code_cell('run("01-sgd/minibatch_indices", minibatch_indices, visible=True)')]
    nb = nbformat.v4.new_notebook(cells=cells)
    NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True).execute()
    out = {}
    for name, cell in zip(CELLS, nb.cells[2::2]):
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert len(errors) == 1, (name, cell.outputs)
        out[name] = {"ename": errors[0].ename, "text": "\n".join(errors[0].traceback)}
    return out


@pytest.mark.parametrize("name", list(CELLS))
def test_no_grader_frame_is_shown(shown, name):
    text = shown[name]["text"]
    assert len(text.splitlines()) < 20, text
    assert "grader/" not in text and "site-packages" not in text, text


def test_a_stub_says_not_done_yet_and_keeps_its_error_name(shown):
    assert shown["stub"]["ename"] == "NotImplementedError"
    assert "Not done yet: 01-sgd/minibatch_indices" in shown["stub"]["text"]
    assert "raise NotImplementedError()" in shown["stub"]["text"], "the student's own line is shown"


def test_an_exception_in_the_students_code_shows_their_lines_only(shown):
    """A raise in the student's code fails the check naming the call and the error, under the
    student's own lines."""
    text = shown["raises"]["text"]
    assert shown["raises"]["ename"] == "CheckFailure"
    assert text.startswith("Traceback of your code"), text
    assert "return _chunks(order, batch_size)" in text and "np.split(order, batch_size)" in text, text
    assert "minibatch_indices(10, 3, rng=rng) raised ValueError: array split does not result in an equal division" \
        in text, text
    assert "numpy" not in text.lower().replace("np.split", ""), "library internals are not the student's code"


def test_a_wrong_answer_shows_the_checks_message_only(shown):
    text = shown["wrong"]["text"]
    assert shown["wrong"]["ename"] == "CheckFailure"
    assert text.startswith("CheckFailure: 01-sgd/minibatch_indices"), text
    assert "expected" in text and "actual" in text and "Traceback" not in text


E = np.arange(1.0, 9.0).reshape(2, 4)


@pytest.mark.parametrize("factor, words", [
    (8.0, "exactly 8 times too large, and 8 is one of the sizes here: is a 1/8 missing"),
    (1 / 8, "exactly 8 times too small, and 8 is one of the sizes here: is there an extra 1/8"),
    (-1.0, "exactly the negative of the expected values: is a sign flipped?"),
    (2.0, "exactly 2 times too large: is a 1/2 missing"),
    (0.5, "exactly half the expected values"),
    (3.0, "exactly 3 times the expected values"),
    (1 / 3, "exactly 1/3 of the expected values"),
])
def test_a_clean_factor_is_named(factor, words):
    text = describe_mismatch(E * factor, E, rtol=1e-6, atol=1e-8, sizes=(2, 8))
    assert words in text, text


def test_a_mismatch_says_where_and_how_far_in_plain_words():
    actual = E.copy()
    actual[1, 2] += 0.07
    text = describe_mismatch(actual, E, rtol=1e-6, atol=1e-8, sizes=(8,))
    assert text.startswith("your value at index (1, 2) is 7.07, expected 7 (off by 1.00%"), text
    assert "Every entry" not in text, "one wrong entry is not a factor"
    noisy = E * 8
    noisy[0, 0] = 1.0
    assert "Every entry" not in describe_mismatch(noisy, E, rtol=1e-6, atol=1e-8, sizes=(8,))
    assert "excess" not in text


def _first_import_cell(nb) -> str:
    return next(c.source for c in nb.cells if c.cell_type == "code" and "from grader.checks import run" in c.source)


@pytest.mark.parametrize("assignment", sorted(p.name for p in (ROOT / "notebooks").iterdir() if p.is_dir()))
def test_every_unfinished_exercise_of_every_notebook_shows_no_grader_frame(assignment):
    """The released notebook's imports, every stub and every visible test, in a real kernel."""
    released = nbformat.read(str(ROOT / "notebooks" / assignment / f"{assignment}.ipynb"), as_version=4)
    stubs = [c for c in solution_cells(released)]
    tests = [c for c in grade_cells(released) if c.cell_type == "code"]
    assert stubs and tests
    cells = [nbformat.v4.new_code_cell(_first_import_cell(released))]
    cells += [nbformat.v4.new_code_cell(c.source) for c in stubs]
    cells += [nbformat.v4.new_code_cell(c.source) for c in tests]
    nb = nbformat.v4.new_notebook(cells=cells)
    NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(ROOT / "notebooks" / assignment)}}).execute()
    for cell in nb.cells[: 1 + len(stubs)]:
        assert not [o for o in cell.outputs if o.output_type == "error"], (cell.source[:200], cell.outputs)
    for cell in nb.cells[1 + len(stubs):]:
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert len(errors) == 1, (cell.source, cell.outputs)
        text = "\n".join(errors[0].traceback)
        assert errors[0].ename == "NotImplementedError", (cell.source, text)
        assert "grader/" not in text and "site-packages" not in text, (cell.source, text)
        assert "Not done yet:" in text and len(text.splitlines()) <= 8, (cell.source, text)
