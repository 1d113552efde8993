"""Small helpers over nbformat and nbgrader's cell metadata."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import nbformat
from nbformat import NotebookNode

__all__ = ["read", "grade_cells", "solution_cells", "strip_outputs", "fill_solution", "SOLUTION_RE"]

SOLUTION_RE = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n?", re.MULTILINE)


def read(path: Path) -> NotebookNode:
    """Read a notebook (nbformat 4); raises ValueError naming the file when it isn't one."""
    try:
        return nbformat.read(str(path), as_version=4)
    except FileNotFoundError:
        raise
    except Exception as err:  # nbformat raises several unrelated types on bad input
        raise ValueError(f"{path} is not a readable Jupyter notebook ({type(err).__name__}: {err}); "
                         "re-download it from JupyterLab (File > Download)") from None


def _meta(cell: NotebookNode) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def grade_cells(nb: NotebookNode) -> Iterator[NotebookNode]:
    """Autograded test cells (nbgrader grade=true, code)."""
    for cell in nb.cells:
        m = _meta(cell)
        if cell.cell_type == "code" and m.get("grade") and not m.get("solution"):
            yield cell


def solution_cells(nb: NotebookNode) -> Iterator[NotebookNode]:
    for cell in nb.cells:
        if cell.cell_type == "code" and _meta(cell).get("solution"):
            yield cell


def strip_outputs(nb: NotebookNode) -> NotebookNode:
    """Remove outputs and execution counts in place; returns ``nb``."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return nb


def fill_solution(source: str) -> str:
    """A solution cell's source as a student who solved it would leave it: markers gone."""
    return SOLUTION_RE.sub("", source)
