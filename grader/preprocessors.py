"""nbgrader preprocessors of our own."""

from __future__ import annotations

from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor

__all__ = ["ShortenTestTracebacks"]


class ShortenTestTracebacks(NbGraderPreprocessor):
    """Cut the traceback of every failed test cell down to its last line.

    An IPython traceback quotes the source lines around the failing call, and in a grade
    cell those are the hidden tests. Feedback keeps the error's type and message (which
    name the property that failed, expected and actual values, and a hint) and drops the rest.
    """

    def preprocess_cell(self, cell: NotebookNode, resources: ResourcesDict,
                        cell_index: int) -> tuple[NotebookNode, ResourcesDict]:
        if cell.cell_type == "code" and utils.is_grade(cell):
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error":
                    out["traceback"] = [f"{out.get('ename', 'Error')}: {out.get('evalue', '')}"]
        return cell, resources
