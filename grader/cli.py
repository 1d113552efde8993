"""``python -m grader VERB``: argument parsing only; the work is in the API modules."""

from __future__ import annotations

import argparse
import functools
import sys
from pathlib import Path

__all__ = ["main"]


def _course(args: argparse.Namespace):
    from .config import Course

    return Course.find(root=args.root, db_url=args.db)


def _size(n: int) -> str:
    """A number of bytes as ``parse_size`` reads it back exactly: 2GiB, 512MiB, 1000000."""
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= scale and n % scale == 0:
            return f"{n // scale}{unit}"
    return str(n)


def cmd_exercises(args: argparse.Namespace) -> int:
    from . import catalog

    rows = catalog.exercises()
    width = max(len(ex.id) for ex in rows)
    for ex in rows:
        print(f"{ex.id.ljust(width)}  {ex.points:>4g}  {ex.title}")
    print(f"{len(rows)} exercises, {sum(ex.points for ex in rows):g} points")
    return 0


def cmd_release(args: argparse.Namespace) -> int:
    from .release import release

    for path in release(_course(args), assignments=args.assignment or None):
        print(f"wrote {path}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from .demo import build_demo

    for student, path in build_demo(_course(args), args.assignment).items():
        print(f"{student}: {path}")
    return 0


def _limits(args: argparse.Namespace):
    from .sandbox import Limits, parse_size

    return Limits(memory=parse_size(args.memory), wall=args.time_limit, cpu=args.cpu_limit,
                  processes=args.max_processes, output=parse_size(args.max_output),
                  disk=parse_size(args.max_disk), notebook=parse_size(args.max_notebook))


def cmd_autograde(args: argparse.Namespace) -> int:
    from .autograde import autograde
    from .report import pass_rate_table, score_table

    outcomes = autograde(_course(args), args.assignment, students=args.student or None,
                         progress=not args.no_progress, jobs=args.jobs, scheduler=args.scheduler,
                         skip=not args.no_skip, limits=_limits(args),
                         sandboxed=False if args.no_sandbox else None, force=args.force)
    if not outcomes:
        print(f"no submissions found under submitted/<student>/{args.assignment}/", file=sys.stderr)
        return 1
    print(score_table(outcomes))
    print(pass_rate_table(outcomes))
    return 0


def cmd_feedback(args: argparse.Namespace) -> int:
    from .feedback import feedback

    for student, where in feedback(_course(args), args.assignment, students=args.student or None,
                                   progress=not args.no_progress).items():
        print(f"{student}: {where}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from .export import export

    print(f"wrote {export(_course(args), to=args.to)}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from .check import check_notebook, format_rows

    path = Path(args.notebook)
    if not path.is_file():
        print(f"no notebook at {path}; give the path of your .ipynb file, e.g. "
              "notebooks/01-sgd/01-sgd.ipynb", file=sys.stderr)
        return 2
    rows = check_notebook(path, progress=not args.no_progress)
    print(format_rows(rows))
    return 0 if all(r.passed for r in rows) else 1


def cmd_course(args: argparse.Namespace) -> int:
    from .course import run_course

    run = run_course(_course(args), progress=not args.no_progress)
    print(run.table)
    print(f"grades:        {run.grades_csv}")
    print(f"distribution:  {run.distribution_png}")
    n = sum(isinstance(p, Path) for per in run.feedback.values() for p in per.values())
    print(f"feedback:      {n} HTML files under feedback/<student>/<assignment>/")
    return 0


def _global_options(parser: argparse.ArgumentParser, *, defaults: bool) -> None:
    """The options every verb takes, before the verb or after it (``autograde 01-sgd --db URL``).

    The main parser sets their defaults; each verb's parser leaves an option it was not given
    unset, so that one given before the verb is kept."""
    keep = {} if defaults else {"default": argparse.SUPPRESS}
    parser.add_argument("--root", type=Path, help="course folder (default: found upwards from here, or $COURSE_ROOT)",
                        **({"default": None} | keep))
    parser.add_argument("--db", metavar="URL", **({"default": None} | keep),
                        help="gradebook database URL (default: sqlite:///<root>/gradebook.db, or $COURSE_DB_URL)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars", **keep)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m grader", description=__doc__)
    _global_options(parser, defaults=True)
    common = argparse.ArgumentParser(add_help=False)
    _global_options(common, defaults=False)
    sub = parser.add_subparsers(dest="verb", required=True, metavar="VERB",
                                parser_class=functools.partial(argparse.ArgumentParser, parents=[common]))

    p = sub.add_parser("exercises", help="list every graded exercise with its points")
    p.set_defaults(func=cmd_exercises)
    p = sub.add_parser("release", help="regenerate notebooks/ from solutions/")
    p.add_argument("assignment", nargs="*", help="assignment ids (default: all)")
    p.set_defaults(func=cmd_release)
    p = sub.add_parser("demo", help="write the demo submissions of an assignment into submitted/")
    p.add_argument("assignment")
    p.set_defaults(func=cmd_demo)
    p = sub.add_parser("autograde", help="grade submitted/<student>/ASSIGNMENT/ for every student")
    p.add_argument("assignment")
    p.add_argument("--student", action="append", help="only this student (repeatable)")
    p.add_argument("--jobs", "-j", type=int, default=None, metavar="N",
                   help="notebooks executed at once on this machine (default: the number of cores)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="execute on the Dask cluster at ADDRESS (e.g. tcp://10.0.0.5:8786) instead")
    p.add_argument("--no-skip", action="store_true",
                   help="also run the cells tagged skip-grading (figures, demonstrations)")
    p.add_argument("--force", action="store_true",
                   help="regrade every student (default: skip those graded before with the same file)")
    limits = p.add_argument_group("limits per submission (enforced from outside its sandbox)")
    # the defaults are the API's (grader.sandbox.Limits): they enter the resume fingerprint, so
    # `autograde` after `make course` (which grades with Limits()) resumes instead of regrading
    from .sandbox import Limits

    api = Limits()
    limits.add_argument("--memory", default=_size(api.memory), metavar="SIZE",
                        help="resident memory of the whole sandbox (default: %(default)s)")
    limits.add_argument("--time-limit", type=float, default=api.wall, metavar="SECONDS",
                        help="wall time for the whole notebook (default: %(default)g)")
    limits.add_argument("--cpu-limit", type=int, default=api.cpu, metavar="SECONDS",
                        help="CPU seconds per process (default: %(default)s)")
    limits.add_argument("--max-processes", type=int, default=api.processes, metavar="N",
                        help="processes and threads at once (default: %(default)s)")
    limits.add_argument("--max-output", default=_size(api.output), metavar="SIZE",
                        help="output kept per cell; the rest is cut with a note (default: %(default)s)")
    limits.add_argument("--max-disk", default=_size(api.disk), metavar="SIZE",
                        help="bytes it may write in all (working folder, HOME, /tmp), the size of its "
                             "scratch space; its files are held in memory and count toward --memory too "
                             "(default: %(default)s)")
    limits.add_argument("--max-notebook", default=_size(api.notebook), metavar="SIZE",
                        help="largest submitted notebook file; a larger one is refused before it is read "
                             "(default: %(default)s)")
    limits.add_argument("--no-sandbox", action="store_true",
                        help="run kernels without bubblewrap (only for trusted submissions: they can then "
                             "read your files and use the network)")
    p.set_defaults(func=cmd_autograde)
    p = sub.add_parser("feedback", help="write HTML feedback per student")
    p.add_argument("assignment")
    p.add_argument("--student", action="append", help="only this student (repeatable)")
    p.set_defaults(func=cmd_feedback)
    p = sub.add_parser("export", help="write an nbgrader-compatible grades.csv")
    p.add_argument("--to", type=Path, default=None, help="output path (default: <root>/grades.csv)")
    p.set_defaults(func=cmd_export)
    p = sub.add_parser("check", help="for students: run your notebook's visible tests")
    p.add_argument("notebook")
    p.set_defaults(func=cmd_check)
    p = sub.add_parser("course", help="release, demo submissions, autograde, feedback, export")
    p.set_defaults(func=cmd_course)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (FileNotFoundError, LookupError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except RuntimeError as err:
        # imported here: a student's `check` need not load the instructor's verbs
        from .autograde import ControlFailed
        from .release import ReleaseError

        if isinstance(err, ReleaseError):
            print(f"error: {err}", file=sys.stderr)
            return 2
        if isinstance(err, ControlFailed):
            print(f"error: {err}", file=sys.stderr)
            return 3
        raise
