"""``check``: for students. Run your own notebook and see which exercises pass their
visible tests, the same way the autograder runs them (hidden tests excluded)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from nbclient import NotebookClient
from nbgrader.utils import determine_grade
from tqdm.auto import tqdm

from .nb import grade_cells, read
from .skip import is_skipped

__all__ = ["CheckRow", "check_notebook", "format_rows"]

#: Characters of a failure's first line shown in the table; the whole message follows it.
SUMMARY_WIDTH = 90

NOT_DONE = "not done yet (the stub still raises NotImplementedError)"


@dataclass(frozen=True)
class CheckRow:
    """One exercise's visible tests: points scored out of ``max_points``, and ``message``, the
    whole reason it failed (the check's property, expected and actual values and hint;
    empty when it passed)."""

    grade_id: str
    points: float
    max_points: float
    message: str

    @property
    def passed(self) -> bool:
        return self.points >= self.max_points

    @property
    def headline(self) -> str:
        """The message's first line, whole, without the exercise id a check's failure starts with."""
        first = self.message.strip().splitlines()[0] if self.message.strip() else ""
        # "CheckFailure: 01-sgd/<grade_id>: <property>": the row already names the exercise
        head, sep, rest = first.partition(f"/{self.grade_id}: ")
        return rest if sep and re.fullmatch(r"(\w+: )?[\w.-]+", head) else first

    @property
    def summary(self) -> str:
        """The headline cut to fit the table."""
        line = self.headline
        return line if len(line) <= SUMMARY_WIDTH else line[: SUMMARY_WIDTH - 1] + "…"

    @property
    def details(self) -> list[str]:
        """The message's lines after the first (expected, actual, hint)."""
        return self.message.strip().splitlines()[1:]


def _failure_message(cell) -> str:
    """Why a grade cell lost points, whole: the error's type and message, or what it wrote to stderr."""
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            if out.get("ename") == "NotImplementedError":
                return NOT_DONE
            evalue = (out.get("evalue") or "").strip()
            return f"{out.get('ename')}: {evalue}" if evalue else str(out.get("ename"))
    stderr = "".join(out.get("text", "") for out in cell.get("outputs", [])
                     if out.get("output_type") == "stream" and out.get("name") == "stderr").strip()
    if stderr:
        return f"wrote to stderr, and a test cell that does scores 0:\n{stderr}"
    return "passed only some of its tests"


def check_notebook(path: Path | str, *, timeout: int = 300, progress: bool = True) -> list[CheckRow]:
    """Execute a copy of the notebook at ``path`` in a fresh kernel and grade its test cells.

    Cells tagged ``skip-grading`` (figures, long demonstrations) are not run, as the grader and
    Validate skip them. The file itself is not changed. Returns one row per graded exercise.
    """
    path = Path(path)
    nb = read(path)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(path.parent.resolve())}})
    with client.setup_kernel():
        for index, cell in enumerate(tqdm(nb.cells, desc=f"running {path.name}", unit="cell", disable=not progress)):
            if not is_skipped(cell):
                client.execute_cell(cell, index)
    rows = []
    for cell in grade_cells(nb):
        got, most = determine_grade(cell)
        gid = cell.metadata["nbgrader"]["grade_id"]
        rows.append(CheckRow(gid, float(got or 0.0), float(most or 0.0), "" if got >= most else _failure_message(cell)))
    return rows


def format_rows(rows: list[CheckRow]) -> str:
    """A per-exercise table of visible-test results (each failure's first line), then the whole
    message of every failure that has more to say than that line."""
    width = max([len("exercise"), *(len(r.grade_id) for r in rows)])
    lines = [f"{'exercise'.ljust(width)}  result  points", f"{'-' * width}  ------  ------"]
    for r in rows:
        mark = "pass" if r.passed else "FAIL"
        lines.append(f"{r.grade_id.ljust(width)}  {mark:6}  {r.points:g}/{r.max_points:g}"
                     + (f"  {r.summary}" if r.message else ""))
    total = sum(r.points for r in rows)
    most = sum(r.max_points for r in rows)
    lines.append(f"visible tests: {total:g}/{most:g} points. Hidden tests run when your work is graded.")
    for r in rows:
        if r.details or r.summary != r.headline:
            lines += ["", f"{r.grade_id}: {r.headline}", *(f"  {line}" for line in r.details)]
    return "\n".join(lines)
