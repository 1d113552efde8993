"""nbgrader preprocessors of our own.

* :class:`ShortenTestTracebacks`, a feedback step: hidden tests never show in a traceback;
* :class:`InjectSanitized` and :class:`InjectExecuted`, the recording steps of
  :mod:`grader.autograde`: nbgrader's Autograde writes ``autograded/`` and the gradebook for a
  notebook that was sanitized and executed elsewhere. They stand in for nbgrader's sanitize steps
  and for its Execute; the notebook they record reaches them through the converter's
  configuration (:func:`hand_over`), which nbgrader passes to every step it builds.
"""

from __future__ import annotations

from traitlets import Unicode
from traitlets.config import Config

import nbformat
from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor

__all__ = ["ShortenTestTracebacks", "RecordExecuted", "InjectSanitized", "InjectExecuted", "hand_over"]


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


class RecordExecuted(NbGraderPreprocessor):
    """Base of the recording steps: the executed notebook to record, and whose it is."""

    notebook = Unicode("", help="the notebook to record (nbformat JSON), sanitized and executed elsewhere"
                       ).tag(config=True)
    submission = Unicode("", help="'<assignment>/<student>/<notebook>' the notebook belongs to").tag(config=True)

    def executed(self, resources: ResourcesDict) -> NotebookNode:
        """The notebook handed over for the submission ``resources`` describe; RuntimeError if none."""
        info = resources["nbgrader"]
        key = f"{info['assignment']}/{info['student']}/{info['notebook']}"
        if not self.notebook or self.submission != key:
            raise RuntimeError(f"no executed notebook for {key}; grade with grader.autograde, not this step alone")
        return nbformat.reads(self.notebook, as_version=4)


def hand_over(config: Config, key: tuple[str, str, str], notebook: str | None) -> None:
    """Give the recording steps built from ``config`` the executed ``notebook`` (JSON) of the
    submission ``key`` = (assignment, student, notebook); ``None`` takes it back."""
    config.RecordExecuted.notebook = notebook or ""
    config.RecordExecuted.submission = "/".join(key) if notebook else ""


class InjectSanitized(RecordExecuted):
    """Stands in for nbgrader's sanitize steps when recording: the notebook that was executed
    is the one :func:`grader.autograde.sanitize` made (repaired, then sanitized by nbgrader), so it
    is recorded as it is rather than sanitized again from the raw file."""

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict) -> tuple[NotebookNode, ResourcesDict]:
        return self.executed(resources), resources


class InjectExecuted(RecordExecuted):
    """Stands in for nbgrader's Execute: takes the outputs of the same notebook, executed
    elsewhere by :func:`grader.execute.execute`, and puts them in place, cell by cell."""

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict) -> tuple[NotebookNode, ResourcesDict]:
        done = self.executed(resources)
        if len(done.cells) != len(nb.cells) or any(
                (a.cell_type, a.source) != (b.cell_type, b.source) for a, b in zip(nb.cells, done.cells)):
            raise RuntimeError(f"the executed notebook of {self.submission} does not match its sanitized submission")
        for cell, ran in zip(nb.cells, done.cells):
            if cell.cell_type == "code":
                cell.outputs = ran.outputs
                cell.execution_count = ran.execution_count
        nb.metadata = done.metadata
        return nb, resources
