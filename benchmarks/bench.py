"""Benchmark (not a test): prints figures, asserts nothing.

1. Seconds to execute each solution notebook top to bottom in a fresh kernel.
2. Seconds to autograde N copies (default 20) of the demo solution of one assignment
   (default 01-sgd; --assignment all for every one).

    python benchmarks/bench.py [--copies 20] [--assignment 01-sgd]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")

import nbformat  # noqa: E402
from nbclient import NotebookClient  # noqa: E402

from grader import catalog  # noqa: E402
from grader.autograde import autograde  # noqa: E402
from grader.config import Course  # noqa: E402
from grader.demo import build_demo  # noqa: E402
from grader.release import release  # noqa: E402
from tests.conftest import copy_course  # noqa: E402


def time_notebook(path: Path) -> float:
    nb = nbformat.read(str(path), as_version=4)
    start = time.perf_counter()
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return time.perf_counter() - start


def time_autograde(assignment: str, copies: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        course = Course(root=copy_course(Path(tmp) / "course"))
        release(course, assignments=[assignment])
        src = build_demo(course, assignment)["demo-solution"]
        for i in range(copies):
            dst = course.submitted / f"copy-{i:03d}" / assignment
            dst.mkdir(parents=True)
            shutil.copy2(src, dst / src.name)
        students = [f"copy-{i:03d}" for i in range(copies)]
        start = time.perf_counter()
        outcomes = autograde(course, assignment, students=students, progress=False)
        elapsed = time.perf_counter() - start
        bad = [o for o in outcomes if o.score != o.max_score]
        if bad:
            print(f"warning: {len(bad)} copies did not score full marks: {bad[:2]}", file=sys.stderr)
        return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=20)
    parser.add_argument("--assignment", default="01-sgd", help="assignment to autograde, or 'all'")
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}, python {sys.version.split()[0]}")
    from course_utils import data

    start = time.perf_counter()
    data.load_mnist1d()
    print(f"mnist1d (4000 examples) generated in {time.perf_counter() - start:.1f} s")
    print("\nsolution notebooks, top to bottom in a fresh kernel")
    print(f"{'notebook':<28} {'seconds':>8}")
    for path in sorted((ROOT / "solutions").glob("*/*.ipynb")):
        print(f"{path.parent.name:<28} {time_notebook(path):>8.1f}", flush=True)
    print(f"\nautograding {args.copies} copies of the demo solution (one at a time, nbgrader)")
    print(f"{'assignment':<28} {'seconds':>8} {'s/notebook':>10}")
    chosen = catalog.assignments() if args.assignment == "all" else [args.assignment]
    for assignment in chosen:
        if not (ROOT / "solutions" / assignment).is_dir():
            continue
        t = time_autograde(assignment, args.copies)
        print(f"{assignment:<28} {t:>8.1f} {t / args.copies:>10.2f}", flush=True)


if __name__ == "__main__":
    main()
