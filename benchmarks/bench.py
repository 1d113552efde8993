"""Benchmark (not a test): prints figures, asserts nothing.

1. Seconds to execute each solution notebook top to bottom in a fresh kernel.
2. Seconds to autograde N copies (default 20) of the demo solution of one assignment
   (default 01-sgd; --assignment all for every one).
3. Stock ``nbgrader autograde`` against this grader on the same M copies (default 40) of the
   demo solution of 01-sgd, same machine, one after the other: wall time of each, the ratio,
   and this grader at 1 and at 2 jobs.
4. The cost of the sandbox: the honest batch (the four demo submissions, K copies of each,
   default 5) graded with and without bubblewrap, at 2 jobs.
5. The cost of the positive control (the instructor's solution graded before anyone is scored):
   batches of 1, 4 and 20 copies of the demo solution graded with and without it, in turn.

    python benchmarks/bench.py [--copies 20] [--assignment 01-sgd] [--versus 40] [--sandbox 5]
                               [--only versus|sandbox|control]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
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


def _course_with_copies(tmp: str, assignment: str, copies: int) -> tuple[Course, list[str]]:
    course = Course(root=copy_course(Path(tmp) / "course"))
    release(course, assignments=[assignment])
    src = build_demo(course, assignment)["demo-solution"]
    students = [f"copy-{i:03d}" for i in range(copies)]
    for student in students:
        dst = course.submitted / student / assignment
        dst.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst / src.name)
    for demo in ("demo-solution", "demo-untouched", "demo-half", "demo-mistakes"):
        shutil.rmtree(course.submitted / demo)
    return course, students


def time_stock_nbgrader(assignment: str, copies: int) -> float:
    """Wall seconds of one `nbgrader autograde ASSIGNMENT` over every copy (its own process)."""
    with tempfile.TemporaryDirectory() as tmp:
        course, _ = _course_with_copies(tmp, assignment, copies)
        env = {**os.environ, "COURSE_ROOT": str(course.root)}
        start = time.perf_counter()
        subprocess.run([str(Path(sys.executable).parent / "nbgrader"), "autograde", assignment, "--force"],
                       cwd=course.root, env=env, check=True, capture_output=True, timeout=24 * 3600)
        return time.perf_counter() - start


def sandbox_cost(assignment: str, copies: int) -> None:
    """Section 4: the honest demo batch graded with and without bubblewrap, same machine, in turn."""
    from grader.demo import DEMO_STUDENTS

    print(f"\nthe sandbox's cost: the {len(DEMO_STUDENTS)} demo submissions of {assignment}, {copies} copies "
          f"each, --jobs 2")
    print(f"{'grading':<28} {'seconds':>8} {'s/notebook':>10}")
    for flag, label in (([], "in bubblewrap sandboxes"), (["--no-sandbox"], "without a sandbox")):
        with tempfile.TemporaryDirectory() as tmp:
            course = Course(root=copy_course(Path(tmp) / "course"))
            release(course, assignments=[assignment])
            demos = build_demo(course, assignment)
            n = 0
            for student, src in demos.items():
                for i in range(copies):
                    dst = course.submitted / f"{student}-{i}" / assignment
                    dst.mkdir(parents=True)
                    shutil.copy2(src, dst / src.name)
                    n += 1
                shutil.rmtree(course.submitted / student)
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "grader", "--no-progress", "--root", str(course.root),
                            "autograde", assignment, "--jobs", "2", *flag],
                           cwd=course.root, check=True, capture_output=True, text=True, timeout=24 * 3600)
            t = time.perf_counter() - start
            print(f"{label:<28} {t:>8.1f} {t / n:>10.2f}", flush=True)


def control_cost(assignment: str, sizes: tuple[int, ...] = (1, 4, 20), rounds: int = 2) -> None:
    """Section 5: batches graded with and without the positive control, one after the other."""
    print(f"\nthe positive control's cost: copies of the {assignment} demo solution, default jobs, "
          f"median of {rounds} rounds")
    print(f"{'batch':>6} {'with control (s)':>17} {'without (s)':>12} {'extra (s)':>10} {'extra':>7}")
    for size in sizes:
        times: dict[bool, list[float]] = {True: [], False: []}
        for _ in range(rounds):
            for control in (True, False):
                with tempfile.TemporaryDirectory() as tmp:
                    course, students = _course_with_copies(tmp, assignment, size)
                    start = time.perf_counter()
                    autograde(course, assignment, students=students, progress=False, control=control)
                    times[control].append(time.perf_counter() - start)
        on, off = (sorted(times[c])[len(times[c]) // 2] for c in (True, False))
        print(f"{size:>6} {on:>17.1f} {off:>12.1f} {on - off:>10.1f} {(on - off) / off:>6.0%}", flush=True)


def time_ours(assignment: str, copies: int, jobs: int, *, cores: list[int] | None = None) -> float:
    """Wall seconds of `python -m grader autograde ASSIGNMENT --jobs N` over every copy
    (``cores``: pinned to those CPUs with taskset, kernels and workers included)."""
    with tempfile.TemporaryDirectory() as tmp:
        course, _ = _course_with_copies(tmp, assignment, copies)
        pin = ["taskset", "-c", ",".join(map(str, cores))] if cores else []
        start = time.perf_counter()
        proc = subprocess.run([*pin, sys.executable, "-m", "grader", "--no-progress", "--root", str(course.root),
                               "autograde", assignment, "--jobs", str(jobs)],
                              cwd=course.root, check=True, capture_output=True, text=True, timeout=24 * 3600)
        elapsed = time.perf_counter() - start
        if f"{copies}/{copies}" not in proc.stdout:
            print(f"warning: not every copy passed every exercise:\n{proc.stdout[-2000:]}", file=sys.stderr)
        return elapsed


def versus(assignment: str, copies: int, *, stock_seconds: float | None = None) -> None:
    """The table of section 3; ``stock_seconds`` reuses a measured stock time instead of rerunning it."""
    print(f"\nstock nbgrader against this grader: {copies} copies of the {assignment} demo solution, "
          f"{os.cpu_count()} cores, one after the other")
    stock = stock_seconds if stock_seconds is not None else time_stock_nbgrader(assignment, copies)
    print(f"{'grader':<34} {'seconds':>8} {'s/notebook':>10} {'speed-up':>9}", flush=True)
    label = "nbgrader autograde (stock)" + (" [given]" if stock_seconds is not None else "")
    print(f"{label:<34} {stock:>8.1f} {stock / copies:>10.2f} {1.0:>8.1f}x", flush=True)
    for jobs in (1, 2):
        t = time_ours(assignment, copies, jobs)
        print(f"{f'python -m grader --jobs {jobs}':<34} {t:>8.1f} {t / copies:>10.2f} {stock / t:>8.1f}x",
              flush=True)
    # scaling in cores: --jobs 1 still overlaps the next kernel's start with the current notebook,
    # so one job is not one core; pin everything to one CPU for that figure
    if shutil.which("taskset") and (os.cpu_count() or 1) >= 2:
        t = time_ours(assignment, copies, 1, cores=[0])
        print(f"{'python -m grader --jobs 1, 1 core':<34} {t:>8.1f} {t / copies:>10.2f} {stock / t:>8.1f}x",
              flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=20)
    parser.add_argument("--assignment", default="01-sgd", help="assignment to autograde, or 'all'")
    parser.add_argument("--versus", type=int, default=40, metavar="M",
                        help="copies graded by stock nbgrader and by this grader (0: skip that section)")
    parser.add_argument("--sandbox", type=int, default=5, metavar="K",
                        help="copies of each demo submission for the sandbox-cost section (0: skip)")
    parser.add_argument("--only", choices=["versus", "sandbox", "control"], default=None, help="run only that section")
    parser.add_argument("--stock-seconds", type=float, default=None,
                        help="with --only versus: a stock nbgrader time measured before, not rerun")
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}, python {sys.version.split()[0]}")
    if args.only == "versus":
        versus("01-sgd", args.versus, stock_seconds=args.stock_seconds)
        return
    if args.only == "sandbox":
        sandbox_cost("01-sgd", args.sandbox)
        return
    if args.only == "control":
        control_cost("01-sgd")
        return
    from course_utils import data

    start = time.perf_counter()
    data.load_mnist1d()
    print(f"mnist1d (4000 examples) generated in {time.perf_counter() - start:.1f} s")
    print("\nsolution notebooks, top to bottom in a fresh kernel")
    print(f"{'notebook':<28} {'seconds':>8}")
    for path in sorted((ROOT / "solutions").glob("*/*.ipynb")):
        print(f"{path.parent.name:<28} {time_notebook(path):>8.1f}", flush=True)
    print(f"\nautograding {args.copies} copies of the demo solution (python -m grader, default jobs)")
    print(f"{'assignment':<28} {'seconds':>8} {'s/notebook':>10}")
    chosen = catalog.assignments() if args.assignment == "all" else [args.assignment]
    for assignment in chosen:
        if not (ROOT / "solutions" / assignment).is_dir():
            continue
        t = time_autograde(assignment, args.copies)
        print(f"{assignment:<28} {t:>8.1f} {t / args.copies:>10.2f}", flush=True)
    if args.sandbox:
        sandbox_cost("01-sgd", args.sandbox)
    control_cost("01-sgd")
    if args.versus:
        versus("01-sgd", args.versus)


if __name__ == "__main__":
    main()
