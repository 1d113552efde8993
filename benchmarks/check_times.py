"""Benchmark (not a test): seconds of each exercise's full (hidden) check, in process.

For every exercise, its correct variants of tests/variants are graded by the hidden check (probe,
then judge, declared properties included), each one ``--repeat`` times (default 3); the script
prints the median time of the slowest variant per exercise, split into probe and judge, then the
slowest exercise. Issue 12 asks that every exercise's check stays under a second.

    python benchmarks/check_times.py [--repeat 3] [--only 05-batchnorm]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader.checks import REGISTRY  # noqa: E402
import tests.variants as tv  # noqa: E402


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
        worst = (0.0, 0.0, "")
        for v in (v for v in variants.get(exercise, []) if v.kind == "correct"):
            probes, judges = [], []
            for _ in range(args.repeat):
                with contextlib.redirect_stdout(io.StringIO()):
                    t0 = time.perf_counter()
                    data = check.probe(v.obj, visible=False)
                    t1 = time.perf_counter()
                    check.judge(data)
                    t2 = time.perf_counter()
                probes.append(t1 - t0)
                judges.append(t2 - t1)
            p, j = statistics.median(probes), statistics.median(judges)
            if p + j > sum(worst[:2]):
                worst = (p, j, v.description)
        rows.append((exercise, *worst))
        print(f"{exercise:45} {worst[0] + worst[1]:6.2f} s  (probe {worst[0]:.2f}, judge {worst[1]:.2f})  "
              f"slowest correct variant: {worst[2][:60]}", flush=True)
    slowest = max(rows, key=lambda r: r[1] + r[2])
    print(f"\nslowest: {slowest[0]}, {slowest[1] + slowest[2]:.2f} s per full check")


if __name__ == "__main__":
    main()
