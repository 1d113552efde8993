"""The ``skip-grading`` tags: which cells grading may leave out, and the static check that
nothing graded depends on them. (That skipping never changes a score is checked end to end,
in test_e2e.py.)"""

from __future__ import annotations

import copy

import nbformat
import pytest

from grader.nb import grade_cells, read, solution_cells
from grader.skip import SKIP_TAG, check_skips, defined_and_used, is_skipped

from .conftest import ROOT

SOURCES = sorted((ROOT / "solutions").glob("*/*.ipynb"))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.parent.name)
def test_no_kept_cell_depends_on_a_skipped_cell(path):
    """Does every name a grade, solution or other kept cell uses come from a kept cell?"""
    assert check_skips(path) == []


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.parent.name)
def test_figures_and_demos_are_tagged_and_graded_cells_never(path):
    """Is some cell tagged in every notebook, and no solution or grade cell?"""
    nb = read(path)
    assert any(is_skipped(c) for c in nb.cells)
    assert not any(is_skipped(c) for c in [*solution_cells(nb), *grade_cells(nb)])


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.parent.name)
def test_released_notebook_keeps_the_tags(path):
    """Does the student notebook carry the same skip-grading tags as its source (nbgrader keeps tags)?"""
    released = read(ROOT / "notebooks" / path.parent.name / path.name)
    source = read(path)
    assert [c.get("id") for c in released.cells if is_skipped(c)] == [c.get("id") for c in source.cells if is_skipped(c)]


def _first_assignment():
    return read(SOURCES[0])


def test_check_rejects_a_skipped_cell_that_a_graded_cell_needs():
    """Tagging the imports cell (which defines `np` and `run`) must be reported, naming a grade cell."""
    nb = _first_assignment()
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    first_code.metadata.setdefault("tags", []).append(SKIP_TAG)
    problems = check_skips(nb)
    assert problems
    assert any("grade cell uses 'run'" in str(p) for p in problems), problems
    assert any("solution cell uses 'np'" in str(p) for p in problems), problems


def test_check_rejects_a_tagged_solution_cell():
    """A solution cell must never be skipped."""
    nb = _first_assignment()
    cell = next(iter(solution_cells(nb)))
    cell.metadata.setdefault("tags", []).append(SKIP_TAG)
    assert any("nbgrader cell" in str(p) for p in check_skips(nb))


def test_check_rejects_a_helper_defined_only_in_a_skipped_cell():
    """A kept cell calling a function that only a skipped cell defines is reported; defining it
    again in a kept cell before the use makes the notebook safe."""
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("import numpy as np"),
        nbformat.v4.new_code_cell("def helper(x):\n    return np.sum(x)", metadata={"tags": [SKIP_TAG]}),
        nbformat.v4.new_code_cell("print(helper([1, 2]))"),
    ])
    assert [p.cell for p in check_skips(nb)] == [2]
    fixed = copy.deepcopy(nb)
    fixed.cells.insert(2, nbformat.v4.new_code_cell("helper = len"))
    assert check_skips(fixed) == []


def test_names_read_inside_functions_comprehensions_and_magics():
    """Free names inside a function body, a comprehension and after a magic count as used;
    parameters, comprehension variables and locals do not."""
    defined, used = defined_and_used(
        "%matplotlib inline\n"
        "def f(a, *, b=DEFAULT):\n    c = a + b\n    return helper(c) + [x for x in c if x > LIMIT][0]\n"
        "total = f(1)\n")
    assert defined == {"f", "total"}
    assert used == {"DEFAULT", "helper", "LIMIT"}
