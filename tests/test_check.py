"""`python -m grader check`: what a student reads, from grade cells' outputs (no kernel)."""

from __future__ import annotations

import nbformat

from grader.check import NOT_DONE, SUMMARY_WIDTH, CheckRow, _failure_message, format_rows

FAILURE = ("01-sgd/stochastic_gradient: every example must be reachable (least_squares loss, N=7 examples)\n"
           "  expected: about 100 draws of each example\n"
           "  actual:   counts per example [121, 105, 124, 107, 114, 129, 0]; never drawn: [6]\n"
           "  hint: rng.integers(low, high) excludes high: use rng.integers(n) for 0..n-1")


def _cell(*outputs) -> nbformat.NotebookNode:
    return nbformat.v4.new_code_cell("run(...)", outputs=[nbformat.from_dict(o) for o in outputs])


def _error(ename: str, evalue: str) -> dict:
    return {"output_type": "error", "ename": ename, "evalue": evalue, "traceback": ["...", f"{ename}: {evalue}"]}


def test_failure_message_is_whole():
    """Does a failed check's message keep every line: property, expected, actual and hint?"""
    message = _failure_message(_cell(_error("CheckFailure", FAILURE)))
    assert message == f"CheckFailure: {FAILURE}"


def test_stub_and_stderr_messages():
    """Is a stub 'not done yet', and does a cell that wrote to stderr say what it wrote?"""
    assert _failure_message(_cell(_error("NotImplementedError", ""))) == NOT_DONE
    stderr = {"output_type": "stream", "name": "stderr", "text": "UserWarning: something\n"}
    assert _failure_message(_cell(stderr)).endswith("UserWarning: something")


def test_table_then_each_failure_whole():
    """Does the report give one row per exercise, each failure's first line in its row, and then
    every failure's whole message, with nothing cut?"""
    long = "ValueError: " + "x" * (2 * SUMMARY_WIDTH)
    rows = [CheckRow("backtracking_line_search", 3, 3, ""),
            CheckRow("stochastic_gradient", 0, 2, f"CheckFailure: {FAILURE}"),
            CheckRow("minibatch_indices", 0, 2, NOT_DONE),
            CheckRow("logistic_loss_and_grad", 0, 3, long)]
    text = format_rows(rows)
    table, _, details = text.partition("Hidden tests run when your work is graded.")
    assert [ln.split()[0] for ln in table.splitlines()[2:6]] == [r.grade_id for r in rows]
    assert "stochastic_gradient       FAIL    0/2  every example must be reachable" in table
    assert all(len(ln) <= 40 + SUMMARY_WIDTH for ln in table.splitlines()), table
    for line in FAILURE.splitlines()[1:]:
        assert line.strip() in details, (line, details)
    assert long in details
    # a stub's message is one short line: said once, in its row
    assert text.count(NOT_DONE) == 1
    assert "backtracking_line_search:" not in details
