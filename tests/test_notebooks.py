"""Static checks of the committed notebooks: stripped, generated, and in step with the catalog."""

from __future__ import annotations

import json
import re

import nbformat
import pytest

from grader import catalog
from grader.checks import REGISTRY, STATEMENT_PREFIX, statement
from grader.config import Course
from grader.nb import grade_cells, solution_cells
from grader.release import release

from .conftest import ROOT

SOLUTIONS = sorted((ROOT / "solutions").glob("*/*.ipynb"))
RELEASED = sorted((ROOT / "notebooks").glob("*/*.ipynb"))
RUN_CALL = re.compile(r'run\("([^"]+)",\s*(\w+)(,\s*visible=True)?\)')


def _ids(paths):
    return [p.parent.name for p in paths]


def test_every_solution_has_a_student_notebook():
    """Is there one student notebook per source notebook, with the same name?"""
    assert SOLUTIONS, "no notebooks under solutions/"
    assert _ids(SOLUTIONS) == _ids(RELEASED)
    for p in SOLUTIONS:
        assert p.name == f"{p.parent.name}.ipynb", f"{p}: the notebook must be named after its folder"


#: control characters, which a backslash lost to a Python escape leaves behind ("\a" in "\approx")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@pytest.mark.parametrize("path", SOLUTIONS + RELEASED, ids=lambda p: str(p.relative_to(ROOT)))
def test_markdown_holds_no_control_character(path):
    """Is every markdown cell free of control characters (a LaTeX command that lost its backslash)?"""
    nb = json.loads(path.read_text())
    found = []
    for i, cell in enumerate(nb["cells"]):
        text = "".join(cell["source"])
        hit = CONTROL.search(text) if cell["cell_type"] == "markdown" else None
        if hit:
            found.append((i, text[max(0, hit.start() - 30):hit.end() + 10]))
    assert not found, f"{path}: markdown cells with a control character (write the LaTeX with a raw string " \
                      f"or a doubled backslash): {found}"


@pytest.mark.parametrize("path", SOLUTIONS + RELEASED, ids=lambda p: str(p.relative_to(ROOT)))
def test_outputs_are_stripped(path):
    """Does the committed notebook carry no outputs and no execution counts?"""
    nb = json.loads(path.read_text())
    dirty = [i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code" and (c.get("outputs") or c.get("execution_count"))]
    assert not dirty, f"{path}: cells {dirty} carry outputs; strip them (Kernel > Restart and clear outputs, then save)"


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.parent.name)
def test_catalog_agrees_with_grade_cells(path):
    """Do the notebook's grade cells match the catalog: same ids, same order, same points,
    a visible and a hidden run() of the right exercise in each?"""
    assignment = path.parent.name
    nb = nbformat.read(str(path), as_version=4)
    cells = list(grade_cells(nb))
    want = catalog.for_assignment(assignment)
    assert [c.metadata.nbgrader.grade_id for c in cells] == [ex.grade_id for ex in want]
    for cell, ex in zip(cells, want):
        assert float(cell.metadata.nbgrader.points) == ex.points, f"{ex.id}: points differ from the catalog"
        assert ex.id in REGISTRY, f"{ex.id} has no check in grader/checks/"
        visible, hidden = cell.source.split("### BEGIN HIDDEN TESTS")
        assert "### END HIDDEN TESTS" in hidden, f"{ex.id}: hidden tests not closed"
        v = RUN_CALL.findall(visible)
        h = RUN_CALL.findall(hidden)
        assert v and all(call[0] == ex.id and call[2] for call in v), f"{ex.id}: visible part must call run('{ex.id}', ..., visible=True)"
        assert h and all(call[0] == ex.id and not call[2] for call in h), f"{ex.id}: hidden part must call run('{ex.id}', ...)"


@pytest.mark.parametrize("path", SOLUTIONS + RELEASED, ids=lambda p: str(p.relative_to(ROOT)))
def test_what_the_test_checks_is_the_checks_docstring(path):
    """Is the markdown cell right before each grade cell the "What the test checks" text of its check,
    exactly its class docstring (the one source of that text, so that the notebook cannot drift from
    the code)?"""
    assignment = path.parent.name
    nb = nbformat.read(str(path), as_version=4)
    for i, cell in enumerate(nb.cells):
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or not meta.get("grade") or meta.get("solution"):
            continue
        exercise_id = f"{assignment}/{meta['grade_id']}"
        before = nb.cells[i - 1] if i else None
        assert before is not None and before.cell_type == "markdown" and before.source.startswith(STATEMENT_PREFIX), \
            f"{exercise_id}: the cell before its grade cell must be markdown starting {STATEMENT_PREFIX!r}"
        want = statement(exercise_id)
        assert before.source == want, (
            f"{exercise_id}: the notebook's 'What the test checks' differs from its check's docstring. Edit the "
            f"docstring of {type(REGISTRY[exercise_id]).__name__}, then make the cell of solutions/{assignment}/"
            f"{assignment}.ipynb read exactly:\n{want}\n(and run `python -m grader release`)")


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.parent.name)
def test_every_exercise_has_a_named_solution_cell(path):
    """Does each exercise have a solution cell named '<grade_id>_solution' (the demo builder needs it)?"""
    nb = nbformat.read(str(path), as_version=4)
    names = [c.metadata.nbgrader.grade_id for c in solution_cells(nb)]
    for ex in catalog.for_assignment(path.parent.name):
        assert any(n.startswith(f"{ex.grade_id}_solution") for n in names), f"{ex.id}: no cell {ex.grade_id}_solution"


def test_student_notebooks_are_fresh(course_copy):
    """Does regenerating notebooks/ from solutions/ give exactly the committed files?
    (If not: run `python -m grader release` and commit notebooks/.)"""
    course = Course(root=course_copy)
    for written in release(course):
        committed = ROOT / written.relative_to(course_copy)
        assert json.loads(written.read_text()) == json.loads(committed.read_text()), (
            f"{committed.relative_to(ROOT)} is stale: run `python -m grader release` and commit it")


@pytest.mark.parametrize("path", RELEASED, ids=lambda p: p.parent.name)
def test_student_notebook_hides_solutions_and_hidden_tests(path):
    """Is the student notebook free of solution code markers and hidden tests?"""
    text = path.read_text()
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        assert marker not in text, f"{path}: contains {marker!r}"


def test_release_keeps_a_students_work(course_copy):
    """When a student has worked in notebooks/<id>/<id>.ipynb, does releasing again keep
    their version as a .bak file instead of overwriting it silently?"""
    course = Course(root=course_copy)
    assignment = RELEASED[0].parent.name
    target = course_copy / "notebooks" / assignment / f"{assignment}.ipynb"
    nb = nbformat.read(str(target), as_version=4)
    cell = next(solution_cells(nb))
    cell.source = cell.source.replace("raise NotImplementedError()", "return 42  # my answer")
    nbformat.write(nb, str(target))
    edited = target.read_bytes()
    release(course, assignments=[assignment])
    backups = list(target.parent.glob(f"{assignment}.ipynb.*.bak"))
    assert len(backups) == 1 and backups[0].read_bytes() == edited
    assert "my answer" not in target.read_text()
