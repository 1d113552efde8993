"""Benchmark (not a test): seconds of each exercise's full (hidden) check, in process.

For every exercise, its correct variants of tests/variants are graded by the hidden check (probe,
then judge, declared properties included), each one ``--repeat`` times (default 3); the script
prints the median time of the slowest variant per exercise, split into probe and judge, and into the
time spent inside the variant's own functions ("student") and the rest ("grader"), then the slowest
exercise by total and by the grader's share. Issue 12 asks that every exercise's check stays under a
second. The student's share is measured by wrapping the variant's functions (for a class, such as a
module, it is not measured and counts as the grader's).

    python benchmarks/check_times.py [--repeat 3] [--only 05-batchnorm]
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import inspect
import io
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader.checks import REGISTRY  # noqa: E402
import tests.variants as tv  # noqa: E402
from grader.checks.judging import forget_judgements  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", default="", help="exercise ids starting with this")
    args = parser.parse_args()
    variants = tv.load_all()
    rows = []
    for exercise, check in REGISTRY.items():
        if not exercise.startswith(args.only):
            continue
        worst = (0.0, 0.0, 0.0, "")
        for v in (v for v in variants.get(exercise, []) if v.kind == "correct"):
            probes, judges, own = [], [], []
            for _ in range(args.repeat):
                spent = [0.0]
                obj = _timed(v.obj, spent)
                forget_judgements()  # time a first judging of this data, not a remembered one
                with contextlib.redirect_stdout(io.StringIO()):
                    t0 = time.perf_counter()
                    data = check.probe(obj, visible=False)
                    t1 = time.perf_counter()
                    check.judge(data)
                    t2 = time.perf_counter()
                probes.append(t1 - t0)
                judges.append(t2 - t1)
                own.append(spent[0])
            p, j, o = statistics.median(probes), statistics.median(judges), statistics.median(own)
            if p + j > worst[0] + worst[1]:
                worst = (p, j, o, v.description)
        if not worst[3]:
            continue
        rows.append((exercise, *worst))
        p, j, o, what = worst
        print(f"{exercise:45} {p + j:6.2f} s  (probe {p:.2f}, judge {j:.2f}; student {o:.2f}, grader {p + j - o:.2f})  "
              f"slowest correct variant: {what[:50]}", flush=True)
    slowest = max(rows, key=lambda r: r[1] + r[2])
    print(f"\nslowest: {slowest[0]}, {slowest[1] + slowest[2]:.2f} s per full check")
    grader = max(rows, key=lambda r: r[1] + r[2] - r[3])
    print(f"largest grader share: {grader[0]}, {grader[1] + grader[2] - grader[3]:.2f} s")


def _timed(obj, spent: list):
    """The variant with its functions wrapped so that the seconds spent inside them add up in ``spent[0]``."""
    def wrap(fn):
        @functools.wraps(fn)
        def timed(*args, **kwargs):
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[0] += time.perf_counter() - t
        return timed

    if inspect.isfunction(obj):
        return wrap(obj)
    if isinstance(getattr(obj, "functions", None), tuple):  # an exercise of several functions
        return type(obj.__name__, (), {"functions": tuple(wrap(f) for f in obj.functions)})
    return obj


if __name__ == "__main__":
    main()
