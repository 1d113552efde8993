"""Our nbgrader preprocessors: the recording steps get the executed notebook through nbgrader's
configuration, never through shared module state."""

from __future__ import annotations

import nbformat
import pytest
from traitlets.config import Config, Configurable

from grader.preprocessors import InjectExecuted, InjectSanitized, hand_over

KEY = ("01-sgd", "alice", "01-sgd")


def _resources(student: str = "alice") -> dict:
    return {"nbgrader": {"assignment": "01-sgd", "student": student, "notebook": "01-sgd"}}


def _notebooks() -> tuple[nbformat.NotebookNode, nbformat.NotebookNode]:
    submitted = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# hi"),
                                                nbformat.v4.new_code_cell("1 + 1")])
    executed = nbformat.from_dict(nbformat.reads(nbformat.writes(submitted), as_version=4))
    executed.cells[1].outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "2"},
                                                        execution_count=1)]
    executed.cells[1].execution_count = 1
    return submitted, executed


def test_recording_steps_record_the_notebook_handed_over():
    """Built as nbgrader builds its steps (from their parent's config), do the two steps put the
    executed notebook's outputs in place for the submission it was handed over for?"""
    config = Config()
    submitted, executed = _notebooks()
    hand_over(config, KEY, nbformat.writes(executed))
    exporter = Configurable(config=config)
    sanitized, _ = InjectSanitized(parent=exporter).preprocess(submitted, _resources())
    assert sanitized == executed
    recorded, _ = InjectExecuted(parent=exporter).preprocess(submitted, _resources())
    assert recorded.cells[1].outputs == executed.cells[1].outputs and recorded.cells[1].execution_count == 1


def test_recording_steps_refuse_another_submission_or_none():
    """Is a notebook handed over for one student never recorded for another, nor after it was taken back?"""
    config = Config()
    submitted, executed = _notebooks()
    hand_over(config, KEY, nbformat.writes(executed))
    exporter = Configurable(config=config)
    for step in (InjectSanitized, InjectExecuted):
        with pytest.raises(RuntimeError, match="no executed notebook"):
            step(parent=exporter).preprocess(submitted, _resources("bob"))
    hand_over(config, KEY, None)
    for step in (InjectSanitized, InjectExecuted):
        with pytest.raises(RuntimeError, match="no executed notebook"):
            step(parent=Configurable(config=config)).preprocess(submitted, _resources())


def test_a_notebook_that_is_not_the_submission_is_refused():
    """Does InjectExecuted refuse outputs of a notebook whose cells differ from the sanitized one?"""
    config = Config()
    submitted, executed = _notebooks()
    executed.cells[1].source = "2 + 2"
    hand_over(config, KEY, nbformat.writes(executed))
    with pytest.raises(RuntimeError, match="does not match"):
        InjectExecuted(parent=Configurable(config=config)).preprocess(submitted, _resources())
