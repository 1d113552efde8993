"""``check``: for students. Run your own notebook and see which exercises pass their
visible tests, the same way the autograder runs them (hidden tests excluded)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from nbclient import NotebookClient
from nbgrader.utils import determine_grade
from tqdm.auto import tqdm

from .nb import grade_cells, read

__all__ = ["CheckRow", "check_notebook", "format_rows"]


@dataclass(frozen=True)
class CheckRow:
    grade_id: str
    points: float
    max_points: float
    message: str

    @property
    def passed(self) -> bool:
        return self.points >= self.max_points


def _failure_message(cell) -> str:
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            if out.get("ename") == "NotImplementedError":
                return "not done yet (the stub still raises NotImplementedError)"
            first = (out.get("evalue") or "").strip().splitlines()
            return f"{out.get('ename')}: {first[0] if first else ''}"[:160]
    return "wrote to stderr"


def check_notebook(path: Path | str, *, timeout: int = 300, progress: bool = True) -> list[CheckRow]:
    """Execute a copy of the notebook at ``path`` in a fresh kernel and grade its test cells.

    The file itself is not changed. Returns one row per graded exercise.
    """
    path = Path(path)
    nb = read(path)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(path.parent.resolve())}})
    with client.setup_kernel():
        for index, cell in enumerate(tqdm(nb.cells, desc=f"running {path.name}", unit="cell", disable=not progress)):
            client.execute_cell(cell, index)
    rows = []
    for cell in grade_cells(nb):
        got, most = determine_grade(cell)
        gid = cell.metadata["nbgrader"]["grade_id"]
        rows.append(CheckRow(gid, float(got or 0.0), float(most or 0.0), "" if got >= most else _failure_message(cell)))
    return rows


def format_rows(rows: list[CheckRow]) -> str:
    """A per-exercise table of visible-test results."""
    width = max([len("exercise"), *(len(r.grade_id) for r in rows)])
    lines = [f"{'exercise'.ljust(width)}  result  points", f"{'-' * width}  ------  ------"]
    for r in rows:
        mark = "pass" if r.passed else "FAIL"
        lines.append(f"{r.grade_id.ljust(width)}  {mark:6}  {r.points:g}/{r.max_points:g}"
                     + (f"  {r.message}" if r.message else ""))
    total = sum(r.points for r in rows)
    most = sum(r.max_points for r in rows)
    lines.append(f"visible tests: {total:g}/{most:g} points. Hidden tests run when your work is graded.")
    return "\n".join(lines)
